import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveil import geodesy
from tests.conftest import GEOD


def test_ecef_matches_pyproj():
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    lon, lat = np.array([70.5, -120.0, 10.0]), np.array([40.2, -33.0, 89.0])
    x, y, z = t.transform(lon, lat, np.zeros(3))
    np.testing.assert_allclose(geodesy.ecef(lon, lat), np.column_stack([x, y, z]), atol=1e-6)


@settings(max_examples=50, deadline=None)
@given(
    lat=st.floats(-60, 60),
    az=st.floats(0, 360),
    dist=st.floats(10, 20_000),
)
def test_chord_equals_geodesic_for_sensor_ranges(lat, az, dist):
    lon2, lat2, _ = GEOD.fwd(70.0, lat, az, dist)
    xyz = geodesy.ecef([70.0, lon2], [lat, lat2])
    chord = np.linalg.norm(xyz[1] - xyz[0])
    assert chord == pytest.approx(dist, abs=0.01)


def test_bearing_in_local_frame_matches_geodesic_azimuth():
    lon2, lat2, _ = GEOD.fwd(70.0, 40.0, 37.0, 5000)
    xyz = geodesy.ecef([70.0, lon2], [40.0, lat2])
    e, n, _ = geodesy.enu(70.0, 40.0, (xyz[1] - xyz[0])[None, :])[0]
    assert geodesy.bearing_deg(e, n) == pytest.approx(37.0, abs=0.01)


def test_interpolate_and_densify_keep_geodesic_length():
    lon, lat = [60.0, 75.0, 80.0], [40.0, 45.0, 42.0]
    total = GEOD.line_length(lon, lat)
    dlon, dlat = geodesy.densify(lon, lat, 5000)
    assert GEOD.line_length(dlon, dlat) == pytest.approx(total, rel=1e-9)
    assert np.diff(geodesy.chainage(dlon, dlat)).max() <= 5000 + 1e-6
    plon, plat, _ = geodesy.interpolate(lon, lat, [total / 2])
    _, _, first = GEOD.inv(lon[0], lat[0], plon[0], plat[0])
    assert first == pytest.approx(total / 2, rel=1e-6)


def test_line_index_distance_to_a_line():
    lon2, lat2, _ = GEOD.fwd(70.0, 40.0, 90.0, 10_000)
    index = geodesy.LineIndex([([70.0, lon2], [40.0, lat2])])
    mid_lon, mid_lat, back = GEOD.fwd(70.0, 40.0, 90.0, 5000)
    plon, plat, _ = GEOD.fwd(mid_lon, mid_lat, back + 180 - 90, 700)
    near = index.nearest([plon, 80.0], [plat, 40.0], max_distance_m=5000)
    assert near.distance_m[0] == pytest.approx(700, abs=0.5)
    assert near.along_m[0] == pytest.approx(5000, abs=1)
    assert near.line.tolist() == [0, -1] and np.isinf(near.distance_m[1])


@pytest.mark.parametrize("offset_m", [700.0, 5000.0, 20_000.0])
def test_nearest_agrees_with_all_pairs_for_points_far_from_a_short_line(offset_m):
    # Few edges, many pieces: the fast nearest path must not give up early.
    lon2, lat2, _ = GEOD.fwd(70.0, 40.0, 90.0, 10_000)
    index = geodesy.LineIndex([([70.0, lon2], [40.0, lat2])])
    mid_lon, mid_lat, back = GEOD.fwd(70.0, 40.0, 90.0, 5000)
    plon, plat, _ = GEOD.fwd(mid_lon, mid_lat, back + 180 - 90, offset_m)
    near = index.nearest([plon], [plat], max_distance_m=40_000)
    _, _, d, _ = index.pairs([plon], [plat], 40_000)
    assert near.distance_m[0] == pytest.approx(d.min())
    assert near.distance_m[0] == pytest.approx(offset_m, rel=1e-4)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6))
def test_interpolate_with_known_chainage_gives_the_same_points(fractions):
    lon = np.array([70.0, 70.3, 70.31, 70.9, 71.0])
    lat = np.array([40.0, 40.2, 40.2, 39.9, 40.1])  # a zero-length edge is skipped
    cum = geodesy.chainage(lon, lat)
    at = np.array(fractions) * cum[-1]
    whole = geodesy.interpolate(lon, lat, at)
    known = geodesy.interpolate(lon, lat, at, cum=cum)
    for a, b in zip(whole, known, strict=True):
        np.testing.assert_array_equal(a, b)
