"""Every bad-input case of issue 2, point 2, through the CLI: exit 2, no traceback, named."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from surveil.cli.main import cli
from surveil.datasets import get_path

DEMO = get_path("synthetic").parent
BORDER = str(DEMO / "border.geojson")


def write_sensors(tmp_path, changes, name="sensors.csv"):
    sensors = pd.read_csv(DEMO / "sensors.csv").astype(object)
    for (row, col), value in changes.items():
        sensors.loc[row, col] = value
    path = tmp_path / name
    sensors.to_csv(path, index=False)
    return path


def run(runner, *args):
    result = runner.invoke(cli, ["validate", *map(str, args)])
    assert "Traceback" not in result.output
    return result


def test_missing_crs_is_refused_unless_stated(runner, tmp_path):
    border = gpd.read_file(BORDER).to_crs("EPSG:32642")
    path = tmp_path / "border_nocrs.csv"
    border.assign(wkt=border.geometry.to_wkt()).drop(columns="geometry").to_csv(path, index=False)
    result = run(runner, "--border", path)
    assert result.exit_code == 2
    assert "border_nocrs.csv" in result.output and "CRS" in result.output
    assert run(runner, "--border", path, "--crs", "EPSG:32642").exit_code == 0


def test_invalid_geometry_is_repaired_with_a_warning_or_refused(runner, tmp_path):
    bowtie = shapely.Polygon([(70.5, 40.0), (70.6, 40.1), (70.6, 40.0), (70.5, 40.1)])
    roads = gpd.GeoDataFrame({"name": ["r"]}, geometry=[bowtie], crs=4326)
    path = tmp_path / "roads.gpkg"
    roads.to_file(path, driver="GPKG")
    result = run(runner, "--border", BORDER, "--roads", path)
    assert result.exit_code == 2  # a polygon is not a road: wrong geometry type
    assert "roads.gpkg" in result.output and "Polygon" in result.output
    patrols = gpd.read_file(DEMO / "patrols.geojson")
    bad_line = shapely.LineString([(70.5, 39.95), (70.5, 39.95)])  # zero length: invalid
    patrols.loc[1, "geometry"] = bad_line
    ppath = tmp_path / "patrols.gpkg"
    patrols.to_file(ppath, driver="GPKG")
    refused = run(runner, "--border", BORDER, "--patrols", ppath, "--no-repair")
    assert refused.exit_code == 2
    assert "patrols.gpkg" in refused.output and "row 2" in refused.output


def test_wrong_geometry_type(runner, tmp_path):
    posts = gpd.read_file(DEMO / "patrols.geojson")[["id", "geometry"]]
    path = tmp_path / "posts.gpkg"
    posts.to_file(path, driver="GPKG")
    result = run(runner, "--border", BORDER, "--posts", path)
    assert result.exit_code == 2
    assert "posts.gpkg" in result.output and "LineString" in result.output


def test_empty_sensor_layer_is_valid_but_empty_border_is_not(runner, tmp_path):
    empty = tmp_path / "sensors.csv"
    empty.write_text("id,lon,lat,range_m,pd\n")
    assert run(runner, "--border", BORDER, "--sensors", empty).exit_code == 0
    border = tmp_path / "border.geojson"
    border.write_text('{"type": "FeatureCollection", "features": []}')
    result = run(runner, "--border", border)
    assert result.exit_code == 2 and "border.geojson" in result.output
    assert "no features" in result.output


@pytest.mark.parametrize(
    ("row", "field", "value"),
    [
        (0, "range_m", -500),
        (1, "pd", 1.7),
        (2, "availability", -0.1),
        (3, "fov_deg", 400),
        (4, "azimuth_deg", 361),
        (5, "status", "broken"),
        (0, "height_m", -3),
        (1, "range_m", "far"),
    ],
)
def test_bad_sensor_values_name_file_row_and_field(runner, tmp_path, row, field, value):
    path = write_sensors(tmp_path, {(row, field): value})
    result = run(runner, "--border", BORDER, "--sensors", path)
    assert result.exit_code == 2
    assert "sensors.csv" in result.output
    assert f"row {row + 1}" in result.output and field in result.output


def test_missing_required_column(runner, tmp_path):
    sensors = pd.read_csv(DEMO / "sensors.csv").drop(columns="range_m")
    path = tmp_path / "sensors.csv"
    sensors.to_csv(path, index=False)
    result = run(runner, "--border", BORDER, "--sensors", path)
    assert result.exit_code == 2 and "range_m" in result.output and "missing" in result.output


def test_features_far_from_the_border_with_swapped_hint(runner, tmp_path):
    sensors = pd.read_csv(DEMO / "sensors.csv").rename(columns={"lon": "lat", "lat": "lon"})
    path = tmp_path / "sensors.csv"
    sensors.to_csv(path, index=False)
    result = run(runner, "--border", BORDER, "--sensors", path)
    assert result.exit_code == 2
    assert "sensors" in result.output and "swapped" in result.output


def test_every_problem_of_every_layer_is_reported_at_once(runner, tmp_path):
    s = write_sensors(tmp_path, {(0, "pd"): 2, (6, "range_m"): 0})
    posts = tmp_path / "posts.csv"
    posts.write_text("id,type,lon,lat\nB1,fort,70.5,39.9\n")
    result = run(runner, "--border", BORDER, "--sensors", s, "--posts", posts)
    assert result.exit_code == 2
    for text in ("sensors.csv", "row 1", "row 7", "posts.csv", "fort"):
        assert text in result.output, text


def test_scenario_paths_are_relative_to_the_file(runner, tmp_path):
    sub = tmp_path / "scen"
    sub.mkdir()
    (sub / "b.geojson").write_bytes((DEMO / "border.geojson").read_bytes())
    (sub / "s.toml").write_text('[layers]\nborder = "b.geojson"\n')
    assert run(runner, sub / "s.toml").exit_code == 0
    (sub / "s.toml").write_text('[layers]\nborder = "nope.geojson"\n')
    result = run(runner, sub / "s.toml")
    assert result.exit_code == 2 and "nope.geojson" in result.output


def test_dem_that_is_not_a_raster_or_misses_the_border(runner, tmp_path):
    from surveil.datasets import get_path

    result = run(runner, "--border", BORDER, "--dem", BORDER)
    assert result.exit_code == 2 and "DEM" in result.output and "border.geojson" in result.output
    # The Tajik–Afghan DEM lies hundreds of km from the synthetic border.
    dem = get_path("tjk-afg").parent / "dem.tif"
    far = run(runner, "--border", BORDER, "--dem", dem)
    assert far.exit_code == 2 and "dem.tif" in far.output


def test_old_path_offsets_parameter_exits_2_naming_its_successor(runner, tmp_path):
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(
        f'name = "x"\n[layers]\nborder = "{BORDER}"\n[parameters]\npath_offsets_m = [0]\n'
    )
    result = runner.invoke(cli, ["assess", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "scenario.toml" in result.output and "path_depth_m = 300" in result.output
    assert not (tmp_path / "out").exists()


def test_crs_applies_only_to_layers_whose_files_state_none(runner, tmp_path):
    # The border GeoJSON states EPSG:4326; the sensors CSV has UTM x/y and no CRS.
    from pyproj import Transformer

    from surveil.scenario import load_scenario

    sensors = pd.read_csv(DEMO / "sensors.csv")
    x, y = Transformer.from_crs(4326, 32642, always_xy=True).transform(
        sensors["lon"].to_numpy(), sensors["lat"].to_numpy()
    )
    path = tmp_path / "sensors_utm.csv"
    sensors.drop(columns=["lon", "lat"]).assign(x=x, y=y).to_csv(path, index=False)
    result = run(runner, "--border", BORDER, "--sensors", path, "--crs", "EPSG:32642")
    assert result.exit_code == 0, result.output
    scenario = load_scenario(layers={"border": BORDER, "sensors": path}, crs="EPSG:32642")
    assert scenario.sensors.geometry.x.to_numpy() == pytest.approx(sensors["lon"], abs=1e-7)
    assert scenario.sensors.geometry.y.to_numpy() == pytest.approx(sensors["lat"], abs=1e-7)
    # lon/lat columns are degrees whatever --crs says
    result = run(
        runner, "--border", BORDER, "--sensors", DEMO / "sensors.csv", "--crs", "EPSG:32642"
    )
    assert result.exit_code == 0, result.output
