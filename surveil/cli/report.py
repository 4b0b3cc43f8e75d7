"""``surveil report``: write the report of an output folder, in a language, as HTML or PDF."""

from __future__ import annotations

from pathlib import Path

import click

from surveil.cli.options import lang_option


@click.command("report")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@lang_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML file to write (default: FOLDER/report.html, replaced).",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print it to an A4 PDF beside the HTML (needs Chromium).",
)
def command(folder: Path, lang: str, out: Path | None, pdf: bool) -> None:
    """Write report.html from an output folder, e.g. in another language or as PDF.

    \b
    Examples:
      surveil report maps/demo --lang ru
      surveil report maps/demo --out maps/demo/report-ru.html --lang ru --pdf
    """
    from surveil.report import report_data_from_folder, report_pdf, write_report

    data = report_data_from_folder(folder)
    target = write_report(data, out or folder / "report.html", lang=lang)
    click.echo(f"Wrote {target}")
    if pdf:
        printed = report_pdf(target, target.with_suffix(".pdf"))
        click.echo(f"Wrote {printed}")
