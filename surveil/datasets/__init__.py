"""Bundled scenarios: ``get_path("demo")`` and :func:`load_demo`.

* ``"kgz-tjk"`` (also ``"demo"``): the Batken – Isfara – Vorukh sector of the
  Kyrgyz–Tajik border; real border, settlements and terrain, illustrative
  sensors, patrols, posts and incidents (the repository's ``data/kgz-tjk``).
* ``"tjk-afg"``: a Panj river sector of the Tajik–Afghan border (``data/tjk-afg``).
* ``"synthetic"``: a small synthetic scenario (not a real boundary) that the
  tests use; ``scripts/make_demo.py`` builds it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from surveil.scenario import Scenario

#: Dataset name -> (package holding it, folder).
DATASETS = {
    "kgz-tjk": ("surveil.samples", "kgz-tjk"),
    "tjk-afg": ("surveil.samples", "tjk-afg"),
    "synthetic": ("surveil.datasets", "synthetic"),
}
DEMO = "kgz-tjk"


def get_path(name: str = "demo") -> Path:
    """Return the path of a bundled scenario file.

    Parameters
    ----------
    name
        ``"demo"`` (the same as ``"kgz-tjk"``), ``"kgz-tjk"``, ``"tjk-afg"``
        or ``"synthetic"``.

    Examples
    --------
    >>> get_path("demo").parent.name, get_path("demo").name
    ('kgz-tjk', 'scenario.toml')
    """
    key = DEMO if name == "demo" else name
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; expected one of demo, {', '.join(DATASETS)}")
    package, folder = DATASETS[key]
    return Path(str(resources.files(package) / folder / "scenario.toml"))


def load_demo(name: str = "demo") -> Scenario:
    """Load a bundled scenario (the Kyrgyz–Tajik sample by default)."""
    from surveil.scenario import load_scenario

    return load_scenario(get_path(name))
