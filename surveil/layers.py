"""Read, check and normalise the input layers of an assessment.

Every layer is read into a new :class:`geopandas.GeoDataFrame` in EPSG:4326
with the canonical columns of its kind (see :data:`LAYER_KINDS` and
:func:`read_layer`), defaults filled and values checked. All problems of a
layer are collected and raised at once, each naming the file, the layer, the
row and the field. Nothing the user gave is modified.
"""

from __future__ import annotations

import io
import math
import os
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError
from scipy.spatial import cKDTree

from surveil._validate import Collector
from surveil.errors import GeometryError, InputError, InputWarning, Problem, SchemaError
from surveil.geodesy import LineIndex, densify, ecef

__all__ = ["LAYER_KINDS", "check_near_border", "clip_to_border", "read_layer"]

LAYER_KINDS = ("border", "sensors", "patrols", "incidents", "posts", "settlements", "roads")
"""Kinds of vector layer that :func:`read_layer` understands."""

WGS84 = CRS.from_epsg(4326)
TRACK_GAP_H = 2.0
"""A patrol track is split into passes where two fixes are more than this many hours apart."""

_GEOGRAPHIC_HINT = "state the CRS of the file (crs = ... in the scenario, or --crs)"
_BLANKS = frozenset({"", "nan", "null", "none", "na", "n/a", "<na>", "nat"})
_LON_NAMES = ("lon", "lng", "long", "longitude")
_LAT_NAMES = ("lat", "latitude")
_WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")
_NAME_COLUMNS = ("name", "country", "name_en", "admin", "country_name")
_KIND_OF_TYPE = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "LinearRing": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}
_FAMILY_TYPES = {
    "point": "Point (a MultiPoint with one point is accepted)",
    "line": "LineString or MultiLineString",
    "polygon": "Polygon or MultiPolygon",
}
_FAMILIES = {
    "border": ("line", "polygon"),
    "sensors": ("point",),
    "patrols": ("line", "point"),
    "incidents": ("point",),
    "posts": ("point",),
    "settlements": ("point",),
    "roads": ("line",),
}


# --------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class _Field:
    """One canonical column: its type, default, and what values it accepts."""

    name: str
    kind: str  # "text", "id", "float", "int", "enum", "date"
    default: object = None
    required: bool = False
    valid: Callable[[NDArray[np.float64]], NDArray[np.bool_]] | None = None
    expected: str = ""
    number: str = "a number"
    choices: tuple[str, ...] = ()


def _positive(v: NDArray[np.float64]) -> NDArray[np.bool_]:
    return v > 0


def _non_negative(v: NDArray[np.float64]) -> NDArray[np.bool_]:
    return v >= 0


def _unit(v: NDArray[np.float64]) -> NDArray[np.bool_]:
    return (v >= 0) & (v <= 1)


def _probability(name: str, *, required: bool, default: float | None = None) -> _Field:
    return _Field(
        name,
        "float",
        default=default,
        required=required,
        valid=_unit,
        expected="expected a probability from 0 to 1",
        number="a number from 0 to 1",
    )


def _enum(name: str, choices: tuple[str, ...], default: str) -> _Field:
    shown = ", ".join(c if c else '"" (empty)' for c in choices)
    return _Field(
        name, "enum", default=default, expected=f"expected one of {shown}", choices=choices
    )


