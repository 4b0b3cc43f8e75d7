import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveil.gaps import find_gaps
from surveil.segments import point_intervals, sample_targets, segment_border
from tests.conftest import GEOD, border_frame, straight_line

NO_INCIDENTS = pd.DataFrame({"section": pd.Series([], dtype=object), "km": []})


def assessed(length_m, *, segment_m=1000.0, sample_m=250.0, risk=None):
    """Segments and target-point intervals of a straight line, p_detect 0.9 everywhere."""
    segments = segment_border(border_frame(straight_line(length_m)), segment_m=segment_m)
    segments["risk"] = risk if risk is not None else np.full(len(segments), 10.0)
    points = point_intervals(sample_targets(segments, sample_m=sample_m), segments)
    points["p_detect"] = 0.9
    return segments, points


def test_gaps_are_maximal_runs_of_points_below_target():
    # 10 km, segments of 1 km, points every 250 m: point k stands for km k/4 .. (k+1)/4.
    risk = np.zeros(10)
    risk[[1, 2, 5]] = [50.0, 70.0, 90.0]
    segments, points = assessed(10_000, risk=risk)
    points.loc[4:7, "p_detect"] = 0.1  # km 1.0-2.0
    points.loc[8:11, "p_detect"] = 0.3  # km 2.0-3.0
    points.loc[20, "p_detect"] = 0.0  # km 5.0-5.25
    incidents = pd.DataFrame(
        {
            "section": ["A", "A", "A", "A", "A", "B", ""],
            "km": [0.5, 1.0, 2.99, 3.0, 5.1, 2.0, np.nan],
        }
    )
    gaps = find_gaps(points, segments, incidents=incidents, target_pd=0.5)
    assert gaps[["km_from", "km_to"]].to_numpy() == pytest.approx(np.array([[1, 3], [5, 5.25]]))
    assert gaps["length_km"].tolist() == pytest.approx([2.0, 0.25])
    assert gaps["n_points"].tolist() == [8, 1]
    assert gaps["mean_p_detect"].tolist() == pytest.approx([0.2, 0.0])
    # Overlap-weighted: (50 * 1 km + 70 * 1 km) / 2 km; the second lies in segment 6 alone.
    assert gaps["mean_risk"].tolist() == pytest.approx([60.0, 90.0])
    assert gaps["max_risk"].tolist() == [70.0, 90.0]
    # By chainage, ends included; section B's incident at km 2 is not A's.
    assert gaps["incidents"].tolist() == [3, 1]
    # Risk-weighted length: 120 for the first, 22.5 for the second.
    assert gaps["priority"].tolist() == [1, 2]
    for geom, km in zip(gaps.geometry, [2.0, 0.25], strict=True):
        x, y = np.asarray(geom.coords).T
        assert GEOD.line_length(x, y) == pytest.approx(km * 1000, rel=1e-6)


def test_gap_edges_are_point_edges_not_segment_edges():
    # Points every 300 m over 1 km segments: a gap starts and ends mid-segment.
    segments, points = assessed(6000, sample_m=300)
    points.loc[points["point"].isin([4, 5, 6]), "p_detect"] = 0.2  # km 1.2-2.1
    gaps = find_gaps(points, segments, incidents=NO_INCIDENTS, target_pd=0.5)
    assert gaps[["km_from", "km_to"]].to_numpy() == pytest.approx(np.array([[1.2, 2.1]]))
    assert gaps["n_points"].tolist() == [3]


def test_short_covered_stretches_are_bridged_and_short_gaps_dropped():
    segments, points = assessed(6000, sample_m=500)
    # Below: km 0-0.5, 1.0-1.5, 3.0-4.0; covered breaks of 0.5 km and 1.5 km.
    points.loc[points["point"].isin([0, 2, 6, 7]), "p_detect"] = 0.1
    gaps = find_gaps(points, segments, incidents=NO_INCIDENTS, target_pd=0.5)
    assert len(gaps) == 3
    gaps = find_gaps(points, segments, incidents=NO_INCIDENTS, target_pd=0.5, min_bridge_m=600)
    assert gaps[["km_from", "km_to"]].to_numpy() == pytest.approx(np.array([[0, 1.5], [3, 4]]))
    gaps = find_gaps(points, segments, incidents=NO_INCIDENTS, target_pd=0.5, min_gap_m=600)
    assert gaps[["km_from", "km_to"]].to_numpy() == pytest.approx(np.array([[3, 4]]))


def test_no_gaps_gives_empty_frame_with_columns():
    segments, points = assessed(2000)
    gaps = find_gaps(points, segments, incidents=NO_INCIDENTS, target_pd=0.5)
    assert len(gaps) == 0 and "priority" in gaps.columns and isinstance(gaps, gpd.GeoDataFrame)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(300, 8000),
    st.floats(100, 2000),
    st.floats(20, 400),
    st.data(),
    st.floats(0.05, 1),
)
def test_covered_plus_gap_is_the_assessed_length(length, segment_m, sample_m, data, target):
    sample_m = min(sample_m, segment_m)
    segments, points = assessed(length, segment_m=segment_m, sample_m=sample_m)
    n = int(points["point"].max()) + 1
    p = np.array(data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    points["p_detect"] = p[points["point"].to_numpy()]
    gaps = find_gaps(points, segments, incidents=NO_INCIDENTS, target_pd=target)
    weight = (points["to_m"] - points["from_m"]).to_numpy()
    below = points["p_detect"].to_numpy() < target - 1e-12
    covered_km = weight[~below].sum() / 1000
    assert gaps["length_km"].sum() == pytest.approx(
        weight[below].sum() / 1000, rel=1e-12, abs=1e-12
    )
    assert covered_km + gaps["length_km"].sum() == pytest.approx(weight.sum() / 1000, rel=1e-12)
    assert weight.sum() == pytest.approx(length, rel=1e-9)
    assert gaps["n_points"].sum() == np.unique(points["point"][below]).size
    assert sorted(gaps["priority"]) == list(range(1, len(gaps) + 1))
