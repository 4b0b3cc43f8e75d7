"""Write a file or a folder whole or not at all, and never over something else.

Files go to a temporary file beside the target, which is then renamed onto
it (:func:`write_file`). Folders are written into a hidden *partial* folder
beside the target (:func:`new_partial`), then published with
:func:`publish`:

* without ``replace`` the partial folder is renamed onto a name that must not
  exist: ``renameat2(RENAME_NOREPLACE)`` where the kernel has it, else a
  plain ``rename``, which on POSIX fails onto a non-empty folder (it can only
  take the place of an *empty* folder that appeared in the last instant);
* with ``replace`` the two folders are swapped in one step with
  ``renameat2(RENAME_EXCHANGE)``, so at every instant either the old or the
  new complete folder is at the target. Where the kernel cannot swap, a
  journal ``.NAME.swap`` is written first, then the old folder is moved aside
  and the new one into place. A run killed between these two renames leaves no
  folder at the target but the journal and both folders; :func:`repair`
  (which every later run calls first) finishes the swap.

Partial folders carry the process id and start time in their name
(``.NAME.pid1234-t5678.XXXX.partial``), so that :func:`clean_stale` can remove
the ones of dead processes without mistaking a reused process id for the
owner.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from surveil.errors import OutputError

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_PARTIAL = re.compile(r"^\.(?P<name>.+)\.pid(?P<pid>\d+)-t(?P<start>\d+)\.[^.]+\.partial$")


# ------------------------------------------------------------------ processes


def process_start(pid: int) -> int | None:
    """Return the start time of a process in clock ticks since boot, or None.

    None when the process does not exist or the system has no ``/proc``.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[19])


def _alive(pid: int, start: int) -> bool:
    """Tell whether the process ``pid`` that started at ``start`` still runs."""
    if Path("/proc/self/stat").exists():
        return process_start(pid) == start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_tag() -> str:
    pid = os.getpid()
    return f"pid{pid}-t{process_start(pid) or 0}"


# ------------------------------------------------------------------ renames


def _renameat2(source: Path, target: Path, flags: int) -> bool:
    """Rename with Linux ``renameat2`` flags; return False where it is unsupported."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    result = function(
        _AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), ctypes.c_uint(flags)
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL):
        return False
    raise OSError(code, os.strerror(code), str(source), None, str(target))


def rename_noreplace(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target``, failing with ``FileExistsError`` if it exists."""
    if _renameat2(source, target, _RENAME_NOREPLACE):
        return
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, "File exists", str(target))
    try:
        os.rename(source, target)  # fails onto a non-empty folder or a file
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from exc
        raise


# ------------------------------------------------------------------ files


def write_file(target: Path, write: Callable[[Path], object]) -> None:
    """Write a file whole or not at all.

    Parameters
    ----------
    target
        File to write; an existing file is replaced. Its folder must exist.
    write
        Called with a temporary path beside ``target``; writes the content there.

    Raises
    ------
    surveil.errors.OutputError
        When the file cannot be written.
    """
    target = Path(target)
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"Cannot write {target}: {exc.strerror or exc}") from exc
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(f"Cannot write {target}: {exc.strerror or exc}") from exc
        raise


# ------------------------------------------------------------------ folders


def new_partial(target: Path) -> Path:
    """Create the hidden partial folder beside ``target`` that a run writes into."""
    target = Path(os.path.abspath(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(
            tempfile.mkdtemp(
                prefix=f".{target.name}.{_owner_tag()}.", suffix=".partial", dir=target.parent
            )
        )
    except OSError as exc:
        raise OutputError(f"Cannot write to {target.parent}: {exc.strerror or exc}") from exc


def clean_stale(target: Path) -> list[Path]:
    """Remove the partial folders of ``target`` left by processes that no longer run.

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    target = Path(os.path.abspath(target))
    removed: list[Path] = []
    if not target.parent.is_dir():
        return removed
    for path in target.parent.iterdir():
        match = _PARTIAL.match(path.name)
        if match is None or match["name"] != target.name or not path.is_dir():
            continue
        if not _alive(int(match["pid"]), int(match["start"])):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _journal(target: Path) -> Path:
    return target.with_name(f".{target.name}.swap")


def repair(target: Path) -> None:
    """Finish a folder replacement that a killed run left half done.

    A journal whose owner still runs is left alone. Otherwise, if nothing
    is at ``target``, the new folder (complete when the journal was written)
    is moved into place, else the old one is moved back; then the journal and
    stale partial folders are removed.
    """
    target = Path(os.path.abspath(target))
    journal = _journal(target)
    record: dict[str, Any] | None = None
    if journal.is_file():
        try:
            record = json.loads(journal.read_text())
        except (OSError, ValueError):
            record = {}
    if record is not None:
        if record and _alive(int(record.get("pid", 0)), int(record.get("start", 0))):
            return
        new, old = Path(record.get("new", "")), Path(record.get("old", ""))
        if not os.path.lexists(target):
            for candidate in (new, old):
                if candidate.name and candidate.is_dir():
                    os.rename(candidate, target)
                    break
        journal.unlink(missing_ok=True)
    clean_stale(target)


def publish(partial: Path, target: Path, *, replace: bool) -> None:
    """Move a finished partial folder to ``target``.

    Parameters
    ----------
    partial
        Folder from :func:`new_partial`, complete.
    target
        Where it goes.
    replace
        Swap it with the folder at ``target`` (which the caller has checked
        may be replaced); when false, refuse if anything is at ``target``.

    Raises
    ------
    surveil.errors.OutputError
        When ``target`` exists and ``replace`` is false (it may have appeared
        during the run), or the rename fails.
    """
    partial, target = Path(partial), Path(os.path.abspath(target))
    _set_modes(partial)
    if not replace or not os.path.lexists(target):
        if target.is_dir() and not target.is_symlink():
            with contextlib.suppress(OSError):
                target.rmdir()  # an empty folder only: rmdir refuses any other
        try:
            rename_noreplace(partial, target)
        except FileExistsError as exc:
            raise OutputError(
                f"{target} exists (it appeared during the run); nothing was replaced; "
                "choose another --out or pass --overwrite"
            ) from exc
        return
    if _renameat2(partial, target, _RENAME_EXCHANGE):
        shutil.rmtree(partial, ignore_errors=True)  # now holds the old folder
        return
    _swap_with_journal(partial, target)


def _swap_with_journal(partial: Path, target: Path) -> None:
    """Replace ``target`` by ``partial`` in two renames, recoverable by :func:`repair`."""
    journal = _journal(target)
    old = Path(
        tempfile.mkdtemp(
            prefix=f".{target.name}.{_owner_tag()}.", suffix=".partial", dir=target.parent
        )
    )
    old.rmdir()
    record = {
        "pid": os.getpid(),
        "start": process_start(os.getpid()) or 0,
        "new": str(partial),
        "old": str(old),
    }
    try:
        fd = os.open(journal, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError as exc:
        raise OutputError(f"{target}: another surveil run is replacing it; try again") from exc
    with os.fdopen(fd, "w") as fh:
        json.dump(record, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.rename(target, old)
    os.rename(partial, target)
    journal.unlink()
    shutil.rmtree(old, ignore_errors=True)


def _set_modes(folder: Path) -> None:
    """Give the folder and its files the usual modes (temporary ones are private)."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)