_SCHEMAS: dict[str, tuple[_Field, ...]] = {
    "border": (
        _Field("section", "text", default=None),
        _Field("country_left", "text", default=""),
        _Field("country_right", "text", default=""),
    ),
    "sensors": (
        _Field("id", "id", default="S"),
        _Field("type", "text", default="sensor"),
        _Field(
            "range_m",
            "float",
            required=True,
            valid=_positive,
            expected="expected a positive distance in metres",
            number="a number in metres",
        ),
        _Field(
            "azimuth_deg",
            "float",
            default=math.nan,
            valid=lambda v: (v >= 0) & (v <= 360),
            expected="expected a bearing from 0 to 360 degrees, or empty for all round",
            number="a number in degrees",
        ),
        _Field(
            "fov_deg",
            "float",
            default=360.0,
            valid=lambda v: (v > 0) & (v <= 360),
            expected="expected an angle in degrees above 0 and at most 360",
            number="a number in degrees",
        ),
        _Field(
            "height_m",
            "float",
            default=10.0,
            valid=_non_negative,
            expected="expected a height in metres, 0 or more",
            number="a number in metres",
        ),
        _Field(
            "ground_m",
            "float",
            default=math.nan,
            valid=lambda v: (v > -500) & (v < 9000),
            expected="expected a ground elevation in metres, or empty to take it from the DEM",
            number="a number in metres",
        ),
        _probability("pd", required=True),
        _probability("availability", required=False, default=1.0),
        _enum("status", ("operational", "faulty", "planned"), "operational"),
        _Field("agency", "text", default=""),
    ),
    "patrols": (
        _Field("id", "id", default="P"),
        _Field(
            "visits_per_day",
            "float",
            required=True,
            valid=_non_negative,
            expected="expected a number of passes per day, 0 or more",
            number="a number of passes per day",
        ),
        _Field(
            "sweep_m",
            "float",
            default=100.0,
            valid=_positive,
            expected="expected a positive distance in metres",
            number="a number in metres",
        ),
        _probability("pd", required=False, default=1.0),
        _enum("mode", ("foot", "vehicle", "horse", "boat"), "foot"),
        _enum("window", ("day", "night", "all"), "all"),
        _Field("agency", "text", default=""),
    ),
    "incidents": (
        _Field("date", "date"),
        _enum("type", ("crossing", "smuggling", "trafficking", "other"), "crossing"),
        _Field(
            "persons",
            "int",
            default=1,
            valid=lambda v: (v >= 1) & (v == np.floor(v)),
            expected="expected a whole number of persons, 1 or more",
            number="a whole number of persons",
        ),
        _enum("outcome", ("apprehended", "evaded", "detected-only", ""), ""),
    ),
    "posts": (
        _Field("id", "id", default="B"),
        _enum("type", ("outpost", "bcp"), "outpost"),
        _Field(
            "reaction_speed_kmh",
            "float",
            default=30.0,
            valid=_positive,
            expected="expected a positive speed in km/h",
            number="a number in km/h",
        ),
    ),
    "settlements": (
        _Field("name", "text", default=""),
        _Field(
            "population",
            "float",
            default=0.0,
            valid=_non_negative,
            expected="expected a number of people, 0 or more",
            number="a number of people",
        ),
    ),
    "roads": (_Field("name", "text", default=""),),
}
_EXTRA: dict[str, tuple[str, ...]] = {"patrols": ("time",), "border": ("name",)}


# --------------------------------------------------------------------------- reading


@dataclass
class _Raw:
    """A layer as read, before any checks."""

    frame: pd.DataFrame
    geometry: NDArray[np.object_]
    crs: CRS | None
    default_crs: CRS | None = None
    decimal_comma: bool = False
    filed: frozenset[int] = frozenset()
    """Rows whose geometry problem (bad coordinate text) was already filed."""
    shown_columns: tuple[str, ...] | None = None
    """Columns to list in messages, when more than those of ``frame`` (CSV coordinates)."""


