"""Tests of surveil.maps: the rendered HTML, escaping, offline assets, a real browser."""

from __future__ import annotations

import html
import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon

from surveil import i18n, maps
from surveil.errors import InputError

LON0, LAT0 = 70.0, 40.0
DEG_PER_KM = 1 / 85.0  # about 1 km of longitude at 40° N
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
RISK = [12.0, 30.0, 45.0, 60.0, 72.0, 88.0, 95.0, 50.0, 20.0, 5.0]
CLASSES = ["low", "low", "medium", "high", "high", "critical", "critical", "medium", "low", "low"]


def _x(km: float) -> float:
    return LON0 + km * DEG_PER_KM


def make_layers() -> dict[str, gpd.GeoDataFrame]:
    """A 10 km straight border in 10 segments, 2 sensors, a patrol, 5 incidents, a post."""
    n = 10
    segments = gpd.GeoDataFrame(
        {
            "section": ["North"] * n,
            "segment_id": range(1, n + 1),
            "km_from": np.arange(n, dtype=float),
            "km_to": np.arange(1, n + 1, dtype=float),
            "length_m": [1000.0] * n,
            "p_sensor": np.linspace(0.9, 0.0, n),
            "p_patrol": [0.3] * n,
            "p_detect": [0.93, 0.85, 0.71, 0.66, 0.52, 0.44, 0.31, 0.3, 0.12, 0.05],
            "p_interdict": [0.5] * n,
            "covered_frac": np.linspace(1.0, 0.0, n),
            "sensors_seeing": [2, 2, 1, 1, 1, 0, 0, 0, 0, 0],
            "revisit_h": [6.0, 6.0, 12.0, 12.0, 24.0, 24.0, np.nan, np.inf, 48.0, 48.0],
            "incidents": [0, 1, 0, 2, 0, 1, 0, 0, 1, 0],
            "incidents_per_km_year": [0.0, 1.0, 0.0, 2.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0],
            "threat_confidence": ["high"] * (n - 1) + ["low"],
            "threat": np.linspace(0.2, 0.9, n),
            "vulnerability": np.linspace(0.1, 0.95, n),
            "risk": RISK,
            "risk_class": CLASSES,
        },
        geometry=[LineString([(_x(k), LAT0), (_x(k + 1), LAT0)]) for k in range(n)],
        crs=4326,
    )
    gaps = gpd.GeoDataFrame(
        {
            "gap_id": [1],
            "section": ["North"],
            "km_from": [5.0],
            "km_to": [10.0],
            "length_km": [5.0],
            "mean_p_detect": [0.24],
            "mean_risk": [51.6],
            "max_risk": [95.0],
            "incidents": [2],
            "priority": [1],
        },
        geometry=[LineString([(_x(5), LAT0), (_x(10), LAT0)])],
        crs=4326,
    )
    sensors = gpd.GeoDataFrame(
        {
            "id": [XSS[0], XSS[1]],
            "type": ["thermal_tower", "camera_tower"],
            "range_m": [3000.0, 2000.0],
            "azimuth_deg": [180.0, np.nan],
            "fov_deg": [60.0, 360.0],
            "height_m": [12.0, 8.0],
            "pd": [0.8, 0.7],
            "availability": [0.95, 0.9],
            "status": ["operational", "faulty"],
            "agency": ["Border Service", "<b>Agency & Co</b>"],
        },
        geometry=[Point(_x(1), LAT0 + 0.01), Point(_x(3), LAT0 + 0.01)],
        crs=4326,
    )
    footprints = gpd.GeoDataFrame(
        {
            "sensor_id": [XSS[0], XSS[1]],
            "type": ["thermal_tower", "camera_tower"],
            "status": ["operational", "faulty"],
            "range_m": [3000.0, 2000.0],
            "visible_share": [0.8, 0.6],
        },
        geometry=[
            Polygon([(_x(1), LAT0 + 0.01), (_x(-1), LAT0 - 0.015), (_x(3), LAT0 - 0.015)]),
            Point(_x(3), LAT0 + 0.01).buffer(0.015),
        ],
        crs=4326,
    )
    patrols = gpd.GeoDataFrame(
        {
            "id": ["P1"],
            "visits_per_day": [2.0],
            "sweep_m": [200.0],
            "mode": ["vehicle"],
            "window": ["night"],
            "agency": ["Border Service"],
        },
        geometry=[LineString([(_x(0), LAT0 + 0.004), (_x(6), LAT0 + 0.004)])],
        crs=4326,
    )
    incidents = gpd.GeoDataFrame(
        {
            "date": pd.to_datetime(["2024-01-05", "2024-03-17", None, "2024-06-30", "2024-07-01"]),
            "type": ["crossing", "smuggling", "crossing", "trafficking", "other"],
            "persons": [1, 3, 2, 1, 4],
            "outcome": ["apprehended", "evaded", "", "evaded", "apprehended"],
            "section": ["North"] * 5,
            "km": [1.4, 3.2, np.nan, 5.5, 8.1],
            "distance_m": [120.0, 300.0, np.nan, 40.0, 800.0],
        },
        geometry=[Point(_x(k), LAT0 - 0.002) for k in (1.4, 3.2, 9.9, 5.5, 8.1)],
        crs=4326,
    )
    posts = gpd.GeoDataFrame(
        {"id": ["Z-1"], "type": ["outpost"], "reaction_speed_kmh": [30.0]},
        geometry=[Point(_x(4.5), LAT0 + 0.03)],
        crs=4326,
    )
    return {
        "segments": segments,
        "gaps": gaps,
        "sensors": sensors,
        "footprints": footprints,
        "patrols": patrols,
        "incidents": incidents,
        "posts": posts,
    }


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    return make_layers()


