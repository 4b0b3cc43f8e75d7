"""Compute sensor, patrol and response detection at target points and per segment.

The model is that of DESIGN §3 (line of sight over terrain in :mod:`surveil.visibility`):

* a crossing at a target point x is the straight path square to the line
  from ``path_depth_m`` outside to ``path_depth_m`` inside;
* a sensor j detects it with ``p_j = pd_j(r, light) · availability_j`` (the
  sensor model, :mod:`surveil.sensors`; r the least range at which it sees
  the path) when some point of the path lies within its range and inside its
  field of view (found exactly, :func:`path_in_sector`) and, with terrain, in
  line of sight at one of the path's samples; one chance per sensor and path
  (its glimpses along one path are fully correlated); sensors with status
  ``faulty`` count as absent and ``planned`` ones only when asked for;
  ``P_sensor(x) = 1 − Π_j (1 − p_j(x))`` (distinct sensors independent);
* patrols: a route whose line comes within ``sweep_m`` of the path (exact
  segment-to-segment distance, :func:`segment_distance`) passes it
  ``visits_per_day`` times a day; each pass sees or reads with the route's ``pd`` (the
  ``patrol_pd`` parameter where the layer gives none). Passes are Poisson
  with rate ``R = Σ pd · visits_per_day`` per day, so

  - *in sight* (real time): a pass meets the crosser while they are inside
    the route's sweep band, which takes ``τ = 2 · sweep_m / crosser_speed``
    hours: ``P_sight = 1 − exp(−Σ pd · visits · τ / 24)``;
  - *by traces* (delayed): a pass reads the footprints within the
    ``trace_persistence_h`` T they stay readable:
    ``P_trace = 1 − exp(−R · T / 24)``;

  ``P_patrol = 1 − (1 − P_sight)(1 − P_trace)``; the revisit interval is
  ``24 / Σ visits`` hours;
* ``P_realtime = 1 − (1 − P_sensor)(1 − P_sight)`` (sensors detect in real
  time), ``P_detect = 1 − (1 − P_sensor)(1 − P_patrol)`` (at all, now or later);
* with posts, the reaction team needs ``t = d · detour / speed`` hours from
  the nearest post and the crossers clear the border zone after an
  exponentially distributed time of mean ``e = escape_h``, so a real-time
  detection is interdicted with ``P_respond = exp(−t / e)``. A detection by
  traces comes after a delay D (the first reading pass, rate λ = R / 24 per
  hour, within T) and the team sets out then (pursuit):
  ``P_pursuit = ∫₀ᵀ λ e^(−λD) e^(−(D + t)/e) dD
  = λ / (λ + 1/e) · (1 − e^(−(λ + 1/e) T)) · e^(−t/e)``.
  ``P_interdict = P_realtime · P_respond + (1 − P_realtime) · P_pursuit``.

Distances are chord distances between ECEF coordinates on the WGS 84
ellipsoid (see :mod:`surveil.geodesy`) and bearings are taken in each
sensor's local east-north-up frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from surveil import _kernels, geodesy
from surveil import sensors as sensor_model
from surveil.segments import TargetPoints
from surveil.sensors import active_sensors as active_sensors  # its home is sensors

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class Sight(Protocol):
    """Line of sight from sensors to points (see :class:`surveil.visibility.TerrainSight`)."""

    def visible(self, sensor: IntArray, lon: FloatArray, lat: FloatArray) -> NDArray[np.bool_]:
        """Tell whether each sensor sees the point paired with it."""
        ...

    def mast_m(self, sensor: IntArray, lon: FloatArray, lat: FloatArray) -> FloatArray:
        """Return the extra mast height each sensor needs to see its point."""
        ...

    def slant_m(self, sensor: IntArray, lon: FloatArray, lat: FloatArray) -> FloatArray:
        """Return the slant range at which each sensor sees its point (``inf``: not seen)."""
        ...


@dataclass(frozen=True)
class PointDetection:
    """Detection at each target point.

    Attributes
    ----------
    p_sensor, p_patrol, p_detect
        Probabilities in [0, 1]: by sensors, by patrols (in sight or by
        traces), and by either.
    visits_per_day
        Patrol passes per day at the point.
    sensors_seeing
        Per segment: how many distinct sensors see any of its points.
    p_sight, p_trace
        Patrol detection in real time (a pass meets the crosser) and by
        traces read later.
    reading_per_day
        Passes per day that read the traces, ``Σ pd · visits_per_day``.
    realtime
        Real-time detection where it is not ``combine(p_sensor, p_sight)``:
        a mix of time windows (:func:`surveil.windows.combine_windows`).
    """

    p_sensor: FloatArray
    p_patrol: FloatArray
    p_detect: FloatArray
    visits_per_day: FloatArray
    sensors_seeing: IntArray
    p_sight: FloatArray
    p_trace: FloatArray
    reading_per_day: FloatArray
    realtime: FloatArray | None = None

    @property
    def p_realtime(self) -> FloatArray:
        """Detection in real time: by sensors or by a patrol in sight."""
        if self.realtime is not None:
            return self.realtime
        return combine(self.p_sensor, self.p_sight)

    @property
    def p_delayed(self) -> FloatArray:
        """Detection only later, by traces: ``(1 − P_realtime) · P_trace``.

        For a mix of windows, the mix of theirs: ``P_detect − P_realtime``.
        """
        if self.realtime is not None:
            return self.p_detect - self.realtime
        return (1.0 - self.p_realtime) * self.p_trace


def in_field_of_view(
    bearing_deg: FloatArray, azimuth_deg: FloatArray, fov_deg: FloatArray
) -> NDArray[np.bool_]:
    """Tell whether bearings fall inside sectors centred on ``azimuth_deg``.

    A NaN azimuth or a field of view of 360° or more sees all round.

    Examples
    --------
    >>> in_field_of_view(np.array([40.0, 50.0, 350.0]), np.array([0.0] * 3),
    ...                  np.array([90.0] * 3)).tolist()
    [True, False, True]
    """
    diff = np.abs((bearing_deg - azimuth_deg + 180.0) % 360.0 - 180.0)
    all_round = np.isnan(azimuth_deg) | (fov_deg >= 360.0)
    return all_round | (diff <= fov_deg / 2.0 + 1e-9)


def sensor_pairs(
    lon: FloatArray, lat: FloatArray, sensors: gpd.GeoDataFrame
) -> tuple[IntArray, IntArray]:
    """Return ``(point, sensor)`` pairs where the point is in range and sector.

    Parameters
    ----------
    lon, lat
        Points in degrees.
    sensors
        Sensors with ``range_m``, ``azimuth_deg`` and ``fov_deg``; row
        positions are the returned sensor indices.
    """
    if len(sensors) == 0 or lon.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    points = geodesy.ecef(lon, lat)
    s_lon = sensors.geometry.x.to_numpy()
    s_lat = sensors.geometry.y.to_numpy()
    s_xyz = geodesy.ecef(s_lon, s_lat)
    ranges = sensors["range_m"].to_numpy(dtype=float)
    hits = cKDTree(points).query_ball_point(s_xyz, r=ranges)
    counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
    sensor = np.repeat(np.arange(len(sensors), dtype=np.int64), counts)
    point = np.fromiter((j for h in hits for j in h), dtype=np.int64, count=int(counts.sum()))
    if point.size == 0:
        return point, sensor
    local = geodesy.enu(s_lon[sensor], s_lat[sensor], points[point] - s_xyz[sensor])
    horizontal = np.hypot(local[:, 0], local[:, 1])
    bearing = geodesy.bearing_deg(local[:, 0], local[:, 1])
    azimuth = sensors["azimuth_deg"].to_numpy(dtype=float)[sensor]
    fov = sensors["fov_deg"].to_numpy(dtype=float)[sensor]
    keep = (horizontal <= ranges[sensor]) & in_field_of_view(bearing, azimuth, fov)
    return point[keep], sensor[keep]


def _dot(u: FloatArray, v: FloatArray) -> FloatArray:
    return np.einsum("ij,ij->i", u, v)


def _ray_crossing(
    q0e: FloatArray, q0n: FloatArray, de: FloatArray, dn: FloatArray, we: FloatArray, wn: FloatArray
) -> FloatArray:
    """Return where 2-D segments ``q0 + s·d`` (s in [0, 1]) meet rays ``λ·w`` (λ ≥ 0), or NaN."""
    den = de * wn - dn * we
    s = -(q0e * wn - q0n * we) / np.where(den != 0, den, 1.0)
    ok = (den != 0) & (s >= 0) & (s <= 1) & ((q0e + s * de) * we + (q0n + s * dn) * wn >= 0)
    return np.where(ok, s, np.nan)


@dataclass(frozen=True)
class PathInSector:
    """Where crossing paths meet sensors' range and field of view (see :func:`path_in_sector`).

    Attributes
    ----------
    hit
        Some point of the path is in range and inside the field of view.
    t0, t1
        The part of the path within range, as fractions from its left end.
    t_cross
        Fractions where the in-range part crosses the sector's two boundary
        rays, shape ``(pairs, 2)``; NaN where it does not.
    near_m
        Least distance from the sensor to the part of the path in range and
        sector, metres (``inf`` where there is none): the range at which
        the sensor's pd is taken (:mod:`surveil.sensors`).
    """

    hit: NDArray[np.bool_]
    t0: FloatArray
    t1: FloatArray
    t_cross: FloatArray
    near_m: FloatArray


def path_in_sector(
    left: FloatArray,
    right: FloatArray,
    east: FloatArray,
    north: FloatArray,
    range_m: FloatArray,
    azimuth_deg: FloatArray,
    fov_deg: FloatArray,
) -> PathInSector:
    """Intersect crossing paths with sensors' range balls and field-of-view sectors, exactly.

    A path is the chord from ``left`` to ``right``; its points within range
    (distance from the sensor at most ``range_m``) form one interval
    ``[t0, t1]`` (a quadratic in t). The path meets the sector when either end
    of that interval lies inside it or the interval crosses one of its two
    boundary rays (the bearing is taken in the sensor's horizontal plane).
    :mod:`surveil._numba_kernels` repeats this arithmetic step by step.

    Parameters
    ----------
    left, right
        Path ends minus the sensor's position, ECEF metres, shape ``(pairs, 3)``.
    east, north
        The sensor's local east and north unit vectors (ECEF), ``(pairs, 3)``.
    range_m, azimuth_deg, fov_deg
        The sensor's range (m), sector axis and width (degrees; a NaN axis or
        a width of 360° sees all round).
    """
    d = right - left
    dd, ad = _dot(d, d), _dot(left, d)
    disc = ad * ad - dd * (_dot(left, left) - range_m * range_m)
    root = np.sqrt(np.maximum(disc, 0.0))
    t0 = np.maximum((-ad - root) / dd, 0.0)
    t1 = np.minimum((-ad + root) / dd, 1.0)
    in_range = (disc >= 0) & (t0 <= t1)
    le, ln = _dot(left, east), _dot(left, north)
    de, dn = _dot(d, east), _dot(d, north)
    q0e, q0n = le + t0 * de, ln + t0 * dn
    q1e, q1n = le + t1 * de, ln + t1 * dn
    all_round = np.isnan(azimuth_deg) | (fov_deg >= 360.0)
    az = np.radians(np.where(all_round, 0.0, azimuth_deg))
    half = np.radians(np.minimum(fov_deg / 2.0 + 1e-9, 180.0))
    ue, un, cos_half = np.sin(az), np.cos(az), np.cos(half)
    inside0 = q0e * ue + q0n * un >= np.hypot(q0e, q0n) * cos_half
    inside1 = q1e * ue + q1n * un >= np.hypot(q1e, q1n) * cos_half
    cross = np.column_stack(
        [
            _ray_crossing(
                q0e, q0n, q1e - q0e, q1n - q0n, np.sin(az + sign * half), np.cos(az + sign * half)
            )
            for sign in (-1.0, 1.0)
        ]
    )
    cross[all_round] = np.nan
    hit = in_range & (all_round | inside0 | inside1 | np.isfinite(cross).any(axis=1))
    t_cross = t0[:, None] + cross * (t1 - t0)[:, None]
    # The nearest point of the part in range and sector: the path's closest
    # point when it is inside, else an end of an in-sector piece (t0, t1 or
    # a boundary crossing): distance is convex along the path.
    closest = np.clip(-ad / dd, t0, t1)
    qce, qcn = le + closest * de, ln + closest * dn
    inside_c = all_round | (qce * ue + qcn * un >= np.hypot(qce, qcn) * cos_half)
    candidates = [(closest, inside_c), (t0, all_round | inside0), (t1, all_round | inside1)]
    candidates += [(t_cross[:, k], np.isfinite(t_cross[:, k])) for k in (0, 1)]
    near = np.full(left.shape[0], np.inf)
    for t, ok in candidates:
        tt = np.where(ok, t, 0.0)
        gap = left + tt[:, None] * d
        near = np.where(ok, np.minimum(near, np.sqrt(_dot(gap, gap))), near)
    near = np.where(hit, near, np.inf)
    return PathInSector(hit=hit, t0=t0, t1=t1, t_cross=t_cross, near_m=near)


def _sensor_frames(sensors: gpd.GeoDataFrame) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return each sensor's ECEF position and local east and north unit vectors."""
    lon = sensors.geometry.x.to_numpy()
    lat = sensors.geometry.y.to_numpy()
    east, north = geodesy.east_north(lon, lat)
    return geodesy.ecef(lon, lat), east, north


