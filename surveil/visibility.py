"""Compute line of sight over a DEM, the mast height needed to see, and visible footprints.

The model (DESIGN §3): the observer's eye is at ground + ``height_m``, the
target at ground + ``target_height_m``; both grounds and the terrain between
are read from the :class:`~surveil.terrain.DEM` by bilinear interpolation
between cell centres, sampled along the straight ray in the DEM's local
metric grid every cell size. Earth curvature with atmospheric refraction
lowers everything at horizontal distance ``d`` from the observer by

.. math::  \\mathrm{drop}(d) = \\frac{d^2 (1 - k)}{2R}, \\qquad R = 6\\,371\\,000\\ \\mathrm{m}

with ``k`` the refraction coefficient (default 0.13). GDAL's
``gdal_viewshed -cc`` takes the curvature coefficient ``1 − k`` instead:
its default 0.85714 is ``1 − 1/7`` (k = 1/7 ≈ 0.143, the standard
atmosphere for visible light); surveil's default k = 0.13 is ``-cc 0.87``.
(GDAL divides by the ellipsoid's diameter, 2 × 6 378 137 m, rather than
2 × 6 371 000 m: 0.1 % of the drop, 0.3 m at 20 km.)

The target is seen when no sampled terrain point rises above the straight
sight line from eye to target (a sample that rounding puts at the target
itself is its own ground, not an obstacle). Rays are marched by the compiled
kernel of :mod:`surveil._kernels` (numba, a dependency), or with vectorised
numpy where numba is missing or ``SURVEIL_ENGINE=numpy``; both give the same
answers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from surveil import _kernels
from surveil._kernels import Engine
from surveil.terrain import DEM

FloatArray = NDArray[np.float64]

EARTH_RADIUS_M = 6_371_000.0
"""Earth radius used for the curvature drop, in metres."""

_CHUNK_SAMPLES = 4_000_000


@dataclass(frozen=True)
class LineOfSight:
    """Line of sight from observers to targets, one entry per pair.

    Attributes
    ----------
    visible
        True where the target is seen.
    mast_m_to_see
        Extra observer height in metres needed to see the target: 0 where
        visible, NaN where the ground of the observer or target is unknown
        (outside the DEM or nodata).
    distance_m
        Horizontal distance from observer to target in metres.
    eye_above_target_m
        Height of the eye above the target (ground + ``target_height_m``) in
        metres, before the curvature drop; negative when looking up. With
        ``distance_m`` it gives the slant range (:func:`slant_range_m`).
    """

    visible: NDArray[np.bool_]
    mast_m_to_see: FloatArray
    distance_m: FloatArray
    eye_above_target_m: FloatArray


def slant_range_m(horizontal_m: ArrayLike, eye_above_target_m: ArrayLike) -> FloatArray:
    """Return the 3-D distance from a sensor's eye to a target, in metres.

    ``√(d² + Δh²)`` with d the horizontal distance and Δh the height of the
    eye above the target; the earth's curvature is neglected in the distance
    (it changes it by less than 1 m within 10 km).

    Examples
    --------
    >>> round(float(slant_range_m(4800.0, 1400.0)), 1)
    5000.0
    """
    return np.hypot(np.asarray(horizontal_m, dtype=float), np.asarray(eye_above_target_m, float))


def curvature_drop_m(distance_m: ArrayLike, *, refraction: float = 0.13) -> FloatArray:
    """Return how far the earth's surface falls below the observer's horizontal plane.

    Parameters
    ----------
    distance_m
        Horizontal distance in metres.
    refraction
        Refraction coefficient k; the effective drop is ``d² (1 − k) / 2R``.

    Examples
    --------
    >>> round(float(curvature_drop_m(10_000.0)), 3)
    6.828
    """
    d = np.asarray(distance_m, dtype=float)
    return d * d * (1.0 - refraction) / (2.0 * EARTH_RADIUS_M)


def horizon_distance_m(height_m: float, *, refraction: float = 0.13) -> float:
    """Return the distance to the horizon over flat ground from an eye at ``height_m``.

    Two heights see each other over flat ground while their distance is below
    the sum of their horizon distances: ``√(2R h₁/(1−k)) + √(2R h₂/(1−k))``.

    Examples
    --------
    >>> round(horizon_distance_m(10.0))
    12102
    """
    return math.sqrt(2.0 * EARTH_RADIUS_M * height_m / (1.0 - refraction))


def line_of_sight(
    dem: DEM,
    obs_lon: ArrayLike,
    obs_lat: ArrayLike,
    obs_height_m: ArrayLike,
    tgt_lon: ArrayLike,
    tgt_lat: ArrayLike,
    *,
    target_height_m: ArrayLike = 1.7,
    refraction: float = 0.13,
    obs_ground_m: ArrayLike | None = None,
    mast: bool = True,
    engine: Engine = "auto",
) -> LineOfSight:
    """Return whether each observer sees its target over the DEM.

    Parameters
    ----------
    dem
        Terrain; every observer and target should lie on it (rays leaving
        the grid are checked only where they are on it).
    obs_lon, obs_lat
        Observer positions in degrees, one per pair.
    obs_height_m
        Eye (sensor) height above ground in metres; scalar or one per pair.
    tgt_lon, tgt_lat
        Target positions in degrees, one per pair.
    target_height_m
        Height of the target above ground in metres (1.7: a standing person).
    refraction
        Refraction coefficient k (0.13); ``gdal_viewshed -cc`` is ``1 − k``.
    obs_ground_m
        Observer ground elevation in metres; default read from the DEM
        (bilinear on the grid). NaN entries are read from the DEM too.
    mast
        Compute ``mast_m_to_see`` for hidden targets. With False the march
        stops at the first obstacle and hidden targets get NaN (faster where
        most targets are hidden).
    engine
        ``"numba"``, ``"numpy"`` or ``"auto"`` (``SURVEIL_ENGINE`` when set,
        else numba when installed).

    Returns
    -------
    LineOfSight
        ``visible``, ``mast_m_to_see`` and ``distance_m`` for each pair.

    Examples
    --------
    Over flat ground a 10 m mast sees a person 15 km away but not 18 km away
    (horizon distances 12.1 km + 5.0 km):

    >>> from surveil.terrain import flat_dem
    >>> dem = flat_dem(500.0, center_lonlat=(70.0, 40.0), size_m=40_000, cell_m=200)
    >>> los = line_of_sight(dem, [70.0, 70.0], [40.0, 40.0], 10.0,
    ...                     [70.0 + 15 / 85.4, 70.0 + 18 / 85.4], [40.0, 40.0])
    >>> los.visible.tolist()
    [True, False]
    """
    obs_lon, obs_lat, tgt_lon, tgt_lat = (
        np.atleast_1d(np.asarray(a, dtype=float)) for a in (obs_lon, obs_lat, tgt_lon, tgt_lat)
    )
    n = obs_lon.size
    if not (obs_lat.size == tgt_lon.size == tgt_lat.size == n):
        raise ValueError("observer and target arrays must have the same length")
    key = None
    if _memory is not None:
        rays = (obs_lon, obs_lat, obs_height_m, tgt_lon, tgt_lat, target_height_m, obs_ground_m)
        key = _memory.key(dem, rays, (refraction, mast, _kernels.resolve(engine)))
        known = _memory.get(key)
        if known is not None:
            return known
    ox, oy = dem.to_grid(obs_lon, obs_lat)
    tx, ty = dem.to_grid(tgt_lon, tgt_lat)
    ground_o = dem.elevation_xy(ox, oy)
    if obs_ground_m is not None:
        given = np.broadcast_to(np.asarray(obs_ground_m, dtype=float), (n,))
        ground_o = np.where(np.isnan(given), ground_o, given)
    eye = ground_o + np.broadcast_to(np.asarray(obs_height_m, dtype=float), (n,))
    target = dem.elevation_xy(tx, ty) + np.broadcast_to(
        np.asarray(target_height_m, dtype=float), (n,)
    )
    los = _line_of_sight_xy(
        dem, ox, oy, eye, tx, ty, target, refraction=refraction, mast=mast, engine=engine
    )
    if key is not None and _memory is not None:
        _memory.put(key, dem, los)
    return los


class _Memory:
    """The last answers of :func:`line_of_sight`, by DEM object and a digest of the rays."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.answers: OrderedDict[tuple[int, bytes], tuple[DEM, LineOfSight]] = OrderedDict()

    @staticmethod
    def key(dem: DEM, rays: Sequence[Any], options: tuple[Any, ...]) -> tuple[int, bytes]:
        digest = hashlib.blake2b(repr(options).encode(), digest_size=20)
        for a in rays:
            if a is None:
                digest.update(b"none")
            else:
                values = np.ascontiguousarray(np.asarray(a, dtype=float))
                digest.update(repr(values.shape).encode())
                digest.update(values.tobytes())
        return id(dem), digest.digest()

    def get(self, key: tuple[int, bytes]) -> LineOfSight | None:
        known = self.answers.get(key)
        if known is None:
            return None
        self.answers.move_to_end(key)
        return known[1]

    def put(self, key: tuple[int, bytes], dem: DEM, los: LineOfSight) -> None:
        # the DEM is kept with the answer, so that its id cannot be reused meanwhile;
        # the answer is shared by every caller, so nobody may write into it
        for f in dataclasses.fields(los):
            values = getattr(los, f.name)
            values.flags.writeable = False
        self.answers[key] = (dem, los)
        while len(self.answers) > self.size:
            self.answers.popitem(last=False)


