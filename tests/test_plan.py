"""Plans verified by running the pipeline on them (issue 9)."""

import json

import numpy as np
import pandas as pd
import pytest

from surveil.assessment import assess
from surveil.cli.main import cli
from surveil.datasets import get_path, load_demo
from surveil.planning import plan

DEMO = get_path("synthetic")


@pytest.fixture(scope="module")
def base():
    return assess(load_demo("synthetic"))


def test_close_gaps_plan_reassessed_leaves_only_unreachable_stretches(base):
    result = plan(base.scenario, close_gaps=True, baseline=base)
    after = result.assess()
    unreachable_km = float(result.unreachable["length_km"].sum())
    assert after.summary["gap_km"] <= unreachable_km + 1e-6
    for gap in after.gaps.itertuples(index=False):
        same = result.unreachable[result.unreachable["section"] == gap.section]
        inside = (same["km_from"] <= gap.km_from + 1e-6) & (same["km_to"] >= gap.km_to - 1e-6)
        assert inside.any(), f"gap {gap.gap_id} at km {gap.km_from}-{gap.km_to} is not reported"
    # Threat is held at the baseline: the plan's own detection does not lower it.
    pd.testing.assert_series_equal(after.segments["threat"], base.segments["threat"])
    assert result.result.capex_eur == pytest.approx(result.sites["capex_eur"].sum())


@pytest.mark.parametrize("budget", [50_000.0, 400_000.0])
def test_budget_never_exceeds_its_limits_and_the_curve_is_monotone(base, budget):
    result = plan(base.scenario, capex_eur=budget, staff_fte=5.0, baseline=base)
    assert result.result.capex_eur <= budget + 1e-6
    assert result.result.staff_fte <= 5.0 + 1e-9
    assert result.sites["capex_eur"].sum() <= budget + 1e-6
    curve = result.curve[result.curve["method"] == "greedy"].sort_values("step")
    assert (np.diff(curve["capex_eur"]) >= 0).all()
    assert (np.diff(curve["risk_reduced_persons_per_year"]) >= -1e-9).all()
    assert (np.diff(curve["gap_km_remaining"]) <= 1e-9).all()
    assert (np.diff(curve["km_lifted_to_target"]) >= -1e-9).all()
    # Re-assessed, the plan detects at least as well as the baseline everywhere.
    after = result.assess()
    assert (after.segments["p_detect"] >= base.segments["p_detect"] - 1e-9).all()


def test_close_gaps_cost_does_not_depend_on_segment_length():
    costs = []
    for segment_m in (1000.0, 500.0):
        scenario = load_demo("synthetic").with_parameters(segment_m=segment_m)
        result = plan(scenario, close_gaps=True)
        costs.append(result.result.capex_eur + 10 * result.result.opex_eur_per_year)
    assert costs[1] == pytest.approx(costs[0], rel=0.02)


