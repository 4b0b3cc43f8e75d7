"""Write an assessment's output folder, whole or not at all, and read it back.

The folder holds exactly: ``assessment.gpkg`` (layers segments, gaps,
sensors, footprints, patrols, incidents, posts, and candidates or recommended
sites when the assessment has them, with QGIS styles in its ``layer_styles``
table), ``segments.csv``, ``gaps.csv``, ``needs.csv``, ``needs.xlsx``,
``summary.json``, ``map.html``, ``report.html``, with terrain ``hillshade.png`` and
``hillshade.json`` (the image the map drew and its bounds), and ``run.json``
(which says ``"written_by": "surveil"``; it records each input with its
checksum, its absolute path and its path relative to the scenario file, and
the catalogue's rows). The folder is self-sufficient: :func:`read_outputs`
and ``surveil map`` need nothing outside it. Everything is written
to a hidden partial folder beside the target, which is then moved into place
(see :mod:`surveil._atomic`); an existing folder is replaced only with
``overwrite=True`` and only when surveil wrote it and it holds no input of the
run (see :func:`surveil._outdir.resolve_out`). Tables are sorted and floats written with fixed
formatting, so the same inputs give byte-identical CSV files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from surveil._atomic import new_partial, publish
from surveil._cells import neutralise_table
from surveil._outdir import OUTPUT_NAMES, WRITTEN_BY, resolve_out
from surveil._version import __version__
from surveil.errors import InputError
from surveil.geodesy import split_at_antimeridian

if TYPE_CHECKING:
    from surveil.assessment import Assessment
    from surveil.planning import Plan
    from surveil.scenario import Scenario
    from surveil.sweeping import Sweep

OUTPUT_FILES = (
    "assessment.gpkg",
    "segments.csv",
    "gaps.csv",
    "needs.csv",
    "needs.xlsx",
    "services.csv",
    "summary.json",
    "map.html",
    "report.html",
    "run.json",
)
GPKG_LAYERS = ("segments", "gaps", "sensors", "footprints", "patrols", "incidents", "posts")
#: Layers that folders of older versions may lack (read when present).
LATER_LAYERS = ("posts",)
#: Layers written when the assessment has them (``candidates`` needs terrain,
#: ``recommended`` a plan that places sites, ``isochrones`` posts and terrain).
OPTIONAL_LAYERS = (
    "candidates",
    "recommended",
    "settlements",
    "roads",
    "rivers",
    "area_lines",
    "areas",
    "handovers",
    "seams",
    "isochrones",
)
#: Tables written when the scenario has an areas layer (:mod:`surveil.areas`).
AREA_FILES = ("areas.csv", "seams.csv", "responders.csv", "coordination.csv")
#: The hillshade image the map drew and the JSON file of its bounds.
HILLSHADE_PNG = "hillshade.png"
HILLSHADE_JSON = "hillshade.json"
FLOAT_FORMAT = "%.6f"


def sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(
    sources: Mapping[str, Path], *, relative_to: str | os.PathLike[str] | None = None
) -> list[dict[str, Any]]:
    """Describe input files with their checksums (companion files included).

    A Shapefile's ``.dbf``, ``.shx`` and ``.prj`` are listed with it.

    Parameters
    ----------
    sources
        Input files by layer kind.
    relative_to
        Folder that each file's ``relative_path`` starts from (the scenario
        file's folder); no ``relative_path`` when None.
    """
    out = []
    for kind, path in sorted(sources.items()):
        path = Path(path)
        files = [path]
        if path.suffix.lower() == ".shp":
            files += sorted(
                p for p in path.parent.glob(path.stem + ".*") if p != path and p.is_file()
            )
        for f in files:
            if f.is_file():
                entry = {
                    "layer": kind,
                    "path": str(f.resolve()),
                    "bytes": f.stat().st_size,
                    "sha256": sha256(f),
                }
                if relative_to is not None:
                    entry["relative_path"] = _relative(f, Path(relative_to))
                out.append(entry)
    return out


def _relative(path: Path, start: Path) -> str:
    """Return ``path`` relative to the folder ``start``, with forward slashes."""
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def catalogue_record(catalogue: pd.DataFrame, source: Path | None) -> dict[str, Any]:
    """Return what ``run.json`` records of the catalogue used: its rows and origin.

    Parameters
    ----------
    catalogue
        The catalogue of the run (see :func:`surveil.catalogue.load_catalogue`).
    source
        The catalogue file, or None for the one shipped with surveil.
    """
    attrs = catalogue.attrs
    return {
        "source": str(attrs.get("source", "")),
        "path": str(source.resolve()) if source is not None else None,
        "sha256": sha256(source) if source is not None and source.is_file() else None,
        "currency": str(attrs.get("currency", "EUR")),
        "indicative": bool(attrs.get("indicative", False)),
        "note": str(attrs.get("note", "")),
        "rows": json.loads(catalogue.to_json(orient="records")),
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def summary_json(summary: Mapping[str, Any]) -> str:
    """Return the summary as stable, indented JSON (non-finite numbers as null)."""
    return json.dumps({k: _json_value(v) for k, v in summary.items()}, indent=2, sort_keys=True)


def run_record(
    assessment: Assessment,
    *,
    scenario_file: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Return what ``run.json`` records: inputs, catalogue, parameters, model, version.

    Parameters
    ----------
    assessment
        The assessment written.
    scenario_file
        The scenario file the run read; inputs get a ``relative_path`` from
        its folder (from the output folder ``out`` when there is none).
    out
        The output folder, which ``scenario_file.relative_path`` starts from.
    """
    scenario = assessment.scenario
    record: dict[str, Any] = {}
    base: Path | None = None
    if scenario_file is not None:
        toml = Path(scenario_file)
        base = toml.parent
        record["scenario_file"] = {
            "path": str(toml.resolve()),
            "relative_path": _relative(toml, Path(out)) if out is not None else None,
            "sha256": sha256(toml) if toml.is_file() else None,
        }
    elif out is not None:
        base = Path(out)
    record["inputs_relative_to"] = "scenario" if scenario_file is not None else "output"
    return record | {
        "written_by": WRITTEN_BY,
        "surveil_version": __version__,
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scenario": {
            "name": scenario.name,
            "attribution": scenario.attribution,
            "name_ru": scenario.name_ru,
            "attribution_ru": scenario.attribution_ru,
            "section_names_ru": scenario.section_names("ru"),
            "section_impact": dict(scenario.section_impact),
            "seasons": {k: list(v) for k, v in scenario.seasons.items()},
        },
        "inputs": input_files(scenario.sources, relative_to=base),
        "parameters": scenario.parameters.to_dict(),
        "catalogue": catalogue_record(scenario.catalogue, scenario.sources.get("catalogue")),
        "catalogue_indicative": bool(scenario.catalogue.attrs.get("indicative", False)),
        "model": json.loads(json.dumps(assessment.model, default=_json_value)),
    }


