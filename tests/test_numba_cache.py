"""The compiled kernels are cached on disk: a second process loads them, it does not compile."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="numba not installed"
)

ROOT = Path(__file__).parents[1]

# Every compiled kernel: line of sight (with and without the mast height) and
# the detection kernels for sensors and patrol routes (the demo without terrain).
USE_EVERY_KERNEL = """
import surveil
from surveil import coverage
from surveil.segments import sample_targets, segment_border
from surveil.terrain import flat_dem
from surveil.visibility import line_of_sight

dem = flat_dem(500.0, center_lonlat=(70.0, 40.0), size_m=40_000, cell_m=200)
for mast in (True, False):
    line_of_sight(dem, [70.0], [40.0], 10.0, [70.1], [40.0], mast=mast, engine="numba")
scenario = surveil.load_demo()
targets = sample_targets(segment_border(scenario.border, segment_m=1000), sample_m=50)
sensors = coverage.active_sensors(scenario.sensors, include_planned=False)
coverage.detect_points(targets, sensors, scenario.patrols, engine="numba")
"""


def run_with_cache(cache_dir: Path) -> str:
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(cache_dir),
        "NUMBA_DEBUG_CACHE": "1",
        "PYTHONWARNINGS": "error",
    }
    done = subprocess.run(
        [sys.executable, "-c", USE_EVERY_KERNEL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_second_process_loads_every_kernel_from_the_cache(tmp_path):
    first = run_with_cache(tmp_path)
    assert "[cache] data saved to" in first
    second = run_with_cache(tmp_path)
    saved = [line for line in second.splitlines() if "data saved to" in line]
    assert saved == [], "compiled again:\n" + "\n".join(saved)
    loaded = [line for line in second.splitlines() if "data loaded" in line]
    # line of sight, and the sensor and patrol detection kernels
    assert len(loaded) >= 3, loaded
