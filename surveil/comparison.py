"""Compare a plan with its baseline: what changes per segment, per gap and per key figure.

A plan is assessed against the baseline's recording posture
(``assess(plan, baseline=base)``), so threat is held at the baseline and a plan
gets credit once, through vulnerability. :func:`compare` checks that, then
gives

* per segment: detection, interdiction, risk and class before and after;
* per gap of either posture: ``closed`` (no plan gap overlaps it),
  ``shrunk`` (the plan's gaps cover less of it), ``split`` (two or more plan
  gaps within it), ``unchanged``, or ``new`` (a plan gap over no baseline gap);
* per key figure: before, after and the change;
* the plan's own cost — the means it adds or takes away, priced from the
  catalogue: new and removed sensors by type, patrol visits by the patrol-km
  a unit covers a day — apart from the cost of closing the gaps that remain
  (the plan's needs), with cost per newly covered km and per uninterdicted
  person a year removed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from surveil import geodesy
from surveil.assessment import Assessment, assess
from surveil.catalogue import sensor_capex_eur
from surveil.errors import ScenarioError
from surveil.scenario import Scenario

if TYPE_CHECKING:
    import folium

    from surveil.planning import Plan

SEGMENT_DELTA_COLUMNS = (
    "p_detect",
    "p_detect_realtime",
    "p_interdict",
    "covered_frac",
    "threat",
    "vulnerability",
    "risk",
)


@dataclass(frozen=True)
class Comparison:
    """A plan against its baseline.

    Attributes
    ----------
    segments
        One row per segment: ``<column>_base``, ``<column>_plan`` and
        ``<column>_change`` for detection, interdiction, covered share,
        threat, vulnerability and risk; ``risk_class_base``,
        ``risk_class_plan``, ``changed`` (any of them moved).
    gaps
        One row per gap of either posture: ``posture`` (base/plan),
        ``gap_id``, ``section``, ``part``, ``km_from``, ``km_to``,
        ``length_km``, ``outcome`` and ``plan_km_inside`` (plan gap km over a
        baseline gap).
    kpis
        Key figure -> ``{"base", "plan", "change"}``.
    cost
        The plan's own cost (``capex_eur``, ``opex_eur_per_year``,
        ``staff_fte``, the means added and removed), the cost of the gaps
        that remain, and cost per newly covered km and per uninterdicted
        person a year removed.
    base, plan
        The two assessments.
    new_means
        What the plan adds, in the order taken: sensors (Point: ``type``,
        ``mast_m``, ``azimuth_deg``) and patrol routes run more often
        (LineString: ``type``, ``visits_per_day`` added), each with
        ``order``, ``capex_eur``, ``opex_eur_per_year``, ``staff_fte``;
        a placement's sites (:attr:`surveil.planning.Plan.sites`, with
        ``gaps_served`` and ``gain_persons_per_year``) when the plan came
        from one.
    """

    segments: gpd.GeoDataFrame
    gaps: pd.DataFrame
    kpis: Mapping[str, Mapping[str, Any]]
    cost: Mapping[str, Any]
    base: Assessment
    plan: Assessment
    new_means: gpd.GeoDataFrame

    def map(self, *, lang: str = "en", title: str | None = None) -> folium.Map:
        """Draw both postures on one map (see :func:`surveil.comparison_map.comparison_map`)."""
        from surveil.comparison_map import comparison_map

        return comparison_map(self, lang=lang, title=title, hillshade=self.base.hillshade())


def compare(
    base: Assessment,
    plan: Assessment | Scenario | Plan,
    *,
    sites: gpd.GeoDataFrame | None = None,
) -> Comparison:
    """Compare a plan with its baseline, threat held at the baseline.

    Parameters
    ----------
    base
        The assessment of today's posture.
    plan
        The plan's scenario (assessed here against ``base``), its
        assessment made with ``assess(plan, baseline=base)``, or a
        :class:`surveil.planning.Plan` (its scenario and sites).
    sites
        The placement's chosen sites (``sites`` of a plan folder's
        ``plan.gpkg``), to mark the new means with their order and what
        they serve; by default those of a ``Plan``, else the sensors and
        patrol visits the plan adds to the baseline.

    Raises
    ------
    surveil.errors.ScenarioError
        When the plan's assessment did not take the baseline's recording
        posture, or the two were cut into other segments.

    Examples
    --------
    >>> from surveil.datasets import load_demo
    >>> from surveil.assessment import assess
    >>> demo = load_demo("synthetic")
    >>> base = assess(demo)
    >>> result = compare(base, demo.scale_patrols(2.0))
    >>> bool((result.segments["threat_change"] == 0).all())
    True
    """
    if not isinstance(plan, Assessment | Scenario):  # a Plan from surveil.planning
        sites = plan.sites if sites is None else sites
        plan = plan.scenario
    if isinstance(plan, Scenario):
        plan = assess(plan, baseline=base)
    if plan.posture is not base.posture:
        raise ScenarioError(
            "the plan was not assessed against this baseline; assess it with "
            "assess(plan, baseline=base) so that threat is held at the baseline"
        )
    segments = segment_changes(base.segments, plan.segments)
    return Comparison(
        segments=segments,
        gaps=gap_changes(base.gaps, plan.gaps),
        kpis=kpi_changes(base.summary, plan.summary),
        cost=plan_cost(base, plan),
        base=base,
        plan=plan,
        new_means=sites if sites is not None else added_means(base.scenario, plan.scenario),
    )


def segment_changes(base: gpd.GeoDataFrame, plan: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return per segment the base and plan values and their change."""
    keys = ["section", "part", "km_from", "km_to"]
    if len(base) != len(plan) or not base[keys].equals(plan[keys]):
        raise ScenarioError("the plan is cut into other segments than the baseline")
    out = base[["section", "part", "segment_id", "km_from", "km_to", "length_m"]].copy()
    changed = np.zeros(len(base), dtype=bool)
    for column in SEGMENT_DELTA_COLUMNS:
        a = base[column].to_numpy(dtype=float)
        b = plan[column].to_numpy(dtype=float)
        out[f"{column}_base"] = a
        out[f"{column}_plan"] = b
        out[f"{column}_change"] = b - a
        changed |= ~np.isclose(a, b, rtol=0, atol=1e-9, equal_nan=True)
    out["risk_class_base"] = base["risk_class"].to_numpy()
    out["risk_class_plan"] = plan["risk_class"].to_numpy()
    out["changed"] = changed | (out["risk_class_base"] != out["risk_class_plan"]).to_numpy()
    return gpd.GeoDataFrame(out, geometry=base.geometry.to_numpy(), crs=base.crs)


