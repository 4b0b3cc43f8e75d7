import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from surveil import _kernels, coverage
from surveil.segments import sample_targets, segment_border
from tests.conftest import border_frame, point_off_line, sensor_frame, straight_line

SAMPLE_M = 5.0


ENGINES = ["numpy"] + (["numba"] if _kernels.available() else [])


ENGINE = {"name": "numpy"}


@pytest.fixture(params=ENGINES, autouse=True)
def engine(request):
    """Run every test with each detection engine."""
    ENGINE["name"] = request.param
    return request.param


def detect(border, sensors, patrols=None, *, offsets=(0.0,), sample_m=SAMPLE_M):
    segments = segment_border(border, segment_m=1000)
    targets = sample_targets(segments, sample_m=sample_m)
    patrols = patrols if patrols is not None else empty_patrols()
    result = coverage.detect_points(
        targets, sensors, patrols, path_offsets_m=offsets, engine=ENGINE["name"]
    )
    return segments, targets, result


NO_SENSORS = sensor_frame([{"geometry": shapely.Point(0, 0), "range_m": 1.0, "pd": 0.0}]).iloc[:0]


def empty_patrols():
    return gpd.GeoDataFrame(
        {"id": [], "visits_per_day": [], "sweep_m": [], "mode": [], "window": [], "agency": []},
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
    )


def covered_m(targets, p, threshold=1e-9):
    return float(targets.weight_m[p > threshold].sum())


def test_circle_sensor_500m_off_covers_chord(line, border):
    where, _ = point_off_line(line, 5000, 500)
    sensors = sensor_frame([{"geometry": where, "range_m": 2000.0, "pd": 0.9}])
    _, targets, result = detect(border, sensors)
    expected = 2 * math.sqrt(2000**2 - 500**2)  # 3872.98 m
    assert covered_m(targets, result.p_sensor) == pytest.approx(expected, abs=SAMPLE_M)
    seen = result.p_sensor > 0
    assert np.allclose(result.p_sensor[seen], 0.9)


def test_90_degree_sector_facing_the_line(line, border):
    where, facing = point_off_line(line, 5000, 500)  # bearing from the sensor to the line
    sensors = sensor_frame(
        [{"geometry": where, "range_m": 2000.0, "pd": 0.9, "azimuth_deg": facing, "fov_deg": 90.0}]
    )
    _, targets, result = detect(border, sensors)
    # ±45° from the perpendicular at 500 m: 2 · 500 · tan 45° = 1000 m.
    assert covered_m(targets, result.p_sensor) == pytest.approx(1000.0, abs=SAMPLE_M)


def test_sector_facing_away_sees_nothing(line, border):
    where, facing = point_off_line(line, 5000, 500)
    away = (facing + 180.0) % 360.0
    sensors = sensor_frame(
        [{"geometry": where, "range_m": 2000.0, "pd": 0.9, "azimuth_deg": away, "fov_deg": 90.0}]
    )
    _, targets, result = detect(border, sensors)
    assert covered_m(targets, result.p_sensor) == 0


def test_two_overlapping_sensors_combine_as_independent(line, border):
    where, _ = point_off_line(line, 5000, 500)
    sensors = sensor_frame(
        [
            {"geometry": where, "range_m": 2000.0, "pd": 0.9},
            {"geometry": where, "range_m": 1000.0, "pd": 0.5},
        ]
    )
    _, targets, result = detect(border, sensors)
    both = 1 - (1 - 0.9) * (1 - 0.5)
    assert result.p_sensor.max() == pytest.approx(both)
    assert covered_m(targets, result.p_sensor > 0.9) == pytest.approx(
        2 * math.sqrt(1000**2 - 500**2), abs=SAMPLE_M
    )


def test_availability_scales_and_faulty_or_planned_count_as_absent(line, border):
    where, _ = point_off_line(line, 5000, 500)
    rows = [{"geometry": where, "range_m": 2000.0, "pd": 0.9, "availability": 0.5}]
    _, _, result = detect(border, sensor_frame(rows))
    assert result.p_sensor.max() == pytest.approx(0.45)
    for status in ("faulty", "planned"):
        sensors = coverage.active_sensors(sensor_frame([{**rows[0], "status": status}]))
        _, _, result = detect(border, sensors)
        assert result.p_sensor.max() == 0
    planned = sensor_frame([{**rows[0], "status": "planned"}])
    counted = coverage.active_sensors(planned, include_planned=True)
    assert len(counted) == 1


def test_crossing_path_offsets_extend_detection(line, border):
    # A 300 m range sensor 500 m off the line never sees the line itself,
    # but sees crossing paths that run 500 m into its side.
    where, _ = point_off_line(line, 5000, 500)
    sensors = sensor_frame([{"geometry": where, "range_m": 300.0, "pd": 0.9}])
    _, targets, result = detect(border, sensors)
    assert result.p_sensor.max() == 0
    _, targets, result = detect(border, sensors, offsets=(-500.0, 0.0, 500.0))
    # Left of chainage is negative: the path point at −500 m is the sensor's side.
    assert covered_m(targets, result.p_sensor) == pytest.approx(600.0, abs=SAMPLE_M)


