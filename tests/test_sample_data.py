"""The real sample scenarios in data/ load, measure right and have terrain under them."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest
import shapely
from pyproj import Geod

from surveil.scenario import load_scenario
from surveil.segments import segment_border

DATA = Path(__file__).resolve().parents[1] / "data"
SCENARIOS = sorted(DATA.glob("*/scenario.toml"))
GEOD = Geod(ellps="WGS84")


def source_length_m(border_file: Path) -> float:
    """Geodesic length of every line in the shipped border file, as written."""
    total = 0.0
    for geom in pyogrio.read_dataframe(border_file).geometry:
        for part in shapely.get_parts(geom):
            lon, lat = shapely.get_coordinates(part).T
            total += GEOD.line_length(lon, lat)
    return total


def test_sample_scenarios_exist() -> None:
    names = {p.parent.name for p in SCENARIOS}
    assert {"kgz-tjk", "tjk-afg"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.parent.name)
def test_border_length_matches_geodesic_source(path: Path) -> None:
    scenario = load_scenario(path)
    assert len(scenario.sensors) and len(scenario.patrols) and len(scenario.posts)
    assert len(scenario.incidents) and len(scenario.settlements)
    assert "ILLUSTRATIVE" in scenario.attribution
    segments = segment_border(scenario.border, segment_m=scenario.parameters.segment_m)
    expected = source_length_m(path.parent / "border.geojson")
    assert 100_000 < expected < 260_000
    assert segments["length_m"].sum() == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.parent.name)
def test_dem_covers_border(path: Path) -> None:
    rasterio = pytest.importorskip("rasterio")
    border = load_scenario(path).border
    west, south, east, north = border.total_bounds
    with rasterio.open(path.parent / "dem.tif") as dem:
        assert dem.crs.to_epsg() == 4326
        assert dem.profile.get("compress", "").lower() == "deflate"
        left, bottom, right, top = dem.bounds
        assert left <= west and right >= east and bottom <= south and top >= north
        assert dem.read(1, masked=True).count() == dem.width * dem.height


def test_data_readme_says_how_each_scenario_uses_its_dem() -> None:
    import tomllib

    readme = (DATA / "README.md").read_text(encoding="utf-8")
    dem_rows = [line for line in readme.splitlines() if line.startswith("| `dem.tif`")]
    assert len(dem_rows) == 1
    for path in SCENARIOS:
        with path.open("rb") as fh:
            assert tomllib.load(fh).get("dem") == "dem.tif", path
    assert "not referenced" not in dem_rows[0].lower() and "not used" not in dem_rows[0].lower()
    assert "line of sight" in dem_rows[0]
