"""surveil: green-border surveillance gap assessment.

Cut a border into segments, combine sensor, patrol, incident and terrain
layers, and find where the border is blind, where the risk is, and what it
would take to close the gaps.
"""

from surveil._version import __version__
from surveil.assessment import Assessment, assess
from surveil.datasets import get_path, load_demo
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
from surveil.scenario import Parameters, Scenario, load_scenario

__all__ = [
    "Assessment",
    "CRSError",
    "GeometryError",
    "InputError",
    "InputWarning",
    "Parameters",
    "Scenario",
    "ScenarioError",
    "SchemaError",
    "SurveilError",
    "SurveilWarning",
    "__version__",
    "assess",
    "get_path",
    "load_demo",
    "load_scenario",
]
