import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import example, given, settings
from hypothesis import strategies as st

from surveil.errors import InputWarning
from surveil.risk import count_incidents
from surveil.segments import border_side, orient_border, sample_targets, segment_border
from tests.conftest import GEOD, border_frame, point_off_line, straight_line

# Approximate vertices along Kazakhstan's southern land border, west to east:
# about 2,400 km through UTM zones 40 to 44.
SOUTHERN_KZ = [
    (55.99, 41.31),
    (58.00, 42.25),
    (60.00, 42.20),
    (61.20, 43.45),
    (63.30, 43.60),
    (65.70, 42.90),
    (66.60, 42.00),
    (68.20, 41.00),
    (69.10, 41.40),
    (70.90, 42.20),
    (71.50, 42.70),
    (73.50, 42.50),
    (74.80, 43.00),
    (76.80, 42.90),
    (79.10, 42.80),
    (80.20, 42.10),
]


def test_ten_km_line_gives_ten_segments(border):
    segments = segment_border(border, segment_m=1000)
    assert len(segments) == 10
    assert segments["length_m"].to_numpy() == pytest.approx(np.full(10, 1000.0))
    assert segments["km_to"].iloc[-1] == pytest.approx(10.0)
    assert segments["segment_id"].tolist() == list(range(1, 11))


def test_long_line_across_utm_zones_matches_geodesic_length():
    lon, lat = zip(*SOUTHERN_KZ, strict=True)
    expected = GEOD.line_length(lon, lat)
    assert expected > 2_000_000
    border = border_frame(shapely.LineString(SOUTHERN_KZ))
    segments = segment_border(border, segment_m=1000)
    assert segments["length_m"].sum() == pytest.approx(expected, rel=1e-3)
    assert segments["km_to"].iloc[-1] * 1000 == pytest.approx(expected, rel=1e-6)
    # Each segment's own geometry measures what its row says (pyproj, not surveil).
    sample = segments.iloc[::97]
    for geom, length in zip(sample.geometry, sample["length_m"], strict=True):
        x, y = np.asarray(geom.coords).T
        assert GEOD.line_length(x, y) == pytest.approx(length, rel=1e-3)


def test_multipart_section_keeps_parts_and_chainage_runs_on():
    a = straight_line(2500)
    b = shapely.LineString([(71.0, 40.0), (71.0, 40.02)])
    border = border_frame(shapely.MultiLineString([a, b]))
    segments = segment_border(border, segment_m=1000)
    assert segments["part"].tolist() == [0, 0, 0, 1, 1, 1]
    assert segments["km_from"].iloc[3] == pytest.approx(2.5)
    assert segments.geometry.iloc[2].length > 0


@settings(max_examples=25, deadline=None)
@given(length=st.floats(100, 30_000), seg=st.floats(50, 5000), sample=st.floats(5, 500))
@example(length=24609.9996877237, seg=50.0, sample=5.0)  # 6e-7 m off: within a micrometre
def test_segments_and_targets_add_up_to_the_line(length, seg, sample):
    border = border_frame(straight_line(length, azimuth=35))
    segments = segment_border(border, segment_m=seg)
    assert segments["length_m"].sum() == pytest.approx(length, rel=1e-9)
    # A last piece shorter than min(1 m, 1 %) joins the segment before it.
    assert (segments["length_m"] <= seg + min(1.0, 0.01 * seg) + 1e-6).all()
    targets = sample_targets(segments, sample_m=sample)
    per_segment = np.bincount(targets.segment, weights=targets.weight_m)
    # To a micrometre: chainage sums of a 25 km line differ by ~1e-7 m in the last bits.
    np.testing.assert_allclose(per_segment, segments["length_m"], rtol=0, atol=1e-6)


def test_target_points_lie_on_the_line(border):
    segments = segment_border(border, segment_m=1000)
    targets = sample_targets(segments, sample_m=100)
    assert len(targets) == 100
    x0, y0 = border.geometry.iloc[0].coords[0]
    _, _, dist = GEOD.inv(np.full(100, x0), np.full(100, y0), targets.lon, targets.lat)
    np.testing.assert_allclose(dist, np.arange(100) * 100 + 50, atol=0.01)


def test_sliver_at_the_end_of_a_part_joins_the_segment_before():
    # The case: 500.000003 km cut into 1 km segments left a 3 mm last segment.
    length = 500_000.003
    border = border_frame(straight_line(length))
    segments = segment_border(border, segment_m=1000)
    assert len(segments) == 500
    assert segments["km_from"].iloc[-1] == pytest.approx(499.0, abs=1e-9)
    assert segments["km_to"].iloc[-1] == pytest.approx(500.000003, abs=1e-9)
    assert segments["length_m"].iloc[-1] == pytest.approx(1000.003, abs=1e-6)
    assert segments["length_m"].min() > 999.0
    # Six incidents on the last millimetres now fall in a 1 km segment.
    incidents = pd.DataFrame({"section": ["A"] * 6, "km": np.linspace(500.0000005, 500.000003, 6)})
    counts = count_incidents(segments, incidents)
    assert counts[-1] == 6 and counts.sum() == 6