def light_probability(
    point: IntArray,
    sensor: IntArray,
    slant_m: FloatArray,
    curves: sensor_model.PdCurves,
    light: str,
    n_points: int,
) -> FloatArray:
    """Return ``P_sensor = 1 − Π_j (1 − p_j(r, light))`` per point from the pairs that see."""
    p_j = curves.probability(sensor, slant_m, light)
    miss = np.ones(n_points)
    np.multiply.at(miss, point, 1.0 - p_j)
    return 1.0 - miss


def sensor_hits(
    targets: TargetPoints,
    sensors: gpd.GeoDataFrame,
    *,
    path_depth_m: float = 300.0,
    sight: Sight | None = None,
    sight_step_m: float = 30.0,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Return the (point, sensor) pairs whose crossing path the sensor sees, and at what range.

    Without terrain, a sensor sees the path when any point of it is within
    range and inside the field of view, found exactly
    (:func:`path_in_sector`); the range is the least chord distance from
    the sensor to that part of the path. With terrain, the part of the path
    in range is sampled every ``sight_step_m`` (the DEM cell size) counted
    from the target point, together with that part's ends, the point
    closest to the sensor and the sector-boundary crossings; the sensor
    sees the path when one of the samples inside the sector is in line of
    sight and slant range (:class:`surveil.visibility.TerrainSight`), and
    the range is the least slant range of those samples.

    Returns
    -------
    point, sensor, slant_m
        Pairs, and the range in metres at which each sensor sees each path.
    """
    point, sensor = _sensor_candidates(targets, sensors, path_depth_m)
    if not point.size:
        return point, sensor, np.empty(0)
    s_xyz, east, north = _sensor_frames(sensors)
    ends = targets.paths_xyz(path_depth_m)
    meets = path_in_sector(
        ends[0, point] - s_xyz[sensor],
        ends[1, point] - s_xyz[sensor],
        east[sensor],
        north[sensor],
        sensors["range_m"].to_numpy(dtype=float)[sensor],
        sensors["azimuth_deg"].to_numpy(dtype=float)[sensor],
        sensors["fov_deg"].to_numpy(dtype=float)[sensor],
    )
    if sight is not None:
        near = _path_in_sight(
            targets,
            sensors,
            point,
            sensor,
            meets,
            sight,
            path_depth_m=path_depth_m,
            step_m=sight_step_m,
        )
    else:
        near = meets.near_m
    seen = np.isfinite(near)
    return point[seen], sensor[seen], near[seen]


def _sensor_candidates(
    targets: TargetPoints, sensors: gpd.GeoDataFrame, path_depth_m: float
) -> tuple[IntArray, IntArray]:
    """Return (point, sensor) pairs whose path may reach the sensor's range (1 m margin)."""
    empty = np.empty(0, dtype=np.int64)
    if len(sensors) == 0 or len(targets) == 0:
        return empty, empty
    s_xyz = geodesy.ecef(sensors.geometry.x.to_numpy(), sensors.geometry.y.to_numpy())
    reach = sensors["range_m"].to_numpy(dtype=float) + path_depth_m + 1.0
    hits = cKDTree(geodesy.ecef(targets.lon, targets.lat)).query_ball_point(s_xyz, r=reach)
    counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
    sensor = np.repeat(np.arange(len(sensors), dtype=np.int64), counts)
    point = np.fromiter((j for h in hits for j in h), dtype=np.int64, count=int(counts.sum()))
    return point, sensor


def _path_in_sight(
    targets: TargetPoints,
    sensors: gpd.GeoDataFrame,
    point: IntArray,
    sensor: IntArray,
    meets: PathInSector,
    sight: Sight,
    *,
    path_depth_m: float,
    step_m: float,
) -> FloatArray:
    """Return, per (point, sensor) pair, the least slant range of the path's samples in sight.

    ``inf`` where no sample in the sector is in sight and range.

    Samples over the part in range ``[t0, t1]``: every ``step_m`` counted
    from the target point on the border (so the grid is the same whichever
    way the border was digitised), both ends of the part, the point closest
    to the sensor and the sector-boundary crossings; those outside the sector
    (by more than 1 mm) are dropped before line of sight.
    """
    pair = np.flatnonzero(meets.hit)
    t0, t1 = meets.t0[pair], meets.t1[pair]
    dt = step_m / (2.0 * path_depth_m)
    first = np.ceil((t0 - 0.5) / dt - 1e-9).astype(np.int64)
    count = np.maximum(np.floor((t1 - 0.5) / dt + 1e-9).astype(np.int64) - first + 1, 0)
    owner = np.repeat(np.arange(pair.size), count)
    k = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count) + first[owner]
    s_xyz, east, north = _sensor_frames(sensors)
    ends = targets.paths_xyz(path_depth_m)
    left = ends[0, point[pair]] - s_xyz[sensor[pair]]
    d = ends[1, point[pair]] - ends[0, point[pair]]
    closest = np.clip(-_dot(left, d) / _dot(d, d), t0, t1)
    extra = np.column_stack([t0, t1, closest, meets.t_cross[pair]])
    t = np.concatenate([0.5 + k * dt, extra.ravel()])
    owner = np.concatenate([owner, np.repeat(np.arange(pair.size), extra.shape[1])])
    keep = np.isfinite(t)
    t, owner = np.clip(t[keep], t0[owner[keep]], t1[owner[keep]]), owner[keep]
    # Drop samples outside the sector (the grid and closest point may leave it).
    rel = left[owner] + t[:, None] * d[owner]
    e, n = _dot(rel, east[sensor[pair[owner]]]), _dot(rel, north[sensor[pair[owner]]])
    az = sensors["azimuth_deg"].to_numpy(dtype=float)[sensor[pair[owner]]]
    fov = sensors["fov_deg"].to_numpy(dtype=float)[sensor[pair[owner]]]
    tolerance_deg = np.degrees(1e-3 / np.maximum(np.hypot(e, n), 1e-3))
    inside = in_field_of_view(geodesy.bearing_deg(e, n), az, fov + 2.0 * tolerance_deg)
    t, owner = t[inside], owner[inside]
    # The sample on the ground: the geodesic square to the line from the target
    # point, (2t − 1) · depth to its right (within d³/R² of the tangent path).
    at = point[pair[owner]]
    along = (2.0 * t - 1.0) * path_depth_m
    azimuth = targets.azimuth_deg[at] + np.where(along >= 0, 90.0, -90.0)
    lon, lat, _ = geodesy.GEOD.fwd(targets.lon[at], targets.lat[at], azimuth, np.abs(along))
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    slant = sight.slant_m(sensor[pair[owner]], lon, lat)
    near = np.full(point.size, np.inf)
    np.minimum.at(near, pair[owner], slant)
    return near