SUMMARY = {
    "km_assessed": 10.0,
    "km_covered": 5.5,
    "covered_share": 0.55,
    "mean_p_detect": 0.489,
    "gap_count": 1,
    "gap_km": 5.0,
    "high_risk_km": 4.0,
    "capex_eur": 1250000.0,
    "opex_eur_per_year": 98000.0,
}


def _render(layers, **kwargs) -> str:
    return maps.assessment_map(layers, summary=SUMMARY, **kwargs).get_root().render()


@pytest.fixture
def saved(layers, tmp_path) -> dict[str, Path]:
    """The map saved in English and in Russian."""
    out = {}
    for lang in i18n.LANGS:
        m = maps.assessment_map(
            layers, summary=SUMMARY, lang=lang, title=XSS[1], attribution="illustrative data"
        )
        path = tmp_path / f"map_{lang}.html"
        maps.save_map(m, path)
        out[lang] = path
    return out


# ------------------------------------------------------------------ layers and labels

LAYER_NAMES = {
    "en": ["Segments: risk class", "Segments: detection probability", "Coverage gaps",
           "Sensors", "Sensor coverage", "Patrol routes", "Incidents: heat map", "Incidents",
           "Outposts and crossing points", "Km marks", "Plain background (offline)",
           "OpenStreetMap (online only)"],
    "ru": ["Участки: уровень риска", "Участки: вероятность обнаружения", "Разрывы в охвате",
           "Технические средства (ТСОГ)", "Зоны покрытия ТСОГ", "Маршруты нарядов",
           "Происшествия: тепловая карта", "Происшествия", "Заставы и пункты пропуска",
           "Километровые отметки", "Без подложки (офлайн)"],
}  # fmt: skip


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_layer_names_in_layer_control(layers, lang):
    assert set(LAYER_NAMES[lang]) <= _layer_names(_render(layers, lang=lang))


@pytest.mark.parametrize(
    ("lang", "classes"),
    [("en", ["low", "medium", "high", "critical"]),
     ("ru", ["низкий", "средний", "высокий", "критический"])],
)  # fmt: skip
def test_legend_lists_risk_classes_and_detection_bins(layers, lang, classes):
    page = _render(layers, lang=lang)
    legend = _decoded_panel(page, "sv-legend")
    for name in classes:
        assert f"<td>{name}</td>" in legend
    assert legend.count('class="sv-sw"') >= len(maps.RISK_CLASSES) + len(maps.DETECT_BINS)
    decimal = "," if lang == "ru" else "."
    assert f"0{decimal}8–1{decimal}0" in legend
    assert i18n.label("risk_class", lang) in legend


def test_segment_popups_carry_the_numbers(layers):
    page = _decode(_render(layers, lang="en"))
    assert "<th>Risk, uninterdicted persons per km per year</th><td>88.00</td>" in page
    assert "<th>Threat known from incidents</th><td>yes</td>" in page
    assert "<th>Threat known from incidents</th><td>unknown, not safe</td>" in page
    assert "Threat unknown (not observed): not safe" in page  # its legend entry
    assert page.count('"dashArray":"2 9"') == 1  # the one unobserved segment is dashed
    assert "<th>Risk class</th><td>critical</td>" in page
    assert "<th>Detection probability</th><td>0.93</td>" in page
    assert "<th>Km</th><td>5.0–6.0</td>" in page
    assert "<th>Revisit interval, h</th><td>never</td>" in page  # NaN and inf
    assert "<th>Covered share</th><td>100%</td>" in page
    assert "<th>Sensors seeing it</th><td>2</td>" in page


