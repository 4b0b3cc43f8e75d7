"""Tests of surveil.terrain: windowed DEM reading, slope, passability, hillshade, high ground."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
import rasterio
import shapely
from pyproj import Transformer

from surveil.errors import InputError, InputWarning
from surveil.terrain import (
    DEM,
    _origin,
    flat_dem,
    high_ground,
    hillshade,
    local_crs,
    passability,
    png_bytes,
    read_dem,
    read_dem_tiles,
    slope_deg,
    tile_of,
)

UTM = 32642  # UTM 42N: Fergana valley, central meridian 69°E
X0, Y0 = 500_000.0, 4_430_000.0  # north-west corner of the synthetic rasters
TO_LL = Transformer.from_crs(UTM, 4326, always_xy=True)


def write_tif(path, z, *, crs=UTM, origin=(X0, Y0), cell=30.0, nodata=-9999.0):
    """Write a float32 GeoTIFF whose row 0 is the north edge."""
    z = np.where(np.isnan(z), nodata, z).astype("float32")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=z.shape[1],
        height=z.shape[0],
        count=1,
        dtype="float32",
        crs=crs,
        transform=_origin(*origin, cell, cell),
        nodata=nodata,
    ) as dst:
        dst.write(z, 1)
    return str(path)


def hills(n=400, cell=30.0, seed=1):
    """A 1000 m plateau with 25 Gaussian hills of 50–300 m."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:n, 0:n] * cell
    z = np.full((n, n), 1000.0)
    for _ in range(25):
        cx, cy = rng.uniform(0, n * cell, 2)
        s, h = rng.uniform(300, 1500), rng.uniform(50, 300)
        z += h * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))
    return z


def lonlat_box(x0, y0, x1, y1):
    lon, lat = TO_LL.transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    return (min(lon), min(lat), max(lon), max(lat))


def test_read_dem_reads_only_the_window(tmp_path):
    z = hills()
    path = write_tif(tmp_path / "dem.tif", z)
    # 1.2 km box in the middle of the 12 km raster, 600 m buffer
    box = lonlat_box(X0 + 5400, Y0 - 6600, X0 + 6600, Y0 - 5400)
    dem = read_dem(path, bounds=box, buffer_m=600)
    assert dem.crs.to_epsg() == UTM  # a good projection keeps its grid
    assert dem.cell_m == 30.0
    rows, cols = dem.shape
    assert 80 <= rows <= 84 and 80 <= cols <= 84  # (1200 + 2·600) / 30 = 80, plus rounding
    c0 = round((dem.transform.c - X0) / 30)
    r0 = round((Y0 - dem.transform.f) / 30)
    np.testing.assert_array_equal(dem.elevation_m, z[r0 : r0 + rows, c0 : c0 + cols].astype("f4"))


def test_geographic_dem_goes_to_a_local_metric_grid(tmp_path):
    # 15" cells like GEBCO; a plane in lon/lat
    step = 15 / 3600
    lon = 69.9 + (np.arange(120) + 0.5) * step
    lat = 40.5 - (np.arange(100) + 0.5) * step
    z = 1000 + 2000 * (lon[None, :] - 70) + 500 * (lat[:, None] - 40)
    path = write_tif(tmp_path / "geo.tif", z, crs=4326, origin=(69.9, 40.5), cell=step)
    dem = read_dem(path, bounds=(70.0, 40.2, 70.2, 40.3), buffer_m=2000)
    assert dem.crs.coordinate_operation.method_name == "Azimuthal Equidistant"
    assert dem.cell_m == pytest.approx(step * 111_320 * math.cos(math.radians(40.25)), rel=1e-6)
    q_lon, q_lat = np.array([70.01, 70.1, 70.19]), np.array([40.21, 40.25, 40.29])
    np.testing.assert_allclose(
        dem.elevation(q_lon, q_lat), 1000 + 2000 * (q_lon - 70) + 500 * (q_lat - 40), atol=0.5
    )


def test_area_outside_the_dem_is_an_error_naming_the_file(tmp_path):
    path = write_tif(tmp_path / "dem.tif", hills(50))
    with pytest.raises(InputError, match=r"dem\.tif.*outside the DEM"):
        read_dem(path, bounds=(10.0, 50.0, 10.1, 50.1), buffer_m=100)