def segment_distance(p0: FloatArray, p1: FloatArray, q0: FloatArray, q1: FloatArray) -> FloatArray:
    """Return the shortest distance between 3-D segments ``p0–p1`` and ``q0–q1``, row by row.

    Exact closest points of two segments (Ericson, *Real-Time Collision
    Detection*, §5.1.9), parallel and degenerate segments included.
    :mod:`surveil._numba_kernels` repeats this arithmetic step by step.

    Examples
    --------
    >>> a = np.array([[0.0, -1.0, 0.0]]); b = np.array([[0.0, 1.0, 0.0]])
    >>> c = np.array([[3.0, 0.0, 4.0]]); d = np.array([[3.0, 0.0, 9.0]])
    >>> segment_distance(a, b, c, d).round(9).tolist()  # (0, 0, 0) to (3, 0, 4)
    [5.0]
    """
    d1, d2, r = p1 - p0, q1 - q0, p0 - q0
    a, e, f = _dot(d1, d1), _dot(d2, d2), _dot(d2, r)
    b, c = _dot(d1, d2), _dot(d1, r)
    denom = a * e - b * b
    a_pos, e_pos = a > 0, e > 0
    safe_a, safe_e = np.where(a_pos, a, 1.0), np.where(e_pos, e, 1.0)
    # Both proper: the closest point of the lines, then clamped in turn.
    s = np.where(denom != 0, np.clip((b * f - c * e) / np.where(denom != 0, denom, 1.0), 0, 1), 0)
    s = np.where(a_pos, s, 0.0)
    t = np.where(e_pos, (b * s + f) / safe_e, 0.0)
    s = np.where(a_pos & (t < 0), np.clip(-c / safe_a, 0, 1), s)
    s = np.where(a_pos & (t > 1), np.clip((b - c) / safe_a, 0, 1), s)
    # q0-q1 a point: the closest point of p0-p1 to it.
    s = np.where(a_pos & ~e_pos, np.clip(-c / safe_a, 0, 1), s)
    t = np.clip(t, 0.0, 1.0)
    gap = r + s[:, None] * d1 - t[:, None] * d2
    return np.sqrt(_dot(gap, gap))


