"""Check and clip layers by their distance to the border."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from surveil.errors import InputError, Problem
from surveil.geodesy import LineIndex, densify, ecef
from surveil.layers.geometry import _geometry_family, _row_list


def check_near_border(
    features: gpd.GeoDataFrame,
    border: gpd.GeoDataFrame,
    *,
    kind: str,
    source: str,
    max_distance_km: float = 100.0,
) -> None:
    """Refuse a layer whose features lie far from the border.

    A point is far when it lies more than ``max_distance_km`` from every
    border line; a line (patrol route, road) when all its vertices do.

    Parameters
    ----------
    features
        Layer as returned by :func:`read_layer` (EPSG:4326).
    border
        Border as returned by :func:`read_layer` (EPSG:4326).
    kind
        Layer kind, for the message.
    source
        File name, for the message.
    max_distance_km
        Largest distance from the border accepted, in km.

    Raises
    ------
    surveil.errors.InputError
        Naming the layer, file, the first ten far rows with their distance,
        the count, and whether swapping longitude and latitude would help.
    """
    limit_m = max_distance_km * 1000.0
    measure = _BorderDistance(border)
    geoms = features.geometry.to_numpy()
    far = measure.far(geoms, limit_m)
    if not far.any():
        return
    where = np.flatnonzero(far)
    rows = _source_rows(features)[where]
    swapped = shapely.transform(geoms[where], lambda xy: xy[:, ::-1])
    swappable = np.array([_in_degrees(g) for g in swapped], dtype=bool)
    swap_near = np.zeros(len(where), dtype=bool)
    if swappable.any():
        swap_near[swappable] = ~measure.far(swapped[swappable], limit_m)
    distances = measure.approx_distance_m(geoms[where[:10]])
    count = len(where)
    overview = (
        f"{count} of {len(features)} features lie more than {max_distance_km:g} km "
        f"from the border (rows {_row_list(list(rows))})"
    )
    if swap_near.sum() * 2 >= count:
        overview += (
            "; longitude and latitude look swapped: swap the coordinate columns "
            "(or the axis order) and read the layer again"
        )
    else:
        overview += "; check the CRS of the layer, or that it belongs to this border"
    # The overview is a problem too, so that it survives when problems are collected.
    problems = [Problem(source, kind, None, None, None, overview)]
    problems += [
        Problem(source, kind, int(r), None, None, f"lies about {d / 1000:,.0f} km from the border")
        for r, d in zip(rows[:10], distances, strict=True)
    ]
    raise InputError(f"{source}, layer {kind}: features lie far from the border", problems)


def clip_to_border(
    features: gpd.GeoDataFrame, border: gpd.GeoDataFrame, *, max_distance_km: float
) -> gpd.GeoDataFrame:
    """Keep only the features within ``max_distance_km`` of the border.

    For context layers (settlements, roads) that may cover a whole country.
    A line is kept when any of its vertices lies within the distance.

    Parameters
    ----------
    features, border
        Layers as returned by :func:`read_layer` (EPSG:4326).
    max_distance_km
        Largest distance from the border kept, in km.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame with the near features, index ``0..n-1``.
    """
    far = _BorderDistance(border).far(features.geometry.to_numpy(), max_distance_km * 1000.0)
    return features.loc[~far].reset_index(drop=True).copy()


class _BorderDistance:
    """Answer "is this vertex within ``limit_m`` of the border?" quickly.

    A KD-tree of border vertices densified to ``_STEP_M`` settles most
    vertices: within the limit when a vertex is, beyond it when the nearest
    vertex is farther than the limit plus half a step. Only the thin band in
    between is measured exactly with :class:`~surveil.geodesy.LineIndex`.
    """

    _STEP_M = 1000.0

    def __init__(self, border: gpd.GeoDataFrame) -> None:
        lines, points = [], []
        for geom in border.geometry.values:
            for part in shapely.get_parts(shapely.boundary(geom) if _is_area(geom) else geom):
                xy = shapely.get_coordinates(part)
                if len(xy) >= 2:
                    lines.append((xy[:, 0], xy[:, 1]))
                    points.append(ecef(*densify(xy[:, 0], xy[:, 1], self._STEP_M)))
        self.index = LineIndex(lines, max_edge_m=self._STEP_M)
        self.tree = cKDTree(np.concatenate(points)) if points else None

    def vertex_distance(self, xy: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return the chord distance from each (lon, lat) to the nearest densified border vertex."""
        if self.tree is None or len(xy) == 0:
            return np.full(len(xy), np.inf)
        distance, _ = self.tree.query(ecef(xy[:, 0], xy[:, 1]))
        return np.asarray(distance, dtype=float)

    def near(self, xy: NDArray[np.float64], limit_m: float) -> NDArray[np.bool_]:
        """Return whether each (lon, lat) lies within ``limit_m`` of a border line."""
        d = self.vertex_distance(xy)
        near = d <= limit_m
        unsure = ~near & (d <= limit_m + self._STEP_M / 2 + 1.0)
        if unsure.any():
            exact = self.index.distance(xy[unsure, 0], xy[unsure, 1], max_distance_m=limit_m)
            near[unsure] = np.isfinite(exact)
        return near

    def far(self, geoms: NDArray[np.object_], limit_m: float) -> NDArray[np.bool_]:
        """Return, per feature, whether all its vertices lie beyond ``limit_m``."""
        n = len(geoms)
        if n == 0:
            return np.zeros(0, dtype=bool)
        xy, owner = shapely.get_coordinates(np.asarray(geoms), return_index=True)
        near_vertex = self.near(xy, limit_m)
        has_vertex = np.bincount(owner, minlength=n) > 0
        near = np.bincount(owner, weights=near_vertex, minlength=n) > 0
        return has_vertex & ~near

    def approx_distance_m(self, geoms: NDArray[np.object_]) -> list[float]:
        """Return each feature's distance to the border, to about a km (for messages)."""
        radius = 6_371_000.0
        out = []
        for geom in geoms:
            chord = self.vertex_distance(shapely.get_coordinates(geom))
            nearest = float(chord.min()) if len(chord) else math.inf
            out.append(2 * radius * math.asin(min(1.0, nearest / (2 * radius))))
        return out


def _is_area(geom: object) -> bool:
    return _geometry_family(geom) == "polygon"


def _in_degrees(geom: shapely.Geometry) -> bool:
    xy = shapely.get_coordinates(geom)
    return bool(len(xy)) and bool(
        (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()
    )


def _source_rows(features: gpd.GeoDataFrame) -> NDArray[np.int64]:
    if "source_row" in features.columns:
        return features["source_row"].to_numpy(dtype=np.int64)
    return np.arange(1, len(features) + 1)
