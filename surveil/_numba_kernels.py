"""The numba-compiled loops behind :mod:`surveil._kernels` (imported only when used).

Kept in their own module so that numba can cache the compiled code on disk
(``cache=True``) and ``import surveil`` never imports numba.
"""

import math

import numba
import numpy as np

from surveil._kernels import _HALF, _SPAN

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