def patrol_visits(
    targets: TargetPoints,
    patrols: gpd.GeoDataFrame,
    *,
    path_depth_m: float = 300.0,
) -> tuple[FloatArray, FloatArray]:
    """Return the patrol passes per day at each target point, all and reading.

    A route passes a crossing path (the segment square to the line from
    ``path_depth_m`` left to ``path_depth_m`` right of the target point) when
    the path comes within the route's ``sweep_m`` of the route line: the
    exact distance between the path's chord and each route edge's chord in
    ECEF (:func:`segment_distance`; edges cut to at most 1 km along the
    geodesic by :func:`route_edges`). Edge chords lie below the ellipsoid
    by at most ``L² / 8R`` (2 cm for a 1 km edge) and the path, a tangent
    segment, above it by at most ``d² / 2R`` (7 mm at d = 300 m), so the
    distance is that on the ground within 3 cm (far less where they are not
    nearly touching: the vertical gap v adds only ``v² / 2h`` at distance h). Each route counts once
    per point. A pass reads the traces with the route's ``pd`` (1 unless
    given), so reading passes are Poisson with rate ``Σ pd · visits_per_day``.

    Returns
    -------
    visits, reading
        Passes per day, and passes per day that read the traces.
    """
    visits = np.zeros(len(targets))
    reading = np.zeros(len(targets))
    if len(patrols) == 0 or len(targets) == 0:
        return visits, reading
    a, b, owner = route_edges(patrols, max_edge_m=1000.0)
    sweep = patrols["sweep_m"].to_numpy(dtype=float)
    reach = np.linalg.norm(b - a, axis=1) / 2.0 + sweep[owner] + path_depth_m + 1.0
    tree = cKDTree(geodesy.ecef(targets.lon, targets.lat))
    hits = tree.query_ball_point((a + b) / 2.0, r=reach)
    counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
    edge = np.repeat(np.arange(len(a), dtype=np.int64), counts)
    point = np.fromiter((j for h in hits for j in h), dtype=np.int64, count=int(counts.sum()))
    ends = targets.paths_xyz(path_depth_m)
    dist = segment_distance(ends[0, point], ends[1, point], a[edge], b[edge])
    keep = dist <= sweep[owner[edge]]
    pairs = np.unique(np.column_stack([point[keep], owner[edge[keep]]]), axis=0)
    rate = patrols["visits_per_day"].to_numpy(dtype=float)
    pd_read = patrols["pd"].to_numpy(dtype=float) if "pd" in patrols else np.ones(len(patrols))
    np.add.at(visits, pairs[:, 0], rate[pairs[:, 1]])
    np.add.at(reading, pairs[:, 0], (rate * pd_read)[pairs[:, 1]])
    return visits, reading


