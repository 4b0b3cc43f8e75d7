"""Choose the engine and run the compiled (numba) kernels: the one home of optional numba.

Line of sight (:mod:`surveil.visibility`) and detection at national scale
(:mod:`surveil.coverage`) each have a numpy path and a compiled one that gives
the same numbers (the tests compare the two). numba is a dependency of
surveil, so the compiled path is the default; the numpy path runs where numba
is not installed, or when asked for with ``engine="numpy"`` or the
environment variable ``SURVEIL_ENGINE=numpy`` (which sets what ``"auto"``
means: ``auto``, ``numba`` or ``numpy``).

The compiled loops live in :mod:`surveil._numba_kernels`, compiled on first
use and cached on disk, so only the first run on a machine compiles. The
detection kernels do not materialise (point, sensor) pairs: crossing paths are
bucketed by their middles on a 3-D grid of ECEF cells
(:mod:`surveil._ecef_cells`), each sensor or patrol-route edge visits the 27
cells around it and tests each path there exactly (segment against range
ball and sector, segment against route edge), and a path counts once per
sensor or route through a stamp array.
"""

from __future__ import annotations

import functools
import os
import warnings
from types import ModuleType
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from surveil._ecef_cells import cell_keys
from surveil.errors import ScenarioError, SurveilWarning

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

Engine = Literal["auto", "numba", "numpy"]
ENGINES: tuple[str, ...] = ("auto", "numba", "numpy")
ENGINE_VARIABLE = "SURVEIL_ENGINE"
"""Environment variable that says what ``engine="auto"`` means."""


def available() -> bool:
    """Tell whether the compiled kernels can run (numba installed and importable)."""
    return _compiled() is not None


def resolve(engine: str) -> Literal["numba", "numpy"]:
    """Return the engine that runs for ``engine``.

    Parameters
    ----------
    engine
        ``"numba"``, ``"numpy"`` or ``"auto"``: the value of ``SURVEIL_ENGINE``
        when it is set, else numba when it can run, else numpy.

    Examples
    --------
    >>> resolve("numpy")
    'numpy'
    """
    if engine not in ENGINES:
        raise ValueError(f"engine is {engine!r}; expected 'auto', 'numba' or 'numpy'")
    if engine == "auto":
        engine = _engine_from_environment()
    if engine == "numpy":
        return "numpy"
    if available():
        return "numba"
    if engine == "numba":
        raise ImportError(
            "engine='numba' needs numba, a dependency of surveil: pip install numba "
            f"(or use the numpy path: engine='numpy' or {ENGINE_VARIABLE}=numpy)"
        )
    return "numpy"


def _engine_from_environment() -> str:
    value = os.environ.get(ENGINE_VARIABLE, "").strip().lower() or "auto"
    if value not in ENGINES:
        raise ScenarioError(
            f"environment variable {ENGINE_VARIABLE} is {value!r}; "
            "expected 'auto', 'numba' or 'numpy'"
        )
    return value


@functools.cache
def _compiled() -> ModuleType | None:
    """Return the compiled kernels module, or None when numba cannot run here."""
    try:
        from surveil import _numba_kernels
    except ImportError:
        return None
    except RuntimeError as err:  # numba found no writable folder to cache machine code in
        if "cannot cache" not in str(err):
            raise
        warnings.warn(
            "numba has no writable cache folder (the installed package's folder and the "
            "user's cache folder are read-only), so surveil uses its numpy path; set "
            "NUMBA_CACHE_DIR to a writable folder to use the compiled one",
            SurveilWarning,
            stacklevel=2,
        )
        return None
    return _numba_kernels


def _kernels() -> ModuleType:
    module = _compiled()
    if module is None:
        raise ImportError("the compiled kernels need numba: pip install numba")
    return module