def test_cli_plan_folder_and_plan_toml_reassess(tmp_path):
    from click.testing import CliRunner

    runner = CliRunner()
    out = tmp_path / "plan"
    result = runner.invoke(cli, ["plan", str(DEMO), "--close-gaps", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in (
        "sites.csv",
        "plan.gpkg",
        "budget_curve.csv",
        "budget_curve.png",
        "plan.json",
        "plan.toml",
        "baseline.toml",
        "needs.csv",
        "needs.xlsx",
        "map.html",
        "segments.csv",
        "unreachable.csv",
    ):
        assert (out / name).exists(), name
    record = json.loads((out / "plan.json").read_text())
    assert record["mode"] == "close-gaps" and record["chosen"] == len(
        pd.read_csv(out / "sites.csv")
    )
    needs = pd.read_csv(out / "needs.csv")
    assert needs["capex_eur"].sum() == pytest.approx(record["cost"]["capex_eur"])
    # 'surveil assess plan.toml' re-assesses the plan against its baseline.
    again = tmp_path / "again"
    result = runner.invoke(cli, ["assess", str(out / "plan.toml"), "--out", str(again)])
    assert result.exit_code == 0, result.output
    a = pd.read_csv(out / "segments.csv")
    b = pd.read_csv(again / "segments.csv")
    pd.testing.assert_series_equal(a["p_detect"], b["p_detect"], atol=1e-9)
    pd.testing.assert_series_equal(a["threat"], b["threat"], atol=1e-9)
    summary = json.loads((again / "summary.json").read_text())
    unreachable = pd.read_csv(out / "unreachable.csv")
    assert summary["gap_km"] <= unreachable["length_km"].sum() + 1e-6


def test_cli_plan_needs_a_budget_or_close_gaps(tmp_path):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["plan", str(DEMO), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "--budget" in result.output


def test_unreachable_stretches_are_reported_with_the_reason():
    import dataclasses

    import geopandas as gpd
    import shapely

    from surveil import Scenario
    from tests.conftest import border_frame, point_off_line, straight_line

    line = straight_line(20_000.0)
    incidents = gpd.GeoDataFrame(
        {"date": ["2025-06-01"] * 10, "persons": [1] * 10},
        geometry=[point_off_line(line, a, -100.0)[0] for a in range(1000, 20_000, 2000)],
        crs=4326,
    )
    border = border_frame(line).assign(country_left="Other", country_right="Own")
    scenario = Scenario.from_layers(
        border,
        incidents=incidents,
        parameters={"segment_m": 1000.0, "sample_m": 100.0, "own_country": "Own"},
    )
    # Sensors only (no patrol means), and nothing may stand south of km 0-12.
    catalogue = scenario.catalogue[scenario.catalogue["kind"] == "sensor"].reset_index(drop=True)
    scenario = dataclasses.replace(scenario, catalogue=catalogue)
    a, _ = point_off_line(line, -5000.0, 0.0)
    b, _ = point_off_line(line, 12_000.0, 0.0)
    exclusion = gpd.GeoDataFrame(geometry=[shapely.box(a.x, a.y - 0.2, b.x, a.y + 0.2)], crs=4326)
    result = plan(scenario, close_gaps=True, exclusions=exclusion)
    stretches = result.unreachable
    assert len(stretches) >= 1
    # Hand: the nearest feasible sites stand past km 12; the longest range is the
    # radar's 8 km (1 km inside at most 2 km), so km 0 to about 4 is out of reach.
    first = stretches.sort_values("km_from").iloc[0]
    assert first["km_from"] == pytest.approx(0.0, abs=1e-9)
    assert 2.0 < first["km_to"] < 6.0
    assert first["reason"] == "no feasible site within range"
    after = result.assess()
    assert after.summary["gap_km"] <= float(stretches["length_km"].sum()) + 1e-6


def test_a_plan_counts_its_own_sensors_and_not_the_baselines_planned_ones() -> None:
    # kgz-tjk has one sensor planned by the agency (status planned), which the
    # baseline does not count: the plan counts exactly what it places on top.
    import geopandas as gpd
    import shapely

    from surveil.planning import planned_scenario
    from surveil.sensors import active_sensors

    demo = load_demo()
    status = demo.sensors["status"].astype(str)
    assert (status == "planned").sum() == 1
    operational = int((status == "operational").sum())
    site = demo.sensors.geometry.iloc[0]
    sites = gpd.GeoDataFrame(
        {
            "kind": ["sensor"],
            "type": ["thermal_tower"],
            "range_m": [5000.0],
            "pd": [0.8],
            "availability": [0.95],
            "mast_m": [20.0],
            "azimuth_deg": [90.0],
            "fov_deg": [180.0],
        },
        geometry=[shapely.Point(site.x + 0.01, site.y)],
        crs=4326,
    )
    planned = planned_scenario(demo, sites)
    counted = active_sensors(planned.sensors, include_planned=planned.parameters.include_planned)
    assert len(counted) == operational + 1
    assert counted["id"].tolist()[-1] == "plan-1"
    assert "planned" not in set(counted["status"].astype(str))
