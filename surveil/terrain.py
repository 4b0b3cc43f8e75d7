"""Read a digital elevation model and derive slope, passability, hillshade and high ground.

A :class:`DEM` is held in a *local metric grid*: square cells in metres, so
that line of sight (:mod:`surveil.visibility`), slope and distances work in
metres without further projection. :func:`read_dem` reads only the window of
the raster that covers the area asked for (plus a buffer) and, when the
raster is geographic (such as GEBCO or SRTM in EPSG:4326) or its projection
distorts the area by more than 0.1 %, reprojects that window to an azimuthal
equidistant grid at the raster's native resolution.

The local grid does not depend on which sensors exist: its centre (the
projection's origin, a corner of the cell lattice) and its cell size are fixed
by the DEM and the border alone (:func:`read_dem_tiles`), and every cell's
value is the source raster interpolated bilinearly at the cell's centre, with
the exact transformation. A wider window (a longer sensor range) only adds
cells at the edges; the value of a cell never changes with the window.

One local grid is good for a few hundred kilometres: at 150 km from the centre
the azimuthal equidistant scale error is below 0.01 %. For a border at
national scale, read one DEM per stretch of border with :func:`read_dem_tiles`
and pick each sensor's tile with :func:`tile_of`; every tile carries a buffer
at least as wide as the longest sensor range, so that a sensor's rays never
leave its tile.

A sensor stands on the source raster's cell that contains it
(:meth:`DEM.ground_m`), not on the resampled grid: bilinear resampling smooths
peaks, and towers stand on peaks.

A window is sized before anything is allocated: more than
:data:`MAX_DEM_CELLS` cells is refused (:func:`grid_shape` tells the size).
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer

from surveil.errors import InputError, InputWarning
from surveil.sensors import SURVEY_TOWER

FloatArray = NDArray[np.float64]
OwnSide = Callable[[FloatArray, FloatArray], NDArray[np.bool_]]

_M_PER_DEG = 111_320.0
_MAX_SCALE_ERROR = 1e-3

MAX_DEM_CELLS = 64_000_000
"""Largest DEM window read, in cells (float32: 256 MB; with the source window and
the working arrays of slope and line of sight about 1.5 GB at the peak). A
200 km tile of a 30 m DEM with 12 km of buffer is 56 million cells."""

_ROWS_PER_BLOCK = 512


@dataclass(frozen=True)
class SourceCells:
    """Cells of the source raster as read, before reprojection.

    Attributes
    ----------
    elevation_m
        Elevation in metres of the window read, NaN at nodata; row 0 north.
    transform
        Affine transform of the window in the source CRS.
    crs
        The source raster's CRS.
    """

    elevation_m: NDArray[np.float32]
    transform: Any
    crs: CRS


@dataclass(frozen=True)
class DEM:
    """Elevation on a local metric grid.

    Attributes
    ----------
    elevation_m
        Ground elevation in metres, shape ``(rows, cols)``, float32, NaN where
        unknown (nodata or outside the source raster). Row 0 is the north edge.
    transform
        Affine transform (``rasterio``/``affine``) from ``(col, row)`` to grid
        ``x, y`` in metres; cells are square (``transform.a == -transform.e``).
    crs
        The grid's CRS (metric: azimuthal equidistant, or the source's own
        projection when it is good enough).
    source
        File the elevations were read from, for messages.
    bounds_lonlat
        ``(lon_min, lat_min, lon_max, lat_max)`` of the area asked for, in
        degrees, without the buffer (used by :func:`tile_of`).
    source_cells
        The source raster's cells when the grid was reprojected from them
        (for :meth:`ground_m`); None when the grid is the source's own.
    """

    elevation_m: NDArray[np.float32]
    transform: Any
    crs: CRS
    source: str = ""
    bounds_lonlat: tuple[float, float, float, float] = (
        -180.0,
        -90.0,
        180.0,
        90.0,
    )
    source_cells: SourceCells | None = field(default=None, repr=False, compare=False)
    _to_grid: Transformer = field(init=False, repr=False, compare=False)
    _to_lonlat: Transformer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if abs(abs(self.transform.a) - abs(self.transform.e)) > 1e-6 * abs(self.transform.a):
            raise ValueError("DEM cells must be square")
        object.__setattr__(self, "_to_grid", _transformer(_WGS84, self.crs))
        object.__setattr__(self, "_to_lonlat", _transformer(self.crs, _WGS84))

    @property
    def cell_m(self) -> float:
        """Cell size in metres."""
        return float(abs(self.transform.a))

    @property
    def shape(self) -> tuple[int, int]:
        """Rows and columns of the grid."""
        return (int(self.elevation_m.shape[0]), int(self.elevation_m.shape[1]))

    def to_grid(self, lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Return grid ``x, y`` in metres of points given in degrees."""
        x, y = self._to_grid.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(y, dtype=float))

    def to_lonlat(self, x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Return lon, lat in degrees of grid points given in metres."""
        lon, lat = self._to_lonlat.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        return (
            np.atleast_1d(np.asarray(lon, dtype=float)),
            np.atleast_1d(np.asarray(lat, dtype=float)),
        )

    def to_colrow(self, x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Return fractional column and row of grid points; cell centres are integers."""
        t = self.transform
        col = (np.asarray(x, dtype=float) - t.c) / t.a - 0.5
        row = (np.asarray(y, dtype=float) - t.f) / t.e - 0.5
        return col, row

    def elevation_xy(self, x: ArrayLike, y: ArrayLike) -> FloatArray:
        """Return ground elevation in metres at grid points, bilinear between cell centres."""
        col, row = self.to_colrow(x, y)
        return bilinear(self.elevation_m, col, row)

    def elevation(self, lon: ArrayLike, lat: ArrayLike) -> FloatArray:
        """Return ground elevation in metres at points given in degrees.

        Bilinear between the four nearest cell centres; NaN outside the grid
        or next to nodata.

        Examples
        --------
        >>> dem = flat_dem(100.0, center_lonlat=(70.0, 40.0))
        >>> dem.elevation([70.0], [40.0]).tolist()
        [100.0]
        """
        return self.elevation_xy(*self.to_grid(lon, lat))

    def ground_m(self, lon: ArrayLike, lat: ArrayLike) -> FloatArray:
        """Return the elevation of the source raster's cell each point stands in, in metres.

        The cell value as the raster gives it, not interpolated: where a
        sensor stands (DESIGN §3). NaN outside the raster window or on nodata.

        Examples
        --------
        >>> dem = flat_dem(100.0, center_lonlat=(70.0, 40.0))
        >>> dem.ground_m([70.0], [40.0]).tolist()
        [100.0]
        """
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        if self.source_cells is None:
            x, y = self.to_grid(lon, lat)
            return cell_value(self.elevation_m, self.transform, x, y)
        cells = self.source_cells
        to_source = Transformer.from_crs(4326, cells.crs, always_xy=True)
        x, y = to_source.transform(lon, lat)
        return cell_value(cells.elevation_m, cells.transform, np.asarray(x), np.asarray(y))


_WGS84 = CRS.from_epsg(4326)


@functools.lru_cache(maxsize=64)
def _transformer(source: CRS, target: CRS) -> Transformer:
    """Return a lon/lat-ordered transformer, built once per pair of CRSs.

    Building one costs milliseconds; a sweep makes a copy of every tile per
    sample (pyproj's transformers are thread-safe since 3.1).
    """
    return Transformer.from_crs(source, target, always_xy=True)


def cell_value(
    grid: NDArray[np.floating], transform: Any, x: ArrayLike, y: ArrayLike
) -> FloatArray:
    """Return the value of the cell that contains each point (NaN outside the grid).

    Examples
    --------
    >>> grid = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> cell_value(grid, _origin(0.0, 2.0, 1.0, 1.0), [0.2, 1.9], [1.5, 0.1]).tolist()
    [1.0, 4.0]
    """
    t = transform
    col = np.floor((np.asarray(x, dtype=float) - t.c) / t.a)
    row = np.floor((np.asarray(y, dtype=float) - t.f) / t.e)
    rows, cols = grid.shape
    inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    c = np.where(inside, col, 0).astype(np.intp)
    r = np.where(inside, row, 0).astype(np.intp)
    return np.where(inside, grid[r, c].astype(float), np.nan)


def bilinear(grid: NDArray[np.floating], col: ArrayLike, row: ArrayLike) -> FloatArray:
    """Interpolate a grid at fractional cell positions (cell centres at integers).

    Returns NaN outside ``[0, cols - 1] x [0, rows - 1]`` and where a neighbour
    is NaN.
    """
    col = np.asarray(col, dtype=float)
    row = np.asarray(row, dtype=float)
    rows, cols = grid.shape
    inside = (col >= 0) & (col <= cols - 1) & (row >= 0) & (row <= rows - 1)
    c = np.where(inside, col, 0.0)
    r = np.where(inside, row, 0.0)
    c0 = np.minimum(np.floor(c).astype(np.intp), max(cols - 2, 0))
    r0 = np.minimum(np.floor(r).astype(np.intp), max(rows - 2, 0))
    c1 = np.minimum(c0 + 1, cols - 1)
    r1 = np.minimum(r0 + 1, rows - 1)
    fc = c - c0
    fr = r - r0
    z = (
        grid[r0, c0] * (1 - fc) * (1 - fr)
        + grid[r0, c1] * fc * (1 - fr)
        + grid[r1, c0] * (1 - fc) * fr
        + grid[r1, c1] * fc * fr
    ).astype(float)
    return np.where(inside, z, np.nan)


def _origin(west: float, north: float, xsize: float, ysize: float) -> Any:
    """Return the affine transform of a north-up grid (rasterio's ``from_origin``)."""
    from affine import Affine

    return Affine(xsize, 0.0, west, 0.0, -ysize, north)


def local_crs(lon: float, lat: float) -> CRS:
    """Return an azimuthal equidistant CRS centred on a point, in metres."""
    return CRS.from_proj4(f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m")


def flat_dem(
    elevation_m: float,
    *,
    center_lonlat: tuple[float, float],
    size_m: float = 10_000.0,
    cell_m: float = 100.0,
) -> DEM:
    """Return a DEM of constant elevation centred on a point (for tests and examples)."""
    n = math.ceil(size_m / cell_m)
    half = n * cell_m / 2.0
    return DEM(
        elevation_m=np.full((n, n), elevation_m, dtype=np.float32),
        transform=_origin(-half, half, cell_m, cell_m),
        crs=local_crs(*center_lonlat),
        source="flat",
        bounds_lonlat=(center_lonlat[0], center_lonlat[1], center_lonlat[0], center_lonlat[1]),
    )


@dataclass(frozen=True)
class _Plan:
    """Where a window of the source raster goes: the local grid and the source window."""

    dst_crs: CRS
    transform: Any  # of the local grid (the window's own when the grid is kept)
    rows: int
    cols: int
    keep_grid: bool
    want: tuple[int, int, int, int]  # source window (col0, row0, col1, row1), may pass the edges


def _plan(
    src: Any,
    path: str,
    bounds: tuple[float, float, float, float],
    buffer_m: float,
    *,
    cell_m: float | None,
    center_lonlat: tuple[float, float] | None,
    max_cells: int,
    size_only: bool = False,
) -> _Plan:
    """Size the local grid and the source window of an area, before reading anything.

    With ``size_only`` a reprojected grid's source window is not worked out
    (``want`` is all zeros): the grid may be too large to transform back.
    """
    from affine import Affine
    from rasterio.warp import transform_bounds

    lon_min, lat_min, lon_max, lat_max = (float(b) for b in bounds)
    if not (lon_min <= lon_max and lat_min <= lat_max):
        raise InputError(f"{path}: bounds {bounds} are not (lon_min, lat_min, lon_max, lat_max)")
    if not (math.isfinite(buffer_m) and buffer_m >= 0):
        raise InputError(f"{path}: buffer_m is {buffer_m}; expected a distance in metres, >= 0")
    lon_c, lat_c = center_lonlat or ((lon_min + lon_max) / 2.0, (lat_min + lat_max) / 2.0)
    if src.crs is None:
        raise InputError(f"{path}: the DEM has no CRS; expected a georeferenced GeoTIFF")
    src_crs = CRS.from_user_input(src.crs.to_wkt())
    t0 = src.transform
    if t0.b != 0 or t0.d != 0:
        raise InputError(f"{path}: rotated rasters are not supported; warp it north-up first")
    square = abs(abs(t0.a) - abs(t0.e)) <= 1e-6 * abs(t0.a)
    keep_grid = square and _good_projection(src_crs, lon_c, lat_c)
    dst_crs = src_crs if keep_grid else local_crs(lon_c, lat_c)
    # The area with its buffer in the destination grid ...
    dx0, dy0, dx1, dy1 = transform_bounds(
        "EPSG:4326", dst_crs, lon_min, lat_min, lon_max, lat_max, densify_pts=21
    )
    dx0, dy0, dx1, dy1 = dx0 - buffer_m, dy0 - buffer_m, dx1 + buffer_m, dy1 + buffer_m
    step = abs(t0.a) if keep_grid else (cell_m or _native_cell_m(src, src_crs, lat_c))
    if not keep_grid:  # a kept grid is clipped to the raster, and checked below
        _check_size(path, (dy1 - dy0) / step, (dx1 - dx0) / step, max_cells)
    if keep_grid:
        sx0, sy0, sx1, sy1 = dx0, dy0, dx1, dy1
        pad = 0
    else:
        # cell edges on multiples of the step from the projection's centre
        dx0 = math.floor(dx0 / step) * step
        dy1 = math.ceil(dy1 / step) * step
        cols = math.ceil((dx1 - dx0) / step)
        rows = math.ceil((dy1 - dy0) / step)
        dx1, dy0 = dx0 + cols * step, dy1 - rows * step
        if size_only:
            return _Plan(dst_crs, _origin(dx0, dy1, step, step), rows, cols, False, (0, 0, 0, 0))
        sx0, sy0, sx1, sy1 = transform_bounds(dst_crs, src_crs, dx0, dy0, dx1, dy1, densify_pts=21)
        pad = 2  # source cells around the area, for bilinear resampling
    # ... and the source window that covers it.
    cx = sorted(((sx0 - t0.c) / t0.a, (sx1 - t0.c) / t0.a))
    ry = sorted(((sy0 - t0.f) / t0.e, (sy1 - t0.f) / t0.e))
    want = (
        math.floor(cx[0] + 1e-9) - pad,
        math.floor(ry[0] + 1e-9) - pad,
        math.ceil(cx[1] - 1e-9) + pad,
        math.ceil(ry[1] - 1e-9) + pad,
    )
    if keep_grid:
        c_lo, r_lo = max(want[0], 0), max(want[1], 0)
        rows, cols = max(min(want[3], src.height) - r_lo, 0), max(min(want[2], src.width) - c_lo, 0)
        transform = Affine(t0.a, 0.0, t0.c + c_lo * t0.a, 0.0, t0.e, t0.f + r_lo * t0.e)
        _check_size(path, rows, cols, max_cells)
    else:
        transform = _origin(dx0, dy1, step, step)
        _check_size(path, want[3] - want[1], want[2] - want[0], max_cells, what="source window")
    return _Plan(dst_crs, transform, rows, cols, keep_grid, want)


def _check_size(path: str, rows: float, cols: float, max_cells: int, *, what: str = "grid") -> None:
    """Refuse a window of more than ``max_cells`` cells, before it is allocated."""
    cells = rows * cols
    if not (math.isfinite(cells) and cells <= max_cells):
        raise InputError(
            f"{path}: the DEM {what} would be {rows:,.0f} × {cols:,.0f} cells "
            f"({_fmt_bytes(4.0 * cells)} as float32), more than the limit of {max_cells:,} "
            f"cells ({_fmt_bytes(4.0 * max_cells)}); expected a smaller area, shorter "
            "sensor ranges or a coarser DEM"
        )


def _fmt_bytes(n: float) -> str:
    """Format a byte count with a binary unit (up to PiB)."""
    if not math.isfinite(n):
        return "unbounded"
    unit = "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024.0:
            break
        if unit != "PiB":
            n /= 1024.0
    return f"{n:,.0f} {unit}"


def _open(path: str) -> Any:
    import rasterio
    from rasterio.errors import RasterioIOError

    try:
        return rasterio.open(path)
    except RasterioIOError as exc:
        raise InputError(f"{path}: cannot read the DEM ({exc})") from exc


def grid_shape(
    path: str,
    *,
    bounds: tuple[float, float, float, float],
    buffer_m: float,
    cell_m: float | None = None,
    center_lonlat: tuple[float, float] | None = None,
) -> tuple[int, int]:
    """Return the ``(rows, cols)`` of the grid :func:`read_dem` would read, reading no cells.

    Parameters are those of :func:`read_dem`. Raises
    :class:`~surveil.errors.InputError` as :func:`read_dem` does, but with no
    limit on the size (the answer may be huge).
    """
    with _open(path) as src:
        plan = _plan(
            src,
            path,
            bounds,
            buffer_m,
            cell_m=cell_m,
            center_lonlat=center_lonlat,
            max_cells=2**62,
            size_only=True,
        )
    return plan.rows, plan.cols


def read_dem(
    path: str,
    *,
    bounds: tuple[float, float, float, float],
    buffer_m: float,
    cell_m: float | None = None,
    center_lonlat: tuple[float, float] | None = None,
    max_cells: int = MAX_DEM_CELLS,
) -> DEM:
    """Read the part of a DEM GeoTIFF that covers an area, on a local metric grid.

    Only the window covering ``bounds`` plus ``buffer_m`` is read. A
    geographic raster, or one whose projection distorts lengths in the area
    by more than 0.1 %, is reprojected to an azimuthal equidistant grid
    centred on ``center_lonlat``, with cell edges on multiples of ``cell_m``
    from that centre; each cell is the source interpolated bilinearly at the
    cell's centre, transformed exactly (pyproj), so a cell's value depends on
    the raster and the centre only, never on the window. (GDAL's warper is
    not used: its approximate transformer and its per-chunk kernel scale make
    a cell depend on the window.) Where a neighbouring source cell is
    nodata, the cell is NaN. A projected raster that is good enough keeps
    its grid, so its cells are used as they are.

    Parameters
    ----------
    path
        GeoTIFF (or any raster rasterio reads) with elevations in metres, in
        any CRS; its nodata value marks unknown cells.
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)`` of the area in degrees, e.g.
        of the border and the sensors.
    buffer_m
        Margin around ``bounds`` in metres; at least the longest sensor range,
        so that rays stay on the grid.
    cell_m
        Cell size of the local grid in metres when reprojecting; default the
        raster's native resolution (its finer axis) at the centre's latitude.
    center_lonlat
        Centre of the local grid in degrees; default the centre of
        ``bounds``. Give one fixed by the border, so that the grid does not
        move when the area grows.
    max_cells
        Largest grid (and source window) in cells; larger is refused before
        anything is allocated.

    Returns
    -------
    DEM
        Elevations on the local grid, NaN where unknown.

    Raises
    ------
    surveil.errors.InputError
        When the file cannot be read, the area lies outside the raster, or
        the window would be larger than ``max_cells``.

    Warns
    -----
    surveil.errors.InputWarning
        When part of the area (with its buffer) is outside the raster or
        nodata.
    """
    from affine import Affine
    from rasterio.windows import Window

    with _open(path) as src:
        plan = _plan(
            src,
            path,
            bounds,
            buffer_m,
            cell_m=cell_m,
            center_lonlat=center_lonlat,
            max_cells=max_cells,
        )
        want = plan.want
        c_lo, r_lo = max(want[0], 0), max(want[1], 0)
        c_hi, r_hi = min(want[2], src.width), min(want[3], src.height)
        if c_lo >= c_hi or r_lo >= r_hi:
            sb = src.bounds
            raise InputError(
                f"{path}: the area {_fmt_bounds(bounds)} (with {buffer_m:g} m buffer) lies "
                f"outside the DEM, which covers "
                f"{_fmt_bounds((sb.left, sb.bottom, sb.right, sb.top))} in {src.crs.to_string()}"
            )
        outside = (c_lo, r_lo, c_hi, r_hi) != want
        window = Window(c_lo, r_lo, c_hi - c_lo, r_hi - r_lo)
        data = src.read(1, window=window, out_dtype="float32")
        if src.nodata is not None:
            data[data == np.float32(src.nodata)] = np.nan
        data[~np.isfinite(data)] = np.nan
        t0 = src.transform
        win_transform = Affine(t0.a, 0.0, t0.c + c_lo * t0.a, 0.0, t0.e, t0.f + r_lo * t0.e)
        src_crs = CRS.from_user_input(src.crs.to_wkt())
    source_cells = None
    if plan.keep_grid:
        elevation = data
    else:
        source_cells = SourceCells(elevation_m=data, transform=win_transform, crs=src_crs)
        elevation = resample_bilinear(
            source_cells, plan.transform, plan.dst_crs, shape=(plan.rows, plan.cols)
        )
    wanted_cells = (want[2] - want[0]) * (want[3] - want[1]) if plan.keep_grid else elevation.size
    missing = (
        float(np.isnan(elevation).sum() + wanted_cells - elevation.size) / wanted_cells
        if wanted_cells
        else 1.0
    )
    if missing >= 1.0:
        raise InputError(f"{path}: the DEM has no data in the area {_fmt_bounds(bounds)}")
    if missing > 0.0 or outside:
        warnings.warn(
            f"{path}: {max(missing, 0.001):.1%} of the area {_fmt_bounds(bounds)} with its "
            f"{buffer_m:g} m buffer is outside the DEM or nodata; line of sight there is unknown "
            "(treated as not visible)",
            InputWarning,
            stacklevel=2,
        )
    return DEM(
        elevation_m=elevation,
        transform=plan.transform,
        crs=plan.dst_crs,
        source=str(path),
        bounds_lonlat=tuple(float(b) for b in bounds),  # type: ignore[arg-type]
        source_cells=source_cells,
    )


def resample_bilinear(
    cells: SourceCells, transform: Any, crs: CRS, *, shape: tuple[int, int]
) -> NDArray[np.float32]:
    """Return source cells interpolated bilinearly at the centres of a target grid.

    Each target cell centre is transformed exactly (pyproj) to the source
    CRS and interpolated there (:func:`bilinear`), one block of rows at a
    time; a cell's value depends only on its centre, not on the grid's extent.

    Parameters
    ----------
    cells
        Source raster window.
    transform, crs
        Affine transform and CRS of the target grid.
    shape
        ``(rows, cols)`` of the target grid.
    """
    rows, cols = shape
    out = np.full((rows, cols), np.nan, dtype=np.float32)
    to_source = Transformer.from_crs(crs, cells.crs, always_xy=True)
    st = cells.transform
    x = transform.c + (np.arange(cols) + 0.5) * transform.a
    for r0 in range(0, rows, _ROWS_PER_BLOCK):
        r1 = min(r0 + _ROWS_PER_BLOCK, rows)
        y = transform.f + (np.arange(r0, r1) + 0.5) * transform.e
        gx, gy = np.meshgrid(x, y)
        sx, sy = to_source.transform(gx, gy)
        col = (np.asarray(sx) - st.c) / st.a - 0.5
        row = (np.asarray(sy) - st.f) / st.e - 0.5
        out[r0:r1] = bilinear(cells.elevation_m, col, row)
    return out


def read_dem_tiles(
    path: str,
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    buffer_m: float,
    tile_m: float = 200_000.0,
    cell_m: float | None = None,
    max_cells: int = MAX_DEM_CELLS,
) -> list[DEM]:
    """Read one local DEM per stretch of border, for borders at national scale.

    Border points are grouped on a grid of ``tile_m`` squares (east-west
    width corrected for latitude); each occupied square gives one
    :class:`DEM` covering its points plus ``buffer_m``, centred on the centre
    of its points' box. The tiles, their centres and their cell lattices
    depend on the border alone; ``buffer_m`` only widens the windows. Assign
    sensors to tiles with :func:`tile_of`.

    Parameters
    ----------
    path
        The DEM raster, as for :func:`read_dem`.
    lon, lat
        Points of the border (e.g. its target points), in degrees.
    buffer_m
        Margin around each tile's points in metres (the longest sensor range
        plus the crossing-path depth).
    tile_m
        Side of the grouping squares in metres.
    cell_m, max_cells
        As for :func:`read_dem`.
    """
    return [
        read_dem(
            path,
            bounds=box,
            buffer_m=buffer_m,
            cell_m=cell_m,
            center_lonlat=((box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0),
            max_cells=max_cells,
        )
        for box in border_tiles(lon, lat, tile_m=tile_m)
    ]


def border_tiles(
    lon: ArrayLike, lat: ArrayLike, *, tile_m: float = 200_000.0
) -> list[tuple[float, float, float, float]]:
    """Return the ``(lon_min, lat_min, lon_max, lat_max)`` box of each tile of border points.

    Examples
    --------
    >>> border_tiles([70.0, 70.1, 75.0], [40.0, 40.1, 40.0], tile_m=100_000)
    [(70.0, 40.0, 70.1, 40.1), (75.0, 40.0, 75.0, 40.0)]
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    key_y = np.floor(lat * 110_574.0 / tile_m).astype(np.int64)
    key_x = np.floor(lon * _M_PER_DEG * np.cos(np.radians(lat)) / tile_m).astype(np.int64)
    keys = np.unique(np.column_stack([key_x, key_y]), axis=0)
    boxes = []
    for kx, ky in keys:
        sel = (key_x == kx) & (key_y == ky)
        boxes.append(
            (
                float(lon[sel].min()),
                float(lat[sel].min()),
                float(lon[sel].max()),
                float(lat[sel].max()),
            )
        )
    return boxes


def tile_of(dems: Sequence[DEM], lon: ArrayLike, lat: ArrayLike) -> NDArray[np.int64]:
    """Return, for each point, the index of the DEM tile whose area contains it.

    Points inside several tiles' areas (bounds without buffer) go to the
    first; points in none go to the tile whose area centre is nearest.
    """
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    if not dems:
        raise ValueError("no DEM tiles")
    inside = np.zeros((len(dems), lon.size), dtype=bool)
    dist = np.zeros((len(dems), lon.size))
    for i, dem in enumerate(dems):
        x0, y0, x1, y1 = dem.bounds_lonlat
        inside[i] = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
        cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
        dist[i] = np.hypot((lon - cx) * np.cos(np.radians(cy)), lat - cy)
    first_inside = np.argmax(inside, axis=0)
    nearest = np.argmin(dist, axis=0)
    return np.where(inside.any(axis=0), first_inside, nearest).astype(np.int64)


def _good_projection(crs: CRS, lon: float, lat: float) -> bool:
    """Tell whether a CRS is projected in metres with < 0.1 % scale error at a point."""
    if not crs.is_projected:
        return False
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if unit not in ("metre", "meter", "m"):
        return False
    try:
        from pyproj import Proj

        factors = Proj(crs).get_factors(lon, lat)
    except Exception:  # some projections do not give factors
        return False
    scales = [factors.meridional_scale, factors.parallel_scale]
    return all(math.isfinite(s) and abs(s - 1.0) < _MAX_SCALE_ERROR for s in scales)


def _native_cell_m(src: Any, src_crs: CRS, lat: float) -> float:
    """Return the source's finer cell size in metres at a latitude."""
    rx, ry = abs(src.transform.a), abs(src.transform.e)
    if src_crs.is_geographic:
        return float(min(rx * _M_PER_DEG * math.cos(math.radians(lat)), ry * 110_574.0))
    return float(min(rx, ry))


def _fmt_bounds(b: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.4f}" for v in b) + ")"


def slope_grid(dem: DEM) -> NDArray[np.float32]:
    """Return the slope of every cell in degrees (central differences, NaN at nodata)."""
    dz_dy, dz_dx = np.gradient(dem.elevation_m.astype(np.float64), dem.cell_m)
    return np.degrees(np.arctan(np.hypot(dz_dx, dz_dy))).astype(np.float32)


def slope_deg(dem: DEM, lon: ArrayLike, lat: ArrayLike, *, radius_m: float = 250.0) -> FloatArray:
    """Return the mean terrain slope around each point, in degrees.

    The slope of each cell comes from central differences of elevation
    (:func:`slope_grid`); a point gets the mean over the square window of
    half-width ``radius_m`` (rounded to whole cells, at least the point's own
    cell) centred on its cell, ignoring nodata.

    Parameters
    ----------
    dem
        Terrain.
    lon, lat
        Points in degrees.
    radius_m
        Half-width of the averaging window in metres.

    Returns
    -------
    numpy.ndarray
        Mean slope in degrees; NaN off the DEM.

    Examples
    --------
    >>> slope_deg(flat_dem(0.0, center_lonlat=(70.0, 40.0)), [70.0], [40.0]).tolist()
    [0.0]
    """
    slope = slope_grid(dem).astype(np.float64)
    finite = np.isfinite(slope)
    total = np.pad(np.where(finite, slope, 0.0).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    count = np.pad(finite.astype(np.int64).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    col, row = dem.to_colrow(*dem.to_grid(lon, lat))
    rows, cols = dem.shape
    off = ~((col >= -0.5) & (col < cols - 0.5) & (row >= -0.5) & (row < rows - 0.5))
    c = np.clip(np.rint(np.nan_to_num(col)).astype(np.int64), 0, cols - 1)
    r = np.clip(np.rint(np.nan_to_num(row)).astype(np.int64), 0, rows - 1)
    h = round(radius_m / dem.cell_m)
    c0, c1 = np.clip(c - h, 0, cols), np.clip(c + h + 1, 0, cols)
    r0, r1 = np.clip(r - h, 0, rows), np.clip(r + h + 1, 0, rows)
    s = total[r1, c1] - total[r0, c1] - total[r1, c0] + total[r0, c0]
    k = count[r1, c1] - count[r0, c1] - count[r1, c0] + count[r0, c0]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / k
    return np.where(off | (k == 0), np.nan, mean)


PASSABLE_BELOW_DEG = 8.0
"""Slope in degrees up to which terrain is fully passable on foot."""

IMPASSABLE_FROM_DEG = 35.0
"""Slope in degrees from which terrain is taken as impassable on foot."""


def passability(slope_deg: ArrayLike) -> FloatArray:
    """Return how passable terrain of a given slope is on foot, from 1 to 0.

    1 up to 8°, falling linearly to 0 at 35°, NaN where the slope is
    unknown. Why these bounds: Tobler's hiking function puts walking speed
    near its maximum on gentle slopes and at about two thirds of it by 8°
    (a 14 % grade, beyond which loaded walkers slow sharply and vehicles
    leave tracks); 35° is about the angle of repose of loose scree and talus
    and where mountaineering grades begin scrambling, so above it crossings
    on foot are rare and slow. The linear fall between the two is a
    deliberate, simple assumption; the bounds are the module constants
    :data:`PASSABLE_BELOW_DEG` and :data:`IMPASSABLE_FROM_DEG`.

    Parameters
    ----------
    slope_deg
        Terrain slope in degrees.

    Examples
    --------
    >>> passability([0.0, 8.0, 21.5, 35.0, 60.0]).tolist()
    [1.0, 1.0, 0.5, 0.0, 0.0]
    """
    s = np.asarray(slope_deg, dtype=float)
    span = IMPASSABLE_FROM_DEG - PASSABLE_BELOW_DEG
    return np.clip((IMPASSABLE_FROM_DEG - s) / span, 0.0, 1.0)


def hillshade(
    dem: DEM,
    *,
    azimuth: float = 315.0,
    altitude: float = 45.0,
    max_size: int = 2048,
) -> tuple[NDArray[np.uint8], tuple[tuple[float, float], tuple[float, float]]]:
    """Return a hillshade image of the DEM ready for a web map overlay.

    The shading is Lambertian, as ``gdaldem hillshade``: ``sin(alt) cos(slope)
    + cos(alt) sin(slope) cos(azimuth − aspect)``, clipped to [0, 1]. The image
    is resampled to a Web Mercator (EPSG:3857) grid, so that Leaflet's
    ``ImageOverlay`` stretched over the returned lon/lat bounds places every
    pixel where it belongs; nodata is transparent.

    Parameters
    ----------
    dem
        Terrain.
    azimuth
        Compass direction the light comes from, in degrees (315: north-west).
    altitude
        Height of the light above the horizon, in degrees.
    max_size
        Largest image side in pixels; coarser than the DEM when it is larger.

    Returns
    -------
    image, bounds
        RGBA uint8 array of shape ``(rows, cols, 4)`` (grey, alpha 255 on data)
        and ``((south, west), (north, east))`` in degrees, the order
        ``folium.raster_layers.ImageOverlay(image, bounds)`` takes. Folium
        inlines the array as a PNG data URI, so the map works offline; or use
        :func:`png_bytes` / :func:`png_data_uri`.
    """
    from rasterio.enums import Resampling
    from rasterio.transform import array_bounds
    from rasterio.warp import reproject, transform_bounds

    z = dem.elevation_m.astype(np.float64)
    d_row, d_col = np.gradient(z, dem.cell_m)
    dz_east, dz_north = d_col, -d_row
    slope = np.arctan(np.hypot(dz_east, dz_north))
    aspect = np.arctan2(-dz_east, -dz_north)  # compass direction of steepest descent
    alt, az = np.radians(altitude), np.radians(azimuth)
    shade = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)
    shade = np.clip(shade, 0.0, 1.0)
    rows, cols = dem.shape
    west, south, east, north = array_bounds(rows, cols, dem.transform)
    # Web Mercator grid at the DEM's resolution (Mercator scale 1 / cos(lat)), capped
    mx0, my0, mx1, my1 = transform_bounds(
        dem.crs.to_wkt(), "EPSG:3857", west, south, east, north, densify_pts=21
    )
    lat_c = Transformer.from_crs(3857, 4326, always_xy=True).transform(0.0, (my0 + my1) / 2)[1]
    res = dem.cell_m / math.cos(math.radians(lat_c))
    res = max(res, (mx1 - mx0) / max_size, (my1 - my0) / max_size)
    width = max(1, math.ceil((mx1 - mx0) / res))
    height = max(1, math.ceil((my1 - my0) / res))
    dst_transform = _origin(mx0, my1, res, res)
    out = np.full((height, width), np.nan)
    reproject(
        shade,
        out,
        src_transform=dem.transform,
        src_crs=dem.crs.to_wkt(),
        src_nodata=np.nan,
        dst_transform=dst_transform,
        dst_crs="EPSG:3857",
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    grey = np.nan_to_num(out * 255.0).round().astype(np.uint8)
    alpha = np.where(np.isfinite(out), 255, 0).astype(np.uint8)
    image = np.dstack([grey, grey, grey, alpha])
    mx0, my0, mx1, my1 = array_bounds(height, width, dst_transform)
    to_ll = Transformer.from_crs(3857, 4326, always_xy=True)
    lon0, lat0 = to_ll.transform(mx0, my0)
    lon1, lat1 = to_ll.transform(mx1, my1)
    return image, ((float(lat0), float(lon0)), (float(lat1), float(lon1)))


def png_bytes(image: NDArray[np.uint8]) -> bytes:
    """Encode an RGBA uint8 image of shape ``(rows, cols, 4)`` as PNG (pure Python, zlib).

    Examples
    --------
    >>> png_bytes(np.zeros((1, 1, 4), dtype=np.uint8))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    import struct
    import zlib

    rows, cols, bands = image.shape
    if bands != 4 or image.dtype != np.uint8:
        raise ValueError("expected an RGBA uint8 image of shape (rows, cols, 4)")
    raw = np.concatenate(
        [np.zeros((rows, 1), dtype=np.uint8), image.reshape(rows, cols * 4)], axis=1
    ).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", cols, rows, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def png_data_uri(image: NDArray[np.uint8]) -> str:
    """Return an RGBA image as a ``data:image/png;base64,...`` URI (for offline maps)."""
    import base64

    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def high_ground(
    dem: DEM,
    border_lines_lonlat: Any,
    *,
    within_m: float = 5000.0,
    own_side: shapely.Geometry | OwnSide | None = None,
    n: int = 50,
    height_m: float = SURVEY_TOWER["height_m"],
    range_m: float = SURVEY_TOWER["range_m"],
    spacing_m: float = 1000.0,
    target_height_m: float = 1.7,
    refraction: float = 0.13,
    step_m: float = 100.0,
) -> gpd.GeoDataFrame:
    """List candidate sensor sites: local high points near the border that see much of it.

    A cell is a local high point when it is the highest within ``spacing_m / 2``
    (a square window). High points within ``within_m`` of the border (and
    inside ``own_side`` when given) are ranked by elevation; the
    ``max(10 n, 500)`` highest are tested with
    :func:`surveil.visibility.line_of_sight` from a mast of ``height_m`` to
    border points every ``step_m`` within ``range_m`` (all round), and the
    ``n`` that see the most border are returned.

    Parameters
    ----------
    dem
        Terrain; should cover the border with ``range_m`` of buffer.
    border_lines_lonlat
        The border in lon/lat degrees: a shapely (Multi)LineString, a
        GeoSeries/GeoDataFrame in EPSG:4326, or a sequence of those or of
        ``(n, 2)`` vertex arrays.
    within_m
        Largest distance of a site from the border in metres.
    own_side
        The own territory, as a polygon (lon/lat) or as a function of
        ``(lon, lat)`` arrays that tells which points lie on the own side
        (e.g. :func:`surveil.segments.border_side` ``> 0`` on an oriented
        border); other sites are dropped before ranking.
    n
        Number of sites returned.
    height_m
        Mast height assumed for the view, in metres.
    range_m
        Range of the assumed sensor in metres.
    spacing_m
        Size of the neighbourhood a high point dominates, in metres.
    target_height_m, refraction
        As for :func:`surveil.visibility.line_of_sight`.
    step_m
        Spacing of the border points tested, in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, best first: ``elevation_m``, ``distance_to_border_m``,
        ``border_in_range_km`` and ``border_seen_km`` (border length within
        range, and seen, in km), with Point geometry.
    """
    from rasterio.features import rasterize
    from scipy.ndimage import distance_transform_edt, maximum_filter
    from scipy.spatial import cKDTree

    from surveil import geodesy
    from surveil.visibility import line_of_sight

    columns = ["elevation_m", "distance_to_border_m", "border_in_range_km", "border_seen_km"]
    lines = _border_lines(border_lines_lonlat)
    b_lon, b_lat, b_w = [], [], []
    grid_lines = []
    for coords in lines:
        lon, lat = geodesy.densify(coords[:, 0], coords[:, 1], min(step_m, dem.cell_m))
        total = float(geodesy.chainage(lon, lat)[-1])
        if total <= 0:
            continue
        pieces = max(1, math.ceil(total / step_m))
        at = (np.arange(pieces) + 0.5) * total / pieces
        plon, plat, _ = geodesy.interpolate(lon, lat, at)
        b_lon.append(plon)
        b_lat.append(plat)
        b_w.append(np.full(pieces, total / pieces))
        gx, gy = dem.to_grid(lon, lat)
        grid_lines.append(shapely.LineString(np.column_stack([gx, gy])))
    empty = gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs="EPSG:4326")
    if not b_lon:
        return empty
    p_lon, p_lat, weight = np.concatenate(b_lon), np.concatenate(b_lat), np.concatenate(b_w)
    z = dem.elevation_m.astype(np.float64)
    on_line = rasterize(
        [(g, 1) for g in grid_lines],
        out_shape=dem.shape,
        transform=dem.transform,
        all_touched=True,
        dtype="uint8",
    )
    if not on_line.any():
        return empty
    dist = distance_transform_edt(on_line == 0) * dem.cell_m
    _rows, _cols = dem.shape
    tie = np.arange(z.size, dtype=np.float64).reshape(z.shape) * (1e-6 / max(z.size, 1))
    zt = np.where(np.isfinite(z), z + tie, -np.inf)
    size = 2 * max(1, round(spacing_m / 2.0 / dem.cell_m)) + 1
    peak = (zt == maximum_filter(zt, size=size, mode="nearest")) & np.isfinite(z)
    peak &= dist <= within_m
    r, c = np.nonzero(peak)
    t = dem.transform
    gx = t.c + (c + 0.5) * t.a
    gy = t.f + (r + 0.5) * t.e
    lon, lat = dem.to_lonlat(gx, gy)
    if own_side is not None:
        keep = (
            np.asarray(own_side(lon, lat), dtype=bool)
            if callable(own_side)
            else shapely.contains_xy(own_side, lon, lat)
        )
        r, c, gx, gy, lon, lat = r[keep], c[keep], gx[keep], gy[keep], lon[keep], lat[keep]
    if r.size == 0:
        return empty
    order = np.argsort(-z[r, c], kind="stable")[: max(10 * n, 500)]
    r, c, gx, gy, lon, lat = r[order], c[order], gx[order], gy[order], lon[order], lat[order]
    bx, by = dem.to_grid(p_lon, p_lat)
    hits = cKDTree(np.column_stack([bx, by])).query_ball_point(np.column_stack([gx, gy]), r=range_m)
    counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
    site = np.repeat(np.arange(r.size), counts)
    point = np.fromiter((j for h in hits for j in h), dtype=np.int64, count=int(counts.sum()))
    los = line_of_sight(
        dem,
        lon[site],
        lat[site],
        height_m,
        p_lon[point],
        p_lat[point],
        target_height_m=target_height_m,
        refraction=refraction,
        mast=False,
    )
    in_range = np.bincount(site, weights=weight[point], minlength=r.size) / 1000.0
    seen = np.bincount(site, weights=weight[point] * los.visible, minlength=r.size) / 1000.0
    best = np.lexsort((-z[r, c], -seen))[:n]
    return gpd.GeoDataFrame(
        {
            "elevation_m": z[r, c][best],
            "distance_to_border_m": dist[r, c][best],
            "border_in_range_km": in_range[best],
            "border_seen_km": seen[best],
        },
        geometry=gpd.points_from_xy(lon[best], lat[best]),
        crs="EPSG:4326",
    ).reset_index(drop=True)


def _border_lines(border: Any) -> list[NDArray[np.float64]]:
    """Return ``(n, 2)`` lon/lat vertex arrays of every line part of a border input."""
    if isinstance(border, gpd.GeoDataFrame | gpd.GeoSeries):
        if border.crs is not None and not CRS.from_user_input(border.crs).equals(CRS(4326)):
            raise InputError(f"border is in {border.crs}; expected EPSG:4326 lon/lat")
        items: list[Any] = list(border.geometry)
    elif isinstance(border, shapely.Geometry):
        items = [border]
    else:
        items = list(border)
    out = []
    for item in items:
        if isinstance(item, shapely.Geometry):
            for part in shapely.get_parts(item):
                if isinstance(part, shapely.Polygon):
                    part = part.exterior
                coords = shapely.get_coordinates(part)
                if len(coords) >= 2:
                    out.append(coords)
        else:
            coords = np.asarray(item, dtype=float)
            if coords.ndim == 2 and len(coords) >= 2:
                out.append(coords[:, :2])
    return out


#: How far the map's hillshade reaches beyond the border's box, as a share of its larger side.
VIEW_MARGIN = 1.0


def area_hillshade(
    path: str | os.PathLike[str],
    bounds: tuple[float, float, float, float],
    *,
    buffer_m: float = 5000.0,
    max_size: int = 1024,
    margin: float = VIEW_MARGIN,
) -> tuple[NDArray[np.uint8], tuple[tuple[float, float], tuple[float, float]]]:
    """Return one hillshade image of a DEM over an area and the view around it, for the map.

    The map fits the area between its panels on screens from 4:3 to 16:9,
    so the view reaches well beyond the area's box; the image covers the
    box widened by ``margin`` times its larger side on every side (see
    :func:`view_window`), cut to the DEM's extent, on cells no finer than
    the DEM's and no more than ``2 × max_size`` across. When that window is
    too large to read, the box plus ``buffer_m`` is read instead.

    Parameters
    ----------
    path
        The DEM raster.
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)`` of the area, e.g. of the
        segments.
    buffer_m
        Margin around the area in metres, when the view's window is too large.
    max_size
        Largest image side in pixels.
    margin
        Widening of the box on each side, as a share of its larger side.
    """
    window, cell_m = view_window(str(path), bounds, margin=margin, max_size=max_size)
    try:
        with warnings.catch_warnings():  # the window's corners may leave the DEM: transparent
            warnings.simplefilter("ignore", InputWarning)
            dem = read_dem(str(path), bounds=window, buffer_m=0.0, cell_m=cell_m)
    except InputError:
        dem = read_dem(str(path), bounds=bounds, buffer_m=buffer_m)
    return hillshade(dem, max_size=max_size)


def view_window(
    path: str,
    bounds: tuple[float, float, float, float],
    *,
    margin: float = VIEW_MARGIN,
    max_size: int = 1024,
) -> tuple[tuple[float, float, float, float], float]:
    """Return the lon/lat window of the map's hillshade and its cell size in metres.

    The window is ``bounds`` widened by ``margin`` times its larger side
    (degrees of latitude; longitude scaled by the cosine of the latitude)
    on every side, cut to the DEM's extent. The cell is the DEM's own
    resolution, or coarser so that the window is at most ``2 × max_size``
    cells across.

    Parameters
    ----------
    path
        The DEM raster.
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)`` of the area.
    margin
        Widening on each side, as a share of the box's larger side.
    max_size
        Largest image side of the hillshade, in pixels.
    """
    from rasterio.warp import transform_bounds

    west, south, east, north = bounds
    lat_c = (south + north) / 2.0
    cos_lat = max(math.cos(math.radians(lat_c)), 0.01)
    side_deg = max(north - south, (east - west) * cos_lat)  # in degrees of latitude
    pad_lat = margin * side_deg
    pad_lon = pad_lat / cos_lat
    with _open(path) as src:
        d_west, d_south, d_east, d_north = transform_bounds(
            src.crs, "EPSG:4326", *src.bounds, densify_pts=21
        )
        res_x, res_y = (abs(float(r)) for r in src.res)
        if src.crs.is_geographic:
            native = min(res_x * 111_320.0 * cos_lat, res_y * 110_574.0)
        else:
            native = min(res_x, res_y)
    window = (
        max(west - pad_lon, d_west),
        max(south - pad_lat, d_south),
        min(east + pad_lon, d_east),
        min(north + pad_lat, d_north),
    )
    span_m = max(
        (window[3] - window[1]) * 110_574.0, (window[2] - window[0]) * 111_320.0 * cos_lat
    )
    return window, max(native, span_m / (2 * max_size))
