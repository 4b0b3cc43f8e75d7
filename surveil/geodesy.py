"""Measure distances, bearings and chainage on the WGS 84 ellipsoid.

surveil does its metric work without a map projection: lines are cut by
geodesic length (:class:`pyproj.Geod`), and short distances (sensor ranges,
patrol sweeps, snapping distances, all below a few tens of km) are measured as
straight-line (chord) distances between Earth-centred, Earth-fixed (ECEF)
coordinates of points on the ellipsoid. Over 20 km the chord is shorter than
the geodesic by less than 1 cm, so ranges are exact for the purpose, in every
UTM zone and across zone boundaries, for borders of any length. Bearings are
taken in the local east-north-up frame of the observer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod
from scipy.spatial import cKDTree

if TYPE_CHECKING:
    import geopandas as gpd

GEOD = Geod(ellps="WGS84")
"""The WGS 84 ellipsoid used for every geodesic computation."""

_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)

FloatArray = NDArray[np.float64]

_PIECE_M = 100.0
"""Longest edge piece indexed by :meth:`LineIndex.nearest`, metres."""
_NEAREST_K = (8, 32, 128)
_CHUNK = 50_000
"""Edges tried in turn by :meth:`LineIndex.nearest` before falling back to all pairs."""


def ecef(lon: ArrayLike, lat: ArrayLike, height: ArrayLike = 0.0) -> FloatArray:
    """Return Earth-centred, Earth-fixed coordinates of geodetic points.

    Parameters
    ----------
    lon, lat
        Longitude and latitude in degrees (WGS 84).
    height
        Height above the ellipsoid in metres.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(n, 3)`` with X, Y, Z in metres.

    Examples
    --------
    >>> ecef([0.0], [0.0]).round(3).tolist()
    [[6378137.0, 0.0, 0.0]]
    """
    lam = np.radians(np.asarray(lon, dtype=float))
    phi = np.radians(np.asarray(lat, dtype=float))
    h = np.asarray(height, dtype=float)
    sin_phi = np.sin(phi)
    n = _A / np.sqrt(1.0 - _E2 * sin_phi**2)
    x = (n + h) * np.cos(phi) * np.cos(lam)
    y = (n + h) * np.cos(phi) * np.sin(lam)
    z = (n * (1.0 - _E2) + h) * sin_phi
    return np.column_stack(np.broadcast_arrays(x, y, z)).reshape(-1, 3)


def east_north(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Return the local east and north unit vectors (ECEF) at geodetic points, ``(n, 3)`` each.

    Examples
    --------
    >>> east, north = east_north([0.0], [0.0])
    >>> east.tolist(), north.tolist()
    ([[-0.0, 1.0, 0.0]], [[-0.0, -0.0, 1.0]])
    """
    lam = np.radians(np.atleast_1d(np.asarray(lon, dtype=float)))
    phi = np.radians(np.atleast_1d(np.asarray(lat, dtype=float)))
    east = np.column_stack([-np.sin(lam), np.cos(lam), np.zeros(lam.size)])
    north = np.column_stack([-np.sin(phi) * np.cos(lam), -np.sin(phi) * np.sin(lam), np.cos(phi)])
    return east, north


def enu(lon0: ArrayLike, lat0: ArrayLike, delta: FloatArray) -> FloatArray:
    """Rotate ECEF difference vectors into each origin's east-north-up frame.

    Parameters
    ----------
    lon0, lat0
        Origin of each vector in degrees; scalars or arrays of length ``n``.
    delta
        ECEF vectors (target minus origin) of shape ``(n, 3)`` in metres.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(n, 3)``: east, north, up in metres.
    """
    lam = np.radians(np.asarray(lon0, dtype=float))
    phi = np.radians(np.asarray(lat0, dtype=float))
    sl, cl, sp, cp = np.sin(lam), np.cos(lam), np.sin(phi), np.cos(phi)
    dx, dy, dz = delta[:, 0], delta[:, 1], delta[:, 2]
    east = -sl * dx + cl * dy
    north = -sp * cl * dx - sp * sl * dy + cp * dz
    up = cp * cl * dx + cp * sl * dy + sp * dz
    return np.column_stack([east, north, up])


def bearing_deg(east: ArrayLike, north: ArrayLike) -> FloatArray:
    """Return compass bearings (0 = north, clockwise) in degrees in [0, 360)."""
    return np.degrees(np.arctan2(east, north)) % 360.0