_memory: _Memory | None = None


def remember_line_of_sight(size: int) -> None:
    """Remember the last ``size`` answers of :func:`line_of_sight` in this process (0: off).

    A sweep's samples that vary neither the terrain nor refraction ask the
    same rays over the same DEM objects again and again; with a memory, a
    repeated call (same DEM object, every argument equal) returns the
    remembered answer instead of marching the rays again. Answers are the
    same either way. A DEM perturbed per sample is a new object and never
    matches. Setting the size again keeps what is remembered; 0 forgets it.

    Examples
    --------
    >>> from surveil.terrain import flat_dem
    >>> dem = flat_dem(500.0, center_lonlat=(70.0, 40.0), size_m=40_000, cell_m=200)
    >>> remember_line_of_sight(4)
    >>> a = line_of_sight(dem, [70.0], [40.0], 10.0, [70.1], [40.0])
    >>> line_of_sight(dem, [70.0], [40.0], 10.0, [70.1], [40.0]) is a
    True
    >>> remember_line_of_sight(0)
    """
    global _memory
    if size <= 0:
        _memory = None
    elif _memory is None:
        _memory = _Memory(size)
    else:
        _memory.size = size


def _line_of_sight_xy(
    dem: DEM,
    ox: FloatArray,
    oy: FloatArray,
    eye: FloatArray,
    tx: FloatArray,
    ty: FloatArray,
    target: FloatArray,
    *,
    refraction: float,
    mast: bool,
    engine: Engine,
) -> LineOfSight:
    """Line of sight between grid points with absolute eye and target heights."""
    distance = np.hypot(tx - ox, ty - oy)
    c0, r0 = dem.to_colrow(ox, oy)
    c1, r1 = dem.to_colrow(tx, ty)
    curv = (1.0 - refraction) / (2.0 * EARTH_RADIUS_M)
    target_eff = target - curv * distance * distance
    grid = dem.elevation_m
    if _kernels.resolve(engine) == "numba":
        excess, need = _kernels.line_of_sight(
            grid, c0, r0, c1, r1, eye, target_eff, distance, curv, mast
        )
    else:
        # crossings of column lines (interpolate along the column) and of row lines
        e1, n1 = _march_numpy(grid.T, c0, c1, r0, r1, eye, target_eff, distance, curv)
        e2, n2 = _march_numpy(grid, r0, r1, c0, c1, eye, target_eff, distance, curv)
        excess, need = np.maximum(e1, e2), np.maximum(n1, n2)
    known = np.isfinite(eye) & np.isfinite(target)
    visible = known & ~(excess > 1e-9)
    need = np.where(visible, 0.0, np.where(known, need, np.nan))
    if not mast:
        need = np.where(visible, 0.0, np.nan)
    return LineOfSight(
        visible=visible, mast_m_to_see=need, distance_m=distance, eye_above_target_m=eye - target
    )


