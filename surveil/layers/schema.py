"""Describe the columns, geometry families and raw form of each layer kind."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pyproj import CRS

from surveil.sensors import DEFAULTS as SENSOR_DEFAULTS

LAYER_KINDS = (
    "border",
    "sensors",
    "patrols",
    "incidents",
    "posts",
    "settlements",
    "roads",
    "impact",
    "areas",
    "rivers",
)
"""Kinds of vector layer that :func:`read_layer` understands."""


WGS84 = CRS.from_epsg(4326)


_KIND_OF_TYPE = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "LinearRing": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}


_FAMILIES = {
    "border": ("line", "polygon"),
    "sensors": ("point",),
    "patrols": ("line", "point"),
    "incidents": ("point",),
    "posts": ("point",),
    "settlements": ("point",),
    "roads": ("line",),
    "impact": ("polygon",),
    "areas": ("polygon",),
    "rivers": ("line",),
}


@dataclass(frozen=True)
class _Field:
    """One canonical column: its type, default, and what values it accepts."""

    name: str
    kind: str  # "text", "id", "float", "int", "enum", "date"
    default: object = None
    required: bool = False
    valid: Callable[[NDArray[np.float64]], NDArray[np.bool_]] | None = None
    expected: str = ""
    number: str = "a number"
    choices: tuple[str, ...] = ()
    # text fields: returns why a non-empty text is refused, or None
    check_text: Callable[[str], str | None] | None = None

    @property
    def plausible(self) -> Plausible | None:
        """The plausibility limit of this field, if it has one (see :data:`PLAUSIBLE`)."""
        return PLAUSIBLE.get(self.name)


@dataclass(frozen=True)
class Plausible:
    """The largest value of a field that can be meant, and why.

    Parameters
    ----------
    maximum
        Largest accepted value, in the field's unit.
    unit
        Unit as written after a number in messages, e.g. ``"m"``.
    reason
        Why a larger value cannot be meant, as said to the user.
    """

    maximum: float
    unit: str
    reason: str

    def expected(self) -> str:
        """Return the message part saying what is accepted and why."""
        limit = f"{self.maximum:g} {self.unit}"
        return f"expected at most {limit}, the plausible maximum: {self.reason}"


PLAUSIBLE: dict[str, Plausible] = {
    "range_m": Plausible(
        100_000,
        "m",
        "no fielded surveillance sensor (ground radar, thermal camera, aerostat radar) "
        "detects persons or vehicles on the ground farther than about 100 km; "
        "is the range in metres?",
    ),
    "height_m": Plausible(
        5_000,
        "m",
        "masts and towers stand up to about 100 m and tethered aerostats fly at most "
        "about 5 km above ground; is the height in metres above ground?",
    ),
    "sweep_m": Plausible(
        10_000,
        "m",
        "a patrol observes at most a few kilometres to either side of its route; "
        "is the half-width in metres?",
    ),
    "visits_per_day": Plausible(
        96,
        "passes per day",
        "more than one pass every 15 minutes round the clock is a permanent presence; "
        "give it as a post or a sensor",
    ),
    "reaction_speed_kmh": Plausible(
        300,
        "km/h",
        "faster than a helicopter (about 250 km/h) over the border zone; is it in km/h?",
    ),
    "persons": Plausible(
        10_000,
        "persons",
        "no group crossing a green border in one incident is larger; "
        "is the column a count of persons?",
    ),
    "population": Plausible(
        40_000_000,
        "people",
        "more than the largest city on Earth; is the column the population?",
    ),
}
"""Plausibility limits of layer fields, by canonical field name.

