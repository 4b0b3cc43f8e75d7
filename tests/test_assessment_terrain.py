"""Assessments over a DEM: a wall hides a known stretch of a straight border."""

import dataclasses
import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from surveil.assessment import assess
from surveil.scenario import Scenario
from tests.test_terrain import TO_LL, X0, Y0, write_tif

CELL = 30.0
SENSOR_XY = (X0 + 12000.0, Y0 - 9000.0)  # 3 km north of the border
BORDER_Y = Y0 - 12000.0
WALL_Y = Y0 - 10500.0  # half-way between sensor and border, east of the sensor only


def plateau_with_wall():
    rows, cols = 640, 840  # 19.2 km × 25.2 km at 30 m: border and sensor with 6 km around
    z = np.full((rows, cols), 1000.0)
    y = Y0 - (np.arange(rows) + 0.5) * CELL
    x = X0 + (np.arange(cols) + 0.5) * CELL
    wall_rows = np.abs(y - WALL_Y) < CELL
    wall_cols = x >= SENSOR_XY[0]
    z[np.ix_(wall_rows, wall_cols)] = 1200.0
    # A 150 m hill 2 km inside the border, west of every ray the tests count on.
    xx, yy = np.meshgrid(x, y)
    z += 150.0 * np.exp(-((xx - X0 - 9000) ** 2 + (yy - Y0 + 10000) ** 2) / (2 * 300.0**2))
    return z


def lonlat(x, y):
    return TO_LL.transform(x, y)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    folder = tmp_path_factory.mktemp("terrain")
    dem = write_tif(folder / "dem.tif", plateau_with_wall())
    line = shapely.LineString([lonlat(X0 + 6600, BORDER_Y), lonlat(X0 + 17400, BORDER_Y)])
    border = gpd.GeoDataFrame({"section": ["A"]}, geometry=[line], crs=4326)
    sensors = gpd.GeoDataFrame(
        {"id": ["T1"], "range_m": [5000.0], "pd": [0.9], "height_m": [10.0]},
        geometry=[shapely.Point(lonlat(*SENSOR_XY))],
        crs=4326,
    )
    params = {"segment_m": 500.0, "sample_m": 20.0}
    flat = Scenario.from_layers(border, sensors=sensors, parameters=params)
    return flat, Scenario.from_layers(border, sensors=sensors, parameters=params, dem=dem)


def covered_m(result):
    seg = result.segments
    return float((seg["covered_frac"] * seg["length_m"]).sum())


def test_wall_hides_the_eastern_half_of_the_chord(scenario):
    flat, hilly = scenario
    # Flat: crossing paths reach 300 m (the default depth) towards the sensor 3 km
    # from the line, so they are in range over 2·√(5000² − 2700²) = 8416.6 m.
    assert covered_m(assess(flat)) == pytest.approx(8416.6, abs=60)
    # The wall, half-way and east of the sensor, hides every ray to x > x_sensor
    # (the paths' ends, 300 m in, are still behind it): 4208.3 m left.
    result = assess(hilly)
    assert covered_m(result) == pytest.approx(4208.3, abs=100)
    seg = result.segments
    assert np.allclose(seg["slope_deg"], 0.0, atol=0.5)
    assert np.allclose(seg["passability"], 1.0)


def with_tallest_mast(scenario, height_m):
    """The scenario with a catalogue whose tallest mast is ``height_m``."""
    catalogue = scenario.catalogue.copy()
    catalogue.loc[catalogue["height_m"] == catalogue["height_m"].max(), "height_m"] = height_m
    return dataclasses.replace(scenario, catalogue=catalogue)


def segments_by_x(seg):
    mid = shapely.get_coordinates(
        shapely.line_interpolate_point(seg.geometry.to_numpy(), 0.5, normalized=True)
    )
    east_x, _ = TO_LL.transform(mid[:, 0], mid[:, 1], direction="INVERSE")
    return (
        (east_x > SENSOR_XY[0] + 500) & (east_x < SENSOR_XY[0] + 3500),  # behind the wall
        (east_x < SENSOR_XY[0] - 500) & (east_x > SENSOR_XY[0] - 3500),  # seen
        east_x < X0 + 7500,  # out of range
    )


def test_mast_needed_to_see_over_the_wall(scenario):
    _, hilly = scenario
    # Masts up to 500 m: clearing a 200 m wall half-way to a 1.7 m target from a 10 m
    # mast needs (200 − 1.7 t) / (1 − t) − 10 with t ≈ 0.5 ± one cell: about 387–396 m.
    seg = assess(with_tallest_mast(hilly, 500.0)).segments
    hidden, seen, out_of_range = segments_by_x(seg)
    assert seg.loc[hidden, "mast_m_to_see"].between(370, 420).all()
    assert seg.loc[hidden, "mast_reachable"].all()
    assert (seg.loc[seen, "mast_m_to_see"] == 0).all() and seg.loc[seen, "mast_reachable"].all()
    assert seg.loc[out_of_range, "mast_m_to_see"].isna().all()
    assert not seg.loc[out_of_range, "mast_reachable"].any()


