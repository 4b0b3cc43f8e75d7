"""Benchmark surveil's line of sight against GDAL's viewshed, and at national scale.

Run on demand::

    python benchmarks/bench_visibility.py [--quick]

Part 1, on one synthetic 30 m DEM (UTM 42N GeoTIFF) and the same sensors:
per-sensor time of surveil's ray marching to the border target points within
20 km, of GDAL's viewshed in process (``osgeo.gdal.ViewshedGenerate``, the
system GDAL's bindings) and, when present, of the GDAL >= 3.10 bundled in the
rasterio wheel (ctypes; GDAL < 3.10 has OSGeo/gdal#10205), and of the
``gdal_viewshed`` command; their ratios; and the agreement at the target points.

Part 2: 10,000 sensors along a 15,000 km border on procedurally generated
30 m DEM tiles (100 km of border each), ray marching to every target point in
range; DEM generation is timed apart from line of sight.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from scipy.ndimage import zoom

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from surveil.terrain import DEM, _origin, local_crs, read_dem
from surveil.visibility import _line_of_sight_xy

CELL = 30.0
RANGE = 20_000.0
K = 0.13
TARGET_H = 1.7


def terrain(rows: int, cols: int, rng: np.random.Generator) -> np.ndarray:
    """Rugged synthetic terrain: octaves of smoothed noise, about 0-1500 m of relief."""
    z = np.full((rows, cols), 1500.0)
    for cells, amp in [(200, 700.0), (50, 250.0), (12, 60.0)]:
        coarse = rng.standard_normal((rows // cells + 3, cols // cells + 3))
        up = zoom(coarse, cells, order=3)[:rows, :cols]
        z += amp * up
    return z.astype(np.float32)


def los_grid(dem, ox, oy, h, tx, ty, mast=True, engine="auto"):
    """surveil line of sight with grid coordinates (what coverage does after to_grid)."""
    eye = dem.elevation_xy(ox, oy) + h
    tgt = dem.elevation_xy(tx, ty) + TARGET_H
    return _line_of_sight_xy(dem, ox, oy, eye, tx, ty, tgt, refraction=K, mast=mast, engine=engine)


def sensor_pairs(sx, sy, bx, by):
    """(sensor, target) index pairs within RANGE."""
    s, t = [], []
    for i, (x, y) in enumerate(zip(sx, sy, strict=True)):
        near = np.nonzero(np.hypot(bx - x, by - y) <= RANGE)[0]
        s.append(np.full(near.size, i))
        t.append(near)
    return np.concatenate(s), np.concatenate(t)


def part1(n_sensors: int, tmp: Path) -> None:
    rng = np.random.default_rng(42)
    n = 1600  # 48 km square
    x0, y0 = 500_000.0, 4_450_000.0
    z = terrain(n, n, rng)
    path = tmp / "synthetic.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=n,
        height=n,
        count=1,
        dtype="float32",
        crs="EPSG:32642",
        transform=_origin(x0, y0, CELL, CELL),
    ) as dst:
        dst.write(z, 1)
    from pyproj import Transformer

    to_ll = Transformer.from_crs(32642, 4326, always_xy=True)
    lon, lat = to_ll.transform([x0 + 500, x0 + n * CELL - 500], [y0 - n * CELL + 500, y0 - 500])
    dem = read_dem(str(path), bounds=(lon[0], lat[0], lon[1], lat[1]), buffer_m=0)
    # border: row line through the middle; sensors at cell centres 0.5-3 km south of it
    t = dem.transform
    mid_row = dem.shape[0] // 2
    by_val = t.f + (mid_row + 0.5) * t.e
    bx = t.c + (np.arange(dem.shape[1]) + 0.5) * t.a
    by = np.full(bx.size, by_val)
    cols = rng.integers(700, 900, n_sensors)
    rows = mid_row + rng.integers(17, 100, n_sensors)
    sx = t.c + (cols + 0.5) * t.a
    sy = t.f + (rows + 0.5) * t.e
    heights = rng.uniform(10, 30, n_sensors).round(1)
    s, p = sensor_pairs(sx, sy, bx, by)
    print(
        f"part 1: {dem.shape[0]}x{dem.shape[1]} DEM at {CELL:g} m, {n_sensors} sensors, "
        f"{s.size} sensor-target pairs ({s.size / n_sensors:.0f} per sensor), range {RANGE:g} m"
    )

    results = {}
    for engine in ["numba", "numpy"]:
        los_grid(
            dem, sx[s[:10]], sy[s[:10]], heights[s[:10]], bx[p[:10]], by[p[:10]], engine=engine
        )  # compile / warm up
        start = time.perf_counter()
        los = los_grid(dem, sx[s], sy[s], heights[s], bx[p], by[p], engine=engine)
        results[engine] = (time.perf_counter() - start) / n_sensors
        ours = los.visible
    start = time.perf_counter()
    los_fast = los_grid(dem, sx[s], sy[s], heights[s], bx[p], by[p], mast=False)
    results["numba, no mast"] = (time.perf_counter() - start) / n_sensors
    assert (los_fast.visible == ours).all()

    def agreement(grids):
        agree = 0
        for i in range(n_sensors):
            seen, tr = grids[i]
            sel = s == i
            c = np.floor((bx[p[sel]] - tr.c) / tr.a).astype(int)
            r = np.floor((by[p[sel]] - tr.f) / tr.e).astype(int)
            agree += int((seen[r, c] == ours[sel]).sum())
        return agree / s.size

    gdal_times = {}
    try:
        from osgeo import gdal

        gdal.UseExceptions()
        src = gdal.Open(str(path))
        band = src.GetRasterBand(1)
        grids = []
        start = time.perf_counter()
        for i in range(n_sensors):
            out = gdal.ViewshedGenerate(
                band,
                "MEM",
                "",
                [],
                float(sx[i]),
                float(sy[i]),
                float(heights[i]),
                TARGET_H,
                255,
                0,
                0,
                -1,
                1 - K,
                gdal.GVM_Edge,
                RANGE,
            )
            grids.append(
                (out.GetRasterBand(1).ReadAsArray() == 255, _affine(out.GetGeoTransform()))
            )
            out = None
        gdal_times[f"GDAL {gdal.__version__} in process (osgeo.gdal)"] = (
            (time.perf_counter() - start) / n_sensors,
            agreement(grids),
        )
    except ImportError:
        print("  osgeo.gdal not installed: pip install gdal==$(gdal-config --version)")

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from test_visibility import bundled_gdal

    lib = bundled_gdal()
    if lib is not None:
        import ctypes

        lib.GDALGetRasterBand.restype = ctypes.c_void_p
        lib.GDALGetRasterXSize.argtypes = lib.GDALGetRasterYSize.argtypes = [ctypes.c_void_p]
        lib.GDALGetGeoTransform.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_double)]
        lib.GDALRasterIO.argtypes = [
            ctypes.c_void_p,
            ctypes.c_int,
            *[ctypes.c_int] * 4,
            ctypes.c_void_p,
            *[ctypes.c_int] * 3,
            ctypes.c_int64,
            ctypes.c_int64,
        ]
        src = lib.GDALOpen(str(path).encode(), 0)
        band = lib.GDALGetRasterBand(src, 1)
        grids = []
        start = time.perf_counter()
        for i in range(n_sensors):
            out = lib.GDALViewshedGenerate(
                band,
                b"MEM",
                b"",
                None,
                float(sx[i]),
                float(sy[i]),
                float(heights[i]),
                TARGET_H,
                255.0,
                0.0,
                0.0,
                -1.0,
                1 - K,
                2,
                RANGE,
                None,
                None,
                1,
                None,
            )
            w, h = lib.GDALGetRasterXSize(out), lib.GDALGetRasterYSize(out)
            buf = np.empty((h, w), dtype=np.uint8)
            gt = (ctypes.c_double * 6)()
            lib.GDALGetGeoTransform(out, gt)
            lib.GDALRasterIO(
                lib.GDALGetRasterBand(out, 1), 0, 0, 0, w, h, buf.ctypes.data, w, h, 1, 0, 0
            )
            grids.append((buf == 255, _affine(tuple(gt))))
            lib.GDALClose(out)
        lib.GDALVersionInfo.restype = ctypes.c_char_p
        version = lib.GDALVersionInfo(b"RELEASE_NAME").decode()
        gdal_times[f"GDAL {version} in process (rasterio's libgdal, ctypes)"] = (
            (time.perf_counter() - start) / n_sensors,
            agreement(grids),
        )
        lib.GDALClose(src)

    if shutil.which("gdal_viewshed"):
        grids = []
        m = min(n_sensors, 5)
        start = time.perf_counter()
        for i in range(m):
            out = tmp / f"vs{i}.tif"
            subprocess.run(
                [
                    "gdal_viewshed",
                    "-q",
                    "-ox",
                    repr(float(sx[i])),
                    "-oy",
                    repr(float(sy[i])),
                    "-oz",
                    str(heights[i]),
                    "-tz",
                    str(TARGET_H),
                    "-cc",
                    str(1 - K),
                    "-md",
                    str(RANGE),
                    str(path),
                    str(out),
                ],
                check=True,
            )
        elapsed = (time.perf_counter() - start) / m
        version = subprocess.run(
            ["gdal_viewshed", "--version"], capture_output=True, text=True
        ).stdout.split(",")[0]
        gdal_times[f"{version} gdal_viewshed command ({m} sensors)"] = (elapsed, float("nan"))

    print(f"  surveil numba (mast_m_to_see too):  {results['numba'] * 1e3:8.2f} ms/sensor")
    print(f"  surveil numba (visibility only):    {results['numba, no mast'] * 1e3:8.2f} ms/sensor")
    print(f"  surveil numpy (mast_m_to_see too):  {results['numpy'] * 1e3:8.2f} ms/sensor")
    for name, (sec, agree) in gdal_times.items():
        print(
            f"  {name}: {sec * 1e3:8.2f} ms/sensor; GDAL / surveil-numba = "
            f"{sec / results['numba, no mast']:6.1f}x visibility (what the pipeline asks for "
            f"every pair), {sec / results['numba']:5.1f}x with mast "
            f"(numpy {sec / results['numpy']:5.1f}x); agreement at target points {agree:.2%}"
        )


def _affine(gt):
    from affine import Affine

    return Affine.from_gdal(*gt)


def part2(n_sensors: int, border_km: float) -> None:
    rng = np.random.default_rng(7)
    tile_km = 100.0
    n_tiles = round(border_km / tile_km)
    per_tile = n_sensors / n_tiles
    along = int((tile_km * 1000 + 2 * RANGE) / CELL)
    across = int((2 * RANGE) / CELL) + 1
    crs = local_crs(70.0, 40.0)
    t_gen = t_los = 0.0
    pairs = done = visible = 0
    for tile in range(n_tiles):
        start = time.perf_counter()
        z = terrain(across, along, rng)
        x0 = -RANGE
        dem = DEM(z, _origin(x0, RANGE, CELL, CELL), crs)
        t_gen += time.perf_counter() - start
        start = time.perf_counter()
        count = round((tile + 1) * per_tile) - round(tile * per_tile)
        sx = np.sort(rng.uniform(0, tile_km * 1000, count))
        sy = -rng.uniform(500, 3000, count)
        h = rng.uniform(10, 30, count)
        bx = np.arange(-RANGE, tile_km * 1000 + RANGE, CELL) + CELL / 2
        by = np.zeros(bx.size) + CELL / 2
        s, p = sensor_pairs(sx, sy, bx, by)
        los = los_grid(dem, sx[s], sy[s], h[s], bx[p], by[p])
        t_los += time.perf_counter() - start
        pairs += s.size
        done += count
        visible += int(los.visible.sum())
    print(
        f"part 2: {done} sensors along {border_km:g} km of border ({n_tiles} tiles of "
        f"{along}x{across} cells at {CELL:g} m), {pairs} sensor-target pairs, target points "
        f"every {CELL:g} m, range {RANGE:g} m, {visible / pairs:.1%} visible"
    )
    print(
        f"  line of sight incl. mast_m_to_see: {t_los:6.1f} s "
        f"({t_los / done * 1e3:.2f} ms/sensor) on {os.cpu_count()} cores; "
        f"DEM generation (not counted): {t_gen:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sensors, 1,500 km border")
    args = parser.parse_args()
    import numba  # noqa: F401  (the benchmark measures the numba engine)

    with tempfile.TemporaryDirectory() as tmp:
        part1(10 if args.quick else 40, Path(tmp))
    if args.quick:
        part2(1000, 1500.0)
    else:
        part2(10_000, 15_000.0)


if __name__ == "__main__":
    main()
