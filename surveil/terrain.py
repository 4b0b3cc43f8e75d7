"""Read a digital elevation model and derive slope, passability, hillshade and high ground.

A :class:`DEM` is held in a *local metric grid*: square cells in metres, so
that line of sight (:mod:`surveil.visibility`), slope and distances work in
metres without further projection. :func:`read_dem` reads only the window of
the raster that covers the area asked for (plus a buffer) and, when the
raster is geographic (such as GEBCO or SRTM in EPSG:4326) or its projection
distorts the area by more than 0.1 %, reprojects that window to an azimuthal
equidistant grid centred on the area, at the raster's native resolution.

One local grid is good for a few hundred kilometres: at 150 km from the centre
the azimuthal equidistant scale error is below 0.01 %. For a border at
national scale, read one DEM per cluster of sensors with
:func:`read_dem_tiles` and pick each sensor's tile with :func:`tile_of`; every
tile carries a buffer at least as wide as the longest sensor range, so that a
sensor's rays never leave its tile.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer

from surveil.errors import InputError, InputWarning

FloatArray = NDArray[np.float64]

_M_PER_DEG = 111_320.0
_MAX_SCALE_ERROR = 1e-3


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
    _to_grid: Transformer = field(init=False, repr=False, compare=False)
    _to_lonlat: Transformer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if abs(abs(self.transform.a) - abs(self.transform.e)) > 1e-6 * abs(self.transform.a):
            raise ValueError("DEM cells must be square")
        object.__setattr__(self, "_to_grid", Transformer.from_crs(4326, self.crs, always_xy=True))
        object.__setattr__(
            self, "_to_lonlat", Transformer.from_crs(self.crs, 4326, always_xy=True)
        )

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
        x, y = self._to_grid.transform(
            np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        )
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
    from rasterio.transform import from_origin

    n = int(math.ceil(size_m / cell_m))
    half = n * cell_m / 2.0
    return DEM(
        elevation_m=np.full((n, n), elevation_m, dtype=np.float32),
        transform=from_origin(-half, half, cell_m, cell_m),
        crs=local_crs(*center_lonlat),
        source="flat",
        bounds_lonlat=(center_lonlat[0], center_lonlat[1], center_lonlat[0], center_lonlat[1]),
    )


def read_dem(
    path: str,
    *,
    bounds: tuple[float, float, float, float],
    buffer_m: float,
    cell_m: float | None = None,
) -> DEM:
    """Read the part of a DEM GeoTIFF that covers an area, on a local metric grid.

    Only the window covering ``bounds`` plus ``buffer_m`` is read. A
    geographic raster, or one whose projection distorts lengths in the area
    by more than 0.1 %, is reprojected (bilinear) to an azimuthal equidistant
    grid centred on the area; a projected raster that is good enough keeps
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
        raster's native resolution (its finer axis).

    Returns
    -------
    DEM
        Elevations on the local grid, NaN where unknown.

    Raises
    ------
    surveil.errors.InputError
        When the file cannot be read, or the area lies outside the raster.

    Warns
    -----
    surveil.errors.InputWarning
        When part of the area (with its buffer) is outside the raster or
        nodata.
    """
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.errors import RasterioIOError
    from rasterio.warp import reproject, transform_bounds
    from rasterio.windows import Window, from_bounds

    lon_min, lat_min, lon_max, lat_max = (float(b) for b in bounds)
    if not (lon_min <= lon_max and lat_min <= lat_max):
        raise InputError(f"{path}: bounds {bounds} are not (lon_min, lat_min, lon_max, lat_max)")
    lon_c, lat_c = (lon_min + lon_max) / 2.0, (lat_min + lat_max) / 2.0
    try:
        src = rasterio.open(path)
    except RasterioIOError as exc:
        raise InputError(f"{path}: cannot read the DEM ({exc})") from exc
    with src:
        if src.crs is None:
            raise InputError(f"{path}: the DEM has no CRS; expected a georeferenced GeoTIFF")
        src_crs = CRS.from_user_input(src.crs.to_wkt())
        keep_grid = _good_projection(src_crs, lon_c, lat_c)
        dst_crs = src_crs if keep_grid else local_crs(lon_c, lat_c)
        # Area with buffer, in the destination grid, then in the source CRS.
        dx0, dy0, dx1, dy1 = transform_bounds(
            "EPSG:4326", dst_crs, lon_min, lat_min, lon_max, lat_max, densify_pts=21
        )
        dx0, dy0, dx1, dy1 = dx0 - buffer_m, dy0 - buffer_m, dx1 + buffer_m, dy1 + buffer_m
        sx0, sy0, sx1, sy1 = (
            (dx0, dy0, dx1, dy1)
            if keep_grid
            else transform_bounds(dst_crs, src_crs, dx0, dy0, dx1, dy1, densify_pts=21)
        )
        full = Window(0, 0, src.width, src.height)
        wanted = from_bounds(sx0, sy0, sx1, sy1, transform=src.transform)
        wanted = wanted.round_offsets(op="floor").round_lengths(op="ceil")
        # one more source cell on each side for the bilinear resampling
        pad = 0 if keep_grid else 1
        wanted = Window(
            wanted.col_off - pad, wanted.row_off - pad, wanted.width + 2 * pad,
            wanted.height + 2 * pad,
        )
        try:
            window = wanted.intersection(full)
        except Exception:  # rasterio raises WindowError when they do not overlap
            window = None
        if window is None or window.width <= 0 or window.height <= 0:
            sb = src.bounds
            raise InputError(
                f"{path}: the area {_fmt_bounds(bounds)} (with {buffer_m:g} m buffer) lies "
                f"outside the DEM, which covers {_fmt_bounds((sb.left, sb.bottom, sb.right, sb.top))}"
                f" in {src.crs.to_string()}"
            )
        data = src.read(1, window=window, out_dtype="float32")
        if src.nodata is not None:
            data[data == np.float32(src.nodata)] = np.nan
        data[~np.isfinite(data)] = np.nan
        win_transform = src.window_transform(window)
        if keep_grid:
            res = abs(src.transform.a)
            if abs(abs(src.transform.e) - res) > 1e-6 * res:
                keep_grid = False
                dst_crs = local_crs(lon_c, lat_c)
                dx0, dy0, dx1, dy1 = transform_bounds(
                    "EPSG:4326", dst_crs, lon_min, lat_min, lon_max, lat_max, densify_pts=21
                )
                dx0, dy0, dx1, dy1 = dx0 - buffer_m, dy0 - buffer_m, dx1 + buffer_m, dy1 + buffer_m
        if keep_grid:
            elevation = data
            transform = win_transform
            outside = (
                window.col_off > wanted.col_off
                or window.row_off > wanted.row_off
                or window.width < wanted.width
                or window.height < wanted.height
            )
        else:
            step = cell_m or _native_cell_m(src, src_crs, lat_c)
            from rasterio.transform import from_origin

            x0 = math.floor(dx0 / step) * step
            y1 = math.ceil(dy1 / step) * step
            cols = int(math.ceil((dx1 - x0) / step))
            rows = int(math.ceil((y1 - dy0) / step))
            transform = from_origin(x0, y1, step, step)
            elevation = np.full((rows, cols), np.nan, dtype=np.float32)
            reproject(
                data,
                elevation,
                src_transform=win_transform,
                src_crs=src.crs,
                src_nodata=np.nan,
                dst_transform=transform,
                dst_crs=dst_crs.to_wkt(),
                dst_nodata=np.nan,
                resampling=Resampling.bilinear,
            )
            outside = window != wanted
    missing = float(np.isnan(elevation).mean()) if elevation.size else 1.0
    if missing >= 1.0:
        raise InputError(f"{path}: the DEM has no data in the area {_fmt_bounds(bounds)}")
    if missing > 0.0 or outside:
        warnings.warn(
            f"{path}: {missing:.1%} of the area {_fmt_bounds(bounds)} with its {buffer_m:g} m "
            "buffer is outside the DEM or nodata; line of sight there is unknown "
            "(treated as not visible)",
            InputWarning,
            stacklevel=2,
        )
    return DEM(
        elevation_m=elevation,
        transform=transform,
        crs=dst_crs,
        source=str(path),
        bounds_lonlat=(lon_min, lat_min, lon_max, lat_max),
    )


def read_dem_tiles(
    path: str,
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    buffer_m: float,
    tile_m: float = 200_000.0,
    cell_m: float | None = None,
) -> list[DEM]:
    """Read one local DEM per cluster of points, for borders at national scale.

    Points (sensors, border vertices) are grouped on a grid of ``tile_m``
    squares (east-west width corrected for latitude); each occupied square
    gives one :class:`DEM` covering its points plus ``buffer_m``. Assign
    sensors to tiles with :func:`tile_of`.

    Parameters
    ----------
    path
        The DEM raster, as for :func:`read_dem`.
    lon, lat
        Points that must be covered, in degrees.
    buffer_m
        Margin around each tile's points in metres (the longest sensor range).
    tile_m
        Side of the grouping squares in metres.
    cell_m
        Cell size of the local grids, as for :func:`read_dem`.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    key_y = np.floor(lat * 110_574.0 / tile_m).astype(np.int64)
    key_x = np.floor(lon * _M_PER_DEG * np.cos(np.radians(lat)) / tile_m).astype(np.int64)
    keys = np.unique(np.column_stack([key_x, key_y]), axis=0)
    tiles = []
    for kx, ky in keys:
        sel = (key_x == kx) & (key_y == ky)
        box = (lon[sel].min(), lat[sel].min(), lon[sel].max(), lat[sel].max())
        tiles.append(read_dem(path, bounds=box, buffer_m=buffer_m, cell_m=cell_m))
    return tiles


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
