"""``surveil assess``: run an assessment and write its output folder."""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from surveil.cli.main import progress_printer
from surveil.cli.options import layer_options, output_options, parameter_options


def default_out(name: str) -> Path:
    """Return a new folder name under ``./maps/`` for a scenario name."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "assessment"
    return Path("maps") / f"{slug}-{datetime.now():%Y%m%d-%H%M%S}"


def run_and_write(
    ctx: click.Context, scenario: Any, out: Path | None, *, overwrite: bool, lang: str
) -> None:
    """Assess a scenario, write the folder and print the key figures."""
    from surveil.assessment import assess
    from surveil.outputs import write_outputs

    report = progress_printer(ctx)
    started = time.perf_counter()
    out = out or default_out(scenario.name)
    if out.exists() and not overwrite:
        # Fail before the work, not after it.
        from surveil.errors import OutputError

        raise OutputError(f"{out} exists; choose another --out or pass --overwrite")
    result = assess(scenario, progress=report)
    report("writing outputs")
    write_outputs(result, out, overwrite=overwrite, lang=lang)
    s = result.summary
    if not (ctx.obj or {}).get("quiet"):
        click.echo(
            f"{s['km_assessed']:.1f} km in {s['segments']} segments: "
            f"{s['km_covered']:.1f} km covered ({100 * s['covered_share']:.0f} %), "
            f"{s['gap_count']} gaps over {s['gap_km']:.1f} km, "
            f"{s['high_risk_km']:.1f} km high or critical risk; "
            f"needs {s['capex_eur']:,.0f} EUR CAPEX, {s['opex_eur_per_year']:,.0f} EUR/year OPEX."
        )
        click.echo(f"Wrote {out} in {time.perf_counter() - started:.1f} s")


def scenario_from_options(scenario_file: Path | None, options: dict[str, Any]) -> Any:
    """Load a scenario from a file and the command line's overrides."""
    from surveil.scenario import load_scenario

    layers = {
        k: options.get(k)
        for k in ("border", "sensors", "patrols", "incidents", "posts", "settlements", "roads")
    }
    parameters = {
        k: options[k] for k in ("segment_m", "sample_m", "target_pd") if options.get(k) is not None
    }
    if scenario_file is None and layers["border"] is None:
        raise click.UsageError("give a scenario file or at least --border")
    return load_scenario(
        scenario_file,
        layers={k: v for k, v in layers.items() if v is not None},
        parameters=parameters,
        catalogue=options.get("catalogue"),
        crs=options.get("crs"),
    )


@click.command("assess")
@click.argument("scenario_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@layer_options
@parameter_options
@output_options
@click.pass_context
def command(
    ctx: click.Context,
    scenario_file: Path | None,
    out: Path | None,
    overwrite: bool,
    lang: str,
    **options: Any,
) -> None:
    """Assess a border section and write maps and tables to a folder.

    SCENARIO_FILE is a TOML file naming the layers and parameters; flags
    override it. The folder gets assessment.gpkg, segments.csv, gaps.csv,
    needs.csv, needs.xlsx, summary.json, map.html and run.json.

    \b
    Examples:
      surveil assess data/kgz-tjk/scenario.toml --out maps/kgz-tjk
      surveil assess --border border.gpkg --sensors towers.csv --target-pd 0.6
      surveil assess scenario.toml --segment-m 500 --lang ru --overwrite
    """
    scenario = scenario_from_options(scenario_file, options)
    run_and_write(ctx, scenario, out, overwrite=overwrite, lang=lang)
