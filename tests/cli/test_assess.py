import json

import pandas as pd
import pytest

from surveil.cli.main import cli
from surveil.datasets import get_path

DEMO = get_path("synthetic")


def test_flags_override_the_scenario(runner, tmp_path):
    out = tmp_path / "o"
    result = runner.invoke(
        cli, ["assess", str(DEMO), "--out", str(out), "--segment-m", "500", "--target-pd", "0.7"]
    )
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text())
    assert run["parameters"]["segment_m"] == 500 and run["parameters"]["target_pd"] == 0.7
    segments = pd.read_csv(out / "segments.csv")
    assert segments["length_m"].max() == pytest.approx(500)


def test_layers_from_flags_only(runner, tmp_path):
    demo = DEMO.parent
    out = tmp_path / "o"
    result = runner.invoke(
        cli,
        [
            "assess",
            "--border",
            str(demo / "border.geojson"),
            "--sensors",
            str(demo / "sensors.csv"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["patrol_routes"] == 0


def test_inputs_are_not_modified(runner, tmp_path):
    before = {p.name: p.read_bytes() for p in DEMO.parent.iterdir() if p.is_file()}
    result = runner.invoke(cli, ["assess", str(DEMO), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    after = {p.name: p.read_bytes() for p in DEMO.parent.iterdir() if p.is_file()}
    assert before == after


def test_no_inputs_is_a_usage_error(runner):
    result = runner.invoke(cli, ["assess"])
    assert result.exit_code == 2
    assert "--border" in result.output


def test_bad_sensor_value_exits_2_naming_file_row_field(runner, tmp_path):
    demo = DEMO.parent
    sensors = pd.read_csv(demo / "sensors.csv")
    sensors.loc[2, "range_m"] = -500
    bad = tmp_path / "sensors.csv"
    sensors.to_csv(bad, index=False)
    result = runner.invoke(
        cli,
        [
            "assess",
            "--border",
            str(demo / "border.geojson"),
            "--sensors",
            str(bad),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 2
    assert "sensors.csv" in result.output and "row 3" in result.output
    assert "range_m" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_swapped_lon_lat_is_refused_with_a_hint(runner, tmp_path):
    demo = DEMO.parent
    posts = pd.read_csv(demo / "posts.csv").rename(columns={"lon": "lat", "lat": "lon"})
    bad = tmp_path / "posts.csv"
    posts.to_csv(bad, index=False)
    result = runner.invoke(
        cli, ["validate", "--border", str(demo / "border.geojson"), "--posts", str(bad)]
    )
    assert result.exit_code == 2
    assert "posts" in result.output and "swapped" in result.output


def test_validate_ok(runner):
    result = runner.invoke(cli, ["validate", str(DEMO)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_validate_reports_every_problem(runner, tmp_path):
    demo = DEMO.parent
    sensors = pd.read_csv(demo / "sensors.csv")
    sensors.loc[0, "pd"] = 1.5
    sensors.loc[4, "status"] = "broken"
    sensors.to_csv(tmp_path / "s.csv", index=False)
    patrols = tmp_path / "p.csv"
    patrols.write_text("id,lon,lat\nP1,70.5,39.9\n")
    result = runner.invoke(
        cli,
        [
            "validate",
            "--border",
            str(demo / "border.geojson"),
            "--sensors",
            str(tmp_path / "s.csv"),
            "--patrols",
            str(patrols),
        ],
    )
    assert result.exit_code == 2
    for text in ("row 1", "pd", "row 5", "status", "p.csv"):
        assert text in result.output, text


def test_version_and_help(runner):
    assert runner.invoke(cli, ["--version"]).exit_code == 0
    for command in ("demo", "assess", "validate", "map"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and "Examples" in result.output


def test_python_dash_m_entry_point():
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "surveil", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and "surveil" in proc.stdout


def test_import_surveil_stays_light():
    import subprocess
    import sys

    code = "import sys, surveil; print(any(m in sys.modules for m in ('folium', 'click')))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False"


def test_plan_against_a_baseline_keeps_its_threat(runner, tmp_path):
    # A plan: the synthetic scenario with every patrol visiting three times as often.
    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    for f in DEMO.parent.iterdir():
        (plan_dir / f.name).write_bytes(f.read_bytes())
    patrols = plan_dir / "patrols.geojson"
    doc = json.loads(patrols.read_text())
    for feature in doc["features"]:
        feature["properties"]["visits_per_day"] *= 3
    patrols.write_text(json.dumps(doc))
    base_out, plan_out = tmp_path / "b", tmp_path / "p"
    assert runner.invoke(cli, ["assess", str(DEMO), "--out", str(base_out)]).exit_code == 0
    result = runner.invoke(
        cli,
        ["assess", str(plan_dir / DEMO.name), "--baseline", str(DEMO), "--out", str(plan_out)],
    )
    assert result.exit_code == 0, result.output
    base = pd.read_csv(base_out / "segments.csv")
    plan = pd.read_csv(plan_out / "segments.csv")
    pd.testing.assert_series_equal(plan["threat"], base["threat"])
    assert (plan["p_detect"] >= base["p_detect"] - 1e-9).all()
    assert plan["risk"].sum() < base["risk"].sum()
    run = json.loads((plan_out / "run.json").read_text())
    assert run["model"]["recording_posture"] == "baseline"


@pytest.mark.parametrize(
    ("flag", "value", "named"),
    [("--target-pd", "1", "target_pd"), ("--segment-m", "inf", "segment_m")],
)
def test_parameter_rules_refuse_before_any_work(runner, tmp_path, flag, value, named):
    result = runner.invoke(cli, ["assess", str(DEMO), flag, value, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert named in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_zero_trace_persistence_is_refused_by_the_scenario_rules(tmp_path):
    from surveil.errors import ScenarioError
    from surveil.scenario import Parameters

    with pytest.raises(ScenarioError, match="trace_persistence_h"):
        Parameters.from_mapping({"trace_persistence_h": 0})


def test_compare_a_plan_folder_with_its_baseline_folder(runner, tmp_path):
    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    for f in DEMO.parent.iterdir():
        (plan_dir / f.name).write_bytes(f.read_bytes())
    patrols = plan_dir / "patrols.geojson"
    doc = json.loads(patrols.read_text())
    for feature in doc["features"]:
        feature["properties"]["visits_per_day"] *= 2
    patrols.write_text(json.dumps(doc))
    base_out, plan_out, out = tmp_path / "b", tmp_path / "p", tmp_path / "c"
    assert runner.invoke(cli, ["assess", str(DEMO), "--out", str(base_out)]).exit_code == 0
    assert (
        runner.invoke(cli, ["assess", str(plan_dir / DEMO.name), "--out", str(plan_out)]).exit_code
        == 0
    )
    # Output folders are rebuilt from run.json; the plan is reassessed against the baseline.
    result = runner.invoke(cli, ["compare", str(base_out), str(plan_out), "--out", str(out)])
    assert result.exit_code == 0, result.output
    segments = pd.read_csv(out / "compare.csv")
    assert (segments["threat_change"] == 0).all()
    assert (segments["p_detect_change"] >= -1e-9).all()
    record = json.loads((out / "compare.json").read_text())
    assert record["threat_held_at_baseline"] is True
    # Twice the visits need more patrol units, bought at the catalogue's CAPEX per unit:
    # units = route km x visits added / km_per_day of the route's mode.
    from pyproj import Geod

    from surveil.scenario import load_scenario

    scenario = load_scenario(DEMO)
    catalogue = scenario.catalogue.set_index("type")
    geod = Geod(ellps="WGS84")
    expected = sum(
        row.visits_per_day
        * geod.geometry_length(row.geometry)
        / 1000
        / catalogue.loc[f"{row.mode}_patrol", "km_per_day"]
        * catalogue.loc[f"{row.mode}_patrol", "capex_eur"]
        for row in scenario.patrols.itertuples()
    )
    assert expected > 0
    assert record["cost"]["capex_eur"] == pytest.approx(expected, rel=1e-6)
    assert record["cost"]["patrol_km_per_day_added"] > 0
    assert (out / "plan" / "map.html").is_file() and (out / "compare_gaps.csv").is_file()
    assert (out / "map.html").is_file()  # both postures on one map
    # Same figures from the scenario files themselves.
    again = tmp_path / "c2"
    result = runner.invoke(
        cli, ["compare", str(DEMO), str(plan_dir / DEMO.name), "--out", str(again)]
    )
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_csv(again / "compare.csv"), segments)
