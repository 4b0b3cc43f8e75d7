"""``surveil demo``: assess the bundled demo scenario."""

from __future__ import annotations

from pathlib import Path

import click

from surveil.cli._common import run_and_write
from surveil.cli.options import output_options


@click.command("demo")
@output_options
@click.pass_context
def command(ctx: click.Context, out: Path | None, overwrite: bool, lang: str) -> None:
    """Run the full assessment on the bundled demo scenario.

    The demo is synthetic (its border is not a real boundary); it shows every
    output of an assessment. Open map.html in the output folder in a browser;
    it works without internet.

    \b
    Examples:
      surveil demo
      surveil demo --out maps/demo --overwrite --lang ru
    """
    from surveil.datasets import load_demo

    run_and_write(ctx, load_demo(), out, overwrite=overwrite, lang=lang)
