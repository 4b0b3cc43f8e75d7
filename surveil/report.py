"""Write the report of an assessment: one self-contained, printable HTML page, EN or RU.

The page holds the scope and method in plain words, the key figures, charts
(inline SVG from :mod:`surveil.charts`) along the chainage of each section,
km per risk class, the gaps ranked, the needs (or the plan and its budget
curve), the tables, every parameter with its value and meaning, and the data
sources with their ILLUSTRATIVE / INDICATIVE notes. It loads nothing: no
script, no font, no image from elsewhere; a Content-Security-Policy says so
to the browser. Every text that comes from the input data is HTML-escaped.
Numbers are computed by the library (the assessment's tables and summary);
the report only sums them per section and class and formats them.

:func:`report_pdf` prints the page to an A4 PDF with headless Chromium, the
engine the browser tests run, which renders the inline SVG and the print CSS
as a browser does (a PDF library such as WeasyPrint would add a second
rendering engine and its system libraries for the same page).
"""

from __future__ import annotations

import html
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from surveil import charts, i18n
from surveil._atomic import write_file
from surveil.errors import InputError, OutputError

if TYPE_CHECKING:
    from surveil.assessment import Assessment

__all__ = [
    "ReportData",
    "find_chromium",
    "report_data",
    "report_data_from_folder",
    "report_html",
    "report_pdf",
    "write_report",
]

#: Rows of a table shown in the report; the CSV beside it has them all.
MAX_ROWS = 60
#: Sections drawn along their chainage (those with the most gap km).
MAX_SECTION_CHARTS = 12
#: Key figures of the summary, with the digits they are shown with
#: (``None``: a share shown as a percentage).
KEY_FIGURES: tuple[tuple[str, int | None], ...] = (
    ("sections", 0),
    ("km_assessed", 1),
    ("km_covered", 1),
    ("covered_share", None),
    ("gap_count", 0),
    ("gap_km", 1),
    ("km_covered_day", 1),
    ("km_covered_night", 1),
    ("gap_km_day", 1),
    ("gap_km_night", 1),
    ("mean_p_detect_day", None),
    ("mean_p_detect_night", None),
    ("night_share", None),
    ("high_risk_km", 1),
    ("unknown_threat_km", 1),
    ("risk_persons_per_year", 0),
    ("mean_p_detect", None),
    ("mean_p_detect_realtime", None),
    ("mean_p_detect_delayed", None),
    ("mean_p_interdict", None),
    ("capex_eur", 0),
    ("opex_eur_per_year", 0),
    ("staff_fte", 1),
    ("segments", 0),
    ("sensors_counted", 0),
    ("patrol_routes", 0),
    ("incidents", 0),
    ("incidents_snapped", 0),
    ("patrol_fte", 1),
    ("cross_unit_response_share", None),
    ("cross_agency_response_share", None),
)
#: Parts that start a new printed page.
_NEW_PAGE = frozenset(
    {
        "scope",
        "kpis",
        "rep_along",
        "rep_gaps",
        "rep_needs",
        "rep_plan",
        "rep_sweep",
        "rep_parameters",
    }
)
_PAGE = ' class="page"'
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_SAMPLES = Path(__file__).resolve().parent / "samples"


@dataclass(frozen=True)
class ReportData:
    """What a report shows: the assessment's tables, summary and run record.

    Attributes
    ----------
    segments
        Segments table (``segments.csv``).
    gaps
        Gaps table (``gaps.csv``).
    needs
        Needs table (``needs.csv``).
    summary
        Key figures (``summary.json``).
    run
        Run record (``run.json``): scenario, inputs, parameters.
    means_labels
        Catalogue type -> (English, Russian) label.
    curve
        A plan's budget curve (``budget_curve.csv``), if any.
    sites
        A plan's sites (``sites.csv``), if any.
    sweep
        A sweep's figures (:meth:`surveil.sweeping.Sweep.report_figures`:
        ``bands``, ``gap_stability``, ``tornado``, ``settings``), if any.
    """

    segments: pd.DataFrame
    gaps: pd.DataFrame
    needs: pd.DataFrame
    summary: Mapping[str, Any]
    run: Mapping[str, Any]
    means_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    curve: pd.DataFrame | None = None
    sites: pd.DataFrame | None = None
    services: pd.DataFrame | None = None
    areas: pd.DataFrame | None = None
    coordination: pd.DataFrame | None = None
    sweep: Mapping[str, Any] | None = None


