r"""Divide the border between responsibility areas and agencies: km, means, seams, responders.

An optional ``areas`` layer says which outpost or unit, of which agency, is
responsible for each stretch of the line: polygons (the line inside a
polygon is its area's), or chainage ranges of a section in a CSV without
coordinates (``section, km_from, km_to, unit, agency``; km as in
``segments.csv``). Rows of one ``unit`` form one area.

From it, :func:`responsibility` computes

* **per area** (``areas.csv``): km of line, covered and gap km (the gaps of
  ``gaps.csv`` cut at the area's ends, so a gap across a boundary counts in
  both areas with its part in each), high-risk km, the means serving it
  (sensors whose range reaches its line, patrol routes nearest to it),
  staff (patrol FTE shared by the share of each route nearest to the area,
  and the operators of the sensors standing nearest to it), posts;
* **seams** (``seams.csv``): handover points where the responsible area
  changes along the line, and the gaps and high-risk stretches within
  ``seam_m`` of one;
* **responders** (``responders.csv``): per segment, the post that reaches
  its middle first (:func:`fastest_responder` over per-post times from
  :func:`response_times`), its unit and agency, and whether it belongs to
  another unit or agency than the segment's area;
* **coordination** (``coordination.csv``): per pair of agencies, the km where
  one's post answers first in the other's area, handovers between their
  areas, gap km at those handovers and means serving areas of both.

A post belongs to its ``agency`` column when given, else to the area it
stands in (a polygon), else to the area of the line nearest to it.
"""

from __future__ import annotations

import io
import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.ops import substring

from surveil import geodesy
from surveil._textfile import delimiter, read_text
from surveil._validate import Collector
from surveil.coverage import straight_line_reaction
from surveil.errors import InputWarning

__all__ = [
    "AREAS_COLUMNS",
    "COORDINATION_COLUMNS",
    "RESPONDERS_COLUMNS",
    "SEAMS_COLUMNS",
    "Responsibility",
    "area_pieces",
    "check_areas",
    "fastest_responder",
    "read_area_ranges",
    "response_times",
    "responsibility",
]

FloatArray = NDArray[np.float64]

#: Columns of ``areas.csv``.
AREAS_COLUMNS: tuple[str, ...] = (
    "area",
    "agency",
    "km",
    "covered_km",
    "gap_km",
    "gaps",
    "high_risk_km",
    "sensors",
    "patrol_routes",
    "posts",
    "patrol_fte",
    "sensor_fte",
    "staff_fte",
    "handovers",
    "seam_gaps",
    "seam_gap_km",
    "segments_answered_by_other_unit",
    "segments_answered_by_other_agency",
)

#: Columns of ``seams.csv``.
SEAMS_COLUMNS: tuple[str, ...] = (
    "kind",
    "section",
    "km_from",
    "km_to",
    "length_km",
    "km_handover",
    "area_from",
    "area_to",
    "agency_from",
    "agency_to",
    "gap_id",
    "lon",
    "lat",
)

#: Columns of ``responders.csv``.
RESPONDERS_COLUMNS: tuple[str, ...] = (
    "section",
    "segment_id",
    "km_from",
    "km_to",
    "area",
    "agency",
    "responder_post",
    "responder_area",
    "responder_agency",
    "response_h",
    "other_unit",
    "other_agency",
)

#: Columns of ``coordination.csv``.
COORDINATION_COLUMNS: tuple[str, ...] = (
    "agency_a",
    "agency_b",
    "response_km",
    "handovers",
    "seam_gap_km",
    "shared_means",
)

_RANGE_COLUMNS = ("section", "km_from", "km_to", "unit", "agency")
_COORDINATE_NAMES = {"lon", "lng", "longitude", "lat", "latitude", "x", "y", "wkt", "geometry"}
_EPS_KM = 1e-9
# Route points are taken this far apart to share a route's staff between areas.
_ROUTE_STEP_M = 100.0


# --------------------------------------------------------------------------- reading


def read_area_ranges(
    path: str | Path, *, columns: Mapping[str, str] | None = None
) -> gpd.GeoDataFrame | None:
    """Read an areas CSV of chainage ranges, or return None for a file with geometry.

    Parameters
    ----------
    path
        A CSV file with columns ``section``, ``km_from``, ``km_to`` and
        optional ``unit`` and ``agency``. A file of another kind, or a CSV
        with coordinate or WKT columns, gives None (it is read as polygons by
        :func:`surveil.layers.read_layer`).
    columns
        Canonical column name -> the name in the file.

    Returns
    -------
    geopandas.GeoDataFrame or None
        Canonical areas (``unit``, ``agency``, ``section``, ``km_from``,
        ``km_to``, ``source_row``, empty geometry), or None.

    Raises
    ------
    surveil.errors.SchemaError
        Naming file, row and field of every bad value.
    """
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        return None
    text = read_text(path)
    sep = delimiter(text) if text.strip() else ","
    frame = pd.read_csv(
        io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    renamed = {v: k for k, v in (columns or {}).items()}
    frame = frame.rename(columns=renamed)
    lower = {c.lower(): c for c in frame.columns}
    if _COORDINATE_NAMES & set(lower) or "km_from" not in lower:
        return None
    frame = frame.rename(columns={lower[c]: c for c in _RANGE_COLUMNS if c in lower})
    check = Collector(str(path), "areas")
    for name in ("section", "km_to"):
        if name not in frame.columns:
            check.schema(None, name, None, "missing column; expected section, km_from, km_to")
    check.raise_if_any()
    values = {name: _numbers(frame[name], name, sep != ",", check) for name in ("km_from", "km_to")}
    rows = np.arange(1, len(frame) + 1)
    for row, section, lo, hi in zip(
        rows, frame["section"], values["km_from"], values["km_to"], strict=True
    ):
        if not str(section).strip():
            check.schema(int(row), "section", section, "expected a section of the border")
        if math.isfinite(lo) and math.isfinite(hi) and hi <= lo:
            check.schema(int(row), "km_to", hi, f"expected a km mark above km_from ({lo:g})")
    check.raise_if_any()
    text_column = {
        c: frame[c].astype(str).str.strip() if c in frame.columns else pd.Series([""] * len(frame))
        for c in ("unit", "agency", "section")
    }
    return gpd.GeoDataFrame(
        {
            "unit": text_column["unit"].to_numpy(),
            "agency": text_column["agency"].to_numpy(),
            "section": text_column["section"].to_numpy(),
            "km_from": values["km_from"],
            "km_to": values["km_to"],
            "source_row": rows,
        },
        geometry=gpd.GeoSeries([None] * len(frame), crs="EPSG:4326"),
        crs="EPSG:4326",
    )


def _numbers(column: pd.Series, name: str, decimal_comma: bool, check: Collector) -> FloatArray:
    out = np.full(len(column), np.nan)
    for i, raw in enumerate(column):
        text = str(raw).strip().replace(",", ".") if decimal_comma else str(raw).strip()
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value >= 0):
            check.schema(i + 1, name, raw, "expected a km mark along the section, 0 or more")
        else:
            out[i] = value
    return out


