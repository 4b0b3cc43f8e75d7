"""``surveil assess``: run an assessment and write its output folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from surveil.cli._common import run_and_write, scenario_from_options
from surveil.cli.options import LAYER_FLAGS, layer_options, output_options, parameter_options


@click.command("assess")
@click.argument("scenario_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Scenario of the posture under which the incidents were recorded (today's means), "
    "when SCENARIO_FILE is a plan: incidents are corrected by the baseline's detection, so "
    "the plan changes vulnerability, not threat.",
)
@layer_options
@parameter_options
@output_options
@click.pass_context
def command(
    ctx: click.Context,
    scenario_file: Path | None,
    baseline: Path | None,
    out: Path | None,
    overwrite: bool,
    lang: str,
    **options: Any,
) -> None:
    """Assess a border section and write maps and tables to a folder.

    SCENARIO_FILE is a TOML file naming the layers and parameters; flags
    override it. The folder gets assessment.gpkg (with QGIS styles),
    segments.csv, gaps.csv, needs.csv, needs.xlsx, summary.json, map.html,
    run.json and, with terrain, hillshade.png and hillshade.json.

    \b
    Examples:
      surveil assess data/kgz-tjk/scenario.toml --out maps/kgz-tjk
      surveil assess --border border.gpkg --sensors towers.csv --target-pd 0.6
      surveil assess scenario.toml --segment-m 500 --lang ru --overwrite
      surveil assess plan.toml --baseline today.toml --out maps/plan
    """
    scenario = scenario_from_options(scenario_file, options)
    base = None
    if baseline is not None:
        # Layer flags change the plan; the baseline keeps its file's layers.
        shared = {k: v for k, v in options.items() if k not in LAYER_FLAGS}
        base = scenario_from_options(baseline, shared)
    run_and_write(
        ctx,
        scenario,
        out,
        overwrite=overwrite,
        lang=lang,
        baseline=base,
        inputs=[baseline],
        scenario_file=scenario_file,
    )
