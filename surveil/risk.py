"""Turn incidents and access into threat, and threat and detection into risk.

**Threat** (DESIGN §3) is an absolute quantity: crossing persons per km per
year. Incidents within ``incident_snap_m`` of the line are snapped to
chainage; each carries a weight ``persons · 0.5^(age / half_life)``. An
agency records only what it detects, so each incident is *corrected by the
detection at its own location* under the posture in which it was recorded
(the baseline, :class:`Posture`): weight ``/ max(P_detect(xᵢ), detection_floor)``.
Observed and corrected weights are spread along the section by a Gaussian
kernel of ``bandwidth_m`` (renormalised so that no incident is lost off the
ends) and divided by the decay-weighted observation time.

Where the recording posture saw little (segment ``P_detect`` below
``detection_floor``) the absence of incidents says nothing: such segments
get ``threat_confidence = "low"`` and their threat comes from *structure*
alone — access to roads and settlements and terrain passability, a score S
in [0, 1] turned into persons per km per year by ``S_ref``
(``structure_per_km_year``; by default calibrated on the well-observed
segments, :func:`calibrate_structure`). They are shown as "unknown, not
safe". Elsewhere ``threat = (w_inc · I_corrected + w_struct · S · S_ref) /
(w_inc + w_struct)``.

**Risk** (after CIRAM: threat × vulnerability × impact) is
``risk = threat · (1 − P_interdict) · impact`` — the expected number of
crossing persons per km per year who are not interdicted (without posts:
not detected, ``1 − P_detect``), weighted by the impact of the stretch
(default 1; from an ``impact`` polygon layer or the border's ``impact``
column). Its unit is persons per km per year (× impact), so it does not
depend on the worst segment and can be compared between assessments and
borders.

**Classes** come from absolute thresholds (``risk_breaks``, default
:data:`RISK_BREAKS`): below 1 uninterdicted person per km per year is
*low*; from 1 (about one a year on every km) *medium*; from 4 (one a
quarter) *high*; from 12 (one a month) *critical*. CIRAM and Regulation (EU)
2019/1896 Art. 34 set impact levels as absolute levels but give no numbers;
these defaults are surveil's, chosen as the plain-language steps a year, a
quarter and a month per km, and are meant to be set by the agency
(``[parameters] risk_breaks = [1, 4, 12]``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from scipy.special import ndtr

from surveil import geodesy
from surveil.segments import line_vertices, section_parts

FloatArray = NDArray[np.float64]

RISK_CLASSES = ("low", "medium", "high", "critical")
RISK_BREAKS = (1.0, 4.0, 12.0)
"""Uninterdicted crossing persons per km per year where medium, high and critical begin."""
DAYS_PER_YEAR = 365.25


def snap_incidents(
    incidents: gpd.GeoDataFrame, border: gpd.GeoDataFrame, *, snap_m: float = 5000.0
) -> gpd.GeoDataFrame:
    """Snap incidents to the chainage of the nearest border section.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``incidents`` with ``section`` (empty where not snapped),
        ``km`` (chainage, NaN where farther than ``snap_m``) and
        ``distance_m`` (distance to the line).
    """
    lines, section, part_start = [], [], []
    for row in border.itertuples(index=False):
        offset = 0.0
        for coords in section_parts(row.geometry):
            lines.append((coords[:, 0], coords[:, 1]))
            section.append(row.section)
            part_start.append(offset)
            offset += geodesy.chainage(coords[:, 0], coords[:, 1])[-1]
    out = incidents.copy()
    if len(incidents) == 0 or not lines:
        out["section"] = pd.Series([""] * len(out), dtype=object, index=out.index)
        out["km"] = np.nan
        out["distance_m"] = np.nan
        return out
    near = geodesy.LineIndex(lines).nearest(
        incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy(), max_distance_m=snap_m
    )
    found = near.line >= 0
    names = np.asarray(section, dtype=object)
    starts = np.asarray(part_start)
    out["section"] = np.where(found, names[np.maximum(near.line, 0)], "")
    out["km"] = np.where(found, (starts[np.maximum(near.line, 0)] + near.along_m) / 1000.0, np.nan)
    out["distance_m"] = np.where(found, near.distance_m, np.nan)
    return out


@dataclass(frozen=True)
class IncidentWeights:
    """Decay weights of incidents and the observation time they stand for.

    Attributes
    ----------
    weight
        ``persons · 0.5^(age_days / half_life_days)`` per incident.
    exposure_years
        Decay-weighted observation time:
        ``∫₀ᵀ 0.5^(t / h) dt`` in years, T the span from the earliest incident
        to the reference date (or ``period_years`` where no incident is dated).
    reference_date
        Date ages are counted from (the latest incident unless given).
    """

    weight: FloatArray
    exposure_years: float
    reference_date: pd.Timestamp | None


def incident_weights(
    incidents: pd.DataFrame,
    *,
    half_life_days: float = 365.0,
    reference_date: pd.Timestamp | None = None,
    period_years: float = 1.0,
) -> IncidentWeights:
    """Weigh incidents by persons and age.

    Undated incidents get the mean decay factor over the observation period.
    Where no incident is dated, no decay applies and the observation time is
    ``period_years``.

    Examples
    --------
    >>> import pandas as pd
    >>> inc = pd.DataFrame({"persons": [2, 1],
    ...                     "date": pd.to_datetime(["2025-01-01", "2026-01-01"])})
    >>> w = incident_weights(inc)
    >>> w.weight.round(3).tolist()  # 2 persons a half-life ago, 1 person today
    [1.0, 1.0]
    >>> round(w.exposure_years, 4)  # 365 / ln 2 · (1 − 0.5) days
    0.7209
    """
    persons = incidents["persons"].to_numpy(dtype=float)
    dates = pd.to_datetime(incidents["date"]) if "date" in incidents else None
    if dates is None or dates.isna().all():
        return IncidentWeights(persons, float(period_years), None)
    ref = pd.Timestamp(reference_date) if reference_date is not None else dates.max()
    age = (ref - dates).dt.total_seconds().to_numpy() / 86400.0
    span = max(float(np.nanmax(age)), 1.0)
    decay_rate = np.log(2.0) / half_life_days
    exposure_days = -np.expm1(-decay_rate * span) / decay_rate
    factor = np.where(np.isnan(age), exposure_days / span, np.exp(-decay_rate * np.maximum(age, 0)))
    return IncidentWeights(persons * factor, float(exposure_days / DAYS_PER_YEAR), ref)


def kernel_intensity(
    km_from: FloatArray,
    km_to: FloatArray,
    incident_km: FloatArray,
    weight: FloatArray,
    *,
    section_km: float,
    bandwidth_m: float = 3000.0,
) -> FloatArray:
    """Return the mean Gaussian-kernel density of incidents over each segment, per km.

    Each incident's kernel is renormalised to ``[0, section_km]``. The mean
    density over a segment [a, b] is ``(F(b) − F(a)) / (b − a)`` with
    ``F(x) = Σ mᵢ Φ((x − cᵢ) / σ)`` the kernel mass left of x. Incidents are
    pooled on a grid of at most ``bandwidth_m / 50`` spanning the section
    exactly (no incident moves by more than 1 % of the bandwidth), F is the
    convolution of the pooled masses with the sampled normal CDF on that grid,
    and segment ends between grid nodes are interpolated linearly. The cost is
    linear in section length and independent of the number of incidents.

    Examples
    --------
    One incident in the middle of a long section, bandwidth 3 km: the
    density at its position is ``1 / (√(2π) · 3)`` per km.

    >>> d = kernel_intensity(np.array([49.995]), np.array([50.005]), np.array([50.0]),
    ...                      np.array([1.0]), section_km=100.0)
    >>> round(float(d[0]), 4), round(float(1 / (np.sqrt(2 * np.pi) * 3)), 4)
    (0.133, 0.133)
    """
    if incident_km.size == 0 or km_from.size == 0 or section_km <= 0:
        return np.zeros(km_from.size)
    sigma = bandwidth_m / 1000.0
    nodes = max(1, int(np.ceil(section_km / (sigma / 50.0))))
    step = section_km / nodes
    grid = np.arange(nodes + 1) * step
    node = np.clip(np.round(incident_km / step).astype(np.int64), 0, nodes)
    mass = np.bincount(node, weights=weight, minlength=nodes + 1)
    inside = ndtr((section_km - grid) / sigma) - ndtr(-grid / sigma)
    mass = mass / np.maximum(inside, 1e-12)
    reach = int(np.ceil(8.0 * sigma / step))
    cdf = ndtr(np.arange(-reach, reach + 1) * step / sigma)
    # F at node k: masses within reach weighted by Φ, plus all mass farther left.
    near = np.convolve(mass, cdf)[reach : reach + nodes + 1]
    left = np.concatenate([np.zeros(reach + 1), np.cumsum(mass)])[: nodes + 1]
    cumulative = near + left
    upper = np.interp(km_to, grid, cumulative)
    lower = np.interp(km_from, grid, cumulative)
    return np.maximum(upper - lower, 0.0) / np.maximum(km_to - km_from, 1e-12)


def incident_intensity(
    segments: pd.DataFrame,
    snapped: pd.DataFrame,
    weights: IncidentWeights,
    *,
    bandwidth_m: float = 3000.0,
    correction: FloatArray | None = None,
) -> FloatArray:
    """Return incident persons per km per year for each segment.

    Observed, or corrected when ``correction`` (a factor per incident, such
    as ``1 / max(P_detect(xᵢ), floor)``) multiplies each incident's weight
    before it is spread.

    Parameters
    ----------
    segments
        Segments with ``section``, ``km_from`` and ``km_to``.
    snapped
        Incidents from :func:`snap_incidents`, in the order of ``weights``.
    weights
        From :func:`incident_weights`.
    bandwidth_m
        Standard deviation of the Gaussian kernel along the line, in metres.
    correction
        Factor per incident (in the order of ``snapped``); None for 1.
    """
    out = np.zeros(len(segments))
    km = snapped["km"].to_numpy(dtype=float)
    weight = weights.weight if correction is None else weights.weight * np.nan_to_num(correction)
    for name, rows in segments.groupby("section", sort=False).indices.items():
        mine = (snapped["section"].to_numpy() == name) & ~np.isnan(km)
        order = np.argsort(km[mine], kind="stable")
        out[rows] = kernel_intensity(
            segments["km_from"].to_numpy(dtype=float)[rows],
            segments["km_to"].to_numpy(dtype=float)[rows],
            km[mine][order],
            weight[mine][order],
            section_km=float(segments["km_to"].to_numpy(dtype=float)[rows].max()),
            bandwidth_m=bandwidth_m,
        )
    return out / weights.exposure_years


def count_incidents(segments: pd.DataFrame, snapped: pd.DataFrame) -> NDArray[np.int64]:
    """Count snapped incidents whose chainage falls in each segment."""
    counts = np.zeros(len(segments), dtype=np.int64)
    km = snapped["km"].to_numpy(dtype=float)
    for name, rows in segments.groupby("section", sort=False).indices.items():
        mine = km[(snapped["section"].to_numpy() == name) & ~np.isnan(km)]
        edges = segments["km_from"].to_numpy(dtype=float)[rows]
        last = segments["km_to"].to_numpy(dtype=float)[rows].max()
        order = np.argsort(edges)
        where = np.searchsorted(edges[order], mine, side="right") - 1
        where = where[(where >= 0) & (mine <= last + 1e-9)]
        counts[rows[order]] += np.bincount(where, minlength=rows.size)
    return counts


def structure_score(
    lon: FloatArray,
    lat: FloatArray,
    *,
    roads: gpd.GeoDataFrame | None = None,
    settlements: gpd.GeoDataFrame | None = None,
    passability: FloatArray | None = None,
    road_scale_m: float = 5000.0,
    settlement_scale_m: float = 10000.0,
) -> FloatArray | None:
    """Return structural attractiveness in [0, 1], or None with nothing to judge by.

    Each available part counts equally: access to roads ``exp(−d / scale)``
    and to settlements ``exp(−d / scale)`` for the distance d to the nearest
    one, and terrain passability (from slope, see
    :func:`surveil.terrain.passability`).
    """
    parts = []
    if roads is not None and len(roads):
        d = geodesy.LineIndex(line_vertices(roads.geometry)).distance(
            lon, lat, max_distance_m=8 * road_scale_m
        )
        parts.append(np.exp(-d / road_scale_m))
    if settlements is not None and len(settlements):
        xyz = geodesy.ecef(settlements.geometry.x.to_numpy(), settlements.geometry.y.to_numpy())
        d, _ = cKDTree(xyz).query(
            geodesy.ecef(lon, lat), distance_upper_bound=8 * settlement_scale_m
        )
        parts.append(np.exp(-d / settlement_scale_m))
    if passability is not None:
        parts.append(np.nan_to_num(np.asarray(passability, dtype=float), nan=0.0))
    if not parts:
        return None
    return np.mean(parts, axis=0)


@dataclass(frozen=True)
class Posture:
    """Detection at the target points under which incidents were recorded.

    Attributes
    ----------
    lon, lat
        Target points in degrees.
    section
        Section name of each point.
    segment
        Segment row of each point.
    p_detect
        Detection (real time or by traces) at each point.
    """

    lon: FloatArray
    lat: FloatArray
    section: NDArray[np.object_]
    segment: NDArray[np.int64]
    p_detect: FloatArray

    def matches(self, lon: FloatArray, lat: FloatArray) -> bool:
        """Tell whether the posture was taken at exactly these target points."""
        return bool(np.array_equal(self.lon, lon) and np.array_equal(self.lat, lat))


def detection_at(posture: Posture, snapped: pd.DataFrame) -> FloatArray:
    """Return the posture's detection at each snapped incident (NaN where not snapped).

    The detection of the nearest target point of the incident's own section.
    """
    out = np.full(len(snapped), np.nan)
    if len(snapped) == 0 or posture.lon.size == 0:
        return out
    names = snapped["section"].to_numpy()
    km = snapped["km"].to_numpy(dtype=float)
    lon = snapped.geometry.x.to_numpy()
    lat = snapped.geometry.y.to_numpy()
    for name in np.unique(posture.section):
        mine = np.flatnonzero((names == name) & ~np.isnan(km))
        if mine.size == 0:
            continue
        points = np.flatnonzero(posture.section == name)
        tree = cKDTree(geodesy.ecef(posture.lon[points], posture.lat[points]))
        _, nearest = tree.query(geodesy.ecef(lon[mine], lat[mine]))
        out[mine] = posture.p_detect[points[nearest]]
    return out


def calibrate_structure(
    corrected: FloatArray,
    structure: FloatArray | None,
    length_m: FloatArray,
    confident: NDArray[np.bool_],
) -> float:
    """Return the persons per km per year that structure 1 stands for.

    A ratio estimate on the well-observed segments:
    ``S_ref = Σ I_corrected · L / Σ S · L`` over segments with high threat
    confidence, so that structure alone predicts, on average, the intensity
    seen where detection is good. Without structure S is 1 everywhere and
    ``S_ref`` is the mean corrected intensity there. When no segment is well
    observed, every segment counts (their incidents corrected at the floor
    are then all there is to go by).

    Examples
    --------
    >>> calibrate_structure(np.array([2.0, 4.0, 0.0]), np.array([0.5, 1.0, 1.0]),
    ...                     np.array([1000.0, 1000.0, 1000.0]), np.array([True, True, False]))
    4.0
    """
    s = np.ones_like(corrected) if structure is None else np.nan_to_num(structure, nan=0.0)
    w = length_m * (confident if confident.any() else np.ones_like(confident))
    denominator = float((s * w).sum())
    return float((corrected * w).sum()) / denominator if denominator > 0 else 0.0


def threat_per_km_year(
    corrected: FloatArray,
    structure: FloatArray | None,
    confident: NDArray[np.bool_],
    *,
    structure_per_km_year: float,
    weights: Mapping[str, float],
) -> tuple[FloatArray, dict[str, float]]:
    """Return threat in crossing persons per km per year, and the weights used.

    Where threat confidence is high:
    ``(w_inc · I + w_struct · S · S_ref) / (w_inc + w_struct)`` (no
    structural part without context layers); where it is low, ``S · S_ref``
    (structure alone; ``S_ref`` alone without context layers).

    Examples
    --------
    >>> t, w = threat_per_km_year(np.array([10.0, 0.0]), np.array([0.5, 0.5]),
    ...                           np.array([True, False]), structure_per_km_year=4.0,
    ...                           weights={"incidents": 0.75, "structure": 0.25})
    >>> t.tolist()  # 0.75 · 10 + 0.25 · 0.5 · 4, and 0.5 · 4 where unobserved
    [8.0, 2.0]
    """
    w_inc = float(weights.get("incidents", 0.7))
    w_struct = float(weights.get("structure", 0.3)) if structure is not None else 0.0
    total = w_inc + w_struct
    if total <= 0:
        raise ValueError(
            "threat weights sum to 0; give a positive weight to incidents or structure"
        )
    prior = (1.0 if structure is None else np.nan_to_num(structure, nan=0.0)) * (
        structure_per_km_year
    )
    prior = np.broadcast_to(np.asarray(prior, dtype=float), corrected.shape)
    observed = (w_inc * corrected + w_struct * prior) / total
    threat = np.where(confident, observed, prior)
    return threat, {"incidents": w_inc / total, "structure": w_struct / total}


def point_impact(
    lon: FloatArray,
    lat: FloatArray,
    section: NDArray[np.object_],
    *,
    areas: gpd.GeoDataFrame | None = None,
    section_impact: Mapping[str, float] | None = None,
) -> FloatArray:
    """Return the impact weight at points: the highest impact area over it, else its section's.

    Parameters
    ----------
    lon, lat
        Points in degrees.
    section
        Section name of each point.
    areas
        Impact polygons with an ``impact`` column (EPSG:4326).
    section_impact
        Weight per section name; sections not named weigh 1.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> areas = gpd.GeoDataFrame({"impact": [3.0]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    >>> point_impact(np.array([0.5, 2.0, 2.0]), np.array([0.5, 2.0, 2.0]),
    ...              np.array(["A", "A", "B"], dtype=object), areas=areas,
    ...              section_impact={"B": 2.0}).tolist()
    [3.0, 1.0, 2.0]
    """
    weights = section_impact or {}
    out = np.array([weights.get(str(name), 1.0) for name in section], dtype=float)
    if areas is None or len(areas) == 0 or lon.size == 0:
        return out
    best = np.full(lon.size, -np.inf)
    for geom, value in zip(areas.geometry.to_numpy(), areas["impact"].to_numpy(float), strict=True):
        inside = shapely.contains_xy(geom, lon, lat)
        best[inside] = np.maximum(best[inside], value)
    return np.where(np.isfinite(best), best, out)


def classify_risk(risk: FloatArray, breaks: Sequence[float] = RISK_BREAKS) -> NDArray[np.object_]:
    """Cut risk (uninterdicted persons per km per year) into low / medium / high / critical.

    Examples
    --------
    >>> classify_risk(np.array([0.0, 1.0, 5.0, 30.0])).tolist()
    ['low', 'medium', 'high', 'critical']
    """
    return np.asarray(RISK_CLASSES, dtype=object)[np.searchsorted(breaks, risk, side="right")]


def risk_table(
    threat: FloatArray,
    vulnerability: FloatArray,
    *,
    impact: FloatArray | float = 1.0,
    breaks: Sequence[float] = RISK_BREAKS,
) -> pd.DataFrame:
    """Return ``threat``, ``vulnerability``, ``impact``, ``risk`` and ``risk_class``.

    ``risk = threat · vulnerability · impact``: expected uninterdicted
    crossing persons per km per year, weighted by impact.

    Examples
    --------
    >>> risk_table(np.array([10.0]), np.array([0.5]), impact=2.0)["risk"].tolist()
    [10.0]
    """
    impact_arr = np.broadcast_to(np.asarray(impact, dtype=float), threat.shape)
    risk = threat * vulnerability * impact_arr
    return pd.DataFrame(
        {
            "threat": threat,
            "vulnerability": vulnerability,
            "impact": impact_arr,
            "risk": risk,
            "risk_class": classify_risk(risk, breaks),
        }
    )