def means_labels(catalogue: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Return catalogue type -> (English, Russian) label.

    Parameters
    ----------
    catalogue
        A catalogue of means (``type``, ``label_en``, ``label_ru``).
    """
    out: dict[str, tuple[str, str]] = {}
    for row in catalogue.itertuples():
        kind = str(row.type)
        en = str(getattr(row, "label_en", "") or kind)
        ru = str(getattr(row, "label_ru", "") or kind)
        out[kind] = (en, ru)
    return out


def report_data(
    assessment: Assessment,
    run: Mapping[str, Any],
    *,
    curve: pd.DataFrame | None = None,
    sites: pd.DataFrame | None = None,
    sweep: Mapping[str, Any] | None = None,
) -> ReportData:
    """Return what the report of an assessment (or of a plan's re-assessment) shows.

    Parameters
    ----------
    assessment
        Result of :func:`surveil.assess`.
    run
        Its run record (:func:`surveil.outputs.run_record`).
    curve, sites
        A plan's budget curve and chosen sites (:class:`surveil.planning.Plan`).
    sweep
        A sweep's figures (:meth:`surveil.sweeping.Sweep.report_figures`).
    """
    return ReportData(
        segments=pd.DataFrame(assessment.segments.drop(columns="geometry", errors="ignore")),
        gaps=pd.DataFrame(assessment.gaps.drop(columns="geometry", errors="ignore")),
        needs=pd.DataFrame(assessment.needs),
        summary=dict(assessment.summary),
        run=run,
        means_labels=means_labels(assessment.scenario.catalogue),
        curve=None if curve is None else pd.DataFrame(curve),
        sites=None
        if sites is None
        else pd.DataFrame(sites.drop(columns="geometry", errors="ignore")),
        services=assessment.services,
        areas=None if assessment.responsibility is None else assessment.responsibility.areas,
        coordination=None
        if assessment.responsibility is None
        else assessment.responsibility.coordination,
        sweep=sweep,
    )


def report_data_from_folder(folder: str | os.PathLike[str]) -> ReportData:
    """Read what a report shows back from an output folder.

    Parameters
    ----------
    folder
        A folder written by ``surveil assess``, ``demo``, ``plan``,
        ``compare`` or ``sweep`` (a plan's ``budget_curve.csv`` and
        ``sites.csv``, a sweep's figures are read when present).

    Raises
    ------
    surveil.errors.InputError
        When the folder is not a surveil output folder or a table is unreadable.
    """
    from surveil.catalogue import load_catalogue
    from surveil.outputs import read_outputs

    folder = Path(folder)
    layers, info = read_outputs(folder)
    segments = pd.DataFrame(layers["segments"].drop(columns="geometry"))
    gaps = pd.DataFrame(layers["gaps"].drop(columns="geometry"))
    needs = _read_csv(folder / "needs.csv")
    optional = {
        name: _read_csv(folder / f"{name}.csv") if (folder / f"{name}.csv").is_file() else None
        for name in ("budget_curve", "sites", "services", "areas", "coordination")
    }
    inputs = info["run"].get("inputs", [])
    recorded = next((i["path"] for i in inputs if i.get("layer") == "catalogue"), None)
    labels: dict[str, tuple[str, str]] = {}
    if recorded is None or Path(recorded).is_file():
        try:
            labels = means_labels(load_catalogue(recorded))
        except InputError:
            labels = {}
    return ReportData(
        segments=segments,
        gaps=gaps,
        needs=needs,
        summary=info["summary"],
        run=info["run"],
        means_labels=labels,
        curve=optional["budget_curve"],
        sites=optional["sites"],
        services=optional["services"],
        areas=optional["areas"],
        coordination=optional["coordination"],
        sweep=_sweep_figures(folder),
    )


def _sweep_figures(folder: Path) -> Mapping[str, Any] | None:
    """Return a sweep folder's figures, or None for another folder."""
    from surveil.sweeping import is_sweep_folder, read_figures

    return read_figures(folder) if is_sweep_folder(folder) else None


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(
            f"{path}: missing; expected the folder written by 'surveil assess'"
        ) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read it as CSV ({exc})") from None


def write_report(data: ReportData, path: str | os.PathLike[str], *, lang: str = "en") -> Path:
    """Write ``report.html`` whole or not at all.

    Parameters
    ----------
    data
        What the report shows.
    path
        HTML file to write (replaced if it exists).
    lang
        ``"en"`` or ``"ru"``.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    page = report_html(data, lang=lang)
    target = Path(path)
    write_file(target, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return target


# ------------------------------------------------------------------ the page


def report_html(data: ReportData, *, lang: str = "en") -> str:
    """Return the report as one self-contained HTML page.

    Parameters
    ----------
    data
        What the report shows.
    lang
        ``"en"`` or ``"ru"``.

    Returns
    -------
    str
        The page.
    """
    i18n.check_lang(lang)
    parameters = dict(data.run.get("parameters", {}))
    breaks = [float(b) for b in parameters.get("risk_breaks", (1.0, 4.0, 12.0))]
    gaps = _with_risk_class(data.gaps, breaks)
    parts = [
        ("scope", _scope(data, parameters, breaks, lang)),
        ("kpis", _key_figures(data.summary, lang)),
        ("rep_along", _along(data.segments, gaps, parameters, breaks, lang)),
        ("rep_risk_classes", _risk_classes(data.segments, lang)),
        ("rep_gaps", _gaps(gaps, lang)),
        ("rep_needs", _needs(data, lang)),
    ]
    if data.curve is not None or data.sites is not None:
        parts.append(("rep_plan", _plan(data, lang)))
    if data.services is not None and len(data.services):
        parts.append(("rep_services", _services(data.services, lang)))
    if data.areas is not None and len(data.areas):
        parts.append(("rep_areas", _areas(data, lang)))
    if data.sweep is not None:
        parts.append(("rep_sweep", _sweep(data.sweep, parameters, lang)))
    parts += [
        ("rep_sections", _sections(data.segments, gaps, lang)),
        ("rep_parameters", _parameters(parameters, lang)),
        ("rep_sources", _sources(data.run, lang)),
    ]
    title = i18n.label("rep_title", lang)
    from surveil.outputs import map_titles

    name = str(map_titles(data.run.get("scenario", {}), lang)["title"] or "")
    created = str(data.run.get("created_utc", "")).replace("T", " ").rstrip("Z")
    toc = "".join(f'<li><a href="#{key}">{_e(_heading(key, lang))}</a></li>' for key, _ in parts)
    body = "".join(
        f'<section id="{key}"{_PAGE if key in _NEW_PAGE else ""}>'
        f"<h2>{_e(_heading(key, lang))}</h2>{content}</section>"
        for key, content in parts
    )
    generated = i18n.label("rep_generated", lang).format(
        version=_e(str(data.run.get("surveil_version", ""))), date=_e(created)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)} — {_e(name)}</title><style>{_CSS}</style></head><body>"
        f'<header class="cover"><h1>{_e(title)}</h1>'
        f'<p class="name" translate="no">{_e(name)}</p><p class="meta">{generated}</p>'
        f"{_notes(data.run, lang)}"
        f"<nav><h2>{_e(i18n.label('rep_contents', lang))}</h2><ol>{toc}</ol></nav></header>"
        f"<main>{body}</main></body></html>\n"
    )


def _heading(key: str, lang: str) -> str:
    return i18n.label("rep_scope" if key == "scope" else key, lang)


def _e(text: object) -> str:
    """Escape text for HTML (content and attribute values)."""
    return html.escape(str(text), quote=True)


def _data(text: object) -> str:
    """Escape a value from the input data and mark it as not to be translated."""
    return f'<span translate="no">{_e(text)}</span>'


def _num(x: object, lang: str, digits: int = 0) -> str:
    return _e(i18n.number(x, lang, digits))


def _pct(x: object, lang: str, digits: int = 0) -> str:
    return _e(i18n.percent(x, lang, digits))


def _plain(x: float, lang: str) -> str:
    """Format a parameter's number as written (``5000``, ``0.13``) in `lang`."""
    text = f"{x:g}" if math.isfinite(x) else i18n.number(x, lang)
    return text.replace(".", ",").replace("-", "−") if lang == "ru" else text


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], *, numeric: Sequence[bool]) -> str:
    """Return an HTML table; ``head`` is plain text, ``rows`` hold escaped HTML cells."""
    cls = [' class="n"' if n else "" for n in numeric]
    th = "".join(f"<th{c}>{_e(h)}</th>" for h, c in zip(head, cls, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td{c}>{v}</td>" for v, c in zip(row, cls, strict=True)) + "</tr>"
        for row in rows
    )
    thead = f"<thead><tr>{th}</tr></thead>" if any(head) else ""
    return f"<table>{thead}<tbody>{body}</tbody></table>"


def _more(shown: int, total: int, file: str, lang: str) -> str:
    if shown >= total:
        return ""
    text = i18n.label("rep_more_rows", lang).format(
        shown=_num(shown, lang), total=_num(total, lang), file=_data(file)
    )
    return f'<p class="note">{text}</p>'


def _figure(svg: str, caption: str = "") -> str:
    cap = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart">{svg}{cap}</figure>'


def _with_risk_class(gaps: pd.DataFrame, breaks: Sequence[float]) -> pd.DataFrame:
    """Return the gaps with ``max_risk_class``: the class of their maximum risk."""
    out = gaps.copy()
    risk = pd.to_numeric(out.get("max_risk", pd.Series(np.nan, index=out.index)), errors="coerce")
    index = np.searchsorted(np.asarray(breaks, float), risk.to_numpy(float), side="right")
    classes = np.asarray(charts.RISK_CLASSES, dtype=object)[np.clip(index, 0, 3)]
    out["max_risk_class"] = np.where(risk.notna(), classes, None)
    return out


def km_by_class(segments: pd.DataFrame) -> dict[str, float]:
    """Return the km of segments in each risk class.

    Parameters
    ----------
    segments
        Segments with ``length_m`` and ``risk_class``.

    Returns
    -------
    dict
        Class name -> km, for every class (0 where none).
    """
    km = segments.groupby("risk_class")["length_m"].sum() / 1000.0
    return {name: float(km.get(name, 0.0)) for name in charts.RISK_CLASSES}


def _scope(
    data: ReportData, parameters: Mapping[str, Any], breaks: Sequence[float], lang: str
) -> str:
    s = data.summary
    scope = i18n.label("rep_scope_text", lang).format(
        km=_num(s.get("km_assessed"), lang, 1),
        sections=_num(s.get("sections"), lang),
        segments=_num(s.get("segments"), lang),
        segment_m=_num(parameters.get("segment_m"), lang),
        sample_m=_num(parameters.get("sample_m"), lang),
    )
    method = [
        i18n.label("rep_method_detect", lang).format(
            trace_h=_e(_plain(float(parameters.get("trace_persistence_h", 12.0)), lang))
        ),
        i18n.label("rep_method_windows", lang).format(
            night=_pct(s.get("night_share", math.nan), lang)
        ),
        i18n.label("rep_method_interdict", lang).format(
            escape_h=_e(_plain(float(parameters.get("escape_h", 1.0)), lang))
        ),
        i18n.label("rep_method_threat", lang).format(
            snap_km=_e(_plain(float(parameters.get("incident_snap_m", 5000.0)) / 1000.0, lang)),
            half_life=_e(_plain(float(parameters.get("half_life_days", 365.0)), lang)),
        ),
        i18n.label("rep_method_risk", lang).format(
            b1=_e(_plain(breaks[0], lang)),
            b2=_e(_plain(breaks[1], lang)),
            b3=_e(_plain(breaks[2], lang)),
        ),
        i18n.label("rep_method_gaps", lang).format(
            target=_pct(parameters.get("target_pd", s.get("target_pd")), lang)
        ),
    ]
    paragraphs = "".join(f"<p>{p}</p>" for p in method)
    return f"<p>{scope}</p><h3>{_e(i18n.label('rep_method', lang))}</h3>{paragraphs}"


def _key_figures(summary: Mapping[str, Any], lang: str) -> str:
    rows = []
    for key, digits in KEY_FIGURES:
        if key not in summary:
            continue
        x = summary[key]
        shown = _pct(x, lang) if digits is None else _num(x, lang, digits)
        rows.append((_e(i18n.figure_label(key, summary, lang)), shown))
    return '<div class="kpis">' + _table(["", ""], rows, numeric=[False, True]) + "</div>"


def _along(
    segments: pd.DataFrame,
    gaps: pd.DataFrame,
    parameters: Mapping[str, Any],
    breaks: Sequence[float],
    lang: str,
) -> str:
    gap_km = gaps.groupby("section")["length_km"].sum() if len(gaps) else pd.Series(dtype=float)
    names = list(dict.fromkeys(segments["section"].astype(str)))
    ranked = sorted(names, key=lambda n: (-float(gap_km.get(n, 0.0)), names.index(n)))
    shown = ranked[:MAX_SECTION_CHARTS]
    note = ""
    if len(names) > len(shown):
        note = (
            '<p class="note">'
            + i18n.label("rep_more_sections", lang).format(
                shown=_num(len(shown), lang), total=_num(len(names), lang)
            )
            + "</p>"
        )
    target = float(parameters.get("target_pd", 0.5))
    figures = []
    for name in shown:
        own = segments[segments["section"].astype(str) == name]
        own_gaps = gaps[gaps["section"].astype(str) == name] if len(gaps) else gaps
        svg = charts.chainage_chart(own, own_gaps, target_pd=target, risk_breaks=breaks, lang=lang)
        figures.append(f'<h3 translate="no">{_e(name)}</h3>{_figure(svg)}')
    caption = f'<p class="note">{_e(i18n.label("rep_chainage_note", lang))}</p>'
    return note + caption + "".join(figures)


def _risk_classes(segments: pd.DataFrame, lang: str) -> str:
    km = km_by_class(segments)
    total = sum(km.values())
    rows = [
        (
            f'<span class="swatch" style="background:{charts.RISK_COLOURS[n]}"></span>'
            + _e(i18n.value(n, lang)),
            _num(km[n], lang, 1),
            _pct(km[n] / total if total else float("nan"), lang),
        )
        for n in charts.RISK_CLASSES
    ]
    head = [
        i18n.label("risk_class", lang),
        i18n.label("rep_km_in_class", lang),
        i18n.label("rep_share", lang),
    ]
    table = _table(head, rows, numeric=[False, True, True])
    return _figure(charts.risk_class_chart(km, lang=lang)) + table


def _km_range(row: Any, lang: str) -> str:
    return f"{_num(row.km_from, lang, 1)}–{_num(row.km_to, lang, 1)}"


def _gaps(gaps: pd.DataFrame, lang: str) -> str:
    if not len(gaps):
        return f"<p>{_e(i18n.label('rep_no_gaps', lang))}</p>"
    ranked = gaps.sort_values(["priority", "gap_id"])
    shown = ranked.head(MAX_ROWS)
    keys = (
        "priority",
        "gap_id",
        "section",
        "rep_km_range",
        "length_km",
        "mean_p_detect",
        "max_risk",
        "risk_class",
        "incidents",
    )
    head = [i18n.label(k, lang) for k in keys]
    rows = [
        (
            _num(g.priority, lang),
            _num(g.gap_id, lang),
            _data(g.section),
            _km_range(g, lang),
            _num(g.length_km, lang, 1),
            _pct(g.mean_p_detect, lang),
            _num(g.max_risk, lang, 2),
            _e(i18n.value(g.max_risk_class, lang)),
            _num(g.incidents, lang),
        )
        for g in shown.itertuples()
    ]
    table = _table(head, rows, numeric=[True, True, False, True, True, True, True, False, True])
    chart = _figure(charts.gaps_ranked_chart(ranked, lang=lang))
    return chart + table + _more(len(shown), len(gaps), "gaps.csv", lang)


def _means_label(data: ReportData, means: object, fallback: object, lang: str) -> str:
    pair = data.means_labels.get(str(means))
    if pair is not None:
        return _e(pair[i18n.LANGS.index(lang)])
    return _data(fallback if not i18n.is_missing(fallback) else means)


def _means_text(data: ReportData, means: object, fallback: object, lang: str) -> str:
    pair = data.means_labels.get(str(means))
    if pair is not None:
        return pair[i18n.LANGS.index(lang)]
    return str(fallback if not i18n.is_missing(fallback) else means)


def _recommended(needs: pd.DataFrame) -> pd.DataFrame:
    if "recommended" not in needs:
        return needs
    flag = needs["recommended"].astype(str).str.lower().isin(("true", "1"))
    return needs[flag]


def _needs(data: ReportData, lang: str) -> str:
    needs = _recommended(data.needs)
    if not len(needs):
        return f"<p>{_e(i18n.label('rep_no_needs', lang))}</p>"
    label_col = needs["label"] if "label" in needs else needs["means"]
    by_means = (
        needs.assign(_label=label_col)
        .groupby("means", sort=False)
        .agg(
            label=("_label", "first"),
            capex_eur=("capex_eur", "sum"),
            opex_eur_per_year=("opex_eur_per_year", "sum"),
        )
        .reset_index()
        .sort_values("capex_eur", ascending=False)
    )
    by_means["label"] = [
        charts.plain_text(_means_text(data, m, lb, lang))
        for m, lb in zip(by_means["means"], by_means["label"], strict=True)
    ]
    chart = _figure(charts.costs_chart(by_means, lang=lang), i18n.label("rep_costs_by_means", lang))
    shown = needs.sort_values(["priority", "gap_id"]).head(MAX_ROWS)
    head = [
        i18n.label(k, lang)
        for k in (
            "priority",
            "gap_id",
            "section",
            "rep_km_range",
            "means",
            "rep_units",
            "capex_eur",
            "opex_eur_per_year",
            "staff_fte",
        )
    ]
    rows = [
        (
            _num(n.priority, lang),
            _num(n.gap_id, lang),
            _data(n.section),
            _km_range(n, lang),
            _means_label(data, n.means, getattr(n, "label", n.means), lang),
            _num(n.units, lang, 1),
            _num(n.capex_eur, lang),
            _num(n.opex_eur_per_year, lang),
            _num(n.staff_fte, lang, 1),
        )
        for n in shown.itertuples()
    ]
    table = _table(head, rows, numeric=[True, True, False, True, False, True, True, True, True])
    title = f"<h3>{_e(i18n.label('rep_recommended', lang))}</h3>"
    note = ""
    if data.summary.get("needs_quick_estimate") is True:
        note = f'<p class="note">{_e(i18n.label("rep_needs_quick_note", lang))}</p>'
    return note + chart + title + table + _more(len(shown), len(needs), "needs.csv", lang)


def _plan(data: ReportData, lang: str) -> str:
    out = ""
    if data.curve is not None and len(data.curve):
        svg = charts.budget_curve_svg(data.curve, lang=lang)
        out += f"<h3>{_e(i18n.label('budget_curve', lang))}</h3>{_figure(svg)}"
    sites = data.sites
    if sites is not None and len(sites):
        kind = "means" if "means" in sites else "type"
        shown = sites.head(MAX_ROWS)
        keys = ("rep_order", "means", "gap_id", "rep_units", "capex_eur", "opex_eur_per_year",
                "rep_gain")  # fmt: skip
        rows = [
            (
                _num(getattr(s, "order", number + 1), lang),
                _means_label(data, getattr(s, kind, ""), getattr(s, "label", None), lang),
                _num(getattr(s, "gap_id", None), lang),
                _num(getattr(s, "units", None), lang, 2),
                _num(getattr(s, "capex_eur", None), lang),
                _num(getattr(s, "opex_eur_per_year", None), lang),
                _num(getattr(s, "gain_persons_per_year", None), lang, 1),
            )
            for number, s in enumerate(shown.itertuples())
        ]
        out += f"<h3>{_e(i18n.label('rep_plan_sites', lang))}</h3>"
        head = [i18n.label(k, lang) for k in keys]
        out += _table(head, rows, numeric=[True, False, True, True, True, True, True])
        out += _more(len(shown), len(sites), "sites.csv", lang)
    return out


def _services(services: pd.DataFrame, lang: str) -> str:
    """Teams and staff of today's patrol routes (``services.csv``), with a total row."""
    keys = ("patrol", "mode", "window", "length_km", "visits_per_day", "hours_per_visit",
            "team_shifts_per_day", "teams", "fte")  # fmt: skip
    shown = services.head(MAX_ROWS)
    rows = [
        (
            _data(r.route),
            _e(i18n.value(r.mode, lang)),
            _e(i18n.value(r.window, lang)),
            _num(r.length_km, lang, 1),
            _num(r.visits_per_day, lang, 1),
            _num(r.hours_per_visit, lang, 1),
            _num(r.team_shifts_per_day, lang, 2),
            _num(r.teams, lang),
            _num(r.fte, lang, 1),
        )
        for r in shown.itertuples()
    ]
    rows.append(
        (
            f"<b>{_e(i18n.label('rep_total', lang))}</b>",
            "",
            "",
            _num(services["length_km"].sum(), lang, 1),
            "",
            "",
            _num(services["team_shifts_per_day"].sum(), lang, 2),
            _num(services["teams"].sum(), lang),
            f"<b>{_num(services['fte'].sum(), lang, 1)}</b>",
        )
    )
    head = [i18n.label(k, lang) for k in keys]
    numeric = [False, False, False, True, True, True, True, True, True]
    note = f'<p class="note">{_e(i18n.label("rep_services_note", lang))}</p>'
    return (
        note
        + _table(head, rows, numeric=numeric)
        + _more(len(shown), len(services), "services.csv", lang)
    )


def _areas(data: ReportData, lang: str) -> str:
    """Per responsibility area (``areas.csv``) and between agencies (``coordination.csv``)."""
    areas = data.areas if data.areas is not None else pd.DataFrame()
    keys = ("area", "agency", "km", "covered_km", "gap_km", "high_risk_km", "rep_sensors_routes",
            "rep_area_staff", "seam_gaps", "rep_other_agency_segments")  # fmt: skip
    rows = [
        (
            _data(a.area),
            _data(a.agency),
            _num(a.km, lang, 1),
            _num(a.covered_km, lang, 1),
            _num(a.gap_km, lang, 1),
            _num(a.high_risk_km, lang, 1),
            f"{_num(a.sensors, lang)} / {_num(a.patrol_routes, lang)}",
            _num(a.staff_fte, lang, 1),
            _num(a.seam_gaps, lang),
            _num(a.segments_answered_by_other_agency, lang),
        )
        for a in areas.head(MAX_ROWS).itertuples()
    ]
    head = [i18n.label(k, lang) for k in keys]
    numeric = [False, False, *([True] * 8)]
    out = _table(head, rows, numeric=numeric) + _more(len(rows), len(areas), "areas.csv", lang)
    share = data.summary.get("cross_agency_response_share")
    if share is not None:
        text = i18n.label("rep_cross_agency", lang).format(
            share=_pct(share, lang), unit=_pct(data.summary.get("cross_unit_response_share"), lang)
        )
        out += f"<p>{_e(text)}</p>"
    coordination = data.coordination
    if coordination is not None and len(coordination):
        pair_keys = ("agency_a", "agency_b", "response_km", "handovers", "seam_gap_km",
                     "shared_means")  # fmt: skip
        pairs = [
            (
                _data(c.agency_a),
                _data(c.agency_b),
                _num(c.response_km, lang, 1),
                _num(c.handovers, lang),
                _num(c.seam_gap_km, lang, 1),
                _num(c.shared_means, lang),
            )
            for c in coordination.head(MAX_ROWS).itertuples()
        ]
        out += f"<h3>{_e(i18n.label('rep_coordination', lang))}</h3>"
        head = [i18n.label(k, lang) for k in pair_keys]
        out += _table(head, pairs, numeric=[False, False, True, True, True, True])
    return out


def section_figures(segments: pd.DataFrame, gaps: pd.DataFrame) -> pd.DataFrame:
    """Sum the segments and gaps of each section.

    Parameters
    ----------
    segments
        Segments with ``section``, ``length_m``, ``covered_frac``,
        ``p_detect``, ``risk`` (persons per km per year) and ``risk_class``.
    gaps
        Gaps with ``section`` and ``length_km``.

    Returns
    -------
    pandas.DataFrame
        One row per section (in the order of the segments): ``km``,
        ``km_covered``, ``mean_p_detect`` (length-weighted), ``gap_count``,
        ``gap_km``, ``risk_persons_per_year`` and the km of each risk class.
    """
    seg = segments.assign(
        _km=segments["length_m"] / 1000.0,
        _section=segments["section"].astype(str),
    )
    seg = seg.assign(
        _covered=seg["_km"] * seg["covered_frac"],
        _detect=seg["_km"] * seg["p_detect"],
        _risk=seg["_km"] * seg["risk"].fillna(0.0),
    )
    grouped = seg.groupby("_section", sort=False)
    out = pd.DataFrame(
        {
            "km": grouped["_km"].sum(),
            "km_covered": grouped["_covered"].sum(),
            "mean_p_detect": grouped["_detect"].sum() / grouped["_km"].sum(),
            "risk_persons_per_year": grouped["_risk"].sum(),
        }
    )
    for name in charts.RISK_CLASSES:
        out[name] = seg[seg["risk_class"] == name].groupby("_section")["_km"].sum()
    g = gaps.assign(_section=gaps["section"].astype(str)).groupby("_section")
    out["gap_count"] = g.size() if len(gaps) else 0
    out["gap_km"] = g["length_km"].sum() if len(gaps) else 0.0
    out = out.fillna({**{n: 0.0 for n in charts.RISK_CLASSES}, "gap_count": 0, "gap_km": 0.0})
    return out.rename_axis("section").reset_index()


def _sections(segments: pd.DataFrame, gaps: pd.DataFrame, lang: str) -> str:
    table = section_figures(segments, gaps)
    shown = table.head(MAX_ROWS)
    head = [
        i18n.label(k, lang)
        for k in ("section", "km_assessed", "km_covered", "mean_p_detect", "gap_count", "gap_km")
    ]
    head += [i18n.value(n, lang) for n in charts.RISK_CLASSES] + [
        i18n.label("rep_risk_persons", lang)
    ]
    rows = [
        (
            _data(r.section),
            _num(r.km, lang, 1),
            _num(r.km_covered, lang, 1),
            _pct(r.mean_p_detect, lang),
            _num(r.gap_count, lang),
            _num(r.gap_km, lang, 1),
            *(_num(getattr(r, n), lang, 1) for n in charts.RISK_CLASSES),
            _num(r.risk_persons_per_year, lang, 1),
        )
        for r in shown.itertuples()
    ]
    note = f'<p class="note">{_e(i18n.label("rep_axis_km_length", lang))}</p>'
    return (
        note
        + _table(head, rows, numeric=[False] + [True] * 10)
        + _more(len(shown), len(table), "segments.csv", lang)
    )


def _parameter_value(x: object, lang: str) -> str:
    if isinstance(x, bool):
        return i18n.label("rep_yes" if x else "rep_no", lang)
    if isinstance(x, int | float):
        return _plain(float(x), lang)
    if isinstance(x, list | tuple):
        return "; ".join(_parameter_value(v, lang) for v in x)
    if x is None or x == "":
        return "—"
    return str(x)


def _parameter_cell(x: object, lang: str) -> str:
    """Return a parameter's value: numbers in `lang`, words as written in the scenario file."""
    if isinstance(x, str) and x:
        return f'<code translate="no">{_e(x)}</code>'
    return _e(_parameter_value(x, lang))


def _parameters(parameters: Mapping[str, Any], lang: str) -> str:
    known = list(i18n.PARAMETER_MEANINGS)
    keys = [k for k in known if k in parameters] + sorted(k for k in parameters if k not in known)
    index = i18n.LANGS.index(lang)
    rows = [
        (
            f'<code translate="no">{_e(k)}</code>',
            _parameter_cell(parameters[k], lang),
            _e(i18n.PARAMETER_MEANINGS[k][index]) if k in i18n.PARAMETER_MEANINGS else "—",
        )
        for k in keys
    ]
    head = [i18n.label(k, lang) for k in ("rep_parameter", "rep_value", "rep_meaning")]
    return _table(head, rows, numeric=[False, True, False])


def _sweep(sweep: Mapping[str, Any], parameters: Mapping[str, Any], lang: str) -> str:
    """Return the sweep's section: method, assumptions, KPI bands, tornado, gap stability."""
    settings = dict(sweep.get("settings", {}))
    top_n = int(settings.get("top_n", 3) or 3)
    sigma = float(settings.get("dem_error_m", 0.0) or 0.0)
    dem = ""
    if sigma > 0:
        dem = i18n.label("rep_sweep_dem", lang).format(
            sigma=_e(_plain(sigma, lang)),
            length=_e(_plain(float(settings.get("dem_correlation_m", 0.0) or 0.0), lang)),
        )
    method = i18n.label("rep_sweep_method", lang).format(
        samples=_num(settings.get("samples"), lang),
        seed=_num(settings.get("seed", 0), lang),
        top_n=_num(top_n, lang),
        dem=dem,
    )
    parts = [f"<h3>{_e(i18n.label('rep_method', lang))}</h3><p>{method}</p>"]
    parts.append(_sweep_assumptions(settings, parameters, lang))
    parts.append(_sweep_bands(sweep["bands"], lang))
    tornado = sweep.get("tornado")
    if tornado is not None and len(tornado):
        parts.append(f"<h3>{_e(i18n.label('rep_sweep_tornado', lang))}</h3>")
        parts.append(_figure(charts.tornado_svg(tornado, lang=lang)))
    parts.append(_sweep_stability(sweep["gap_stability"], top_n, lang))
    return "".join(parts)


def _assumption_meaning(name: str, lang: str) -> str:
    kind, _, type_ = name.partition(":")
    if type_ and kind in ("pd", "availability"):
        key = "rep_pd_of" if kind == "pd" else "rep_availability_of"
        return i18n.label(key, lang).format(type=i18n.value(type_, lang))
    if name == "dem_error_m":
        return i18n.label("rep_dem_error", lang)
    meanings = i18n.PARAMETER_MEANINGS.get(name)
    return meanings[i18n.LANGS.index(lang)] if meanings else "—"


def _sweep_assumptions(
    settings: Mapping[str, Any], parameters: Mapping[str, Any], lang: str
) -> str:
    vary = [dict(v) for v in settings.get("vary", []) if isinstance(v, Mapping)]
    sigma = float(settings.get("dem_error_m", 0.0) or 0.0)
    if sigma > 0:
        vary.append({"name": "dem_error_m", "low": -sigma, "high": sigma, "baseline": 0.0})
    rows = []
    for v in vary:
        name = str(v.get("name", ""))
        base = v.get("baseline", parameters.get(name))
        shown = _e(_plain(float(base), lang)) if isinstance(base, int | float) else "—"
        rows.append(
            (
                f'<code translate="no">{_e(name)}</code>',
                _e(_assumption_meaning(name, lang)),
                _e(_plain(float(v.get("low", math.nan)), lang)),
                _e(_plain(float(v.get("high", math.nan)), lang)),
                shown,
            )
        )
    head = [
        i18n.label(k, lang)
        for k in ("rep_assumption", "rep_meaning", "rep_low", "rep_high", "rep_baseline")
    ]
    table = _table(head, rows, numeric=[False, False, True, True, True])
    return f"<h3>{_e(i18n.label('rep_sweep_params', lang))}</h3>{table}"


def _sweep_bands(bands: pd.DataFrame, lang: str) -> str:
    digits = dict(KEY_FIGURES)
    rows = []
    for row in bands.itertuples():
        kpi = str(row.kpi)
        d = digits.get(kpi, 1)

        def fmt(x: object, d: int | None = d) -> str:
            return _pct(x, lang) if d is None else _num(x, lang, d)

        rows.append(
            (_e(i18n.label(kpi, lang)), fmt(row.baseline), fmt(row.p5), fmt(row.p50), fmt(row.p95))
        )
    head = [i18n.label("kpis", lang), i18n.label("rep_baseline", lang)]
    head += ["P5", "P50", "P95"]
    table = _table(head, rows, numeric=[False, True, True, True, True])
    return f"<h3>{_e(i18n.label('rep_sweep_bands', lang))}</h3>{table}"


def _sweep_stability(stability: pd.DataFrame, top_n: int, lang: str) -> str:
    heading = f"<h3>{_e(i18n.label('rep_sweep_stability', lang))}</h3>"
    if not len(stability):
        return heading + f"<p>{_e(i18n.label('rep_no_gaps', lang))}</p>"
    ranked = stability.sort_values(["priority", "gap_id"])
    shown = ranked.head(MAX_ROWS)
    rows = [
        (
            _num(g.priority, lang),
            _data(g.section),
            _km_range(g, lang),
            _num(g.length_km, lang, 1),
            _pct(g.p_exists, lang),
            f"{_num(g.length_km_p5, lang, 1)}–{_num(g.length_km_p95, lang, 1)} "
            f"({_num(g.length_km_p50, lang, 1)})",
            _pct(g.p_top_n, lang),
        )
        for g in shown.itertuples()
    ]
    head = [i18n.label(k, lang) for k in ("priority", "section", "rep_km_range", "length_km")]
    head += [
        i18n.label("rep_p_exists", lang),
        i18n.label("rep_length_band", lang),
        i18n.label("rep_p_top", lang).format(n=top_n),
    ]
    table = _table(head, rows, numeric=[True, False, True, True, True, True, True])
    return heading + table + _more(len(shown), len(ranked), "gap_stability.csv", lang)


def _notes(run: Mapping[str, Any], lang: str) -> str:
    """Return the ILLUSTRATIVE / INDICATIVE notes shown on the cover and with the sources."""
    from surveil.outputs import map_titles

    notes = []
    attribution = str(map_titles(run.get("scenario", {}), lang)["attribution"] or "")
    if attribution:
        notes.append(i18n.label("rep_illustrative", lang).format(text=_data(attribution)))
    if run.get("catalogue_indicative"):
        notes.append(_e(i18n.label("rep_indicative", lang)))
    if _uses_samples(run):
        notes.append(_e(i18n.label("rep_data_readme", lang)))
    return "".join(f'<p class="warn">{n}</p>' for n in notes)


def _uses_samples(run: Mapping[str, Any]) -> bool:
    """Tell whether an input of the run is one of surveil's sample datasets."""
    try:
        samples = _SAMPLES.resolve()
    except OSError:
        return False
    for item in run.get("inputs", []):
        try:
            if Path(str(item.get("path", ""))).resolve().is_relative_to(samples):
                return True
        except (OSError, ValueError):
            continue
    return False


def _sources(run: Mapping[str, Any], lang: str) -> str:
    rows = [
        (
            _e(i18n.label(f"layer_{i.get('layer')}", lang))
            if f"layer_{i.get('layer')}" in i18n.LABELS
            else _data(i.get("layer", "")),
            _data(Path(str(i.get("path", ""))).name),
            _num(i.get("bytes"), lang),
            f'<code translate="no">{_e(str(i.get("sha256", ""))[:12])}</code>',
        )
        for i in run.get("inputs", [])
    ]
    head = [i18n.label(k, lang) for k in ("rep_layer", "rep_file", "rep_bytes", "rep_checksum")]
    table = _table(head, rows, numeric=[False, False, True, False])
    return _notes(run, lang) + f"<h3>{_e(i18n.label('rep_inputs', lang))}</h3>" + table


_CSS = """
@page { size: A4; margin: 15mm 14mm 16mm 14mm; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 11pt;
  color: #1a1a1a; }
body { max-width: 190mm; margin: 0 auto; padding: 8mm 4mm; line-height: 1.4; }
h1 { font-size: 20pt; margin: 0 0 4mm; }
h2 { font-size: 15pt; border-bottom: 2px solid #0b5394; padding-bottom: 1mm; margin-top: 8mm; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; }
.name { font-size: 14pt; font-weight: bold; margin: 0 0 2mm; }
.meta, .note, figcaption { color: #555; font-size: 9pt; }
.warn { border-left: 4px solid #e08214; background: #fff4e5; padding: 2mm 3mm; font-size: 10pt; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 2mm 0 4mm; }
th, td { border-bottom: 1px solid #ccc; padding: 1mm 1.5mm; text-align: left;
  vertical-align: top; }
th { background: #eef2f7; }
.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
.kpis table { width: auto; min-width: 60%; font-size: 10pt; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
figure { margin: 2mm 0; }
figure svg { width: 100%; height: auto; }
code { font-size: 8.5pt; }
nav ol { columns: 2; font-size: 10pt; }
@media print {
  body { max-width: none; padding: 0; }
  main > section.page { break-before: page; }
  h2, h3 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""


# ------------------------------------------------------------------ PDF


def find_chromium() -> str | None:
    """Return the path of a Chromium (or Chrome) on PATH, or None."""
    return next((p for p in (shutil.which(n) for n in _CHROMIUM_NAMES) if p), None)


def report_pdf(
    page: str | os.PathLike[str], pdf: str | os.PathLike[str], *, timeout_s: float = 180.0
) -> Path:
    """Print an HTML report to an A4 PDF with headless Chromium.

    Parameters
    ----------
    page
        The ``report.html`` to print.
    pdf
        PDF file to write (replaced whole, or left as it was).
    timeout_s
        Seconds Chromium may take.

    Returns
    -------
    pathlib.Path
        The PDF written.

    Raises
    ------
    surveil.errors.OutputError
        When no Chromium is installed, or it fails to print.
    """
    chromium = find_chromium()
    target = Path(pdf)
    if chromium is None:
        raise OutputError(
            f"Cannot write {target}: no Chromium found on PATH (looked for "
            f"{', '.join(_CHROMIUM_NAMES)}); install it (Debian: apt-get install chromium) "
            "or print report.html from a browser"
        )
    source = Path(page).resolve()

    def write(tmp: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="surveil-chromium-") as profile:
            args = [
                chromium,
                *chromium_flags(Path(profile)),
                "--no-pdf-header-footer",
                f"--print-to-pdf={tmp}",
                source.as_uri(),
            ]
            try:
                done = subprocess.run(
                    args, capture_output=True, text=True, timeout=timeout_s, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise OutputError(f"Cannot write {target}: Chromium failed ({exc})") from None
        if done.returncode != 0 or tmp.stat().st_size == 0:
            tail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise OutputError(f"Cannot write {target}: Chromium failed ({tail[0]})")

    write_file(target, write)
    return target


def chromium_flags(profile: Path) -> list[str]:
    """Return the flags that run Chromium headless, offline and quiet.

    Parameters
    ----------
    profile
        An empty folder for Chromium's profile.
    """
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]
