"""Find candidate sites for new means on the own side of the border, and check them.

Sites come from three sources:

* **inward offsets**: along every section part, every ``spacing_m`` of
  chainage, at each of ``offsets_m`` metres inside the line (the own side,
  right of the direction of chainage once the border is oriented by
  :func:`surveil.segments.orient_border`);
* **high ground**: local DEM high points near the line that see much of it
  (:func:`surveil.terrain.high_ground`), kept on the own side;
* a user ``candidates`` layer of points (optional ``allowed_types`` and
  ``mast_heights_m``, each a list separated by ``;``).

A site is **feasible** when it lies on the own side of its nearest section
part, at least ``setback_m`` from the line, outside every ``exclusions``
polygon, within ``max_road_m`` of a road (when given and there are roads) and,
with terrain, on known ground of the DEM. Each site faces the line: its
``azimuth_deg`` is the bearing to the nearest point of the border, and where
the line bends within ``bend_reach_m`` the bearings to the line that far along
either way are offered too (``azimuths_deg``).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from surveil import geodesy, terrain
from surveil.segments import border_side, line_vertices, section_parts

FloatArray = NDArray[np.float64]

SITE_COLUMNS = [
    "site_id",
    "source",
    "section",
    "km",
    "distance_to_border_m",
    "azimuth_deg",
    "azimuths_deg",
    "allowed_types",
    "mast_heights_m",
    "feasible",
    "reason",
]


def offset_sites(
    border: gpd.GeoDataFrame, *, offsets_m: Sequence[float], spacing_m: float
) -> gpd.GeoDataFrame:
    """Return sites every ``spacing_m`` along each part, ``offsets_m`` inside the line.

    Examples
    --------
    >>> border = gpd.GeoDataFrame({"section": ["A"]},
    ...     geometry=[shapely.LineString([(70, 40), (70.1, 40)])], crs=4326)
    >>> sites = offset_sites(border, offsets_m=[500.0], spacing_m=2000.0)
    >>> len(sites), bool((sites.geometry.y < 40).all())  # 8.5 km; eastward: own side south
    (5, True)
    """
    rows: list[dict[str, object]] = []
    for section, geometry in zip(border["section"], border.geometry, strict=True):
        start = 0.0
        for coords in section_parts(geometry):
            lon, lat = coords[:, 0], coords[:, 1]
            total = float(geodesy.chainage(lon, lat)[-1])
            pieces = max(1, int(np.ceil(total / spacing_m - 1e-9)))
            at = (np.arange(pieces) + 0.5) * total / pieces
            foot_lon, foot_lat, az = geodesy.interpolate(lon, lat, at)
            for offset in offsets_m:
                s_lon, s_lat = geodesy.step(foot_lon, foot_lat, az + 90.0, float(offset))
                for k in range(at.size):
                    rows.append(
                        {
                            "source": "offset",
                            "section": section,
                            "km": (start + at[k]) / 1000.0,
                            "geometry": shapely.Point(s_lon[k], s_lat[k]),
                        }
                    )
            start += total
    return _frame(rows)


def high_ground_sites(
    border: gpd.GeoDataFrame, tiles: Sequence[terrain.DEM], *, n: int = 30
) -> gpd.GeoDataFrame:
    """Return DEM high points near the line on the own side, best first.

    ``border`` is oriented: a site is kept when it lies right of the section
    part nearest to it. Columns of :func:`surveil.terrain.high_ground` plus
    ``means`` and ``score`` (border km seen).
    """

    def own_side(lon: FloatArray, lat: FloatArray) -> NDArray[np.bool_]:
        return border_side(border, lon, lat) > 0

    sites = [
        terrain.high_ground(dem, border, within_m=5000.0, own_side=own_side, n=n) for dem in tiles
    ]
    table = pd.concat(sites, ignore_index=True) if sites else pd.DataFrame()
    if len(table) == 0:
        return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    found = gpd.GeoDataFrame(table, geometry="geometry", crs="EPSG:4326")
    found = found.sort_values("border_seen_km", ascending=False).head(n)
    found.insert(0, "means", "high ground site")
    found.insert(1, "score", found["border_seen_km"].to_numpy())
    return found.reset_index(drop=True)


def candidate_sites(
    border: gpd.GeoDataFrame,
    *,
    offsets_m: Sequence[float] = (500.0, 2000.0),
    spacing_m: float = 1000.0,
    tiles: Sequence[terrain.DEM] = (),
    user: gpd.GeoDataFrame | None = None,
    exclusions: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | None = None,
    setback_m: float = 100.0,
    max_road_m: float | None = None,
    high_ground_n: int = 30,
    bend_reach_m: float = 3000.0,
) -> gpd.GeoDataFrame:
    """Return every candidate site with its facing, limits and feasibility.

    Parameters
    ----------
    border
        Oriented border (own side right of chainage).
    offsets_m, spacing_m
        Inward offsets and their spacing along the line, metres.
    tiles
        DEM tiles: high ground is added and sites off known ground dropped.
    user
        A ``candidates`` layer: points with optional ``allowed_types`` and
        ``mast_heights_m``.
    exclusions
        Polygons where nothing may stand.
    roads
        Road lines, for ``max_road_m``.
    setback_m
        Smallest distance from the line, metres.
    max_road_m
        Largest distance from a road, metres; None for no limit.
    high_ground_n
        Number of high-ground sites per DEM tile.
    bend_reach_m
        How far along the line, either way, other facings are offered.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`SITE_COLUMNS` with Point geometry; ``feasible`` sites only have
        an empty ``reason``.
    """
    frames = [offset_sites(border, offsets_m=offsets_m, spacing_m=spacing_m)]
    if tiles:
        high = high_ground_sites(border, tiles, n=high_ground_n)
        frames.append(_frame([{"source": "high_ground", "geometry": g} for g in high.geometry]))
    if user is not None and len(user):
        frames.append(_user_sites(user))
    sites = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    if len(sites) == 0:
        return sites
    lon, lat = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    _face_the_line(sites, border, bend_reach_m=bend_reach_m)
    reason = np.full(len(sites), "", dtype=object)
    side = border_side(border, lon, lat)
    reason[side <= 0] = "not on the own side"
    near = sites["distance_to_border_m"].to_numpy() < setback_m
    reason[(reason == "") & near] = f"closer than {setback_m:g} m to the line"
    if exclusions is not None and len(exclusions):
        inside = np.zeros(len(sites), dtype=bool)
        for polygon in exclusions.geometry.to_numpy():
            inside |= shapely.contains_xy(polygon, lon, lat)
        reason[(reason == "") & inside] = "inside an exclusion area"
    if max_road_m is not None and roads is not None and len(roads):
        index = geodesy.LineIndex(line_vertices(roads.geometry))
        far = index.distance(lon, lat, max_distance_m=max_road_m) > max_road_m
        reason[(reason == "") & far] = f"farther than {max_road_m:g} m from a road"
    if tiles:
        ground = np.full(len(sites), np.nan)
        tile = terrain.tile_of(tiles, lon, lat)
        for t in np.unique(tile):
            mine = tile == t
            ground[mine] = tiles[t].elevation(lon[mine], lat[mine])
        reason[(reason == "") & np.isnan(ground)] = "off the DEM or on nodata"
    sites["reason"] = reason
    sites["feasible"] = reason == ""
    sites["site_id"] = np.arange(1, len(sites) + 1, dtype=np.int64)
    return gpd.GeoDataFrame(sites[[*SITE_COLUMNS, "geometry"]], geometry="geometry", crs=4326)


def _frame(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    table = pd.DataFrame(rows, columns=["source", "section", "km", "geometry"])
    table["allowed_types"] = ""
    table["mast_heights_m"] = ""
    return gpd.GeoDataFrame(table, geometry="geometry", crs="EPSG:4326")


def _user_sites(user: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a user's candidate points with their allowed types and masts."""
    frame = _frame([{"source": "user", "geometry": g} for g in user.geometry.to_numpy()])
    for column in ("allowed_types", "mast_heights_m"):
        if column in user:
            frame[column] = user[column].fillna("").astype(str).to_numpy()
    return frame


