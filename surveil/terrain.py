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

FloatArray = NDArray[np.float64]
OwnSide = Callable[[FloatArray, FloatArray], NDArray[np.bool_]]

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
        object.__setattr__(self, "_to_lonlat", Transformer.from_crs(self.crs, 4326, always_xy=True))

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
    from affine import Affine
    from rasterio.enums import Resampling
    from rasterio.errors import RasterioIOError
    from rasterio.warp import reproject, transform_bounds
    from rasterio.windows import Window

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
        if keep_grid:
            sx0, sy0, sx1, sy1 = dx0, dy0, dx1, dy1
            pad = 0
        else:
            step = cell_m or _native_cell_m(src, src_crs, lat_c)
            dx0 = math.floor(dx0 / step) * step
            dy1 = math.ceil(dy1 / step) * step
            cols = math.ceil((dx1 - dx0) / step)
            rows = math.ceil((dy1 - dy0) / step)
            dx1, dy0 = dx0 + cols * step, dy1 - rows * step
            sx0, sy0, sx1, sy1 = transform_bounds(
                dst_crs, src_crs, dx0, dy0, dx1, dy1, densify_pts=21
            )
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
        win_transform = Affine(t0.a, 0.0, t0.c + c_lo * t0.a, 0.0, t0.e, t0.f + r_lo * t0.e)
        if keep_grid:
            elevation, transform = data, win_transform
        else:
            transform = _origin(dx0, dy1, step, step)
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
    wanted_cells = (want[2] - want[0]) * (want[3] - want[1]) if keep_grid else elevation.size
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
    height_m: float = 20.0,
    range_m: float = 10_000.0,
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


def area_hillshade(
    path: str | os.PathLike[str],
    bounds: tuple[float, float, float, float],
    *,
    buffer_m: float = 5000.0,
    max_size: int = 1024,
) -> tuple[NDArray[np.uint8], tuple[tuple[float, float], tuple[float, float]]]:
    """Return one hillshade image of a DEM over an area, for the map.

    Parameters
    ----------
    path
        The DEM raster.
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)`` of the area, e.g. of the
        segments.
    buffer_m
        Margin around the area in metres.
    max_size
        Largest image side in pixels.
    """
    dem = read_dem(str(path), bounds=bounds, buffer_m=buffer_m)
    return hillshade(dem, max_size=max_size)
