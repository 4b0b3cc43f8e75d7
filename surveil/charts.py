"""Draw the charts of sweeps (and plans) with matplotlib, offline (Agg)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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
