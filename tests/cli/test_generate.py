"""surveil generate: writes a folder that surveil assess takes as it is."""

from __future__ import annotations

import json

import click
import pandas as pd
import pytest

from surveil.cli.generate import command as generate
from surveil.cli.main import cli


@pytest.fixture
def app() -> click.Group:
    # Until generate is registered in surveil.cli.main, add it to the group here.
    if "generate" not in cli.commands:
        cli.add_command(generate)
    return cli


ARGS = ["--border-km", "25", "--sensors", "15", "--patrols", "3", "--incidents", "200"]


def test_generate_then_assess(app, runner, tmp_path):
    folder = tmp_path / "syn"
    result = runner.invoke(app, ["generate", *ARGS, "--segment-m", "500", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert "scenario.toml" in result.output
    assert len(pd.read_csv(folder / "sensors.csv")) == 15
    assert len(pd.read_csv(folder / "incidents.csv")) == 200
    assert "segment_m = 500.0" in (folder / "scenario.toml").read_text()

    out = tmp_path / "out"
    result = runner.invoke(app, ["assess", str(folder / "scenario.toml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["km_assessed"] == pytest.approx(25.0, abs=1e-5)
    assert summary["segments"] == 50
    assert summary["incidents_snapped"] == 200


def test_same_seed_same_files(app, runner, tmp_path):
    for name in ("a", "b"):
        result = runner.invoke(
            app, ["generate", *ARGS, "--seed", "4", "--out", str(tmp_path / name)]
        )
        assert result.exit_code == 0, result.output
    for name in ("sensors.csv", "incidents.csv", "border.geojson", "scenario.toml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_existing_folder_needs_overwrite(app, runner, tmp_path):
    folder = tmp_path / "syn"
    assert runner.invoke(app, ["generate", *ARGS, "--out", str(folder)]).exit_code == 0
    result = runner.invoke(app, ["generate", *ARGS, "--out", str(folder)])
    assert result.exit_code == 2
    assert "--overwrite" in result.output
    result = runner.invoke(app, ["generate", *ARGS, "--out", str(folder), "--overwrite"])
    assert result.exit_code == 0, result.output


def test_dem_is_written(app, runner, tmp_path):
    pytest.importorskip("rasterio")
    folder = tmp_path / "syn"
    result = runner.invoke(app, ["generate", *ARGS, "--dem-m", "300", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert list((folder / "dem").glob("*.tif"))
