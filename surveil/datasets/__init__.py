"""Bundled example scenarios: ``get_path("demo")`` and :func:`load_demo`.

The demo scenario is synthetic (see its ``scenario.toml``); real sample
scenarios live in the repository's ``data/`` folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from surveil.scenario import Scenario

DATASETS = ("demo",)


def get_path(name: str = "demo") -> Path:
    """Return the path of a bundled scenario file.

    Examples
    --------
    >>> get_path("demo").name
    'scenario.toml'
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
    return Path(str(resources.files("surveil.datasets") / name / "scenario.toml"))


def load_demo() -> Scenario:
    """Load the bundled demo scenario."""
    from surveil.scenario import load_scenario

    return load_scenario(get_path("demo"))
