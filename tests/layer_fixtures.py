"""Tiny input layers built in code, shared by the layer tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
from shapely import LineString, Point, Polygon

BORDER_LAT = 40.0
"""The test border runs east along this latitude, from lon 70.0 to 70.12 (about 10 km)."""


def border_frame(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """Return a 10 km straight border along latitude 40 in Central Asia."""
    frame = gpd.GeoDataFrame(
        {"section": ["north"], "country_left": ["KG"], "country_right": ["TJ"]},
        geometry=[LineString([(70.0, BORDER_LAT), (70.06, BORDER_LAT), (70.12, BORDER_LAT)])],
        crs="EPSG:4326",
    )
    return frame.to_crs(crs)


def sensors_frame(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """Return three sensors near the test border."""
    frame = gpd.GeoDataFrame(
        {
            "id": ["T1", "T2", "T3"],
            "type": ["thermal", "radar", "camera"],
            "range_m": [2000.0, 5000.0, 1500.0],
            "azimuth_deg": [180.0, None, 90.0],
            "fov_deg": [90.0, 360.0, 60.0],
            "height_m": [12.0, 20.0, 6.0],
            "pd": [0.8, 0.7, 0.6],
            "availability": [0.95, 1.0, 0.9],
            "status": ["operational", "Faulty", "planned"],
            "agency": ["BS", "BS", "BS"],
        },
        geometry=[Point(70.02, 40.005), Point(70.06, 40.01), Point(70.10, 40.004)],
        crs="EPSG:4326",
    )
    return frame.to_crs(crs)


def country_polygons() -> gpd.GeoDataFrame:
    """Return two country polygons sharing the test border (A north, B south)."""
    north = Polygon([(70.0, 40.0), (70.12, 40.0), (70.12, 40.1), (70.0, 40.1)])
    south = Polygon([(70.0, 39.9), (70.12, 39.9), (70.12, 40.0), (70.06, 40.0), (70.0, 40.0)])
    return gpd.GeoDataFrame({"name": ["Alpha", "Beta"]}, geometry=[north, south], crs="EPSG:4326")


def write(frame: gpd.GeoDataFrame, path: Path, **kwargs: object) -> Path:
    """Write a frame with pyogrio and return the path."""
    frame.to_file(path, engine="pyogrio", **kwargs)
    return path


def write_text(path: Path, text: str) -> Path:
    """Write text (UTF-8) and return the path."""
    path.write_text(text, encoding="utf-8")
    return path


def digest(path: Path) -> str:
    """Return the SHA-256 of a file, or of every file of a shapefile's set."""
    files = sorted(path.parent.glob(path.stem + ".*")) if path.suffix == ".shp" else [path]
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()


GPX_TRACK = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>P7</name><trkseg>
    <trkpt lat="40.001" lon="70.00"><time>2024-05-01T06:00:00Z</time></trkpt>
    <trkpt lat="40.001" lon="70.03"><time>2024-05-01T06:30:00Z</time></trkpt>
    <trkpt lat="40.001" lon="70.06"><time>2024-05-01T07:00:00Z</time></trkpt>
  </trkseg></trk>
</gpx>
"""

KML_SENSORS = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>sensors</name>
  <Placemark><name>K1</name>
    <ExtendedData><Data name="range_m"><value>2500</value></Data>
      <Data name="pd"><value>0.75</value></Data></ExtendedData>
    <Point><coordinates>70.03,40.002,0</coordinates></Point></Placemark>
  <Placemark><name>K2</name>
    <ExtendedData><Data name="range_m"><value>3000</value></Data>
      <Data name="pd"><value>0.5</value></Data></ExtendedData>
    <Point><coordinates>70.09,40.003,0</coordinates></Point></Placemark>
</Folder></Document></kml>
"""
