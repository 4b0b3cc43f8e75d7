"""Option coverage computed the fast way equals the plain way (issue 9, national scale)."""

import numpy as np
import pytest
import scipy.sparse as sp

from surveil import coverage, planning
from surveil.assessment import assess
from surveil.candidates import candidate_sites
from surveil.datasets import load_demo


@pytest.fixture(scope="module")
def demo():
    base = assess(load_demo("kgz-tjk"))
    targets, _ = planning.planning_targets(base)
    tiles = planning._planning_tiles(base.scenario, targets)
    p = base.scenario.parameters
    sites = candidate_sites(
        base.border,
        offsets_m=p.candidate_offsets_m,
        spacing_m=p.candidate_spacing_m,
        tiles=tiles,
        roads=base.scenario.roads,
        setback_m=p.candidate_setback_m,
        max_road_m=p.candidate_max_road_m,
    )
    return base, targets, tiles, sites


def test_line_of_sight_traced_once_per_site_and_mast_gives_the_per_option_coverage(demo):
    base, targets, tiles, sites = demo
    assert tiles, "the demo has terrain: line of sight is traced"
    options = planning.sensor_options(sites, base.scenario.catalogue)
    options = options[options["site_id"] % 4 == 0].reset_index(drop=True)  # keep it quick
    p = base.scenario.parameters
    # several options stand on one mast at one site (means and facings differ)
    assert options.groupby(["site_id", "height_m"]).ngroups < len(options)
    shared = planning.sensor_coverage(options, targets, tiles, p, shared_sight=True)
    alone = planning.sensor_coverage(options, targets, tiles, p, shared_sight=False)
    flat = planning.sensor_coverage(options, targets, tiles, p, sight=False)
    assert shared.nnz > 0
    assert (shared != alone).nnz == 0
    # terrain hides something: the same options on open ground reach more pairs
    assert flat.nnz > shared.nnz


def test_patrol_options_assessed_near_their_route_give_the_whole_line_coverage(demo):
    base, targets, _, _ = demo
    p = base.scenario.parameters
    routes = planning.patrol_options(base, base.scenario.catalogue)
    assert len(routes) > 0
    fast = planning.patrol_coverage(routes, targets, p, no_sensors=base.scenario.sensors)
    empty = base.scenario.sensors.iloc[:0]
    for k in range(len(routes)):
        found = coverage.detect_points(
            targets,
            empty,
            routes.iloc[[k]],
            path_depth_m=p.path_depth_m,
            trace_persistence_h=p.trace_persistence_h,
            patrol_pd=p.patrol_pd,
            crosser_speed_kmh=p.crosser_speed_kmh,
            engine="numpy",
        )
        column = sp.csc_array(fast[:, [k]]).toarray().ravel()
        np.testing.assert_array_equal(column, found.p_patrol)
