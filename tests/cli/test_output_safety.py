"""--out and --overwrite never lose a user's file (issue 8 §1)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from surveil.cli.main import cli
from surveil.datasets import get_path

DEMO = get_path("synthetic")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, by relative path."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def user_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "thesis.docx").write_bytes(b"PK\x03\x04 my thesis")
    (path / "reports").mkdir()
    (path / "reports" / "notes.txt").write_text("notes")
    return path


def assess(runner, *args):
    return runner.invoke(cli, ["assess", str(DEMO), *args])


def test_overwrite_refuses_a_folder_of_unrelated_files(runner, tmp_path):
    documents = user_folder(tmp_path / "Documents")
    before = tree(documents)
    result = assess(runner, "--out", str(documents), "--overwrite")
    assert result.exit_code == 2, result.output
    assert "will not overwrite" in result.output and "run.json" in result.output
    assert "Traceback" not in result.output
    assert tree(documents) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Documents"]


def test_overwrite_refuses_an_output_folder_holding_other_files(runner, tmp_path):
    out = tmp_path / "o"
    assert assess(runner, "--out", str(out)).exit_code == 0
    (out / "my-notes.txt").write_text("keep me")
    result = assess(runner, "--out", str(out), "--overwrite")
    assert result.exit_code == 2
    assert "my-notes.txt" in result.output
    assert (out / "my-notes.txt").read_text() == "keep me"


def test_overwrite_refuses_the_folder_of_the_scenario_file(runner, tmp_path):
    project = tmp_path / "proj"
    shutil.copytree(DEMO.parent, project)
    (project / "notes.md").write_text("my notes")
    # even when it looks like an output folder
    (project / "run.json").write_text(json.dumps({"written_by": "surveil"}))
    before = tree(project)
    result = runner.invoke(
        cli, ["assess", str(project / "scenario.toml"), "--out", str(project), "--overwrite"]
    )
    assert result.exit_code == 2, result.output
    assert "input of this run" in result.output and "scenario.toml" in result.output
    assert tree(project) == before


def test_overwrite_refuses_an_ancestor_of_an_input(runner, tmp_path):
    project = tmp_path / "proj"
    shutil.copytree(DEMO.parent, project / "data" / "layers")
    (project / "run.json").write_text(json.dumps({"written_by": "surveil"}))
    before = tree(project)
    result = runner.invoke(
        cli,
        [
            "assess",
            str(project / "data" / "layers" / "scenario.toml"),
            *("--out", str(project), "--overwrite"),
        ],
    )
    assert result.exit_code == 2
    assert "input of this run" in result.output
    assert tree(project) == before


def test_overwrite_refuses_the_current_folder(runner, tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    (here / "run.json").write_text(json.dumps({"written_by": "surveil"}))
    monkeypatch.chdir(here)
    result = assess(runner, "--out", ".", "--overwrite")
    assert result.exit_code == 2
    assert "current folder" in result.output
    assert (here / "run.json").is_file()


def test_overwrite_replaces_an_earlier_output_whole(runner, tmp_path):
    out = tmp_path / "o"
    assert assess(runner, "--out", str(out), "--segment-m", "500").exit_code == 0
    result = assess(runner, "--out", str(out), "--overwrite", "--lang", "ru")
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text())
    assert run["written_by"] == "surveil"
    assert run["parameters"]["segment_m"] == 1000
    assert pd.read_csv(out / "segments.csv")["length_m"].max() == pytest.approx(1000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_a_folder_appearing_during_the_run_is_not_replaced(runner, tmp_path, monkeypatch):
    import surveil.assessment

    out = tmp_path / "o"
    real = surveil.assessment.assess

    def assess_while_someone_writes(*args, **kwargs):
        result = real(*args, **kwargs)
        user_folder(out)
        return result

    monkeypatch.setattr(surveil.assessment, "assess", assess_while_someone_writes)
    result = assess(runner, "--out", str(out))
    before = tree(user_folder(tmp_path / "reference"))
    assert result.exit_code == 2, result.output
    assert "exists" in result.output and "Wrote" not in result.output
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o", "reference"]


def test_two_concurrent_runs_into_one_folder_one_wins(tmp_path):
    out = tmp_path / "o"
    command = [sys.executable, "-m", "surveil", "assess", str(DEMO), "--out", str(out)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    runs = [subprocess.Popen(command, **pipes), subprocess.Popen(command, **pipes)]
    outputs = [run.communicate() for run in runs]
    results = [(run.returncode, output) for run, output in zip(runs, outputs, strict=True)]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    assert sum("Wrote" in stdout for _, (stdout, _) in results) == 1
    assert json.loads((out / "run.json").read_text())["written_by"] == "surveil"
    assert len(pd.read_csv(out / "segments.csv")) > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_stale_partial_folders_of_killed_runs_are_cleaned(runner, tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    stale = tmp_path / f".o.pid{child.pid}-t12345.x1y2.partial"
    stale.mkdir()
    (stale / "assessment.gpkg").write_bytes(b"\0" * 4096)
    result = assess(runner, "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_location_fails_before_the_work(runner, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = assess(runner, "--out", str(locked / "o"))
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 2
    assert "Cannot write" in result.output and "km in" not in result.output


def test_location_under_a_file_fails_before_the_work(runner, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    result = assess(runner, "--out", str(blocker / "o"))
    assert result.exit_code == 2, result.output
    assert "file.txt" in result.output and "km in" not in result.output
    assert blocker.read_text() == "x"


def test_full_location_fails_before_the_work(runner, tmp_path, monkeypatch):
    from collections import namedtuple

    import surveil.assessment

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 10**6, 10**6))

    def must_not_run(*args, **kwargs):
        raise AssertionError("assessed although the disk is full")

    monkeypatch.setattr(surveil.assessment, "assess", must_not_run)
    result = assess(runner, "--out", str(tmp_path / "o"))
    assert result.exit_code == 2, result.output
    assert "1 MiB free" in result.output
    assert not (tmp_path / "o").exists()


def test_generate_overwrite_refuses_unrelated_folder(runner, tmp_path):
    documents = user_folder(tmp_path / "Documents")
    before = tree(documents)
    result = runner.invoke(
        cli,
        [
            *("generate", "--border-km", "20", "--sensors", "3", "--incidents", "10"),
            *("--out", str(documents), "--overwrite"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "will not overwrite" in result.output
    assert tree(documents) == before


def test_compare_overwrite_refuses_unrelated_folder_before_the_work(runner, tmp_path):
    documents = user_folder(tmp_path / "Documents")
    before = tree(documents)
    result = runner.invoke(
        cli, ["compare", str(DEMO), str(DEMO), "--out", str(documents), "--overwrite"]
    )
    assert result.exit_code == 2, result.output
    assert "will not overwrite" in result.output and "run.json" in result.output
    assert tree(documents) == before


# Runs 'surveil assess' and SIGKILLs it between the two renames of the journalled
# replacement (the one instant with no folder at --out).
KILLED_ASSESS = r"""
import os, signal, sys
import surveil._atomic as atomic

atomic._renameat2 = lambda source, target, flags: False
renames = [0]
real_rename = os.rename

def rename(source, target):
    renames[0] += 1
    if renames[0] == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_rename(source, target)

real_swap = atomic._swap_with_journal

def swap(partial, target):
    os.rename = rename
    return real_swap(partial, target)

atomic._swap_with_journal = swap
from surveil.cli.main import cli
cli(sys.argv[1:], prog_name="surveil")
"""


def test_a_run_killed_mid_replacement_is_repaired_by_the_next(runner, tmp_path):
    out = tmp_path / "o"
    assert assess(runner, "--out", str(out), "--segment-m", "500").exit_code == 0
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLED_ASSESS,
            "assess",
            str(DEMO),
            "--out",
            str(out),
            "--overwrite",
        ],
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -9, killed.stderr
    assert not out.exists()  # the documented instant: old aside, new beside, journal
    assert (tmp_path / ".o.swap").is_file()
    result = assess(runner, "--out", str(out))  # any later run repairs first
    assert result.exit_code == 2 and "exists" in result.output
    run = json.loads((out / "run.json").read_text())
    assert run["written_by"] == "surveil" and run["parameters"]["segment_m"] == 1000
    assert len(pd.read_csv(out / "segments.csv")) > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]
