"""Find coverage gaps: maximal runs of target points below the target detection.

A gap is a maximal run of consecutive target points of one section part
whose ``p_detect`` is below ``target_pd``; it runs from the start of its
first point's stretch to the end of its last one's, so gaps do not depend on
the segment length. Runs separated by covered stretches shorter than
``min_bridge_m`` are joined into one gap (the covered stretch between them
then belongs to the gap); gaps shorter than ``min_gap_m`` are then dropped.
With both at 0 (the defaults) every point below target lies in a gap and
every other point is covered, so ``km_covered + gap_km = km_assessed``.

Risk columns come from the segments a gap overlaps, weighted by the length
of the overlap; incidents are counted by their snapped chainage. Gaps are
ranked by risk-weighted length, ``Σ risk · overlap_km``: priority 1 is the
most urgent.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from surveil import geodesy
from surveil.segments import part_line, sub_line

GAP_COLUMNS = [
    "gap_id",
    "section",
    "part",
    "km_from",
    "km_to",
    "length_km",
    "mean_p_detect",
    "mean_risk",
    "max_risk",
    "incidents",
    "priority",
    "n_points",
]


def gap_runs(
    below: NDArray[np.bool_],
    start_m: NDArray[np.float64],
    end_m: NDArray[np.float64],
    *,
    min_bridge_m: float = 0.0,
    min_gap_m: float = 0.0,
) -> list[tuple[int, int]]:
    """Return ``(first, last)`` positions of maximal runs of ``below``, bridged.

    Parameters
    ----------
    below
        Whether each consecutive stretch (target point) is below the target.
    start_m, end_m
        Chainage where each stretch starts and ends, in metres.
    min_bridge_m
        Covered stretches shorter than this between two runs are bridged.
    min_gap_m
        Runs shorter than this (after bridging) are dropped.

    Examples
    --------
    >>> below = np.array([True, True, False, True, False, False, True])
    >>> m = np.arange(8.0) * 1000
    >>> gap_runs(below, m[:-1], m[1:])
    [(0, 1), (3, 3), (6, 6)]
    >>> gap_runs(below, m[:-1], m[1:], min_bridge_m=1500)
    [(0, 3), (6, 6)]
    >>> gap_runs(below, m[:-1], m[1:], min_gap_m=1500)
    [(0, 1)]
    """
    flags = np.concatenate([[False], np.asarray(below, dtype=bool), [False]])
    change = np.flatnonzero(flags[1:] != flags[:-1])
    runs = list(zip(change[::2].tolist(), (change[1::2] - 1).tolist(), strict=True))
    bridged: list[tuple[int, int]] = []
    for run in runs:
        if bridged and start_m[run[0]] - end_m[bridged[-1][1]] < min_bridge_m:
            bridged[-1] = (bridged[-1][0], run[1])
        else:
            bridged.append(run)
    return [(a, b) for a, b in bridged if end_m[b] - start_m[a] >= min_gap_m]


def find_gaps(
    points: pd.DataFrame,
    segments: gpd.GeoDataFrame,
    *,
    incidents: pd.DataFrame,
    target_pd: float = 0.5,
    min_bridge_m: float = 0.0,
    min_gap_m: float = 0.0,
) -> gpd.GeoDataFrame:
    """Return the coverage gaps of assessed target points.

    Parameters
    ----------
    points
        One row per target-point entry (:func:`surveil.segments.point_intervals`)
        with ``section``, ``part``, ``point``, ``from_m``, ``to_m`` (section
        chainage, metres) and ``p_detect``.
    segments
        Assessed segments with ``section``, ``part``, ``km_from``, ``km_to``,
        ``risk`` and LineString geometry.
    incidents
        Snapped incidents with ``section`` and ``km`` (NaN where not snapped).
    target_pd
        Detection probability a point must reach to be covered.
    min_bridge_m
        Covered stretches shorter than this, in metres, between two gaps are
        bridged.
    min_gap_m
        Gaps shorter than this, in metres, are dropped (0: none is).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per gap: ``gap_id``, ``section``, ``part``, ``km_from``,
        ``km_to``, ``length_km``, ``mean_p_detect`` (length-weighted over its
        points), ``mean_risk`` (weighted by the overlap with each segment),
        ``max_risk`` (of the segments it overlaps), ``incidents`` (snapped
        within its chainage), ``priority`` and ``n_points`` (target points in
        the gap), with the stretch of the line as geometry, in EPSG:4326.
    """
    rows = []
    seg_groups = segments.groupby(["section", "part"], sort=False).indices
    incident_km = _incident_km(incidents)
    for (section, part), idx in points.groupby(["section", "part"], sort=False).indices.items():
        mine = points.iloc[idx].sort_values("from_m", kind="stable")
        start = mine["from_m"].to_numpy(dtype=float)
        end = mine["to_m"].to_numpy(dtype=float)
        p_detect = mine["p_detect"].to_numpy(dtype=float)
        runs = gap_runs(
            p_detect < target_pd - 1e-12,
            start,
            end,
            min_bridge_m=min_bridge_m,
            min_gap_m=min_gap_m,
        )
        if not runs:
            continue
        part_segments = segments.iloc[seg_groups[(section, part)]]
        coords, part_start_m = part_line(part_segments)
        cum = geodesy.chainage(coords[:, 0], coords[:, 1])
        for first, last in runs:
            a, b = float(start[first]), float(end[last])
            weight = end[first : last + 1] - start[first : last + 1]
            rows.append(
                {
                    "section": section,
                    "part": int(part),
                    "km_from": a / 1000.0,
                    "km_to": b / 1000.0,
                    "length_km": (b - a) / 1000.0,
                    "n_points": int(np.unique(mine["point"].to_numpy()[first : last + 1]).size),
                    "mean_p_detect": float(np.average(p_detect[first : last + 1], weights=weight)),
                    **_risk_over(part_segments, a, b),
                    "incidents": _incidents_within(incident_km.get(section), a, b),
                    "geometry": sub_line(coords, a - part_start_m, b - part_start_m, cum=cum),
                }
            )
    if not rows:
        empty = pd.DataFrame({c: [] for c in GAP_COLUMNS})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    table = pd.DataFrame(rows)
    table.insert(0, "gap_id", np.arange(1, len(table) + 1, dtype=np.int64))
    order = table.sort_values(["_weight", "gap_id"], ascending=[False, True]).index
    table.loc[order, "priority"] = np.arange(1, len(table) + 1)
    table["priority"] = table["priority"].astype(np.int64)
    table = table.drop(columns="_weight")[[*GAP_COLUMNS, "geometry"]]
    return gpd.GeoDataFrame(table, geometry="geometry", crs="EPSG:4326")


def _risk_over(segments: pd.DataFrame, start_m: float, end_m: float) -> dict[str, float]:
    """Return mean (overlap-weighted) and max risk of the segments over a stretch."""
    lo = segments["km_from"].to_numpy(dtype=float) * 1000.0
    hi = segments["km_to"].to_numpy(dtype=float) * 1000.0
    overlap = np.clip(np.minimum(hi, end_m) - np.maximum(lo, start_m), 0.0, None)
    risk = segments["risk"].to_numpy(dtype=float)
    touched = overlap > 1e-6
    return {
        "mean_risk": float(np.average(risk[touched], weights=overlap[touched])),
        "max_risk": float(risk[touched].max()),
        "_weight": float((risk[touched] * overlap[touched]).sum()) / 1000.0,
    }


def _incident_km(incidents: pd.DataFrame) -> dict[str, NDArray[np.float64]]:
    """Return the sorted snapped chainage (km) of the incidents of each section."""
    if len(incidents) == 0:
        return {}
    km = incidents["km"].to_numpy(dtype=float)
    groups = pd.Series(km).groupby(incidents["section"].to_numpy(), sort=False).indices
    return {str(section): np.sort(km[idx]) for section, idx in groups.items()}


def _incidents_within(km: NDArray[np.float64] | None, start_m: float, end_m: float) -> int:
    """Count the chainages of sorted ``km`` (a section's incidents) within the stretch.

    Examples
    --------
    >>> _incidents_within(np.array([0.5, 1.0, 2.0, 3.5]), 1000.0, 2000.0)
    2
    >>> _incidents_within(None, 0.0, 1.0)
    0
    """
    if km is None:
        return 0
    lo = np.searchsorted(km, start_m / 1000.0 - 1e-9, side="left")
    hi = np.searchsorted(km, end_m / 1000.0 + 1e-9, side="right")
    return int(hi - lo)