def read_layer(
    source: str | os.PathLike[str] | gpd.GeoDataFrame,
    kind: str,
    *,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: str | None = None,
    repair: bool = True,
    x: str | None = None,
    y: str | None = None,
) -> gpd.GeoDataFrame:
    """Read one input layer, check it, and return it in canonical form.

    Parameters
    ----------
    source
        A vector file GDAL/OGR reads (GeoPackage, GeoJSON, Shapefile, KML,
        GPX, FlatGeobuf, ...), a GeoParquet file, a CSV with coordinate
        columns, or an in-memory GeoDataFrame (left unmodified).
    kind
        One of :data:`LAYER_KINDS`.
    layer
        Layer to read from a multi-layer file; by default the only layer, the
        one named like ``kind``, or the only non-empty one of a fitting
        geometry type.
    columns
        Canonical column name -> the column name in the file, for files whose
        columns are named otherwise, e.g. ``{"range_m": "Range"}``.
    crs
        CRS of the data (anything :class:`pyproj.CRS` accepts). Needed when
        the file states none; must agree with the file when it does.
    repair
        Repair invalid geometries with :func:`shapely.make_valid` (with an
        :class:`~surveil.errors.InputWarning`) instead of refusing them.
    x, y
        Coordinate columns of a CSV. By default ``lon``/``lng``/``longitude``
        and ``lat``/``latitude`` (EPSG:4326 unless ``crs`` says otherwise),
        or ``x`` and ``y`` (which need ``crs``); any case.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame in EPSG:4326 with the canonical columns of ``kind``,
        ``source_row`` (1-based feature or CSV data row number) and
        ``geometry``, index ``0..n-1``. Border rows are merged into one row
        per ``section``; patrol point tracks become one line per pass.

    Raises
    ------
    surveil.errors.InputError
        The file is missing or unreadable, or a layer is far off; the
        subclasses :class:`~surveil.errors.SchemaError`,
        :class:`~surveil.errors.CRSError` and
        :class:`~surveil.errors.GeometryError` list every problem of the
        layer (all rows, all fields) at once.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> given = gpd.GeoDataFrame(
    ...     {"range_m": [2000.0], "pd": [0.8]}, geometry=[Point(70.0, 40.0)], crs=4326
    ... )
    >>> sensors = read_layer(given, "sensors")
    >>> row = sensors.iloc[0]
    >>> print(row["id"], row["status"], row["fov_deg"], row["source_row"], sensors.crs.to_epsg())
    S1 operational 360.0 1 4326
    """
    if kind not in LAYER_KINDS:
        raise InputError(f"unknown layer kind {kind!r}; expected one of {', '.join(LAYER_KINDS)}")
    name, stem = _names(source, layer)
    check = Collector(name, kind)
    raw = _read(source, kind, name, layer=layer, x=x, y=y, check=check)
    n = len(raw.frame)
    rows = np.arange(1, n + 1)

    geoms, family, repaired = _check_geometries(raw, rows, kind, repair, check)
    found = _match_columns(raw, kind, family, columns, check)
    source_crs = _resolve_crs(raw, crs, n, check)
    if source_crs is not None:
        geoms = _to_wgs84(geoms, source_crs, rows, check)
    if kind == "border" and family == "polygon":
        if n != 2:
            check.geometry(
                None,
                f"a border given as country polygons needs exactly two features; got {n}",
            )
        values: dict[str, object] = {}
    else:
        values = _parse_values(raw, kind, family, found, rows, check)
    if kind == "border" and n == 0:
        check.geometry(None, "the border layer has no features; expected at least one line")
    check.raise_if_any()
    if repaired:
        warnings.warn(
            f"{name}, layer {kind}: repaired invalid geometries in rows {_row_list(repaired)}",
            InputWarning,
            stacklevel=2,
        )
    if kind == "border":
        if family == "polygon":
            return _shared_edge(raw.frame, geoms, found, stem, name)
        return _merge_sections(values, rows, geoms, stem)
    if kind == "patrols" and family == "point":
        return _passes(values, rows, geoms)
    return _frame(values, rows, geoms)


def _names(source: str | os.PathLike[str] | gpd.GeoDataFrame, layer: str | None) -> tuple[str, str]:
    """Return the name used in messages and the stem used as a default section name."""
    if isinstance(source, gpd.GeoDataFrame):
        return "<GeoDataFrame>", "border"
    path = Path(os.fspath(source))
    name = path.name or str(path)
    if layer is not None:
        name = f"{name}:{layer}"
    return name, path.stem or "border"


def _read(
    source: object,
    kind: str,
    name: str,
    *,
    layer: str | None,
    x: str | None,
    y: str | None,
    check: Collector,
) -> _Raw:
    """Read the source into a plain frame, a geometry array and its CRS."""
    if isinstance(source, gpd.GeoDataFrame):
        return _from_frame(source)
    if isinstance(source, pd.DataFrame):
        raise InputError(f"{name}: a DataFrame without geometry; pass a GeoDataFrame or a file")
    text = os.fspath(source)  # type: ignore[call-overload]
    path = Path(text)
    if not path.exists() and not str(text).startswith("/vsi"):  # GDAL virtual paths: /vsizip/...
        raise InputError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, x=x, y=y, check=check)
    if suffix in (".parquet", ".geoparquet"):
        return _read_parquet(path)
    return _from_frame(_read_ogr(path, kind, layer))


def _from_frame(frame: gpd.GeoDataFrame) -> _Raw:
    """Split a GeoDataFrame into attributes, geometries and CRS, copying it."""
    try:
        geometry = np.asarray(frame.geometry.values, dtype=object).copy()
    except AttributeError as exc:
        raise InputError(
            "<GeoDataFrame>: has no active geometry column; set one with set_geometry"
        ) from exc
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name)).reset_index(drop=True)
    return _Raw(attributes.copy(), geometry, frame.crs)


def _read_parquet(path: Path) -> _Raw:
    """Read a GeoParquet file."""
    try:
        frame = gpd.read_parquet(path)
    except ImportError as exc:
        raise InputError(f"{path}: reading GeoParquet needs pyarrow (pip install pyarrow)") from exc
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as GeoParquet ({exc})") from exc
    return _from_frame(frame)


def _read_ogr(path: Path, kind: str, layer: str | None) -> gpd.GeoDataFrame:
    """Read one layer of a file OGR understands, wrapping its errors."""
    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as a vector file ({_short(exc)})") from exc
    names = [str(row[0]) for row in listed]
    if layer is not None and layer not in names:
        raise InputError(f"{path}: has no layer {layer!r}; its layers are: {', '.join(names)}")
    chosen = layer if layer is not None else _choose_layer(path, kind, listed)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pyogrio.read_dataframe(path, layer=chosen)
    except Exception as exc:
        raise InputError(f"{path}: layer {chosen!r} cannot be read ({_short(exc)})") from exc


