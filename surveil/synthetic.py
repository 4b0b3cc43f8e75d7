"""Generate seeded synthetic border scenarios of any size, for benchmarks and scale tests.

Nothing here is real. :func:`synthetic_scenario` draws a meandering border
of a given length (up to national scale: the Kazakh land border is about
13 000 km) with sensors, patrol routes, posts, settlements, roads and
incidents around it, by a documented, seeded model:

* **Border.** A serpentine skeleton from 50° E, 48.5° N: rows 45° of
  longitude long, running east and west in turn, 2.6° of latitude apart and
  joined by half-circle turns, so that 15 000 km stay within about
  40–49° N and 50–95° E and cross UTM zones 39–46. The line meanders about
  the skeleton by a sum of smooth random offsets (wavelengths 400 km to
  400 m, amplitudes 40 km to 60 m); it is cut at exactly ``border_km``
  (geodesic) and split into ``sections`` consecutive sections. The own side
  is the left of the direction of chainage.
* **Sensors** on the own side, denser in some 50 km sectors than in others
  (a Beta-distributed equipment level per sector, so there are gaps): thermal
  towers (4–7 km), camera towers (1.5–3 km), ground radars (6–10 km, 180°)
  and unattended ground sensors (30–80 m, on the line), facing the line,
  90 % operational, 6 % faulty, 4 % planned.
* **Patrol routes** along the line, 20–400 m inside it, 5–60 km long, on
  foot, by vehicle or on horseback, 0.25–4 passes a day.
* **Posts** every ~40 km, 2–10 km inside; **settlements** on both sides;
  **roads** from settlements to the line.
* **Incidents** clustered around hot spots along the line (85 %) and spread
  evenly (15 %), within 3 km of it on either side, dated 2023–2025 with more
  in summer.

:func:`write_scenario_files` writes a scenario as CSV and GeoJSON files with a
``scenario.toml`` that ``surveil assess`` takes as it is;
:func:`write_synthetic_dem` writes a procedural terrain (GeoTIFF tiles, 1°
by 1°, needs rasterio) around the border; :func:`write_synthetic` does all
three.

Examples
--------
>>> from surveil.assessment import assess
>>> scenario = synthetic_scenario(border_km=30, sensors=12, patrols=3, incidents=200, seed=1)
>>> len(scenario.sensors), len(scenario.incidents)
(12, 200)
>>> round(assess(scenario).summary["km_assessed"], 3)
30.0
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from surveil import geodesy
from surveil.errors import OutputError
from surveil.scenario import Parameters, Scenario

__all__ = [
    "synthetic_scenario",
    "write_scenario_files",
    "write_synthetic",
    "write_synthetic_dem",
]

FloatArray = NDArray[np.float64]

START_LON, START_LAT = 50.0, 48.5
ROW_DEG = 45.0
"""Length of a serpentine row, degrees of longitude."""
ROW_STEP_DEG = 2.6
"""Distance between serpentine rows, degrees of latitude."""
MEANDER = ((400e3, 40e3), (100e3, 12e3), (25e3, 4e3), (6e3, 1.2e3), (1.5e3, 300.0), (400.0, 60.0))
"""(wavelength, amplitude) in metres of the border's meanders about the skeleton."""
SECTOR_M = 50_000.0
"""Length of the stretches that share one equipment level."""
OWN, DATE_FROM, DATE_TO = "SYN", "2023-01-01", "2025-12-31"
DEFAULT_PARAMETERS: Mapping[str, Any] = {
    "path_depth_m": 300.0,
    "reference_date": DATE_TO,
}
"""Parameters of a synthetic scenario unless given (crossing paths 300 m deep each side)."""

# Sensor classes: type, share, range (m), fov choices, pd, height (m), standoff (m).
_SENSOR_CLASSES = (
    ("thermal_tower", 0.30, (4000.0, 7000.0), (180.0, 360.0), (0.75, 0.90), 20.0, (300.0, 1500.0)),
    ("camera_tower", 0.30, (1500.0, 3000.0), (120.0, 360.0), (0.55, 0.70), 12.0, (200.0, 800.0)),
    ("ground_radar", 0.10, (6000.0, 10000.0), (180.0,), (0.80, 0.90), 15.0, (300.0, 1500.0)),
    ("ground_sensor", 0.30, (30.0, 80.0), (360.0,), (0.60, 0.80), 0.0, (0.0, 30.0)),
)
# Patrol modes: mode, share, visits per day, pd (as in the shipped catalogue), sweep (m).
_PATROL_MODES = (
    ("foot", 0.5, (0.5, 2.0), 0.9, (100.0, 200.0)),
    ("vehicle", 0.35, (1.0, 4.0), 0.7, (150.0, 400.0)),
    ("horse", 0.15, (0.25, 1.0), 0.85, (100.0, 300.0)),
)


# --------------------------------------------------------------------------- the scenario


