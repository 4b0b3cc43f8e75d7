import csv
import json
import sqlite3

import pytest

from surveil.cli.main import cli
from surveil.outputs import GPKG_LAYERS, OUTPUT_FILES


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("runs") / "demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result


def test_demo_writes_exactly_the_output_files(demo_out):
    out, result = demo_out
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "assessment.gpkg",
            "gaps.csv",
            "hillshade.json",  # the demo has terrain
            "hillshade.png",
            "map.html",
            "needs.csv",
            "needs.xlsx",
            "report.html",
            "run.json",
            "segments.csv",
            "summary.json",
            "services.csv",
            # the demo has an areas layer
            "areas.csv",
            "seams.csv",
            "responders.csv",
            "coordination.csv",
        ]
    )
    assert set(OUTPUT_FILES) <= {p.name for p in out.iterdir()}
    assert "segments" in result.output and "gaps" in result.output


def test_demo_tables_read_back(demo_out):
    out, _ = demo_out
    with (out / "segments.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    for col in (
        "section",
        "segment_id",
        "km_from",
        "km_to",
        "length_m",
        "p_sensor",
        "p_patrol",
        "p_detect",
        "covered_frac",
        "sensors_seeing",
        "revisit_h",
        "incidents_per_km_year",
        "threat",
        "vulnerability",
        "risk",
        "risk_class",
    ):
        assert col in rows[0], col
    summary = json.loads((out / "summary.json").read_text())
    for key in (
        "km_assessed",
        "km_covered",
        "covered_share",
        "mean_p_detect",
        "gap_count",
        "gap_km",
        "high_risk_km",
        "capex_eur",
        "opex_eur_per_year",
    ):
        assert key in summary, key
    km = sum(float(r["length_m"]) for r in rows) / 1000
    assert summary["km_assessed"] == pytest.approx(km, rel=1e-6)
    with (out / "gaps.csv").open() as fh:
        gaps = list(csv.DictReader(fh))
    assert list(gaps[0]) == [
        "gap_id",
        "section",
        "part",
        "km_from",
        "km_to",
        "length_km",
        "mean_p_detect",
        "mean_risk",
        "max_risk",
        "incidents",
        "priority",
        "n_points",
        "window",
    ]
    # gaps of a crossing at any time, then by day and at night (issue 11)
    for window in ("all", "day", "night"):
        mine = [g for g in gaps if g["window"] == window]
        key = "gap_count" if window == "all" else f"gap_count_{window}"
        assert len(mine) == summary[key]
        km = "gap_km" if window == "all" else f"gap_km_{window}"
        assert sum(float(g["length_km"]) for g in mine) == pytest.approx(summary[km])
    with (out / "needs.csv").open() as fh:
        needs = list(csv.DictReader(fh))
    capex = sum(float(r["capex_eur"]) for r in needs if r["recommended"] == "True")
    assert summary["capex_eur"] == pytest.approx(capex)


def test_demo_geopackage_and_run_record(demo_out):
    out, _ = demo_out
    with sqlite3.connect(out / "assessment.gpkg") as db:
        names = {r[0] for r in db.execute("select table_name from gpkg_contents")}
    assert set(GPKG_LAYERS) <= names
    run = json.loads((out / "run.json").read_text())
    assert run["surveil_version"]
    assert {i["layer"] for i in run["inputs"]} >= {"border", "sensors", "patrols", "incidents"}
    assert all(len(i["sha256"]) == 64 for i in run["inputs"])
    assert run["parameters"]["segment_m"] == 1000
    assert run["model"]["structure_per_km_year"] > 0
    assert run["model"]["risk_breaks"] == [1.0, 4.0, 12.0]


def test_existing_folder_is_not_overwritten(demo_out, runner):
    out, _ = demo_out
    before = (out / "segments.csv").read_bytes()
    result = runner.invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 2
    assert "--overwrite" in result.output and "Traceback" not in result.output
    assert (out / "segments.csv").read_bytes() == before


def test_same_inputs_give_identical_tables(demo_out, runner, tmp_path):
    out, _ = demo_out
    again = tmp_path / "again"
    result = runner.invoke(cli, ["demo", "--out", str(again)])
    assert result.exit_code == 0, result.output
    for name in ("segments.csv", "gaps.csv", "needs.csv", "summary.json"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_overwrite_replaces_whole_folder(runner, tmp_path):
    out = tmp_path / "o"
    assert runner.invoke(cli, ["demo", "--out", str(out)]).exit_code == 0
    (out / "map.html").write_text("stale")
    result = runner.invoke(cli, ["demo", "--out", str(out), "--overwrite", "--lang", "ru"])
    assert result.exit_code == 0, result.output
    assert "риск" in (out / "map.html").read_text().lower()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_overwrite_refuses_a_folder_surveil_did_not_write(runner, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    result = runner.invoke(cli, ["demo", "--out", str(out), "--overwrite"])
    assert result.exit_code == 2
    assert (out / "stale.txt").read_text() == "old"
