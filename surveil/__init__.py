"""surveil: green-border surveillance gap assessment.

Cut a border into segments, combine sensor, patrol, incident and terrain
layers, and find where the border is blind, where the risk is, and what it
would take to close the gaps.
"""

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

__all__ = [
    "CRSError",
    "GeometryError",
    "InputError",
    "InputWarning",
    "ScenarioError",
    "SchemaError",
    "SurveilError",
    "SurveilWarning",
    "__version__",
]