def _choose_layer(path: Path, kind: str, listed: NDArray[np.object_]) -> str:
    """Pick the layer of a multi-layer file that holds ``kind``."""
    names = [str(row[0]) for row in listed]
    if len(names) == 1:
        return names[0]
    for candidate in names:
        if candidate.lower() == kind:
            return candidate
    counts = {}
    for candidate in names:
        try:
            counts[candidate] = pyogrio.read_info(path, layer=candidate, force_feature_count=True)[
                "features"
            ]
        except Exception:
            counts[candidate] = 0
    if kind == "patrols" and counts.get("track_points", 0) > 0:
        return "track_points"  # GPS tracks (GPX): timed fixes
    fitting = [
        str(row[0])
        for row in listed
        if counts[str(row[0])] > 0 and _type_family(str(row[1])) in _FAMILIES[kind]
    ]
    if len(fitting) == 1:
        return fitting[0]
    raise InputError(
        f"{path}: has {len(names)} layers ({', '.join(names)}); "
        f"name the one holding the {kind} (layer = ... in the scenario)"
    )


def _type_family(geometry_type: str) -> str | None:
    """Return point/line/polygon for an OGR geometry type name like 'MultiLineString Z'."""
    base = geometry_type.split(" ")[0]
    return _KIND_OF_TYPE.get(base)


def _short(exc: Exception) -> str:
    """Return the first line of an exception message."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _read_csv(path: Path, *, x: str | None, y: str | None, check: Collector) -> _Raw:
    """Read a CSV with coordinate columns (or a WKT column) as text."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")  # Russian-language Excel exports
    if not text.strip():
        raise InputError(f"{path}: the file is empty; expected a header line and data rows")
    header = (text.split("\n", 1)[0].splitlines() or [""])[0]  # the first line
    sep = max((",", ";", "\t"), key=header.count)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True
        )
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as CSV ({_short(exc)})") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    decimal_comma = sep != ","
    x_col = _find(frame.columns, x, (*_LON_NAMES, "x"))
    y_col = _find(frame.columns, y, (*_LAT_NAMES, "y"))
    n = len(frame)
    if x_col is None or y_col is None:
        wkt_col = None if (x or y) else _find(frame.columns, None, _WKT_NAMES)
        if wkt_col is None:
            wanted = f"{x} and {y}" if (x or y) else "lon and lat (or lng/longitude, latitude, x/y)"
            raise SchemaError(
                f"{check.source}: no coordinate columns; expected {wanted} or a WKT column; "
                f"the file has columns: {', '.join(frame.columns)}"
            )
        before = len(check)
        geometry = _parse_wkt(frame[wkt_col], wkt_col, check)
        filed = frozenset(int(p.row) for p in check.problems[before:] if p.row is not None)
        raw = _Raw(frame.drop(columns=wkt_col), geometry, None, None, decimal_comma, filed)
        raw.shown_columns = tuple(frame.columns)
        return raw
    rows = np.arange(1, n + 1)
    before = len(check)
    lon = _numbers(frame[x_col], x_col, rows, "a coordinate (a number)", decimal_comma, check)
    lat = _numbers(frame[y_col], y_col, rows, "a coordinate (a number)", decimal_comma, check)
    filed = frozenset(int(p.row) for p in check.problems[before:] if p.row is not None)
    geometry = np.full(n, None, dtype=object)
    located = ~(np.isnan(lon) | np.isnan(lat))
    geometry[located] = shapely.points(lon[located], lat[located])
    lonlat = x_col.lower() in _LON_NAMES and y_col.lower() in _LAT_NAMES
    default = WGS84 if lonlat else None
    raw = _Raw(frame.drop(columns=[x_col, y_col]), geometry, None, default, decimal_comma, filed)
    raw.shown_columns = tuple(frame.columns)
    return raw


def _find(available: Sequence[str], given: str | None, candidates: Sequence[str]) -> str | None:
    """Return the column named ``given`` or one of ``candidates``, in any case."""
    lowered = {str(c).lower(): str(c) for c in available}
    if given is not None:
        return given if given in available else lowered.get(given.lower())
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    return None