def synthetic_scenario(
    *,
    border_km: float,
    sensors: int,
    patrols: int,
    incidents: int,
    seed: int = 0,
    posts: int | None = None,
    settlements: int | None = None,
    sections: int | None = None,
    vertex_m: float = 200.0,
    parameters: Parameters | Mapping[str, Any] | None = None,
    name: str | None = None,
) -> Scenario:
    """Return a seeded synthetic scenario of the given size.

    Parameters
    ----------
    border_km
        Geodesic length of the border in km (0 < border_km; 15 000 km stay
        within about 40–49° N).
    sensors, patrols, incidents
        Number of sensors, patrol routes and incidents.
    seed
        Seed of the random generator: the same arguments give the same scenario.
    posts
        Number of posts; one per 40 km of border by default.
    settlements
        Number of settlements; one per 15 km by default.
    sections
        Number of border sections; one per 3000 km (at least one) by default.
    vertex_m
        Spacing of the border's vertices along the skeleton, metres.
    parameters
        Assessment parameters; by default those of :class:`Parameters` with
        crossing paths of ±300 m and the reference date 2025-12-31.
    name
        Scenario name; says the size and seed by default.

    Returns
    -------
    surveil.scenario.Scenario
        Validated like files (:meth:`Scenario.from_layers`).
    """
    if not border_km > 0:
        raise ValueError(f"border_km is {border_km}; expected a positive length in km")
    for label, count in (("sensors", sensors), ("patrols", patrols), ("incidents", incidents)):
        if count < 0:
            raise ValueError(f"{label} is {count}; expected a count, 0 or more")
    layers = synthetic_layers(
        border_km=border_km,
        sensors=sensors,
        patrols=patrols,
        incidents=incidents,
        seed=seed,
        posts=posts,
        settlements=settlements,
        sections=sections,
        vertex_m=vertex_m,
    )
    if not isinstance(parameters, Parameters):
        parameters = {**DEFAULT_PARAMETERS, **(parameters or {})}
    return Scenario.from_layers(
        layers.pop("border"),
        parameters=parameters,
        name=name or f"Synthetic border {border_km:g} km (seed {seed})",
        attribution="surveil synthetic scenario: border, sensors, patrols, posts, settlements, "
        "roads and incidents are all SYNTHETIC",
        **layers,
    )


def synthetic_layers(
    *,
    border_km: float,
    sensors: int,
    patrols: int,
    incidents: int,
    seed: int = 0,
    posts: int | None = None,
    settlements: int | None = None,
    sections: int | None = None,
    vertex_m: float = 200.0,
) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers of :func:`synthetic_scenario` as raw GeoDataFrames (not validated)."""
    rng = np.random.default_rng(seed)
    length_m = border_km * 1000.0
    line = _Line(*border_line(length_m, rng=rng, vertex_m=vertex_m))
    n_sections = sections if sections is not None else max(1, math.ceil(border_km / 3000.0))
    level = rng.beta(0.8, 1.2, size=max(1, math.ceil(length_m / SECTOR_M)))
    return {
        "border": _border(line, n_sections),
        "sensors": _sensors(line, sensors, level, rng),
        "patrols": _patrols(line, patrols, level, rng),
        "incidents": _incidents(line, incidents, rng),
        "posts": _posts(line, posts if posts is not None else max(1, round(border_km / 40)), rng),
        "settlements": (towns := _settlements(line, settlements, border_km, rng)),
        "roads": _roads(line, towns, rng),
    }


# --------------------------------------------------------------------------- border


def skeleton(length_m: float) -> tuple[FloatArray, FloatArray]:
    """Return the serpentine skeleton's vertices (lon, lat), at least ``length_m`` long."""
    lon_parts, lat_parts = [], []
    total, row = 0.0, 0
    radius = ROW_STEP_DEG / 2.0
    while total < length_m:
        lat = START_LAT - row * ROW_STEP_DEG
        n = int(ROW_DEG * 50)  # a vertex every 0.02° (~1.6 km) of the row
        lons = np.linspace(0.0, ROW_DEG, n, endpoint=False)
        east = row % 2 == 0
        lons = START_LON + (lons if east else ROW_DEG - lons)
        # Half-circle turn to the next row, bulging beyond the row's end.
        theta = np.linspace(0.0, np.pi, 120, endpoint=False)
        c_lat = lat - radius
        c_lon = START_LON + (ROW_DEG if east else 0.0)
        stretch = 1.0 / np.cos(np.radians(c_lat))  # keeps the turn round on the ground
        sign = 1.0 if east else -1.0
        turn_lon = c_lon + sign * radius * stretch * np.sin(theta)
        turn_lat = c_lat + radius * np.cos(theta)
        lon_parts += [lons, turn_lon]
        lat_parts += [np.full(n, lat), turn_lat]
        total = geodesy.chainage(np.concatenate(lon_parts), np.concatenate(lat_parts))[-1]
        row += 1
    return np.concatenate(lon_parts), np.concatenate(lat_parts)


