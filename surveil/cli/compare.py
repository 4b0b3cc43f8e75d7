"""``surveil compare``: a plan against its baseline, threat held at the baseline."""

from __future__ import annotations

import json
from pathlib import Path

import click

from surveil.cli._common import progress_printer
from surveil.cli.options import output_options


def _scenario(path: Path):  # type: ignore[no-untyped-def]
    """Load a scenario from a TOML file, or rebuild it from an output folder's run.json."""
    from surveil.outputs import scenario_from_run
    from surveil.scenario import load_scenario

    if path.is_dir():
        return scenario_from_run(path)
    return load_scenario(path)


#: Names a folder written by ``surveil compare`` holds.
COMPARE_NAMES = (
    "compare.csv",
    "compare_gaps.csv",
    "compare.json",
    "map.html",
    "plan",
    "run.json",
)


def _plan_sites(path: Path, added: int):  # type: ignore[no-untyped-def]
    """Return the sites of the placement a plan came from, if its folder has them.

    ``surveil plan`` writes ``plan.gpkg`` (layer ``sites``) beside
    ``plan.toml``; the sites are taken only when their sensors are as many as
    the sensors the plan adds (the plan was not edited since), else None.
    """
    import geopandas as gpd

    folder = path if path.is_dir() else path.parent
    gpkg = folder / "plan.gpkg"
    if not (gpkg.is_file() and (folder / "plan.json").is_file()):
        return None
    try:
        sites = gpd.read_file(gpkg, layer="sites")
    except Exception:  # unreadable: mark the means the plan adds instead
        return None
    if "kind" not in sites or int((sites["kind"] == "sensor").sum()) != added:
        return None
    return sites.to_crs(4326)


@click.command("compare")
@click.argument("base", type=click.Path(exists=True, path_type=Path))
@click.argument("plan", type=click.Path(exists=True, path_type=Path))
@output_options
@click.pass_context
def command(
    ctx: click.Context, base: Path, plan: Path, out: Path | None, overwrite: bool, lang: str
) -> None:
    """Compare a plan with its baseline: deltas per segment, gap and key figure.

    BASE and PLAN are scenario files or output folders of 'surveil assess'
    (rebuilt from their run.json). The plan is assessed against the
    baseline's recording posture, so threat is held at the baseline and the
    plan is credited once, through vulnerability. The folder gets
    compare.csv (segments), compare_gaps.csv, compare.json (key figures,
    the plan's own cost, gap outcomes), map.html (both postures as layers to
    toggle, the segments that changed, the plan's new sites, gaps before and
    after) and the plan's own outputs in plan/.

    \b
    Examples:
      surveil compare data/kgz-tjk/scenario.toml plan/plan.toml --out maps/compare
      surveil compare maps/today maps/plan --out maps/compare --lang ru
    """
    from surveil._outdir import resolve_out
    from surveil.assessment import assess
    from surveil.comparison import compare, comparison_json
    from surveil.comparison_map import comparison_map
    from surveil.maps import save_map
    from surveil.outputs import table_csv, write_folder

    target = out or Path("maps") / "compare"
    resolve_out(target, overwrite=overwrite, inputs=[base, plan], names=COMPARE_NAMES)
    report = progress_printer(ctx)
    report("baseline")
    base_result = assess(_scenario(base), progress=report)
    report("plan")
    plan_result = assess(_scenario(plan), baseline=base_result, progress=report)
    added = (
        ~plan_result.scenario.sensors["id"]
        .astype(str)
        .isin(set(base_result.scenario.sensors["id"].astype(str)))
    ).sum()
    result = compare(base_result, plan_result, sites=_plan_sites(plan, int(added)))

    def write(folder: Path) -> None:
        table_csv(result.segments, folder / "compare.csv")
        table_csv(result.gaps, folder / "compare_gaps.csv")
        record = comparison_json(result)
        (folder / "compare.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        save_map(
            comparison_map(result, lang=lang, hillshade=base_result.hillshade()),
            folder / "map.html",
        )
        plan_result.save(folder / "plan", lang=lang)

    record = {"kind": "compare", "base": str(base.resolve()), "plan": str(plan.resolve())}
    write_folder(
        target, write, overwrite=overwrite, record=record, names=COMPARE_NAMES, inputs=[base, plan]
    )
    if not (ctx.obj or {}).get("quiet"):
        k = result.kpis
        click.echo(
            f"Plan against baseline: covered {k['km_covered']['change']:+.1f} km, "
            f"gaps {k['gap_km']['change']:+.1f} km, high or critical risk "
            f"{k['high_risk_km']['change']:+.1f} km; the plan costs "
            f"{result.cost['capex_eur']:,.0f} EUR CAPEX and "
            f"{result.cost['opex_eur_per_year']:,.0f} EUR/year OPEX."
        )
        click.echo(f"Wrote {target}")