def _parse_wkt(values: pd.Series, column: str, check: Collector) -> NDArray[np.object_]:
    """Parse a column of WKT text, filing unreadable values."""
    blank = _blank_mask(values)
    given = values.to_numpy(dtype=object)[~blank]
    if all(isinstance(v, str) for v in given):
        try:
            out = np.full(len(values), None, dtype=object)
            out[~blank] = shapely.from_wkt(given.astype(object))
            return out
        except shapely.errors.ShapelyError:
            pass  # some text is not WKT: find which, one by one
    out = np.empty(len(values), dtype=object)
    for i, text in enumerate(values):
        if _blank(text):
            out[i] = None
            continue
        try:
            out[i] = shapely.from_wkt(str(text))
        except shapely.errors.ShapelyError:
            check.schema(i + 1, column, _clip(str(text)), "expected a geometry as WKT text")
            out[i] = None
    return out


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- checks


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


def _match_columns(
    raw: _Raw,
    kind: str,
    family: str,
    columns: Mapping[str, str] | None,
    check: Collector,
) -> dict[str, str | None]:
    """Map each canonical column to the file's column, filing missing required ones."""
    fields = _fields(kind, family)
    everything = [f.name for f in _SCHEMAS[kind]] + [f.name for f in fields]
    known = list(dict.fromkeys(everything + list(_EXTRA.get(kind, ()))))
    frame = raw.frame
    available = [str(c) for c in frame.columns]
    mapping = dict(columns or {})
    listed = raw.shown_columns if raw.shown_columns is not None else available
    has = ", ".join(listed) if listed else "(none)"
    for canonical in mapping:
        if canonical not in known:
            check.schema(
                None,
                None,
                None,
                f"the column mapping names {canonical!r}, which is not a {kind} column; "
                f"expected one of {', '.join(known)}",
            )
    found: dict[str, str | None] = {}
    for canonical in known:
        if canonical in mapping:
            found[canonical] = _find(available, mapping[canonical], ())
            if found[canonical] is None and len(frame):
                check.schema(
                    None,
                    mapping[canonical],
                    None,
                    f"column given for {canonical} is not in the file; the file has columns: {has}",
                )
                found[canonical] = None
            continue
        found[canonical] = _find(available, None, (canonical, canonical[:10]))
    if len(frame):
        for spec in fields:
            if spec.required and found[spec.name] is None and spec.name not in mapping:
                check.schema(
                    None,
                    None,
                    None,
                    f"required column {spec.name} is missing; the file has columns: {has}",
                )
    return found


def _fields(kind: str, family: str) -> tuple[_Field, ...]:
    """Return the fields checked for a layer; point patrol tracks need a time, not visits."""
    fields = _SCHEMAS[kind]
    if kind == "patrols" and family == "point":
        fields = tuple(f for f in fields if f.name != "visits_per_day")
        fields += (_Field("time", "date", required=True),)
    return fields


def _resolve_crs(raw: _Raw, given: str | None, n: int, check: Collector) -> CRS | None:
    """Return the CRS of the data, filing a problem when it is missing or contradicts ``given``."""
    stated = None
    if given is not None:
        try:
            stated = CRS.from_user_input(given)
        except ProjCRSError:
            check.crs(None, f"crs {given!r} is not a coordinate reference system pyproj knows")
            return None
    if raw.crs is not None:
        file_crs = CRS.from_user_input(raw.crs)
        if stated is not None and not _same_crs(file_crs, stated):
            check.crs(
                None,
                f"the file says its CRS is {_crs_name(file_crs)} but crs = {given!r} was given; "
                "remove crs or correct it",
            )
            return None
        return file_crs
    if stated is not None:
        return stated
    if raw.default_crs is not None:
        return raw.default_crs
    if n == 0:
        return WGS84
    check.crs(
        None,
        f"the layer has no coordinate reference system; {_GEOGRAPHIC_HINT}, "
        'e.g. crs = "EPSG:32642"',
    )
    return None


def _same_crs(a: CRS, b: CRS) -> bool:
    if a.equals(b, ignore_axis_order=True):
        return True
    epsg_a, epsg_b = a.to_epsg(min_confidence=70), b.to_epsg(min_confidence=70)
    return epsg_a is not None and epsg_a == epsg_b


def _crs_name(crs: CRS) -> str:
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg}" if epsg else crs.name


