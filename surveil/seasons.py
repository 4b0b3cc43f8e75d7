"""Key figures per season: the time windows and availability over each season a scenario names.

A scenario may name seasons (its file's ``[seasons]`` table, e.g.
``winter = ["2025-12-01", "2026-02-28"]``). For each, the assessment gives
``km_covered_<season>``, ``covered_share_<season>``, ``gap_count_<season>``,
``gap_km_<season>``, ``mean_p_detect_<season>`` and ``night_share_<season>``
in ``summary.json``: the figures of the same assessment run with the season
as ``period_start`` / ``period_end``.

What differs between seasons is only what depends on the period (DESIGN §3,
"Time"): the hours of darkness, hence the night weight and the patrol
windows' hours (:mod:`surveil.windows`), and the sensors' availability where
a sensor has an ``availability_by_month`` (:mod:`surveil.sensors`). The
crossing paths each sensor sees and at what range, the patrols' passes and
the target points are the run's own and are reused: per season only the
sensors' probabilities are recomputed from the run's (point, sensor, range)
pairs, and only when some sensor's availability depends on the month.

Examples
--------
>>> read_seasons({"winter": ["2025-12-01", "2026-02-28"]}, "scenario.toml")
{'winter': ('2025-12-01', '2026-02-28')}
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from surveil import coverage, windows
from surveil import sensors as sensor_model
from surveil.errors import Problem, ScenarioError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

__all__ = ["SeasonDetection", "read_seasons", "season_detection", "season_summary"]

#: A season's name: it becomes part of summary keys.
SEASON_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: Names taken by the time windows' own keys.
RESERVED = ("day", "night", "all")

_EXAMPLE = 'expected two ISO dates such as winter = ["2025-12-01", "2026-02-28"]'


def _iso(value: Any) -> str | None:
    """Return a date as ISO text (TOML dates or ISO strings), or None."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None
    return None


def read_seasons(table: Any, where: str) -> dict[str, tuple[str, str]]:
    """Check a scenario's ``[seasons]`` table: names and their first and last days.

    Parameters
    ----------
    table
        The table as read from TOML: name → ``[first, last]`` (ISO dates,
        as text or TOML dates).
    where
        The scenario file, for messages.

    Raises
    ------
    surveil.errors.ScenarioError
        With a problem naming the file, the season and what is expected,
        for every bad entry at once.

    Examples
    --------
    >>> try:
    ...     read_seasons({"Winter": ["2025-12-01"], "dry": ["2025-08-01", "2025-07-01"]}, "s.toml")
    ... except ScenarioError as err:
    ...     print([p.field for p in err.problems])
    ['Winter', 'dry']
    """
    if not isinstance(table, Mapping):
        raise ScenarioError(f"{where}: seasons is {table!r}; {_EXAMPLE}")
    problems = []
    out: dict[str, tuple[str, str]] = {}
    for name, value in table.items():
        shown = repr(value)
        if not SEASON_NAME.match(str(name)) or name in RESERVED:
            expected = (
                "expected a name of lower-case letters, digits and _ (it becomes part of "
                f"summary keys), not {', '.join(RESERVED)}"
            )
            problems.append(Problem(where, "seasons", None, str(name), shown, expected))
            continue
        days = [_iso(v) for v in value] if isinstance(value, list | tuple) else []
        first, last = (days[0], days[1]) if len(days) == 2 else (None, None)
        if first is None or last is None:
            problems.append(Problem(where, "seasons", None, str(name), shown, _EXAMPLE))
        elif last < first:
            expected = "expected the last day on or after the first"
            problems.append(Problem(where, "seasons", None, str(name), shown, expected))
        else:
            out[str(name)] = (first, last)
    if problems:
        raise ScenarioError("invalid seasons table", problems)
    return out


@dataclass(frozen=True)
class SeasonDetection:
    """A season's detection of a crossing at a random time, and its night weight per point."""

    detection: coverage.PointDetection
    night_weight: FloatArray