def _march_numpy(
    grid: NDArray[np.floating],
    a0: FloatArray,
    a1: FloatArray,
    b0: FloatArray,
    b1: FloatArray,
    eye: FloatArray,
    target_eff: FloatArray,
    distance: FloatArray,
    curv: float,
) -> tuple[FloatArray, FloatArray]:
    """March rays across the grid lines ``a = integer`` of ``grid[a, b]`` with numpy.

    Terrain at each crossing is interpolated linearly along the line between
    the two cell centres it falls between. Works in chunks of about
    ``_CHUNK_SAMPLES`` samples. Returns, per ray, the largest height of
    terrain above the sight line (``-inf`` when nothing is sampled) and the
    extra eye height needed to clear the terrain (0 when it is clear).
    """
    n_a, n_b = grid.shape
    n = distance.size
    excess = np.full(n, -np.inf)
    need = np.zeros(n)
    lo = np.maximum(np.floor(np.minimum(a0, a1)) + 1, 0)
    hi = np.minimum(np.ceil(np.maximum(a0, a1)) - 1, n_a - 1)
    counts = np.maximum(hi - lo + 1, 0).astype(np.int64)
    cum = np.cumsum(counts)
    cuts = np.searchsorted(cum, np.arange(0, int(cum[-1]) if n else 0, _CHUNK_SAMPLES))
    starts = np.unique(np.concatenate([[0], cuts, [n]]))
    for first_ray, end_ray in itertools.pairwise(starts):
        cnt = counts[first_ray:end_ray]
        total = int(cnt.sum())
        if total == 0:
            continue
        ray = np.repeat(np.arange(first_ray, end_ray), cnt)
        first = np.cumsum(cnt) - cnt
        a = lo[ray] + (np.arange(total) - np.repeat(first, cnt))
        t = (a - a0[ray]) / (a1[ray] - a0[ray])
        b = b0[ray] + t * (b1[ray] - b0[ray])
        inside = (b >= 0) & (b <= n_b - 1) & (t < 1.0)
        b = np.where(inside, b, 0.0)
        ib = np.minimum(np.floor(b).astype(np.intp), max(n_b - 2, 0))
        f = b - ib
        ia = a.astype(np.intp)
        g = grid[ia, ib] * (1 - f) + grid[ia, np.minimum(ib + 1, n_b - 1)] * f
        d = t * distance[ray]
        e = g - curv * d * d - (eye[ray] + t * (target_eff[ray] - eye[ray]))
        e = np.where(inside & ~np.isnan(e), e, -np.inf)
        has = cnt > 0
        idx = first[has]
        excess[first_ray:end_ray][has] = np.maximum.reduceat(e, idx)
        h = np.divide(e, 1.0 - t, out=np.full_like(e, -np.inf), where=inside)
        need[first_ray:end_ray][has] = np.maximum(np.maximum.reduceat(h, idx), 0.0)
    return excess, need


