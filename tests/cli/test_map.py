from surveil.cli.main import cli


def test_map_redraws_from_an_output_folder_in_russian(runner, tmp_path):
    out = tmp_path / "o"
    assert runner.invoke(cli, ["demo", "--out", str(out)]).exit_code == 0
    english = (out / "map.html").read_text()
    result = runner.invoke(cli, ["map", str(out), "--lang", "ru"])
    assert result.exit_code == 0, result.output
    russian = (out / "map.html").read_text()
    assert russian != english and "риск" in russian.lower()


def test_map_of_a_folder_that_is_not_an_output(runner, tmp_path):
    result = runner.invoke(cli, ["map", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a surveil output folder" in result.output


def test_redraw_of_a_terrain_run_keeps_hillshade_and_candidates(runner, tmp_path):
    from surveil.datasets import get_path

    out = tmp_path / "k"
    result = runner.invoke(cli, ["assess", str(get_path("kgz-tjk")), "--out", str(out)])
    assert result.exit_code == 0, result.output
    import pyogrio

    assert "candidates" in {name for name, _ in pyogrio.list_layers(out / "assessment.gpkg")}
    assert runner.invoke(cli, ["map", str(out), "--lang", "ru"]).exit_code == 0
    html = (out / "map.html").read_text()
    assert "L.imageOverlay(" in html.replace(" ", "")
