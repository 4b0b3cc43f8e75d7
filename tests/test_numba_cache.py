"""The compiled kernels are cached on disk: a second process loads them, it does not compile."""

from __future__ import annotations

import importlib.util
import os
import shutil
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


LINE_OF_SIGHT = """
import surveil
from surveil.terrain import flat_dem
from surveil.visibility import line_of_sight

print("package", surveil.__file__)
dem = flat_dem(500.0, center_lonlat=(70.0, 40.0), size_m=40_000, cell_m=200)
# flat ground: a 10 m mast sees a person at 15 km, not at 18 km (horizons 12.1 + 5.0 km)
los = line_of_sight(dem, [70.0, 70.0], [40.0, 40.0], 10.0, [70.1756, 70.2108], [40.0, 40.0])
print("visible", los.visible.tolist())
"""


def can_mount_read_only(tmp_path: Path) -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount --bind -o ro {probe} {probe}"],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def run_read_only(
    read_only: list[Path], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess:
    """Run LINE_OF_SIGHT with the given folders mounted read-only (a private mount namespace)."""
    mounts = " && ".join(f"mount --bind -o ro '{p}' '{p}'" for p in read_only)
    return subprocess.run(
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            f'{mounts} && exec "$0" -c "$1"',
            sys.executable,
            LINE_OF_SIGHT,
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_a_read_only_install_caches_in_the_user_cache_folder(tmp_path):
    # An install into a read-only site-packages: numba cannot write __pycache__
    # beside the kernels, so it caches under $XDG_CACHE_HOME/numba; where that is
    # read-only too, surveil says so and runs its numpy path, same answers.
    if not can_mount_read_only(tmp_path):
        pytest.skip("needs root and unshare to mount a folder read-only")
    site = tmp_path / "site"
    shutil.copytree(
        ROOT / "surveil", site / "surveil", ignore=shutil.ignore_patterns("__pycache__")
    )
    user_cache = tmp_path / "user-cache"
    user_cache.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "SURVEIL_"))}
    env |= {"PYTHONPATH": str(site), "XDG_CACHE_HOME": str(user_cache), "NUMBA_DEBUG_CACHE": "1"}
    runs = [run_read_only([site], env, tmp_path) for _ in range(2)]
    for done in runs:
        assert done.returncode == 0, done.stderr
        assert f"package {site / 'surveil' / '__init__.py'}" in done.stdout
        assert "visible [True, False]" in done.stdout
    assert f"data saved to '{user_cache / 'numba'}" in runs[0].stdout
    assert "data saved" not in runs[1].stdout
    assert f"data loaded from '{user_cache / 'numba'}" in runs[1].stdout
    assert not list(site.rglob("*.nbi"))

    nowhere = run_read_only([site, user_cache], env, tmp_path)
    assert nowhere.returncode == 0, nowhere.stderr
    assert "visible [True, False]" in nowhere.stdout
    assert "numba has no writable cache folder" in nowhere.stderr
    assert "NUMBA_CACHE_DIR" in nowhere.stderr
