"""Benchmark surveil's stages and the whole assessment at several sizes.

Run from the repository root::

    python benchmarks/run.py            # the full grid (about 20-40 minutes)
    python benchmarks/run.py --quick    # small sizes (about a minute)

Each size runs in a fresh subprocess so that memory figures do not mix. For
each size the script generates a synthetic scenario (surveil.synthetic),
writes it to files and then times: reading the files (load_scenario), the
stages of assess() as it reports them (segments, detection, threat, risk,
gaps, needs), the whole assess() and writing the map (map.html). It also
runs the detection stage the way an analyst would with geopandas
(benchmarks/geopandas_way.py) on the same inputs, prints the ratio and
checks that the numbers agree.

Memory: "peak MB" is the peak resident set size (RSS) during a stage above
the RSS when the stage began, sampled every 2 ms from /proc/self/statm by a
thread (it sees C and C++ allocations too, unlike tracemalloc); "maxrss" is
the process's high-water mark (getrusage ru_maxrss) at the end of the stage.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

FULL = [
    dict(border_km=b, segment_m=s, sensors=n, incidents=i)
    for b, s, n, i in itertools.product(
        (1000, 15000), (1000, 100), (100, 10_000), (10_000, 1_000_000)
    )
]
QUICK = [
    dict(border_km=b, segment_m=s, sensors=n, incidents=i)
    for b, s, n, i in itertools.product((100, 1000), (1000, 100), (100,), (10_000,))
] + [dict(border_km=1000, segment_m=1000, sensors=1000, incidents=100_000)]
STAGES = ("read", "segments", "detection", "threat", "risk", "gaps", "needs", "assess", "map")
REPEATS = 3
TARGET = dict(border_km=15000, segment_m=100, sensors=10_000, incidents=1_000_000)


class Memory:
    """Sample this process's RSS in a thread; report the peak since ``start``."""

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def __init__(self) -> None:
        self.peak = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @classmethod
    def rss(cls) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * cls.PAGE

    def _run(self) -> None:
        while not self._stop:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.002)

    def start(self) -> int:
        now = self.rss()
        self.peak = now
        return now

    def stop(self) -> None:
        self._stop = True


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_one(config: dict, *, with_map: bool, compare: bool) -> dict:
    """Run one size in this process and return its figures."""
    from surveil import coverage
    from surveil.assessment import assess
    from surveil.maps import save_map
    from surveil.scenario import load_scenario
    from surveil.segments import sample_targets, segment_border
    from surveil.synthetic import synthetic_scenario, write_scenario_files

    memory = Memory()
    out: dict = {"config": config, "time_s": {}, "peak_mb": {}, "maxrss_mb": {}}
    patrols = max(1, round(config["border_km"] / 15))
    started = time.perf_counter()
    generated = synthetic_scenario(
        border_km=config["border_km"],
        sensors=config["sensors"],
        patrols=patrols,
        incidents=config["incidents"],
        seed=0,
        parameters={"segment_m": config["segment_m"]},
    )
    out["generate_s"] = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        toml = write_scenario_files(generated, Path(tmp) / "scenario")
        del generated

        def timed(name, fn):
            base = memory.start()
            t0 = time.perf_counter()
            value = fn()
            out["time_s"][name] = time.perf_counter() - t0
            out["peak_mb"][name] = (memory.peak - base) / 2**20
            out["maxrss_mb"][name] = maxrss_mb()
            return value

        scenario = timed("read", lambda: load_scenario(toml))

    marks: list[tuple[str, float, int, int]] = []

    def progress(step: str) -> None:
        now, rss = time.perf_counter(), Memory.rss()
        marks.append((step, now, memory.peak, rss))
        memory.peak = rss

    base = memory.start()
    t0 = time.perf_counter()
    result = assess(scenario, progress=progress)
    t1 = time.perf_counter()
    marks.append(("end", t1, memory.peak, Memory.rss()))
    for (step, t_a, _, rss_a), (_, t_b, peak_b, _) in itertools.pairwise(marks):
        out["time_s"][step] = t_b - t_a
        out["peak_mb"][step] = (peak_b - rss_a) / 2**20
    out["time_s"]["assess"] = t1 - t0
    out["peak_mb"]["assess"] = (max(m[2] for m in marks) - base) / 2**20
    out["maxrss_mb"]["assess"] = maxrss_mb()
    out["summary"] = {k: result.summary[k] for k in ("segments", "km_assessed", "covered_share")}
    out["summary"]["target_points"] = result.model["target_points"]

    if with_map:
        with tempfile.TemporaryDirectory() as tmp:
            html = Path(tmp) / "map.html"
            timed("map", partial(_write_map, result, html, save_map))
    del result

    if compare:
        from geopandas_way import detect_geopandas

        p = scenario.parameters
        segments = segment_border(scenario.border, segment_m=p.segment_m)
        targets = sample_targets(segments, sample_m=p.sample_m)
        sensors = coverage.active_sensors(scenario.sensors, include_planned=p.include_planned)
        kwargs = dict(path_depth_m=p.path_depth_m, trace_persistence_h=p.trace_persistence_h)
        # Best of three runs each (the machine is shared and noisy); surveil's
        # compiled kernels are already loaded by the assessment above.
        t_ours, t_gpd = np.inf, np.inf
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            ours = coverage.detect_points(targets, sensors, scenario.patrols, **kwargs)
            t_ours = min(t_ours, time.perf_counter() - t0)
            t0 = time.perf_counter()
            _p_sensor, _p_patrol, p_detect = detect_geopandas(
                targets, sensors, scenario.patrols, **kwargs
            )
            t_gpd = min(t_gpd, time.perf_counter() - t0)
        diff = np.abs(ours.p_detect - p_detect)
        n = len(segments)
        seg_ours = coverage.segment_means(ours.p_detect, targets, n)
        seg_gpd = coverage.segment_means(p_detect, targets, n)
        out["compare"] = {
            "surveil_s": t_ours,
            "geopandas_s": t_gpd,
            "ratio": t_gpd / t_ours,
            "points_differing": float((diff > 1e-9).mean()),
            "max_point_diff": float(diff.max()) if diff.size else 0.0,
            "mean_segment_diff": float(np.abs(seg_ours - seg_gpd).mean()) if n else 0.0,
            "mean_p_detect": [float(ours.p_detect.mean()), float(p_detect.mean())],
        }
    memory.stop()
    out["maxrss_mb"]["process"] = maxrss_mb()
    return out