def _face_the_line(
    sites: gpd.GeoDataFrame, border: gpd.GeoDataFrame, *, bend_reach_m: float
) -> None:
    """Set distance, section, km and the bearings from each site to the line."""
    lines = line_vertices(border.geometry)
    owners: list[tuple[str, float]] = []
    for section, geometry in zip(border["section"], border.geometry, strict=True):
        start = 0.0
        for coords in section_parts(geometry):
            owners.append((section, start))
            start += float(geodesy.chainage(coords[:, 0], coords[:, 1])[-1])
    lon, lat = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    near = geodesy.LineIndex(lines).nearest(lon, lat, max_distance_m=1e7)
    bearings = np.full((len(sites), 3), np.nan)
    for i in np.unique(near.line[near.line >= 0]):
        mine = np.flatnonzero(near.line == i)
        line_lon, line_lat = lines[i]
        total = float(geodesy.chainage(line_lon, line_lat)[-1])
        reach = np.array([0.0, -bend_reach_m, bend_reach_m])
        along = np.clip(near.along_m[mine, None] + reach, 0.0, total).ravel()
        f_lon, f_lat, _ = geodesy.interpolate(line_lon, line_lat, along)
        az, _, _ = geodesy.GEOD.inv(np.repeat(lon[mine], 3), np.repeat(lat[mine], 3), f_lon, f_lat)
        bearings[mine] = np.mod(np.asarray(az, dtype=float), 360.0).reshape(-1, 3)
    spread = np.abs((bearings[:, 1:] - bearings[:, :1] + 180.0) % 360.0 - 180.0)
    facings = []
    for row, wide in zip(bearings, spread > 30.0, strict=True):
        chosen: FloatArray = (
            np.concatenate([row[:1], row[1:][wide]]) if np.isfinite(row[0]) else np.empty(0)
        )
        facings.append(";".join(f"{a:.0f}" for a in chosen))
    unknown = sites["km"].isna().to_numpy() & (near.line >= 0)
    if unknown.any():
        owner = near.line[unknown]
        sites.loc[unknown, "section"] = [owners[i][0] for i in owner]
        sites.loc[unknown, "km"] = [
            (owners[i][1] + a) / 1000.0 for i, a in zip(owner, near.along_m[unknown], strict=True)
        ]
    sites["distance_to_border_m"] = near.distance_m
    sites["azimuth_deg"] = bearings[:, 0]
    sites["azimuths_deg"] = facings
