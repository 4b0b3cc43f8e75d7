import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from surveil import _kernels, coverage
from surveil.segments import sample_targets, segment_border
from tests.conftest import GEOD, border_frame, point_off_line, sensor_frame, straight_line

SAMPLE_M = 5.0


ENGINES = ["numpy"] + (["numba"] if _kernels.available() else [])


ENGINE = {"name": "numpy"}


@pytest.fixture(params=ENGINES, autouse=True)
def engine(request):
    """Run every test with each detection engine."""
    ENGINE["name"] = request.param
    return request.param


def detect(border, sensors, patrols=None, *, depth=300.0, sample_m=SAMPLE_M, segment_m=1000):
    segments = segment_border(border, segment_m=segment_m)
    targets = sample_targets(segments, sample_m=sample_m)
    patrols = patrols if patrols is not None else empty_patrols()
    result = coverage.detect_points(
        targets, sensors, patrols, path_depth_m=depth, engine=ENGINE["name"]
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
    # The paths reach 300 m towards the sensor: they come within 200 m of it
    # and are in range along a chord of half-width sqrt(2000² − 200²).
    expected = 2 * math.sqrt(2000**2 - 200**2)  # 3979.95 m
    assert covered_m(targets, result.p_sensor) == pytest.approx(expected, abs=SAMPLE_M)
    seen = result.p_sensor > 0
    assert np.allclose(result.p_sensor[seen], 0.9)


def test_90_degree_sector_facing_the_line(line, border):
    where, facing = point_off_line(line, 5000, 500)  # bearing from the sensor to the line
    sensors = sensor_frame(
        [{"geometry": where, "range_m": 2000.0, "pd": 0.9, "azimuth_deg": facing, "fov_deg": 90.0}]
    )
    _, targets, result = detect(border, sensors)
    # ±45° from the perpendicular: the far end of a path, 800 m from the sensor's
    # side line, is in the sector up to 800 · tan 45° = 800 m either side.
    assert covered_m(targets, result.p_sensor) == pytest.approx(1600.0, abs=SAMPLE_M)


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
        2 * math.sqrt(1000**2 - 200**2), abs=SAMPLE_M
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


def test_crossing_path_depth_extends_detection(line, border):
    # A 300 m range sensor 500 m off the line sees paths that reach more than
    # 200 m into its side, and none that stop short of that.
    where, _ = point_off_line(line, 5000, 500)
    sensors = sensor_frame([{"geometry": where, "range_m": 300.0, "pd": 0.9}])
    _, targets, result = detect(border, sensors, depth=150.0)
    assert result.p_sensor.max() == 0
    _, targets, result = detect(border, sensors, depth=500.0)
    # Paths through the sensor's foot: in range within ±300 m along the line.
    assert covered_m(targets, result.p_sensor) == pytest.approx(600.0, abs=SAMPLE_M)


def test_small_sensor_between_sampled_path_points_is_met(line, border):
    # A ground sensor of range 20 m 150 m inside the line: the old samples at
    # 0 and ±300 m never reached it; the paths through |x − 5000| ≤ 20 m do.
    where, _ = point_off_line(line, 5000, -150)
    sensors = sensor_frame([{"geometry": where, "range_m": 20.0, "pd": 0.7}])
    _, targets, result = detect(border, sensors, sample_m=1.0)
    assert covered_m(targets, result.p_sensor) == pytest.approx(40.0, abs=1.0)
    assert result.p_sensor.max() == pytest.approx(0.7)


def test_narrow_sector_along_the_line_is_crossed_between_its_edges(line, border):
    # A 2° sector 150 m inside the line, looking along it (east, the line's
    # direction): no path end is ever inside it, yet every path from the sensor
    # to 2000 m ahead crosses its axis, so 2000 m of line are covered.
    where, _ = point_off_line(line, 3000, -150)
    ahead, _ = point_off_line(line, 9000, -150)
    axis, _, _ = GEOD.inv(where.x, where.y, ahead.x, ahead.y)
    sensors = sensor_frame(
        [
            {
                "geometry": where,
                "range_m": 2000.0,
                "pd": 0.8,
                "azimuth_deg": axis % 360.0,
                "fov_deg": 2.0,
            }
        ]
    )
    _, targets, result = detect(border, sensors)
    assert covered_m(targets, result.p_sensor) == pytest.approx(2000.0, abs=2 * SAMPLE_M)


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


def track_inside(line, offset_m, along=(-2000.0, 12_000.0)):
    """A track parallel to the line, ``offset_m`` inside (right of chainage)."""
    return shapely.LineString(
        [point_off_line(line, a, -offset_m)[0] for a in np.linspace(*along, 15)]
    )


def test_track_150m_inside_with_50m_sweep_is_crossed_by_every_path(line, border):
    # Issue 7 item 4: the old samples at 0 and ±300 m all lie 150 m from the
    # track (> 50 m sweep) and scored 0. Each path runs 300 m inside, over it.
    track = patrol_frame(track_inside(line, 150.0), 1.0, sweep=50.0)
    _, _, result = detect(border, NO_SENSORS, track, depth=300.0)
    # Traces: one reading pass a day, readable 12 h: 1 − e^(−1·12/24) = 0.3935.
    assert np.allclose(result.p_trace, 1 - math.exp(-1.0 * 12 / 24))
    # In sight: 2 · 50 m / 3000 m/h = 1/30 h in the band per pass.
    sight = 1 - math.exp(-1.0 * (100 / 3000) / 24)
    assert np.allclose(result.p_sight, sight)
    assert np.allclose(result.p_patrol, 1 - math.exp(-0.5) * (1 - sight))
    assert np.allclose(result.visits_per_day, 1.0)


@pytest.mark.parametrize(("depth", "passed"), [(90.0, False), (110.0, True), (300.0, True)])
def test_track_inside_is_passed_when_the_path_reaches_its_sweep(line, border, depth, passed):
    # The path's inner end is 150 − depth from the track: passed iff <= 50 m
    # (depth 100 is the boundary itself, distance exactly equal to the sweep).
    track = patrol_frame(track_inside(line, 150.0), 1.0, sweep=50.0)
    _, _, result = detect(border, NO_SENSORS, track, depth=depth)
    assert np.all((result.visits_per_day == 1.0) == passed)


def test_short_track_between_samples_is_found_exactly(line, border):
    # 200 m of track 150 m inside, sweep 10 m: paths at 4990-5210 m pass it.
    track = patrol_frame(track_inside(line, 150.0, along=(5000.0, 5200.0)), 2.0, sweep=10.0)
    _, targets, result = detect(border, NO_SENSORS, track, sample_m=1.0)
    assert covered_m(targets, result.p_patrol) == pytest.approx(220.0, abs=1.0)


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


def random_scene(rng, line, length_m, *, n_sensors, n_routes):
    """Random sensors (circles and sectors) and straight routes near ``line``."""
    rows = [
        {
            "geometry": point_off_line(line, rng.uniform(0, length_m), rng.uniform(-3000, 3000))[0],
            "range_m": rng.uniform(20, 3000),
            "pd": rng.uniform(0.1, 1),
            "availability": rng.uniform(0.5, 1),
            "azimuth_deg": rng.choice([np.nan, rng.uniform(0, 360)]),
            "fov_deg": rng.uniform(1, 360),
        }
        for _ in range(n_sensors)
    ]
    sensors = sensor_frame(rows) if rows else NO_SENSORS
    routes = [
        patrol_frame(
            shapely.LineString(
                [
                    point_off_line(line, rng.uniform(0, length_m), rng.uniform(-800, 800))[0]
                    for _ in range(2)
                ]
            ),
            rng.uniform(0.1, 4),
            sweep=rng.uniform(5, 300),
        )
        for _ in range(n_routes)
    ]
    patrols = pd.concat(routes, ignore_index=True) if routes else empty_patrols()
    return sensors, patrols


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    depth=st.floats(1, 800),
    more=st.floats(0, 800),
)
def test_deeper_paths_never_lower_detection(seed, depth, more):
    rng = np.random.default_rng(seed)
    line = straight_line(8000, azimuth=float(rng.uniform(0, 360)))
    sensors, patrols = random_scene(rng, line, 8000, n_sensors=6, n_routes=3)
    border = border_frame(line)
    _, _, short = detect(border, sensors, patrols, depth=depth, sample_m=40)
    _, _, deep = detect(border, sensors, patrols, depth=depth + more, sample_m=40)
    assert np.all(deep.p_sensor >= short.p_sensor - 1e-12)
    assert np.all(deep.visits_per_day >= short.visits_per_day - 1e-12)
    assert np.all(deep.p_patrol >= short.p_patrol - 1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 100_000), depth=st.floats(10, 600))