def test_area_partly_outside_or_nodata_warns(tmp_path):
    z = hills(100)
    path = write_tif(tmp_path / "dem.tif", z)
    box = lonlat_box(X0 + 2700, Y0 - 2700, X0 + 2900, Y0 - 2500)
    with pytest.warns(InputWarning, match="outside the DEM or nodata"):
        dem = read_dem(path, bounds=box, buffer_m=1000)  # buffer crosses the east edge
    assert dem.shape[1] < 2200 / 30
    z[40:60, 40:60] = np.nan
    path = write_tif(tmp_path / "holes.tif", z)
    box = lonlat_box(X0 + 1000, Y0 - 2000, X0 + 2000, Y0 - 1000)
    with pytest.warns(InputWarning, match="nodata"):
        dem = read_dem(path, bounds=box, buffer_m=0)
    assert np.isnan(dem.elevation(*TO_LL.transform([X0 + 1500], [Y0 - 1500])))[0]


def test_tiles_for_a_long_border(tmp_path):
    step = 15 / 3600
    z = np.full((240, 720), 500.0)
    path = write_tif(tmp_path / "geo.tif", z, crs=4326, origin=(69.0, 40.5), cell=step)
    lon = np.array([69.2, 69.25, 71.7, 71.8])
    lat = np.array([40.0, 40.05, 40.0, 40.1])
    dems = read_dem_tiles(path, lon, lat, buffer_m=5000, tile_m=100_000)
    assert len(dems) == 2
    assert tile_of(dems, lon, lat).tolist() == [0, 0, 1, 1]
    assert tile_of(dems, [69.1, 71.9], [40.0, 40.0]).tolist() == [0, 1]  # nearest tile
    for dem in dems:
        assert max(dem.shape) < 80  # ~ (10 km + 2·5 km) / 355 m, not the whole raster


def test_slope_of_a_plane_and_passability():
    dem = flat_dem(0.0, center_lonlat=(70.0, 40.0), size_m=4000, cell_m=20)
    rows, cols = dem.shape
    x = dem.transform.c + (np.arange(cols) + 0.5) * 20
    tilted = DEM(
        np.broadcast_to(x * math.tan(math.radians(10)), (rows, cols)).astype("f4"),
        dem.transform,
        dem.crs,
    )
    assert slope_deg(tilted, [70.0, 70.01], [40.0, 40.005]) == pytest.approx(10.0, abs=0.01)
    assert np.isnan(slope_deg(tilted, [71.0], [40.0]))[0]
    assert passability([0, 8, 21.5, 35, 80, np.nan])[:5].tolist() == [1, 1, 0.5, 0, 0]


def test_hillshade_lights_slopes_facing_the_sun():
    dem = flat_dem(0.0, center_lonlat=(70.0, 40.0), size_m=4000, cell_m=20)
    image, ((south, west), (north, east)) = hillshade(dem)
    assert image.dtype == np.uint8 and image.shape[2] == 4
    assert south < 40.0 < north and west < 70.0 < east
    flat = image[..., 0][image[..., 3] == 255]
    assert np.all(np.abs(flat.astype(int) - round(255 * math.sin(math.radians(45)))) <= 1)
    # a plane rising to the south-east faces north-west, into the 315° light
    rows, cols = dem.shape
    r, c = np.mgrid[0:rows, 0:cols] * 20.0
    facing_nw = DEM((0.5 * (c + r)).astype("f4"), dem.transform, dem.crs)
    facing_se = DEM((-0.5 * (c + r)).astype("f4"), dem.transform, dem.crs)
    assert (
        np.median(hillshade(facing_nw)[0][..., 0])
        > 200
        > 100
        > np.median(hillshade(facing_se)[0][..., 0][hillshade(facing_se)[0][..., 3] == 255])
    )
    small, _ = hillshade(dem, max_size=50)
    assert max(small.shape[:2]) <= 50
    png = png_bytes(small)
    assert png.startswith(b"\x89PNG") and png.endswith(b"IEND\xaeB`\x82")
    raw = zlib.decompress(png[png.index(b"IDAT") + 4 : png.index(b"IEND") - 8])
    assert len(raw) == small.shape[0] * (small.shape[1] * 4 + 1)


