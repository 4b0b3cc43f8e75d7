"""Split detection into day and night windows: darkness from the sun, patrol windows, weights.

The time model of DESIGN §3 ("Time"):

* **Darkness.** Night is when the sun's centre is more than 6° below the
  horizon (after the end of civil twilight in the evening, before its
  start in the morning): in civil twilight there is light enough for a
  daylight camera and for patrols to read the ground, so it counts as day.
  The sun's declination is that of the NOAA Solar Calculator (NOAA Global
  Monitoring Laboratory, after Meeus, *Astronomical Algorithms*), taken at
  12:00 UTC of each day;
  the hours of darkness on a day are ``24 − 2 H₀ / 15`` with
  ``cos H₀ = (sin h₀ − sin φ sin δ) / (cos φ cos δ)``, h₀ the sun's
  altitude at the window's edge (−6°) and φ the latitude. The night share
  of a target point is the mean of its darkness hours over the days of the
  assessment period (``period_start`` to ``period_end``; a whole year by
  default) divided by 24.
* **Patrol windows.** A route with ``window = all`` makes its
  ``visits_per_day`` passes spread over the whole day; one with
  ``window = day`` or ``night`` makes them within that window only, so
  during it it passes ``24 / H_w`` times as often (H_w the window's hours).
  A crossing in window w is seen in real time at the rate of the passes in
  w. Traces laid in w stay readable ``trace_persistence_h`` T, into the next
  window: the reading passes in ``[t₀, t₀ + T]`` are Poisson with mean
  ``Λ(t₀) = Σ_routes pd · v · (hours of the route's window in [t₀, t₀ + T]) /
  (hours of its window in a day)``, and ``P_trace(w)`` is the mean of
  ``1 − exp(−Λ(t₀))`` over crossing times t₀ spread evenly in w,
  integrated exactly (a day is ``H_day`` hours of day, then ``H_night`` of
  night).
* **Sensors.** By day each sensor's day pd, at night its night pd
  (:mod:`surveil.sensors`).
* **Weights.** A crossing happens at night with probability ``w_night``:
  the night share (crossings spread evenly in time) or, where incidents
  carry a time of day, ``(n_night + K · share) / (n_timed + K)`` with
  ``K = 10`` crossings spread evenly in time as the prior (so three timed
  incidents do not decide alone). The overall detection is
  ``P = (1 − w_night) · P_day + w_night · P_night`` at each point: the
  probability that a crossing at a random time is detected. An incident
  time with no zone is UTC (as the layer reader reads it); a time of
  exactly 00:00 is read as a date without time.

Examples
--------
>>> round(darkness_hours(40.0, "2025-12-21", sun_altitude_deg=-0.833), 2)  # 24 h − day length
14.68
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from surveil import coverage
from surveil.coverage import PointDetection

FloatArray = NDArray[np.float64]

__all__ = [
    "CIVIL_TWILIGHT_DEG",
    "WINDOWS",
    "Windows",
    "combine_windows",
    "darkness_hours",
    "declination_deg",
    "incident_night_counts",
    "night_share",
    "sun_altitude_deg",
    "window_detection",
]

#: Sun altitude at the edge of night: the end of civil twilight, degrees.
CIVIL_TWILIGHT_DEG = -6.0
#: Time windows of the per-window outputs.
WINDOWS: tuple[str, ...] = ("day", "night")
#: Crossings spread evenly in time that weigh with the timed incidents.
PRIOR_CROSSINGS = 10.0


def _solar(when_utc: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Return the sun's declination (degrees) and the equation of time (minutes).

    The NOAA Solar Calculator's formulas (after Meeus, *Astronomical
    Algorithms*): accurate to about 0.01° in declination and a few seconds
    in the equation of time for 1800–2100.
    """
    times = np.atleast_1d(np.asarray(when_utc, dtype="datetime64[ns]"))
    jd = times.astype("int64") / 86_400e9 + 2_440_587.5
    t = (jd - 2_451_545.0) / 36_525.0
    l0 = np.radians((280.46646 + t * (36_000.76983 + 0.0003032 * t)) % 360.0)
    m = np.radians(357.52911 + t * (35_999.05029 - 0.0001537 * t))
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    c = (
        np.sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + np.sin(2 * m) * (0.019993 - 0.000101 * t)
        + np.sin(3 * m) * 0.000289
    )
    omega = np.radians(125.04 - 1934.136 * t)
    apparent = np.radians(np.degrees(l0) + c - 0.00569 - 0.00478 * np.sin(omega))
    eps0 = 23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - 0.001813 * t))) / 60.0) / 60.0
    eps = np.radians(eps0 + 0.00256 * np.cos(omega))
    declination = np.degrees(np.arcsin(np.sin(eps) * np.sin(apparent)))
    y = np.tan(eps / 2.0) ** 2
    eot = 4.0 * np.degrees(
        y * np.sin(2 * l0)
        - 2 * e * np.sin(m)
        + 4 * e * y * np.sin(m) * np.cos(2 * l0)
        - 0.5 * y * y * np.sin(4 * l0)
        - 1.25 * e * e * np.sin(2 * m)
    )
    return declination, eot


