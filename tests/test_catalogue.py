"""Tests of loading and validating the catalogue of means."""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from surveil.catalogue import CATALOGUE_COLUMNS, load_catalogue, validate_catalogue
from surveil.errors import InputError, SchemaError

SENSOR = {
    "type": "tower",
    "kind": "sensor",
    "range_m": 2000.0,
    "pd": 0.9,
    "capex_eur": 100.0,
    "opex_eur_per_year": 10.0,
    "staff_fte": 0.5,
}
PATROL = {
    "type": "foot",
    "kind": "patrol",
    "sweep_m": 50.0,
    "km_per_day": 20.0,
    "capex_eur": 0.0,
    "opex_eur_per_year": 1000.0,
    "staff_fte": 3.0,
}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped catalogue ---------------------------------------------------


def test_default_catalogue_is_valid_and_indicative() -> None:
    catalogue = load_catalogue()
    assert list(catalogue.columns) == list(CATALOGUE_COLUMNS)
    assert catalogue.attrs["indicative"] is True
    assert catalogue.attrs["currency"] == "EUR"
    assert "not quotes" in catalogue.attrs["note"]
    assert catalogue["type"].is_unique
    assert set(catalogue["kind"]) == {"sensor", "patrol"}


def test_default_catalogue_has_the_usual_means_with_russian_labels() -> None:
    catalogue = load_catalogue().set_index("type")
    for means in (
        "camera_tower",
        "thermal_tower",
        "ground_radar",
        "ground_sensor",
        "foot_patrol",
        "vehicle_patrol",
        "horse_patrol",
    ):
        assert means in catalogue.index
    assert catalogue.loc["foot_patrol", "label_ru"] == "Пеший пограничный наряд"
    assert "тепловизионн" in catalogue.loc["thermal_tower", "label_ru"]
    assert "РЛС" in catalogue.loc["ground_radar", "label_ru"]


def test_default_catalogue_is_plausible() -> None:
    catalogue = load_catalogue().set_index("type")
    ranges = catalogue["range_m"]
    assert ranges["ground_sensor"] < ranges["camera_tower"] < ranges["thermal_tower"]
    assert ranges["thermal_tower"] <= ranges["ground_radar"]
    speeds = catalogue["km_per_day"]
    assert speeds["foot_patrol"] < speeds["horse_patrol"] < speeds["vehicle_patrol"]
    sensors = catalogue[catalogue["kind"] == "sensor"]
    assert (sensors["standoff_m"] < sensors["range_m"]).all()


def test_default_file_is_commented_as_guesses() -> None:
    text = resources.files("surveil").joinpath("datasets", "catalogue.toml").read_text("utf-8")
    assert text.count("guess") >= 8
    assert "NOT QUOTES" in text


def test_default_file_and_loaded_table_agree() -> None:
    text = resources.files("surveil").joinpath("datasets", "catalogue.toml").read_text("utf-8")
    document = tomllib.loads(text)
    catalogue = load_catalogue()
    assert catalogue["type"].tolist() == [m["type"] for m in document["means"]]


# --- defaults -----------------------------------------------------------------


def test_defaults_of_a_sensor() -> None:
    row = validate_catalogue([SENSOR]).iloc[0]
    assert row["label_en"] == "tower"
    assert row["label_ru"] == "tower"
    # one set of sensor defaults (surveil.sensors.DEFAULTS), as the sensors layer's:
    # uptime 1, a 10 m mast, all round
    assert row["availability"] == 1.0
    assert row["fov_deg"] == 360.0
    assert row["standoff_m"] == 500.0  # min(500, 2000 / 4)
    assert row["lifetime_years"] == 10.0
    assert row["height_m"] == 10.0
    assert math.isnan(row["sweep_m"])
    assert math.isnan(row["pd_night"]) and row["pd_by_range"] == ""


def test_short_range_sensor_standoff_is_a_quarter_of_its_range() -> None:
    row = validate_catalogue([{**SENSOR, "range_m": 40}]).iloc[0]
    assert row["standoff_m"] == 10.0


def test_defaults_of_a_patrol() -> None:
    row = validate_catalogue([PATROL]).iloc[0]
    assert row["availability"] == 1.0
    assert row["pd"] == 1.0
    assert math.isnan(row["range_m"])


def test_input_is_not_modified() -> None:
    table = pd.DataFrame([SENSOR, PATROL])
    before = table.copy()
    validate_catalogue(table)
    pd.testing.assert_frame_equal(table, before)


# --- reading files ------------------------------------------------------------


