"""Draw the charts of plans, sweeps and reports with matplotlib, offline (Agg): PNG or SVG.

Text is drawn as paths (``svg.fonttype = "path"``), so a chart needs no font
on the reader's machine; text from the input data is passed to matplotlib
with its mathtext sign ``$`` escaped, and matplotlib escapes it in the SVG's
comments. The SVG is returned without its XML prologue, ready to sit inside
an HTML page.
"""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from surveil import i18n

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Colours of the risk classes (the map's ramp).
RISK_COLOURS: Mapping[str, str] = {
    "low": "#1a9641",
    "medium": "#e6b400",
    "high": "#f46d43",
    "critical": "#a50026",
}
RISK_CLASSES = ("low", "medium", "high", "critical")
_DETECT_COLOUR = "#0b5394"
_GAP_COLOUR = "#6a1b9a"
_WIDTH_IN = 7.2  # fits an A4 page with 15 mm margins


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "path"
    plt.rcParams["svg.hashsalt"] = "surveil"  # stable ids: same data, same bytes
    plt.rcParams["font.family"] = "DejaVu Sans"  # shipped with matplotlib, has Cyrillic
    return plt


def plain_text(text: object) -> str:
    """Return text that matplotlib draws as it is (no mathtext).

    Parameters
    ----------
    text
        Any value, e.g. a section name from the input data.

    Returns
    -------
    str
        The text with ``$`` escaped.

    Examples
    --------
    >>> plain_text("cost $5")
    'cost \\\\$5'
    """
    return str(text).replace("$", r"\$")


def _svg(fig: Any) -> str:
    """Return the figure as an SVG element (no XML prologue) and close it."""
    plt = _pyplot()
    buffer = io.StringIO()
    try:
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def chainage_chart(
    segments: pd.DataFrame,
    gaps: pd.DataFrame,
    *,
    target_pd: float,
    risk_breaks: Sequence[float],
    lang: str,
) -> str:
    """Draw detection and risk along the chainage of one section, gaps shaded.

    Parameters
    ----------
    segments
        Segments of the section: ``km_from``, ``km_to``, ``p_detect``, ``risk``
        (and ``part`` when a section has several parts).
    gaps
        Gaps of the section: ``km_from``, ``km_to``.
    target_pd
        Detection that counts as covered, drawn as a dashed line.
    risk_breaks
        Risk where classes medium, high and critical begin (persons per km
        per year), drawn as bands behind the risk line.
    lang
        ``"en"`` or ``"ru"``.

    Returns
    -------
    str
        The chart as an SVG element.
    """
    plt = _pyplot()
    from matplotlib.ticker import ScalarFormatter

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(_WIDTH_IN, 4.2), sharex=True, dpi=100)
    spans = [
        (float(a), float(b) - float(a))
        for a, b in zip(gaps["km_from"], gaps["km_to"], strict=True)
    ]
    for axis in (top, bottom):  # one collection, however many gaps
        axis.broken_barh(spans, (0, 1), transform=axis.get_xaxis_transform(),
                         color=_GAP_COLOUR, alpha=0.15, lw=0)  # fmt: skip
    parts = segments.groupby("part", sort=True) if "part" in segments else [(0, segments)]
    risk = segments["risk"].to_numpy(float)
    finite = risk[np.isfinite(risk)]
    ceiling = max(float(finite.max()) if len(finite) else 0.0, float(risk_breaks[-1])) * 1.1
    for _, part in parts:
        ordered = part.sort_values("km_from")
        edges = np.append(ordered["km_from"].to_numpy(float), ordered["km_to"].to_numpy(float)[-1])
        detect_edges, detect = display_steps(edges, ordered["p_detect"].to_numpy(float))
        top.stairs(detect, detect_edges, baseline=None, color=_DETECT_COLOUR, lw=1.2)
        risk_edges, part_risk = display_steps(edges, np.nan_to_num(ordered["risk"].to_numpy(float)))
        bottom.stairs(part_risk, risk_edges, baseline=None, color="black", lw=1.0)
    top.axhline(target_pd, color="black", ls="--", lw=0.8)
    top.set_ylim(0, 1)
    top.set_ylabel(i18n.label("rep_axis_detect", lang))
    bounds = [0.0, *(float(b) for b in risk_breaks), ceiling]
    for name, low, high in zip(RISK_CLASSES, bounds[:-1], bounds[1:], strict=True):
        bottom.axhspan(low, high, color=RISK_COLOURS[name], alpha=0.12, lw=0)
    bottom.set_yscale("symlog", linthresh=1.0)
    bottom.yaxis.set_major_formatter(ScalarFormatter())
    bottom.set_ylim(0, ceiling)
    bottom.set_ylabel(i18n.label("rep_axis_risk", lang))
    bottom.set_xlabel(i18n.label("rep_axis_km", lang))
    bottom.set_xlim(float(segments["km_from"].min()), float(segments["km_to"].max()))
    for axis in (top, bottom):
        axis.grid(alpha=0.3, lw=0.5)
    fig.tight_layout()
    return _svg(fig)


