"""Synthetic scenarios: seeded, of the size asked, near the border, assessable."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely

from surveil import geodesy
from surveil.assessment import assess
from surveil.scenario import load_scenario
from surveil.synthetic import (
    skeleton,
    synthetic_layers,
    synthetic_scenario,
    terrain_height,
    write_synthetic,
    write_synthetic_dem,
)

SMALL = {"border_km": 40.0, "sensors": 25, "patrols": 4, "incidents": 300}


@pytest.fixture(scope="module")
def small():
    return synthetic_scenario(**SMALL, seed=7)


def _border_length_m(border) -> float:
    total = 0.0
    for geom in border.geometry:
        for part in shapely.get_parts(geom):
            xy = shapely.get_coordinates(part)
            total += geodesy.chainage(xy[:, 0], xy[:, 1])[-1]
    return total


def test_sizes_as_asked(small):
    assert len(small.sensors) == 25
    assert len(small.patrols) == 4
    assert len(small.incidents) == 300
    assert len(small.posts) == 1  # one per 40 km
    assert _border_length_m(small.border) == pytest.approx(40_000.0, abs=0.02)


def test_same_seed_same_scenario_other_seed_other(small):
    again = synthetic_scenario(**SMALL, seed=7)
    other = synthetic_scenario(**SMALL, seed=8)
    for kind in ("border", "sensors", "patrols", "incidents", "posts", "settlements", "roads"):
        assert getattr(small, kind).equals(getattr(again, kind)), kind
    assert not small.sensors.geometry.equals(other.sensors.geometry)


def test_features_lie_near_the_line(small):
    xy = shapely.get_coordinates(small.border.geometry.iloc[0])
    index = geodesy.LineIndex([(xy[:, 0], xy[:, 1])])

    def distance(frame):
        pts = shapely.get_coordinates(frame.geometry.to_numpy())
        return index.distance(pts[:, 0], pts[:, 1], max_distance_m=200_000)

    assert distance(small.sensors).max() <= 1_600  # standoff of the farthest class
    assert distance(small.incidents).max() <= 3_050  # within 3 km, either side
    assert distance(small.patrols).max() <= 450  # routes 20-400 m inside the line
    assert distance(small.posts).max() <= 10_050
    limit_m = small.parameters.max_distance_km * 1000
    assert distance(small.settlements).max() <= limit_m


def test_sensors_stand_on_the_own_side_facing_the_line(small):
    # Own side is the left of chainage; a short border runs east, so left is north.
    xy = shapely.get_coordinates(small.border.geometry.iloc[0])
    assert (np.diff(xy[:, 0]) > 0).all()
    s = small.sensors
    line_lat = np.interp(s.geometry.x, xy[:, 0], xy[:, 1])
    assert (s.geometry.y.to_numpy() >= line_lat - 1e-6).all()
    sectors = s["fov_deg"] < 360
    assert sectors.any()
    facing_south = np.abs(s.loc[sectors, "azimuth_deg"] - 180) < 60
    assert facing_south.all()


def test_values_are_valid(small):
    s = small.sensors
    assert s["range_m"].gt(0).all() and s["pd"].between(0, 1).all()
    assert set(s["status"]) <= {"operational", "faulty", "planned"}
    assert s.loc[s["fov_deg"] >= 360, "azimuth_deg"].isna().all()
    dates = small.incidents["date"]
    assert dates.min() >= np.datetime64("2023-01-01") and dates.max() <= np.datetime64("2025-12-31")


def test_small_scenario_assesses(small):
    result = assess(small)
    assert result.summary["km_assessed"] == pytest.approx(40.0, abs=1e-5)
    assert result.summary["incidents_snapped"] == 300
    assert 0 <= result.summary["covered_share"] <= 1


def test_long_border_crosses_utm_zones_and_stays_in_latitude():
    layers = synthetic_layers(border_km=2500, sensors=0, patrols=0, incidents=0, seed=3)
    border = layers["border"]
    assert len(border) == 1
    west, south, east, north = border.total_bounds
    assert west >= 48 and east - west > 12  # two UTM zones at least
    assert 40 <= south and north <= 50
    assert _border_length_m(border) == pytest.approx(2_500_000.0, abs=0.02)


def test_sections_are_consecutive():
    layers = synthetic_layers(border_km=60, sensors=0, patrols=0, incidents=0, sections=3)
    geoms = layers["border"].geometry.to_numpy()
    assert list(layers["border"]["section"]) == ["SYN-N1", "SYN-N2", "SYN-N3"]
    for a, b in itertools.pairwise(geoms):
        assert shapely.get_coordinates(a)[-1] == pytest.approx(shapely.get_coordinates(b)[0])


def test_skeleton_is_long_enough():
    lon, lat = skeleton(8_000_000.0)
    assert geodesy.chainage(lon, lat)[-1] >= 8_000_000.0


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="border_km"):
        synthetic_scenario(border_km=0, sensors=1, patrols=1, incidents=1)
    with pytest.raises(ValueError, match="sensors"):
        synthetic_scenario(border_km=5, sensors=-1, patrols=1, incidents=1)


def test_written_folder_loads_the_same(small, tmp_path):
    toml = write_synthetic(tmp_path / "syn", **SMALL, seed=7)
    loaded = load_scenario(toml)
    assert len(loaded.incidents) == 300 and len(loaded.sensors) == 25
    assert loaded.parameters == small.parameters
    a, b = assess(loaded).summary, assess(small).summary
    assert a["km_assessed"] == pytest.approx(b["km_assessed"], abs=1e-5)  # 1 cm
    assert a["mean_p_detect"] == pytest.approx(b["mean_p_detect"], abs=1e-6)


def test_terrain_is_seeded_and_seamless():
    lon = np.linspace(60.0, 60.05, 40)
    lat = np.linspace(45.0, 45.02, 10)
    whole = terrain_height(lon, lat, seed=2)
    assert np.array_equal(whole, terrain_height(lon, lat, seed=2))
    assert not np.array_equal(whole, terrain_height(lon, lat, seed=3))
    # Any window of the grid gives the same heights as the whole: tiles join.
    assert np.array_equal(whole[3:7, 10:30], terrain_height(lon[10:30], lat[3:7], seed=2))
    assert 0 < whole.min() and whole.max() < 5000


def test_dem_tiles_cover_the_border(small, tmp_path):
    rasterio = pytest.importorskip("rasterio")
    paths = write_synthetic_dem(small.border, tmp_path / "dem", dem_m=300.0, buffer_km=2.0)
    assert paths
    xy = shapely.get_coordinates(small.border.geometry.iloc[0])
    covered = np.zeros(len(xy), dtype=bool)
    for path in paths:
        with rasterio.open(path) as src:
            assert src.crs.to_epsg() == 4326
            assert src.res[0] == pytest.approx(10 / 3600)  # 300 m = 10 arc-seconds
            band = src.read(1)
            assert (band != src.nodata).all() and band.min() > 0
            w, s, e, n = src.bounds
            covered |= (xy[:, 0] >= w) & (xy[:, 0] <= e) & (xy[:, 1] >= s) & (xy[:, 1] <= n)
    assert covered.all()
