"""``surveil sweep``: how sure are the gaps? Sensitivity and Monte Carlo on dask."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from surveil.cli._common import default_out, scenario_from_options
from surveil.cli.options import lang_option


@click.command("sweep")
@click.argument("scenario_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--samples",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Monte Carlo samples (a seeded Latin hypercube over the varied assumptions).",
)
@click.option(
    "--vary",
    "vary",
    multiple=True,
    metavar="NAME=LO..HI",
    help="An uncertain assumption and its range: a parameter (trace_persistence_h=6..24, "
    "bandwidth_m=1500..6000, refraction=0..0.25), pd:TYPE=LO..HI or availability:TYPE=LO..HI "
    "for every sensor of a type. Repeat for more.",
)
@click.option(
    "--dem-error-m",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Standard deviation of the DEM's vertical error, metres (spatially correlated noise).",
)
@click.option(
    "--dem-correlation-m",
    type=click.FloatRange(min=0),
    default=1000.0,
    show_default=True,
    help="Correlation length of the DEM error, metres (correlation 1/e at that distance).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draws.")
@click.option(
    "--top-n",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="N of the gap ranking whose stability gap_stability.csv gives.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Workers of a local dask cluster (default: one per core; 0: no cluster, one process).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Address of an existing dask scheduler (tcp://host:8786) instead of a local cluster.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: a new folder under ./maps/).",
)
@click.option("--overwrite", is_flag=True, help="Replace the output folder if it exists.")
@lang_option
@click.pass_context
def command(
    ctx: click.Context,
    scenario_file: Path,
    samples: int,
    vary: tuple[str, ...],
    dem_error_m: float,
    dem_correlation_m: float,
    seed: int,
    top_n: int,
    workers: int | None,
    scheduler: str | None,
    out: Path | None,
    overwrite: bool,
    lang: str,
) -> None:
    """Sweep uncertain assumptions: KPI bands, gap probability and gap stability.

    Runs each varied assumption at its low and high end (tornado.png) and
    SAMPLES joint draws (Latin hypercube, seeded; DEM error as correlated
    noise), each a whole assessment, on a dask cluster. Writes the
    baseline's outputs (map.html with a layer of each segment's probability
    of lying in a gap, report.html with the sweep's section, the tables and
    the GeoPackage) and sweep.csv, kpi_bands.csv, segment_gap_probability.csv,
    gap_stability.csv, tornado.csv and tornado.png.

    \b
    Examples:
      surveil sweep data/kgz-tjk/scenario.toml --samples 200 \\
          --vary trace_persistence_h=6..24 --vary bandwidth_m=1500..6000 \\
          --vary pd:thermal_tower=0.6..0.9 --dem-error-m 8 --out maps/kgz-sweep
      surveil sweep scenario.toml --samples 50 --vary refraction=0..0.25 --workers 2
      surveil sweep scenario.toml --scheduler tcp://scheduler.example:8786 --samples 1000
    """
    from surveil._outdir import resolve_out
    from surveil.sweeping import OUTPUT_NAMES, Uncertain, sweep

    quiet = (ctx.obj or {}).get("quiet")
    started = time.perf_counter()
    items = [Uncertain.parse(v) for v in vary]
    scenario = scenario_from_options(scenario_file, {})
    out = out or default_out(f"{scenario.name}-sweep")
    read = [scenario_file, *scenario.sources.values()]
    resolve_out(out, overwrite=overwrite, inputs=read, names=OUTPUT_NAMES)
    bar = None
    if not quiet:
        bar = click.progressbar(length=1, label="assessments", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = total
            bar.update(done - bar.pos)

    try:
        result = sweep(
            scenario,
            vary=items,
            samples=samples,
            dem_error_m=dem_error_m,
            dem_correlation_m=dem_correlation_m,
            seed=seed,
            top_n=top_n,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.render_finish()
    result.save(out, overwrite=overwrite, lang=lang)
    if not quiet:
        bands = result.bands.set_index("kpi")
        for kpi, label in (("gap_km", "gap km"), ("high_risk_km", "high-risk km")):
            b = bands.loc[kpi]
            click.echo(
                f"{label}: baseline {b['baseline']:.1f}, P5 {b['p5']:.1f}, "
                f"P50 {b['p50']:.1f}, P95 {b['p95']:.1f}"
            )
        click.echo(f"Wrote {out} in {time.perf_counter() - started:.1f} s")
