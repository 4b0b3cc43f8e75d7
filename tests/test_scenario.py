import dataclasses

import geopandas as gpd
import pytest

from surveil import InputError, ScenarioError
from surveil.datasets import get_path, load_demo
from surveil.errors import SchemaError
from surveil.scenario import Parameters, Scenario, load_scenario


def test_demo_scenario_loads_every_layer():
    scenario = load_demo("synthetic")
    assert len(scenario.border) == 2
    assert {"range_m", "pd", "status"} <= set(scenario.sensors.columns)
    assert len(scenario.incidents) == 150
    assert scenario.sources["border"].name == "border.geojson"
    assert scenario.parameters.path_depth_m == 300.0


def test_paths_are_relative_to_the_scenario_file(tmp_path, monkeypatch):
    demo = get_path("synthetic").parent
    (tmp_path / "s.toml").write_text(
        f'name = "x"\n[layers]\nborder = "{demo / "border.geojson"}"\n'
        "[parameters]\nsegment_m = 500\n"
    )
    monkeypatch.chdir(tmp_path.parent)
    scenario = load_scenario(tmp_path / "s.toml")
    assert scenario.parameters.segment_m == 500
    assert len(scenario.sensors) == 0  # no sensors is a valid case


def test_path_offsets_are_refused_with_the_depth_to_use(tmp_path):
    demo = get_path("synthetic").parent
    path = tmp_path / "old.toml"
    path.write_text(
        f'name = "x"\n[layers]\nborder = "{demo / "border.geojson"}"\n'
        "[parameters]\npath_offsets_m = [-250, 0, 400]\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert "old.toml" in text and "path_offsets_m" in text
    assert "replaced by path_depth_m" in text and "path_depth_m = 400" in text


@pytest.mark.parametrize("depth", [0.0, -300.0])
def test_path_depth_must_be_positive(depth):
    with pytest.raises(ScenarioError, match="path_depth_m"):
        Parameters(path_depth_m=depth)


def test_overrides_win_over_the_file():
    scenario = load_scenario(get_path("synthetic"), parameters={"target_pd": 0.8})
    assert scenario.parameters.target_pd == 0.8


def test_unknown_and_bad_parameters_are_named(tmp_path):
    with pytest.raises(ScenarioError) as err:
        Parameters.from_mapping({"segmnt_m": 5, "target_pd": 2.0, "sample_m": "x"}, source="s.toml")
    text = str(err.value)
    assert "segmnt_m" in text and "target_pd" in text and "sample_m" in text and "s.toml" in text


def test_bad_toml_and_unknown_keys(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(ScenarioError, match=r"bad\.toml"):
        load_scenario(bad)
    odd = tmp_path / "odd.toml"
    odd.write_text('[layers]\nborder = "b.gpkg"\nsensorz = "s.csv"\n')
    with pytest.raises(ScenarioError, match="sensorz"):
        load_scenario(odd)


def test_missing_border_is_refused(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('[layers]\nsensors = "s.csv"\n')
    with pytest.raises(ScenarioError, match="border"):
        load_scenario(f)


def test_analyst_changes_return_new_scenarios():
    base = load_demo("synthetic")
    doubled = base.scale_patrols(2.0, window="night")
    night = base.patrols["window"] == "night"
    assert (
        doubled.patrols.loc[night, "visits_per_day"]
        == 2 * base.patrols.loc[night, "visits_per_day"]
    ).all()
    assert (
        doubled.patrols.loc[~night, "visits_per_day"] == base.patrols.loc[~night, "visits_per_day"]
    ).all()
    more = base.add_sensors(base.sensors.iloc[:2].assign(id=["X1", "X2"]))
    assert len(more.sensors) == len(base.sensors) + 2 and len(base.sensors) == 7
    assert more.sensors["source_row"].tolist()[-2:] == [8, 9]  # numbered on, not reused
    with pytest.raises(SchemaError, match="reuse ids"):
        base.add_sensors(base.sensors.iloc[:1])
    with pytest.raises(ScenarioError, match="nite"):
        base.scale_patrols(2.0, window="nite")
    with pytest.raises(ScenarioError, match="mode"):
        base.scale_patrols(2.0, mode="bicycle")
    assert base.with_parameters(segment_m=250).parameters.segment_m == 250
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["today", "2023-13-05", "05.01.2024", "yesterday"])
def test_reference_date_must_be_an_iso_date(text):
    # "today" parsed (pd.Timestamp("today")) and changed from run to run
    with pytest.raises(ScenarioError) as err:
        Parameters(reference_date=text)
    (problem,) = err.value.problems
    assert (problem.field, problem.value) == ("reference_date", repr(text))
    assert "ISO date" in problem.expected


def test_incidents_after_the_reference_date_are_refused(tmp_path):
    border = get_path("synthetic").parent / "border.geojson"
    incidents = tmp_path / "incidents.csv"
    lon, lat = gpd.read_file(border).geometry.iloc[0].coords[0]
    incidents.write_text(f"lon,lat,date\n{lon},{lat},2024-05-01\n{lon},{lat},2025-03-01\n")
    with pytest.raises(InputError) as err:
        Scenario.from_layers(
            border, incidents=incidents, parameters={"reference_date": "2025-01-01"}
        )
    (problem,) = err.value.problems
    assert (problem.source, problem.row, problem.field) == (str(incidents), 2, "date")
    assert "after reference_date 2025-01-01" in problem.expected


def test_russian_title_attribution_and_section_names_of_a_sample():
    scenario = load_scenario(get_path("tjk-afg"))
    assert scenario.title("ru") == "Участок нижнего Пянджа (таджикско-афганская граница)"
    assert scenario.title("en") == scenario.name == "Lower Panj sector (Tajik–Afghan border)"
    assert scenario.credit("ru").startswith("Граница: Natural Earth")
    assert scenario.credit("en") == scenario.attribution
    assert scenario.section_names("ru") == {"Lower Panj": "Нижний Пяндж"}
    assert scenario.section_names("en") == {}
    assert len(scenario.rivers) == 11  # the Panj and its tributaries, read as context
    farkhor = scenario.settlements.loc[scenario.settlements["name"] == "Farkhor", "name_ru"]
    assert farkhor.tolist() == ["Фархор"]
