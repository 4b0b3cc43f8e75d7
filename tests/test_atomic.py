"""Publishing output folders: never over another folder, and safe against kills."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from surveil import _atomic
from surveil.errors import OutputError

FILES = ("a.txt", "b.txt", "c.txt")

# Writes a "new" folder like a run does, then runs publish(replace=True) and
# SIGKILLs itself just before the k-th primitive step (rename, swap, journal
# creation, removal) of the replacement.
KILL_SCRIPT = r"""
import json, os, shutil, signal, sys
from pathlib import Path
import surveil._atomic as atomic

target, kill_at, fallback = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
partial = atomic.new_partial(target)
for name in ("a.txt", "b.txt", "c.txt"):
    (partial / name).write_text(f"new {name}\n" * 1000)
(partial / "run.json").write_text(json.dumps({"written_by": "surveil", "tag": "new"}))
calls = [0]

def counted(function):
    def wrapper(*args, **kwargs):
        if calls[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        calls[0] += 1
        return function(*args, **kwargs)
    return wrapper

real = atomic._renameat2
if fallback:
    atomic._renameat2 = counted(lambda s, t, f: False if f == 2 else real(s, t, f))
else:
    atomic._renameat2 = counted(real)
os.rename = counted(os.rename)
os.open = counted(os.open)
atomic.shutil.rmtree = counted(shutil.rmtree)
atomic.publish(partial, target, replace=True)
print(calls[0])
"""


def make_folder(path: Path, tag: str) -> Path:
    path.mkdir()
    for name in FILES:
        (path / name).write_text(f"{tag} {name}\n" * 1000)
    (path / "run.json").write_text(json.dumps({"written_by": "surveil", "tag": tag}))
    return path


def folder_tag(path: Path) -> str | None:
    """Return 'old' or 'new' when ``path`` is that complete folder, else None."""
    if not path.is_dir() or not (path / "run.json").is_file():
        return None
    tag = json.loads((path / "run.json").read_text())["tag"]
    ok = sorted(p.name for p in path.iterdir()) == sorted((*FILES, "run.json")) and all(
        (path / n).read_text() == f"{tag} {n}\n" * 1000 for n in FILES
    )
    return tag if ok else None


@pytest.mark.parametrize("fallback", [False, True], ids=["exchange", "journal"])
def test_kill_at_each_step_of_a_replacement_leaves_old_or_new(tmp_path, fallback):
    outcomes = []
    for kill_at in range(12):
        base = tmp_path / str(kill_at)
        base.mkdir()
        target = make_folder(base / "out", "old")
        run = subprocess.run(
            [sys.executable, "-c", KILL_SCRIPT, target, str(kill_at), str(int(fallback))],
            capture_output=True,
            text=True,
        )
        if run.returncode == 0:
            assert folder_tag(target) == "new"
            assert [p.name for p in base.iterdir()] == ["out"]
            break
        assert run.returncode == -signal.SIGKILL, run.stderr
        found = folder_tag(target)
        if found is None:
            # only the two-rename fallback has this instant; the journal says how to finish
            assert fallback and not target.exists()
            assert (base / ".out.swap").is_file()
        _atomic.repair(target)  # what the next run does first
        after = folder_tag(target)
        assert after in ("old", "new")
        assert found in (None, after)
        assert [p.name for p in base.iterdir()] == ["out"], "leftovers not cleaned"
        outcomes.append(found)
    else:
        pytest.fail("publish never finished")
    assert len(outcomes) >= 2  # the kills did land inside the replacement
    if not fallback:
        assert None not in outcomes


def test_publish_without_replace_refuses_a_folder_that_appeared(tmp_path):
    target = tmp_path / "out"
    first = _atomic.new_partial(target)
    second = _atomic.new_partial(target)
    (first / "x").write_text("first")
    (second / "x").write_text("second")
    _atomic.publish(first, target, replace=False)
    with pytest.raises(OutputError, match="exists"):
        _atomic.publish(second, target, replace=False)
    assert (target / "x").read_text() == "first"


def test_publish_without_replace_refuses_without_renameat2(tmp_path, monkeypatch):
    monkeypatch.setattr(_atomic, "_renameat2", lambda source, target, flags: False)
    target = tmp_path / "out"
    target.mkdir()
    (target / "mine").write_text("keep")
    partial = _atomic.new_partial(target)
    with pytest.raises(OutputError, match="exists"):
        _atomic.publish(partial, target, replace=False)
    assert (target / "mine").read_text() == "keep"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_partials_of_dead_processes_are_removed(tmp_path):
    me, start = os.getpid(), _atomic.process_start(os.getpid())
    assert start is not None
    dead = tmp_path / f".out.pid{_dead_pid()}-t1.abc.partial"
    reused = tmp_path / f".out.pid{me}-t{start + 1}.def.partial"  # same pid, other process
    live = tmp_path / f".out.pid{me}-t{start}.ghi.partial"
    other = tmp_path / f".other.pid{_dead_pid()}-t1.jkl.partial"
    for path in (dead, reused, live, other):
        path.mkdir()
        (path / "big.bin").write_bytes(b"0" * 1000)
    removed = _atomic.clean_stale(tmp_path / "out")
    assert sorted(removed) == sorted([dead, reused])
    assert live.is_dir() and other.is_dir()


def test_partial_folder_names_its_process(tmp_path):
    partial = _atomic.new_partial(tmp_path / "out")
    assert partial.name.startswith(f".out.pid{os.getpid()}-t{_atomic.process_start(os.getpid())}.")
    assert partial.name.endswith(".partial")


def test_write_file_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "map.html"
    target.write_text("old")

    def fail(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        _atomic.write_file(target, fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]
