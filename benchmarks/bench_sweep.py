"""Benchmark ``surveil.sweep`` on dask.distributed against a serial loop (issue 12).

Run on demand from the repository root, when the machine is quiet (``uptime``)::

    python benchmarks/bench_sweep.py                 # demo: 200 samples, serial vs 2 workers
    python benchmarks/bench_sweep.py --samples 40    # shorter
    python benchmarks/bench_sweep.py --national      # 15,000 km synthetic, 20 samples, 2 workers

Demo part: the same Monte Carlo draws (Latin hypercube over trace persistence,
kernel bandwidth, refraction and thermal-tower pd, plus an 8 m DEM error with a
1 km correlation length) are assessed by a loop in this process and by a
2-worker ``LocalCluster`` (one thread each) in the same run; the script checks
that both give the same KPIs, prints both times, the speed-up with and without
the cluster's start-up, and the cluster's overhead per sample,
``(workers · T_cluster − T_serial) / samples`` (worker-seconds a sample costs
beyond its assessment: scheduling, moving results, idle tail).

National part: the 15,000 km synthetic border at 100 m segments with 10,000
sensors and 100,000 incidents (benchmarks/run.py's target size with fewer
incidents), 20 samples on 2 workers; time, and each worker's peak resident
memory (``ru_maxrss``) after the run.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from surveil.datasets import load_demo
from surveil.sweeping import Uncertain, plan_draws, run_draws, scenario_terrain

VARY = [
    Uncertain("trace_persistence_h", 6.0, 24.0),
    Uncertain("bandwidth_m", 1500.0, 6000.0),
    Uncertain("refraction", 0.0, 0.25),
    Uncertain("pd:thermal_tower", 0.6, 0.9),
]
DEM_ERROR = {"dem_error_m": 8.0, "dem_correlation_m": 1000.0}


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def cluster_run(scenario, tiles, draws, *, workers: int, dem: dict) -> tuple[list, float, float]:
    """Return results, time with the cluster's start-up, and time of the samples alone."""
    from dask.distributed import Client, LocalCluster

    from surveil.sweeping import SharedInputs, assess_shared

    started = time.perf_counter()
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        ready = time.perf_counter()
        shared = client.scatter(SharedInputs(scenario, tiles), broadcast=True)
        futures = client.map(assess_shared, [shared] * len(draws), draws, pure=False, **dem)
        results = client.gather(futures)
        done = time.perf_counter()
        peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(
        f"  cluster start-up {ready - started:.1f} s; worker peak RSS MB: "
        + ", ".join(f"{v:.0f}" for v in peaks.values())
    )
    return results, done - started, done - ready


def demo(samples: int) -> None:
    scenario = load_demo()
    tiles = scenario_terrain(scenario)
    draws = plan_draws(
        VARY,
        samples=samples,
        seed=0,
        one_at_a_time=False,
        dem_error_m=DEM_ERROR["dem_error_m"],
    )
    print(f"demo: {samples} samples; {load()}")
    run_draws(scenario, tiles, draws[:1], workers=0, **DEM_ERROR)  # warm this process (numba)
    started = time.perf_counter()
    serial = run_draws(scenario, tiles, draws, workers=0, **DEM_ERROR)
    t_serial = time.perf_counter() - started
    print(f"  serial loop: {t_serial:.1f} s ({t_serial / samples:.2f} s per sample); {load()}")
    parallel, t_all, t_samples = cluster_run(scenario, tiles, draws, workers=2, dem=DEM_ERROR)
    same = all(a.kpis == b.kpis for a, b in zip(serial, parallel, strict=True))
    print(
        f"  2-worker LocalCluster: {t_all:.1f} s with start-up, {t_samples:.1f} s for the "
        f"samples; identical KPIs: {same}; {load()}"
    )
    print(f"  speed-up {t_serial / t_all:.2f}x with start-up, {t_serial / t_samples:.2f}x without")
    overhead = (2 * t_samples - t_serial) / samples
    print(f"  cluster overhead per sample: {overhead * 1000:.0f} ms of worker time")


def national(samples: int) -> None:
    from surveil.synthetic import synthetic_scenario

    started = time.perf_counter()
    scenario = synthetic_scenario(
        border_km=15000,
        sensors=10_000,
        patrols=1000,
        incidents=100_000,
        parameters={"segment_m": 100.0},
    )
    print(f"national: scenario built in {time.perf_counter() - started:.1f} s; {load()}")
    draws = plan_draws(VARY[:3], samples=samples, seed=0, dem_error_m=0.0, one_at_a_time=False)
    _, t_all, t_samples = cluster_run(scenario, (), draws, workers=2, dem={})
    print(
        f"  {samples} samples on 2 workers: {t_all:.1f} s with start-up, {t_samples:.1f} s "
        f"for the samples ({2 * t_samples / samples:.1f} worker-s per sample); {load()}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--national", action="store_true")
    args = parser.parse_args()
    if args.national:
        national(args.samples or 20)
    else:
        demo(args.samples or 200)
