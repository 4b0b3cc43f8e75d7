"""Draw the charts of plans, sweeps and reports with matplotlib, offline (Agg), PNG or SVG."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pandas as pd

from surveil import i18n

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def budget_curve_chart(
    curve: pd.DataFrame, path: str | os.PathLike[str], *, lang: str = "en"
) -> None:
    """Draw the budget curve: risk reduced and gap km left against CAPEX.

    The greedy order is a line; exact MILP points are marked as diamonds.

    Parameters
    ----------
    curve
        From :func:`surveil.plan.budget_curve`.
    path
        PNG or SVG file to write (by its suffix).
    lang
        ``"en"`` or ``"ru"``.
    """
    plt = _pyplot()
    greedy = curve[curve["method"] == "greedy"].sort_values("capex_eur")
    milp = curve[curve["method"] == "milp"]
    fig, left = plt.subplots(figsize=(8.0, 4.5), dpi=120)
    try:
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
        fig.savefig(
            os.fspath(path),
            metadata={"Software": None} if str(path).endswith(".png") else {"Date": None},
        )
    finally:
        plt.close(fig)


#: KPI labels of the tornado chart.
KPI_LABELS = {
    "km_covered": "covered km",
    "gap_km": "gap km",
    "gap_count": "gaps",
    "high_risk_km": "high-risk km",
    "risk_persons_per_year": "risk (persons/year)",
    "mean_p_detect": "mean P(detect)",
    "capex_eur": "CAPEX needed (EUR)",
}


def tornado_chart(
    table: pd.DataFrame,
    *,
    kpis: tuple[str, ...] = ("gap_km", "high_risk_km", "risk_persons_per_year"),
) -> Figure:
    """Return a tornado chart: per KPI, each assumption's swing from its low to its high end.

    Parameters
    ----------
    table
        One-at-a-time table of :func:`surveil.sweep.tornado_table`
        (``assumption``, ``low``, ``high``, ``kpi``, ``kpi_baseline``,
        ``kpi_at_low``, ``kpi_at_high``, ``swing``).
    kpis
        KPIs to draw, one panel each; bars sorted by swing, widest on top.
    """
    from matplotlib.figure import Figure

    shown = [k for k in kpis if (table["kpi"] == k).any()]
    figure = Figure(figsize=(5.0 * max(len(shown), 1), 0.6 * table["assumption"].nunique() + 1.8))
    axes = figure.subplots(1, max(len(shown), 1), squeeze=False)[0]
    for ax, kpi in zip(axes, shown, strict=False):
        rows = table[table["kpi"] == kpi].sort_values("swing")
        base = float(rows["kpi_baseline"].iloc[0])
        y = range(len(rows))
        for i, (_, row) in enumerate(rows.iterrows()):
            for value, colour in ((row["kpi_at_low"], "#4c78a8"), (row["kpi_at_high"], "#e45756")):
                ax.barh(i, value - base, left=base, color=colour, height=0.6)
        ax.axvline(base, color="black", linewidth=0.8)
        ax.set_yticks(list(y))
        ax.set_yticklabels(
            [f"{r.assumption} {r.low:g}..{r.high:g}" for r in rows.itertuples()], fontsize=8
        )
        ax.set_title(KPI_LABELS.get(kpi, kpi))
    axes[0].legend(
        handles=[
            _patch("#4c78a8", "assumption at low end"),
            _patch("#e45756", "assumption at high end"),
        ],
        fontsize=7,
        loc="lower right",
    )
    figure.tight_layout()
    return figure


def _patch(colour: str, label: str) -> object:
    from matplotlib.patches import Patch

    return Patch(color=colour, label=label)
