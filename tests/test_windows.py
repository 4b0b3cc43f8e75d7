"""Day and night windows: darkness from the sun, patrol windows, weighting."""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from surveil import coverage, windows
from surveil.windows import Windows


def test_darkness_at_40n_on_the_solstices_matches_the_almanac():
    # US Naval Observatory, "Duration of Daylight/Darkness Table" for 40° N
    # (sunrise to sunset: upper limb on the horizon with 34' of refraction,
    # i.e. the sun's centre at −0.833°): day length 9 h 20 min on 21 December
    # and 15 h 01 min on 21 June, so darkness 14 h 40 min and 8 h 59 min.
    dec = windows.darkness_hours(40.0, "2025-12-21", sun_altitude_deg=-0.833)
    jun = windows.darkness_hours(40.0, "2025-06-21", sun_altitude_deg=-0.833)
    assert abs(dec - (14 + 40 / 60)) < 10 / 60
    assert abs(jun - (8 + 59 / 60)) < 10 / 60


def test_night_after_civil_twilight_at_40n_by_hand():
    # Night = sun below −6°. With the solstice declination δ = ∓23.44°:
    # cos H = (sin(−6°) − sin 40° sin δ) / (cos 40° cos δ)
    #   21 Dec: (−0.104528 + 0.642788 · 0.397789) / (0.766044 · 0.917477)
    #         = 0.151166 / 0.702829 = 0.215082 → H = 77.580° → light 10.344 h,
    #           darkness 13.656 h
    #   21 Jun: (−0.104528 − 0.255694) / 0.702829 = −0.512532 → H = 120.834°
    #           → light 16.111 h, darkness 7.889 h
    assert windows.darkness_hours(40.0, "2025-12-21") == pytest.approx(13.656, abs=5 / 60)
    assert windows.darkness_hours(40.0, "2025-06-21") == pytest.approx(7.889, abs=5 / 60)


def test_the_equator_has_about_eleven_hours_of_night_all_year():
    # at 0° the sun's path is near vertical: twilight to −6° takes 24 min each side
    share = windows.night_share([0.0], windows.period_days())[0]
    assert share * 24 == pytest.approx(12.0 - 2 * 6 / 15, abs=0.1)


def test_sun_altitude_at_local_noon_on_the_equinox_is_ninety_minus_latitude():
    # March equinox 2025: 20 March 09:01 UTC (declination 0). Local noon at 0° E
    # comes at 12:00 − equation of time (−7.5 min that day) = 12:07:30 UTC, when
    # the declination is +0.06° (it grows 0.4° a day): altitude 90 − 40 + 0.06.
    alt = windows.sun_altitude_deg(0.0, 40.0, np.datetime64("2025-03-20T12:07:30"))
    assert alt[0] == pytest.approx(50.06, abs=0.05)


def rates(all_=0.0, day=0.0, night=0.0):
    def r(v):
        return coverage.PatrolRates(
            visits=np.array([v]), reading=np.array([v]), exposure_h=np.array([v * 0.1])
        )

    return {"all": r(all_), "day": r(day), "night": r(night)}


def test_a_night_patrol_reads_traces_of_day_crossings_in_its_window_only():
    # 12 h of night, T = 12 h, a night-only route reading R = 2 times in its 12 h.
    # A day crossing at t0 in [0, 12) keeps traces until t0 + 12, of which t0 hours
    # are night: Λ = R · t0 / 12. Mean over t0: 1 − (1 − e^−R) / R = 0.567668.
    # A night crossing at t0 in [12, 24): night left 24 − t0 → the same mean.
    w = Windows(night_hours=np.array([12.0]), night_weight=np.array([0.5]))
    found = windows.window_detection(
        np.zeros((2, 1)), np.zeros(1, dtype=np.int64), rates(night=2.0), w, trace_persistence_h=12
    )
    assert found["day"].p_trace[0] == pytest.approx(0.567668, abs=3e-3)
    assert found["night"].p_trace[0] == pytest.approx(0.567668, abs=3e-3)
    # in sight only at night: pass-hours 0.2 in 12 h of night → 1 − exp(−0.2 / 12)
    assert found["day"].p_sight[0] == 0.0
    assert found["night"].p_sight[0] == pytest.approx(1 - math.exp(-0.2 / 12))
    assert found["night"].visits_per_day[0] == pytest.approx(4.0)  # 2 in 12 h = 4 a day


