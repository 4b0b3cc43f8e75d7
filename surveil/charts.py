"""Draw the charts of plans and reports with matplotlib, offline (Agg), PNG or SVG."""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from surveil import i18n


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
