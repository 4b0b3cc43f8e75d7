import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveil.gaps import find_gaps
from surveil.segments import segment_border
from tests.conftest import border_frame, straight_line


def assessed(p_detect, risk=None):
    segments = segment_border(border_frame(straight_line(1000.0 * len(p_detect))), segment_m=1000)
    segments["p_detect"] = p_detect
    segments["risk"] = risk if risk is not None else np.full(len(p_detect), 10.0)
    segments["incidents"] = np.arange(len(p_detect))
    return segments


def test_gaps_are_maximal_runs_below_target():
    segments = assessed([0.9, 0.1, 0.2, 0.8, 0.4, 0.6], risk=[0, 50, 70, 0, 90, 0])
    gaps = find_gaps(segments, target_pd=0.5)
    assert gaps[["km_from", "km_to"]].to_numpy() == pytest.approx(np.array([[1, 3], [4, 5]]))
    assert gaps["length_km"].tolist() == pytest.approx([2.0, 1.0])
    assert gaps["mean_p_detect"].tolist() == pytest.approx([0.15, 0.4])
    assert gaps["max_risk"].tolist() == [70, 90]
    assert gaps["incidents"].tolist() == [1 + 2, 4]
    # Risk-weighted length: 120 for the first, 90 for the second.
    assert gaps["priority"].tolist() == [1, 2]
    assert gaps.geometry.iloc[0].length > 0


def test_short_covered_stretches_are_bridged():
    segments = assessed([0.1, 0.9, 0.1, 0.9, 0.9, 0.1])
    assert len(find_gaps(segments, target_pd=0.5)) == 3
    gaps = find_gaps(segments, target_pd=0.5, min_bridge_m=1500)
    assert gaps[["km_from", "km_to"]].to_numpy() == pytest.approx(np.array([[0, 3], [5, 6]]))


def test_no_gaps_gives_empty_frame_with_columns():
    gaps = find_gaps(assessed([0.9, 0.8]), target_pd=0.5)
    assert len(gaps) == 0 and "priority" in gaps.columns and isinstance(gaps, gpd.GeoDataFrame)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30), st.floats(0.05, 1))
def test_gap_length_equals_length_below_target(p, target):
    segments = assessed(p)
    gaps = find_gaps(segments, target_pd=target)
    below = segments["length_m"][segments["p_detect"] < target - 1e-12].sum() / 1000
    assert gaps["length_km"].sum() == pytest.approx(below)
    assert sorted(gaps["priority"]) == list(range(1, len(gaps) + 1))
