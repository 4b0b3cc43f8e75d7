"""Assess a scenario: segments, detection, threat, risk, gaps and needs.

:func:`assess` runs the whole model of DESIGN §3 on a :class:`~surveil.scenario.Scenario`
and returns an :class:`Assessment`, a frozen record of GeoDataFrames and KPIs
that can be drawn (:meth:`Assessment.map`) or written to an output folder
(:meth:`Assessment.save`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from surveil import coverage, response, risk, seasons, terrain, visibility, windows
from surveil import sensors as sensor_model
from surveil._validate import raster_input
from surveil.areas import Responsibility, responsibility
from surveil.candidates import high_ground_sites
from surveil.errors import InputError, InputWarning, ScenarioError
from surveil.gaps import find_gaps
from surveil.needs import needs_totals, size_needs
from surveil.scenario import Scenario
from surveil.segments import (
    TargetPoints,
    orient_border,
    orient_like,
    point_intervals,
    sample_targets,
    segment_border,
)
from surveil.services import ServiceRules, route_services

if TYPE_CHECKING:
    import folium

Progress = Callable[[str], None]

SEGMENT_OUTPUT_COLUMNS = [
    "section",
    "part",
    "segment_id",
    "km_from",
    "km_to",
    "length_m",
    "p_sensor",
    "p_patrol",
    "p_detect",
    "p_detect_realtime",
    "p_detect_delayed",
    "p_interdict",
    "covered_frac",
    "p_detect_day",
    "p_detect_night",
    "covered_frac_day",
    "covered_frac_night",
    "night_share",
    "sensors_seeing",
    "revisit_h",
    "response_h",
    "response_min",
    "escape_min",
    "incidents",
    "incidents_per_km_year",
    "incidents_corrected_per_km_year",
    "slope_deg",
    "passability",
    "mast_m_to_see",
    "mast_reachable",
    "structure",
    "threat_confidence",
    "threat",
    "vulnerability",
    "impact",
    "risk",
    "risk_class",
]


@dataclass(frozen=True)
class Assessment:
    """Result of assessing a scenario.

    Attributes
    ----------
    scenario
        The scenario assessed.
    segments
        One row per segment with detection, threat and risk (EPSG:4326).
    gaps
        Coverage gaps (see :func:`surveil.gaps.find_gaps`).
    needs
        Means that would close each gap (see :func:`surveil.needs.size_needs`).
    footprints
        Range circles and sectors of the sensors.
    incidents
        Incidents with their snapped ``section``, ``km`` and ``distance_m``.
    summary
        Key figures (``km_assessed``, ``gap_km``, ``capex_eur`` ...).
    model
        Model choices and calibrated constants, for ``run.json``.
    candidates
        With terrain: high ground near the border on the own side, as
        candidate sensor sites with the border length each would see.
    posture
        Detection at the target points under which the incidents were
        recorded: this assessment's own, or its baseline's. Pass the
        assessment as ``baseline=`` to assess a plan against it.
    border
        The border as assessed: each section part oriented so that the own
        side lies right of the direction of chainage
        (:func:`surveil.segments.orient_border`); a plan keeps its
        baseline's.
    services
        Teams and staff of today's patrol routes
        (:func:`surveil.services.route_services`).
    responsibility
        Areas, seams, responders and coordination between agencies
        (:func:`surveil.areas.responsibility`); None without an areas layer.
    isochrones
        With posts and terrain: reaction-time bands from the posts
        (:func:`surveil.response.reaction`).
    window_gaps
        The gaps of a crossing by day and of one at night (column
        ``window``; :attr:`gaps` are those of a crossing at any time,
        ``window = "all"``).
    """

    scenario: Scenario
    segments: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    needs: pd.DataFrame
    footprints: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    summary: Mapping[str, Any]
    model: Mapping[str, Any]
    candidates: gpd.GeoDataFrame | None = None
    posture: risk.Posture | None = None
    border: gpd.GeoDataFrame | None = None
    services: pd.DataFrame | None = None
    responsibility: Responsibility | None = None
    isochrones: gpd.GeoDataFrame | None = None
    window_gaps: gpd.GeoDataFrame | None = None

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the map and GeoPackage layers by name."""
        layers = {
            "segments": self.segments,
            "gaps": self.gaps,
            "sensors": self.scenario.sensors,
            "footprints": self.footprints,
            "patrols": self.scenario.patrols,
            "incidents": self.incidents,
            "posts": self.scenario.posts,
        }
        if self.candidates is not None:
            layers["candidates"] = self.candidates
        if self.responsibility is not None:
            layers.update(self.responsibility.layers())
        if self.isochrones is not None and len(self.isochrones):
            layers["isochrones"] = self.isochrones
        # context to orient by on the map (not written to the GeoPackage)
        for name in ("settlements", "roads", "rivers"):
            frame = getattr(self.scenario, name, None)
            if frame is not None and len(frame):
                layers[name] = frame
        return layers

    def hillshade(self, *, max_size: int = 1024) -> list[tuple[Any, Any]]:
        """Return a hillshade image of the terrain for the map (none without terrain)."""
        if self.scenario.dem is None:
            return []
        west, south, east, north = (float(b) for b in self.segments.total_bounds)
        with raster_input(self.scenario.dem):
            box = (west, south, east, north)
            return [terrain.area_hillshade(self.scenario.dem, box, max_size=max_size)]

    def map(self, *, lang: str = "en") -> folium.Map:
        """Draw the interactive map (Folium) in English or Russian."""
        from surveil.maps import assessment_map

        return assessment_map(
            self.layers(),
            summary=self.summary,
            lang=lang,
            title=self.scenario.title(lang),
            attribution=self.scenario.credit(lang),
            section_names=self.scenario.section_names(lang),
            hillshade=self.hillshade(),
        )

    def save(
        self, out: str | os.PathLike[str], *, overwrite: bool = False, lang: str = "en"
    ) -> None:
        """Write the output folder (see :func:`surveil.outputs.write_outputs`)."""
        from surveil.outputs import write_outputs

        write_outputs(self, out, overwrite=overwrite, lang=lang)


