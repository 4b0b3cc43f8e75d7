"""National-scale placement: candidate sites, options, sparse coverage and the greedy.

Run from the repository root (not a timed test; the machine's load matters)::

    /usr/bin/time -v python benchmarks/bench_national_plan.py
    /usr/bin/time -v python benchmarks/bench_national_plan.py --border-km 1500   # a tenth

A synthetic national scenario (:func:`surveil.synthetic.synthetic_scenario`:
15,000 km of border, target points every 50 m, so 300,000 of them) is
assessed as today's posture; then the real planning path runs, stage by
stage, as :func:`surveil.planning.plan` runs it: candidate sites on the own
side (:func:`surveil.candidates.candidate_sites`), one option per feasible
site × catalogue sensor × mast × facing and patrol routes along the gaps
(:func:`surveil.planning.build_options`, the assessment's own sensor and
patrol model, stored sparse), the placement problem and the lazy greedy
under a CAPEX limit. The candidate spacing is chosen so that the option
count is about 20,000. Wall and CPU (user + system) seconds are printed per
stage; the peak resident memory is that of the whole process (read it from
``/usr/bin/time -v``, "Maximum resident set size"), which includes the
baseline assessment.

No DEM: the synthetic national scenario has no terrain, so sensor coverage is
range and field of view (line of sight over terrain at this scale is out of
reach of a minute; see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np


class Clock:
    """Wall and CPU (user + system, this process) time per stage."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []
        self._wall = time.perf_counter()
        self._cpu = self._cpu_now()

    @staticmethod
    def _cpu_now() -> float:
        t = os.times()
        return t.user + t.system

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), self._cpu_now()
        self.rows.append((name, wall - self._wall, cpu - self._cpu))
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  {name:<28} {wall - self._wall:7.2f} s wall {cpu - self._cpu:7.2f} s CPU"
            f"   (maxrss so far {maxrss:,.0f} MB)",
            flush=True,
        )
        self._wall, self._cpu = wall, cpu

    def total(self, names: tuple[str, ...]) -> tuple[float, float]:
        rows = [r for r in self.rows if r[0] in names]
        return sum(r[1] for r in rows), sum(r[2] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--border-km", type=float, default=15_000.0)
    parser.add_argument("--sensors", type=int, default=3_000, help="today's sensors")
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--options", type=int, default=20_000, help="options wanted (about)")
    parser.add_argument("--budget-share", type=float, default=0.1,
                        help="CAPEX limit as a share of the cost of every option")
    args = parser.parse_args()

    from surveil.assessment import assess
    from surveil.candidates import candidate_sites
    from surveil.optimize import Placement
    from surveil.planning import (
        build_options,
        patrol_options,
        planning_targets,
        sensor_options,
    )
    from surveil.synthetic import synthetic_scenario

    clock = Clock()
    scenario = synthetic_scenario(
        border_km=args.border_km,
        sensors=args.sensors,
        patrols=int(args.border_km / 15),
        incidents=args.incidents,
        seed=0,
    )
    clock.lap("synthetic scenario")
    base = assess(scenario)
    clock.lap("baseline assessment")
    p = scenario.parameters
    targets, segments = planning_targets(base)
    border = base.border if base.border is not None else scenario.border

    def sites_at(spacing_m: float):
        return candidate_sites(
            border,
            offsets_m=p.candidate_offsets_m,
            spacing_m=spacing_m,
            tiles=(),
            roads=scenario.roads,
            setback_m=p.candidate_setback_m,
            max_road_m=p.candidate_max_road_m,
        )

    # Calibrate the spacing (untimed): sensor options scale with 1 / spacing,
    # patrol options (routes along today's gaps) do not.
    trial_m = 10_000.0
    n_sensor = len(sensor_options(sites_at(trial_m), scenario.catalogue))
    n_patrol = len(patrol_options(base, scenario.catalogue))
    spacing_m = trial_m * n_sensor / max(args.options - n_patrol, 1)
    clock.lap("(calibrating the spacing)")
    sites = sites_at(spacing_m)
    clock.lap("candidate sites")
    built = build_options(base, targets, segments, sites, ())
    clock.lap("options and coverage")
    options = built.options
    problem = Placement.from_options(options, lifecycle_years=p.lifecycle_years)
    budget = args.budget_share * float(options.capex_eur.sum())
    result = problem.solve_budget(capex_eur=budget, method="greedy")
    clock.lap("greedy")
    kinds = built.table["kind"].value_counts().to_dict()
    print(
        f"{options.n_options:,} options ({kinds}) at {int(sites['feasible'].sum()):,} feasible "
        f"sites (spacing {spacing_m:,.0f} m) x {len(targets):,} target points; "
        f"{options.p.nnz:,} non-zero coverage entries"
    )
    print(
        f"greedy under {budget:,.0f} EUR: {len(result.chosen)} options, "
        f"{result.capex_eur:,.0f} EUR, value {result.value:,.1f} "
        f"(today {options.value([]):,.1f}) persons a year"
    )
    wall, cpu = clock.total(("candidate sites", "options and coverage", "greedy"))
    print(f"placement (candidate sites + options and coverage + greedy): "
          f"{wall:.1f} s wall, {cpu:.1f} s CPU")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process maxrss {maxrss:,.0f} MB; load average {os.getloadavg()[0]:.1f}")
    assert np.isfinite(result.value)


if __name__ == "__main__":
    main()
