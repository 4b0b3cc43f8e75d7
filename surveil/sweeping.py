"""Sweep a scenario's uncertain assumptions: sensitivity, Monte Carlo and gap stability.

:func:`sweep` assesses a scenario many times with its uncertain assumptions
drawn from ranges — scenario parameters (``trace_persistence_h``,
``bandwidth_m``, ``refraction`` ...), each sensor type's ``pd`` and
``availability``, and DEM vertical error as spatially correlated noise
(:mod:`surveil.dem_noise`) — and says how sure the gaps are:

* one-at-a-time sensitivity: each varied assumption at its low and high end,
  the others at the scenario's values (a tornado chart per KPI);
* Monte Carlo: a seeded Latin hypercube over all varied assumptions jointly,
  one DEM error field per sample, giving KPI bands (P5 / P50 / P95), each
  segment's probability of lying in a gap and of being high risk, and each
  baseline gap's probability to exist, its length band and its probability
  to stay in the top N by priority.

Each sample is a whole assessment (:func:`surveil.assessment.assess`) over
the same layers and terrain, read once. Samples run in this process
(``workers=0``) or on dask.distributed (a ``LocalCluster`` by default, or an
existing scheduler), with the inputs scattered to the workers once. Every
sample's draw is fixed by ``seed`` and its index alone, so the results are
the same for any number of workers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from surveil import _outdir
from surveil.assessment import Assessment, assess, load_terrain, own_side_border
from surveil.dem_noise import perturb_tiles
from surveil.errors import InputError
from surveil.scenario import Parameters, Scenario
from surveil.segments import sample_targets, segment_border
from surveil.terrain import DEM
from surveil.visibility import remember_line_of_sight

#: Key figures recorded for every sample (``Assessment.summary`` keys).
KPIS = (
    "km_covered",
    "gap_km",
    "gap_count",
    "high_risk_km",
    "risk_persons_per_year",
    "mean_p_detect",
    "capex_eur",
)
#: Parameters that fix the target points: a sweep keeps them.
FIXED_PARAMETERS = ("segment_m", "sample_m", "path_offsets_m", "max_distance_km")
#: Name of the DEM error in tables (its sigma in metres).
DEM_ERROR = "dem_error_m"
#: The sweep's own files in its folder (beside the baseline's outputs).
SWEEP_FILES = (
    "sweep.csv",
    "kpi_bands.csv",
    "segment_gap_probability.csv",
    "gap_stability.csv",
    "tornado.csv",
    "tornado.png",
)
#: What a sweep's folder holds: the baseline assessment's outputs (its map
#: with the probability of a gap, its report with the sweep's section) and
#: the sweep's files.
OUTPUT_NAMES = (*_outdir.OUTPUT_NAMES, *SWEEP_FILES)
#: Called with (samples done, samples in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Uncertain:
    """One uncertain assumption and its range.

    Attributes
    ----------
    name
        A numeric scenario parameter (``trace_persistence_h``), or
        ``pd:TYPE`` / ``availability:TYPE`` for every sensor of a type (and
        the catalogue's row of that type).
    low, high
        The range, in the assumption's own unit.
    """

    name: str
    low: float
    high: float

    @classmethod
    def parse(cls, text: str) -> Uncertain:
        """Read ``NAME=LO..HI``.

        Examples
        --------
        >>> Uncertain.parse("trace_persistence_h=6..24")
        Uncertain(name='trace_persistence_h', low=6.0, high=24.0)
        """
        name, eq, bounds = text.partition("=")
        low, dots, high = bounds.partition("..")
        if not (eq and dots and name.strip()):
            raise InputError(
                f"--vary {text!r}: expected NAME=LO..HI, e.g. trace_persistence_h=6..24"
            )
        try:
            return cls(name.strip(), float(low), float(high))
        except ValueError:
            raise InputError(
                f"--vary {text!r}: LO and HI must be numbers, e.g. bandwidth_m=1500..6000"
            ) from None


@dataclass(frozen=True)
class Draw:
    """What one sample assesses: assumption values and a DEM error field.

    Attributes
    ----------
    index
        Position of the sample (Monte Carlo samples first, then the
        one-at-a-time runs).
    kind
        ``"sample"``, ``"low"`` or ``"high"`` (one-at-a-time ends).
    values
        Assumption values by name.
    dem_seed
        Seed of the DEM error field; None: no DEM error.
    dem_sign
        +1, or -1 for the mirrored field of the one-at-a-time low end.
    varied
        For a one-at-a-time run, the assumption moved.
    """

    index: int
    kind: str
    values: Mapping[str, float]
    dem_seed: tuple[int, ...] | None = None
    dem_sign: float = 1.0
    varied: str = ""


@dataclass(frozen=True)
class SampleResult:
    """What a sample returns to the sweep (small: no layers).

    Attributes
    ----------
    index
        The draw's index.
    kpis
        :data:`KPIS` of the assessment.
    gap_km_by_segment
        Per segment (in the segments' order), km of it inside gaps.
    high_risk
        Per segment, whether its risk class is high or critical.
    gaps
        The sample's gaps: ``section``, ``part``, ``km_from``, ``km_to``,
        ``length_km``, ``priority``.
    """

    index: int
    kpis: Mapping[str, float]
    gap_km_by_segment: NDArray[np.float64]
    high_risk: NDArray[np.bool_]
    gaps: pd.DataFrame


@dataclass(frozen=True)
class Sweep:
    """Result of :func:`sweep`.

    Attributes
    ----------
    baseline
        The plain assessment of the scenario.
    samples
        ``sweep.csv``: one row per Monte Carlo sample, its assumption values
        and KPIs.
    bands
        ``kpi_bands.csv``: per KPI the baseline value, P5, P50, P95, min, max.
    segment_gap_probability
        ``segment_gap_probability.csv``: per segment ``p_gap`` (share of
        samples in which gaps cover at least half of it), ``p_high_risk``,
        ``mean_gap_share``, and the baseline's ``baseline_in_gap``.
    gap_stability
        ``gap_stability.csv``: per baseline gap ``p_exists`` (share of samples
        with a gap overlapping it), ``length_km_p5/p50/p95`` (length of the
        sample gaps overlapping it, 0 where none), ``p_top_n`` (share of
        samples in which one of them ranks within ``top_n`` by priority).
    tornado
        One-at-a-time sensitivity: per assumption and KPI the values at the
        low and high end and the baseline.
    top_n
        N of ``p_top_n``.
    """

    baseline: Assessment
    samples: pd.DataFrame
    bands: pd.DataFrame
    segment_gap_probability: pd.DataFrame
    gap_stability: pd.DataFrame
    tornado: pd.DataFrame
    top_n: int = 3
    settings: Mapping[str, Any] = field(default_factory=dict)

    def segments(self) -> Any:
        """Return the baseline segments with ``p_gap`` and ``p_high_risk`` (for the map)."""
        probs = self.segment_gap_probability[["segment_id", "p_gap", "p_high_risk"]]
        return self.baseline.segments.merge(probs, on="segment_id", how="left")

    def report_figures(self) -> dict[str, Any]:
        """Return what the report's sweep section shows (see :func:`read_figures`)."""
        return {
            "bands": self.bands,
            "gap_stability": self.gap_stability,
            "tornado": self.tornado,
            "settings": dict(self.settings),
        }

    def save(
        self, out: str | os.PathLike[str], *, overwrite: bool = False, lang: str = "en"
    ) -> Any:
        """Write the sweep's folder, whole or not at all.

        The baseline assessment's outputs (its map with a layer of each
        segment's probability of lying in a gap, its report with the sweep's
        section), then ``sweep.csv``, ``kpi_bands.csv``,
        ``segment_gap_probability.csv``, ``gap_stability.csv`` and, with
        one-at-a-time runs, ``tornado.csv`` and ``tornado.png``; ``run.json``
        records the sweep's settings under ``sweep``.
        """
        from surveil.outputs import write_sweep

        return write_sweep(self, out, overwrite=overwrite, lang=lang)


#: Name of the map layer of each segment's probability of lying in a gap.
GAP_PROBABILITY_LAYER = "gap_probability"


def gap_probability_layer(segments: Any, probability: pd.DataFrame) -> Any:
    """Return the segments (geometry, section, km) with ``p_gap`` and ``p_high_risk``, for the map.

    Parameters
    ----------
    segments
        The baseline's segments (a GeoDataFrame with ``segment_id``).
    probability
        ``segment_gap_probability.csv`` (``segment_id``, ``p_gap``,
        ``p_high_risk``).
    """
    wanted = ["segment_id", "p_gap", "p_high_risk"]
    missing = [c for c in wanted if c not in probability.columns]
    if missing:
        raise InputError(
            f"segment_gap_probability.csv: no column {', '.join(missing)}; expected the table "
            "written by 'surveil sweep'"
        )
    keep = [c for c in ("section", "part", "segment_id", "km_from", "km_to") if c in segments]
    values = probability[wanted]
    layer = segments[[*keep, "geometry"]].merge(values, on="segment_id", how="left")
    return layer


def read_figures(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a sweep folder's figures back, for a report section drawn from the folder.

    Keys: ``bands`` (``kpi_bands.csv``), ``gap_stability``,
    ``segment_gap_probability``, ``tornado`` (empty without one-at-a-time
    runs) and ``settings`` (``run.json``'s ``sweep``).

    Raises
    ------
    surveil.errors.InputError
        When a table is missing or unreadable.
    """
    import json
    from pathlib import Path

    root = Path(folder)

    def table(name: str) -> pd.DataFrame:
        try:
            return pd.read_csv(root / name)
        except FileNotFoundError:
            raise InputError(
                f"{root / name}: missing; expected a folder of 'surveil sweep'"
            ) from None
        except (OSError, ValueError) as exc:
            raise InputError(f"{root / name}: cannot read it as CSV ({exc})") from None

    run_json = root / "run.json"
    run = json.loads(run_json.read_text(encoding="utf-8")) if run_json.is_file() else {}
    return {
        "bands": table("kpi_bands.csv"),
        "gap_stability": table("gap_stability.csv"),
        "segment_gap_probability": table("segment_gap_probability.csv"),
        "tornado": table("tornado.csv") if (root / "tornado.csv").exists() else pd.DataFrame(),
        "settings": dict(run.get("sweep", {})) if isinstance(run, dict) else {},
    }


def is_sweep_folder(folder: str | os.PathLike[str]) -> bool:
    """Tell whether an output folder holds a sweep's figures."""
    from pathlib import Path

    return all((Path(folder) / n).is_file() for n in ("kpi_bands.csv", "gap_stability.csv"))


def check_uncertain(scenario: Scenario, vary: Sequence[Uncertain]) -> None:
    """Raise :class:`~surveil.errors.InputError` for names or ranges a sweep cannot vary."""
    numeric = {
        f.name
        for f in dataclasses.fields(Parameters)
        if isinstance(f.default, float) and f.name not in FIXED_PARAMETERS
    }
    types = set(scenario.sensors["type"].astype(str)) | set(scenario.catalogue["type"].astype(str))
    problems = []
    seen: set[str] = set()
    for u in vary:
        kind, _, type_ = u.name.partition(":")
        if u.name in seen:
            problems.append(f"{u.name}: given twice")
        seen.add(u.name)
        if type_:
            if kind not in ("pd", "availability"):
                problems.append(f"{u.name}: expected pd:TYPE or availability:TYPE")
            elif type_ not in types:
                problems.append(
                    f"{u.name}: no sensor or catalogue means of type {type_!r}; "
                    f"expected one of {', '.join(sorted(types))}"
                )
            elif not 0.0 <= u.low <= u.high <= 1.0:
                problems.append(f"{u.name}={u.low:g}..{u.high:g}: expected 0 <= LO <= HI <= 1")
        elif u.name not in numeric:
            problems.append(
                f"{u.name}: not a parameter a sweep can vary; expected pd:TYPE, "
                f"availability:TYPE or one of {', '.join(sorted(numeric))}"
            )
        elif not (np.isfinite(u.low) and np.isfinite(u.high) and u.low <= u.high):
            problems.append(f"{u.name}={u.low:g}..{u.high:g}: expected finite LO <= HI")
    if problems:
        raise InputError("sweep: " + "; ".join(problems))


def with_values(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """Return the scenario with assumption values set (the input is not modified).

    ``pd:TYPE`` and ``availability:TYPE`` set the value of every sensor of
    that type and of the catalogue's row of it (the type's datasheet value
    is what is uncertain); a drawn availability holds in every month (the
    type's ``availability_by_month`` is set aside).
    """
    params = {k: v for k, v in values.items() if ":" not in k}
    out = scenario.with_parameters(**params) if params else scenario
    typed = {k: v for k, v in values.items() if ":" in k}
    if not typed:
        return out
    sensors, catalogue = out.sensors.copy(), out.catalogue.copy()
    for name, value in typed.items():
        kind, _, type_ = name.partition(":")
        sensors.loc[sensors["type"].astype(str) == type_, kind] = value
        if kind in catalogue:
            catalogue.loc[catalogue["type"].astype(str) == type_, kind] = value
        if kind == "availability":  # the drawn value holds in every month
            for frame in (sensors, catalogue):
                if "availability_by_month" in frame:
                    frame.loc[frame["type"].astype(str) == type_, "availability_by_month"] = ""
    return dataclasses.replace(out, sensors=sensors, catalogue=catalogue)


def latin_hypercube(
    vary: Sequence[Uncertain], *, samples: int, seed: int
) -> list[dict[str, float]]:
    """Return ``samples`` joint draws, one stratum of each range per sample (seeded).

    Examples
    --------
    >>> draws = latin_hypercube([Uncertain("refraction", 0.0, 1.0)], samples=4, seed=1)
    >>> sorted(int(d["refraction"] * 4) for d in draws)
    [0, 1, 2, 3]
    """
    from scipy.stats import qmc

    if not vary:
        return [{} for _ in range(samples)]
    unit = qmc.LatinHypercube(d=len(vary), rng=np.random.default_rng([seed, 0])).random(samples)
    low = np.array([u.low for u in vary])
    high = np.array([u.high for u in vary])
    values = low + unit * (high - low)
    return [{u.name: float(row[i]) for i, u in enumerate(vary)} for row in values]


def plan_draws(
    vary: Sequence[Uncertain],
    *,
    samples: int,
    seed: int,
    dem_error_m: float,
    one_at_a_time: bool = True,
) -> list[Draw]:
    """Return the Monte Carlo draws, then the one-at-a-time low and high ends."""
    dem = dem_error_m > 0
    draws = [
        Draw(i, "sample", values, dem_seed=(seed, 1, i) if dem else None)
        for i, values in enumerate(latin_hypercube(vary, samples=samples, seed=seed))
    ]
    if not one_at_a_time:
        return draws
    # the others keep the scenario's own values (each sensor its own pd, not a type's mean)
    for u in vary:
        for kind, value in (("low", u.low), ("high", u.high)):
            draws.append(Draw(len(draws), kind, {u.name: value}, varied=u.name))
    if dem:
        for kind, sign in (("low", -1.0), ("high", 1.0)):
            draws.append(
                Draw(len(draws), kind, {}, dem_seed=(seed, 2), dem_sign=sign, varied=DEM_ERROR)
            )
    return draws


def assess_draw(
    scenario: Scenario,
    tiles: tuple[DEM, ...] | None,
    draw: Draw,
    *,
    dem_error_m: float = 0.0,
    dem_correlation_m: float = 0.0,
) -> SampleResult:
    """Assess one draw and reduce it to a :class:`SampleResult` (runs on a worker)."""
    if tiles and draw.dem_seed is not None and dem_error_m > 0:
        tiles = perturb_tiles(
            tiles,
            sigma_m=dem_error_m,
            correlation_m=dem_correlation_m,
            seed=draw.dem_seed,
            sign=draw.dem_sign,
        )
    result = assess(with_values(scenario, draw.values), tiles=tiles, map_layers=False)
    return reduce_assessment(result, index=draw.index)


@dataclass(frozen=True)
class SharedInputs:
    """The inputs every sample shares, scattered to the workers once."""

    scenario: Scenario
    tiles: tuple[DEM, ...]


def assess_shared(inputs: SharedInputs, draw: Draw, **options: float) -> SampleResult:
    """Assess one draw over the shared inputs (the task a worker runs).

    The compiled kernels run on one thread here: the workers are the
    parallelism, and a numba pool per worker as wide as the machine would
    make them fight over the cores (the thread count changes no number).
    """
    one_numba_thread()
    # a terrain perturbed per sample never repeats a ray: remember nothing then
    remember_line_of_sight(SIGHT_MEMORY if not options.get("dem_error_m") else 0)
    return assess_draw(inputs.scenario, inputs.tiles, draw, **options)


#: Line-of-sight answers a worker remembers (about six calls per assessment):
#: samples that vary neither the terrain nor refraction ask the same rays.
SIGHT_MEMORY = 32

#: Environment of a local cluster's worker processes: one numba thread each
#: (see :func:`assess_shared`).
WORKER_ENV = {"NUMBA_NUM_THREADS": "1"}


def one_numba_thread() -> None:
    """Run this thread's compiled kernels on one thread (no-op without numba)."""
    from surveil import _kernels

    if _kernels.available():
        import numba

        numba.set_num_threads(1)


def prepare_worker() -> None:
    """Load what every sample needs once per worker: modules and compiled kernels.

    Run on each worker when the cluster starts (``Client.run``), so that the
    first samples do not pay for imports and for loading numba's cached
    machine code; it assesses the small synthetic demo, with terrain.
    """
    from surveil.datasets import load_demo
    from surveil.terrain import flat_dem
    from surveil.visibility import line_of_sight

    one_numba_thread()
    assess(load_demo("synthetic"), map_layers=False)
    dem = flat_dem(500.0, center_lonlat=(70.0, 40.0), size_m=4_000, cell_m=200)
    line_of_sight(dem, [70.0], [40.0], 10.0, [70.01], [40.0])


def reduce_assessment(result: Assessment, *, index: int = 0) -> SampleResult:
    """Keep of an assessment what a sweep aggregates."""
    segments = result.segments
    gaps = pd.DataFrame(
        result.gaps[["section", "part", "km_from", "km_to", "length_km", "priority"]]
    ).reset_index(drop=True)
    return SampleResult(
        index=index,
        kpis={k: float(result.summary[k]) for k in KPIS},
        gap_km_by_segment=overlap_km(segments, gaps),
        high_risk=segments["risk_class"].isin(["high", "critical"]).to_numpy(),
        gaps=gaps,
    )


def overlap_km(ranges: pd.DataFrame, gaps: pd.DataFrame) -> NDArray[np.float64]:
    """Return, per row of ``ranges``, the km of it that ``gaps`` cover (same section and part).

    Examples
    --------
    >>> seg = pd.DataFrame({"section": ["A", "A"], "part": [0, 0],
    ...                     "km_from": [0.0, 1.0], "km_to": [1.0, 2.0]})
    >>> gap = pd.DataFrame({"section": ["A"], "part": [0], "km_from": [0.5], "km_to": [1.25]})
    >>> overlap_km(seg, gap).tolist()
    [0.5, 0.25]
    """
    out = np.zeros(len(ranges))
    if len(gaps) == 0 or len(ranges) == 0:
        return out
    keys = ranges["section"].astype(str) + "\x00" + ranges["part"].astype(str)
    gap_keys = gaps["section"].astype(str) + "\x00" + gaps["part"].astype(str)
    a0 = ranges["km_from"].to_numpy(dtype=float)
    a1 = ranges["km_to"].to_numpy(dtype=float)
    for key, rows in pd.Series(np.arange(len(ranges))).groupby(keys.to_numpy()):
        mine = gaps[(gap_keys == key).to_numpy()]
        if len(mine):
            idx = rows.to_numpy()
            below = _gap_km_below(mine)
            out[idx] = below(a1[idx]) - below(a0[idx])
    return out


def _gap_km_below(gaps: pd.DataFrame) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """Return x -> km of ``gaps`` (one section part, not overlapping) below chainage x."""
    order = np.argsort(gaps["km_from"].to_numpy(dtype=float))
    starts = gaps["km_from"].to_numpy(dtype=float)[order]
    lengths = gaps["km_to"].to_numpy(dtype=float)[order] - starts
    before = np.concatenate([[0.0], np.cumsum(lengths)])

    def below(x: NDArray[np.float64]) -> NDArray[np.float64]:
        k = np.searchsorted(starts, x, side="right") - 1
        inside = np.clip(x - starts[np.maximum(k, 0)], 0.0, lengths[np.maximum(k, 0)])
        return np.where(k >= 0, before[np.maximum(k, 0)] + inside, 0.0)

    return below


def run_draws(
    scenario: Scenario,
    tiles: tuple[DEM, ...],
    draws: Sequence[Draw],
    *,
    workers: int | None,
    scheduler: str | None = None,
    dem_error_m: float = 0.0,
    dem_correlation_m: float = 0.0,
    progress: Progress | None = None,
) -> list[SampleResult]:
    """Assess every draw, in this process (``workers=0``) or on dask.distributed.

    Parameters
    ----------
    scenario, tiles
        The inputs, read once; scattered to the workers once.
    draws
        What to assess.
    workers
        Workers of a new ``LocalCluster`` (one thread each); None: one per
        core; 0: no cluster, a loop in this process.
    scheduler
        Address of an existing dask scheduler (``tcp://host:8786``); wins
        over ``workers``.
    dem_error_m, dem_correlation_m
        The DEM error (see :func:`surveil.dem_noise.correlated_noise`).
    progress
        Called with (done, total) after each draw.

    Returns
    -------
    list of SampleResult
        In the order of ``draws``.
    """
    tell = progress or (lambda _done, _total: None)
    total = len(draws)
    options = {"dem_error_m": dem_error_m, "dem_correlation_m": dem_correlation_m}
    if scheduler is None and workers == 0:
        results = []
        remember_line_of_sight(SIGHT_MEMORY if not dem_error_m else 0)
        try:
            for i, draw in enumerate(draws):
                results.append(assess_draw(scenario, tiles, draw, **options))
                tell(i + 1, total)
        finally:
            remember_line_of_sight(0)
        return results
    with dask_client(workers=workers, scheduler=scheduler) as client:
        return run_on_client(client, scenario, tiles, draws, progress=tell, **options)


@contextlib.contextmanager
def dask_client(*, workers: int | None, scheduler: str | None = None) -> Iterator[Any]:
    """Open a dask client on a new ``LocalCluster``, or on an existing scheduler.

    A local cluster has ``workers`` worker processes (None: one per core),
    one thread each, and one numba thread each (:data:`WORKER_ENV`). Every
    worker is prepared once (:func:`prepare_worker`). The local cluster is
    closed on leaving.
    """
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            # HTTP on a free loopback port: a cluster already on 8787 makes no warning
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,  # no nanny chatter on the user's terminal
            env=WORKER_ENV,
        )
    try:
        with Client(scheduler if scheduler is not None else cluster) as client:
            client.run(prepare_worker)
            yield client
    finally:
        if cluster is not None:
            cluster.close()


def run_on_client(
    client: Any,
    scenario: Scenario,
    tiles: tuple[DEM, ...],
    draws: Sequence[Draw],
    *,
    progress: Progress | None = None,
    dem_error_m: float = 0.0,
    dem_correlation_m: float = 0.0,
) -> list[SampleResult]:
    """Assess every draw on a dask client's workers (see :func:`run_draws`).

    The inputs go to every worker once (``scatter`` with ``broadcast``); each
    task carries a :class:`Draw` and a reference to them, and returns a
    :class:`SampleResult`.
    """
    from dask.distributed import as_completed

    tell = progress or (lambda _done, _total: None)
    total = len(draws)
    # one object, so that an empty terrain is not taken for a list of items
    shared = client.scatter(SharedInputs(scenario, tiles), broadcast=True)
    futures = client.map(
        assess_shared,
        [shared] * total,
        list(draws),
        pure=False,
        dem_error_m=dem_error_m,
        dem_correlation_m=dem_correlation_m,
    )
    for done, _ in enumerate(as_completed(futures), start=1):
        tell(done, total)
    return list(client.gather(futures))


def scenario_terrain(scenario: Scenario) -> tuple[DEM, ...]:
    """Read the scenario's terrain once, as :func:`surveil.assessment.assess` would."""
    if scenario.dem is None:
        return ()
    border = own_side_border(scenario)
    p = scenario.parameters
    targets = sample_targets(segment_border(border, segment_m=p.segment_m), sample_m=p.sample_m)
    return load_terrain(scenario.dem, scenario, targets)


def sweep(
    scenario: Scenario,
    *,
    vary: Iterable[Uncertain | str] = (),
    samples: int = 100,
    dem_error_m: float = 0.0,
    dem_correlation_m: float = 0.0,
    seed: int = 0,
    top_n: int = 3,
    one_at_a_time: bool = True,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> Sweep:
    """Sweep a scenario's uncertain assumptions (see the module's description).

    Parameters
    ----------
    scenario
        The scenario; its own values are the baseline.
    vary
        Assumptions and their ranges, as :class:`Uncertain` or ``NAME=LO..HI``.
    samples
        Monte Carlo samples (a Latin hypercube over ``vary`` jointly).
    dem_error_m
        Standard deviation of the DEM's vertical error, in metres (0: none).
    dem_correlation_m
        Its correlation length in metres (where the correlation falls to 1/e).
    seed
        Seed of the draws; each sample's draw depends on it and its index alone.
    top_n
        The gap ranking's N for ``gap_stability``'s ``p_top_n``.
    one_at_a_time
        Also run each assumption at its low and high end (the tornado).
    workers, scheduler
        Where the samples run (see :func:`run_draws`).
    progress
        Called with (done, total) after each assessment.

    Examples
    --------
    >>> from surveil.datasets import load_demo
    >>> s = sweep(load_demo("synthetic"), vary=["trace_persistence_h=6..24"], samples=4,
    ...           workers=0)
    >>> len(s.samples), list(s.bands.columns[:3])
    (4, ['kpi', 'baseline', 'p5'])
    """
    items = [v if isinstance(v, Uncertain) else Uncertain.parse(v) for v in vary]
    check_uncertain(scenario, items)
    if samples < 1:
        raise InputError(f"sweep: samples is {samples}; expected at least 1")
    if dem_error_m < 0 or dem_correlation_m < 0:
        raise InputError("sweep: dem_error_m and dem_correlation_m must be >= 0 metres")
    if dem_error_m > 0 and scenario.dem is None:
        raise InputError("sweep: dem_error_m needs a scenario with a DEM")
    tiles = scenario_terrain(scenario)
    baseline = assess(scenario, tiles=tiles)
    draws = plan_draws(
        items,
        samples=samples,
        seed=seed,
        dem_error_m=dem_error_m,
        one_at_a_time=one_at_a_time,
    )
    results = run_draws(
        scenario,
        tiles,
        draws,
        workers=workers,
        scheduler=scheduler,
        dem_error_m=dem_error_m,
        dem_correlation_m=dem_correlation_m,
        progress=progress,
    )
    mc = [(d, r) for d, r in zip(draws, results, strict=True) if d.kind == "sample"]
    oat = [(d, r) for d, r in zip(draws, results, strict=True) if d.kind != "sample"]
    base = reduce_assessment(baseline)
    settings = {
        "vary": [dataclasses.asdict(u) for u in items],
        "samples": samples,
        "dem_error_m": dem_error_m,
        "dem_correlation_m": dem_correlation_m,
        "seed": seed,
        "top_n": top_n,
        "kpis": list(KPIS),
    }
    return Sweep(
        baseline=baseline,
        samples=sample_table(mc, items, dem_error_m=dem_error_m),
        bands=kpi_bands([r for _, r in mc], base),
        segment_gap_probability=segment_probability(baseline, [r for _, r in mc]),
        gap_stability=gap_stability(baseline, [r for _, r in mc], top_n=top_n),
        tornado=tornado_table(oat, base, items, dem_error_m=dem_error_m),
        top_n=top_n,
        settings=settings,
    )


def sample_table(
    mc: Sequence[tuple[Draw, SampleResult]], vary: Sequence[Uncertain], *, dem_error_m: float
) -> pd.DataFrame:
    """Return ``sweep.csv``: sample, assumption values, DEM error seed, KPIs."""
    rows = []
    for draw, result in mc:
        row: dict[str, Any] = {"sample": draw.index}
        row.update({u.name: draw.values[u.name] for u in vary})
        if dem_error_m > 0:
            row[DEM_ERROR] = dem_error_m
        row.update(result.kpis)
        rows.append(row)
    return pd.DataFrame(rows)


def kpi_bands(results: Sequence[SampleResult], base: SampleResult) -> pd.DataFrame:
    """Return ``kpi_bands.csv``: per KPI the baseline, P5, P50, P95, min and max."""
    rows = []
    for k in KPIS:
        values = np.array([r.kpis[k] for r in results], dtype=float)
        p5, p50, p95 = np.percentile(values, [5, 50, 95])
        rows.append(
            {
                "kpi": k,
                "baseline": base.kpis[k],
                "p5": p5,
                "p50": p50,
                "p95": p95,
                "min": values.min(),
                "max": values.max(),
            }
        )
    return pd.DataFrame(rows)


def segment_probability(baseline: Assessment, results: Sequence[SampleResult]) -> pd.DataFrame:
    """Return ``segment_gap_probability.csv`` (see :class:`Sweep`)."""
    seg = baseline.segments
    length_km = seg["length_m"].to_numpy(dtype=float) / 1000.0
    share = np.array([r.gap_km_by_segment for r in results]) / np.maximum(length_km, 1e-12)
    high = np.array([r.high_risk for r in results], dtype=float)
    base_share = overlap_km(seg, baseline.gaps) / np.maximum(length_km, 1e-12)
    table = pd.DataFrame(seg[["section", "part", "segment_id", "km_from", "km_to"]])
    table["p_gap"] = (share >= 0.5 - 1e-9).mean(axis=0)
    table["p_high_risk"] = high.mean(axis=0)
    table["mean_gap_share"] = share.mean(axis=0)
    table["baseline_in_gap"] = base_share >= 0.5 - 1e-9
    table["baseline_high_risk"] = seg["risk_class"].isin(["high", "critical"]).to_numpy()
    return table.reset_index(drop=True)


def gap_stability(
    baseline: Assessment, results: Sequence[SampleResult], *, top_n: int
) -> pd.DataFrame:
    """Return ``gap_stability.csv`` (see :class:`Sweep`)."""
    gaps = pd.DataFrame(
        baseline.gaps[["gap_id", "section", "part", "km_from", "km_to", "length_km", "priority"]]
    ).reset_index(drop=True)
    n = len(gaps)
    exists = np.zeros((len(results), n), dtype=bool)
    top = np.zeros((len(results), n), dtype=bool)
    length = np.zeros((len(results), n))
    for i, r in enumerate(results):
        for j in range(n):
            one = gaps.iloc[[j]]
            hit = overlap_km(r.gaps, one) > 0
            exists[i, j] = hit.any()
            length[i, j] = r.gaps["length_km"].to_numpy(dtype=float)[hit].sum()
            top[i, j] = bool((r.gaps["priority"].to_numpy()[hit] <= top_n).any())
    gaps["p_exists"] = exists.mean(axis=0) if len(results) else np.nan
    for q in (5, 50, 95):
        gaps[f"length_km_p{q}"] = np.percentile(length, q, axis=0) if n else []
    gaps["top_n"] = top_n
    gaps["p_top_n"] = top.mean(axis=0) if len(results) else np.nan
    return gaps


def tornado_table(
    oat: Sequence[tuple[Draw, SampleResult]],
    base: SampleResult,
    vary: Sequence[Uncertain],
    *,
    dem_error_m: float,
) -> pd.DataFrame:
    """Return the one-at-a-time table: per assumption and KPI the low, high and base values."""
    by: dict[tuple[str, str], SampleResult] = {(d.varied, d.kind): r for d, r in oat}
    ranges = {u.name: (u.low, u.high) for u in vary}
    if dem_error_m > 0:
        ranges[DEM_ERROR] = (-dem_error_m, dem_error_m)
    rows = []
    for name, (low, high) in ranges.items():
        if (name, "low") not in by:
            continue
        for k in KPIS:
            lo, hi = by[(name, "low")].kpis[k], by[(name, "high")].kpis[k]
            rows.append(
                {
                    "assumption": name,
                    "low": low,
                    "high": high,
                    "kpi": k,
                    "kpi_baseline": base.kpis[k],
                    "kpi_at_low": lo,
                    "kpi_at_high": hi,
                    "swing": abs(hi - lo),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "assumption",
            "low",
            "high",
            "kpi",
            "kpi_baseline",
            "kpi_at_low",
            "kpi_at_high",
            "swing",
        ],
    )


#: Columns of the budget curve that :func:`budget_grid` reads at each budget.
CURVE_COLUMNS = (
    "risk_reduced_persons_per_year",
    "km_lifted_to_target",
    "gap_km_remaining",
)


def curve_at(curve: pd.DataFrame, budget_eur: float) -> dict[str, float]:
    """Return the greedy budget curve's state at a CAPEX budget (the last step it affords).

    Examples
    --------
    >>> curve = pd.DataFrame({"method": ["greedy"] * 3, "capex_eur": [0.0, 10.0, 25.0],
    ...                       "risk_reduced_persons_per_year": [0.0, 3.0, 4.0],
    ...                       "km_lifted_to_target": [0.0, 1.0, 2.0],
    ...                       "gap_km_remaining": [5.0, 4.0, 3.0]})
    >>> curve_at(curve, 24.0)["risk_reduced_persons_per_year"]
    3.0
    """
    greedy = curve[curve["method"] == "greedy"].sort_values("capex_eur")
    affordable = greedy[greedy["capex_eur"] <= budget_eur * (1 + 1e-12)]
    row = affordable.iloc[-1] if len(affordable) else greedy.iloc[0]
    return {"capex_eur_spent": float(row["capex_eur"])} | {c: float(row[c]) for c in CURVE_COLUMNS}


def plan_curve(scenario: Scenario, values: Mapping[str, float]) -> pd.DataFrame:
    """Return the budget curve of a plan under the given assumption values (a grid task)."""
    from surveil.planning import plan

    changed = with_values(scenario, values)
    return plan(changed, capex_eur=0.0).curve


def budget_grid(
    scenario: Scenario,
    *,
    vary: Uncertain | str,
    budgets_eur: Sequence[float],
    steps: int = 5,
    workers: int | None = 0,
    scheduler: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sweep a plan's budget against an assumption: the budget curve with a band.

    For each of ``steps`` values evenly spread over the assumption's range,
    plan the scenario under it (:func:`surveil.planning.plan`) and read its
    budget curve (greedy order, CAPEX) at each budget.

    Parameters
    ----------
    scenario
        Today's posture.
    vary
        The assumption and its range (``pd:thermal_tower=0.6..0.9``).
    budgets_eur
        CAPEX budgets, EUR.
    steps
        Values of the assumption (its low and high end included).
    workers, scheduler
        Where the plans run (see :func:`run_draws`); default this process.

    Returns
    -------
    grid : pandas.DataFrame
        One row per assumption value and budget: the value, ``budget_eur``,
        ``capex_eur_spent``, ``risk_reduced_persons_per_year``,
        ``km_lifted_to_target``, ``gap_km_remaining``.
    band : pandas.DataFrame
        Per budget, the min, median and max of those over the values.
    """
    item = vary if isinstance(vary, Uncertain) else Uncertain.parse(vary)
    check_uncertain(scenario, [item])
    if steps < 1 or not budgets_eur or min(budgets_eur) < 0:
        raise InputError("budget grid: expected steps >= 1 and budgets >= 0 EUR")
    values = np.linspace(item.low, item.high, steps) if steps > 1 else np.array([item.low])
    curves = _map_plans(scenario, [{item.name: float(v)} for v in values], workers, scheduler)
    rows = [
        {item.name: float(v), "budget_eur": float(b), **curve_at(curve, float(b))}
        for v, curve in zip(values, curves, strict=True)
        for b in budgets_eur
    ]
    grid = pd.DataFrame(rows)
    stats = grid.groupby("budget_eur", sort=True)[list(CURVE_COLUMNS)].agg(["min", "median", "max"])
    stats.columns = [f"{c}_{s}" for c, s in stats.columns]
    return grid, stats.reset_index()


def _map_plans(
    scenario: Scenario,
    values: Sequence[Mapping[str, float]],
    workers: int | None,
    scheduler: str | None,
) -> list[pd.DataFrame]:
    """Run :func:`plan_curve` for each set of values, here or on dask."""
    if scheduler is None and workers == 0:
        return [plan_curve(scenario, v) for v in values]
    with dask_client(workers=workers, scheduler=scheduler) as client:
        shared = client.scatter(SharedInputs(scenario, ()), broadcast=True)
        futures = client.map(_plan_shared, [shared] * len(values), list(values), pure=False)
        return list(client.gather(futures))


def _plan_shared(inputs: SharedInputs, values: Mapping[str, float]) -> pd.DataFrame:
    one_numba_thread()
    return plan_curve(inputs.scenario, values)