def test_a_longer_last_piece_stays_its_own_segment():
    segments = segment_border(border_frame(straight_line(2001.5)), segment_m=1000)
    assert segments["length_m"].to_numpy() == pytest.approx([1000, 1000, 1.5], abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(
    length=st.floats(500, 20_000),
    sample=st.floats(10, 400),
    segs=st.lists(st.floats(400, 5000), min_size=2, max_size=3),
)
def test_target_points_do_not_depend_on_segment_length(length, sample, segs):
    border = border_frame(straight_line(length, azimuth=35))
    seen = []
    for seg in segs:
        segments = segment_border(border, segment_m=seg)
        targets = sample_targets(segments, sample_m=min(sample, seg))
        per_segment = np.bincount(targets.segment, weights=targets.weight_m)
        np.testing.assert_allclose(per_segment, segments["length_m"], rtol=1e-9)
        _, first = np.unique(targets.point, return_index=True)
        weight = np.bincount(targets.point, weights=targets.weight_m)
        seen.append((targets.lon[first], targets.lat[first], weight))
    n = max(1, int(np.ceil(length / min(sample, min(segs)) - 1e-9)))
    for lon, lat, weight in seen:
        if min(sample, min(segs)) != sample:
            break
        assert lon.size == n
        np.testing.assert_allclose(weight, length / n, rtol=1e-9)
        np.testing.assert_allclose(lon, seen[0][0], atol=1e-9)
        np.testing.assert_allclose(lat, seen[0][1], atol=1e-9)


def own_side_border(*, left="Own", right="Other", reverse=False):
    line = straight_line(10_000)
    if reverse:
        line = shapely.reverse(line)
    return gpd.GeoDataFrame(
        {"section": ["A"], "country_left": [left], "country_right": [right]},
        geometry=[line],
        crs="EPSG:4326",
    )


def posts_at(points):
    return gpd.GeoDataFrame(
        {"id": [f"P{i}" for i in range(len(points))]}, geometry=points, crs=4326
    )


def test_own_country_puts_its_side_right_of_chainage():
    line = straight_line(10_000)
    inside, _ = point_off_line(line, 5000, 2000)  # in Own: left of ``line``
    # The same geography digitised both ways: Own left of ``line``, right of its reverse.
    for reverse in (False, True):
        names = {"left": "Other", "right": "Own"} if reverse else {}
        border = own_side_border(reverse=reverse, **names)
        before = border.copy()
        oriented = orient_border(border, own_country=" own ")
        assert oriented["country_right"].tolist() == ["Own"]
        assert oriented["country_left"].tolist() == ["Other"]
        # Own lies left of ``line``: the oriented line runs from its end to its start.
        assert oriented.geometry.iloc[0].coords[0] == pytest.approx(line.coords[-1])
        assert border_side(oriented, np.array([inside.x]), np.array([inside.y])).tolist() == [1]
        pd.testing.assert_frame_equal(border, before)


def test_majority_of_posture_decides_per_part_and_warns_when_it_cannot():
    a = straight_line(10_000)
    b = shapely.LineString([(70.5, 40.0), (70.5, 40.1)])  # northwards, ~11 km
    border = border_frame(shapely.MultiLineString([a, shapely.reverse(b)]))
    left_of_a, _ = point_off_line(a, 3000, 500)
    left_of_a2, _ = point_off_line(a, 6000, 800)
    right_of_a, _ = point_off_line(a, 8000, -500)
    east_of_b = shapely.Point(70.51, 40.05)  # right of b as digitised northwards
    with pytest.warns(InputWarning, match="'A'.*cannot tell the own side.*1 left, 1 right"):
        orient_border(
            border, posture=[posts_at([left_of_a, right_of_a]), posts_at([east_of_b]), posts_at([])]
        )
    oriented = orient_border(
        border, posture=[posts_at([left_of_a, left_of_a2, right_of_a, east_of_b])]
    )
    first, second = shapely.get_parts(oriented.geometry.iloc[0])
    assert first.coords[0] == pytest.approx(a.coords[-1])  # reversed: posts mostly left of a
    assert second.coords[0] == pytest.approx(b.coords[0])  # stored southwards, posts east: reversed
    with pytest.warns(InputWarning, match="'A' part 1: cannot tell.*no sensor or post"):
        orient_border(border, posture=[posts_at([left_of_a])])


def test_unknown_own_country_warns_and_falls_back_to_posture():
    line = straight_line(10_000)
    right, _ = point_off_line(line, 5000, -700)
    with pytest.warns(InputWarning, match="own_country 'Owm' is neither"):
        oriented = orient_border(own_side_border(), own_country="Owm", posture=[posts_at([right])])
    assert oriented.geometry.iloc[0].coords[0] == pytest.approx(line.coords[0])