def chainage(lon: ArrayLike, lat: ArrayLike) -> FloatArray:
    """Return cumulative geodesic distance along a line's vertices, in metres.

    Examples
    --------
    >>> d = chainage([0.0, 1.0], [0.0, 0.0])
    >>> round(float(d[-1]), 1)
    111319.5
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size < 2:
        return np.zeros(lon.size)
    _, _, dist = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return np.concatenate([[0.0], np.cumsum(dist)])


def interpolate(
    lon: ArrayLike, lat: ArrayLike, at_m: ArrayLike, *, cum: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return points at given geodesic distances along a line.

    Parameters
    ----------
    lon, lat
        Vertices of the line in degrees.
    at_m
        Distances from the first vertex in metres; clipped to the line.
    cum
        The line's :func:`chainage`, when known: then only the edges that
        hold a point are measured (a few points on a long line).

    Returns
    -------
    lon, lat, azimuth
        Coordinates of the points in degrees and the forward azimuth of the
        line at each point (compass degrees).
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    at = np.asarray(at_m, dtype=float)
    az12 = None
    if cum is None:
        az12, _, dist = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
        cum = np.concatenate([[0.0], np.cumsum(dist)])
    at = np.clip(at, 0.0, cum[-1])
    # side="right" skips zero-length edges, so the azimuth is that of a real edge.
    edge = np.clip(np.searchsorted(cum, at, side="right") - 1, 0, len(cum) - 2)
    if az12 is None:
        az_edge, _, _ = GEOD.inv(lon[edge], lat[edge], lon[edge + 1], lat[edge + 1])
    else:
        az_edge = np.atleast_1d(az12)[edge]
    az_edge = np.asarray(az_edge, dtype=float)
    step = at - cum[edge]
    out_lon, out_lat, back = GEOD.fwd(lon[edge], lat[edge], az_edge, step)
    azimuth = (np.asarray(back) + 180.0) % 360.0
    azimuth = np.where(step > 0, azimuth, az_edge % 360.0)
    return np.asarray(out_lon), np.asarray(out_lat), azimuth


def densify(lon: ArrayLike, lat: ArrayLike, max_step_m: float) -> tuple[FloatArray, FloatArray]:
    """Insert geodesic points so that no edge is longer than ``max_step_m``.

    Original vertices are kept; new ones lie on the geodesic between them.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size < 2:
        return lon.copy(), lat.copy()
    cum = chainage(lon, lat)
    lengths = np.diff(cum)
    pieces = np.maximum(1, np.ceil(lengths / max_step_m).astype(int))
    if np.all(pieces == 1):
        return lon.copy(), lat.copy()
    fractions = np.concatenate([np.arange(k) / k for k in pieces])
    edge = np.repeat(np.arange(lengths.size), pieces)
    at = cum[edge] + fractions * lengths[edge]
    new_lon, new_lat, _ = interpolate(lon, lat, at)
    # Keep exact original vertices.
    starts = np.concatenate([[0], np.cumsum(pieces)[:-1]])
    new_lon[starts] = lon[:-1]
    new_lat[starts] = lat[:-1]
    return np.append(new_lon, lon[-1]), np.append(new_lat, lat[-1])


@dataclass(frozen=True)
class Nearest:
    """Nearest point on a set of lines, for each query point.

    Attributes
    ----------
    distance_m
        Distance to the nearest line in metres (``inf`` where none lies within
        the search radius).
    line
        Index of the nearest line (``-1`` where none).
    along_m
        Geodesic distance along that line from its first vertex to the
        nearest point, in metres (``nan`` where none).
    """

    distance_m: FloatArray
    line: NDArray[np.int64]
    along_m: FloatArray


