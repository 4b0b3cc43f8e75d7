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
