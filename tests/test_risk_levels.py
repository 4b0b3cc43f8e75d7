"""Risk a planner can trust: absolute levels, real-time interdiction, unobserved not safe,
threat from the recording posture (issue 7, items 2, 3, 6 and 7)."""

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveil import Scenario, assess
from tests.conftest import border_frame, point_off_line, sensor_frame, straight_line

LINE = straight_line(40_000.0)


def incidents_frame(along_m, *, persons=1, offset_m=100.0):
    points = [point_off_line(LINE, a, offset_m)[0] for a in along_m]
    n = len(points)
    dates = pd.date_range("2025-01-01", "2025-12-31", periods=n).strftime("%Y-%m-%d")
    return gpd.GeoDataFrame(
        {"date": list(dates), "persons": [persons] * n, "type": ["crossing"] * n},
        geometry=points,
        crs="EPSG:4326",
    )


def towers(every_m, *, pd_=0.95, range_m=2500.0, offset_m=-500.0, start_m=None):
    # Negative offsets: right of LINE, the own side, so chainage runs as LINE is digitised.
    start = every_m / 2 if start_m is None else start_m
    rows = [
        {"geometry": point_off_line(LINE, a, offset_m)[0], "range_m": range_m, "pd": pd_}
        for a in np.arange(start, LINE.length * 1e9, every_m)
        if a < 40_000.0
    ]
    return sensor_frame(rows)


def scenario(sensors, incidents, **parameters):
    return Scenario.from_layers(
        border_frame(LINE),
        sensors=sensors,
        incidents=incidents,
        parameters={"segment_m": 1000.0, "sample_m": 50.0, **parameters},
    )


INCIDENTS = incidents_frame(np.linspace(500.0, 39_500.0, 40))


@pytest.fixture(scope="module")
def demo_scenario():
    from surveil.datasets import load_demo

    return load_demo()


@pytest.fixture(scope="module")
def demo_result(demo_scenario):
    return assess(demo_scenario)


def test_well_watched_border_has_no_high_risk():
    # Issue 7.2: a straight 40 km border with a pd 0.95 tower every 4 km and
    # 40 incidents came out 24 km high or critical (risk scaled to its maximum).
    result = assess(scenario(towers(4000.0), INCIDENTS))
    assert result.summary["mean_p_detect"] > 0.95
    # Hand: about 1 incident per km per year, at most 5 % of crossers unseen.
    assert result.segments["risk"].max() < 1.0
    assert result.summary["high_risk_km"] == 0.0
    assert set(result.segments["risk_class"]) == {"low"}


def test_ten_times_more_persons_is_ten_times_the_risk():
    # Issue 7.2: ten times more persons per incident gave identical classes.
    sensors = towers(8000.0, pd_=0.6, range_m=2000.0)
    one = assess(scenario(sensors, INCIDENTS))
    ten = assess(scenario(sensors, incidents_frame(np.linspace(500.0, 39_500.0, 40), persons=10)))
    np.testing.assert_allclose(ten.segments["threat"], 10 * one.segments["threat"], rtol=1e-9)
    np.testing.assert_allclose(ten.segments["risk"], 10 * one.segments["risk"], rtol=1e-9)
    assert (ten.segments["risk_class"] != one.segments["risk_class"]).any()
    assert ten.summary["high_risk_km"] > one.summary["high_risk_km"]


def test_unobserved_stretch_is_unknown_not_safe():
    # Issue 7.6: no incidents are recorded where nobody could see them.
    # Towers cover km 0-32.45; km 33-40 is blind and has no recorded incidents.
    sensors = towers(4000.0, start_m=2000.0).iloc[:8]
    incidents = incidents_frame(np.linspace(500.0, 29_500.0, 60))
    result = assess(scenario(sensors, incidents))
    seg = result.segments
    blind = seg["km_from"].to_numpy() >= 33.0  # the last tower (km 30) reaches km 32.45
    assert (seg.loc[blind, "p_detect"] < 0.1).all()
    assert (seg.loc[blind, "threat_confidence"] == "low").all()
    watched = seg["threat_confidence"] == "high"
    assert watched.sum() >= 29
    # Without context layers, an unobserved segment carries the mean threat
    # seen where detection is good (hand: length-weighted mean of that part).
    lengths = seg.loc[watched, "length_m"]
    mean_seen = float(
        np.average(seg.loc[watched, "incidents_corrected_per_km_year"], weights=lengths)
    )
    np.testing.assert_allclose(seg.loc[blind, "threat"], mean_seen, rtol=1e-9)
    assert (seg.loc[blind, "risk_class"] != "low").all()
    assert result.summary["unknown_threat_km"] == pytest.approx(
        float(seg.loc[~watched, "length_m"].sum()) / 1000
    )


