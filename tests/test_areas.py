"""Responsibility areas: km per area, seams, handovers, fastest responder, coordination."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from surveil.areas import fastest_responder, response_times
from surveil.assessment import assess
from surveil.cli.main import cli
from surveil.coverage import response_hours
from surveil.errors import InputError
from surveil.scenario import Scenario
from surveil.segments import sample_targets, segment_border

GEOD = Geod(ellps="WGS84")
START = (70.0, 40.0)


def along(km: float, *, south_m: float = 0.0) -> tuple[float, float]:
    """The point ``km`` along the 10 km test line (east from 70° E 40° N), moved south."""
    lon, lat, _ = GEOD.fwd(START[0], START[1], 90.0, km * 1000.0)
    if south_m:
        lon, lat, _ = GEOD.fwd(lon, lat, 180.0, south_m)
    return float(lon), float(lat)


def border(reverse: bool = False) -> gpd.GeoDataFrame:
    line = shapely.LineString([START, along(10.0)])
    if reverse:
        line = line.reverse()
    return gpd.GeoDataFrame(
        {"section": ["A"], "country_left": ["North"], "country_right": ["South"]},
        geometry=[line],
        crs=4326,
    )


def posts() -> gpd.GeoDataFrame:
    """P1 (agency X) 1 km south of km 1, P2 (agency Y) 1 km south of km 9, both 30 km/h."""
    return gpd.GeoDataFrame(
        {
            "id": ["P1", "P2"],
            "type": ["outpost", "outpost"],
            "reaction_speed_kmh": [30.0, 30.0],
            "agency": ["X", "Y"],
        },
        geometry=[shapely.Point(along(1.0, south_m=1000)), shapely.Point(along(9.0, south_m=1000))],
        crs=4326,
    )


def ranges_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "areas.csv"
    path.write_text(text, encoding="utf-8")
    return path


SPLIT = "section,km_from,km_to,unit,agency\nA,0,4.2,U1,X\nA,4.2,10,U2,Y\n"


def scenario(areas, *, reverse: bool = False) -> Scenario:
    return Scenario.from_layers(
        border(reverse),
        posts=posts(),
        areas=areas,
        parameters={"segment_m": 1000, "sample_m": 100, "own_country": "South"},
    )


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    path = ranges_csv(tmp_path_factory.mktemp("areas"), SPLIT)
    return assess(scenario(path))


def test_a_stretch_split_between_two_areas_counts_once_in_each(split):
    areas = split.responsibility.areas.set_index("area")
    # Segment km 4–5 is split at 4.2: 0.2 km to U1, 0.8 km to U2.
    assert areas.loc["U1", "km"] == pytest.approx(4.2, abs=1e-9)
    assert areas.loc["U2", "km"] == pytest.approx(5.8, abs=1e-9)
    assert areas["km"].sum() == pytest.approx(split.summary["km_assessed"], abs=1e-9)
    pieces = split.responsibility.pieces
    in_fifth = pieces[(pieces["km_from"] >= 4.0 - 1e-9) & (pieces["km_to"] <= 5.0 + 1e-9)]
    assert sorted((in_fifth["km_to"] - in_fifth["km_from"]).round(9)) == [0.2, 0.8]


def test_a_gap_across_the_boundary_counts_its_part_in_each_area_and_is_a_seam(split):
    # No means at all: the whole line is one gap, across the handover at km 4.2.
    assert len(split.gaps) == 1
    areas = split.responsibility.areas.set_index("area")
    assert areas.loc["U1", "gap_km"] == pytest.approx(4.2, abs=1e-6)
    assert areas.loc["U2", "gap_km"] == pytest.approx(5.8, abs=1e-6)
    assert areas["gaps"].tolist() == [1, 1]
    assert areas["covered_km"].tolist() == pytest.approx([0.0, 0.0], abs=1e-6)
    seams = split.responsibility.seams
    handover = seams[seams["kind"] == "handover"].iloc[0]
    assert handover["km_handover"] == pytest.approx(4.2)
    assert (handover["area_from"], handover["area_to"]) == ("U1", "U2")
    lon, lat = along(4.2)
    assert (handover["lon"], handover["lat"]) == (
        pytest.approx(lon, abs=1e-6),
        pytest.approx(lat, abs=1e-6),
    )
    assert (seams["kind"] == "gap").sum() == 1
    assert split.summary["handovers"] == 1 and split.summary["seam_gaps"] == 1


def test_fastest_responder_of_another_agency_by_hand(split):
    responders = split.responsibility.responders.set_index("segment_id")
    # Segment 5 (km 4–5, mostly U2 of agency Y): its middle (km 4.5) is
    # sqrt(3.5² + 1²) km from P1 and sqrt(4.5² + 1²) km from P2: P1 (X) answers.
    fifth = responders.loc[5]
    assert (fifth["area"], fifth["agency"]) == ("U2", "Y")
    assert (fifth["responder_post"], fifth["responder_agency"]) == ("P1", "X")
    assert bool(fifth["other_agency"]) and bool(fifth["other_unit"])
    # Its time is the reaction model's (no DEM: straight line x 1.4 at 30 km/h),
    # the mean over the segment's points: between the times to its two ends,
    # and the segments table's response_h.
    post = along(1.0, south_m=1000)
    ends_h = [
        GEOD.inv(*along(km), post[0], post[1])[2] / 1000 * 1.4 / 30.0 for km in (4.0, 5.0)
    ]
    assert ends_h[0] < fifth["response_h"] < ends_h[1]
    segment = split.segments.set_index("segment_id").loc[5]
    assert fifth["response_h"] == pytest.approx(segment["response_h"], rel=1e-9)
    # Every other segment is answered by its own area's post: 1 of 10.
    assert responders["other_agency"].sum() == 1
    assert split.summary["cross_agency_response_share"] == pytest.approx(0.1)
    assert split.summary["cross_unit_response_share"] == pytest.approx(0.1)
    coordination = split.responsibility.coordination.set_index(["agency_a", "agency_b"])
    assert coordination.loc[("X", "Y"), "response_km"] == pytest.approx(1.0)
    assert coordination.loc[("X", "Y"), "handovers"] == 1
    assert coordination.loc[("X", "Y"), "seam_gap_km"] == pytest.approx(10.0, abs=1e-6)
    assert coordination.loc[("X", "X"), "response_km"] == 0.0


def test_polygon_areas_split_the_line_where_they_meet():
    split_lon = along(4.2)[0]
    west = shapely.box(69.9, 39.9, split_lon, 40.1)
    east = shapely.box(split_lon, 39.9, 70.3, 40.1)
    polygons = gpd.GeoDataFrame(
        {"unit": ["U1", "U2"], "agency": ["X", "Y"]}, geometry=[west, east], crs=4326
    )
    for reverse in (False, True):
        result = assess(scenario(polygons, reverse=reverse)).responsibility
        km = result.areas.set_index("area")["km"]
        assert km["U1"] == pytest.approx(4.2, abs=0.002)
        assert km["U2"] == pytest.approx(5.8, abs=0.002)
        assert result.summary["cross_agency_response_share"] == pytest.approx(0.1)
        assert len(result.polygons) == 2


def test_fastest_responder_picks_the_least_time_and_marks_none():
    hours = np.array([[2.0, 1.0, 1.0], [np.inf, np.inf, np.inf], [0.5, 3.0, np.inf]])
    index, best = fastest_responder(hours)
    assert index.tolist() == [1, -1, 0]  # a tie goes to the first post
    assert best.tolist() == [1.0, math.inf, 0.5]
    index, best = fastest_responder(np.empty((2, 0)))
    assert index.tolist() == [-1, -1] and np.isinf(best).all()


def test_response_times_agree_with_the_assessment_reaction_model():
    targets = sample_targets(segment_border(border(), segment_m=1000), sample_m=500)
    per_post = response_times(targets.lon, targets.lat, posts(), detour_factor=1.4)
    assert per_post.shape == (len(targets), 2)
    fastest = response_hours(targets, posts(), detour_factor=1.4)
    assert per_post.min(axis=1) == pytest.approx(fastest, rel=1e-12)
    post = along(1.0, south_m=1000)
    d = GEOD.inv(targets.lon[0], targets.lat[0], post[0], post[1])[2]
    assert per_post[0, 0] == pytest.approx(d / 1000 * 1.4 / 30, rel=1e-6)


@pytest.mark.parametrize(
    ("text", "row", "field", "words"),
    [
        (
            "section,km_from,km_to,unit,agency\nA,0,4,U1,X\nA,6,5,U2,Y\n",
            2,
            "km_to",
            "above km_from",
        ),
        (
            "section,km_from,km_to,unit,agency\nA,0,4,U1,X\nB,4,10,U2,Y\n",
            2,
            "section",
            "section of",
        ),
        ("section,km_from,km_to,unit,agency\nA,0,5,U1,X\nA,4,10,U2,Y\n", 2, "km_from", "overlap"),
        ("section,km_from,km_to,unit,agency\nA,0,4,U1,X\nA,4,10,U1,Y\n", 2, "agency", "one agency"),
        ("section,km_from,km_to,unit,agency\nA,0,4,U1,X\nA,4,30,U2,Y\n", 2, "km_to", "at most"),
        ("section,km_from,km_to,unit,agency\nA,zero,4,U1,X\n", 1, "km_from", "km mark"),
    ],
)
def test_bad_areas_name_file_row_and_field(tmp_path, text, row, field, words):
    path = ranges_csv(tmp_path, text)
    with pytest.raises(InputError) as err:  # read errors are collected with other layers'
        scenario(path)
    problem = err.value.problems[0]
    assert (problem.source, problem.layer, problem.row, problem.field) == (
        str(path),
        "areas",
        row,
        field,
    )
    assert words in problem.expected


def test_bad_areas_exit_2_without_traceback(tmp_path):
    border().to_file(tmp_path / "border.geojson")
    ranges_csv(tmp_path, "section,km_from,km_to,unit,agency\nA,0,4,U1,X\nA,6,5,U2,Y\n")
    (tmp_path / "scenario.toml").write_text(
        '[layers]\nborder = "border.geojson"\nareas = "areas.csv"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["assess", str(tmp_path / "scenario.toml"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "areas.csv, layer areas, row 2: km_to is 5" in result.output
    assert "Traceback" not in result.output


def test_scenario_without_areas_has_no_area_tables(split):
    plain = assess(Scenario.from_layers(border(), posts=posts()))
    assert plain.responsibility is None
    assert "areas" not in plain.summary and "cross_agency_response_share" not in plain.summary
    assert not isinstance(plain.scenario.areas, InputError)
    assert len(plain.scenario.areas) == 0


def test_area_outputs_are_written(split, tmp_path):
    import pandas as pd

    split.save(tmp_path / "out")
    areas = pd.read_csv(tmp_path / "out" / "areas.csv")
    assert areas["area"].tolist() == ["U1", "U2"]
    assert areas["km"].tolist() == pytest.approx([4.2, 5.8])
    coordination = pd.read_csv(tmp_path / "out" / "coordination.csv")
    assert set(coordination.columns) >= {"agency_a", "agency_b", "response_km", "handovers"}
    seams = pd.read_csv(tmp_path / "out" / "seams.csv")
    assert seams["kind"].tolist() == ["handover", "gap"]
    assert (tmp_path / "out" / "responders.csv").is_file()
    assert (tmp_path / "out" / "services.csv").is_file()


def test_map_draws_areas_seams_and_handovers_with_legend(split):
    en = split.map(lang="en").get_root().render()
    # the overlay, the legend row, an area's tooltip and the handover point
    for word in ("Responsibility areas and seams", "Areas and seams", "Responsibility area U1"):
        assert word in en
    assert "Handover point: U1 \\u2013 U2" in en or "Handover point: U1 – U2" in en
    assert en.count("sv-handover") >= 2  # the marker and its legend row
    ru = split.map(lang="ru").get_root().render()
    assert "Участки и стыки" in ru  # the legend row (HTML, not escaped)


def test_report_has_the_area_and_services_sections(split):
    from surveil.report import report_data, report_html

    page = report_html(report_data(split, {"parameters": {}}), lang="ru")
    part = page.split('id="rep_areas"')[1]
    assert "U1" in part and "Взаимодействие ведомств" in part
    assert "10\xa0%" in part  # one of ten segments answered by the other agency


def test_areas_survive_writing_the_scenario_files(split, tmp_path):
    from surveil.scenario import load_scenario
    from surveil.synthetic import write_scenario_files

    toml = write_scenario_files(split.scenario, tmp_path / "copy")
    again = load_scenario(toml)
    cols = ["section", "km_from", "km_to", "unit", "agency"]
    assert again.areas[cols].values.tolist() == split.scenario.areas[cols].values.tolist()


def test_an_area_off_the_line_is_listed_with_0_km_and_a_warning():
    from surveil.errors import InputWarning

    split_lon = along(4.2)[0]
    polygons = gpd.GeoDataFrame(
        {"unit": ["U1", "U2", "Far"], "agency": ["X", "Y", "Y"]},
        geometry=[
            shapely.box(69.9, 39.9, split_lon, 40.1),
            shapely.box(split_lon, 39.9, 70.3, 40.1),
            shapely.box(70.0, 39.5, 70.1, 39.6),  # 45 km south of the line
        ],
        crs=4326,
    )
    with pytest.warns(InputWarning, match="Far reach no part of the border line"):
        result = assess(scenario(polygons)).responsibility
    far = result.areas.set_index("area").loc["Far"]
    assert far["km"] == 0.0 and far["gap_km"] == 0.0 and far["posts"] == 0
    assert result.areas["area"].tolist() == ["U1", "U2", "Far"]


@settings(max_examples=30, deadline=None)
@given(
    segment_m=st.floats(200.0, 3000.0),
    cuts=st.lists(st.floats(0.1, 9.9), min_size=1, max_size=4, unique=True),
)
def test_area_km_are_the_ranges_whatever_the_segment_length(segment_m, cuts):
    from surveil.areas import area_pieces

    segments = segment_border(border(), segment_m=segment_m)
    marks = [0.0, *sorted(cuts), 10.0]
    ranges = gpd.GeoDataFrame(
        {
            "unit": [f"U{i}" for i in range(len(marks) - 1)],
            "agency": ["X"] * (len(marks) - 1),
            "section": ["A"] * (len(marks) - 1),
            "km_from": marks[:-1],
            "km_to": marks[1:],
            "source_row": range(1, len(marks)),
        },
        geometry=[None] * (len(marks) - 1),
        crs=4326,
    )
    pieces = area_pieces(segments, ranges)
    km = (pieces["km_to"] - pieces["km_from"]).groupby(pieces["area"]).sum()
    for i, (lo, hi) in enumerate(itertools.pairwise(marks)):
        assert km[f"U{i}"] == pytest.approx(hi - lo, abs=1e-9)
    assert km.sum() == pytest.approx(segments["length_m"].sum() / 1000.0, abs=1e-6)


def test_hostile_area_names_are_neither_formulas_nor_markup(tmp_path):
    import pandas as pd

    path = ranges_csv(
        tmp_path,
        "section,km_from,km_to,unit,agency\n"
        'A,0,4.2,"=HYPERLINK(""http://x"",""y"")",<script>alert(1)</script>\nA,4.2,10,U2,Y\n',
    )
    result = assess(scenario(path))
    result.save(tmp_path / "out")
    for name in ("areas.csv", "seams.csv", "coordination.csv", "responders.csv"):
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert ",=HYPERLINK" not in text and "\n=HYPERLINK" not in text
    areas = pd.read_csv(tmp_path / "out" / "areas.csv")
    assert areas["area"].iloc[0].startswith("'=HYPERLINK")
    for page in ("report.html", "map.html"):
        assert "<script>alert(1)</script>" not in (tmp_path / "out" / page).read_text()
