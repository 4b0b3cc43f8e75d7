"""Choose means to place: what a budget buys, and the cheapest set that closes the gaps.

A placement problem is built from the coverage of every *option* (a site ×
means × mast × orientation) at every target point: ``p[i, j]``, the detection
probability option j adds at point i, stored sparse, with the existing
detection ``P[i]`` fixed and a risk weight ``w[i]``. Options are shared by all
gaps (a tower serving two gaps is bought once); options of one site exclude
each other (one means per site).

**Budget mode** maximises the risk-weighted detection

.. math::

    F(x) = \\sum_i w_i \\Bigl(1 - (1 - P_i) \\prod_j (1 - p_{ij})^{x_j}\\Bigr)

under a CAPEX limit, an annual-cost limit and/or a staff limit. ``F`` is
monotone submodular, so the lazy greedy by gain per unit of cost, together
with the best single option, reaches at least ``(1 − 1/e) / 2`` of the optimum
for one budget (Khuller, Moss and Naor 1999; the lazy evaluation is that of
Leskovec et al. 2007). With several limits the cost of an option is the sum
of its shares of each limit. Where the instance is small enough, an exact MILP
through HiGHS (:func:`scipy.optimize.milp`) replaces the concave
``1 − (1 − P_i) e^{−z_i}``, ``z_i = Σ_j a_ij x_j``, ``a_ij = −ln(1 − p_ij)``,
by its tangents at fixed detection levels (an outer approximation): its
optimum bounds ``F`` from above, the chosen set is evaluated exactly, and the
gap between the two is reported.

**Close-gaps mode** finds the cheapest set (life-cycle cost: CAPEX +
``lifecycle_years`` × OPEX) that lifts every reachable target point to
``target_pd`` — set multicover in log space,

.. math::

    \\sum_j a_{ij} x_j \\ge b_i = \\ln(1 - P_i) - \\ln(1 - t)
    \\quad \\text{for every point with } b_i > 0,

solved by the greedy for covering problems and, where small enough, exactly
by MILP. Points that no option (all together) can lift to target are
reported as unreachable.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from surveil.errors import InfeasibleError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_P_MAX = 1.0 - 1e-12
#: Detection levels where the MILP's tangents touch the concave objective.
TANGENT_LEVELS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 0.999)
#: Largest instance (options, and non-zeros × tangents) solved by MILP under ``method="auto"``.
MILP_MAX_OPTIONS = 400
MILP_MAX_TERMS = 400_000
#: Largest close-gaps instance (options, non-zeros) solved by MILP under ``method="auto"``.
COVER_MILP_MAX_OPTIONS = 50_000
COVER_MILP_MAX_TERMS = 5_000_000
#: Strongest single options tried as seeds of the budget greedy.
GREEDY_SEEDS = 20
#: Most work (options chosen × options) the drop-and-refill swaps of the
#: budget greedy take on; each swap is a whole greedy pass, so at national
#: scale (thousands chosen of tens of thousands) they are left out.
IMPROVE_MAX_WORK = 2_000_000
#: Seconds one MILP may run before HiGHS returns its best set, bound and gap.
MILP_TIME_LIMIT_S = 60.0


@dataclass(frozen=True)
class Options:
    """Coverage and cost of every placement option.

    Attributes
    ----------
    p
        Detection probability each option adds at each target point,
        ``(points, options)``, sparse.
    existing
        Detection of the existing means at each point (fixed), ``(points,)``.
    weight
        Risk weight of each point (for example risk per km × the point's km).
    capex_eur, opex_eur_per_year, staff_fte
        Cost of each option, ``(options,)``.
    site
        Site of each option; options of one site exclude each other.
    """

    p: sp.csc_array
    existing: FloatArray
    weight: FloatArray
    capex_eur: FloatArray
    opex_eur_per_year: FloatArray
    staff_fte: FloatArray
    site: IntArray

    def __post_init__(self) -> None:
        n_points, n_options = self.p.shape
        for name in ("existing", "weight"):
            if getattr(self, name).shape != (n_points,):
                raise ValueError(f"{name} must have one value per point ({n_points})")
        for name in ("capex_eur", "opex_eur_per_year", "staff_fte", "site"):
            if getattr(self, name).shape != (n_options,):
                raise ValueError(f"{name} must have one value per option ({n_options})")
        data = self.p.data
        if data.size and (data.min() < 0 or data.max() > 1):
            raise ValueError("option detection probabilities must lie in [0, 1]")

    @property
    def n_options(self) -> int:
        """Number of options."""
        return int(self.p.shape[1])

    @functools.cached_property
    def log_miss(self) -> sp.csc_array:
        """``a_ij = −ln(1 − p_ij)``: each option's contribution in log space."""
        a = self.p.copy()
        a.data = -np.log1p(-np.minimum(a.data, _P_MAX))
        return sp.csc_array(a)

    def detection(self, chosen: Sequence[int] | IntArray) -> FloatArray:
        """Return the detection at every point with the chosen options added."""
        chosen = np.asarray(chosen, dtype=np.int64)
        z = self.log_miss[:, chosen].sum(axis=1) if chosen.size else 0.0
        return 1.0 - (1.0 - self.existing) * np.exp(-np.asarray(z, dtype=float))

    def value(self, chosen: Sequence[int] | IntArray) -> float:
        """Return the risk-weighted detection ``F`` of a set of options."""
        return float(self.weight @ self.detection(chosen))


@dataclass(frozen=True)
class PlacementResult:
    """What a solver chose.

    Attributes
    ----------
    chosen
        Options chosen, in the order taken (greedy) or by index (MILP).
    value
        Risk-weighted detection ``F`` of the choice.
    bound
        An upper bound of the best ``F`` (budget mode; NaN where none is
        known), or a lower bound of the cheapest cost (close-gaps mode).
    gap
        Relative distance between ``value`` (or cost) and ``bound``.
    method
        ``"greedy"`` or ``"milp"``.
    capex_eur, opex_eur_per_year, staff_fte
        Totals of the chosen options.
    unreachable
        Points (indices) that no option can lift to the target (close-gaps).
    """

    chosen: IntArray
    value: float
    bound: float
    gap: float
    method: str
    capex_eur: float
    opex_eur_per_year: float
    staff_fte: float
    unreachable: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


class Placement:
    """A placement problem over a set of options; ``solve_*`` return a :class:`PlacementResult`.

    Examples
    --------
    Two points, three options; option 2 covers both at twice the price:

    >>> import scipy.sparse as sp
    >>> options = Options(
    ...     p=sp.csc_array(np.array([[0.9, 0.0, 0.8], [0.0, 0.9, 0.8]])),
    ...     existing=np.zeros(2), weight=np.ones(2),
    ...     capex_eur=np.array([100.0, 100.0, 150.0]), opex_eur_per_year=np.zeros(3),
    ...     staff_fte=np.zeros(3), site=np.arange(3))
    >>> problem = Placement.from_options(options)
    >>> problem.solve_budget(capex_eur=150.0).chosen.tolist()
    [2]
    >>> problem.solve_close_gaps(target_pd=0.85).chosen.tolist()
    [0, 1]
    """

    def __init__(
        self,
        options: Options,
        *,
        lifecycle_years: float = 10.0,
        time_limit_s: float = MILP_TIME_LIMIT_S,
    ) -> None:
        self.options = options
        self.lifecycle_years = float(lifecycle_years)
        self.time_limit_s = float(time_limit_s)

    @classmethod
    def from_options(
        cls,
        options: Options,
        *,
        lifecycle_years: float = 10.0,
        time_limit_s: float = MILP_TIME_LIMIT_S,
    ) -> Placement:
        """Build the problem from option coverage and costs.

        ``time_limit_s`` bounds each MILP; stopped there, HiGHS's best set is
        returned with its bound and gap.
        """
        return cls(options, lifecycle_years=lifecycle_years, time_limit_s=time_limit_s)

    # ------------------------------------------------------------------ budget mode

    def solve_budget(
        self,
        *,
        capex_eur: float | None = None,
        opex_eur_per_year: float | None = None,
        staff_fte: float | None = None,
        method: str = "auto",
    ) -> PlacementResult:
        """Maximise risk-weighted detection under the given limits.

        Parameters
        ----------
        capex_eur, opex_eur_per_year, staff_fte
            Limits; None for no limit (at least one must be given).
        method
            ``"greedy"``, ``"milp"`` or ``"auto"`` (MILP when the instance is
            small enough, see :data:`MILP_MAX_OPTIONS`).
        """
        limits = self._limits(capex_eur, opex_eur_per_year, staff_fte)
        if not limits:
            raise ValueError("give at least one limit: capex_eur, opex_eur_per_year or staff_fte")
        if self.use_milp(method):
            return self._budget_milp(limits)
        return self._budget_greedy(limits)

    def _limits(
        self, capex: float | None, opex: float | None, staff: float | None
    ) -> list[tuple[FloatArray, float]]:
        o = self.options
        pairs = ((o.capex_eur, capex), (o.opex_eur_per_year, opex), (o.staff_fte, staff))
        return [(cost, float(limit)) for cost, limit in pairs if limit is not None]

    def use_milp(self, method: str, *, cover: bool = False) -> bool:
        """Tell whether to solve by MILP: asked for, or ``auto`` and small enough.

        The close-gaps MILP is linear in the coverage (one row per point);
        the budget MILP adds a row per point and tangent level, so its
        limits are tighter.
        """
        if method not in ("auto", "greedy", "milp"):
            raise ValueError(f"method is {method!r}; expected 'auto', 'greedy' or 'milp'")
        if method != "auto":
            return method == "milp"
        n, nnz = self.options.n_options, self.options.p.nnz
        if cover:
            return n <= COVER_MILP_MAX_OPTIONS and nnz <= COVER_MILP_MAX_TERMS
        return n <= MILP_MAX_OPTIONS and nnz * len(TANGENT_LEVELS) <= MILP_MAX_TERMS

    def _budget_greedy(self, limits: list[tuple[FloatArray, float]]) -> PlacementResult:
        """Best of the greedy by gain per unit of cost and the greedy by gain alone.

        Taking the better of the two (the cost-benefit and the unit-cost
        greedy of Leskovec et al. 2007) keeps the ``(1 − 1/e) / 2``
        guarantee of greedy plus best single option, and is often much
        closer to the optimum when cheap options crowd out a few costly,
        strong ones.
        """
        o = self.options
        share = np.zeros(o.n_options)  # each option's shares of the limits, summed
        for cost, limit in limits:
            share = share + (cost / limit if limit > 0 else np.where(cost > 0, np.inf, 0.0))
        fits = np.all([cost <= limit + 1e-9 for cost, limit in limits], axis=0)
        costs = (share, np.ones(o.n_options))
        candidates = [greedy_order(o, c, allowed=fits, limits=limits) for c in costs]
        candidates += [np.array([j], dtype=np.int64) for j in _strongest(o, fits, 1)]
        # Seeds: each of the strongest single options, then greedy (a partial
        # enumeration of size one), both ways of costing.
        for j in _strongest(o, fits, GREEDY_SEEDS if o.n_options <= 5000 else 5):
            for c in costs:
                candidates.append(greedy_order(o, c, allowed=fits, limits=limits, start=[j]))
        values = [o.value(c) for c in candidates]
        best = int(np.argmax(values))
        chosen, value = candidates[best], values[best]
        if chosen.size * o.n_options <= IMPROVE_MAX_WORK:
            chosen, value = _improve(o, chosen, value, share, fits, limits)
        return self._result(chosen, value, bound=math.nan, method="greedy")

    def _budget_milp(self, limits: list[tuple[FloatArray, float]]) -> PlacementResult:
        from scipy.optimize import Bounds, LinearConstraint, milp

        o = self.options
        a = o.log_miss
        touched = np.flatnonzero(np.diff(sp.csr_array(a).indptr) > 0)
        m, n = touched.size, o.n_options
        miss0 = 1.0 - o.existing[touched]
        w = o.weight[touched]
        # Variables: x (n binary), v (m continuous gains). Maximise Σ w v.
        c = np.concatenate([np.zeros(n), -w])
        rows = []
        rhs = []
        a_t = sp.csr_array(a)[touched]
        binary = bool(o.p.nnz) and float(o.p.data.min()) >= _P_MAX
        # Binary coverage (every p = 1): the classic maximal-covering rows
        # v_i ≤ miss_i · Σ_j [i covered by j] are exact; otherwise tangents.
        levels = () if binary else TANGENT_LEVELS
        if binary:
            covers = sp.csr_array(o.p)[touched]
            rows.append(sp.hstack([-sp.diags_array(miss0) @ covers, sp.eye_array(m)]))
            rhs.append(np.zeros(m))
        for q in levels:
            zk = -math.log1p(-q)
            fk = miss0 * (1.0 - math.exp(-zk))  # gain at z_k
            slope = miss0 * math.exp(-zk)
            # v_i − slope_i Σ_j a_ij x_j ≤ f_k − slope_i z_k
            rows.append(sp.hstack([-sp.diags_array(slope) @ a_t, sp.eye_array(m)]))
            rhs.append(fk - slope * zk)
        cons = [LinearConstraint(sp.vstack(rows).tocsr(), -np.inf, np.concatenate(rhs))]
        for cost, limit in limits:
            cons.append(
                LinearConstraint(np.concatenate([cost, np.zeros(m)])[None, :], -np.inf, limit)
            )
        cons += self._site_constraints(extra=m)
        bounds = Bounds(np.zeros(n + m), np.concatenate([np.ones(n), miss0]))
        integrality = np.concatenate([np.ones(n), np.zeros(m)])
        res = milp(
            c,
            constraints=cons,
            integrality=integrality,
            bounds=bounds,
            options={"time_limit": self.time_limit_s},
        )
        if res.x is None:
            raise InfeasibleError(f"the placement MILP found no solution ({res.message})")
        chosen = np.flatnonzero(res.x[:n] > 0.5).astype(np.int64)
        base = float(o.weight @ o.existing)
        bound = base + float(-res.mip_dual_bound if res.mip_dual_bound is not None else -res.fun)
        value = o.value(chosen)
        return self._result(chosen, value, bound=max(bound, value), method="milp")

    def _site_constraints(self, *, extra: int = 0) -> list[object]:
        from scipy.optimize import LinearConstraint

        site = self.options.site
        _, inverse, counts = np.unique(site, return_inverse=True, return_counts=True)
        if (counts <= 1).all():
            return []
        rows = np.flatnonzero(counts > 1)
        keep = np.isin(inverse, rows)
        matrix = sp.csr_array(
            (
                np.ones(int(keep.sum())),
                (np.searchsorted(rows, inverse[keep]), np.flatnonzero(keep)),
            ),
            shape=(rows.size, site.size + extra),
        )
        return [LinearConstraint(matrix, -np.inf, 1.0)]

    # ------------------------------------------------------------------ close-gaps mode

    def requirement(self, target_pd: float) -> FloatArray:
        """Return ``b_i = ln(1 − P_i) − ln(1 − target)`` (≤ 0 where already at target)."""
        if not 0.0 < target_pd < 1.0:
            raise ValueError(f"target_pd is {target_pd}; expected a probability in (0, 1)")
        return np.log1p(-np.minimum(self.options.existing, _P_MAX)) - math.log1p(-target_pd)

    def unreachable(self, target_pd: float) -> IntArray:
        """Return the points that every option together cannot lift to ``target_pd``."""
        b = self.requirement(target_pd)
        reach = np.asarray(self.options.log_miss.sum(axis=1), dtype=float).ravel()
        return np.flatnonzero((b > 1e-12) & (reach < b - 1e-9)).astype(np.int64)

    def solve_close_gaps(self, *, target_pd: float, method: str = "auto") -> PlacementResult:
        """Return the cheapest set of options that lifts every reachable point to ``target_pd``.

        Cost is the life-cycle cost ``capex_eur + lifecycle_years × opex_eur_per_year``.
        """
        b = self.requirement(target_pd)
        unreachable = self.unreachable(target_pd)
        need = np.flatnonzero(b > 1e-12)
        need = np.setdiff1d(need, unreachable)
        exact = self.use_milp(method, cover=True)
        if need.size == 0:  # nothing to lift: the empty set is the cheapest
            none = np.empty(0, dtype=np.int64)
            kind = "milp" if exact else "greedy"
            result = self._result(
                none, self.options.value(none), bound=0.0, method=kind, cover=True
            )
        elif exact:
            result = self._cover_milp(b, need)
        else:
            result = self._cover_greedy(b, need)
        return PlacementResult(**{**result.__dict__, "unreachable": unreachable})

    def lifecycle_cost(self) -> FloatArray:
        """Return each option's CAPEX plus ``lifecycle_years`` of OPEX."""
        o = self.options
        return o.capex_eur + self.lifecycle_years * o.opex_eur_per_year

    def _cover_greedy(self, b: FloatArray, need: IntArray) -> PlacementResult:
        a = sp.csc_array(self.options.log_miss)
        cost = self.lifecycle_cost()
        residual = np.zeros(b.size)
        residual[need] = b[need]
        scale = np.where(b > 0, b, 1.0)
        chosen: list[int] = []
        site = self.options.site
        available = np.ones(a.shape[1], dtype=bool)
        while (residual > 1e-9).any():
            best, best_ratio = -1, 0.0
            for j in np.flatnonzero(available):
                rows = a.indices[a.indptr[j] : a.indptr[j + 1]]
                vals = a.data[a.indptr[j] : a.indptr[j + 1]]
                gain = float((np.minimum(vals, residual[rows]) / scale[rows]).sum())
                if gain <= 0:
                    continue
                ratio = gain / cost[j] if cost[j] > 0 else math.inf
                if ratio > best_ratio:
                    best, best_ratio = int(j), ratio
            if best < 0:
                raise InfeasibleError(
                    "no option lifts the remaining points to target; "
                    "they should have been reported unreachable"
                )
            chosen.append(best)
            available &= site != site[best]
            rows = a.indices[a.indptr[best] : a.indptr[best + 1]]
            residual[rows] = np.maximum(
                residual[rows] - a.data[a.indptr[best] : a.indptr[best + 1]], 0.0
            )
        picked = np.asarray(chosen, dtype=np.int64)
        return self._result(
            picked, self.options.value(picked), bound=math.nan, method="greedy", cover=True
        )

    def _cover_milp(self, b: FloatArray, need: IntArray) -> PlacementResult:
        from scipy.optimize import Bounds, LinearConstraint, milp

        a = sp.csr_array(self.options.log_miss)[need]
        n = self.options.n_options
        cons = [LinearConstraint(a, b[need], np.inf), *self._site_constraints()]
        res = milp(
            self.lifecycle_cost(),
            constraints=cons,
            integrality=np.ones(n),
            bounds=Bounds(np.zeros(n), np.ones(n)),
            options={"time_limit": self.time_limit_s},
        )
        if res.x is None:
            raise InfeasibleError(
                f"no set of options lifts every reachable point to target ({res.message}); "
                "options of one site exclude each other"
            )
        chosen = np.flatnonzero(res.x > 0.5).astype(np.int64)
        bound = float(res.mip_dual_bound) if res.mip_dual_bound is not None else float(res.fun)
        return self._result(
            chosen, self.options.value(chosen), bound=bound, method="milp", cover=True
        )

    # ------------------------------------------------------------------ results

    def _result(
        self, chosen: IntArray, value: float, *, bound: float, method: str, cover: bool = False
    ) -> PlacementResult:
        o = self.options
        chosen = np.asarray(chosen, dtype=np.int64)
        capex = float(o.capex_eur[chosen].sum())
        opex = float(o.opex_eur_per_year[chosen].sum())
        if math.isnan(bound):
            gap = math.nan
        elif cover:  # the cost found against a lower bound of the cheapest cost
            cost = capex + self.lifecycle_years * opex
            gap = (cost - bound) / cost if cost > 0 else 0.0
        else:  # the value found against an upper bound of the best value
            gap = (bound - value) / bound if bound > 0 else 0.0
        return PlacementResult(
            chosen=chosen,
            value=value,
            bound=bound,
            gap=max(gap, 0.0) if not math.isnan(gap) else gap,
            method=method,
            capex_eur=capex,
            opex_eur_per_year=opex,
            staff_fte=float(o.staff_fte[chosen].sum()),
        )


def greedy_order(
    options: Options,
    cost: FloatArray,
    *,
    allowed: NDArray[np.bool_] | None = None,
    limits: list[tuple[FloatArray, float]] | None = None,
    start: Sequence[int] = (),
) -> IntArray:
    """Return options in lazy-greedy order of gain per unit of ``cost``.

    ``start`` options are taken first, as given (a seed); the order returned
    begins with them.

    Each step takes the option with the largest marginal gain of ``F`` per
    unit of cost among those that still fit the ``limits`` and whose site is
    free; gains only shrink as options are added (submodularity), so stale
    gains in the heap are upper bounds and are refreshed only at the top.
    Without limits the order runs until no option adds anything.
    """
    o = options
    p = sp.csc_array(o.p)
    n = o.n_options
    allowed = np.ones(n, dtype=bool) if allowed is None else allowed.copy()
    miss = 1.0 - o.existing.astype(float)
    spent = [0.0 for _ in limits or []]

    def gain(j: int) -> float:
        rows = p.indices[p.indptr[j] : p.indptr[j + 1]]
        return float((o.weight[rows] * miss[rows] * p.data[p.indptr[j] : p.indptr[j + 1]]).sum())

    def ratio(j: int, g: float) -> float:
        return g / cost[j] if cost[j] > 0 else (math.inf if g > 0 else 0.0)

    site = o.site
    order: list[int] = []
    for j in start:
        order.append(int(j))
        for k, (c, _) in enumerate(limits or []):
            spent[k] += float(c[j])
        allowed &= site != site[j]
        rows = p.indices[p.indptr[j] : p.indptr[j + 1]]
        miss[rows] *= 1.0 - p.data[p.indptr[j] : p.indptr[j + 1]]
    gains = np.asarray((o.weight * miss) @ p, dtype=float).ravel()  # every gain at once
    heap = [(-ratio(j, float(gains[j])), j) for j in map(int, np.flatnonzero(allowed))]
    heapq.heapify(heap)
    while heap:
        _, j = heapq.heappop(heap)
        if not allowed[j]:
            continue
        if limits and any(
            spent[k] + float(c[j]) > limit + 1e-9 for k, (c, limit) in enumerate(limits)
        ):
            allowed[j] = False  # budgets only shrink: it never fits again
            continue
        g = gain(j)
        r = ratio(j, g)
        if heap and r < -heap[0][0] - 1e-15:
            heapq.heappush(heap, (-r, j))
            continue
        if g <= 0:
            break
        order.append(int(j))
        for k, (c, _) in enumerate(limits or []):
            spent[k] += float(c[j])
        allowed &= site != site[j]
        rows = p.indices[p.indptr[j] : p.indptr[j + 1]]
        miss[rows] *= 1.0 - p.data[p.indptr[j] : p.indptr[j + 1]]
    return np.asarray(order, dtype=np.int64)


def _strongest(options: Options, fits: NDArray[np.bool_], k: int) -> list[int]:
    """Return the ``k`` feasible options with the largest gain alone."""
    p = sp.csc_array(options.p)
    miss = 1.0 - options.existing
    gains = np.asarray((sp.diags_array(options.weight * miss) @ p).sum(axis=0), dtype=float).ravel()
    gains = np.where(fits, gains, -np.inf)
    order = np.argsort(-gains, kind="stable")[:k]
    return [int(j) for j in order if np.isfinite(gains[j]) and gains[j] > 0]


def _improve(
    options: Options,
    chosen: IntArray,
    value: float,
    cost: FloatArray,
    fits: NDArray[np.bool_],
    limits: list[tuple[FloatArray, float]],
    *,
    rounds: int = 3,
) -> tuple[IntArray, float]:
    """Drop one option at a time and refill greedily; keep any change that raises ``F``."""
    for _ in range(rounds):
        improved = False
        for j in chosen.tolist():
            keep = [int(i) for i in chosen if i != j]
            blocked = fits.copy()
            blocked[j] = False
            refill = greedy_order(options, cost, allowed=blocked, limits=limits, start=keep)
            v = options.value(refill)
            if v > value + 1e-12:
                chosen, value, improved = refill, v, True
                break
        if not improved:
            break
    return chosen, value