A value above the limit is refused with the reason, because it is far more
likely a unit or typing error (``range_m = 1e9``) than a fact, and a result
computed from it would look sound. Each limit is generous: it is the largest
value that real means or events reach, not a typical one. The same limits
apply to the catalogue of means, which shares ``range_m``, ``height_m`` and
``sweep_m``.
"""


def _positive(v: NDArray[np.float64]) -> NDArray[np.bool_]:
    return v > 0


def _non_negative(v: NDArray[np.float64]) -> NDArray[np.bool_]:
    return v >= 0


def _unit(v: NDArray[np.float64]) -> NDArray[np.bool_]:
    return (v >= 0) & (v <= 1)


def _probability(name: str, *, required: bool, default: float | None = None) -> _Field:
    return _Field(
        name,
        "float",
        default=default,
        required=required,
        valid=_unit,
        expected="expected a probability from 0 to 1",
        number="a number from 0 to 1",
    )


def _pd_table_problem(text: str) -> str | None:
    """Say why a ``pd_by_range`` text does not read, or None."""
    from surveil.sensors import parse_pd_by_range

    try:
        parse_pd_by_range(text)
    except ValueError as err:
        return f'{err}; expected range:pd pairs such as "0:0.9;2000:0.6;4000:0.2"'
    return None


def _month_table_problem(text: str) -> str | None:
    """Say why an ``availability_by_month`` text does not read, or None."""
    from surveil.sensors import MONTH_TABLE_EXAMPLE, parse_availability_by_month

    try:
        parse_availability_by_month(text)
    except ValueError as err:
        return f"{err}; {MONTH_TABLE_EXAMPLE}"
    return None


def _range_field(name: str) -> _Field:
    return _Field(
        name,
        "float",
        default=math.nan,
        valid=_positive,
        expected="expected a positive distance in metres, or empty",
        number="a number in metres",
    )


def _enum(name: str, choices: tuple[str, ...], default: str) -> _Field:
    shown = ", ".join(c if c else '"" (empty)' for c in choices)
    return _Field(
        name, "enum", default=default, expected=f"expected one of {shown}", choices=choices
    )


_SCHEMAS: dict[str, tuple[_Field, ...]] = {
    "border": (
        _Field("section", "text", default=None),
        _Field("country_left", "text", default=""),
        _Field("country_right", "text", default=""),
        _Field("name_ru", "text", default=""),  # the section's name in Russian (map, report)
    ),
    "sensors": (
        _Field("id", "id", default="S"),
        _Field("type", "text", default="sensor"),
        _Field(
            "range_m",
            "float",
            required=True,
            valid=_positive,
            expected="expected a positive distance in metres",
            number="a number in metres",
        ),
        _Field(
            "azimuth_deg",
            "float",
            default=math.nan,
            valid=lambda v: (v >= 0) & (v <= 360),
            expected="expected a bearing from 0 to 360 degrees, or empty for all round",
            number="a number in degrees",
        ),
        _Field(
            "fov_deg",
            "float",
            default=360.0,
            valid=lambda v: (v > 0) & (v <= 360),
            expected="expected an angle in degrees above 0 and at most 360",
            number="a number in degrees",
        ),
        _Field(
            "height_m",
            "float",
            default=SENSOR_DEFAULTS["height_m"],
            valid=_non_negative,
            expected="expected a height in metres, 0 or more",
            number="a number in metres",
        ),
        _Field(
            "ground_m",
            "float",
            default=math.nan,
            valid=lambda v: (v > -500) & (v < 9000),
            expected="expected a ground elevation in metres, or empty to take it from the DEM",
            number="a number in metres",
        ),
        _probability("pd", required=True),
        _probability("availability", required=False, default=SENSOR_DEFAULTS["availability"]),
        # The sensor model's optional columns (surveil.sensors): empty ones
        # come from the catalogue entry of the sensor's type.
        _probability("pd_night", required=False, default=math.nan),
        *(_range_field(name) for name in ("detect_m", "recognise_m", "identify_m")),
        _Field("pd_by_range", "text", default="", check_text=_pd_table_problem),
        _Field("availability_by_month", "text", default="", check_text=_month_table_problem),
        _enum("status", ("operational", "faulty", "planned", "recommended"), "operational"),
        _Field("agency", "text", default=""),
    ),
    "patrols": (
        _Field("id", "id", default="P"),
        _Field(
            "visits_per_day",
            "float",
            required=True,
            valid=_non_negative,
            expected="expected a number of passes per day, 0 or more",
            number="a number of passes per day",
        ),
        _Field(
            "sweep_m",
            "float",
            default=100.0,
            valid=_positive,
            expected="expected a positive distance in metres",
            number="a number in metres",
        ),
        # Empty: the scenario's patrol_pd parameter (surveil.coverage.with_patrol_pd).
        _probability("pd", required=False, default=math.nan),
        _enum("mode", ("foot", "vehicle", "horse", "boat"), "foot"),
        _enum("window", ("day", "night", "all"), "all"),
        _Field("agency", "text", default=""),
    ),
    "incidents": (
        _Field("date", "date"),
        _enum("type", ("crossing", "smuggling", "trafficking", "other"), "crossing"),
        _Field(
            "persons",
            "int",
            default=1,
            valid=lambda v: (v >= 1) & (v == np.floor(v)),
            expected="expected a whole number of persons, 1 or more",
            number="a whole number of persons",
        ),
        _enum("outcome", ("apprehended", "evaded", "detected-only", ""), ""),
    ),
    "posts": (
        _Field("id", "id", default="B"),
        _Field("name_ru", "text", default=""),  # shown for the id on a Russian map
        _enum("type", ("outpost", "bcp"), "outpost"),
        _Field(
            "reaction_speed_kmh",
            "float",
            default=30.0,
            valid=_positive,
            expected="expected a positive speed in km/h",
            number="a number in km/h",
        ),
        # Empty: the agency of the responsibility area the post stands in (surveil.areas).
        _Field("agency", "text", default=""),
        # how the reaction team moves off road (surveil.response): slope-limited
        # driving, or Tobler's hiking function scaled to reaction_speed_kmh
        _enum("mode", ("vehicle", "foot", "horse"), "vehicle"),
    ),
    "settlements": (
        _Field("name", "text", default=""),
        _Field("name_ru", "text", default=""),
        _Field(
            "population",
            "float",
            default=0.0,
            valid=_non_negative,
            expected="expected a number of people, 0 or more",
            number="a number of people",
        ),
    ),
    "roads": (
        _Field("name", "text", default=""),
        _Field("name_ru", "text", default=""),
        # reaction vehicles' speed (surveil.response): speed_kmh, else by class
        _Field("class", "text", default=""),
        _Field(
            "speed_kmh",
            "float",
            default=math.nan,
            valid=lambda v: v > 0,
            expected="expected a positive speed in km/h, or empty to take it from class",
            number="a number in km/h",
        ),
    ),
    # Context to orient by on the map (the Panj is the border of tjk-afg).
    "rivers": (_Field("name", "text", default=""), _Field("name_ru", "text", default="")),
    # Areas whose crossings weigh more (or less) in risk: settlements, critical
    # infrastructure, smuggling corridors (surveil.risk, segment_impact).
    "impact": (
        _Field("name", "text", default=""),
        _Field(
            "impact",
            "float",
            default=1.0,
            valid=_non_negative,
            expected="expected an impact weight, 0 or more (1 = ordinary)",
            number="a number",
        ),
    ),
    # Responsibility areas (surveil.areas): polygons, or chainage ranges of a
    # section in a CSV without coordinates (section, km_from, km_to).
    "areas": (
        _Field("unit", "text", default=""),
        _Field("agency", "text", default=""),
        _Field("section", "text", default=""),
        _Field(
            "km_from",
            "float",
            default=math.nan,
            valid=_non_negative,
            expected="expected a km mark along the section, 0 or more",
            number="a number of km",
        ),
        _Field(
            "km_to",
            "float",
            default=math.nan,
            valid=_non_negative,
            expected="expected a km mark along the section, 0 or more",
            number="a number of km",
        ),
    ),
}


_EXTRA: dict[str, tuple[str, ...]] = {"patrols": ("time",), "border": ("name",)}


@dataclass
class _Raw:
    """A layer as read, before any checks."""

    frame: pd.DataFrame
    geometry: NDArray[np.object_]
    crs: CRS | None
    default_crs: CRS | None = None
    decimal_comma: bool = False
    filed: frozenset[int] = frozenset()
    """Rows whose geometry problem (bad coordinate text) was already filed."""
    shown_columns: tuple[str, ...] | None = None
    """Columns to list in messages, when more than those of ``frame`` (CSV coordinates)."""


def _fields(kind: str, family: str) -> tuple[_Field, ...]:
    """Return the fields checked for a layer; point patrol tracks need a time, not visits."""
    fields = _SCHEMAS[kind]
    if kind == "patrols" and family == "point":
        fields = tuple(f for f in fields if f.name != "visits_per_day")
        fields += (_Field("time", "date", required=True),)
    return fields
