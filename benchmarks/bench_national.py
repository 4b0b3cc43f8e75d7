"""Time each stage of a whole `surveil assess` run: CPU seconds and wall clock, in one process.

The run is the one a planner makes (``surveil assess SCENARIO --out OUT``):
read the scenario, assess it (its stages as :func:`surveil.assess` reports
them), then write every output, each writer timed on its own. CPU time
(``time.process_time``: user + system of this process, all threads) is the
figure to compare on a shared machine; wall clock follows the load.

Usage (the national case of benchmarks/README.md)::

    surveil generate --border-km 15000 --sensors 10000 --incidents 1000000 \\
        --segment-m 100 --out national
    python benchmarks/bench_national.py national/scenario.toml --out OUT [--json stages.json]
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STAGES: list[tuple[str, float, float]] = []


def _timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            STAGES.append((name, time.process_time() - cpu, time.perf_counter() - wall))

    return wrapper


def _patch_writers() -> None:
    """Wrap each writer that :func:`surveil.outputs.write_outputs` calls with a timer."""
    from surveil import maps, needs, outputs, qgis_styles, report

    for module, name, label in (
        (outputs, "write_layers", "write assessment.gpkg layers"),
        (qgis_styles, "write_layer_styles", "write QGIS styles"),
        (outputs, "table_csv", "write CSV tables"),
        (needs, "write_needs_xlsx", "write needs.xlsx"),
        (outputs, "write_hillshade", "write hillshade"),
        (outputs, "run_record", "run record (input checksums)"),
        (maps, "assessment_map", "build map"),
        (maps, "save_map", "save map.html"),
        (report, "report_data", "report data"),
        (report, "write_report", "write report.html"),
    ):
        setattr(module, name, _timed(label, getattr(module, name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)

    from surveil.assessment import assess
    from surveil.outputs import write_outputs
    from surveil.scenario import load_scenario

    _patch_writers()
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    scenario = _timed("read scenario", load_scenario)(args.scenario)

    marks = [(None, time.process_time(), time.perf_counter())]

    def progress(step: str) -> None:
        marks.append((step, time.process_time(), time.perf_counter()))

    result = _timed("assess (total)", assess)(scenario, progress=progress)
    marks.append(("end", time.process_time(), time.perf_counter()))
    for (step, cpu0, wall0), (_, cpu1, wall1) in itertools.pairwise(marks[1:]):
        STAGES.append((f"  assess: {step}", cpu1 - cpu0, wall1 - wall0))
    _timed("write outputs (total)", write_outputs)(result, args.out, scenario_file=args.scenario)
    total_cpu, total_wall = time.process_time() - start_cpu, time.perf_counter() - start_wall

    totals: dict[str, list[float]] = {}
    for name, cpu, wall in STAGES:
        entry = totals.setdefault(name, [0.0, 0.0, 0])
        entry[0] += cpu
        entry[1] += wall
        entry[2] += 1
    print(f"{'stage':44s} {'CPU s':>8s} {'wall s':>8s} {'calls':>5s}")
    for name, (cpu, wall, calls) in totals.items():
        print(f"{name:44s} {cpu:8.2f} {wall:8.2f} {calls:5d}")
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'whole run':44s} {total_cpu:8.2f} {total_wall:8.2f}")
    print(f"maxrss {maxrss_mb:,.0f} MB")
    sizes = {p.name: p.stat().st_size for p in sorted(args.out.iterdir())}
    for name, size in sizes.items():
        print(f"  {name:20s} {size / 1e6:8.1f} MB")
    if args.json:
        record = {
            "stages": {
                k: {"cpu_s": v[0], "wall_s": v[1], "calls": v[2]} for k, v in totals.items()
            },
            "cpu_s": total_cpu,
            "wall_s": total_wall,
            "maxrss_mb": maxrss_mb,
            "bytes": sizes,
        }
        args.json.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
