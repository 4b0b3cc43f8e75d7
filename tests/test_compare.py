import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from surveil.assessment import assess
from surveil.comparison import compare, gap_changes
from surveil.datasets import load_demo
from surveil.errors import ScenarioError


@pytest.fixture(scope="module")
def base():
    return assess(load_demo("synthetic"))


def gaps(rows):
    columns = ["gap_id", "section", "part", "km_from", "km_to"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["length_km"] = frame["km_to"] - frame["km_from"]
    return frame


def test_gap_outcomes_by_overlap():
    before = gaps(
        [
            (1, "A", 0, 0.0, 4.0),
            (2, "A", 0, 10.0, 14.0),
            (3, "A", 0, 20.0, 22.0),
            (4, "B", 0, 0.0, 3.0),
        ]
    )
    after = gaps(
        [
            (1, "A", 0, 10.0, 11.0),
            (2, "A", 0, 12.0, 13.0),
            (3, "A", 0, 20.0, 21.0),
            (4, "B", 0, 0.0, 3.0),
            (5, "A", 0, 30.0, 31.0),
        ]
    )
    table = gap_changes(before, after)
    keys = zip(table["posture"], table["gap_id"], strict=True)
    outcome = dict(zip(keys, table["outcome"], strict=True))
    assert outcome == {
        ("base", 1): "closed",
        ("base", 2): "split",
        ("base", 3): "shrunk",
        ("base", 4): "unchanged",
        ("plan", 5): "new",
    }
    split = table[(table["posture"] == "base") & (table["gap_id"] == 2)].iloc[0]
    assert split["plan_km_inside"] == pytest.approx(2.0)


def test_plan_holds_threat_and_prices_only_what_it_adds(base):
    scenario = base.scenario
    tower_site = scenario.sensors.geometry.iloc[0]
    tower = gpd.GeoDataFrame(
        {"id": ["T-new"], "type": ["thermal_tower"]}, geometry=[tower_site], crs=4326
    )
    plan = scenario.add_sensors(tower).scale_patrols(2.0, mode="foot")
    result = compare(base, plan)
    assert (result.segments["threat_change"] == 0).all()
    assert (result.segments["p_detect_change"] >= -1e-12).all()
    assert result.kpis["km_covered"]["change"] >= 0
    catalogue = scenario.catalogue.set_index("type")
    # Extra foot patrol-km a day: the doubled visits times each route's geodesic length.
    geod = Geod(ellps="WGS84")
    foot = scenario.patrols[scenario.patrols["mode"] == "foot"]
    extra = sum(
        v * geod.geometry_length(g) / 1000
        for v, g in zip(foot["visits_per_day"], foot.geometry, strict=True)
    )
    assert result.cost["patrol_km_per_day_added"] == pytest.approx(extra, rel=1e-6)
    units = extra / catalogue.loc["foot_patrol", "km_per_day"]
    expected_opex = (
        catalogue.loc["thermal_tower", "opex_eur_per_year"]
        + units * catalogue.loc["foot_patrol", "opex_eur_per_year"]
    )
    assert result.cost["opex_eur_per_year"] == pytest.approx(expected_opex, rel=1e-6)
    # More visits need more patrol units, bought like the placement buys them.
    expected_capex = (
        catalogue.loc["thermal_tower", "capex_eur"]
        + units * catalogue.loc["foot_patrol", "capex_eur"]
    )
    assert result.cost["capex_eur"] == pytest.approx(expected_capex, rel=1e-6)
    # The cost of the gaps left is reported apart, from the plan's needs.
    assert result.cost["remaining_gaps_capex_eur"] == result.plan.summary["capex_eur"]


def test_a_plan_assessed_on_its_own_posture_is_refused(base):
    alone = assess(base.scenario.scale_patrols(2.0))
    with pytest.raises(ScenarioError, match="baseline"):
        compare(base, alone)


def test_same_plan_twice_changes_nothing(base):
    result = compare(base, base.scenario)
    assert not result.segments["changed"].any()
    assert set(result.gaps["outcome"]) <= {"unchanged"}
    np.testing.assert_allclose([k["change"] for k in result.kpis.values()], 0.0, atol=1e-9)