def _to_wgs84(
    geoms: NDArray[np.object_], crs: CRS, rows: NDArray[np.int64], check: Collector
) -> NDArray[np.object_]:
    """Check coordinates against the CRS and return geometries in EPSG:4326."""
    present = ~shapely.is_missing(geoms)
    if not present.any():
        return geoms
    bounds = shapely.bounds(geoms[present])
    if crs.is_geographic and not _check_degrees(bounds, rows[present], check):
        return geoms  # out of range: already filed, nothing sensible to transform
    if _same_crs(crs, WGS84):
        return geoms
    series = gpd.GeoSeries(list(geoms[present]), crs=crs).to_crs(WGS84)
    out = geoms.copy()
    out[present] = np.asarray(series.values, dtype=object)
    bad = ~np.isfinite(shapely.bounds(out[present])).all(axis=1)
    if not crs.is_geographic:
        new = shapely.bounds(out[present])
        bad |= (np.abs(new[:, [0, 2]]) > 180).any(axis=1) | (np.abs(new[:, [1, 3]]) > 90).any(
            axis=1
        )
    for row in rows[present][bad]:
        check.crs(
            int(row),
            f"coordinates cannot be transformed from {_crs_name(crs)} to longitude and latitude; "
            "check that this is the CRS the coordinates are in",
        )
    return out


def _check_degrees(bounds: NDArray[np.float64], rows: NDArray[np.int64], check: Collector) -> bool:
    """File rows whose geographic coordinates are out of range; return whether all are in range."""
    lon_bad = (bounds[:, 0] < -180) | (bounds[:, 2] > 180)
    lat_bad = (bounds[:, 1] < -90) | (bounds[:, 3] > 90)
    for i in np.flatnonzero(lon_bad | lat_bad):
        xmax = max(abs(bounds[i, 0]), abs(bounds[i, 2]))
        ymax = max(abs(bounds[i, 1]), abs(bounds[i, 3]))
        if xmax <= 90 and ymax <= 180:
            hint = "longitude and latitude look swapped"
        else:
            hint = (
                "they look like projected coordinates (metres) with a wrong CRS; "
                + _GEOGRAPHIC_HINT
            )
        where = f"x {_num(bounds[i, 0])}, y {_num(bounds[i, 1])}"
        check.crs(
            int(rows[i]),
            f"coordinates ({where}) are outside longitude -180..180 / latitude -90..90; {hint}",
        )
    return not (lon_bad | lat_bad).any()


def _num(value: float) -> str:
    return f"{value:.10g}"


# --------------------------------------------------------------------------- values


def _parse_values(
    raw: _Raw,
    kind: str,
    family: str,
    found: Mapping[str, str | None],
    rows: NDArray[np.int64],
    check: Collector,
) -> dict[str, object]:
    """Parse and check every canonical field; return arrays of clean values."""
    values: dict[str, object] = {}
    for spec in _fields(kind, family):
        column = found.get(spec.name)
        series = raw.frame[column] if column is not None else None
        shown = column if column is not None else spec.name
        values[spec.name] = _parse_field(spec, series, shown, rows, raw.decimal_comma, check)
    if kind == "patrols" and family == "point" and found.get("id") is None:
        values["id"] = np.array(["P1"] * len(rows), dtype=object)
    return values


def _parse_field(
    spec: _Field,
    series: pd.Series | None,
    shown: str,
    rows: NDArray[np.int64],
    decimal_comma: bool,
    check: Collector,
) -> NDArray[np.generic]:
    """Return the clean values of one field, filing every bad one."""
    n = len(rows)
    if spec.kind == "id":
        if n == 0:
            return np.array([])
        ids = _text_array(series, n)
        unnamed = ids == ""
        ids[unnamed] = [f"{spec.default}{r}" for r in rows[unnamed]]
        return ids.astype(str)  # fixed-width text, as np.array of a list of texts gives
    if spec.kind == "text":
        texts = _text_array(series, n)
        texts[texts == ""] = spec.default if spec.default is not None else ""
        return texts
    if spec.kind == "enum":
        return _parse_enum(spec, series, shown, rows, check)
    if spec.kind == "date":
        return _parse_dates(spec, series, shown, rows, check)
    if series is None:
        if spec.required and n:
            return np.full(n, np.nan)  # missing column already filed
        return np.full(n, spec.default, dtype=float)
    number = _numbers(series, shown, rows, spec.number, decimal_comma, check)
    missing = np.isnan(number)
    if spec.required:
        for row in rows[_blank_where(series, missing)]:
            check.schema(int(row), shown, "", spec.expected)
    elif spec.default is not None:
        number = np.where(_blank_where(series, missing), float(spec.default), number)  # type: ignore[arg-type]
    if spec.valid is not None:
        with np.errstate(invalid="ignore"):
            ok = spec.valid(number) | np.isnan(number)
        for i in np.flatnonzero(~ok):
            check.schema(int(rows[i]), shown, float(number[i]), _hint(spec, float(number[i])))
    if spec.name == "azimuth_deg":
        number = np.where(number == 360, 0.0, number)
    if spec.kind == "int":
        return np.where(np.isnan(number), 1, number).astype(np.int64)
    return number