def patrol_frame(geom, visits, sweep=100.0, pd_read=1.0):
    return gpd.GeoDataFrame(
        {
            "id": ["P1"],
            "pd": [pd_read],
            "visits_per_day": [visits],
            "sweep_m": [sweep],
            "mode": ["foot"],
            "window": ["all"],
            "agency": [""],
        },
        geometry=[geom],
        crs="EPSG:4326",
    )


def test_patrol_on_the_line_two_visits_gives_one_minus_e_minus_one(line, border):
    _, _, result = detect(border, NO_SENSORS, patrol_frame(line, 2.0))
    # Traces: 2 reading passes a day, readable 12 h: 1 − e^(−2·12/24).
    assert np.allclose(result.p_trace, 1 - math.exp(-1))
    # In sight: a crosser at 3 km/h is 2 · 100 m / 3000 m/h = 1/15 h in the band.
    sight = 1 - math.exp(-2 * (200 / 3000) / 24)
    assert np.allclose(result.p_sight, sight)
    assert np.allclose(result.p_patrol, 1 - math.exp(-1) * (1 - sight))
    assert np.allclose(result.visits_per_day, 2.0)


def test_patrol_reading_probability_thins_the_passes(line, border):
    _, _, result = detect(border, NO_SENSORS, patrol_frame(line, 2.0, pd_read=0.5))
    assert np.allclose(result.p_trace, 1 - math.exp(-0.5))
    assert np.allclose(result.p_sight, 1 - math.exp(-0.5 * 2 * (200 / 3000) / 24))
    assert np.allclose(result.visits_per_day, 2.0)  # revisit counts every pass


def test_patrol_without_pd_takes_the_patrol_pd_parameter(line, border):
    segments = segment_border(border, segment_m=1000)
    targets = sample_targets(segments, sample_m=SAMPLE_M)
    routes = patrol_frame(line, 2.0, pd_read=float("nan"))
    result = coverage.detect_points(
        targets, NO_SENSORS, routes, patrol_pd=0.25, engine=ENGINE["name"]
    )
    assert np.allclose(result.p_trace, 1 - math.exp(-0.25 * 2 * 12 / 24))


def test_real_time_and_delayed_detection_split_the_total(line, border):
    where, _ = point_off_line(line, 500, 0)
    sensors = sensor_frame([{"geometry": where, "range_m": 1000.0, "pd": 0.6}])
    _, _, result = detect(border, sensors, patrol_frame(line, 2.0))
    # Realtime or delayed, never both: they add up to P_detect.
    np.testing.assert_allclose(result.p_realtime + result.p_delayed, result.p_detect)
    seen = result.p_sensor > 0
    sight = 1 - math.exp(-2 * (200 / 3000) / 24)
    np.testing.assert_allclose(result.p_realtime[seen], 1 - 0.4 * (1 - sight))
    np.testing.assert_allclose(result.p_delayed[~seen], (1 - sight) * (1 - math.exp(-1)))


def test_trace_detection_is_interdicted_only_by_pursuit():
    from scipy.integrate import quad

    # One point: no sensor, traces read at λ = 1 pass an hour, escape 1 h,
    # traces readable 12 h, team 0.5 h away.
    point = coverage.PointDetection(
        p_sensor=np.array([0.0]),
        p_patrol=np.array([0.0]),
        p_detect=np.array([0.0]),
        visits_per_day=np.array([24.0]),
        sensors_seeing=np.array([0]),
        p_sight=np.array([0.0]),
        p_trace=np.array([1 - math.exp(-12.0)]),
        reading_per_day=np.array([24.0]),
    )
    got = coverage.interdict_probability(
        point, np.array([0.5]), escape_h=1.0, trace_persistence_h=12.0
    )
    # Independent: integrate the delay density λe^(−λD) times e^(−(D + t)/e) over [0, T].
    expected, _ = quad(lambda d: math.exp(-d) * math.exp(-(d + 0.5)), 0.0, 12.0)
    assert float(got[0]) == pytest.approx(expected, rel=1e-9)
    # A real-time detection is answered with e^(−t/e) instead.
    sensed = coverage.PointDetection(**{**point.__dict__, "p_sensor": np.array([1.0])})
    got = coverage.interdict_probability(sensed, np.array([0.5]), escape_h=1.0)
    assert float(got[0]) == pytest.approx(math.exp(-0.5))


