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
inline = numba.njit(cache=True, nogil=True, inline="always")


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


@inline
def ray_crossed(q0e, q0n, de, dn, we, wn):  # type: ignore[no-untyped-def]
    """Tell whether the 2-D segment q0 + s·d (s in [0, 1]) meets the ray λ·w (λ ≥ 0)."""
    den = de * wn - dn * we
    if den == 0:
        return False
    s = -(q0e * wn - q0n * we) / den
    return s >= 0 and s <= 1 and (q0e + s * de) * we + (q0n + s * dn) * wn >= 0


@inline
def _dist(lx, ly, lz, dx, dy, dz, t):  # type: ignore[no-untyped-def]
    gx, gy, gz = lx + t * dx, ly + t * dy, lz + t * dz
    return math.sqrt(gx * gx + gy * gy + gz * gz)


@inline
def _cross_t(q0e, q0n, de, dn, we, wn):  # type: ignore[no-untyped-def]
    """Return where the 2-D segment q0 + s·d meets the ray λ·w, or -1 (as coverage's)."""
    den = de * wn - dn * we
    if den == 0:
        return -1.0
    s = -(q0e * wn - q0n * we) / den
    if s >= 0 and s <= 1 and (q0e + s * de) * we + (q0n + s * dn) * wn >= 0:
        return s
    return -1.0


@inline
def path_near(left, right, i, s_xyz, s_east, s_north, j, r, all_round, az, half):  # type: ignore[no-untyped-def]
    """Return the least distance from sensor j to path i in range and sector, inf if none.

    As coverage.path_in_sector's ``near_m``, step by step.
    """
    lx, ly, lz = left[i, 0] - s_xyz[j, 0], left[i, 1] - s_xyz[j, 1], left[i, 2] - s_xyz[j, 2]
    dx, dy, dz = right[i, 0] - left[i, 0], right[i, 1] - left[i, 1], right[i, 2] - left[i, 2]
    dd = dx * dx + dy * dy + dz * dz
    ad = lx * dx + ly * dy + lz * dz
    disc = ad * ad - dd * ((lx * lx + ly * ly + lz * lz) - r * r)
    if disc < 0:
        return math.inf
    root = math.sqrt(disc)
    t0 = max((-ad - root) / dd, 0.0)
    t1 = min((-ad + root) / dd, 1.0)
    if t0 > t1:
        return math.inf
    closest = min(max(-ad / dd, t0), t1)
    if all_round:
        return _dist(lx, ly, lz, dx, dy, dz, closest)
    ex, ey, ez = s_east[j, 0], s_east[j, 1], s_east[j, 2]
    nx, ny, nz = s_north[j, 0], s_north[j, 1], s_north[j, 2]
    le, ln = lx * ex + ly * ey + lz * ez, lx * nx + ly * ny + lz * nz
    de, dn = dx * ex + dy * ey + dz * ez, dx * nx + dy * ny + dz * nz
    q0e, q0n = le + t0 * de, ln + t0 * dn
    q1e, q1n = le + t1 * de, ln + t1 * dn
    ue, un, cos_half = math.sin(az), math.cos(az), math.cos(half)
    inside0 = q0e * ue + q0n * un >= math.hypot(q0e, q0n) * cos_half
    inside1 = q1e * ue + q1n * un >= math.hypot(q1e, q1n) * cos_half
    near = math.inf
    crossed = False
    for sign in (-1.0, 1.0):
        w = az + sign * half
        c = _cross_t(q0e, q0n, q1e - q0e, q1n - q0n, math.sin(w), math.cos(w))
        if c >= 0:
            crossed = True
            near = min(near, _dist(lx, ly, lz, dx, dy, dz, t0 + c * (t1 - t0)))
    if not (inside0 or inside1 or crossed):
        return math.inf
    qce, qcn = le + closest * de, ln + closest * dn
    if qce * ue + qcn * un >= math.hypot(qce, qcn) * cos_half:
        near = min(near, _dist(lx, ly, lz, dx, dy, dz, closest))
    if inside0:
        near = min(near, _dist(lx, ly, lz, dx, dy, dz, t0))
    if inside1:
        near = min(near, _dist(lx, ly, lz, dx, dy, dz, t1))
    return near


@inline
def curve_pd(offsets, nodes, values, j, x):  # type: ignore[no-untyped-def]
    """Interpolate sensor j's pd table at range x (as sensors.interpolate)."""
    start = offsets[j]
    out = values[start]
    for i in range(start + 1, offsets[j + 1]):
        r0, r1 = nodes[i - 1], nodes[i]
        f0, f1 = values[i - 1], values[i]
        if x >= r1:
            out = f1
        elif x > r0:
            out = f0 + (x - r0) / (r1 - r0) * (f1 - f0)
    return out


