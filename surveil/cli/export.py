"""``surveil export``: write an output folder's layers for other tools (KMZ)."""

from __future__ import annotations

from pathlib import Path

import click

from surveil.cli.options import lang_option


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--kmz",
    "kmz",
    is_flag=True,
    help="Write gaps, risk classes, sensors and recommended sites as KMZ for Google Earth.",
)
@lang_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: FOLDER/assessment.kmz, or assessment-ru.kmz with --lang ru).",
)
def command(folder: Path, kmz: bool, lang: str, out: Path | None) -> None:
    """Export the layers of an output folder, read from the folder alone.

    \b
    Examples:
      surveil export maps/demo --kmz
      surveil export maps/demo --kmz --lang ru --out panj-ru.kmz
    """
    from surveil.kmz import write_kmz
    from surveil.outputs import map_titles, read_outputs

    if not kmz:
        raise click.UsageError("choose what to export: --kmz")
    layers, info = read_outputs(folder)
    name = "assessment.kmz" if lang == "en" else f"assessment-{lang}.kmz"
    target = write_kmz(
        layers,
        out or folder / name,
        lang=lang,
        title=map_titles(info["run"].get("scenario", {}), lang)["title"],
    )
    click.echo(f"Wrote {target}")