def declination_deg(when_utc: ArrayLike) -> FloatArray:
    """Return the sun's declination in degrees at UTC times (NOAA Solar Calculator).

    Examples
    --------
    >>> round(float(declination_deg(np.datetime64("2025-12-21T12:00"))[0]), 2)
    -23.44
    """
    return _solar(when_utc)[0]


def sun_altitude_deg(lon: ArrayLike, lat: ArrayLike, when_utc: ArrayLike) -> FloatArray:
    """Return the sun's altitude above the horizon in degrees (NOAA formulas, no refraction).

    Parameters
    ----------
    lon, lat
        Place in degrees.
    when_utc
        Times in UTC (naive datetimes or ``datetime64``).

    Examples
    --------
    >>> bool(sun_altitude_deg(0.0, 0.0, np.datetime64("2025-03-20T12:00")) > 85)
    True
    """
    times = pd.DatetimeIndex(np.atleast_1d(np.asarray(when_utc, dtype="datetime64[ns]")))
    hour = (times.hour + times.minute / 60.0 + times.second / 3600.0).to_numpy(dtype=float)
    delta_deg, eqt = _solar(times.to_numpy())
    solar_min = hour * 60.0 + eqt + 4.0 * np.asarray(lon, dtype=float)
    hour_angle = np.radians(solar_min / 4.0 - 180.0)
    phi = np.radians(np.asarray(lat, dtype=float))
    delta = np.radians(delta_deg)
    cos_zenith = np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * np.cos(hour_angle)
    return 90.0 - np.degrees(np.arccos(np.clip(cos_zenith, -1.0, 1.0)))


def _darkness_hours(
    lat: FloatArray, declination: FloatArray, sun_altitude_deg: float
) -> FloatArray:
    phi, delta = np.radians(lat), np.radians(declination)
    cos_h = (math.sin(math.radians(sun_altitude_deg)) - np.sin(phi) * np.sin(delta)) / (
        np.cos(phi) * np.cos(delta)
    )
    light_h = 2.0 * np.degrees(np.arccos(np.clip(cos_h, -1.0, 1.0))) / 15.0
    return 24.0 - light_h


def darkness_hours(lat: float, date: Any, *, sun_altitude_deg: float = CIVIL_TWILIGHT_DEG) -> float:
    """Return the hours of darkness on a date at a latitude.

    Darkness is the sun's centre below ``sun_altitude_deg`` (−6°: after civil
    twilight; −0.833°: the almanac's sunset to sunrise, refraction and the
    sun's radius included). The declination is taken at 12:00 UTC.

    Examples
    --------
    >>> round(darkness_hours(40.0, "2025-06-21", sun_altitude_deg=-0.833), 2)
    8.99
    """
    noon = np.datetime64(pd.Timestamp(date).date(), "D") + np.timedelta64(12, "h")
    return float(_darkness_hours(np.array([lat]), declination_deg(noon), sun_altitude_deg)[0])