def patrol_probability(
    visits_per_day: FloatArray, *, trace_persistence_h: float = 12.0
) -> FloatArray:
    """Return ``P_patrol = 1 − exp(−V · T / 24)`` for passes per day V.

    Examples
    --------
    >>> round(float(patrol_probability(np.array([2.0]))[0]), 6)  # 1 − e⁻¹
    0.632121
    """
    return -np.expm1(-visits_per_day * trace_persistence_h / 24.0)


def combine(*probabilities: FloatArray) -> FloatArray:
    """Combine independent detection chances: ``1 − Π (1 − p)``.

    Examples
    --------
    >>> float(combine(np.array([0.9]), np.array([0.5]))[0])
    0.95
    """
    miss = np.ones_like(probabilities[0])
    for p in probabilities:
        miss = miss * (1.0 - p)
    return 1.0 - miss


def detect_points(
    targets: TargetPoints,
    sensors: gpd.GeoDataFrame,
    patrols: gpd.GeoDataFrame,
    *,
    path_depth_m: float = 300.0,
    trace_persistence_h: float = 12.0,
    patrol_pd: float = 0.8,
    crosser_speed_kmh: float = 3.0,
    sight: Sight | None = None,
    sight_step_m: float = 30.0,
    engine: str = "auto",
    light: str = "day",
    curves: sensor_model.PdCurves | None = None,
) -> PointDetection:
    """Return sensor, patrol and combined detection at each target point, in one light.

    Patrols pass at their ``visits_per_day`` spread over the whole day
    (their ``window`` is honoured by :mod:`surveil.windows`, which combines
    the day and night windows).

    Parameters
    ----------
    targets, sensors, patrols
        Target points, the sensors that count and the patrol routes.
    path_depth_m
        The crossing path at a target point runs square to the line from
        ``path_depth_m`` on its left to ``path_depth_m`` on its right, metres.
    trace_persistence_h
        Hours traces stay readable.
    patrol_pd
        Chance that one pass sees a crosser or reads the traces, for routes
        whose ``pd`` is empty.
    crosser_speed_kmh
        Walking speed of crossers, for the time they spend in a route's sweep
        band (real-time patrol detection).
    sight
        Line of sight over terrain; None for open ground.
    sight_step_m
        Spacing of line-of-sight samples along a path (the DEM cell), metres.
    engine
        ``"numba"`` (compiled kernels, :mod:`surveil._kernels`), ``"numpy"``
        or ``"auto"``: ``SURVEIL_ENGINE`` when set, else numba when installed;
        with terrain the numpy path (line of sight itself is compiled). Both
        give the same numbers.
    light
        ``"day"`` or ``"night"``: the sensors' light-dependent pd.
    curves
        The sensors' pd by range (:func:`surveil.sensors.pd_curves`); None:
        built from ``sensors`` for a person target.
    """
    p_light, seeing = sensor_detection(
        targets,
        sensors,
        path_depth_m=path_depth_m,
        sight=sight,
        sight_step_m=sight_step_m,
        engine=engine,
        curves=curves,
    )
    rates = patrol_rates(
        targets,
        patrols,
        path_depth_m=path_depth_m,
        patrol_pd=patrol_pd,
        crosser_speed_kmh=crosser_speed_kmh,
        engine=engine if sight is None else "numpy",
    )
    return point_detection(
        p_light[sensor_model.LIGHTS.index(light)],
        seeing,
        visits_per_day=rates.visits,
        reading_per_day=rates.reading,
        exposure_h=rates.exposure_h,
        trace_persistence_h=trace_persistence_h,
    )


def point_detection(
    p_sensor: FloatArray,
    seeing: IntArray,
    *,
    visits_per_day: FloatArray,
    reading_per_day: FloatArray,
    exposure_h: FloatArray,
    trace_persistence_h: float = 12.0,
    p_trace: FloatArray | None = None,
) -> PointDetection:
    """Return the point detection from sensors' ``P_sensor`` and the patrols' passes.

    ``exposure_h`` is the pass-hours per day a crosser spends in sight of
    a pass (``Σ pd · visits · τ``); ``p_trace`` defaults to
    :func:`patrol_probability` of the reading passes.
    """
    if p_trace is None:
        p_trace = patrol_probability(reading_per_day, trace_persistence_h=trace_persistence_h)
    p_sight = -np.expm1(-exposure_h / 24.0)
    p_patrol = combine(p_sight, p_trace)
    return PointDetection(
        p_sensor=p_sensor,
        p_patrol=p_patrol,
        p_detect=combine(p_sensor, p_patrol),
        visits_per_day=visits_per_day,
        sensors_seeing=seeing.astype(np.int64),
        p_sight=p_sight,
        p_trace=p_trace,
        reading_per_day=reading_per_day,
    )


