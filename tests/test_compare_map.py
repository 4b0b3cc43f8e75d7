"""`surveil compare` draws one map with both postures (issue 9 §6), checked on the demo.

The kgz-tjk demo is planned with ``--close-gaps`` and compared with its own
plan through the command line; the map's layers, the changed-segment layer
(counted from compare.csv) and the plan's new means are read back from the
page, and the page is opened in a real Chromium.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from surveil import i18n
from surveil.assessment import assess
from surveil.cli.main import cli
from surveil.comparison import compare
from surveil.datasets import get_path, load_demo
from surveil.scenario import load_scenario
from tests.browser import CHROMIUM, Page
from tests.test_maps import _layer_names

DEMO = get_path("kgz-tjk")
ARTIFACTS = Path(__file__).parent / "artifacts"
DELTA_COLUMNS = (
    "p_detect",
    "p_detect_realtime",
    "p_interdict",
    "covered_frac",
    "threat",
    "vulnerability",
    "risk",
)


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """The demo's close-gaps plan and its comparison with the demo, in EN and RU."""
    root = tmp_path_factory.mktemp("compare")
    runner = CliRunner()
    plan = root / "plan"
    done = runner.invoke(cli, ["plan", str(DEMO), "--close-gaps", "--out", str(plan), "-q"])
    assert done.exit_code == 0, done.output
    out = {"plan": plan}
    for lang in i18n.LANGS:
        out[lang] = root / f"compare-{lang}"
        args = ["compare", str(DEMO), str(plan / "plan.toml"), "--out", str(out[lang])]
        done = runner.invoke(cli, [*args, "--lang", lang, "-q"])
        assert done.exit_code == 0, done.output
    return out


def _collections(page: str) -> list[dict]:
    """Return every feature collection the page carries (the layers' data)."""
    found = re.findall(r"var \w+_data = (\{.*?\});\n", page)
    return [json.loads(text) for text in found]


def _features(page: str, heading: str) -> list[dict]:
    """Return the features whose popup heading starts with `heading`."""
    return [
        f
        for c in _collections(page)
        for f in c["features"]
        if str(f["properties"].get("h", "")).startswith(heading)
    ]


def _popup(page: str, heading: str) -> list[dict[str, str]]:
    """Return label -> value of each popup whose heading starts with `heading`."""
    out = []
    for c in _collections(page):
        for f in c["features"]:
            p = f["properties"]
            if str(p.get("h", "")).startswith(heading) and "v" in p:
                out.append({k: v for k, v in zip(c["labels"], p["v"], strict=True) if v})
    return out


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_compare_folder_has_one_map_with_both_postures(folders, lang):
    folder = folders[lang]
    page = (folder / "map.html").read_text(encoding="utf-8")
    names = _layer_names(page)
    t = i18n.label
    for posture in ("posture_base", "posture_plan"):
        for layer in ("layer_risk", "layer_detect"):
            assert f"{t(posture, lang)} — {t(layer, lang)}" in names
    # today's gaps; the close-gaps plan leaves none
    assert f"{t('posture_base', lang)} — {t('layer_gaps', lang)}" in names
    assert f"{t('posture_plan', lang)} — {t('layer_gaps', lang)}" not in names
    assert t("layer_changed", lang) in names
    assert t("layer_new_routes", lang) in names
    # the plan's own outputs stay beside it
    assert (folder / "plan" / "map.html").is_file()


def test_changed_segment_layer_holds_exactly_the_changed_segments(folders):
    table = pd.read_csv(folders["en"] / "compare.csv")
    by_hand = table["risk_class_base"] != table["risk_class_plan"]
    for column in DELTA_COLUMNS:
        by_hand |= table[f"{column}_base"] != table[f"{column}_plan"]
    assert 0 < int(by_hand.sum()) < len(table)  # the test can tell a wrong count
    assert int(table["changed"].sum()) == int(by_hand.sum())
    page = (folders["en"] / "map.html").read_text(encoding="utf-8")
    changed = _features(page, "Changed segment")
    assert len(changed) == int(by_hand.sum())
    ids = sorted(int(re.search(r"Segment (\d+)$", f["properties"]["h"]).group(1)) for f in changed)
    assert ids == sorted(table.loc[by_hand, "segment_id"].astype(int))


