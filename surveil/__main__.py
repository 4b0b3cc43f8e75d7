"""Run the surveil command line: ``python -m surveil``."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_INPUT = 2


def shadowing_folder() -> Path | None:
    """Return the folder that Python took for the package ``surveil``, if not the package.

    Run from the folder above a clone named ``surveil``, Python imports that
    folder (which has no ``__init__.py``) as a namespace package ``surveil``;
    with an editable install it wins over the real package, whose modules are
    then found one by one without their package, and things break later.

    Returns
    -------
    pathlib.Path or None
        The shadowing folder, or None when ``surveil`` is the real package.
    """
    package = sys.modules.get("surveil")
    if package is None or getattr(package, "__file__", None) is not None:
        return None
    paths = list(getattr(package, "__path__", []))
    return Path(paths[0]).resolve() if paths else Path("surveil").resolve()


def main() -> None:
    """Refuse to run under a shadowing folder, else run the command group."""
    folder = shadowing_folder()
    if folder is not None:
        sys.stderr.write(
            f"Error: the folder {folder} shadows the installed package surveil "
            "(Python imports a folder named surveil in the current directory first). "
            "Run from another folder, e.g. cd into the clone, or use the surveil command.\n"
        )
        sys.exit(EXIT_INPUT)
    try:
        from surveil.cli.main import main as run
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