def assess(
    scenario: Scenario,
    *,
    baseline: Assessment | None = None,
    progress: Progress | None = None,
    tiles: tuple[terrain.DEM, ...] | None = None,
    map_layers: bool = True,
) -> Assessment:
    """Assess a scenario.

    Parameters
    ----------
    scenario
        Layers, parameters and catalogue.
    baseline
        The assessment of the posture under which the incidents were
        recorded (today's means), when ``scenario`` is a plan: incidents are
        corrected by the baseline's detection and structure keeps the
        baseline's calibration, so a plan lowers risk through vulnerability
        and never changes threat. None: the scenario is its own baseline.
    progress
        Called with the name of each step as it starts.
    tiles
        The scenario's terrain as already read by :func:`load_terrain` (for
        example with its elevations perturbed, see :mod:`surveil.sweeping`),
        used instead of reading ``scenario.dem`` again. None: read it.
    map_layers
        Compute the sensors' footprints and, with terrain, the high-ground
        candidates, which only the map and the GeoPackage draw. False leaves
        them empty (a sweep's samples, which read only tables and KPIs).

    Raises
    ------
    surveil.errors.ScenarioError
        When ``baseline`` was assessed on other target points (another
        border, ``segment_m`` or ``sample_m``).

    Examples
    --------
    >>> from surveil.datasets import load_demo
    >>> demo = load_demo()
    >>> base = assess(demo)
    >>> 0 <= base.summary["covered_share"] <= 1
    True
    >>> plan = assess(demo.scale_patrols(2.0), baseline=base)
    >>> bool((plan.segments["threat"] == base.segments["threat"]).all())
    True
    """
    step = progress or (lambda _name: None)
    p = scenario.parameters
    step("segments")
    border = own_side_border(scenario, baseline=baseline)
    segments = segment_border(border, segment_m=p.segment_m)
    targets = sample_targets(segments, sample_m=p.sample_m)
    sensors = coverage.active_sensors(scenario.sensors, include_planned=p.include_planned)
    if tiles is None:
        tiles = ()
        if scenario.dem is not None:
            step("terrain")
            tiles = load_terrain(scenario.dem, scenario, targets)
    step("detection")
    detection, table, by_window, night_weight, by_season = detection_table(
        scenario, targets, sensors, tiles
    )
    interdiction, isochrones, responders = interdiction_table(
        scenario, targets, by_window, night_weight, tiles
    )
    table = pd.concat([table, interdiction], axis=1)
    posture = recording_posture(segments, targets, detection, baseline)
    step("threat")
    structure_ref = baseline.model.get("structure_per_km_year") if baseline is not None else None
    snapped, weights, threat_parts, structure_ref = threat_table(
        scenario, border, segments, targets, table, tiles, posture, structure_ref=structure_ref
    )
    table = pd.concat([table, threat_parts], axis=1)
    step("risk")
    has_posts = len(scenario.posts) > 0
    vulnerability = 1.0 - table["p_interdict" if has_posts else "p_detect"].to_numpy()
    section_of_point = segments["section"].to_numpy()[targets.segment]
    impact = coverage.segment_means(
        risk.point_impact(
            targets.lon,
            targets.lat,
            section_of_point,
            areas=scenario.impact,
            section_impact=scenario.section_impact,
        ),
        targets,
        targets.n_segments,
    )
    risk_part = risk.risk_table(
        table["threat"].to_numpy(), vulnerability, impact=impact, breaks=p.risk_breaks
    )
    table = pd.concat([table.drop(columns="threat"), risk_part], axis=1)
    segments = gpd.GeoDataFrame(
        pd.concat([segments.drop(columns="geometry"), table], axis=1)[SEGMENT_OUTPUT_COLUMNS],
        geometry=segments.geometry,
        crs="EPSG:4326",
    )
    step("gaps")
    gaps = find_gaps(
        point_intervals(targets, segments).assign(p_detect=detection.p_detect),
        segments,
        incidents=snapped,
        target_pd=p.target_pd,
        min_bridge_m=p.min_bridge_m,
        min_gap_m=p.min_gap_m,
    )
    gaps["window"] = "all"
    window_gaps = windows.window_gaps(
        {
            w: find_gaps(
                point_intervals(targets, segments).assign(p_detect=d.p_detect),
                segments,
                incidents=snapped,
                target_pd=p.target_pd,
                min_bridge_m=p.min_bridge_m,
                min_gap_m=p.min_gap_m,
            )
            for w, d in by_window.items()
        }
    )
    season_kpis = seasons.season_summary(
        by_season,
        targets=targets,
        segments=segments,
        gaps_of=lambda p_detect: find_gaps(
            point_intervals(targets, segments).assign(p_detect=p_detect),
            segments,
            incidents=snapped,
            target_pd=p.target_pd,
            min_bridge_m=p.min_bridge_m,
            min_gap_m=p.min_gap_m,
        ),
        target_pd=p.target_pd,
    )
    step("needs")
    rules = ServiceRules.from_parameters(p)
    length = segments["length_m"].to_numpy(dtype=float)
    needs = size_needs(
        gaps,
        scenario.catalogue,
        target_pd=p.target_pd,
        trace_persistence_h=p.trace_persistence_h,
        services=rules,
        night_share=float(np.average(segments["night_share"], weights=length))
        if length.sum() > 0
        else 0.0,
    )
    step("services and areas")
    services = route_services(scenario.patrols, rules, staff_fte=p.patrol_staff_fte)
    areas = None
    if len(scenario.areas):
        areas = responsibility(
            scenario.areas,
            segments,
            gaps,
            posts=scenario.posts,
            sensors=sensors,
            patrols=scenario.patrols,
            services=services,
            catalogue=scenario.catalogue,
            seam_m=p.seam_m,
            detour_factor=p.detour_factor,
            responders=responders,
        )
    if not map_layers:
        footprints = coverage.sensor_footprints(scenario.sensors.iloc[:0])
        candidates = None
    elif tiles:
        step("footprints and high ground")
        all_sensors = visibility.sensor_sight(
            tiles,
            sensor_model.for_target(scenario.sensors, p.target_class),
            target_height_m=p.target_height_m,
            refraction=p.refraction,
        )
        footprints = all_sensors.footprints()
        candidates = high_ground_sites(border, tiles)
    else:
        footprints = coverage.sensor_footprints(
            sensor_model.for_target(scenario.sensors, p.target_class)
        )
        candidates = None
    model = {
        "risk_unit": "uninterdicted crossing persons per km per year (x impact)"
        if has_posts
        else "undetected crossing persons per km per year (x impact)",
        "risk_breaks": list(p.risk_breaks),
        "threat_unit": "crossing persons per km per year",
        "threat_incidents": p.threat_incidents,
        "threat_weights": weights_used(p, table),
        "structure_per_km_year": structure_ref,
        "structure_calibrated": p.structure_per_km_year is None and baseline is None,
        "recording_posture": "baseline" if baseline is not None else "this scenario",
        "structure_layers": [k for k in ("roads", "settlements") if len(getattr(scenario, k))]
        + (["terrain"] if tiles else []),
        "terrain_tiles": len(tiles),
        "vulnerability": "1 - p_interdict" if has_posts else "1 - p_detect",
        "response_model": response_model(scenario, tiles) if has_posts else None,
        "incident_exposure_years": weights.exposure_years,
        "incident_reference_date": (
            weights.reference_date.date().isoformat()
            if weights.reference_date is not None
            else None
        ),
        "target_points": int(np.unique(targets.point).size),
        "time_windows": {
            "night": "sun more than 6 degrees below the horizon (after civil twilight)",
            "period": [p.period_start or "whole year", p.period_end or "whole year"],
            "p_detect": "(1 - night_share) * p_detect_day + night_share * p_detect_night",
            "seasons": {k: list(v) for k, v in scenario.seasons.items()},
        },
        "target_class": p.target_class,
        "sensor_task": p.sensor_task,
    }
    return Assessment(
        scenario=scenario,
        segments=segments,
        gaps=gaps,
        needs=needs,
        footprints=footprints,
        incidents=snapped,
        summary={
            **summarise(segments, gaps, snapped, sensors, scenario, needs_totals(needs)),
            "patrol_fte": float(services["fte"].sum()),
            **(dict(areas.summary) if areas is not None else {}),
            **windows.window_summary(segments, window_gaps),
            **season_kpis,
        },
        model=model,
        window_gaps=window_gaps,
        candidates=candidates,
        posture=posture,
        border=border,
        services=services,
        responsibility=areas,
        isochrones=isochrones,
    )