def test_threat_unchanged_segment_by_segment_and_the_check_can_fail(folders):
    table = pd.read_csv(folders["en"] / "compare.csv")
    np.testing.assert_array_equal(table["threat_base"], table["threat_plan"])
    record = json.loads((folders["en"] / "compare.json").read_text())
    assert record["threat_held_at_baseline"] is True
    # Not vacuous: the plan assessed on its own posture (not against the
    # baseline) moves threat, since its detection corrects the incidents.
    alone = assess(load_scenario(folders["plan"] / "plan.toml"))
    base = assess(load_demo("kgz-tjk"))
    moved = ~np.isclose(alone.segments["threat"], base.segments["threat"], rtol=0, atol=1e-9)
    assert moved.any()


def test_new_routes_are_marked_with_order_cost_and_gaps_served(folders):
    sites = pd.read_csv(folders["plan"] / "sites.csv")
    page = (folders["en"] / "map.html").read_text(encoding="utf-8")
    popups = _popup(page, "Patrol route added by the plan")
    assert len(popups) == len(sites)
    orders = sorted(int(p["Order taken"]) for p in popups)
    assert orders == sorted(sites["order"].astype(int))
    capex = sorted(float(p["CAPEX, EUR"].replace(",", "")) for p in popups)
    np.testing.assert_allclose(capex, sorted(sites["capex_eur"].round()), atol=0.5)
    assert all(p["Gaps served"] for p in popups)
    # the key figures give the plan's own CAPEX, the sum of its sites'
    assert f"{round(sites['capex_eur'].sum()):,}" in page


def test_new_tower_is_a_star_with_means_mast_azimuth_and_cost():
    """Python API: a hand-made plan with one thermal tower on a 30 m mast."""
    base = assess(load_demo("synthetic"))
    site = base.scenario.sensors.geometry.iloc[0]
    tower = gpd.GeoDataFrame(
        {"id": ["T-new"], "type": ["thermal_tower"], "height_m": [30.0]},
        geometry=[site],
        crs=4326,
    )
    result = compare(base, base.scenario.add_sensors(tower))
    assert result.new_means["kind"].tolist() == ["sensor"]
    page = result.map(lang="ru").get_root().render()
    stars = _popup(page, "Новое место размещения")
    assert len(stars) == 1
    star = stars[0]
    # 250,000 EUR with the 20 m mast included, 10 m more at 1,500 EUR a metre
    assert (
        star["Капитальные затраты, EUR"] == "265\u202f000"
    )  # narrow no-break space groups thousands
    assert star["Высота мачты, м"] == "30,0"
    assert star["Азимут, °"] == i18n.label("all_round", "ru")
    assert star["Очерёдность"] == "1"
    assert result.cost["capex_eur"] == 265_000.0


_MAP = 'window[Object.keys(window).find(function (k) { return k.indexOf("map_") === 0; })]'
_TOGGLE = (
    """(function (m) {
  var control = window.svLayerControl, out = [];
  control._layers.forEach(function (entry) {
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
})("""
    + _MAP
    + ")"
)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium installed")
@pytest.mark.parametrize("lang", i18n.LANGS)
def test_compare_map_in_chromium_offline_and_every_layer_toggles(folders, lang):
    path = folders[lang] / "map.html"
    with Page(1280, 720) as page:
        page.open(path)
        assert page.errors() == []
        assert page.requests() == []  # nothing fetched: the page works offline
        page.screenshot(ARTIFACTS / f"compare-map-{lang}-1280x720.png")
        toggles = page.js(_TOGGLE)
        assert page.errors() == []
    names = [name for name, *_ in toggles]
    t = i18n.label
    assert f"{t('posture_base', lang)} — {t('layer_risk', lang)}" in names
    assert f"{t('posture_plan', lang)} — {t('layer_risk', lang)}" in names
    assert t("layer_changed", lang) in names
    shown = {name: before for name, before, *_ in toggles}
    # the plan shows, today waits behind its toggle
    assert shown[f"{t('posture_plan', lang)} — {t('layer_risk', lang)}"] is True
    assert shown[f"{t('posture_base', lang)} — {t('layer_risk', lang)}"] is False
    for name, before, middle, after in toggles:
        assert middle is not before and after is before, name


def test_national_compare_map_draws_changed_runs(monkeypatch):
    """Past MAX_SEGMENT_FEATURES the changed segments are drawn as runs, none lost."""
    from surveil import maps

    base = assess(load_demo("synthetic"))
    result = compare(base, base.scenario.scale_patrols(2.0))
    changed = int(result.segments["changed"].sum())
    assert changed > 5
    monkeypatch.setattr(maps, "MAX_SEGMENT_FEATURES", 5)
    page = result.map(lang="en").get_root().render()
    runs = _popup(page, "Changed segment")
    assert 0 < len(runs) < changed
    assert sum(int(r["Segments"]) for r in runs) == changed