def test_high_ground_finds_the_hill_that_sees_the_border():
    # Border: the x axis of a local grid; own side south (y < 0).
    crs_center = (70.0, 40.0)
    base = flat_dem(0.0, center_lonlat=crs_center, size_m=30_000, cell_m=50)
    rows, cols = base.shape
    t = base.transform
    yy, xx = np.mgrid[0:rows, 0:cols]
    gx, gy = t.c + (xx + 0.5) * 50, t.f - (yy + 0.5) * 50

    def hill(x, y, h, s=300.0):
        return h * np.exp(-((gx - x) ** 2 + (gy - y) ** 2) / (2 * s * s))

    z = hill(0, -2000, 300) + hill(5000, -3000, 100) + hill(-6000, 2000, 500) + hill(0, -9000, 800)
    dem = DEM(z.astype("f4"), t, base.crs)
    lon, lat = dem.to_lonlat(np.array([-12_000.0, 12_000.0]), np.array([0.0, 0.0]))
    border = shapely.LineString(np.column_stack([lon, lat]))
    own = shapely.Polygon(
        np.column_stack(dem.to_lonlat(np.array([-15e3, 15e3, 15e3, -15e3]), [0, 0, -15e3, -15e3]))
    )
    sites = high_ground(dem, border, within_m=5000, own_side=own, n=5, height_m=20, range_m=10_000)
    assert sites.crs.to_epsg() == 4326
    xy = np.column_stack(dem.to_grid(sites.geometry.x, sites.geometry.y))
    # the two own-side hills within 5 km, the 300 m one first; not the far or foreign ones
    assert np.abs(xy[0] - [0, -2000]).max() <= 50
    assert np.abs(xy[1] - [5000, -3000]).max() <= 50
    assert len(sites) == 2
    assert (sites.border_seen_km <= sites.border_in_range_km + 1e-9).all()
    # 300 m hill, 2 km from the border, 10 km range: sees 2·√(10² − 2²) km, all of it in range
    assert sites.border_in_range_km[0] == pytest.approx(2 * math.sqrt(100 - 4), abs=0.15)
    assert sites.border_seen_km[0] == pytest.approx(sites.border_in_range_km[0], abs=0.15)
    assert sites.elevation_m[0] == pytest.approx(300, abs=3)


def test_local_crs_is_metric():
    assert local_crs(70, 40).axis_info[0].unit_name == "metre"


def geo_hills(tmp_path, name="geo.tif"):
    """A 15" geographic raster (like GEBCO) of hills over lon 69.9–70.4, lat 40.0–40.5."""
    step = 15 / 3600
    z = hills(n=120, cell=400.0, seed=3)
    return write_tif(tmp_path / name, z, crs=4326, origin=(69.9, 40.5), cell=step), z, step


def test_a_cell_keeps_its_value_whatever_the_window(tmp_path):
    # Issue 7 item 1: a wider window (a longer sensor range) must not move the grid or
    # change any cell; tiles are keyed and centred from the border points alone.
    path, _, _ = geo_hills(tmp_path)
    lon, lat = np.array([70.10, 70.15, 70.20]), np.array([40.20, 40.25, 40.22])
    (narrow,) = read_dem_tiles(path, lon, lat, buffer_m=3000)
    (wide,) = read_dem_tiles(path, lon, lat, buffer_m=9000)
    assert narrow.crs == wide.crs and narrow.cell_m == wide.cell_m
    dc = round((narrow.transform.c - wide.transform.c) / wide.cell_m)
    dr = round((wide.transform.f - narrow.transform.f) / wide.cell_m)
    assert narrow.transform.c == pytest.approx(wide.transform.c + dc * wide.cell_m, abs=1e-6)
    rows, cols = narrow.shape
    assert dc > 0 and dr > 0
    np.testing.assert_array_equal(
        narrow.elevation_m, wide.elevation_m[dr : dr + rows, dc : dc + cols]
    )


