"""``surveil generate``: write a seeded synthetic scenario of any size to a folder."""

from __future__ import annotations

import time
from pathlib import Path

import click


@click.command("generate")
@click.option(
    "--border-km",
    type=click.FloatRange(0, 50_000, min_open=True),
    default=1000.0,
    show_default=True,
    help="Border length in km (geodesic).",
)
@click.option(
    "--sensors", type=click.IntRange(0), default=100, show_default=True, help="Number of sensors."
)
@click.option(
    "--patrols",
    type=click.IntRange(0),
    default=None,
    help="Number of patrol routes (default: one per 15 km of border).",
)
@click.option(
    "--incidents",
    type=click.IntRange(0),
    default=10_000,
    show_default=True,
    help="Number of incidents.",
)
@click.option(
    "--sections",
    type=click.IntRange(1),
    default=None,
    help="Number of border sections (default: one per 3000 km).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generator.")
@click.option(
    "--dem-m",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help="Also write a synthetic DEM with pixels of this size in metres (30 for SRTM-like "
    "1 arc-second tiles) to OUT/dem/; needs rasterio.",
)
@click.option(
    "--segment-m",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help="Segment length written to scenario.toml, metres (default 1000).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the scenario to.",
)
@click.option("--overwrite", is_flag=True, help="Replace the folder if it exists.")
@click.pass_context
def command(
    ctx: click.Context,
    border_km: float,
    sensors: int,
    patrols: int | None,
    incidents: int,
    sections: int | None,
    seed: int,
    dem_m: float | None,
    segment_m: float | None,
    out: Path,
    overwrite: bool,
) -> None:
    """Write a synthetic scenario of any size, for benchmarks and scale tests.

    Everything in it is SYNTHETIC: a meandering border from 50° E, 48.5° N
    eastwards (15 000 km fit in 40-49° N), sensors facing it from one side,
    patrol routes along it, posts, settlements, roads and incidents clustered
    along it (see surveil.synthetic). The folder gets CSV and GeoJSON layers
    and a scenario.toml that surveil assess takes as it is.

    \b
    Examples:
      surveil generate --border-km 500 --sensors 200 --out synthetic-500
      surveil generate --border-km 15000 --sensors 10000 --incidents 1000000 \\
          --segment-m 100 --out national
      surveil generate --border-km 50 --dem-m 30 --seed 3 --out small-with-dem
      surveil assess synthetic-500/scenario.toml --out maps/synthetic-500
    """
    from surveil.synthetic import write_synthetic

    started = time.perf_counter()
    toml = write_synthetic(
        out,
        border_km=border_km,
        sensors=sensors,
        patrols=patrols if patrols is not None else max(1, round(border_km / 15)),
        incidents=incidents,
        sections=sections,
        seed=seed,
        dem_m=dem_m,
        overwrite=overwrite,
        parameters={"segment_m": segment_m} if segment_m is not None else None,
    )
    if not (ctx.obj or {}).get("quiet"):
        click.echo(f"Wrote {toml} in {time.perf_counter() - started:.1f} s")
