"""The compiled (numba) detection kernels give the numbers of the numpy path."""

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from surveil import _kernels, coverage
from surveil.segments import sample_targets, segment_border
from tests.conftest import border_frame, point_off_line, sensor_frame, straight_line
from tests.test_coverage import NO_SENSORS, empty_patrols, patrol_frame


@pytest.mark.skipif(not _kernels.available(), reason="numba not installed")
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_sensors=st.integers(0, 12),
    n_routes=st.integers(0, 4),
    depth=st.sampled_from([1.0, 150.0, 300.0, 1000.0]),
)
def test_compiled_and_numpy_engines_agree(seed, n_sensors, n_routes, depth):
    rng = np.random.default_rng(seed)
    line = straight_line(20_000, azimuth=float(rng.uniform(0, 360)))
    border = border_frame(line)
    rows = [
        {
            "geometry": point_off_line(line, rng.uniform(0, 20_000), rng.uniform(-4000, 4000))[0],
            "range_m": rng.uniform(20, 6000),
            "pd": rng.uniform(0, 1),
            "availability": rng.uniform(0.5, 1),
            "azimuth_deg": rng.choice([np.nan, rng.uniform(0, 360)]),
            "fov_deg": rng.choice([rng.uniform(0.5, 5), rng.uniform(5, 360)]),
        }
        for _ in range(n_sensors)
    ]
    sensors = sensor_frame(rows) if rows else NO_SENSORS
    routes = []
    for _ in range(n_routes):
        a = point_off_line(line, rng.uniform(0, 20_000), rng.uniform(-1000, 1000))[0]
        b = point_off_line(line, rng.uniform(0, 20_000), rng.uniform(-1000, 1000))[0]
        routes.append(
            patrol_frame(
                shapely.LineString([a, b]),
                rng.uniform(0, 4),
                sweep=rng.uniform(20, 500),
                pd_read=rng.uniform(0.2, 1),
            )
        )
    patrols = pd.concat(routes, ignore_index=True) if routes else empty_patrols()
    segments = segment_border(border, segment_m=1000)
    targets = sample_targets(segments, sample_m=25)
    run = coverage.detect_points
    a = run(targets, sensors, patrols, path_depth_m=depth, engine="numpy")
    b = run(targets, sensors, patrols, path_depth_m=depth, engine="numba")
    np.testing.assert_allclose(a.p_sensor, b.p_sensor, atol=1e-12)
    np.testing.assert_allclose(a.visits_per_day, b.visits_per_day, atol=1e-12)
    np.testing.assert_allclose(a.p_patrol, b.p_patrol, atol=1e-12)
    np.testing.assert_array_equal(a.sensors_seeing, b.sensors_seeing)


def test_surveil_engine_numpy_makes_auto_run_the_numpy_path(monkeypatch):
    from surveil.terrain import flat_dem
    from surveil.visibility import line_of_sight

    def compiled(*args, **kwargs):
        raise AssertionError("the compiled kernel ran")

    monkeypatch.setattr(_kernels, "line_of_sight", compiled)
    monkeypatch.setattr(_kernels, "sensor_detection", compiled)
    monkeypatch.setenv("SURVEIL_ENGINE", "numpy")
    # flat ground: a 10 m mast sees a person at 15 km, not at 18 km (horizons 12.1 + 5.0 km)
    dem = flat_dem(500.0, center_lonlat=(70.0, 40.0), size_m=40_000, cell_m=200)
    los = line_of_sight(dem, [70.0, 70.0], [40.0, 40.0], 10.0, [70.1756, 70.2108], [40.0, 40.0])
    assert los.visible.tolist() == [True, False]
    line = straight_line(5_000, azimuth=90.0)
    targets = sample_targets(segment_border(border_frame(line), segment_m=1000), sample_m=100)
    sensors = sensor_frame(
        [{"geometry": point_off_line(line, 2500, 500)[0], "range_m": 1000.0, "pd": 0.8}]
    )
    got = coverage.detect_points(targets, sensors, empty_patrols())
    # 500 m off the line with 1 km range; the crossing paths (300 m deep) come within
    # 200 m of it: 2·√(1000² − 200²) = 1960 m of line seen, at pd 0.8
    seen = np.asarray(got.p_sensor) > 0
    assert np.asarray(got.p_sensor)[seen] == pytest.approx(0.8)
    assert seen.sum() * 100 == pytest.approx(2 * math.sqrt(1000**2 - 200**2), abs=100)


def test_an_unknown_surveil_engine_is_refused_by_name(monkeypatch):
    from surveil.errors import SurveilError

    monkeypatch.setenv("SURVEIL_ENGINE", "gpu")
    with pytest.raises(SurveilError, match="SURVEIL_ENGINE is 'gpu'"):
        _kernels.resolve("auto")


@pytest.mark.skipif(not _kernels.available(), reason="numba not installed")
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_sensors=st.integers(1, 10))
def test_engines_agree_on_pd_by_range_and_night(seed, n_sensors):
    """DRI curves, pd tables and night pd: the compiled kernel gives the numpy numbers."""
    rng = np.random.default_rng(seed)
    line = straight_line(20_000, azimuth=float(rng.uniform(0, 360)))
    rows = [
        {
            "geometry": point_off_line(line, rng.uniform(0, 20_000), rng.uniform(-4000, 4000))[0],
            "range_m": rng.uniform(20, 6000),
            "pd": rng.uniform(0, 1),
            "pd_night": rng.choice([np.nan, rng.uniform(0, 1)]),
            "detect_m": rng.choice([np.nan, rng.uniform(50, 8000)]),
            "pd_by_range": rng.choice(["", "0:0.9;1500:0.7;4000:0.2"]),
            "availability": rng.uniform(0.5, 1),
            "azimuth_deg": rng.choice([np.nan, rng.uniform(0, 360)]),
            "fov_deg": rng.choice([rng.uniform(0.5, 5), rng.uniform(5, 360)]),
        }
        for _ in range(n_sensors)
    ]
    sensors = sensor_frame(rows)
    targets = sample_targets(segment_border(border_frame(line), segment_m=1000), sample_m=25)
    a, seen_a = coverage.sensor_detection(targets, sensors, engine="numpy")
    b, seen_b = coverage.sensor_detection(targets, sensors, engine="numba")
    np.testing.assert_allclose(a, b, atol=1e-12)
    np.testing.assert_array_equal(seen_a, seen_b)
