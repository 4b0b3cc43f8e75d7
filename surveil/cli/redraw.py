"""``surveil map``: redraw the map of an output folder from the folder alone."""

from __future__ import annotations

import os
from pathlib import Path

import click

from surveil.cli.options import lang_option


@click.command("map")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@lang_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML file to write (default: FOLDER/map.html, replaced).",
)
def command(folder: Path, lang: str, out: Path | None) -> None:
    """Redraw map.html from an output folder, e.g. in another language.

    Everything the map shows is read from the folder: the layers of
    assessment.gpkg, summary.json, run.json and the hillshade image kept
    beside them, so the folder may be moved or copied on its own. The map
    gets the file mode of the one it replaces.

    \b
    Examples:
      surveil map maps/demo --lang ru
      surveil map maps/demo --out maps/demo/map-ru.html --lang ru
    """
    from surveil.maps import assessment_map, save_map
    from surveil.outputs import map_titles, read_hillshade, read_outputs

    layers, info = read_outputs(folder)
    m = assessment_map(
        layers,
        summary=info["summary"],
        lang=lang,
        **map_titles(info["run"].get("scenario", {}), lang),
        hillshade=read_hillshade(folder),
    )
    target = out or folder / "map.html"
    mode = _mode_of(target, folder)
    save_map(m, target)
    if mode is not None:
        os.chmod(target, mode)
    click.echo(f"Wrote {target}")


def _mode_of(target: Path, folder: Path) -> int | None:
    """Return the permission bits a redrawn map gets: those of the map it replaces.

    A new file beside the folder's other outputs takes the mode of
    ``summary.json``; None leaves the mode that :func:`surveil.maps.save_map`
    gives (the usual one under the umask).
    """
    for like in (target, folder / "summary.json"):
        if like.is_file():
            return like.stat().st_mode & 0o777
    return None
