import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from surveil.segments import sample_targets, segment_border
from tests.conftest import GEOD, border_frame, straight_line

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
def test_segments_and_targets_add_up_to_the_line(length, seg, sample):
    border = border_frame(straight_line(length, azimuth=35))
    segments = segment_border(border, segment_m=seg)
    assert segments["length_m"].sum() == pytest.approx(length, rel=1e-9)
    assert (segments["length_m"] <= seg + 1e-6).all()
    targets = sample_targets(segments, sample_m=sample)
    per_segment = np.bincount(targets.segment, weights=targets.weight_m)
    np.testing.assert_allclose(per_segment, segments["length_m"], rtol=1e-9)


def test_target_points_lie_on_the_line(border):
    segments = segment_border(border, segment_m=1000)
    targets = sample_targets(segments, sample_m=100)
    assert len(targets) == 100
    x0, y0 = border.geometry.iloc[0].coords[0]
    _, _, dist = GEOD.inv(np.full(100, x0), np.full(100, y0), targets.lon, targets.lat)
    np.testing.assert_allclose(dist, np.arange(100) * 100 + 50, atol=0.01)
