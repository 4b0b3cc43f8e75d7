"""A plan folder keeps its recommended sites for the map, QGIS and Google Earth."""

import csv
import json
import re
import xml.etree.ElementTree as ET
import zipfile

import pyogrio
import pytest
from click.testing import CliRunner

from surveil.cli.main import cli
from surveil.datasets import get_path

K = "{http://www.opengis.net/kml/2.2}"


def layer_control_names(html: str) -> list[str]:
    block = re.search(r"_layers\s*=\s*\{\s*base_layers\s*:(.*?)\};", html, re.S)
    assert block is not None
    names = re.findall(r'"((?:[^"\\]|\\.)*)"\s*:\s*\w+', block.group(1))
    return [json.loads(f'"{n}"') for n in names]


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "p"
    args = ["plan", str(get_path("synthetic")), "--budget", "300000", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    with (out / "sites.csv").open(encoding="utf-8") as fh:
        sensors = [r for r in csv.DictReader(fh) if r["kind"] == "sensor"]
    assert sensors, "the plan places sensors"
    return out, sensors


def test_plan_gpkg_holds_the_recommended_sensor_sites(plan):
    out, sensors = plan
    sites = pyogrio.read_dataframe(out / "assessment.gpkg", layer="recommended")
    assert sorted(sites["id"]) == sorted(r["id"] for r in sensors)
    assert set(sites.geometry.geom_type) == {"Point"}


def test_plan_map_shows_them_and_redraws_the_same_layers(plan, tmp_path):
    out, _ = plan
    before = layer_control_names((out / "map.html").read_text(encoding="utf-8"))
    assert "Recommended sites" in before
    target = tmp_path / "m.html"
    assert CliRunner().invoke(cli, ["map", str(out), "--out", str(target)]).exit_code == 0
    assert layer_control_names(target.read_text(encoding="utf-8")) == before


def test_plan_kmz_has_the_recommended_sites(plan, tmp_path):
    out, sensors = plan
    target = tmp_path / "p.kmz"
    result = CliRunner().invoke(cli, ["export", str(out), "--kmz", "--out", str(target)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as kmz:
        root = ET.fromstring(kmz.read("doc.kml"))
    folders = {f.find(f"{K}name").text: f for f in root.iter(f"{K}Folder")}
    assert len(folders["Recommended sites"].findall(f"{K}Placemark")) == len(sensors)
