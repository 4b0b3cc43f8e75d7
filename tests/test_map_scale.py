"""A national map stays small: runs of one colour, compact popups, simplified geometry."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString

from surveil import maps

LON0, LAT0 = 70.0, 40.0
DEG_PER_KM = 1 / 85.0


def _line(k0: float, k1: float, lat: float = LAT0) -> LineString:
    return LineString([(LON0 + k0 * DEG_PER_KM, lat), (LON0 + k1 * DEG_PER_KM, lat)])


def _segments(classes, p_detect, *, sections=None, lats=None) -> gpd.GeoDataFrame:
    n = len(classes)
    sections = sections or ["A"] * n
    lats = lats or [LAT0] * n
    return gpd.GeoDataFrame(
        {
            "section": sections,
            "segment_id": range(1, n + 1),
            "km_from": np.arange(n, dtype=float),
            "km_to": np.arange(1, n + 1, dtype=float),
            "length_m": [1000.0] * n,
            "risk": [float(10 * (i + 1)) for i in range(n)],
            "risk_class": classes,
            "p_detect": p_detect,
            "incidents": [1] * n,
        },
        geometry=[_line(k, k + 1, lat) for k, lat in zip(range(n), lats, strict=True)],
        crs=4326,
    )


def test_runs_of_one_risk_class_are_merged():
    segments = _segments(["low", "low", "high", "high", "high", "low"], [0.9] * 6)
    runs = maps.segment_runs(segments, segments["risk_class"])
    assert runs["km_from"].tolist() == [0.0, 2.0, 5.0]
    assert runs["km_to"].tolist() == [2.0, 5.0, 6.0]
    assert runs["length_km"].tolist() == [2.0, 3.0, 1.0]
    assert runs["segments"].tolist() == [2, 3, 1]
    assert runs["risk_class"].tolist() == ["low", "high", "low"]
    # risk 10..60 per segment: run 2-5 holds 30, 40, 50
    assert runs["max_risk"].tolist() == [20.0, 50.0, 60.0]
    assert runs["mean_risk"].tolist() == pytest.approx([15.0, 40.0, 60.0])
    assert runs["incidents"].tolist() == [2, 3, 1]
    # each run is one line from its first to its last km (20 m simplification of a straight line)
    first, last = runs.geometry.iloc[1].coords[0], runs.geometry.iloc[1].coords[-1]
    assert first == pytest.approx((LON0 + 2 * DEG_PER_KM, LAT0))
    assert last == pytest.approx((LON0 + 5 * DEG_PER_KM, LAT0))


def test_runs_break_at_sections_and_at_breaks_in_the_line():
    sections = ["A", "A", "B", "B"]
    lats = [LAT0, LAT0, LAT0, LAT0 + 0.01]  # the 4th segment does not continue the 3rd
    segments = _segments(["low"] * 4, [0.9] * 4, sections=sections, lats=lats)
    runs = maps.segment_runs(segments, segments["risk_class"])
    assert runs["segments"].tolist() == [2, 1, 1]
    assert runs["section"].tolist() == ["A", "B", "B"]


def test_mean_detection_of_a_run_is_length_weighted():
    segments = _segments(["low"] * 3, [0.2, 0.4, 0.9])
    segments["length_m"] = [1000.0, 1000.0, 2000.0]
    runs = maps.segment_runs(segments, None)
    assert runs["mean_p_detect"].iloc[0] == pytest.approx((0.2 + 0.4 + 2 * 0.9) / 4)
    assert runs["min_p_detect"].iloc[0] == pytest.approx(0.2)


def _collections(page: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"_data = (\{.*\});\n", page)]


def test_past_the_limit_the_map_draws_runs(monkeypatch):
    classes = ["low"] * 5 + ["critical"] * 5
    p_detect = [0.9] * 3 + [0.1] * 7
    segments = _segments(classes, p_detect)
    monkeypatch.setattr(maps, "MAX_SEGMENT_FEATURES", 4)
    page = maps.assessment_map({"segments": segments}).get_root().render()
    lines = [
        len(c["features"])
        for c in _collections(page)
        if c["features"] and c["features"][0]["geometry"]["type"] == "LineString"
    ]
    # risk: low 0-5, critical 5-10; detection: 0.8-1.0 for 0-3, 0.0-0.2 for 3-10
    assert lines == [2, 2]
    headings = [f["properties"].get("h") for c in _collections(page) for f in c["features"]]
    assert "A · km 0.0–5.0" in headings and "A · km 3.0–10.0" in headings


def test_popup_html_is_not_repeated_per_feature():
    segments = _segments(["low"] * 50, [0.5] * 50)
    page = maps.assessment_map({"segments": segments}).get_root().render()
    # the label of a popup row is written once per layer, not once per segment
    assert page.count("Detection probability") <= 3
