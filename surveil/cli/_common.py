"""What the commands share: loading a scenario from options, running and writing."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from surveil.cli.options import LAYER_FLAGS

if TYPE_CHECKING:
    from surveil.scenario import Scenario


def progress_printer(ctx: click.Context) -> Callable[[str], None]:
    """Return a progress callback that prints steps on a terminal (or with -v)."""
    obj = ctx.obj or {}
    show = not obj.get("quiet") and (sys.stderr.isatty() or obj.get("verbose", 0) > 0)

    def report(step: str) -> None:
        if show:
            click.echo(f"  … {step}", err=True)

    return report


def default_out(name: str) -> Path:
    """Return a new folder name under ``./maps/`` for a scenario name."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "assessment"
    return Path("maps") / f"{slug}-{datetime.now():%Y%m%d-%H%M%S}"


def scenario_from_options(scenario_file: Path | None, options: dict[str, Any]) -> Scenario:
    """Load a scenario from a file and the command line's overrides."""
    from surveil.scenario import load_scenario

    layers = {k: options[k] for k in LAYER_FLAGS if options.get(k) is not None}
    parameters = {
        k: options[k] for k in ("segment_m", "sample_m", "target_pd") if options.get(k) is not None
    }
    if scenario_file is None and "border" not in layers:
        raise click.UsageError("give a scenario file or at least --border")
    return load_scenario(
        scenario_file,
        layers=layers,
        parameters=parameters,
        catalogue=options.get("catalogue"),
        crs=options.get("crs"),
        repair=not options.get("no_repair", False),
        dem=options.get("dem"),
    )


def _needs_text(summary: Any) -> str:
    """Return the needs part of the summary line, saying when it is a quick estimate."""
    cost = (
        f"{summary['capex_eur']:,.0f} EUR CAPEX, {summary['opex_eur_per_year']:,.0f} EUR/year OPEX"
    )
    if summary.get("needs_quick_estimate") is True:
        return (
            f"needs, quick estimate on a straight, flat line: {cost} "
            "('surveil plan' places means with terrain)."
        )
    return f"needs {cost}."


def run_and_write(
    ctx: click.Context,
    scenario: Scenario,
    out: Path | None,
    *,
    overwrite: bool,
    lang: str,
    baseline: Scenario | None = None,
    inputs: Iterable[Path | None] = (),
    scenario_file: Path | None = None,
) -> None:
    """Assess a scenario (against a baseline's posture), write the folder, print key figures.

    ``inputs`` are files read besides the scenarios' layers (their TOML files);
    they and the layers are never inside what ``--overwrite`` replaces.
    ``run.json`` records the inputs relative to ``scenario_file``.
    """
    from surveil._outdir import resolve_out
    from surveil.assessment import assess
    from surveil.outputs import write_outputs

    report = progress_printer(ctx)
    started = time.perf_counter()
    read = [*(p for p in (scenario_file, *inputs) if p is not None), *scenario.sources.values()]
    if baseline is not None:
        read += baseline.sources.values()
    out = resolve_out(out or default_out(scenario.name), overwrite=overwrite, inputs=read)
    base = None
    if baseline is None and scenario.baseline_file is not None:  # a plan names its baseline
        from surveil.scenario import load_scenario

        baseline = load_scenario(scenario.baseline_file)
    if baseline is not None:
        report("baseline")
        base = assess(baseline, progress=report)
    result = assess(scenario, baseline=base, progress=report)
    report("writing outputs")
    write_outputs(result, out, overwrite=overwrite, lang=lang, scenario_file=scenario_file)
    s = result.summary
    if not (ctx.obj or {}).get("quiet"):
        click.echo(
            f"{s['km_assessed']:.1f} km in {s['segments']} segments: "
            f"{s['km_covered']:.1f} km covered ({100 * s['covered_share']:.0f} %), "
            f"{s['gap_count']} gaps over {s['gap_km']:.1f} km, "
            f"{s['high_risk_km']:.1f} km high or critical risk; " + _needs_text(s)
        )
        click.echo(f"Wrote {out} in {time.perf_counter() - started:.1f} s")
