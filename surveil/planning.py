"""Plan new means: options at candidate sites, their coverage, the placement and its curve.

:func:`plan` turns an assessment into a decision:

1. **Candidate sites** on the own side (:mod:`surveil.candidates`).
2. **Options**: every feasible site × catalogue sensor means (the site's
   allowed types) × mast option (:func:`surveil.catalogue.mast_options`) ×
   facing (sector means only; all-round means need none), and patrol routes
   along each baseline gap at several ``visits_per_day``.
3. **Coverage of every option** at every target point, with the same sensor
   model, crossing paths and line of sight as the assessment
   (:func:`surveil.coverage.sensor_hits`, :func:`surveil.sensors.pd_curves`,
   :func:`surveil.coverage.detect_points`), stored sparse.
4. **Placement** (:mod:`surveil.optimize`): the existing means fixed, risk
   weights ``w_i = threat · impact · km`` of each point (crossing persons a
   year), in budget mode or close-gaps mode; options are shared by all gaps.
5. **Budget curve**: one greedy pass by gain per euro of CAPEX, from nothing to
   the close-gaps cost: risk reduced, km lifted to target and gap km left
   against money, with MILP points where the instance is small enough.

The :class:`Plan` holds the chosen sites, the curve, the solver's report and
the scenario with the chosen means added as ``planned`` (and
``include_planned`` on), which :meth:`Plan.assess` re-assesses against the
baseline's recording posture.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray

from surveil import coverage, geodesy, terrain, visibility
from surveil import sensors as sensor_model
from surveil.assessment import Assessment, assess, load_terrain
from surveil.candidates import candidate_sites
from surveil.catalogue import mast_options, sensor_capex_eur
from surveil.errors import ScenarioError
from surveil.gaps import gap_runs
from surveil.optimize import Options, Placement, PlacementResult, greedy_order
from surveil.scenario import Scenario
from surveil.segments import TargetPoints, point_intervals, sample_targets, segment_border
from surveil.services import ServiceRules, means_services

Progress = Callable[[str], None]
FloatArray = NDArray[np.float64]

#: Patrol visits per day offered for a new route along a gap.
PATROL_VISITS = (1.0, 2.0, 4.0)
#: Budget shares of the close-gaps CAPEX where the curve gets an exact MILP point.
MILP_CURVE_SHARES = (0.25, 0.5, 0.75)


@dataclass(frozen=True)
class Plan:
    """A placement of new means and what it achieves.

    Attributes
    ----------
    baseline
        The assessment of today's posture.
    scenario
        The baseline scenario with the chosen means added as ``planned``
        (``include_planned`` on).
    sites
        Chosen options, in the order taken: ``order``, ``option``, ``kind``
        (sensor/patrol), ``type``, ``mast_m``, ``azimuth_deg``,
        ``visits_per_day``, ``capex_eur``, ``opex_eur_per_year``,
        ``staff_fte``, ``gain_persons_per_year`` (marginal risk-weighted
        detection), ``gaps_served``, with Point (sensor) or LineString
        (patrol) geometry.
    candidates
        Every candidate site with its feasibility and reason.
    curve
        The budget curve (see :func:`budget_curve`).
    result
        The solver's report.
    mode
        ``"budget"`` or ``"close-gaps"``.
    limits
        The budget limits asked for.
    unreachable
        Stretches no feasible option can lift to target, with the reason.
    seconds
        Time the placement took (options, coverage, solving, curve).
    """

    baseline: Assessment
    scenario: Scenario
    sites: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    curve: pd.DataFrame
    result: PlacementResult
    mode: str
    limits: Mapping[str, float | None]
    unreachable: pd.DataFrame
    seconds: float

    def assess(self, *, progress: Progress | None = None) -> Assessment:
        """Assess the planned scenario against the baseline's recording posture."""
        return assess(self.scenario, baseline=self.baseline, progress=progress)


@dataclass(frozen=True)
class OptionTable:
    """Placement options: what each is, and its coverage."""

    table: gpd.GeoDataFrame
    options: Options


