"""The map in a real headless Chromium: loads offline, controls clear, layers toggle, popups.

Screenshots go to tests/artifacts/ (git-ignored) for a person to look at:
the demo assessment's map in English and Russian at the three projector
sizes of a workshop.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from surveil import i18n, maps
from tests.browser import CHROMIUM, Page
from tests.test_maps import LAT0, SUMMARY, _x, make_layers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium installed"),
]

SIZES = [(1024, 768), (1280, 720), (1920, 1080)]
ARTIFACTS = Path(__file__).parent / "artifacts"
TITLE = {"en": "North sector", "ru": "Северный участок"}
ATTRIBUTION = {"en": "illustrative data", "ru": "условные данные"}


def _context() -> dict[str, gpd.GeoDataFrame]:
    settlements = gpd.GeoDataFrame(
        {"name": ["Ayvaj", "Shaartuz"], "name_ru": ["Айвадж", "Шаартуз"]},
        geometry=[Point(_x(2), LAT0 + 0.02), Point(_x(7), LAT0 + 0.025)],
        crs=4326,
    )
    roads = gpd.GeoDataFrame(
        {"name": ["R1"]},
        geometry=[LineString([(_x(0), LAT0 + 0.02), (_x(10), LAT0 + 0.02)])],
        crs=4326,
    )
    rivers = gpd.GeoDataFrame(
        geometry=[LineString([(_x(0), LAT0 - 0.001), (_x(10), LAT0 - 0.001)])], crs=4326
    )
    return {"settlements": settlements, "roads": roads, "rivers": rivers}


@pytest.fixture(scope="module")
def test_maps(tmp_path_factory) -> dict[str, Path]:
    """The test layers (every kind, XSS in the texts) drawn EN and RU."""
    folder = tmp_path_factory.mktemp("maps")
    out = {}
    for lang in i18n.LANGS:
        m = maps.assessment_map(
            {**make_layers(), **_context()},
            summary=SUMMARY,
            lang=lang,
            title=TITLE[lang],
            attribution=ATTRIBUTION[lang],
        )
        out[lang] = folder / f"map_{lang}.html"
        maps.save_map(m, out[lang])
    return out


@pytest.fixture(scope="module")
def demo_maps(tmp_path_factory) -> dict[str, Path]:
    """The bundled demo assessment's map, EN and RU, as `surveil assess` draws it."""
    import surveil

    result = surveil.assess(surveil.load_demo())
    folder = tmp_path_factory.mktemp("demo")
    out = {}
    for lang in i18n.LANGS:
        out[lang] = folder / f"demo_{lang}.html"
        maps.save_map(result.map(lang=lang), out[lang])
    return out


_MAP = 'window[Object.keys(window).find(function (k) { return k.indexOf("map_") === 0; })]'
_CALL = "(" + _MAP + ")"  # each script below is a function of the page's Leaflet map

_RECTS = (
    """(function (m) {
  var box = m.getContainer(), out = [];
  box.querySelectorAll(".leaflet-control, .sv-title").forEach(function (c) {
    var r = c.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) {
      out.push([c.className.split(" ").slice(0, 2).join(" "), r.left, r.top, r.right, r.bottom]);
    }
  });
  return out;
})"""
    + _CALL
)

_EXTENT = (
    """(function (m) {
  var b = L.latLngBounds([]);
  m.eachLayer(function (l) {
    if (l.options && l.options.pane === "sv-segments" && l.getBounds) { b.extend(l.getBounds()); }
  });
  var r = m.getContainer().getBoundingClientRect();
  var nw = m.latLngToContainerPoint(b.getNorthWest());
  var se = m.latLngToContainerPoint(b.getSouthEast());
  return [r.left + nw.x, r.top + nw.y, r.left + se.x, r.top + se.y];
})"""
    + _CALL
)


