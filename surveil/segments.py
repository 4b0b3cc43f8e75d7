"""Cut border sections into segments with chainage, and sample target points.

Chainage is geodesic: a segment of 1000 m is 1000 m on the WGS 84 ellipsoid,
whatever the section's length or UTM zone, so segment lengths agree with
:class:`pyproj.Geod` to rounding. Each part of a multi-part section (an
enclave, a line broken by a river stretch) is cut on its own; chainage runs on
across parts in the order they are stored, and no segment spans two parts.

Direction of chainage
---------------------
Before it is cut, every section part is oriented by :func:`orient_border` so
that the **own side lies on the right** of the direction of chainage: walking
from km 0 the own country is on the right hand, the neighbour on the left.
Positive offsets square to the line (:meth:`TargetPoints.offset`, the
inner half of each crossing path, ``path_depth_m``) therefore go into the own
territory and negative ones towards the neighbour, whichever way the line was digitised, and
``country_right`` names the own country. Reversing the vertex order of any
input section changes nothing downstream.

Target points
-------------
Target points are placed along each section part independently of the
segment length (:func:`sample_targets`): ``n = ceil(L / sample_m)`` points at
the middles of n equal intervals, each standing for ``L / n`` metres. Segments
only read them: where a point's interval straddles a segment boundary, the
point is listed once for each segment with the length of the overlap, so
segment means are exact integrals of the point values and covered and gap
lengths do not depend on ``segment_m``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from surveil import geodesy
from surveil.errors import InputWarning

SEGMENT_COLUMNS = ["section", "part", "segment_id", "km_from", "km_to", "length_m"]


def section_parts(geometry: shapely.Geometry) -> list[NDArray[np.float64]]:
    """Return the (n, 2) lon/lat vertex arrays of each part of a border line."""
    parts = shapely.get_parts(geometry)
    out = []
    for part in parts:
        coords = shapely.get_coordinates(part)
        if len(coords) >= 2 and geodesy.chainage(coords[:, 0], coords[:, 1])[-1] > 0:
            out.append(coords)
    return out


def line_vertices(
    geometries: gpd.GeoSeries,
) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Return the ``(lon, lat)`` vertex arrays of every part of every line."""
    return [
        (coords[:, 0], coords[:, 1])
        for geom in geometries.to_numpy()
        for coords in section_parts(geom)
    ]


def segment_border(border: gpd.GeoDataFrame, *, segment_m: float = 1000.0) -> gpd.GeoDataFrame:
    """Cut each border section into segments of ``segment_m`` metres.

    Parameters
    ----------
    border
        Sections in EPSG:4326 with a ``section`` column and (Multi)LineString
        geometries, one row per section (as :func:`surveil.layers.read_layer`
        returns them).
    segment_m
        Segment length in metres along the geodesic. The last segment of each
        part is shorter; one shorter than :func:`sliver_m` (a sliver) is
        merged into the segment before it, which is then up to that much
        longer than ``segment_m``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per segment, in EPSG:4326: ``section``, ``part`` (0-based),
        ``segment_id`` (1-based, unique over all sections), ``km_from``,
        ``km_to`` (chainage in km from the start of the section) and
        ``length_m`` (geodesic), with LineString geometry.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> border = gpd.GeoDataFrame(
    ...     {"section": ["A"]}, geometry=[shapely.LineString([(70, 40), (70.1, 40)])], crs=4326
    ... )
    >>> segments = segment_border(border, segment_m=2500)
    >>> segments[["segment_id", "km_from", "km_to"]].round(3).values.tolist()
    [[1.0, 0.0, 2.5], [2.0, 2.5, 5.0], [3.0, 5.0, 7.5], [4.0, 7.5, 8.539]]
    """
    if segment_m <= 0:
        raise ValueError(f"segment_m is {segment_m}; expected a positive length in metres")
    frames = []
    for row in border.itertuples(index=False):
        offset = 0.0
        for part_no, coords in enumerate(section_parts(row.geometry)):
            geoms, starts, ends = _cut_part(coords, segment_m)
            frames.append(
                pd.DataFrame(
                    {
                        "section": row.section,
                        "part": part_no,
                        "km_from": (offset + starts) / 1000.0,
                        "km_to": (offset + ends) / 1000.0,
                        "length_m": ends - starts,
                        "geometry": geoms,
                    }
                )
            )
            offset += ends[-1]
    if frames:
        table = pd.concat(frames, ignore_index=True)
    else:
        table = pd.DataFrame({c: [] for c in [*SEGMENT_COLUMNS, "geometry"]})
    table.insert(2, "segment_id", np.arange(1, len(table) + 1, dtype=np.int64))
    table["part"] = table["part"].astype(np.int64)
    return gpd.GeoDataFrame(table, geometry="geometry", crs="EPSG:4326")