def test_russian_popups_use_glossary_terms_and_decimal_comma(layers):
    page = _decode(_render(layers, lang="ru"))
    assert "<th>Вероятность обнаружения</th><td>0,93</td>" in page
    assert "<th>Уровень риска</th><td>критический</td>" in page
    assert "<th>Периодичность проверки, ч</th><td>не проверяется</td>" in page
    assert "<th>Состояние</th><td>неисправно</td>" in page  # sensor status
    assert "<th>Вид наряда</th><td>автомобильный</td>" in page
    assert "<th>Результат</th><td>скрылся</td>" in page
    assert "пограничная застава Z-1" in page
    assert "Капитальные затраты, EUR" in page


def test_other_popups(layers):
    page = _decode(_render(layers, lang="en"))
    assert "<h4>Gap 1</h4>" in page and "<th>Maximum risk</th><td>95.00</td>" in page
    assert "<th>Azimuth, °</th><td>all round</td>" in page
    assert "<th>Visible share</th><td>80%</td>" in page
    assert "<th>Visits per day</th><td>2.0</td>" in page
    assert "Incident · 2024-03-17" in page and "Incident · unknown" in page
    assert "<th>Reaction speed, km/h</th><td>30</td>" in page


def test_kpi_panel(layers):
    panel = _decoded_panel(_render(layers, lang="en"), "sv-kpi")
    assert "Key figures" in panel
    assert "1,250,000" in panel and "55%" in panel and "0.49" in panel


def test_km_marks_every_km_on_a_10_km_section(layers):
    page = _decode(_render(layers, lang="en"))
    marks = re.findall(r"<span>(\d+) km</span>", page)
    assert [int(k) for k in marks] == list(range(11))


@pytest.mark.parametrize(
    ("length", "step"), [(0.5, 1), (10, 1), (20, 1), (21, 2), (60, 5), (350, 20), (900, 50)]
)
def test_km_step(length, step):
    assert maps.km_step(length) == step


def test_segments_styled_by_risk_and_detection(layers):
    page = _render(layers, lang="en")
    for colour in [*maps.RISK_COLOURS.values(), *(c for _, _, c in maps.DETECT_BINS)]:
        assert colour in page
    # one copy of the data per layer: the detection layer reuses the risk layer's
    # (segments, gaps, footprints, sensors, patrols, incidents, posts, km marks)
    assert page.count('"FeatureCollection"') == 8


def test_fit_bounds_to_segments(layers):
    page = _render(layers)
    bounds = re.search(
        r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", page
    )
    assert bounds is not None
    south, west, north, east = map(float, bounds.groups())
    assert (south, north) == (LAT0, LAT0)
    assert math.isclose(west, LON0) and math.isclose(east, _x(10))


def test_controls_present(layers):
    page = _render(layers, attribution="illustrative data")
    for needle in ("L.control.fullscreen", "L.Control.Measure", "L.Control.Scale.extend",
                   "L.control.layers", "L.heatLayer", "L.markerClusterGroup",
                   "addAttribution", "illustrative data"):  # fmt: skip
        assert needle in page, needle


def test_missing_optional_layers_are_left_out(layers):
    m = maps.assessment_map({"segments": layers["segments"], "gaps": layers["gaps"].iloc[:0]})
    names = _layer_names(m.get_root().render())
    assert names == {
        "Plain background (offline)",
        "OpenStreetMap (online only)",
        "Segments: risk class",
        "Segments: detection probability",
        "Km marks",
    }


def test_candidates_and_recommended_are_drawn(layers):
    sites = gpd.GeoDataFrame(
        {"means": ["thermal_tower", "ground_radar"], "score": [0.9, 0.4]},
        geometry=[Point(_x(7), LAT0 + 0.01), Point(_x(8), LAT0 + 0.01)],
        crs=4326,
    )
    page = _decode(_render({**layers, "candidates": sites, "recommended": sites.iloc[:1]}))
    assert "Candidate sites" in page and "Recommended sites" in page
    assert "<th>Means</th><td>thermal camera tower</td>" in page


