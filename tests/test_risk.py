import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from surveil import risk
from surveil.segments import segment_border
from tests.conftest import border_frame, point_off_line, straight_line


def incidents_at(line, along_m, offset_m=0.0, dates=None, persons=None):
    points = [point_off_line(line, a, offset_m)[0] for a in along_m]
    n = len(points)
    return gpd.GeoDataFrame(
        {
            "date": pd.to_datetime(dates if dates is not None else [pd.NaT] * n),
            "type": ["crossing"] * n,
            "persons": persons or [1] * n,
            "outcome": [""] * n,
        },
        geometry=points,
        crs="EPSG:4326",
    )


def test_snap_gives_chainage_and_distance(line, border):
    inc = incidents_at(line, [2500.0, 7200.0], offset_m=800.0)
    far = incidents_at(line, [5000.0], offset_m=9000.0)
    snapped = risk.snap_incidents(pd.concat([inc, far], ignore_index=True), border, snap_m=5000)
    assert snapped["km"].iloc[:2].to_numpy() == pytest.approx([2.5, 7.2], abs=1e-3)
    assert snapped["distance_m"].iloc[:2].to_numpy() == pytest.approx([800, 800], abs=0.5)
    assert np.isnan(snapped["km"].iloc[2]) and snapped["section"].iloc[2] == ""


def test_kernel_of_one_incident_integrates_to_one_and_peaks_as_gaussian():
    edges = np.arange(0, 100.001, 0.1)
    density = risk.kernel_intensity(
        edges[:-1], edges[1:], np.array([50.0]), np.array([1.0]), section_km=100.0, bandwidth_m=3000
    )
    assert (density * 0.1).sum() == pytest.approx(1.0, rel=1e-9)
    peak = 1 / (math.sqrt(2 * math.pi) * 3.0)
    assert density.max() == pytest.approx(peak, rel=1e-3)
    # One bandwidth away, the Gaussian falls to e^(-1/2) of its peak.
    at_sigma = density[np.searchsorted(edges, 53.0) - 1 : np.searchsorted(edges, 53.0) + 1].mean()
    assert at_sigma == pytest.approx(peak * math.exp(-0.5), rel=2e-2)


def test_kernel_near_the_end_keeps_the_incident_on_the_section():
    edges = np.arange(0, 10.001, 0.5)
    density = risk.kernel_intensity(
        edges[:-1], edges[1:], np.array([0.2]), np.array([2.0]), section_km=10.0
    )
    assert (density * 0.5).sum() == pytest.approx(2.0, rel=1e-9)


def test_decay_weights_and_exposure():
    inc = pd.DataFrame(
        {"persons": [3, 1, 1], "date": pd.to_datetime(["2024-01-01", "2025-01-01", None])}
    )
    w = risk.incident_weights(inc, half_life_days=366.0)  # 2024 is a leap year
    assert w.weight[0] == pytest.approx(1.5)
    assert w.weight[1] == pytest.approx(1.0)
    span, rate = 366.0, math.log(2) / 366.0
    exposure = (1 - math.exp(-rate * span)) / rate
    assert w.exposure_years == pytest.approx(exposure / 365.25)
    assert w.weight[2] == pytest.approx(exposure / span)  # mean decay for undated


def test_undated_incidents_use_the_stated_period():
    inc = pd.DataFrame({"persons": [1, 2], "date": pd.to_datetime([None, None])})
    w = risk.incident_weights(inc, period_years=2.0)
    assert w.weight.tolist() == [1.0, 2.0] and w.exposure_years == 2.0


def test_intensity_per_km_year_on_a_long_line():
    line = straight_line(100_000)
    border = border_frame(line)
    segments = segment_border(border, segment_m=1000)
    inc = incidents_at(line, [50_000.0] * 4)
    snapped = risk.snap_incidents(inc, border)
    weights = risk.incident_weights(snapped, period_years=2.0)
    density = risk.incident_intensity(segments, snapped, weights, bandwidth_m=3000)
    # 4 incidents over 2 years; mean of the kernel over 49–50 km and 50–51 km.
    from scipy.stats import norm

    expected = 4 / 2 * (norm.cdf(1 / 3) - norm.cdf(0)) / 1.0
    assert density[49] == pytest.approx(expected, rel=2e-3)
    assert (
        risk.count_incidents(segments, snapped)[50] + risk.count_incidents(segments, snapped)[49]
        == 4
    )