def season_detection(
    seasons: Mapping[str, tuple[str, str]],
    *,
    lat: FloatArray,
    sensors: pd.DataFrame,
    p_light: FloatArray,
    seeing: IntArray,
    rates: dict[str, coverage.PatrolRates],
    hits: Callable[[], tuple[IntArray, IntArray, FloatArray]],
    curves: Callable[[tuple[str, str]], sensor_model.PdCurves],
    incidents: pd.DataFrame | None,
    trace_persistence_h: float,
) -> dict[str, SeasonDetection]:
    """Return each season's detection, reusing the run's sensor and patrol geometry.

    Parameters
    ----------
    seasons
        Name → (first day, last day).
    lat
        Latitude of each target point.
    sensors
        The run's sensors with the model columns.
    p_light, seeing
        The run's ``P_sensor`` per light and point, and sensors seeing each
        segment (:func:`surveil.coverage.sensor_detection`): reused as they
        are when no sensor's availability depends on the month.
    rates
        The run's patrol passes per route window.
    hits
        Returns the run's (point, sensor, slant range) pairs
        (:func:`surveil.coverage.sensor_hits`); called once, and only when
        some sensor has an ``availability_by_month``.
    curves
        Returns the sensors' pd curves over a period.
    incidents
        Incidents whose times of day tilt the night weight (as in the run).
    trace_persistence_h
        Hours traces stay readable.
    """
    monthly = sensor_model.has_monthly_availability(sensors)
    pairs = hits() if monthly and len(seasons) else None
    out = {}
    for name, (first, last) in seasons.items():
        light = p_light
        if pairs is not None:
            point, sensor, slant = pairs
            season_curves = curves((first, last))
            light = np.vstack(
                [
                    coverage.light_probability(point, sensor, slant, season_curves, w, lat.size)
                    for w in sensor_model.LIGHTS
                ]
            )
        times = windows.Windows.at(lat, period_start=first, period_end=last, incidents=incidents)
        by_window = windows.window_detection(
            light, seeing, rates, times, trace_persistence_h=trace_persistence_h
        )
        out[name] = SeasonDetection(
            detection=windows.combine_windows(by_window, times.night_weight),
            night_weight=times.night_weight,
        )
    return out


def season_summary(
    by_season: Mapping[str, SeasonDetection],
    *,
    targets: Any,
    segments: pd.DataFrame,
    gaps_of: Callable[[FloatArray], pd.DataFrame],
    target_pd: float,
) -> dict[str, Any]:
    """Return the key figures of each season, keys suffixed ``_<season>``.

    ``km_covered`` (length whose target points reach ``target_pd``, each
    point standing for its stretch), ``covered_share``, ``gap_count`` and
    ``gap_km`` (the gaps of the season's detection, found as the run's by
    ``gaps_of``), ``mean_p_detect`` and ``night_share`` (length-weighted),
    as the run's own keys are computed.
    """
    n = len(segments)
    length_km = segments["length_m"].to_numpy(dtype=float) / 1000.0
    km = float(length_km.sum())
    out: dict[str, Any] = {}
    for name, season in by_season.items():
        p = season.detection.p_detect
        covered_frac = coverage.segment_means((p >= target_pd - 1e-12).astype(float), targets, n)
        covered = float((covered_frac * length_km).sum())
        gaps = gaps_of(p)
        p_seg = coverage.segment_means(p, targets, n)
        share = coverage.segment_means(season.night_weight, targets, n)
        out[f"km_covered_{name}"] = covered
        out[f"covered_share_{name}"] = covered / km if km > 0 else 0.0
        out[f"gap_count_{name}"] = len(gaps)
        out[f"gap_km_{name}"] = float(gaps["length_km"].sum()) if len(gaps) else 0.0
        out[f"mean_p_detect_{name}"] = (
            float(np.average(p_seg, weights=length_km)) if km > 0 else 0.0
        )
        out[f"night_share_{name}"] = float(np.average(share, weights=length_km)) if km > 0 else 0.0
    return out
