"""Shared fixtures: a straight 10 km border and helpers to place things near it."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
START = (70.0, 40.0)


def straight_line(length_m: float = 10_000.0, azimuth: float = 90.0) -> shapely.LineString:
    """A geodesic (straight on the ellipsoid) line from START."""
    lon, lat, _ = GEOD.fwd(*START, azimuth, length_m)
    return shapely.LineString([START, (lon, lat)])


def point_off_line(line: shapely.LineString, along_m: float, offset_m: float):
    """A point ``offset_m`` to the left of ``line`` at ``along_m``, and the bearing back to it."""
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    az, _, _ = GEOD.inv(x0, y0, x1, y1)
    lon, lat, back = GEOD.fwd(x0, y0, az, along_m)
    forward = (back + 180.0) % 360.0
    plon, plat, back2 = GEOD.fwd(lon, lat, forward - 90.0, offset_m)
    return shapely.Point(plon, plat), back2 % 360.0


def border_frame(line: shapely.LineString | None = None, section: str = "A") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"section": [section], "country_left": [""], "country_right": [""]},
        geometry=[line or straight_line()],
        crs="EPSG:4326",
    )


def sensor_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    defaults = {
        "id": "S",
        "type": "camera",
        "azimuth_deg": np.nan,
        "fov_deg": 360.0,
        "height_m": 10.0,
        "availability": 1.0,
        "status": "operational",
        "agency": "",
    }
    table = pd.DataFrame([{**defaults, **r} for r in rows])
    table["id"] = [f"S{i}" for i in range(len(table))]
    return gpd.GeoDataFrame(table, geometry="geometry", crs="EPSG:4326")


@pytest.fixture
def line() -> shapely.LineString:
    return straight_line()


@pytest.fixture
def border(line) -> gpd.GeoDataFrame:
    return border_frame(line)
