"""Tests of surveil.report: contents, sums by hand, escaping, languages, self-containment."""

from __future__ import annotations

import dataclasses
import html
import re

import pandas as pd
import pytest

from surveil import i18n
from surveil.report import ReportData, km_by_class, report_html, section_figures
from surveil.scenario import Parameters

HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
# Parameters as a run records them (written here, not taken from the code).
PARAMETERS = {
    "segment_m": 1000.0, "sample_m": 50.0, "target_pd": 0.5, "path_depth_m": 300.0,
    "trace_persistence_h": 12.0, "include_planned": False, "incident_snap_m": 5000.0,
    "bandwidth_m": 3000.0, "half_life_days": 365.0, "reference_date": "",
    "incident_period_years": 1.0, "detection_floor": 0.1, "threat_incidents": "corrected",
    "weight_incidents": 0.7, "weight_structure": 0.3, "road_scale_m": 5000.0,
    "settlement_scale_m": 10000.0, "detour_factor": 1.4, "escape_h": 1.0, "min_bridge_m": 0.0,
    "min_gap_m": 0.0, "own_country": "", "risk_breaks": [1.0, 4.0, 12.0],
    "max_distance_km": 100.0, "target_height_m": 1.7, "refraction": 0.13, "patrol_pd": 0.8,
    "crosser_speed_kmh": 3.0, "structure_per_km_year": None, "candidate_offsets_m": [500.0],
    "candidate_spacing_m": 2000.0, "candidate_setback_m": 100.0, "candidate_max_road_m": None,
    "lifecycle_years": 10.0,
    "foot_speed_kmh": 2.5, "horse_speed_kmh": 5.0, "vehicle_speed_kmh": 10.0,
    "boat_speed_kmh": 8.0, "uav_speed_kmh": 25.0, "foot_team": 2.0, "horse_team": 2.0,
    "vehicle_team": 3.0, "boat_team": 3.0, "uav_team": 3.0, "shift_h": 8.0,
    "staff_availability": 0.625, "patrol_staff_fte": None, "seam_m": 1000.0,
    "target_class": "person", "sensor_task": "detect",
    "period_start": "", "period_end": "",
}  # fmt: skip


def _segments(names: tuple[str, str]) -> pd.DataFrame:
    """Two sections: A of 3 segments (2.5 km), B of 2 segments (2 km)."""
    a, b = names
    return pd.DataFrame(
        {
            "section": [a, a, a, b, b],
            "part": [0, 0, 0, 0, 0],
            "segment_id": [1, 2, 3, 1, 2],
            "km_from": [0.0, 1.0, 2.0, 0.0, 1.0],
            "km_to": [1.0, 2.0, 2.5, 1.0, 2.0],
            "length_m": [1000.0, 1000.0, 500.0, 1000.0, 1000.0],
            "p_detect": [0.2, 0.6, 0.9, 0.1, 0.3],
            "covered_frac": [0.0, 1.0, 1.0, 0.0, 0.5],
            "risk": [5.0, 0.5, 0.2, 13.0, 2.0],
            "risk_class": ["high", "low", "low", "critical", "medium"],
        }
    )


def make_data(names: tuple[str, str] = ("Alpha", "Beta"), **changes) -> ReportData:
    a, b = names
    gaps = pd.DataFrame(
        {
            "gap_id": [1, 2], "section": [a, b], "part": [0, 0], "km_from": [0.0, 0.0],
            "km_to": [1.0, 1.5], "length_km": [1.0, 1.5], "mean_p_detect": [0.2, 0.15],
            "mean_risk": [5.0, 9.0], "max_risk": [5.0, 13.0], "incidents": [3, 7],
            "priority": [2, 1], "n_points": [20, 30],
        }
    )  # fmt: skip
    needs = pd.DataFrame(
        {
            "gap_id": [2, 2, 1], "section": [b, b, a], "km_from": [0.0, 0.0, 0.0],
            "km_to": [1.5, 1.5, 1.0], "length_km": [1.5, 1.5, 1.0], "priority": [1, 1, 2],
            "mean_p_detect": [0.15, 0.15, 0.2], "means": ["thermal_tower", "foot_patrol", "x"],
            "label": ["Thermal camera tower", "Foot patrol", a], "kind": ["sensor", "patrol", "x"],
            "units": [1, 1, 2], "capex_eur": [150000.0, 2000.0, 1000.0],
            "opex_eur_per_year": [9000.0, 30000.0, 100.0], "staff_fte": [0.5, 3.2, 0.0],
            "annual_cost_eur": [24000.0, 30200.0, 200.0], "recommended": [True, False, True],
        }
    )  # fmt: skip
    summary = {"km_assessed": 4.5, "km_covered": 2.0, "covered_share": 2.0 / 4.5, "gap_count": 2,
               "gap_km": 2.5, "sections": 2, "segments": 5, "capex_eur": 151000.0}  # fmt: skip
    run = {
        "written_by": "surveil",
        "surveil_version": "9.9.9",
        "created_utc": "2026-01-02T03:04:05Z",
        "scenario": {"name": f"Scenario {a}", "attribution": f"Data: {a}. ILLUSTRATIVE."},
        "inputs": [
            {"layer": "border", "path": f"/x/{a}.geojson", "bytes": 1234, "sha256": "ab" * 32}
        ],
        "parameters": dict(PARAMETERS),
        "catalogue_indicative": True,
    }
    labels = {"thermal_tower": ("Thermal camera tower", "Вышка с тепловизионной камерой"),
              "foot_patrol": ("Foot patrol", "Пеший пограничный наряд")}  # fmt: skip
    data = ReportData(
        segments=_segments(names), gaps=gaps, needs=needs, summary=summary, run=run,
        means_labels=labels,
    )  # fmt: skip
    return dataclasses.replace(data, **changes)


