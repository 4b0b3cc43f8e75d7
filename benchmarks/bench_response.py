"""Benchmark reaction over the ground (surveil.response) against the straight-line model.

Run on demand, on a scenario with posts and a DEM::

    python benchmarks/bench_response.py data/kgz-tjk/scenario.toml
    surveil generate --border-km 1000 --dem-m 90 --out /tmp/nat1000
    gdalbuildvrt /tmp/nat1000/dem.vrt /tmp/nat1000/dem/*.tif   # then dem = "dem.vrt"
    python benchmarks/bench_response.py /tmp/nat1000/scenario.toml

Reads the scenario and its DEM tiles the way ``assess`` does, then times, in
one process: the straight-line model (:func:`surveil.coverage.response_hours`)
and :func:`surveil.response.reaction` (travel, escape and isochrones), and
prints per tile the cost-graph size, the time, the peak RSS added, and the
distribution of the fastest team's time by both models.
"""

from __future__ import annotations

import argparse
import resource
import threading
import time
from pathlib import Path

import numpy as np


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


class Peak:
    """Peak RSS above the start, sampled every 5 ms."""

    def __enter__(self) -> Peak:
        self.start = _rss_mb()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def added_mb(self) -> float:
        return self.peak - self.start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path)
    args = parser.parse_args()

    from surveil import assessment, coverage, response
    from surveil.scenario import load_scenario
    from surveil.segments import sample_targets, segment_border

    t0 = time.perf_counter()
    scenario = load_scenario(args.scenario)
    p = scenario.parameters
    border = assessment.own_side_border(scenario)
    targets = sample_targets(segment_border(border, segment_m=p.segment_m), sample_m=p.sample_m)
    tiles = assessment.load_terrain(scenario.dem, scenario, targets)
    print(
        f"{scenario.name}: {len(targets):,} target points, {len(scenario.posts)} posts, "
        f"{len(scenario.roads)} roads, {len(tiles)} DEM tiles "
        f"(cells {', '.join(f'{t.cell_m:.0f} m' for t in tiles[:3])}...); "
        f"read in {time.perf_counter() - t0:.1f} s"
    )
    t0 = time.perf_counter()
    straight = coverage.response_hours(targets, scenario.posts, detour_factor=p.detour_factor)
    t_straight = time.perf_counter() - t0
    with Peak() as peak:
        t0 = time.perf_counter()
        got = response.reaction(
            targets,
            scenario.posts,
            tiles,
            roads=scenario.roads,
            azimuth_deg=targets.azimuth_deg,
            crosser_speed_kmh=p.crosser_speed_kmh,
            escape_h=p.escape_h,
            detour_factor=p.detour_factor,
        )
        t_ground = time.perf_counter() - t0
    print(f"straight line: {t_straight:.2f} s")
    print(f"over the ground: {t_ground:.2f} s, peak RSS +{peak.added_mb:.0f} MB")
    for name, minutes in (("straight", straight * 60), ("ground", got.minutes)):
        finite = minutes[np.isfinite(minutes)]
        print(
            f"  {name:9s} minutes min/median/max: {finite.min():.1f} / "
            f"{np.median(finite):.1f} / {finite.max():.1f} ({(~np.isfinite(minutes)).sum()} inf)"
        )
    print(
        f"  escape min/median/max (min): {60 * got.escape_h.min():.1f} / "
        f"{60 * np.median(got.escape_h):.1f} / {60 * got.escape_h.max():.1f}"
    )
    print(f"  isochrone bands: {len(got.isochrones)}")


if __name__ == "__main__":
    main()
