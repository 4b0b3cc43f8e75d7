"""Availability by month and per-season KPIs (issue 11, items 1-2)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from surveil import coverage
from surveil import sensors as sm
from surveil.catalogue import load_catalogue, validate_catalogue
from surveil.cli.main import cli
from surveil.datasets import get_path
from surveil.errors import SchemaError
from surveil.segments import sample_targets, segment_border
from tests.conftest import border_frame, point_off_line, sensor_frame, straight_line

DEMO = get_path("synthetic").parent


def one(**columns):
    return pd.DataFrame({k: [v] for k, v in columns.items()})


def test_the_month_table_gives_the_mean_over_the_period_by_hand():
    # 2025-01-01..2025-02-28: 31 January days at 0.5, 28 February days at 0.8.
    s = one(availability=0.9, availability_by_month="1:0.5,2:0.8")
    got = sm.effective_availability(s, "2025-01-01", "2025-02-28")
    assert got[0] == pytest.approx((31 * 0.5 + 28 * 0.8) / 59)
    # 15 Jan..10 Mar: 17 Jan days at 0.5, 28 Feb at 0.8, 10 Mar at the plain 0.9.
    got = sm.effective_availability(s, "2025-01-15", "2025-03-10")
    assert got[0] == pytest.approx((17 * 0.5 + 28 * 0.8 + 10 * 0.9) / 55)
    # A whole year (empty period: 2025): 31 + 28 days at the table, 306 at 0.9.
    assert sm.effective_availability(s)[0] == pytest.approx((31 * 0.5 + 28 * 0.8 + 306 * 0.9) / 365)


def test_without_a_table_availability_is_unchanged_whatever_the_period():
    s = one(availability=0.7)
    assert sm.effective_availability(s, "2025-06-01", "2025-06-30")[0] == 0.7
    assert sm.effective_availability(one(pd=0.5))[0] == 1.0


def test_the_month_table_enters_the_pd_curves_day_and_night():
    s = one(pd=0.8, pd_night=0.4, availability=1.0, availability_by_month="1:0.5,2:0.8")
    curves = sm.pd_curves(s, period=("2025-01-01", "2025-02-28"))
    a = (31 * 0.5 + 28 * 0.8) / 59
    x = np.array([0])
    assert curves.probability(x, np.array([10.0]), "day")[0] == pytest.approx(0.8 * a)
    assert curves.probability(x, np.array([10.0]), "night")[0] == pytest.approx(0.4 * a)


def test_a_sensor_out_of_service_in_the_periods_months_contributes_nothing():
    line = straight_line(5_000, azimuth=90.0)
    targets = sample_targets(segment_border(border_frame(line), segment_m=1000), sample_m=100)
    row = {"geometry": point_off_line(line, 2500, 500)[0], "range_m": 1000.0, "pd": 0.7}
    sensors = sensor_frame([row]).assign(availability_by_month="12:0,1:0,2:0")
    winter = sm.pd_curves(sensors, period=("2025-12-01", "2026-02-28"))
    summer = sm.pd_curves(sensors, period=("2025-06-01", "2025-08-31"))
    p_winter, seeing = coverage.sensor_detection(targets, sensors, engine="numpy", curves=winter)
    p_summer, _ = coverage.sensor_detection(targets, sensors, engine="numpy", curves=summer)
    assert seeing.sum() > 0  # it sees the line, but is out in every month of the winter
    assert np.all(p_winter == 0.0)
    assert p_summer[0].max() == pytest.approx(0.7)  # summer months keep availability 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("1:0.5,13:0.8", "1 to 12"),
        ("1:0.5,2:1.5", "from 0 to 1"),
        ("1:0.5,1:0.6", "twice"),
        ("jan:0.5", "not month:availability"),
        ("1.5:0.5", "1 to 12"),
        (" , ", "no month"),
    ],
)
def test_parse_availability_by_month_says_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=says):
        sm.parse_availability_by_month(text)


def test_a_bad_table_in_the_sensors_layer_is_refused_by_validate_naming_row_and_field(
    tmp_path,
):
    runner = CliRunner()
    sensors = pd.read_csv(DEMO / "sensors.csv").astype(object)
    sensors["availability_by_month"] = ""
    sensors.loc[1, "availability_by_month"] = "1:0.7,14:0.5"
    path = tmp_path / "towers.csv"
    sensors.to_csv(path, index=False)
    border = str(DEMO / "border.geojson")
    result = runner.invoke(cli, ["validate", "--border", border, "--sensors", str(path)])
    assert "Traceback" not in result.output
    assert result.exit_code == 2
    assert "towers.csv" in result.output and "row 2" in result.output
    assert "availability_by_month" in result.output and "1 to 12" in result.output
    sensors.loc[1, "availability_by_month"] = "1:0.7,12:0.5"
    sensors.to_csv(path, index=False)
    ok = runner.invoke(cli, ["validate", "--border", border, "--sensors", str(path)])
    assert ok.exit_code == 0, ok.output


def test_a_bad_table_in_the_catalogue_is_refused_naming_row_and_field():
    base = {
        "type": "t",
        "kind": "sensor",
        "range_m": 100,
        "pd": 0.5,
        "capex_eur": 1,
        "opex_eur_per_year": 1,
        "staff_fte": 0,
    }
    with pytest.raises(SchemaError) as err:
        validate_catalogue(
            [
                {**base, "availability_by_month": "1:0.5"},
                {**base, "type": "u", "availability_by_month": "1:0.5;2:-1"},
            ]
        )
    ((problem),) = err.value.problems
    assert (problem.row, problem.field) == (2, "availability_by_month")


def test_the_bundled_day_camera_has_an_indicative_winter_table_averaged_by_hand():
    cat = load_catalogue()
    camera = cat.set_index("type").loc["day_camera"]
    table = sm.parse_availability_by_month(camera["availability_by_month"])
    assert table == {1: 0.7, 2: 0.7, 3: 0.8, 10: 0.85, 11: 0.75, 12: 0.7}
    # 2025: Jan 31, Feb 28, Mar 31, Oct 31, Nov 30, Dec 31 days at the table;
    # April-September (183 days) at availability 0.9.
    by_hand = (31 * 0.7 + 28 * 0.7 + 31 * 0.8 + 31 * 0.85 + 30 * 0.75 + 31 * 0.7 + 183 * 0.9) / 365
    sensor = sm.with_model_columns(one(type="day_camera", pd=0.7, availability=0.9), cat)
    assert sm.effective_availability(sensor)[0] == pytest.approx(by_hand)
    assert sm.effective_availability(sensor, "2025-07-01", "2025-07-31")[0] == 0.9


WINTER = ("2025-12-01", "2026-02-28")
SUMMER = ("2025-06-01", "2025-08-31")


@pytest.fixture(scope="module")
def demo():
    from surveil.datasets import load_demo

    return load_demo()


@pytest.fixture(scope="module")
def seasonal(demo):
    from surveil.assessment import assess

    with_seasons = dataclasses.replace(demo, seasons={"winter": WINTER, "summer": SUMMER})
    return assess(with_seasons, map_layers=False)


KEYS = ("km_covered", "covered_share", "gap_count", "gap_km", "mean_p_detect", "night_share")


@pytest.mark.parametrize(("name", "period"), [("winter", WINTER), ("summer", SUMMER)])
def test_per_season_kpis_equal_a_plain_run_over_that_season(demo, seasonal, name, period):
    from surveil.assessment import assess

    # The demo's day cameras have the catalogue's month table: availability
    # changes between the seasons, so the sensor part is recomputed too.
    assert sm.has_monthly_availability(sm.with_model_columns(demo.sensors, demo.catalogue))
    plain = assess(
        demo.with_parameters(period_start=period[0], period_end=period[1]), map_layers=False
    )
    for key in KEYS:
        assert seasonal.summary[f"{key}_{name}"] == pytest.approx(plain.summary[key], abs=1e-9)


def test_seasons_differ_where_darkness_does_and_leave_the_run_as_it_was(demo, seasonal):
    from surveil.assessment import assess

    # At ~40° N winter nights are longer than summer ones.
    assert seasonal.summary["night_share_winter"] > seasonal.summary["night_share_summer"] + 0.1
    plain = assess(demo, map_layers=False)
    for key in KEYS:
        assert seasonal.summary[key] == pytest.approx(plain.summary[key], abs=1e-12)
    assert "km_covered_winter" not in plain.summary
    assert seasonal.model["time_windows"]["seasons"] == {
        "winter": list(WINTER),
        "summer": list(SUMMER),
    }


def test_a_scenario_file_names_seasons_and_a_bad_table_is_refused(tmp_path):
    from surveil.scenario import load_scenario

    demo_file = get_path("demo")
    layers = demo_file.parent
    text = (
        'name = "s"\n[layers]\n'
        f'border = "{(layers / "border.geojson").as_posix()}"\n'
        "[seasons]\n"
        'winter = ["2025-12-01", "2026-02-28"]\n'
        "summer = [2025-06-01, 2025-08-31]\n"
    )
    good = tmp_path / "good.toml"
    good.write_text(text, encoding="utf-8")
    assert load_scenario(good).seasons == {"winter": WINTER, "summer": SUMMER}
    bad = tmp_path / "bad.toml"
    bad.write_text(
        text.replace('"2026-02-28"', '"2025-11-30"') + 'Night = ["2025-01-01", "2025-01-31"]\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert "Traceback" not in result.output
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "seasons" in result.output
    assert "winter" in result.output and "on or after the first" in result.output
    assert "Night" in result.output and "lower-case" in result.output


@pytest.mark.parametrize(
    "table",
    [
        {"winter": ["2025-12-01"]},
        {"winter": ["2025-12-01", "soon"]},
        {"winter": "2025-12-01"},
        {"day": ["2025-12-01", "2025-12-31"]},
    ],
)
def test_read_seasons_refuses_what_it_cannot_use(table):
    from surveil.errors import ScenarioError
    from surveil.seasons import read_seasons

    with pytest.raises(ScenarioError):
        read_seasons(table, "s.toml")


def test_a_swept_availability_holds_in_every_month(demo):
    from surveil.sweeping import with_values

    swept = with_values(demo, {"availability:day_camera": 0.6})
    sensors = sm.with_model_columns(swept.sensors, swept.catalogue)
    cameras = sensors[sensors["type"] == "day_camera"]
    assert len(cameras) and (cameras["availability_by_month"] == "").all()
    assert sm.effective_availability(cameras, *WINTER) == pytest.approx([0.6] * len(cameras))
    # the demo itself keeps the catalogue's winter table
    before = sm.with_model_columns(demo.sensors, demo.catalogue)
    assert (before.loc[before["type"] == "day_camera", "availability_by_month"] != "").all()


def test_placement_options_see_the_seasons_availability(demo):
    from surveil.planning import sensor_coverage

    line = straight_line(5_000, azimuth=90.0)
    targets = sample_targets(segment_border(border_frame(line), segment_m=1000), sample_m=100)
    row = {"geometry": point_off_line(line, 2500, 500)[0], "range_m": 1000.0, "pd": 0.7}
    options = sensor_frame([row]).assign(type="day_camera", availability=0.9)
    got = {}
    for name, period in (("winter", WINTER), ("summer", SUMMER)):
        parameters = demo.with_parameters(period_start=period[0], period_end=period[1]).parameters
        matrix = sensor_coverage(options, targets, (), parameters, catalogue=demo.catalogue)
        got[name] = matrix.toarray()[:, 0]
    # Catalogue table: December, January, February 0.7; June-August keep 0.9.
    seen = got["summer"] > 0
    assert seen.any()
    assert got["winter"][seen] == pytest.approx(got["summer"][seen] * 0.7 / 0.9)
