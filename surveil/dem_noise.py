"""Perturb terrain with spatially correlated vertical error.

A DEM's vertical error is not independent from cell to cell: it comes in
blobs as wide as the features the source smoothed over. The error field here
is white Gaussian noise filtered with a Gaussian kernel, rescaled so that
each cell's standard deviation is ``sigma_m``. A Gaussian filter of standard
deviation ``s`` gives the correlation ``exp(−d² / 4s²)`` between cells ``d``
apart; the correlation length ``L`` is the distance at which it falls to
``1/e``, so ``s = L / 2``. The grid is never changed: the field is added to
the cell values of each tile (NaN cells stay NaN).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from surveil.terrain import DEM


def correlated_noise(
    shape: tuple[int, int],
    *,
    cell_m: float,
    sigma_m: float,
    correlation_m: float,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Return a stationary Gaussian error field of the given standard deviation.

    Parameters
    ----------
    shape
        Rows and columns of the grid.
    cell_m
        Cell size in metres.
    sigma_m
        Standard deviation of each cell's error, in metres.
    correlation_m
        Distance at which the correlation between two cells falls to ``1/e``,
        in metres; 0 gives independent cells.
    rng
        Source of the white noise (seed it for a reproducible field).

    Examples
    --------
    >>> field = correlated_noise((400, 400), cell_m=30.0, sigma_m=2.0,
    ...                          correlation_m=300.0, rng=np.random.default_rng(1))
    >>> field.shape, bool(1.8 < field.std() < 2.2)
    ((400, 400), True)
    """
    if sigma_m < 0 or correlation_m < 0 or cell_m <= 0:
        raise ValueError("sigma_m and correlation_m must be >= 0 and cell_m > 0")
    s = correlation_m / 2.0 / cell_m
    if sigma_m == 0:
        return np.zeros(shape)
    if s == 0:
        return rng.standard_normal(shape) * sigma_m
    pad = math.ceil(4.0 * s)
    white = rng.standard_normal((shape[0] + 2 * pad, shape[1] + 2 * pad))
    smooth = ndimage.gaussian_filter(white, s, mode="constant", truncate=4.0)
    # exact variance of the filtered white noise: the squared 2-D kernel's sum
    impulse = np.zeros(2 * pad + 1)
    impulse[pad] = 1.0
    kernel = ndimage.gaussian_filter1d(impulse, s, mode="constant", truncate=4.0)
    scale = sigma_m / float(np.sum(kernel**2))
    return np.asarray(smooth[pad : pad + shape[0], pad : pad + shape[1]] * scale)


def perturb_tiles(
    tiles: tuple[DEM, ...],
    *,
    sigma_m: float,
    correlation_m: float,
    seed: int | Sequence[int],
    sign: float = 1.0,
) -> tuple[DEM, ...]:
    """Return copies of the terrain tiles with a correlated error added to their cells.

    Parameters
    ----------
    tiles
        Terrain as read by :func:`surveil.assessment.load_terrain`; not modified.
    sigma_m, correlation_m
        See :func:`correlated_noise`.
    seed
        Seed of the error field (one field per tile, drawn in tile order).
    sign
        Multiplies the field (``-1`` gives the mirror error, for sensitivity).

    Notes
    -----
    The grid, its transform and where the sensors stand are kept: a sensor's
    ground comes from the source raster's cell (``DEM.source_cells``), taken
    as surveyed, while the rays and the targets see the perturbed terrain.
    """
    rng = np.random.default_rng(seed)
    out = []
    for tile in tiles:
        field = correlated_noise(
            tile.shape, cell_m=tile.cell_m, sigma_m=sigma_m, correlation_m=correlation_m, rng=rng
        )
        elevation = (tile.elevation_m + sign * field).astype(np.float32)
        out.append(dataclasses.replace(tile, elevation_m=elevation))
    return tuple(out)
