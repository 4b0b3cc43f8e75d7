"""Issue 8 (§2, §5) through the CLI: exit 2, no traceback, the file and row named."""

import pandas as pd
import pytest

from surveil.cli.main import cli
from surveil.datasets import get_path

DEMO = get_path("synthetic").parent
BORDER = str(DEMO / "border.geojson")


def sensors_table():
    return pd.read_csv(DEMO / "sensors.csv", dtype=str, keep_default_na=False)


def validate(runner, *args):
    result = runner.invoke(cli, ["validate", "--border", BORDER, *map(str, args)])
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({(2, "range_m"): "1e9"}, "row 3: range_m is 1000000000; expected at most 100000 m"),
        ({(2, "azimuth_deg"): ""}, "row 3: azimuth_deg is empty; fov_deg is 90, a sector"),
        ({(4, "id"): "T1"}, "row 5: id is 'T1'; already the id of row 1"),
    ],
)
def test_nonsense_sensors_are_refused(runner, tmp_path, change, expected):
    table = sensors_table()
    for (row, column), value in change.items():
        table.loc[row, column] = value
    path = tmp_path / "sensors.csv"
    table.to_csv(path, index=False)
    result = validate(runner, "--sensors", path)
    assert result.exit_code == 2
    assert f"sensors.csv, layer sensors, {expected}" in result.output


def test_trailing_delimiter_is_one_message(runner, tmp_path):
    header, *rows = (DEMO / "sensors.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "sensors.csv"
    path.write_text("\n".join([header, *(row + "," for row in rows)]) + "\n", encoding="utf-8")
    result = validate(runner, "--sensors", path)
    assert result.exit_code == 2
    assert "the rows have one field more than the header" in result.output
    assert result.output.count("row ") == 0  # not one problem per row


def test_xlsx_register_is_validated(runner, tmp_path):
    path = tmp_path / "register.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        pd.DataFrame({"note": ["towers of 2025"]}).to_excel(book, sheet_name="README", index=False)
        sensors_table().to_excel(book, sheet_name="sensors", index=False)
    result = validate(runner, "--sensors", path)
    assert result.exit_code == 0, result.output
    assert "sensors           7 features" in result.output