def own_side_border(scenario: Scenario, *, baseline: Assessment | None = None) -> gpd.GeoDataFrame:
    """Return the scenario's border oriented with the own side right of chainage.

    With a ``baseline`` on the same lines, its orientation is kept (a plan
    never moves the chainage). Otherwise the own side comes from
    ``own_country`` and the border's country columns, else from where the
    sensors in service (not ``planned``) and the posts stand; see
    :func:`surveil.segments.orient_border`.
    """
    if baseline is not None and baseline.border is not None:
        like = orient_like(scenario.border, baseline.border)
        if like is not None:
            return like
    sensors = scenario.sensors
    if "status" in sensors.columns:
        sensors = sensors[~sensors["status"].astype(str).isin(["planned", "recommended"])]
    return orient_border(
        scenario.border,
        own_country=scenario.parameters.own_country,
        posture=(sensors, scenario.posts),
    )


def weights_used(p: Any, table: pd.DataFrame) -> dict[str, float]:
    """Return the effective threat weights (no structural part without context)."""
    w_inc = p.weight_incidents
    w_struct = p.weight_structure if not table["structure"].isna().all() else 0.0
    total = w_inc + w_struct
    return {"incidents": w_inc / total, "structure": w_struct / total}


def recording_posture(
    segments: gpd.GeoDataFrame,
    targets: TargetPoints,
    detection: coverage.PointDetection,
    baseline: Assessment | None,
) -> risk.Posture:
    """Return the posture incidents were recorded under: the baseline's, else this one."""
    if baseline is None or baseline.posture is None:
        return risk.Posture(
            lon=targets.lon,
            lat=targets.lat,
            section=segments["section"].to_numpy()[targets.segment],
            segment=targets.segment,
            p_detect=detection.p_detect,
        )
    if not baseline.posture.matches(targets.lon, targets.lat):
        raise ScenarioError(
            "the baseline was assessed on other target points; assess the plan with the "
            "baseline's border, segment_m and sample_m"
        )
    return baseline.posture


