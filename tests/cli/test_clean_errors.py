"""Bad input that used to crash becomes a clean error, exit 2, file named (issue 8 §3-§4)."""

import json
import os
import shutil
import signal
import subprocess
import sys

import pandas as pd
import pytest

from surveil.cli.main import cli
from surveil.datasets import get_path

DEMO = get_path("synthetic")


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "proj"
    shutil.copytree(DEMO.parent, folder)
    return folder


def assert_clean(result, *names):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output
    for name in names:
        assert name in result.output, (name, result.output)


def test_scenario_in_cp1251_names_the_file(runner, project):
    toml = project / "scenario.toml"
    text = toml.read_text(encoding="utf-8").replace("Demo sector", "Участок")
    toml.write_bytes(text.encode("cp1251"))
    for command in ("validate", "assess"):
        result = runner.invoke(cli, [command, str(toml)])
        assert_clean(result, "scenario.toml", "UTF-8")


def test_scenario_with_a_utf8_bom_is_read(runner, project, tmp_path):
    toml = project / "scenario.toml"
    toml.write_bytes(b"\xef\xbb\xbf" + toml.read_bytes())
    result = runner.invoke(cli, ["assess", str(toml), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o" / "run.json").read_text())["scenario"]["name"] == (
        "Demo sector (synthetic)"
    )


@pytest.mark.parametrize("value", ["inf", "nan"])
def test_infinite_segment_length_is_refused(runner, value, tmp_path):
    result = runner.invoke(cli, ["assess", str(DEMO), "--segment-m", value, "--out", str(tmp_path)])
    assert_clean(result, "segment_m")


def test_tiny_segment_length_is_refused_with_the_count(runner, tmp_path):
    # the demo border is 78.6 km: 0.01 m segments would be 7.86 million
    result = runner.invoke(
        cli,
        [
            "assess",
            str(DEMO),
            *("--segment-m", "0.01", "--sample-m", "0.01"),
            "--out",
            str(tmp_path),
        ],
    )
    assert_clean(result, "segment_m", "2,000,000")
    assert "7,8" in result.output  # the count, 78.6 km / 0.01 m


def test_map_of_a_folder_with_a_corrupt_summary(runner, tmp_path):
    out = tmp_path / "o"
    assert runner.invoke(cli, ["assess", str(DEMO), "--out", str(out)]).exit_code == 0
    (out / "summary.json").write_text('{"km_assessed": 78.6, ')
    result = runner.invoke(cli, ["map", str(out)])
    assert_clean(result, "summary.json")


def test_control_characters_in_names_are_refused_by_validate_and_assess(runner, project):
    sensors = pd.read_csv(project / "sensors.csv")
    sensors["id"] = sensors["id"].astype(str)
    sensors.loc[1, "id"] = "T\x01-02"
    sensors.to_csv(project / "sensors.csv", index=False)
    for command in ("validate", "assess"):
        result = runner.invoke(cli, [command, str(project / "scenario.toml")])
        assert_clean(result, "sensors.csv", "row 2", "id", "control characters")


def test_layer_that_is_a_symlink_to_dev_zero(runner, project):
    (project / "sensors.csv").unlink()
    os.symlink("/dev/zero", project / "sensors.csv")
    result = runner.invoke(cli, ["validate", str(project / "scenario.toml")])
    assert_clean(result, "sensors.csv", "not a regular file")


def test_a_10_mb_cell_is_not_echoed_whole(runner, project):
    sensors = pd.read_csv(project / "sensors.csv")
    sensors["range_m"] = sensors["range_m"].astype(object)
    sensors.loc[0, "range_m"] = "9" * 10_000_000 + "x"
    sensors.to_csv(project / "sensors.csv", index=False)
    result = runner.invoke(cli, ["validate", str(project / "scenario.toml")])
    assert_clean(result, "sensors.csv", "range_m", "10,000,001 characters")
    assert len(result.output) < 2000


def test_truncated_tiled_geotiff(runner, project, tmp_path):
    rasterio = pytest.importorskip("rasterio")
    import numpy as np
    from rasterio.transform import Affine

    dem = project / "dem.tif"
    data = (np.add.outer(np.arange(512), np.arange(512)) % 300).astype("float32")
    profile = {
        "driver": "GTiff", "height": 512, "width": 512, "count": 1, "dtype": "float32",
        "crs": "EPSG:4326", "transform": Affine(0.001, 0.0, 70.3, 0.0, -0.001, 40.1),
        "tiled": True, "blockxsize": 256, "blockysize": 256,
    }  # fmt: skip
    with rasterio.open(dem, "w", **profile) as dst:
        dst.write(data, 1)
    with dem.open("r+b") as fh:
        fh.truncate(dem.stat().st_size // 2)
    scenario = str(project / "scenario.toml")
    result = runner.invoke(cli, ["validate", scenario, "--dem", str(dem)])
    assert_clean(result, "dem.tif", "truncated")
    result = runner.invoke(
        cli, ["assess", scenario, "--dem", str(dem), "--out", str(tmp_path / "o")]
    )
    assert_clean(result, "dem.tif", "truncated")
    assert not (tmp_path / "o").exists()


def test_ctrl_c_exits_130_with_one_line(tmp_path):
    command = [sys.executable, "-m", "surveil", "-v", "assess", str(DEMO), "--out", str(tmp_path)]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as run:
        assert run.stderr is not None
        line = run.stderr.readline()  # the first progress line: the run is under way
        assert "…" in line, line
        run.send_signal(signal.SIGINT)
        rest = run.stderr.read()
        code = run.wait(timeout=60)
    assert code == 130, rest
    assert rest.strip().splitlines()[-1] == "Interrupted."
    assert "Traceback" not in rest
    assert list(tmp_path.iterdir()) == []