def _write_map(result, path, save_map) -> None:
    save_map(result.map(), path)


def label(config: dict) -> str:
    return (
        f"{config['border_km']:>6,} km  {config['segment_m']:>5,} m  "
        f"{config['sensors']:>6,} sens  {config['incidents']:>9,} inc"
    )


def print_result(r: dict) -> None:
    print(
        f"\n== {label(r['config'])}  ({r['summary']['segments']:,} segments, "
        f"{r['summary']['target_points']:,} target points; generated in {r['generate_s']:.1f} s)"
    )
    print(f"   {'stage':<10} {'time s':>8} {'peak MB':>9} {'maxrss MB':>10}")
    for stage in STAGES:
        if stage in r["time_s"]:
            rss = r["maxrss_mb"].get(stage)
            print(
                f"   {stage:<10} {r['time_s'][stage]:>8.2f} {r['peak_mb'][stage]:>9.0f} "
                f"{'' if rss is None else f'{rss:>10.0f}'}"
            )
    c = r.get("compare")
    if c:
        same = c["points_differing"] < 0.01 and c["mean_segment_diff"] < 1e-3
        print(
            f"   detection: surveil {c['surveil_s']:.2f} s, geopandas {c['geopandas_s']:.2f} s, "
            f"ratio {c['ratio']:.1f}x; points differing {100 * c['points_differing']:.2f} % "
            f"(max {c['max_point_diff']:.3f}), mean |segment diff| {c['mean_segment_diff']:.1e}: "
            f"{'SAME within sampling tolerance' if same else 'DIFFERENT'}"
        )


def growth(results: list[dict]) -> None:
    """Print how cost grows with each factor: time ratio and exponent, others fixed."""
    print("\n== How cost grows (assess time; exponent k in time ∝ size^k)")
    by_key = {
        tuple(r["config"][k] for k in ("border_km", "segment_m", "sensors", "incidents")): r
        for r in results
    }
    for i, name in enumerate(("border_km", "segment_m", "sensors", "incidents")):
        pairs = []
        for key, r in by_key.items():
            values = sorted({k[i] for k in by_key})
            if len(values) < 2 or key[i] != values[0]:
                continue
            other = (*key[:i], values[-1], *key[i + 1 :])
            if other in by_key:
                a, b = r["time_s"]["assess"], by_key[other]["time_s"]["assess"]
                size = values[-1] / values[0]
                if name == "segment_m":
                    a, b = b, a  # finer segments (the smaller value) are the bigger size
                pairs.append((b / a, math.log(b / a) / math.log(abs(size))))
        if name == "segment_m":
            name = "1/segment_m"
        if pairs:
            ratios = ", ".join(f"x{t:.1f} (k={k:.2f})" for t, k in pairs)
            print(f"   {name:<10} {ratios}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (~1 minute)")
    parser.add_argument("--no-map", action="store_true", help="skip writing the map")
    parser.add_argument(
        "--map-max-segments",
        type=int,
        default=20_000,
        help="write the map only up to this many segments (default 20000)",
    )
    parser.add_argument("--json", type=Path, help="also write all results to this JSON file")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        config = json.loads(args.one)
        segments = config["border_km"] * 1000 / config["segment_m"]
        result = run_one(
            config,
            with_map=not args.no_map and segments <= args.map_max_segments,
            compare=config.pop("compare", True),
        )
        print("RESULT " + json.dumps(result))
        return
    print(
        f"surveil benchmarks on {os.cpu_count()} CPUs; times in s, memory in MB "
        "(peak = RSS above the stage's start, sampled every 2 ms)"
    )
    results = []
    for config in QUICK if args.quick else FULL:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", json.dumps(config)]
            + (["--no-map"] if args.no_map else [])
            + ["--map-max-segments", str(args.map_max_segments)],
            capture_output=True,
            text=True,
        )
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if proc.returncode or line is None:
            print(f"\n== {label(config)}: FAILED\n{proc.stderr[-2000:]}")
            continue
        result = json.loads(line[7:])
        results.append(result)
        print_result(result)
        sys.stdout.flush()
    growth(results)
    target = next((r for r in results if r["config"] == TARGET), None)
    if target:
        t, mem = target["time_s"]["assess"], target["maxrss_mb"]["assess"]
        print(
            f"\nTarget 15,000 km / 100 m / 10,000 sensors / 1,000,000 incidents: assess "
            f"{t:.1f} s (target < 60 s: {'MET' if t < 60 else 'MISSED'}), process maxrss "
            f"{mem / 1024:.2f} GB (target < 4 GB: {'MET' if mem < 4096 else 'MISSED'})"
        )
    ratios = [r["compare"]["ratio"] for r in results if "compare" in r]
    if ratios:
        print(
            f"Detection vs geopandas: {min(ratios):.1f}x to {max(ratios):.1f}x "
            f"(target >= 10x: {'MET' if min(ratios) >= 10 else 'MISSED'})"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