def check_areas(areas: gpd.GeoDataFrame, border: gpd.GeoDataFrame, *, source: str) -> None:
    """Check areas against the border: sections exist, ranges fit and do not overlap.

    Also one agency per unit, and each row either a polygon or a chainage
    range.

    Raises
    ------
    surveil.errors.SchemaError
        Naming file, row and field of every problem.
    """
    check = Collector(source, "areas")
    lengths = {
        str(s): sum(geodesy.length_m(g) for g in group.geometry) / 1000.0
        for s, group in border.groupby("section", sort=False)
    }
    ranged = areas.geometry.isna().to_numpy() | areas.geometry.is_empty.to_numpy()
    for row in areas.loc[ranged].itertuples(index=False):
        number = int(row.source_row)
        section = str(row.section)
        if section not in lengths:
            known = ", ".join(sorted(lengths))
            check.schema(number, "section", section, f"expected a section of the border: {known}")
            continue
        if not (math.isfinite(row.km_from) and math.isfinite(row.km_to)):
            check.schema(number, "km_from", row.km_from, "expected km_from and km_to")
            continue
        limit = lengths[section] * 1.001 + 0.01
        if row.km_to > limit:
            check.schema(
                number,
                "km_to",
                row.km_to,
                f"expected at most {lengths[section]:.2f} km, the length of section {section}",
            )
    ranges = areas.loc[ranged].sort_values(["section", "km_from"], kind="mergesort")
    for _, group in ranges.groupby("section", sort=False):
        rows = list(group.itertuples(index=False))
        for a, b in itertools.pairwise(rows):
            if b.km_from < a.km_to - _EPS_KM and _area_name(a) != _area_name(b):
                check.schema(
                    int(b.source_row),
                    "km_from",
                    b.km_from,
                    f"expected no overlap with row {int(a.source_row)} "
                    f"({_area_name(a)}, km {a.km_from:g}–{a.km_to:g}): "
                    "a stretch has one responsible area",
                )
    names = [_area_name(r) for r in areas.itertuples(index=False)]
    agencies: dict[str, tuple[str, int]] = {}
    for name, row in zip(names, areas.itertuples(index=False), strict=True):
        agency = str(row.agency)
        if name in agencies and agencies[name][0] != agency:
            check.schema(
                int(row.source_row),
                "agency",
                agency,
                f"expected {agencies[name][0]!r} as in row {agencies[name][1]}: "
                f"unit {name} belongs to one agency",
            )
        agencies.setdefault(name, (agency, int(row.source_row)))
    check.raise_if_any()


def _area_name(row: Any) -> str:
    unit = str(row.unit).strip()
    return unit if unit else f"area {int(row.source_row)}"


# --------------------------------------------------------------------------- the line by area


