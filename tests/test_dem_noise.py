"""surveil.dem_noise: spatially correlated DEM error of a given sigma and correlation length."""

from __future__ import annotations

import numpy as np
import pytest

from surveil.dem_noise import correlated_noise, perturb_tiles
from surveil.terrain import flat_dem


def lag_correlation(field: np.ndarray, lag: int) -> float:
    a, b = field[:, :-lag], field[:, lag:]
    return float(np.mean(a * b) / np.mean(field * field))


def test_the_field_has_the_sigma_and_falls_to_one_over_e_at_the_correlation_length():
    # 10 m cells, L = 100 m: the correlation at 10 cells is exp(-1), at 20 cells exp(-4)
    field = correlated_noise(
        (1200, 1200), cell_m=10.0, sigma_m=3.0, correlation_m=100.0, rng=np.random.default_rng(0)
    )
    assert field.std() == pytest.approx(3.0, rel=0.03)
    assert abs(field.mean()) < 0.1
    assert lag_correlation(field, 10) == pytest.approx(np.exp(-1.0), abs=0.03)
    assert lag_correlation(field, 20) == pytest.approx(np.exp(-4.0), abs=0.03)


def test_zero_correlation_length_gives_independent_cells():
    field = correlated_noise(
        (500, 500), cell_m=30.0, sigma_m=2.0, correlation_m=0.0, rng=np.random.default_rng(1)
    )
    assert field.std() == pytest.approx(2.0, rel=0.02)
    assert abs(lag_correlation(field, 1)) < 0.02


def test_perturbation_keeps_the_grid_and_the_input():
    dem = flat_dem(100.0, center_lonlat=(70.0, 40.0))
    dem.elevation_m[0, 0] = np.nan
    before = dem.elevation_m.copy()
    (noisy,) = perturb_tiles((dem,), sigma_m=5.0, correlation_m=200.0, seed=(1, 2))
    np.testing.assert_array_equal(dem.elevation_m, before)
    assert noisy.transform == dem.transform
    assert noisy.shape == dem.shape
    assert np.isnan(noisy.elevation_m[0, 0])
    assert np.nanstd(noisy.elevation_m) > 1.0
    (mirror,) = perturb_tiles((dem,), sigma_m=5.0, correlation_m=200.0, seed=(1, 2), sign=-1.0)
    total = (noisy.elevation_m - 100.0) + (mirror.elevation_m - 100.0)
    np.testing.assert_allclose(total[1:], 0.0, atol=1e-4)