def visible_footprint(
    dem: DEM,
    lon: float,
    lat: float,
    height_m: float,
    range_m: float,
    azimuth_deg: float,
    fov_deg: float,
    *,
    target_height_m: float = 1.7,
    refraction: float = 0.13,
    obs_ground_m: float | None = None,
    engine: Engine = "auto",
) -> tuple[shapely.Polygon | shapely.MultiPolygon, float]:
    """Return the area a sensor sees within its range and sector, and its share.

    A local viewshed at the DEM's resolution: every cell whose centre is
    within ``range_m`` (slant range, :func:`slant_range_m`) and inside the
    sector is tested by :func:`line_of_sight` (same model, so footprints and
    detection agree), and the visible cells are polygonised.

    Parameters
    ----------
    dem
        Terrain.
    lon, lat
        Sensor position in degrees.
    height_m
        Sensor height above ground in metres.
    range_m
        Sensor range in metres (slant: 3-D distance from the eye to the
        target).
    azimuth_deg, fov_deg
        Centre and width of the field of view in compass degrees; NaN azimuth
        or ``fov_deg >= 360`` sees all round.
    target_height_m, refraction, obs_ground_m, engine
        As for :func:`line_of_sight`.

    Returns
    -------
    footprint, visible_share
        The visible area as a (Multi)Polygon in EPSG:4326 lon/lat (empty when
        nothing is seen) and the share of the range sector's cells that are
        visible (0–1; NaN when the sector holds no cell).
    """
    from rasterio.features import shapes
    from rasterio.transform import Affine

    ox, oy = dem.to_grid([lon], [lat])
    cell = dem.cell_m
    col, row = dem.to_colrow(ox, oy)
    span = math.ceil(range_m / cell) + 1
    rows, cols = dem.shape
    c_lo, c_hi = max(int(col[0]) - span, 0), min(int(col[0]) + span + 1, cols)
    r_lo, r_hi = max(int(row[0]) - span, 0), min(int(row[0]) + span + 1, rows)
    if c_lo >= c_hi or r_lo >= r_hi:
        return shapely.Polygon(), math.nan
    cc, rr = np.meshgrid(np.arange(c_lo, c_hi), np.arange(r_lo, r_hi))
    t = dem.transform
    gx = t.c + (cc + 0.5) * t.a
    gy = t.f + (rr + 0.5) * t.e
    east, north = gx - ox[0], gy - oy[0]
    in_sector = np.hypot(east, north) <= range_m
    if not (math.isnan(azimuth_deg) or fov_deg >= 360.0):
        bearing = (np.degrees(np.arctan2(east, north)) - _grid_convergence_deg(dem, lon, lat)) % 360
        diff = np.abs((bearing - azimuth_deg + 180.0) % 360.0 - 180.0)
        in_sector &= diff <= fov_deg / 2.0 + 1e-9
    n_sector = int(in_sector.sum())
    if n_sector == 0:
        return shapely.Polygon(), math.nan
    ground = dem.elevation_xy(ox, oy)
    if obs_ground_m is not None and not math.isnan(obs_ground_m):
        ground = np.array([obs_ground_m])
    tx, ty = gx[in_sector], gy[in_sector]
    m = tx.size
    los = _line_of_sight_xy(
        dem,
        np.full(m, ox[0]),
        np.full(m, oy[0]),
        np.full(m, ground[0] + height_m),
        tx,
        ty,
        dem.elevation_xy(tx, ty) + target_height_m,
        refraction=refraction,
        mast=False,
        engine=engine,
    )
    mask = np.zeros(in_sector.shape, dtype=np.uint8)
    in_reach = slant_range_m(los.distance_m, los.eye_above_target_m) <= range_m
    mask[in_sector] = los.visible & in_reach
    share = float(mask.sum()) / n_sector
    sub = Affine(t.a, 0.0, t.c + c_lo * t.a, 0.0, t.e, t.f + r_lo * t.e)
    polys = [shapely.geometry.shape(geom) for geom, _ in shapes(mask, mask=mask > 0, transform=sub)]
    if not polys:
        return shapely.Polygon(), share
    merged = shapely.union_all(polys)

    def to_lonlat(xy: FloatArray) -> FloatArray:
        lo, la = dem.to_lonlat(xy[:, 0], xy[:, 1])
        return np.column_stack([lo, la])

    return shapely.transform(merged, to_lonlat), share