def test_toml_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "means.toml",
        'indicative = false\nnote = "quotes of 2025"\n'
        '[[means]]\ntype = "t"\nkind = "sensor"\nrange_m = 1000\npd = 0.5\n'
        "capex_eur = 1\nopex_eur_per_year = 2\nstaff_fte = 0\n"
        'label_ru = "Вышка"\n',
    )
    catalogue = load_catalogue(path)
    assert catalogue.attrs == {
        "source": str(path),
        "currency": "EUR",
        "indicative": False,
        "note": "quotes of 2025",
    }
    assert catalogue.loc[0, "label_ru"] == "Вышка"
    assert catalogue.loc[0, "standoff_m"] == 250.0


def test_csv_file_with_excel_bom_and_capitalised_headers(tmp_path: Path) -> None:
    path = tmp_path / "means.csv"
    path.write_text(
        "Type,Kind,range_m,pd,capex_eur,opex_eur_per_year,staff_fte,sweep_m,km_per_day\n"
        "tower,sensor,2000,0.9,100,10,0.5,,\n"
        "foot,patrol,,,0,1000,3,50,20\n",
        encoding="utf-8-sig",
    )
    catalogue = load_catalogue(path)
    assert catalogue["type"].tolist() == ["tower", "foot"]
    assert catalogue["range_m"].iloc[0] == 2000.0
    assert catalogue["km_per_day"].iloc[1] == 20.0
    assert catalogue["pd"].iloc[1] == 1.0
    assert catalogue.attrs["indicative"] is False


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_catalogue(tmp_path / "nope.toml")


def test_unknown_file_type(tmp_path: Path) -> None:
    path = write(tmp_path / "means.txt", "x")
    with pytest.raises(InputError, match=r"\.toml or \.csv"):
        load_catalogue(path)


def test_broken_toml(tmp_path: Path) -> None:
    path = write(tmp_path / "means.toml", "[[means]\n")
    with pytest.raises(InputError, match="not valid TOML") as info:
        load_catalogue(path)
    assert not isinstance(info.value, SchemaError)


def test_bad_top_level(tmp_path: Path) -> None:
    path = write(
        tmp_path / "means.toml",
        'currency = "USD"\nindicative = "yes"\ncolour = 1\n[[means]]\ntype = "t"\n',
    )
    with pytest.raises(SchemaError) as info:
        load_catalogue(path)
    fields = {p.field for p in info.value.problems}
    assert {"indicative", "colour"} <= fields


def test_wrong_currency(tmp_path: Path) -> None:
    text = 'currency = "USD"\n[[means]]\n' + "".join(
        f"{k} = {v!r}\n".replace("'", '"') for k, v in SENSOR.items()
    )
    with pytest.raises(SchemaError, match="currency is 'USD'; expected 'EUR'"):
        load_catalogue(write(tmp_path / "means.toml", text))


def test_empty_catalogue(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="no means"):
        load_catalogue(write(tmp_path / "means.toml", 'note = "empty"\n'))


# --- bad rows: each problem named by file, row and field -------------------------


BAD_CSV = (
    "type,kind,range_m,pd,availability,fov_deg,capex_eur,opex_eur_per_year,staff_fte,"
    "sweep_m,km_per_day,lifetime_years,rang_m\n"
    "tower,sensor,-500,0.9,,,100,10,0.5,,,,\n"  # row 1: range_m
    "cam,sensor,2000,1.5,1.2,400,100,10,0.5,,,0,\n"  # row 2: pd, availability, fov, lifetime
    "tower,sensor,2000,0.9,,,abc,10,0.5,,,,\n"  # row 3: duplicate type, capex text
    "walk,patrol,,,,,0,1000,3,,0,,\n"  # row 4: sweep_m missing, km_per_day 0
    ",boat,,,,,0,0,0,,,,5\n"  # row 5: type missing, kind wrong
    "radar,sensor,,,,,0,0,,,,,\n"  # row 6: range_m, pd, staff_fte missing
)


