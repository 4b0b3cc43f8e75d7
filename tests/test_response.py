"""Reaction over the ground: travel time, escape, P_interdict and isochrones (hand-derived)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from shapely.geometry import LineString, Point

from surveil import coverage, response, terrain
from surveil.segments import TargetPoints

CELL = 100.0
N = 101  # cells a side: centres at multiples of 100 m, (0, 0) in the middle
CENTRE = (70.0, 40.0)
# A 16-neighbour grid's least path between moves (1, 0) and (2, 1) costs
# cos θ + (√5 − 2) sin θ per unit of straight line: at most √(1 + (√5 − 2)²).
METRICATION = math.sqrt(1.0 + (math.sqrt(5.0) - 2.0) ** 2)  # 1.0275


def tobler(s: float) -> float:
    """Tobler's hiking function, km/h, written out by hand."""
    return 6.0 * math.exp(-3.5 * abs(s + 0.05))


def plane(slope_east: float = 0.0, *, n: int = N) -> terrain.DEM:
    """A DEM rising ``slope_east`` metres per metre eastward, 100 m cells."""
    half = n * CELL / 2.0
    x = -half + (np.arange(n) + 0.5) * CELL
    z = np.broadcast_to(slope_east * x, (n, n)).astype(np.float32).copy()
    lon, lat = CENTRE
    return terrain.DEM(
        elevation_m=z,
        transform=Affine(CELL, 0.0, -half, 0.0, -CELL, half),
        crs=terrain.local_crs(lon, lat),
        source="plane",
        bounds_lonlat=(lon - 0.2, lat - 0.2, lon + 0.2, lat + 0.2),
    )


def targets_at(
    dem: terrain.DEM, xy: list[tuple[float, float]], azimuth: float = 0.0
) -> TargetPoints:
    x, y = np.array(xy, dtype=float).T
    lon, lat = dem.to_lonlat(x, y)
    n = lon.size
    return TargetPoints(
        lon=lon,
        lat=lat,
        azimuth_deg=np.full(n, azimuth),
        segment=np.zeros(n, dtype=np.int64),
        weight_m=np.full(n, 100.0),
        from_m=np.arange(n) * 100.0,
        point=np.arange(n, dtype=np.int64),
    )


def posts_at(
    dem: terrain.DEM, xy: list[tuple[float, float]], *, kmh: float, mode: str
) -> gpd.GeoDataFrame:
    x, y = np.array(xy, dtype=float).T
    lon, lat = dem.to_lonlat(x, y)
    return gpd.GeoDataFrame(
        {
            "id": [f"P{i}" for i in range(lon.size)],
            "type": "outpost",
            "reaction_speed_kmh": kmh,
            "mode": mode,
        },
        geometry=[Point(a, b) for a, b in zip(lon, lat, strict=True)],
        crs="EPSG:4326",
    )


def test_flat_ground_time_is_distance_over_speed():
    dem = plane()
    places = [(3000, 0), (0, 3000), (2000, 2000), (2000, 1000), (3000, 1000), (1000, 3000),
              (2500, 600), (-1800, 2400)]  # fmt: skip
    targets = targets_at(dem, places)
    posts = posts_at(dem, [(0, 0)], kmh=5.0, mode="foot")
    got = response.travel_minutes(targets, posts, (dem,), cell_m=CELL)[:, 0]
    expected = np.hypot(*np.array(places, dtype=float).T) / 5000.0 * 60.0
    ratio = got / expected
    # Along the 16 moves (axis, diagonal, knight) the grid is exact ...
    assert ratio[[0, 1, 2, 3]] == pytest.approx(1.0, abs=1e-6)
    # ... and in between never shorter, and at most 2.75 % longer.
    assert np.all(ratio >= 1.0 - 1e-6)  # edge terms are kept in float32
    assert np.all(ratio <= METRICATION + 1e-9)
    # The fastest-post search gives the same times and names the post.
    minutes, post = response.fastest_post(targets, posts, (dem,), cell_m=CELL)
    assert minutes == pytest.approx(got, rel=1e-9)
    assert post.tolist() == [0] * len(places)