def detection_table(
    scenario: Scenario,
    targets: TargetPoints,
    sensors: gpd.GeoDataFrame,
    tiles: tuple[terrain.DEM, ...],
) -> tuple[
    coverage.PointDetection,
    pd.DataFrame,
    dict[str, coverage.PointDetection],
    NDArray[np.float64],
    dict[str, seasons.SeasonDetection],
]:
    """Return the point detection, per segment detection and terrain, the windows, the seasons.

    The point detection is that of a crossing at a random time, the day and
    night windows weighted by the night share (:mod:`surveil.windows`); the
    third result holds each window's, the fourth the night weight at each
    target point, the fifth each of the scenario's seasons' detection
    (:mod:`surveil.seasons`; empty without seasons). Columns ``p_sensor``, ``p_patrol``,
    ``p_detect``, ``p_detect_realtime``, ``p_detect_delayed``,
    ``covered_frac``, ``p_detect_day``, ``p_detect_night``,
    ``covered_frac_day``, ``covered_frac_night``, ``night_share``,
    ``sensors_seeing``, ``revisit_h``, ``slope_deg``, ``passability``,
    ``mast_m_to_see`` (NaN without terrain), ``mast_reachable`` (False
    without terrain: masts are not assessed); the interdiction columns come
    from :func:`interdiction_table`.
    """
    p = scenario.parameters
    n = targets.n_segments
    sensors = sensor_model.for_target(
        sensor_model.with_model_columns(sensors, scenario.catalogue), p.target_class
    )

    def curves_over(period: tuple[str, str]) -> sensor_model.PdCurves:
        return sensor_model.pd_curves(
            sensors, target=p.target_class, task=p.sensor_task, period=period
        )

    curves = curves_over((p.period_start, p.period_end))
    sight = None
    if tiles:
        sight = visibility.sensor_sight(
            tiles, sensors, target_height_m=p.target_height_m, refraction=p.refraction
        )
        depth = p.path_depth_m
        reaching = reaching_sensors(targets, sight.sensors, depth_m=depth)
        warn_sensors_off_terrain(sight, str(scenario.dem), reaching=reaching)
    p_light, seeing = coverage.sensor_detection(
        targets,
        sensors,
        path_depth_m=p.path_depth_m,
        sight=sight,
        sight_step_m=min((t.cell_m for t in tiles), default=30.0),
        curves=curves,
    )
    patrols = scenario.patrols
    window = (
        patrols["window"].astype(str).to_numpy()
        if "window" in patrols
        else np.full(len(patrols), "all")
    )
    rates = {
        w: coverage.patrol_rates(
            targets,
            patrols[window == w],
            path_depth_m=p.path_depth_m,
            patrol_pd=p.patrol_pd,
            crosser_speed_kmh=p.crosser_speed_kmh,
        )
        for w in ("all", *windows.WINDOWS)
    }
    times = windows.Windows.at(
        targets.lat,
        period_start=p.period_start,
        period_end=p.period_end,
        incidents=scenario.incidents,
    )
    by_window = windows.window_detection(
        p_light, seeing, rates, times, trace_persistence_h=p.trace_persistence_h
    )
    detection = windows.combine_windows(by_window, times.night_weight)
    by_season = seasons.season_detection(
        scenario.seasons,
        lat=targets.lat,
        sensors=sensors,
        p_light=p_light,
        seeing=seeing,
        rates=rates,
        hits=lambda: coverage.sensor_hits(
            targets,
            sensors,
            path_depth_m=p.path_depth_m,
            sight=sight,
            sight_step_m=min((t.cell_m for t in tiles), default=30.0),
        ),
        curves=curves_over,
        incidents=scenario.incidents,
        trace_persistence_h=p.trace_persistence_h,
    )
    table = coverage.segment_detection(targets, detection, n, target_pd=p.target_pd)
    for w, found in by_window.items():
        table[f"p_detect_{w}"] = coverage.segment_means(found.p_detect, targets, n)
        covered = (found.p_detect >= p.target_pd - 1e-12).astype(float)
        table[f"covered_frac_{w}"] = coverage.segment_means(covered, targets, n)
    table["night_share"] = coverage.segment_means(times.night_weight, targets, n)
    table["slope_deg"] = table["passability"] = table["mast_m_to_see"] = np.nan
    table["mast_reachable"] = False
    if sight is not None:
        slope = point_slope(tiles, targets)
        table["slope_deg"] = coverage.segment_means(slope, targets, n)
        table["passability"] = coverage.segment_means(terrain.passability(slope), targets, n)
        table["mast_m_to_see"], table["mast_reachable"] = coverage.mast_to_see(
            targets,
            sight.sensors,
            detection.p_sensor,
            sight,
            n,
            tallest_mast_m=tallest_mast_m(scenario.catalogue),
        )
    return detection, table, by_window, times.night_weight, by_season


