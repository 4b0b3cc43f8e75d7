"""Compute reaction over the ground: team travel time, crossers' escape, P_interdict, isochrones.

The search for violators (DESIGN §3, "Detection and interdiction") needs two
times at each target point x of the border, both taken over the same cost
surface:

* **t(x), the reaction team's travel time** from the fastest post, over the
  terrain and the roads. Each DEM tile (:class:`surveil.terrain.DEM`, its
  local metric grid, averaged to cells of about :data:`RESPONSE_CELL_M`)
  becomes a directed graph: every cell is joined to its 16 neighbours (the
  8 around it and the 8 knight's moves), an edge of horizontal length L and
  slope s = Δz / L (signed, in the direction of travel) takes L / v(s), and
  scipy's Dijkstra (:func:`scipy.sparse.csgraph.dijkstra`) gives the least
  time from the posts to every cell. The speed v(s) depends on the post's
  ``mode`` (posts layer; ``vehicle`` where not given) and its flat-ground
  speed v₀ = ``reaction_speed_kmh``:

  - ``foot`` and ``horse``: Tobler's hiking function scaled to v₀,
    ``v = v₀ · W(s) / W(0)`` with ``W(s) = 6 · exp(−3.5 · |s + 0.05|)`` km/h
    (Tobler 1993); uphill and downhill differ (fastest at 5 % downhill);
  - ``vehicle``: ``v = v₀ · (1 − |s| / 0.6)`` off road, falling linearly to
    nothing at a 60 % grade (the gradeability that cross-country vehicles are
    specified for), and never below walking (Tobler's W(s) unscaled): where
    the slope is too steep the team goes on foot;
  - on a road (``roads`` layer, rasterised onto the grid along its own
    length), vehicles drive at the road's ``speed_kmh`` or, without one, the
    speed of its ``class`` in :data:`ROAD_SPEED_KMH` (OpenStreetMap
    ``highway`` values; :data:`DEFAULT_ROAD_KMH` for others), whatever the
    slope (roads are built to grades vehicles can drive); teams on foot or
    horse walk roads at v₀. Where a road and the terrain both join two
    cells, the faster edge counts.

  Why a graph and scipy rather than an isotropic cost-distance such as
  scikit-image's ``MCP_Geometric``: Tobler's function is anisotropic (the
  time from a to b is not the time from b to a), which a directed graph
  represents exactly and a per-cell cost cannot; scipy is already a
  dependency; and one multi-source run (``min_only=True``) gives both the
  least time and the post it comes from, bounded by a time ``limit``.
  Why 16 neighbours: on a flat grid the least-time path of an 8-connected
  grid is up to 8.2 % longer than the straight line (at 22.5°), of a
  16-connected grid at most 2.75 % (at 13.3°); it is never shorter.

* **e(x), the crossers' mean time to clear the border zone**: walking
  (Tobler's function scaled to ``crosser_speed_kmh`` on flat ground) from x
  into the own side until they are ``escape_h · crosser_speed_kmh`` (3 km by
  default) from the line, over the same DEM grid (a reverse Dijkstra from the
  cells beyond that depth on the own side). On flat ground this is
  ``escape_h`` exactly; uphill it is longer, as Tobler's function says. Roads
  are not exits: a road along the line is the patrol's road.

``P_interdict`` keeps the form of :func:`surveil.coverage.interdict_probability`
with ``e`` taken per point: the crossers clear the zone after an exponentially
distributed time of mean e(x), a real-time detection is interdicted with
``exp(−t/e)``, a trace by pursuit after its delay.

Where the work stops: each tile's graph covers the cells within
``max(zone depth, farthest post inside the tile) + 2 km`` of the tile's
border points (the corridor); a post outside the tile's grid enters it at the
corridor cell nearest to it after ``detour_factor ×`` the straight-line
distance at v₀; Dijkstra stops at ``limit`` = 7 times the slowest escape time
of the tile's points (``exp(−7)`` < 0.1 %: an interdiction beyond it is nil),
at least the longest isochrone and at most :data:`MAX_RESPONSE_H`; times
beyond it are ``inf``. Without a DEM, or at points outside every tile, the
straight-line model stays: ``detour_factor ×`` distance / v₀
(:func:`surveil.coverage.response_hours`) and e = ``escape_h``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import ndimage
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from surveil import coverage, terrain

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

RESPONSE_CELL_M = 200.0
"""Cell of the cost grid, metres: finer DEM tiles are averaged to about it (an
integer number of DEM cells a side). On the synthetic 1,000 km border with a
61 m DEM, 184 m cells instead of 123 m changed the travel times by −1.4 % to
+1.7 % (5th to 95th percentile; less than the 16-neighbour grid's own 2.75 %),
the escape times by −2 % to +5 %, the fastest post at 0.14 % of the points,
for a third of the CPU time (``benchmarks/bench_response.py``)."""

MAX_RESPONSE_H = 8.0
"""Longest travel time computed, hours (beyond it: ``inf``, no interdiction)."""

ESCAPES_TO_LIMIT = 7.0
"""The search stops at this many times the slowest mean escape time."""

CORRIDOR_MARGIN_M = 2000.0
"""Cells this much beyond the zone depth or the farthest post stay in the graph."""

VEHICLE_MAX_GRADE = 0.6
"""Grade (rise over run) at which a vehicle's off-road speed falls to nothing."""

ISOCHRONE_MIN: tuple[int, ...] = (15, 30, 60, 120)
"""Upper bounds of the reaction-time bands drawn from the posts, minutes."""

ROAD_SPEED_KMH: dict[str, float] = {
    "motorway": 80.0,
    "trunk": 70.0,
    "primary": 60.0,
    "secondary": 50.0,
    "tertiary": 40.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "service": 20.0,
    "track": 20.0,
}
"""Reaction vehicle speed by road class (OpenStreetMap ``highway``), km/h:
assumptions for a team in a hurry on mountain roads, not legal limits."""

DEFAULT_ROAD_KMH = 40.0
"""Speed on a road without ``speed_kmh`` and of a class not listed, km/h."""

_EPS_H = 1e-9  # a zero-weight edge is no edge to scipy; this is 3.6 µs

# The 16 neighbours: 4 axial, 4 diagonal, 8 knight's moves (row, column).
_OFFSETS = (
    (0, 1), (1, 0), (0, -1), (-1, 0),
    (1, 1), (1, -1), (-1, 1), (-1, -1),
    (1, 2), (2, 1), (-1, 2), (-2, 1), (1, -2), (2, -1), (-1, -2), (-2, -1),
)  # fmt: skip


class Points(Protocol):
    """Points given in degrees (e.g. :class:`surveil.segments.TargetPoints`)."""

    @property
    def lon(self) -> FloatArray:
        """Longitudes, degrees."""

    @property
    def lat(self) -> FloatArray:
        """Latitudes, degrees."""


# --------------------------------------------------------------------- speeds


def tobler_kmh(slope: FloatArray | float, flat_kmh: float | None = None) -> FloatArray:
    """Return walking speed by Tobler's hiking function, km/h.

    ``W(s) = 6 · exp(−3.5 · |s + 0.05|)`` for the slope ``s`` (rise over run,
    signed in the direction of walking); scaled by ``flat_kmh / W(0)`` when a
    flat-ground speed is given.

    Examples
    --------
    >>> round(float(tobler_kmh(0.0)), 3)
    5.037
    >>> round(float(tobler_kmh(-0.05)), 3)
    6.0
    >>> round(float(tobler_kmh(0.0, flat_kmh=3.0)), 3)
    3.0
    """
    s = np.asarray(slope, dtype=float)
    if flat_kmh is None:
        return 6.0 * np.exp(-3.5 * np.abs(s + 0.05))
    return flat_kmh * np.exp(-3.5 * (np.abs(s + 0.05) - 0.05))


def vehicle_kmh(slope: FloatArray | float, flat_kmh: float) -> FloatArray:
    """Return a reaction vehicle's speed off road, km/h: slope-limited, else on foot.

    ``max(v₀ · (1 − |s| / 0.6), W(s))``: linear to nothing at a 60 % grade
    (:data:`VEHICLE_MAX_GRADE`), never slower than walking by Tobler.

    Examples
    --------
    >>> round(float(vehicle_kmh(0.3, 40.0)), 3)
    20.0
    >>> round(float(vehicle_kmh(0.7, 40.0)), 3)  # too steep: on foot
    0.435
    """
    s = np.asarray(slope, dtype=float)
    drive = flat_kmh * np.clip(1.0 - np.abs(s) / VEHICLE_MAX_GRADE, 0.0, 1.0)
    return np.maximum(drive, tobler_kmh(s))


def road_speeds(roads: gpd.GeoDataFrame) -> FloatArray:
    """Return each road's speed for reaction vehicles, km/h.

    ``speed_kmh`` where positive, else the speed of ``class`` (or
    ``highway``, ``fclass``) in :data:`ROAD_SPEED_KMH`, else
    :data:`DEFAULT_ROAD_KMH`.

    Examples
    --------
    >>> roads = pd.DataFrame({"class": ["primary", "track", ""], "speed_kmh": [None, None, 55]})
    >>> road_speeds(roads).tolist()
    [60.0, 20.0, 55.0]
    """
    n = len(roads)
    speed = np.full(n, DEFAULT_ROAD_KMH)
    for column in ("fclass", "highway", "class"):  # the last given wins
        if column in roads:
            cls = roads[column].astype("string").fillna("").str.strip().str.lower()
            known = cls.map(ROAD_SPEED_KMH).to_numpy(dtype=float, na_value=np.nan)
            speed = np.where(np.isfinite(known), known, speed)
    if "speed_kmh" in roads:
        given = pd.to_numeric(roads["speed_kmh"], errors="coerce").to_numpy(dtype=float)
        speed = np.where(np.isfinite(given) & (given > 0), given, speed)
    return speed


# --------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class CostGrid:
    """One tile's cells as a graph: nodes, 16-neighbour edges, road edges.

    Attributes
    ----------
    dem
        The tile (for its CRS and transforms).
    transform
        Affine transform of the cost grid (the tile's, scaled by ``factor``).
    node
        Node number of each cell, ``-1`` outside the graph; shape of the grid.
    src, dst, length_m, slope
        Terrain edges: from, to, horizontal length (m), rise over run.
    road_cell
        The cell of each road node (a cell that a road passes).
    road_src, road_dst, road_length_m, road_kmh
        Road edges between road nodes (positions in ``road_cell``), both
        directions, along the roads' own length.
    """

    dem: terrain.DEM
    transform: Any
    node: NDArray[np.int64]
    src: IntArray
    dst: IntArray
    length_m: FloatArray
    slope: FloatArray
    road_cell: IntArray
    road_src: IntArray
    road_dst: IntArray
    road_length_m: FloatArray
    road_kmh: FloatArray

    @property
    def cell_m(self) -> float:
        """Cell size in metres."""
        return float(abs(self.transform.a))

    @property
    def n_nodes(self) -> int:
        """Number of cells in the graph."""
        return int(self.node.max()) + 1 if self.node.size else 0

    def xy(self, nodes: IntArray) -> tuple[FloatArray, FloatArray]:
        """Return the grid ``x, y`` (m) of cell centres of nodes."""
        rows, cols = np.nonzero(self.node >= 0)
        t = self.transform
        return t.c + (cols[nodes] + 0.5) * t.a, t.f + (rows[nodes] + 0.5) * t.e

    def cell_of(self, x: FloatArray, y: FloatArray) -> IntArray:
        """Return the node of the cell containing each grid point (``-1`` outside)."""
        t = self.transform
        col = np.floor((np.asarray(x, dtype=float) - t.c) / t.a)
        row = np.floor((np.asarray(y, dtype=float) - t.f) / t.e)
        rows, cols = self.node.shape
        inside = np.isfinite(col) & np.isfinite(row)
        inside &= (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
        r = np.where(inside, row, 0).astype(np.intp)
        c = np.where(inside, col, 0).astype(np.intp)
        return np.where(inside, self.node[r, c], -1).astype(np.int64)

    def network(self, sources: _Sources | None = None) -> Network:
        """Return the graph's fixed structure, with the roads and the sources joined.

        Nodes: the cells, then one node per road cell (joined to its cell
        both ways at no cost, so that a road edge never doubles a terrain
        edge), then one node per source (an edge to its entry cell).
        """
        n = self.n_nodes
        road = self.road_cell.size
        k = 0 if sources is None else sources.node.size
        cells_to_road = np.arange(n, n + road)
        src = [self.src, n + self.road_src, self.road_cell, cells_to_road]
        dst = [self.dst, n + self.road_dst, cells_to_road, self.road_cell]
        if sources is not None:
            src.append(n + road + np.arange(k))
            dst.append(sources.node)
        size = n + road + k
        ids = np.arange(sum(a.size for a in src), dtype=np.int64)
        g = csr_matrix((ids, (np.concatenate(src), np.concatenate(dst))), shape=(size, size))
        order = g.data
        terrain_edges = self.src.size
        is_terrain = order < terrain_edges
        other = np.flatnonzero(~is_terrain)
        slope = np.zeros(order.size, dtype=np.float32)
        km = np.zeros(order.size)
        slope[is_terrain] = self.slope[order[is_terrain]]
        km[is_terrain] = self.length_m[order[is_terrain]] / 1000.0
        return Network(
            grid=self,
            indptr=g.indptr,
            indices=g.indices,
            size=size,
            km=km,
            slope=slope,
            walk_kmh=tobler_kmh(slope).astype(np.float32),
            drive=np.clip(1.0 - np.abs(slope) / VEHICLE_MAX_GRADE, 0.0, 1.0).astype(np.float32),
            other_pos=other,
            other_id=order[other] - terrain_edges,
            source_hours=np.zeros(0) if sources is None else sources.hours,
        )


@dataclass(frozen=True)
class Network:
    """A cost grid's graph structure (CSR), whose edge times change with the team.

    The terrain edges' length and slope terms are kept in CSR order, so
    that a team's graph costs two or three passes over the edges.

    Attributes
    ----------
    grid
        The cost grid.
    indptr, indices
        The CSR structure.
    size
        Nodes: cells, road nodes, source nodes.
    km, slope, walk_kmh, drive
        Per CSR position (terrain edges; neutral elsewhere): length in km,
        slope, Tobler's ``W(s)`` in km/h, and the vehicle's share of its flat
        speed ``clip(1 − |s| / 0.6, 0, 1)``.
    other_pos, other_id
        CSR positions of the road, link and source edges, and their number
        in that order.
    source_hours
        Time from each source to its entry cell, hours.
    """

    grid: CostGrid
    indptr: NDArray[np.int32]
    indices: NDArray[np.int32]
    size: int
    km: FloatArray
    slope: NDArray[np.float32]
    walk_kmh: NDArray[np.float32]
    drive: NDArray[np.float32]
    other_pos: IntArray
    other_id: IntArray
    source_hours: FloatArray

    @property
    def first_source(self) -> int:
        """Node number of the first source."""
        return self.grid.n_nodes + self.grid.road_cell.size

    def graph(
        self, mode: str, flat_kmh: float, *, roads: bool = True, reverse: bool = False
    ) -> csr_matrix:
        """Return the travel-time graph (hours per edge) for a team.

        Parameters
        ----------
        mode
            ``foot`` or ``horse`` (Tobler's function scaled to ``flat_kmh``),
            else a vehicle (:func:`vehicle_kmh`).
        flat_kmh
            Speed on flat ground, km/h.
        roads
            Whether roads serve the team: vehicles at the roads' speeds,
            others at ``flat_kmh``. False: roads are plain terrain.
        reverse
            Give each terrain edge a → b the time of b → a (the slope
            negated): the graph transposed, since every terrain edge has its
            opposite; a search on it gives the time *to* its sources.
        """
        grid = self.grid
        walk = tobler_kmh(-self.slope.astype(np.float64)) if reverse else self.walk_kmh
        if _drives(mode):
            hours = self.km / np.maximum(flat_kmh * self.drive, walk)
            road_kmh = grid.road_kmh
        else:
            hours = self.km * (float(tobler_kmh(0.0)) / flat_kmh) / walk
            road_kmh = np.full(grid.road_kmh.size, flat_kmh)
        if roads:
            road_h = np.maximum(grid.road_length_m, 1e-3) / (road_kmh * 1000.0)
        else:
            road_h = np.full(grid.road_src.size, 1e6)  # never taken
        links = np.full(2 * grid.road_cell.size, _EPS_H)
        other = np.concatenate([road_h, links, self.source_hours + _EPS_H])
        hours[self.other_pos] = other[self.other_id]
        return csr_matrix((hours, self.indices, self.indptr), shape=(self.size, self.size))


def _fastest_per_pair(src: IntArray, dst: IntArray, hours: FloatArray) -> IntArray:
    """Return the positions of the fastest of parallel edges."""
    key = src.astype(np.int64) * (int(max(src.max(), dst.max())) + 1) + dst
    order = np.lexsort((hours, key))
    key = key[order]
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    return order[first]


def cost_grid(
    dem: terrain.DEM,
    *,
    mask: NDArray[np.bool_] | None = None,
    factor: int = 1,
    roads: gpd.GeoDataFrame | None = None,
) -> CostGrid:
    """Return the 16-neighbour graph of a DEM tile, averaged ``factor × factor``.

    Parameters
    ----------
    dem
        A DEM tile (local metric grid).
    mask
        Cells of the averaged grid to keep (e.g. a corridor); all if None.
        Cells without elevation are never kept.
    factor
        Tile cells averaged into one cost cell along each axis.
    roads
        Road lines in EPSG:4326 with optional ``speed_kmh`` and ``class``.
    """
    elevation = _block_mean(dem.elevation_m, factor)
    transform = dem.transform @ _scale(factor)
    valid = np.isfinite(elevation)
    if mask is not None:
        valid &= mask
    node = np.full(valid.shape, -1, dtype=np.int64)
    node[valid] = np.arange(int(valid.sum()))
    cell = float(abs(transform.a))
    src, dst, length, slope = [], [], [], []
    rows, cols = valid.shape
    for dr, dc in _OFFSETS:
        r0, r1 = max(0, -dr), rows - max(0, dr)
        c0, c1 = max(0, -dc), cols - max(0, dc)
        a = node[r0:r1, c0:c1]
        b = node[r0 + dr : r1 + dr, c0 + dc : c1 + dc]
        ok = (a >= 0) & (b >= 0)
        run = cell * math.hypot(dr, dc)
        za = elevation[r0:r1, c0:c1][ok]
        zb = elevation[r0 + dr : r1 + dr, c0 + dc : c1 + dc][ok]
        src.append(a[ok])
        dst.append(b[ok])
        length.append(np.full(za.size, run))
        slope.append(((zb - za) / run).astype(float))
    grid = CostGrid(
        dem=dem,
        transform=transform,
        node=node,
        src=np.concatenate(src),
        dst=np.concatenate(dst),
        length_m=np.concatenate(length),
        slope=np.concatenate(slope),
        road_cell=np.zeros(0, dtype=np.int64),
        road_src=np.zeros(0, dtype=np.int64),
        road_dst=np.zeros(0, dtype=np.int64),
        road_length_m=np.zeros(0),
        road_kmh=np.zeros(0),
    )
    if roads is not None and len(roads):
        rs, rd, rl, rk = _road_edges(grid, roads)
        if rs.size:  # the fastest of the roads that join the same two cells
            keep = _fastest_per_pair(rs, rd, rl / rk)
            rs, rd, rl, rk = rs[keep], rd[keep], rl[keep], rk[keep]
            cells, inverse = np.unique(np.concatenate([rs, rd]), return_inverse=True)
            grid = replace(
                grid,
                road_cell=cells.astype(np.int64),
                road_src=inverse[: rs.size].astype(np.int64),
                road_dst=inverse[rs.size :].astype(np.int64),
                road_length_m=rl,
                road_kmh=rk,
            )
    return grid


def _scale(factor: int) -> Any:
    from affine import Affine

    return Affine.scale(factor)


def _block_mean(z: NDArray[np.floating], factor: int) -> FloatArray:
    """Return the mean of ``factor × factor`` blocks (NaN-aware; edges trimmed)."""
    grid: FloatArray = np.asarray(z, dtype=np.float64)
    if factor <= 1:
        return grid
    z = grid
    rows, cols = (z.shape[0] // factor) * factor, (z.shape[1] // factor) * factor
    blocks = z[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor)
    count = np.isfinite(blocks).sum(axis=(1, 3))
    total = np.nansum(blocks, axis=(1, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _road_edges(
    grid: CostGrid, roads: gpd.GeoDataFrame
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Return road edges between consecutive cells along each road, both ways.

    Each road is densified to half a cell in grid metres; a run of its
    vertices in one cell stands at the along-road position nearest the
    cell's centre, and an edge between two runs is as long as the road
    between those positions (so a road's time is its own length over its
    speed, not the grid's staircase).
    """
    speed = road_speeds(roads)
    lines = roads.geometry.to_numpy()
    dem = grid.dem

    def to_grid(xy: FloatArray) -> FloatArray:
        x, y = dem.to_grid(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    parts, which = shapely.get_parts(shapely.transform(lines, to_grid), return_index=True)
    parts = shapely.segmentize(parts, grid.cell_m / 2.0)
    xy, part = shapely.get_coordinates(parts, return_index=True)
    if xy.shape[0] < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), np.zeros(0)
    step = np.hypot(*np.diff(xy, axis=0).T)
    same_part = part[1:] == part[:-1]
    along = np.concatenate([[0.0], np.cumsum(np.where(same_part, step, 0.0))])
    cell = grid.cell_of(xy[:, 0], xy[:, 1])
    # runs of one cell within one part
    new_run = np.ones(cell.size, dtype=bool)
    new_run[1:] = (cell[1:] != cell[:-1]) | ~same_part
    run = np.cumsum(new_run) - 1
    starts = np.flatnonzero(new_run)
    run_cell = cell[starts]
    run_part = part[starts]
    lo = along[starts]
    hi = np.maximum.reduceat(along, starts)
    cx, cy = grid.xy(np.maximum(run_cell, 0))
    pos = shapely.line_locate_point(parts[run_part], shapely.points(cx, cy))
    base = along[np.searchsorted(part, run_part)]  # along-road position of each part's start
    pos = np.clip(base + pos, lo, hi)
    del run
    link = (run_part[1:] == run_part[:-1]) & (run_cell[1:] >= 0) & (run_cell[:-1] >= 0)
    a, b = run_cell[:-1][link], run_cell[1:][link]
    length = (pos[1:] - pos[:-1])[link]
    kmh = speed[which[run_part[1:][link]]]
    return (
        np.concatenate([a, b]),
        np.concatenate([b, a]),
        np.concatenate([length, length]),
        np.concatenate([kmh, kmh]),
    )


# --------------------------------------------------------------------- one tile


@dataclass(frozen=True)
class _Sources:
    """Posts joined to a grid: entry node and the time to reach it, hours."""

    post: IntArray  # index into posts
    node: IntArray
    hours: FloatArray


def _join_posts(grid: CostGrid, posts: gpd.GeoDataFrame, *, detour_factor: float) -> _Sources:
    """Join each post to the cell it stands in, else to the nearest cell of the graph."""
    if not len(posts):
        return _Sources(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    x, y = grid.dem.to_grid(posts.geometry.x.to_numpy(), posts.geometry.y.to_numpy())
    node = grid.cell_of(x, y)
    hours = np.zeros(node.size)
    out = np.flatnonzero(node < 0)
    if out.size and grid.n_nodes:
        cx, cy = grid.xy(np.arange(grid.n_nodes))
        dist, nearest = cKDTree(np.column_stack([cx, cy])).query(np.column_stack([x, y])[out])
        node[out] = nearest
        kmh = posts["reaction_speed_kmh"].to_numpy(dtype=float)[out]
        hours[out] = dist * detour_factor / (kmh * 1000.0)
    keep = node >= 0
    return _Sources(np.flatnonzero(keep).astype(np.int64), node[keep], hours[keep])


def _fastest(
    net: Network,
    sources: _Sources,
    posts: gpd.GeoDataFrame,
    *,
    limit_h: float,
    watch: IntArray,
    floor_h: float,
) -> tuple[FloatArray, IntArray]:
    """Return per cell the least travel time (h) from the posts and which post.

    The posts on the grid go first; a post off the grid whose straight-line
    leg alone takes longer than the slowest of their times at the ``watch``
    cells (the target points) and than ``floor_h`` (the longest isochrone)
    cannot be the fastest anywhere that matters, and is skipped.
    """
    n = net.grid.n_nodes
    best = np.full(n, np.inf)
    which = np.full(n, -1, dtype=np.int64)
    on_grid = sources.hours == 0.0
    for phase in (on_grid, ~on_grid):
        if phase is not on_grid and on_grid.any():
            seen = best[watch[watch >= 0]]
            bound = max(float(seen.max()) if seen.size else np.inf, floor_h)
            phase = phase & (sources.hours < bound)
        members = np.flatnonzero(phase)
        for (mode, kmh), group in _speed_groups(posts, sources.post[members]):
            group = members[group]
            g = net.graph(mode, kmh)
            dist, _, origin = dijkstra(
                g,
                indices=net.first_source + group,
                min_only=True,
                limit=limit_h,
                return_predecessors=True,
            )
            dist = dist[:n]
            better = dist < best
            best = np.where(better, dist, best)
            source = np.maximum(origin[:n] - net.first_source, 0)
            which = np.where(better, sources.post[source], which)
    return best, which


def _drives(mode: str) -> bool:
    return mode not in ("foot", "horse")


def _post_modes(posts: gpd.GeoDataFrame) -> NDArray[np.str_]:
    """Return each post's mode (``vehicle`` where the layer gives none)."""
    if "mode" not in posts:
        return np.full(len(posts), "vehicle")
    mode = posts["mode"].astype("string").fillna("").str.strip().str.lower()
    return np.where(mode == "", "vehicle", mode).astype(str)


def _speed_groups(
    posts: gpd.GeoDataFrame, members: IntArray
) -> list[tuple[tuple[str, float], IntArray]]:
    """Group posts (``members``: positions in ``posts``) by mode and flat speed.

    Returns each ``(mode, km/h)`` with the positions in ``members`` of its posts.
    """
    mode = _post_modes(posts)[members]
    kmh = posts["reaction_speed_kmh"].to_numpy(dtype=float)[members]
    keys = sorted(set(zip(mode.tolist(), kmh.tolist(), strict=True)))
    return [(key, np.flatnonzero((mode == key[0]) & (kmh == key[1]))) for key in keys]


def _corridor(
    dem: terrain.DEM,
    factor: int,
    x: FloatArray,
    y: FloatArray,
    width_m: float,
) -> tuple[NDArray[np.bool_], FloatArray, NDArray[np.intp]]:
    """Return the cells within ``width_m`` of the points, their distance (m), and nearest point.

    Distances are from cell centres to the centre of the nearest cell holding
    a point (exact Euclidean distance transform).
    """
    shape = (dem.shape[0] // factor, dem.shape[1] // factor) if factor > 1 else dem.shape
    t = dem.transform @ _scale(factor)
    cell = float(abs(t.a))
    col = np.floor((x - t.c) / t.a).astype(np.int64)
    row = np.floor((y - t.f) / t.e).astype(np.int64)
    ok = (col >= 0) & (col < shape[1]) & (row >= 0) & (row < shape[0])
    seed = np.ones(shape, dtype=bool)
    owner = np.full(shape, -1, dtype=np.intp)
    seed[row[ok], col[ok]] = False
    owner[row[ok], col[ok]] = np.flatnonzero(ok)
    if not ok.any():
        return np.zeros(shape, dtype=bool), np.full(shape, np.inf), owner
    dist, (ri, ci) = ndimage.distance_transform_edt(seed, return_indices=True)
    dist_m = dist * cell
    return dist_m <= width_m, dist_m, owner[ri, ci]


@dataclass(frozen=True)
class _TileResult:
    hours: FloatArray  # per target of the tile
    post: IntArray
    escape_h: FloatArray
    on_grid: NDArray[np.bool_]  # the target's cell is in the graph
    isochrones: list[tuple[int, Any]]  # (band, geometry in lon/lat)


def _tile_reaction(
    dem: terrain.DEM,
    targets: Points,
    line: tuple[FloatArray, FloatArray, FloatArray | None],
    posts: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame | None,
    *,
    crosser_speed_kmh: float,
    escape_h: float,
    detour_factor: float,
    cell_m: float,
    isochrone_min: Sequence[int],
) -> _TileResult:
    """Return travel, escape and isochrones for the targets of one tile.

    ``line`` is ``(lon, lat, azimuth_deg)`` of the border points over the
    tile's grid (its own targets and its neighbours'): the corridor and the
    zone are measured from them, so that the line does not seem to end at a
    tile's edge. No azimuths: no escape surface.
    """
    factor = max(1, round(cell_m / dem.cell_m))
    x, y = dem.to_grid(targets.lon, targets.lat)
    lx, ly = dem.to_grid(line[0], line[1])
    depth_m = escape_h * crosser_speed_kmh * 1000.0
    px, py = dem.to_grid(posts.geometry.x.to_numpy(), posts.geometry.y.to_numpy())
    t = dem.transform @ _scale(factor)
    rows, cols = dem.shape[0] // factor, dem.shape[1] // factor
    c, r = (px - t.c) / t.a, (py - t.f) / t.e
    inside = (c >= 0) & (c < cols) & (r >= 0) & (r < rows)
    post_dist = np.zeros(0)
    if inside.any() and x.size:
        post_dist, _ = cKDTree(np.column_stack([x, y])).query(np.column_stack([px, py])[inside])
    width = max([depth_m, *post_dist.tolist()]) + CORRIDOR_MARGIN_M
    mask, dist_m, nearest = _corridor(dem, factor, lx, ly, width)
    grid = cost_grid(dem, mask=mask, factor=factor, roads=roads)
    target_node = grid.cell_of(x, y)
    sources = _join_posts(grid, posts, detour_factor=detour_factor)
    net = grid.network(sources)

    escape = np.full(x.size, escape_h)
    if line[2] is not None and grid.n_nodes:
        escape = _escape_hours(
            net, dist_m, nearest, (lx, ly, line[2]), target_node,
            crosser_speed_kmh=crosser_speed_kmh, depth_m=depth_m, fallback_h=escape_h,
        )  # fmt: skip
    finite = escape[np.isfinite(escape)]
    slowest = float(finite.max()) if finite.size else escape_h
    limit = min(
        max(ESCAPES_TO_LIMIT * slowest, max(isochrone_min, default=0) / 60.0), MAX_RESPONSE_H
    )
    hours = np.full(x.size, np.inf)
    post = np.full(x.size, -1, dtype=np.int64)
    bands: list[tuple[int, Any]] = []
    if grid.n_nodes and len(posts):
        best, which = _fastest(
            net,
            sources,
            posts,
            limit_h=limit,
            watch=target_node,
            floor_h=max(isochrone_min, default=0) / 60.0,
        )
        on = target_node >= 0
        hours[on] = best[target_node[on]]
        post[on] = which[target_node[on]]
        bands = _bands(grid, best, isochrone_min)
    return _TileResult(
        hours=hours, post=post, escape_h=escape, on_grid=target_node >= 0, isochrones=bands
    )


def _over_grid(dem: terrain.DEM, lon: FloatArray, lat: FloatArray) -> IntArray:
    """Return the points that fall inside the tile's grid."""
    x, y = dem.to_grid(lon, lat)
    col, row = dem.to_colrow(x, y)
    rows, cols = dem.shape
    return np.flatnonzero((col >= -0.5) & (col < cols - 0.5) & (row >= -0.5) & (row < rows - 0.5))


def _escape_hours(
    net: Network,
    dist_m: FloatArray,
    nearest: NDArray[np.intp],
    line: tuple[FloatArray, FloatArray, FloatArray],
    target_node: IntArray,
    *,
    crosser_speed_kmh: float,
    depth_m: float,
    fallback_h: float,
) -> FloatArray:
    """Return each target's least walking time to ``depth_m`` inside the own side, hours.

    The exits are the cells at least ``depth_m`` from the nearest border
    point (``line``: grid ``x, y`` and azimuth) and right of its direction.
    """
    lx, ly, laz = line
    grid = net.grid
    rows, cols = np.nonzero(grid.node >= 0)
    owner = nearest[rows, cols]
    cx, cy = grid.xy(np.arange(grid.n_nodes))
    az = np.radians(laz[owner] + 90.0)  # the own side is right of chainage
    right = (cx - lx[owner]) * np.sin(az) + (cy - ly[owner]) * np.cos(az) > 0
    exits = np.flatnonzero(right & (dist_m[rows, cols] >= depth_m))
    out = np.full(target_node.size, fallback_h)
    if not exits.size:
        return out
    walk = net.graph("foot", crosser_speed_kmh, roads=False, reverse=True)
    dist = dijkstra(walk, indices=exits, min_only=True)
    on = target_node >= 0
    out[on] = dist[target_node[on]]
    return out


def _bands(
    grid: CostGrid, hours: FloatArray, isochrone_min: Sequence[int]
) -> list[tuple[int, Any]]:
    """Return ``(band, polygon in lon/lat)``: cells by reaction-time band, simplified."""
    from rasterio import features

    edges = np.asarray(sorted(isochrone_min), dtype=float) / 60.0
    if not edges.size:
        return []
    band = np.full(grid.node.shape, -1, dtype=np.int16)
    on = grid.node >= 0
    minutes = np.full(grid.node.shape, np.inf)
    minutes[on] = hours[grid.node[on]]
    within = np.isfinite(minutes) & (minutes <= edges[-1])
    band[within] = np.searchsorted(edges, minutes[within], side="left").astype(np.int16)
    out: list[tuple[int, Any]] = []
    dem = grid.dem

    def to_lonlat(xy: FloatArray) -> FloatArray:
        lon, lat = dem.to_lonlat(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    shapes = features.shapes(band, mask=within, transform=grid.transform, connectivity=4)
    by_band: dict[int, list[Any]] = {}
    for geom, value in shapes:
        by_band.setdefault(int(value), []).append(shapely.geometry.shape(geom))
    for b, polys in sorted(by_band.items()):
        merged = shapely.simplify(shapely.union_all(polys), grid.cell_m / 2.0)
        out.append((b, shapely.make_valid(shapely.transform(merged, to_lonlat))))
    return out


# --------------------------------------------------------------------- public API


@dataclass(frozen=True)
class Reaction:
    """Reaction over the ground at the target points.

    Attributes
    ----------
    hours
        Travel time of the fastest team to each point, hours (``inf``: no
        post, or beyond the search limit).
    post
        Position in the posts layer of the fastest post (``-1``: none).
    escape_h
        Crossers' mean time to clear the border zone at each point, hours.
    isochrones
        Reaction-time bands from the posts: ``minutes_from``, ``minutes_to``,
        polygons in EPSG:4326 (empty without terrain).
    method
        ``"terrain"`` (cost-distance over the DEM) or ``"straight line"``.
    """

    hours: FloatArray
    post: IntArray
    escape_h: FloatArray
    isochrones: gpd.GeoDataFrame
    method: str

    @property
    def minutes(self) -> FloatArray:
        """Travel time in minutes."""
        return self.hours * 60.0


def reaction(
    targets: Points,
    posts: gpd.GeoDataFrame,
    tiles: Sequence[terrain.DEM] = (),
    *,
    roads: gpd.GeoDataFrame | None = None,
    azimuth_deg: FloatArray | None = None,
    crosser_speed_kmh: float = 3.0,
    escape_h: float = 1.0,
    detour_factor: float = 1.4,
    cell_m: float = RESPONSE_CELL_M,
    isochrone_min: Sequence[int] = ISOCHRONE_MIN,
) -> Reaction:
    """Return the fastest team's travel time, its post, and the crossers' escape time.

    See the module docstring for the model.

    Parameters
    ----------
    targets
        Points in degrees (``lon``, ``lat``), e.g. the target points.
    posts
        Posts (points, EPSG:4326) with ``reaction_speed_kmh`` and optionally
        ``mode`` (``foot``, ``vehicle``, ``horse``; ``vehicle`` if absent).
    tiles
        DEM tiles (see :func:`surveil.assessment.load_terrain`); none: the
        straight-line model.
    roads
        Road lines (EPSG:4326) with optional ``speed_kmh`` and ``class``.
    azimuth_deg
        Direction of the line at each point (the own side is to its right);
        None: no escape surface, ``escape_h`` everywhere.
    crosser_speed_kmh
        Crossers' walking speed on flat ground, km/h.
    escape_h
        Crossers' time to clear the zone on flat ground, hours; the zone is
        ``escape_h · crosser_speed_kmh`` deep.
    detour_factor
        Road over straight-line distance, for the straight-line model and
        for posts outside a tile.
    cell_m
        Smallest cost-grid cell, metres.
    isochrone_min
        Upper bounds of the isochrone bands, minutes.

    Examples
    --------
    >>> from surveil.datasets import load_demo
    >>> from surveil.segments import sample_targets, segment_border
    >>> demo = load_demo("synthetic")
    >>> targets = sample_targets(segment_border(demo.border), sample_m=500)
    >>> r = reaction(targets, demo.posts)  # no DEM: straight line
    >>> r.method, bool(np.isfinite(r.hours).all())
    ('straight line', True)
    """
    n = len(targets.lon)
    lon = np.asarray(targets.lon, dtype=float)
    lat = np.asarray(targets.lat, dtype=float)
    hours = np.full(n, np.inf)
    post = np.full(n, -1, dtype=np.int64)
    escape = np.full(n, float(escape_h))
    bands: list[tuple[int, Any]] = []
    on_grid = np.zeros(n, dtype=bool)
    roads = roads if roads is not None and len(roads) else None
    if tiles and n:
        tile = terrain.tile_of(tiles, lon, lat)
        azimuth = np.zeros(n) if azimuth_deg is None else np.asarray(azimuth_deg, dtype=float)
        for i, dem in enumerate(tiles):
            sel = np.flatnonzero(tile == i)
            if not sel.size:
                continue
            near = np.union1d(sel, _over_grid(dem, lon, lat))
            got = _tile_reaction(
                dem,
                _LonLat(lon[sel], lat[sel]),
                (lon[near], lat[near], None if azimuth_deg is None else azimuth[near]),
                posts,
                roads,
                crosser_speed_kmh=crosser_speed_kmh,
                escape_h=escape_h,
                detour_factor=detour_factor,
                cell_m=cell_m,
                isochrone_min=isochrone_min,
            )
            hours[sel], post[sel], escape[sel] = got.hours, got.post, got.escape_h
            on_grid[sel] = got.on_grid
            bands += got.isochrones
    # points off every tile's graph (no elevation there): the straight line
    off = np.flatnonzero(~on_grid)
    if off.size and len(posts):
        straight, nearest = _straight_line(lon[off], lat[off], posts, detour_factor)
        hours[off], post[off] = straight, nearest
        escape[off] = escape_h
    return Reaction(
        hours=hours,
        post=post,
        escape_h=escape,
        isochrones=_isochrone_frame(bands, isochrone_min),
        method="terrain" if tiles else "straight line",
    )


@dataclass(frozen=True)
class _LonLat:
    lon: FloatArray
    lat: FloatArray

    def __len__(self) -> int:
        return int(self.lon.size)


def _straight_line(
    lon: FloatArray, lat: FloatArray, posts: gpd.GeoDataFrame, detour_factor: float
) -> tuple[FloatArray, IntArray]:
    """Return the straight-line model's time (h) and the fastest post per point."""
    return coverage.straight_line_reaction(lon, lat, posts, detour_factor=detour_factor)


def _isochrone_frame(
    bands: list[tuple[int, Any]], isochrone_min: Sequence[int]
) -> gpd.GeoDataFrame:
    """Return one row per band (tiles joined): ``minutes_from``, ``minutes_to``, geometry."""
    edges = [0, *sorted(int(m) for m in isochrone_min)]
    rows = []
    for b in sorted({b for b, _ in bands}):
        geom = shapely.union_all([g for k, g in bands if k == b])
        if not geom.is_empty:
            rows.append({"minutes_from": edges[b], "minutes_to": edges[b + 1], "geometry": geom})
    if not rows:
        return gpd.GeoDataFrame(
            {"minutes_from": pd.Series(dtype=int), "minutes_to": pd.Series(dtype=int)},
            geometry=gpd.GeoSeries([], crs="EPSG:4326"),
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def travel_minutes(
    targets: Points,
    posts: gpd.GeoDataFrame,
    tiles: Sequence[terrain.DEM] = (),
    roads: gpd.GeoDataFrame | None = None,
    *,
    detour_factor: float = 1.4,
    cell_m: float = RESPONSE_CELL_M,
    limit_h: float = MAX_RESPONSE_H,
) -> FloatArray:
    """Return each post's travel time to each point, minutes, shape ``(points, posts)``.

    The same cost surface as :func:`reaction` (one Dijkstra per post and
    tile, stopped at ``limit_h``; ``inf`` beyond it, and for posts that
    cannot reach a tile within it even in a straight line at the top speed).
    Its work grows with posts × tile area: for the fastest post alone use
    :func:`fastest_post`, which runs one search per mode and speed.

    Parameters
    ----------
    targets
        Points in degrees (``lon``, ``lat``).
    posts
        Posts with ``reaction_speed_kmh`` and optionally ``mode``.
    tiles
        DEM tiles; none: the straight-line model (``detour_factor``).
    roads
        Road lines with optional ``speed_kmh`` and ``class``.
    detour_factor, cell_m
        As for :func:`reaction`.
    limit_h
        Longest time searched, hours.
    """
    lon = np.asarray(targets.lon, dtype=float)
    lat = np.asarray(targets.lat, dtype=float)
    out = np.full((lon.size, len(posts)), np.inf)
    roads = roads if roads is not None and len(roads) else None
    if not tiles:
        for j in range(len(posts)):
            out[:, j] = _straight_line(lon, lat, posts.iloc[[j]], detour_factor)[0]
        return out * 60.0
    tile = terrain.tile_of(tiles, lon, lat)
    for i, dem in enumerate(tiles):
        sel = np.flatnonzero(tile == i)
        if not sel.size:
            continue
        factor = max(1, round(cell_m / dem.cell_m))
        x, y = dem.to_grid(lon[sel], lat[sel])
        px, py = dem.to_grid(posts.geometry.x.to_numpy(), posts.geometry.y.to_numpy())
        far = cKDTree(np.column_stack([x, y])).query(np.column_stack([px, py]))[0]
        reach = far / (_top_kmh(posts, roads) * 1000.0) <= limit_h  # else inf anyway
        if not reach.any():
            continue
        width = float(far[reach].max())
        mask, _, _ = _corridor(dem, factor, x, y, width + CORRIDOR_MARGIN_M)
        grid = cost_grid(dem, mask=mask, factor=factor, roads=roads)
        node = grid.cell_of(x, y)
        on = node >= 0
        near = posts.iloc[np.flatnonzero(reach)]
        sources = _join_posts(grid, near, detour_factor=detour_factor)
        net = grid.network(sources)
        for (mode, kmh), group in _speed_groups(near, sources.post):
            g = net.graph(mode, kmh)
            for k in group:
                dist = dijkstra(g, indices=net.first_source + k, limit=limit_h)
                out[sel[on], np.flatnonzero(reach)[sources.post[k]]] = dist[node[on]] * 60.0
        off = sel[~on]  # no elevation there: the straight line
        for column in np.flatnonzero(reach) if off.size else ():
            one = posts.iloc[[int(column)]]
            out[off, column] = _straight_line(lon[off], lat[off], one, detour_factor)[0] * 60.0
    return out


def _top_kmh(posts: gpd.GeoDataFrame, roads: gpd.GeoDataFrame | None) -> float:
    """Return the fastest speed any team can reach, km/h."""
    top = float(posts["reaction_speed_kmh"].max()) if len(posts) else 0.0
    if roads is not None:
        top = max(top, float(road_speeds(roads).max()))
    return max(top, 6.0)


def fastest_post(
    targets: Points,
    posts: gpd.GeoDataFrame,
    tiles: Sequence[terrain.DEM] = (),
    roads: gpd.GeoDataFrame | None = None,
    *,
    detour_factor: float = 1.4,
    cell_m: float = RESPONSE_CELL_M,
) -> tuple[FloatArray, IntArray]:
    """Return the fastest team's travel time (minutes) to each point and its post.

    ``(minutes, post)``: ``post`` is the position in ``posts`` (``-1`` where
    no post reaches the point within the search limit). This is what
    :func:`reaction` computes, without the escape surface and isochrones.
    """
    got = reaction(
        targets,
        posts,
        tiles,
        roads=roads,
        detour_factor=detour_factor,
        cell_m=cell_m,
        isochrone_min=(),
    )
    return got.minutes, got.post


def segment_responders(
    post: IntArray, hours: FloatArray, segment: IntArray, n_segments: int
) -> tuple[IntArray, FloatArray]:
    """Return per segment the post that reaches most of its points first, and its mean time.

    Parameters
    ----------
    post
        Fastest post at each target point (:attr:`Reaction.post`; ``-1``: none).
    hours
        The fastest team's travel time at each point, hours (:attr:`Reaction.hours`).
    segment
        Segment of each target point.
    n_segments
        Number of segments.

    Returns
    -------
    tuple
        The post (position in the posts layer; ``-1`` where no post reaches
        any point of the segment; ties go to the lower position) and the mean
        travel time over the segment's reached points, hours (``inf``: none).

    Examples
    --------
    >>> post = np.array([0, 1, 1, -1, -1])
    >>> hours = np.array([0.5, 0.2, 0.4, np.inf, np.inf])
    >>> index, best = segment_responders(post, hours, np.array([0, 0, 0, 1, 1]), 2)
    >>> index.tolist(), [round(float(h), 3) for h in best]
    ([1, -1], [0.367, inf])
    """
    post = np.asarray(post, dtype=np.int64)
    segment = np.asarray(segment, dtype=np.int64)
    index = np.full(n_segments, -1, dtype=np.int64)
    best = np.full(n_segments, np.inf)
    reached = post >= 0
    if not reached.any():
        return index, best
    width = int(post.max()) + 1
    key = segment[reached] * width + post[reached]
    keys, counts = np.unique(key, return_counts=True)
    seg = keys // width
    # per segment the most frequent post, the lower position on a tie
    order = np.lexsort((keys % width, -counts, seg))
    first = np.r_[True, seg[order][1:] != seg[order][:-1]]
    index[seg[order][first]] = (keys % width)[order][first]
    total = np.bincount(segment[reached], weights=hours[reached], minlength=n_segments)
    count = np.bincount(segment[reached], minlength=n_segments)
    with np.errstate(invalid="ignore", divide="ignore"):
        best = np.where(count > 0, total / np.maximum(count, 1), np.inf)
    return index, best