def _hint(spec: _Field, value: float) -> str:
    """Return the expectation text, with a hint when a probability looks like a percentage."""
    if spec.valid is _unit and 1 < value <= 100:
        return f"{spec.expected} ({_num(value)} looks like a percentage: write {value / 100:g})"
    return spec.expected


def _blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in _BLANKS


def _blank_mask(series: pd.Series) -> NDArray[np.bool_]:
    if series.dtype.kind == "f":
        return np.isnan(series.to_numpy(dtype=float))
    if series.dtype.kind in "iub":
        return np.zeros(len(series), dtype=bool)
    distinct = _distinct_texts(series)
    if distinct is not None:
        codes, _, blank = distinct
        return blank[codes]
    return np.fromiter((_blank(v) for v in series.to_numpy(dtype=object)), bool, len(series))


def _blank_where(series: pd.Series, where: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Return :func:`_blank_mask`, evaluated only where ``where`` is true (false elsewhere)."""
    out = np.zeros(len(series), dtype=bool)
    if where.any():
        out[where] = _blank_mask(series[where])
    return out


def _distinct_texts(
    series: pd.Series,
) -> tuple[NDArray[np.intp], NDArray[np.object_], NDArray[np.bool_]] | None:
    """For a column of text only: codes into its distinct texts, stripped, and which are blank.

    Returns ``None`` when some value is not text (or there are none).
    """
    values = series.to_numpy(dtype=object)
    if not len(values) or pd.api.types.infer_dtype(values, skipna=False) != "string":
        return None
    codes, distinct = pd.factorize(values)
    stripped = _objects(list(map(str.strip, distinct)))
    # Blanks are short words; lower() never shortens a text, so only short ones can be.
    short = np.flatnonzero(np.fromiter(map(len, stripped), np.int64, len(stripped)) <= 8)
    blank = np.zeros(len(stripped), dtype=bool)
    blank[short] = [stripped[i].lower() in _BLANKS for i in short]
    return codes, stripped, blank


def _objects(items: Sequence[object]) -> NDArray[np.object_]:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _texts(series: pd.Series | None, n: int) -> list[str]:
    """Return stripped text values; blanks become ``""`` and whole floats lose ``.0``."""
    return list(_text_array(series, n))


def _text_array(series: pd.Series | None, n: int) -> NDArray[np.object_]:
    """Return :func:`_texts` as a (writable) array of objects."""
    if series is None:
        return _objects([""] * n)
    distinct = _distinct_texts(series)
    if distinct is not None:
        codes, stripped, blank = distinct
        stripped[blank] = ""
        return stripped[codes]
    return _objects([_text(v) for v in series.to_numpy(dtype=object)])


def _text(value: object) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _numbers(
    series: pd.Series,
    shown: str,
    rows: NDArray[np.int64],
    number: str,
    decimal_comma: bool,
    check: Collector,
) -> NDArray[np.float64]:
    """Return a column as floats (NaN where blank), filing text that is not a number."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=float, na_value=np.nan)
    values = series.to_numpy(dtype=object)
    n = len(values)
    if not n or pd.api.types.infer_dtype(values, skipna=False) != "string":
        return _numbers_one_by_one(values, shown, rows, number, decimal_comma, check)
    if n > 1000 and len(set(values[:1000])) <= 100:  # few distinct values: read each once
        codes, distinct = pd.factorize(values)
        parsed, bad = _read_numbers(np.asarray(distinct, dtype=object), decimal_comma)
        parsed, bad = parsed[codes], bad[codes]
    else:
        parsed, bad = _read_numbers(values, decimal_comma)
    for i in np.flatnonzero(bad):
        check.schema(int(rows[i]), shown, str(values[i]), f"expected {number}")
    return parsed


def _read_numbers(
    values: NDArray[np.object_], decimal_comma: bool
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Return texts as numbers (NaN where blank or bad) and which are bad."""
    n = len(values)
    # Plain numbers are read by numpy, which calls float() on each text: where that
    # gives a finite number, the careful reading of _number gives the same.
    parsed = np.full(n, np.nan)
    unsure = np.zeros(n, dtype=bool)
    try:
        parsed[:] = values.astype(np.float64)
    except (ValueError, TypeError):
        step = 4096
        for start in range(0, n, step):
            try:
                parsed[start : start + step] = values[start : start + step].astype(np.float64)
            except (ValueError, TypeError):
                unsure[start : start + step] = True
    unsure |= ~np.isfinite(parsed)
    bad = np.zeros(n, dtype=bool)
    known: dict[object, float | None] = {}
    for i in np.flatnonzero(unsure):
        value = values[i]
        if value not in known:
            known[value] = _number(value, decimal_comma)
        result = known[value]
        if result is None:
            parsed[i] = np.nan
        elif not math.isfinite(result):
            bad[i] = True
            parsed[i] = np.nan
        else:
            parsed[i] = result
    return parsed, bad


def _number(value: object, decimal_comma: bool) -> float | None:
    """Return the number a value holds (NaN when it is not one), or ``None`` when blank."""
    if _blank(value):
        return None
    text = str(value).strip().replace("\u2212", "-")
    if decimal_comma:
        text = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return math.nan


def _numbers_one_by_one(
    values: NDArray[np.object_],
    shown: str,
    rows: NDArray[np.int64],
    number: str,
    decimal_comma: bool,
    check: Collector,
) -> NDArray[np.float64]:
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        parsed = _number(value, decimal_comma)
        if parsed is None:
            continue
        if not math.isfinite(parsed):
            check.schema(int(rows[i]), shown, str(value), f"expected {number}")
            continue
        out[i] = parsed
    return out


def _parse_enum(
    spec: _Field,
    series: pd.Series | None,
    shown: str,
    rows: NDArray[np.int64],
    check: Collector,
) -> NDArray[np.object_]:
    """Return lower-case choices, filing values that are none of them."""
    texts = _text_array(series, len(rows))
    codes, distinct = pd.factorize(texts)
    chosen = np.empty(len(distinct) + 1, dtype=object)
    chosen[-1] = spec.default  # code -1: none (there are none: texts are never missing)
    wrong = np.zeros(len(distinct) + 1, dtype=bool)
    for j, text in enumerate(distinct):
        token = re.sub(r"[\s_]+", "-", str(text).lower())
        if not token:
            chosen[j] = spec.default
        elif token in spec.choices:
            chosen[j] = token
        else:
            chosen[j] = spec.default
            wrong[j] = True
    for i in np.flatnonzero(wrong[codes]):
        check.schema(int(rows[i]), shown, texts[i], spec.expected)
    return np.asarray(chosen[codes], dtype=object)


def _parse_dates(
    spec: _Field,
    series: pd.Series | None,
    shown: str,
    rows: NDArray[np.int64],
    check: Collector,
) -> NDArray[np.datetime64]:
    """Return naive UTC datetimes, filing text that is not a date."""
    n = len(rows)
    if series is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(series):
        parsed = pd.to_datetime(series, utc=True)
        values = parsed.dt.tz_convert(None).astype("datetime64[ns]").to_numpy()
    else:
        distinct = _distinct_texts(series)
        if distinct is not None:
            codes, stripped, blank = distinct
            stripped[blank] = None
            text = stripped[codes]
        else:
            text = _objects(
                [None if _blank(v) else str(v).strip() for v in series.to_numpy(dtype=object)]
            )
        # Each distinct text is parsed once; code -1 (the last entry below) is blank.
        codes, distinct = pd.factorize(text)
        unique = pd.Series(distinct, dtype=object)
        parsed = pd.to_datetime(unique, format="ISO8601", errors="coerce", utc=True)
        retry = parsed.isna()
        if retry.any():  # e.g. 01.05.2024 as written in Russian-language spreadsheets
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                parsed[retry] = pd.to_datetime(
                    unique[retry], format="mixed", dayfirst=True, errors="coerce", utc=True
                )
        failed = np.append(parsed.isna().to_numpy(dtype=bool), False)
        for i in np.flatnonzero(failed[codes]):
            check.schema(
                int(rows[i]),
                shown,
                str(text[i]),
                "expected an ISO date or date and time such as 2024-05-01 or 2024-05-01T06:30",
            )
        naive = parsed.dt.tz_convert(None).astype("datetime64[ns]").to_numpy()
        values = np.append(naive, np.datetime64("NaT", "ns"))[codes]
    if spec.required:
        for i in np.flatnonzero(_blank_where(series, pd.isna(values))):
            check.schema(int(rows[i]), shown, "", "expected a date and time for every track point")
    return values


# --------------------------------------------------------------------------- building


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
    left, right = values["country_left"], values["country_right"]
    order: dict[str, list[int]] = {}
    for i, section in enumerate(sections):
        order.setdefault(section, []).append(i)
    merged: dict[str, list[object]] = {"section": [], "country_left": [], "country_right": []}
    out_rows, out_geoms = [], []
    for section, members in order.items():
        parts = [p for i in members for p in shapely.get_parts(geoms[i])]
        merged["section"].append(section)
        merged["country_left"].append(next((left[i] for i in members if left[i]), ""))  # type: ignore[index]
        merged["country_right"].append(next((right[i] for i in members if right[i]), ""))  # type: ignore[index]
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


# --------------------------------------------------------------------------- distance to border


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