def sensor_detection(
    targets: TargetPoints,
    sensors: gpd.GeoDataFrame,
    *,
    path_depth_m: float = 300.0,
    sight: Sight | None = None,
    sight_step_m: float = 30.0,
    engine: str = "auto",
    curves: sensor_model.PdCurves | None = None,
) -> tuple[FloatArray, IntArray]:
    """Return ``P_sensor`` per light and point, and the distinct sensors seeing each segment.

    Rows of the first result follow :data:`surveil.sensors.LIGHTS`. One pass
    over the geometry (and line of sight) serves both lights.

    The crossing path at a target point is the segment square to the line
    from ``path_depth_m`` on its left to ``path_depth_m`` on its right (see
    :func:`sensor_hits` for when a sensor sees it, and at what range). A
    sensor has ONE detection chance per path, ``p = pd(r, light) ·
    availability`` at the least range r at which it sees the path
    (:mod:`surveil.sensors`), however long the path stays in view: its
    glimpses along one path are assumed fully correlated. Distinct sensors
    are independent: ``P_sensor = 1 − Π_j (1 − p_j)``
    (:func:`light_probability`).
    """
    if not path_depth_m > 0:
        raise ValueError(f"path_depth_m is {path_depth_m}; expected a positive depth in metres")
    if engine == "numba" and sight is not None:
        raise ValueError("engine='numba' does not do line of sight; use 'auto' or 'numpy'")
    n_segments = targets.n_segments
    curves = curves if curves is not None else sensor_model.pd_curves(sensors)
    if _kernels.resolve(engine) == "numba" and sight is None:
        ends = targets.paths_xyz(path_depth_m)
        # Path ends are exact to millimetres (geodesy.step); 1 m covers that.
        return _sensor_kernel(ends, path_depth_m + 1.0, targets, sensors, n_segments, curves)
    point, sensor, slant = sensor_hits(
        targets, sensors, path_depth_m=path_depth_m, sight=sight, sight_step_m=sight_step_m
    )
    seeing = np.zeros(n_segments, dtype=np.int64)
    if point.size:
        key = np.unique(targets.segment[point] * max(len(sensors), 1) + sensor)
        seeing = np.bincount(key // max(len(sensors), 1), minlength=n_segments)
    p_light = np.vstack(
        [
            light_probability(point, sensor, slant, curves, light, len(targets))
            for light in sensor_model.LIGHTS
        ]
    )
    return p_light, seeing


@dataclass(frozen=True)
class PatrolRates:
    """Patrol passes at each target point (see :func:`patrol_rates`).

    Attributes
    ----------
    visits, reading
        Passes per day, and passes per day that read the traces (``Σ pd · v``).
    exposure_h
        Pass-hours per day a crosser spends in sight of a pass (``Σ pd · v · τ``).
    """

    visits: FloatArray
    reading: FloatArray
    exposure_h: FloatArray


def patrol_rates(
    targets: TargetPoints,
    patrols: gpd.GeoDataFrame,
    *,
    path_depth_m: float = 300.0,
    patrol_pd: float = 0.8,
    crosser_speed_kmh: float = 3.0,
    engine: str = "auto",
) -> PatrolRates:
    """Return the passes per day of the routes at each target point.

    Each pass meets a crosser in its sweep band for ``τ = 2 · sweep_m /
    crosser_speed`` hours; passes weighted by ``pd · τ`` give the real-time
    exposure in pass-hours per day.
    """
    if not path_depth_m > 0:
        raise ValueError(f"path_depth_m is {path_depth_m}; expected a positive depth in metres")
    patrols = with_patrol_pd(patrols, patrol_pd)
    tau_h = 2.0 * patrols["sweep_m"].to_numpy(dtype=float) / (crosser_speed_kmh * 1000.0)
    in_sight = patrols.assign(
        visits_per_day=patrols["visits_per_day"].to_numpy(dtype=float) * tau_h
    )
    if _kernels.resolve(engine) == "numba":
        ends = targets.paths_xyz(path_depth_m)
        reach = path_depth_m + 1.0
        visits, reading = _route_kernel(ends, reach, patrols)
        _, exposure_h = _route_kernel(ends, reach, in_sight)
    else:
        visits, reading = patrol_visits(targets, patrols, path_depth_m=path_depth_m)
        _, exposure_h = patrol_visits(targets, in_sight, path_depth_m=path_depth_m)
    return PatrolRates(visits=visits, reading=reading, exposure_h=exposure_h)


def with_patrol_pd(patrols: gpd.GeoDataFrame, patrol_pd: float) -> gpd.GeoDataFrame:
    """Return the routes with an empty or missing ``pd`` set to ``patrol_pd``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> routes = gpd.GeoDataFrame({"pd": [0.9, np.nan]},
    ...                           geometry=[shapely.LineString([(0, 0), (1, 0)])] * 2)
    >>> with_patrol_pd(routes, 0.8)["pd"].tolist()
    [0.9, 0.8]
    """
    given = (
        patrols["pd"].to_numpy(dtype=float) if "pd" in patrols else np.full(len(patrols), np.nan)
    )
    return patrols.assign(pd=np.where(np.isnan(given), patrol_pd, given))


def _sensor_kernel(
    ends: FloatArray,
    reach: float,
    targets: TargetPoints,
    sensors: gpd.GeoDataFrame,
    n_segments: int,
    curves: sensor_model.PdCurves,
) -> tuple[FloatArray, IntArray]:
    """Run the compiled sensor kernel (same model as :func:`sensor_detection`)."""
    lights = len(sensor_model.LIGHTS)
    if len(sensors) == 0 or len(targets) == 0:
        return np.zeros((lights, len(targets))), np.zeros(n_segments, dtype=np.int64)
    s_xyz, east, north = _sensor_frames(sensors)
    return _kernels.sensor_detection(
        ends,
        reach,
        targets.segment,
        n_segments,
        s_xyz,
        east,
        north,
        sensors["range_m"].to_numpy(dtype=float),
        sensors["azimuth_deg"].to_numpy(dtype=float),
        sensors["fov_deg"].to_numpy(dtype=float),
        curves.offsets,
        curves.range_m,
        curves.pd,
        np.ascontiguousarray(curves.scale),
    )


def route_edges(
    patrols: gpd.GeoDataFrame, *, max_edge_m: float = 1000.0
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Return the ECEF ends of every route's edges, cut to at most ``max_edge_m``.

    Edges follow the geodesic between vertices; those of one route are
    consecutive. Returns ``(start, end, route)``.
    """
    parts, route = shapely.get_parts(patrols.geometry.to_numpy(), return_index=True)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    inner = np.flatnonzero(part[1:] == part[:-1])
    xyz = geodesy.ecef(coords[:, 0], coords[:, 1])
    # Chords shorter than max_edge_m are kept; longer ones are cut along the geodesic.
    long = np.linalg.norm(xyz[inner + 1] - xyz[inner], axis=1) > max_edge_m
    short = inner[~long]
    a, b, owner = [xyz[short]], [xyz[short + 1]], [route[part[short]]]
    if long.any():
        cut = inner[long]
        lon0, lat0 = coords[cut, 0], coords[cut, 1]
        az, _, dist = geodesy.GEOD.inv(lon0, lat0, coords[cut + 1, 0], coords[cut + 1, 1])
        az, dist = np.asarray(az), np.asarray(dist)
        pieces = np.ceil(dist / max_edge_m).astype(np.int64)
        edge = np.repeat(np.arange(cut.size), pieces)
        j = np.arange(edge.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        step = dist[edge] / pieces[edge]
        for along, out in ((j * step, a), ((j + 1) * step, b)):
            lon, lat, _ = geodesy.GEOD.fwd(lon0[edge], lat0[edge], az[edge], along)
            out.append(geodesy.ecef(lon, lat))
        owner.append(route[part[cut]][edge])
    start, end, owner_all = np.concatenate(a), np.concatenate(b), np.concatenate(owner)
    order = np.argsort(owner_all, kind="stable")  # edges of one route together
    return start[order], end[order], owner_all[order].astype(np.int64)


def _route_kernel(
    ends: FloatArray, reach: float, patrols: gpd.GeoDataFrame
) -> tuple[FloatArray, FloatArray]:
    """Run the compiled patrol kernel (same model as :func:`patrol_visits`)."""
    n = ends.shape[1]
    if len(patrols) == 0 or n == 0:
        return np.zeros(n), np.zeros(n)
    a, b, owner = route_edges(patrols, max_edge_m=1000.0)
    rate = patrols["visits_per_day"].to_numpy(dtype=float)
    pd_read = patrols["pd"].to_numpy(dtype=float) if "pd" in patrols else np.ones(len(patrols))
    return _kernels.route_visits(
        ends,
        reach,
        a,
        b,
        owner,
        patrols["sweep_m"].to_numpy(dtype=float),
        rate,
        pd_read,
    )


def mast_to_see(
    targets: TargetPoints,
    sensors: gpd.GeoDataFrame,
    p_sensor: FloatArray,
    sight: Sight,
    n_segments: int,
    *,
    tallest_mast_m: float,
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Return, per segment, how much taller a mast would need to be to see it, if any mast can.

    A target point that no sensor sees but that lies in range and sector of
    some sensors needs, from each of them, an extra mast height to be seen;
    a sensor's mast may grow only up to ``tallest_mast_m`` (or its own
    height, if taller), and the point takes the least extra height among the
    sensors that can give it. A segment reports the largest over its hidden
    points: with masts that much taller, every hidden point in range would
    be seen.

    Parameters
    ----------
    targets
        Target points.
    sensors
        The sensors that count, in the order ``sight`` indexes them.
    p_sensor
        Sensor detection at each target point (0: hidden).
    sight
        Line of sight over terrain.
    n_segments
        Number of segments.
    tallest_mast_m
        Height of the tallest mast available, in metres (the catalogue's).

    Returns
    -------
    mast_m_to_see, mast_reachable
        Extra mast height in metres (0 where every point is seen; NaN where
        some hidden point is out of every sensor's range, or needs a mast
        taller than ``tallest_mast_m``), and whether the segment is reachable
        by a mast (mast_m_to_see is not NaN).
    """
    out = np.where(np.bincount(targets.segment, minlength=n_segments) > 0, 0.0, np.nan)
    hidden = np.flatnonzero(p_sensor <= 0)
    if hidden.size and len(sensors):
        point, sensor = sensor_pairs(targets.lon[hidden], targets.lat[hidden], sensors)
        extra = np.full(hidden.size, np.inf)  # least extra height per hidden point
        if point.size:
            mast = sight.mast_m(sensor, targets.lon[hidden[point]], targets.lat[hidden[point]])
            height = sensors["height_m"].to_numpy(dtype=float)[sensor]
            room = np.maximum(tallest_mast_m - height, 0.0)
            usable = np.where(np.isfinite(mast) & (mast <= room + 1e-9), mast, np.inf)
            np.minimum.at(extra, point, usable)
        need = np.zeros(n_segments)
        np.maximum.at(need, targets.segment[hidden], extra)
        out = np.where(np.isfinite(need), np.maximum(out, need), np.nan)
    elif hidden.size:
        out[np.unique(targets.segment[hidden])] = np.nan
    return out, np.isfinite(out)


def response_hours(
    targets: TargetPoints,
    posts: gpd.GeoDataFrame,
    *,
    detour_factor: float = 1.4,
) -> FloatArray:
    """Return the reaction team's travel time in hours from the nearest post.

    Travel time is the straight-line distance times ``detour_factor`` over
    the post's ``reaction_speed_kmh``; the fastest post wins (see
    :func:`straight_line_reaction`). ``inf`` where there are no posts.
    """
    return straight_line_reaction(targets.lon, targets.lat, posts, detour_factor=detour_factor)[0]


def straight_line_reaction(
    lon: FloatArray, lat: FloatArray, posts: gpd.GeoDataFrame, *, detour_factor: float = 1.4
) -> tuple[FloatArray, IntArray]:
    """Return the straight-line reaction time (hours) and the fastest post at each point.

    Distance (ECEF chord) × ``detour_factor`` over the post's
    ``reaction_speed_kmh``. The nearest post of each speed is the fastest of
    that speed (a KD-tree per speed), so no (points × posts) matrix is built.
    ``inf`` and ``-1`` where there are no posts.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    hours = np.full(lon.size, np.inf)
    best = np.full(lon.size, -1, dtype=np.int64)
    if len(posts) == 0 or lon.size == 0:
        return hours, best
    points = geodesy.ecef(lon, lat)
    post_xyz = geodesy.ecef(posts.geometry.x.to_numpy(), posts.geometry.y.to_numpy())
    speed = posts["reaction_speed_kmh"].to_numpy(dtype=float) * 1000.0
    for m_per_h in np.unique(speed):
        own = np.flatnonzero(speed == m_per_h)
        dist, k = cKDTree(post_xyz[own]).query(points)
        h = dist * detour_factor / m_per_h
        better = h < hours
        hours[better] = h[better]
        best[better] = own[k[better]]
    return hours, best


def respond_probability(hours: FloatArray, *, escape_h: float | FloatArray = 1.0) -> FloatArray:
    """Return ``P_respond = exp(−t / escape_h)``: the team arrives before the crossers leave.

    Examples
    --------
    >>> round(float(respond_probability(np.array([1.0]))[0]), 4)
    0.3679
    """
    return np.exp(-hours / escape_h)


def interdict_probability(
    detection: PointDetection,
    hours: FloatArray,
    *,
    escape_h: float | FloatArray = 1.0,
    trace_persistence_h: float = 12.0,
) -> FloatArray:
    """Return ``P_interdict``: a real-time detection answered in time, or a trace pursued.

    ``P_realtime · exp(−t/e) + (1 − P_realtime) · P_pursuit`` with
    ``P_pursuit = λ / (λ + 1/e) · (1 − exp(−(λ + 1/e) T)) · exp(−t/e)``,
    λ the reading passes per hour, e = ``escape_h``, T =
    ``trace_persistence_h`` and t the team's travel time (see the module
    docstring).

    Parameters
    ----------
    detection
        Point detection from :func:`detect_points`.
    hours
        Reaction team travel time to each point, hours (``inf``: no post).
    escape_h
        Mean time crossers need to clear the border zone, hours (one value,
        or one per point: see :mod:`surveil.response`).
    trace_persistence_h
        Hours traces stay readable.
    """
    respond = respond_probability(hours, escape_h=escape_h)
    lam = detection.reading_per_day / 24.0
    rate = lam + 1.0 / escape_h
    pursuit = lam / rate * -np.expm1(-rate * trace_persistence_h) * respond
    p_rt = detection.p_realtime
    return p_rt * respond + (1.0 - p_rt) * pursuit


def segment_means(values: FloatArray, targets: TargetPoints, n_segments: int) -> FloatArray:
    """Return the length-weighted mean of point values per segment."""
    total = np.bincount(targets.segment, weights=targets.weight_m, minlength=n_segments)
    summed = np.bincount(targets.segment, weights=values * targets.weight_m, minlength=n_segments)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, summed / np.where(total > 0, total, 1.0), np.nan)


def segment_detection(
    targets: TargetPoints,
    detection: PointDetection,
    n_segments: int,
    *,
    target_pd: float = 0.5,
) -> pd.DataFrame:
    """Aggregate point detection to segments.

    Returns
    -------
    pandas.DataFrame
        One row per segment (in the order of the segments frame):
        ``p_sensor``, ``p_patrol``, ``p_detect``, ``p_detect_realtime``,
        ``p_detect_delayed`` (length-weighted means),
        ``covered_frac`` (share of length with ``P_detect ≥ target_pd``),
        ``sensors_seeing`` (distinct sensors that see any point of the
        segment) and ``revisit_h`` (``24 / V`` at the least visited point of
        the segment; ``inf`` where a point is never passed).
    """
    seg = targets.segment
    covered = (detection.p_detect >= target_pd - 1e-12).astype(float)
    least = np.full(n_segments, np.inf)
    np.minimum.at(least, seg, detection.visits_per_day)
    with np.errstate(divide="ignore"):
        revisit = np.where(least > 0, 24.0 / np.where(least > 0, least, 1.0), np.inf)
    return pd.DataFrame(
        {
            "p_sensor": segment_means(detection.p_sensor, targets, n_segments),
            "p_patrol": segment_means(detection.p_patrol, targets, n_segments),
            "p_detect": segment_means(detection.p_detect, targets, n_segments),
            "p_detect_realtime": segment_means(detection.p_realtime, targets, n_segments),
            "p_detect_delayed": segment_means(detection.p_delayed, targets, n_segments),
            "covered_frac": segment_means(covered, targets, n_segments),
            "sensors_seeing": detection.sensors_seeing,
            "revisit_h": revisit,
        }
    )


def sensor_footprints(sensors: gpd.GeoDataFrame, *, step_deg: float = 2.0) -> gpd.GeoDataFrame:
    """Return each sensor's range circle or sector as a geodesic polygon.

    Parameters
    ----------
    sensors
        Sensors with ``id``, ``type``, ``status``, ``range_m``,
        ``azimuth_deg`` and ``fov_deg`` in EPSG:4326.
    step_deg
        Angular step of the arc's vertices.

    Returns
    -------
    geopandas.GeoDataFrame
        ``sensor_id``, ``type``, ``status``, ``range_m`` and Polygon geometry.
    """
    polygons = []
    for row in sensors.itertuples(index=False):
        lon, lat = row.geometry.x, row.geometry.y
        full = np.isnan(row.azimuth_deg) or row.fov_deg >= 360.0
        start = 0.0 if full else row.azimuth_deg - row.fov_deg / 2.0
        sweep = 360.0 if full else row.fov_deg
        n = max(2, int(np.ceil(sweep / step_deg)) + 1)
        azimuths = start + np.linspace(0.0, sweep, n)
        arc_lon, arc_lat, _ = geodesy.GEOD.fwd(
            np.full(n, lon), np.full(n, lat), azimuths, np.full(n, row.range_m)
        )
        ring = list(zip(arc_lon, arc_lat, strict=True))
        if not full:
            ring = [(lon, lat), *ring, (lon, lat)]
        polygons.append(shapely.Polygon(ring))
    return gpd.GeoDataFrame(
        {
            "sensor_id": sensors["id"].to_numpy(),
            "type": sensors["type"].to_numpy(),
            "status": sensors["status"].to_numpy(),
            "range_m": sensors["range_m"].to_numpy(dtype=float),
        },
        geometry=polygons,
        crs="EPSG:4326",
    )
