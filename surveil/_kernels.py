"""Compiled kernels (numba) for detection at national scale; optional.

The kernels compute exactly what the numpy path of :mod:`surveil.coverage`
computes (the tests compare the two), without materialising (point, sensor)
pairs: crossing paths are bucketed by their middles on a 3-D grid of ECEF
cells, each sensor or patrol-route edge visits the 27 cells around it, tests
each path there exactly (segment against range ball and sector, segment
against route edge), and a path counts once per sensor or route through a
stamp array. Install with
``pip install 'surveil[fast]'``; without numba, :func:`available` is False and
the numpy path runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_SPAN = 1 << 20
_HALF = 1 << 19


def available() -> bool:
    """Tell whether numba is installed."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def cell_keys(xyz: FloatArray, cell_m: float) -> IntArray:
    """Return the integer key of the grid cell of each ECEF point."""
    c = np.floor(xyz / cell_m).astype(np.int64) + _HALF
    return (c[:, 0] * _SPAN + c[:, 1]) * _SPAN + c[:, 2]


def _compiled() -> Any:
    """Return the compiled kernels module (numba compiles once, cached on disk)."""
    from surveil import _numba_kernels

    return _numba_kernels


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
    s_p: FloatArray,
) -> tuple[FloatArray, IntArray]:
    """Return ``P_sensor`` per point and the number of sensors seeing each segment.

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
    s_range, s_az, s_fov, s_p
        Range (m), azimuth and field of view (degrees), ``pd · availability``.
    """
    reach = float(reach_m)
    middle = _middles(ends)
    cell_m = max(float(s_range.max(initial=0.0)) + reach, 100.0)
    order, keys = _bucket(middle, cell_m)
    return _compiled().sensors(
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
        s_p,
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
    return _compiled().routes(
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
