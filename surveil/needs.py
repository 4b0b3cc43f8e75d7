r"""Size the means that would lift each coverage gap to the target detection.

For every gap and every means type of the catalogue, :func:`size_needs`
computes how many units would bring the gap's detection probability up to
``target_pd``, and what they would cost in money and staff; the cheapest
option per gap is flagged as recommended. :func:`needs_totals` adds up the
recommended options and :func:`write_needs_xlsx` writes the workbook that goes
into an assessment's output folder.

The sizing is a line-of-the-border estimate (flat, unobstructed terrain, the
gap's existing detection spread evenly over it); the placement module refines
it with sites, terrain and line of sight.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveil import i18n
from surveil import sensors as sensor_model
from surveil._cells import neutralise
from surveil.catalogue import validate_catalogue
from surveil.errors import InputWarning, OutputError, Problem, ScenarioError, SchemaError
from surveil.services import ServiceRules, route_fte

__all__ = [
    "NEEDS_COLUMNS",
    "covered_length_m",
    "needs_totals",
    "patrol_visits_per_day",
    "sensor_layers",
    "size_needs",
    "write_needs_xlsx",
]

#: Columns of the table returned by :func:`size_needs`, in order.
NEEDS_COLUMNS: tuple[str, ...] = (
    "gap_id",
    "section",
    "km_from",
    "km_to",
    "length_km",
    "priority",
    "mean_p_detect",
    "means",
    "label",
    "kind",
    "units",
    "layers",
    "visits_per_day",
    "capex_eur",
    "opex_eur_per_year",
    "staff_fte",
    "annual_cost_eur",
    "recommended",
    "basis",
)

#: ``basis`` of the needs an assessment sizes (:func:`size_needs`).
QUICK_ESTIMATE = "quick estimate: straight line, flat terrain (surveil plan places sites)"
#: ``basis`` of the needs of a placement (:func:`placement_needs`).
PLACEMENT = "placement: sites, terrain and line of sight (surveil plan)"

_GAP_COLUMNS: tuple[str, ...] = (
    "gap_id",
    "section",
    "km_from",
    "km_to",
    "length_km",
    "mean_p_detect",
    "priority",
)

_DTYPES: dict[str, str] = {
    "gap_id": "int64",
    "section": "str",
    "km_from": "float64",
    "km_to": "float64",
    "length_km": "float64",
    "priority": "int64",
    "mean_p_detect": "float64",
    "means": "str",
    "label": "str",
    "kind": "str",
    "basis": "str",
    "units": "int64",
    "layers": "float64",
    "visits_per_day": "float64",
    "capex_eur": "float64",
    "opex_eur_per_year": "float64",
    "staff_fte": "float64",
    "annual_cost_eur": "float64",
    "recommended": "bool",
}

_COST_COLUMNS: tuple[str, ...] = ("capex_eur", "opex_eur_per_year", "staff_fte", "annual_cost_eur")

# Relative slack when rounding up, so that 2.0000000000000004 layers is 2.
_CEIL_SLACK = 1e-9


def _ceil(value: float) -> int:
    """Round up, forgiving floating-point noise just above an integer."""
    return math.ceil(value - _CEIL_SLACK * max(1.0, abs(value)))


def covered_length_m(range_m: float, standoff_m: float, fov_deg: float = 360.0) -> float:
    r"""Length of the border line that one sensor covers.

    The sensor stands ``standoff_m`` inside a straight border line and faces
    it. A point of the line at distance :math:`x` along it from the foot of
    the perpendicular is in range when :math:`x^2 + o^2 \le r^2`, and inside a
    sector of opening :math:`\theta` centred on the perpendicular when
    :math:`|x| \le o \tan(\theta/2)`. Hence

    .. math::

        c = 2 \min\left(\sqrt{r^2 - o^2},\; o \tan\frac{\theta}{2}\right)
        \quad (\theta < 180^\circ), \qquad
        c = 2 \sqrt{r^2 - o^2} \quad (\theta \ge 180^\circ),

    and :math:`c = 0` when :math:`o \ge r`.

    Parameters
    ----------
    range_m
        Detection range :math:`r`, m.
    standoff_m
        Distance :math:`o` of the sensor from the line, m.
    fov_deg
        Field of view :math:`\theta`, degrees.

    Returns
    -------
    float
        Covered length :math:`c`, m.

    Examples
    --------
    >>> round(covered_length_m(2000, 500), 2)
    3872.98
    >>> round(covered_length_m(2000, 500, 90), 2)
    1000.0
    """
    if standoff_m >= range_m:
        return 0.0
    chord = 2.0 * math.sqrt(range_m**2 - standoff_m**2)
    if fov_deg >= 180.0:
        return chord
    return min(chord, 2.0 * standoff_m * math.tan(math.radians(fov_deg) / 2.0))


def sensor_layers(p_detect: float, p_unit: float, target_pd: float) -> int | None:
    r"""Count the overlapping sensor layers that lift detection to the target.

    With existing detection :math:`p_0` and :math:`k` independent layers of
    units each detecting with :math:`p`, a crossing is detected with
    :math:`1 - (1 - p_0)(1 - p)^k`. Requiring this to reach the target
    :math:`t` gives

    .. math::

        k = \left\lceil \frac{\ln\big((1 - t)/(1 - p_0)\big)}{\ln(1 - p)} \right\rceil,

    with :math:`k = 0` when :math:`p_0 \ge t` and :math:`k = 1` when
    :math:`p = 1`.

    Parameters
    ----------
    p_detect
        Existing detection probability :math:`p_0` in the gap, 0–1.
    p_unit
        Detection probability of one unit, :math:`p` = ``pd · availability``.
    target_pd
        Target detection probability :math:`t`, below 1.

    Returns
    -------
    int or None
        :math:`k`, or ``None`` when :math:`p = 0` and the gap is below target
        (the means cannot close it).

    Examples
    --------
    >>> sensor_layers(0.0, 0.9, 0.5), sensor_layers(0.0, 0.3, 0.5)
    (1, 2)
    """
    if p_detect >= target_pd:
        return 0
    if p_unit <= 0.0:
        return None
    if p_unit >= 1.0:
        return 1
    return max(1, _ceil(math.log((1.0 - target_pd) / (1.0 - p_detect)) / math.log1p(-p_unit)))


def patrol_visits_per_day(
    p_detect: float, target_pd: float, *, trace_persistence_h: float = 12.0, pd: float = 1.0
) -> float:
    r"""Patrol passes per day that lift detection to the target.

    Traces of a crossing stay readable for :math:`T` hours; passes come as a
    Poisson process of :math:`V` a day and each reads the traces with
    probability :math:`q` (``pd``), so the traces are read with probability
    :math:`1 - e^{-qVT/24}` (DESIGN §3, with :math:`q = 1`). Requiring
    :math:`1 - (1 - p_0)\,e^{-qVT/24} \ge t` gives

    .. math::

        V = \frac{24}{q\,T} \ln\frac{1 - p_0}{1 - t},

    and :math:`V = 0` when :math:`p_0 \ge t`.

    Parameters
    ----------
    p_detect
        Existing detection probability :math:`p_0` in the gap, 0–1.
    target_pd
        Target detection probability :math:`t`, below 1.
    trace_persistence_h
        :math:`T`, hours.
    pd
        :math:`q`, probability that one pass reads the traces; above 0.

    Returns
    -------
    float
        :math:`V`, passes per day.

    Examples
    --------
    >>> round(patrol_visits_per_day(0.0, 0.5), 4)  # 2 ln 2
    1.3863
    """
    if p_detect >= target_pd:
        return 0.0
    return 24.0 / (pd * trace_persistence_h) * math.log((1.0 - p_detect) / (1.0 - target_pd))


def _check_parameters(target_pd: float, trace_persistence_h: float) -> None:
    """Check the two parameters by the scenario's rules (their one home)."""
    from surveil.scenario import Parameters

    values = {"target_pd": target_pd, "trace_persistence_h": trace_persistence_h}
    try:
        Parameters.from_mapping(values)
    except ScenarioError as err:
        raise ScenarioError("Cannot size the needs", err.problems) from None


def _check_gaps(gaps: pd.DataFrame) -> None:
    """Raise one :class:`SchemaError` listing every problem of the gaps table."""
    missing = [c for c in _GAP_COLUMNS if c not in gaps.columns]
    if missing:
        raise SchemaError(
            "The gaps table lacks columns",
            [Problem("gaps", "gaps", None, c, None, "missing column") for c in missing],
        )
    problems: list[Problem] = []
    rules = {
        "km_from": (lambda v: True, "a km mark"),
        "km_to": (lambda v: True, "a km mark"),
        "length_km": (lambda v: v >= 0, "a length in km, 0 or more"),
        "mean_p_detect": (lambda v: 0 <= v <= 1, "a probability between 0 and 1"),
        "gap_id": (lambda v: v == int(v), "an integer"),
        "priority": (lambda v: v == int(v), "an integer rank"),
    }
    for column, (accepts, expected) in rules.items():
        values = pd.to_numeric(gaps[column], errors="coerce").to_numpy(dtype="float64")
        for number, (raw, value) in enumerate(zip(gaps[column], values, strict=True), start=1):
            if not (math.isfinite(value) and accepts(value)):
                problems.append(
                    Problem("gaps", "gaps", number, column, str(raw), "expected " + expected)
                )
    duplicated = gaps["gap_id"].duplicated()
    for index in np.flatnonzero(duplicated.to_numpy()):
        value = gaps["gap_id"].iloc[index]
        problems.append(
            Problem("gaps", "gaps", int(index) + 1, "gap_id", str(value), "expected a unique id")
        )
    if problems:
        raise SchemaError(f"The gaps table has {len(problems)} problem(s)", problems)


def _empty_needs() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=_DTYPES[c]) for c in NEEDS_COLUMNS})


def _size_sensor(
    length_m: float,
    p_detect: float,
    means: Mapping[str, Any],
    target_pd: float,
    night_share: float = 0.0,
) -> dict[str, float] | None:
    """Units and layers of one sensor type for one gap, or None if it cannot close it."""
    covered = covered_length_m(means["range_m"], means["standoff_m"], means["fov_deg"])
    p_unit = sensor_model.unit_pd(means, covered_m=covered, night_share=night_share)
    layers = sensor_layers(p_detect, p_unit, target_pd)
    if covered <= 0.0 or layers is None:
        return None
    units = layers * _ceil(length_m / covered) if layers else 0
    return {"units": units, "layers": float(layers), "visits_per_day": math.nan}


def _size_patrol(
    length_m: float,
    p_detect: float,
    means: Mapping[str, Any],
    target_pd: float,
    trace_persistence_h: float,
    rules: ServiceRules,
) -> dict[str, float] | None:
    r"""Teams of one patrol type for one gap, or None if it cannot close it.

    .. math:: n = \left\lceil \frac{V L}{a\,s\,h} \right\rceil

    team shifts a day, with :math:`L` the gap length (km), :math:`s` the
    mode's speed, :math:`h` the shift (:mod:`surveil.services`) and :math:`a`
    the availability of a team; staff :math:`n \cdot team / a_{staff}`.
    """
    speed, team = rules.for_means(means)
    capacity_km = speed * rules.shift_h * means["availability"]
    if means["pd"] <= 0.0 or capacity_km <= 0.0:
        return None
    visits = patrol_visits_per_day(
        p_detect, target_pd, trace_persistence_h=trace_persistence_h, pd=means["pd"]
    )
    units = _ceil(visits * (length_m / 1000.0) / capacity_km) if visits > 0 else 0
    staff = float(route_fte(units, team, rules.staff_availability))
    return {"units": units, "layers": math.nan, "visits_per_day": visits, "staff_fte": staff}


def _costs(
    units: int, means: Mapping[str, Any], staff_fte: float | None = None
) -> dict[str, float]:
    capex = units * means["capex_eur"]
    opex = units * means["opex_eur_per_year"]
    return {
        "capex_eur": float(capex),
        "opex_eur_per_year": float(opex),
        "staff_fte": float(units * means["staff_fte"] if staff_fte is None else staff_fte),
        "annual_cost_eur": float(capex / means["lifetime_years"] + opex),
    }


def _unusable_reason(means: Mapping[str, Any]) -> str | None:
    """Why a means type can never close a gap, or None when it can."""
    if means["kind"] == "sensor":
        if means["pd"] * means["availability"] <= 0.0:
            return "its pd × availability is 0"
        if covered_length_m(means["range_m"], means["standoff_m"], means["fov_deg"]) <= 0.0:
            return (
                "its standoff_m is not less than its range_m, or its field of view misses the line"
            )
        return None
    if means["pd"] <= 0.0:
        return "its pd is 0"
    if means["availability"] <= 0.0:
        return "its availability is 0"
    return None


def _warn_unusable(catalogue: pd.DataFrame) -> None:
    """Warn once for each means type that can never close a gap."""
    for means in catalogue.to_dict(orient="records"):
        reason = _unusable_reason(means)
        if reason is not None:
            warnings.warn(
                f"Means {means['type']!r} cannot close any gap: {reason}",
                InputWarning,
                stacklevel=3,
            )


def _mark_recommended(options: pd.DataFrame) -> pd.DataFrame:
    """Flag the cheapest option per gap (ties: fewer staff, then type name)."""
    ranked = options.sort_values(
        ["gap_id", "annual_cost_eur", "staff_fte", "means"], kind="mergesort"
    )
    first = ~ranked["gap_id"].duplicated()
    options = options.copy()
    options["recommended"] = False
    options.loc[ranked.index[first.to_numpy()], "recommended"] = True
    return options


def size_needs(
    gaps: pd.DataFrame,
    catalogue: pd.DataFrame,
    *,
    target_pd: float = 0.5,
    trace_persistence_h: float = 12.0,
    services: ServiceRules | None = None,
    night_share: float = 0.0,
) -> pd.DataFrame:
    r"""Size, for each gap, the units of each means that would close it.

    **Sensors.** A unit stands ``standoff_m`` inside the border facing it and
    covers a length :math:`c` of the line (:func:`covered_length_m`). Each
    unit detects with :math:`p`, its pd by range (:mod:`surveil.sensors`)
    averaged along the covered length, by day and at night weighted by
    ``night_share``, times availability (:func:`surveil.sensors.unit_pd`;
    :math:`p = pd \cdot availability` for a means with one pd); :math:`k` layers
    (:func:`sensor_layers`) lift the gap's detection :math:`p_0` to the
    target, each layer a row of units end to end along the gap of length
    :math:`L`:

    .. math:: n = k \left\lceil \frac{L}{c} \right\rceil .

    Sensor types with :math:`c = 0` (standoff not less than range, or a
    sector that misses the line) or :math:`p = 0` are left out.

    **Patrols.** Passes per day :math:`V` follow from the Poisson trace model
    (:func:`patrol_visits_per_day`); a team walks or drives :math:`d = s h`
    km of route in a shift (its mode's speed :math:`s` over a shift of
    :math:`h` hours, :mod:`surveil.services`) and is available a fraction
    :math:`a` of days, so the gap needs

    .. math:: n = \left\lceil \frac{V L}{a\,d} \right\rceil

    team shifts a day, and :math:`n \cdot team / a_{staff}` staff (FTE) by
    the services rule. With the default ``pd = availability = 1`` this is
    the plain :math:`\lceil V L / d \rceil`.

    **Costs.** With :math:`n` units, CAPEX :math:`= n \cdot capex`,
    OPEX :math:`= n \cdot opex`, staff :math:`= n \cdot staff`, and

    .. math:: annual = \frac{CAPEX}{lifetime} + OPEX .

    Parameters
    ----------
    gaps
        One row per gap: ``gap_id``, ``section``, ``km_from``, ``km_to``,
        ``length_km`` (km), ``mean_p_detect`` (existing detection, 0–1),
        ``priority`` (1 = most urgent). Other columns are ignored. May be
        empty.
    catalogue
        Means, as from :func:`surveil.catalogue.load_catalogue`; it is
        validated again here.
    target_pd
        Detection probability each gap should reach, above 0 and below 1.
    trace_persistence_h
        Hours that crossing traces stay readable for a patrol.
    services
        Patrol speeds, team sizes, shift and staff availability; None for
        the defaults (:class:`surveil.services.ServiceRules`).
    night_share
        Share of crossings at night (:mod:`surveil.windows`), weighting the
        sensors' night pd; 0: by day only.

    Returns
    -------
    pandas.DataFrame
        One row per gap and means type that can close it, columns
        :data:`NEEDS_COLUMNS`: ``units``; ``layers`` (:math:`k`, sensors;
        NaN for patrols); ``visits_per_day`` (patrols; NaN for sensors);
        costs; ``recommended`` (the lowest ``annual_cost_eur`` of its gap, ties
        to fewer staff, then type name). Sorted by priority, gap_id,
        annual_cost_eur and means.

    Raises
    ------
    SchemaError
        The gaps table or the catalogue is wrong.
    ScenarioError
        ``target_pd`` or ``trace_persistence_h`` is out of range.

    Warns
    -----
    InputWarning
        A sensor type can never cover the line, or a gap has no means that
        can close it.

    Examples
    --------
    >>> from surveil.catalogue import load_catalogue
    >>> gaps = pd.DataFrame({"gap_id": [1], "section": ["A"], "km_from": [0.0],
    ...     "km_to": [10.0], "length_km": [10.0], "mean_p_detect": [0.0], "priority": [1]})
    >>> needs = size_needs(gaps, load_catalogue())
    >>> needs.loc[needs["recommended"], "means"].tolist()
    ['foot_patrol']
    """
    _check_parameters(target_pd, trace_persistence_h)
    catalogue = validate_catalogue(
        catalogue, source=str(catalogue.attrs.get("source", "catalogue"))
    )
    if len(gaps) == 0:
        return _empty_needs()
    _check_gaps(gaps)
    _warn_unusable(catalogue)
    means_list = catalogue.to_dict(orient="records")
    rules = services if services is not None else ServiceRules.default()
    rows: list[dict[str, Any]] = []
    for gap in gaps[list(_GAP_COLUMNS)].to_dict(orient="records"):
        gap_rows = _gap_options(
            gap, means_list, target_pd, trace_persistence_h, rules, night_share
        )
        if not gap_rows:
            warnings.warn(
                f"Gap {gap['gap_id']} ({gap['section']}): no means in the catalogue can close it",
                InputWarning,
                stacklevel=2,
            )
        rows.extend(gap_rows)
    if not rows:
        return _empty_needs()
    options = pd.DataFrame.from_records(rows, columns=list(NEEDS_COLUMNS))
    options["basis"] = QUICK_ESTIMATE
    options = _mark_recommended(options).astype(_DTYPES)
    options = options.sort_values(
        ["priority", "gap_id", "annual_cost_eur", "means"], kind="mergesort"
    )
    return options.reset_index(drop=True)


def _gap_options(
    gap: Mapping[str, Any],
    means_list: Sequence[Mapping[str, Any]],
    target_pd: float,
    trace_persistence_h: float,
    rules: ServiceRules,
    night_share: float = 0.0,
) -> list[dict[str, Any]]:
    """Rows of the needs table for one gap: one per means that can close it."""
    length_m = float(gap["length_km"]) * 1000.0
    p_detect = float(gap["mean_p_detect"])
    rows = []
    for means in means_list:
        if means["kind"] == "sensor":
            size = _size_sensor(length_m, p_detect, means, target_pd, night_share)
        else:
            size = _size_patrol(length_m, p_detect, means, target_pd, trace_persistence_h, rules)
        if size is None:
            continue
        rows.append(
            {
                "gap_id": int(gap["gap_id"]),
                "section": str(gap["section"]),
                "km_from": float(gap["km_from"]),
                "km_to": float(gap["km_to"]),
                "length_km": float(gap["length_km"]),
                "priority": int(gap["priority"]),
                "mean_p_detect": p_detect,
                "means": means["type"],
                "label": means["label_en"],
                "kind": means["kind"],
                **{k: v for k, v in size.items() if k != "staff_fte"},
                **_costs(int(size["units"]), means, size.get("staff_fte")),
                "recommended": False,
            }
        )
    return rows


def needs_totals(needs: pd.DataFrame) -> dict[str, float]:
    """Add up the recommended options.

    Parameters
    ----------
    needs
        Table from :func:`size_needs`.

    Returns
    -------
    dict of str to float
        ``capex_eur``, ``opex_eur_per_year``, ``staff_fte``,
        ``annual_cost_eur`` and ``units`` over the recommended rows, and
        ``units_<type>`` for each means type recommended somewhere.

    Examples
    --------
    >>> from surveil.catalogue import load_catalogue
    >>> gaps = pd.DataFrame({"gap_id": [1], "section": ["A"], "km_from": [0.0],
    ...     "km_to": [10.0], "length_km": [10.0], "mean_p_detect": [0.0], "priority": [1]})
    >>> totals = needs_totals(size_needs(gaps, load_catalogue()))
    >>> totals["units_foot_patrol"], totals["staff_fte"]
    (1.0, 3.2)
    """
    chosen = needs.loc[needs["recommended"].astype(bool)]
    totals = {column: float(chosen[column].sum()) for column in _COST_COLUMNS}
    totals["units"] = float(chosen["units"].sum())
    per_type = chosen.groupby("means", sort=True)["units"].sum()
    for means, units in per_type.items():
        totals[f"units_{means}"] = float(units)
    return totals


# --- the workbook -----------------------------------------------------------

_EUR_FORMAT = '#,##0 "EUR"'
_FORMATS: dict[str, str] = {
    "capex_eur": _EUR_FORMAT,
    "opex_eur_per_year": _EUR_FORMAT,
    "annual_cost_eur": _EUR_FORMAT,
    "staff_fte": "#,##0.0",
    "km_from": "#,##0.0",
    "km_to": "#,##0.0",
    "length_km": "#,##0.0",
    "mean_p_detect": "0.00",
    "pd": "0.00",
    "availability": "0.00",
    "visits_per_day": "0.00",
    "units": "#,##0",
    "layers": "0",
    "gap_id": "0",
    "priority": "0",
    "range_m": "#,##0",
    "height_m": "#,##0",
    "fov_deg": "0",
    "standoff_m": "#,##0",
    "sweep_m": "#,##0",
    "km_per_day": "#,##0",
    "lifetime_years": "0",
    "speed_kmh": "0.0",
    "hours_per_visit": "0.0",
    "team_shifts_per_day": "0.00",
    "persons_on_duty": "0.0",
    "fte": "0.0",
    "visits_per_day_at_staff": "0.00",
    "km": "#,##0.0",
    "covered_km": "#,##0.0",
    "gap_km": "#,##0.0",
    "high_risk_km": "#,##0.0",
    "patrol_fte": "0.0",
    "sensor_fte": "0.0",
    "seam_gap_km": "#,##0.0",
}


def _cell_value(value: Any) -> Any:
    """Turn a table value into something openpyxl writes (NaN -> empty)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return neutralise(value)
    return neutralise(json.dumps(value, default=str, ensure_ascii=False))


def _write_table(
    sheet: Any,
    table: pd.DataFrame,
    formats: Mapping[str, str],
    *,
    headers: Sequence[str] | None = None,
) -> None:
    """Write a table with a bold frozen header, number formats and widths.

    ``formats`` are keyed by column name; ``headers`` (default: the column
    names) is the header row shown.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = [str(c) for c in table.columns]
    shown = list(headers) if headers is not None else columns
    sheet.append([neutralise(c) for c in shown])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for record in table.itertuples(index=False, name=None):
        sheet.append([_cell_value(v) for v in record])
    for index, column in enumerate(columns, start=1):
        number_format = formats.get(column)
        width = len(shown[index - 1])
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if number_format and isinstance(cell.value, int | float):
                cell.number_format = number_format
            width = max(width, _display_width(cell.value))
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 2)


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.2f}") + 4  # room for a unit such as " EUR"
    return len(str(value))


def _totals_table(needs: pd.DataFrame) -> pd.DataFrame:
    """Per means type of the recommended rows, then a grand total row."""
    chosen = needs.loc[needs["recommended"].astype(bool)]
    columns = ["units", *_COST_COLUMNS]
    per_type = (
        chosen.groupby(["means", "label"], sort=True)[columns].sum().reset_index()
        if not chosen.empty
        else pd.DataFrame(columns=["means", "label", *columns])
    )
    grand = {"means": "Total", "label": "", **{c: chosen[c].sum() for c in columns}}
    return pd.concat([per_type, pd.DataFrame([grand])], ignore_index=True)


def _catalogue_sheet(sheet: Any, catalogue: pd.DataFrame, words: _Words) -> None:
    if words.lang == "ru":  # label_ru is the label; the English one stays in English files
        catalogue = catalogue.drop(columns="label_en", errors="ignore")
    _write_table(sheet, words.table(catalogue), _FORMATS, headers=words.headers(catalogue))
    note = str(catalogue.attrs.get("note", "") or "")
    if words.lang == "ru":
        note = str(catalogue.attrs.get("note_ru", "") or "") or note
    if catalogue.attrs.get("indicative"):
        note = words("INDICATIVE FIGURES, NOT QUOTES.") + " " + note
    source = catalogue.attrs.get("source")
    sheet.append([])
    if note:
        sheet.append([neutralise(note.strip())])
    if source:
        source = str(source)
        default = "default catalogue"
        if source.startswith(default):
            source = words(default) + source[len(default) :]
        sheet.append([neutralise(f"{words('Source')}: {source}")])


def write_needs_xlsx(
    needs: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    summary: Mapping[str, Any] | None = None,
    catalogue: pd.DataFrame | None = None,
    services: pd.DataFrame | None = None,
    areas: pd.DataFrame | None = None,
    lang: str = "en",
    section_names: Mapping[str, str] | None = None,
) -> None:
    """Write the needs workbook, whole or not at all.

    Sheets: ``Needs`` (recommended options), ``Options`` (all options),
    ``Totals`` (recommended units, CAPEX, OPEX, staff and annual cost per
    means type, and a grand total), ``Summary`` (``summary`` as key/value
    rows) and, when given, ``Catalogue`` (with its indicative note). Headers
    are bold and frozen, amounts formatted in EUR with thousands separators.
    In English the headers are the CSV's column names; in Russian the sheet
    names, headers, summary keys and closed values (means, kind,
    recommended) are Russian and labels come from the catalogue's
    ``label_ru`` (see :data:`surveil.i18n.WORKBOOK_RU`).

    Parameters
    ----------
    needs
        Table from :func:`size_needs`.
    path
        Output ``.xlsx`` file; its folder must exist. An existing file is
        replaced.
    summary
        Key figures of the run (KPIs, parameters); values that are not
        numbers or text are written as JSON.
    catalogue
        The catalogue used, to document the unit figures.
    services
        Teams and staff of today's patrol routes
        (:func:`surveil.services.route_services`): a ``Services`` sheet.
    areas
        Per responsibility area (:mod:`surveil.areas`): an ``Areas`` sheet.
    lang
        ``"en"`` or ``"ru"``.
    section_names
        Name to show for each section id (the border's ``name_ru`` in Russian).

    Raises
    ------
    OutputError
        The folder does not exist or cannot be written.
    """
    from openpyxl import Workbook

    from surveil._atomic import write_file

    target = Path(path)
    if not target.parent.is_dir():
        raise OutputError(f"Cannot write {target}: folder {target.parent} does not exist")
    lang = i18n.check_lang(lang)
    words = _Words(lang, catalogue, section_names or {})
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = words("Needs")
    recommended = needs.loc[needs["recommended"].astype(bool)]
    _write_table(sheet, words.table(recommended), _FORMATS, headers=words.headers(needs))
    _write_table(
        workbook.create_sheet(words("Options")),
        words.table(needs),
        _FORMATS,
        headers=words.headers(needs),
    )
    totals = _totals_table(needs)
    _write_table(
        workbook.create_sheet(words("Totals")),
        words.table(totals),
        _FORMATS,
        headers=words.headers(totals),
    )
    keys = [str(k) for k in (summary or {})]
    pairs = pd.DataFrame(
        {"key": [words.key(k) for k in keys], "value": list((summary or {}).values())}
    )
    _write_table(workbook.create_sheet(words("Summary")), pairs, {}, headers=words.headers(pairs))
    if services is not None:
        _write_table(
            workbook.create_sheet(words("Services")),
            words.table(services),
            _FORMATS,
            headers=words.headers(services),
        )
    if areas is not None:
        _write_table(
            workbook.create_sheet(words("Areas")),
            words.table(areas),
            _FORMATS,
            headers=words.headers(areas),
        )
    if catalogue is not None:
        _catalogue_sheet(workbook.create_sheet(words("Catalogue")), catalogue, words)
    write_file(target, workbook.save)