def test_a_plans_sites_layer_is_drawn_as_recommended_sites(layers):
    sites = gpd.GeoDataFrame(
        {"means": ["thermal_tower"], "score": [0.9]},
        geometry=[Point(_x(7), LAT0 + 0.01)],
        crs=4326,
    )
    page = _decode(_render({**layers, "sites": sites}))
    assert "Recommended sites" in _layer_names(page)
    assert "<th>Means</th><td>thermal camera tower</td>" in page


def test_odd_values_do_not_break_the_map(layers):
    layers["incidents"]["date"] = ["2024-01-05", "not a date", None, 20240101, "2024-07-01"]
    layers["sensors"]["status"] = ["broken", None]
    layers["patrols"]["mode"] = ["drone"]
    page = _decode(_render(layers))
    assert "Incident · not a date" in page
    assert "<th>Mode</th><td>drone</td>" in page


def test_other_crs_is_reprojected(layers):
    projected = {k: v.to_crs(32642) for k, v in layers.items()}
    page = _render(projected)
    assert "fitBounds" in page and '"Sensors"' in page


def test_unknown_language_is_refused(layers):
    with pytest.raises(ValueError, match="en, ru"):
        maps.assessment_map(layers, lang="fr")


def test_segments_are_required(layers):
    with pytest.raises(InputError, match="segments"):
        maps.assessment_map({"sensors": layers["sensors"]})
    with pytest.raises(InputError, match="segments"):
        maps.assessment_map({"segments": layers["segments"].iloc[:0]})


def test_inputs_are_not_modified(layers):
    before = {k: v.copy() for k, v in layers.items()}
    _render(layers)
    for name, frame in layers.items():
        pd.testing.assert_frame_equal(frame, before[name])


# ------------------------------------------------------------------ escaping


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_input_text_is_escaped_everywhere(layers, lang, tmp_path):
    layers["segments"]["section"] = XSS[0]
    layers["patrols"]["agency"] = XSS[1]
    layers["posts"]["id"] = XSS[1]
    layers["incidents"]["outcome"] = XSS[0]
    m = maps.assessment_map(
        layers, summary={**SUMMARY, XSS[0]: 3}, lang=lang, title=XSS[0], attribution=XSS[1]
    )
    maps.save_map(m, tmp_path / "map.html")
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    # feature data travels as plain text in JSON (``<`` as \\u003c) and is escaped
    # by the page when a popup opens; everything else is escaped HTML already
    markup = re.sub(r"_data = \{.*\};\n", "", page)
    for attack in XSS:
        assert attack not in page
        assert attack not in _decode(markup)  # not even once JS strings are unescaped
        assert attack not in "".join(_popup_html(page))
    decoded = _decode(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in decoded  # shown, as text
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in decoded
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    assert page.lower().count("<script") == page.lower().count("</script>")


def test_javascript_string_context_is_safe():
    assert (
        maps._js_json('</script><script>x="') == '"\\u003c/script\\u003e\\u003cscript\\u003ex=\\""'
    )
    assert maps._js_json("\u2028") == '"\\u2028"'


# ------------------------------------------------------------------ offline file


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_saved_file_is_self_contained(saved, lang):
    page = saved[lang].read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src\s*=", page, re.I)
    assert not re.search(r"<link[^>]+href\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"@import", page, re.I)
    for library in ("L.markerClusterGroup=", "L.heatLayer=", "Control.FullScreen",
                    "L.Control.Measure", "Leaflet 1.9"):  # fmt: skip
        assert library.split("=")[0] in page, library
    # only Leaflet and the plugins in use: no jQuery, Bootstrap or Font Awesome
    for unused in ("jQuery v", "Bootstrap v", "Font Awesome"):
        assert unused not in page
    assert len(list(saved[lang].parent.iterdir())) == len(i18n.LANGS)  # one file per map
    assert "OpenStreetMap" in page  # the optional online base layer


def test_save_map_writes_whole_file_or_nothing(layers, tmp_path):
    m = maps.assessment_map(layers)
    with pytest.raises(OSError):
        maps.save_map(m, tmp_path / "missing-folder" / "map.html")
    assert list(tmp_path.iterdir()) == []


def test_import_surveil_does_not_import_folium():
    code = "import sys, surveil; print('folium' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------ browser

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)  # fmt: skip


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=5000",
    ]  # fmt: skip
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium installed")
@pytest.mark.parametrize("lang", i18n.LANGS)
def test_map_initialises_in_a_browser(saved, lang, tmp_path):
    dom = _chromium(["--dump-dom", saved[lang].as_uri()], tmp_path).stdout
    assert "leaflet-container" in dom
    assert dom.count("<path") >= 10  # segments, gaps, footprints, patrol
    assert "marker-cluster" in dom or "sv-inc" in dom
    assert "leaflet-control-layers" in dom and "leaflet-control-scale" in dom
    assert "leaflet-control-measure" in dom and "leaflet-control-zoom-fullscreen" in dom
    assert "sv-legend" in dom and "sv-km" in dom
    assert i18n.label("layer_risk", lang) in dom
    assert "<img src=" not in dom.split("leaflet-pane")[0]  # no injected element


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium installed")
def test_screenshot(saved, tmp_path):
    shot = tmp_path / "map.png"
    _chromium([f"--screenshot={shot}", "--window-size=1280,800", saved["ru"].as_uri()], tmp_path)
    assert shot.exists() and shot.stat().st_size > 20_000


