"""Benchmark ``surveil.sweep`` on dask.distributed against a serial loop (issue 12).

Run on demand from the repository root, when the machine is quiet (``uptime``)::

    python benchmarks/bench_sweep.py                  # demo: 200 samples, serial vs 2 workers
    python benchmarks/bench_sweep.py --samples 40     # shorter
    python benchmarks/bench_sweep.py --no-dem-error   # terrain and refraction fixed
    surveil generate --border-km 15000 --sensors 10000 --incidents 1000000 \\
        --segment-m 100 --out national
    python benchmarks/bench_sweep.py --national national/scenario.toml   # 20 samples, 2 workers

Demo: the same Monte Carlo draws (Latin hypercube over trace persistence,
kernel bandwidth, refraction and thermal-tower pd, plus an 8 m DEM error with a
1 km correlation length) are assessed

* by the serial baseline an analyst would write: a loop of ``surveil.assess``
  over the samples in this process (the DEM read once, perturbed per sample;
  numba with its default threads), and
* by ``surveil.sweep``'s tasks on a 2-worker ``LocalCluster`` (worker
  processes, one thread and one numba thread each, inputs scattered once),

in the same run. The script checks that both give the same KPIs and prints
both times, the speed-up with and without the cluster's start-up, the load
average, and the cluster's overhead per sample: worker-seconds a sample costs
beyond its task's compute time (``(workers · T_samples − Σ compute) /
samples``: scheduling, moving draws and results, idle tail), with the compute
time per sample of the tasks beside the serial loop's. It also prints how
many transfers each worker received, to show the inputs are not re-sent per
task.

National (``--national SCENARIO``): the scenario of ``surveil generate``
(benchmarks/README.md), 20 samples on 2 workers; time to read it, to scatter
it, for the samples, and each worker's peak resident memory (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import surveil
from surveil.datasets import load_demo
from surveil.dem_noise import perturb_tiles
from surveil.sweeping import (
    KPIS,
    SharedInputs,
    Uncertain,
    dask_client,
    plan_draws,
    run_on_client,
    scenario_terrain,
    with_values,
)

VARY = [
    Uncertain("trace_persistence_h", 6.0, 24.0),
    Uncertain("bandwidth_m", 1500.0, 6000.0),
    Uncertain("refraction", 0.0, 0.25),
    Uncertain("pd:thermal_tower", 0.6, 0.9),
]
NATIONAL_VARY = [
    Uncertain("trace_persistence_h", 6.0, 24.0),
    Uncertain("bandwidth_m", 1500.0, 6000.0),
    Uncertain("pd:thermal_tower", 0.6, 0.9),
]
DEM_ERROR = {"dem_error_m": 8.0, "dem_correlation_m": 1000.0}
WORKERS = 2


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def analyst_loop(scenario, tiles, draws, dem: dict) -> list[dict[str, float]]:
    """The serial baseline: a loop of surveil.assess over the samples, in this process."""
    kpis = []
    for draw in draws:
        terrain = tiles
        if draw.dem_seed is not None:
            terrain = perturb_tiles(
                tiles,
                sigma_m=dem["dem_error_m"],
                correlation_m=dem["dem_correlation_m"],
                seed=draw.dem_seed,
            )
        result = surveil.assess(with_values(scenario, draw.values), tiles=terrain)
        kpis.append({k: float(result.summary[k]) for k in KPIS})
    return kpis


def _worker_counts(dask_worker) -> dict[str, float]:
    return {
        "incoming transfers": dask_worker.state.transfer_incoming_count_total,
        "outgoing transfers": dask_worker.transfer_outgoing_count_total,
        "peak RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def cluster_run(scenario, tiles, draws, *, dem: dict, verbose: bool = False) -> dict:
    """Run the draws on a new 2-worker LocalCluster; return results, times and worker figures."""
    from dask.distributed import get_task_stream

    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if verbose:
            elapsed = time.perf_counter() - started
            print(f"    {done}/{total} samples at {elapsed:.0f} s", flush=True)

    with dask_client(workers=WORKERS) as client:
        ready = time.perf_counter()
        with get_task_stream(client) as stream:
            begun = time.perf_counter()
            results = run_on_client(client, scenario, tiles, draws, progress=progress, **dem)
            done = time.perf_counter()
        tasks = [t for t in stream.data if t["key"].startswith("assess_shared")]
        compute = sum(
            s["stop"] - s["start"]
            for t in tasks
            for s in t["startstops"]
            if s["action"] == "compute"
        )
        workers = client.run(_worker_counts)
    return {
        "results": results,
        "start_up": ready - started,
        "all": done - started,
        "samples": done - begun,
        "compute": compute,
        "tasks": len(tasks),
        "workers": workers,
    }


def print_workers(run: dict) -> None:
    for address, figures in sorted(run["workers"].items()):
        print(
            f"  worker {address}: {figures['incoming transfers']} incoming and "
            f"{figures['outgoing transfers']} outgoing transfers, "
            f"peak RSS {figures['peak RSS MB']:.0f} MB"
        )


def demo(samples: int, *, dem_error: bool = True) -> None:
    scenario = load_demo()
    tiles = scenario_terrain(scenario)
    dem = DEM_ERROR if dem_error else {"dem_error_m": 0.0, "dem_correlation_m": 0.0}
    vary = VARY if dem_error else [u for u in VARY if u.name != "refraction"]
    draws = plan_draws(
        vary, samples=samples, seed=0, one_at_a_time=False, dem_error_m=dem["dem_error_m"]
    )
    print(f"demo: {samples} samples, varying {', '.join(u.name for u in vary)}"
          f"{', DEM error' if dem_error else ''}; {load()}")  # fmt: skip
    analyst_loop(scenario, tiles, draws[:1], dem)  # warm this process (imports, numba)
    started = time.perf_counter()
    serial = analyst_loop(scenario, tiles, draws, dem)
    t_serial = time.perf_counter() - started
    print(
        f"  serial loop of surveil.assess: {t_serial:.1f} s ({t_serial / samples:.3f} s per "
        f"sample); {load()}"
    )
    run = cluster_run(scenario, tiles, draws, dem=dem)
    same = all(dict(r.kpis) == s for r, s in zip(run["results"], serial, strict=True))
    print(
        f"  {WORKERS}-worker LocalCluster: start-up (and preparing the workers) "
        f"{run['start_up']:.1f} s, samples {run['samples']:.1f} s, in all {run['all']:.1f} s; "
        f"identical KPIs: {same}; {load()}"
    )
    print_workers(run)
    overhead = (WORKERS * run["samples"] - run["compute"]) / samples
    print(
        f"  task compute {run['compute'] / samples:.3f} s per sample (serial loop "
        f"{t_serial / samples:.3f} s); cluster overhead {overhead * 1000:.0f} ms of worker "
        f"time per sample"
    )
    print(
        f"  speed-up {t_serial / run['all']:.2f}x with the cluster's start-up, "
        f"{t_serial / run['samples']:.2f}x without"
    )


def national(path: str, samples: int) -> None:
    started = time.perf_counter()
    scenario = surveil.load_scenario(path)
    print(f"national: read {path} in {time.perf_counter() - started:.1f} s; {load()}", flush=True)
    size = len(pickle.dumps(SharedInputs(scenario, ()), protocol=5)) / 1e6
    print(f"  shared inputs: {size:.0f} MB pickled, sent to each worker once")
    draws = plan_draws(NATIONAL_VARY, samples=samples, seed=0, dem_error_m=0.0,
                       one_at_a_time=False)  # fmt: skip
    run = cluster_run(scenario, (), draws, dem={}, verbose=True)
    print(
        f"  {samples} samples on {WORKERS} workers: start-up {run['start_up']:.1f} s, samples "
        f"{run['samples']:.1f} s, in all {run['all']:.1f} s; task compute "
        f"{run['compute'] / samples:.1f} s per sample; {load()}"
    )
    print_workers(run)
    gap_km = sorted(r.kpis["gap_km"] for r in run["results"])
    print(f"  gap km over the samples: {gap_km[0]:.1f} .. {gap_km[-1]:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--national", metavar="SCENARIO", default=None)
    parser.add_argument(
        "--no-dem-error",
        action="store_true",
        help="demo without DEM error or refraction (the workers remember line of sight)",
    )
    args = parser.parse_args()
    if args.national:
        national(args.national, args.samples or 20)
    else:
        demo(args.samples or 200, dem_error=not args.no_dem_error)