class LineIndex:
    """Spatial index of polylines for distance queries in metres.

    Lines are densified to edges of at most ``max_edge_m`` along the geodesic;
    each edge is then a straight chord in ECEF space, whose sag below the
    ellipsoid (``s² / 8R``, 2 cm for 1 km edges) is negligible.

    Parameters
    ----------
    lines
        Sequence of ``(lon, lat)`` vertex arrays, one per line.
    max_edge_m
        Longest edge kept after densifying, in metres.

    Examples
    --------
    >>> index = LineIndex([([0.0, 0.1], [0.0, 0.0])])
    >>> near = index.nearest([0.05], [0.01], max_distance_m=5000)
    >>> round(float(near.distance_m[0]))
    1106
    """

    def __init__(
        self,
        lines: Sequence[tuple[ArrayLike, ArrayLike]],
        *,
        max_edge_m: float = 1000.0,
    ) -> None:
        starts, ends, line_ids, along0, lengths = [], [], [], [], []
        for i, (lon, lat) in enumerate(lines):
            dlon, dlat = densify(lon, lat, max_edge_m)
            if dlon.size < 2:
                continue
            xyz = ecef(dlon, dlat)
            cum = chainage(dlon, dlat)
            starts.append(xyz[:-1])
            ends.append(xyz[1:])
            line_ids.append(np.full(dlon.size - 1, i))
            along0.append(cum[:-1])
            lengths.append(np.diff(cum))
        self.n_lines = len(lines)
        if starts:
            self._a = np.concatenate(starts)
            self._b = np.concatenate(ends)
            self._line = np.concatenate(line_ids).astype(np.int64)
            self._along0 = np.concatenate(along0)
            self._length = np.concatenate(lengths)
        else:
            self._a = self._b = np.empty((0, 3))
            self._line = np.empty(0, dtype=np.int64)
            self._along0 = self._length = np.empty(0)
        mid = (self._a + self._b) / 2.0
        self._half = np.linalg.norm(self._b - self._a, axis=1) / 2.0 if len(mid) else np.empty(0)
        self._max_half = float(self._half.max()) if len(mid) else 0.0
        self._tree = cKDTree(mid) if len(mid) else None
        self._piece_tree: cKDTree | None = None  # built by _pieces() when first needed
        self._piece_parent = np.empty(0, dtype=np.int64)
        self._piece_half = 0.0

    def pairs(
        self, lon: ArrayLike, lat: ArrayLike, radius_m: float
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], FloatArray, FloatArray]:
        """Return every (point, edge) pair closer than ``radius_m``.

        Returns
        -------
        point, line, distance_m, along_m
            Index of the query point, index of the line, distance from the
            point to the edge in metres and position of the foot of the
            perpendicular along the line in metres.
        """
        xyz = ecef(lon, lat)
        empty = (
            np.empty(0, dtype=np.int64),
            np.empty(0, dtype=np.int64),
            np.empty(0),
            np.empty(0),
        )
        if self._tree is None or len(xyz) == 0:
            return empty
        out_p, out_l, out_d, out_s = [], [], [], []
        chunk = 50_000
        for lo in range(0, len(xyz), chunk):
            part = xyz[lo : lo + chunk]
            hits = self._tree.query_ball_point(part, r=radius_m + self._max_half)
            counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
            if counts.sum() == 0:
                continue
            p = np.repeat(np.arange(len(part)), counts)
            e = np.fromiter((j for h in hits for j in h), dtype=np.int64, count=counts.sum())
            dist, t = _point_segment(part[p], self._a[e], self._b[e])
            keep = dist <= radius_m
            out_p.append(p[keep] + lo)
            out_l.append(self._line[e[keep]])
            out_d.append(dist[keep])
            out_s.append(self._along0[e[keep]] + t[keep] * self._length[e[keep]])
        if not out_p:
            return empty
        return (
            np.concatenate(out_p),
            np.concatenate(out_l),
            np.concatenate(out_d),
            np.concatenate(out_s),
        )

    def nearest(self, lon: ArrayLike, lat: ArrayLike, *, max_distance_m: float) -> Nearest:
        """Return the nearest line within ``max_distance_m`` of each point."""
        n = np.asarray(lon, dtype=float).size
        dist = np.full(n, np.inf)
        line = np.full(n, -1, dtype=np.int64)
        along = np.full(n, np.nan)
        if self._tree is None or n == 0:
            return Nearest(distance_m=dist, line=line, along_m=along)
        # Fast path: edges are cut into pieces of at most _PIECE_M and the
        # edges of the k nearest piece midpoints are measured. The foot of the
        # perpendicular on the nearest edge lies in one of its pieces, whose
        # midpoint is within (its distance + half a piece), so where the k-th
        # piece midpoint lies farther than (best distance + half a piece), the
        # nearest edge is among those measured. Points not settled so try a
        # larger k, and the last few take the exact all-pairs path below.
        # Distances are computed to the whole edge, exactly as there, and
        # ties go to the lowest edge index, as there.
        lon = np.asarray(lon, dtype=float).ravel()
        lat = np.asarray(lat, dtype=float).ravel()
        rest = np.arange(n)
        for k in _NEAREST_K:
            k = min(k, len(self._pieces()[1]))
            unsettled = []
            for lo in range(0, rest.size, _CHUNK):  # chunks keep the (n, k) arrays small
                part = rest[lo : lo + _CHUNK]
                settled, d_k, line_k, along_k = self._nearest_k(
                    lon[part], lat[part], k, max_distance_m
                )
                done = part[settled]
                dist[done], line[done], along[done] = d_k, line_k, along_k
                unsettled.append(part[~settled])
            rest = np.concatenate(unsettled)
            if rest.size == 0:
                return Nearest(distance_m=dist, line=line, along_m=along)
        lon, lat = lon[rest], lat[rest]
        p, ln, d, s = self.pairs(lon, lat, max_distance_m)
        p = rest[p]
        if p.size:
            order = np.lexsort((d, p))
            p, ln, d, s = p[order], ln[order], d[order], s[order]
            first = np.concatenate([[True], p[1:] != p[:-1]])
            dist[p[first]] = d[first]
            line[p[first]] = ln[first]
            along[p[first]] = s[first]
        return Nearest(distance_m=dist, line=line, along_m=along)

    def _pieces(self) -> tuple[cKDTree, NDArray[np.int64], float]:
        """Return a KD-tree of edge-piece midpoints, their edges and the longest half-piece."""
        if self._piece_tree is None:
            chord = 2.0 * self._half
            count = np.maximum(1, np.ceil(chord / _PIECE_M)).astype(np.int64)
            parent = np.repeat(np.arange(len(chord)), count)
            within = np.arange(parent.size) - np.repeat(np.cumsum(count) - count, count)
            frac = (within + 0.5) / count[parent]
            mids = self._a[parent] + frac[:, None] * (self._b - self._a)[parent]
            self._piece_tree = cKDTree(mids)
            self._piece_parent = parent
            self._piece_half = float((self._half / count).max())
        return self._piece_tree, self._piece_parent, self._piece_half

    def _nearest_k(
        self, lon: FloatArray, lat: FloatArray, k: int, max_distance_m: float
    ) -> tuple[NDArray[np.bool_], FloatArray, NDArray[np.int64], FloatArray]:
        """Try the k edges with the nearest midpoints; return which points that settles.

        Returns the settled mask and, for the settled points, distance, line
        and along (``inf``, -1 and ``nan`` where no line is within reach).
        """
        n = lon.size
        xyz = ecef(lon, lat)
        tree, parent, piece_half = self._pieces()
        mid_d, piece = tree.query(
            xyz, k=k, distance_upper_bound=max_distance_m + piece_half, workers=-1
        )
        mid_d, piece = mid_d.reshape(n, k), piece.reshape(n, k)
        valid = piece < len(parent)
        # Several of the k pieces are often cut from one edge: measure each
        # (point, edge) pair once. Edges sorted per point, so that the first
        # of tied distances is the lowest edge index.
        none = np.iinfo(np.int64).max
        e = np.sort(np.where(valid, parent[np.minimum(piece, len(parent) - 1)], none), axis=1)
        first = e != none
        first[:, 1:] &= e[:, 1:] != e[:, :-1]
        rows, cols = np.nonzero(first)
        d_u, t_u = _point_segment(xyz[rows], self._a[e[rows, cols]], self._b[e[rows, cols]])
        d_all = np.full((n, k), np.inf)
        t_all = np.zeros((n, k))
        d_all[rows, cols] = np.where(d_u <= max_distance_m, d_u, np.inf)
        t_all[rows, cols] = t_u
        best = np.argmin(d_all, axis=1)
        best_d = d_all[np.arange(n), best]
        best_e = np.where(np.isfinite(best_d), e[np.arange(n), best], 0)
        bound = np.where(np.isfinite(best_d), best_d, max_distance_m) + piece_half
        settled = ~valid[:, -1] | (mid_d[:, -1] > bound) | (k == len(parent))
        found = np.isfinite(best_d[settled])
        chosen = best_e[settled]
        t_best = t_all[np.arange(n), best][settled]
        dist = np.where(found, best_d[settled], np.inf)
        line = np.where(found, self._line[chosen], -1)
        along = np.where(found, self._along0[chosen] + t_best * self._length[chosen], np.nan)
        return settled, dist, line, along

    def distance(self, lon: ArrayLike, lat: ArrayLike, *, max_distance_m: float) -> FloatArray:
        """Return the distance in metres to the nearest line (``inf`` beyond the limit)."""
        return self.nearest(lon, lat, max_distance_m=max_distance_m).distance_m