def border_line(
    length_m: float, *, rng: np.random.Generator, vertex_m: float = 200.0
) -> tuple[FloatArray, FloatArray]:
    """Return the vertices of a meandering border line exactly ``length_m`` long."""
    if vertex_m <= 0:
        raise ValueError(f"vertex_m is {vertex_m}; expected a positive spacing in metres")
    skel_m = length_m
    while True:
        skel_lon, skel_lat = skeleton(skel_m)
        at = np.arange(0.0, skel_m + vertex_m, vertex_m)
        lon, lat, az = geodesy.interpolate(skel_lon, skel_lat, at)
        offset = np.zeros(at.size)
        for wave, amp in MEANDER:
            offset += amp * _value_noise_1d(at / wave, rng)
        lon, lat, _ = geodesy.GEOD.fwd(lon, lat, az - 90.0, offset)
        lon, lat = np.round(lon, 6), np.round(lat, 6)
        cum = geodesy.chainage(lon, lat)
        if cum[-1] >= length_m:
            break
        skel_m *= 1.25
    end = int(np.searchsorted(cum, length_m, side="left"))
    end_lon, end_lat, _ = geodesy.interpolate(lon[: end + 1], lat[: end + 1], [length_m])
    lon = np.append(lon[:end], np.round(end_lon, 7))
    lat = np.append(lat[:end], np.round(end_lat, 7))
    return lon, lat


