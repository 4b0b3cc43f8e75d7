"""Issue 7 item 1: a sensor changes nothing it cannot reach, over a DEM (grid, ground, window)."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import CRS, Geod

from surveil.assessment import assess
from surveil.scenario import Scenario, load_scenario
from tests.test_terrain import hills, write_tif

DEMO = Path(__file__).parents[1] / "data" / "kgz-tjk"
DETECTION = [
    "p_sensor",
    "p_patrol",
    "p_detect",
    "covered_frac",
    "sensors_seeing",
    "slope_deg",
    "passability",
    "mast_m_to_see",
    "mast_reachable",
]
STEP = 15 / 3600  # GEBCO's 15" cells
GEOD = Geod(ellps="WGS84")


def quiet_assess(scenario):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return assess(scenario)


@pytest.fixture(scope="module")
def hilly(tmp_path_factory):
    """A geographic DEM of hills (lon 69.9–70.4, lat 40.0–40.5), a 25 km border, two towers."""
    folder = tmp_path_factory.mktemp("invariance")
    dem = write_tif(
        folder / "dem.tif",
        hills(n=120, cell=400.0, seed=5),
        crs=4326,
        origin=(69.9, 40.5),
        cell=STEP,
    )
    line = shapely.LineString([(70.0, 40.25), (70.15, 40.27), (70.3, 40.24)])
    # One tower each side: the own side is declared, so no added sensor can tip it.
    border = gpd.GeoDataFrame(
        {"section": ["A"], "country_left": ["North"], "country_right": ["South"]},
        geometry=[line],
        crs=4326,
    )
    sensors = gpd.GeoDataFrame(
        {
            "id": ["T1", "T2"],
            "range_m": [4000.0, 3000.0],
            "pd": [0.8, 0.7],
            "height_m": [20.0, 12.0],
        },
        geometry=[shapely.Point(70.08, 40.28), shapely.Point(70.22, 40.235)],
        crs=4326,
    )
    params = {
        "segment_m": 1000.0,
        "sample_m": 200.0,
        "path_depth_m": 300.0,
        "own_country": "South",
    }
    scenario = Scenario.from_layers(border, sensors=sensors, parameters=params, dem=dem)
    return scenario, quiet_assess(scenario)


def distance_m(lon, lat, geometry):
    """Geodesic distance from a point to the nearest vertex-densified point of a line."""
    line = shapely.segmentize(geometry, 0.0005)  # ~50 m
    coords = shapely.get_coordinates(line)
    _, _, d = GEOD.inv(
        np.full(len(coords), lon), np.full(len(coords), lat), coords[:, 0], coords[:, 1]
    )
    return float(np.min(d))


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lon=st.floats(69.95, 70.35),
    lat=st.floats(40.05, 40.45),
    range_m=st.sampled_from([50.0, 2000.0, 6000.0, 9000.0]),
    height_m=st.floats(0.0, 30.0),
)
def test_a_sensor_never_changes_a_segment_it_cannot_reach(hilly, lon, lat, range_m, height_m):
    scenario, base = hilly
    new = gpd.GeoDataFrame(
        {"id": ["NEW"], "range_m": [range_m], "pd": [0.9], "height_m": [height_m]},
        geometry=[shapely.Point(lon, lat)],
        crs=4326,
    )
    after = quiet_assess(scenario.add_sensors(new)).segments
    depth = 300.0
    far = np.array(
        [distance_m(lon, lat, g) > range_m + depth + 50.0 for g in base.segments.geometry]
    )
    pd.testing.assert_frame_equal(
        after.loc[far, DETECTION].reset_index(drop=True),
        base.segments.loc[far, DETECTION].reset_index(drop=True),
        check_exact=True,
    )


def demo_with(tmp_path, extra_rows=()):
    folder = tmp_path / "kgz-tjk"
    shutil.copytree(DEMO, folder)
    if extra_rows:
        with open(folder / "sensors.csv", "a", encoding="utf-8") as fh:
            fh.writelines(row + "\n" for row in extra_rows)
    return folder / "scenario.toml"


@pytest.fixture(scope="module")
def demo_base(tmp_path_factory):
    return quiet_assess(load_scenario(demo_with(tmp_path_factory.mktemp("base"))))


@pytest.mark.parametrize(
    ("lon", "lat", "km_from_line"),
    [
        (70.93810, 39.71304, 23.4),  # moved gap Vorukh km 24–30 to 28–30, covered 80.72 → 84.22
        (70.30952, 39.66890, 24.9),  # p_sensor of a segment by 0.58, covered 80.72 → 81.32
    ],
)
def test_the_demo_ground_sensor_far_from_the_line_changes_nothing(
    demo_base, tmp_path, lon, lat, km_from_line
):
    border = gpd.read_file(DEMO / "border.geojson")
    nearest = min(distance_m(lon, lat, g) for g in border.geometry)
    assert nearest / 1000 == pytest.approx(km_from_line, abs=0.1)
    row = f"G99,ground_sensor,{lon},{lat},50,,360,0,0.7,0.85,operational,test"
    after = quiet_assess(load_scenario(demo_with(tmp_path, [row])))
    pd.testing.assert_frame_equal(
        after.segments[DETECTION], demo_base.segments[DETECTION], check_exact=True
    )
    pd.testing.assert_frame_equal(
        after.gaps.drop(columns="geometry"), demo_base.gaps.drop(columns="geometry")
    )
    assert after.summary["km_covered"] == demo_base.summary["km_covered"]
    assert after.summary["gap_km"] == demo_base.summary["gap_km"]


def test_demo_towers_stand_on_their_gebco_cells(demo_base):
    from surveil.assessment import load_terrain
    from surveil.segments import sample_targets, segment_border
    from surveil.visibility import sensor_sight

    scenario = demo_base.scenario
    p = scenario.parameters
    targets = sample_targets(
        segment_border(scenario.border, segment_m=p.segment_m), sample_m=p.sample_m
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tiles = load_terrain(scenario.dem, scenario, targets)
    sight = sensor_sight(tiles, scenario.sensors)
    xy = list(zip(scenario.sensors.geometry.x, scenario.sensors.geometry.y, strict=True))
    with rasterio.open(scenario.dem) as src:
        assert CRS.from_user_input(src.crs.to_wkt()).to_epsg() == 4326
        cells = np.array([v[0] for v in src.sample(xy)], dtype=float)  # the cell each stands in
    np.testing.assert_allclose(sight.ground_m, cells, atol=1e-3)


def test_a_range_too_long_for_memory_is_refused_naming_the_row(tmp_path, monkeypatch):
    # Issue 8 §2: with the demo DEM, range_m 1e9 tried to allocate 116 TiB. Such a
    # range is now refused when the layer is read (a plausibility limit, tested in
    # tests/test_layers_hardening.py); the window is still sized before it is
    # allocated, shown here with a plausible range (90 km) against a lowered limit.
    from click.testing import CliRunner

    from surveil import terrain
    from surveil.cli.main import cli

    row = "HUGE,ground_radar,70.5,40.0,{},,360,15,0.85,0.85,operational,test"
    from surveil.datasets import get_path

    demo_rows = (get_path("demo").parent / "sensors.csv").read_text().strip().count("\n")
    huge = demo_rows + 1  # the row added after the demo's own sensors
    scenario = demo_with(tmp_path, [row.format("1e9")])
    result = CliRunner().invoke(cli, ["assess", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert f"sensors.csv, layer sensors, row {huge}: range_m is 1000000000" in result.output
    assert not (tmp_path / "out").exists()

    monkeypatch.setattr(terrain, "MAX_DEM_CELLS", 200_000)  # the demo needs 40,000
    scenario = demo_with(tmp_path / "plausible", [row.format("90000")])
    result = CliRunner().invoke(cli, ["assess", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "sensors.csv" in result.output and f"row {huge} (id HUGE)" in result.output
    assert "range_m is 90000" in result.output and "limit" in result.output
    assert not (tmp_path / "out").exists()
