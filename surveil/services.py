r"""Plan patrol services: the teams and staff that patrol routes need, and what a staff allows.

A *visit* is one pass of a team along its whole route. A team of mode
:math:`m` reads the ground at :math:`s_m` km/h, so a visit of a route of
:math:`L` km takes

.. math:: h_v = L / s_m \quad\text{hours.}

A route visited :math:`V` times a day takes :math:`V h_v` team-hours a day,
that is

.. math:: S = \frac{V L}{s_m\,h}

team shifts a day with shifts of :math:`h` hours on the route. A team has
:math:`n_m` persons, so :math:`S n_m` persons are on duty every day; a
person is on duty a share :math:`a` of the days of a year (leave, training,
rest days and sickness taken out), so the route needs

.. math:: F = \frac{S\,n_m}{a}

full-time equivalents (FTE). ``teams`` is :math:`\lceil S \rceil`, the teams
on duty a day when the route has teams of its own; :math:`F` pools staff over
routes (one team may walk two short routes in one shift).

Given a staff of :math:`F^*` FTE in all, the visits a day it allows are
today's visits scaled by :math:`F^* / \sum F` on every route (today's
priorities between routes kept): :func:`visits_at_staff`.

Defaults (scenario parameters ``<mode>_speed_kmh``, ``<mode>_team``,
``shift_h`` and ``staff_availability``) are those of the default catalogue's
patrol means, so that the catalogue's ``km_per_day`` is :math:`s_m h` and its
``staff_fte`` per team is :math:`n_m / a`: foot 2.5 km/h (two guards reading
the control strip, 20 km in an 8 h shift), horse 5 km/h (two riders, 40 km),
vehicle 10 km/h (driver and two, reading the strip at low speed, 80 km),
boat 8 km/h (three), small UAV 25 km/h along the line (crew of three, 200
km); ``staff_availability = 0.625`` is about 228 duty days a year (1.6
persons per post on duty every day). All are planning guesses; replace them
with the agency's own figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from surveil import geodesy

__all__ = [
    "MODES",
    "SERVICES_COLUMNS",
    "ServiceRules",
    "means_services",
    "mode_of",
    "route_fte",
    "route_services",
    "team_shifts",
    "visits_at_staff",
    "visits_for_fte",
]

#: Patrol modes with a default speed and team size.
MODES: tuple[str, ...] = ("foot", "horse", "vehicle", "boat", "uav")

#: Columns of ``services.csv``, in order.
SERVICES_COLUMNS: tuple[str, ...] = (
    "route",
    "mode",
    "window",
    "agency",
    "length_km",
    "speed_kmh",
    "hours_per_visit",
    "visits_per_day",
    "km_per_day",
    "shift_h",
    "fits_shift",
    "team_shifts_per_day",
    "teams",
    "team_size",
    "persons_on_duty",
    "fte",
    "visits_per_day_at_staff",
)

# Relative slack when rounding up, so that 2.0000000000000004 teams is 2.
_CEIL_SLACK = 1e-9


@dataclass(frozen=True)
class ServiceRules:
    """Speeds and team sizes per mode, shift length and staff availability.

    Attributes
    ----------
    speed_kmh
        Speed of each mode along its route, km/h.
    team
        Persons in one team of each mode.
    shift_h
        Hours a team works on its route in one shift.
    staff_availability
        Share of days a person is on duty, in (0, 1].
    """

    speed_kmh: Mapping[str, float]
    team: Mapping[str, float]
    shift_h: float = 8.0
    staff_availability: float = 0.625

    @classmethod
    def from_parameters(cls, parameters: Any) -> ServiceRules:
        """Return the rules of a scenario's :class:`~surveil.scenario.Parameters`."""
        return cls(
            speed_kmh={m: float(getattr(parameters, f"{m}_speed_kmh")) for m in MODES},
            team={m: float(getattr(parameters, f"{m}_team")) for m in MODES},
            shift_h=float(parameters.shift_h),
            staff_availability=float(parameters.staff_availability),
        )

    @classmethod
    def default(cls) -> ServiceRules:
        """Return the rules of the default parameters."""
        from surveil.scenario import Parameters

        return cls.from_parameters(Parameters())

    def for_means(self, means: Mapping[str, Any]) -> tuple[float, float]:
        """Return ``(speed_kmh, team)`` of a catalogue patrol means.

        A means ``<mode>_patrol`` or ``uav_team`` takes its mode's rules; any
        other patrol type keeps its catalogue figures: speed
        ``km_per_day / shift_h`` and team ``staff_fte × staff_availability``.
        """
        mode = mode_of(str(means["type"]))
        if mode in self.speed_kmh:
            return self.speed_kmh[mode], self.team[mode]
        return (
            float(means["km_per_day"]) / self.shift_h,
            float(means["staff_fte"]) * self.staff_availability,
        )


