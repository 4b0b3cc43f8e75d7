"""Cut border sections into segments with chainage, and sample target points.

Chainage is geodesic: a segment of 1000 m is 1000 m on the WGS 84 ellipsoid,
whatever the section's length or UTM zone, so segment lengths agree with
:class:`pyproj.Geod` to rounding. Each part of a multi-part section (an
enclave, a line broken by a river stretch) is cut on its own; chainage runs on
across parts in the order they are stored, and no segment spans two parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from surveil import geodesy

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
        part is shorter.

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
        Length of border the point stands for, in metres.
    """

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    azimuth_deg: NDArray[np.float64]
    segment: NDArray[np.int64]
    weight_m: NDArray[np.float64]

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
    """Place target points every ``sample_m`` metres along each segment.

    A segment of length L gets ``n = ceil(L / sample_m)`` points at the
    middles of n equal pieces, each standing for ``L / n`` metres.

    Parameters
    ----------
    segments
        Output of :func:`segment_border`.
    sample_m
        Spacing of target points in metres.
    """
    if sample_m <= 0:
        raise ValueError(f"sample_m is {sample_m}; expected a positive spacing in metres")
    lons, lats, azs, segs, weights = [], [], [], [], []
    lengths = segments["length_m"].to_numpy(dtype=float)
    counts = np.maximum(1, np.ceil(lengths / sample_m - 1e-9).astype(np.int64))
    steps = lengths / counts
    rows = np.arange(len(segments))
    for (_, _), group in segments.groupby(["section", "part"], sort=False).indices.items():
        group = rows[group]
        coords = _join_coords(segments.geometry.to_numpy()[group])
        start_m = segments["km_from"].to_numpy()[group] * 1000.0
        start_m = start_m - start_m[0]
        seg = np.repeat(group, counts[group])
        within = np.arange(seg.size) - np.repeat(
            np.cumsum(counts[group]) - counts[group], counts[group]
        )
        at = start_m[np.searchsorted(group, seg)] + (within + 0.5) * steps[seg]
        lon, lat, az = geodesy.interpolate(coords[:, 0], coords[:, 1], at)
        lons.append(lon)
        lats.append(lat)
        azs.append(az)
        segs.append(seg)
        weights.append(steps[seg])
    if not lons:
        empty = np.empty(0)
        return TargetPoints(empty, empty, empty, np.empty(0, dtype=np.int64), empty)
    return TargetPoints(
        lon=np.concatenate(lons),
        lat=np.concatenate(lats),
        azimuth_deg=np.concatenate(azs),
        segment=np.concatenate(segs),
        weight_m=np.concatenate(weights),
    )


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
    points farther than ``max_distance_m`` from every section.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> border = gpd.GeoDataFrame(
    ...     {"section": ["A"]}, geometry=[shapely.LineString([(70, 40), (70.1, 40)])], crs=4326
    ... )
    >>> border_side(border, np.array([70.05, 70.05]), np.array([39.99, 40.01])).tolist()
    [1, -1]
    """
    lines = line_vertices(border.geometry)
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    side = np.zeros(lon.size, dtype=np.int64)
    near = geodesy.LineIndex(lines).nearest(lon, lat, max_distance_m=max_distance_m)
    for i in np.unique(near.line[near.line >= 0]):
        mine = np.flatnonzero(near.line == i)
        line_lon, line_lat = lines[i]
        foot_lon, foot_lat, azimuth = geodesy.interpolate(line_lon, line_lat, near.along_m[mine])
        bearing, _, _ = geodesy.GEOD.inv(foot_lon, foot_lat, lon[mine], lat[mine])
        side[mine] = np.where(np.sin(np.radians(np.asarray(bearing) - azimuth)) >= 0, 1, -1)
    return side
