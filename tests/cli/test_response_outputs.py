"""The demo's reaction over the ground: columns, isochrones, and the map redrawn from the folder."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from surveil.cli.main import cli
from tests.cli.test_map_from_folder import layer_control_names

DATA = Path(__file__).resolve().parents[2] / "data" / "kgz-tjk"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    root = tmp_path_factory.mktemp("reaction")
    shutil.copytree(DATA, root / "data")
    folder = root / "out"
    result = CliRunner().invoke(
        cli, ["assess", str(root / "data" / "scenario.toml"), "--out", str(folder)]
    )
    assert result.exit_code == 0, result.output
    return folder


def test_segments_have_reaction_and_escape_minutes(out):
    segments = pd.read_csv(out / "segments.csv")
    assert segments["response_min"].to_numpy() == pytest.approx(
        segments["response_h"].to_numpy() * 60.0,
        abs=1e-3,  # the CSV keeps 6 decimals
    )
    # every demo segment is reached within the search limit (8 h) over the terrain
    assert np.isfinite(segments["response_min"]).all()
    assert (segments["response_min"] > 0).all()
    # walking 3 km inland at 3 km/h on the flat is 60 min; downhill (Tobler's
    # fastest, 5 % down) it is at least 60 · W(0)/W(−0.05) = 50.4 min
    assert (segments["escape_min"] >= 50.4).all()
    assert segments["p_interdict"].between(0.0, 1.0).all()


def test_isochrones_in_the_geopackage_and_redrawn_in_both_languages(out, tmp_path):
    layers = {name for name, _ in pyogrio.list_layers(out / "assessment.gpkg")}
    assert "isochrones" in layers
    bands = pyogrio.read_dataframe(out / "assessment.gpkg", layer="isochrones")
    assert bands["minutes_from"].tolist() == sorted(bands["minutes_from"].tolist())
    assert set(bands["minutes_to"]) <= {15, 30, 60, 120}
    assert bands.geometry.is_valid.all()
    for lang, name in (("en", "Reaction time from posts"), ("ru", "Время реагирования от застав")):
        target = tmp_path / f"map-{lang}.html"
        result = CliRunner().invoke(cli, ["map", str(out), "--out", str(target), "--lang", lang])
        assert result.exit_code == 0, result.output
        html = target.read_text(encoding="utf-8")
        unit = "min" if lang == "en" else "мин"
        assert f"{name}: ≤ 15 / 30 / 60 {unit}" in html  # one legend row for the demo's bands
        assert name in layer_control_names(html)