def interdiction_table(
    scenario: Scenario,
    targets: TargetPoints,
    by_window: Mapping[str, coverage.PointDetection],
    night_weight: NDArray[np.float64],
    tiles: tuple[terrain.DEM, ...],
) -> tuple[
    pd.DataFrame,
    gpd.GeoDataFrame | None,
    tuple[NDArray[np.int64], NDArray[np.float64]] | None,
]:
    """Return per segment the interdiction by reaction teams, the isochrones and responders.

    Columns ``p_interdict``, ``response_h``, ``response_min`` (the fastest
    team's travel time) and ``escape_min`` (the crossers' mean time to clear
    the zone), length-weighted means, NaN without posts; over the terrain
    and roads with a DEM, else the straight line (see :mod:`surveil.response`);
    interdiction in each window (``by_window``), weighted by the night weight
    at each point as the detection is. The isochrones are None without posts
    or terrain. The responders are, per segment, the post whose team reaches
    most of its points first and that team's mean time in hours
    (:func:`surveil.response.segment_responders`); None without posts.
    """
    p = scenario.parameters
    n = targets.n_segments
    table = pd.DataFrame(
        np.nan, index=range(n), columns=["p_interdict", "response_h", "response_min", "escape_min"]
    )
    if not len(scenario.posts):
        return table, None, None
    reach = response.reaction(
        targets,
        scenario.posts,
        tiles,
        roads=scenario.roads,
        azimuth_deg=targets.azimuth_deg,
        crosser_speed_kmh=p.crosser_speed_kmh,
        escape_h=p.escape_h,
        detour_factor=p.detour_factor,
    )
    p_interdict = sum(
        (night_weight if w == "night" else 1.0 - night_weight)
        * coverage.interdict_probability(
            found, reach.hours, escape_h=reach.escape_h, trace_persistence_h=p.trace_persistence_h
        )
        for w, found in by_window.items()
    )
    table["p_interdict"] = coverage.segment_means(np.asarray(p_interdict), targets, n)
    table["response_h"] = coverage.segment_means(reach.hours, targets, n)
    table["response_min"] = table["response_h"] * 60.0
    table["escape_min"] = coverage.segment_means(reach.escape_h, targets, n) * 60.0
    responders = response.segment_responders(reach.post, reach.hours, targets.segment, n)
    return table, (reach.isochrones if tiles else None), responders