def _meet(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _check_page(page: Page, path: Path, lang: str) -> None:
    assert page.errors() == []
    assert page.requests() == []  # nothing fetched: the page works offline
    assert page.js("document.documentElement.lang") == lang


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_demo_map_on_a_projector(demo_maps, lang, width, height):
    with Page(width, height) as page:
        page.open(demo_maps[lang])
        _check_page(page, demo_maps[lang], lang)
        page.screenshot(ARTIFACTS / f"demo-map-{lang}-{width}x{height}.png")
        rects = page.js(_RECTS)
        extent = page.js(_EXTENT)
    names = [r[0] for r in rects]
    assert any("sv-legend" in n for n in names)
    assert any("leaflet-control-layers" in n for n in names)
    for a, b in itertools.combinations(rects, 2):
        assert not _meet(a[1:], b[1:]), f"{a[0]} overlaps {b[0]}"
    for rect in rects:
        assert not _meet(rect[1:], extent), f"{rect[0]} covers the border's extent"
    assert 0 <= extent[0] < extent[2] <= width and 0 <= extent[1] < extent[3] <= height


_LABELS = (
    """(function (m) {
  var out = [];
  document.querySelectorAll(".sv-lab1, .sv-lab2, .sv-lab3").forEach(function (el) {
    if (getComputedStyle(el).visibility === "hidden") { return; }
    var b = null;
    [el].concat(Array.from(el.children)).forEach(function (c) {
      var r = c.getBoundingClientRect();
      if (!r.width || !r.height) { return; }
      b = b ? [Math.min(b[0], r.left), Math.min(b[1], r.top), Math.max(b[2], r.right),
               Math.max(b[3], r.bottom)] : [r.left, r.top, r.right, r.bottom];
    });
    if (b) { out.push([el.textContent].concat(b)); }
  });
  return out;
})"""
    + _CALL
)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_shown_labels_do_not_overlap(demo_maps, test_maps, width, height):
    for path in (demo_maps["en"], test_maps["ru"]):
        with Page(width, height) as page:
            page.open(path)
            labels = page.js(_LABELS)
        assert len(labels) >= 3
        for a, b in itertools.combinations(labels, 2):
            assert not _meet(a[1:], b[1:]), f"{a[0]!r} overlaps {b[0]!r} in {path.name}"


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_controls_clear_on_the_test_map(test_maps, width, height):
    with Page(width, height) as page:
        page.open(test_maps["en"])
        _check_page(page, test_maps["en"], "en")
        rects = page.js(_RECTS)
        extent = page.js(_EXTENT)
    for a, b in itertools.combinations(rects, 2):
        assert not _meet(a[1:], b[1:]), f"{a[0]} overlaps {b[0]}"
    for rect in rects:
        assert not _meet(rect[1:], extent), f"{rect[0]} covers the border's extent"


_TOGGLE = (
    """(function (m) {
  var control = window.svLayerControl, out = [];
  control._layers.forEach(function (entry, i) {
    if (!entry.overlay) { return; }
    var input = control._layerControlInputs.find(function (el) {
      return el.layerId === L.stamp(entry.layer);
    });
    var before = m.hasLayer(entry.layer);
    input.click();
    var middle = m.hasLayer(entry.layer);
    input.click();
    out.push([entry.name, before, middle, m.hasLayer(entry.layer)]);
  });
  return out;
})"""
    + _CALL
)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_each_layer_toggles(test_maps, lang):
    with Page(1920, 1080) as page:
        page.open(test_maps[lang])
        toggles = page.js(_TOGGLE)
        assert page.errors() == []
    names = {name for name, *_ in toggles}
    for key in ("layer_risk", "layer_detect", "layer_gaps", "layer_sensors", "layer_footprints",
                "layer_patrols", "layer_heat", "layer_incidents", "layer_posts", "layer_km",
                "layer_settlements", "layer_roads", "layer_rivers"):  # fmt: skip
        assert i18n.label(key, lang) in names, key
    for name, before, middle, after in toggles:
        assert middle is not before and after is before, name


_SEGMENT_POINT = (
    """(function (m) {
  var hit = null;
  m.eachLayer(function (l) {
    if (!hit && l.options && l.options.pane === "sv-segments" && l.getLatLngs && l.getPopup()
        && l.feature.properties.h.indexOf("6") > 0) { hit = l; }
  });
  var r = m.getContainer().getBoundingClientRect(), p = m.latLngToContainerPoint(hit.getCenter());
  return [r.left + p.x, r.top + p.y];
})"""
    + _CALL
)


def test_clicking_a_segment_opens_its_popup(test_maps):
    with Page(1280, 720) as page:
        page.open(test_maps["en"])
        x, y = page.js(_SEGMENT_POINT)
        page.click(x, y)
        popup = page.js(
            'document.querySelector(".leaflet-popup-content") &&'
            ' document.querySelector(".leaflet-popup-content").innerHTML'
        )
        assert page.errors() == []
    assert popup, "no popup opened"
    assert "<h4>North · Segment 6</h4>" in popup
    assert "<th>Risk, uninterdicted persons per km per year</th><td>88.00</td>" in popup
    assert "<th>Km</th><td>5.0–6.0</td>" in popup


_SENSOR_POPUP = (
    """(function (m) {
  var html = null;
  m.eachLayer(function (l) {
    if (!html && l.feature && l.getPopup && l.getPopup() && l.feature.properties.h
        && l.feature.properties.h.indexOf("script") > 0) {
      l.openPopup(); html = document.querySelector(".leaflet-popup-content").innerHTML;
    }
  });
  return [html, document.querySelectorAll(".leaflet-popup-content script, "
                                          + ".leaflet-popup-content img").length];
})"""
    + _CALL
)


def test_popup_shows_input_text_as_text(test_maps):
    with Page(1280, 720) as page:
        page.open(test_maps["en"])
        html, injected = page.js(_SENSOR_POPUP)
        assert page.errors() == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert injected == 0


_UI_TEXT = (
    """(function (m) {
  var box = m.getContainer(), parts = [document.title];
  box.querySelectorAll(".leaflet-control, .sv-title").forEach(function (c) {
    parts.push(c.textContent);
  });
  box.querySelectorAll("[title]").forEach(function (el) { parts.push(el.title); });
  return parts.join("\\n");
})"""
    + _CALL
)


def test_russian_page_has_no_english_ui_string(test_maps):
    with Page(1920, 1080) as page:
        page.open(test_maps["ru"])
        text = page.js(_UI_TEXT)
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    # names of software and a currency code are not translated
    assert words <= {"Leaflet", "OpenStreetMap", "EUR", "CAPEX", "OPEX"}, sorted(words)
    assert "Измерение" in text  # the measure tool speaks Russian


@pytest.fixture(scope="module")
def panj_ru(tmp_path_factory) -> Path:
    """The tjk-afg sample as `surveil assess --lang ru` writes it (title, rivers, names)."""
    import surveil
    from surveil.datasets import get_path
    from surveil.outputs import write_outputs

    path = get_path("tjk-afg")
    out = tmp_path_factory.mktemp("panj") / "run"
    write_outputs(surveil.assess(surveil.load_scenario(path)), out, lang="ru", scenario_file=path)
    return out


#: Proper names of the sample data's sources (data sets, licences) that stay as they are.
_SOURCE_NAMES = {"Natural", "Earth", "GeoNames", "CC", "BY", "GEBCO", "Grid", "WDBII",
                 "basemap", "data", "hires", "LGPL", "or", "later"}  # fmt: skip


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_russian_sample_map_title_attribution_and_names(panj_ru, width, height):
    from surveil.scenario import load_scenario

    scenario = load_scenario(_panj_toml())
    page_file = panj_ru / "map.html"
    with Page(width, height) as page:
        page.open(page_file)
        _check_page(page, page_file, "ru")
        page.screenshot(ARTIFACTS / f"panj-map-ru-{width}x{height}.png")
        text = page.js(_UI_TEXT)
        title = page.js("document.querySelector('.sv-title h3').textContent")
        credit = page.js("document.querySelector('.leaflet-control-attribution').textContent")
        rects = page.js(_RECTS)
    assert title == scenario.name_ru and page_title_is(text, scenario.name_ru)
    assert scenario.attribution_ru in credit and "ILLUSTRATIVE" not in credit
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    assert words <= {"Leaflet", "OpenStreetMap", "EUR", "CAPEX", "OPEX"} | _SOURCE_NAMES, sorted(
        words
    )
    assert i18n.label("layer_rivers", "ru") in text and i18n.label("river", "ru") in text
    for a, b in itertools.combinations(rects, 2):
        assert not _meet(a[1:], b[1:]), f"{a[0]} overlaps {b[0]}"
    html = page_file.read_text(encoding="utf-8")
    assert "Нижний Пяндж" in html and "Lower Panj" not in html  # the section's Russian name
    assert "Фархор" in html and "Farkhor" not in html  # settlements' name_ru


def _panj_toml() -> Path:
    from surveil.datasets import get_path

    return get_path("tjk-afg")


def page_title_is(text: str, title: str) -> bool:
    """Whether the page's <title> (first line of the UI text) is ``title``."""
    return text.split("\n", 1)[0] == title


def test_redrawn_russian_map_keeps_title_and_rivers(panj_ru, tmp_path):
    from click.testing import CliRunner

    from surveil.cli.main import cli

    target = tmp_path / "redrawn.html"
    result = CliRunner().invoke(cli, ["map", str(panj_ru), "--lang", "ru", "--out", str(target)])
    assert result.exit_code == 0, result.output
    with Page(1280, 720) as page:
        page.open(target)
        _check_page(page, target, "ru")
        text = page.js(_UI_TEXT)
        toggles = page.js(_TOGGLE)
    original = (panj_ru / "map.html").read_text(encoding="utf-8")
    assert re.search(r"<title>(.*?)</title>", original).group(1) in text
    names = {name for name, *_ in toggles}
    assert {i18n.label(k, "ru") for k in ("layer_rivers", "layer_hillshade")} <= names


EXAMPLES = Path(__file__).parents[1] / "maps"


@pytest.mark.parametrize("name", ["kgz-tjk-en", "kgz-tjk-ru", "tjk-afg-en", "tjk-afg-ru"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_example_maps_on_a_projector(name, width, height):
    """The checked-in example maps: clear controls, their language; screenshots for a person."""
    lang = name.rsplit("-", 1)[1]
    path = EXAMPLES / f"{name}.html"
    with Page(width, height) as page:
        page.open(path)
        _check_page(page, path, lang)
        page.screenshot(ARTIFACTS / f"example-{name}-{width}x{height}.png")
        rects = page.js(_RECTS)
        extent = page.js(_EXTENT)
        text = page.js(_UI_TEXT)
    for a, b in itertools.combinations(rects, 2):
        assert not _meet(a[1:], b[1:]), f"{a[0]} overlaps {b[0]}"
    for rect in rects:
        assert not _meet(rect[1:], extent), f"{rect[0]} covers the border's extent"
    if lang == "ru":
        words = set(re.findall(r"[A-Za-z]{2,}", text))
        allowed = {"Leaflet", "OpenStreetMap", "EUR", "CAPEX", "OPEX"} | _SOURCE_NAMES
        assert words <= allowed, sorted(words - allowed)
