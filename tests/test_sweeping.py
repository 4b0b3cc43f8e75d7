"""surveil.sweeping: sensitivity, Monte Carlo, gap stability, workers (issue 12)."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

import surveil
from surveil.assessment import assess
from surveil.datasets import load_demo
from surveil.errors import InputError
from surveil.scenario import Scenario
from surveil.sweeping import Uncertain, latin_hypercube, sweep
from tests.conftest import border_frame, point_off_line, sensor_frame, straight_line

LENGTH_M = 4000.0


def one_camera(pd_value: float = 0.4) -> Scenario:
    """A 4 km border seen whole by one camera (300 m off its middle, 10 km range), no patrols.

    Target pd 0.5: the whole border is one gap exactly when pd < 0.5.
    """
    line = straight_line(LENGTH_M)
    site, _ = point_off_line(line, LENGTH_M / 2, -300.0)
    sensors = sensor_frame([{"geometry": site, "range_m": 10_000.0, "pd": pd_value}])
    return Scenario.from_layers(
        border_frame(line),
        sensors=sensors,
        parameters={"sample_m": 100.0, "target_pd": 0.5},
    )


def test_a_gap_that_exists_in_half_the_samples_by_construction_reports_half():
    # pd drawn from 0.3..0.7 on a 10-stratum Latin hypercube: exactly 5 strata lie below 0.5,
    # and the gap (the whole border) exists exactly when pd < 0.5.
    result = sweep(one_camera(0.4), vary=["pd:camera=0.3..0.7"], samples=10, workers=0)
    assert len(result.baseline.gaps) == 1
    assert result.gap_stability["p_exists"].tolist() == [0.5]
    assert result.segment_gap_probability["p_gap"].tolist() == [0.5] * 4
    below = result.samples["pd:camera"] < 0.5
    assert below.sum() == 5
    km = Geod(ellps="WGS84").geometry_length(straight_line(LENGTH_M)) / 1000.0
    np.testing.assert_allclose(result.samples.loc[below, "gap_km"], km, rtol=1e-9)
    np.testing.assert_allclose(result.samples.loc[~below, "gap_km"], 0.0, atol=1e-12)
    # the length band of the gap: 0 in half of the samples, the whole border in the other
    row = result.gap_stability.iloc[0]
    assert row["length_km_p5"] == 0.0
    assert row["length_km_p95"] == pytest.approx(km, rel=1e-9)


def test_a_parameter_that_enters_no_kpi_gives_a_zero_width_band():
    # detour_factor only enters the response time from posts; this scenario has none.
    result = sweep(one_camera(0.4), vary=["detour_factor=1.0..3.0"], samples=8, workers=0)
    bands = result.bands.set_index("kpi")
    assert (bands["p95"] - bands["p5"]).abs().max() == 0.0
    assert (bands["p50"] == bands["baseline"]).all()
    assert (result.tornado["swing"] == 0.0).all()
    assert result.samples["detour_factor"].nunique() == 8


def test_a_parameter_that_enters_a_kpi_gives_a_band():
    # the contrast of the zero-width case: pd of the only sensor moves the mean detection
    result = sweep(one_camera(0.4), vary=["pd:camera=0.3..0.7"], samples=8, workers=0)
    band = result.bands.set_index("kpi").loc["mean_p_detect"]
    assert band["p5"] < 0.4 < band["p95"]
    swing = result.tornado.set_index("kpi").loc["mean_p_detect"]
    assert swing["kpi_at_low"] == pytest.approx(0.3, abs=1e-9)
    assert swing["kpi_at_high"] == pytest.approx(0.7, abs=1e-9)


def test_a_sweep_with_one_sample_equals_the_plain_assessment():
    demo = load_demo()
    plain = assess(demo)
    result = sweep(demo, samples=1, workers=0)
    row = result.samples.iloc[0]
    for kpi in ("km_covered", "gap_km", "gap_count", "high_risk_km", "risk_persons_per_year"):
        assert row[kpi] == plain.summary[kpi], kpi
    seg = result.segment_gap_probability
    high = plain.segments["risk_class"].isin(["high", "critical"]).to_numpy()
    assert seg["p_high_risk"].tolist() == high.astype(float).tolist()
    assert (result.gap_stability["p_exists"] == 1.0).all()
    assert len(result.gap_stability) == len(plain.gaps)
    bands = result.bands.set_index("kpi")
    assert (bands["p5"] == bands["baseline"]).all()


def test_one_and_two_workers_give_identical_sweep_csv(tmp_path):
    scenario = load_demo()  # with terrain, so that the DEM error is drawn on the workers
    options = {
        "vary": ["trace_persistence_h=6..24", "pd:thermal_tower=0.6..0.9"],
        "samples": 4,
        "dem_error_m": 5.0,
        "dem_correlation_m": 1000.0,
        "seed": 7,
        "one_at_a_time": False,
    }
    texts = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        sweep(scenario, workers=workers, **options).save(out)
        texts.append((out / "sweep.csv").read_text())
    assert texts[0] == texts[1]
    table = pd.read_csv(tmp_path / "w2" / "sweep.csv")
    assert len(table) == 4
    assert table["gap_km"].nunique() > 1  # the samples differ: the test compares something


def test_samples_on_remembered_line_of_sight_equal_plain_assessments(tmp_path):
    # Without DEM error the samples ask the same rays again: the sweep's loop and its workers
    # remember line-of-sight answers. Each sample must still equal surveil.assess of its values,
    # computed here with no memory, and the workers must agree with the loop.
    from surveil.sweeping import with_values

    demo = load_demo()
    options = {
        "vary": ["trace_persistence_h=6..24", "pd:thermal_tower=0.6..0.9", "refraction=0..0.25"],
        "samples": 3,
        "seed": 3,
        "one_at_a_time": False,
    }
    here = sweep(demo, workers=0, **options)
    for _, row in here.samples.iterrows():
        values = {k: row[k] for k in ("trace_persistence_h", "pd:thermal_tower", "refraction")}
        plain = assess(with_values(demo, values))
        for kpi in ("km_covered", "gap_km", "high_risk_km", "risk_persons_per_year", "capex_eur"):
            assert row[kpi] == plain.summary[kpi], kpi
    on_workers = sweep(demo, workers=2, **options)
    pd.testing.assert_frame_equal(here.samples, on_workers.samples)


def test_the_draws_depend_on_the_seed_alone():
    vary = [Uncertain("refraction", 0.0, 0.25), Uncertain("bandwidth_m", 1500.0, 6000.0)]
    first = latin_hypercube(vary, samples=20, seed=3)
    assert first == latin_hypercube(vary, samples=20, seed=3)
    assert first != latin_hypercube(vary, samples=20, seed=4)
    # one draw per stratum of each range
    strata = sorted(int((d["bandwidth_m"] - 1500.0) / 4500.0 * 20) for d in first)
    assert strata == list(range(20))


def test_dem_error_changes_the_terrain_and_its_kpis_band():
    demo = load_demo()
    result = sweep(demo, samples=4, dem_error_m=10.0, dem_correlation_m=1000.0, workers=0)
    band = result.bands.set_index("kpi").loc["km_covered"]
    assert band["max"] > band["min"]
    assert set(result.tornado["assumption"]) == {"dem_error_m"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("segment_m=500..1000", "segment_m: not a parameter a sweep can vary"),
        ("pd:drone=0.1..0.5", "no sensor or catalogue means of type 'drone'"),
        ("pd:camera=0.5..1.5", "expected 0 <= LO <= HI <= 1"),
        ("bandwidth_m=6000..1500", "expected finite LO <= HI"),
    ],
)
def test_a_range_a_sweep_cannot_vary_is_named(text, words):
    with pytest.raises(InputError, match=re.escape(words)):
        sweep(one_camera(), vary=[text], samples=2, workers=0)


def test_malformed_vary_is_an_input_error():
    with pytest.raises(InputError, match=re.escape("expected NAME=LO..HI")):
        Uncertain.parse("trace_persistence_h:6-24")


def test_the_scenario_is_not_modified():
    scenario = one_camera(0.4)
    before = scenario.sensors.copy()
    sweep(scenario, vary=["pd:camera=0.3..0.7"], samples=3, workers=0)
    pd.testing.assert_frame_equal(scenario.sensors, before)


def test_surveil_sweep_is_the_function_whichever_is_imported_first():
    code = (
        "import surveil.sweeping, surveil\n"
        "assert surveil.sweep is surveil.sweeping.sweep\n"
        "from surveil.sweeping import Sweep\n"
        "print(surveil.sweep.__name__, surveil.Sweep is Sweep)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "sweep True"
    assert callable(surveil.sweep)


def test_one_at_a_time_keeps_the_other_assumptions_at_the_scenarios_own_values():
    # Two cameras of pd 0.2 and 0.8 on one border; without terrain refraction enters nothing,
    # so moving it alone must give the baseline, whatever else is varied.
    line = straight_line(LENGTH_M)
    sites = [point_off_line(line, a, -300.0)[0] for a in (500.0, 3500.0)]
    rows = [
        {"geometry": g, "range_m": 1000.0, "pd": p} for g, p in zip(sites, (0.2, 0.8), strict=True)
    ]
    sensors = sensor_frame(rows)
    scenario = Scenario.from_layers(border_frame(line), sensors=sensors,
                                    parameters={"sample_m": 100.0})  # fmt: skip
    result = sweep(scenario, vary=["refraction=0..0.25", "pd:camera=0.1..0.9"], samples=2,
                   workers=0)  # fmt: skip
    moved = result.tornado[result.tornado["assumption"] == "refraction"]
    assert (moved["kpi_at_low"] == moved["kpi_baseline"]).all()
    assert (moved["kpi_at_high"] == moved["kpi_baseline"]).all()


def test_overlap_of_segments_with_gaps_by_section_and_part():
    from surveil.sweeping import overlap_km

    segments = pd.DataFrame(
        {
            "section": ["A", "A", "A", "A", "B", "A"],
            "part": [0, 0, 0, 0, 0, 1],
            "km_from": [0.0, 1.0, 2.0, 3.0, 5.0, 0.0],
            "km_to": [1.0, 2.0, 3.0, 4.0, 6.0, 1.0],
        }
    )
    gaps = pd.DataFrame(  # unsorted; part 1 of A has none
        {
            "section": ["A", "B", "A"],
            "part": [0, 0, 0],
            "km_from": [2.5, 0.0, 0.2],
            "km_to": [3.5, 10.0, 0.4],
        }
    )
    np.testing.assert_allclose(overlap_km(segments, gaps), [0.2, 0.0, 0.5, 0.5, 1.0, 0.0])


def test_an_existing_scheduler_gives_the_same_samples_as_this_process():
    # --scheduler: the samples go to a cluster the user runs (here a small local one)
    from dask.distributed import LocalCluster

    options = {"vary": ["pd:camera=0.3..0.7"], "samples": 4, "seed": 2}
    here = sweep(one_camera(0.4), workers=0, **options)
    import logging

    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    ) as cluster:
        there = sweep(one_camera(0.4), scheduler=cluster.scheduler_address, **options)
    pd.testing.assert_frame_equal(here.samples, there.samples)
    pd.testing.assert_frame_equal(here.gap_stability, there.gap_stability)
