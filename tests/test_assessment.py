import dataclasses

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from surveil.assessment import SEGMENT_OUTPUT_COLUMNS, assess
from surveil.datasets import load_demo
from surveil.scenario import Scenario, load_scenario
from surveil.synthetic import synthetic_scenario
from tests.conftest import border_frame, point_off_line, sensor_frame, straight_line


@pytest.fixture(scope="module")
def demo():
    return assess(load_demo("synthetic"))


def test_demo_assessment_has_every_column_and_consistent_kpis(demo):
    seg = demo.segments
    assert list(seg.columns[:-1]) == SEGMENT_OUTPUT_COLUMNS
    km = seg["length_m"].sum() / 1000
    assert demo.summary["km_assessed"] == pytest.approx(km)
    covered = (seg["covered_frac"] * seg["length_m"]).sum() / 1000
    assert demo.summary["km_covered"] == pytest.approx(covered)
    assert demo.summary["gap_km"] == pytest.approx(demo.gaps["length_km"].sum())
    # Risk is absolute (uninterdicted persons per km per year), not scaled to its maximum.
    np.testing.assert_allclose(seg["risk"], seg["threat"] * seg["vulnerability"] * seg["impact"])
    assert (seg["threat"] >= 0).all()
    for col in ("p_sensor", "p_patrol", "p_detect", "covered_frac", "vulnerability"):
        assert seg[col].between(0, 1).all(), col
    np.testing.assert_allclose(
        seg["p_detect_realtime"] + seg["p_detect_delayed"], seg["p_detect"], atol=1e-12
    )
    assert set(seg["risk_class"]) <= {"low", "medium", "high", "critical"}
    recommended = demo.needs[demo.needs["recommended"]]
    assert demo.summary["capex_eur"] == pytest.approx(recommended["capex_eur"].sum())
    assert set(recommended["gap_id"]) == set(demo.gaps["gap_id"])


def test_plan_against_the_baseline_keeps_threat_and_lowers_risk(demo):
    plan = demo.scenario.scale_patrols(3.0)
    result = assess(plan, baseline=demo)
    assert result.model["structure_per_km_year"] == demo.model["structure_per_km_year"]
    assert (result.segments["p_detect"] >= demo.segments["p_detect"] - 1e-12).all()
    pd.testing.assert_series_equal(result.segments["threat"], demo.segments["threat"])
    assert result.segments["risk"].sum() < demo.segments["risk"].sum()


def test_same_results_from_wgs84_and_utm_inputs(tmp_path):
    base = load_demo("synthetic")
    layers = {}
    for crs in ("EPSG:4326", "EPSG:32642"):
        folder = tmp_path / crs.replace(":", "_")
        folder.mkdir()
        for kind in ("border", "sensors", "patrols", "incidents", "posts"):
            frame = getattr(base, kind).drop(columns="source_row", errors="ignore")
            if "date" in frame:
                frame = frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d"))
            frame.to_crs(crs).to_file(folder / f"{kind}.gpkg", driver="GPKG")
        layers[crs] = {
            k: folder / f"{k}.gpkg" for k in ("border", "sensors", "patrols", "incidents", "posts")
        }
    params = base.parameters.to_dict()
    results = [
        assess(load_scenario(layers=layers[crs], parameters=params)).segments for crs in layers
    ]
    numeric = results[0].select_dtypes("number").columns
    a, b = (r[numeric].replace([np.inf], np.nan) for r in results)
    pd.testing.assert_frame_equal(a, b, atol=1e-6, rtol=1e-6)
    assert (results[0]["risk_class"] == results[1]["risk_class"]).all()


# Direction of digitising and segment length (issue 7 items 5 and 8).

TABLE_TOL = {"rtol": 1e-9, "atol": 1e-9}


def reversed_sections(scenario, which, *, swap_countries=False):
    """The scenario with the vertex order of sections ``which`` (each part) reversed."""
    border = scenario.border.copy()
    rows = border.index[list(which)]
    border.loc[rows, "geometry"] = shapely.reverse(border.geometry[rows].to_numpy())
    if swap_countries:
        left = border.loc[rows, "country_left"].to_numpy()
        border.loc[rows, "country_left"] = border.loc[rows, "country_right"].to_numpy()
        border.loc[rows, "country_right"] = left
    return dataclasses.replace(scenario, border=border)


