"""Tests of surveil.visibility: line of sight, mast height to see, footprints, GDAL agreement."""

from __future__ import annotations

import functools
import importlib.util
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely

from surveil.terrain import DEM, flat_dem, read_dem
from surveil.visibility import (
    EARTH_RADIUS_M,
    curvature_drop_m,
    horizon_distance_m,
    line_of_sight,
    visible_footprint,
)
from tests.test_terrain import TO_LL, X0, Y0, hills, write_tif

ENGINES = ["numpy"] + (["numba"] if importlib.util.find_spec("numba") else [])
SAMPLE_DEM = Path(__file__).parents[1] / "data" / "kgz-tjk" / "dem.tif"
needs_gdal = pytest.mark.skipif(
    shutil.which("gdal_viewshed") is None, reason="gdal_viewshed not on PATH (apt gdal-bin)"
)


def local_dem(z, cell, center=(70.0, 40.0)):
    """A DEM on a local grid centred on ``center``."""
    base = flat_dem(0.0, center_lonlat=center, size_m=z.shape[1] * cell, cell_m=cell)
    assert base.shape == z.shape
    return DEM(z.astype("f4"), base.transform, base.crs)


def grid_xy(dem):
    rows, cols = dem.shape
    t = dem.transform
    yy, xx = np.mgrid[0:rows, 0:cols]
    return t.c + (xx + 0.5) * t.a, t.f + (yy + 0.5) * t.e


def los_xy(dem, ox, oy, h, tx, ty, **kw):
    """line_of_sight with grid coordinates in metres."""
    tx, ty = np.broadcast_arrays(np.atleast_1d(tx).astype(float), np.atleast_1d(ty).astype(float))
    olon, olat = dem.to_lonlat(np.full(tx.size, ox), np.full(tx.size, oy))
    tlon, tlat = dem.to_lonlat(tx, ty)
    return line_of_sight(dem, olon, olat, h, tlon, tlat, **kw)


@pytest.mark.parametrize("engine", ENGINES)
def test_curvature_hides_a_target_beyond_both_horizons(engine):
    dem = flat_dem(800.0, center_lonlat=(70.0, 40.0), size_m=60_000, cell_m=100)
    k, h_obs, h_tgt = 0.13, 10.0, 1.7
    limit = math.sqrt(2 * EARTH_RADIUS_M * h_obs / (1 - k)) + math.sqrt(
        2 * EARTH_RADIUS_M * h_tgt / (1 - k)
    )  # 12 102 m + 4 990 m
    assert limit == pytest.approx(horizon_distance_m(h_obs) + horizon_distance_m(h_tgt))
    d = np.array([0.97, 0.99, 1.01, 1.03, 1.3]) * limit
    los = los_xy(dem, -25_000.0, 0.0, h_obs, -25_000.0 + d, 0.0, refraction=k, engine=engine)
    assert los.visible.tolist() == [True, True, False, False, False]
    # extra mast: the eye's horizon must reach d − (target's horizon distance)
    need = (d - horizon_distance_m(h_tgt)) ** 2 * (1 - k) / (2 * EARTH_RADIUS_M) - h_obs
    np.testing.assert_allclose(los.mast_m_to_see[2:], need[2:], rtol=0.01)
    assert curvature_drop_m(10_000.0, refraction=k) == pytest.approx(1e8 * 0.87 / 12_742_000)


@pytest.mark.parametrize("engine", ENGINES)
def test_mast_to_see_over_a_ridge_equals_the_hand_value(engine):
    # Flat ground at 0 with a ridge, crest 50 m high along the cell-centre row y = -10 m,
    # flanks falling 1 m per 2 m; the ray samples the crest exactly.
    cell = 20.0
    dem0 = flat_dem(0.0, center_lonlat=(70.0, 40.0), size_m=6000, cell_m=cell)
    _gx, gy = grid_xy(dem0)
    y_obs, y_tgt = -1010.0, 990.0  # cell centres, 1000 m either side of the crest at y = -10
    crest = -10.0
    z = np.maximum(0.0, 50.0 - np.abs(gy - crest) * 0.5)
    dem = DEM(z.astype("f4"), dem0.transform, dem0.crs)
    # Without curvature (k = 1): (eye + 1.7) / 2 = 50  ->  eye = 98.3 m, mast 10 m + 88.3 m
    los = los_xy(dem, 10.0, y_obs, 10.0, 10.0, y_tgt, refraction=1.0, engine=engine)
    assert not los.visible[0]
    assert los.mast_m_to_see[0] == pytest.approx(88.3, abs=1e-6)
    # With k = 0.13: crest drops d²(1−k)/2R at 1000 m, target at 2000 m
    drop = 0.87 / (2 * EARTH_RADIUS_M)
    eye = 2 * (50 - drop * 1000**2) - (1.7 - drop * 2000**2)
    los = los_xy(dem, 10.0, y_obs, 10.0, 10.0, y_tgt, engine=engine)
    assert los.mast_m_to_see[0] == pytest.approx(eye - 10.0, abs=1e-6)
    # ... and with that mast the target is seen
    los = los_xy(dem, 10.0, y_obs, eye + 0.01, 10.0, y_tgt, engine=engine)
    assert los.visible[0] and los.mast_m_to_see[0] == 0.0


