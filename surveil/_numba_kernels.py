"""The numba-compiled loops behind :mod:`surveil._kernels` (imported only when used).

Every compiled function of surveil lives here, at module level: numba caches
module-level functions on disk (``cache=True``), so a second process loads the
machine code instead of compiling it (a closure is compiled anew in every
process). ``import surveil`` never imports numba; :mod:`surveil._kernels` is
the only module that imports this one.

Where the cache goes is numba's rule: ``NUMBA_CACHE_DIR`` when set, else the
``__pycache__`` folder beside this file when it is writable, else the user's
cache folder (``$XDG_CACHE_HOME/numba`` or ``~/.cache/numba``).
"""

import math

import numba
import numpy as np

from surveil._ecef_cells import HALF as _HALF
from surveil._ecef_cells import SPAN as _SPAN

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


@numba.njit(inline="always")
def _los_cross(grid, a0, a1, b0, b1, eye, tgt, dist, curv, mast, best, need):  # type: ignore[no-untyped-def]
    """March one ray across the grid lines ``a = integer`` of ``grid[a, b]``.

    Returns the largest height of terrain above the sight line so far
    (``best``) and the extra eye height needed to clear it (``need``). A
    crossing that rounding puts at the target itself (t = 1) is not an
    obstacle: it is the target's own ground.
    """
    n_a, n_b = grid.shape
    lo = min(a0, a1)
    hi = max(a0, a1)
    k = max(np.floor(lo) + 1.0, 0.0)
    last = min(np.ceil(hi) - 1.0, n_a - 1.0)
    span = a1 - a0
    while k <= last:
        t = (k - a0) / span
        b = b0 + t * (b1 - b0)
        if t < 1.0 and b >= 0.0 and b <= n_b - 1:
            ib = min(int(b), n_b - 2) if n_b > 1 else 0
            f = b - ib
            ia = int(k)
            g = grid[ia, ib] if f == 0.0 else grid[ia, ib] * (1 - f) + grid[ia, ib + 1] * f
            if g == g:
                d = t * dist
                e = g - curv * d * d - (eye + t * (tgt - eye))
                if e > best:
                    best = e
                    if not mast and best > 1e-9:
                        return best, need
                if mast and e > 0.0:
                    h = e / (1.0 - t)
                    if h > need:
                        need = h
        k += 1.0
    return best, need


@numba.njit(parallel=True, cache=True, nogil=True)
def line_of_sight(grid, c0, r0, c1, r1, eye, tgt, dist, curv, mast):  # type: ignore[no-untyped-def]
    """March every ray across the row and column lines of the DEM grid, in parallel."""
    n = dist.size
    grid_t = grid.T
    excess = np.full(n, -np.inf)
    need = np.zeros(n)
    for i in numba.prange(n):
        best, h = _los_cross(
            grid, r0[i], r1[i], c0[i], c1[i], eye[i], tgt[i], dist[i], curv, mast, -np.inf, 0.0
        )
        if mast or not best > 1e-9:
            best, h = _los_cross(
                grid_t, c0[i], c1[i], r0[i], r1[i], eye[i], tgt[i], dist[i], curv, mast, best, h
            )
        excess[i] = best
        need[i] = h
    return excess, need
