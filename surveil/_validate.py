"""Collect every problem found in an input, then raise once."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from surveil.errors import CRSError, GeometryError, InputError, Problem, SchemaError

__all__ = ["Collector", "show"]


@dataclass
class Collector:
    """Gather problems of one input so that the user sees them all at once.

    Each problem is filed with the error class it calls for
    (:class:`~surveil.errors.SchemaError`, :class:`~surveil.errors.CRSError`,
    :class:`~surveil.errors.GeometryError`). :meth:`raise_if_any` raises that
    class when every problem calls for the same one, else the common parent
    :class:`~surveil.errors.InputError`. Problems are listed layer-wide
    first, then row by row.

    Parameters
    ----------
    source
        File name (or a short description) the problems are reported against.
    layer
        Layer kind, e.g. ``"sensors"``.

    Examples
    --------
    >>> check = Collector("sensors.csv", "sensors")
    >>> check.schema(14, "range_m", -500.0, "expected a positive distance in metres")
    >>> len(check)
    1
    >>> print(check.problems[0])
    sensors.csv, layer sensors, row 14: range_m is -500; expected a positive distance in metres
    """

    source: str
    layer: str | None
    problems: list[Problem] = field(default_factory=list)
    _kinds: list[type[InputError]] = field(default_factory=list, repr=False)

    def __len__(self) -> int:
        return len(self.problems)

    def add(self, problem: Problem, kind: type[InputError] = SchemaError) -> None:
        """File one problem, to be raised as ``kind``."""
        self.problems.append(problem)
        self._kinds.append(kind)

    def _file(
        self,
        kind: type[InputError],
        row: int | None,
        name: str | None,
        value: object,
        expected: str,
    ) -> None:
        text = None if value is None else show(value)
        self.add(Problem(self.source, self.layer, row, name, text, expected), kind)

    def schema(self, row: int | None, name: str | None, value: object, expected: str) -> None:
        """File a problem with a column or a value."""
        self._file(SchemaError, row, name, value, expected)

    def crs(self, row: int | None, expected: str) -> None:
        """File a problem with the coordinate reference system or coordinates."""
        self._file(CRSError, row, None, None, expected)

    def geometry(self, row: int | None, expected: str) -> None:
        """File a problem with a geometry."""
        self._file(GeometryError, row, None, None, expected)

    def error(self, summary: str | None = None) -> InputError | None:
        """Return the error for the problems filed so far, or ``None`` when there are none."""
        if not self.problems:
            return None
        kinds = set(self._kinds)
        cls = kinds.pop() if len(kinds) == 1 else InputError
        count = len(self.problems)
        where = f"{self.source}, layer {self.layer}" if self.layer else self.source
        if summary is None:
            noun = "problem" if count == 1 else "problems"
            summary = f"{where}: {count} {noun} found; nothing was read"
        # Layer-wide problems first, then by row; within a row, in the order found.
        ordered = sorted(self.problems, key=lambda p: -1 if p.row is None else p.row)
        return cls(summary, ordered)

    def raise_if_any(self, summary: str | None = None) -> None:
        """Raise one error listing every problem filed, if any.

        Raises
        ------
        surveil.errors.InputError
            Or the more specific subclass shared by all problems.
        """
        err = self.error(summary)
        if err is not None:
            raise err


def show(value: object) -> str:
    """Return a value as the user would recognise it in a message.

    Examples
    --------
    >>> show(-500.0), show("abc"), show(float("nan")), show(""), show(0.25)
    ('-500', "'abc'", 'empty', 'empty', '0.25')
    """
    if value is None:
        return "empty"
    if isinstance(value, float):
        if math.isnan(value):
            return "empty"
        return f"{value:.10g}"
    if isinstance(value, str):
        return repr(value) if value.strip() else "empty"
    return str(value)
