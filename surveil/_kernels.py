"""Compiled kernels (numba) for detection at national scale; optional.

The kernels compute exactly what the numpy path of :mod:`surveil.coverage`
computes (the tests compare the two), without materialising (point, sensor)
pairs: target points are bucketed on a 3-D grid of ECEF cells, each sensor or
patrol-route edge visits the 27 cells around it, and a crossing path counts
once per sensor or route through a stamp array. Install with
``pip install 'surveil[fast]'``; without numba, :func:`available` is False and
the numpy path runs.
"""

from __future__ import annotations

import math
from functools import cache
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


@cache
def _compiled() -> dict[str, Any]:
    """Compile the kernels once per process (cached on disk by numba)."""
    import numba

    njit = numba.njit(cache=True, nogil=True)

    @njit
    def neighbours(xyz, cell_m, keys, out):  # type: ignore[no-untyped-def]
        """Fill ``out`` with (lo, hi) ranges of sorted keys for the 27 cells around xyz."""
        cx = math.floor(xyz[0] / cell_m) + _HALF
        cy = math.floor(xyz[1] / cell_m) + _HALF
        cz = math.floor(xyz[2] / cell_m) + _HALF
        k = 0
        for dx in range(-1, 2):
            for dy in range(-1, 2):
                for dz in range(-1, 2):
                    key = ((cx + dx) * _SPAN + (cy + dy)) * _SPAN + (cz + dz)
                    out[k, 0] = np.searchsorted(keys, key, side="left")
                    out[k, 1] = np.searchsorted(keys, key, side="right")
                    k += 1

    @njit
    def sensors(  # type: ignore[no-untyped-def]
        paths,
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
    ):
        n_off, n = paths.shape[0], paths.shape[1]
        miss = np.ones(n)
        seeing = np.zeros(n_segments, dtype=np.int64)
        stamp = np.full(n_segments, -1, dtype=np.int64)
        ranges = np.empty((27, 2), dtype=np.int64)
        for j in range(s_xyz.shape[0]):
            neighbours(s_xyz[j], cell_m, keys, ranges)
            r2 = s_range[j] * s_range[j]
            all_round = math.isnan(s_az[j]) or s_fov[j] >= 360.0
            sin_az = math.sin(math.radians(s_az[j]))
            cos_az = math.cos(math.radians(s_az[j]))
            cos_half = math.cos(math.radians(min(s_fov[j] / 2.0 + 1e-9, 180.0)))
            near2 = (s_range[j] + reach) * (s_range[j] + reach)
            for c in range(27):
                for q in range(ranges[c, 0], ranges[c, 1]):
                    i = order[q]
                    bx = paths[0, i, 0] - s_xyz[j, 0]
                    by = paths[0, i, 1] - s_xyz[j, 1]
                    bz = paths[0, i, 2] - s_xyz[j, 2]
                    if bx * bx + by * by + bz * bz > near2:
                        continue  # no point of this path can be in range
                    hit = False
                    for o in range(n_off):
                        dx = paths[o, i, 0] - s_xyz[j, 0]
                        dy = paths[o, i, 1] - s_xyz[j, 1]
                        dz = paths[o, i, 2] - s_xyz[j, 2]
                        if dx * dx + dy * dy + dz * dz > r2:
                            continue
                        e = dx * s_east[j, 0] + dy * s_east[j, 1] + dz * s_east[j, 2]
                        nn = dx * s_north[j, 0] + dy * s_north[j, 1] + dz * s_north[j, 2]
                        if e * e + nn * nn > r2:
                            continue
                        if all_round:
                            hit = True
                            break
                        # Inside the sector when the angle to the axis is at most
                        # half the field of view: cos(angle) >= cos(half).
                        if e * sin_az + nn * cos_az >= math.sqrt(e * e + nn * nn) * cos_half:
                            hit = True
                            break
                    if hit:
                        miss[i] *= 1.0 - s_p[j]
                        s = segment[i]
                        if stamp[s] != j:
                            stamp[s] = j
                            seeing[s] += 1
        return 1.0 - miss, seeing

    @njit
    def routes(  # type: ignore[no-untyped-def]
        paths, order, keys, cell_m, reach, a, b, edge_route, groups, sweep, rate, pd_read
    ):
        n_off, n = paths.shape[0], paths.shape[1]
        visits = np.zeros(n)
        reading = np.zeros(n)
        stamp = np.full(n, -1, dtype=np.int64)
        ranges = np.empty((27, 2), dtype=np.int64)
        mid = np.empty(3)
        for g in range(groups.size - 1):
            # Edges of one route whose middles share a cell share its neighbours.
            k0 = groups[g]
            for d in range(3):
                mid[d] = (a[k0, d] + b[k0, d]) / 2.0
            neighbours(mid, cell_m, keys, ranges)
            for k in range(k0, groups[g + 1]):
                r = edge_route[k]
                for d in range(3):
                    mid[d] = (a[k, d] + b[k, d]) / 2.0
                abx, aby, abz = b[k, 0] - a[k, 0], b[k, 1] - a[k, 1], b[k, 2] - a[k, 2]
                denom = abx * abx + aby * aby + abz * abz
                sweep2 = sweep[r] * sweep[r]
                near2 = (sweep[r] + reach) * (sweep[r] + reach)
                ball = math.sqrt(denom) / 2.0 + sweep[r] + reach
                ball2 = ball * ball
                for c in range(27):
                    for q in range(ranges[c, 0], ranges[c, 1]):
                        i = order[q]
                        if stamp[i] == r:
                            continue
                        mx = paths[0, i, 0] - mid[0]
                        my = paths[0, i, 1] - mid[1]
                        mz = paths[0, i, 2] - mid[2]
                        if mx * mx + my * my + mz * mz > ball2:
                            continue  # farther from the edge's middle than it can reach
                        for o in range(n_off):
                            px = paths[o, i, 0] - a[k, 0]
                            py = paths[o, i, 1] - a[k, 1]
                            pz = paths[o, i, 2] - a[k, 2]
                            t = (px * abx + py * aby + pz * abz) / denom if denom > 0 else 0.0
                            t = min(max(t, 0.0), 1.0)
                            fx, fy, fz = px - t * abx, py - t * aby, pz - t * abz
                            d2 = fx * fx + fy * fy + fz * fz
                            if o == 0 and d2 > near2:
                                break  # no point of this path can be within the sweep
                            if d2 <= sweep2:
                                stamp[i] = r
                                visits[i] += rate[r]
                                reading[i] += rate[r] * pd_read[r]
                                break
        return visits, reading

    return {"sensors": sensors, "routes": routes}