def mode_of(means_type: str) -> str:
    """Return the patrol mode of a catalogue means type (``foot_patrol`` -> ``foot``).

    Examples
    --------
    >>> mode_of("vehicle_patrol"), mode_of("uav_team"), mode_of("dog_unit")
    ('vehicle', 'uav', 'dog_unit')
    """
    if means_type.endswith("_patrol"):
        return means_type.removesuffix("_patrol")
    if means_type == "uav_team":
        return "uav"
    return means_type


def team_shifts(length_km: Any, visits_per_day: Any, speed_kmh: Any, shift_h: float) -> Any:
    r"""Return team shifts a day :math:`S = V L / (s h)` for routes (arrays or numbers).

    Examples
    --------
    >>> float(team_shifts(24.0, 2.0, 3.0, 8.0))  # two 8 h visits of a 24 km foot route
    2.0
    """
    return np.asarray(visits_per_day) * np.asarray(length_km) / (np.asarray(speed_kmh) * shift_h)


def route_fte(shifts: Any, team: Any, staff_availability: float) -> Any:
    r"""Return the staff :math:`F = S n / a` of routes, full-time equivalents.

    Examples
    --------
    >>> float(route_fte(2.0, 2.0, 0.625))
    6.4
    """
    return np.asarray(shifts) * np.asarray(team) / staff_availability


def visits_for_fte(
    fte: float, length_km: float, speed_kmh: float, team: float, rules: ServiceRules
) -> float:
    r"""Return the visits a day that ``fte`` staff give one route (inverse of :func:`route_fte`).

    .. math:: V = \frac{F\,a\,s\,h}{n\,L}

    Examples
    --------
    >>> rules = ServiceRules({}, {}, shift_h=8.0, staff_availability=0.625)
    >>> visits_for_fte(6.4, 24.0, 3.0, 2.0, rules)
    2.0
    """
    if length_km <= 0:
        return math.inf
    return fte * rules.staff_availability * speed_kmh * rules.shift_h / (team * length_km)


def visits_at_staff(services: pd.DataFrame, staff_fte: float) -> pd.Series:
    """Return the visits a day per route that a staff of ``staff_fte`` allows.

    Every route's visits are scaled by ``staff_fte / services["fte"].sum()``,
    keeping today's priorities between routes.

    Parameters
    ----------
    services
        Table from :func:`route_services`.
    staff_fte
        Staff for all the routes together, full-time equivalents.

    Examples
    --------
    >>> table = pd.DataFrame({"visits_per_day": [2.0, 1.0], "fte": [6.4, 3.2]})
    >>> [round(v, 9) for v in visits_at_staff(table, 4.8)]
    [1.0, 0.5]
    """
    total = float(services["fte"].sum())
    if total <= 0:
        return services["visits_per_day"].astype(float)
    return services["visits_per_day"].astype(float) * (staff_fte / total)


