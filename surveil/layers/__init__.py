"""Read, check and normalise the input layers of an assessment.

Every layer is read into a new :class:`geopandas.GeoDataFrame` in EPSG:4326
with the canonical columns of its kind (see :data:`LAYER_KINDS` and
:func:`read_layer`), defaults filled and values checked. All problems of a
layer are collected and raised at once, each naming the file, the layer, the
row and the field. Nothing the user gave is modified.
"""

from surveil.layers.placement import check_near_border, clip_to_border
from surveil.layers.reading import read_layer
from surveil.layers.schema import LAYER_KINDS

__all__ = ["LAYER_KINDS", "check_near_border", "clip_to_border", "read_layer"]
