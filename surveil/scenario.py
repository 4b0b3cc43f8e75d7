"""Load and change scenarios: layers, parameters and a catalogue of means.

A scenario file is TOML. Paths inside it are relative to the file::

    name = "Batken sector"
    name_ru = "Баткенский участок"       # optional: title of the Russian map and report
    attribution = "Sensors and patrols are illustrative"
    attribution_ru = "ТСОГ и наряды условные"
    catalogue = "catalogue.toml"          # optional; the shipped one otherwise

    [layers]
    border = "border.gpkg"                # shorthand: just a path
    sensors = { path = "sensors.csv", columns = { range_m = "Range" } }
    patrols = { path = "patrols.gpkg", layer = "routes" }
    incidents = { path = "incidents.xlsx.csv", crs = "EPSG:32642", x = "E", y = "N" }

    [parameters]
    segment_m = 500
    target_pd = 0.6

An analyst changes a scenario without touching files:
:meth:`Scenario.add_sensors`, :meth:`Scenario.scale_patrols`,
:meth:`Scenario.with_parameters`, or :func:`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import os
import re
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from surveil.catalogue import load_catalogue, with_catalogue_specs
from surveil.errors import InputError, Problem, ScenarioError, SchemaError
from surveil.layers import LAYER_KINDS, check_near_border, clip_to_border, read_layer

PathLike = str | os.PathLike[str]

#: Layers whose features must lie near the border (the rest are clipped).
CHECKED_LAYERS = ("sensors", "patrols", "incidents", "posts")
CONTEXT_LAYERS = ("settlements", "roads", "impact", "rivers")
LAYER_OPTIONS = ("path", "layer", "crs", "columns", "x", "y", "repair")


@dataclass(frozen=True)
class Parameters:
    """Parameters of an assessment, with units in their names.

    Attributes
    ----------
    segment_m
        Segment length along the border, metres.
    sample_m
        Spacing of target points, metres.
    target_pd
        Detection probability that counts as covered.
    path_depth_m
        A crossing at a target point is the straight path square to the
        line from ``path_depth_m`` outside (left of chainage) to
        ``path_depth_m`` inside (right), metres. It replaces the sampled
        ``path_offsets_m`` of earlier versions; a scenario that still gives
        ``path_offsets_m`` is refused with the value to use (its largest
        absolute offset), because the model changed and a silent mapping
        would change results unannounced.
    trace_persistence_h
        Hours a crossing's traces stay readable for a patrol.
    include_planned
        Count sensors with status ``planned`` as present.
    incident_snap_m
        Incidents farther than this from the line are not snapped, metres.
    bandwidth_m
        Standard deviation of the incident kernel along the line, metres.
    half_life_days
        Half-life of an incident's weight, days.
    reference_date
        Date incident ages count from (ISO); the latest incident if empty.
    incident_period_years
        Observation time when no incident is dated, years.
    detection_floor
        Lowest detection used to correct observed incidents.
    threat_incidents
        Which incident intensity feeds threat: ``"corrected"`` or ``"observed"``.
    weight_incidents, weight_structure
        Weights of the incident and structural parts of threat.
    road_scale_m, settlement_scale_m
        Distance scales of access to roads and settlements, metres.
    detour_factor
        Road distance over straight-line distance for reaction teams, where
        travel is not taken over a DEM (see :mod:`surveil.response`).
    escape_h
        Mean time crossers need to clear the border zone on flat ground,
        hours; with a DEM the zone is ``escape_h · crosser_speed_kmh`` deep and
        the time is walked over the terrain (:mod:`surveil.response`).
    min_bridge_m
        Covered stretches shorter than this between gaps are bridged, metres.
    min_gap_m
        Gaps shorter than this (after bridging) are dropped, metres; 0 keeps
        every stretch below target, so covered and gap km add up to the
        assessed km.
    own_country
        Country whose side of the border is assessed, as named in the border
        layer's ``country_left`` / ``country_right``; empty to take, per
        section part, the side where most sensors and posts stand.
    risk_breaks
        Risk where classes medium, high and critical begin, in expected
        uninterdicted crossing persons per km per year (× impact); see
        :mod:`surveil.risk` for where the defaults 1, 4 and 12 (about one a
        year, a quarter, a month) come from.
    patrol_pd
        Chance that one patrol pass sees a crosser or reads the traces, for
        routes whose layer gives no ``pd`` (the catalogue's patrols give
        their own).
    crosser_speed_kmh
        Walking speed of crossers on flat ground, km/h: through a patrol's
        sweep band (the time a pass can meet them in real time) and, with a
        DEM, out of the border zone.
    structure_per_km_year
        Crossing persons per km per year that structure 1 stands for; empty
        (the default) to calibrate it on the segments whose threat is well
        observed (see :func:`surveil.risk.calibrate_structure`).
    candidate_offsets_m
        Distances inside the line where a plan tries new sites, metres
        (see :mod:`surveil.candidates`).
    candidate_spacing_m
        Spacing of those sites along the line, metres.
    candidate_setback_m
        Smallest distance of a new site from the line, metres.
    candidate_max_road_m
        Largest distance of a new site from a road, metres; empty for no
        limit.
    lifecycle_years
        Years of OPEX counted with CAPEX when a plan looks for the cheapest
        set that closes the gaps.
    max_distance_km
        Sensors, patrols, posts and incidents farther than this from the
        border are refused as misplaced; context layers are clipped to it.
    target_height_m
        Height of a crossing person above ground for line of sight, metres.
    refraction
        Coefficient of atmospheric refraction k for line of sight over the
        DEM (curvature drop ``d² (1 − k) / 2R``).
    foot_speed_kmh, horse_speed_kmh, vehicle_speed_kmh, boat_speed_kmh, uav_speed_kmh
        Speed of a patrol of each mode along its route while it reads the
        ground, km/h (see :mod:`surveil.services` for the defaults' sources).
    foot_team, horse_team, vehicle_team, boat_team, uav_team
        Persons in one patrol team of each mode.
    shift_h
        Hours a team works on its route in one shift.
    staff_availability
        Share of the days of a year a person is on duty (leave, training,
        rest days and sickness taken out); 0.625 is about 228 duty days.
    patrol_staff_fte
        Staff (full-time equivalents) the patrols have, to compute the visits
        a day they allow; empty for none.
    seam_m
        A gap or high-risk stretch within this distance of a point where the
        responsible area changes lies at a seam between areas, metres
        (:mod:`surveil.areas`).
    target_class
        What crosses: ``person`` (default) or ``vehicle``; selects the
        sensors' ranges (:mod:`surveil.sensors`).
    sensor_task
        What counts as a sensor detection: ``detect`` (default),
        ``recognise`` or ``identify``; its DRI range sets the pd curve.
    period_start, period_end
        ISO dates of the assessment period, for the hours of darkness
        (:mod:`surveil.windows`); both empty: a whole year.
    """

    segment_m: float = 1000.0
    sample_m: float = 50.0
    target_pd: float = 0.5
    path_depth_m: float = 300.0
    trace_persistence_h: float = 12.0
    include_planned: bool = False
    incident_snap_m: float = 5000.0
    bandwidth_m: float = 3000.0
    half_life_days: float = 365.0
    reference_date: str = ""
    incident_period_years: float = 1.0
    detection_floor: float = 0.1
    threat_incidents: str = "corrected"
    weight_incidents: float = 0.7
    weight_structure: float = 0.3
    road_scale_m: float = 5000.0
    settlement_scale_m: float = 10000.0
    detour_factor: float = 1.4
    escape_h: float = 1.0
    min_bridge_m: float = 0.0
    min_gap_m: float = 0.0
    own_country: str = ""
    risk_breaks: tuple[float, float, float] = (1.0, 4.0, 12.0)
    max_distance_km: float = 100.0
    target_height_m: float = 1.7
    refraction: float = 0.13
    patrol_pd: float = 0.8
    crosser_speed_kmh: float = 3.0
    structure_per_km_year: float | None = None
    candidate_offsets_m: tuple[float, ...] = (500.0, 2000.0)
    candidate_spacing_m: float = 1000.0
    candidate_setback_m: float = 100.0
    candidate_max_road_m: float | None = None
    lifecycle_years: float = 10.0
    foot_speed_kmh: float = 2.5
    horse_speed_kmh: float = 5.0
    vehicle_speed_kmh: float = 10.0
    boat_speed_kmh: float = 8.0
    uav_speed_kmh: float = 25.0
    foot_team: float = 2.0
    horse_team: float = 2.0
    vehicle_team: float = 3.0
    boat_team: float = 3.0
    uav_team: float = 3.0
    shift_h: float = 8.0
    staff_availability: float = 0.625
    patrol_staff_fte: float | None = None
    seam_m: float = 1000.0
    target_class: str = "person"
    sensor_task: str = "detect"
    period_start: str = ""
    period_end: str = ""

    def __post_init__(self) -> None:
        problems = _check_parameters(self)
        if problems:
            raise ScenarioError("invalid parameters", problems)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, source: str = "parameters") -> Parameters:
        """Build parameters from a mapping (a TOML table), naming every bad key."""
        known = {f.name: f for f in fields(cls)}
        problems = [
            _offsets_replaced(source, v)
            if key == "path_offsets_m"
            else Problem(
                source, "parameters", None, key, repr(v), f"expected one of: {', '.join(known)}"
            )
            for key, v in values.items()
            if key not in known
        ]
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                continue
            try:
                kwargs[key] = _coerce(value, getattr(cls, key))
            except (TypeError, ValueError):
                problems.append(
                    Problem(
                        source,
                        "parameters",
                        None,
                        key,
                        repr(value),
                        f"expected a value like {getattr(cls, key)!r}",
                    )
                )
        if problems:
            raise ScenarioError("invalid parameters", problems)
        try:
            return cls(**kwargs)
        except ScenarioError as err:
            raise ScenarioError(
                "invalid parameters", [dataclasses.replace(p, source=source) for p in err.problems]
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as plain JSON-ready values."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _offsets_replaced(source: str, value: Any) -> Problem:
    """Explain that ``path_offsets_m`` became ``path_depth_m``, and which value to write."""
    items = value if isinstance(value, list | tuple) else [value]
    try:
        depth = max(abs(float(v)) for v in items)
    except (TypeError, ValueError):
        depth = 0.0
    use = f"{depth:g}" if depth > 0 else "300 (the default)"
    return Problem(
        source,
        "parameters",
        None,
        "path_offsets_m",
        repr(value),
        "was replaced by path_depth_m: a crossing is now the straight path from "
        f"path_depth_m outside to path_depth_m inside the line; write path_depth_m = {use}",
    )


def _coerce(value: Any, default: Any) -> Any:
    if default is None:  # an optional number; None (or "") leaves it empty
        if value is None or value == "":
            return None
        if isinstance(value, bool | str):
            raise TypeError
        return float(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError
        return value
    if isinstance(default, float):
        if isinstance(value, bool):
            raise TypeError
        return float(value)
    if isinstance(default, tuple):
        items = value if isinstance(value, list | tuple) else [value]
        return tuple(float(v) for v in items)
    if isinstance(default, str):
        return str(value)
    return value


def _finite(value: Any) -> bool:
    values = value if isinstance(value, tuple) else (value,)
    return all(math.isfinite(v) for v in values if isinstance(v, float))


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _check_parameters(p: Parameters) -> list[Problem]:
    """Return every broken parameter rule (the one home of these rules)."""
    rules: list[tuple[str, bool, str]] = [
        (
            "segment_m",
            math.isfinite(p.segment_m) and p.segment_m > 0,
            "expected a positive, finite length in metres",
        ),
        (
            "sample_m",
            math.isfinite(p.sample_m) and 0 < p.sample_m <= p.segment_m,
            "expected metres in (0, segment_m]",
        ),
        (
            "target_pd",
            0 < p.target_pd < 1,
            "expected a probability above 0 and below 1 (1 cannot be reached by any means)",
        ),
        ("path_depth_m", p.path_depth_m > 0, "expected a positive depth in metres"),
        (
            "trace_persistence_h",
            p.trace_persistence_h > 0,
            "expected positive hours (a trace strip that keeps no trace detects nothing)",
        ),
        ("incident_snap_m", p.incident_snap_m > 0, "expected a positive distance in metres"),
        ("bandwidth_m", p.bandwidth_m > 0, "expected a positive distance in metres"),
        ("half_life_days", p.half_life_days > 0, "expected a positive number of days"),
        ("incident_period_years", p.incident_period_years > 0, "expected positive years"),
        ("detection_floor", 0 < p.detection_floor <= 1, "expected a probability in (0, 1]"),
        (
            "threat_incidents",
            p.threat_incidents in ("corrected", "observed"),
            "expected 'corrected' or 'observed'",
        ),
        ("weight_incidents", p.weight_incidents >= 0, "expected a weight >= 0"),
        ("weight_structure", p.weight_structure >= 0, "expected a weight >= 0"),
        (
            "weight_incidents",
            p.weight_incidents + p.weight_structure > 0,
            "expected a positive weight for incidents or structure (both are 0)",
        ),
        ("road_scale_m", p.road_scale_m > 0, "expected a positive distance in metres"),
        ("settlement_scale_m", p.settlement_scale_m > 0, "expected a positive distance in metres"),
        ("detour_factor", p.detour_factor >= 1, "expected a factor >= 1"),
        ("escape_h", p.escape_h > 0, "expected positive hours"),
        ("min_bridge_m", p.min_bridge_m >= 0, "expected metres >= 0"),
        ("min_gap_m", p.min_gap_m >= 0, "expected metres >= 0"),
        (
            "risk_breaks",
            len(p.risk_breaks) == 3
            and p.risk_breaks[0] > 0
            and p.risk_breaks[0] < p.risk_breaks[1] < p.risk_breaks[2],
            "expected three increasing positive numbers: uninterdicted persons per km per year "
            "where medium, high and critical begin",
        ),
        ("max_distance_km", p.max_distance_km > 0, "expected a positive distance in km"),
        ("target_height_m", p.target_height_m >= 0, "expected a height in metres >= 0"),
        ("refraction", 0 <= p.refraction < 1, "expected a coefficient in [0, 1)"),
        ("patrol_pd", 0 < p.patrol_pd <= 1, "expected a probability in (0, 1]"),
        ("crosser_speed_kmh", p.crosser_speed_kmh > 0, "expected a positive speed in km/h"),
        (
            "structure_per_km_year",
            p.structure_per_km_year is None or p.structure_per_km_year >= 0,
            "expected persons per km per year >= 0, or empty to calibrate",
        ),
        (
            "candidate_offsets_m",
            len(p.candidate_offsets_m) > 0 and all(o > 0 for o in p.candidate_offsets_m),
            "expected one or more positive distances inside the line, metres",
        ),
        ("candidate_spacing_m", p.candidate_spacing_m > 0, "expected a positive spacing, metres"),
        ("candidate_setback_m", p.candidate_setback_m >= 0, "expected metres >= 0"),
        (
            "candidate_max_road_m",
            p.candidate_max_road_m is None or p.candidate_max_road_m > 0,
            "expected a positive distance in metres, or empty for no limit",
        ),
        ("lifecycle_years", p.lifecycle_years > 0, "expected a positive number of years"),
        ("shift_h", 0 < p.shift_h <= 24, "expected hours in (0, 24]"),
        ("staff_availability", 0 < p.staff_availability <= 1, "expected a share in (0, 1]"),
        ("seam_m", p.seam_m >= 0, "expected metres >= 0"),
        (
            "patrol_staff_fte",
            p.patrol_staff_fte is None or p.patrol_staff_fte >= 0,
            "expected full-time equivalents >= 0, or empty",
        ),
        ("target_class", p.target_class in ("person", "vehicle"), "expected 'person' or 'vehicle'"),
        (
            "sensor_task",
            p.sensor_task in ("detect", "recognise", "identify"),
            "expected 'detect', 'recognise' or 'identify'",
        ),
        (
            "period_start",
            not p.period_start or _is_iso_date(p.period_start),
            "expected an ISO date such as 2025-10-01, or empty for a whole year",
        ),
        (
            "period_end",
            not p.period_end or _is_iso_date(p.period_end),
            "expected an ISO date such as 2026-03-31, or empty for a whole year",
        ),
        (
            "period_end",
            not (p.period_start and p.period_end and _is_iso_date(p.period_start)
                 and _is_iso_date(p.period_end) and p.period_end < p.period_start),
            "expected a date on or after period_start",
        ),
    ]
    rules += [
        (f"{mode}_speed_kmh", getattr(p, f"{mode}_speed_kmh") > 0, "expected a speed in km/h > 0")
        for mode in ("foot", "horse", "vehicle", "boat", "uav")
    ]
    rules += [
        (
            f"{mode}_team",
            getattr(p, f"{mode}_team") >= 1 and float(getattr(p, f"{mode}_team")).is_integer(),
            "expected a whole number of persons, 1 or more",
        )
        for mode in ("foot", "horse", "vehicle", "boat", "uav")
    ]
    rules += [
        (f.name, _finite(getattr(p, f.name)), "expected a finite number")
        for f in fields(p)
        if isinstance(getattr(p, f.name), float | tuple)
    ]
    broken: dict[str, str] = {}
    for name, ok, expected in rules:
        if not ok:
            broken.setdefault(name, expected)
    problems = [
        Problem("parameters", None, None, name, repr(getattr(p, name)), expected)
        for name, expected in broken.items()
    ]
    if p.reference_date and not _is_iso_date(p.reference_date):
        problems.append(
            Problem(
                "parameters",
                None,
                None,
                "reference_date",
                repr(p.reference_date),
                "expected an ISO date such as 2026-01-31 (a named day such as 'today' is "
                "refused: the same scenario must give the same ages on every run)",
            )
        )
    return problems


def _is_iso_date(text: str) -> bool:
    """Return whether ``text`` is a calendar date written YYYY-MM-DD."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        return False
    try:
        datetime.date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class LayerSource:
    """Where a layer comes from and how to read it."""

    path: Path
    layer: str | None = None
    crs: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    x: str | None = None
    y: str | None = None
    repair: bool = True
    default_crs: str | None = None
    """CRS for a file that states none (``--crs``); the file's own, or ``crs``, wins."""


@dataclass(frozen=True)
class Scenario:
    """Layers, parameters and catalogue of one assessment.

    Layers are validated GeoDataFrames in EPSG:4326 with the canonical columns
    of :func:`surveil.layers.read_layer`; ``dem`` is the path of a terrain
    GeoTIFF (any CRS) or None for an assessment without terrain. Impact
    (risk weight, default 1) comes from the ``impact`` polygons and from
    ``section_impact``, a weight per section name (the scenario file's
    ``[impact]`` table). A plan's file may name its ``baseline`` scenario
    file (``baseline_file``): ``surveil assess`` then assesses the plan
    against the baseline's recording posture. Build one
    with :func:`load_scenario` or :meth:`from_layers`; change it with the
    ``with_*`` methods, which return a new scenario. ``settlements``,
    ``roads`` and ``rivers`` are context drawn on the map to orient by;
    ``name_ru`` and ``attribution_ru`` (scenario file keys of that name)
    are the map's and report's title and source note in Russian.
    ``seasons`` (the file's ``[seasons]`` table) names periods for which
    the assessment gives key figures of their own (:mod:`surveil.seasons`).
    """

    border: gpd.GeoDataFrame
    sensors: gpd.GeoDataFrame
    patrols: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    posts: gpd.GeoDataFrame
    settlements: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    catalogue: pd.DataFrame
    parameters: Parameters = field(default_factory=Parameters)
    name: str = "scenario"
    attribution: str = ""
    sources: Mapping[str, Path] = field(default_factory=dict)
    dem: Path | None = None
    impact: gpd.GeoDataFrame = field(default_factory=lambda: _empty_layer("impact"))
    areas: gpd.GeoDataFrame = field(default_factory=lambda: _empty_layer("areas"))
    section_impact: Mapping[str, float] = field(default_factory=dict)
    baseline_file: Path | None = None
    rivers: gpd.GeoDataFrame = field(default_factory=lambda: _empty_layer("rivers"))
    name_ru: str = ""
    attribution_ru: str = ""
    seasons: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def title(self, lang: str) -> str:
        """Return the scenario's name in ``lang`` (``name_ru`` in Russian where given)."""
        return self.name_ru if lang == "ru" and self.name_ru else self.name

    def credit(self, lang: str) -> str:
        """Return the attribution in ``lang`` (``attribution_ru`` in Russian where given)."""
        return self.attribution_ru if lang == "ru" and self.attribution_ru else self.attribution

    def section_names(self, lang: str) -> dict[str, str]:
        """Return the sections' names in ``lang`` where the border layer gives them.

        In Russian, each section with a ``name_ru`` maps to it; otherwise empty.
        """
        if lang != "ru" or "name_ru" not in self.border:
            return {}
        names = self.border["name_ru"].astype("string").fillna("").str.strip()
        return {
            str(section): str(name)
            for section, name in zip(self.border["section"], names, strict=True)
            if name
        }

    @classmethod
    def from_layers(
        cls,
        border: gpd.GeoDataFrame | PathLike,
        *,
        catalogue: pd.DataFrame | PathLike | None = None,
        parameters: Parameters | Mapping[str, Any] | None = None,
        name: str = "scenario",
        attribution: str = "",
        dem: PathLike | None = None,
        **layers: gpd.GeoDataFrame | PathLike | None,
    ) -> Scenario:
        """Build a scenario from GeoDataFrames or paths, validating each layer.

        Parameters
        ----------
        border
            Border sections.
        catalogue
            Catalogue of means, a path to one, or None for the shipped one.
        parameters
            :class:`Parameters` or a mapping of parameter values.
        name, attribution
            Shown on the map and in ``run.json``.
        dem
            Terrain GeoTIFF for line of sight, slope and hillshade.
        **layers
            ``sensors``, ``patrols``, ``incidents``, ``posts``,
            ``settlements``, ``roads``, ``rivers``: a GeoDataFrame or a path each.
        """
        unknown = set(layers) - set(LAYER_KINDS)
        if unknown:
            raise ScenarioError(
                f"unknown layer {sorted(unknown)}; expected one of {', '.join(LAYER_KINDS[1:])}"
            )
        sources = {"border": border, **{k: v for k, v in layers.items() if v is not None}}
        specs = {
            kind: value if isinstance(value, gpd.GeoDataFrame) else LayerSource(Path(value))
            for kind, value in sources.items()
        }
        if not isinstance(parameters, Parameters):
            parameters = Parameters.from_mapping(parameters or {})
        return _build(
            specs,
            catalogue,
            parameters,
            name=name,
            attribution=attribution,
            dem=Path(dem) if dem is not None else None,
        )

    def with_parameters(self, **changes: Any) -> Scenario:
        """Return a copy with some parameters changed.

        Examples
        --------
        >>> from surveil.datasets import load_demo
        >>> load_demo().with_parameters(target_pd=0.7).parameters.target_pd
        0.7
        """
        merged = {**self.parameters.to_dict(), **changes}
        return dataclasses.replace(self, parameters=Parameters.from_mapping(merged))

    def with_sensors(self, sensors: gpd.GeoDataFrame) -> Scenario:
        """Return a copy whose sensors are replaced (validated like a file)."""
        return dataclasses.replace(self, sensors=read_layer(sensors, "sensors"))

    def add_sensors(self, sensors: gpd.GeoDataFrame, *, status: str | None = None) -> Scenario:
        """Return a copy with more sensors added (validated like a file).

        Parameters
        ----------
        sensors
            New sensors: points with a ``type``; a catalogue sensor type fills
            ``range_m``, ``pd``, ``availability``, ``height_m`` and ``fov_deg``
            where the rows leave them out (see
            :func:`surveil.catalogue.with_catalogue_specs`).
        status
            Status of every new sensor (``"planned"`` for a plan); None keeps
            the rows' own (operational by default).

        Raises
        ------
        surveil.errors.SchemaError
            When a new id is already taken, or a row lacks specs the catalogue
            cannot fill.

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> from surveil.datasets import load_demo
        >>> demo = load_demo()
        >>> site = demo.sensors.geometry.iloc[0]
        >>> tower = gpd.GeoDataFrame({"id": ["T-new"], "type": ["thermal_tower"]},
        ...                          geometry=[site], crs=4326)
        >>> more = demo.add_sensors(tower, status="planned")
        >>> row = more.sensors.iloc[-1]
        >>> row["id"], float(row["range_m"]), row["status"]
        ('T-new', 5000.0, 'planned')
        """
        filled = with_catalogue_specs(sensors, self.catalogue)
        if status is not None:
            filled = filled.assign(status=status)
        new = read_layer(gpd.GeoDataFrame(filled, geometry=sensors.geometry.name), "sensors")
        taken = set(self.sensors["id"].astype(str))
        clash = [
            Problem("sensors", "sensors", i + 1, "id", repr(v), "expected an id not yet used")
            for i, v in enumerate(new["id"].astype(str))
            if v in taken
        ]
        if clash:
            raise SchemaError("new sensors reuse ids", clash)
        if "source_row" in new and len(self.sensors):
            start = int(self.sensors["source_row"].max()) if "source_row" in self.sensors else 0
            new["source_row"] = np.arange(start + 1, start + 1 + len(new), dtype=np.int64)
        joined = pd.concat([self.sensors, new], ignore_index=True)
        return dataclasses.replace(self, sensors=gpd.GeoDataFrame(joined, crs="EPSG:4326"))

    def scale_patrols(
        self, factor: float, *, window: str | None = None, mode: str | None = None
    ) -> Scenario:
        """Return a copy with ``visits_per_day`` of some patrols multiplied.

        Parameters
        ----------
        factor
            Multiplier of visits per day (2 doubles the patrols).
        window, mode
            Only patrols of this window (day/night/all) or mode.
        """
        if factor < 0:
            raise ScenarioError(f"patrol factor is {factor}; expected a number >= 0")
        for name, value, known in (
            ("window", window, ("day", "night", "all")),
            ("mode", mode, ("foot", "vehicle", "horse", "boat")),
        ):
            if value is not None and value not in known:
                raise ScenarioError(
                    f"patrol {name} is {value!r}; expected one of {', '.join(known)}"
                )
        patrols = self.patrols.copy()
        chosen = pd.Series(True, index=patrols.index)
        if window is not None:
            chosen &= patrols["window"] == window
        if mode is not None:
            chosen &= patrols["mode"] == mode
        patrols.loc[chosen, "visits_per_day"] = patrols.loc[chosen, "visits_per_day"] * factor
        return dataclasses.replace(self, patrols=patrols)


def load_scenario(
    path: PathLike | None = None,
    *,
    layers: Mapping[str, PathLike] | None = None,
    parameters: Mapping[str, Any] | None = None,
    catalogue: PathLike | None = None,
    crs: str | None = None,
    repair: bool = True,
    dem: PathLike | None = None,
) -> Scenario:
    """Load a scenario from a TOML file, with overrides.

    Parameters
    ----------
    path
        Scenario file; None to give every layer in ``layers``.
    layers
        Layer paths that replace those of the file (``border``, ``sensors``
        ...), as the CLI's flags do.
    parameters
        Parameter values that replace those of the file.
    catalogue
        Catalogue that replaces the file's.
    crs
        CRS for layers whose files have none (and that name none themselves).
    repair
        Repair invalid geometries with a warning; False refuses them (a layer
        may also say ``repair = false``).
    dem
        Terrain GeoTIFF that replaces the file's ``dem``.

    Raises
    ------
    surveil.errors.InputError
        With every problem of every layer, when any layer is bad.

    Examples
    --------
    >>> from surveil.datasets import get_path
    >>> scenario = load_scenario(get_path("demo"))
    >>> len(scenario.border) > 0
    True
    """
    doc: dict[str, Any] = {}
    base = Path.cwd()
    where = "command line"
    if path is not None:
        path = Path(path)
        where = str(path)
        doc = _read_toml(path)
        base = path.parent
    _check_keys(doc, where)
    specs: dict[str, LayerSource | gpd.GeoDataFrame] = {}
    for kind, spec in (doc.get("layers") or {}).items():
        specs[kind] = _layer_source(kind, spec, base, where, default_crs=doc.get("crs"))
    for kind, value in (layers or {}).items():
        if value is not None:
            specs[kind] = LayerSource(Path(value))
    specs = {
        k: dataclasses.replace(v, default_crs=crs, repair=v.repair and repair)
        if isinstance(v, LayerSource)
        else v
        for k, v in specs.items()
    }
    if "border" not in specs:
        raise ScenarioError(f'{where}: no border layer; give [layers] border = "..." or --border')
    cat = catalogue if catalogue is not None else doc.get("catalogue")
    if cat is not None and catalogue is None:
        cat = base / cat
    values = {**(doc.get("parameters") or {}), **(parameters or {})}
    params = Parameters.from_mapping(values, source=where)
    dem_path = Path(dem) if dem is not None else (base / doc["dem"] if doc.get("dem") else None)
    scenario = _build(
        specs,
        cat,
        params,
        name=str(doc.get("name", Path(where).parent.name if path else "scenario")),
        attribution=str(doc.get("attribution", "")),
        dem=dem_path,
    )
    scenario = dataclasses.replace(
        scenario,
        name_ru=str(doc.get("name_ru", "")),
        attribution_ru=str(doc.get("attribution_ru", "")),
    )
    if "impact" in doc:
        impact = _section_impact(doc["impact"], scenario.border, where)
        scenario = dataclasses.replace(scenario, section_impact=impact)
    if "seasons" in doc:
        from surveil.seasons import read_seasons

        scenario = dataclasses.replace(scenario, seasons=read_seasons(doc["seasons"], where))
    if doc.get("baseline"):
        baseline = base / str(doc["baseline"])
        if not baseline.is_file():
            raise ScenarioError(f"{where}: baseline {baseline} not found; expected a scenario file")
        scenario = dataclasses.replace(scenario, baseline_file=baseline)
    return scenario


def _section_impact(table: Any, border: gpd.GeoDataFrame, where: str) -> dict[str, float]:
    """Check the ``[impact]`` table: a weight >= 0 for sections of the border."""
    if not isinstance(table, Mapping):
        raise ScenarioError(
            f'{where}: impact is {table!r}; expected a table such as [impact] "Section A" = 2'
        )
    names = set(border["section"].astype(str))
    problems = []
    out: dict[str, float] = {}
    for name, value in table.items():
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if name not in names:
            expected = f"expected a section of the border: {', '.join(sorted(names))}"
            problems.append(Problem(where, "impact", None, str(name), repr(value), expected))
        elif not (ok and math.isfinite(value) and value >= 0):
            expected = "expected an impact weight, 0 or more (1 = ordinary)"
            problems.append(Problem(where, "impact", None, str(name), repr(value), expected))
        else:
            out[str(name)] = float(value)
    if problems:
        raise ScenarioError("invalid impact table", problems)
    return out


def _check_keys(doc: Mapping[str, Any], where: str) -> None:
    allowed = {
        "name",
        "name_ru",
        "description",
        "attribution",
        "attribution_ru",
        "baseline",
        "catalogue",
        "crs",
        "dem",
        "impact",
        "layers",
        "parameters",
        "seasons",
    }
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(allowed))}"
        )
    unknown_layers = sorted(set(doc.get("layers") or {}) - set(LAYER_KINDS))
    if unknown_layers:
        raise ScenarioError(
            f"{where}: unknown layer(s) {', '.join(unknown_layers)}; "
            f"expected {', '.join(LAYER_KINDS)}"
        )