def route_services(
    patrols: pd.DataFrame, rules: ServiceRules, *, staff_fte: float | None = None
) -> pd.DataFrame:
    """Return the services of today's patrol routes: one row per route.

    Parameters
    ----------
    patrols
        The scenario's patrol routes (EPSG:4326): ``id``, ``mode``,
        ``window``, ``agency``, ``visits_per_day`` and line geometry.
    rules
        Speeds, team sizes, shift and availability.
    staff_fte
        Staff the patrols have in all; gives ``visits_per_day_at_staff``
        (NaN when None).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SERVICES_COLUMNS`: geodesic route ``length_km``,
        ``hours_per_visit`` (:math:`L/s`), ``km_per_day`` (:math:`VL`),
        ``fits_shift`` (a visit fits in one shift), ``team_shifts_per_day``
        (:math:`S`), ``teams`` (:math:`\\lceil S \\rceil`),
        ``persons_on_duty`` (:math:`S n`) and ``fte`` (:math:`F`).

    Examples
    --------
    >>> from surveil.datasets import load_demo
    >>> demo = load_demo()
    >>> table = route_services(demo.patrols, ServiceRules.from_parameters(demo.parameters))
    >>> len(table) == len(demo.patrols)
    True
    """
    if len(patrols) == 0:
        return pd.DataFrame({c: pd.Series([], dtype=_DTYPES[c]) for c in SERVICES_COLUMNS})
    modes = patrols["mode"].astype(str).to_numpy()
    length = np.array([geodesy.length_m(g) / 1000.0 for g in patrols.geometry])
    speed = np.array([rules.speed_kmh[m] for m in modes])
    team = np.array([rules.team[m] for m in modes])
    visits = patrols["visits_per_day"].to_numpy(dtype=float)
    shifts = team_shifts(length, visits, speed, rules.shift_h)
    hours = length / speed
    table = pd.DataFrame(
        {
            "route": patrols["id"].astype(str).to_numpy(),
            "mode": modes,
            "window": patrols["window"].astype(str).to_numpy(),
            "agency": patrols["agency"].astype(str).to_numpy(),
            "length_km": length,
            "speed_kmh": speed,
            "hours_per_visit": hours,
            "visits_per_day": visits,
            "km_per_day": visits * length,
            "shift_h": rules.shift_h,
            "fits_shift": hours <= rules.shift_h,
            "team_shifts_per_day": shifts,
            "teams": np.ceil(shifts * (1 - _CEIL_SLACK)).astype("int64"),
            "team_size": team,
            "persons_on_duty": shifts * team,
            "fte": route_fte(shifts, team, rules.staff_availability),
        }
    )
    table["visits_per_day_at_staff"] = (
        visits_at_staff(table, staff_fte) if staff_fte is not None else math.nan
    )
    return table[list(SERVICES_COLUMNS)].astype(_DTYPES)


_DTYPES: dict[str, str] = {
    "route": "str",
    "mode": "str",
    "window": "str",
    "agency": "str",
    "length_km": "float64",
    "speed_kmh": "float64",
    "hours_per_visit": "float64",
    "visits_per_day": "float64",
    "km_per_day": "float64",
    "shift_h": "float64",
    "fits_shift": "bool",
    "team_shifts_per_day": "float64",
    "teams": "int64",
    "team_size": "float64",
    "persons_on_duty": "float64",
    "fte": "float64",
    "visits_per_day_at_staff": "float64",
}


def means_services(
    length_km: float, visits_per_day: float, means: Mapping[str, Any], rules: ServiceRules
) -> tuple[float, float]:
    """Return ``(team_shifts_per_day, fte)`` of a catalogue patrol means on a route.

    Used to size new patrol means in needs and plans (one rule with today's
    routes).

    Examples
    --------
    >>> means = {"type": "foot_patrol", "km_per_day": 20.0, "staff_fte": 3.2}
    >>> means_services(10.0, 2.0, means, ServiceRules.default())
    (1.0, 3.2)
    """
    speed, team = rules.for_means(means)
    shifts = float(team_shifts(length_km, visits_per_day, speed, rules.shift_h))
    return shifts, float(route_fte(shifts, team, rules.staff_availability))