def test_reprojected_cells_are_the_source_plane_at_their_centres(tmp_path):
    # Bilinear interpolation is exact on a plane: each cell of the local grid equals the
    # plane at the cell centre's lon/lat, transformed back by pyproj.
    step = 15 / 3600
    lon = 69.9 + (np.arange(120) + 0.5) * step
    lat = 40.5 - (np.arange(100) + 0.5) * step
    z = 1000 + 2000 * (lon[None, :] - 70) + 500 * (lat[:, None] - 40)
    path = write_tif(tmp_path / "plane.tif", z, crs=4326, origin=(69.9, 40.5), cell=step)
    dem = read_dem(
        path, bounds=(70.0, 40.2, 70.2, 40.3), buffer_m=2000, center_lonlat=(70.05, 40.25)
    )
    rows, cols = dem.shape
    t = dem.transform
    yy, xx = np.mgrid[0:rows, 0:cols]
    c_lon, c_lat = Transformer.from_crs(dem.crs, 4326, always_xy=True).transform(
        t.c + (xx + 0.5) * t.a, t.f + (yy + 0.5) * t.e
    )
    expected = 1000 + 2000 * (c_lon - 70) + 500 * (c_lat - 40)
    ok = np.isfinite(dem.elevation_m)
    assert ok.mean() > 0.99
    np.testing.assert_allclose(dem.elevation_m[ok], expected[ok], atol=1e-3)


def test_a_sensor_stands_on_its_source_cell_not_on_the_resampled_grid(tmp_path):
    # Issue 7 item 1: bilinear resampling put towers 15–70 m below their cell value.
    path, z, step = geo_hills(tmp_path)
    z = z.copy()
    z[40, 50] += 300.0  # a peak one cell wide at lon 69.9 + 50.5 step, lat 40.5 − 40.5 step
    path = write_tif(tmp_path / "peak.tif", z, crs=4326, origin=(69.9, 40.5), cell=step)
    p_lon, p_lat = 69.9 + 50.3 * step, 40.5 - 40.8 * step  # inside that cell, off its centre
    (dem,) = read_dem_tiles(path, [p_lon - 0.05, p_lon + 0.05], [p_lat, p_lat], buffer_m=3000)
    with rasterio.open(path) as src:
        cell = next(src.sample([(p_lon, p_lat)]))[0]  # rasterio: the cell the point is in
    assert cell == pytest.approx(z[40, 50], abs=1e-3)
    assert dem.ground_m([p_lon], [p_lat])[0] == pytest.approx(cell, abs=1e-3)
    assert dem.elevation([p_lon], [p_lat])[0] < cell - 50  # the resampled grid smooths it


def test_a_window_too_large_is_refused_before_allocating(tmp_path):
    # Issue 8 §2: range_m 1e9 over a DEM tried to allocate 116 TiB.
    from surveil.terrain import grid_shape

    path, _, _ = geo_hills(tmp_path)
    with pytest.raises(InputError, match=r"geo\.tif.*cells.*TiB.*more than the limit"):
        read_dem(path, bounds=(70.1, 40.2, 70.2, 40.3), buffer_m=1e9)
    rows, cols = grid_shape(path, bounds=(70.1, 40.2, 70.2, 40.3), buffer_m=1e9)
    cell = 15 / 3600 * 111_320 * math.cos(math.radians(40.25))  # 355 m
    assert rows * cols == pytest.approx((2e9 / cell) ** 2, rel=0.01)


def test_view_window_widens_the_box_by_its_larger_side_within_the_dem():
    from surveil.datasets import get_path
    from surveil.terrain import view_window

    dem = str(get_path("tjk-afg").parent / "dem.tif")  # covers 68.16-69.76 E, 36.75-37.90 N
    box = (68.9, 37.2, 69.0, 37.25)
    cos_lat = math.cos(math.radians(37.225))
    side = max(0.05, 0.1 * cos_lat)  # the larger side, in degrees of latitude: 0.0796
    window, cell_m = view_window(dem, box)
    expected = (68.9 - side / cos_lat, 37.2 - side, 69.0 + side / cos_lat, 37.25 + side)
    assert window == pytest.approx(expected, abs=1e-9)
    whole, _ = view_window(dem, (68.36, 36.95, 69.56, 37.70))  # the sector: cut to the DEM
    assert whole == pytest.approx((68.158333, 36.75, 69.758333, 37.90), abs=1e-5)
    # 15 arc-second cells: 0.0041667° of longitude at 37.2° N is about 369 m
    assert cell_m == pytest.approx(15 / 3600 * 111_320 * cos_lat, rel=1e-3)