def period_days(start: str = "", end: str = "") -> NDArray[np.datetime64]:
    """Return the days of the assessment period at 12:00 UTC (the year 2025 when empty).

    Any whole year gives the same night share to within a minute a day.

    Examples
    --------
    >>> len(period_days()), str(period_days("2025-12-30", "2026-01-02")[-1])
    (365, '2026-01-02T12:00:00.000000000')
    """
    if not start and not end:
        start, end = "2025-01-01", "2025-12-31"
    first = pd.Timestamp(start or end)
    last = pd.Timestamp(end or start)
    if last < first:
        raise ValueError(f"period_end {end!r} is before period_start {start!r}")
    days = pd.date_range(first, last, freq="D") + pd.Timedelta(hours=12)
    return days.to_numpy(dtype="datetime64[ns]")


def night_share(
    lat: ArrayLike,
    days: NDArray[np.datetime64],
    *,
    sun_altitude_deg: float = CIVIL_TWILIGHT_DEG,
) -> FloatArray:
    """Return the mean share of the day in darkness at each latitude over the given days.

    Latitudes are evaluated to 0.01° (1 km; darkness changes by seconds).
    """
    lat = np.asarray(lat, dtype=float)
    rounded = np.round(lat, 2)
    unique, inverse = np.unique(rounded, return_inverse=True)
    declination = declination_deg(days)
    hours = _darkness_hours(unique[:, None], declination[None, :], sun_altitude_deg)
    return (hours.mean(axis=1) / 24.0)[inverse.reshape(lat.shape)]


def incident_night_counts(incidents: pd.DataFrame) -> tuple[int, int]:
    """Return how many incidents have a time of day, and how many of those were at night.

    A time of exactly 00:00 reads as a date without time; night is the sun
    below −6° at the incident's place and time (times in UTC).
    """
    if len(incidents) == 0 or "date" not in incidents:
        return 0, 0
    when = pd.to_datetime(pd.Series(incidents["date"]), errors="coerce")
    if getattr(when.dt, "tz", None) is not None:
        when = when.dt.tz_convert(None)
    timed = when.notna() & (when != when.dt.normalize())
    if not timed.any():
        return 0, 0
    geometry = incidents.geometry[timed.to_numpy()]
    altitude = sun_altitude_deg(
        geometry.x.to_numpy(), geometry.y.to_numpy(), when[timed].to_numpy()
    )
    return int(timed.sum()), int((altitude < CIVIL_TWILIGHT_DEG).sum())


@dataclass(frozen=True)
class Windows:
    """The day and night windows at each target point.

    Attributes
    ----------
    night_hours
        Mean hours of darkness per day at each point over the period.
    night_weight
        Probability that a crossing at the point happens at night (the
        night share, or tilted by the timed incidents).
    """

    night_hours: FloatArray
    night_weight: FloatArray

    @property
    def day_hours(self) -> FloatArray:
        """Mean hours of daylight (civil twilight included) per day."""
        return 24.0 - self.night_hours

    @classmethod
    def at(
        cls,
        lat: ArrayLike,
        *,
        period_start: str = "",
        period_end: str = "",
        incidents: pd.DataFrame | None = None,
    ) -> Windows:
        """Return the windows at target latitudes over the period, weighted by timed incidents."""
        share = night_share(lat, period_days(period_start, period_end))
        timed, night = incident_night_counts(incidents) if incidents is not None else (0, 0)
        weight = (night + PRIOR_CROSSINGS * share) / (timed + PRIOR_CROSSINGS)
        return cls(night_hours=24.0 * share, night_weight=weight)


def _night_before(t: FloatArray, day_h: FloatArray) -> FloatArray:
    """Hours of night in ``[0, t]`` for days of ``day_h`` daylight then night, repeated."""
    whole = np.floor(t / 24.0)
    return whole * (24.0 - day_h) + np.maximum(t - 24.0 * whole - day_h, 0.0)