@pytest.mark.parametrize("engine", ENGINES)
def test_a_ridge_hides_a_known_stretch_of_a_straight_border(engine):
    # Border: y = 0 from x = -6 km to 6 km. Sensor 2 km south at x = 0, 10 m mast.
    # Ridge: 100 m high crest along y = -1 km from x = 0 to 2 km (ends falling to 0 over
    # 50 m), flanks falling to 0 over 50 m either side. A ray to border point x is 6 m
    # high there and crosses the part of the ridge above 6 m (|y + 1 km| < 47 m) at
    # t = 0.4765 … 0.5235 of its length: hidden when x·t falls in (-50, 2050) m for one
    # such t, i.e. x in (-105, 4302) m: about 4.4 km of border, none west of it.
    cell = 25.0
    dem0 = flat_dem(0.0, center_lonlat=(70.0, 40.0), size_m=16_000, cell_m=cell)
    gx, gy = grid_xy(dem0)
    along = np.clip(np.minimum(gx, 2000 - gx) / 50.0 + 1.0, 0.0, 1.0)  # ends over 50 m
    z = 100.0 * along * np.clip(1.0 - np.abs(gy + 1000.0) / 50.0, 0.0, 1.0)
    dem = DEM(z.astype("f4"), dem0.transform, dem0.crs)
    x = np.arange(-6000.0, 6000.1, 50.0)
    los = los_xy(dem, 0.0, -2000.0, 10.0, x, np.zeros_like(x), engine=engine)
    hidden = ~los.visible
    assert hidden[(x > 0) & (x < 4200)].all()
    assert not hidden[(x < -150) | (x > 4400)].any()
    assert 50.0 * hidden.sum() == pytest.approx(4407.0, abs=100.0)


def test_unknown_ground_is_not_visible():
    z = np.zeros((100, 100))
    z[:, 80:] = np.nan
    dem = local_dem(z, 50.0)
    los = los_xy(dem, -1000.0, 0.0, 10.0, [500.0, 2000.0, 9000.0], [0.0, 0.0, 0.0])
    assert los.visible.tolist() == [True, False, False]
    assert los.mast_m_to_see[0] == 0.0 and np.isnan(los.mast_m_to_see[1:]).all()
    los = los_xy(dem, -1000.0, 0.0, 10.0, [500.0], [0.0], obs_ground_m=-500.0)
    assert not los.visible[0]  # observer given 500 m below the plain


def test_engines_agree_and_early_exit_keeps_visibility():
    if len(ENGINES) < 2:
        pytest.skip("numba not installed")
    dem = local_dem(hills(200, 30.0, seed=3), 30.0)
    rng = np.random.default_rng(0)
    tx, ty = rng.uniform(-2900, 2900, (2, 3000))
    a = los_xy(dem, 0.0, 0.0, 15.0, tx, ty, engine="numpy")
    b = los_xy(dem, 0.0, 0.0, 15.0, tx, ty, engine="numba")
    c = los_xy(dem, 0.0, 0.0, 15.0, tx, ty, engine="numba", mast=False)
    assert 0.1 < a.visible.mean() < 0.9
    np.testing.assert_array_equal(a.visible, b.visible)
    np.testing.assert_allclose(a.mast_m_to_see, b.mast_m_to_see, atol=1e-6)
    np.testing.assert_array_equal(c.visible, a.visible)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_sector_does_not_see_behind_itself(engine):
    dem = flat_dem(300.0, center_lonlat=(70.0, 40.0), size_m=6000, cell_m=20)
    shape, share = visible_footprint(dem, 70.0, 40.0, 10.0, 1000.0, 0.0, 90.0, engine=engine)
    assert isinstance(shape, shapely.Polygon | shapely.MultiPolygon)
    assert share == pytest.approx(1.0)
    ahead = [dem.to_lonlat([x], [y]) for x, y in [(0, 500), (300, 600), (-300, 600)]]
    behind = [dem.to_lonlat([x], [y]) for x, y in [(0, -500), (500, 0), (-500, 0), (0, 1100)]]
    assert all(shape.contains(shapely.Point(lo[0], la[0])) for lo, la in ahead)
    assert not any(shape.contains(shapely.Point(lo[0], la[0])) for lo, la in behind)
    # area of a 90° sector of 1 km radius (in m², via the local grid)
    local = shapely.transform(shape, lambda xy: np.column_stack(dem.to_grid(xy[:, 0], xy[:, 1])))
    assert local.area == pytest.approx(math.pi * 1000**2 / 4, rel=0.03)


