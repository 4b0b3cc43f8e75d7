"""Placement solvers against brute force on small instances with a known optimum."""

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from surveil.optimize import Options, Placement, greedy_order


def make_options(p, existing, weight, capex, opex=None, staff=None, site=None):
    p = np.asarray(p, dtype=float)
    n = p.shape[1]
    return Options(
        p=sp.csc_array(p),
        existing=np.asarray(existing, dtype=float),
        weight=np.asarray(weight, dtype=float),
        capex_eur=np.asarray(capex, dtype=float),
        opex_eur_per_year=np.zeros(n) if opex is None else np.asarray(opex, dtype=float),
        staff_fte=np.zeros(n) if staff is None else np.asarray(staff, dtype=float),
        site=np.arange(n) if site is None else np.asarray(site, dtype=np.int64),
    )


def value_by_hand(p, existing, weight, subset):
    miss = 1.0 - np.asarray(existing, dtype=float)
    for j in subset:
        miss = miss * (1.0 - p[:, j])
    return float(np.asarray(weight) @ (1.0 - miss))


def feasible_subsets(n, site, fits):
    for k in range(n + 1):
        for subset in itertools.combinations(range(n), k):
            if len({site[j] for j in subset}) == len(subset) and fits(subset):
                yield subset


@st.composite
def instances(draw):
    n_points = draw(st.integers(2, 8))
    n_options = draw(st.integers(2, 7))
    p = np.array(
        draw(
            st.lists(
                st.sampled_from([0.0, 0.0, 0.3, 0.6, 0.9]),
                min_size=n_points * n_options,
                max_size=n_points * n_options,
            )
        )
    ).reshape(n_points, n_options)
    existing = np.array(
        draw(st.lists(st.sampled_from([0.0, 0.2, 0.5]), min_size=n_points, max_size=n_points))
    )
    weight = np.array(draw(st.lists(st.floats(0.1, 5.0), min_size=n_points, max_size=n_points)))
    capex = np.array(
        draw(
            st.lists(
                st.sampled_from([10.0, 20.0, 35.0, 50.0]), min_size=n_options, max_size=n_options
            )
        )
    )
    site = np.array(
        draw(st.lists(st.integers(0, n_options - 1), min_size=n_options, max_size=n_options))
    )
    budget = draw(st.sampled_from([20.0, 45.0, 70.0, 100.0]))
    return p, existing, weight, capex, site, budget


@settings(max_examples=40, deadline=None)
@given(instances())
def test_budget_mode_against_brute_force(instance):
    p, existing, weight, capex, site, budget = instance
    options = make_options(p, existing, weight, capex, site=site)
    subsets = list(
        feasible_subsets(p.shape[1], site, lambda s: capex[list(s)].sum() <= budget + 1e-9)
    )
    best = max(value_by_hand(p, existing, weight, s) for s in subsets)
    base = value_by_hand(p, existing, weight, ())
    problem = Placement.from_options(options)
    for method in ("greedy", "milp"):
        result = problem.solve_budget(capex_eur=budget, method=method)
        chosen = result.chosen.tolist()
        assert capex[chosen].sum() <= budget + 1e-9
        assert len({site[j] for j in chosen}) == len(chosen)
        assert result.value == pytest.approx(value_by_hand(p, existing, weight, chosen))
        assert result.value <= best + 1e-9
        if method == "greedy":
            # Greedy with the best single option: at least (1 − 1/e)/2 of the optimal gain.
            assert result.value - base >= (1 - 1 / math.e) / 2 * (best - base) - 1e-9
        else:
            assert result.bound >= best - 1e-6  # the tangents bound the optimum from above
            assert result.value >= best - 0.01 * weight.sum()
            gap = (result.bound - result.value) / result.bound if result.bound > 0 else 0.0
            assert result.gap == pytest.approx(gap, abs=1e-12)


def test_budget_mode_known_optimum_and_staff_limit():
    # Three towers: A and B cover one point each (0.9), C covers both (0.8).
    p = np.array([[0.9, 0.0, 0.8], [0.0, 0.9, 0.8]])
    options = make_options(p, [0, 0], [1, 1], [100, 100, 150], staff=[1, 1, 3])
    problem = Placement.from_options(options)
    # 150 EUR buys C (1.6) rather than A (0.9).
    assert problem.solve_budget(capex_eur=150, method="milp").chosen.tolist() == [2]
    assert problem.solve_budget(capex_eur=150, method="greedy").chosen.tolist() == [2]
    # 200 EUR buys A and B (1.8 > C's 1.6 + nothing).
    assert sorted(problem.solve_budget(capex_eur=200, method="milp").chosen.tolist()) == [0, 1]
    # Two FTE allow A and B but never C.
    result = problem.solve_budget(staff_fte=2, method="milp")
    assert sorted(result.chosen.tolist()) == [0, 1]
    assert result.value == pytest.approx(1.8)


