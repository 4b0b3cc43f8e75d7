"""``surveil map`` redraws everything from the output folder alone (issue 10 item 4)."""

import json
import re
import shutil
import stat
import tomllib
from pathlib import Path

import pyogrio
import pytest
from click.testing import CliRunner

from surveil.cli.main import cli

DATA = Path(__file__).resolve().parents[2] / "data" / "kgz-tjk"


def layer_control_names(html: str) -> list[str]:
    """Return the entries of the Leaflet layer control of a saved map, in order.

    Read from the page's script: ``L.control.layers`` is given an object
    ``{base_layers: {"name": var, ...}, overlays: {"name": var, ...}}``.
    """
    block = re.search(
        r"_layers\s*=\s*\{\s*base_layers\s*:(.*?)\};\s*let\s+layer_control", html, re.S
    )
    assert block is not None, "no layer control in the page"
    names = re.findall(r'"((?:[^"\\]|\\.)*)"\s*:\s*\w+', block.group(1))
    return [json.loads(f'"{n}"') for n in names]  # decode JS string escapes


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the kgz-tjk scenario assessed into out/, then moved with its outputs."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(DATA, root / "data")
    out = root / "out"
    result = CliRunner().invoke(
        cli, ["assess", str(root / "data" / "scenario.toml"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    original = (out / "map.html").read_text(encoding="utf-8")
    moved = root.with_name(root.name + "-moved")
    root.rename(moved)  # every absolute path run.json recorded is now gone
    return moved, original


def test_redraw_gives_the_layer_list_of_the_original_map(project, tmp_path):
    root, original = project
    before = layer_control_names(original)
    # what the kgz-tjk map holds: terrain, posts and candidate sites included
    for name in ("Hillshade (terrain)", "Outposts and crossing points", "Candidate sites"):
        assert name in before
    target = tmp_path / "redrawn.html"
    result = CliRunner().invoke(cli, ["map", str(root / "out"), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output
    assert layer_control_names(target.read_text(encoding="utf-8")) == before


def test_redraw_keeps_the_hillshade_image_of_the_original(project, tmp_path):
    root, original = project
    target = tmp_path / "redrawn.html"
    assert CliRunner().invoke(cli, ["map", str(root / "out"), "--out", str(target)]).exit_code == 0
    images = re.findall(r"data:image/png;base64,[A-Za-z0-9+/=]+", original)
    assert images, "the original map has a hillshade"
    redrawn = target.read_text(encoding="utf-8")
    assert all(image in redrawn for image in images)


def test_folder_holds_posts_candidates_and_hillshade(project):
    out = project[0] / "out"
    layers = {name for name, _ in pyogrio.list_layers(out / "assessment.gpkg")}
    assert {"posts", "candidates"} <= layers
    posts = pyogrio.read_dataframe(out / "assessment.gpkg", layer="posts")
    with (project[0] / "data" / "posts.csv").open(encoding="utf-8") as fh:
        assert len(posts) == sum(1 for _ in fh) - 1
    bounds = json.loads((out / "hillshade.json").read_text())["images"][0]["bounds"]
    (south, west), (north, east) = bounds
    assert south < north and west < east
    assert (out / "hillshade.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_redraw_keeps_the_mode_of_the_map_it_replaces(project):
    out = project[0] / "out"
    (out / "map.html").chmod(0o640)
    result = CliRunner().invoke(cli, ["map", str(out), "--lang", "ru"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((out / "map.html").stat().st_mode) == 0o640


def test_run_json_records_inputs_relative_to_the_scenario(project):
    root = project[0]
    run = json.loads((root / "out" / "run.json").read_text())
    assert run["scenario_file"]["relative_path"] == "../data/scenario.toml"
    relative = {i["layer"]: i["relative_path"] for i in run["inputs"]}
    assert relative["border"] == "border.geojson"
    assert relative["dem"] == "dem.tif"


def test_run_json_records_the_catalogue_used(project):
    run = json.loads((project[0] / "out" / "run.json").read_text())
    shipped = Path(__file__).resolve().parents[2] / "surveil" / "datasets" / "catalogue.toml"
    doc = tomllib.loads(shipped.read_text(encoding="utf-8"))
    means = next(v for v in doc.values() if isinstance(v, list))
    assert run["catalogue"]["path"] is None  # the shipped one
    assert [r["type"] for r in run["catalogue"]["rows"]] == [m["type"] for m in means]
    assert run["catalogue"]["indicative"] is True


def test_moved_project_is_rebuilt_from_its_run_json(project):
    from surveil.outputs import scenario_from_run

    root = project[0]
    scenario = scenario_from_run(root / "out")
    assert scenario.dem == root / "data" / "dem.tif"
    assert scenario.sources["border"] == root / "data" / "border.geojson"
    with (root / "data" / "sensors.csv").open(encoding="utf-8") as fh:
        assert len(scenario.sensors) == sum(1 for _ in fh) - 1


def test_redraw_in_russian_has_the_same_entries_in_russian(project, tmp_path):
    root, original = project
    target = tmp_path / "ru.html"
    result = CliRunner().invoke(
        cli, ["map", str(root / "out"), "--lang", "ru", "--out", str(target)]
    )
    assert result.exit_code == 0, result.output
    russian = layer_control_names(target.read_text(encoding="utf-8"))
    assert len(russian) == len(layer_control_names(original))
    assert {"Заставы и пункты пропуска", "Возможные места размещения", "Отмывка рельефа"} <= set(
        russian
    )


def test_moved_project_keeps_the_catalogue_recorded(project):
    from surveil.outputs import scenario_from_run

    shipped = Path(__file__).resolve().parents[2] / "surveil" / "datasets" / "catalogue.toml"
    doc = tomllib.loads(shipped.read_text(encoding="utf-8"))
    means = next(v for v in doc.values() if isinstance(v, list))
    catalogue = scenario_from_run(project[0] / "out").catalogue
    assert list(catalogue["type"]) == [m["type"] for m in means]
    assert catalogue.attrs["indicative"] is True


def test_a_broken_hillshade_record_is_a_clean_error(project, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(project[0] / "out", folder)
    (folder / "hillshade.json").write_text('{"images": [{"file": "hillshade.png"}]}')
    result = CliRunner().invoke(cli, ["map", str(folder)])
    assert result.exit_code == 2
    assert "hillshade.json" in result.output and "bounds" in result.output
    assert "Traceback" not in result.output
