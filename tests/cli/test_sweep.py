"""``surveil sweep``: output folder, numbers read back, clean errors."""

from __future__ import annotations

import json

import pandas as pd

from surveil.cli.main import cli
from surveil.datasets import get_path
from surveil.sweeping import read_figures


def test_sweep_writes_its_tables_and_tornado(runner, tmp_path):
    out = tmp_path / "sweep"
    args = [
        "sweep", str(get_path("synthetic")), "--samples", "4", "--workers", "0",
        "--vary", "trace_persistence_h=6..24", "--vary", "bandwidth_m=1500..6000",
        "--seed", "3", "--out", str(out),
    ]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    samples = pd.read_csv(out / "sweep.csv")
    assert len(samples) == 4
    assert samples["sample"].tolist() == [0, 1, 2, 3]
    assert samples["trace_persistence_h"].between(6, 24).all()
    bands = pd.read_csv(out / "kpi_bands.csv").set_index("kpi")
    gap = samples["gap_km"].to_numpy()
    assert bands.loc["gap_km", "min"] == gap.min()
    assert bands.loc["gap_km", "max"] == gap.max()
    assert "gap km: baseline" in result.output
    probability = pd.read_csv(out / "segment_gap_probability.csv")
    assert probability["p_gap"].between(0, 1).all()
    stability = pd.read_csv(out / "gap_stability.csv")
    assert {"gap_id", "p_exists", "length_km_p50", "p_top_n"} <= set(stability.columns)
    tornado = pd.read_csv(out / "tornado.csv")
    assert set(tornado["assumption"]) == {"trace_persistence_h", "bandwidth_m"}
    assert (out / "tornado.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    figures = read_figures(out)
    assert figures["bands"].set_index("kpi").loc["gap_km", "max"] == gap.max()
    assert len(figures["tornado"]) == len(tornado)
    run = json.loads((out / "run.json").read_text())
    assert run["written_by"] == "surveil" and run["sweep"]["samples"] == 4


def test_sweep_refuses_a_parameter_it_cannot_vary_without_traceback(runner, tmp_path):
    args = [
        "sweep", str(get_path("synthetic")), "--samples", "2", "--workers", "0",
        "--vary", "segment_m=500..1000", "--out", str(tmp_path / "x"),
    ]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert "segment_m: not a parameter a sweep can vary" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_sweep_does_not_clobber_an_existing_folder(runner, tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    args = ["sweep", str(get_path("synthetic")), "--samples", "1", "--workers", "0",
            "--out", str(out)]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert (out / "notes.txt").read_text() == "mine"


def test_sweep_overwrites_its_own_folder_only_with_overwrite(runner, tmp_path):
    out = tmp_path / "again"
    args = ["sweep", str(get_path("synthetic")), "--samples", "2", "--workers", "0",
            "--vary", "refraction=0..0.25", "--out", str(out)]  # fmt: skip
    assert runner.invoke(cli, args).exit_code == 0
    refused = runner.invoke(cli, [*args[:-2], "--seed", "5", "--out", str(out)])
    assert refused.exit_code == 2 and "--overwrite" in refused.output
    again = runner.invoke(cli, [*args[:-2], "--seed", "5", "--out", str(out), "--overwrite"])
    assert again.exit_code == 0, again.output
    assert json.loads((out / "run.json").read_text())["sweep"]["seed"] == 5
