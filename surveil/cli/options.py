"""Options shared by several commands, each defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = Callable[..., Any]
C = TypeVar("C", bound=Callable[..., Any])

existing_file = click.Path(exists=False, dir_okay=False, path_type=Path)

LAYER_FLAGS = (
    "border",
    "sensors",
    "patrols",
    "incidents",
    "posts",
    "settlements",
    "roads",
    "areas",
    "rivers",
)


def _count_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    if value:
        obj = ctx.ensure_object(dict)
        obj["verbose"] = obj.get("verbose", 0) + value


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(dict)["quiet"] = True


def verbosity_options(f: C) -> C:
    """Add ``-v/--verbose`` and ``-q/--quiet``, which the group and every command accept.

    The values go to ``ctx.obj`` (shared by the group and its command), so
    ``surveil -q demo`` and ``surveil demo -q`` do the same.
    """
    f = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_set_quiet,
        help="No progress output.",
    )(f)
    f = click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        callback=_count_verbose,
        help="More output (tracebacks of internal errors).",
    )(f)
    return f


def layer_options(f: F) -> F:
    """Add ``--border``, ``--sensors`` ... (paths that override the scenario file)."""
    for name in reversed(LAYER_FLAGS):
        f = click.option(
            f"--{name}",
            type=existing_file,
            default=None,
            help=f"{name.capitalize()} layer (any OGR format, or CSV or XLSX with lon/lat); "
            "overrides the scenario file.",
        )(f)
    f = click.option(
        "--catalogue",
        type=existing_file,
        default=None,
        help="Catalogue of means (TOML or CSV); the shipped indicative one by default.",
    )(f)
    f = click.option(
        "--dem",
        type=existing_file,
        default=None,
        help="Terrain GeoTIFF (any CRS) for line of sight, slope and hillshade; "
        "overrides the scenario file.",
    )(f)
    f = click.option(
        "--no-repair",
        "no_repair",
        is_flag=True,
        help="Refuse invalid geometries instead of repairing them with a warning.",
    )(f)
    f = click.option(
        "--crs",
        default=None,
        help="CRS of layers whose files state none (x/y columns, a shapefile without .prj), "
        "e.g. EPSG:32642; layers with a CRS of their own or lon/lat columns keep theirs.",
    )(f)
    return f


def parameter_options(f: F) -> F:
    """Add ``--segment-m``, ``--sample-m`` and ``--target-pd``.

    Their values are checked by the scenario's parameter rules (one home,
    :func:`surveil.scenario.Parameters`), as if given in the scenario file.
    """
    f = click.option(
        "--target-pd",
        type=float,
        default=None,
        help="Detection probability that counts as covered (default 0.5).",
    )(f)
    f = click.option(
        "--sample-m",
        type=float,
        default=None,
        help="Spacing of target points along the border, metres (default 50).",
    )(f)
    f = click.option(
        "--segment-m",
        type=float,
        default=None,
        help="Segment length, metres (default 1000).",
    )(f)
    return f


def output_options(f: F) -> F:
    """Add ``--out``, ``--overwrite`` and ``--lang``."""
    f = lang_option(f)
    f = click.option("--overwrite", is_flag=True, help="Replace the output folder if it exists.")(f)
    f = click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Output folder (default: a new folder under ./maps/).",
    )(f)
    return f


def lang_option(f: F) -> F:
    """Add ``--lang en|ru``."""
    return click.option(
        "--lang",
        type=click.Choice(["en", "ru"]),
        default="en",
        show_default=True,
        help="Language of the map's labels.",
    )(f)