def test_an_option_serving_two_gaps_is_bought_once():
    # Points 0-1 form one gap, 2-3 another; option 1 sits between them.
    p = np.array([[0.9, 0.9, 0.0], [0.9, 0.9, 0.0], [0.0, 0.9, 0.9], [0.0, 0.9, 0.9]])
    options = make_options(p, np.zeros(4), np.ones(4), [100, 120, 100])
    result = Placement.from_options(options).solve_close_gaps(target_pd=0.8, method="milp")
    assert result.chosen.tolist() == [1]
    assert result.capex_eur == 120


@settings(max_examples=40, deadline=None)
@given(instances())
def test_close_gaps_mode_against_brute_force(instance):
    p, existing, weight, capex, _, _ = instance
    n = p.shape[1]
    site = np.arange(n)
    target = 0.7
    options = make_options(p, existing, weight, capex, opex=capex / 10, site=site)
    problem = Placement.from_options(options, lifecycle_years=10)
    everything = 1 - (1 - existing) * np.prod(1 - p, axis=1)
    reachable = everything >= target - 1e-9
    expect_unreachable = np.flatnonzero(~reachable & (existing < target))
    cost = capex + 10 * capex / 10

    def lifts(subset):
        d = 1 - (1 - existing) * np.prod(1 - p[:, list(subset)], axis=1)
        return bool((d[reachable] >= target - 1e-9).all())

    cheapest = min(cost[list(s)].sum() for s in feasible_subsets(n, site, lifts))
    for method in ("greedy", "milp"):
        result = problem.solve_close_gaps(target_pd=target, method=method)
        assert result.unreachable.tolist() == expect_unreachable.tolist()
        assert lifts(result.chosen.tolist())
        total = result.capex_eur + 10 * result.opex_eur_per_year
        assert total >= cheapest - 1e-6
        if method == "milp":
            assert total == pytest.approx(cheapest)
            assert result.bound <= total + 1e-6


def test_bad_calls_are_refused():
    options = make_options(np.array([[0.5]]), [0.0], [1.0], [10.0])
    problem = Placement.from_options(options)
    with pytest.raises(ValueError, match="at least one limit"):
        problem.solve_budget()
    with pytest.raises(ValueError, match="target_pd"):
        problem.solve_close_gaps(target_pd=1.0)
    with pytest.raises(ValueError, match="method"):
        problem.solve_budget(capex_eur=1, method="magic")


def test_three_site_toy_where_greedy_is_suboptimal_and_milp_is_not():
    # C covers three points and has the best gain per euro, but after buying it
    # 90 EUR remain and neither A nor B fits; A + B together cover all four.
    p = np.array([[0.9, 0.0, 0.9], [0.9, 0.0, 0.9], [0.0, 0.9, 0.9], [0.0, 0.9, 0.0]])
    options = make_options(p, np.zeros(4), np.ones(4), [100, 100, 110])
    problem = Placement.from_options(options)
    capex = options.capex_eur
    plain = greedy_order(options, capex / 200, limits=[(capex, 200.0)])
    assert plain.tolist() == [2] and options.value(plain) == pytest.approx(2.7)
    exact = problem.solve_budget(capex_eur=200, method="milp")
    assert sorted(exact.chosen.tolist()) == [0, 1] and exact.value == pytest.approx(3.6)
    assert exact.bound >= 3.6 - 1e-9 and exact.gap < 0.01
    # The solver's greedy seeds with each strong single option and swaps: it recovers A + B.
    seeded = problem.solve_budget(capex_eur=200, method="greedy")
    assert sorted(seeded.chosen.tolist()) == [0, 1]


def test_existing_detection_stays_fixed_and_lowers_the_gain():
    # Point 0 is already at 0.9: a tower there adds 0.1 · 0.9; point 1 is blind.
    p = np.array([[0.9, 0.0], [0.0, 0.9]])
    options = make_options(p, [0.9, 0.0], [1, 1], [100, 100])
    result = Placement.from_options(options).solve_budget(capex_eur=100, method="milp")
    assert result.chosen.tolist() == [1]
    assert result.value == pytest.approx(0.9 + 0.9)


@settings(max_examples=25, deadline=None)
@given(instances())
def test_binary_coverage_milp_is_the_maximal_covering_optimum(instance):
    p, existing, weight, capex, site, budget = instance
    binary = (p > 0).astype(float)
    options = make_options(binary, existing, weight, capex, site=site)
    subsets = feasible_subsets(
        binary.shape[1], site, lambda s: capex[list(s)].sum() <= budget + 1e-9
    )
    best = max(value_by_hand(binary, existing, weight, s) for s in subsets)
    result = Placement.from_options(options).solve_budget(capex_eur=budget, method="milp")
    assert result.value == pytest.approx(best, abs=1e-9)