def response_model(scenario: Scenario, tiles: tuple[terrain.DEM, ...]) -> str:
    """Name the model of the reaction teams' travel, for ``run.json``."""
    if not tiles:
        return "straight line x detour_factor"
    return "terrain and roads (cost-distance)" if len(scenario.roads) else "terrain (cost-distance)"


def tallest_mast_m(catalogue: pd.DataFrame) -> float:
    """Return the tallest mast the catalogue offers, in metres.

    The largest of every means' mast options (``mast_heights_m``, see
    :func:`surveil.catalogue.mast_options`) and ``height_m``. 0 for an empty
    catalogue.
    """
    from surveil.catalogue import mast_options

    heights = [h for means in catalogue.to_dict("records") for h in mast_options(means)]
    heights += list(catalogue["height_m"]) if "height_m" in catalogue else []
    finite = np.asarray(heights, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(finite.max()) if finite.size else 0.0


def threat_table(
    scenario: Scenario,
    border: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    targets: TargetPoints,
    detection: pd.DataFrame,
    tiles: tuple[terrain.DEM, ...],
    posture: risk.Posture,
    *,
    structure_ref: float | None = None,
) -> tuple[gpd.GeoDataFrame, risk.IncidentWeights, pd.DataFrame, float]:
    """Return snapped incidents, their weights, per segment the threat, and ``S_ref``.

    Columns ``incidents``, ``incidents_per_km_year`` (observed),
    ``incidents_corrected_per_km_year`` (each incident divided by the
    recording posture's detection at its place), ``structure`` (NaN without
    roads, settlements or terrain), ``threat_confidence`` and ``threat``
    (crossing persons per km per year, see :mod:`surveil.risk`).
    ``structure_ref`` is a baseline's calibration to keep; the parameter
    ``structure_per_km_year`` wins over both.
    """
    p = scenario.parameters
    snapped = risk.snap_incidents(scenario.incidents, border, snap_m=p.incident_snap_m)
    weights = risk.incident_weights(
        snapped,
        half_life_days=p.half_life_days,
        reference_date=pd.Timestamp(p.reference_date) if p.reference_date else None,
        period_years=p.incident_period_years,
    )
    recorded = risk.detection_at(posture, snapped)
    correction = 1.0 / np.maximum(np.nan_to_num(recorded, nan=1.0), p.detection_floor)
    snapped["p_detect_recorded"] = recorded
    observed = risk.incident_intensity(segments, snapped, weights, bandwidth_m=p.bandwidth_m)
    corrected = risk.incident_intensity(
        segments, snapped, weights, bandwidth_m=p.bandwidth_m, correction=correction
    )
    mid = shapely.get_coordinates(
        shapely.line_interpolate_point(segments.geometry.to_numpy(), 0.5, normalized=True)
    )
    structure = risk.structure_score(
        mid[:, 0],
        mid[:, 1],
        roads=scenario.roads,
        settlements=scenario.settlements,
        passability=detection["passability"].to_numpy() if tiles else None,
        road_scale_m=p.road_scale_m,
        settlement_scale_m=p.settlement_scale_m,
    )
    seen = coverage.segment_means(posture.p_detect, targets, targets.n_segments)
    confident = seen >= p.detection_floor
    intensity = corrected if p.threat_incidents == "corrected" else observed
    length = segments["length_m"].to_numpy(dtype=float)
    if p.structure_per_km_year is not None:
        structure_ref = p.structure_per_km_year
    elif structure_ref is None:
        structure_ref = risk.calibrate_structure(intensity, structure, length, confident)
    threat, _ = risk.threat_per_km_year(
        intensity,
        structure,
        confident,
        structure_per_km_year=structure_ref,
        weights={"incidents": p.weight_incidents, "structure": p.weight_structure},
    )
    parts = pd.DataFrame(
        {
            "incidents": risk.count_incidents(segments, snapped),
            "incidents_per_km_year": observed,
            "incidents_corrected_per_km_year": corrected,
            "structure": structure if structure is not None else np.nan,
            "threat_confidence": np.where(confident, "high", "low").astype(object),
            "threat": threat,
        },
        index=detection.index,
    )
    return snapped, weights, parts, float(structure_ref)


def load_terrain(
    dem: os.PathLike[str],
    scenario: Scenario,
    targets: TargetPoints,
    *,
    min_buffer_m: float = 0.0,
) -> tuple[terrain.DEM, ...]:
    """Read the DEM around the border, one local tile per 200 km of border.

    The tiles, their centres and cell lattices come from the border's target
    points alone (:func:`surveil.terrain.read_dem_tiles`); the buffer is the
    longest range of the sensors that can reach a target point (see
    :func:`reaching_sensors`) plus the crossing-path depth and 1 km. A sensor
    that cannot reach the border changes nothing, not even the window.
    ``min_buffer_m`` widens it (for a plan's candidate sites); cell values do
    not change with the window.

    Raises
    ------
    surveil.errors.InputError
        When a tile's window would exceed :data:`surveil.terrain.MAX_DEM_CELLS`,
        naming the sensor whose range asks for it.
    """
    p = scenario.parameters
    depth = p.path_depth_m
    sensors = scenario.sensors
    reach = reaching_sensors(targets, sensors, depth_m=depth)
    ranges = sensors["range_m"].to_numpy(dtype=float)
    longest = int(np.argmax(np.where(reach, ranges, -np.inf))) if reach.any() else None
    margin = depth + 1000.0
    buffer_m = margin + max(ranges[longest] if longest is not None else 0.0, min_buffer_m)
    path = str(dem)
    for box in terrain.border_tiles(targets.lon, targets.lat):
        center = ((box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0)
        with raster_input(dem):
            rows, cols = terrain.grid_shape(
                path, bounds=box, buffer_m=buffer_m, center_lonlat=center
            )
        if longest is not None and rows * cols > terrain.MAX_DEM_CELLS:
            source = scenario.sources.get("sensors", "sensors")
            raise InputError(
                f"{source}, layer sensors, row {longest + 1} (id {sensors['id'].iloc[longest]}): "
                f"range_m is {ranges[longest]:g}; over the DEM {path} it needs a window of "
                f"{rows:,} × {cols:,} cells around the border, more than the limit of "
                f"{terrain.MAX_DEM_CELLS:,} cells (surveil.terrain.MAX_DEM_CELLS); expected a "
                "range a sensor can have (at most a few tens of km)"
            )
    with raster_input(dem):
        return tuple(terrain.read_dem_tiles(path, targets.lon, targets.lat, buffer_m=buffer_m))


def reaching_sensors(
    targets: TargetPoints, sensors: gpd.GeoDataFrame, *, depth_m: float
) -> NDArray[np.bool_]:
    """Tell which sensors can reach a target point: nearest one within ``range_m + depth_m``.

    Parameters
    ----------
    targets
        Target points on the border.
    sensors
        Sensors with ``range_m``.
    depth_m
        How far a crossing path reaches from its target point, in metres.
    """
    from scipy.spatial import cKDTree

    from surveil import geodesy

    if len(sensors) == 0 or len(targets) == 0:
        return np.zeros(len(sensors), dtype=bool)
    tree = cKDTree(geodesy.ecef(targets.lon, targets.lat))
    s_xyz = geodesy.ecef(sensors.geometry.x.to_numpy(), sensors.geometry.y.to_numpy())
    nearest, _ = tree.query(s_xyz)
    # chord distances; 1 m covers the offsets' millimetre steps
    return np.asarray(nearest <= sensors["range_m"].to_numpy(dtype=float) + depth_m + 1.0)


def warn_sensors_off_terrain(
    sight: visibility.TerrainSight, dem: str, *, reaching: NDArray[np.bool_] | None = None
) -> None:
    """Warn about sensors that could reach the border but stand outside the DEM or on nodata.

    Parameters
    ----------
    sight
        Line of sight of the sensors; its ``ground_m`` is NaN off the DEM.
    dem
        The DEM file, for the message.
    reaching
        Which of ``sight.sensors`` can reach a target point (others are not
        named: they see nothing of the border anyway); default all.
    """
    sensors = sight.sensors
    off = np.isnan(sight.ground_m)
    if reaching is not None:
        off &= reaching
    if off.any():
        ids = ", ".join(map(str, sensors.loc[off, "id"].head(10)))
        more = f" and {int(off.sum()) - 10} more" if off.sum() > 10 else ""
        warnings.warn(
            f"{dem}: sensors {ids}{more} stand outside the DEM or on nodata; "
            "over terrain they see nothing (give a DEM that covers them)",
            InputWarning,
            stacklevel=3,
        )


def point_slope(tiles: tuple[terrain.DEM, ...], targets: TargetPoints) -> NDArray[np.float64]:
    """Return the terrain slope in degrees around each target point."""
    slope = np.full(len(targets), np.nan)
    tile = terrain.tile_of(tiles, targets.lon, targets.lat)
    for t in np.unique(tile):
        mine = tile == t
        slope[mine] = terrain.slope_deg(tiles[t], targets.lon[mine], targets.lat[mine])
    return slope


def summarise(
    segments: pd.DataFrame,
    gaps: pd.DataFrame,
    incidents: pd.DataFrame,
    sensors: pd.DataFrame,
    scenario: Scenario,
    totals: Mapping[str, Any],
) -> dict[str, Any]:
    """Return the key figures of an assessment.

    ``km_covered`` is the length of border whose target points reach
    ``P_detect ≥ target_pd`` (each point standing for its stretch, as in the
    segments' ``covered_frac``) and ``gap_km`` the length of the gaps, which
    are runs of the other points: with ``min_bridge_m = min_gap_m = 0`` the
    two add up to ``km_assessed``. ``high_risk_km`` is the length of segments
    classed high or critical; ``unknown_threat_km`` the length where threat
    is not observed (low threat confidence: unknown, not safe);
    ``risk_persons_per_year`` the expected uninterdicted (without posts:
    undetected) crossing persons per year on the whole border, × impact.
    """
    length_km = segments["length_m"].to_numpy(dtype=float) / 1000.0
    km = float(length_km.sum())
    covered = float((segments["covered_frac"].to_numpy() * length_km).sum())
    high = segments["risk_class"].isin(["high", "critical"]).to_numpy()
    unknown = (segments["threat_confidence"] == "low").to_numpy()

    def mean(column: str) -> float:
        values = segments[column].to_numpy(dtype=float)
        return float(np.average(values, weights=length_km)) if km > 0 else 0.0

    return {
        "sections": int(segments["section"].nunique()),
        "segments": len(segments),
        "km_assessed": km,
        "km_covered": covered,
        "covered_share": covered / km if km > 0 else 0.0,
        "mean_p_detect": mean("p_detect"),
        "mean_p_detect_realtime": mean("p_detect_realtime"),
        "mean_p_detect_delayed": mean("p_detect_delayed"),
        "mean_p_interdict": mean("p_interdict") if len(scenario.posts) else None,
        "gap_count": len(gaps),
        "gap_km": float(gaps["length_km"].sum()) if len(gaps) else 0.0,
        "high_risk_km": float(length_km[high].sum()),
        "unknown_threat_km": float(length_km[unknown].sum()),
        "risk_persons_per_year": float((segments["risk"].to_numpy(dtype=float) * length_km).sum()),
        "sensors_counted": len(sensors),
        "patrol_routes": len(scenario.patrols),
        "incidents": len(incidents),
        "incidents_snapped": int(incidents["km"].notna().sum()) if len(incidents) else 0,
        "capex_eur": float(totals.get("capex_eur", 0.0)),
        "opex_eur_per_year": float(totals.get("opex_eur_per_year", 0.0)),
        "staff_fte": float(totals.get("staff_fte", 0.0)),
        "needs_quick_estimate": True,  # sized on a straight, flat line (surveil.needs)
        "target_pd": scenario.parameters.target_pd,
    }