def _value_noise_1d(x: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Smooth random function of x in [-1, 1]: random values at integers, smoothstepped."""
    i0 = np.floor(x).astype(np.int64)
    lattice = rng.uniform(-1.0, 1.0, size=int(i0.max()) + 2)
    f = x - i0
    s = f * f * (3.0 - 2.0 * f)
    return lattice[i0] * (1.0 - s) + lattice[i0 + 1] * s


class _Line:
    """The whole border as one line, with chainage, to place things along it."""

    def __init__(self, lon: FloatArray, lat: FloatArray) -> None:
        self.lon, self.lat = lon, lat
        self.cum = geodesy.chainage(lon, lat)
        self.length_m = float(self.cum[-1])

    def place(
        self, at_m: FloatArray, left_m: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Return points ``left_m`` metres to the left of the line at chainage ``at_m``.

        Also returns the bearing from each point back to the line (compass degrees).
        """
        lon, lat, az = geodesy.interpolate(self.lon, self.lat, np.asarray(at_m, dtype=float))
        left = np.asarray(left_m, dtype=float) * np.ones(lon.size)
        out_lon, out_lat, _back = geodesy.GEOD.fwd(lon, lat, az - 90.0, left)
        facing = np.where(left >= 0, az + 90.0, az - 90.0) % 360.0
        return np.round(np.asarray(out_lon), 6), np.round(np.asarray(out_lat), 6), facing


def _border(line: _Line, n_sections: int) -> gpd.GeoDataFrame:
    """Split the line into ``n_sections`` consecutive sections of about equal length."""
    bounds = np.linspace(0.0, line.length_m, n_sections + 1)
    geoms = []
    for a, b in itertools.pairwise(bounds):
        inner = (line.cum > a) & (line.cum < b)
        ends = geodesy.interpolate(line.lon, line.lat, [a, b])
        (lon_a, lon_b), (lat_a, lat_b) = np.round(ends[0], 7), np.round(ends[1], 7)
        lon = np.concatenate([[lon_a], line.lon[inner], [lon_b]])
        lat = np.concatenate([[lat_a], line.lat[inner], [lat_b]])
        geoms.append(shapely.LineString(np.column_stack([lon, lat])))
    width = len(str(n_sections))
    return gpd.GeoDataFrame(
        {
            "section": [f"{OWN}-N{i + 1:0{width}d}" for i in range(n_sections)],
            "country_left": [OWN] * n_sections,
            "country_right": [f"N{i + 1:0{width}d}" for i in range(n_sections)],
        },
        geometry=geoms,
        crs="EPSG:4326",
    )


# --------------------------------------------------------------------------- means


def _by_level(line: _Line, n: int, level: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Draw n chainages, each sector (about 50 km) chosen in proportion to its equipment level."""
    weights = level / level.sum()
    sector = rng.choice(level.size, size=n, p=weights)
    return (sector + rng.uniform(0.0, 1.0, n)) * (line.length_m / level.size)


def _sensors(line: _Line, n: int, level: FloatArray, rng: np.random.Generator) -> gpd.GeoDataFrame:
    shares = np.array([c[1] for c in _SENSOR_CLASSES])
    kind = rng.choice(len(_SENSOR_CLASSES), size=n, p=shares / shares.sum())
    at = _by_level(line, n, level, rng)
    range_m = np.empty(n)
    fov = np.empty(n)
    pd_ = np.empty(n)
    height = np.empty(n)
    standoff = np.empty(n)
    for k, (_, _, (r0, r1), fovs, (p0, p1), h, (s0, s1)) in enumerate(_SENSOR_CLASSES):
        mine = kind == k
        m = int(mine.sum())
        step = 500.0 if r0 >= 1000 else 10.0
        range_m[mine] = np.round(rng.uniform(r0, r1, m) / step) * step
        fov[mine] = rng.choice(fovs, size=m)
        pd_[mine] = np.round(rng.uniform(p0, p1, m), 2)
        height[mine] = h
        standoff[mine] = np.round(rng.uniform(s0, s1, m))
    lon, lat, facing = line.place(at, standoff)
    azimuth = np.where(fov < 360.0, np.round((facing + rng.normal(0.0, 8.0, n)) % 360.0, 1), np.nan)
    status = rng.choice(["operational", "faulty", "planned"], size=n, p=[0.90, 0.06, 0.04])
    names = np.array([c[0] for c in _SENSOR_CLASSES])[kind]
    return gpd.GeoDataFrame(
        {
            "id": [f"S{i + 1:05d}" for i in range(n)],
            "type": names,
            "range_m": range_m,
            "azimuth_deg": azimuth,
            "fov_deg": fov,
            "height_m": height,
            "pd": pd_,
            "availability": np.round(rng.uniform(0.85, 0.98, n), 2),
            "status": status,
            "agency": "Border Service (synthetic)",
        },
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )


def _patrols(line: _Line, n: int, level: FloatArray, rng: np.random.Generator) -> gpd.GeoDataFrame:
    shares = np.array([m[1] for m in _PATROL_MODES])
    mode = rng.choice(len(_PATROL_MODES), size=n, p=shares / shares.sum())
    centre = _by_level(line, n, level, rng)
    half = np.minimum(
        rng.lognormal(np.log(12_000.0), 0.6, n).clip(2_500.0, 30_000.0), line.length_m / 2
    )
    start = np.clip(centre - half, 0.0, line.length_m - 2 * half)
    inside = rng.uniform(20.0, 400.0, n)
    visits, pd_, sweep = np.empty(n), np.empty(n), np.empty(n)
    for k, (_, _, (v0, v1), p, (w0, w1)) in enumerate(_PATROL_MODES):
        mine = mode == k
        m = int(mine.sum())
        visits[mine] = np.round(rng.uniform(v0, v1, m) * 4) / 4
        pd_[mine] = p
        sweep[mine] = np.round(rng.uniform(w0, w1, m) / 10) * 10
    # Routes follow the line at 250 m steps, all routes in one vectorised call.
    counts = np.maximum(2, np.ceil(2 * half / 250.0).astype(np.int64) + 1)
    owner = np.repeat(np.arange(n), counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    at = start[owner] + 2 * half[owner] * within / (counts[owner] - 1)
    lon, lat, _ = line.place(at, inside[owner])
    geoms = shapely.linestrings(np.column_stack([lon, lat]), indices=owner) if n else []
    windows = rng.choice(["day", "night", "all"], size=n, p=[0.4, 0.2, 0.4])
    return gpd.GeoDataFrame(
        {
            "id": [f"P{i + 1:04d}" for i in range(n)],
            "visits_per_day": visits,
            "sweep_m": sweep,
            "pd": pd_,
            "mode": np.array([m[0] for m in _PATROL_MODES])[mode],
            "window": windows,
            "agency": "Border Service (synthetic)",
        },
        geometry=np.asarray(geoms, dtype=object) if n else [],
        crs="EPSG:4326",
    )


def _posts(line: _Line, n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    spacing = line.length_m / n
    at = (np.arange(n) + 0.5 + rng.uniform(-0.3, 0.3, n)) * spacing
    lon, lat, _ = line.place(at, rng.uniform(2000.0, 10000.0, n))
    bcp = rng.uniform(size=n) < 0.1
    return gpd.GeoDataFrame(
        {
            "id": [f"{'BCP' if b else 'Outpost'} {i + 1}" for i, b in enumerate(bcp)],
            "type": np.where(bcp, "bcp", "outpost"),
            "reaction_speed_kmh": np.round(rng.uniform(25.0, 45.0, n)),
        },
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )


# --------------------------------------------------------------------------- context


def _settlements(
    line: _Line, n: int | None, border_km: float, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    n = n if n is not None else max(1, round(border_km / 15))
    at = rng.uniform(0.0, line.length_m, n)
    side = np.where(rng.uniform(size=n) < 0.6, 1.0, -1.0)
    lon, lat, _ = line.place(at, side * rng.uniform(1000.0, 40000.0, n))
    return gpd.GeoDataFrame(
        {
            "name": [f"Settlement {i + 1}" for i in range(n)],
            "population": np.round(rng.lognormal(np.log(1500.0), 1.2, n), -1).clip(50, None),
        },
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )


def _roads(line: _Line, towns: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Roads from a third of the settlements towards the line, ending 0–2 km short of it."""
    picked = np.flatnonzero(rng.uniform(size=len(towns)) < 1 / 3)
    n = picked.size
    if n == 0:
        return gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    xy = shapely.get_coordinates(towns.geometry.to_numpy()[picked])
    # The nearest border vertex is near enough for where a synthetic road ends.
    _, nearest = cKDTree(geodesy.ecef(line.lon, line.lat)).query(geodesy.ecef(xy[:, 0], xy[:, 1]))
    short = rng.uniform(0.0, 2000.0, n)
    sign = np.sign(rng.uniform(-1, 1, n))
    end_lon, end_lat, _ = line.place(line.cum[nearest], np.where(sign == 0, 1.0, sign) * short)
    mid_lon = (xy[:, 0] + end_lon) / 2 + rng.normal(0.0, 0.01, n)
    mid_lat = (xy[:, 1] + end_lat) / 2 + rng.normal(0.0, 0.01, n)
    coords = np.stack(
        [xy, np.column_stack([mid_lon, mid_lat]), np.column_stack([end_lon, end_lat])], axis=1
    )
    return gpd.GeoDataFrame(
        {"name": [f"Road {i + 1}" for i in range(n)]},
        geometry=shapely.linestrings(np.round(coords, 6)),
        crs="EPSG:4326",
    )


def _incidents(line: _Line, n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    n_hot = max(3, round(line.length_m / 30_000.0))
    hot_at = rng.uniform(0.0, line.length_m, n_hot)
    hot_sigma = rng.uniform(1000.0, 8000.0, n_hot)
    hot_weight = rng.lognormal(0.0, 1.0, n_hot)
    from_hot = rng.uniform(size=n) < 0.85
    which = rng.choice(n_hot, size=n, p=hot_weight / hot_weight.sum())
    at = np.where(
        from_hot,
        hot_at[which] + rng.normal(0.0, 1.0, n) * hot_sigma[which],
        rng.uniform(0.0, line.length_m, n),
    ).clip(0.0, line.length_m)
    lon, lat, _ = line.place(at, rng.normal(0.0, 600.0, n).clip(-3000.0, 3000.0))
    return gpd.GeoDataFrame(
        {
            "date": _dates(n, rng),
            "type": rng.choice(
                ["crossing", "smuggling", "trafficking", "other"], size=n, p=[0.7, 0.2, 0.05, 0.05]
            ),
            "persons": rng.geometric(0.55, n),
            "outcome": rng.choice(
                ["apprehended", "evaded", "detected-only", ""], size=n, p=[0.45, 0.25, 0.2, 0.1]
            ),
        },
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )


def _dates(n: int, rng: np.random.Generator) -> pd.Series:
    """Draw n days from 2023–2025, more in summer (peak mid-July, 1.6 : 0.4 to winter)."""
    first = np.datetime64(DATE_FROM)
    days = int((np.datetime64(DATE_TO) - first).astype(int)) + 1
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        day = rng.integers(0, days, size=2 * (n - out.size) + 16)
        doy = day % 365.25
        keep = rng.uniform(0.0, 1.6, day.size) < 1.0 + 0.6 * np.sin(
            2 * np.pi * (doy - 105) / 365.25
        )
        out = np.concatenate([out, day[keep]])
    return pd.Series(first + out[:n].astype("timedelta64[D]"), dtype="datetime64[ns]")


# --------------------------------------------------------------------------- files


POINT_LAYERS = ("sensors", "incidents", "posts", "settlements")
LINE_LAYERS = ("border", "patrols", "roads")
POLYGON_LAYERS = ("impact",)


def write_scenario_files(
    scenario: Scenario,
    folder: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    comment: str = "",
    toml_name: str = "scenario.toml",
    layers_dir: str = "",
    file_names: Mapping[str, str] | None = None,
    layer_paths: Mapping[str, str] | None = None,
    baseline: str | None = None,
) -> Path:
    """Write a scenario's layers and a ``scenario.toml`` that ``surveil assess`` takes as it is.

    Point layers go to CSV with ``lon``/``lat`` columns, line and polygon
    layers to GeoJSON; parameters that differ from the defaults go to the
    TOML file, and so do the DEM and a catalogue read from a file (by their
    absolute paths) and the ``[impact]`` table of section weights.

    Parameters
    ----------
    scenario
        The scenario to write (for instance from :func:`synthetic_scenario`).
    folder
        Output folder; created.
    overwrite
        Replace the files of an existing folder.
    comment
        Lines written at the top of ``scenario.toml`` as TOML comments.
    toml_name
        Name of the TOML file in ``folder``.
    layers_dir
        Subfolder of ``folder`` for the layer files ("" for ``folder`` itself).
    file_names
        File names to use for some layers (``{"sensors": "plan-sensors.csv"}``).
    layer_paths
        Layers not written but named as they are (paths relative to
        ``folder``), e.g. a baseline's files a plan shares.
    baseline
        Path of the baseline scenario file (relative to ``folder``), written
        as ``baseline = "..."``: ``surveil assess`` then assesses this one
        against the baseline's recording posture.

    Returns
    -------
    pathlib.Path
        The TOML file written.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()) and not overwrite:
        raise OutputError(f"{folder} exists and is not empty; choose another folder or overwrite")
    layer_folder = folder / layers_dir if layers_dir else folder
    layer_folder.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    for kind in (*LINE_LAYERS, *POINT_LAYERS, *POLYGON_LAYERS):
        if layer_paths and kind in layer_paths:
            names[kind] = layer_paths[kind]
            continue
        frame: gpd.GeoDataFrame = getattr(scenario, kind)
        if kind != "border" and len(frame) == 0:
            continue
        frame = frame.drop(columns=[c for c in ("source_row",) if c in frame.columns])
        name = f"{kind}.csv" if kind in POINT_LAYERS else f"{kind}.geojson"
        name = (file_names or {}).get(kind, name)
        names[kind] = f"{layers_dir}/{name}" if layers_dir else name
        path = layer_folder / name
        if kind in POINT_LAYERS:
            _write_points(frame, path)
        else:
            path.unlink(missing_ok=True)
            frame.to_file(path, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=7)
    areas = _write_areas(scenario, layer_folder, (file_names or {}).get("areas"), layer_paths)
    if areas:
        names["areas"] = f"{layers_dir}/{areas}" if layers_dir else areas
    defaults = Parameters().to_dict()
    changed = {
        k: v for k, v in scenario.parameters.to_dict().items() if v != defaults[k] and v is not None
    }
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    lines += [f"name = {_toml(scenario.name)}"]
    if scenario.attribution:
        lines.append(f"attribution = {_toml(scenario.attribution)}")
    if scenario.dem is not None:
        lines.append(f"dem = {_toml(str(Path(scenario.dem).resolve()))}")
    if "catalogue" in scenario.sources:
        lines.append(f"catalogue = {_toml(str(Path(scenario.sources['catalogue']).resolve()))}")
    if baseline is not None:
        lines.append(f"baseline = {_toml(baseline)}")
    lines += ["", "[layers]", *(f"{k} = {_toml(v)}" for k, v in names.items())]
    if changed:
        lines += ["", "[parameters]", *(f"{k} = {_toml(v)}" for k, v in changed.items())]
    if scenario.section_impact:
        lines += ["", "[impact]"]
        lines += [f"{_toml(k)} = {_toml(float(v))}" for k, v in scenario.section_impact.items()]
    if scenario.seasons:
        lines += ["", "[seasons]"]
        lines += [f"{k} = [{_toml(a)}, {_toml(b)}]" for k, (a, b) in scenario.seasons.items()]
    toml = folder / toml_name
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return toml


def _write_areas(
    scenario: Scenario,
    folder: Path,
    name: str | None,
    layer_paths: Mapping[str, str] | None,
) -> str | None:
    """Write the areas layer: chainage ranges to CSV, polygons to GeoJSON; return its name."""
    if layer_paths and "areas" in layer_paths:
        return None
    areas = getattr(scenario, "areas", None)
    if areas is None or len(areas) == 0:
        return None
    ranged = bool((areas.geometry.isna() | areas.geometry.is_empty).all())
    if ranged:
        name = name or "areas.csv"
        table = pd.DataFrame(areas[["section", "km_from", "km_to", "unit", "agency"]])
        table.to_csv(folder / name, index=False, lineterminator="\n")
    else:
        name = name or "areas.geojson"
        (folder / name).unlink(missing_ok=True)
        polygons = areas[["unit", "agency", "geometry"]]
        polygons.to_file(folder / name, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=7)
    return name


def _write_points(frame: gpd.GeoDataFrame, path: Path) -> None:
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    xy = shapely.get_coordinates(frame.geometry.to_numpy())
    table["lon"] = xy[:, 0]
    table["lat"] = xy[:, 1]
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
    table.to_csv(path, index=False, float_format="%.6f")


def _toml(value: Any) -> str:
    """Return a TOML literal for a string, number, boolean or list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


# --------------------------------------------------------------------------- terrain


def write_synthetic_dem(
    border: gpd.GeoDataFrame,
    folder: str | os.PathLike[str],
    *,
    dem_m: float = 30.0,
    buffer_km: float = 15.0,
    seed: int = 0,
) -> list[Path]:
    """Write a procedural terrain around the border as GeoTIFF tiles (needs rasterio).

    The terrain is fractal value noise (octaves of 80 km down to 120 m, about
    300–3500 m high) defined everywhere by ``seed``, so tiles join without
    seams. Tiles cover 1° by 1° cells (named like ``N45E051.tif`` after
    their south-west corner) clipped to the bounding box of the border
    buffered by ``buffer_km``; pixels are ``dem_m / 30`` arc-seconds (30 m ≈
    1″ as in SRTM and Copernicus GLO-30); int16 metres, EPSG:4326, deflate.

    Parameters
    ----------
    border
        Border sections in EPSG:4326.
    folder
        Folder to write the tiles to; created.
    dem_m
        Pixel size in metres of latitude.
    buffer_km
        Distance from the border that the tiles cover at least, km.
    seed
        Seed of the terrain.

    Returns
    -------
    list of pathlib.Path
        The tiles written.
    """
    try:
        import rasterio
        from affine import Affine
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("writing a synthetic DEM needs rasterio: pip install rasterio") from exc
    if dem_m <= 0:
        raise ValueError(f"dem_m is {dem_m}; expected a positive pixel size in metres")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pixel = dem_m / 30.0 / 3600.0
    boxes = _tile_boxes(border, buffer_km)
    written = []
    for (cell_lon, cell_lat), (west, south, east, north) in sorted(boxes.items()):
        # Snap the box outwards to the global pixel grid.
        col0, col1 = math.floor(west / pixel + 1e-9), math.ceil(east / pixel - 1e-9)
        row0, row1 = math.floor(south / pixel + 1e-9), math.ceil(north / pixel - 1e-9)
        width, height = col1 - col0, row1 - row0
        name = f"{'N' if cell_lat >= 0 else 'S'}{abs(cell_lat):02d}"
        name += f"{'E' if cell_lon >= 0 else 'W'}{abs(cell_lon):03d}.tif"
        path = folder / name
        profile = {
            "driver": "GTiff",
            "width": width,
            "height": height,
            "count": 1,
            "dtype": "int16",
            "crs": "EPSG:4326",
            "transform": Affine(pixel, 0.0, col0 * pixel, 0.0, -pixel, row1 * pixel),
            "nodata": -32768,
            "compress": "deflate",
            "predictor": 2,
            "tiled": True,
            "blockxsize": 256,
            "blockysize": 256,
        }
        lon = (col0 + np.arange(width) + 0.5) * pixel
        with rasterio.open(path, "w", **profile) as dst:
            for top in range(0, height, 512):
                rows = min(512, height - top)
                lat = (row1 - top - np.arange(rows) - 0.5) * pixel
                block = terrain_height(lon, lat, seed=seed)
                dst.write(
                    np.round(block).astype(np.int16), 1, window=((top, top + rows), (0, width))
                )
        written.append(path)
    return written


def _tile_boxes(
    border: gpd.GeoDataFrame, buffer_km: float
) -> dict[tuple[int, int], tuple[float, float, float, float]]:
    """Return, per 1° cell, the box (W, S, E, N) of the buffered border inside it."""
    lon, lat = [], []
    for geom in border.geometry.to_numpy():
        for part in shapely.get_parts(geom):
            xy = shapely.get_coordinates(part)
            d_lon, d_lat = geodesy.densify(xy[:, 0], xy[:, 1], 2000.0)
            lon.append(d_lon)
            lat.append(d_lat)
    x, y = np.concatenate(lon), np.concatenate(lat)
    half = buffer_km / 110.574 + 2000.0 / 110_574.0
    d_lon = half / np.cos(np.radians(np.minimum(np.abs(y) + half, 89.0)))
    boxes: dict[tuple[int, int], list[float]] = {}
    west, east, south, north = x - d_lon, x + d_lon, y - half, y + half
    for i in range(x.size):
        for cx in range(math.floor(west[i]), math.floor(east[i]) + 1):
            for cy in range(math.floor(south[i]), math.floor(north[i]) + 1):
                box = [
                    max(west[i], cx),
                    max(south[i], cy),
                    min(east[i], cx + 1),
                    min(north[i], cy + 1),
                ]
                old = boxes.get((cx, cy))
                if old is None:
                    boxes[(cx, cy)] = box
                else:
                    boxes[(cx, cy)] = [
                        min(old[0], box[0]),
                        min(old[1], box[1]),
                        max(old[2], box[2]),
                        max(old[3], box[3]),
                    ]
    return {k: (v[0], v[1], v[2], v[3]) for k, v in boxes.items()}


# (wavelength m, amplitude m) of the terrain's octaves; the first three are ridged.
_TERRAIN_OCTAVES = (
    (80e3, 1200.0),
    (30e3, 600.0),
    (12e3, 300.0),
    (5e3, 120.0),
    (2e3, 50.0),
    (800.0, 20.0),
    (300.0, 8.0),
    (120.0, 3.0),
)


def terrain_height(lon: ArrayLike, lat: ArrayLike, *, seed: int = 0) -> NDArray[np.float32]:
    """Return the synthetic terrain height (m) on the grid of ``lat`` rows by ``lon`` columns.

    Examples
    --------
    >>> h = terrain_height(np.array([60.0, 60.001]), np.array([45.0]), seed=3)
    >>> h.shape, bool(((h > 0) & (h < 5000)).all())
    ((1, 2), True)
    """
    # Metres on a fixed equirectangular grid, so that the lattice is axis-aligned.
    x = np.asarray(lon, dtype=np.float64) * 111_320.0 * math.cos(math.radians(45.0))
    y = np.asarray(lat, dtype=np.float64) * 110_574.0
    out = np.full((y.size, x.size), 300.0, dtype=np.float32)
    for octave, (wave, amp) in enumerate(_TERRAIN_OCTAVES):
        noise = _value_noise_2d(x / wave, y / wave, seed=seed, octave=octave)
        shape: NDArray[np.float32]
        if octave < 3:
            shape = np.float32(1.0) - np.abs(
                noise
            )  # ridges: sharp crests where the noise crosses zero
        else:
            shape = np.float32(0.5) * (noise + np.float32(1.0))
        out += np.float32(amp) * shape
    return out


def _value_noise_2d(x: FloatArray, y: FloatArray, *, seed: int, octave: int) -> NDArray[np.float32]:
    """Value noise in [-1, 1] on the grid y × x, hashed from integer lattice coordinates.

    The lattice is axis-aligned with the grid, so the bilinear (smoothstep)
    interpolation is done along x for the few lattice rows needed, then
    along y, with whole-array gathers instead of per-pixel corner lookups.
    """
    ix = np.floor(x).astype(np.int64)
    iy = np.floor(y).astype(np.int64)
    sx = _smooth(x - ix).astype(np.float32)
    sy = _smooth(y - iy).astype(np.float32)
    cols = np.arange(ix.min(), ix.max() + 2)
    rows = np.arange(iy.min(), iy.max() + 2)
    lattice = _hash_unit(rows[:, None], cols[None, :], seed=seed, octave=octave)
    cx = ix - cols[0]
    along_x = lattice[:, cx] * (1 - sx) + lattice[:, cx + 1] * sx
    cy = iy - rows[0]
    out = along_x[cy, :] * (1 - sy)[:, None] + along_x[cy + 1, :] * sy[:, None]
    return out.astype(np.float32, copy=False)


def _smooth(f: FloatArray) -> FloatArray:
    return f * f * (3.0 - 2.0 * f)


def _hash_unit(
    i: NDArray[np.int64], j: NDArray[np.int64], *, seed: int, octave: int
) -> NDArray[np.float32]:
    """Return a uniform number in [-1, 1) for each lattice point (splitmix64 finaliser)."""
    i, j = np.broadcast_arrays(i, j)
    key = np.asarray(
        i.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        ^ j.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
        ^ np.full(i.shape, (seed * 1_000_003 + octave * 7919) & 0xFFFFFFFFFFFFFFFF, np.uint64),
        dtype=np.uint64,
    )
    key ^= key >> np.uint64(30)
    key *= np.uint64(0xBF58476D1CE4E5B9)
    key ^= key >> np.uint64(27)
    key *= np.uint64(0x94D049BB133111EB)
    key ^= key >> np.uint64(31)
    return ((key >> np.uint64(40)).astype(np.float32) / np.float32(1 << 24)) * 2.0 - 1.0


# --------------------------------------------------------------------------- all at once


def write_synthetic(
    folder: str | os.PathLike[str],
    *,
    border_km: float,
    sensors: int,
    patrols: int,
    incidents: int,
    seed: int = 0,
    dem_m: float | None = None,
    overwrite: bool = False,
    **options: Any,
) -> Path:
    """Generate a synthetic scenario and write it to ``folder``; return its ``scenario.toml``.

    Parameters
    ----------
    folder
        Output folder.
    border_km, sensors, patrols, incidents, seed
        As for :func:`synthetic_scenario`.
    dem_m
        Also write a synthetic DEM of this pixel size (metres) to
        ``folder/dem/`` (see :func:`write_synthetic_dem`); None for none.
    overwrite
        Replace an existing folder, provided an earlier ``write_synthetic``
        wrote it (its ``run.json`` says so) and it holds nothing else.
    **options
        Further arguments of :func:`synthetic_scenario`.
    """
    from surveil._atomic import new_partial, publish
    from surveil._outdir import resolve_out

    folder = resolve_out(folder, overwrite=overwrite, names=SCENARIO_FOLDER_NAMES)
    scenario = synthetic_scenario(
        border_km=border_km,
        sensors=sensors,
        patrols=patrols,
        incidents=incidents,
        seed=seed,
        **options,
    )
    comment = (
        "SYNTHETIC scenario written by surveil.synthetic (surveil generate): the border,\n"
        "sensors, patrols, posts, settlements, roads and incidents are NOT real.\n"
        f"border_km={border_km:g} sensors={sensors} patrols={patrols} "
        f"incidents={incidents} seed={seed}"
    )
    if dem_m is not None:
        comment += (
            f"\ndem/*.tif: synthetic terrain, {dem_m:g} m pixels (1-degree GeoTIFF tiles,"
            " EPSG:4326);\nnot referenced here yet."
        )
    partial = new_partial(folder)
    try:
        write_scenario_files(scenario, partial, overwrite=True, comment=comment)
        if dem_m is not None:
            write_synthetic_dem(scenario.border, partial / "dem", dem_m=dem_m, seed=seed)
        _write_run_marker(partial, border_km=border_km, seed=seed)
        publish(partial, folder, replace=overwrite)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder / "scenario.toml"


#: Names a folder written by :func:`write_synthetic` holds.
SCENARIO_FOLDER_NAMES = ("scenario.toml", "*.csv", "*.geojson", "dem", "run.json")


def _write_run_marker(folder: Path, *, border_km: float, seed: int) -> None:
    """Write the ``run.json`` that marks ``folder`` as written by surveil."""
    from surveil._outdir import WRITTEN_BY
    from surveil._version import __version__

    record = {
        "written_by": WRITTEN_BY,
        "surveil_version": __version__,
        "command": "generate",
        "parameters": {"border_km": border_km, "seed": seed},
    }
    (folder / "run.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