def _point_segment(p: FloatArray, a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return distance from points to 3-D segments and the segment parameter t."""
    ab = b - a
    denom = np.einsum("ij,ij->i", ab, ab)
    t = np.einsum("ij,ij->i", p - a, ab) / np.where(denom > 0, denom, 1.0)
    t = np.clip(t, 0.0, 1.0)
    foot = a + t[:, None] * ab
    return np.linalg.norm(p - foot, axis=1), t


def step(
    lon: ArrayLike, lat: ArrayLike, azimuth_deg: ArrayLike, distance_m: float
) -> tuple[FloatArray, FloatArray]:
    """Move points a short distance along an azimuth (local ellipsoidal step).

    Uses the meridian (M) and prime-vertical (N) radii of curvature at each
    point: ``Δφ = d cos α / M``, ``Δλ = d sin α / (N cos φ)``. For steps of a
    few hundred metres the error against :meth:`pyproj.Geod.fwd` is a few
    millimetres, at a fraction of the cost.

    Examples
    --------
    >>> lon, lat = step([70.0], [40.0], [37.0], 300.0)
    >>> _, _, d = GEOD.inv(70.0, 40.0, lon[0], lat[0])
    >>> round(float(d), 2)
    300.0
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    alpha = np.radians(np.asarray(azimuth_deg, dtype=float))
    phi = np.radians(lat)
    w = np.sqrt(1.0 - _E2 * np.sin(phi) ** 2)
    prime = _A / w
    meridian = _A * (1.0 - _E2) / w**3
    new_lat = lat + np.degrees(distance_m * np.cos(alpha) / meridian)
    new_lon = lon + np.degrees(distance_m * np.sin(alpha) / (prime * np.cos(phi)))
    return new_lon, new_lat


def split_at_antimeridian(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of a frame in EPSG:4326 with lines and polygons cut at ±180°.

    A segment that crosses the antimeridian comes back from the metric CRS
    with a vertex at 179.99° and the next at -179.99°; drawn or stored as it
    is, it spans 360° of longitude. Geometries wider than 180° are cut at the
    antimeridian into a multi-part geometry with the :mod:`antimeridian`
    package (crossings on the great circle); others are left as they are.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> line = LineString([(179.9, 65.0), (-179.9, 65.0)])
    >>> cut = split_at_antimeridian(gpd.GeoDataFrame(geometry=[line], crs=4326))
    >>> cut.geometry.iloc[0].geom_type, [float(x) for x in cut.total_bounds[[0, 2]]]
    ('MultiLineString', [-180.0, 180.0])
    >>> [round(part.length, 6) for part in cut.geometry.iloc[0].geoms]
    [0.1, 0.1]
    """
    import geopandas as gpd
    import shapely
    from shapely.geometry import shape
    from shapely.geometry.polygon import orient

    geoms = frame.geometry.to_numpy()
    bounds = shapely.bounds(geoms)
    wide = np.flatnonzero(
        (bounds[:, 2] - bounds[:, 0] > 180.0)
        & ~shapely.is_empty(geoms)
        & np.isin(shapely.get_type_id(geoms), (1, 3, 5, 6))  # (multi)lines, (multi)polygons
    )
    if len(wide) == 0:
        return frame
    import antimeridian

    out = frame.copy()
    fixed = []
    for geom in geoms[wide]:
        if geom.geom_type == "Polygon":
            geom = orient(geom, 1.0)
        elif geom.geom_type == "MultiPolygon":
            geom = shapely.MultiPolygon([orient(p, 1.0) for p in geom.geoms])
        fixed.append(shape(antimeridian.fix_shape(geom, fix_winding=False)))
    column = out.geometry.name
    values = out[column].to_numpy().copy()
    values[wide] = fixed
    out[column] = gpd.GeoSeries(values, index=out.index, crs=frame.crs)
    return out


def length_m(geometry: Any) -> float:
    """Return the geodesic length of a (Multi)LineString in lon/lat degrees, metres.

    Examples
    --------
    >>> import shapely
    >>> round(length_m(shapely.LineString([(70, 40), (70, 41)])))  # pyproj.Geod: 111044.26
    111044
    """
    import shapely

    total = 0.0
    for part in shapely.get_parts(geometry):
        xy = shapely.get_coordinates(part)
        if len(xy) >= 2:
            total += float(chainage(xy[:, 0], xy[:, 1])[-1])
    return total
