"""surveil.sweeping.budget_grid: a plan's budget against an assumption (issue 12 §2)."""

from __future__ import annotations

import numpy as np
import pytest

from surveil.datasets import load_demo
from surveil.planning import plan
from surveil.sweeping import budget_grid

BUDGETS = [0.0, 100_000.0, 300_000.0]


@pytest.fixture(scope="module")
def synthetic():
    return load_demo("synthetic")


def test_the_grid_reads_each_plans_own_budget_curve(synthetic):
    grid, band = budget_grid(
        synthetic, vary="trace_persistence_h=6..24", budgets_eur=BUDGETS, steps=2
    )
    assert len(grid) == 2 * len(BUDGETS)
    for hours in (6.0, 24.0):
        curve = plan(synthetic.with_parameters(trace_persistence_h=hours), capex_eur=0.0).curve
        greedy = curve[curve["method"] == "greedy"].sort_values("capex_eur")
        for budget in BUDGETS:
            expected = greedy[greedy["capex_eur"] <= budget].iloc[-1]
            row = grid[(grid["trace_persistence_h"] == hours) & (grid["budget_eur"] == budget)]
            assert row["risk_reduced_persons_per_year"].item() == pytest.approx(
                expected["risk_reduced_persons_per_year"], rel=1e-12
            )
            assert row["gap_km_remaining"].item() == pytest.approx(
                expected["gap_km_remaining"], rel=1e-12
            )
    at_zero = grid[grid["budget_eur"] == 0.0]
    assert (at_zero["risk_reduced_persons_per_year"] == 0.0).all()  # nothing bought
    # longer-lasting traces leave fewer gap km before anything is bought
    km = at_zero.set_index("trace_persistence_h")["gap_km_remaining"]
    assert km[24.0] < km[6.0]
    first = band[band["budget_eur"] == 0.0].iloc[0]
    assert first["gap_km_remaining_min"] == km[24.0]
    assert first["gap_km_remaining_max"] == km[6.0]


def test_an_assumption_that_enters_no_plan_gives_a_zero_width_band(synthetic):
    # no DEM in the synthetic scenario: refraction enters no line of sight
    assert synthetic.dem is None
    _, band = budget_grid(synthetic, vary="refraction=0..0.25", budgets_eur=BUDGETS, steps=2)
    for column in ("risk_reduced_persons_per_year", "gap_km_remaining"):
        np.testing.assert_array_equal(band[f"{column}_min"], band[f"{column}_max"])
    assert band["risk_reduced_persons_per_year_max"].iloc[-1] > 0.0