def visible_text(page: str) -> str:
    """Return the page's text outside SVG charts and elements marked translate="no"."""
    page = re.sub(r"<(style|title)>.*?</\1>", " ", page, flags=re.S)  # the title names the data
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    page = re.sub(r'<(\w+)[^>]*translate="no"[^>]*>.*?</\1>', " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


# Latin words a Russian page may show: units, currency, abbreviations, names.
RU_ALLOWED = {
    "EUR",
    "UTC",
    "SHA",
    "surveil",
    "data",
    "README",
    "md",
    "CAPEX",
    "OPEX",
    "FTE",
    "corrected",
    "observed",
}  # the last two: values as written in scenario.toml


# ------------------------------------------------------------------ sums by hand


def test_km_by_class_by_hand():
    assert km_by_class(_segments(("A", "B"))) == {
        "low": 1.5, "medium": 1.0, "high": 1.0, "critical": 1.0,
    }  # fmt: skip


def test_section_figures_by_hand():
    data = make_data()
    table = section_figures(data.segments, data.gaps).set_index("section")
    alpha, beta = table.loc["Alpha"], table.loc["Beta"]
    assert alpha["km"] == pytest.approx(2.5)
    assert alpha["km_covered"] == pytest.approx(1.5)  # 0 + 1 + 0.5
    assert alpha["mean_p_detect"] == pytest.approx((0.2 + 0.6 + 0.5 * 0.9) / 2.5)
    assert alpha["risk_persons_per_year"] == pytest.approx(5.0 + 0.5 + 0.1)
    assert (alpha["gap_count"], alpha["gap_km"]) == (1, 1.0)
    assert (alpha["low"], alpha["high"], alpha["critical"]) == (1.5, 1.0, 0.0)
    assert beta["km_covered"] == pytest.approx(0.5)
    assert beta["risk_persons_per_year"] == pytest.approx(15.0)
    assert list(table.index) == ["Alpha", "Beta"]


# ------------------------------------------------------------------ contents


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_page_has_every_part(lang):
    page = report_html(make_data(), lang=lang)
    assert page.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in page
    for key in ("rep_scope", "kpis", "rep_along", "rep_risk_classes", "rep_gaps", "rep_needs",
                "rep_sections", "rep_parameters", "rep_sources"):  # fmt: skip
        assert f"<h2>{html.escape(i18n.label(key, lang))}</h2>" in page
    assert page.count("<svg") == 2 + 3  # one chainage chart per section, classes, gaps, costs
    assert i18n.label("rep_plan", lang) not in page  # no plan in this folder


def test_key_figures_and_method_numbers():
    page = report_html(make_data(), lang="en")
    assert '<td>Km assessed</td><td class="n">4.5</td>' in page
    assert 'Covered share</td><td class="n">44%</td>' in page
    assert "low below 1, medium from 1, high from 4 and critical from 12" in page
    ru = report_html(make_data(), lang="ru")
    assert 'Оценено, км</td><td class="n">4,5</td>' in ru
    assert "151\u202f000" in ru  # CAPEX grouped with a narrow no-break space


def test_gaps_ranked_by_priority_with_class_of_max_risk():
    page = report_html(make_data(), lang="en")
    table = page.split('id="rep_gaps"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1])
    assert "Beta" in rows[0] and "Alpha" in rows[1]  # priority 1 first
    assert "critical" in rows[0] and "high" in rows[1]  # 13 ≥ 12, 4 ≤ 5 < 12


def test_needs_show_only_recommended_means_in_the_language():
    ru = report_html(make_data(), lang="ru")
    needs = ru.split('id="rep_needs"')[1].split("</section>")[0]
    assert "Вышка с тепловизионной камерой" in needs
    assert "Пеший пограничный наряд" not in needs  # not recommended


def test_every_parameter_with_value_and_meaning():
    names = [f.name for f in dataclasses.fields(Parameters)]
    assert set(names) <= set(i18n.PARAMETER_MEANINGS)
    assert set(PARAMETERS) == set(names)  # this test's record is complete
    for lang in i18n.LANGS:
        page = report_html(make_data(), lang=lang)
        part = page.split('id="rep_parameters"')[1]
        for name in names:
            assert f'<code translate="no">{name}</code>' in part
            assert html.escape(i18n.PARAMETER_MEANINGS[name][i18n.LANGS.index(lang)]) in part
    en = report_html(make_data(), lang="en").split('id="rep_parameters"')[1]
    ru = report_html(make_data(), lang="ru").split('id="rep_parameters"')[1]
    assert 'refraction</code></td><td class="n">0.13<' in en
    assert 'refraction</code></td><td class="n">0,13<' in ru
    assert 'risk_breaks</code></td><td class="n">1; 4; 12<' in en
    assert 'include_planned</code></td><td class="n">нет<' in ru


def test_notes_illustrative_and_indicative():
    page = report_html(make_data(), lang="en")
    assert "Data: Alpha. ILLUSTRATIVE." in page
    assert "INDICATIVE" in page
    run = {**make_data().run, "catalogue_indicative": False}
    plain = report_html(make_data(run=run), lang="en")
    assert "INDICATIVE" not in plain


def test_plan_parts_when_the_folder_has_a_plan():
    curve = pd.DataFrame(
        {"capex_eur": [0.0, 1e5, 2e5], "risk_reduced_persons_per_year": [0.0, 5.0, 7.0],
         "gap_km_remaining": [2.5, 1.0, 0.5], "method": ["greedy"] * 3}
    )  # fmt: skip
    sites = pd.DataFrame(
        {"order": [1], "type": ["thermal_tower"], "gap_id": [2], "units": [1.0],
         "capex_eur": [150000.0], "opex_eur_per_year": [9000.0], "gain_persons_per_year": [4.34]}
    )  # fmt: skip
    page = report_html(make_data(curve=curve, sites=sites), lang="ru")
    plan = page.split('id="rep_plan"')[1].split("</section>")[0]
    assert i18n.label("budget_curve", "ru") in plan and "<svg" in plan
    assert "Вышка с тепловизионной камерой" in plan and "150\u202f000" in plan
    assert '<td class="n">4,3</td></tr>' in plan  # persons a year detected more


def test_long_tables_are_cut_and_say_so():
    data = make_data()
    many = pd.concat([data.gaps] * 40, ignore_index=True).assign(gap_id=range(1, 81))
    page = report_html(dataclasses.replace(data, gaps=many), lang="en")
    assert "60 of 80 rows shown; all of them are in" in page


# ------------------------------------------------------------------ safety


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_input_text_is_escaped(lang):
    page = report_html(make_data(HOSTILE), lang=lang)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "onerror=alert(1)>" not in page.replace("&gt;", "")  # no live attribute
    assert html.escape(HOSTILE[0]) in page and html.escape(HOSTILE[1], quote=True) in page


def test_mathtext_sign_in_names_is_drawn_as_text():
    page = report_html(make_data(("cost $5 $", "$\\frac{1}{0}$")), lang="en")
    assert "cost $5 $" in page


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_page_loads_nothing(lang):
    page = report_html(make_data(), lang=lang)
    assert "default-src 'none'" in page  # the browser refuses any load
    for pattern in (r"<script", r"<link", r"<iframe", r"@import", r"url\((?!#)", r"<img"):
        assert not re.search(pattern, page, re.I), pattern
    for ref in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert ref.startswith("#"), ref


def test_russian_page_has_no_english_ui_string():
    text = visible_text(report_html(make_data(), lang="ru"))
    latin = set(re.findall(r"[A-Za-z]{2,}", text)) - RU_ALLOWED
    assert not latin, sorted(latin)
    # the check finds English where it is
    english = set(re.findall(r"[A-Za-z]{2,}", visible_text(report_html(make_data(), lang="en"))))
    assert {"Scope", "Parameter", "Meaning"} <= english


def test_inputs_are_not_modified():
    data = make_data()
    before = {k: getattr(data, k).copy() for k in ("segments", "gaps", "needs")}
    run = repr(data.run)
    report_html(data, lang="ru")
    for key, frame in before.items():
        pd.testing.assert_frame_equal(getattr(data, key), frame)
    assert repr(data.run) == run


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        report_html(make_data(), lang="de")