def _layer_source(
    kind: str, spec: Any, base: Path, where: str, *, default_crs: str | None
) -> LayerSource:
    if isinstance(spec, str):
        spec = {"path": spec}
    if not isinstance(spec, Mapping) or "path" not in spec:
        raise ScenarioError(
            f'{where}: layers.{kind} is {spec!r}; expected a path or a table with path = "..."'
        )
    unknown = sorted(set(spec) - set(LAYER_OPTIONS))
    if unknown:
        raise ScenarioError(
            f"{where}: layers.{kind} has unknown key(s) {', '.join(unknown)}; "
            f"expected {', '.join(LAYER_OPTIONS)}"
        )
    return LayerSource(
        path=base / spec["path"],
        layer=spec.get("layer"),
        crs=spec.get("crs", default_crs),
        columns=dict(spec.get("columns", {})),
        x=spec.get("x"),
        y=spec.get("y"),
        repair=bool(spec.get("repair", True)),
    )


def _read(kind: str, spec: LayerSource | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if isinstance(spec, gpd.GeoDataFrame):
        return read_layer(spec, kind)
    if kind == "areas":
        from surveil.areas import read_area_ranges

        ranges = read_area_ranges(spec.path, columns=spec.columns)
        if ranges is not None:
            return ranges
    return read_layer(
        spec.path,
        kind,
        layer=spec.layer,
        columns=spec.columns or None,
        crs=spec.crs,
        default_crs=spec.default_crs,
        x=spec.x,
        y=spec.y,
        repair=spec.repair,
    )


def _build(
    specs: Mapping[str, LayerSource | gpd.GeoDataFrame],
    catalogue: pd.DataFrame | PathLike | None,
    parameters: Parameters,
    *,
    name: str,
    attribution: str,
    dem: Path | None = None,
) -> Scenario:
    """Read every layer, collect every problem, then check placement."""
    frames: dict[str, gpd.GeoDataFrame] = {}
    problems: list[Problem] = []
    messages: list[str] = []
    for kind in LAYER_KINDS:
        if kind not in specs:
            frames[kind] = read_layer(_empty(kind), kind)
            continue
        try:
            frames[kind] = _read(kind, specs[kind])
        except InputError as err:
            problems.extend(err.problems)
            if not err.problems:
                messages.append(str(err))
    try:
        cat = catalogue if isinstance(catalogue, pd.DataFrame) else load_catalogue(catalogue)
    except InputError as err:
        problems.extend(err.problems)
        if not err.problems:
            messages.append(str(err))
    for kind, frame in frames.items():
        problems.extend(control_characters(frame, source=_name(specs.get(kind)), layer=kind))
    problems.extend(
        control_characters(cat, source=str(catalogue or "catalogue"), layer="catalogue")
    )
    _raise_collected(problems, messages)
    problems.extend(
        _after_reference(
            frames["incidents"], parameters.reference_date, _name(specs.get("incidents"))
        )
    )
    _raise_collected(problems, messages)
    border = frames["border"]
    check_segment_count(border, parameters)
    limit = parameters.max_distance_km
    for kind in CHECKED_LAYERS:
        try:
            check_near_border(
                frames[kind],
                border,
                kind=kind,
                source=_name(specs.get(kind)),
                max_distance_km=limit,
            )
        except InputError as err:
            problems.extend(err.problems)
            if not err.problems:
                messages.append(str(err))
    _raise_collected(problems, messages)
    for kind in CONTEXT_LAYERS:
        frames[kind] = clip_to_border(frames[kind], border, max_distance_km=limit)
    if len(frames["areas"]):
        from surveil.areas import check_areas

        check_areas(frames["areas"], border, source=_name(specs.get("areas")))
    sources = {k: v.path for k, v in specs.items() if isinstance(v, LayerSource)}
    if catalogue is not None and not isinstance(catalogue, pd.DataFrame):
        sources["catalogue"] = Path(catalogue)
    if dem is not None:
        if not dem.is_file():
            raise InputError(
                f"{dem}: DEM file not found; expected a GeoTIFF of elevations in metres"
            )
        sources["dem"] = dem
    return Scenario(
        **frames,
        catalogue=cat,
        parameters=parameters,
        name=name,
        attribution=attribution,
        sources=sources,
        dem=dem,
    )


#: Most segments and target points an assessment allocates.
MAX_SEGMENTS = 2_000_000
MAX_TARGET_POINTS = 50_000_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_segment_count(border: gpd.GeoDataFrame, parameters: Parameters) -> None:
    """Refuse a segment or sample length that would cut the border into too many pieces.

    Raises
    ------
    surveil.errors.ScenarioError
        When the border would get more than :data:`MAX_SEGMENTS` segments or
        :data:`MAX_TARGET_POINTS` target points.
    """
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    length_m = sum(geod.geometry_length(g) for g in border.to_crs(4326).geometry)
    for name, step, most in (
        ("segment_m", parameters.segment_m, MAX_SEGMENTS),
        ("sample_m", parameters.sample_m, MAX_TARGET_POINTS),
    ):
        count = math.ceil(length_m / step)
        if count > most:
            raise ScenarioError(
                f"{name} = {step:g} m cuts the {length_m / 1000:,.1f} km border into "
                f"{count:,} pieces; at most {most:,} are allowed; choose a larger {name}"
            )


def control_characters(frame: pd.DataFrame, *, source: str, layer: str) -> list[Problem]:
    """Return a problem for each text cell holding a control character.

    Spreadsheets refuse them, so they are refused at input, in ``validate``
    and ``assess`` alike.
    """
    from surveil._validate import show

    found = []
    rows = (
        frame["source_row"]
        if "source_row" in frame.columns
        else pd.Series(range(1, len(frame) + 1), index=frame.index)
    )
    for column in frame.columns:
        kind = frame[column].dtype
        if column == "geometry" or not (
            pd.api.types.is_object_dtype(kind) or pd.api.types.is_string_dtype(kind)
        ):
            continue
        # distinct values first: a million incidents hold few distinct texts
        distinct = pd.unique(frame[column].to_numpy(dtype=object))
        bad = {v for v in distinct if isinstance(v, str) and _CONTROL.search(v)}
        if not bad:
            continue
        for index, value in frame[column].items():
            if isinstance(value, str) and value in bad:
                found.append(
                    Problem(
                        source,
                        layer,
                        int(rows[index]),
                        str(column),
                        show(value),
                        "expected text without control characters (U+0000-U+001F except "
                        "tab and line breaks)",
                    )
                )
    return found


#: Largest scenario file read, bytes (a scenario names files; it holds no data).
MAX_SCENARIO_BYTES = 1024 * 1024


def _read_toml(path: Path) -> dict[str, Any]:
    """Read a scenario file: UTF-8 (a byte-order mark is accepted), bounded size."""
    from surveil._validate import regular_file

    try:
        raw = regular_file(path, max_bytes=MAX_SCENARIO_BYTES, what="scenario file")
    except InputError as err:
        raise ScenarioError(str(err)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ScenarioError(
            f"{path}: not UTF-8 text (byte 0x{raw[err.start]:02x} at position {err.start}); "
            "save the scenario file as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML ({err})") from None


def _after_reference(incidents: gpd.GeoDataFrame, reference: str, source: str) -> list[Problem]:
    """Return a problem for each incident dated after the reference date.

    Ages count back from the reference date; a later incident would get a
    negative age and count at full weight, as if it had just happened.
    """
    if not reference or "date" not in incidents or not len(incidents):
        return []
    day_after = pd.Timestamp(reference) + pd.Timedelta(days=1)
    late = (incidents["date"] >= day_after).to_numpy(dtype=bool)
    return [
        Problem(
            source,
            "incidents",
            int(row),
            "date",
            repr(str(date.date())),
            f"the incident is after reference_date {reference}; "
            "expected incidents up to that date (remove it, or move reference_date)",
        )
        for row, date in zip(incidents["source_row"][late], incidents["date"][late], strict=True)
    ]


def _raise_collected(problems: list[Problem], messages: list[str]) -> None:
    """Raise one InputError with every problem and message collected, if any."""
    if problems or messages:
        lines = "".join(f"\n  {m}" for m in messages)
        raise InputError(f"the scenario's inputs have problems:{lines}", problems)


def _name(spec: LayerSource | gpd.GeoDataFrame | None) -> str:
    return str(spec.path) if isinstance(spec, LayerSource) else "<GeoDataFrame>"


def _empty_layer(kind: str) -> gpd.GeoDataFrame:
    """Return an empty, validated layer of a kind."""
    return read_layer(_empty(kind), kind)


def _empty(kind: str) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326"))