def test_mast_beyond_the_catalogues_tallest_is_not_reachable(scenario):
    # Issue 7 item 9: mast_m_to_see reported 2–4 km masts. The default catalogue's
    # tallest mast is 20 m (thermal tower): 10 m more than the sensor's, not ~390 m.
    _, hilly = scenario
    assert hilly.catalogue["height_m"].max() == 20.0
    seg = assess(hilly).segments
    hidden, seen, _ = segments_by_x(seg)
    assert seg.loc[hidden, "mast_m_to_see"].isna().all()
    assert not seg.loc[hidden, "mast_reachable"].any()
    assert (seg.loc[seen, "mast_m_to_see"] == 0).all() and seg.loc[seen, "mast_reachable"].all()
    assert (seg["mast_m_to_see"].dropna() <= 20.0 - 10.0).all()
    # Just below and just above the need: 10 m sensor + 395 m is reachable, + 360 m is not.
    seg_hi = assess(with_tallest_mast(hilly, 10.0 + 420.0)).segments
    seg_lo = assess(with_tallest_mast(hilly, 10.0 + 360.0)).segments
    assert seg_hi.loc[hidden, "mast_reachable"].all()
    assert not seg_lo.loc[hidden, "mast_reachable"].any()


def test_footprint_is_clipped_and_map_has_hillshade(scenario, tmp_path):
    _, hilly = scenario
    result = assess(hilly)
    share = result.footprints["visible_share"].iloc[0]
    assert 0.5 < share < 0.95  # the wall shades part of the circle
    sites = result.candidates
    assert sites is not None and len(sites) > 0
    # The best site is the hill top on the sensor's side, 2 km from the line.
    top_x, top_y = TO_LL.transform(
        sites.geometry.x.iloc[0], sites.geometry.y.iloc[0], direction="INVERSE"
    )
    assert top_x == pytest.approx(X0 + 9000, abs=100) and top_y == pytest.approx(
        Y0 - 10000, abs=100
    )
    result.save(tmp_path / "out")
    html = (tmp_path / "out" / "map.html").read_text()
    assert "L.imageOverlay(" in html.replace(" ", "")
    segments = pd.read_csv(tmp_path / "out" / "segments.csv")
    assert {"slope_deg", "passability", "mast_m_to_see", "mast_reachable"} <= set(segments.columns)


def test_sensor_off_the_dem_is_named_in_a_warning(scenario):
    from surveil.errors import InputWarning

    _, hilly = scenario
    far = hilly.sensors.copy()
    far["id"] = ["FAR"]
    # 2 km west of the raster, 8 km from the line's west end: its 10 km range reaches it.
    far["range_m"] = [10_000.0]
    far.geometry = [shapely.Point(lonlat(X0 - 2000, BORDER_Y + 1000))]
    moved = hilly.add_sensors(far)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assess(moved)
    texts = [str(w.message) for w in caught if issubclass(w.category, InputWarning)]
    assert any("FAR" in t and "outside the DEM" in t for t in texts)


def test_given_ground_elevation_wins_over_the_dem(scenario):
    _, hilly = scenario
    # Said to stand on 1500 m ground (DEM: 1000 m), the mast top is at 1510 m:
    # the ray to a 1001.7 m target passes the wall (t ≤ 0.51) above 1250 m > 1200 m.
    # The slant range of 5 km leaves √(5000² − 508.3²) = 4974.1 m horizontally; the
    # paths reach 300 m towards the sensor, 2700 m from it, so they are in range over
    # 2·√(4974.1² − 2700²) = 8355.2 m of line.
    raised = hilly.sensors.assign(ground_m=1500.0)
    result = assess(hilly.with_sensors(raised))
    assert covered_m(result) == pytest.approx(2 * math.sqrt(4974.1**2 - 2700**2), abs=45)


def test_an_unreachable_sensor_is_not_named_off_the_dem(scenario):
    _, hilly = scenario
    far = hilly.sensors.assign(id=["FAR"])
    far.geometry = [shapely.Point(lonlat(X0 + 40_000, Y0 - 9000))]  # 22.6 km from the line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        moved = assess(hilly.add_sensors(far))
    pd.testing.assert_frame_equal(
        moved.segments.drop(columns="geometry"), assess(hilly).segments.drop(columns="geometry")
    )
