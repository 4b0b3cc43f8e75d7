"""Tests of sizing the means that close each gap, their totals and the workbook."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveil.catalogue import load_catalogue, validate_catalogue
from surveil.errors import InputWarning, OutputError, ScenarioError, SchemaError
from surveil.needs import (
    NEEDS_COLUMNS,
    covered_length_m,
    needs_totals,
    patrol_visits_per_day,
    sensor_layers,
    size_needs,
    write_needs_xlsx,
)

openpyxl = pytest.importorskip("openpyxl")

COSTS = {"capex_eur": 1000.0, "opex_eur_per_year": 100.0, "staff_fte": 0.5, "lifetime_years": 10}


def means(**fields: object) -> dict[str, object]:
    return {**COSTS, **fields}


ROUND = means(type="round", kind="sensor", range_m=2000, pd=0.9, availability=1, standoff_m=500)
SECTOR = means(
    type="sector", kind="sensor", range_m=2000, pd=0.9, availability=1, standoff_m=500, fov_deg=90
)
WEAK = means(type="weak", kind="sensor", range_m=2000, pd=0.3, availability=1, standoff_m=500)
PATROL = means(type="walk", kind="patrol", sweep_m=50, km_per_day=20)


def catalogue(*rows: dict[str, object]) -> pd.DataFrame:
    return validate_catalogue(list(rows), source="test catalogue")


def gaps(*rows: dict[str, object]) -> pd.DataFrame:
    base = {"section": "A", "km_from": 0.0, "mean_risk": 50.0, "max_risk": 80.0, "incidents": 0}
    records = []
    for number, row in enumerate(rows, start=1):
        record = {"gap_id": number, "priority": number, "length_km": 10.0, "mean_p_detect": 0.0}
        record.update(base)
        record.update(row)
        record.setdefault("km_to", record["km_from"] + record["length_km"])
        records.append(record)
    return pd.DataFrame(records)


def option(needs: pd.DataFrame, gap_id: int, means_type: str) -> pd.Series:
    rows = needs[(needs["gap_id"] == gap_id) & (needs["means"] == means_type)]
    assert len(rows) == 1
    return rows.iloc[0]


# --- the formulas, by hand -----------------------------------------------------


def test_covered_length_of_a_round_sensor() -> None:
    assert covered_length_m(2000, 500) == pytest.approx(2 * math.sqrt(2000**2 - 500**2))
    assert covered_length_m(2000, 500) == pytest.approx(3872.98, abs=0.01)
    assert covered_length_m(2000, 0) == pytest.approx(4000)


def test_covered_length_of_a_sector() -> None:
    assert covered_length_m(2000, 500, 90) == pytest.approx(1000.0)  # 2·500·tan 45°
    assert covered_length_m(2000, 500, 60) == pytest.approx(2 * 500 * math.tan(math.pi / 6))
    # wide sectors see the whole chord
    assert covered_length_m(2000, 500, 180) == covered_length_m(2000, 500)
    assert covered_length_m(2000, 500, 270) == covered_length_m(2000, 500)
    # a far sector is limited by its range
    assert covered_length_m(2000, 1900, 170) == pytest.approx(2 * math.sqrt(2000**2 - 1900**2))


def test_nothing_is_covered_from_beyond_range_or_on_the_line_with_a_sector() -> None:
    assert covered_length_m(2000, 2000) == 0.0
    assert covered_length_m(2000, 2500) == 0.0
    assert covered_length_m(2000, 0, 90) == 0.0


@pytest.mark.parametrize(
    ("p0", "p", "target", "layers"),
    [
        (0.0, 0.9, 0.5, 1),
        (0.0, 0.3, 0.5, 2),  # 1 − 0.7² = 0.51
        (0.0, 0.5, 0.75, 2),  # exactly 2: no spurious third layer
        (0.0, 0.5, 0.875, 3),
        (0.2, 0.3, 0.5, 2),  # ln(0.5/0.8)/ln 0.7 = 1.32
        (0.5, 0.3, 0.5, 0),
        (0.7, 0.0, 0.5, 0),
        (0.0, 1.0, 0.99, 1),
        (0.0, 0.0, 0.5, None),
    ],
)
def test_sensor_layers(p0: float, p: float, target: float, layers: int | None) -> None:
    assert sensor_layers(p0, p, target) == layers


def test_patrol_visits_by_hand() -> None:
    assert patrol_visits_per_day(0.0, 0.5) == pytest.approx(2 * math.log(2))
    assert patrol_visits_per_day(0.0, 0.5, trace_persistence_h=24) == pytest.approx(math.log(2))
    assert patrol_visits_per_day(0.0, 0.5, pd=0.5) == pytest.approx(4 * math.log(2))
    assert patrol_visits_per_day(0.6, 0.5) == 0.0


# --- size_needs ------------------------------------------------------------------


def test_ten_km_gap_by_hand() -> None:
    needs = size_needs(gaps({}), catalogue(ROUND, SECTOR, WEAK, PATROL))
    assert set(needs["means"]) == {"round", "sector", "weak", "walk"}
    round_ = option(needs, 1, "round")
    assert (round_["units"], round_["layers"]) == (3, 1.0)  # ceil(10000 / 3872.98)
    assert math.isnan(round_["visits_per_day"])
    sector = option(needs, 1, "sector")
    assert (sector["units"], sector["layers"]) == (10, 1.0)  # ceil(10000 / 1000)
    weak = option(needs, 1, "weak")
    assert (weak["units"], weak["layers"]) == (6, 2.0)  # 2 layers of 3
    walk = option(needs, 1, "walk")
    assert walk["visits_per_day"] == pytest.approx(1.386, abs=1e-3)
    assert walk["units"] == 1  # 1.386 · 10 / 20 = 0.693 team
    assert math.isnan(walk["layers"])


def test_costs_by_hand() -> None:
    needs = size_needs(gaps({}), catalogue(ROUND, PATROL))
    round_ = option(needs, 1, "round")
    assert round_["capex_eur"] == 3000.0
    assert round_["opex_eur_per_year"] == 300.0
    assert round_["staff_fte"] == 1.5
    assert round_["annual_cost_eur"] == pytest.approx(3000 / 10 + 300)
    walk = option(needs, 1, "walk")
    assert walk["annual_cost_eur"] == pytest.approx(1000 / 10 + 100)


def test_availability_lowers_sensor_detection_and_patrol_capacity() -> None:
    sensor = means(type="s", kind="sensor", range_m=2000, pd=0.5, availability=0.5, standoff_m=500)
    slow = means(type="p", kind="patrol", sweep_m=50, km_per_day=20, availability=0.5)
    needs = size_needs(gaps({"length_km": 20.0}), catalogue(sensor, slow))
    assert option(needs, 1, "s")["layers"] == 3.0  # p = 0.25: 1 − 0.75² < 0.5 < 1 − 0.75³
    assert option(needs, 1, "p")["units"] == 3  # 1.386 · 20 / (0.5 · 20) = 2.77


def test_recommended_is_the_cheapest_per_gap() -> None:
    cheap_patrol = {**PATROL, "capex_eur": 0.0, "opex_eur_per_year": 10.0}
    needs = size_needs(gaps({}, {"length_km": 200.0}), catalogue(ROUND, cheap_patrol))
    chosen = needs[needs["recommended"]]
    assert chosen["gap_id"].tolist() == [1, 2]
    for gap_id in (1, 2):
        options = needs[needs["gap_id"] == gap_id]
        best = options["annual_cost_eur"].min()
        assert option(needs, gap_id, chosen.set_index("gap_id").loc[gap_id, "means"])[
            "annual_cost_eur"
        ] == pytest.approx(best)


def test_ties_go_to_fewer_staff_then_to_the_name() -> None:
    a = means(type="b_many", kind="patrol", sweep_m=50, km_per_day=20, staff_fte=3)
    b = means(type="c_few", kind="patrol", sweep_m=50, km_per_day=20, staff_fte=1)
    c = means(type="a_few", kind="patrol", sweep_m=50, km_per_day=20, staff_fte=1)
    needs = size_needs(gaps({}), catalogue(a, b, c))
    assert needs.loc[needs["recommended"], "means"].tolist() == ["a_few"]


def test_order_is_priority_gap_cost_means() -> None:
    table = gaps({"priority": 2}, {"priority": 1}, {"priority": 2})
    needs = size_needs(table, catalogue(ROUND, SECTOR, WEAK, PATROL))
    assert needs["gap_id"].drop_duplicates().tolist() == [2, 1, 3]
    for _, options in needs.groupby("gap_id"):
        keys = list(zip(options["annual_cost_eur"], options["means"], strict=True))
        assert keys == sorted(keys)
    assert needs.index.tolist() == list(range(len(needs)))


def test_result_does_not_depend_on_input_order() -> None:
    table = gaps({"priority": 1}, {"priority": 1, "length_km": 3.0}, {"mean_p_detect": 0.3})
    rows = [ROUND, SECTOR, WEAK, PATROL]
    first = size_needs(table, catalogue(*rows))
    second = size_needs(table.iloc[::-1], catalogue(*rows[::-1]))
    pd.testing.assert_frame_equal(first, second)


def test_columns_and_types() -> None:
    needs = size_needs(gaps({}), catalogue(ROUND, PATROL))
    assert list(needs.columns) == list(NEEDS_COLUMNS)
    assert needs["units"].dtype == "int64"
    assert needs["recommended"].dtype == bool
    assert needs["label"].tolist() == ["walk", "round"]


def test_empty_gaps_give_empty_needs_with_the_columns() -> None:
    empty = gaps({}).iloc[0:0]
    needs = size_needs(empty, catalogue(ROUND))
    assert needs.empty
    assert list(needs.columns) == list(NEEDS_COLUMNS)
    assert needs["units"].dtype == "int64"
    assert needs_totals(needs)["capex_eur"] == 0.0


def test_gap_already_at_target_needs_nothing() -> None:
    needs = size_needs(gaps({"mean_p_detect": 0.5}), catalogue(ROUND, PATROL))
    assert (needs["units"] == 0).all()
    assert (needs["annual_cost_eur"] == 0).all()
    assert needs["recommended"].sum() == 1


def test_means_that_cannot_close_a_gap_are_left_out_with_a_warning() -> None:
    blind = means(type="blind", kind="sensor", range_m=400, pd=0.9, standoff_m=500)
    broken = means(type="broken", kind="sensor", range_m=2000, pd=0.0)
    with pytest.warns(InputWarning) as record:
        needs = size_needs(gaps({}), catalogue(blind, broken, ROUND))
    messages = [str(w.message) for w in record]
    assert any("'blind' cannot close any gap: its standoff_m" in m for m in messages)
    assert any("'broken' cannot close any gap: its pd × availability is 0" in m for m in messages)
    assert needs["means"].tolist() == ["round"]


def test_patrols_that_never_pass_are_left_out() -> None:
    idle = {**PATROL, "type": "idle", "availability": 0.0}
    with pytest.warns(InputWarning, match="'idle' cannot close any gap: its availability is 0"):
        needs = size_needs(gaps({}), catalogue(idle, ROUND))
    assert needs["means"].tolist() == ["round"]


def test_a_table_with_no_rows_and_no_columns_gives_empty_needs() -> None:
    assert list(size_needs(pd.DataFrame(), catalogue(ROUND)).columns) == list(NEEDS_COLUMNS)


def test_a_gap_no_means_can_close_is_reported() -> None:
    blind = means(type="blind", kind="sensor", range_m=400, pd=0.9, standoff_m=500)
    with pytest.warns(InputWarning) as record:
        needs = size_needs(gaps({}), catalogue(blind))
    assert any("Gap 1 (A)" in str(w.message) for w in record)
    assert needs.empty
    assert list(needs.columns) == list(NEEDS_COLUMNS)


def test_inputs_are_not_modified() -> None:
    table = gaps({}, {"length_km": 3.0})
    means_table = catalogue(ROUND, PATROL)
    before = (table.copy(), means_table.copy())
    size_needs(table, means_table)
    pd.testing.assert_frame_equal(table, before[0])
    pd.testing.assert_frame_equal(means_table, before[1])


def test_default_catalogue_sizes_a_gap() -> None:
    needs = size_needs(gaps({}), load_catalogue())
    assert needs["recommended"].sum() == 1
    assert len(needs) == len(load_catalogue())


# --- bad input ----------------------------------------------------------------------


def test_bad_gaps_are_all_reported() -> None:
    table = gaps({"mean_p_detect": 1.5}, {"length_km": -1.0}, {"gap_id": 1, "priority": "x"})
    with pytest.raises(SchemaError) as info:
        size_needs(table, catalogue(ROUND))
    found = {(p.row, p.field) for p in info.value.problems}
    assert found == {(1, "mean_p_detect"), (2, "length_km"), (3, "priority"), (3, "gap_id")}
    assert all(p.source == "gaps" for p in info.value.problems)


def test_missing_gap_columns() -> None:
    with pytest.raises(SchemaError, match="mean_p_detect: missing column"):
        size_needs(gaps({}).drop(columns="mean_p_detect"), catalogue(ROUND))


@pytest.mark.parametrize("target", [0.0, 1.0, 1.5, -0.1, math.nan])
def test_bad_target(target: float) -> None:
    with pytest.raises(ScenarioError, match="target_pd"):
        size_needs(gaps({}), catalogue(ROUND), target_pd=target)


def test_bad_trace_persistence() -> None:
    with pytest.raises(ScenarioError, match="trace_persistence_h"):
        size_needs(gaps({}), catalogue(PATROL), trace_persistence_h=0)


def test_catalogue_is_validated() -> None:
    bad = pd.DataFrame([{**ROUND, "pd": 2.0}])
    with pytest.raises(SchemaError, match=r"pd is 2\.0"):
        size_needs(gaps({}), bad)


# --- totals -----------------------------------------------------------------------


def test_totals_are_sums_of_the_recommended_rows() -> None:
    table = gaps({}, {"length_km": 100.0}, {"mean_p_detect": 0.2, "length_km": 2.0})
    needs = size_needs(table, load_catalogue(), target_pd=0.7)
    totals = needs_totals(needs)
    chosen = needs[needs["recommended"]]
    assert len(chosen) == 3
    for column in ("capex_eur", "opex_eur_per_year", "staff_fte", "annual_cost_eur"):
        assert totals[column] == pytest.approx(chosen[column].sum())
    assert totals["units"] == chosen["units"].sum()
    for means_type, units in chosen.groupby("means")["units"].sum().items():
        assert totals[f"units_{means_type}"] == units
    assert all(isinstance(v, float) for v in totals.values())


# --- invariants --------------------------------------------------------------------

PROBABILITY = st.floats(0.0, 0.99)
TARGET = st.floats(0.01, 0.99)
LENGTH = st.floats(0.0, 300.0)
SENSORS = [ROUND, SECTOR, WEAK]
ALL_MEANS = catalogue(ROUND, SECTOR, WEAK, PATROL)


def units(length_km: float, p0: float, target: float) -> dict[str, int]:
    needs = size_needs(
        gaps({"length_km": length_km, "mean_p_detect": p0}), ALL_MEANS, target_pd=target
    )
    return dict(zip(needs["means"], needs["units"], strict=True))


@settings(max_examples=60, deadline=None)
@given(length=LENGTH, extra=LENGTH, p0=PROBABILITY, target=TARGET)
def test_longer_gaps_never_need_fewer_units(
    length: float, extra: float, p0: float, target: float
) -> None:
    short, long = units(length, p0, target), units(length + extra, p0, target)
    assert all(long[m] >= short[m] for m in short)


@settings(max_examples=60, deadline=None)
@given(length=LENGTH, p0=PROBABILITY, target=TARGET, higher=TARGET)
def test_higher_targets_never_need_fewer_units(
    length: float, p0: float, target: float, higher: float
) -> None:
    low, high = sorted((target, higher))
    fewer, more = units(length, p0, low), units(length, p0, high)
    assert all(more[m] >= fewer[m] for m in fewer)


@settings(max_examples=40, deadline=None)
@given(length=LENGTH, target=TARGET, margin=st.floats(0.0, 1.0))
def test_gaps_at_or_above_target_need_no_units(length: float, target: float, margin: float) -> None:
    p0 = target + margin * (1.0 - target)
    assert set(units(length, p0, target).values()) == {0}


@settings(max_examples=60, deadline=None)
@given(p0=PROBABILITY, target=TARGET, length=st.floats(0.1, 300.0))
def test_sized_means_reach_the_target(p0: float, target: float, length: float) -> None:
    needs = size_needs(
        gaps({"length_km": length, "mean_p_detect": p0}), ALL_MEANS, target_pd=target
    )
    for row in needs.itertuples():
        if row.kind == "sensor":
            p = 0.9 if row.means != "weak" else 0.3
            reached = 1 - (1 - p0) * (1 - p) ** row.layers
        else:
            reached = 1 - (1 - p0) * math.exp(-row.visits_per_day * 12 / 24)
            assert row.units * 20 >= row.visits_per_day * length - 1e-6
        assert reached >= target - 1e-9


# --- the workbook ------------------------------------------------------------------


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    table = gaps({}, {"length_km": 40.0, "mean_p_detect": 0.3})
    needs = size_needs(table, load_catalogue(), target_pd=0.8)
    path = tmp_path / "needs.xlsx"
    summary = {"target_pd": 0.8, "gap_count": 2, "sections": ["A"]}
    write_needs_xlsx(needs, path, summary=summary, catalogue=load_catalogue())
    return path


def test_workbook_sheets_and_numbers(workbook_path: Path) -> None:
    book = openpyxl.load_workbook(workbook_path)
    assert book.sheetnames == ["Needs", "Options", "Totals", "Summary", "Catalogue"]
    needs_sheet = book["Needs"]
    header = [c.value for c in needs_sheet[1]]
    assert header == list(NEEDS_COLUMNS)
    assert needs_sheet.max_row == 3  # header + one recommended option per gap
    options = book["Options"]
    assert options.max_row == 1 + 2 * len(load_catalogue())
    totals = book["Totals"]
    last = [c.value for c in totals[totals.max_row]]
    assert last[0] == "Total"
    capex = header.index("capex_eur")
    recommended_capex = sum(needs_sheet.cell(r, capex + 1).value for r in (2, 3))
    assert last[[c.value for c in totals[1]].index("capex_eur")] == pytest.approx(recommended_capex)


def test_workbook_matches_the_table(tmp_path: Path) -> None:
    needs = size_needs(gaps({}), load_catalogue())
    path = tmp_path / "needs.xlsx"
    write_needs_xlsx(needs, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Needs", "Options", "Totals", "Summary"]
    sheet = book["Options"]
    header = [c.value for c in sheet[1]]
    for number, row in enumerate(needs.itertuples(index=False), start=2):
        assert sheet.cell(number, header.index("means") + 1).value == row.means
        assert sheet.cell(number, header.index("units") + 1).value == row.units
        cell = sheet.cell(number, header.index("layers") + 1).value
        assert cell is None if math.isnan(row.layers) else cell == row.layers


def test_workbook_formatting(workbook_path: Path) -> None:
    book = openpyxl.load_workbook(workbook_path)
    sheet = book["Needs"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    capex = sheet.cell(2, header.index("capex_eur") + 1)
    assert "#,##0" in capex.number_format
    assert "EUR" in capex.number_format
    assert sheet.column_dimensions["A"].width >= len("gap_id")


def test_workbook_summary_and_catalogue(workbook_path: Path) -> None:
    book = openpyxl.load_workbook(workbook_path)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["target_pd"] == 0.8
    assert summary["gap_count"] == 2
    assert summary["sections"] == '["A"]'
    cells = [c for row in book["Catalogue"].iter_rows(values_only=True) for c in row if c]
    assert any(isinstance(c, str) and "INDICATIVE" in c for c in cells)
    assert "Пеший пограничный наряд" in cells


def test_workbook_for_no_needs(tmp_path: Path) -> None:
    needs = size_needs(gaps({}).iloc[0:0], load_catalogue())
    path = tmp_path / "needs.xlsx"
    write_needs_xlsx(needs, path)
    book = openpyxl.load_workbook(path)
    assert book["Needs"].max_row == 1
    assert [c.value for c in book["Totals"][2]][:3] == ["Total", None, 0]


def test_workbook_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "needs.xlsx"
    path.write_bytes(b"old")
    write_needs_xlsx(size_needs(gaps({}), catalogue(ROUND)), path)
    assert openpyxl.load_workbook(path).sheetnames[0] == "Needs"
    assert [p.name for p in tmp_path.iterdir()] == ["needs.xlsx"]


def test_workbook_failure_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "needs.xlsx"
    path.write_bytes(b"old")

    def broken_save(self: object, filename: str) -> None:
        Path(filename).write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OutputError, match="disk full"):
        write_needs_xlsx(size_needs(gaps({}), catalogue(ROUND)), path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["needs.xlsx"]


def test_workbook_into_a_missing_folder(tmp_path: Path) -> None:
    needs = size_needs(gaps({}), catalogue(ROUND))
    with pytest.raises(OutputError, match="does not exist"):
        write_needs_xlsx(needs, tmp_path / "nope" / "needs.xlsx")


def test_russian_workbook_has_no_english_word(tmp_path: Path) -> None:
    table = gaps({}, {"length_km": 40.0, "mean_p_detect": 0.3})
    needs = size_needs(table, load_catalogue(), target_pd=0.8)
    path = tmp_path / "needs.xlsx"
    summary = {"target_pd": 0.8, "gap_count": 2}
    sections = {str(s): f"Участок {i}" for i, s in enumerate(sorted(set(needs["section"])))}
    from surveil.datasets import load_demo
    from surveil.services import ServiceRules, route_services

    demo = load_demo()
    services = route_services(demo.patrols, ServiceRules.from_parameters(demo.parameters))
    write_needs_xlsx(
        needs, path, summary=summary, catalogue=load_catalogue(), lang="ru",
        section_names=sections, services=services,
    )  # fmt: skip
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Потребности", "Варианты", "Итоги", "Сводка", "Службы нарядов", "Перечень средств"
    ]  # fmt: skip
    sheet = book["Потребности"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Разрыв", "Участок границы", "Км от"]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Рекомендуется"] == "да"
    assert row["Вид"] in ("ТСОГ", "наряд")
    assert row["Участок границы"] in sections.values()
    # the numbers are those of the English workbook, in the same order
    english = needs.loc[needs["recommended"]].iloc[0]
    assert row["Капитальные затраты, EUR"] == pytest.approx(english["capex_eur"])
    assert row["Разрыв"] == english["gap_id"]
    totals = book["Итоги"]
    assert totals.cell(totals.max_row, 1).value == "Итого"
    keys = [r[0] for r in book["Сводка"].iter_rows(min_row=2, values_only=True)]
    assert keys == ["Целевая вероятность обнаружения", "Разрывы в охвате"]
    # every text cell is Russian: no English word of three letters or more but EUR
    english_words = {
        word
        for ws in book.worksheets
        for values in ws.iter_rows(values_only=True)
        for cell in values
        if isinstance(cell, str)
        for word in re.findall(r"[A-Za-z]{3,}", cell)
    } - {"EUR", "surveil", "datasets", "catalogue", "toml"}
    # data is shown as given: the demo's agency names have no Russian form
    given = set(re.findall(r"[A-Za-z]{3,}", " ".join(demo.patrols["agency"].astype(str))))
    assert english_words - given == set()