def test_reversing_the_section_changes_no_point(seed, depth):
    rng = np.random.default_rng(seed)
    # A bent line of three geodesic legs; one segment, so that the target
    # points of the reversed line are those of the line in reverse order.
    az = float(rng.uniform(0, 360))
    x, y = 70.0, 40.0
    vertices = [(x, y)]
    for turn in rng.uniform(-60, 60, 3):
        az += float(turn)
        x, y, _ = GEOD.fwd(x, y, az, float(rng.uniform(2000, 4000)))
        vertices.append((x, y))
    line = shapely.LineString(vertices)
    sensors, patrols = random_scene(rng, line, 6000, n_sensors=6, n_routes=3)
    forward = detect(border_frame(line), sensors, patrols, depth=depth, sample_m=40, segment_m=1e6)
    backward = detect(
        border_frame(line.reverse()), sensors, patrols, depth=depth, sample_m=40, segment_m=1e6
    )
    (_, t_f, a), (_, t_b, b) = forward, backward
    np.testing.assert_allclose(t_b.lon[::-1], t_f.lon, atol=1e-9)
    np.testing.assert_allclose(t_b.lat[::-1], t_f.lat, atol=1e-9)
    np.testing.assert_allclose(b.p_sensor[::-1], a.p_sensor, atol=1e-12)
    np.testing.assert_allclose(b.p_patrol[::-1], a.p_patrol, atol=1e-12)
    np.testing.assert_allclose(b.visits_per_day[::-1], a.visits_per_day, atol=1e-12)