def _bucket(base_xyz: FloatArray, cell_m: float) -> tuple[IntArray, IntArray]:
    keys = cell_keys(base_xyz, cell_m)
    order = np.argsort(keys, kind="stable")
    return order, keys[order]


def sensor_detection(
    paths: FloatArray,
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
    paths
        ECEF points of the crossing paths, shape ``(offsets, points, 3)``;
        ``paths[k]`` is the target points moved by the k-th offset.
    reach_m
        Upper bound of the distance from a point of ``paths[0]`` to the other
        points of its path, in metres (the spread of the offsets).
    segment, n_segments
        Segment of each point and the number of segments.
    s_xyz, s_east, s_north
        Sensor positions (ECEF) and their local east and north unit vectors.
    s_range, s_az, s_fov, s_p
        Range (m), azimuth and field of view (degrees), ``pd · availability``.
    """
    reach = float(np.abs(paths - paths[:1]).max(initial=0.0)) * 2.0
    cell_m = max(float(s_range.max(initial=0.0)) + reach, 100.0)
    order, keys = _bucket(paths[0], cell_m)
    return _compiled()["sensors"](
        paths,
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
    paths: FloatArray,
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
    paths
        As for :func:`sensor_detection`.
    a, b
        ECEF ends of the route edges, edges of one route consecutive.
    edge_route
        Route of each edge.
    sweep, rate, pd_read
        Per route: ``sweep_m``, ``visits_per_day`` and ``pd``.
    """
    reach = float(reach_m)
    half = float(np.linalg.norm(b - a, axis=1).max(initial=0.0)) / 2.0
    cell_m = max(float(sweep.max(initial=0.0)) + half + reach, 100.0)
    order, keys = _bucket(paths[0], cell_m)
    mid_key = cell_keys((a + b) / 2.0, cell_m)
    change = (mid_key[1:] != mid_key[:-1]) | (edge_route[1:] != edge_route[:-1])
    groups = np.concatenate([[0], np.flatnonzero(change) + 1, [len(a)]]).astype(np.int64)
    return _compiled()["routes"](
        paths, order, keys, cell_m, reach, a, b, edge_route, groups, sweep, rate, pd_read
    )
