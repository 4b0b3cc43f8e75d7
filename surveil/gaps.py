"""Find coverage gaps: maximal runs of segments below the target detection.

A gap is a run of consecutive segments of one section part whose mean
``p_detect`` is below ``target_pd``. Runs separated by covered stretches
shorter than ``min_bridge_m`` are joined into one gap (the covered stretch
between them then belongs to the gap). Gaps are ranked by risk-weighted
length, ``Σ risk · length_km``: priority 1 is the most urgent.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

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
]


def gap_runs(
    below: np.ndarray, km_from: np.ndarray, km_to: np.ndarray, *, min_bridge_m: float = 0.0
) -> list[tuple[int, int]]:
    """Return ``(first, last)`` positions of maximal runs of ``below``, bridged.

    Parameters
    ----------
    below
        Whether each consecutive segment is below the target.
    km_from, km_to
        Chainage of each segment.
    min_bridge_m
        Covered stretches shorter than this between two runs are bridged.

    Examples
    --------
    >>> below = np.array([True, True, False, True, False, False, True])
    >>> km = np.arange(8.0)
    >>> gap_runs(below, km[:-1], km[1:])
    [(0, 1), (3, 3), (6, 6)]
    >>> gap_runs(below, km[:-1], km[1:], min_bridge_m=1500)
    [(0, 3), (6, 6)]
    """
    runs: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate(below):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(below) - 1))
    bridged: list[tuple[int, int]] = []
    for run in runs:
        if bridged and (km_from[run[0]] - km_to[bridged[-1][1]]) * 1000.0 < min_bridge_m:
            bridged[-1] = (bridged[-1][0], run[1])
        else:
            bridged.append(run)
    return bridged


def find_gaps(
    segments: gpd.GeoDataFrame, *, target_pd: float = 0.5, min_bridge_m: float = 0.0
) -> gpd.GeoDataFrame:
    """Return the coverage gaps of assessed segments.

    Parameters
    ----------
    segments
        Assessed segments with ``section``, ``part``, ``km_from``, ``km_to``,
        ``length_m``, ``p_detect``, ``risk`` and ``incidents``.
    target_pd
        Detection probability a segment must reach to be covered.
    min_bridge_m
        Covered stretches shorter than this, in metres, between two gaps are
        bridged.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per gap: ``gap_id``, ``section``, ``part``, ``km_from``,
        ``km_to``, ``length_km``, ``mean_p_detect`` (length-weighted),
        ``mean_risk`` (length-weighted), ``max_risk``, ``incidents`` and
        ``priority``, with the merged line as geometry, in EPSG:4326.
    """
    rows = []
    for (section, part), idx in segments.groupby(["section", "part"], sort=False).indices.items():
        part_rows = segments.iloc[idx].sort_values("km_from")
        below = part_rows["p_detect"].to_numpy() < target_pd - 1e-12
        runs = gap_runs(
            below,
            part_rows["km_from"].to_numpy(),
            part_rows["km_to"].to_numpy(),
            min_bridge_m=min_bridge_m,
        )
        for first, last in runs:
            run = part_rows.iloc[first : last + 1]
            length = run["length_m"].to_numpy(dtype=float)
            rows.append(
                {
                    "section": section,
                    "part": int(part),
                    "km_from": float(run["km_from"].iloc[0]),
                    "km_to": float(run["km_to"].iloc[-1]),
                    "length_km": float(length.sum()) / 1000.0,
                    "mean_p_detect": float(np.average(run["p_detect"], weights=length)),
                    "mean_risk": float(np.average(run["risk"], weights=length)),
                    "max_risk": float(run["risk"].max()),
                    "incidents": int(run["incidents"].sum()),
                    "geometry": shapely.line_merge(shapely.union_all(run.geometry.to_numpy())),
                    "_weight": float((run["risk"] * length).sum()),
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
