"""Write an assessment's output folder, whole or not at all, and read it back.

The folder holds exactly: ``assessment.gpkg`` (layers segments, gaps,
sensors, footprints, patrols, incidents), ``segments.csv``, ``gaps.csv``,
``needs.csv``, ``needs.xlsx``, ``summary.json``, ``map.html`` and
``run.json`` (which says ``"written_by": "surveil"``). Everything is written
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
    from surveil.plan import Plan
    from surveil.scenario import Scenario

OUTPUT_FILES = (
    "assessment.gpkg",
    "segments.csv",
    "gaps.csv",
    "needs.csv",
    "needs.xlsx",
    "summary.json",
    "map.html",
    "run.json",
)
GPKG_LAYERS = ("segments", "gaps", "sensors", "footprints", "patrols", "incidents")
#: Layers written when the assessment has them (``candidates`` needs terrain).
OPTIONAL_LAYERS = ("candidates",)
FLOAT_FORMAT = "%.6f"


def sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(sources: Mapping[str, Path]) -> list[dict[str, Any]]:
    """Describe input files with their checksums (companion files included).

    A Shapefile's ``.dbf``, ``.shx`` and ``.prj`` are listed with it.
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
                out.append(
                    {
                        "layer": kind,
                        "path": str(f.resolve()),
                        "bytes": f.stat().st_size,
                        "sha256": sha256(f),
                    }
                )
    return out


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def summary_json(summary: Mapping[str, Any]) -> str:
    """Return the summary as stable, indented JSON (non-finite numbers as null)."""
    return json.dumps({k: _json_value(v) for k, v in summary.items()}, indent=2, sort_keys=True)


def run_record(assessment: Assessment) -> dict[str, Any]:
    """Return what ``run.json`` records: inputs, parameters, model, version."""
    scenario = assessment.scenario
    return {
        "written_by": WRITTEN_BY,
        "surveil_version": __version__,
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scenario": {
            "name": scenario.name,
            "attribution": scenario.attribution,
            "section_impact": dict(scenario.section_impact),
        },
        "inputs": input_files(scenario.sources),
        "parameters": scenario.parameters.to_dict(),
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
    inputs = list(assessment.scenario.sources.values())
    out = resolve_out(out, overwrite=overwrite, inputs=inputs)
    partial = new_partial(out)
    try:
        _write_all(assessment, partial, lang=lang)
        publish(partial, out, replace=overwrite)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return out


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
        What ``run.json`` records of the run (its kind, version, inputs).
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
        run = {"written_by": WRITTEN_BY, "surveil_version": __version__, **(record or {})}
        (partial / "run.json").write_text(json.dumps(run, indent=2, sort_keys=True) + "\n")
        publish(partial, out, replace=overwrite)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return out


def scenario_from_run(folder: str | os.PathLike[str]) -> Scenario:
    """Rebuild the scenario of an output folder from its ``run.json``.

    The layers, DEM and catalogue are read again from the paths the run
    recorded, with the run's parameters and impact weights.

    Raises
    ------
    surveil.errors.InputError
        When the folder has no readable ``run.json`` or an input has moved.
    """
    from surveil.scenario import load_scenario

    folder = Path(folder)
    try:
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        inputs = {i["layer"]: Path(i["path"]) for i in run["inputs"]}
        parameters = dict(run["parameters"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(
            f"{folder}: not a surveil output folder with a readable run.json ({err})"
        ) from None
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
    return dataclasses.replace(
        scenario,
        name=str(meta.get("name", scenario.name)),
        attribution=str(meta.get("attribution", "")),
        section_impact=dict(meta.get("section_impact", {})),
    )


def _write_all(
    assessment: Assessment,
    folder: Path,
    *,
    lang: str,
    extra_layers: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> None:
    """Write every output file into ``folder``; ``extra_layers`` go on the map too."""
    from surveil.maps import assessment_map, save_map
    from surveil.needs import write_needs_xlsx

    layers = {**assessment.layers(), **(extra_layers or {})}
    gpkg = folder / "assessment.gpkg"
    for name in (*GPKG_LAYERS, *OPTIONAL_LAYERS):
        if name in layers:
            _gpkg_frame(layers[name]).to_file(gpkg, layer=name, driver="GPKG")
    table_csv(assessment.segments, folder / "segments.csv")
    table_csv(assessment.gaps, folder / "gaps.csv")
    table_csv(assessment.needs, folder / "needs.csv")
    write_needs_xlsx(
        assessment.needs,
        folder / "needs.xlsx",
        summary=assessment.summary,
        catalogue=assessment.scenario.catalogue,
    )
    (folder / "summary.json").write_text(summary_json(assessment.summary) + "\n")
    m = assessment_map(
        layers,
        summary=assessment.summary,
        lang=lang,
        title=assessment.scenario.name,
        attribution=assessment.scenario.attribution,
        hillshade=assessment.hillshade(),
    )
    save_map(m, folder / "map.html")
    run = run_record(assessment)
    (folder / "run.json").write_text(json.dumps(run, indent=2, sort_keys=True) + "\n")


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
    }
    planned = dataclasses.replace(assessed, needs=needs, summary=summary)

    def write(folder: Path) -> None:
        _write_all(planned, folder, lang=lang, extra_layers={"recommended": plan.sites})
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
    out = resolve_out(out, overwrite=overwrite, inputs=inputs, names=PLAN_NAMES)
    partial = new_partial(out)
    try:
        write(partial)
        publish(partial, out, replace=overwrite)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return out


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
        GeoPackage layers by name, and a dict with ``summary`` and ``run``.

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
    try:
        layers = {
            name: gpd.read_file(folder / "assessment.gpkg", layer=name) for name in GPKG_LAYERS
        }
    except Exception as exc:  # pyogrio raises its own classes for a broken file or layer
        raise InputError(
            f"{folder / 'assessment.gpkg'}: cannot read it ({exc}); "
            "rerun 'surveil assess' to write the folder again"
        ) from None
    if "date" in layers["incidents"]:
        layers["incidents"]["date"] = pd.to_datetime(layers["incidents"]["date"], errors="coerce")
    return layers, info


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