def _trace_reading(
    window: str,
    windows: Windows,
    reading: dict[str, FloatArray],
    trace_persistence_h: float,
) -> tuple[FloatArray, FloatArray]:
    """Return ``P_trace`` in a window and its equivalent reading passes per day.

    With g(t₀) the night hours in ``[t₀, t₀ + T]``, the reading passes have
    mean ``Λ(t₀) = α + β · g(t₀)``: ``α = R_all T / 24 + R_day T / H_day``,
    ``β = R_night / H_night − R_day / H_day``. g is piecewise linear in t₀
    (it bends where t₀ or t₀ + T meets dawn or dusk), so the mean of
    ``exp(−β g)`` over the window is integrated exactly piece by piece:
    ``P_trace = 1 − exp(−α) · mean(exp(−β g))``.
    """
    t_h = trace_persistence_h
    day_h = windows.day_hours
    night_h = windows.night_hours
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        by_day = np.where(day_h > 0, reading["day"] / day_h, 0.0)
        by_night = np.where(night_h > 0, reading["night"] / night_h, 0.0)
    alpha = reading["all"] * t_h / 24.0 + by_day * t_h
    beta = by_night - by_day
    lo = np.zeros_like(day_h) if window == "day" else day_h
    hi = day_h if window == "day" else np.full_like(day_h, 24.0)
    # Where g bends: t0 or t0 + T at dawn (24k) or dusk (24k + H_day).
    days = np.arange(-1, math.ceil(t_h / 24.0) + 2) * 24.0
    bends = np.concatenate(
        [
            days[None, :] + offset[:, None]
            for offset in (np.zeros_like(day_h), day_h, -t_h + 0 * day_h, day_h - t_h)
        ],
        axis=1,
    )
    knots = np.sort(np.column_stack([lo, hi, np.clip(bends, lo[:, None], hi[:, None])]), axis=1)
    g = _night_before(knots + t_h, day_h[:, None]) - _night_before(knots, day_h[:, None])
    width = np.diff(knots, axis=1)
    g0, g1 = g[:, :-1], g[:, 1:]
    slope = beta[:, None] * (g1 - g0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ratio = np.where(
            np.abs(slope) > 1e-12, -np.expm1(-slope) / np.where(slope != 0, slope, 1.0), 1.0
        )
    exp_integral = (width * np.exp(-beta[:, None] * g0) * ratio).sum(axis=1)
    g_integral = (width * (g0 + g1) / 2.0).sum(axis=1)
    span = hi - lo
    at_lo = np.exp(-beta * g[:, 0])
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        mean_exp = np.where(span > 0, exp_integral / np.where(span > 0, span, 1.0), at_lo)
        mean_g = np.where(span > 0, g_integral / np.where(span > 0, span, 1.0), g[:, 0])
    p_trace = -np.expm1(-alpha) + np.exp(-alpha) * (1.0 - mean_exp)
    return p_trace, (alpha + beta * mean_g) * 24.0 / t_h


def _in_window(values: dict[str, FloatArray], window: str, hours: FloatArray) -> FloatArray:
    """Return per-day rates in a window: all-day routes plus the window's at 24 / H_w."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        scaled = np.where(hours > 0, values[window] * 24.0 / np.where(hours > 0, hours, 1.0), 0.0)
    return values["all"] + scaled


def window_detection(
    p_light: FloatArray,
    seeing: NDArray[np.int64],
    rates: dict[str, coverage.PatrolRates],
    windows: Windows,
    *,
    trace_persistence_h: float = 12.0,
) -> dict[str, PointDetection]:
    """Return the point detection in each window (``WINDOWS``).

    Parameters
    ----------
    p_light
        ``P_sensor`` per light and point (:func:`surveil.coverage.sensor_detection`).
    seeing
        Distinct sensors seeing each segment.
    rates
        Patrol passes of the routes with ``window`` ``all``, ``day`` and
        ``night`` (:func:`surveil.coverage.patrol_rates`).
    windows
        Hours of the windows at each point.
    trace_persistence_h
        Hours traces stay readable.
    """
    visits = {k: r.visits for k, r in rates.items()}
    reading = {k: r.reading for k, r in rates.items()}
    exposure = {k: r.exposure_h for k, r in rates.items()}
    out = {}
    for i, window in enumerate(WINDOWS):
        hours = windows.day_hours if window == "day" else windows.night_hours
        p_trace, reading_w = _trace_reading(window, windows, reading, trace_persistence_h)
        out[window] = coverage.point_detection(
            p_light[i],
            seeing,
            visits_per_day=_in_window(visits, window, hours),
            reading_per_day=reading_w,
            exposure_h=_in_window(exposure, window, hours),
            p_trace=p_trace,
        )
    return out


def combine_windows(
    by_window: dict[str, PointDetection], night_weight: FloatArray
) -> PointDetection:
    """Return the detection of a crossing at a random time: the windows weighted.

    Every probability and rate is ``(1 − w) · day + w · night``; the
    real-time detection too (kept as ``realtime``, since it is not the
    combination of the weighted parts).
    """
    day, night = by_window["day"], by_window["night"]
    w = night_weight

    def mix(name: str) -> FloatArray:
        return (1.0 - w) * getattr(day, name) + w * getattr(night, name)

    mixed = replace(
        day,
        p_sensor=mix("p_sensor"),
        p_patrol=mix("p_patrol"),
        p_detect=mix("p_detect"),
        visits_per_day=mix("visits_per_day"),
        p_sight=mix("p_sight"),
        p_trace=mix("p_trace"),
        reading_per_day=mix("reading_per_day"),
    )
    return replace(mixed, realtime=(1.0 - w) * day.p_realtime + w * night.p_realtime)


def window_gaps(by_window: dict[str, pd.DataFrame]) -> Any:
    """Return the gaps of each window in one table with a ``window`` column.

    Examples
    --------
    >>> a = pd.DataFrame({"gap_id": [1], "length_km": [2.0]})
    >>> window_gaps({"day": a, "night": a.iloc[:0]})["window"].tolist()
    ['day']
    """
    frames = [g.assign(window=w) for w, g in by_window.items()]
    non_empty = [f for f in frames if len(f)] or frames[:1]
    out = pd.concat(non_empty, ignore_index=True)
    if hasattr(frames[0], "crs"):
        import geopandas as gpd

        return gpd.GeoDataFrame(out, geometry="geometry", crs=frames[0].crs)
    return out


def window_summary(segments: pd.DataFrame, gaps_by_window: pd.DataFrame) -> dict[str, Any]:
    """Return the key figures per window: covered km, gap km and count, mean detection.

    ``km_covered_<w>`` is the length whose target points reach ``target_pd``
    in window w (each point standing for its stretch, as
    ``covered_frac_<w>``); ``gap_km_<w>`` the length of that window's gaps;
    ``night_share`` the length-weighted share of crossings at night.

    Examples
    --------
    >>> seg = pd.DataFrame({"length_m": [1000.0, 1000.0], "covered_frac_day": [1.0, 1.0],
    ...     "covered_frac_night": [1.0, 0.0], "p_detect_day": [0.9, 0.9],
    ...     "p_detect_night": [0.9, 0.1], "night_share": [0.4, 0.4]})
    >>> gaps = pd.DataFrame({"window": ["night"], "length_km": [1.0]})
    >>> s = window_summary(seg, gaps)
    >>> s["km_covered_night"], s["gap_km_night"], s["gap_km_day"]
    (1.0, 1.0, 0.0)
    """
    length_km = segments["length_m"].to_numpy(dtype=float) / 1000.0
    km = float(length_km.sum())
    out: dict[str, Any] = {}
    for w in WINDOWS:
        covered = float((segments[f"covered_frac_{w}"].to_numpy(dtype=float) * length_km).sum())
        mine = gaps_by_window.iloc[:0]
        if len(gaps_by_window):
            mine = gaps_by_window[gaps_by_window["window"] == w]
        p_w = segments[f"p_detect_{w}"].to_numpy(dtype=float)
        out[f"km_covered_{w}"] = covered
        out[f"covered_share_{w}"] = covered / km if km > 0 else 0.0
        out[f"gap_count_{w}"] = len(mine)
        out[f"gap_km_{w}"] = float(mine["length_km"].sum()) if len(mine) else 0.0
        out[f"mean_p_detect_{w}"] = float(np.average(p_w, weights=length_km)) if km > 0 else 0.0
    share = segments["night_share"].to_numpy(dtype=float)
    out["night_share"] = float(np.average(share, weights=length_km)) if km > 0 else 0.0
    return out