def area_pieces(segments: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the pieces of segments that lie in each area.

    Parameters
    ----------
    segments
        Segments with ``section``, ``km_from``, ``km_to`` and line geometry.
    areas
        Canonical areas layer (polygons, or chainage ranges with empty
        geometry).

    Returns
    -------
    pandas.DataFrame
        ``segment`` (row position in ``segments``), ``section``, ``km_from``,
        ``km_to``, ``area`` (unit name) and ``agency``, one row per piece,
        sorted by section and km. Where polygons overlap, the row listed
        first wins (with an :class:`~surveil.errors.InputWarning`).

    Examples
    --------
    >>> segs = gpd.GeoDataFrame({"section": ["A"], "km_from": [0.0], "km_to": [1.0]},
    ...     geometry=[shapely.LineString([(70.0, 40.0), (70.01, 40.0)])], crs=4326)
    >>> ranges = gpd.GeoDataFrame({"unit": ["U1", "U2"], "agency": ["X", "Y"],
    ...     "section": ["A", "A"], "km_from": [0.0, 0.4], "km_to": [0.4, 5.0],
    ...     "source_row": [1, 2]}, geometry=[None, None], crs=4326)
    >>> area_pieces(segs, ranges)[["area", "km_from", "km_to"]].values.tolist()
    [['U1', 0.0, 0.4], ['U2', 0.4, 1.0]]
    """
    raw: list[tuple[int, int, float, float]] = []  # (area row, segment, km_from, km_to)
    seg_section = segments["section"].astype(str).to_numpy()
    seg_from = segments["km_from"].to_numpy(dtype=float)
    seg_to = segments["km_to"].to_numpy(dtype=float)
    lines = segments.geometry.to_numpy()
    tree = shapely.STRtree(lines)
    overlapped = False
    for i, row in enumerate(areas.itertuples(index=False)):
        geom = row.geometry
        if geom is None or geom.is_empty:
            hit = np.flatnonzero(
                (seg_section == str(row.section)) & (seg_to > row.km_from) & (seg_from < row.km_to)
            )
            for j in hit:
                lo, hi = max(seg_from[j], row.km_from), min(seg_to[j], row.km_to)
                if hi - lo > _EPS_KM:
                    raw.append((i, int(j), lo, hi))
            continue
        for j in tree.query(geom, predicate="intersects"):
            for lo, hi in _fractions_inside(lines[j], geom):
                span = seg_to[j] - seg_from[j]
                raw.append((i, int(j), seg_from[j] + lo * span, seg_from[j] + hi * span))
    claimed: dict[int, list[tuple[float, float]]] = {}
    rows = []
    names = [_area_name(r) for r in areas.itertuples(index=False)]
    agencies = areas["agency"].astype(str).to_numpy() if len(areas) else np.array([])
    for i, seg, lo, hi in raw:
        k = int(seg)
        taken = claimed.setdefault(k, [])
        left = _subtract((lo, hi), taken)
        if sum(b - a for a, b in left) < (hi - lo) - 1e-6:
            overlapped = True
        for a, b in left:
            if b - a > _EPS_KM:
                taken.append((a, b))
                rows.append((k, seg_section[k], a, b, names[i], str(agencies[i])))
    if overlapped:
        warnings.warn(
            "areas: polygons overlap on the line; each stretch goes to the area listed first",
            InputWarning,
            stacklevel=2,
        )
    table = pd.DataFrame(rows, columns=["segment", "section", "km_from", "km_to", "area", "agency"])
    return table.sort_values(["section", "km_from"], kind="mergesort").reset_index(drop=True)


def _fractions_inside(line: Any, polygon: Any) -> list[tuple[float, float]]:
    """Return the (from, to) fractions of a line inside a polygon, lengths in local metres."""
    lat0 = math.radians(float(np.mean(shapely.get_coordinates(line)[:, 1])))
    scale = math.cos(lat0)

    def local(geom: Any) -> Any:
        return shapely.transform(geom, lambda xy: xy * np.array([scale, 1.0]))

    flat = local(line)
    inside = flat.intersection(local(polygon))
    out = []
    for part in shapely.get_parts(inside):
        if part.geom_type not in ("LineString", "LinearRing") or part.length <= 0:
            continue
        xy = shapely.get_coordinates(part)
        a = flat.project(shapely.Point(xy[0]), normalized=True)
        b = flat.project(shapely.Point(xy[-1]), normalized=True)
        out.append((min(a, b), max(a, b)))
    return _union(out)


def _union(intervals: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1] + 1e-12:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _subtract(
    piece: tuple[float, float], taken: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    left = [piece]
    for a, b in taken:
        nxt = []
        for lo, hi in left:
            if b <= lo or a >= hi:
                nxt.append((lo, hi))
                continue
            if a > lo:
                nxt.append((lo, a))
            if b < hi:
                nxt.append((b, hi))
        left = nxt
    return left


def area_runs(pieces: pd.DataFrame) -> pd.DataFrame:
    """Merge touching pieces of one area along a section into runs (section, km, area)."""
    rows: list[list[Any]] = []
    for piece in pieces.itertuples(index=False):
        last = rows[-1] if rows else None
        if (
            last is not None
            and last[0] == piece.section
            and last[3] == piece.area
            and piece.km_from - last[2] < 1e-6
        ):
            last[2] = max(last[2], piece.km_to)
        else:
            rows.append([piece.section, piece.km_from, piece.km_to, piece.area, piece.agency])
    return pd.DataFrame(rows, columns=["section", "km_from", "km_to", "area", "agency"])


def handover_points(runs: pd.DataFrame) -> pd.DataFrame:
    """Return the points where the responsible area changes along each section.

    Where two runs of different areas touch, the handover is at their common
    km; where an unassigned stretch lies between them, at its middle.

    Examples
    --------
    >>> runs = pd.DataFrame({"section": ["A", "A", "A"], "km_from": [0.0, 3.0, 6.0],
    ...     "km_to": [3.0, 5.0, 9.0], "area": ["U1", "U2", "U1"], "agency": ["X", "X", "Y"]})
    >>> handover_points(runs)[["km_handover", "area_from", "area_to"]].values.tolist()
    [[3.0, 'U1', 'U2'], [5.5, 'U2', 'U1']]
    """
    rows = []
    for section, group in runs.groupby("section", sort=False):
        ordered = list(group.sort_values("km_from").itertuples(index=False))
        for a, b in itertools.pairwise(ordered):
            if a.area == b.area:
                continue
            rows.append(
                {
                    "section": section,
                    "km_handover": (a.km_to + b.km_from) / 2.0,
                    "unassigned_km": max(0.0, b.km_from - a.km_to),
                    "area_from": a.area,
                    "area_to": b.area,
                    "agency_from": a.agency,
                    "agency_to": b.agency,
                }
            )
    columns = [
        "section",
        "km_handover",
        "unassigned_km",
        "area_from",
        "area_to",
        "agency_from",
        "agency_to",
    ]
    return pd.DataFrame(rows, columns=columns)


def _overlap_km(runs: pd.DataFrame, section: Any, lo: float, hi: float) -> dict[str, float]:
    """Km of [lo, hi] of a section in each area."""
    out: dict[str, float] = {}
    same = runs[runs["section"] == section]
    for run in same.itertuples(index=False):
        part = min(hi, run.km_to) - max(lo, run.km_from)
        if part > _EPS_KM:
            out[run.area] = out.get(run.area, 0.0) + part
    return out


# --------------------------------------------------------------------------- response


def response_times(
    lon: FloatArray, lat: FloatArray, posts: gpd.GeoDataFrame, *, detour_factor: float = 1.4
) -> FloatArray:
    """Return each post's reaction time to each point, hours: shape (points, posts).

    The straight-line model (:func:`surveil.coverage.straight_line_reaction`:
    distance × ``detour_factor`` / the post's ``reaction_speed_kmh``), kept
    per post rather than only the fastest; used by :func:`responsibility`
    when the assessment's reaction over the ground is not given.
    :func:`fastest_responder` takes any such matrix.

    Examples
    --------
    >>> posts = gpd.GeoDataFrame({"reaction_speed_kmh": [40.0]},
    ...     geometry=[shapely.Point(70.0, 40.0)], crs=4326)
    >>> hours = response_times(np.array([70.0]), np.array([40.1]), posts)
    >>> round(float(hours[0, 0]), 3)  # 11.104 km (pyproj) × 1.4 / 40 km/h = 0.3887 h
    0.389
    """
    n, m = np.asarray(lon).size, len(posts)
    hours = np.full((n, m), np.inf)
    for j in range(m):
        one = posts.iloc[[j]]
        hours[:, j] = straight_line_reaction(lon, lat, one, detour_factor=detour_factor)[0]
    return hours


def fastest_responder(hours: FloatArray) -> tuple[NDArray[np.int64], FloatArray]:
    """Return, per row, the column (post) with the least time and that time.

    ``-1`` and ``inf`` where no post can reach (no column, or all ``inf``);
    ties go to the first post.

    Examples
    --------
    >>> index, best = fastest_responder(np.array([[2.0, 1.0], [np.inf, np.inf]]))
    >>> index.tolist(), best.tolist()
    ([1, -1], [1.0, inf])
    """
    hours = np.asarray(hours, dtype=float)
    if hours.ndim != 2 or hours.shape[1] == 0:
        n = hours.shape[0] if hours.ndim >= 1 else 0
        return np.full(n, -1, dtype=np.int64), np.full(n, np.inf)
    index = np.argmin(hours, axis=1).astype(np.int64)
    best = hours[np.arange(hours.shape[0]), index]
    index[~np.isfinite(best)] = -1
    return index, best


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class Responsibility:
    """Areas, seams, responders and coordination of one assessment.

    Attributes
    ----------
    areas
        ``areas.csv``: one row per area (:data:`AREAS_COLUMNS`).
    seams
        ``seams.csv``: handover points, and gaps and high-risk stretches at a
        seam (:data:`SEAMS_COLUMNS`).
    responders
        ``responders.csv``: per segment (:data:`RESPONDERS_COLUMNS`).
    coordination
        ``coordination.csv``: per pair of agencies (:data:`COORDINATION_COLUMNS`).
    pieces
        The line cut by area (:func:`area_pieces`).
    lines
        Map layer: the line of each area, one row per run, with ``area``,
        ``agency``, ``km_from``, ``km_to``.
    polygons
        Map layer: the area polygons given (empty for chainage ranges).
    summary
        Key figures: ``areas``, ``agencies``, ``area_km``, ``unassigned_km``,
        ``handovers``, ``seam_gaps``, ``seam_high_risk``,
        ``cross_unit_response_share``, ``cross_agency_response_share``.
    """

    areas: pd.DataFrame
    seams: pd.DataFrame
    responders: pd.DataFrame
    coordination: pd.DataFrame
    pieces: pd.DataFrame
    lines: gpd.GeoDataFrame
    polygons: gpd.GeoDataFrame
    summary: Mapping[str, Any] = field(default_factory=dict)

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the map and GeoPackage layers: area lines, polygons, seams, handovers."""
        out = {"area_lines": self.lines}
        if len(self.polygons):
            out["areas"] = self.polygons
        points = self.seams[self.seams["kind"] == "handover"]
        out["handovers"] = gpd.GeoDataFrame(
            points.drop(columns=["geometry"], errors="ignore"),
            geometry=gpd.points_from_xy(points["lon"], points["lat"]),
            crs="EPSG:4326",
        )
        stretches = self.seams[self.seams["kind"] != "handover"]
        out["seams"] = gpd.GeoDataFrame(
            stretches.drop(columns=["geometry"]),
            geometry=stretches["geometry"].to_numpy() if len(stretches) else [],
            crs="EPSG:4326",
        )
        return out


def responsibility(
    areas: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    gaps: pd.DataFrame,
    *,
    posts: gpd.GeoDataFrame,
    sensors: gpd.GeoDataFrame,
    patrols: gpd.GeoDataFrame,
    services: pd.DataFrame,
    catalogue: pd.DataFrame,
    seam_m: float = 1000.0,
    detour_factor: float = 1.4,
    responders: tuple[NDArray[np.int64], FloatArray] | None = None,
) -> Responsibility:
    """Return the responsibility tables of an assessment (see the module docstring).

    Parameters
    ----------
    areas
        Canonical areas layer.
    segments
        Assessed segments (``section``, ``segment_id``, ``km_from``,
        ``km_to``, ``length_m``, ``risk_class``, geometry).
    gaps
        Gaps (``gap_id``, ``section``, ``km_from``, ``km_to``, geometry).
    posts, sensors, patrols
        The scenario's layers (sensors: those counted).
    services
        Services of the patrol routes (:func:`surveil.services.route_services`),
        for their staff.
    catalogue
        Catalogue of means, for the operators (``staff_fte``) of sensors.
    seam_m
        Gaps and high-risk stretches within this distance of a handover lie
        at a seam, metres.
    detour_factor
        Road over straight-line distance of the straight-line reaction model,
        used when ``responders`` is None.
    responders
        Per segment the responding post (position in ``posts``, ``-1``: none)
        and its time in hours, from the assessment's reaction model over the
        ground (:func:`surveil.response.segment_responders`). None: the
        straight line to the segment's middle (:func:`response_times`).
    """
    pieces = area_pieces(segments, areas)
    runs = area_runs(pieces)
    handovers = handover_points(runs)
    index = geodesy.LineIndex(
        [tuple(shapely.get_coordinates(g).T) for g in segments.geometry], max_edge_m=250.0
    )
    locate = _Locator(segments, pieces, index)
    post_area = _post_areas(posts, areas, locate)
    post_agency = _post_agencies(posts, post_area, areas)
    responders_table = _responders(
        segments, pieces, posts, post_area, post_agency, detour_factor, given=responders
    )
    high = _high_risk_stretches(segments)
    seams = _seams(handovers, gaps, high, seam_m / 1000.0, segments)
    served = _means_served(sensors, patrols, locate)
    table = _area_table(
        areas,
        _line_figures(pieces, runs, segments, gaps),
        _means_figures(served, sensors, services, catalogue),
        seams,
        responders_table,
        post_area,
    )
    coordination = _coordination(table, responders_table, seams, served, segments)
    lines = _area_lines(pieces, segments)
    polygons = areas[~(areas.geometry.isna() | areas.geometry.is_empty)]
    polygons = gpd.GeoDataFrame(
        {
            "area": [_area_name(r) for r in polygons.itertuples(index=False)],
            "agency": polygons["agency"].astype(str).to_numpy(),
        },
        geometry=polygons.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    answered = responders_table[responders_table["responder_post"] != ""]
    in_area = answered[answered["area"] != ""]
    with_agency = in_area[(in_area["agency"] != "") & (in_area["responder_agency"] != "")]
    summary = {
        "areas": len(table),
        "agencies": len({a for a in table["agency"] if a}),
        "area_km": float(table["km"].sum()),
        "unassigned_km": max(
            0.0,
            float(
                segments["length_m"].sum() / 1000.0 - (pieces["km_to"] - pieces["km_from"]).sum()
            ),
        ),
        "handovers": len(handovers),
        "seam_gaps": int(seams.loc[seams["kind"] == "gap", "gap_id"].nunique()),
        "seam_high_risk": len(
            seams.loc[seams["kind"] == "high_risk", ["section", "km_from"]].drop_duplicates()
        ),
        "cross_unit_response_share": _share(in_area["other_unit"]),
        "cross_agency_response_share": _share(with_agency["other_agency"]),
    }
    return Responsibility(
        areas=table,
        seams=seams,
        responders=responders_table,
        coordination=coordination,
        pieces=pieces,
        lines=lines,
        polygons=polygons,
        summary=summary,
    )


def _share(flags: pd.Series) -> float | None:
    return float(flags.astype(bool).mean()) if len(flags) else None


class _Locator:
    """Find the segment, km and area of the line nearest to points (vectorised)."""

    def __init__(self, segments: gpd.GeoDataFrame, pieces: pd.DataFrame, index: Any) -> None:
        self.segments = segments
        self.index = index
        self._from = segments["km_from"].to_numpy(dtype=float)
        self._to = segments["km_to"].to_numpy(dtype=float)
        self._length = np.maximum(segments["length_m"].to_numpy(dtype=float), 1e-9)
        ordered = pieces.sort_values(["segment", "km_from"], kind="mergesort")
        self._seg = ordered["segment"].to_numpy(dtype=np.int64)
        self._lo = ordered["km_from"].to_numpy(dtype=float)
        self._hi = ordered["km_to"].to_numpy(dtype=float)
        self._name = ordered["area"].astype(str).to_numpy()
        self._key = self._position(self._seg, self._lo)

    def _position(self, seg: NDArray[np.int64], km: FloatArray) -> FloatArray:
        """Sort key of a km within its segment: segment + fraction in [0, 1)."""
        span = np.maximum(self._to[seg] - self._from[seg], 1e-12)
        return seg + np.clip((km - self._from[seg]) / span, 0.0, 1.0) * 0.999999

    def chainage(self, seg: NDArray[np.int64], along_m: FloatArray) -> FloatArray:
        """Return the km of points ``along_m`` metres into segments ``seg``."""
        return self._from[seg] + along_m / self._length[seg] * (self._to[seg] - self._from[seg])

    def area_at(self, seg: NDArray[np.int64], km: FloatArray) -> NDArray[np.str_]:
        """Return the area at each (segment, km), ``""`` where none (or ``seg < 0``)."""
        seg = np.asarray(seg, dtype=np.int64)
        out = np.full(seg.size, "", dtype=object)
        ok = seg >= 0
        if not ok.any() or self._seg.size == 0:
            return out.astype(str)
        key = self._position(seg[ok], np.asarray(km, dtype=float)[ok])
        i = np.searchsorted(self._key, key + 1e-12, side="right") - 1
        hit = i >= 0
        j = np.where(hit, i, 0)
        hit &= (self._seg[j] == seg[ok]) & (np.asarray(km)[ok] <= self._hi[j] + 1e-9)
        found = np.full(key.size, "", dtype=object)
        found[hit] = self._name[j[hit]]
        out[ok] = found
        return out.astype(str)

    def areas_of(self, lon: FloatArray, lat: FloatArray) -> NDArray[np.str_]:
        """Return the area of the line nearest to each point."""
        near = self.index.nearest(lon, lat, max_distance_m=math.inf)
        seg = near.line
        km = np.full(seg.size, np.nan)
        ok = seg >= 0
        km[ok] = self.chainage(seg[ok], near.along_m[ok])
        return self.area_at(seg, km)


def _post_areas(posts: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, locate: _Locator) -> list[str]:
    """Return the area each post stands in (a polygon), else that of the nearest line."""
    if len(posts) == 0:
        return []
    x = posts.geometry.x.to_numpy()
    y = posts.geometry.y.to_numpy()
    out = [str(a) for a in locate.areas_of(x, y)]
    polygons = [
        (_area_name(r), r.geometry)
        for r in areas.itertuples(index=False)
        if r.geometry is not None and not r.geometry.is_empty
    ]
    for i, point in enumerate(posts.geometry):
        for name, polygon in polygons:
            if polygon.covers(point):
                out[i] = name
                break
    return out


def _post_agencies(
    posts: gpd.GeoDataFrame, post_area: list[str], areas: gpd.GeoDataFrame
) -> list[str]:
    agency_of = {_area_name(r): str(r.agency) for r in areas.itertuples(index=False)}
    own = posts["agency"].astype(str).to_numpy() if "agency" in posts else [""] * len(posts)
    return [o.strip() or agency_of.get(a, "") for o, a in zip(own, post_area, strict=True)]


def _segment_area(segments: gpd.GeoDataFrame, pieces: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Return the area holding the largest part of each segment, and its agency."""
    area = [""] * len(segments)
    agency = [""] * len(segments)
    if len(pieces):
        sized = pieces.assign(km=pieces["km_to"] - pieces["km_from"])
        best = sized.sort_values("km", ascending=False, kind="mergesort").drop_duplicates("segment")
        for row in best.itertuples(index=False):
            area[int(row.segment)] = str(row.area)
            agency[int(row.segment)] = str(row.agency)
    return area, agency


def _midpoints(segments: gpd.GeoDataFrame) -> tuple[FloatArray, FloatArray]:
    mid = shapely.line_interpolate_point(segments.geometry.to_numpy(), 0.5, normalized=True)
    return shapely.get_x(mid), shapely.get_y(mid)


def _responders(
    segments: gpd.GeoDataFrame,
    pieces: pd.DataFrame,
    posts: gpd.GeoDataFrame,
    post_area: list[str],
    post_agency: list[str],
    detour_factor: float,
    *,
    given: tuple[NDArray[np.int64], FloatArray] | None = None,
) -> pd.DataFrame:
    area, agency = _segment_area(segments, pieces)
    if given is not None:  # the assessment's reaction over the ground
        index, best = np.asarray(given[0], dtype=np.int64), np.asarray(given[1], dtype=float)
    else:
        lon, lat = _midpoints(segments)
        index, best = fastest_responder(
            response_times(lon, lat, posts, detour_factor=detour_factor)
        )
    ids = posts["id"].astype(str).to_numpy() if len(posts) else np.array([], dtype=str)
    has = index >= 0
    post = np.where(has, ids[np.maximum(index, 0)] if len(ids) else "", "")
    r_area = [post_area[i] if i >= 0 else "" for i in index]
    r_agency = [post_agency[i] if i >= 0 else "" for i in index]
    table = pd.DataFrame(
        {
            "section": segments["section"].astype(str).to_numpy(),
            "segment_id": segments["segment_id"].to_numpy(),
            "km_from": segments["km_from"].to_numpy(dtype=float),
            "km_to": segments["km_to"].to_numpy(dtype=float),
            "area": area,
            "agency": agency,
            "responder_post": post,
            "responder_area": r_area,
            "responder_agency": r_agency,
            "response_h": best,
        }
    )
    table["other_unit"] = (
        (table["area"] != "")
        & (table["responder_post"] != "")
        & (table["responder_area"] != table["area"])
    )
    table["other_agency"] = (
        (table["agency"] != "")
        & (table["responder_agency"] != "")
        & (table["responder_agency"] != table["agency"])
    )
    return table[list(RESPONDERS_COLUMNS)]


def _high_risk_stretches(segments: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return runs of touching high or critical segments (section, km_from, km_to, geometry)."""
    high = segments[segments["risk_class"].isin(["high", "critical"])]
    rows: list[list[Any]] = []
    for seg in high.sort_values(["section", "km_from"], kind="mergesort").itertuples(index=False):
        last = rows[-1] if rows else None
        if last is not None and last[0] == seg.section and seg.km_from - last[2] < 1e-6:
            last[2] = seg.km_to
            last[3].append(seg.geometry)
        else:
            rows.append([seg.section, seg.km_from, seg.km_to, [seg.geometry]])
    return pd.DataFrame(
        [(s, a, b, shapely.line_merge(shapely.union_all(g))) for s, a, b, g in rows],
        columns=["section", "km_from", "km_to", "geometry"],
    )


def _point_at(segments: gpd.GeoDataFrame, section: Any, km: float) -> tuple[float, float]:
    same = segments[segments["section"] == section]
    frm = same["km_from"].to_numpy(dtype=float)
    to = same["km_to"].to_numpy(dtype=float)
    i = int(np.clip(np.searchsorted(to, km - 1e-9), 0, len(same) - 1))
    fraction = (km - frm[i]) / max(to[i] - frm[i], 1e-12)
    point = shapely.line_interpolate_point(
        same.geometry.iloc[i], float(np.clip(fraction, 0, 1)), normalized=True
    )
    return float(point.x), float(point.y)


def _seams(
    handovers: pd.DataFrame,
    gaps: pd.DataFrame,
    high: pd.DataFrame,
    tol_km: float,
    segments: gpd.GeoDataFrame,
) -> pd.DataFrame:
    rows = []
    by_section: dict[Any, list[tuple[str, Any]]] = {}
    for kind, table in (("gap", gaps), ("high_risk", high)):
        for stretch in table.itertuples(index=False):
            by_section.setdefault(stretch.section, []).append((kind, stretch))
    for h in handovers.itertuples(index=False):
        lon, lat = _point_at(segments, h.section, h.km_handover)
        base = {
            "section": h.section,
            "km_handover": h.km_handover,
            "area_from": h.area_from,
            "area_to": h.area_to,
            "agency_from": h.agency_from,
            "agency_to": h.agency_to,
        }
        rows.append(
            {
                **base,
                "kind": "handover",
                "km_from": h.km_handover,
                "km_to": h.km_handover,
                "length_km": 0.0,
                "gap_id": math.nan,
                "lon": lon,
                "lat": lat,
                "geometry": shapely.Point(lon, lat),
            }
        )
        for kind, s in by_section.get(h.section, ()):
            if s.km_from - tol_km <= h.km_handover <= s.km_to + tol_km:
                rows.append(
                    {
                        **base,
                        "kind": kind,
                        "km_from": s.km_from,
                        "km_to": s.km_to,
                        "length_km": s.km_to - s.km_from,
                        "gap_id": float(s.gap_id) if kind == "gap" else math.nan,
                        "lon": lon,
                        "lat": lat,
                        "geometry": s.geometry,
                    }
                )
    table = pd.DataFrame(rows, columns=[*SEAMS_COLUMNS, "geometry"])
    order = {"handover": 0, "gap": 1, "high_risk": 2}
    table = table.sort_values(
        ["section", "km_handover", "kind"],
        key=lambda c: c.map(order) if c.name == "kind" else c,
        kind="mergesort",
    )
    return table.reset_index(drop=True)


def _means_served(
    sensors: gpd.GeoDataFrame, patrols: gpd.GeoDataFrame, locate: _Locator
) -> dict[str, Any]:
    """Return the areas each sensor reaches and stands in, and each route's share per area."""
    sensor_areas: list[set[str]] = [set() for _ in range(len(sensors))]
    sensor_home: list[str] = []
    if len(sensors):
        x = sensors.geometry.x.to_numpy()
        y = sensors.geometry.y.to_numpy()
        sensor_home = [str(a) for a in locate.areas_of(x, y)]
        rng = sensors["range_m"].to_numpy(dtype=float)
        point, seg, dist, along = locate.index.pairs(x, y, float(rng.max()))
        near = dist <= rng[point]
        point, seg, along = point[near], seg[near], along[near]
        names = locate.area_at(seg, locate.chainage(seg, along))
        for k, name in set(zip(point.tolist(), names.tolist(), strict=True)):
            if name:
                sensor_areas[k].add(name)
    lon_all: list[FloatArray] = []
    lat_all: list[FloatArray] = []
    route_of: list[NDArray[np.int64]] = []
    for r, geom in enumerate(patrols.geometry):
        for part in shapely.get_parts(geom):
            xy = shapely.get_coordinates(part)
            if len(xy) >= 2:
                lo, la = geodesy.densify(xy[:, 0], xy[:, 1], _ROUTE_STEP_M)
            else:
                lo, la = xy[:, 0], xy[:, 1]
            lon_all.append(lo)
            lat_all.append(la)
            route_of.append(np.full(lo.size, r, dtype=np.int64))
    route_share: list[dict[str, float]] = [{} for _ in range(len(patrols))]
    if lon_all:
        names = locate.areas_of(np.concatenate(lon_all), np.concatenate(lat_all))
        route = np.concatenate(route_of)
        total = np.bincount(route, minlength=len(patrols))
        named = names != ""
        pairs, counts = np.unique(
            np.stack([route[named].astype(str), names[named]]), axis=1, return_counts=True
        )
        for (r_text, name), count in zip(pairs.T, counts, strict=True):
            r = int(r_text)
            route_share[r][str(name)] = float(count) / float(total[r])
    return {"sensor_areas": sensor_areas, "sensor_home": sensor_home, "route_share": route_share}


def _line_figures(
    pieces: pd.DataFrame, runs: pd.DataFrame, segments: gpd.GeoDataFrame, gaps: pd.DataFrame
) -> pd.DataFrame:
    """Return per area: ``km``, ``gap_km``, ``gaps`` and ``high_risk_km`` (index: area)."""
    length = pieces["km_to"] - pieces["km_from"]
    high_seg = segments["risk_class"].isin(["high", "critical"]).to_numpy()
    in_high = high_seg[pieces["segment"].to_numpy(dtype=np.int64)]
    gap_km: dict[str, float] = {}
    gap_count: dict[str, int] = {}
    for gap in gaps.itertuples(index=False):
        for name, part in _overlap_km(runs, gap.section, gap.km_from, gap.km_to).items():
            gap_km[name] = gap_km.get(name, 0.0) + part
            gap_count[name] = gap_count.get(name, 0) + 1
    return pd.DataFrame(
        {
            "km": length.groupby(pieces["area"]).sum(),
            "gap_km": pd.Series(gap_km, dtype=float),
            "gaps": pd.Series(gap_count, dtype=float),
            "high_risk_km": length[in_high].groupby(pieces["area"][in_high]).sum(),
        }
    )


def _means_figures(
    served: Mapping[str, Any],
    sensors: gpd.GeoDataFrame,
    services: pd.DataFrame,
    catalogue: pd.DataFrame,
) -> pd.DataFrame:
    """Return per area: ``sensors``, ``patrol_routes``, ``patrol_fte``, ``sensor_fte``."""
    staff_per_type = dict(
        zip(catalogue["type"].astype(str), catalogue["staff_fte"].astype(float), strict=True)
    )
    figures: dict[str, dict[str, float]] = {}

    def add(name: str, column: str, value: float) -> None:
        row = figures.setdefault(name, {})
        row[column] = row.get(column, 0.0) + value

    kinds = sensors["type"].astype(str).tolist() if len(sensors) else []
    for home, kind, reached in zip(
        served["sensor_home"], kinds, served["sensor_areas"], strict=True
    ):
        if home:
            add(home, "sensor_fte", staff_per_type.get(kind, 0.0))
        for name in reached:
            add(name, "sensors", 1.0)
    route_fte = services["fte"].to_numpy(dtype=float) if len(services) else np.zeros(0)
    for fte, share in zip(route_fte, served["route_share"], strict=True):
        for name, part in share.items():
            add(name, "patrol_fte", fte * part)
            add(name, "patrol_routes", 1.0)
    columns = ["sensors", "patrol_routes", "patrol_fte", "sensor_fte"]
    return pd.DataFrame.from_dict(figures, orient="index").reindex(columns=columns)


def _area_table(
    areas: gpd.GeoDataFrame,
    line: pd.DataFrame,
    means: pd.DataFrame,
    seams: pd.DataFrame,
    responders: pd.DataFrame,
    post_area: list[str],
) -> pd.DataFrame:
    """Return ``areas.csv``: every area of the layer, in its order (0 km if off the line)."""
    names = list(dict.fromkeys(_area_name(r) for r in areas.itertuples(index=False)))
    agency = {_area_name(r): str(r.agency) for r in areas.itertuples(index=False)}
    off_line = [n for n in names if n not in line.index]
    if off_line:
        warnings.warn(
            f"areas: {', '.join(off_line[:5])}{' ...' if len(off_line) > 5 else ''} "
            "reach no part of the border line; they count 0 km",
            InputWarning,
            stacklevel=3,
        )
    table = pd.concat([line, means], axis=1).reindex(names).fillna(0.0)
    table.index.name = "area"
    table = table.reset_index()
    table.insert(1, "agency", [agency[n] for n in names])
    table["covered_km"] = (table["km"] - table["gap_km"]).clip(lower=0.0)
    table["posts"] = [sum(1 for a in post_area if a == n) for n in names]
    table["staff_fte"] = table["patrol_fte"] + table["sensor_fte"]
    handover_seams = seams[seams["kind"] == "handover"]
    gap_seams = seams[seams["kind"] == "gap"]

    def touching(frame: pd.DataFrame, name: str) -> pd.DataFrame:
        return frame[(frame["area_from"] == name) | (frame["area_to"] == name)]

    seam_gaps = [touching(gap_seams, n).drop_duplicates("gap_id") for n in names]
    table["handovers"] = [len(touching(handover_seams, n)) for n in names]
    table["seam_gaps"] = [len(g) for g in seam_gaps]
    table["seam_gap_km"] = [float(g["length_km"].sum()) for g in seam_gaps]
    by_area = responders.groupby("area")
    table["segments_answered_by_other_unit"] = [
        int(by_area["other_unit"].sum().get(n, 0)) for n in names
    ]
    table["segments_answered_by_other_agency"] = [
        int(by_area["other_agency"].sum().get(n, 0)) for n in names
    ]
    integers = ["gaps", "sensors", "patrol_routes", "posts", "handovers", "seam_gaps"]
    table[integers] = table[integers].astype("int64")
    return table[list(AREAS_COLUMNS)]


def _coordination(
    table: pd.DataFrame,
    responders: pd.DataFrame,
    seams: pd.DataFrame,
    served: Mapping[str, Any],
    segments: gpd.GeoDataFrame,
) -> pd.DataFrame:
    agency_of = dict(zip(table["area"], table["agency"], strict=True))
    agencies = sorted(
        {a for a in table["agency"] if a} | {a for a in responders["responder_agency"] if a}
    )
    pairs = {
        (a, b): {"response_km": 0.0, "handovers": 0, "seam_gap_km": 0.0, "shared_means": 0}
        for a, b in itertools.combinations_with_replacement(agencies, 2)
    }

    def key(a: str, b: str) -> tuple[str, str] | None:
        if not a or not b:
            return None
        k = (min(a, b), max(a, b))
        return k if k in pairs else None

    length_km = segments["length_m"].to_numpy(dtype=float) / 1000.0
    for row, km in zip(responders.itertuples(index=False), length_km, strict=True):
        if not row.responder_post or not row.area:
            continue
        if row.agency != row.responder_agency or row.area != row.responder_area:
            k = key(row.agency, row.responder_agency)
            if k is not None:
                pairs[k]["response_km"] += float(km)
    counted: set[tuple[tuple[str, str], float]] = set()  # a gap at two handovers counts once
    for row in seams.itertuples(index=False):
        k = key(row.agency_from, row.agency_to)
        if k is None:
            continue
        if row.kind == "handover":
            pairs[k]["handovers"] += 1
        elif row.kind == "gap" and (k, row.gap_id) not in counted:
            counted.add((k, row.gap_id))
            pairs[k]["seam_gap_km"] += float(row.length_km)
    served_sets = list(served["sensor_areas"]) + [set(s) for s in served["route_share"]]
    for names in served_sets:
        by_agency: dict[str, set[str]] = {}
        for name in names:
            if agency_of.get(name):
                by_agency.setdefault(agency_of[name], set()).add(name)
        for a, b in itertools.combinations_with_replacement(sorted(by_agency), 2):
            if a != b or len(by_agency[a]) > 1:
                pairs[(a, b)]["shared_means"] += 1
    rows = [{"agency_a": a, "agency_b": b, **v} for (a, b), v in pairs.items()]
    return pd.DataFrame(rows, columns=list(COORDINATION_COLUMNS))


def _area_lines(pieces: pd.DataFrame, segments: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the line of each area run, for the map."""
    runs: list[list[Any]] = []
    lines = segments.geometry.to_numpy()
    frm = segments["km_from"].to_numpy(dtype=float)
    to = segments["km_to"].to_numpy(dtype=float)
    for piece in pieces.itertuples(index=False):
        j = int(piece.segment)
        span = max(to[j] - frm[j], 1e-12)
        part = substring(
            lines[j],
            (piece.km_from - frm[j]) / span,
            (piece.km_to - frm[j]) / span,
            normalized=True,
        )
        last = runs[-1] if runs else None
        if (
            last is not None
            and last[0] == piece.section
            and last[3] == piece.area
            and piece.km_from - last[2] < 1e-6
        ):
            last[2] = piece.km_to
            last[5].append(part)
        else:
            runs.append(
                [piece.section, piece.km_from, piece.km_to, piece.area, piece.agency, [part]]
            )
    return gpd.GeoDataFrame(
        {
            "section": [r[0] for r in runs],
            "km_from": [r[1] for r in runs],
            "km_to": [r[2] for r in runs],
            "area": [r[3] for r in runs],
            "agency": [r[4] for r in runs],
        },
        geometry=[shapely.line_merge(shapely.union_all(r[5])) for r in runs],
        crs="EPSG:4326",
    )