def display_steps(
    edges: np.ndarray, values: np.ndarray, *, max_steps: int = 1400
) -> tuple[np.ndarray, np.ndarray]:
    """Return stairs that draw like the given ones at a chart's resolution.

    Past ``max_steps`` steps (a chart is some 700 points wide), consecutive
    steps are pooled into bins, each drawn as two half-width steps at the
    bin's minimum and maximum, so every peak and trough stays visible while
    the chart keeps a bounded number of vertices (min-max decimation).

    Parameters
    ----------
    edges
        ``n + 1`` increasing step edges.
    values
        ``n`` step values (NaN ignored within a bin).
    max_steps
        Most steps returned.

    Returns
    -------
    edges, values
        The stairs to draw.

    Examples
    --------
    >>> e, v = display_steps(np.arange(9.0), np.array([0, 5, 1, 1, 2, 2, 9, 3.0]), max_steps=4)
    >>> e.tolist(), v.tolist()
    ([0.0, 2.0, 4.0, 6.0, 8.0], [0.0, 5.0, 2.0, 9.0])
    >>> display_steps(np.arange(3.0), np.ones(2))[1].tolist()
    [1.0, 1.0]
    """
    edges = np.asarray(edges, dtype=float)
    values = np.asarray(values, dtype=float)
    if values.size <= max_steps:
        return edges, values
    per_bin = -(-2 * values.size // max_steps)
    starts = np.arange(0, values.size, per_bin)
    ends = np.append(starts[1:], values.size)
    with np.errstate(invalid="ignore"):
        low = np.fmin.reduceat(values, starts)
        high = np.fmax.reduceat(values, starts)
    mids = (edges[starts] + edges[ends]) / 2.0
    out_edges = np.append(np.column_stack([edges[starts], mids]).ravel(), edges[-1])
    return out_edges, np.column_stack([low, high]).ravel()


def risk_class_chart(km_by_class: Mapping[str, float], *, lang: str) -> str:
    """Draw the km of border in each risk class as horizontal bars.

    Parameters
    ----------
    km_by_class
        Km per class name (``low`` ... ``critical``); missing classes count 0.
    lang
        ``"en"`` or ``"ru"``.

    Returns
    -------
    str
        The chart as an SVG element.
    """
    plt = _pyplot()
    fig, axis = plt.subplots(figsize=(_WIDTH_IN, 2.2), dpi=100)
    km = [float(km_by_class.get(name, 0.0)) for name in RISK_CLASSES]
    names = [i18n.value(name, lang) for name in RISK_CLASSES]
    axis.barh(names, km, color=[RISK_COLOURS[n] for n in RISK_CLASSES])
    for y, value in enumerate(km):
        axis.text(value, y, " " + i18n.number(value, lang, 1), va="center", fontsize=8)
    axis.set_xlabel(i18n.label("rep_axis_km_length", lang))
    axis.set_xlim(0, max(max(km), 1.0) * 1.15)
    axis.grid(axis="x", alpha=0.3, lw=0.5)
    fig.tight_layout()
    return _svg(fig)


def gaps_ranked_chart(gaps: pd.DataFrame, *, lang: str, top: int = 15) -> str:
    """Draw the gaps ranked by priority: their length, coloured by maximum risk.

    Parameters
    ----------
    gaps
        Gaps with ``gap_id``, ``section``, ``km_from``, ``km_to``,
        ``length_km``, ``priority`` (1 first) and ``max_risk_class``.
    lang
        ``"en"`` or ``"ru"``.
    top
        How many gaps to draw.

    Returns
    -------
    str
        The chart as an SVG element.
    """
    plt = _pyplot()
    ranked = gaps.sort_values(["priority", "gap_id"]).head(top)
    fig, axis = plt.subplots(figsize=(_WIDTH_IN, 0.8 + 0.28 * max(len(ranked), 1)), dpi=100)
    labels = [
        plain_text(
            f"{int(g.priority)}. {g.section}, {i18n.number(g.km_from, lang, 1)}–"
            f"{i18n.number(g.km_to, lang, 1)} {i18n.label('km_unit', lang)}"
        )
        for g in ranked.itertuples()
    ]
    colours = [RISK_COLOURS.get(str(c), "#9e9e9e") for c in ranked["max_risk_class"]]
    axis.barh(range(len(ranked)), ranked["length_km"].to_numpy(float), color=colours)
    axis.set_yticks(range(len(ranked)), labels, fontsize=8)
    axis.invert_yaxis()
    axis.set_xlabel(i18n.label("rep_axis_km_length", lang))
    axis.grid(axis="x", alpha=0.3, lw=0.5)
    fig.tight_layout()
    return _svg(fig)


def costs_chart(costs: pd.DataFrame, *, lang: str) -> str:
    """Draw CAPEX and annual cost of each kind of means as grouped bars.

    Parameters
    ----------
    costs
        One row per means with ``label``, ``capex_eur`` and
        ``opex_eur_per_year``.
    lang
        ``"en"`` or ``"ru"``.

    Returns
    -------
    str
        The chart as an SVG element.
    """
    plt = _pyplot()
    fig, axis = plt.subplots(figsize=(_WIDTH_IN, 0.9 + 0.45 * max(len(costs), 1)), dpi=100)
    y = np.arange(len(costs))
    axis.barh(
        y - 0.2,
        costs["capex_eur"].to_numpy(float) / 1000.0,
        height=0.4,
        color="#0b5394",
        label=i18n.label("capex_keur", lang),
    )
    axis.barh(
        y + 0.2,
        costs["opex_eur_per_year"].to_numpy(float) / 1000.0,
        height=0.4,
        color="#e08214",
        label=i18n.label("rep_opex_keur", lang),
    )
    axis.set_yticks(y, [plain_text(v) for v in costs["label"]], fontsize=8)
    axis.invert_yaxis()
    axis.set_xlabel(i18n.label("rep_axis_keur", lang))
    axis.legend(fontsize=8, loc="lower right")
    axis.grid(axis="x", alpha=0.3, lw=0.5)
    fig.tight_layout()
    return _svg(fig)


def _budget_curve_figure(curve: pd.DataFrame, *, lang: str, size: tuple[float, float]) -> Any:
    """Draw the budget curve on a new figure (see :func:`budget_curve_chart`)."""
    plt = _pyplot()
    greedy = curve[curve["method"] == "greedy"].sort_values("capex_eur")
    milp = curve[curve["method"] == "milp"]
    fig, left = plt.subplots(figsize=size, dpi=120)
    money = greedy["capex_eur"] / 1000.0
    left.step(
        money,
        greedy["risk_reduced_persons_per_year"],
        where="post",
        color="#1b7837",
        label=i18n.label("risk_reduced", lang),
    )
    if len(milp):
        left.plot(
            milp["capex_eur"] / 1000.0,
            milp["risk_reduced_persons_per_year"],
            "D",
            color="#1b7837",
            markerfacecolor="white",
            label="MILP",
        )
    left.set_xlabel(i18n.label("capex_keur", lang))
    left.set_ylabel(i18n.label("risk_reduced", lang), color="#1b7837")
    right = left.twinx()
    right.step(
        money,
        greedy["gap_km_remaining"],
        where="post",
        color="#762a83",
        label=i18n.label("gap_km", lang),
    )
    right.set_ylabel(i18n.label("gap_km", lang), color="#762a83")
    right.set_ylim(bottom=0)
    left.set_ylim(bottom=0)
    left.grid(alpha=0.3)
    handles = left.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    left.legend(handles=handles, loc="center right", fontsize=9)
    left.set_title(i18n.label("budget_curve", lang))
    fig.tight_layout()
    return fig


def budget_curve_chart(
    curve: pd.DataFrame, path: str | os.PathLike[str], *, lang: str = "en"
) -> None:
    """Draw the budget curve: risk reduced and gap km left against CAPEX.

    The greedy order is a line; exact MILP points are marked as diamonds.

    Parameters
    ----------
    curve
        From :func:`surveil.planning.budget_curve`.
    path
        PNG or SVG file to write (by its suffix).
    lang
        ``"en"`` or ``"ru"``.
    """
    plt = _pyplot()
    fig = _budget_curve_figure(curve, lang=lang, size=(8.0, 4.5))
    try:
        fig.savefig(
            os.fspath(path),
            metadata={"Software": None} if str(path).endswith(".png") else {"Date": None},
        )
    finally:
        plt.close(fig)


def budget_curve_svg(curve: pd.DataFrame, *, lang: str) -> str:
    """Return the budget curve (see :func:`budget_curve_chart`) as an SVG element for a page.

    Parameters
    ----------
    curve
        ``budget_curve.csv`` of a plan: ``capex_eur``,
        ``risk_reduced_persons_per_year``, ``gap_km_remaining`` and ``method``.
    lang
        ``"en"`` or ``"ru"``.
    """
    return _svg(_budget_curve_figure(curve, lang=lang, size=(_WIDTH_IN, 4.0)))


def tornado_chart(
    table: pd.DataFrame,
    *,
    kpis: tuple[str, ...] = ("gap_km", "high_risk_km", "risk_persons_per_year"),
    lang: str = "en",
    width_in: float | None = None,
) -> Figure:
    """Return a tornado chart: per KPI, each assumption's swing from its low to its high end.

    Parameters
    ----------
    table
        One-at-a-time table of :func:`surveil.sweeping.tornado_table`
        (``assumption``, ``low``, ``high``, ``kpi``, ``kpi_baseline``,
        ``kpi_at_low``, ``kpi_at_high``, ``swing``).
    kpis
        KPIs to draw, one panel each; bars sorted by swing, widest on top.
    lang
        ``"en"`` or ``"ru"``.
    width_in
        Width of the figure in inches (default 5 per panel).
    """
    from matplotlib.figure import Figure

    shown = [k for k in kpis if (table["kpi"] == k).any()]
    panels = max(len(shown), 1)
    height = 0.45 * table["assumption"].nunique() + 1.9
    figure = Figure(figsize=(width_in or 5.0 * panels, height))
    axes = figure.subplots(1, panels, squeeze=False, sharey=True)[0]
    low_colour, high_colour = "#4c78a8", "#e45756"
    order: list[str] = []
    for ax, kpi in zip(axes, shown, strict=False):
        rows = table[table["kpi"] == kpi]
        if not order:  # one order for every panel: by the first KPI's swing
            order = list(rows.sort_values("swing", kind="stable")["assumption"])
        rows = rows.set_index("assumption").reindex(order)
        base = float(rows["kpi_baseline"].iloc[0])
        for i, (_, row) in enumerate(rows.iterrows()):
            for value, colour in (
                (row["kpi_at_low"], low_colour),
                (row["kpi_at_high"], high_colour),
            ):
                ax.barh(i, value - base, left=base, color=colour, height=0.6)
        ax.axvline(base, color="black", linewidth=0.8)
        title = "\n".join(textwrap.wrap(i18n.label(kpi, lang), 26))
        ax.set_title(plain_text(title), fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    ranges = table.drop_duplicates("assumption").set_index("assumption")
    axes[0].set_yticks(list(range(len(order))))
    axes[0].set_yticklabels(
        [
            plain_text(
                f"{name} {_g(ranges.loc[name, 'low'], lang)}…{_g(ranges.loc[name, 'high'], lang)}"
            )
            for name in order
        ],
        fontsize=7,
    )
    figure.legend(
        handles=[
            _patch(low_colour, i18n.label("rep_at_low", lang)),
            _patch(high_colour, i18n.label("rep_at_high", lang)),
        ],
        fontsize=7,
        loc="lower center",
        ncol=2,
        frameon=False,
    )
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure


def _g(x: float, lang: str) -> str:
    """Format a number as written (``1500``, ``0.25``); a decimal comma in Russian."""
    text = f"{float(x):g}"
    return text.replace(".", ",").replace("-", "−") if lang == "ru" else text


def tornado_svg(table: pd.DataFrame, *, lang: str) -> str:
    """Return the tornado chart (see :func:`tornado_chart`) as an SVG element for a page.

    Parameters
    ----------
    table
        ``tornado.csv`` of a sweep.
    lang
        ``"en"`` or ``"ru"``.
    """
    _pyplot()
    return _svg(tornado_chart(table, lang=lang, width_in=_WIDTH_IN))


def _patch(colour: str, label: str) -> object:
    from matplotlib.patches import Patch

    return Patch(color=colour, label=label)
