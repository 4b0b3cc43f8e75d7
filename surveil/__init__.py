"""surveil: green-border surveillance gap assessment.

Cut a border into segments, combine sensor, patrol, incident and terrain
layers, and find where the border is blind, where the risk is, and what it
would take to close the gaps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveil._version import __version__
from surveil.errors import (
    CRSError,
    GeometryError,
    InputError,
    InputWarning,
    ScenarioError,
    SchemaError,
    SurveilError,
    SurveilWarning,
)

if TYPE_CHECKING:
    from surveil.assessment import Assessment, assess
    from surveil.comparison import Comparison, compare
    from surveil.datasets import get_path, load_demo
    from surveil.planning import Plan, plan
    from surveil.scenario import Parameters, Scenario, load_scenario
    from surveil.sweeping import Sweep, sweep

# Imported on first use, so that the command line starts (and answers Ctrl-C)
# before geopandas loads.
_LAZY = {
    "Assessment": "surveil.assessment",
    "assess": "surveil.assessment",
    "Comparison": "surveil.comparison",
    "compare": "surveil.comparison",
    "Plan": "surveil.planning",
    "plan": "surveil.planning",
    "get_path": "surveil.datasets",
    "load_demo": "surveil.datasets",
    "Parameters": "surveil.scenario",
    "Scenario": "surveil.scenario",
    "load_scenario": "surveil.scenario",
    "Sweep": "surveil.sweeping",
    "sweep": "surveil.sweeping",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'surveil' has no attribute {name!r}")


__all__ = [
    "Assessment",
    "CRSError",
    "Comparison",
    "GeometryError",
    "InputError",
    "InputWarning",
    "Parameters",
    "Plan",
    "Scenario",
    "ScenarioError",
    "SchemaError",
    "SurveilError",
    "SurveilWarning",
    "Sweep",
    "__version__",
    "assess",
    "compare",
    "get_path",
    "load_demo",
    "load_scenario",
    "plan",
    "sweep",
]
