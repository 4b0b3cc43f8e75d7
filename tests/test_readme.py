"""README's set-up commands: each works on a fresh clone, and CI runs the test ones."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up and run", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section, flags=re.S)


def test_each_setup_command_makes_its_own_venv():
    commands = setup_commands()
    assert len(commands) >= 2
    venvs = [re.match(r"python3 -m venv (\S+) && \. \1/bin/activate && ", c) for c in commands]
    assert all(venvs), commands
    names = [m.group(1) for m in venvs if m]
    assert len(set(names)) == len(names), names


def test_ci_runs_every_test_command_of_the_readme():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    tests = [c for c in setup_commands() if "pytest" in c]
    assert len(tests) == 2  # with numba, and on the numpy path without it
    for command in tests:
        assert command in ci, command
