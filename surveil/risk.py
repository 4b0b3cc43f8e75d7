"""Turn incidents and access into threat, and threat and detection into risk.

Threat (DESIGN §3): incidents within ``incident_snap_m`` of the line are
snapped to chainage; each carries a weight ``persons · 0.5^(age / half_life)``
and is spread along its section by a Gaussian kernel of ``bandwidth_m``,
renormalised to the section so no incident is lost off its ends. The mean of
the kernel sum over a segment, divided by the decay-weighted observation time,
gives *observed* incidents per km per year. Because an agency only records
what it sees, the *detection-corrected* intensity divides by
``max(P_detect, detection_floor)``. Structural attractiveness comes from
access: closeness to roads and settlements. Both are scaled to [0, 1] and
weighted into ``threat``.

Risk (after CIRAM): ``risk = threat · vulnerability · impact``, scaled to
0–100 by a normalisation constant that a comparison keeps fixed from the
baseline, and cut into classes low / medium / high / critical.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from scipy.special import ndtr

from surveil import geodesy
from surveil.segments import line_vertices, section_parts

FloatArray = NDArray[np.float64]

RISK_CLASSES = ("low", "medium", "high", "critical")
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
) -> FloatArray:
    """Return observed incidents per km per year for each segment.

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
    """
    out = np.zeros(len(segments))
    km = snapped["km"].to_numpy(dtype=float)
    for name, rows in segments.groupby("section", sort=False).indices.items():
        mine = (snapped["section"].to_numpy() == name) & ~np.isnan(km)
        order = np.argsort(km[mine], kind="stable")
        out[rows] = kernel_intensity(
            segments["km_from"].to_numpy(dtype=float)[rows],
            segments["km_to"].to_numpy(dtype=float)[rows],
            km[mine][order],
            weights.weight[mine][order],
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


def normalise(values: FloatArray, constant: float | None = None) -> tuple[FloatArray, float]:
    """Scale values by a constant (their maximum unless given); return both.

    Examples
    --------
    >>> normalise(np.array([1.0, 4.0]))[0].tolist()
    [0.25, 1.0]
    """
    if constant is None:
        constant = float(np.max(values)) if values.size else 0.0
    if constant <= 0:
        return np.zeros_like(values), 0.0
    return values / constant, float(constant)


def classify_risk(
    risk: FloatArray, breaks: Sequence[float] = (25.0, 50.0, 75.0)
) -> NDArray[np.object_]:
    """Cut 0–100 risk into classes low / medium / high / critical.

    Examples
    --------
    >>> classify_risk(np.array([0.0, 25.0, 60.0, 99.0])).tolist()
    ['low', 'medium', 'high', 'critical']
    """
    return np.asarray(RISK_CLASSES, dtype=object)[np.searchsorted(breaks, risk, side="right")]


@dataclass(frozen=True)
class Normalisation:
    """Constants that scale threat and risk; keep them fixed to compare scenarios.

    Attributes
    ----------
    incidents_per_km_year
        Corrected incident intensity that maps to threat 1.
    risk
        Raw risk (threat · vulnerability · impact) that maps to 100.
    """

    incidents_per_km_year: float | None = None
    risk: float | None = None


def threat_and_risk(
    incidents_corrected: FloatArray,
    structure: FloatArray | None,
    vulnerability: FloatArray,
    *,
    impact: FloatArray | float = 1.0,
    weights: Mapping[str, float],
    normalisation: Normalisation = Normalisation(),
    breaks: Sequence[float] = (25.0, 50.0, 75.0),
) -> tuple[pd.DataFrame, Normalisation, dict[str, float]]:
    """Combine threat components and vulnerability into risk.

    ``threat = (w_inc · I / I_max + w_struct · S) / (w_inc + w_struct)`` with
    the structural weight dropped where there is no context layer;
    ``risk = 100 · threat · vulnerability · impact / R`` with R the baseline
    maximum.

    Returns
    -------
    table, normalisation, weights_used
        Columns ``threat``, ``vulnerability``, ``impact``, ``risk`` and
        ``risk_class``; the constants used; and the effective weights.
    """
    inc, inc_norm = normalise(incidents_corrected, normalisation.incidents_per_km_year)
    w_inc = float(weights.get("incidents", 0.7))
    w_struct = float(weights.get("structure", 0.3)) if structure is not None else 0.0
    total = w_inc + w_struct
    if total <= 0:
        raise ValueError(
            "threat weights sum to 0; give a positive weight to incidents or structure"
        )
    threat = (w_inc * inc + (w_struct * structure if structure is not None else 0.0)) / total
    raw = threat * vulnerability * impact
    scaled, risk_norm = normalise(raw, normalisation.risk)
    risk = 100.0 * scaled
    table = pd.DataFrame(
        {
            "threat": threat,
            "vulnerability": vulnerability,
            "impact": np.broadcast_to(np.asarray(impact, dtype=float), threat.shape),
            "risk": risk,
            "risk_class": classify_risk(risk, breaks),
        }
    )
    used = Normalisation(incidents_per_km_year=inc_norm, risk=risk_norm)
    return table, used, {"incidents": w_inc / total, "structure": w_struct / total}