def sliver_m(segment_m: float) -> float:
    """Return the length below which a part's last segment joins the one before.

    ``min(1 m, 1 % of segment_m)``: shorter pieces are rounding remainders,
    not stretches of border worth a row (and would get the incidents of
    their end point).

    Examples
    --------
    >>> sliver_m(1000.0), sliver_m(50.0)
    (1.0, 0.5)
    """
    return min(1.0, 0.01 * segment_m)


def _cut_part(
    coords: NDArray[np.float64], segment_m: float
) -> tuple[NDArray[np.object_], NDArray[np.float64], NDArray[np.float64]]:
    """Cut one line part; return segment geometries and their start/end chainage."""
    lon, lat = coords[:, 0], coords[:, 1]
    cum = geodesy.chainage(lon, lat)
    total = cum[-1]
    n = int(np.ceil(total / segment_m - 1e-9))
    bounds = np.minimum(np.arange(n + 1) * segment_m, total)
    bounds[-1] = total
    if n > 1 and bounds[-1] - bounds[-2] < sliver_m(segment_m):
        bounds = np.delete(bounds, -2)
        n -= 1
    cut_lon, cut_lat, _ = geodesy.interpolate(lon, lat, bounds)
    cut_lon[0], cut_lat[0], cut_lon[-1], cut_lat[-1] = lon[0], lat[0], lon[-1], lat[-1]
    # Interior vertices of segment i: those with bounds[i] < cum < bounds[i+1].
    lo = np.searchsorted(cum, bounds[:-1], side="right")
    hi = np.searchsorted(cum, bounds[1:], side="left")
    inner = np.maximum(hi - lo, 0)
    counts = inner + 2
    seg = np.repeat(np.arange(n), counts)
    pos = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    vertex = lo[seg] + pos - 1
    is_start = pos == 0
    is_end = pos == counts[seg] - 1
    xs = np.where(is_start, cut_lon[seg], np.where(is_end, cut_lon[seg + 1], 0.0))
    ys = np.where(is_start, cut_lat[seg], np.where(is_end, cut_lat[seg + 1], 0.0))
    middle = ~(is_start | is_end)
    xs[middle] = lon[vertex[middle]]
    ys[middle] = lat[vertex[middle]]
    geoms = shapely.linestrings(np.column_stack([xs, ys]), indices=seg)
    return geoms, bounds[:-1], bounds[1:]