def test_demo_patrol_traces_are_not_interdiction(demo_scenario):
    # Issue 7.3: with patrols alone, 104 of 174 demo segments had P_interdict > 0.3
    # because traces read up to 12 h later counted as real-time detection.
    alone = assess(dataclasses.replace(demo_scenario, sensors=demo_scenario.sensors.iloc[:0]))
    seg = alone.segments
    assert (seg["p_patrol"] > 0.3).sum() > 100  # traces are still read ...
    assert (seg["p_interdict"] > 0.3).sum() == 0  # ... but seldom lead to an interdiction
    assert seg["p_detect_realtime"].max() < 0.05
    np.testing.assert_allclose(seg["p_detect_realtime"] + seg["p_detect_delayed"], seg["p_detect"])


def test_demo_plan_does_not_lower_threat_with_its_own_detection(demo_scenario, demo_result):
    # Issue 7.7: one more tower at Vorukh km 3 lowered threat there 0.843 -> 0.452
    # with the same incidents.
    seg = demo_result.segments
    vorukh = seg[(seg["section"] == "Vorukh enclave") & (seg["km_from"] == 3.0)].iloc[0]
    mid = vorukh.geometry.interpolate(0.5, normalized=True)
    tower = sensor_frame(
        [{"geometry": mid, "range_m": 5000.0, "pd": 0.9, "height_m": 20.0, "id": "NEW"}]
    )
    plan = demo_scenario.add_sensors(tower)
    alone = assess(plan)
    against = assess(plan, baseline=demo_result)
    row = vorukh.name
    assert alone.segments.loc[row, "p_detect"] > vorukh["p_detect"]
    assert alone.segments.loc[row, "threat"] < vorukh["threat"]  # the defect, without a baseline
    pd.testing.assert_series_equal(against.segments["threat"], seg["threat"])
    assert against.segments.loc[row, "risk"] < vorukh["risk"]


@pytest.fixture(scope="module")
def small_base():
    return assess(scenario(towers(10_000.0, pd_=0.7), INCIDENTS))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.floats(0.0, 40_000.0), st.floats(-3000.0, 3000.0), st.floats(100.0, 5000.0)),
        min_size=1,
        max_size=4,
    )
)
def test_a_plan_never_changes_threat(small_base, added):
    rows = [
        {"geometry": point_off_line(LINE, a, o)[0], "range_m": r, "pd": 0.9} for a, o, r in added
    ]
    added_sensors = sensor_frame(rows)
    added_sensors["id"] = [f"new-{i}" for i in range(len(rows))]
    plan = small_base.scenario.add_sensors(added_sensors)
    result = assess(plan, baseline=small_base)
    pd.testing.assert_series_equal(result.segments["threat"], small_base.segments["threat"])
    assert (result.segments["risk"] <= small_base.segments["risk"] + 1e-12).all()


def test_baseline_on_other_target_points_is_refused(small_base):
    from surveil.errors import ScenarioError

    with pytest.raises(ScenarioError, match="other target points"):
        assess(small_base.scenario.with_parameters(segment_m=500.0), baseline=small_base)


def test_section_and_area_impact_weigh_risk():
    sensors = towers(8000.0, pd_=0.6, range_m=2000.0)
    base = assess(scenario(sensors, INCIDENTS))
    doubled = dataclasses.replace(base.scenario, section_impact={"A": 2.0})
    np.testing.assert_allclose(assess(doubled).segments["risk"], 2 * base.segments["risk"])
    # An impact area over km 0-10 (a settlement, a corridor) weighs 3 there, 1 elsewhere.
    a, _ = point_off_line(LINE, 0.0, 0.0)
    b, _ = point_off_line(LINE, 10_000.0, 0.0)
    area = gpd.GeoDataFrame(
        {"name": ["corridor"], "impact": [3.0]},
        geometry=[shapely.box(a.x - 0.01, a.y - 0.01, b.x, b.y + 0.01)],
        crs="EPSG:4326",
    )
    weighted = assess(dataclasses.replace(base.scenario, impact=area)).segments
    inside = weighted["km_to"] <= 10.0
    np.testing.assert_allclose(weighted.loc[inside, "impact"], 3.0)
    np.testing.assert_allclose(weighted.loc[weighted["km_from"] >= 11.0, "impact"], 1.0)
    np.testing.assert_allclose(weighted.loc[inside, "risk"], 3 * base.segments.loc[inside, "risk"])