def test_an_all_day_patrol_gives_the_single_window_model_in_both_windows():
    w = Windows(night_hours=np.array([9.0]), night_weight=np.array([0.4]))
    found = windows.window_detection(
        np.zeros((2, 1)), np.zeros(1, dtype=np.int64), rates(all_=3.0), w, trace_persistence_h=12
    )
    single = coverage.patrol_probability(np.array([3.0]), trace_persistence_h=12)[0]
    for d in found.values():
        assert d.p_trace[0] == pytest.approx(single)
        assert d.p_sight[0] == pytest.approx(1 - math.exp(-0.3 / 24))


def test_overall_detection_is_the_night_weighted_mean_of_the_windows():
    w = Windows(night_hours=np.array([10.0]), night_weight=np.array([0.25]))
    p_light = np.array([[0.8], [0.0]])  # a daylight camera
    found = windows.window_detection(p_light, np.zeros(1, dtype=np.int64), rates(), w)
    mixed = windows.combine_windows(found, w.night_weight)
    assert mixed.p_detect[0] == pytest.approx(0.75 * 0.8)
    assert mixed.p_realtime[0] == pytest.approx(0.75 * 0.8)


def test_timed_incidents_tilt_the_night_weight():
    # Two incidents at 00:30 UTC on the Greenwich meridian in January (night), one
    # at 12:00 (day), one date without time (not counted): 3 timed, 2 at night.
    # w = (2 + 10 · share) / (3 + 10)
    incidents = gpd.GeoDataFrame(
        {
            "date": pd.to_datetime(
                ["2025-01-10 00:30", "2025-01-11 00:30", "2025-01-12 12:00", "2025-01-13 00:00"]
            )
        },
        geometry=[shapely.Point(0.0, 40.0)] * 4,
        crs=4326,
    )
    assert windows.incident_night_counts(incidents) == (3, 2)
    share = windows.night_share([40.0], windows.period_days())[0]
    w = Windows.at([40.0], incidents=incidents)
    assert w.night_weight[0] == pytest.approx((2 + 10 * share) / 13)


def test_period_is_refused_when_it_runs_backwards():
    from surveil.errors import ScenarioError
    from surveil.scenario import Parameters

    with pytest.raises(ScenarioError, match="period_end"):
        Parameters(period_start="2025-10-01", period_end="2025-03-31")
    assert len(windows.period_days("2025-06-01", "2025-06-03")) == 3


def test_trace_reading_is_the_mean_over_crossing_times():
    # Against a direct numerical mean of 1 − exp(−Λ(t0)) on 4000 crossing times.
    rng = np.random.default_rng(1)
    n = 8
    w = Windows(night_hours=rng.uniform(6, 16, n), night_weight=np.full(n, 0.4))
    reading = {k: rng.uniform(0, 3, n) for k in ("all", "day", "night")}
    for t_h in (5.0, 12.0, 30.0):
        for window in windows.WINDOWS:
            got, _ = windows._trace_reading(window, w, reading, t_h)
            for i in range(n):
                day, night = w.day_hours[i], w.night_hours[i]
                lo, hi = (0.0, day) if window == "day" else (day, 24.0)
                t0 = lo + (np.arange(4000) + 0.5) / 4000 * (hi - lo)
                t = t0[:, None] + (np.arange(1200) + 0.5)[None, :] / 1200 * t_h
                is_night = (t % 24.0) >= day
                rate = reading["all"][i] / 24 + np.where(
                    is_night, reading["night"][i] / night, reading["day"][i] / day
                )
                passes = rate.sum(axis=1) * t_h / 1200  # midpoint rule over [t0, t0 + T]
                assert got[i] == pytest.approx(np.mean(-np.expm1(-passes)), abs=1e-5)
