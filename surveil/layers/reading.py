"""Open input layers (OGR, GeoParquet, CSV, GeoDataFrame) and resolve their CRS."""

from __future__ import annotations

import codecs
import io
import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from surveil._textfile import delimiter, looks_cyrillic, read_text
from surveil._validate import Collector, check_layer_file
from surveil.errors import InputError, InputWarning, SchemaError
from surveil.layers.geometry import (
    _check_border_lines,
    _check_geometries,
    _frame,
    _merge_sections,
    _passes,
    _row_list,
    _shared_edge,
)
from surveil.layers.schema import _FAMILIES, _KIND_OF_TYPE, LAYER_KINDS, WGS84, _Raw
from surveil.layers.values import (
    _blank,
    _blank_mask,
    _find,
    _match_columns,
    _num,
    _numbers,
    _parse_values,
)

_GEOGRAPHIC_HINT = "state the CRS of the file (crs = ... in the scenario, or --crs)"


_LON_NAMES = ("lon", "lng", "long", "longitude")


_LAT_NAMES = ("lat", "latitude")


_WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")


def read_layer(
    source: str | os.PathLike[str] | gpd.GeoDataFrame,
    kind: str,
    *,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: str | None = None,
    default_crs: str | None = None,
    repair: bool = True,
    x: str | None = None,
    y: str | None = None,
) -> gpd.GeoDataFrame:
    """Read one input layer, check it, and return it in canonical form.

    Parameters
    ----------
    source
        A vector file GDAL/OGR reads (GeoPackage, GeoJSON, Shapefile, KML,
        GPX, FlatGeobuf, ...), a GeoParquet file, a CSV file or an Excel
        sheet (``.xlsx``) with coordinate columns or a WKT column, or an
        in-memory GeoDataFrame (left unmodified). Text files are decoded by
        the rule of :mod:`surveil._textfile`.
    kind
        One of :data:`LAYER_KINDS`.
    layer
        Layer (or workbook sheet) to read from a multi-layer file; by default
        the only layer, the one named like ``kind`` (an error when it is empty
        while another fitting layer is not), or the only non-empty one of a
        fitting geometry type.
    columns
        Canonical column name -> the column name in the file, for files whose
        columns are named otherwise, e.g. ``{"range_m": "Range"}``.
    crs
        CRS of the data (anything :class:`pyproj.CRS` accepts). Needed when
        the file states none; must agree with the file when it does.
    default_crs
        CRS for a file that states none and has no lon/lat columns (the
        CLI's ``--crs``); a file's own CRS, ``crs`` or lon/lat columns win.
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
    if not isinstance(source, gpd.GeoDataFrame):
        check_layer_file(Path(source), kind=kind)
    name, stem = _names(source, layer)
    check = Collector(name, kind)
    raw = _read(source, kind, name, layer=layer, x=x, y=y, check=check)
    n = len(raw.frame)
    rows = np.arange(1, n + 1)

    geoms, family, repaired = _check_geometries(raw, rows, kind, repair, check)
    found = _match_columns(raw, kind, family, columns, check)
    source_crs = _resolve_crs(raw, crs, n, check, default=default_crs)
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
    crossing: list[int] = []
    if kind == "border" and family == "line":
        crossing = _check_border_lines(geoms, rows, check)
    check.raise_if_any()
    if crossing:
        warnings.warn(
            f"{name}, layer border, row{'s' if len(crossing) > 1 else ''} {_row_list(crossing)}: "
            "the line crosses itself; "
            "its length and chainage count the looped stretch, so check the order of its vertices",
            InputWarning,
            stacklevel=2,
        )
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
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, kind, layer, x=x, y=y, check=check)
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
    options = {"encoding": encoding} if (encoding := _shapefile_encoding(path)) else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pyogrio.read_dataframe(path, layer=chosen, **options)
    except Exception as exc:
        raise InputError(f"{path}: layer {chosen!r} cannot be read ({_short(exc)})") from exc


_DBF_SAMPLE = 4 << 20
"""Bytes of a .dbf's records read to tell its encoding."""