def test_footprint_behind_a_wall_is_cut():
    dem0 = flat_dem(0.0, center_lonlat=(70.0, 40.0), size_m=6000, cell_m=20)
    _gx, gy = grid_xy(dem0)
    z = np.where((gy > 490) & (gy < 530), 200.0, 0.0)  # wall 500 m north, all across
    dem = DEM(z.astype("f4"), dem0.transform, dem0.crs)
    shape, share = visible_footprint(dem, 70.0, 40.0, 10.0, 1000.0, math.nan, 360.0)
    north = dem.to_lonlat([0.0], [800.0])
    assert not shape.contains(shapely.Point(north[0][0], north[1][0]))
    # the wall hides the north cap beyond y = 530 m of the 1 km circle (a circular segment)
    h = 1000.0 - 530.0
    cap = 1000.0**2 * math.acos(1 - h / 1000.0) - (1000.0 - h) * math.sqrt(2 * 1000.0 * h - h * h)
    assert share == pytest.approx(1 - cap / (math.pi * 1000.0**2), abs=0.02)


def gdal_version() -> tuple[int, int]:
    out = subprocess.run(["gdal_viewshed", "--version"], capture_output=True, text=True).stdout
    major, minor = out.split()[1].split(".")[:2]
    return int(major), int(minor)