def test_structure_from_roads_settlements_and_passability(line):
    road = shapely.LineString([point_off_line(line, a, 5000)[0] for a in (0, 10_000)])
    roads = gpd.GeoDataFrame({"name": ["r"]}, geometry=[road], crs="EPSG:4326")
    town = point_off_line(line, 5000, 0)[0]
    settlements = gpd.GeoDataFrame(
        {"name": ["t"], "population": [1000.0]}, geometry=[town], crs="EPSG:4326"
    )
    x, y = np.array([town.x]), np.array([town.y])
    score = risk.structure_score(x, y, roads=roads, settlements=settlements)
    assert score[0] == pytest.approx((math.exp(-1) + 1.0) / 2, rel=1e-3)
    assert risk.structure_score(x, y) is None
    steep = risk.structure_score(x, y, roads=roads, passability=np.array([0.0]))
    assert steep[0] == pytest.approx(math.exp(-1) / 2, rel=1e-3)


def test_risk_table_is_threat_times_vulnerability_times_impact_with_absolute_classes():
    table = risk.risk_table(
        np.array([0.5, 2.0, 10.0, 30.0]), np.array([1.0, 1.0, 0.5, 1.0]), impact=1.0
    )
    # Hand: 0.5, 2, 5 and 30 uninterdicted persons per km per year.
    assert table["risk"].tolist() == [0.5, 2.0, 5.0, 30.0]
    assert table["risk_class"].tolist() == ["low", "medium", "high", "critical"]
    # The class depends on the value, not on the worst segment: one segment alone.
    alone = risk.risk_table(np.array([0.5]), np.array([1.0]))
    assert alone["risk_class"].tolist() == ["low"]


def test_threat_mixes_observed_and_structure_only_where_observed():
    threat, weights = risk.threat_per_km_year(
        np.array([0.0, 2.0, 0.0]),
        np.array([1.0, 0.0, 0.5]),
        np.array([True, True, False]),
        structure_per_km_year=4.0,
        weights={"incidents": 0.7, "structure": 0.3},
    )
    # Hand: 0.3 · 1 · 4, 0.7 · 2, and structure alone 0.5 · 4 where unobserved.
    assert threat.tolist() == pytest.approx([1.2, 1.4, 2.0])
    assert weights == pytest.approx({"incidents": 0.7, "structure": 0.3})
    no_context, w = risk.threat_per_km_year(
        np.array([3.0, 0.0]),
        None,
        np.array([True, False]),
        structure_per_km_year=1.5,
        weights={"incidents": 0.7, "structure": 0.3},
    )
    assert w == {"incidents": 1.0, "structure": 0.0}
    assert no_context.tolist() == pytest.approx([3.0, 1.5])


def test_each_incident_is_corrected_by_the_detection_at_its_own_place(line, border):
    segments = segment_border(border, segment_m=500)
    incidents = risk.snap_incidents(incidents_at(line, [2000.0, 8000.0]), border)
    # Posture: detection 1.0 on the first half of the line, 0.25 on the second.
    lon = np.linspace(line.coords[0][0], line.coords[-1][0], 201)
    lat = np.full(lon.size, line.coords[0][1])
    p = np.where(lon < (lon[0] + lon[-1]) / 2, 1.0, 0.25)
    posture = risk.Posture(
        lon, lat, np.array(["A"] * lon.size, dtype=object), np.zeros(lon.size, dtype=np.int64), p
    )
    recorded = risk.detection_at(posture, incidents)
    assert recorded.tolist() == [1.0, 0.25]
    weights = risk.incident_weights(incidents)
    corrected = risk.incident_intensity(
        segments, incidents, weights, bandwidth_m=500.0, correction=1 / recorded
    )
    # The kernel keeps every incident's mass on the section: 1/1 + 1/0.25 = 5 persons a year.
    mass = float((corrected * segments["length_m"] / 1000).sum())
    assert mass == pytest.approx(5.0, rel=1e-6)
    # ... and puts the corrected one's mass around its own place (km 8).
    east = segments["km_from"].to_numpy() >= 5
    assert float((corrected * segments["length_m"] / 1000)[east].sum()) == pytest.approx(4.0, 1e-3)


def test_calibrated_structure_reproduces_the_observed_mean():
    corrected = np.array([1.0, 3.0, 0.0])
    structure = np.array([0.25, 0.75, 0.9])
    length = np.array([1000.0, 1000.0, 1000.0])
    confident = np.array([True, True, False])
    s_ref = risk.calibrate_structure(corrected, structure, length, confident)
    # Hand: (1 + 3) / (0.25 + 0.75) = 4 persons per km per year at structure 1.
    assert s_ref == pytest.approx(4.0)
