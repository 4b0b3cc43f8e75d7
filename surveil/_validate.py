"""Collect every problem found in an input, then raise once."""

from __future__ import annotations

import contextlib
import math
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from surveil.errors import CRSError, GeometryError, InputError, Problem, SchemaError

__all__ = [
    "MAX_LAYER_BYTES",
    "MAX_SHOWN_CHARS",
    "Collector",
    "check_layer_file",
    "raster_input",
    "regular_file",
    "show",
]

#: Longest value echoed in a message, characters; longer ones are cut.
MAX_SHOWN_CHARS = 80


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
        if not value.strip():
            return "empty"
        if len(value) > MAX_SHOWN_CHARS:
            return repr(value[:MAX_SHOWN_CHARS]) + f"… ({len(value):,} characters)"
        return repr(value)
    return _cut(str(value))


def _cut(text: str) -> str:
    if len(text) > MAX_SHOWN_CHARS:
        return text[:MAX_SHOWN_CHARS] + f"… ({len(text):,} characters)"
    return text


#: Largest input layer file read, bytes (2M incidents as CSV are about 200 MB).
MAX_LAYER_BYTES = 4 * 1024**3


def check_layer_file(path: Path, *, kind: str, max_bytes: int = MAX_LAYER_BYTES) -> None:
    """Refuse a layer path that is a device, pipe or socket, or a file over ``max_bytes``.

    Folders (a File Geodatabase) and paths that do not exist locally (GDAL's
    ``/vsi...`` paths) are left to the reader.

    Raises
    ------
    surveil.errors.InputError
        When the path is not a regular file or folder, or is too large.
    """
    try:
        info = os.stat(path)
    except OSError:
        return
    if stat.S_ISDIR(info.st_mode):
        return
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{path}: the {kind} layer is not a regular file (a device, pipe or socket); "
            "expected a vector file, CSV or spreadsheet"
        )
    if info.st_size > max_bytes:
        raise InputError(
            f"{path}: the {kind} layer has {info.st_size:,} bytes; at most {max_bytes:,} are read"
        )


@contextlib.contextmanager
def raster_input(path: object, *, what: str = "DEM") -> Iterator[None]:
    """Turn a raster library's read error into an :class:`InputError` naming the file.

    A truncated or corrupt GeoTIFF makes rasterio raise ``RasterioIOError``
    (or a GDAL ``CPLE_...`` error) deep inside a read; the user needs the file
    named and what to do.
    """
    try:
        yield
    except Exception as exc:
        if not type(exc).__module__.startswith("rasterio"):
            raise
        detail = _cut(str(exc.__cause__ or exc))
        raise InputError(
            f"{path}: cannot read the {what} ({detail}); expected a complete, readable "
            "GeoTIFF of elevations in metres (the file may be truncated or corrupt)"
        ) from None


def regular_file(path: Path, *, max_bytes: int, what: str) -> bytes:
    """Read a whole input file, refusing devices, pipes and files over ``max_bytes``.

    Parameters
    ----------
    path
        The file.
    max_bytes
        Largest size accepted, bytes.
    what
        What the file is, for messages ("scenario file").

    Raises
    ------
    surveil.errors.InputError
        When the file is missing, not a regular file, too large or unreadable.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: the {what} is not a regular file (a device, pipe or folder)")
    if info.st_size > max_bytes:
        raise InputError(
            f"{path}: the {what} has {info.st_size:,} bytes; at most {max_bytes:,} are read"
        )
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise InputError(f"{path}: the {what} grew over {max_bytes:,} bytes while read")
    return data
