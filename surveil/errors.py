"""Exceptions and warnings raised by surveil.

One root class, :class:`SurveilError`; subclasses also inherit the matching
built-in so that callers may catch ``ValueError`` or ``RuntimeError`` as usual.
The CLI turns every :class:`SurveilError` into a clean message and exit code 2
(bad input) without a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    source
        File the problem was found in (or a short description of the input).
    layer
        Layer kind, e.g. ``"sensors"``.
    row
        1-based feature number in the file, or ``None`` for the whole layer.
    field
        Column name as the user spelled it, or ``None``.
    value
        The offending value, as text.
    expected
        What would be accepted.
    """

    source: str
    layer: str | None
    row: int | None
    field: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = [self.source]
        if self.layer:
            where.append(f"layer {self.layer}")
        if self.row is not None:
            where.append(f"row {self.row}")
        head = ", ".join(where)
        if self.field is not None and self.value is not None:
            what = f"{self.field} is {self.value}; "
        elif self.field is not None:
            what = f"{self.field}: "
        else:
            what = ""
        return f"{head}: {what}{self.expected}"


class SurveilError(Exception):
    """Root of every error raised by surveil."""


class InputError(SurveilError, ValueError):
    """An input file, layer or value cannot be used.

    Parameters
    ----------
    message
        Summary line.
    problems
        Every problem found; the message lists them all.
    """

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = [message, *(f"  - {p}" for p in self.problems)]
        super().__init__("\n".join(lines))


class SchemaError(InputError):
    """Columns or values of a layer do not match what surveil expects."""


class CRSError(InputError):
    """A layer has no coordinate reference system, or an unusable one."""


class GeometryError(InputError):
    """Geometries of a layer are of the wrong type, empty or broken."""


class ScenarioError(InputError):
    """A scenario file or a parameter is wrong."""


class OutputError(SurveilError, OSError):
    """An output folder cannot be written (exists, not writable)."""


class InfeasibleError(SurveilError, RuntimeError):
    """A planning problem has no solution under the given constraints."""


class SurveilWarning(UserWarning):
    """Root of surveil's warnings."""


class InputWarning(SurveilWarning):
    """Input was usable after a repair or with a default the user should know of."""
