"""The ``surveil`` command group: verbosity, version and clean error handling."""

from __future__ import annotations

import traceback
import warnings
from typing import Any

import click

from surveil._version import __version__
from surveil.cli.options import verbosity_options
from surveil.errors import OutputError, SurveilError

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class SurveilGroup(click.Group):
    """A click group that turns library errors into messages and exit codes.

    Bad input (:class:`~surveil.errors.SurveilError`) exits 2 with the
    message and no traceback; anything else is an internal error, exit 1,
    with the traceback only under ``-v``.
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; map errors to exit codes and show warnings once."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return super().invoke(ctx)
            except (SurveilError, OutputError) as err:
                _show_warnings(caught)
                click.echo(f"Error: {err}", err=True)
                ctx.exit(EXIT_INPUT)
            except KeyboardInterrupt:
                click.echo("Interrupted.", err=True)
                ctx.exit(EXIT_INTERRUPTED)
            except (click.exceptions.Exit, click.ClickException, click.Abort):
                _show_warnings(caught)
                raise
            except Exception as err:  # the last line of defence: no traceback for users
                _show_warnings(caught)
                if ctx.obj and ctx.obj.get("verbose", 0) > 0:
                    traceback.print_exc()
                click.echo(
                    f"Internal error: {type(err).__name__}: {err}\n"
                    "This is a bug in surveil; run again with -v for the traceback and report it.",
                    err=True,
                )
                ctx.exit(EXIT_INTERNAL)
            _show_warnings(caught)
        return None


def _show_warnings(caught: list[warnings.WarningMessage]) -> None:
    seen = set()
    for w in caught:
        text = str(w.message)
        if text not in seen and issubclass(w.category, UserWarning):
            seen.add(text)
            click.echo(f"Warning: {text}", err=True)


@click.group(cls=SurveilGroup)
@verbosity_options
@click.version_option(__version__, prog_name="surveil")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Green-border surveillance gap assessment.

    Cut a border into segments, combine sensors, patrols, incidents and
    context, and find where the border is blind, where the risk is and what
    it would take to close the gaps.

    \b
    Examples:
      surveil demo
      surveil assess scenario.toml --out maps/batken
      surveil validate scenario.toml
      surveil map maps/batken --lang ru
    """
    ctx.ensure_object(dict)


def main() -> None:
    """Run the command line; Ctrl-C at any point exits 130 with one line."""
    import sys

    try:
        cli(prog_name="surveil")
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(EXIT_INTERRUPTED)


def _register() -> None:
    from surveil.cli import assess, compare, demo, generate, plan, redraw, validate

    for module in (demo, assess, validate, redraw, generate, plan, compare):
        cli.add_command(verbosity_options(module.command))  # -v/-q after the command too


_register()