def plan(
    scenario: Scenario,
    *,
    capex_eur: float | None = None,
    opex_eur_per_year: float | None = None,
    staff_fte: float | None = None,
    close_gaps: bool = False,
    solver: str = "auto",
    baseline: Assessment | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    exclusions: gpd.GeoDataFrame | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Place new means: what a budget buys, or the cheapest set that closes the gaps.

    Parameters
    ----------
    scenario
        Today's posture.
    capex_eur, opex_eur_per_year, staff_fte
        Budget limits (budget mode); at least one unless ``close_gaps``.
    close_gaps
        Find the cheapest set that lifts every reachable point to
        ``target_pd`` instead.
    solver
        ``"greedy"``, ``"milp"`` or ``"auto"`` (MILP where small enough).
    baseline
        The assessment of ``scenario``, if already made.
    candidates, exclusions
        A user layer of candidate points (``allowed_types``,
        ``mast_heights_m``) and polygons where nothing may stand.
    progress
        Called with the name of each step.

    Examples
    --------
    >>> from surveil.datasets import load_demo
    >>> result = plan(load_demo("synthetic"), capex_eur=300_000)
    >>> result.result.capex_eur <= 300_000
    True
    """
    step = progress or (lambda _name: None)
    if not close_gaps and capex_eur is None and opex_eur_per_year is None and staff_fte is None:
        raise ScenarioError(
            "give a budget (capex_eur, opex_eur_per_year or staff_fte) or close_gaps"
        )
    started = time.perf_counter()
    base = baseline if baseline is not None else assess(scenario, progress=step)
    p = scenario.parameters
    targets, segments = planning_targets(base)
    step("candidate sites")
    tiles = _planning_tiles(scenario, targets)
    sites = candidate_sites(
        base.border if base.border is not None else scenario.border,
        offsets_m=p.candidate_offsets_m,
        spacing_m=p.candidate_spacing_m,
        tiles=tiles,
        user=candidates,
        exclusions=exclusions,
        roads=scenario.roads,
        setback_m=p.candidate_setback_m,
        max_road_m=p.candidate_max_road_m,
    )
    step("coverage of every option")
    built = build_options(base, targets, segments, sites, tiles)
    problem = Placement.from_options(built.options, lifecycle_years=p.lifecycle_years)
    step("placement")
    if close_gaps:
        result = problem.solve_close_gaps(target_pd=p.target_pd, method=solver)
    else:
        result = problem.solve_budget(
            capex_eur=capex_eur,
            opex_eur_per_year=opex_eur_per_year,
            staff_fte=staff_fte,
            method=solver,
        )
    step("budget curve")
    curve = budget_curve(
        problem, targets, segments, target_pd=p.target_pd, min_bridge_m=p.min_bridge_m
    )
    chosen = chosen_sites(built, result, targets, base)
    planned = planned_scenario(scenario, chosen)
    unreachable = unreachable_stretches(problem, built, targets, segments, parameters=p)
    return Plan(
        baseline=base,
        scenario=planned,
        sites=chosen,
        candidates=sites,
        curve=curve,
        result=result,
        mode="close-gaps" if close_gaps else "budget",
        limits={
            "capex_eur": capex_eur,
            "opex_eur_per_year": opex_eur_per_year,
            "staff_fte": staff_fte,
        },
        unreachable=unreachable,
        seconds=time.perf_counter() - started,
    )


def planning_targets(base: Assessment) -> tuple[TargetPoints, gpd.GeoDataFrame]:
    """Return the baseline's target points and segments (cut again, identically)."""
    p = base.scenario.parameters
    border = base.border if base.border is not None else base.scenario.border
    cut = segment_border(border, segment_m=p.segment_m)
    targets = sample_targets(cut, sample_m=p.sample_m)
    if base.posture is None or not base.posture.matches(targets.lon, targets.lat):
        raise ScenarioError("the baseline's target points cannot be rebuilt; assess it again")
    return targets, base.segments


def _planning_tiles(scenario: Scenario, targets: TargetPoints) -> tuple[terrain.DEM, ...]:
    """Read the DEM around the border wide enough for every catalogue sensor at any site."""
    if scenario.dem is None:
        return ()
    p = scenario.parameters
    sensors = scenario.catalogue[scenario.catalogue["kind"] == "sensor"]
    reach = float(sensors["range_m"].max()) if len(sensors) else 0.0
    reach += max(p.candidate_offsets_m, default=0.0)
    return load_terrain(scenario.dem, scenario, targets, min_buffer_m=reach)


def point_weights(base: Assessment, targets: TargetPoints) -> FloatArray:
    """Return each target-point entry's risk weight: threat · impact · km (persons a year)."""
    seg = base.segments
    threat = seg["threat"].to_numpy(dtype=float)[targets.segment]
    impact = seg["impact"].to_numpy(dtype=float)[targets.segment]
    return np.nan_to_num(threat * impact) * targets.weight_m / 1000.0


def sensor_options(sites: gpd.GeoDataFrame, catalogue: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return one row per feasible site × sensor means × mast × facing.

    Columns of a sensors layer (``id``, ``type``, ``range_m``, ``pd``,
    ``availability``, ``height_m``, ``azimuth_deg``, ``fov_deg``,
    ``status``) plus ``site_id``, ``capex_eur``, ``opex_eur_per_year`` and
    ``staff_fte``; mast metres above the means' own height cost
    ``mast_capex_eur_per_m`` each.
    """
    means = catalogue[catalogue["kind"] == "sensor"].to_dict("records")
    rows: list[dict[str, Any]] = []
    for site in sites[sites["feasible"]].itertuples(index=False):
        allowed = {t for t in str(site.allowed_types).split(";") if t.strip()}
        site_masts = [float(h) for h in str(site.mast_heights_m).split(";") if h.strip()]
        facings = [float(a) for a in str(site.azimuths_deg).split(";") if a.strip()]
        for m in means:
            if allowed and m["type"] not in allowed:
                continue
            masts = site_masts or mast_options(m)
            sector = float(m["fov_deg"]) < 360.0
            for mast in masts:
                for azimuth in facings if sector else [math.nan]:
                    rows.append(
                        {
                            "id": f"opt-{len(rows) + 1}",
                            "type": m["type"],
                            "range_m": float(m["range_m"]),
                            "pd": float(m["pd"]),
                            "availability": float(m["availability"]),
                            "height_m": float(mast),
                            "azimuth_deg": azimuth,
                            "fov_deg": float(m["fov_deg"]),
                            "status": "operational",
                            "agency": "",
                            "site_id": int(site.site_id),
                            "capex_eur": sensor_capex_eur(m, mast),
                            "opex_eur_per_year": float(m["opex_eur_per_year"]),
                            "staff_fte": float(m["staff_fte"]),
                            "geometry": site.geometry,
                        }
                    )
    columns = [
        "id",
        "type",
        "range_m",
        "pd",
        "availability",
        "height_m",
        "azimuth_deg",
        "fov_deg",
        "status",
        "agency",
        "site_id",
        "capex_eur",
        "opex_eur_per_year",
        "staff_fte",
        "geometry",
    ]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry", crs=4326)


def sensor_coverage(
    options: gpd.GeoDataFrame,
    targets: TargetPoints,
    tiles: tuple[terrain.DEM, ...],
    parameters: Any,
    *,
    sight: bool = True,
    shared_sight: bool = True,
    catalogue: pd.DataFrame | None = None,
    night_share: float = 0.0,
) -> sp.csc_array:
    """Return ``p[i, j]``: the detection each sensor option adds at each target point.

    The assessment's own sensor model (crossing paths, range, field of view
    and, with terrain, line of sight and slant range; pd by range and light,
    :mod:`surveil.sensors`, the model columns from the option's catalogue
    type): a pair that detects gets ``(1 − w) · p_day(r) + w · p_night(r)``
    with w = ``night_share``. ``sight=False`` leaves line of sight out (to
    tell hidden from out of range). Line of sight is traced once per
    mast at a site and ground point (:class:`SiteSight`), since the options
    there differ only in means, range and facing; ``shared_sight=False``
    traces it per option (the same result, slower).
    """
    n = len(targets)
    if len(options) == 0:
        return sp.csc_array((n, 0))
    target = getattr(parameters, "target_class", "person")
    options = sensor_model.for_target(
        sensor_model.with_model_columns(options, catalogue), target
    )
    terrain_sight: coverage.Sight | None = None
    if tiles and sight:
        make: Any = SiteSight if shared_sight else visibility.sensor_sight
        terrain_sight = make(
            tiles,
            options,
            target_height_m=parameters.target_height_m,
            refraction=parameters.refraction,
        )
    step = min(t.cell_m for t in tiles) if tiles else 30.0  # as the assessment samples paths
    point, sensor, slant = coverage.sensor_hits(
        targets,
        options,
        path_depth_m=parameters.path_depth_m,
        sight=terrain_sight,
        sight_step_m=step,
    )
    curves = sensor_model.pd_curves(
        options,
        target=target,
        task=getattr(parameters, "sensor_task", "detect"),
        period=(getattr(parameters, "period_start", ""), getattr(parameters, "period_end", "")),
    )
    value = (1.0 - night_share) * curves.probability(sensor, slant, "day")
    value = value + night_share * curves.probability(sensor, slant, "night")
    return sp.csc_array((value, (point, sensor)), shape=(n, len(options)))


def _first_of_each(key: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return each entry's group (by equal `key`) and the first entry of each group."""
    group, uniques = pd.factorize(key)
    first = np.full(len(uniques), key.size, dtype=np.int64)
    np.minimum.at(first, group, np.arange(key.size, dtype=np.int64))
    return group.astype(np.int64), first


class SiteSight:
    """Line of sight of sensor options traced once per (site, mast) and ground point.

    Options at one site on one mast differ only in means (range, detection)
    and facing: whether the terrain hides a ground point from the eye is
    the same for all of them. :meth:`visible` traces each distinct
    (site, mast, point) once and applies each option's own slant range, so
    it answers exactly as a :class:`surveil.visibility.TerrainSight` of the
    options would.

    Parameters
    ----------
    tiles
        DEM tiles.
    options
        Sensor options (:func:`sensor_options`): ``site_id``, ``height_m``
        (mast), ``range_m`` and Point geometry.
    target_height_m, refraction
        As for :func:`surveil.visibility.line_of_sight`.
    """

    def __init__(
        self,
        tiles: tuple[terrain.DEM, ...],
        options: gpd.GeoDataFrame,
        *,
        target_height_m: float,
        refraction: float,
    ) -> None:
        keys = pd.MultiIndex.from_arrays(
            [options["site_id"].to_numpy(), options["height_m"].to_numpy(dtype=float)]
        )
        self.viewpoint, _ = pd.factorize(keys)
        self.n_eyes = int(self.viewpoint.max()) + 1 if self.viewpoint.size else 0
        first = np.unique(self.viewpoint, return_index=True)[1]
        self.eyes = visibility.sensor_sight(
            tiles,
            options.iloc[first].reset_index(drop=True),
            target_height_m=target_height_m,
            refraction=refraction,
        )
        self.lon = options.geometry.x.to_numpy()
        self.lat = options.geometry.y.to_numpy()
        self.range_m = options["range_m"].to_numpy(dtype=float)

    def visible(
        self, sensor: NDArray[np.int64], lon: FloatArray, lat: FloatArray
    ) -> NDArray[np.bool_]:
        """Tell whether each option sees the target at (lon, lat) within its slant range."""
        return np.isfinite(self.slant_m(sensor, lon, lat))

    def slant_m(self, sensor: NDArray[np.int64], lon: FloatArray, lat: FloatArray) -> FloatArray:
        """Return the slant range from each option's eye to its target, ``inf`` where not seen.

        Not seen: hidden by terrain or beyond the option's ``range_m`` in slant range.
        """
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        # distinct (eye, point) pairs by hashing, not sorting: exact positions
        place, _ = pd.factorize(lon + 1j * lat)
        inverse, first = _first_of_each(place * self.n_eyes + self.viewpoint[sensor])
        seen, eye_above = self.eyes.sight(self.viewpoint[sensor[first]], lon[first], lat[first])
        chord = geodesy.ecef(lon, lat) - geodesy.ecef(self.lon[sensor], self.lat[sensor])
        local = geodesy.enu(self.lon[sensor], self.lat[sensor], chord)
        horizontal = np.hypot(local[:, 0], local[:, 1])
        slant = visibility.slant_range_m(horizontal, eye_above[inverse])
        return np.where(seen[inverse] & (slant <= self.range_m[sensor]), slant, np.inf)

    def mast_m(self, sensor: NDArray[np.int64], lon: FloatArray, lat: FloatArray) -> FloatArray:
        """Return the extra mast height each option needs to see its target (0 if seen)."""
        return self.eyes.mast_m(self.viewpoint[sensor], lon, lat)


def patrol_options(
    base: Assessment, catalogue: pd.DataFrame, *, visits: tuple[float, ...] = PATROL_VISITS
) -> gpd.GeoDataFrame:
    """Return new patrol routes along each baseline gap, per patrol means and visits a day.

    A route follows the gap's line ``sweep_m / 2`` inside the border (the own
    side). Its units and staff are the services rule
    (:func:`surveil.services.means_services`): a route of L km passed v times
    a day at the mode's speed s with shifts of h hours needs ``L · v / (s h)``
    team shifts a day (the units, costed per unit) and ``units · team /
    staff_availability`` staff.
    """
    means = catalogue[(catalogue["kind"] == "patrol") & catalogue["km_per_day"].notna()]
    means = means[means["type"].str.endswith("_patrol")]
    rules = ServiceRules.from_parameters(base.scenario.parameters)
    rows: list[dict[str, Any]] = []
    for gap in base.gaps.itertuples(index=False):
        for m in means.to_dict("records"):
            route = _inside(gap.geometry, float(m["sweep_m"]) / 2.0)
            if route is None:
                continue
            km = geodesy.length_m(route) / 1000.0
            for v in visits:
                units, staff = means_services(km, v, m, rules)
                rows.append(
                    {
                        "id": f"plan-{m['type']}-gap{gap.gap_id}-{v:g}",
                        "visits_per_day": v,
                        "sweep_m": float(m["sweep_m"]),
                        "pd": float(m["pd"]),
                        "mode": str(m["type"]).removesuffix("_patrol"),
                        "window": "all",
                        "agency": "",
                        "type": m["type"],
                        "gap_id": int(gap.gap_id),
                        "units": units,
                        "capex_eur": units * float(m["capex_eur"]),
                        "opex_eur_per_year": units * float(m["opex_eur_per_year"]),
                        "staff_fte": staff,
                        "geometry": route,
                    }
                )
    columns = [
        "id",
        "visits_per_day",
        "sweep_m",
        "pd",
        "mode",
        "window",
        "agency",
        "type",
        "gap_id",
        "units",
        "capex_eur",
        "opex_eur_per_year",
        "staff_fte",
        "geometry",
    ]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry", crs=4326)


def _inside(line: Any, offset_m: float) -> shapely.LineString | None:
    """Return a line moved ``offset_m`` to its right (the own side), or None if too short."""
    parts = [p for p in shapely.get_parts(line) if p.length > 0]
    if not parts:
        return None
    xy = np.concatenate([shapely.get_coordinates(p) for p in parts])
    if len(xy) < 2:
        return None
    lon, lat = geodesy.densify(xy[:, 0], xy[:, 1], 200.0)
    az = np.empty(lon.size)
    forward, _, _ = geodesy.GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    az[:-1] = forward
    az[-1] = forward[-1]
    moved_lon, moved_lat = geodesy.step(lon, lat, np.asarray(az) + 90.0, offset_m)
    return shapely.LineString(np.column_stack([moved_lon, moved_lat]))


def patrol_coverage(
    routes: gpd.GeoDataFrame,
    targets: TargetPoints,
    parameters: Any,
    *,
    no_sensors: gpd.GeoDataFrame,
) -> sp.csc_array:
    """Return the detection each patrol option adds at each target point (same patrol model).

    ``no_sensors`` is an empty sensors layer (the route alone is assessed).
    Each route is assessed at the target points near it only (those whose
    crossing path can reach its sweep band); the others get nothing from it.
    """
    n = len(targets)
    columns = []
    empty = no_sensors.iloc[:0]
    for k in range(len(routes)):
        route = routes.iloc[[k]]
        reach_m = float(route["sweep_m"].iloc[0]) + parameters.path_depth_m
        near = near_points(targets, route.geometry.iloc[0], reach_m)
        found = coverage.detect_points(
            subset_targets(targets, near),
            empty,
            route,
            path_depth_m=parameters.path_depth_m,
            trace_persistence_h=parameters.trace_persistence_h,
            patrol_pd=parameters.patrol_pd,
            crosser_speed_kmh=parameters.crosser_speed_kmh,
            engine="numpy",
        )
        hit = found.p_patrol > 0
        columns.append(
            sp.csc_array(
                (found.p_patrol[hit], (near[hit], np.zeros(int(hit.sum()), dtype=np.int64))),
                shape=(n, 1),
            )
        )
    return sp.hstack(columns, format="csc") if columns else sp.csc_array((n, 0))


def near_points(targets: TargetPoints, geometry: Any, reach_m: float) -> NDArray[np.int64]:
    """Return the target entries within the bounding box of `geometry` widened by `reach_m`.

    The box is widened by ``1.01 · reach_m`` in degrees of latitude and of
    longitude at the box's highest latitude, so every point within `reach_m`
    of the geometry is inside it. All points when the box spans more than
    180° of longitude (a geometry across the antimeridian).
    """
    west, south, east, north = shapely.bounds(geometry)
    if not east - west < 180.0:
        return np.arange(len(targets), dtype=np.int64)
    dlat = 1.01 * reach_m / 110_574.0  # metres per degree of latitude at the equator (least)
    top = min(max(abs(south), abs(north)) + dlat, 89.9)
    dlon = dlat * 110_574.0 / (111_320.0 * math.cos(math.radians(top)))
    inside = (
        (targets.lat >= south - dlat)
        & (targets.lat <= north + dlat)
        & (targets.lon >= west - dlon)
        & (targets.lon <= east + dlon)
    )
    return np.flatnonzero(inside)


def subset_targets(targets: TargetPoints, rows: NDArray[np.int64]) -> TargetPoints:
    """Return the target entries at `rows` (their segments and ids kept)."""
    return dataclasses.replace(
        targets,
        **{f.name: getattr(targets, f.name)[rows] for f in dataclasses.fields(targets)},
    )


def build_options(
    base: Assessment,
    targets: TargetPoints,
    segments: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    tiles: tuple[terrain.DEM, ...],
) -> OptionTable:
    """Return every option (sensor, then patrol) with its coverage and cost."""
    scenario = base.scenario
    p = scenario.parameters
    sensors = sensor_options(sites, scenario.catalogue)
    routes = patrol_options(base, scenario.catalogue)
    p_sensor = sensor_coverage(
        sensors,
        targets,
        tiles,
        p,
        catalogue=scenario.catalogue,
        night_share=float(base.summary.get("night_share", 0.0)),
    )
    p_patrol = patrol_coverage(routes, targets, p, no_sensors=scenario.sensors)
    table = pd.concat(
        [sensors.assign(kind="sensor"), routes.assign(kind="patrol")], ignore_index=True
    )
    table = gpd.GeoDataFrame(table, geometry="geometry", crs=4326)
    n_sites = int(sites["site_id"].max()) + 1 if len(sites) else 0
    site = np.concatenate(
        [
            sensors["site_id"].to_numpy(dtype=np.int64),
            n_sites + routes["gap_id"].to_numpy(dtype=np.int64),  # one new route per gap
        ]
    )
    options = Options(
        p=sp.csc_array(sp.hstack([p_sensor, p_patrol], format="csc")),
        existing=base.posture.p_detect if base.posture is not None else np.zeros(len(targets)),
        weight=point_weights(base, targets),
        capex_eur=table["capex_eur"].to_numpy(dtype=float),
        opex_eur_per_year=table["opex_eur_per_year"].to_numpy(dtype=float),
        staff_fte=table["staff_fte"].to_numpy(dtype=float),
        site=site,
    )
    return OptionTable(table=table, options=options)


def budget_curve(
    problem: Placement,
    targets: TargetPoints,
    segments: gpd.GeoDataFrame,
    *,
    target_pd: float,
    min_bridge_m: float = 0.0,
    until_capex_eur: float = math.inf,
    milp_shares: tuple[float, ...] = MILP_CURVE_SHARES,
) -> pd.DataFrame:
    """Return risk reduced, km lifted to target and gap km left against CAPEX.

    One greedy pass by gain per euro of CAPEX gives the order; each row is
    the state after one more option, up to ``until_capex_eur`` (the cost of
    closing the gaps) or where nothing more is gained. Where the instance is
    small enough, exact MILP points at shares of the curve's last CAPEX are
    added with ``method = "milp"``.
    """
    o = problem.options
    order = greedy_order(o, o.capex_eur)
    intervals = point_intervals(targets, segments)
    base_p = o.existing
    rows_all = [
        _curve_row(0, -1, 0.0, 0.0, o, base_p, base_p, intervals, target_pd, min_bridge_m, "greedy")
    ]
    p = sp.csc_array(o.p)
    miss = 1.0 - base_p
    capex = opex = 0.0
    for k, j in enumerate(order, start=1):
        if capex >= until_capex_eur:
            break
        hit = p.indices[p.indptr[j] : p.indptr[j + 1]]
        miss[hit] *= 1.0 - p.data[p.indptr[j] : p.indptr[j + 1]]
        capex += float(o.capex_eur[j])
        opex += float(o.opex_eur_per_year[j])
        rows_out = _curve_row(
            k,
            int(j),
            capex,
            opex,
            o,
            base_p,
            1.0 - miss,
            intervals,
            target_pd,
            min_bridge_m,
            "greedy",
        )
        rows_all.append(rows_out)
    if problem.use_milp("auto") and capex > 0:
        for share in milp_shares:
            r = problem.solve_budget(capex_eur=share * capex, method="milp")
            p_now = o.detection(r.chosen)
            rows_all.append(
                _curve_row(
                    len(r.chosen),
                    -1,
                    r.capex_eur,
                    r.opex_eur_per_year,
                    o,
                    base_p,
                    p_now,
                    intervals,
                    target_pd,
                    min_bridge_m,
                    "milp",
                )
            )
    return pd.DataFrame(rows_all)


def _curve_row(
    step: int,
    option: int,
    capex: float,
    opex: float,
    options: Options,
    base_p: FloatArray,
    p_now: FloatArray,
    intervals: pd.DataFrame,
    target_pd: float,
    min_bridge_m: float,
    method: str,
) -> dict[str, Any]:
    weight_m = (intervals["to_m"] - intervals["from_m"]).to_numpy(dtype=float)
    below = p_now < target_pd - 1e-12
    lifted = (~below) & (base_p < target_pd - 1e-12)
    return {
        "step": step,
        "option": option,
        "method": method,
        "capex_eur": capex,
        "opex_eur_per_year": opex,
        "risk_reduced_persons_per_year": float(options.weight @ (p_now - base_p)),
        "km_lifted_to_target": float(weight_m[lifted].sum()) / 1000.0,
        "gap_km_remaining": gap_km(intervals, below, min_bridge_m=min_bridge_m),
    }


def gap_km(intervals: pd.DataFrame, below: NDArray[np.bool_], *, min_bridge_m: float) -> float:
    """Return the length of the gaps of target points ``below`` target (bridged), km."""
    total = 0.0
    frame = intervals.assign(below=below)
    for _, part in frame.groupby(["section", "part"], sort=False):
        part = part.sort_values("from_m")
        runs = gap_runs(
            part["below"].to_numpy(),
            part["from_m"].to_numpy(dtype=float),
            part["to_m"].to_numpy(dtype=float),
            min_bridge_m=min_bridge_m,
        )
        starts = part["from_m"].to_numpy(dtype=float)
        ends = part["to_m"].to_numpy(dtype=float)
        total += sum(float(ends[last] - starts[first]) for first, last in runs)
    return total / 1000.0


def chosen_sites(
    built: OptionTable, result: PlacementResult, targets: TargetPoints, base: Assessment
) -> gpd.GeoDataFrame:
    """Return the chosen options with their order, marginal gain and the gaps they serve."""
    o = built.options
    rows = []
    taken: list[int] = []
    for order, j in enumerate(result.chosen.tolist(), start=1):
        before = o.value(taken)
        taken.append(int(j))
        gain = o.value(taken) - before
        rows.append((order, int(j), gain, _gaps_served(o, int(j), targets, base)))
    table = built.table.iloc[[j for _, j, _, _ in rows]].copy().reset_index(drop=True)
    table.insert(0, "order", [r[0] for r in rows])
    table.insert(1, "option", [r[1] for r in rows])
    table["gain_persons_per_year"] = [r[2] for r in rows]
    table["gaps_served"] = [r[3] for r in rows]
    table = table.rename(columns={"height_m": "mast_m"})
    chosen = gpd.GeoDataFrame(table, geometry="geometry", crs=4326)
    chosen.attrs["options"] = o.n_options
    return chosen


def _gaps_served(options: Options, j: int, targets: TargetPoints, base: Assessment) -> str:
    """Return the ids of the baseline gaps where option j adds detection, as ``"1;4"``."""
    p = sp.csc_array(options.p)
    rows = p.indices[p.indptr[j] : p.indptr[j + 1]]
    if rows.size == 0 or len(base.gaps) == 0:
        return ""
    seg = base.segments
    sections = seg["section"].to_numpy()[targets.segment[rows]]
    parts = seg["part"].to_numpy()[targets.segment[rows]]
    chain = targets.from_m[rows] + targets.weight_m[rows] / 2.0
    served = []
    for gap in base.gaps.itertuples(index=False):
        inside = (
            (sections == gap.section)
            & (parts == gap.part)
            & (chain >= gap.km_from * 1000.0)
            & (chain <= gap.km_to * 1000.0)
        )
        if inside.any():
            served.append(str(int(gap.gap_id)))
    return ";".join(served)


def planned_scenario(scenario: Scenario, sites: gpd.GeoDataFrame) -> Scenario:
    """Return the scenario with the chosen sensors and patrol routes added.

    The chosen sensors get status ``recommended``: they count in the plan's
    assessment, as the placement counted them. The scenario's own ``planned``
    sensors keep counting only if it includes them (``include_planned``), as
    in the baseline the placement started from, so a plan is credited with
    nothing it did not place.
    """
    out = scenario
    sensors = sites[sites["kind"] == "sensor"]
    if len(sensors):
        new = gpd.GeoDataFrame(
            {
                "id": [f"plan-{i + 1}" for i in range(len(sensors))],
                "type": sensors["type"].to_numpy(),
                "range_m": sensors["range_m"].to_numpy(dtype=float),
                "pd": sensors["pd"].to_numpy(dtype=float),
                "availability": sensors["availability"].to_numpy(dtype=float),
                "height_m": sensors["mast_m"].to_numpy(dtype=float),
                "azimuth_deg": sensors["azimuth_deg"].to_numpy(dtype=float),
                "fov_deg": sensors["fov_deg"].to_numpy(dtype=float),
            },
            geometry=sensors.geometry.to_numpy(),
            crs=4326,
        )
        out = out.add_sensors(new, status="recommended")
    routes = sites[sites["kind"] == "patrol"]
    if len(routes):
        from surveil.layers import read_layer

        keep = ["id", "visits_per_day", "sweep_m", "pd", "mode", "window", "agency", "geometry"]
        new_routes = read_layer(gpd.GeoDataFrame(routes[keep], crs=4326), "patrols")
        joined = pd.concat([out.patrols, new_routes], ignore_index=True)
        out = dataclasses.replace(out, patrols=gpd.GeoDataFrame(joined, crs="EPSG:4326"))
    return out


def unreachable_stretches(
    problem: Placement,
    built: OptionTable,
    targets: TargetPoints,
    segments: gpd.GeoDataFrame,
    *,
    parameters: Any,
) -> pd.DataFrame:
    """Return the stretches no feasible option can lift to target, with the reason.

    ``no feasible site within range`` where no option reaches a point at all;
    ``no line of sight from any feasible site`` where options are in range
    and field of view but terrain hides the point; ``options too weak``
    where all of them together stay below target.
    """
    points = problem.unreachable(parameters.target_pd)
    columns = ["section", "part", "km_from", "km_to", "length_km", "reason"]
    if points.size == 0:
        return pd.DataFrame(columns=columns)
    p = sp.csr_array(problem.options.p)
    reached = np.diff(p.indptr)[points] > 0
    scenario_p = built.table
    sensors = scenario_p[scenario_p["kind"] == "sensor"]
    in_range = np.zeros(points.size, dtype=bool)
    if len(sensors):
        open_ground = sensor_coverage(
            gpd.GeoDataFrame(sensors, geometry="geometry", crs=4326),
            targets,
            (),
            parameters,
            sight=False,
        )
        in_range = np.diff(sp.csr_array(open_ground).indptr)[points] > 0
    reason = np.where(
        reached,
        "options too weak to reach target_pd",
        np.where(
            in_range, "no line of sight from any feasible site", "no feasible site within range"
        ),
    )
    intervals = point_intervals(targets, segments).iloc[points].assign(reason=reason)
    rows = []
    for (section, part, why), group in intervals.groupby(["section", "part", "reason"], sort=False):
        group = group.sort_values("from_m")
        start, end = float(group["from_m"].iloc[0]), float(group["to_m"].iloc[0])
        for a, b in zip(group["from_m"].iloc[1:], group["to_m"].iloc[1:], strict=True):
            if a > end + 1e-6:
                rows.append(
                    (section, int(part), start / 1000, end / 1000, (end - start) / 1000, why)
                )
                start = float(a)
            end = max(end, float(b))
        rows.append((section, int(part), start / 1000, end / 1000, (end - start) / 1000, why))
    return pd.DataFrame(rows, columns=columns).sort_values(["section", "part", "km_from"])