def test_vehicle_on_flat_ground_and_a_30_percent_grade():
    flat, steep = plane(), plane(0.3)
    for dem, expected in ((flat, 4000 / 40000 * 60), (steep, 4000 / 20000 * 60)):
        # 40 km/h on the flat; 40 · (1 − 0.3 / 0.6) = 20 km/h up a 30 % grade
        targets = targets_at(dem, [(2000, 0)])
        posts = posts_at(dem, [(-2000, 0)], kmh=40.0, mode="vehicle")
        got = response.travel_minutes(targets, posts, (dem,), cell_m=CELL)[0, 0]
        assert got == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    "slope",
    [
        math.log(2.0) / 3.5,  # uphill: |s + 0.05| = 0.05 + ln 2 / 3.5
        -(0.1 + math.log(2.0) / 3.5),  # downhill, the same |s + 0.05|
    ],
)
def test_slope_doubles_walking_time_as_tobler_says(slope):
    # Tobler by hand: the slope's speed over the flat speed is W(s) / W(0) = 1/2.
    assert tobler(0.0) / tobler(slope) == pytest.approx(2.0)
    dem = plane(slope)
    targets = targets_at(dem, [(2000, 0)])
    posts = posts_at(dem, [(-2000, 0)], kmh=4.0, mode="foot")
    got = response.travel_minutes(targets, posts, (dem,), cell_m=CELL)[0, 0]
    flat_minutes = 4000 / 4000 * 60.0
    assert got == pytest.approx(flat_minutes * tobler(0.0) / tobler(slope), rel=1e-6)
    assert got == pytest.approx(2.0 * flat_minutes, rel=1e-6)


def test_uphill_and_downhill_differ():
    s = math.log(2.0) / 3.5
    dem = plane(s)
    targets = targets_at(dem, [(2000, 0), (-2000, 0)])
    posts = posts_at(dem, [(0, 0)], kmh=5.0, mode="foot")
    up, down = response.travel_minutes(targets, posts, (dem,), cell_m=CELL)[:, 0]
    flat = 2000 / 5000 * 60.0
    assert up == pytest.approx(flat * tobler(0.0) / tobler(s), rel=1e-6)  # 2 ×
    assert down == pytest.approx(flat * tobler(0.0) / tobler(-s), rel=1e-6)  # 1.41 ×
    assert down < up


def test_a_road_shortens_the_time_as_computed_by_hand():
    dem = plane()
    ends = dem.to_lonlat(np.array([-2500.0, 2500.0]), np.array([0.0, 0.0]))
    roads = gpd.GeoDataFrame(
        {"name": ["valley road"], "class": ["primary"]},  # 60 km/h
        geometry=[LineString(np.column_stack(ends))],
        crs="EPSG:4326",
    )
    targets = targets_at(dem, [(2500, 0), (2500, 1000)])
    posts = posts_at(dem, [(-2500, 0)], kmh=10.0, mode="vehicle")
    on_road, off_road = response.travel_minutes(targets, posts, (dem,), roads, cell_m=CELL)[:, 0]
    # On the road: 5 km at 60 km/h.
    assert on_road == pytest.approx(5.0, rel=1e-4)
    # 1 km off its end: leave the road x metres early where 1/60 = x / (10·√(x² + 1 km²)),
    # x = 1000/√35 m: t* = (5000 − x)/60 km/h + √(x² + 1000²)/10 km/h.
    x = 1000 / math.sqrt(35.0)
    best = ((5000 - x) / 60000 + math.hypot(x, 1000) / 10000) * 60
    assert best == pytest.approx(10.916, abs=1e-3)
    # The grid cannot beat the continuous optimum, nor lose to "road, then straight off".
    assert best - 1e-6 <= off_road <= 5.0 + 6.0 + 1e-6
    # Terrain alone: the straight line at 10 km/h, within the grid's 2.75 %.
    alone = response.travel_minutes(targets, posts, (dem,), cell_m=CELL)[1, 0]
    straight = math.hypot(5000, 1000) / 10000 * 60
    assert straight <= alone <= straight * METRICATION
    assert off_road < alone / 2


def test_walkers_use_roads_at_their_own_pace():
    dem = plane()
    ends = dem.to_lonlat(np.array([-2500.0, 2500.0]), np.array([0.0, 0.0]))
    roads = gpd.GeoDataFrame(
        {"name": ["r"]}, geometry=[LineString(np.column_stack(ends))], crs="EPSG:4326"
    )
    targets = targets_at(dem, [(2500, 0)])
    posts = posts_at(dem, [(-2500, 0)], kmh=5.0, mode="foot")
    got = response.travel_minutes(targets, posts, (dem,), roads, cell_m=CELL)[0, 0]
    assert got == pytest.approx(5000 / 5000 * 60, rel=1e-4)