def assert_same_tables(a, b):
    for name in ("segments", "gaps"):
        x, y = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(
            pd.DataFrame(x.drop(columns="geometry")),
            pd.DataFrame(y.drop(columns="geometry")),
            **TABLE_TOL,
        )
        assert shapely.equals_exact(x.geometry.to_numpy(), y.geometry.to_numpy(), 1e-9).all()
    pd.testing.assert_frame_equal(a.needs, b.needs, **TABLE_TOL)
    assert a.summary.keys() == b.summary.keys()
    for key, value in a.summary.items():
        assert b.summary[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


@pytest.fixture(scope="module")
def kgz_tjk():
    scenario = load_demo()
    return scenario, assess(scenario)


@pytest.mark.parametrize("which", [(0,), (1,), (0, 1)])
def test_reversing_demo_sections_changes_no_table(kgz_tjk, which):
    # Before: reversing both sections moved covered km 80.72 -> 80.56, gaps 8 -> 7.
    scenario, base = kgz_tjk
    assert_same_tables(base, assess(reversed_sections(scenario, which)))


def test_own_country_from_the_country_columns_agrees_with_the_posture(kgz_tjk):
    # Both demo sections name Kyrgyzstan, where the sensors and posts stand.
    scenario, base = kgz_tjk
    assert_same_tables(base, assess(scenario.with_parameters(own_country="Kyrgyzstan")))
    # ceil(121.644 km / 100 m) + ceil(51.920 km / 100 m), each point counted once.
    assert base.model["target_points"] == 1217 + 520


def test_reversed_vorukh_ring_keeps_candidate_sites_outside_the_enclave(kgz_tjk):
    # Before: 15 of the 16 sites near the ring stood inside the Tajik enclave.
    scenario, base = kgz_tjk
    row = int(np.flatnonzero(scenario.border["section"] == "Vorukh enclave")[0])
    ring = scenario.border.geometry.iloc[row]
    enclave = shapely.Polygon(shapely.get_coordinates(ring))
    result = assess(reversed_sections(scenario, [row]))
    for candidates in (base.candidates, result.candidates):
        xy = candidates.geometry
        assert not shapely.contains_xy(enclave, xy.x, xy.y).any()
    pd.testing.assert_frame_equal(
        pd.DataFrame(base.candidates.drop(columns="geometry")),
        pd.DataFrame(result.candidates.drop(columns="geometry")),
    )


def test_covered_and_gap_km_add_up_to_the_assessed_km(kgz_tjk):
    # Before: 80.72 + 92.64 = 173.36 of 173.56 km (blind km outside gaps, covered inside).
    _, base = kgz_tjk
    s = base.summary
    assert s["km_covered"] + s["gap_km"] == pytest.approx(s["km_assessed"], rel=1e-12)


def test_segment_length_changes_only_the_resolution_on_the_demo(kgz_tjk):
    # Before: CAPEX 69,500 / 69,500 / 211,500 EUR at 1000 / 500 / 200 m.
    scenario, base = kgz_tjk
    for segment_m in (500.0, 200.0):
        result = assess(scenario.with_parameters(segment_m=segment_m))
        s, b = result.summary, base.summary
        assert s["km_covered"] == pytest.approx(b["km_covered"], rel=0.005)
        assert s["gap_km"] == pytest.approx(b["gap_km"], rel=0.02)
        cols = ["section", "part", "km_from", "km_to", "length_km", "n_points", "mean_p_detect"]
        pd.testing.assert_frame_equal(result.gaps[cols], base.gaps[cols], **TABLE_TOL)
        assert s["capex_eur"] == b["capex_eur"]


@pytest.fixture(scope="module")
def small():
    return synthetic_scenario(
        border_km=24,
        sensors=10,
        patrols=3,
        incidents=120,
        seed=3,
        sections=3,
        parameters={"sample_m": 100.0, "path_depth_m": 200.0},
    )


@settings(max_examples=6, deadline=None)
@given(which=st.sets(st.integers(0, 2), min_size=1), by_country=st.booleans())
def test_reversing_any_sections_changes_no_table(small, which, by_country):
    scenario = small.with_parameters(own_country="SYN") if by_country else small
    base = assess(scenario)
    result = assess(reversed_sections(scenario, sorted(which), swap_countries=by_country))
    assert_same_tables(base, result)


@settings(max_examples=6, deadline=None)
@given(segment_m=st.floats(150.0, 4000.0))
def test_segment_length_changes_only_the_resolution(small, segment_m):
    base = assess(small).summary
    s = assess(small.with_parameters(segment_m=segment_m)).summary
    assert s["km_covered"] == pytest.approx(base["km_covered"], rel=0.005)
    assert s["gap_km"] == pytest.approx(base["gap_km"], rel=0.02)
    assert s["km_covered"] + s["gap_km"] == pytest.approx(s["km_assessed"], rel=1e-12)


def test_a_plan_keeps_its_baseline_chainage():
    # One sensor right of the line (the own side); the plan puts three left of it.
    line = straight_line(8000)
    right = [point_off_line(line, 2000, -400)[0]]
    left = [point_off_line(line, a, 400)[0] for a in (3000, 5000, 7000)]
    base = assess(
        Scenario.from_layers(
            border_frame(line),
            sensors=sensor_frame([{"geometry": g, "range_m": 1500.0, "pd": 0.9} for g in right]),
            parameters={"sample_m": 100.0},
        )
    )
    added = sensor_frame([{"geometry": g, "range_m": 1500.0, "pd": 0.9} for g in left])
    added["id"] = ["P1", "P2", "P3"]
    plan = base.scenario.add_sensors(added)
    alone = assess(plan)  # on its own, the plan's majority stands left: chainage reversed
    assert alone.border.geometry.iloc[0].coords[0] == pytest.approx(line.coords[-1])
    result = assess(plan, baseline=base)
    assert result.border.geometry.iloc[0].coords[0] == pytest.approx(line.coords[0])
    pd.testing.assert_frame_equal(
        result.segments[["km_from", "km_to"]], base.segments[["km_from", "km_to"]]
    )
    assert (result.segments["p_sensor"] >= base.segments["p_sensor"] - 1e-12).all()
