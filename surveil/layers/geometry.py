"""Check and repair geometries and build the canonical output frames."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import Geod

from surveil._validate import Collector
from surveil.errors import GeometryError, Problem
from surveil.layers.schema import _FAMILIES, _KIND_OF_TYPE, _SCHEMAS, WGS84, _Raw
from surveil.layers.values import _find, _texts

TRACK_GAP_H = 2.0
"""A patrol track is split into passes where two fixes are more than this many hours apart."""


_NAME_COLUMNS = ("name", "country", "name_en", "admin", "country_name")


_FAMILY_TYPES = {
    "point": "Point (a MultiPoint with one point is accepted)",
    "line": "LineString or MultiLineString",
    "polygon": "Polygon or MultiPolygon",
}


def _check_geometries(
    raw: _Raw,
    rows: NDArray[np.int64],
    kind: str,
    repair: bool,
    check: Collector,
) -> tuple[NDArray[np.object_], str, list[int]]:
    """Check geometry presence, type and validity; return 2-D geometries and the family."""
    geometry = raw.geometry
    n = len(geometry)
    families = _FAMILIES[kind]
    found = _families(geometry)
    counts = {f: int(np.count_nonzero(found == f)) for f in families}
    family = max(families, key=lambda f: counts[f]) if any(counts.values()) else families[0]
    accepted = _FAMILY_TYPES[family]
    out = np.empty(n, dtype=object)
    repaired: list[int] = []
    todo = ~np.isin(rows, np.fromiter(raw.filed, dtype=np.int64, count=len(raw.filed)))
    # Problems are gathered per row, then filed in row order as they were found.
    found_problems: dict[int, tuple[str, str]] = {}
    missing = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    for i in np.flatnonzero(todo & missing):
        found_problems[int(i)] = ("geometry", f"has no geometry; expected {accepted}")
    todo &= ~missing
    where = np.flatnonzero(todo)
    flat = geometry[where].copy()
    deep = shapely.get_coordinate_dimension(flat) > 2
    flat[deep] = shapely.force_2d(flat[deep])
    xy, owner = shapely.get_coordinates(flat, return_index=True)
    nonfinite = np.bincount(owner[~np.isfinite(xy).all(axis=1)], minlength=len(where)) > 0
    for i in where[nonfinite]:
        found_problems[int(i)] = ("geometry", "has missing (NaN or infinite) coordinates")
    where, flat = where[~nonfinite], flat[~nonfinite]
    type_id = shapely.get_type_id(flat)
    single = (type_id == 4) & (shapely.get_num_geometries(flat) == 1)
    flat[single] = shapely.get_geometry(flat[single], 0)
    for j in np.flatnonzero(type_id == 2):  # LinearRing
        flat[j] = shapely.LineString(flat[j].coords)
    type_id = shapely.get_type_id(flat)
    wrong = (_families(flat) != family) | (type_id == 4)
    for i, geom in zip(where[wrong], flat[wrong], strict=True):
        found_problems[int(i)] = ("type", str(geom.geom_type))
    where, flat = where[~wrong], flat[~wrong]
    invalid = ~shapely.is_valid(flat)
    out[where[~invalid]] = flat[~invalid]
    fixes: dict[int, shapely.Geometry] = {}
    for i, geom in zip(where[invalid], flat[invalid], strict=True):
        reason = shapely.is_valid_reason(geom)
        if not repair:
            found_problems[int(i)] = (
                "geometry",
                f"geometry is not valid ({reason}); fix it, or let surveil repair it "
                "(repair = true)",
            )
            continue
        fixed = _repair(geom, family)
        if fixed is None:
            found_problems[int(i)] = (
                "geometry",
                f"geometry is not valid ({reason}) and cannot be repaired",
            )
            continue
        fixes[int(i)] = fixed
    for k in sorted(set(found_problems) | set(fixes)):
        row = int(rows[k])
        if k in fixes:
            out[k] = fixes[k]
            repaired.append(row)
            continue
        what, text = found_problems[k]
        if what == "geometry":
            check.geometry(row, text)
        else:
            also = " like the other features" if len(families) > 1 else ""
            problem = Problem(
                check.source, check.layer, row, "geometry", text, f"expected {accepted}{also}"
            )
            check.add(problem, GeometryError)
    return out, family, repaired


_FAMILY_OF_TYPE_ID = np.array(
    [None, "point", "line", "line", "polygon", "point", "line", "polygon", None], dtype=object
)
"""Family by shapely type id + 1 (missing, Point, LineString, LinearRing, Polygon, Multi...)."""


def _families(geometry: NDArray[np.object_]) -> NDArray[np.object_]:
    """Return :func:`_geometry_family` of each geometry, vectorised."""
    ids = shapely.get_type_id(geometry)  # -1 for missing
    out = _FAMILY_OF_TYPE_ID[np.clip(ids + 1, 0, 8)]
    out[shapely.is_empty(geometry)] = None
    return np.asarray(out, dtype=object)


def _geometry_family(geom: object) -> str | None:
    if not isinstance(geom, shapely.Geometry) or geom.is_empty:
        return None
    return _KIND_OF_TYPE.get(str(geom.geom_type))


_GEOD = Geod(ellps="WGS84")


OVERLAP_M = 1.0
"""Border rows that share more than this length of line are the same stretch given twice."""


def _check_border_lines(
    geoms: NDArray[np.object_], rows: NDArray[np.int64], check: Collector
) -> list[int]:
    """File border rows that run along an earlier row; return the rows whose line crosses itself.

    A stretch given twice would be counted twice in every length, gap and
    need, so it is refused. A line that crosses itself (vertices out of
    order, a loop) may come from a source the user cannot easily mend, so it
    is only reported for a warning.
    """
    present = np.flatnonzero(~shapely.is_missing(geoms))
    lines = geoms[present]
    crossing = [int(rows[present[k]]) for k in np.flatnonzero(~shapely.is_simple(lines))]
    pairs = shapely.STRtree(lines).query(lines, predicate="intersects")
    for a, b in pairs.T[pairs[0] < pairs[1]]:
        shared = shapely.intersection(lines[a], lines[b])
        parts = [p for p in shapely.get_parts(shared) if _geometry_family(p) == "line"]
        length_m = sum(_GEOD.geometry_length(p) for p in parts)
        if length_m > OVERLAP_M:
            check.geometry(
                int(rows[present[b]]),
                f"the line runs along row {int(rows[present[a]])} for {length_m / 1000:.1f} km; "
                "expected each stretch of the border once (remove the copy)",
            )
    return crossing


def _repair(geom: shapely.Geometry, family: str) -> shapely.Geometry | None:
    """Return a valid geometry of the same family, or ``None`` when nothing is left."""
    fixed = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(fixed) if _KIND_OF_TYPE.get(p.geom_type) == family]
    parts = [p for p in parts if not p.is_empty]
    if not parts:
        return None
    if family == "polygon":
        return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    if family == "line":
        return parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)
    return parts[0] if len(parts) == 1 else None


def _frame(
    values: Mapping[str, object],
    rows: NDArray[np.int64],
    geoms: Sequence[object] | NDArray[np.object_],
) -> gpd.GeoDataFrame:
    """Assemble the output frame with proper dtypes."""
    data: dict[str, object] = {}
    for name, column in values.items():
        array = np.asarray(column)
        if array.dtype.kind in "OUS":
            data[name] = pd.Series(array.astype(object), dtype="str")
        elif array.dtype.kind == "M":
            data[name] = pd.Series(array, dtype="datetime64[ns]")
        else:
            data[name] = pd.Series(array)
    data["source_row"] = pd.Series(np.asarray(rows, dtype=np.int64))
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs=WGS84)


def _merge_sections(
    values: Mapping[str, object],
    rows: NDArray[np.int64],
    geoms: NDArray[np.object_],
    stem: str,
) -> gpd.GeoDataFrame:
    """Merge border rows into one (Multi)LineString row per section."""
    sections = [s or stem for s in values["section"]]  # type: ignore[attr-defined]
    texts = ("country_left", "country_right", "name_ru")  # first non-empty of the rows
    order: dict[str, list[int]] = {}
    for i, section in enumerate(sections):
        order.setdefault(section, []).append(i)
    merged: dict[str, list[object]] = {"section": [], **{k: [] for k in texts}}
    out_rows, out_geoms = [], []
    for section, members in order.items():
        parts = [p for i in members for p in shapely.get_parts(geoms[i])]
        merged["section"].append(section)
        for key in texts:
            column = values.get(key)
            merged[key].append(
                next((column[i] for i in members if column[i]), "") if column is not None else ""  # type: ignore[index]
            )
        out_rows.append(rows[members[0]])
        out_geoms.append(_line_merge(parts))
    return _frame(
        {k: np.array(v, dtype=object) for k, v in merged.items()}, np.array(out_rows), out_geoms
    )


def _line_merge(parts: Sequence[shapely.Geometry]) -> shapely.Geometry:
    """Join line parts end to end; parts that do not join stay separate."""
    return shapely.line_merge(shapely.MultiLineString(list(parts)))


def _shared_edge(
    frame: pd.DataFrame,
    geoms: NDArray[np.object_],
    found: Mapping[str, str | None],
    stem: str,
    name: str,
) -> gpd.GeoDataFrame:
    """Return the border between two country polygons as one section."""
    a, b = geoms[0], geoms[1]
    shared = shapely.intersection(a.boundary, b.boundary)
    lines = [p for p in shapely.get_parts(shared) if _geometry_family(p) == "line"]
    if not lines:
        snapped = shapely.snap(b.boundary, a.boundary, 1e-6)
        shared = shapely.intersection(a.boundary, snapped)
        lines = [p for p in shapely.get_parts(shared) if _geometry_family(p) == "line"]
    if not lines:
        raise GeometryError(
            f"{name}, layer border: the two country polygons share no edge; "
            "give the border as a line layer instead"
        )
    edge = _line_merge(lines)
    column = found.get("name") or _find([str(c) for c in frame.columns], None, _NAME_COLUMNS)
    names = _texts(frame[column], 2) if column is not None else ["", ""]
    if _left_is(edge, b) and not _left_is(edge, a):
        names = names[::-1]
    section = f"{names[0]}–{names[1]}" if all(names) else stem
    values = {
        "section": np.array([section], dtype=object),
        "country_left": np.array([names[0]], dtype=object),
        "country_right": np.array([names[1]], dtype=object),
        "name_ru": np.array([""], dtype=object),
    }
    return _frame(values, np.array([1]), [edge])


def _left_is(edge: shapely.Geometry, polygon: shapely.Geometry) -> bool:
    """Return whether ``polygon`` lies to the left of the first edge of ``edge``."""
    first = shapely.get_parts(edge)[0]
    xy = shapely.get_coordinates(first)
    (x0, y0), (x1, y1) = xy[0], xy[1]
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy)
    if length == 0:
        return False
    step = min(length * 0.01, 1e-5)
    probe = shapely.Point((x0 + x1) / 2 - dy / length * step, (y0 + y1) / 2 + dx / length * step)
    return bool(polygon.contains(probe))


def _passes(
    values: Mapping[str, object], rows: NDArray[np.int64], geoms: NDArray[np.object_]
) -> gpd.GeoDataFrame:
    """Turn timed patrol fixes into one LineString row per pass.

    Fixes are grouped by ``id``, ordered by time and split where two fixes are
    more than :data:`TRACK_GAP_H` hours apart. Each pass counts
    ``1 / period_days`` visits per day, the period being the time spanned by
    the whole layer (at least one day). Passes of a single fix are dropped.
    """
    times = pd.Series(values["time"])
    ids = np.asarray(values["id"], dtype=object)
    names = [f.name for f in _SCHEMAS["patrols"]]
    columns: dict[str, list[object]] = {name: [] for name in names}
    out_rows, out_geoms = [], []
    if len(times):
        span = (times.max() - times.min()) / pd.Timedelta(days=1)
        period_days = max(1.0, float(span))
    else:
        period_days = 1.0
    for track in dict.fromkeys(ids):
        members = np.flatnonzero(ids == track)
        members = members[np.argsort(times.iloc[members].to_numpy(), kind="stable")]
        gap = np.diff(times.iloc[members].to_numpy()) > np.timedelta64(int(TRACK_GAP_H * 3600), "s")
        for run in np.split(members, np.flatnonzero(gap) + 1):
            if len(run) < 2:
                continue
            first = run[0]
            for name in names:
                if name == "visits_per_day":
                    columns[name].append(1.0 / period_days)
                else:
                    columns[name].append(np.asarray(values[name])[first])  # type: ignore[call-overload]
            out_rows.append(rows[first])
            out_geoms.append(shapely.LineString([geoms[i] for i in run]))
    data = {
        name: np.array(col, dtype=float if name in ("visits_per_day", "sweep_m", "pd") else object)
        for name, col in columns.items()
    }
    return _frame(data, np.array(out_rows, dtype=np.int64), out_geoms)


def _row_list(rows: Sequence[int], limit: int = 10) -> str:
    """Return ``'1, 2, 3'`` or ``'1, 2, ... and 5 more'``."""
    shown = ", ".join(str(int(r)) for r in rows[:limit])
    rest = len(rows) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown
