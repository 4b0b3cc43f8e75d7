"""Model what one sensor detects: pd by slant range, light and target class, times availability.

This is the one sensor model of surveil (DESIGN §3, "Sensor detection"):
detection (:mod:`surveil.coverage` and its compiled kernels), footprints
(:mod:`surveil.visibility`), candidate sites and placement
(:mod:`surveil.candidates`, :mod:`surveil.planning`) and sizing
(:mod:`surveil.needs`) take their defaults and their probabilities from here.

A sensor j detects a crossing seen at slant range r (metres, 3-D distance
from its eye to the target) in light ``day`` or ``night`` with

.. math::  p_j(r, \\text{light}) = pd_j(r) \\cdot \\ell_j(\\text{light}) \\cdot a_j

where :math:`a_j` is the sensor's availability over the assessment period
(:func:`effective_availability`: ``availability``, or the mean over the
period's days of each day's month value in ``availability_by_month``) and
:math:`\\ell_j` is 1 by day and ``pd_night / pd`` at night (1 where
``pd_night`` is not given: thermal cameras and radar see both; a daylight
camera without illuminator has ``pd_night = 0``). :math:`pd_j(r)` is, for
the assessment's target class (``person`` by default, or ``vehicle``):

* a ``pd_by_range`` table (``"0:0.9;2000:0.8;4000:0.3"``: range in metres,
  pd), interpolated linearly, its last pd held beyond its last range;
* else, when the task range is given (``detect_m``, or ``recognise_m`` /
  ``identify_m`` when the assessment asks for that task), the DRI curve of
  thermal and camera datasheets: those ranges are where a trained observer
  performs the task with probability 0.5 (Johnson criteria). The curve is
  the target transfer probability function of the US Army night-vision
  models (NVThermIP; Vollmerhausen, Jacobs & Driggers 2004),
  ``TTPF(x) = x^E / (1 + x^E)``, ``E = 2.7 + 0.7 x``, of ``x = D / r`` (the
  resolved cycles on target fall as 1/r, so x is their ratio to the 50 %
  criterion), scaled by the catalogue ``pd``:
  ``pd(r) = pd · TTPF(D / r)``. It is tabulated at
  ``r / D ∈ {0, 1/4, 1/2, 2/3, 4/5, 1, 5/4, 3/2, 2, 3, 4}`` and interpolated
  linearly between (the table is the model, so both engines give the same
  numbers); beyond 4 D the value at 4 D (1.8 % of pd) holds;
* else ``pd`` at every range (the plain model of earlier versions).

Whatever the curve, nothing is detected beyond ``range_m`` (the instrument's
reach), which for a ``vehicle`` target is ``range_vehicle_m`` when given.
Vehicle DRI ranges come from ``detect_vehicle_m`` … when given, else from
the person's scaled by the ratio of the datasheets' critical dimensions,
2.3 m (vehicle 2.3 × 2.3 m) over 0.75 m (person 1.8 × 0.5 m): Johnson
ranges grow in proportion to the critical dimension.

Examples
--------
>>> round(ttpf(1.0), 3)
0.5
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from surveil.errors import Problem, SchemaError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

__all__ = [
    "DEFAULTS",
    "LIGHTS",
    "MODEL_COLUMNS",
    "TARGETS",
    "TASKS",
    "PdCurves",
    "active_sensors",
    "effective_availability",
    "for_target",
    "has_monthly_availability",
    "parse_availability_by_month",
    "parse_pd_by_range",
    "pd_curves",
    "ttpf",
    "with_model_columns",
]

#: Defaults of a sensor's fields, the one set for the sensors layer, the
#: catalogue, candidate sites and sizing: mast height (m), uptime, field of
#: view (degrees).
DEFAULTS: Mapping[str, float] = {"height_m": 10.0, "availability": 1.0, "fov_deg": 360.0}

#: The generic tower by which high ground is ranked as candidate sites
#: (:func:`surveil.terrain.high_ground`): mast (m) and reach (m).
SURVEY_TOWER: Mapping[str, float] = {"height_m": 20.0, "range_m": 10_000.0}

#: Light conditions of the time windows.
LIGHTS: tuple[str, ...] = ("day", "night")

#: Target classes, with the datasheets' critical dimension in metres.
CRITICAL_DIMENSION_M: Mapping[str, float] = {"person": 0.75, "vehicle": 2.3}
TARGETS: tuple[str, ...] = tuple(CRITICAL_DIMENSION_M)

#: Observation tasks of the DRI convention and the column of their range.
TASKS: Mapping[str, str] = {
    "detect": "detect_m",
    "recognise": "recognise_m",
    "identify": "identify_m",
}

#: Optional columns of the model, in sensors layers and the catalogue.
MODEL_COLUMNS: tuple[str, ...] = (
    "pd_night",
    "detect_m",
    "recognise_m",
    "identify_m",
    "pd_by_range",
    "range_vehicle_m",
    "detect_vehicle_m",
    "recognise_vehicle_m",
    "identify_vehicle_m",
    "availability_by_month",
)

#: Model columns that hold text (tables), the others are numbers.
TEXT_COLUMNS: tuple[str, ...] = ("pd_by_range", "availability_by_month")

#: How a bad ``availability_by_month`` is told to mend itself.
MONTH_TABLE_EXAMPLE = 'expected month:availability pairs such as "1:0.7,2:0.7,6:0.95"'

#: Where the DRI curve is tabulated, as multiples of the task range.
CURVE_NODES: tuple[float, ...] = (0.0, 0.25, 0.5, 2.0 / 3.0, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)


def ttpf(x: float) -> float:
    """Return the target transfer probability function ``x^E / (1 + x^E)``, ``E = 2.7 + 0.7 x``.

    ``x`` is the ratio of the cycles resolved on the target to those of the
    task's 50 % criterion (``D / r`` for a task range D at range r).

    Examples
    --------
    >>> round(ttpf(2.0), 4)  # 2^4.1 / (1 + 2^4.1)
    0.9449
    """
    if math.isinf(x):
        return 1.0
    if x <= 0.0:
        return 0.0
    power = x ** (2.7 + 0.7 * x)
    return power / (1.0 + power)


def parse_pd_by_range(text: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Return the ranges (m) and pds of a ``pd_by_range`` text such as ``"0:0.9;2000:0.5"``.

    Pairs are ``range:pd`` separated by ``;`` (or spaces); ranges strictly
    increasing from 0 or more, pds from 0 to 1.

    Raises
    ------
    ValueError
        Saying what is wrong, for the caller to put in a message.

    Examples
    --------
    >>> parse_pd_by_range("0:0.9; 2000:0.5")
    ((0.0, 2000.0), (0.9, 0.5))
    """
    ranges: list[float] = []
    pds: list[float] = []
    for item in str(text).replace(";", " ").split():
        parts = item.split(":")
        try:
            r, p = (float(v) for v in parts)
        except ValueError:
            raise ValueError(f"{item!r} is not range:pd") from None
        if not (math.isfinite(r) and r >= 0 and 0 <= p <= 1):
            raise ValueError(f"{item!r}: expected a range of 0 m or more and a pd from 0 to 1")
        if ranges and r <= ranges[-1]:
            raise ValueError("ranges must increase")
        ranges.append(r)
        pds.append(p)
    if not ranges:
        raise ValueError("no range:pd pairs")
    return tuple(ranges), tuple(pds)


def parse_availability_by_month(text: str) -> dict[int, float]:
    """Return the availability per month (1–12) of an ``availability_by_month`` text.

    Pairs are ``month:availability`` separated by ``,`` ``;`` or spaces;
    months 1 to 12, each at most once, availabilities from 0 to 1. Months
    not listed are not in the result (they keep ``availability``).

    Raises
    ------
    ValueError
        Saying what is wrong, for the caller to put in a message.

    Examples
    --------
    >>> parse_availability_by_month("1:0.7, 2:0.75;12:0.7")
    {1: 0.7, 2: 0.75, 12: 0.7}
    """
    out: dict[int, float] = {}
    for item in str(text).replace(",", " ").replace(";", " ").split():
        parts = item.split(":")
        try:
            month_f, value = (float(v) for v in parts)
        except ValueError:
            raise ValueError(f"{item!r} is not month:availability") from None
        if not (month_f.is_integer() and 1 <= month_f <= 12):
            raise ValueError(f"{item!r}: the month must be a whole number from 1 to 12")
        if not 0 <= value <= 1:
            raise ValueError(f"{item!r}: the availability must be from 0 to 1")
        month = int(month_f)
        if month in out:
            raise ValueError(f"month {month} is given twice")
        out[month] = value
    if not out:
        raise ValueError("no month:availability pairs")
    return out


def month_days(period_start: str = "", period_end: str = "") -> FloatArray:
    """Return how many days of the assessment period fall in each month, January first.

    The period is that of the time windows
    (:func:`surveil.windows.period_days`: the year 2025 when empty).

    Examples
    --------
    >>> month_days("2025-01-01", "2025-02-28")[:3].tolist()
    [31.0, 28.0, 0.0]
    """
    from surveil.windows import period_days

    months = pd.DatetimeIndex(period_days(period_start, period_end)).month.to_numpy()
    return np.bincount(months - 1, minlength=12).astype(float)


def has_monthly_availability(sensors: pd.DataFrame) -> bool:
    """Return whether any sensor has an ``availability_by_month`` table.

    Examples
    --------
    >>> has_monthly_availability(pd.DataFrame({"availability_by_month": ["", None]}))
    False
    """
    return any(_text(sensors, "availability_by_month"))


def effective_availability(
    sensors: pd.DataFrame, period_start: str = "", period_end: str = ""
) -> FloatArray:
    """Return each sensor's availability over the assessment period.

    The mean over the period's days of each day's month value in
    ``availability_by_month``; months not listed there, and sensors without
    the table, take ``availability`` (default 1).

    Raises
    ------
    surveil.errors.SchemaError
        For an ``availability_by_month`` that does not read, naming the row
        (its ``source_row`` when the sensors came from a layer).

    Examples
    --------
    >>> s = pd.DataFrame({"availability": [0.9, 0.9],
    ...                   "availability_by_month": ["1:0.5,2:0.8", ""]})
    >>> a = effective_availability(s, "2025-01-01", "2025-02-28")
    >>> round(float(a[0]), 6) == round((31 * 0.5 + 28 * 0.8) / 59, 6), float(a[1])
    (True, 0.9)
    """
    base = _column(sensors, "availability", DEFAULTS["availability"])
    base = np.where(np.isfinite(base), base, DEFAULTS["availability"])
    tables = _text(sensors, "availability_by_month")
    if not any(tables):
        return base
    days = month_days(period_start, period_end)
    rows = _column(sensors, "source_row", math.nan)
    out = base.copy()
    problems = []
    for j, table in enumerate(tables):
        if not table:
            continue
        try:
            by_month = parse_availability_by_month(table)
        except ValueError as err:
            shown = int(rows[j]) if math.isfinite(rows[j]) else j + 1
            problems.append(
                Problem(
                    "sensors",
                    "sensors",
                    shown,
                    "availability_by_month",
                    table,
                    f"{err}; {MONTH_TABLE_EXAMPLE}",
                )
            )
            continue
        values = np.array([by_month.get(m, base[j]) for m in range(1, 13)])
        out[j] = float((values * days).sum() / days.sum())
    if problems:
        raise SchemaError(
            f"{len(problems)} sensor(s) with an unreadable availability_by_month", problems
        )
    return out


def _column(sensors: pd.DataFrame, name: str, default: float = math.nan) -> FloatArray:
    if name not in sensors:
        return np.full(len(sensors), default)
    return pd.to_numeric(sensors[name], errors="coerce").to_numpy(dtype=float)


def _text(sensors: pd.DataFrame, name: str) -> list[str]:
    if name not in sensors:
        return [""] * len(sensors)
    return ["" if pd.isna(v) else str(v).strip() for v in sensors[name]]


def with_model_columns(sensors: pd.DataFrame, catalogue: pd.DataFrame | None) -> pd.DataFrame:
    """Return the sensors with the model's optional columns, empty ones filled from their type.

    A row's own value wins; an empty one takes the catalogue's for the
    row's ``type`` (when the catalogue has that type), else stays empty
    (NaN, or ``""`` for ``pd_by_range``). The input is not modified.
    """
    out = sensors.copy()
    specs = None
    if catalogue is not None and "type" in catalogue and "type" in out:
        specs = catalogue.drop_duplicates("type").set_index("type")
    types = out["type"].astype(str) if "type" in out else pd.Series([""] * len(out))
    # The catalogue's night-to-day ratio applies to a row's own pd.
    if specs is not None and "pd_night" in specs and "pd" in specs and "pd" in out:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            ratio = pd.to_numeric(specs["pd_night"], errors="coerce") / specs["pd"]
        scaled = types.map(ratio).to_numpy(dtype=float) * _column(out, "pd")
        given = _column(out, "pd_night")
        out["pd_night"] = np.where(np.isfinite(given), given, np.minimum(scaled, 1.0))
    for column in MODEL_COLUMNS:
        text = column in TEXT_COLUMNS
        if text:
            given = pd.Series(_text(out, column), index=out.index)
            known = (
                types.map(specs[column]).fillna("").astype(str)
                if specs is not None and column in specs
                else pd.Series([""] * len(out), index=out.index)
            )
            out[column] = given.where(given != "", known.to_numpy())
        else:
            given = pd.Series(_column(out, column), index=out.index)
            known = (
                pd.to_numeric(types.map(specs[column]), errors="coerce")
                if specs is not None and column in specs
                else pd.Series(np.nan, index=out.index)
            )
            out[column] = given.where(given.notna(), known.to_numpy())
    return out


def for_target(sensors: pd.DataFrame, target: str = "person") -> pd.DataFrame:
    """Return the sensors with ``range_m`` the reach for the target class.

    For ``vehicle``, ``range_vehicle_m`` where given (else ``range_m``).
    The input is not modified.

    Examples
    --------
    >>> s = pd.DataFrame({"range_m": [1000.0], "range_vehicle_m": [2500.0]})
    >>> for_target(s, "vehicle")["range_m"].tolist()
    [2500.0]
    """
    _check_target(target)
    if target == "person" or "range_vehicle_m" not in sensors:
        return sensors
    given = _column(sensors, "range_vehicle_m")
    reach = np.where(np.isfinite(given), given, sensors["range_m"].to_numpy(dtype=float))
    return sensors.assign(range_m=reach)


def active_sensors(sensors: Any, *, include_planned: bool = False) -> Any:
    """Return the sensors that count: operational ones, and planned ones if asked.

    Faulty sensors count as absent (DESIGN §3). Sensors a plan recommends
    (status ``recommended``, :func:`surveil.planning.planned_scenario`) count
    in the plan.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> s = gpd.GeoDataFrame({"status": ["operational", "faulty", "planned", "recommended"]},
    ...                      geometry=[shapely.Point(0, 0)] * 4, crs=4326)
    >>> len(active_sensors(s)), len(active_sensors(s, include_planned=True))
    (2, 3)
    """
    keep = {"operational", "recommended"} | ({"planned"} if include_planned else set())
    return sensors[sensors["status"].isin(keep)]


def _check_target(target: str) -> None:
    if target not in CRITICAL_DIMENSION_M:
        raise ValueError(f"target is {target!r}; expected one of {', '.join(TARGETS)}")


@dataclass(frozen=True)
class PdCurves:
    """Every sensor's day pd by slant range, as tables, and its light factors.

    Attributes
    ----------
    offsets
        Sensor j's nodes are ``range_m[offsets[j]:offsets[j + 1]]``.
    range_m, pd
        Nodes: slant range in metres (increasing per sensor) and day pd.
    scale
        Per light (``LIGHTS`` order) and sensor, the factor
        ``ℓ(light) · availability`` applied to the table's pd, shape
        ``(2, sensors)``.
    """

    offsets: IntArray
    range_m: FloatArray
    pd: FloatArray
    scale: FloatArray

    def probability(self, sensor: IntArray, slant_m: FloatArray, light: str) -> FloatArray:
        """Return ``p_j(r, light)`` for each (sensor, slant range) pair.

        Linear interpolation between the sensor's nodes, the first pd held
        before the first node and the last one after the last (the reach
        cut is the caller's: pairs come from range and sector tests).
        :mod:`surveil._numba_kernels` repeats this arithmetic step by step.

        Examples
        --------
        >>> curves = pd_curves(pd.DataFrame({"pd": [0.6], "detect_m": [1000.0]}))
        >>> round(float(curves.probability(np.array([0]), np.array([1000.0]), "day")[0]), 6)
        0.3
        """
        light_index = LIGHTS.index(light)
        return (
            interpolate(self.offsets, self.range_m, self.pd, sensor, slant_m)
            * (self.scale[light_index, sensor])
        )


def interpolate(
    offsets: IntArray, nodes: FloatArray, values: FloatArray, sensor: IntArray, x: FloatArray
) -> FloatArray:
    """Interpolate each sensor's table linearly at x (its end values held outside)."""
    start = offsets[sensor]
    count = offsets[sensor + 1] - start
    out = values[start].astype(float)  # below the first node: the first value
    for k in range(1, int(count.max(initial=1))):
        has = k < count
        i = np.where(has, start + k, start)
        lo = np.where(has, i - 1, start)
        r0, r1 = nodes[lo], nodes[i]
        f0, f1 = values[lo], values[i]
        beyond = has & (x >= r1)
        within = has & (x > r0) & (x < r1)
        span = np.where(within, r1 - r0, 1.0)
        out = np.where(beyond, f1, out)
        out = np.where(within, f0 + (x - r0) / span * (f1 - f0), out)
    return out


def _dri_range(sensors: pd.DataFrame, task: str, target: str) -> FloatArray:
    """Return the task's 50 % range for the target class (NaN where not given)."""
    column = TASKS[task]
    person = _column(sensors, column)
    if target == "person":
        return person
    own = _column(sensors, column.replace("_m", f"_{target}_m"))
    ratio = CRITICAL_DIMENSION_M[target] / CRITICAL_DIMENSION_M["person"]
    return np.where(np.isfinite(own), own, person * ratio)


def pd_curves(
    sensors: pd.DataFrame,
    *,
    target: str = "person",
    task: str = "detect",
    period: tuple[str, str] = ("", ""),
) -> PdCurves:
    """Return every sensor's pd-by-range table and light factors (see the module docstring).

    Parameters
    ----------
    sensors
        Sensors with ``pd`` and optionally ``availability``, ``pd_night``,
        the DRI ranges and ``pd_by_range`` (see :data:`MODEL_COLUMNS`).
    target
        Target class, ``person`` or ``vehicle``.
    task
        Observation task that counts as a detection: ``detect`` (default),
        ``recognise`` or ``identify`` (its range column is used).
    period
        ``(period_start, period_end)`` of the assessment, ISO dates (empty:
        a whole year), over which ``availability_by_month`` is averaged
        (:func:`effective_availability`). This is the one place where
        availability enters detection.

    Raises
    ------
    ValueError
        For an unknown target or task.
    surveil.errors.SchemaError
        For a ``pd_by_range`` that does not read, naming the row (its
        ``source_row`` when the sensors came from a layer).
    """
    _check_target(target)
    if task not in TASKS:
        raise ValueError(f"task is {task!r}; expected one of {', '.join(TASKS)}")
    pd_day = _column(sensors, "pd")
    available = effective_availability(sensors, *period)
    night = _column(sensors, "pd_night")
    with np.errstate(invalid="ignore"):
        ratio = np.where(pd_day > 0, night / np.maximum(pd_day, 1e-300), 0.0)
    ratio = np.where(np.isfinite(night), ratio, 1.0)
    dri = _dri_range(sensors, task, target)
    tables = _text(sensors, "pd_by_range")
    if target != "person":
        own = _text(sensors, f"pd_by_range_{target}")
        tables = [o or t for o, t in zip(own, tables, strict=True)]
    ranges: list[float] = []
    values: list[float] = []
    offsets = [0]
    rows = _column(sensors, "source_row", math.nan)
    problems = []
    for row, (p, d, table) in enumerate(zip(pd_day, dri, tables, strict=True)):
        if table:
            try:
                r, v = parse_pd_by_range(table)
            except ValueError as err:
                shown = int(rows[row]) if math.isfinite(rows[row]) else row + 1
                expected = f'{err}; expected range:pd pairs such as "0:0.9;2000:0.6;4000:0.2"'
                problems.append(
                    Problem("sensors", "sensors", shown, "pd_by_range", table, expected)
                )
                r, v = (0.0,), (0.0,)
        elif math.isfinite(d) and d > 0:
            r = tuple(d * n for n in CURVE_NODES)
            v = tuple(p * ttpf(math.inf if n == 0 else 1.0 / n) for n in CURVE_NODES)
        else:
            r, v = (0.0,), (float(p),)
        ranges.extend(r)
        values.extend(v)
        offsets.append(len(ranges))
    if problems:
        raise SchemaError(f"{len(problems)} sensor(s) with an unreadable pd_by_range", problems)
    offsets_a = np.asarray(offsets, dtype=np.int64)
    values_a = np.asarray(values, dtype=float)
    # A night pd above the day's (thermal contrast is often better at night)
    # scales the curve up, never past pd = 1.
    peak = np.maximum.reduceat(values_a, offsets_a[:-1]) if len(values_a) else values_a
    # (floored at 1e-300 so that a vanishing pd cannot make the ratio infinite)
    ratio = np.minimum(ratio, np.where(peak > 0, 1.0 / np.maximum(peak, 1e-300), 0.0))
    return PdCurves(
        offsets=offsets_a,
        range_m=np.asarray(ranges, dtype=float),
        pd=values_a,
        scale=np.vstack([available, available * ratio]),
    )


def catalogue_pd(means: Mapping[str, Any], light: str = "day") -> float:
    """Return a catalogue means' pd within range in a light (day ``pd``, night ``pd_night``).

    Examples
    --------
    >>> catalogue_pd({"pd": 0.6, "pd_night": 0.0}, "night")
    0.0
    >>> catalogue_pd({"pd": 0.8, "pd_night": float("nan")}, "night")
    0.8
    """
    pd_day = float(means["pd"])
    if light == "night":
        night = means.get("pd_night")
        if night is not None and math.isfinite(float(night)):
            return float(night)
    return pd_day


def unit_pd(
    means: Mapping[str, Any],
    *,
    covered_m: float,
    night_share: float = 0.0,
    target: str = "person",
    task: str = "detect",
    samples: int = 64,
) -> float:
    """Return one unit's detection along the stretch of line it covers, for sizing.

    The unit stands ``standoff_m`` from the line; a point x along the
    covered length is at range ``√(standoff² + x²)``. Its pd by range
    (:func:`pd_curves`) is averaged over ``samples`` points spread evenly
    on the covered length, by day and at night, weighted by
    ``night_share``, times availability. For a means with one pd this is
    ``pd · availability`` by day.

    Examples
    --------
    >>> round(unit_pd({"pd": 0.8, "availability": 0.5, "standoff_m": 100.0}, covered_m=1000.0), 6)
    0.4
    >>> round(unit_pd({"pd": 0.8, "pd_night": 0.0, "standoff_m": 100.0}, covered_m=1000.0,
    ...               night_share=0.25), 6)
    0.6
    """
    frame = pd.DataFrame([dict(means)])
    curves = pd_curves(frame, target=target, task=task)
    half = max(float(covered_m), 0.0) / 2.0
    along = (np.arange(samples) + 0.5) / samples * half
    slant = np.hypot(float(means.get("standoff_m") or 0.0), along)
    zero = np.zeros(samples, dtype=np.int64)
    day = float(curves.probability(zero, slant, "day").mean())
    night = float(curves.probability(zero, slant, "night").mean())
    return (1.0 - night_share) * day + night_share * night
