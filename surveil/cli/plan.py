"""``surveil plan``: place new means for a budget, or to close the gaps, and write the plan."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from surveil.cli._common import default_out, progress_printer, scenario_from_options
from surveil.cli.options import layer_options, output_options, parameter_options


@click.command("plan")
@click.argument("scenario_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--budget", type=float, default=None, help="CAPEX limit, EUR.")
@click.option("--annual", type=float, default=None, help="Annual cost (OPEX) limit, EUR a year.")
@click.option("--staff", type=float, default=None, help="Staff limit, full-time equivalents.")
@click.option(
    "--close-gaps",
    is_flag=True,
    help="Find the cheapest set (CAPEX + lifecycle_years x OPEX) that lifts every reachable "
    "target point to target_pd.",
)
@click.option(
    "--solver",
    type=click.Choice(["auto", "greedy", "milp"]),
    default="auto",
    show_default=True,
    help="Lazy greedy, exact MILP through HiGHS, or MILP where the instance is small enough.",
)
@layer_options
@parameter_options
@output_options
@click.pass_context
def command(
    ctx: click.Context,
    scenario_file: Path | None,
    budget: float | None,
    annual: float | None,
    staff: float | None,
    close_gaps: bool,
    solver: str,
    out: Path | None,
    overwrite: bool,
    lang: str,
    **options: Any,
) -> None:
    """Place new means at candidate sites and write the plan with its re-assessment.

    Give a budget (--budget, --annual, --staff; any together) or --close-gaps.
    The folder gets the re-assessed plan's outputs (map, tables; needs from
    the placement), sites.csv and plan.gpkg (the recommended sites), the
    budget curve (budget_curve.csv, budget_curve.png), plan.json (solver,
    objective, bound and gap, limits, KPIs before and after) and plan.toml,
    the scenario with the new means as planned: 'surveil assess plan.toml'
    re-assesses it.

    \b
    Examples:
      surveil plan data/kgz-tjk/scenario.toml --close-gaps --out maps/kgz-plan
      surveil plan scenario.toml --budget 500000 --annual 80000 --solver milp
      surveil plan scenario.toml --budget 1e6 --staff 12 --lang ru --overwrite
    """
    from surveil._outdir import resolve_out
    from surveil.assessment import assess
    from surveil.outputs import PLAN_NAMES, write_plan
    from surveil.planning import plan

    if not close_gaps and budget is None and annual is None and staff is None:
        raise click.UsageError("give --budget, --annual and/or --staff, or --close-gaps")
    if close_gaps and (budget is not None or annual is not None or staff is not None):
        raise click.UsageError("--close-gaps takes no budget; give one or the other")
    report = progress_printer(ctx)
    started = time.perf_counter()
    scenario = scenario_from_options(scenario_file, options)
    target = out or default_out(f"{scenario.name}-plan")
    inputs = list(scenario.sources.values())
    resolve_out(target, overwrite=overwrite, inputs=inputs, names=PLAN_NAMES)  # before the work
    result = plan(
        scenario,
        capex_eur=budget,
        opex_eur_per_year=annual,
        staff_fte=staff,
        close_gaps=close_gaps,
        solver=solver,
        progress=report,
    )
    report("re-assessing the plan")
    assessed = assess(result.scenario, baseline=result.baseline, progress=report)
    report("writing outputs")
    write_plan(result, assessed, target, overwrite=overwrite, lang=lang)
    if not (ctx.obj or {}).get("quiet"):
        before, after = result.baseline.summary, assessed.summary
        r = result.result
        gap = f", gap {100 * r.gap:.2f} %" if r.gap == r.gap else ""
        click.echo(
            f"{len(result.sites)} means placed ({r.method}{gap}): {r.capex_eur:,.0f} EUR CAPEX, "
            f"{r.opex_eur_per_year:,.0f} EUR/year OPEX, {r.staff_fte:.1f} FTE; gap km "
            f"{before['gap_km']:.1f} -> {after['gap_km']:.1f}, high or critical risk km "
            f"{before['high_risk_km']:.1f} -> {after['high_risk_km']:.1f}; "
            f"{result.unreachable['length_km'].sum():.1f} km no option can reach."
        )
        click.echo(f"Wrote {target} in {time.perf_counter() - started:.1f} s")
