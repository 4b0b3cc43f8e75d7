"""Decide whether a run may write its output folder: exists, ``--overwrite``, safety.

:func:`resolve_out` is the one place that answers "may this run write to
``out``?", before any work is done:

* ``out`` is never the folder of an input of the run (the scenario file
  included), an ancestor of one, the current or home folder, an ancestor of
  them, or the root;
* a half-done replacement of ``out`` by a killed run is finished and stale
  partial folders of dead runs are removed (:func:`surveil._atomic.repair`);
* an existing ``out`` (other than an empty folder) needs ``overwrite``, and
  even then is replaced only when surveil wrote it (its ``run.json`` says
  ``"written_by": "surveil"``, or is the ``run.json`` of an older surveil) and
  it holds nothing else;
* the location must be writable and have room (:data:`MIN_FREE_BYTES`, and
  twice the inputs' size).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from surveil._atomic import new_partial, repair
from surveil.errors import OutputError

#: The marker that ``run.json`` carries in every folder surveil writes.
WRITTEN_BY = "surveil"
#: Free space an output location must have before the work starts.
MIN_FREE_BYTES = 64 * 1024 * 1024
#: Names a surveil output folder may hold (``surveil map --out`` adds maps,
#: ``surveil export --kmz`` KMZ files).
OUTPUT_NAMES = (
    "assessment.gpkg",
    "segments.csv",
    "gaps.csv",
    "needs.csv",
    "needs.xlsx",
    "services.csv",
    "areas.csv",
    "seams.csv",
    "responders.csv",
    "coordination.csv",
    "summary.json",
    "map*.html",
    "hillshade*.png",
    "hillshade.json",
    "assessment*.kmz",
    "report*.html",
    "report*.pdf",
    "run.json",
)


def written_by_surveil(folder: Path) -> bool:
    """Tell whether ``folder`` has the ``run.json`` of a folder surveil wrote."""
    try:
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(run, dict) and (
        run.get("written_by") == WRITTEN_BY or "surveil_version" in run
    )


def _foreign(folder: Path, names: Iterable[str]) -> list[str]:
    """Return the entries of ``folder`` that a surveil output folder does not hold."""
    patterns = tuple(names)
    return sorted(
        p.name for p in folder.iterdir() if not any(fnmatch.fnmatch(p.name, n) for n in patterns)
    )


def _protected(out: Path, inputs: Iterable[Path]) -> str | None:
    """Return why ``out`` must never be replaced, or None."""
    resolved = out.resolve()
    for path in inputs:
        p = Path(path).resolve()
        if resolved == p or resolved in p.parents:
            return f"it holds {p}, an input of this run"
    for name, place in (("the current folder", Path.cwd()), ("your home folder", Path.home())):
        place = place.resolve()
        if resolved == place or resolved in place.parents:
            return f"it is {name} or holds it"
    if resolved == Path(resolved.anchor):
        return "it is the root of the file system"
    return None


def check_replaceable(
    out: Path, *, inputs: Iterable[Path] = (), names: Iterable[str] = OUTPUT_NAMES
) -> None:
    """Raise unless the existing folder ``out`` may be replaced by a new output.

    Parameters
    ----------
    out
        The existing output location.
    inputs
        Files the run reads.
    names
        Glob patterns of the names a folder of this kind holds.

    Raises
    ------
    surveil.errors.OutputError
        When ``out`` is a file, a symbolic link, not written by surveil,
        holds other files, or is protected (see the module).
    """
    why = _protected(out, inputs)
    if why is None and (out.is_symlink() or not out.is_dir()):
        why = "it is not a folder" if not out.is_symlink() else "it is a symbolic link"
    if why is None and not written_by_surveil(out):
        why = "it has no run.json written by surveil, so it is not a surveil output folder"
    if why is None:
        others = _foreign(out, names)
        if others:
            shown = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
            why = f"it holds files surveil did not write ({shown})"
    if why is not None:
        raise OutputError(f"{out}: will not overwrite: {why}; choose another --out")


def _empty_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and not any(path.iterdir())


def _existing_ancestor(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor)


def check_room(out: Path, *, need_bytes: int = 0) -> None:
    """Raise unless a folder can be written beside ``out`` and there is room.

    A partial folder is created and removed to prove the location writable.

    Raises
    ------
    surveil.errors.OutputError
        When the location cannot be written or has less free space than
        :data:`MIN_FREE_BYTES` plus ``need_bytes``.
    """
    out = Path(os.path.abspath(out))
    base = _existing_ancestor(out.parent)
    if not base.is_dir():
        raise OutputError(f"{out}: cannot create it: {base} is not a folder")
    probe = new_partial(out)
    probe.rmdir()
    free = shutil.disk_usage(out.parent).free
    need = MIN_FREE_BYTES + need_bytes
    if free < need:
        raise OutputError(
            f"{out}: only {free / 2**20:.0f} MiB free at {out.parent}; "
            f"the outputs need about {need / 2**20:.0f} MiB"
        )


def resolve_out(
    out: str | os.PathLike[str],
    *,
    overwrite: bool,
    inputs: Iterable[str | os.PathLike[str]] = (),
    names: Iterable[str] = OUTPUT_NAMES,
) -> Path:
    """Check, before the work, that a run may write its output folder ``out``.

    Parameters
    ----------
    out
        The output folder.
    overwrite
        Whether an existing folder may be replaced (``--overwrite``).
    inputs
        Files the run reads (the scenario file included); their folders are
        never replaced.
    names
        Glob patterns of the names an output folder of this kind holds.

    Returns
    -------
    pathlib.Path
        ``out`` as a path.

    Raises
    ------
    surveil.errors.OutputError
        When ``out`` exists without ``overwrite``, may not be replaced, or
        cannot be written.
    """
    out = Path(out)
    input_paths = [Path(p) for p in inputs]
    why = _protected(out, input_paths)
    if why is not None:
        raise OutputError(f"{out}: will not write there: {why}; choose another --out")
    repair(out)
    if os.path.lexists(out) and not _empty_folder(out):
        if not overwrite:
            raise OutputError(f"{out} exists; choose another --out or pass --overwrite")
        check_replaceable(out, inputs=input_paths, names=names)
    size = sum(p.stat().st_size for p in input_paths if p.is_file())
    check_room(out, need_bytes=2 * size)
    return out