def table_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV: no geometry, fixed float format, empty for inf/NaN.

    Text cells that a spreadsheet would read as a formula get a leading quote
    (see :mod:`surveil._cells`).
    """
    table = neutralise_table(pd.DataFrame(frame.drop(columns="geometry", errors="ignore")))
    numeric = table.select_dtypes(include="number").columns
    table[numeric] = table[numeric].replace([np.inf, -np.inf], np.nan)
    table.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def _gpkg_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a layer as stored: cut at the antimeridian, inf as NaN."""
    out = split_at_antimeridian(frame)
    out = out.copy() if out is frame else out
    for col in out.columns:
        if col != "geometry" and pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].replace([np.inf, -np.inf], np.nan)
    return out


def write_outputs(
    assessment: Assessment,
    out: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    lang: str = "en",
    scenario_file: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the output folder of an assessment.

    Parameters
    ----------
    assessment
        Result of :func:`surveil.assess`.
    out
        Folder to create.
    overwrite
        Replace ``out`` if it exists, provided surveil wrote it, it holds
        nothing else and no input of the run (see
        :func:`surveil._outdir.resolve_out`).
    lang
        Language of the map, ``"en"`` or ``"ru"``.
    scenario_file
        The scenario file the run read; ``run.json`` records the inputs'
        paths relative to it.

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    surveil.errors.OutputError
        When ``out`` exists and ``overwrite`` is false (also when it appears
        during the run), may not be replaced, or cannot be written.
    """
    target = Path(out)

    def write(folder: Path) -> None:
        _write_all(assessment, folder, lang=lang, out=target, scenario_file=scenario_file)

    inputs = list(assessment.scenario.sources.values())
    return write_folder(
        out, write, overwrite=overwrite, record=None, names=OUTPUT_NAMES, inputs=inputs
    )


def write_folder(
    out: str | os.PathLike[str],
    write: Callable[[Path], None],
    *,
    overwrite: bool = False,
    record: Mapping[str, Any] | None = None,
    names: Iterable[str] = ("*",),
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Write a folder whole or not at all: ``write`` fills a partial folder, then it moves.

    Parameters
    ----------
    out
        Folder to create.
    write
        Called with the partial folder to fill.
    overwrite
        Replace ``out`` if it exists, provided surveil wrote it, it holds
        only ``names`` and no input (see :func:`surveil._outdir.resolve_out`).
    record
        What ``run.json`` records of the run (its kind, version, inputs);
        None: ``write`` writes its own ``run.json``.
    names
        Glob patterns of the names such a folder holds.
    inputs
        Files or folders the run read.
    """
    names = tuple(names)
    out = resolve_out(out, overwrite=overwrite, inputs=inputs, names=names)
    partial = new_partial(out)
    try:
        write(partial)
        if record is not None:
            run = {"written_by": WRITTEN_BY, "surveil_version": __version__, **record}
            (partial / "run.json").write_text(json.dumps(run, indent=2, sort_keys=True) + "\n")
        publish(partial, out, replace=overwrite)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return out


def scenario_from_run(folder: str | os.PathLike[str]) -> Scenario:
    """Rebuild the scenario of an output folder from its ``run.json``.

    The layers and DEM are read again from the paths the run recorded: the
    absolute path, or, when that is gone (the project was moved or copied
    with its outputs), the path relative to the scenario file, found from
    the folder. The catalogue is its file when still there, else the rows
    that ``run.json`` holds. Parameters and impact weights are the run's.

    Raises
    ------
    surveil.errors.InputError
        When the folder has no readable ``run.json`` or an input is gone.
    """
    from surveil.catalogue import validate_catalogue
    from surveil.scenario import load_scenario

    folder = Path(folder)
    try:
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        base = _inputs_base(run, folder)
        inputs: dict[str, Path] = {}
        for entry in run["inputs"]:  # a Shapefile's companions follow it
            inputs.setdefault(entry["layer"], _input_path(entry, base))
        parameters = dict(run["parameters"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(
            f"{folder}: not a surveil output folder with a readable run.json ({err})"
        ) from None
    rows = (run.get("catalogue") or {}).get("rows")
    if "catalogue" in inputs and not inputs["catalogue"].is_file() and rows is not None:
        del inputs["catalogue"]  # moved: the rows recorded stand in for it
    missing = [f"{k} ({p})" for k, p in inputs.items() if not p.is_file()]
    if missing:
        raise InputError(f"{folder}: run.json names inputs that are gone: {', '.join(missing)}")
    layers = {k: p for k, p in inputs.items() if k not in ("dem", "catalogue", "scenario")}
    scenario = load_scenario(
        layers=layers,
        parameters=parameters,
        catalogue=inputs.get("catalogue"),
        dem=inputs.get("dem"),
    )
    meta = run.get("scenario", {})
    changes: dict[str, Any] = {
        "name": str(meta.get("name", scenario.name)),
        "attribution": str(meta.get("attribution", "")),
        "name_ru": str(meta.get("name_ru", "")),
        "attribution_ru": str(meta.get("attribution_ru", "")),
        "section_impact": dict(meta.get("section_impact", {})),
        "seasons": {k: (str(v[0]), str(v[1])) for k, v in meta.get("seasons", {}).items()},
    }
    if "catalogue" not in inputs and rows is not None:
        cat = run["catalogue"]
        changes["catalogue"] = validate_catalogue(
            rows,
            source=f"{folder / 'run.json'} catalogue",
            currency=str(cat.get("currency", "EUR")),
            indicative=bool(cat.get("indicative", False)),
            note=str(cat.get("note", "")),
        )
    return dataclasses.replace(scenario, **changes)


def _inputs_base(run: Mapping[str, Any], folder: Path) -> Path:
    """Return the folder that the inputs' ``relative_path`` start from."""
    toml = run.get("scenario_file") or {}
    if run.get("inputs_relative_to") == "scenario" and toml.get("relative_path"):
        return (folder / toml["relative_path"]).parent
    return folder


def _input_path(entry: Mapping[str, Any], base: Path) -> Path:
    """Return where an input recorded in ``run.json`` is now."""
    path = Path(entry["path"])
    if path.is_file() or not entry.get("relative_path"):
        return path
    moved = Path(os.path.normpath(base / entry["relative_path"]))
    return moved if moved.is_file() else path


def _write_all(
    assessment: Assessment,
    folder: Path,
    *,
    lang: str,
    out: Path,
    scenario_file: str | os.PathLike[str] | None = None,
    extra_layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    plan: Plan | None = None,
    sweep: Mapping[str, Any] | None = None,
) -> None:
    """Write every output file into ``folder``, the partial folder of ``out``.

    ``extra_layers`` (a plan's ``recommended`` sites) go to the GeoPackage
    and the map beside the assessment's own layers; a ``plan``'s budget
    curve and sites go in the report, and so do a ``sweep``'s figures
    (:meth:`surveil.sweeping.Sweep.report_figures`).
    """
    from surveil.maps import assessment_map, save_map
    from surveil.needs import write_needs_xlsx
    from surveil.qgis_styles import write_layer_styles
    from surveil.report import report_data, write_report

    layers = {**assessment.layers(), **(extra_layers or {})}
    gpkg = folder / "assessment.gpkg"
    written = write_layers(layers, gpkg)
    write_layer_styles(gpkg, written, default_lang=lang)
    table_csv(assessment.segments, folder / "segments.csv")
    table_csv(all_window_gaps(assessment), folder / "gaps.csv")
    table_csv(assessment.needs, folder / "needs.csv")
    services = assessment.services if assessment.services is not None else pd.DataFrame()
    table_csv(services, folder / "services.csv")
    areas = assessment.responsibility
    if areas is not None:
        for name, table in zip(
            AREA_FILES,
            (areas.areas, areas.seams, areas.responders, areas.coordination),
            strict=True,
        ):
            table_csv(table, folder / name)
    write_needs_xlsx(
        assessment.needs,
        folder / "needs.xlsx",
        summary=assessment.summary,
        catalogue=assessment.scenario.catalogue,
        services=assessment.services,
        areas=areas.areas if areas is not None else None,
        lang=lang,
        section_names=assessment.scenario.section_names(lang),
    )
    (folder / "summary.json").write_text(summary_json(assessment.summary) + "\n")
    hillshade = assessment.hillshade()
    write_hillshade(hillshade, folder)
    run = run_record(assessment, scenario_file=scenario_file, out=out)
    m = assessment_map(
        layers,
        summary=assessment.summary,
        lang=lang,
        **map_titles(run["scenario"], lang),
        hillshade=hillshade,
    )
    save_map(m, folder / "map.html")
    (folder / "run.json").write_text(json.dumps(run, indent=2, sort_keys=True) + "\n")
    tables = {} if plan is None else {"curve": plan.curve, "sites": plan.sites}
    data = report_data(assessment, run, **tables, sweep=sweep)
    write_report(data, folder / "report.html", lang=lang)


def map_titles(scenario: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Return the map's ``title``, ``attribution`` and ``section_names`` in ``lang``.

    Parameters
    ----------
    scenario
        The ``scenario`` record of ``run.json`` (:func:`run_record`): ``name``,
        ``attribution`` and, where the scenario gives them, ``name_ru``,
        ``attribution_ru`` and ``section_names_ru`` (section → Russian name).
    lang
        ``"en"`` or ``"ru"``; Russian falls back to the English text where
        no Russian one is given.

    Examples
    --------
    >>> map_titles({"name": "Panj", "name_ru": "Пяндж", "attribution": "A"}, "ru")
    {'title': 'Пяндж', 'attribution': 'A', 'section_names': {}}
    >>> map_titles({"name": "Panj", "name_ru": "Пяндж"}, "en")["title"]
    'Panj'
    """
    russian = lang == "ru"

    def pick(key: str) -> Any:
        ru = scenario.get(f"{key}_ru") if russian else None
        return ru or scenario.get(key)

    names = scenario.get("section_names_ru") if russian else None
    return {
        "title": pick("name"),
        "attribution": pick("attribution"),
        "section_names": {str(k): str(v) for k, v in (names or {}).items() if v},
    }


def write_layers(layers: Mapping[str, gpd.GeoDataFrame], gpkg: Path) -> dict[str, gpd.GeoDataFrame]:
    """Write the assessment layers that a GeoPackage holds; return them as stored.

    Parameters
    ----------
    layers
        Layers by name (see :meth:`surveil.assessment.Assessment.layers`);
        names outside :data:`GPKG_LAYERS` and :data:`OPTIONAL_LAYERS` are
        not written.
    gpkg
        The GeoPackage to write.
    """
    written = {}
    for name in (*GPKG_LAYERS, *OPTIONAL_LAYERS):
        if name in layers and (name in GPKG_LAYERS or len(layers[name])):
            written[name] = _gpkg_frame(layers[name])
            written[name].to_file(gpkg, layer=name, driver="GPKG")
    return written


def write_hillshade(images: Iterable[tuple[Any, Any]], folder: Path) -> None:
    """Keep the map's hillshade in the folder: ``hillshade.png`` and its bounds.

    Parameters
    ----------
    images
        ``(RGBA image, ((south, west), (north, east)))`` pairs as
        :meth:`surveil.assessment.Assessment.hillshade` returns them; the
        first image is ``hillshade.png``, the next ``hillshade-1.png`` ...
        Nothing is written when there are none.
    folder
        The output folder.
    """
    entries = []
    for i, (image, bounds) in enumerate(images):
        name = HILLSHADE_PNG if i == 0 else f"hillshade-{i}.png"
        _write_png(np.asarray(image, dtype=np.uint8), folder / name)
        (south, west), (north, east) = bounds
        entries.append({"file": name, "bounds": [[south, west], [north, east]]})
    if entries:
        record = {"images": entries, "crs": "EPSG:4326", "order": "[[south, west], [north, east]]"}
        (folder / HILLSHADE_JSON).write_text(json.dumps(record, indent=2) + "\n")


def read_hillshade(folder: str | os.PathLike[str]) -> list[tuple[Any, Any]]:
    """Read the hillshade kept in an output folder (none if it has no terrain).

    Returns
    -------
    list
        ``(RGBA image, ((south, west), (north, east)))`` pairs for
        :func:`surveil.maps.assessment_map`.

    Raises
    ------
    surveil.errors.InputError
        When ``hillshade.json`` or an image it names cannot be read.
    """
    folder = Path(folder)
    path = folder / HILLSHADE_JSON
    if not path.is_file():
        return []
    record = _read_json(path)
    images = []
    try:
        for entry in record["images"]:
            (south, west), (north, east) = (tuple(map(float, c)) for c in entry["bounds"])
            image = _read_png(folder / Path(str(entry["file"])).name)
            images.append((image, ((south, west), (north, east))))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"{path}: expected images with a file and [[south, west], [north, east]] bounds ({exc})"
        ) from None
    return images


def _write_png(image: np.ndarray, path: Path) -> None:
    """Write an RGBA image as PNG (no georeference: the bounds are in JSON)."""
    import warnings

    import rasterio
    from rasterio.errors import NotGeoreferencedWarning

    height, width, bands = image.shape
    with warnings.catch_warnings(), rasterio.Env(GDAL_PAM_ENABLED="NO"):
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(
            path, "w", driver="PNG", width=width, height=height, count=bands, dtype="uint8"
        ) as png:
            png.write(np.moveaxis(image, 2, 0))


def _read_png(path: Path) -> np.ndarray:
    """Read a PNG of an output folder as a ``(rows, columns, bands)`` array."""
    import warnings

    import rasterio
    from rasterio.errors import NotGeoreferencedWarning, RasterioIOError

    try:
        with warnings.catch_warnings(), rasterio.Env(GDAL_PAM_ENABLED="NO"):
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(path) as png:
                return np.moveaxis(png.read(), 0, 2)
    except RasterioIOError as exc:
        raise InputError(
            f"{path}: cannot read the hillshade image ({exc}); "
            "rerun 'surveil assess' to write the folder again"
        ) from None


#: Names a plan folder holds beside an assessment's.
PLAN_NAMES = (
    *OUTPUT_NAMES,
    "sites.csv",
    "unreachable.csv",
    "plan.gpkg",
    "budget_curve.csv",
    "budget_curve.png",
    "plan.json",
    "plan.toml",
    "baseline.toml",
    "plan-scenario",
)


def plan_record(plan: Plan, assessed: Assessment) -> dict[str, Any]:
    """Return what ``plan.json`` records: solver report, limits, cost and KPIs before and after."""
    result = plan.result
    before, after = plan.baseline.summary, assessed.summary
    kpis = {
        k: {"before": _json_value(before[k]), "after": _json_value(after.get(k))}
        for k in before
        if isinstance(before[k], int | float) and not isinstance(before[k], bool)
    }
    return {
        "mode": plan.mode,
        "limits": {k: v for k, v in plan.limits.items() if v is not None},
        "solver": result.method,
        "objective_persons_per_year": _json_value(result.value),
        "bound_persons_per_year": _json_value(result.bound),
        "gap_percent": _json_value(100.0 * result.gap),
        "seconds": plan.seconds,
        "options": int(plan.sites.attrs.get("options", 0)),
        "chosen": len(plan.sites),
        "cost": {
            "capex_eur": result.capex_eur,
            "opex_eur_per_year": result.opex_eur_per_year,
            "staff_fte": result.staff_fte,
        },
        "unreachable_km": float(plan.unreachable["length_km"].sum()),
        "kpis": kpis,
    }


def write_plan(
    plan: Plan,
    assessed: Assessment,
    out: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    lang: str = "en",
) -> Path:
    """Write a plan's folder: the re-assessed plan's outputs and the plan itself.

    Beside the assessment files of the planned scenario (its ``needs.csv``
    and ``needs.xlsx`` from the placement): ``sites.csv`` and ``plan.gpkg``
    (layers ``sites``, ``candidates``), ``unreachable.csv``,
    ``budget_curve.csv`` and ``.png``, ``plan.json`` and ``plan.toml`` with
    its layers in ``plan-scenario/``, which ``surveil assess plan.toml``
    re-assesses.
    """
    from surveil.charts import budget_curve_chart
    from surveil.needs import placement_needs
    from surveil.synthetic import write_scenario_files

    needs = placement_needs(plan.sites, plan.baseline.gaps, plan.scenario.catalogue)
    # The plan's own cost (the placement) apart from the quick estimate of
    # what closing the gaps it leaves would cost.
    summary = {
        **assessed.summary,
        "remaining_gaps_capex_eur": assessed.summary["capex_eur"],
        "remaining_gaps_opex_eur_per_year": assessed.summary["opex_eur_per_year"],
        **_needs_summary(needs),
        "needs_quick_estimate": False,
    }
    planned = dataclasses.replace(assessed, needs=needs, summary=summary)

    def write(folder: Path) -> None:
        # new patrol routes join the plan's patrols; the sites are the points
        sites = plan.sites[plan.sites.geometry.geom_type == "Point"]
        _write_all(
            planned,
            folder,
            lang=lang,
            out=Path(out),
            extra_layers={"recommended": sites},
            plan=plan,
        )
        table_csv(plan.sites, folder / "sites.csv")
        table_csv(plan.unreachable, folder / "unreachable.csv")
        for name, frame in (("sites", plan.sites), ("candidates", plan.candidates)):
            if len(frame):
                _gpkg_frame(frame).to_file(folder / "plan.gpkg", layer=name, driver="GPKG")
        table_csv(plan.curve, folder / "budget_curve.csv")
        budget_curve_chart(plan.curve, folder / "budget_curve.png", lang=lang)
        record = plan_record(plan, assessed)
        (folder / "plan.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        # The baseline's layers once; the plan shares them but for its sensors
        # and patrols, and names its baseline so that re-assessing holds threat.
        base_toml = write_scenario_files(
            plan.baseline.scenario,
            folder,
            overwrite=True,
            comment=f"Baseline of the plan, written by surveil {__version__}",
            toml_name="baseline.toml",
            layers_dir="plan-scenario",
        )
        shared = _toml_layers(base_toml)
        write_scenario_files(
            plan.scenario,
            folder,
            overwrite=True,
            comment=(
                f"Plan: {plan.mode}, written by surveil {__version__}; "
                "'surveil assess plan.toml' assesses it against baseline.toml"
            ),
            toml_name="plan.toml",
            layers_dir="plan-scenario",
            file_names={"sensors": "plan-sensors.csv", "patrols": "plan-patrols.geojson"},
            layer_paths={k: v for k, v in shared.items() if k not in ("sensors", "patrols")},
            baseline="baseline.toml",
        )

    inputs = list(plan.scenario.sources.values())
    return write_folder(
        out, write, overwrite=overwrite, record=None, names=PLAN_NAMES, inputs=inputs
    )


def write_sweep(
    sweep: Sweep, out: str | os.PathLike[str], *, overwrite: bool = False, lang: str = "en"
) -> Path:
    """Write a sweep's folder (see :meth:`surveil.sweeping.Sweep.save`), whole or not at all."""
    from surveil.charts import tornado_chart
    from surveil.sweeping import GAP_PROBABILITY_LAYER, OUTPUT_NAMES, gap_probability_layer

    baseline = sweep.baseline
    layer = gap_probability_layer(baseline.segments, sweep.segment_gap_probability)

    def write(folder: Path) -> None:
        _write_all(
            baseline,
            folder,
            lang=lang,
            out=Path(out),
            extra_layers={GAP_PROBABILITY_LAYER: layer},
            sweep=sweep.report_figures(),
        )
        table_csv(sweep.samples, folder / "sweep.csv")
        table_csv(sweep.bands, folder / "kpi_bands.csv")
        table_csv(sweep.segment_gap_probability, folder / "segment_gap_probability.csv")
        table_csv(sweep.gap_stability, folder / "gap_stability.csv")
        if len(sweep.tornado):
            table_csv(sweep.tornado, folder / "tornado.csv")
            tornado_chart(sweep.tornado, lang=lang).savefig(folder / "tornado.png", dpi=120)
        run = _read_json(folder / "run.json")
        run.update({"kind": "sweep", "sweep": dict(sweep.settings)})
        (folder / "run.json").write_text(json.dumps(run, indent=2, sort_keys=True) + "\n")

    inputs = list(baseline.scenario.sources.values())
    return write_folder(
        out, write, overwrite=overwrite, record=None, names=OUTPUT_NAMES, inputs=inputs
    )


def _toml_layers(toml: Path) -> dict[str, str]:
    """Return the ``[layers]`` paths a scenario file names."""
    import tomllib

    return dict(tomllib.loads(toml.read_text(encoding="utf-8")).get("layers", {}))


def _needs_summary(needs: pd.DataFrame) -> dict[str, float]:
    from surveil.needs import needs_totals

    totals = needs_totals(needs)
    return {k: totals.get(k, 0.0) for k in ("capex_eur", "opex_eur_per_year", "staff_fte")}


def read_outputs(folder: str | os.PathLike[str]) -> tuple[dict[str, gpd.GeoDataFrame], dict]:
    """Read the layers, summary and run record of an output folder.

    Returns
    -------
    layers, info
        GeoPackage layers by name (:data:`GPKG_LAYERS`, and those of
        :data:`OPTIONAL_LAYERS` that the folder has), and a dict with
        ``summary`` and ``run``.

    Raises
    ------
    surveil.errors.InputError
        When the folder is not a surveil output folder.
    """
    folder = Path(folder)
    missing = [
        n for n in ("assessment.gpkg", "summary.json", "run.json") if not (folder / n).is_file()
    ]
    if missing:
        raise InputError(
            f"{folder}: not a surveil output folder (missing {', '.join(missing)}); "
            "expected the folder written by 'surveil assess'"
        )
    info = {name: _read_json(folder / f"{name}.json") for name in ("summary", "run")}
    gpkg = folder / "assessment.gpkg"
    try:
        import pyogrio

        present = {str(name) for name, _ in pyogrio.list_layers(gpkg)}
        names = [n for n in GPKG_LAYERS if n not in LATER_LAYERS or n in present]
        names += [n for n in OPTIONAL_LAYERS if n in present]
        layers = {name: gpd.read_file(gpkg, layer=name) for name in names}
    except Exception as exc:  # pyogrio raises its own classes for a broken file or layer
        raise InputError(
            f"{folder / 'assessment.gpkg'}: cannot read it ({exc}); "
            "rerun 'surveil assess' to write the folder again"
        ) from None
    if "date" in layers["incidents"]:
        layers["incidents"]["date"] = pd.to_datetime(layers["incidents"]["date"], errors="coerce")
    if (folder / "segment_gap_probability.csv").is_file():  # a sweep's folder
        from surveil.sweeping import GAP_PROBABILITY_LAYER, gap_probability_layer

        probability = _read_table(folder / "segment_gap_probability.csv")
        layers[GAP_PROBABILITY_LAYER] = gap_probability_layer(layers["segments"], probability)
    return layers, info


def _read_table(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read it as CSV ({exc})") from None


def _read_json(path: Path) -> dict[str, Any]:
    """Read a JSON object of an output folder, or raise an InputError naming the file."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path}: not readable JSON ({exc}); rerun 'surveil assess' to write the folder again"
        ) from None
    if not isinstance(value, dict):
        raise InputError(f"{path}: expected a JSON object, got {type(value).__name__}")
    return value


def all_window_gaps(assessment: Assessment) -> pd.DataFrame:
    """Return the gaps of every window, ``all`` first, then ``day`` and ``night``."""
    if assessment.window_gaps is None or not len(assessment.window_gaps):
        return assessment.gaps
    return pd.concat([assessment.gaps, assessment.window_gaps], ignore_index=True)
