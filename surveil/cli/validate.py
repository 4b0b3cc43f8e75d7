"""``surveil validate``: check a scenario's inputs and print every problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from surveil.cli._common import scenario_from_options
from surveil.cli.options import LAYER_FLAGS, layer_options, parameter_options


@click.command("validate")
@click.argument("scenario_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@layer_options
@parameter_options
@click.pass_context
def command(ctx: click.Context, scenario_file: Path | None, **options: Any) -> None:
    """Check the inputs of an assessment without running it.

    Every problem of every layer is printed (file, layer, row, field, value
    and what is accepted); the exit code is 0 when the inputs are usable and
    2 when they are not.

    \b
    Examples:
      surveil validate scenario.toml
      surveil validate --border border.gpkg --sensors towers.csv
    """
    scenario = scenario_from_options(scenario_file, options)
    dem_line = ""
    if scenario.dem is not None:
        from surveil._validate import raster_input
        from surveil.terrain import read_dem

        west, south, east, north = (float(b) for b in scenario.border.total_bounds)
        with raster_input(scenario.dem):
            dem = read_dem(str(scenario.dem), bounds=(west, south, east, north), buffer_m=1000.0)
        rows, cols = dem.shape
        dem_line = f"dem          {cols} x {rows} cells of {dem.cell_m:.0f} m around the border"
    if (ctx.obj or {}).get("quiet"):
        return
    for kind in LAYER_FLAGS:
        frame = getattr(scenario, kind)
        click.echo(f"{kind:12s} {len(frame):6d} features")
    click.echo(f"catalogue    {len(scenario.catalogue):6d} means")
    if dem_line:
        click.echo(dem_line)
    click.echo("OK: the inputs are usable.")
