"""The straight-line needs of an ordinary assessment are labelled a quick estimate (issue 9 §5).

Wherever a planner sees them: needs.csv and needs.xlsx, summary.json, the
line the command prints, the map's key figures and the report; a plan's
needs are its placement and are not labelled so.
"""

from __future__ import annotations

import html
import json

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from surveil import i18n
from surveil.cli.main import cli
from surveil.datasets import get_path
from surveil.needs import PLACEMENT, QUICK_ESTIMATE
from tests.test_maps import _decoded_panel

DEMO = get_path("synthetic")


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("quick")
    runner = CliRunner()
    out = {"assess": root / "assess", "plan": root / "plan", "ru": root / "assess-ru"}
    done = runner.invoke(cli, ["assess", str(DEMO), "--out", str(out["assess"])])
    assert done.exit_code == 0, done.output
    out["line"] = done.output
    done = runner.invoke(cli, ["assess", str(DEMO), "--out", str(out["ru"]), "--lang", "ru", "-q"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(cli, ["plan", str(DEMO), "--close-gaps", "--out", str(out["plan"]), "-q"])
    assert done.exit_code == 0, done.output
    return out


def test_assessment_needs_are_labelled_quick_estimate_in_every_table(folders):
    folder = folders["assess"]
    assert "needs, quick estimate on a straight, flat line:" in folders["line"]
    needs = pd.read_csv(folder / "needs.csv")
    assert len(needs) > 0 and set(needs["basis"]) == {QUICK_ESTIMATE}
    assert "quick estimate" in QUICK_ESTIMATE
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["needs_quick_estimate"] is True
    book = openpyxl.load_workbook(folder / "needs.xlsx")
    header = [c.value for c in next(book["Needs"].iter_rows(max_row=1))]
    column = header.index("basis")
    values = {row[column] for row in book["Needs"].iter_rows(min_row=2, values_only=True)}
    assert values == {QUICK_ESTIMATE}
    keys = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert keys["needs_quick_estimate"] in (True, "True", "true")


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_map_and_report_key_figures_say_quick_estimate(folders, lang):
    folder = folders["assess" if lang == "en" else "ru"]
    quick = i18n.label("capex_eur_quick", lang)
    kpis = _decoded_panel((folder / "map.html").read_text(encoding="utf-8"), "sv-kpi")
    assert quick in kpis
    assert i18n.label("opex_eur_per_year_quick", lang) in kpis
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert quick in report
    note = html.escape(i18n.label("rep_needs_quick_note", lang), quote=True)
    assert note in report


def test_plan_needs_are_the_placement_not_a_quick_estimate(folders):
    folder = folders["plan"]
    needs = pd.read_csv(folder / "needs.csv")
    assert len(needs) > 0 and set(needs["basis"]) == {PLACEMENT}
    assert json.loads((folder / "summary.json").read_text())["needs_quick_estimate"] is False
    kpis = _decoded_panel((folder / "map.html").read_text(encoding="utf-8"), "sv-kpi")
    assert i18n.label("capex_eur", "en") in kpis
    assert "quick estimate" not in kpis
