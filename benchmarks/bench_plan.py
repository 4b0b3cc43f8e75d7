"""Benchmark the placement solvers (issue 9): greedy against HiGHS, HiGHS against spopt.

Run on demand, not as a test::

    python benchmarks/bench_plan.py [--quick]

1. Greedy against the exact MILP (HiGHS) on a random instance of 500 options
   × 5,000 points (probabilistic coverage, a CAPEX budget): the greedy's value
   as a share of the MILP's, and both times.
2. The exact solver against spopt's MCLP (PuLP with CBC) on one binary-coverage
   instance with a number of facilities p: same optimum, time ratio. Needs
   ``pip install spopt pulp``; skipped without them.

Figures are ratios measured in one process, since the machine is shared.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sp

from surveil.optimize import Options, Placement


def random_instance(
    n_points: int, n_options: int, *, reach: int, seed: int
) -> tuple[Options, np.ndarray]:
    """Options along a line: each covers ``reach`` consecutive points with pd 0.5-0.9."""
    rng = np.random.default_rng(seed)
    rows, cols, vals = [], [], []
    for j in range(n_options):
        start = int(rng.integers(0, n_points - reach))
        width = int(rng.integers(reach // 2, reach))
        idx = np.arange(start, start + width)
        rows.append(idx)
        cols.append(np.full(idx.size, j))
        vals.append(np.full(idx.size, rng.uniform(0.5, 0.9)))
    p = sp.csc_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_points, n_options),
    )
    capex = rng.choice([60_000.0, 250_000.0, 450_000.0], size=n_options)
    options = Options(
        p=p,
        existing=rng.uniform(0.0, 0.4, size=n_points),
        weight=rng.uniform(0.1, 3.0, size=n_points),
        capex_eur=capex,
        opex_eur_per_year=capex / 10,
        staff_fte=np.full(n_options, 0.5),
        site=np.arange(n_options),
    )
    return options, capex


def greedy_against_milp(n_points: int, n_options: int, budget: float) -> None:
    options, _ = random_instance(n_points, n_options, reach=60, seed=1)
    problem = Placement.from_options(options, time_limit_s=600)
    t0 = time.perf_counter()
    greedy = problem.solve_budget(capex_eur=budget, method="greedy")
    t1 = time.perf_counter()
    exact = problem.solve_budget(capex_eur=budget, method="milp")
    t2 = time.perf_counter()
    base = options.value([])
    print(f"{n_options} options x {n_points} points, budget {budget:,.0f} EUR")
    print(f"  greedy value {greedy.value:.3f} in {t1 - t0:.2f} s")
    print(f"  MILP   value {exact.value:.3f} (bound {exact.bound:.3f}, gap {100 * exact.gap:.3f} %)"
          f" in {t2 - t1:.2f} s")
    print(f"  greedy / MILP value: {greedy.value / exact.value:.4f}; "
          f"of the gain over today: {(greedy.value - base) / (exact.value - base):.4f}")


def against_spopt(n_points: int, n_options: int, p_facilities: int) -> None:
    try:
        import pulp
        from spopt.locate import MCLP
    except ImportError:
        print("spopt or pulp not installed: pip install spopt pulp (comparison skipped)")
        return
    rng = np.random.default_rng(2)
    xy_points = rng.uniform(0, 100_000, size=(n_points, 2))
    xy_sites = rng.uniform(0, 100_000, size=(n_options, 2))
    cost = np.hypot(*(xy_points[:, None, :] - xy_sites[None, :, :]).transpose(2, 0, 1))
    radius = 5_000.0
    weights = rng.integers(1, 10, size=n_points).astype(float)
    t0 = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, weights, radius, p_facilities=p_facilities)
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    t1 = time.perf_counter()
    covered = cost <= radius
    spopt_value = float(pulp.value(model.problem.objective))
    options = Options(
        p=sp.csc_array(covered.astype(float)),
        existing=np.zeros(n_points),
        weight=weights,
        capex_eur=np.ones(n_options),
        opex_eur_per_year=np.zeros(n_options),
        staff_fte=np.zeros(n_options),
        site=np.arange(n_options),
    )
    t2 = time.perf_counter()
    ours = Placement.from_options(options, time_limit_s=600).solve_budget(
        capex_eur=float(p_facilities), method="milp"
    )
    t3 = time.perf_counter()
    print(f"binary MCLP, {n_options} sites x {n_points} points, p = {p_facilities}")
    print(f"  spopt (PuLP/CBC): covered weight {spopt_value:.0f} in {t1 - t0:.2f} s")
    print(f"  surveil (HiGHS): covered weight {ours.value:.0f} in {t3 - t2:.2f} s")
    print(f"  time ratio spopt / surveil: {(t1 - t0) / (t3 - t2):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller instances")
    args = parser.parse_args()
    if args.quick:
        greedy_against_milp(1000, 100, 1_000_000.0)
        against_spopt(1000, 100, 10)
    else:
        greedy_against_milp(5000, 500, 3_000_000.0)
        against_spopt(5000, 500, 25)


if __name__ == "__main__":
    main()