def test_patrol_sweep_limits_the_covered_stretch(line, border):
    # A route square to the border, crossing it at 5 km: only points within
    # sweep_m of the route are passed.
    a, _ = point_off_line(line, 5000, 2000)
    b, _ = point_off_line(line, 5000, -2000)
    _, targets, result = detect(
        border, NO_SENSORS, patrol_frame(shapely.LineString([a, b]), 1.0, sweep=250)
    )
    assert covered_m(targets, result.p_patrol) == pytest.approx(500.0, abs=SAMPLE_M)


def test_segment_table_and_revisit(line, border):
    where, _ = point_off_line(line, 500, 0)
    sensors = sensor_frame([{"geometry": where, "range_m": 1000.0, "pd": 0.8}])
    half = shapely.LineString([line.coords[0], line.interpolate(0.5, normalized=True)])
    segments, targets, result = detect(border, sensors, patrol_frame(half, 2.0))
    table = coverage.segment_detection(targets, result, len(segments), target_pd=0.5)
    assert table["sensors_seeing"].tolist() == [1, 1] + [0] * 8
    assert table["revisit_h"].iloc[0] == pytest.approx(12.0)
    assert np.isinf(table["revisit_h"].iloc[9])
    # Segment 1 wholly seen by the sensor and patrolled: 1 − 0.2 · e⁻¹ · (1 − sight).
    sight = 1 - math.exp(-2 * (200 / 3000) / 24)
    expected = 1 - 0.2 * math.exp(-1) * (1 - sight)
    assert table["p_detect"].iloc[0] == pytest.approx(expected, rel=1e-6)
    assert table["covered_frac"].iloc[9] == 0


def test_response_probability_from_nearest_post(line):
    segments = segment_border(border_frame(line), segment_m=1000)
    targets = sample_targets(segments, sample_m=1000)
    post, _ = point_off_line(line, 500, 0)
    posts = gpd.GeoDataFrame(
        {"id": ["B1"], "type": ["outpost"], "reaction_speed_kmh": [28.0]},
        geometry=[post],
        crs="EPSG:4326",
    )
    hours = coverage.response_hours(targets, posts, detour_factor=1.4)
    # 1.4 · 1 km / 28 km/h = 0.05 h to the second target point, 1.5 km from the first vertex.
    assert hours[1] == pytest.approx(1.4 * 1.0 / 28.0, rel=1e-3)


def test_footprint_area_is_a_circle_or_sector(line):
    where, _ = point_off_line(line, 5000, 500)
    sensors = sensor_frame(
        [
            {"geometry": where, "range_m": 2000.0, "pd": 0.9},
            {"geometry": where, "range_m": 2000.0, "pd": 0.9, "azimuth_deg": 0.0, "fov_deg": 90.0},
        ]
    )
    fp = coverage.sensor_footprints(sensors, step_deg=0.5)
    area = fp.to_crs(fp.estimate_utm_crs()).area.to_numpy()
    assert area[0] == pytest.approx(math.pi * 2000**2, rel=2e-3)
    assert area[1] == pytest.approx(math.pi * 2000**2 / 4, rel=2e-3)


@settings(max_examples=30, deadline=None)
@given(
    along=st.lists(st.floats(0, 10_000), min_size=1, max_size=4),
    off=st.floats(-3000, 3000),
    rng=st.floats(100, 4000),
    pd_=st.floats(0, 1),
    fov=st.floats(1, 360),
)
def test_adding_a_sensor_never_lowers_detection(along, off, rng, pd_, fov):
    line = straight_line()
    border = border_frame(line)
    rows = [
        {
            "geometry": point_off_line(line, a, off)[0],
            "range_m": rng,
            "pd": pd_,
            "azimuth_deg": 0.0,
            "fov_deg": fov,
        }
        for a in along
    ]
    _, _, fewer = detect(
        border,
        sensor_frame(rows[:-1]) if len(rows) > 1 else sensor_frame(rows).iloc[:0],
        sample_m=200,
    )
    _, _, more = detect(border, sensor_frame(rows), sample_m=200)
    assert np.all(more.p_sensor >= fewer.p_sensor - 1e-12)
    assert np.all((more.p_detect >= 0) & (more.p_detect <= 1))


def test_response_from_the_fastest_post_not_the_nearest(line):
    segments = segment_border(border_frame(line), segment_m=1000)
    targets = sample_targets(segments, sample_m=1000)
    near, _ = point_off_line(line, 500, 1000)  # 1 km from the first point, on foot
    far, _ = point_off_line(line, 500, 4000)  # 4 km away, by vehicle
    posts = gpd.GeoDataFrame(
        {"id": ["A", "B"], "type": ["outpost"] * 2, "reaction_speed_kmh": [5.0, 60.0]},
        geometry=[near, far],
        crs="EPSG:4326",
    )
    hours = coverage.response_hours(targets, posts, detour_factor=1.0)
    assert hours[0] == pytest.approx(min(1.0 / 5.0, 4.0 / 60.0), rel=1e-3)