def test_road_speeds_by_class_and_given_speed():
    roads = pd.DataFrame(
        {"class": ["motorway", "track", "footpath", None], "speed_kmh": [None, 35, None, None]}
    )
    assert response.road_speeds(roads).tolist() == [80.0, 35.0, 40.0, 40.0]


def test_a_post_outside_the_grid_enters_at_the_nearest_cell():
    dem = plane()
    targets = targets_at(dem, [(2000, 0)])
    # 6 km west is off the 10.1 km grid; the graph holds cells within
    # 3 km (zone depth) + 2 km of the target, so the post enters at (-3000, 0)
    # after 3 km × 1.4 at 5 km/h, then walks 5 km.
    posts = posts_at(dem, [(-6000, 0)], kmh=5.0, mode="foot")
    got = response.reaction(targets, posts, (dem,), cell_m=CELL, detour_factor=1.4)
    assert got.minutes[0] == pytest.approx((3000 * 1.4 + 5000) / 5000 * 60, rel=1e-6)


@pytest.mark.parametrize("slope", [0.0, math.log(2.0) / 3.5])
def test_escape_time_walks_the_zone_depth_inland(slope):
    # A straight line running north along x = 0: the own side (right) is east.
    # Zone depth = escape_h · crosser speed = 1 h · 3 km/h = 3 km.
    # The line runs the grid's whole height; the points checked are 4 km from
    # its ends, so no crosser gains by walking round an end.
    dem = plane(slope)
    targets = targets_at(dem, [(0, y) for y in range(-5000, 5001, 100)], azimuth=0.0)
    posts = posts_at(dem, [(1000, 0)], kmh=30.0, mode="vehicle")
    got = response.reaction(
        targets,
        posts,
        (dem,),
        cell_m=CELL,
        azimuth_deg=targets.azimuth_deg,
        crosser_speed_kmh=3.0,
        escape_h=1.0,
    )
    expected = 1.0 * tobler(0.0) / tobler(slope)  # 1 h on the flat, 2 h up the slope
    middle = got.escape_h[40:61]  # y from -1 km to 1 km
    assert middle == pytest.approx(np.full(21, expected), rel=1e-6)


def test_without_terrain_the_straight_line_stays():
    dem = plane()
    targets = targets_at(dem, [(3000, 0), (0, 4000)])
    posts = posts_at(dem, [(0, 0)], kmh=20.0, mode="vehicle")
    got = response.reaction(targets, posts, (), detour_factor=1.4, escape_h=1.5)
    old = coverage.response_hours(targets, posts, detour_factor=1.4)
    assert got.hours == pytest.approx(old)
    assert got.hours == pytest.approx([3 * 1.4 / 20, 4 * 1.4 / 20], rel=1e-3)
    assert got.escape_h.tolist() == [1.5, 1.5]
    assert got.method == "straight line"
    assert len(got.isochrones) == 0


def test_fastest_of_two_posts_and_its_index():
    dem = plane()
    targets = targets_at(dem, [(-3000, 0), (3000, 0)])
    posts = posts_at(dem, [(-2000, 0), (2000, 0)], kmh=5.0, mode="foot")
    minutes, post = response.fastest_post(targets, posts, (dem,), cell_m=CELL)
    assert post.tolist() == [0, 1]
    assert minutes == pytest.approx([12.0, 12.0], rel=1e-6)
    both = response.travel_minutes(targets, posts, (dem,), cell_m=CELL)
    assert both == pytest.approx(np.array([[12.0, 60.0], [60.0, 12.0]]), rel=1e-6)


def test_isochrones_bound_the_reachable_area():
    dem = plane()
    targets = targets_at(dem, [(0, y) for y in range(-2000, 2001, 100)])
    posts = posts_at(dem, [(0, 0)], kmh=6.0, mode="foot")  # 1.5 km in 15 min
    got = response.reaction(targets, posts, (dem,), cell_m=CELL, isochrone_min=(15, 30))
    bands = got.isochrones
    assert bands[["minutes_from", "minutes_to"]].values.tolist() == [[0, 15], [15, 30]]
    inner = bands.geometry.iloc[0]
    lon, lat = dem.to_lonlat(np.array([1400.0, 1700.0]), np.array([0.0, 0.0]))
    assert inner.contains(Point(lon[0], lat[0]))  # 14 min away
    assert not inner.contains(Point(lon[1], lat[1]))  # 17 min away


