"""Key ECEF points by the cubic grid cell they fall in (shared by both detection engines).

A key packs the three cell indices, each offset by ``HALF`` into ``[0, SPAN)``,
into one int64, so that sorting keys buckets the points cell by cell.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

SPAN = 1 << 20
"""Number of cell indices per axis a key can hold."""
HALF = 1 << 19
"""Offset added to each cell index so that keys are non-negative."""


def cell_keys(xyz: NDArray[np.float64], cell_m: float) -> NDArray[np.int64]:
    """Return the integer key of the grid cell of each ECEF point.

    Parameters
    ----------
    xyz
        ECEF coordinates in metres, shape ``(n, 3)``.
    cell_m
        Edge of a cell in metres.

    Examples
    --------
    >>> import numpy as np
    >>> k = cell_keys(np.array([[0.0, 0.0, 0.0], [50.0, 0.0, 0.0], [150.0, 0.0, 0.0]]), 100.0)
    >>> bool(k[0] == k[1]), bool(k[2] == k[0] + SPAN * SPAN)
    (True, True)
    """
    c = np.floor(xyz / cell_m).astype(np.int64) + HALF
    return (c[:, 0] * SPAN + c[:, 1]) * SPAN + c[:, 2]
