"""The command group: -v/-q before or after the subcommand."""

import pytest

from surveil.cli import validate
from surveil.cli.main import cli
from surveil.datasets import get_path

SCENARIO = str(get_path("synthetic"))


@pytest.mark.parametrize(
    "args",
    [["-q", "validate", SCENARIO], ["validate", "-q", SCENARIO], ["validate", SCENARIO, "--quiet"]],
)
def test_quiet_works_before_and_after_the_subcommand(runner, args):
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_validate_without_quiet_prints_its_report(runner):
    result = runner.invoke(cli, ["validate", SCENARIO])
    assert result.exit_code == 0
    assert "OK: the inputs are usable." in result.stdout


@pytest.mark.parametrize(
    "args", [["-v", "validate", SCENARIO], ["validate", SCENARIO, "-v"], ["validate", "--verbose"]]
)
def test_verbose_shows_the_traceback_of_an_internal_error_wherever_it_stands(
    runner, monkeypatch, args
):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(validate, "scenario_from_options", broken)
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "RuntimeError: a bug" in result.stderr


def test_without_verbose_an_internal_error_has_no_traceback(runner, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(validate, "scenario_from_options", broken)
    result = runner.invoke(cli, ["validate", SCENARIO])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "Internal error: RuntimeError: a bug" in result.stderr


def test_python_m_surveil_beside_a_clone_named_surveil_says_so(tmp_path):
    # From the folder above a clone named surveil, that folder is a namespace
    # package "surveil"; with an editable install it wins over the real one.
    import subprocess
    import sys

    clone = tmp_path / "surveil"
    (clone / "surveil").mkdir(parents=True)
    (clone / "README.md").write_text("a clone\n")

    def run(*args):
        return subprocess.run(
            [sys.executable, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    shadowed = run("-c", "import surveil; print(surveil.__file__)").stdout.strip() == "None"
    done = run("-m", "surveil", "demo", "--out", str(tmp_path / "out"))
    if not shadowed:  # a regular install wins over the folder: nothing to say
        assert done.returncode == 0, done.stderr
        return
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Internal error" not in done.stderr
    assert str(clone) in done.stderr and "shadows" in done.stderr
    assert not (tmp_path / "out").exists()
