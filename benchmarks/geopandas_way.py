"""Detection the way an analyst does it today with geopandas, for comparison.

Per UTM zone: project the crossing paths (lines from ``path_depth_m`` left
to ``path_depth_m`` right of each target point) and the sensors to the
zone's UTM CRS, buffer each sensor by its range (``GeoSeries.buffer``, 16
segments per quarter circle), cut sectors (fov < 360°) with a wedge polygon,
``sjoin`` the paths that intersect the footprints, drop repeated (target, sensor) pairs and
``groupby`` target to combine ``1 − Π(1 − p)``. Patrol routes likewise:
buffer by ``sweep_m``, ``sjoin``, sum the reading passes per target and take
``1 − exp(−V · T / 24)``. The analyst is careful: points go to the zone of
their own longitude, sensors and routes to every zone they may reach, and
sector azimuths are turned from true to grid north.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from surveil.segments import TargetPoints

GEOD = Geod(ellps="WGS84")
REACH_DEG = 0.35
"""Longitude margin (> 15 km at 49° N) within which a sensor or route may reach a zone."""


def utm_zone(lon: np.ndarray) -> np.ndarray:
    return (np.floor((np.asarray(lon) + 180.0) / 6.0).astype(int) % 60) + 1


def _near_zone(frame: gpd.GeoDataFrame, zone: int) -> gpd.GeoDataFrame:
    west = -180.0 + (zone - 1) * 6.0 - REACH_DEG
    east = west + 6.0 + 2 * REACH_DEG
    b = frame.geometry.bounds
    return frame[(b["maxx"] >= west) & (b["minx"] <= east)]


def _footprints(sensors: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """Range circles in a metric CRS, cut to sectors where fov < 360°."""
    metric = sensors.to_crs(crs)
    circles = metric.geometry.buffer(metric["range_m"].to_numpy())
    fov = metric["fov_deg"].to_numpy()
    sector = (fov < 360.0) & ~np.isnan(metric["azimuth_deg"].to_numpy())
    if sector.any():
        # Turn true azimuths into grid azimuths (meridian convergence): project a
        # point 100 m along the true azimuth and take the grid bearing to it.
        lon, lat = sensors.geometry.x.to_numpy()[sector], sensors.geometry.y.to_numpy()[sector]
        az = sensors["azimuth_deg"].to_numpy()[sector]
        ahead_lon, ahead_lat, _ = GEOD.fwd(lon, lat, az, np.full(az.size, 100.0))
        ahead = gpd.GeoSeries(shapely.points(ahead_lon, ahead_lat), crs=4326).to_crs(crs)
        x0, y0 = metric.geometry.x.to_numpy()[sector], metric.geometry.y.to_numpy()[sector]
        grid_az = np.degrees(np.arctan2(ahead.x.to_numpy() - x0, ahead.y.to_numpy() - y0))
        half = fov[sector] / 2.0
        r = metric["range_m"].to_numpy()[sector] * 1.05  # wedge reaches past the circle
        steps = np.linspace(-1.0, 1.0, 33)
        ang = np.radians(grid_az[:, None] + half[:, None] * steps[None, :])
        arc_x = x0[:, None] + r[:, None] * np.sin(ang) / np.cos(np.radians(half / 32))[:, None]
        arc_y = y0[:, None] + r[:, None] * np.cos(ang) / np.cos(np.radians(half / 32))[:, None]
        ring = np.concatenate(
            [
                np.column_stack([x0, y0])[:, None, :],
                np.stack([arc_x, arc_y], axis=2),
                np.column_stack([x0, y0])[:, None, :],
            ],
            axis=1,
        )
        wedges = shapely.polygons(ring)
        cut = circles.to_numpy()
        cut[sector] = shapely.intersection(cut[sector], wedges)
        circles = gpd.GeoSeries(cut, crs=crs, index=metric.index)
    p = metric["pd"].to_numpy(dtype=float) * metric["availability"].to_numpy(dtype=float)
    return gpd.GeoDataFrame({"sensor": np.arange(len(metric)), "p": p}, geometry=circles.values)


def detect_geopandas(
    targets: TargetPoints,
    sensors: gpd.GeoDataFrame,
    patrols: gpd.GeoDataFrame,
    *,
    path_depth_m: float = 300.0,
    trace_persistence_h: float = 12.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return P_sensor, P_patrol and P_detect at each target point."""
    n = len(targets)
    sensors = sensors.reset_index(drop=True).assign(sensor=lambda f: np.arange(len(f)))
    patrols = patrols.reset_index(drop=True).assign(route=lambda f: np.arange(len(f)))
    left = targets.offset(-path_depth_m)
    right = targets.offset(path_depth_m)
    paths = shapely.linestrings(np.stack([np.column_stack(left), np.column_stack(right)], axis=1))
    points = gpd.GeoDataFrame(
        {"target": np.arange(n), "zone": utm_zone(targets.lon)}, geometry=paths, crs=4326
    )
    sensor_hits, patrol_hits = [], []
    for zone, pts in points.groupby("zone"):
        crs = f"EPSG:{32600 + int(zone)}"
        pts_m = pts.to_crs(crs)
        near = _near_zone(sensors, int(zone))
        if len(near):
            feet = _footprints(near, crs)
            feet["sensor"] = near["sensor"].to_numpy()
            joined = gpd.sjoin(pts_m, feet, predicate="intersects")
            sensor_hits.append(joined[["target", "sensor", "p"]])
        routes = _near_zone(patrols, int(zone))
        if len(routes):
            metric = routes.to_crs(crs)
            swaths = gpd.GeoDataFrame(
                {
                    "route": metric["route"].to_numpy(),
                    "reading": (metric["visits_per_day"] * metric["pd"]).to_numpy(dtype=float),
                },
                geometry=metric.geometry.buffer(metric["sweep_m"].to_numpy()).values,
                crs=crs,
            )
            joined = gpd.sjoin(pts_m, swaths, predicate="intersects")
            patrol_hits.append(joined[["target", "route", "reading"]])
    p_sensor = np.zeros(n)
    if sensor_hits:
        hits = pd.concat(sensor_hits).drop_duplicates(["target", "sensor"])
        miss = (1.0 - hits["p"]).groupby(hits["target"]).prod()
        p_sensor[miss.index.to_numpy()] = 1.0 - miss.to_numpy()
    p_patrol = np.zeros(n)
    if patrol_hits:
        hits = pd.concat(patrol_hits).drop_duplicates(["target", "route"])
        rate = hits.groupby("target")["reading"].sum()
        p_patrol[rate.index.to_numpy()] = -np.expm1(-rate.to_numpy() * trace_persistence_h / 24)
    p_detect = 1.0 - (1.0 - p_sensor) * (1.0 - p_patrol)
    return p_sensor, p_patrol, p_detect