def _grid_convergence_deg(dem: DEM, lon: float, lat: float) -> float:
    """Return the grid bearing of true north at a point, in degrees."""
    x, y = dem.to_grid([lon, lon], [lat, lat + 0.01])
    return float(np.degrees(np.arctan2(x[1] - x[0], y[1] - y[0])))


@dataclass(frozen=True)
class TerrainSight:
    """Line of sight from a scenario's sensors over DEM tiles, for the pipeline.

    Built by :func:`sensor_sight`; :mod:`surveil.coverage` asks it which
    (sensor, point) pairs in range and sector are in sight, and how much
    taller a mast would need to be where they are not.

    Over terrain the range is slant: a pair in horizontal range (the pair
    finder's prefilter, a necessary condition) is detected only when the 3-D
    distance from the eye (ground + ``height_m``) to the target (ground +
    ``target_height_m``) is within ``range_m`` (:func:`slant_range_m`, with
    the pair finder's horizontal distance). Without a DEM the range stays the
    chord distance (:mod:`surveil.coverage`).

    Attributes
    ----------
    tiles
        Local DEMs (one for a regional scenario, several at national scale).
    sensors
        The sensors, in the order the pairs index them.
    sensor_tile
        Index of each sensor's tile.
    ground_m
        Ground elevation under each sensor in metres: its ``ground_m`` when
        given, else the source raster's cell it stands in
        (:meth:`surveil.terrain.DEM.ground_m`); NaN off the DEM.
    target_height_m, refraction
        As for :func:`line_of_sight`.
    """

    tiles: tuple[DEM, ...]
    sensors: Any
    sensor_tile: NDArray[np.int64]
    ground_m: FloatArray
    target_height_m: float = 1.7
    refraction: float = 0.13

    def _pairs(
        self, sensor: NDArray[np.int64], lon: FloatArray, lat: FloatArray, *, mast: bool
    ) -> tuple[NDArray[np.bool_], FloatArray, FloatArray]:
        out_visible = np.zeros(sensor.size, dtype=bool)
        out_mast = np.full(sensor.size, np.nan)
        out_dh = np.full(sensor.size, np.nan)
        s_lon = self.sensors.geometry.x.to_numpy()
        s_lat = self.sensors.geometry.y.to_numpy()
        height = self.sensors["height_m"].to_numpy(dtype=float)
        ground = self.ground_m
        tile = self.sensor_tile[sensor]
        for t in np.unique(tile):
            sel = np.flatnonzero(tile == t)
            s = sensor[sel]
            los = line_of_sight(
                self.tiles[t],
                s_lon[s],
                s_lat[s],
                height[s],
                lon[sel],
                lat[sel],
                target_height_m=self.target_height_m,
                refraction=self.refraction,
                obs_ground_m=ground[s],
                mast=mast,
            )
            out_visible[sel] = los.visible
            out_mast[sel] = los.mast_m_to_see
            out_dh[sel] = los.eye_above_target_m
        return out_visible, out_mast, out_dh

    def visible(
        self, sensor: NDArray[np.int64], lon: FloatArray, lat: FloatArray
    ) -> NDArray[np.bool_]:
        """Tell whether each sensor sees the target at (lon, lat) within its slant range."""
        return np.isfinite(self.slant_m(sensor, lon, lat))

    def slant_m(self, sensor: NDArray[np.int64], lon: FloatArray, lat: FloatArray) -> FloatArray:
        """Return the slant range from each sensor's eye to its target, ``inf`` where not seen.

        Not seen: hidden by terrain or beyond ``range_m`` in slant range.
        """
        from surveil import geodesy

        seen, eye_above = self.sight(sensor, lon, lat)
        s_lon = self.sensors.geometry.x.to_numpy()[sensor]
        s_lat = self.sensors.geometry.y.to_numpy()[sensor]
        chord = geodesy.ecef(lon, lat) - geodesy.ecef(s_lon, s_lat)
        local = geodesy.enu(s_lon, s_lat, chord)
        horizontal = np.hypot(local[:, 0], local[:, 1])
        reach = self.sensors["range_m"].to_numpy(dtype=float)[sensor]
        slant = slant_range_m(horizontal, eye_above)
        return np.where(seen & (slant <= reach), slant, np.inf)

    def sight(
        self, sensor: NDArray[np.int64], lon: FloatArray, lat: FloatArray
    ) -> tuple[NDArray[np.bool_], FloatArray]:
        """Return per pair a clear line of sight (range aside) and the eye's height over target.

        The eye stands at the sensor's ground + ``height_m``, the target at
        its ground + ``target_height_m``; metres.
        """
        seen, _, eye_above = self._pairs(sensor, lon, lat, mast=False)
        return seen, eye_above

    def mast_m(self, sensor: NDArray[np.int64], lon: FloatArray, lat: FloatArray) -> FloatArray:
        """Return the extra mast height each sensor needs to see its target (0 if seen)."""
        return self._pairs(sensor, lon, lat, mast=True)[1]

    def footprints(self, *, simplify_cells: float = 0.5) -> Any:
        """Return each sensor's visible area within range and sector.

        Parameters
        ----------
        simplify_cells
            Simplification tolerance in DEM cells (the viewshed's edges are
            cell staircases).

        Returns
        -------
        geopandas.GeoDataFrame
            ``sensor_id``, ``type``, ``status``, ``range_m`` and
            ``visible_share``, with (Multi)Polygon geometry in EPSG:4326.
        """
        import geopandas as gpd

        polygons, shares = [], []
        for i, row in enumerate(self.sensors.itertuples(index=False)):
            dem = self.tiles[self.sensor_tile[i]]
            polygon, share = visible_footprint(
                dem,
                row.geometry.x,
                row.geometry.y,
                row.height_m,
                row.range_m,
                row.azimuth_deg,
                row.fov_deg,
                target_height_m=self.target_height_m,
                refraction=self.refraction,
                obs_ground_m=float(self.ground_m[i]),
            )
            tolerance = simplify_cells * dem.cell_m / 111_000.0
            polygons.append(shapely.simplify(polygon, tolerance, preserve_topology=True))
            shares.append(share)
        return gpd.GeoDataFrame(
            {
                "sensor_id": self.sensors["id"].to_numpy(),
                "type": self.sensors["type"].to_numpy(),
                "status": self.sensors["status"].to_numpy(),
                "range_m": self.sensors["range_m"].to_numpy(dtype=float),
                "visible_share": np.asarray(shares, dtype=float),
            },
            geometry=polygons,
            crs="EPSG:4326",
        )


def sensor_sight(
    tiles: Sequence[DEM],
    sensors: Any,
    *,
    target_height_m: float = 1.7,
    refraction: float = 0.13,
) -> TerrainSight:
    """Prepare line of sight from sensors over DEM tiles (see :class:`TerrainSight`).

    Each sensor stands on its ``ground_m`` when given (and not NaN), else on
    the source raster's cell that contains it.
    """
    from surveil.terrain import tile_of

    lon = sensors.geometry.x.to_numpy()
    lat = sensors.geometry.y.to_numpy()
    tile = tile_of(tiles, lon, lat) if len(sensors) else np.empty(0, dtype=np.int64)
    ground = (
        sensors["ground_m"].to_numpy(dtype=float, copy=True)
        if "ground_m" in sensors
        else np.full(len(sensors), np.nan)
    )
    for t in np.unique(tile):
        mine = (tile == t) & np.isnan(ground)
        ground[mine] = tiles[t].ground_m(lon[mine], lat[mine])
    return TerrainSight(
        tiles=tuple(tiles),
        sensors=sensors.reset_index(drop=True),
        sensor_tile=tile,
        ground_m=ground,
        target_height_m=target_height_m,
        refraction=refraction,
    )
