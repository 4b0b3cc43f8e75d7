"""Patrol services: teams and staff from route length, speed, shift and team size, by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from surveil.assessment import assess
from surveil.catalogue import load_catalogue
from surveil.datasets import load_demo
from surveil.errors import ScenarioError
from surveil.needs import size_needs, write_needs_xlsx
from surveil.planning import patrol_options
from surveil.scenario import Parameters
from surveil.services import (
    ServiceRules,
    route_fte,
    route_services,
    team_shifts,
    visits_at_staff,
    visits_for_fte,
)

GEOD = Geod(ellps="WGS84")


def geodesic_km(line: shapely.LineString) -> float:
    lon, lat = shapely.get_coordinates(line).T
    return GEOD.line_length(lon, lat) / 1000.0


def routes(**columns: list) -> gpd.GeoDataFrame:
    """A patrols layer: one route 0.2° along the meridian 70° E from 40° N (about 22.2 km)."""
    n = len(columns["mode"])
    base = {"id": [f"R{i}" for i in range(n)], "window": ["all"] * n, "agency": ["X"] * n}
    return gpd.GeoDataFrame(
        {**base, **columns},
        geometry=[shapely.LineString([(70.0, 40.0), (70.0, 40.2)])] * n,
        crs=4326,
    )


RULES = ServiceRules(
    speed_kmh={"foot": 3.0, "vehicle": 12.0, "horse": 5.0, "boat": 8.0, "uav": 25.0},
    team={"foot": 2.0, "vehicle": 3.0, "horse": 2.0, "boat": 3.0, "uav": 3.0},
    shift_h=8.0,
    staff_availability=0.625,
)


def test_route_of_known_length_speed_and_shift_gives_teams_and_fte_by_hand():
    # Length by pyproj (independent of surveil.geodesy): 22.207 km.
    patrols = routes(mode=["foot", "vehicle"], visits_per_day=[2.0, 3.0])
    length = geodesic_km(patrols.geometry.iloc[0])
    assert length == pytest.approx(22.21, abs=0.01)
    table = route_services(patrols, RULES)
    foot, vehicle = table.iloc[0], table.iloc[1]
    # Foot: 22.207 km / 3 km/h = 7.402 h a visit; 2 visits = 14.805 team-hours
    # = 1.8506 shifts of 8 h -> 2 teams; 1.8506 × 2 persons / 0.625 = 5.922 FTE.
    assert foot["length_km"] == pytest.approx(length, rel=1e-6)
    assert foot["hours_per_visit"] == pytest.approx(length / 3.0, rel=1e-6)
    assert foot["km_per_day"] == pytest.approx(2 * length, rel=1e-6)
    assert foot["team_shifts_per_day"] == pytest.approx(2 * length / 3.0 / 8.0, rel=1e-6)
    assert foot["teams"] == 2
    assert foot["persons_on_duty"] == pytest.approx(2 * length / 24.0 * 2, rel=1e-6)
    assert foot["fte"] == pytest.approx(5.922, abs=1e-3)
    assert bool(foot["fits_shift"])
    # Vehicle: 22.207 / 12 = 1.8506 h; 3 visits = 5.552 h = 0.6940 shifts -> 1 team;
    # 0.6940 × 3 / 0.625 = 3.331 FTE.
    assert vehicle["team_shifts_per_day"] == pytest.approx(0.694, abs=1e-3)
    assert vehicle["teams"] == 1
    assert vehicle["fte"] == pytest.approx(3.331, abs=1e-3)
    assert math.isnan(table["visits_per_day_at_staff"].iloc[0])


def test_pure_rules_by_hand():
    # A 24 km route walked at 3 km/h twice a day: 16 h = two 8 h shifts.
    assert team_shifts(24.0, 2.0, 3.0, 8.0) == 2.0
    assert float(route_fte(2.0, 2.0, 0.625)) == pytest.approx(6.4)
    assert visits_for_fte(6.4, 24.0, 3.0, 2.0, RULES) == pytest.approx(2.0)


def test_a_visit_longer_than_a_shift_is_flagged():
    long = gpd.GeoDataFrame(
        {
            "id": ["L"],
            "mode": ["foot"],
            "window": ["night"],
            "agency": [""],
            "visits_per_day": [1.0],
        },
        geometry=[shapely.LineString([(70.0, 40.0), (70.0, 40.3)])],  # 33.3 km: 11.1 h on foot
        crs=4326,
    )
    row = route_services(long, RULES).iloc[0]
    assert not bool(row["fits_shift"])
    assert row["teams"] == 2  # 1.39 shifts


def test_given_staff_gives_visits_in_proportion():
    patrols = routes(mode=["foot", "vehicle"], visits_per_day=[2.0, 3.0])
    needed = route_services(patrols, RULES)["fte"].sum()  # 5.922 + 3.331 = 9.253
    table = route_services(patrols, RULES, staff_fte=needed / 2)
    assert table["visits_per_day_at_staff"].tolist() == pytest.approx([1.0, 1.5])
    assert visits_at_staff(table, needed).tolist() == pytest.approx([2.0, 3.0])


@settings(max_examples=40, deadline=None)
@given(
    length=st.floats(0.5, 200.0),
    visits=st.floats(0.1, 24.0),
    speed=st.floats(1.0, 60.0),
    team=st.integers(1, 6),
)
def test_fte_and_visits_for_fte_are_inverse(length, visits, speed, team):
    fte = float(route_fte(team_shifts(length, visits, speed, RULES.shift_h), team, 0.625))
    assert visits_for_fte(fte, length, speed, team, RULES) == pytest.approx(visits, rel=1e-9)


def test_scenario_parameters_override_speed_shift_and_team():
    rules = ServiceRules.from_parameters(
        Parameters(foot_speed_kmh=4.0, shift_h=6.0, foot_team=3.0, staff_availability=0.5)
    )
    row = route_services(routes(mode=["foot"], visits_per_day=[1.0]), rules).iloc[0]
    length = geodesic_km(shapely.LineString([(70.0, 40.0), (70.0, 40.2)]))
    assert row["speed_kmh"] == 4.0 and row["team_size"] == 3.0
    assert row["fte"] == pytest.approx(length / 4.0 / 6.0 * 3.0 / 0.5, rel=1e-9)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("foot_team", 1.5),
        ("shift_h", 30.0),
        ("vehicle_speed_kmh", 0.0),
        ("staff_availability", 0.0),
    ],
)
def test_bad_service_parameters_are_refused_by_name(name, value):
    with pytest.raises(ScenarioError) as err:
        Parameters.from_mapping({name: value}, source="scenario.toml")
    assert name in str(err.value.problems[0])


def gap(length_km: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gap_id": [1],
            "section": ["A"],
            "km_from": [0.0],
            "km_to": [length_km],
            "length_km": [length_km],
            "mean_p_detect": [0.0],
            "priority": [1],
        }
    )


def test_needs_size_patrols_by_the_services_rule():
    # Foot patrol (pd 0.9, availability 1): V = 24 / (0.9 × 12) ln 2 = 1.5403
    # visits a day over 10 km; one team shift reads 2.5 km/h × 8 h = 20 km:
    # ceil(15.40 / 20) = 1 shift, 1 × 2 / 0.625 = 3.2 FTE. With 4 h shifts:
    # ceil(15.40 / 10) = 2 shifts, 6.4 FTE.
    catalogue = load_catalogue()
    foot = size_needs(gap(10.0), catalogue).set_index("means").loc["foot_patrol"]
    assert foot["visits_per_day"] == pytest.approx(24 / (0.9 * 12) * math.log(2), rel=1e-9)
    assert (foot["units"], foot["staff_fte"]) == (1, pytest.approx(3.2))
    short = ServiceRules.from_parameters(Parameters(shift_h=4.0))
    foot = size_needs(gap(10.0), catalogue, services=short).set_index("means").loc["foot_patrol"]
    assert (foot["units"], foot["staff_fte"]) == (2, pytest.approx(6.4))


@pytest.fixture(scope="module")
def demo():
    return assess(load_demo())


def test_plan_patrol_staff_equals_services_sizing_by_hand(demo):
    options = patrol_options(demo, demo.scenario.catalogue)
    assert len(options)
    speed = {"foot_patrol": 2.5, "vehicle_patrol": 10.0, "horse_patrol": 5.0}
    team = {"foot_patrol": 2.0, "vehicle_patrol": 3.0, "horse_patrol": 2.0}
    for row in options.itertuples(index=False):
        km = geodesic_km(row.geometry)
        shifts = km * row.visits_per_day / (speed[row.type] * 8.0)
        assert row.units == pytest.approx(shifts, rel=1e-6)
        assert row.staff_fte == pytest.approx(shifts * team[row.type] / 0.625, rel=1e-6)


def test_demo_patrol_fte_is_the_sum_of_its_routes(demo):
    services = demo.services
    assert len(services) == len(demo.scenario.patrols) == 15
    assert demo.summary["patrol_fte"] == pytest.approx(services["fte"].sum())
    expected = [
        geodesic_km(g)
        * v
        / ({"foot": 2.5, "vehicle": 10.0, "horse": 5.0}[m] * 8.0)
        * {"foot": 2.0, "vehicle": 3.0, "horse": 2.0}[m]
        / 0.625
        for g, v, m in zip(
            demo.scenario.patrols.geometry,
            demo.scenario.patrols["visits_per_day"],
            demo.scenario.patrols["mode"],
            strict=True,
        )
    ]
    assert services["fte"].to_numpy() == pytest.approx(np.array(expected), rel=1e-6)


def test_services_sheet_neutralises_formula_text(tmp_path):
    patrols = routes(mode=["foot"], visits_per_day=[1.0])
    patrols["agency"] = ['=HYPERLINK("http://x","y")']
    table = route_services(patrols, RULES)
    path = tmp_path / "needs.xlsx"
    write_needs_xlsx(size_needs(gap(1.0), load_catalogue()).iloc[:0], path, services=table)
    sheet = openpyxl.load_workbook(path)["Services"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["route", "mode", "window", "agency"]
    cell = sheet.cell(row=2, column=4)
    assert cell.data_type != "f" and str(cell.value).startswith("'=")
    assert sheet.cell(row=2, column=header.index("fte") + 1).value == pytest.approx(
        table["fte"].iloc[0]
    )
