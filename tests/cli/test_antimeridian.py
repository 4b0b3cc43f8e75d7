"""A border across the antimeridian: no output geometry spans 360° (issue 8 §2)."""

import itertools
import json

import geopandas as gpd
import pytest
import shapely
from pyproj import Transformer

from surveil.cli.main import cli


def widest_part_deg(geometry) -> float:
    parts = getattr(geometry, "geoms", [geometry])
    return max(p.bounds[2] - p.bounds[0] for p in parts)


@pytest.fixture(scope="module")
def bering_out(tmp_path_factory):
    """A 38 km border at 65° N from 179.6° E to 179.8° W, given in UTM 60N."""
    base = tmp_path_factory.mktemp("bering")
    to_utm = Transformer.from_crs(4326, 32660, always_xy=True)
    lon = [179.6 + 0.02 * i for i in range(41)]
    points = [
        to_utm.transform(x if x <= 180 else x - 360, 65.0 + 0.001 * i) for i, x in enumerate(lon)
    ]
    border = gpd.GeoDataFrame(
        {"section": ["Bering"]}, geometry=[shapely.LineString(points)], crs=32660
    )
    border.to_file(base / "border.gpkg", driver="GPKG")
    out = base / "out"
    from click.testing import CliRunner

    result = CliRunner().invoke(
        cli, ["assess", "--border", str(base / "border.gpkg"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("layer", ["segments", "gaps"])
def test_geopackage_layers_are_cut_at_the_antimeridian(bering_out, layer):
    frame = gpd.read_file(bering_out / "assessment.gpkg", layer=layer)
    assert len(frame) > 0
    # the whole border spans 0.6° of longitude; no part may be wider
    assert max(widest_part_deg(g) for g in frame.geometry) < 0.61
    west, _, east, _ = frame.total_bounds
    assert west == pytest.approx(-180.0, abs=0.25) and east == pytest.approx(180.0, abs=0.45)


def test_lengths_are_kept_when_cut(bering_out):
    from pyproj import Geod

    segments = gpd.read_file(bering_out / "assessment.gpkg", layer="segments")
    geod = Geod(ellps="WGS84")
    total_km = sum(geod.geometry_length(g) for g in segments.geometry) / 1000
    summary = json.loads((bering_out / "summary.json").read_text())
    assert total_km == pytest.approx(summary["km_assessed"], rel=1e-3)


def point_runs(coordinates):
    """Yield each run of [lon, lat] points (a line or a ring) of GeoJSON coordinates."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        yield [coordinates]
    elif coordinates and isinstance(coordinates[0][0], (int, float)):
        yield coordinates
    else:
        for part in coordinates:
            yield from point_runs(part)


def test_map_draws_no_line_across_the_world(bering_out):
    page = (bering_out / "map.html").read_text()
    decoder = json.JSONDecoder()
    jumps, points = [], 0
    start = page.find('"coordinates":')
    while start != -1:
        coordinates, _ = decoder.raw_decode(page, start + len('"coordinates":'))
        for run in point_runs(coordinates):
            points += len(run)
            jumps += [abs(b[0] - a[0]) for a, b in itertools.pairwise(run)]
        start = page.find('"coordinates":', start + 1)
    assert points > 40
    assert max(jumps) < 1.0  # neighbouring vertices, not 359.99° apart
