"""A sweep's folder: the report's section and the map's layer of the probability of a gap.

The hand-built case of tests/test_sweeping.py: a 4 km border seen whole by one camera whose pd
is drawn from 0.3..0.7 on a 10-stratum Latin hypercube, target pd 0.5. The whole border is one
gap exactly when pd < 0.5, in 5 samples of 10: the gap exists with probability 0.5, each of the
4 segments lies in a gap with probability 0.5, and the gap km of the samples are five zeros and
five times the border's length L, so P5 = 0, P50 = L / 2 (between the 5th and 6th values) and
P95 = L.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from pyproj import Geod

from surveil import maps
from surveil.cli.main import cli
from surveil.report import report_data_from_folder, report_html
from surveil.sweeping import sweep
from tests.conftest import border_frame, point_off_line, sensor_frame, straight_line

LENGTH_M = 4000.0
HOSTILE = "<b>A&B</b>"


def half_gap_folder(path, *, lang: str = "en"):
    from surveil.scenario import Scenario

    line = straight_line(LENGTH_M)
    site, _ = point_off_line(line, LENGTH_M / 2, -300.0)
    sensors = sensor_frame([{"geometry": site, "range_m": 10_000.0, "pd": 0.4}])
    scenario = Scenario.from_layers(
        border_frame(line, section=HOSTILE),
        sensors=sensors,
        parameters={"sample_m": 100.0, "target_pd": 0.5},
    )
    result = sweep(scenario, vary=["pd:camera=0.3..0.7"], samples=10, workers=0)
    return result.save(path, lang=lang)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return half_gap_folder(tmp_path_factory.mktemp("sweep") / "out")


def _section(page: str) -> str:
    start = page.index('<section id="rep_sweep"')
    return page[start : page.index("</section>", start)]


def _cells(html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    cells = [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)] for r in rows
    ]
    return [c for c in cells if c]


def test_the_sweep_writes_its_report_with_the_section(folder):
    km = Geod(ellps="WGS84").geometry_length(straight_line(LENGTH_M)) / 1000.0
    section = _section((folder / "report.html").read_text(encoding="utf-8"))
    rows = _cells(section)
    gap_km = next(r for r in rows if r[0] == "Gap length, km")
    assert gap_km[1:] == [f"{km:.1f}", "0.0", f"{km / 2:.1f}", f"{km:.1f}"]
    stability = [r for r in rows if len(r) == 7]
    assert len(stability) == 1
    assert stability[0][4] == "50%"  # probability the gap exists
    assert stability[0][5] == f"0.0–{km:.1f} ({km / 2:.1f})"  # its length band
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in section and HOSTILE not in section
    assignment = next(r for r in rows if r[0] == "pd:camera")
    assert assignment[2:4] == ["0.3", "0.7"]
    assert "Latin hypercube" in section and "<svg" in section  # the tornado, inline


def test_surveil_report_redraws_the_section_from_the_folder_alone(folder):
    en = report_html(report_data_from_folder(folder), lang="en")
    assert _section(en) == _section((folder / "report.html").read_text(encoding="utf-8"))
    ru = _section(report_html(report_data_from_folder(folder), lang="ru"))
    assert "Вероятность существования" in ru and "50\xa0%" in ru
    assert "Latin" not in ru and "Probability" not in ru


def test_the_map_colours_segments_by_their_probability_of_a_gap(folder, tmp_path):
    # p_gap 0.5 on every segment: the bin 0.5-0.75 of the ramp, on the folder's map and on
    # the map that surveil map redraws from the folder alone, in Russian.
    colour = next(c for lo, hi, c in maps.GAP_PROBABILITY_BINS if lo <= 0.5 < hi)
    drawn = (folder / "map.html").read_text(encoding="utf-8")
    assert "Segments: probability of a gap" in drawn and colour in drawn
    redrawn = tmp_path / "map-ru.html"
    result = CliRunner().invoke(cli, ["map", str(folder), "--lang", "ru", "--out", str(redrawn)])
    assert result.exit_code == 0, result.output
    page = redrawn.read_text(encoding="utf-8")
    name = json.dumps("Участки: вероятность разрыва в охвате")  # the layer control's JSON
    assert name in page and colour in page
    assert "Вероятность попасть в разрыв" in page  # the legend's heading


def test_a_folder_without_a_sweep_has_no_section_nor_layer(tmp_path):
    from surveil.assessment import assess
    from surveil.datasets import load_demo

    out = tmp_path / "plain"
    assess(load_demo("synthetic")).save(out)
    assert 'id="rep_sweep"' not in (out / "report.html").read_text(encoding="utf-8")
    assert "probability of a gap" not in (out / "map.html").read_text(encoding="utf-8")


def test_at_national_scale_the_layer_draws_runs_of_one_bin(folder, monkeypatch):
    # Past MAX_SEGMENT_FEATURES segments the layer draws runs of consecutive segments in one
    # bin: the 4 segments, all at p_gap 0.5, make one run, coloured by its mean (0.5).
    from surveil.outputs import read_outputs

    layers, info = read_outputs(folder)
    monkeypatch.setattr(maps, "MAX_SEGMENT_FEATURES", 2)
    page = maps.assessment_map(layers, summary=info["summary"]).get_root().render()
    collections = [json.loads(d) for d in re.findall(r"var \w+_data = (\{.*?\});\n", page)]
    layer = next(c for c in collections if "Probability of a gap" in c["labels"])
    assert "Length, km" in layer["labels"]  # a run's popup
    assert len(layer["features"]) == 1
    assert layer["styles"] == [
        {"color": "#756bb1", "weight": 5, "opacity": 0.95, "lineCap": "round"}
    ]