@pytest.fixture
def bad_problems(tmp_path: Path) -> tuple[str, list]:
    path = write(tmp_path / "bad.csv", BAD_CSV)
    with pytest.raises(SchemaError) as info:
        load_catalogue(path)
    return str(path), list(info.value.problems)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (1, "range_m"),
        (2, "pd"),
        (2, "availability"),
        (2, "fov_deg"),
        (2, "lifetime_years"),
        (3, "type"),
        (3, "capex_eur"),
        (4, "sweep_m"),
        (4, "km_per_day"),
        (5, "type"),
        (5, "kind"),
        (None, "rang_m"),  # an unknown column is reported once, for the table
        (6, "range_m"),
        (6, "pd"),
        (6, "staff_fte"),
    ],
)
def test_every_bad_value_is_reported(
    bad_problems: tuple[str, list], row: int | None, field: str
) -> None:
    source, problems = bad_problems
    found = [p for p in problems if p.row == row and p.field == field]
    assert len(found) == 1, [str(p) for p in problems]
    assert found[0].source == source
    assert found[0].layer == "catalogue"


def test_all_problems_are_in_one_error(bad_problems: tuple[str, list]) -> None:
    _, problems = bad_problems
    assert len(problems) == 15


def test_messages_say_what_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", BAD_CSV)
    with pytest.raises(SchemaError) as info:
        load_catalogue(path)
    message = str(info.value)
    assert (
        f"{path}, layer catalogue, row 1: range_m is -500; expected a positive distance" in message
    )
    assert "row 2: pd is 1.5; expected a probability between 0 and 1" in message
    assert "row 3: type is 'tower'; already used in row 1" in message
    assert "row 3: capex_eur is 'abc'; expected a number" in message
    assert "row 4: sweep_m: missing; expected a positive half-width in metres" in message
    assert "(required for patrols)" in message
    assert "row 5: kind is 'boat'; expected 'sensor' or 'patrol'" in message


def test_toml_rows_are_counted_from_one(tmp_path: Path) -> None:
    text = (
        '[[means]]\ntype = "a"\nkind = "patrol"\nsweep_m = 10\nkm_per_day = 5\n'
        "capex_eur = 0\nopex_eur_per_year = 0\nstaff_fte = 1\n"
        '[[means]]\ntype = "b"\nkind = "sensor"\nrange_m = true\npd = 0.5\n'
        "capex_eur = 0\nopex_eur_per_year = 0\nstaff_fte = 1\nlabel_en = 3\n"
    )
    with pytest.raises(SchemaError) as info:
        load_catalogue(write(tmp_path / "m.toml", text))
    assert {(p.row, p.field) for p in info.value.problems} == {(2, "range_m"), (2, "label_en")}


def test_nan_and_infinite_numbers_are_rejected() -> None:
    with pytest.raises(SchemaError) as info:
        validate_catalogue([{**SENSOR, "capex_eur": "inf"}], source="x")
    assert info.value.problems[0].field == "capex_eur"


def test_schema_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="pd"):
        validate_catalogue([{**SENSOR, "pd": -1}])


def test_semicolon_csv_in_cp1251_with_decimal_commas(tmp_path: Path) -> None:
    # a Russian-language Excel "CSV (разделители - точка с запятой)" export
    path = tmp_path / "means.csv"
    path.write_bytes(
        (
            "type;kind;label_ru;range_m;pd;capex_eur;opex_eur_per_year;staff_fte\n"
            "tower;sensor;Вышка;2000;0,9;1 500,5;10;0,5\n"
        ).encode("cp1251")
    )
    catalogue = load_catalogue(path)  # was read as one field: 7 problems
    row = catalogue.iloc[0]
    assert (row["type"], row["label_ru"], row["pd"], row["capex_eur"], row["staff_fte"]) == (
        "tower",
        "Вышка",
        0.9,
        1500.5,
        0.5,
    )


def test_catalogue_range_above_the_plausible_maximum(tmp_path: Path) -> None:
    with pytest.raises(SchemaError) as err:
        validate_catalogue([{**SENSOR, "range_m": 1e9}])
    (problem,) = err.value.problems
    assert (problem.row, problem.field) == (1, "range_m")
    assert "plausible maximum" in problem.expected


def test_mast_options_and_their_cost(tmp_path):
    text = (Path(__file__).parent / "../surveil/datasets/catalogue.toml").resolve().read_text()
    cat = load_catalogue()
    tower = cat.set_index("type").loc["thermal_tower"]
    assert tower["mast_heights_m"] == "20;30;40"
    assert tower["mast_capex_eur_per_m"] == 1500.0
    assert "mast_heights_m" in text
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[means]]\ntype = "t"\nkind = "sensor"\nrange_m = 1000\npd = 0.5\ncapex_eur = 1\n'
        'opex_eur_per_year = 1\nstaff_fte = 0\nmast_heights_m = "12;abc"\n'
    )
    with pytest.raises(SchemaError, match="mast_heights_m"):
        load_catalogue(bad)
