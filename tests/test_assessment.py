import numpy as np
import pandas as pd
import pytest

from surveil.assessment import SEGMENT_OUTPUT_COLUMNS, assess
from surveil.datasets import load_demo
from surveil.scenario import load_scenario


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