def test_with_terrain_a_path_is_seen_beyond_a_wall_that_hides_its_target_point(engine):
    if engine == "numba":
        pytest.skip("line of sight runs on the numpy engine")
    from surveil import visibility
    from surveil.terrain import DEM, flat_dem

    # Local grid in metres: border along y = 0 (x from −4 to 4 km), a 100 m
    # wall over 150 m < y < 200 m, a 10 m mast at (0, 1000) with 3 km range.
    # The target points (y = 0) are all hidden; the paths' parts north of the
    # wall (200 m < y ≤ 300 m) are in sight. A path at x is in range where
    # its end (x, 300) is: |x| ≤ √(3000² − 700²) = 2917.2 m.
    cell = 25.0
    base = flat_dem(0.0, center_lonlat=(70.0, 40.0), size_m=12_000, cell_m=cell)
    rows, cols = base.shape
    gy = base.transform.f + (np.arange(rows)[:, None] + 0.5) * base.transform.e
    z = np.where((gy > 150.0) & (gy < 200.0), 100.0, 0.0) * np.ones((1, cols))
    dem = DEM(z.astype("f4"), base.transform, base.crs)
    lon, lat = dem.to_lonlat([-4000.0, 4000.0, 0.0], [0.0, 0.0, 1000.0])
    border = border_frame(shapely.LineString([(lon[0], lat[0]), (lon[1], lat[1])]))
    sensors = sensor_frame(
        [{"geometry": shapely.Point(lon[2], lat[2]), "range_m": 3000.0, "pd": 0.9}]
    )
    sight = visibility.sensor_sight([dem], sensors)
    segments = segment_border(border, segment_m=1000)
    targets = sample_targets(segments, sample_m=10.0)
    assert not sight.visible(np.zeros(len(targets), dtype=np.int64), targets.lon, targets.lat).any()
    result = coverage.detect_points(
        targets, sensors, empty_patrols(), path_depth_m=300.0, sight=sight, sight_step_m=cell
    )
    expected = 2 * math.sqrt(3000**2 - 700**2)  # 5834.4 m
    assert covered_m(targets, result.p_sensor) == pytest.approx(expected, abs=20.0)
    # Paths of 150 m stop short of the wall's far side: nothing in sight.
    short = coverage.detect_points(
        targets, sensors, empty_patrols(), path_depth_m=150.0, sight=sight, sight_step_m=cell
    )
    assert short.p_sensor.max() == 0
    # The border digitised the other way: the same samples, the same detection.
    reverse = border_frame(shapely.LineString([(lon[1], lat[1]), (lon[0], lat[0])]))
    back = sample_targets(segment_border(reverse, segment_m=1000), sample_m=10.0)
    again = coverage.detect_points(
        back, sensors, empty_patrols(), path_depth_m=300.0, sight=sight, sight_step_m=cell
    )
    np.testing.assert_allclose(back.lon[::-1], targets.lon, atol=1e-9)
    np.testing.assert_array_equal(again.p_sensor[::-1], result.p_sensor)


@settings(max_examples=200, deadline=None)
@given(coords=st.lists(st.integers(-1000, 1000), min_size=8, max_size=8))
def test_segment_distance_equals_shapely_in_a_plane(coords):
    # In the plane z = 0 the 3-D distance is the planar one shapely computes (GEOS).
    x = np.asarray(coords, dtype=float).reshape(4, 2) / 7.0
    assume(np.any(x[0] != x[1]) and np.any(x[2] != x[3]))  # GEOS: no zero-length lines
    ends = [np.array([[*p, 0.0]]) for p in x]
    ours = coverage.segment_distance(*ends)[0]
    theirs = shapely.LineString(x[:2]).distance(shapely.LineString(x[2:]))
    assert ours == pytest.approx(theirs, abs=1e-6)