def line_of_sight(
    grid: NDArray[np.floating],
    c0: FloatArray,
    r0: FloatArray,
    c1: FloatArray,
    r1: FloatArray,
    eye: FloatArray,
    target_eff: FloatArray,
    distance: FloatArray,
    curv: float,
    mast: bool,
) -> tuple[FloatArray, FloatArray]:
    """Return the terrain excess over each sight line and the mast height to clear it.

    Parameters
    ----------
    grid
        DEM elevations, ``grid[row, col]``, cell centres at integer indices.
    c0, r0, c1, r1
        Fractional column and row of observers and targets.
    eye, target_eff
        Absolute eye height and target height less the curvature drop, metres.
    distance
        Horizontal distance in metres.
    curv
        Curvature factor ``(1 − k) / 2R`` per square metre.
    mast
        Compute the mast height; with False a ray stops at its first obstacle.
    """
    return _kernels().line_of_sight(
        np.ascontiguousarray(grid), c0, r0, c1, r1, eye, target_eff, distance, curv, mast
    )


def _bucket(base_xyz: FloatArray, cell_m: float) -> tuple[IntArray, IntArray]:
    keys = cell_keys(base_xyz, cell_m)
    order = np.argsort(keys, kind="stable")
    return order, keys[order]


def _middles(ends: FloatArray) -> FloatArray:
    return np.ascontiguousarray((ends[0] + ends[1]) / 2.0)


def sensor_detection(
    ends: FloatArray,
    reach_m: float,
    segment: IntArray,
    n_segments: int,
    s_xyz: FloatArray,
    s_east: FloatArray,
    s_north: FloatArray,
    s_range: FloatArray,
    s_az: FloatArray,
    s_fov: FloatArray,
    offsets: IntArray,
    nodes: FloatArray,
    values: FloatArray,
    scale: FloatArray,
) -> tuple[FloatArray, IntArray]:
    """Return ``P_sensor`` per light and point, and the number of sensors seeing each segment.

    Parameters
    ----------
    ends
        ECEF ends of the crossing paths, shape ``(2, points, 3)``: left, right.
    reach_m
        Upper bound of the distance from a path's middle to its ends, metres.
    segment, n_segments
        Segment of each point and the number of segments.
    s_xyz, s_east, s_north
        Sensor positions (ECEF) and their local east and north unit vectors.
    s_range, s_az, s_fov
        Range (m), azimuth and field of view (degrees).
    offsets, nodes, values, scale
        The sensors' pd by range and light factors
        (:class:`surveil.sensors.PdCurves`); the first result has one row
        per row of ``scale``.
    """
    reach = float(reach_m)
    middle = _middles(ends)
    cell_m = max(float(s_range.max(initial=0.0)) + reach, 100.0)
    order, keys = _bucket(middle, cell_m)
    return _kernels().sensors(
        np.ascontiguousarray(ends[0]),
        np.ascontiguousarray(ends[1]),
        middle,
        order,
        keys,
        cell_m,
        reach,
        s_xyz,
        s_east,
        s_north,
        s_range,
        s_az,
        s_fov,
        offsets,
        nodes,
        values,
        scale,
        segment,
        n_segments,
    )


def route_visits(
    ends: FloatArray,
    reach_m: float,
    a: FloatArray,
    b: FloatArray,
    edge_route: IntArray,
    sweep: FloatArray,
    rate: FloatArray,
    pd_read: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Return patrol passes per day and reading passes per day at each point.

    Parameters
    ----------
    ends, reach_m
        As for :func:`sensor_detection`.
    a, b
        ECEF ends of the route edges, edges of one route consecutive.
    edge_route
        Route of each edge.
    sweep, rate, pd_read
        Per route: ``sweep_m``, ``visits_per_day`` and ``pd``.
    """
    reach = float(reach_m)
    middle = _middles(ends)
    half = float(np.linalg.norm(b - a, axis=1).max(initial=0.0)) / 2.0
    cell_m = max(float(sweep.max(initial=0.0)) + half + reach, 100.0)
    order, keys = _bucket(middle, cell_m)
    mid_key = cell_keys((a + b) / 2.0, cell_m)
    change = (mid_key[1:] != mid_key[:-1]) | (edge_route[1:] != edge_route[:-1])
    groups = np.concatenate([[0], np.flatnonzero(change) + 1, [len(a)]]).astype(np.int64)
    return _kernels().routes(
        np.ascontiguousarray(ends[0]),
        np.ascontiguousarray(ends[1]),
        middle,
        order,
        keys,
        cell_m,
        reach,
        a,
        b,
        edge_route,
        groups,
        sweep,
        rate,
        pd_read,
    )
