"""``surveil export OUTDIR --kmz`` (issue 10 item 6): KMZ for Google Earth."""

import csv
import xml.etree.ElementTree as ET
import zipfile

import geopandas as gpd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import LineString, Point

from surveil.cli.main import cli

K = "{http://www.opengis.net/kml/2.2}"


def kml_colour(hex_colour: str) -> str:
    """``#rrggbb`` as KML writes it: ``aabbggrr``, opaque."""
    return "ff" + hex_colour[5:7] + hex_colour[3:5] + hex_colour[1:3]


def folders(root: ET.Element) -> dict[str, list[ET.Element]]:
    return {f.find(f"{K}name").text: f.findall(f"{K}Placemark") for f in root.iter(f"{K}Folder")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "o"
    assert CliRunner().invoke(cli, ["demo", "--out", str(out)]).exit_code == 0
    return out


def read_kml(path):
    with zipfile.ZipFile(path) as kmz:
        assert kmz.namelist()[0] == "doc.kml"
        return ET.fromstring(kmz.read("doc.kml"))


def test_kmz_has_gaps_risk_classes_and_sensors(demo):
    result = CliRunner().invoke(cli, ["export", str(demo), "--kmz"])
    assert result.exit_code == 0, result.output
    root = read_kml(demo / "assessment.kmz")
    placemarks = folders(root)
    with (demo / "gaps.csv").open() as fh:
        # the KMZ draws the gaps of a crossing at any time (window "all")
        rows = [g for g in csv.DictReader(fh) if g.get("window", "all") == "all"]
        assert len(placemarks["Coverage gaps"]) == len(rows)
    with (demo / "segments.csv").open() as fh:
        classes = [row["risk_class"] for row in csv.DictReader(fh)]
    styles = [p.find(f"{K}styleUrl").text for p in placemarks["Segments: risk class"]]
    assert styles == [f"#risk-{c}" for c in classes]
    sensors = pyogrio.read_dataframe(demo / "assessment.gpkg", layer="sensors")
    assert len(placemarks["Sensors"]) == len(sensors)


def test_kmz_risk_colours_are_the_map_colours(demo):
    from surveil.maps import RISK_COLOURS  # the map's palette

    CliRunner().invoke(cli, ["export", str(demo), "--kmz"])
    root = read_kml(demo / "assessment.kmz")
    colours = {
        s.get("id"): s.find(f"{K}LineStyle/{K}color").text
        for s in root.iter(f"{K}Style")
        if s.find(f"{K}LineStyle") is not None
    }
    for c, colour in RISK_COLOURS.items():
        assert colours[f"risk-{c}"] == kml_colour(colour)


def test_kmz_in_russian(demo, tmp_path):
    target = tmp_path / "ru.kmz"
    result = CliRunner().invoke(
        cli, ["export", str(demo), "--kmz", "--lang", "ru", "--out", str(target)]
    )
    assert result.exit_code == 0, result.output
    names = set(folders(read_kml(target)))
    assert {"Разрывы в охвате", "Участки: уровень риска", "Технические средства (ТСОГ)"} <= names


def test_gdal_reads_the_kmz_back(demo, tmp_path):
    CliRunner().invoke(cli, ["export", str(demo), "--kmz"])
    kml = tmp_path / "doc.kml"
    with zipfile.ZipFile(demo / "assessment.kmz") as kmz:
        kml.write_bytes(kmz.read("doc.kml"))
    layers = [name for name, _ in pyogrio.list_layers(kml)]
    assert layers == ["Coverage gaps", "Segments: risk class", "Sensors"]
    gaps = pyogrio.read_dataframe(kml, layer="Coverage gaps")
    expected = pyogrio.read_dataframe(demo / "assessment.gpkg", layer="gaps")
    assert len(gaps) == len(expected)
    # the same lines, to the 6 decimals (about 0.1 m) that KML keeps
    assert gaps.geometry.get_coordinates().to_numpy() == pytest.approx(
        expected.geometry.get_coordinates().to_numpy(), abs=1e-6
    )


def test_recommended_sites_and_escaping(tmp_path):
    from surveil.kmz import write_kmz

    line = LineString([(70.0, 40.0), (70.02, 40.0)])
    layers = {
        "segments": gpd.GeoDataFrame(
            {"section": ["A&B <x>"], "km_from": [0.0], "km_to": [1.7], "risk_class": ["high"]},
            geometry=[line],
            crs=4326,
        ),
        "sensors": gpd.GeoDataFrame(
            {"id": ["T<1>&"], "type": ["radar"], "status": ["operational"]},
            geometry=[Point(70.01, 40.01)],
            crs=4326,
        ),
        "recommended": gpd.GeoDataFrame(
            {"means": ["thermal_tower"], "score": [3.5]}, geometry=[Point(70.015, 40.01)], crs=4326
        ),
    }
    write_kmz(layers, tmp_path / "a.kmz")
    placemarks = folders(read_kml(tmp_path / "a.kmz"))
    assert placemarks["Sensors"][0].find(f"{K}name").text.startswith("T<1>&")
    assert placemarks["Segments: risk class"][0].find(f"{K}name").text.startswith("A&B <x>")
    recommended = placemarks["Recommended sites"]
    coordinates = recommended[0].find(f"{K}Point/{K}coordinates").text
    assert coordinates == "70.015000,40.010000"


def test_export_needs_a_format(demo):
    result = CliRunner().invoke(cli, ["export", str(demo)])
    assert result.exit_code == 2 and "--kmz" in result.output


def test_export_of_a_folder_that_is_not_an_output(tmp_path):
    result = CliRunner().invoke(cli, ["export", str(tmp_path), "--kmz"])
    assert result.exit_code == 2
    assert "not a surveil output folder" in result.output


def test_a_folder_with_its_kmz_can_still_be_overwritten(tmp_path):
    out = tmp_path / "o"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--dataset", "synthetic", "--out", str(out)]).exit_code == 0
    assert runner.invoke(cli, ["export", str(out), "--kmz", "--lang", "ru"]).exit_code == 0
    result = runner.invoke(
        cli, ["demo", "--dataset", "synthetic", "--out", str(out), "--overwrite"]
    )
    assert result.exit_code == 0, result.output
    assert not (out / "assessment-ru.kmz").exists()
