"""``surveil demo``: assess a bundled scenario."""

from __future__ import annotations

from pathlib import Path

import click

from surveil.cli._common import run_and_write
from surveil.cli.options import output_options
from surveil.datasets import DATASETS, DEMO


@click.command("demo")
@click.option(
    "--dataset",
    type=click.Choice(list(DATASETS)),
    default=DEMO,
    show_default=True,
    help="Bundled scenario to assess.",
)
@output_options
@click.pass_context
def command(ctx: click.Context, dataset: str, out: Path | None, overwrite: bool, lang: str) -> None:
    """Run the full assessment on a bundled sample scenario.

    The default is the Batken – Isfara – Vorukh sector of the Kyrgyz–Tajik
    border: real border, settlements and terrain, with ILLUSTRATIVE sensors,
    patrols, posts and incidents. Open map.html in the output folder in a
    browser; it works without internet.

    \b
    Examples:
      surveil demo
      surveil demo --dataset tjk-afg --out maps/panj --lang ru
      surveil demo --out maps/demo --overwrite
    """
    from surveil.datasets import get_path, load_demo

    run_and_write(
        ctx,
        load_demo(dataset),
        out,
        overwrite=overwrite,
        lang=lang,
        scenario_file=get_path(dataset),
    )