def _shapefile_encoding(path: Path) -> str | None:
    """Return the encoding of a shapefile's attributes when GDAL cannot know it, else ``None``.

    GDAL reads the encoding from the ``.cpg`` file or the language driver byte
    of the ``.dbf``; with neither it takes ISO-8859-1, which turns cp1251
    ``Вышка`` into ``Âûøêà``. Then the records are read by the rule of
    :mod:`surveil._textfile`: UTF-8 when they are, cp1251 when they look Cyrillic.
    """
    if path.suffix.lower() != ".shp" or any(path.with_suffix(s).exists() for s in (".cpg", ".CPG")):
        return None
    dbf = next(
        (p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None
    )
    if dbf is None:
        return None
    with dbf.open("rb") as handle:
        head = handle.read(32)
        if len(head) < 32 or head[29] != 0:
            return None
        handle.seek(int.from_bytes(head[8:10], "little"))
        records = handle.read(_DBF_SAMPLE)
    if records.isascii():
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(records, final=False)
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    if looks_cyrillic(records.decode("cp1251", errors="replace")):
        return "CP1251"
    return None


def _choose_layer(path: Path, kind: str, listed: NDArray[np.object_]) -> str:
    """Pick the layer of a multi-layer file that holds ``kind``.

    A layer named like ``kind`` is chosen, unless it is empty while another
    layer of a fitting geometry type has features (an empty template beside
    the real data): then the choice is the user's, and the error names both.
    """
    names = [str(row[0]) for row in listed]
    if len(names) == 1:
        return names[0]
    counts = {name: _feature_count(path, name) for name in names}
    fitting = [
        str(row[0])
        for row in listed
        if counts[str(row[0])] > 0 and _type_family(str(row[1])) in _FAMILIES[kind]
    ]
    for candidate in names:
        if candidate.lower() == kind:
            if counts[candidate] == 0 and fitting:
                others = ", ".join(f"{name!r} has {counts[name]} features" for name in fitting)
                raise InputError(
                    f"{path}: layer {candidate!r} is empty, but {others}; "
                    f"name the layer holding the {kind} (layer = ... in the scenario)"
                )
            return candidate
    if kind == "patrols" and counts.get("track_points", 0) > 0:
        return "track_points"  # GPS tracks (GPX): timed fixes
    if len(fitting) == 1:
        return fitting[0]
    raise InputError(
        f"{path}: has {len(names)} layers ({', '.join(names)}); "
        f"name the one holding the {kind} (layer = ... in the scenario)"
    )


def _feature_count(path: Path, layer: str) -> int:
    """Return the number of features of a layer (0 when OGR cannot tell)."""
    try:
        return int(pyogrio.read_info(path, layer=layer, force_feature_count=True)["features"])
    except Exception:
        return 0


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
    text = read_text(path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty; expected a header line and data rows")
    sep = delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True
        )
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as CSV ({_short(exc)})") from exc
    _check_header_fits(frame, path, sep)
    return _table(frame, x=x, y=y, decimal_comma=sep != ",", check=check)


def _read_xlsx(
    path: Path, kind: str, layer: str | None, *, x: str | None, y: str | None, check: Collector
) -> _Raw:
    """Read one sheet of an Excel workbook with coordinate columns (or a WKT column).

    The sheet is chosen as a layer of a GeoPackage is: the one named, the only
    one, the one named like ``kind`` (unless it is empty beside a filled
    candidate), or the only non-empty one with coordinate or WKT columns.
    Cells are read as text, so every value is checked as in a CSV file.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on styles and extensions
            sheets = pd.read_excel(
                path, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl"
            )
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as an Excel workbook ({_short(exc)})") from exc
    names = list(sheets)
    if layer is not None and layer not in sheets:
        raise InputError(f"{path}: has no sheet {layer!r}; its sheets are: {', '.join(names)}")
    chosen = layer if layer is not None else _choose_sheet(path, kind, sheets)
    frame = sheets[chosen].reset_index(drop=True)
    return _table(frame, x=x, y=y, decimal_comma=False, check=check)


def _choose_sheet(path: Path, kind: str, sheets: Mapping[str, pd.DataFrame]) -> str:
    """Pick the sheet of a workbook that holds ``kind`` (see :func:`_read_xlsx`)."""
    names = list(sheets)
    if len(names) == 1:
        return names[0]
    located = [
        name
        for name, frame in sheets.items()
        if len(frame) and _has_coordinates([str(c).strip() for c in frame.columns])
    ]
    for name in names:
        if name.lower() == kind:
            if len(sheets[name]) == 0 and located:
                others = ", ".join(f"{o!r} has {len(sheets[o])} rows" for o in located)
                raise InputError(
                    f"{path}: sheet {name!r} is empty, but {others}; "
                    f"name the sheet holding the {kind} (layer = ... in the scenario)"
                )
            return name
    if len(located) == 1:
        return located[0]
    raise InputError(
        f"{path}: has {len(names)} sheets ({', '.join(names)}); "
        f"name the one holding the {kind} (layer = ... in the scenario)"
    )


def _has_coordinates(columns: list[str]) -> bool:
    """Return whether a table has lon/lat (or x/y) columns or a WKT column."""
    lon = _find(columns, None, (*_LON_NAMES, "x"))
    lat = _find(columns, None, (*_LAT_NAMES, "y"))
    return (lon is not None and lat is not None) or _find(columns, None, _WKT_NAMES) is not None


def _table(
    frame: pd.DataFrame, *, x: str | None, y: str | None, decimal_comma: bool, check: Collector
) -> _Raw:
    """Turn a table of text cells with coordinate columns (or a WKT column) into a raw layer."""
    frame.columns = [str(c).strip() for c in frame.columns]
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


def _check_header_fits(frame: pd.DataFrame, path: Path, sep: str) -> None:
    """Refuse a CSV whose rows have more fields than its header.

    pandas then takes the first columns as the index and shifts every name by
    as many places, which would make each value look wrong.
    """
    if isinstance(frame.index, pd.RangeIndex):
        return
    extra = frame.index.nlevels
    shown = {",": "a ','", ";": "a ';'", "\t": "a tab"}[sep]
    fields = "one field" if extra == 1 else f"{extra} fields"
    raise InputError(
        f"{path}: the rows have {fields} more than the header ({len(frame.columns)} names); "
        f"{shown} at the end of each line? remove it, or name the extra column in the header"
    )


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


def _resolve_crs(
    raw: _Raw, given: str | None, n: int, check: Collector, *, default: str | None = None
) -> CRS | None:
    """Return the CRS of the data, filing a problem when it is missing or contradicts ``given``.

    ``default`` applies only where neither the file, ``given`` nor lon/lat
    columns say what the coordinates are.
    """
    stated = None
    if given is not None:
        try:
            stated = CRS.from_user_input(given)
        except ProjCRSError:
            check.crs(None, f"crs {given!r} is not a coordinate reference system pyproj knows")
            return None
    if raw.crs is None and stated is None and raw.default_crs is None and default is not None:
        return _resolve_crs(raw, default, n, check)
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
