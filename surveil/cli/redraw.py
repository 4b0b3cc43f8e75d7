"""``surveil map``: redraw the map of an output folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from surveil.cli.options import lang_option


def hillshade_from_run(run: dict[str, Any], segments: Any) -> list[tuple[Any, Any]]:
    """Redraw the hillshade from the run's DEM, if it was used and is still there."""
    from surveil._validate import raster_input
    from surveil.terrain import area_hillshade

    dem = next((i["path"] for i in run.get("inputs", []) if i.get("layer") == "dem"), None)
    if dem is None:
        return []
    if not Path(dem).is_file():
        click.echo(f"Warning: {dem} is gone; the map has no hillshade", err=True)
        return []
    west, south, east, north = (float(b) for b in segments.total_bounds)
    with raster_input(dem):
        return [area_hillshade(dem, (west, south, east, north))]


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

    \b
    Examples:
      surveil map maps/demo --lang ru
      surveil map maps/demo --out maps/demo/map-ru.html --lang ru
    """
    from surveil.maps import assessment_map, save_map
    from surveil.outputs import read_outputs

    layers, info = read_outputs(folder)
    scenario = info["run"].get("scenario", {})
    m = assessment_map(
        layers,
        summary=info["summary"],
        lang=lang,
        title=scenario.get("name"),
        attribution=scenario.get("attribution"),
        hillshade=hillshade_from_run(info["run"], layers["segments"]),
    )
    target = out or folder / "map.html"
    save_map(m, target)
    click.echo(f"Wrote {target}")