def detection(p_realtime: float, reading_per_day: float, n: int = 1) -> coverage.PointDetection:
    return coverage.PointDetection(
        p_sensor=np.full(n, p_realtime),
        p_patrol=np.zeros(n),
        p_detect=np.full(n, p_realtime),
        visits_per_day=np.full(n, reading_per_day),
        sensors_seeing=np.zeros(n, dtype=np.int64),
        p_sight=np.zeros(n),
        p_trace=np.zeros(n),
        reading_per_day=np.full(n, reading_per_day),
    )


def test_interdiction_with_an_escape_time_per_point_matches_quad():
    t = np.array([0.25, 0.5, 1.0])
    e = np.array([0.8, 1.2, 2.5])  # mean escape time of each point, hours
    point = detection(0.3, 12.0, n=3)
    got = coverage.interdict_probability(point, t, escape_h=e, trace_persistence_h=12.0)
    lam = 12.0 / 24.0
    for i in range(3):
        pursuit, _ = quad(
            lambda d, i=i: lam * math.exp(-lam * d) * math.exp(-(d + t[i]) / e[i]), 0.0, 12.0
        )
        expected = 0.3 * math.exp(-t[i] / e[i]) + 0.7 * pursuit
        assert float(got[i]) == pytest.approx(expected, rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(
    t1=st.floats(0.0, 10.0),
    dt=st.floats(1e-3, 10.0),
    e=st.floats(0.1, 5.0),
    p_rt=st.floats(0.0, 1.0),
    reading=st.floats(0.0, 48.0),
)
def test_interdiction_falls_as_the_team_takes_longer(t1, dt, e, p_rt, reading):
    point = detection(p_rt, reading, n=2)
    got = coverage.interdict_probability(
        point, np.array([t1, t1 + dt]), escape_h=np.array([e, e]), trace_persistence_h=12.0
    )
    assert 0.0 <= got[1] <= got[0] <= 1.0
    if p_rt > 0 or reading > 0:
        assert got[1] < got[0] or got[0] == 0.0


def test_the_fastest_team_wins_across_modes_and_speeds():
    dem = plane()
    walkers = posts_at(dem, [(-2000, 0)], kmh=5.0, mode="foot")
    drivers = posts_at(dem, [(4000, 0)], kmh=40.0, mode="vehicle")
    posts = gpd.GeoDataFrame(pd.concat([walkers, drivers], ignore_index=True), crs="EPSG:4326")
    targets = targets_at(dem, [(-3000, 0), (-2500, 0)])
    minutes, post = response.fastest_post(targets, posts, (dem,), cell_m=CELL)
    # (-3000, 0): on foot 1 km at 5 km/h = 12 min; driving 7 km at 40 km/h = 10.5 min
    # (-2500, 0): on foot 6 min; driving 6.5 km = 9.75 min
    assert post.tolist() == [1, 0]
    assert minutes == pytest.approx([10.5, 6.0], rel=1e-6)


def test_straight_line_fallback_is_the_fastest_post_by_brute_force() -> None:
    # Without terrain: straight line x detour over each post's speed; the
    # fastest post per point, checked against every post's time (pyproj distance).
    import geopandas as gpd
    import numpy as np
    import shapely
    from pyproj import Geod

    from surveil.coverage import straight_line_reaction

    rng = np.random.default_rng(3)
    lon, lat = 70 + rng.random(40), 40 + rng.random(40)
    posts = gpd.GeoDataFrame(
        {"reaction_speed_kmh": [30.0, 60.0, 30.0, 15.0]},
        geometry=[shapely.Point(70 + a, 40 + b) for a, b in rng.random((4, 2))],
        crs=4326,
    )
    hours, best = straight_line_reaction(lon, lat, posts, detour_factor=1.4)
    geod = Geod(ellps="WGS84")
    each = np.column_stack(
        [
            geod.inv(lon, lat, np.full(40, p.x), np.full(40, p.y))[2] / 1000 * 1.4 / kmh
            for p, kmh in zip(posts.geometry, posts["reaction_speed_kmh"], strict=True)
        ]
    )
    np.testing.assert_array_equal(best, each.argmin(axis=1))
    # chord (ECEF) against geodesic distance: under 1e-5 relative at these distances
    np.testing.assert_allclose(hours, each.min(axis=1), rtol=1e-5)