def gdal_visibility(path, ox, oy, oz, tz, cc, max_m, tmp_path):
    """Visibility grid of the gdal_viewshed command (default mode: edge) and its transform."""
    out = tmp_path / "viewshed.tif"
    subprocess.run(
        [
            "gdal_viewshed",
            "-q",
            "-ox",
            repr(float(ox)),
            "-oy",
            repr(float(oy)),
            "-oz",
            str(oz),
            "-tz",
            str(tz),
            "-cc",
            str(cc),
            "-md",
            str(max_m),
            str(path),
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    with rasterio.open(out) as src:
        return src.read(1) == 255, src.transform


def bundled_gdal():
    """ctypes handle on the GDAL (>= 3.10) bundled in the rasterio wheel, or None."""
    import ctypes

    libs = sorted(Path(rasterio.__file__).parents[1].glob("rasterio.libs/libgdal*.so*"))
    if not libs:
        return None
    lib = ctypes.CDLL(str(libs[0]))
    lib.GDALVersionInfo.restype = ctypes.c_char_p
    if tuple(int(v) for v in lib.GDALVersionInfo(b"RELEASE_NAME").split(b".")[:2]) < (3, 10):
        return None
    lib.GDALAllRegister()
    vp, d = ctypes.c_void_p, ctypes.c_double
    lib.GDALOpen.restype, lib.GDALOpen.argtypes = vp, [ctypes.c_char_p, ctypes.c_int]
    lib.GDALGetRasterBand.restype, lib.GDALGetRasterBand.argtypes = vp, [vp, ctypes.c_int]
    lib.GDALClose.argtypes = [vp]
    lib.GDALViewshedGenerate.restype = vp
    lib.GDALViewshedGenerate.argtypes = [
        vp,
        ctypes.c_char_p,
        ctypes.c_char_p,
        vp,
        *[d] * 9,
        ctypes.c_int,
        d,
        vp,
        vp,
        ctypes.c_int,
        vp,
    ]
    return lib


def bundled_visibility(lib, path, ox, oy, oz, tz, cc, max_m, tmp_path):
    """As gdal_visibility, in process through GDALViewshedGenerate (mode edge = 2)."""
    out = str(tmp_path / "viewshed.tif").encode()
    src = lib.GDALOpen(str(path).encode(), 0)
    band = lib.GDALGetRasterBand(src, 1)
    result = lib.GDALViewshedGenerate(
        band,
        b"GTiff",
        out,
        None,
        float(ox),
        float(oy),
        oz,
        tz,
        255.0,
        0.0,
        0.0,
        -1.0,
        cc,
        2,
        max_m,
        None,
        None,
        1,
        None,
    )
    lib.GDALClose(result)
    lib.GDALClose(src)
    with rasterio.open(out.decode()) as res:
        return res.read(1) == 255, res.transform


def agreement(
    dem, path, observers, tmp_path, *, height=10.0, max_m=20_000.0, k=0.13, viewshed=gdal_visibility
):
    """Share of cells within max_m where surveil and a GDAL viewshed agree."""
    gx, gy = grid_xy(dem)
    agree = total = 0
    for ox, oy in observers:
        seen, t = viewshed(path, ox, oy, height, 1.7, 1 - k, max_m, tmp_path)
        near = (np.hypot(gx - ox, gy - oy) <= max_m - dem.cell_m) & np.isfinite(dem.elevation_m)
        los = los_xy(dem, ox, oy, height, gx[near], gy[near], refraction=k)
        col = np.floor((gx[near] - t.c) / t.a).astype(int)  # gdal's output is cropped
        row = np.floor((gy[near] - t.f) / t.e).astype(int)
        ok = (row >= 0) & (row < seen.shape[0]) & (col >= 0) & (col < seen.shape[1])
        agree += int((los.visible[ok] == seen[row[ok], col[ok]]).sum())
        total += int(ok.sum())
    return agree / total


@needs_gdal
def test_agrees_with_gdal_viewshed_on_synthetic_hills(tmp_path):
    n, cell = 400, 30.0
    path = write_tif(tmp_path / "hills.tif", hills(n, cell))
    lon, lat = TO_LL.transform([X0 + 100, X0 + n * cell - 100], [Y0 - n * cell + 100, Y0 - 100])
    dem = read_dem(path, bounds=(lon[0], lat[0], lon[1], lat[1]), buffer_m=0)
    assert dem.shape[0] > n - 10 and dem.shape[1] > n - 10
    observers = [
        (X0 + (c + 0.5) * cell, Y0 - (r + 0.5) * cell)
        for c, r in [(200, 200), (60, 90), (330, 310)]
    ]
    share = agreement(dem, path, observers, tmp_path)
    print(f"agreement with gdal_viewshed on synthetic hills: {share:.4%}")
    assert share >= 0.99


@needs_gdal
@pytest.mark.skipif(not SAMPLE_DEM.exists(), reason="data/kgz-tjk/dem.tif not built")
def test_agrees_with_gdal_viewshed_on_the_sample_dem(tmp_path):
    # GDAL before 3.10 gets cells on the diagonals from the observer wrong and the error
    # spreads over whole quadrants in rugged terrain (OSGeo/gdal#10205, fixed by #10237):
    # Debian 12's gdal_viewshed 3.6 agrees on only 85-95 % here. Compare with a fixed GDAL:
    # the command when it is new enough, else the GDAL >= 3.10 inside the rasterio wheel.
    viewshed = gdal_visibility
    if gdal_version() < (3, 10):
        lib = bundled_gdal()
        if lib is None:
            pytest.skip("needs GDAL >= 3.10 (OSGeo/gdal#10205)")
        viewshed = functools.partial(bundled_visibility, lib)
    dem = read_dem(str(SAMPLE_DEM), bounds=(70.3, 39.8, 70.9, 40.2), buffer_m=10_000)
    path = tmp_path / "local.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=dem.shape[1],
        height=dem.shape[0],
        count=1,
        dtype="float32",
        crs=dem.crs.to_wkt(),
        transform=dem.transform,
        nodata=np.nan,
    ) as dst:
        dst.write(dem.elevation_m, 1)
    gx, gy = grid_xy(dem)
    rng = np.random.default_rng(0)
    cells = [(91, 101), (60, 50), (121, 151), *rng.integers(30, 150, (6, 2)).tolist()]
    observers = [(gx[r, c], gy[r, c]) for r, c in cells]
    share = agreement(dem, path, observers, tmp_path, height=20.0, viewshed=viewshed)
    print(f"agreement with GDAL viewshed on data/kgz-tjk/dem.tif: {share:.4%}")
    assert share >= 0.99


@pytest.mark.parametrize("engine", ENGINES)
def test_a_target_on_a_grid_line_up_to_rounding_is_not_an_obstacle(engine):
    # The demo's tile around sensor R08 (issue 8 §6): rounding puts the last grid-line
    # crossing of some rays exactly at the target (t = 1), where the mast height
    # e / (1 - t) divided by zero on the numpy path. Over flat ground a 15 m mast sees
    # a person 8 km away (horizons 13.8 km + 5.0 km), so every cell is visible.
    from affine import Affine
    from pyproj import CRS

    cell = 356.53216609616254
    transform = Affine(cell, 0.0, -14617.818809942664, 0.0, -cell, 12478.625813365688)
    crs = CRS.from_proj4("+proj=aeqd +lat_0=39.765897 +lon_0=70.616667 +datum=WGS84 +units=m")
    dem = DEM(np.full((70, 82), 1000.0, dtype="f4"), transform, crs)
    shape, share = visible_footprint(
        dem, 70.677083, 39.789583, 15.0, 8000.0, 348.8, 180.0, engine=engine
    )
    assert share == 1.0
    local = shapely.transform(shape, lambda xy: np.column_stack(dem.to_grid(xy[:, 0], xy[:, 1])))
    assert local.area == pytest.approx(math.pi * 8000**2 / 2, rel=0.05)


def test_range_over_terrain_is_slant_from_eye_to_target():
    # Issue 7 item 9: a 5 km sensor 1.5 km above the line. Eye 1500 m, target 1.7 m:
    # √(4700² + 1498.3²) = 4933.0 m is in range, √(4900² + 1498.3²) = 5124.0 m is not,
    # though both are within 5 km horizontally (and visible over flat ground).
    import geopandas as gpd

    from surveil.coverage import sensor_pairs
    from surveil.visibility import sensor_sight, slant_range_m

    assert float(slant_range_m(4700.0, 1498.3)) == pytest.approx(4933.0, abs=0.1)
    dem = flat_dem(0.0, center_lonlat=(70.0, 40.0), size_m=20_000, cell_m=100)
    sensors = gpd.GeoDataFrame(
        {
            "id": ["S"],
            "range_m": [5000.0],
            "height_m": [0.0],
            "ground_m": [1500.0],
            "azimuth_deg": [np.nan],
            "fov_deg": [360.0],
        },
        geometry=[shapely.Point(70.0, 40.0)],
        crs=4326,
    )
    sight = sensor_sight([dem], sensors)
    t_lon, t_lat = dem.to_lonlat(np.array([4700.0, 4900.0]), np.array([0.0, 0.0]))
    point, _ = sensor_pairs(t_lon, t_lat, sensors)
    assert sorted(point.tolist()) == [0, 1]  # horizontally both in range
    assert sight.visible(np.array([0, 0]), t_lon, t_lat).tolist() == [True, False]


def test_remembered_line_of_sight_answers_only_the_same_dem_and_rays():
    # A ridge 12 m high halfway: a 10 m eye does not see a person 4 km away over it.
    import dataclasses

    from surveil.visibility import line_of_sight, remember_line_of_sight

    dem = flat_dem(0.0, center_lonlat=(70.0, 40.0), size_m=10_000, cell_m=50)
    ridge = dem.elevation_m.copy()
    ridge[:, ridge.shape[1] // 2] = 12.0
    hilly = dataclasses.replace(dem, elevation_m=ridge)
    x = np.array([-2000.0, 2000.0])
    lon, lat = dem.to_lonlat(x, np.zeros(2))
    remember_line_of_sight(4)
    try:
        flat = line_of_sight(dem, lon[:1], lat[:1], 10.0, lon[1:], lat[1:])
        again = line_of_sight(dem, lon[:1], lat[:1], 10.0, lon[1:], lat[1:])
        over_ridge = line_of_sight(hilly, lon[:1], lat[:1], 10.0, lon[1:], lat[1:])
        taller = line_of_sight(dem, lon[:1], lat[:1], 10.0, lon[1:], lat[1:], target_height_m=5)
    finally:
        remember_line_of_sight(0)
    assert again is flat and flat.visible.tolist() == [True]
    assert over_ridge.visible.tolist() == [False]  # another DEM object: marched again
    assert taller is not flat
    assert not flat.visible.flags.writeable  # shared answers cannot be written into