def _overlap_km(a_from: float, a_to: float, b_from: float, b_to: float) -> float:
    return max(0.0, min(a_to, b_to) - max(a_from, b_from))


def gap_changes(base: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """Return what became of each baseline gap, and the plan's new gaps."""
    rows = []
    for g in base.itertuples(index=False):
        same = plan[(plan["section"] == g.section) & (plan["part"] == g.part)]
        inside = [
            _overlap_km(g.km_from, g.km_to, p.km_from, p.km_to)
            for p in same.itertuples(index=False)
        ]
        hits = [x for x in inside if x > 1e-9]
        km = float(sum(hits))
        if not hits:
            outcome = "closed"
        elif len(hits) >= 2:
            outcome = "split"
        elif km < g.length_km - 1e-6:
            outcome = "shrunk"
        else:
            outcome = "unchanged"
        rows.append(_gap_row("base", g, outcome, km))
    for p in plan.itertuples(index=False):
        same = base[(base["section"] == p.section) & (base["part"] == p.part)]
        if not any(
            _overlap_km(p.km_from, p.km_to, g.km_from, g.km_to) > 1e-9
            for g in same.itertuples(index=False)
        ):
            rows.append(_gap_row("plan", p, "new", 0.0))
    columns = [
        "posture",
        "gap_id",
        "section",
        "part",
        "km_from",
        "km_to",
        "length_km",
        "outcome",
        "plan_km_inside",
    ]
    return pd.DataFrame(rows, columns=columns)


def _gap_row(posture: str, gap: Any, outcome: str, km: float) -> dict[str, Any]:
    return {
        "posture": posture,
        "gap_id": int(gap.gap_id),
        "section": gap.section,
        "part": int(gap.part),
        "km_from": float(gap.km_from),
        "km_to": float(gap.km_to),
        "length_km": float(gap.length_km),
        "outcome": outcome,
        "plan_km_inside": km,
    }


def kpi_changes(
    base: Mapping[str, Any], plan: Mapping[str, Any]
) -> dict[str, dict[str, float | None]]:
    """Return every numeric key figure before, after and its change."""
    out: dict[str, dict[str, float | None]] = {}
    for key, a in base.items():
        b = plan.get(key)
        if isinstance(a, bool) or not isinstance(a, int | float) or not isinstance(b, int | float):
            continue
        out[key] = {"base": float(a), "plan": float(b), "change": float(b) - float(a)}
    return out


def added_means(before: Scenario, after: Scenario) -> gpd.GeoDataFrame:
    """Return the sensors a plan adds and the patrol routes it runs more often, priced.

    Sensors are new ids (priced as :func:`surveil.catalogue.sensor_capex_eur`
    on their height as mast); a route's added ``visits_per_day`` are priced
    by the patrol units they need (``km_per_day`` of the route's mode).
    ``order`` follows the plan's own order of rows, sensors first.
    """
    catalogue = after.catalogue.set_index("type")
    old_ids = set(before.sensors["id"].astype(str))
    rows: list[dict[str, Any]] = []
    for row in after.sensors.itertuples(index=False):
        if str(row.id) in old_ids:
            continue
        cost = {"capex_eur": math.nan, "opex_eur_per_year": math.nan, "staff_fte": math.nan}
        if row.type in catalogue.index:
            means = catalogue.loc[row.type]
            cost = {
                "capex_eur": sensor_capex_eur(means, float(row.height_m)),
                "opex_eur_per_year": float(means["opex_eur_per_year"]),
                "staff_fte": float(means["staff_fte"]),
            }
        rows.append(
            {
                "kind": "sensor",
                "id": str(row.id),
                "type": row.type,
                "mast_m": float(row.height_m),
                "azimuth_deg": float(row.azimuth_deg),
                "visits_per_day": math.nan,
                **cost,
                "geometry": row.geometry,
            }
        )
    old = dict(
        zip(
            before.patrols["id"].astype(str),
            before.patrols["visits_per_day"].astype(float),
            strict=True,
        )
    )
    for row in after.patrols.itertuples(index=False):
        delta = float(row.visits_per_day) - old.get(str(row.id), 0.0)
        if delta <= 1e-12 or row.geometry is None or row.geometry.is_empty:
            continue
        means = f"{row.mode}_patrol"
        units = _patrol_units(row.geometry, delta, means, catalogue)
        priced = means in catalogue.index
        rows.append(
            {
                "kind": "patrol",
                "id": str(row.id),
                "type": means,
                "mast_m": math.nan,
                "azimuth_deg": math.nan,
                "visits_per_day": delta,
                "capex_eur": units * float(catalogue.loc[means, "capex_eur"])
                if priced
                else math.nan,
                "opex_eur_per_year": units * float(catalogue.loc[means, "opex_eur_per_year"])
                if priced
                else math.nan,
                "staff_fte": units * float(catalogue.loc[means, "staff_fte"])
                if priced
                else math.nan,
                "geometry": row.geometry,
            }
        )
    columns = [
        "order",
        "kind",
        "id",
        "type",
        "mast_m",
        "azimuth_deg",
        "visits_per_day",
        "capex_eur",
        "opex_eur_per_year",
        "staff_fte",
        "geometry",
    ]
    table = pd.DataFrame(rows, columns=columns[1:])
    table.insert(0, "order", range(1, len(table) + 1))
    return gpd.GeoDataFrame(table, geometry="geometry", crs=4326)[columns]


def plan_cost(base: Assessment, plan: Assessment) -> dict[str, Any]:
    """Return what the plan itself buys, apart from the cost of the gaps it leaves.

    Sensors added (ids not in the baseline) and removed are priced by their
    catalogue type on their mast (removed ones save their OPEX, not their
    CAPEX); extra patrol visits by the patrol units they need, one unit
    covering the ``km_per_day`` of the route's mode, at its CAPEX, OPEX and
    staff per unit (as the placement prices a route).
    """
    catalogue = plan.scenario.catalogue.set_index("type")
    before = base.scenario.sensors
    after = plan.scenario.sensors
    added = after[~after["id"].astype(str).isin(set(before["id"].astype(str)))]
    removed = before[~before["id"].astype(str).isin(set(after["id"].astype(str)))]
    unpriced: list[str] = []
    capex = opex = staff = 0.0
    for row in added.itertuples(index=False):
        if row.type in catalogue.index:
            means = catalogue.loc[row.type]
            capex += sensor_capex_eur(means, float(row.height_m))
            opex += float(means["opex_eur_per_year"])
            staff += float(means["staff_fte"])
        else:
            unpriced.append(str(row.id))
    for row in removed.itertuples(index=False):
        if row.type in catalogue.index:
            opex -= float(catalogue.loc[row.type, "opex_eur_per_year"])
            staff -= float(catalogue.loc[row.type, "staff_fte"])
    patrol = _patrol_change(base.scenario.patrols, plan.scenario.patrols, catalogue)
    capex += patrol["capex_eur"]
    opex += patrol["opex_eur_per_year"]
    staff += patrol["staff_fte"]
    covered = float(plan.summary["km_covered"] - base.summary["km_covered"])
    removed_risk = float(
        base.summary["risk_persons_per_year"] - plan.summary["risk_persons_per_year"]
    )
    annual = capex / _lifetime(catalogue) + opex
    return {
        "capex_eur": capex,
        "opex_eur_per_year": opex,
        "staff_fte": staff,
        "sensors_added": len(added),
        "sensors_removed": len(removed),
        "sensors_unpriced": unpriced,
        "patrol_km_per_day_added": patrol["km_per_day"],
        "remaining_gaps_capex_eur": float(plan.summary.get("capex_eur", 0.0)),
        "remaining_gaps_opex_eur_per_year": float(plan.summary.get("opex_eur_per_year", 0.0)),
        "annual_cost_eur": annual,
        "annual_cost_per_newly_covered_km": annual / covered if covered > 1e-9 else None,
        "annual_cost_per_person_a_year_removed": annual / removed_risk
        if removed_risk > 1e-9
        else None,
    }


def _lifetime(catalogue: pd.DataFrame) -> float:
    years = catalogue["lifetime_years"].dropna() if "lifetime_years" in catalogue else []
    return float(np.median(years)) if len(years) else 10.0


def _patrol_change(
    before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, catalogue: pd.DataFrame
) -> dict[str, float]:
    """Return the extra patrol-km a day and their CAPEX, OPEX and staff, route by route.

    More visits need more units (vehicles, horses, boats), bought at the
    means' CAPEX; fewer visits save OPEX and staff, not CAPEX.
    """
    km_day = capex = opex = staff = 0.0
    old = dict(zip(before["id"].astype(str), before["visits_per_day"].astype(float), strict=True))
    for row in after.itertuples(index=False):
        delta = float(row.visits_per_day) - old.get(str(row.id), 0.0)
        if abs(delta) < 1e-12 or row.geometry is None or row.geometry.is_empty:
            continue
        km_day += delta * geodesy.length_m(row.geometry) / 1000.0
        means = f"{row.mode}_patrol"
        units = _patrol_units(row.geometry, delta, means, catalogue)
        if units == units:  # priced
            capex += max(units, 0.0) * float(catalogue.loc[means, "capex_eur"])
            opex += units * float(catalogue.loc[means, "opex_eur_per_year"])
            staff += units * float(catalogue.loc[means, "staff_fte"])
    return {
        "km_per_day": km_day,
        "capex_eur": capex,
        "opex_eur_per_year": opex,
        "staff_fte": staff,
    }


def _patrol_units(route: Any, visits: float, means: str, catalogue: pd.DataFrame) -> float:
    """Return the patrol units ``visits`` a day along `route` need (NaN if `means` is unpriced).

    One unit covers the catalogue's ``km_per_day`` of its means a day.
    """
    if means not in catalogue.index or not catalogue.loc[means, "km_per_day"] > 0:
        return math.nan
    km_day = visits * geodesy.length_m(route) / 1000.0
    return km_day / float(catalogue.loc[means, "km_per_day"])


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """Return what ``compare.json`` records: key figures, cost and gap outcomes."""
    outcomes = comparison.gaps["outcome"].value_counts().to_dict()

    def plain(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, np.generic):
            return value.item()
        return value

    return {
        "kpis": {k: {n: plain(v) for n, v in d.items()} for k, d in comparison.kpis.items()},
        "cost": {k: plain(v) for k, v in comparison.cost.items()},
        "gap_outcomes": {str(k): int(v) for k, v in outcomes.items()},
        "segments_changed": int(comparison.segments["changed"].sum()),
        "threat_held_at_baseline": bool(
            np.allclose(comparison.segments["threat_change"], 0.0, atol=1e-12)
        ),
    }