class _Words:
    """The workbook's words in one language: sheet names, headers and closed values."""

    def __init__(
        self, lang: str, catalogue: pd.DataFrame | None, sections: Mapping[str, str]
    ) -> None:
        self.lang = lang
        self.sections = dict(sections)
        self.labels: dict[str, str] = {}
        if lang == "ru" and catalogue is not None and "label_ru" in catalogue:
            self.labels = {
                str(t): str(label)
                for t, label in zip(catalogue["type"], catalogue["label_ru"], strict=True)
                if isinstance(label, str) and label.strip()
            }

    def __call__(self, text: str) -> str:
        """Return a fixed word (sheet name, header, ``Total``) in the language."""
        return i18n.WORKBOOK_RU.get(text, text) if self.lang == "ru" else text

    def headers(self, table: pd.DataFrame) -> list[str]:
        """Return the header row of ``table``."""
        return [self(str(c)) for c in table.columns]

    def key(self, key: str) -> str:
        """Return a summary key: its Russian label where there is one."""
        if self.lang != "ru" or key not in i18n.LABELS:
            return key
        return i18n.label(key, self.lang)

    def table(self, table: pd.DataFrame) -> pd.DataFrame:
        """Return ``table`` with its closed values in the language (numbers unchanged)."""
        if self.lang != "ru":
            return table
        out = table.copy()
        if "section" in out and self.sections:
            out["section"] = out["section"].astype(object).map(
                lambda v: self.sections.get(str(v), v)
            )
        if "label" in out and "means" in out:
            means = out["means"].astype(object)
            own = means.map(lambda t: self.labels.get(str(t)))
            out["label"] = own.where(own.notna(), out["label"].astype(object))
        if "means" in out:
            out["means"] = out["means"].astype(object).map(self.value)
        if "type" in out:
            out["type"] = out["type"].astype(object).map(self.value)
        for column in ("kind", "basis", "mode", "window"):
            if column in out:
                out[column] = out[column].astype(object).map(self.value)
        if "recommended" in out:
            out["recommended"] = [
                self("yes") if bool(v) else self("no") for v in out["recommended"]
            ]
        return out

    def value(self, raw: Any) -> Any:
        """Return a closed value (means type, kind, ``Total``) in the language."""
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            return raw
        text = str(raw)
        if text in i18n.WORKBOOK_RU:
            return i18n.WORKBOOK_RU[text]
        return i18n.value(text, self.lang) if text else text


def placement_needs(
    sites: pd.DataFrame, gaps: pd.DataFrame, catalogue: pd.DataFrame
) -> pd.DataFrame:
    """Return the needs table of a placement: one row per chosen option.

    Unlike :func:`size_needs` (a quick estimate from each gap's mean
    detection on a straight, flat line), these are the means a plan places
    (:func:`surveil.planning.plan`): each sensor one unit at its site, each new
    patrol route its units (``route km × visits / km_per_day``), listed
    under the first baseline gap it serves (``gap_id`` 0 when it serves none
    directly). Every row is ``recommended``; ``annual_cost_eur`` is CAPEX over
    the means' ``lifetime_years`` plus OPEX.

    Parameters
    ----------
    sites
        Chosen options (:attr:`surveil.planning.Plan.sites`).
    gaps
        The baseline's gaps.
    catalogue
        The catalogue, for labels and lifetimes.
    """
    if len(sites) == 0:
        return _empty_needs()
    by_type = catalogue.set_index("type")
    by_gap = gaps.set_index("gap_id") if len(gaps) else None
    rows = []
    for site in sites.itertuples(index=False):
        served = [int(g) for g in str(site.gaps_served).split(";") if g.strip()]
        gap = by_gap.loc[served[0]] if served and by_gap is not None else None
        means = by_type.loc[site.type] if site.type in by_type.index else None
        life = float(means["lifetime_years"]) if means is not None else 10.0
        patrol = site.kind == "patrol"
        rows.append(
            {
                "gap_id": served[0] if served else 0,
                "section": gap["section"] if gap is not None else "",
                "km_from": float(gap["km_from"]) if gap is not None else math.nan,
                "km_to": float(gap["km_to"]) if gap is not None else math.nan,
                "length_km": float(gap["length_km"]) if gap is not None else math.nan,
                "priority": int(gap["priority"]) if gap is not None else 0,
                "mean_p_detect": float(gap["mean_p_detect"]) if gap is not None else math.nan,
                "means": site.type,
                "label": str(means["label_en"]) if means is not None else site.type,
                "kind": site.kind,
                "units": float(site.units) if patrol else 1.0,
                "layers": math.nan,
                "visits_per_day": float(site.visits_per_day) if patrol else math.nan,
                "capex_eur": float(site.capex_eur),
                "opex_eur_per_year": float(site.opex_eur_per_year),
                "staff_fte": float(site.staff_fte),
                "annual_cost_eur": float(site.capex_eur) / life + float(site.opex_eur_per_year),
                "recommended": True,
                "basis": PLACEMENT,
            }
        )
    table = pd.DataFrame(rows, columns=list(NEEDS_COLUMNS))
    return table.astype({c: _DTYPES[c] for c in NEEDS_COLUMNS if c in _DTYPES})