# ------------------------------------------------------------------ helpers


def _decode(page: str) -> str:
    """Undo the JSON escapes of ``<``, ``>`` and ``&`` so the HTML in JS strings reads.

    Popups are built in the browser from each layer's labels and each
    feature's values; the page text then also gets each popup as the browser
    shows it (``<h4>heading</h4>`` and ``<tr><th>label</th><td>value</td></tr>``,
    escaped), so that assertions can read them. The browser tests check that the
    page's own script builds the same.
    """
    popups = _popup_html(page)
    page = page.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    return page + "\n".join(popups)


def _feature_data(page: str) -> list[dict]:
    """Return the feature collections written into the page."""
    return [json.loads(m) for m in re.findall(r"_data = (\{.*\});\n", page)]


def _popup_html(page: str) -> list[str]:
    out = []
    for data in _feature_data(page):
        for feature in data["features"]:
            p = feature["properties"]
            if "h" not in p:
                continue
            rows = "".join(
                f"<tr><th>{html.escape(label)}</th><td>{html.escape(v)}</td></tr>"
                for label, v in zip(data["labels"], p.get("v", []), strict=False)
                if v is not None
            )
            out.append(f'<div class="sv-pop"><h4>{html.escape(p["h"])}</h4><table>{rows}</table>')
            if "t" in p:
                out.append(html.escape(p["t"]))
    return out


def _layer_names(page: str) -> set[str]:
    """Return the names listed in the layer control."""
    listing = page[page.index("base_layers") : page.index("L.control.layers")]
    return {json.loads(key) for key in re.findall(r'("(?:[^"\\]|\\.)*")\s*:', listing)}


def _decoded_panel(page: str, css_class: str) -> str:
    match = re.search(rf'create\("div", "[^"]*{css_class}[^"]*"\);\s*\S+\.innerHTML = (".*?");\n',
                      page)  # fmt: skip
    assert match is not None, css_class
    return json.loads(match.group(1))


def test_many_incidents_keep_the_page_light(layers, monkeypatch):
    from surveil import maps

    monkeypatch.setattr(maps, "MAX_INCIDENT_MARKERS", 2)
    monkeypatch.setattr(maps, "MAX_HEAT_POINTS", 3)
    html = _render(layers)
    # The two most recent of five (2024-07-01, 2024-06-30) are drawn, the rest counted.
    assert "Incidents: latest 2 of 5" in html
    assert "2024-07-01" in html and "2024-06-30" in html and "2024-01-05" not in html
    pooled = maps._heat_points(layers["incidents"], 3)
    assert len(pooled) <= 3 and all(len(p) == 3 for p in pooled)
    assert max(p[2] for p in pooled) == 1.0


def test_hillshade_fades_towards_nodata_inside_the_image():
    from surveil.maps import display_hillshade

    image = np.full((1200, 1200, 4), 200, dtype=np.uint8)
    image[500:700, 500:700, 3] = 0  # a hole of nodata in the middle
    out = display_hillshade(image)
    fade = 0.08 * 1200  # 96 px
    assert out[600, 499, 3] == 0  # next to the hole: transparent
    assert out[600, 500 - 48, 3] == pytest.approx(200 * 47 / fade, abs=2)  # half way
    assert out[200, 300, 3] == 200  # far from every edge: as it was