@dataclass(frozen=True)
class TargetPoints:
    """Points where a crossing of the border is assessed.

    Attributes
    ----------
    lon, lat
        Position on the border line in degrees.
    azimuth_deg
        Direction of the line at the point (compass degrees); crossing paths
        run square to it (see :meth:`paths_xyz`).
    segment
        Row position of the point's segment in the segments frame.
    weight_m
        Length of border the entry stands for, in metres.
    from_m
        Section chainage where that stretch starts, in metres.
    point
        Id of the target point: a point whose stretch spans a segment
        boundary is listed once per segment, with the same id and position.
    """

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    azimuth_deg: NDArray[np.float64]
    segment: NDArray[np.int64]
    weight_m: NDArray[np.float64]
    from_m: NDArray[np.float64]
    point: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.lon.size)

    @property
    def n_segments(self) -> int:
        """Number of segments the points belong to (every segment has points)."""
        return int(self.segment.max()) + 1 if self.segment.size else 0

    def paths_xyz(self, depth_m: float) -> NDArray[np.float64]:
        """Return the ECEF ends of the crossing paths, shape ``(2, points, 3)``.

        The crossing path at a target point is the straight segment through
        it, square to the line in its tangent plane, from ``depth_m`` on its
        left (``[0]``) to ``depth_m`` on its right (``[1]``). All paths of one
        point lie on one line with one centre, so a deeper path contains a
        shallower one exactly, and reversing the line swaps the ends. The
        ends stand ``d² / 2R`` above the ellipsoid (7 mm at d = 300 m) and are
        within ``d³ / R²`` of the ground positions :meth:`offset` gives.
        """
        centre = geodesy.ecef(self.lon, self.lat)
        east, north = geodesy.east_north(self.lon, self.lat)
        right = np.radians(self.azimuth_deg + 90.0)[:, None]
        across = np.sin(right) * east + np.cos(right) * north
        return np.stack([centre - depth_m * across, centre + depth_m * across])

    def offset(self, offset_m: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return the points moved ``offset_m`` metres square to the line.

        Positive offsets go to the right of the direction of chainage,
        negative ones to the left (see :func:`surveil.geodesy.step`).
        """
        if offset_m == 0:
            return self.lon, self.lat
        return geodesy.step(self.lon, self.lat, self.azimuth_deg + 90.0, offset_m)


def sample_targets(segments: gpd.GeoDataFrame, *, sample_m: float = 50.0) -> TargetPoints:
    """Place target points every ``sample_m`` metres along each section part.

    A part of length L gets ``n = ceil(L / sample_m)`` points at the middles
    of n equal intervals, each standing for ``L / n`` metres, whatever the
    segment length. A point is listed once for each segment its interval
    overlaps, with that overlap as its weight, so the weights of a segment's
    entries add up to its length.

    Parameters
    ----------
    segments
        Output of :func:`segment_border`.
    sample_m
        Spacing of target points in metres.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> border = gpd.GeoDataFrame(
    ...     {"section": ["A"]}, geometry=[shapely.LineString([(70, 40), (70.1, 40)])], crs=4326
    ... )
    >>> targets = sample_targets(segment_border(border, segment_m=5000), sample_m=2000)
    >>> targets.point.tolist(), targets.segment.tolist()
    ([0, 1, 2, 2, 3, 4], [0, 0, 0, 1, 1, 1])
    >>> targets.weight_m.round(1).tolist()
    [1707.9, 1707.9, 1584.2, 123.6, 1707.9, 1707.9]
    """
    if sample_m <= 0:
        raise ValueError(f"sample_m is {sample_m}; expected a positive spacing in metres")
    pieces: list[tuple[NDArray[np.float64], ...]] = []
    segs: list[NDArray[np.int64]] = []
    ids: list[NDArray[np.int64]] = []
    first_id = 0
    rows = np.arange(len(segments))
    geometries = segments.geometry.to_numpy()
    km_from = segments["km_from"].to_numpy(dtype=float)
    lengths = segments["length_m"].to_numpy(dtype=float)
    for group in segments.groupby(["section", "part"], sort=False).indices.values():
        group = rows[group]
        group = group[np.argsort(km_from[group], kind="stable")]
        coords = _join_coords(geometries[group])
        offset_m = km_from[group[0]] * 1000.0
        bounds = np.concatenate([[0.0], np.cumsum(lengths[group])])
        point, seg, start, weight, centre = _split_points(bounds, sample_m)
        lon, lat, az = geodesy.interpolate(coords[:, 0], coords[:, 1], centre)
        pieces.append((lon[point], lat[point], az[point], weight, offset_m + start))
        segs.append(group[seg])
        ids.append(first_id + point)
        first_id += centre.size
    if not pieces:
        empty = np.empty(0)
        none = np.empty(0, dtype=np.int64)
        return TargetPoints(empty, empty, empty, none, empty, empty, none)
    lon, lat, az, weight, start = (np.concatenate(c) for c in zip(*pieces, strict=True))
    return TargetPoints(
        lon=lon,
        lat=lat,
        azimuth_deg=az,
        segment=np.concatenate(segs),
        weight_m=weight,
        from_m=start,
        point=np.concatenate(ids),
    )


def _split_points(
    bounds: NDArray[np.float64], sample_m: float
) -> tuple[
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
]:
    """Cut the point intervals of one part at its segment bounds.

    Returns, per piece, the point and segment (0-based within the part), the
    piece's start and length along the part, and the centres of the points.
    Cuts closer than a micrometre (rounding) count as one.
    """
    total = float(bounds[-1])
    n = max(1, int(np.ceil(total / sample_m - 1e-9)))
    step = total / n
    edges = np.arange(n + 1, dtype=np.float64) * step
    edges[-1] = total
    cuts = np.unique(np.concatenate([edges, bounds]))
    keep = np.concatenate([[True], np.diff(cuts) > 1e-6])
    cuts = cuts[keep]
    cuts[-1] = total
    mid = 0.5 * (cuts[:-1] + cuts[1:])
    point = np.clip(np.searchsorted(edges, mid, side="right") - 1, 0, n - 1)
    seg = np.clip(np.searchsorted(bounds, mid, side="right") - 1, 0, bounds.size - 2)
    centre = (np.arange(n, dtype=np.float64) + 0.5) * step
    return point.astype(np.int64), seg.astype(np.int64), cuts[:-1], np.diff(cuts), centre


def point_intervals(targets: TargetPoints, segments: pd.DataFrame) -> pd.DataFrame:
    """Return each target-point entry's place on the chainage.

    Returns
    -------
    pandas.DataFrame
        One row per entry of ``targets`` (same order): ``section``, ``part``,
        ``point`` (id of the target point), ``from_m`` and ``to_m`` (section
        chainage of the stretch the entry stands for, metres).
    """
    return pd.DataFrame(
        {
            "section": segments["section"].to_numpy()[targets.segment],
            "part": segments["part"].to_numpy()[targets.segment],
            "point": targets.point,
            "from_m": targets.from_m,
            "to_m": targets.from_m + targets.weight_m,
        }
    )


def part_line(segments: pd.DataFrame) -> tuple[NDArray[np.float64], float]:
    """Return the vertices of one part from its segments, and its start chainage in m.

    ``segments`` holds the rows of one section part (any order).
    """
    rows = segments.sort_values("km_from")
    return _join_coords(rows.geometry.to_numpy()), float(rows["km_from"].iloc[0]) * 1000.0


def sub_line(
    coords: NDArray[np.float64],
    start_m: float,
    end_m: float,
    *,
    cum: NDArray[np.float64] | None = None,
) -> shapely.LineString:
    """Return the stretch of a line from ``start_m`` to ``end_m`` along it (geodesic).

    ``cum`` is the line's :func:`surveil.geodesy.chainage` when the caller
    cuts several stretches from one line (measured once, not per stretch).

    Examples
    --------
    >>> line = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    >>> shapely.get_coordinates(sub_line(line, 55659.75, 166979.24)).round(3).tolist()
    [[0.5, 0.0], [1.0, 0.0], [1.5, 0.0]]
    """
    lon, lat = coords[:, 0], coords[:, 1]
    if cum is None:
        cum = geodesy.chainage(lon, lat)
    at = np.clip(np.array([start_m, end_m], dtype=float), 0.0, cum[-1])
    ends_lon, ends_lat, _ = geodesy.interpolate(lon, lat, at, cum=cum)
    inner = (cum > at[0]) & (cum < at[1])
    xs = np.concatenate([[ends_lon[0]], lon[inner], [ends_lon[1]]])
    ys = np.concatenate([[ends_lat[0]], lat[inner], [ends_lat[1]]])
    return shapely.LineString(np.column_stack([xs, ys]))


def _join_coords(geoms: NDArray[np.object_]) -> NDArray[np.float64]:
    """Join the vertices of consecutive segments of one part into one line."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    first = np.concatenate([[True], index[1:] != index[:-1]])
    first[0] = False
    return coords[~first]


def border_side(
    border: gpd.GeoDataFrame,
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    *,
    max_distance_m: float = 50_000.0,
) -> NDArray[np.int64]:
    """Tell on which side of the border each point lies.

    Returns +1 right of the direction of chainage, −1 left of it, and 0 for
    points farther than ``max_distance_m`` from every section. On a border
    oriented by :func:`orient_border`, +1 is the own side of the nearest
    section part.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> border = gpd.GeoDataFrame(
    ...     {"section": ["A"]}, geometry=[shapely.LineString([(70, 40), (70.1, 40)])], crs=4326
    ... )
    >>> border_side(border, np.array([70.05, 70.05]), np.array([39.99, 40.01])).tolist()
    [1, -1]
    """
    _, side = _sides(line_vertices(border.geometry), lon, lat, max_distance_m=max_distance_m)
    return side


def _sides(
    lines: Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    *,
    max_distance_m: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return each point's nearest line (−1 if none in reach) and side of it (+1 right)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    side = np.zeros(lon.size, dtype=np.int64)
    if not lines:
        return np.full(lon.size, -1, dtype=np.int64), side
    near = geodesy.LineIndex(lines).nearest(lon, lat, max_distance_m=max_distance_m)
    for i in np.unique(near.line[near.line >= 0]):
        mine = np.flatnonzero(near.line == i)
        line_lon, line_lat = lines[i]
        foot_lon, foot_lat, azimuth = geodesy.interpolate(line_lon, line_lat, near.along_m[mine])
        bearing, _, _ = geodesy.GEOD.inv(foot_lon, foot_lat, lon[mine], lat[mine])
        side[mine] = np.where(np.sin(np.radians(np.asarray(bearing) - azimuth)) >= 0, 1, -1)
    return near.line, side


def orient_border(
    border: gpd.GeoDataFrame,
    *,
    own_country: str = "",
    posture: Sequence[gpd.GeoDataFrame] = (),
    max_distance_m: float = 50_000.0,
) -> gpd.GeoDataFrame:
    """Orient every section part so that the own side lies right of chainage.

    The own side of a section is, in this order:

    1. the side whose ``country_left`` / ``country_right`` equals
       ``own_country`` (case and surrounding blanks ignored), for all parts
       of the section;
    2. otherwise, per part, the side where most of the ``posture`` points
       (sensors, posts) stand, each counted for its nearest part within
       ``max_distance_m``. An :class:`~surveil.errors.InputWarning` names the
       section when ``own_country`` names neither of its countries, when as
       many points stand on each side, or when none is near; such a part
       keeps its digitised direction.

    A part whose own side is on the left is reversed (its vertex order), so
    chainage starts at its other end; ``country_left`` and ``country_right``
    are swapped where the reversed parts make up most of the section.

    Parameters
    ----------
    border
        Sections as :func:`surveil.layers.read_layer` returns them.
    own_country
        Name of the country whose side is assessed; empty to decide by the
        posture.
    posture
        Point layers that stand on the own side (sensors in service, posts).
    max_distance_m
        Points farther than this from every part do not vote, metres.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``border`` with oriented geometries (parts of zero length
        dropped); the input is not modified.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> border = gpd.GeoDataFrame(
    ...     {"section": ["A"], "country_left": ["Own"], "country_right": ["Other"]},
    ...     geometry=[shapely.LineString([(70, 40), (70.1, 40)])], crs=4326,
    ... )
    >>> oriented = orient_border(border, own_country="own")
    >>> oriented.geometry.iloc[0].coords[0], oriented["country_right"].iloc[0]
    ((70.1, 40.0), 'Own')
    """
    sections = border["section"].astype(str).tolist()
    parts = [section_parts(geom) for geom in border.geometry.to_numpy()]
    flip = [np.zeros(len(p), dtype=bool) for p in parts]
    by_posture = []
    for row in range(len(sections)):
        decided = _side_by_country(border, row, own_country)
        if decided is None:
            by_posture.append(row)
        else:
            flip[row][:] = decided < 0
    if by_posture:
        votes = _posture_votes([parts[r] for r in by_posture], posture, max_distance_m)
        for row, part_votes in zip(by_posture, votes, strict=True):
            for k, (left, right) in enumerate(part_votes):
                flip[row][k] = left > right
                if left == right:
                    _warn_undecided(sections[row], k, len(parts[row]), left, right)
    out = border.copy()
    geoms = []
    swap = np.zeros(len(border), dtype=bool)
    for row, (coords, flipped) in enumerate(zip(parts, flip, strict=True)):
        oriented = [c[::-1].copy() if f else c for c, f in zip(coords, flipped, strict=True)]
        lengths = np.array([geodesy.chainage(c[:, 0], c[:, 1])[-1] for c in coords])
        swap[row] = bool(lengths[flipped].sum() > 0.5 * lengths.sum()) if coords else False
        if not oriented:
            geoms.append(border.geometry.iloc[row])
        elif len(oriented) == 1:
            geoms.append(shapely.LineString(oriented[0]))
        else:
            geoms.append(shapely.MultiLineString(oriented))
    out = out.set_geometry(gpd.GeoSeries(geoms, index=border.index, crs=border.crs))
    if {"country_left", "country_right"} <= set(out.columns) and swap.any():
        left = out["country_left"].to_numpy().copy()
        right = out["country_right"].to_numpy().copy()
        out["country_left"] = np.where(swap, right, left)
        out["country_right"] = np.where(swap, left, right)
    return out


def orient_like(border: gpd.GeoDataFrame, reference: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """Orient ``border`` as ``reference`` is, when both hold the same lines.

    ``reference`` is an oriented border (:func:`orient_border`); a plan takes
    its baseline's orientation this way, so that means it adds can never move
    the chainage. Returns None unless every section and part of ``border``
    has the vertices of the same part of ``reference``, in either order.
    """
    if border["section"].tolist() != reference["section"].tolist():
        return None
    geoms = []
    for mine, theirs in zip(border.geometry, reference.geometry, strict=True):
        a, b = section_parts(mine), section_parts(theirs)
        if len(a) != len(b):
            return None
        for x, y in zip(a, b, strict=True):
            if not (np.array_equal(x, y) or np.array_equal(x[::-1], y)):
                return None
        geoms.append(theirs)
    out = border.copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=border.index, crs=border.crs))
    for column in ("country_left", "country_right"):
        if column in out.columns and column in reference.columns:
            out[column] = reference[column].to_numpy()
    return out


def _side_by_country(border: gpd.GeoDataFrame, row: int, own_country: str) -> int | None:
    """Return +1 / −1 when ``own_country`` is the section's right / left country."""
    own = own_country.strip().casefold()
    if not own or not {"country_left", "country_right"} <= set(border.columns):
        if own:
            _warn_country(str(border["section"].iloc[row]), own_country, "", "")
        return None
    left = str(border["country_left"].iloc[row] or "")
    right = str(border["country_right"].iloc[row] or "")
    if right.strip().casefold() == own:
        return 1
    if left.strip().casefold() == own:
        return -1
    _warn_country(str(border["section"].iloc[row]), own_country, left, right)
    return None


def _posture_votes(
    parts: Sequence[Sequence[NDArray[np.float64]]],
    posture: Sequence[gpd.GeoDataFrame],
    max_distance_m: float,
) -> list[list[tuple[int, int]]]:
    """Count posture points left and right of each part (nearest part only)."""
    flat = [(c[:, 0], c[:, 1]) for row in parts for c in row]
    layers = [f for f in posture if len(f)]
    lon = np.concatenate([f.geometry.x.to_numpy() for f in layers]) if layers else np.empty(0)
    lat = np.concatenate([f.geometry.y.to_numpy() for f in layers]) if layers else np.empty(0)
    line, side = _sides(flat, lon, lat, max_distance_m=max_distance_m)
    right = np.bincount(line[side > 0], minlength=len(flat))
    left = np.bincount(line[side < 0], minlength=len(flat))
    out, k = [], 0
    for row in parts:
        out.append([(int(left[k + i]), int(right[k + i])) for i in range(len(row))])
        k += len(row)
    return out


def _warn_country(section: str, own_country: str, left: str, right: str) -> None:
    warnings.warn(
        f"border section {section!r}: own_country {own_country!r} is neither its "
        f"country_left ({left!r}) nor its country_right ({right!r}); taking the side "
        "where most sensors and posts stand",
        InputWarning,
        stacklevel=4,
    )


def _warn_undecided(section: str, part: int, n_parts: int, left: int, right: int) -> None:
    where = f"border section {section!r}" + (f" part {part}" if n_parts > 1 else "")
    why = (
        "no sensor or post stands near it"
        if left == right == 0
        else f"as many sensors and posts stand on each side ({left} left, {right} right)"
    )
    warnings.warn(
        f"{where}: cannot tell the own side, {why}; taking the right of the digitised "
        "direction (give country_left / country_right and the own_country parameter)",
        InputWarning,
        stacklevel=4,
    )