@njit
def sensors(  # type: ignore[no-untyped-def]
    left,
    right,
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
):
    n = middle.shape[0]
    lights = scale.shape[0]
    miss = np.ones((lights, n))
    seeing = np.zeros(n_segments, dtype=np.int64)
    stamp = np.full(n_segments, -1, dtype=np.int64)
    ranges = np.empty((27, 2), dtype=np.int64)
    for j in range(s_xyz.shape[0]):
        neighbours(s_xyz[j], cell_m, keys, ranges)
        all_round = math.isnan(s_az[j]) or s_fov[j] >= 360.0
        az = 0.0 if all_round else math.radians(s_az[j])
        half = math.radians(min(s_fov[j] / 2.0 + 1e-9, 180.0))
        near2 = (s_range[j] + reach) * (s_range[j] + reach)
        for c in range(27):
            for q in range(ranges[c, 0], ranges[c, 1]):
                i = order[q]
                bx = middle[i, 0] - s_xyz[j, 0]
                by = middle[i, 1] - s_xyz[j, 1]
                bz = middle[i, 2] - s_xyz[j, 2]
                if bx * bx + by * by + bz * bz > near2:
                    continue  # no point of this path can be in range
                near = path_near(
                    left, right, i, s_xyz, s_east, s_north, j, s_range[j], all_round, az, half
                )
                if near < math.inf:
                    pd_r = curve_pd(offsets, nodes, values, j, near)
                    for light in range(lights):
                        miss[light, i] *= 1.0 - pd_r * scale[light, j]
                    s = segment[i]
                    if stamp[s] != j:
                        stamp[s] = j
                        seeing[s] += 1
    return 1.0 - miss, seeing


@inline
def segment_distance(p0, p1, i, q0, q1, k):  # type: ignore[no-untyped-def]
    """Shortest distance between segments p0[i]–p1[i] and q0[k]–q1[k] (as coverage's)."""
    d1x, d1y, d1z = p1[i, 0] - p0[i, 0], p1[i, 1] - p0[i, 1], p1[i, 2] - p0[i, 2]
    d2x, d2y, d2z = q1[k, 0] - q0[k, 0], q1[k, 1] - q0[k, 1], q1[k, 2] - q0[k, 2]
    rx, ry, rz = p0[i, 0] - q0[k, 0], p0[i, 1] - q0[k, 1], p0[i, 2] - q0[k, 2]
    a = d1x * d1x + d1y * d1y + d1z * d1z
    e = d2x * d2x + d2y * d2y + d2z * d2z
    f = d2x * rx + d2y * ry + d2z * rz
    b = d1x * d2x + d1y * d2y + d1z * d2z
    c = d1x * rx + d1y * ry + d1z * rz
    denom = a * e - b * b
    s = 0.0
    t = 0.0
    if a > 0 and e > 0:
        if denom != 0:
            s = min(max((b * f - c * e) / denom, 0.0), 1.0)
        t = (b * s + f) / e
        if t < 0:
            s = min(max(-c / a, 0.0), 1.0)
        elif t > 1:
            s = min(max((b - c) / a, 0.0), 1.0)
    elif a > 0:
        s = min(max(-c / a, 0.0), 1.0)
    elif e > 0:
        t = f / e
    t = min(max(t, 0.0), 1.0)
    gx = rx + s * d1x - t * d2x
    gy = ry + s * d1y - t * d2y
    gz = rz + s * d1z - t * d2z
    return math.sqrt(gx * gx + gy * gy + gz * gz)


@njit
def routes(  # type: ignore[no-untyped-def]
    left, right, middle, order, keys, cell_m, reach, a, b, edge_route, groups, sweep, rate, pd_read
):
    n = middle.shape[0]
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
            ball = math.sqrt(abx * abx + aby * aby + abz * abz) / 2.0 + sweep[r] + reach
            ball2 = ball * ball
            for c in range(27):
                for q in range(ranges[c, 0], ranges[c, 1]):
                    i = order[q]
                    if stamp[i] == r:
                        continue
                    mx = middle[i, 0] - mid[0]
                    my = middle[i, 1] - mid[1]
                    mz = middle[i, 2] - mid[2]
                    if mx * mx + my * my + mz * mz > ball2:
                        continue  # farther from the edge's middle than it can reach
                    if segment_distance(left, right, i, a, b, k) <= sweep[r]:
                        stamp[i] = r
                        visits[i] += rate[r]
                        reading[i] += rate[r] * pd_read[r]
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
