"""Store QGIS styles in an assessment GeoPackage, so it opens styled like the map.

QGIS keeps the styles of GeoPackage layers in a ``layer_styles`` table
(columns ``f_table_catalog``, ``f_table_schema``, ``f_table_name``,
``f_geometry_column``, ``styleName``, ``styleQML``, ``styleSLD``,
``useAsDefault``, ``description``, ``owner``, ``ui``, ``update_time``) and
applies the row with ``useAsDefault`` when a layer is added. Every layer
gets an English and a Russian style (legend labels in that language), the
English one the default; the segments get a second pair coloured by
detection probability. Risk classes take the map's
:data:`surveil.maps.RISK_COLOURS`, detection its :data:`surveil.maps.DETECT_BINS`.
The GeoPackage's ``gpkg_contents`` gets each layer's title in both
languages as its ``identifier`` and ``description``.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from surveil import i18n

__all__ = ["STYLE_COLUMNS", "layer_styles", "write_layer_styles"]

#: Columns of QGIS's ``layer_styles`` table, in its order.
STYLE_COLUMNS: tuple[str, ...] = (
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
)

# Colours of the layers that have no ramp, as the map draws them.
_GAP = "#6a1b9a"
_SENSOR = {
    "operational": "#0b5394",
    "planned": "#0b5394",
    "recommended": "#0b5394",
    "faulty": "#8c8c8c",
}
_PATROL = "#7b3294"
_INCIDENT = "#c2185b"
_POST = "#263238"
_CANDIDATE = "#ffffff"
_RECOMMENDED = "#1b5e20"
_NO_DATA = "#9e9e9e"
_RIVER = "#b4d3ec"  # the map's river colour (surveil.maps)
_TITLE_KEYS = {
    "segments": "layer_risk",
    "gaps": "layer_gaps",
    "sensors": "layer_sensors",
    "footprints": "layer_footprints",
    "patrols": "layer_patrols",
    "incidents": "layer_incidents",
    "posts": "layer_posts",
    "candidates": "layer_candidates",
    "recommended": "layer_recommended",
    "settlements": "layer_settlements",
    "roads": "layer_roads",
    "area_lines": "areas",
    "areas": "areas",
    "handovers": "handover",
    "seams": "seam",
    "rivers": "layer_rivers",
    "isochrones": "layer_isochrones",
}


@dataclass(frozen=True)
class _Symbol:
    """One QGIS symbol: ``kind`` is ``"line"``, ``"marker"`` or ``"fill"``."""

    kind: str
    colour: str
    width_mm: float = 0.8
    shape: str = "circle"
    outline: str = "#ffffff"
    opacity: float = 1.0
    dashed: bool = False


@dataclass(frozen=True)
class _Class:
    """A legend entry: a value (categories) or a ``[lower, upper)`` range (graduated)."""

    label: str
    symbol: _Symbol
    value: str | None = None
    lower: float | None = None
    upper: float | None = None


def _rgba(colour: str, opacity: float = 1.0) -> str:
    """Return ``"#rrggbb"`` as QGIS's ``"r,g,b,a"``."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{red},{green},{blue},{round(255 * opacity)}"


def _symbol_props(symbol: _Symbol) -> tuple[str, dict[str, str]]:
    """Return the QGIS symbol-layer class and its properties."""
    if symbol.kind == "line":
        return "SimpleLine", {
            "line_color": _rgba(symbol.colour, symbol.opacity),
            "line_width": f"{symbol.width_mm}",
            "line_width_unit": "MM",
            "line_style": "dash" if symbol.dashed else "solid",
            "capstyle": "round",
            "joinstyle": "round",
        }
    if symbol.kind == "marker":
        return "SimpleMarker", {
            "name": symbol.shape,
            "color": _rgba(symbol.colour, symbol.opacity),
            "outline_color": _rgba(symbol.outline),
            "outline_width": "0.4",
            "outline_width_unit": "MM",
            "size": f"{symbol.width_mm}",
            "size_unit": "MM",
        }
    return "SimpleFill", {
        "color": _rgba(symbol.colour, symbol.opacity),
        "outline_color": _rgba(symbol.colour),
        "outline_width": f"{symbol.width_mm}",
        "outline_width_unit": "MM",
        "style": "solid",
    }


def _symbol_element(symbol: _Symbol, name: str) -> ET.Element:
    element = ET.Element(
        "symbol",
        type=symbol.kind,
        name=name,
        alpha="1",
        clip_to_extent="1",
        force_rhr="0",
    )
    layer_class, props = _symbol_props(symbol)
    attrs = {"class": layer_class, "enabled": "1", "pass": "0", "locked": "0"}
    layer = ET.SubElement(element, "layer", attrs)
    options = ET.SubElement(layer, "Option", type="Map")
    for key, value in props.items():
        ET.SubElement(options, "Option", name=key, value=value, type="QString")
    for key, value in props.items():  # QGIS before 3.26 reads these
        ET.SubElement(layer, "prop", k=key, v=value)
    return element


def style_qml(classes: Sequence[_Class], *, field: str | None) -> str:
    """Return a QGIS style (QML) of single-symbol, categorised or graduated classes."""
    root = ET.Element("qgis", version="3.28.0", styleCategories="Symbology")
    if field is None:
        renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol", symbollevels="0")
    elif classes[0].value is not None:
        renderer = ET.SubElement(
            root, "renderer-v2", type="categorizedSymbol", attr=field, symbollevels="0"
        )
        categories = ET.SubElement(renderer, "categories")
        for i, c in enumerate(classes):
            ET.SubElement(
                categories, "category", value=str(c.value), symbol=str(i), label=c.label
            ).set("render", "true")
    else:
        renderer = ET.SubElement(
            root,
            "renderer-v2",
            type="graduatedSymbol",
            attr=field,
            graduatedMethod="GraduatedColor",
            symbollevels="0",
        )
        ranges = ET.SubElement(renderer, "ranges")
        for i, c in enumerate(classes):
            ET.SubElement(
                ranges,
                "range",
                lower=f"{c.lower:.6f}",
                upper=f"{c.upper:.6f}",
                symbol=str(i),
                label=c.label,
            ).set("render", "true")
    renderer.set("forceraster", "0")
    renderer.set("enableorderby", "0")
    symbols = ET.SubElement(renderer, "symbols")
    for i, c in enumerate(classes):
        symbols.append(_symbol_element(c.symbol, str(i)))
    ET.SubElement(root, "layerGeometryType").text = {"marker": "0", "line": "1", "fill": "2"}[
        classes[0].symbol.kind
    ]
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"


def style_sld(layer: str, title: str, classes: Sequence[_Class], *, field: str | None) -> str:
    """Return the same classes as an OGC Styled Layer Descriptor (SLD 1.1)."""
    ET.register_namespace("sld", _SLD)
    ET.register_namespace("se", _SE)
    ET.register_namespace("ogc", _OGC)
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", version="1.1.0")
    named = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    ET.SubElement(named, f"{{{_SE}}}Name").text = layer
    user = ET.SubElement(named, f"{{{_SLD}}}UserStyle")
    ET.SubElement(user, f"{{{_SE}}}Name").text = title
    feature_style = ET.SubElement(user, f"{{{_SE}}}FeatureTypeStyle")
    for c in classes:
        rule = ET.SubElement(feature_style, f"{{{_SE}}}Rule")
        ET.SubElement(rule, f"{{{_SE}}}Name").text = c.label
        if field is not None:
            rule.append(_sld_filter(field, c))
        rule.append(_sld_symbolizer(c.symbol))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def _sld_filter(field: str, c: _Class) -> ET.Element:
    flt = ET.Element(f"{{{_OGC}}}Filter")
    if c.value is not None:
        parts = [("PropertyIsEqualTo", c.value)]
    else:
        parts = [("PropertyIsGreaterThanOrEqualTo", f"{c.lower}")]
        parts.append(("PropertyIsLessThanOrEqualTo", f"{c.upper}"))
    parent = flt if len(parts) == 1 else ET.SubElement(flt, f"{{{_OGC}}}And")
    for op, literal in parts:
        cmp = ET.SubElement(parent, f"{{{_OGC}}}{op}")
        ET.SubElement(cmp, f"{{{_OGC}}}PropertyName").text = field
        ET.SubElement(cmp, f"{{{_OGC}}}Literal").text = literal
    return flt


def _sld_symbolizer(symbol: _Symbol) -> ET.Element:
    def param(parent: ET.Element, name: str, value: str) -> None:
        ET.SubElement(parent, f"{{{_SE}}}SvgParameter", name=name).text = value

    width_px = f"{symbol.width_mm * 3.78:.1f}"  # 96 dpi
    if symbol.kind == "line":
        sym = ET.Element(f"{{{_SE}}}LineSymbolizer")
        stroke = ET.SubElement(sym, f"{{{_SE}}}Stroke")
        param(stroke, "stroke", symbol.colour)
        param(stroke, "stroke-width", width_px)
        param(stroke, "stroke-opacity", f"{symbol.opacity}")
        return sym
    if symbol.kind == "marker":
        sym = ET.Element(f"{{{_SE}}}PointSymbolizer")
        graphic = ET.SubElement(sym, f"{{{_SE}}}Graphic")
        mark = ET.SubElement(graphic, f"{{{_SE}}}Mark")
        ET.SubElement(mark, f"{{{_SE}}}WellKnownName").text = symbol.shape
        param(ET.SubElement(mark, f"{{{_SE}}}Fill"), "fill", symbol.colour)
        param(ET.SubElement(mark, f"{{{_SE}}}Stroke"), "stroke", symbol.outline)
        ET.SubElement(graphic, f"{{{_SE}}}Size").text = width_px
        return sym
    sym = ET.Element(f"{{{_SE}}}PolygonSymbolizer")
    fill = ET.SubElement(sym, f"{{{_SE}}}Fill")
    param(fill, "fill", symbol.colour)
    param(fill, "fill-opacity", f"{symbol.opacity}")
    param(ET.SubElement(sym, f"{{{_SE}}}Stroke"), "stroke", symbol.colour)
    return sym


def _layer_classes(layer: str, lang: str) -> list[tuple[str, str | None, list[_Class]]]:
    """Return ``(style key, field, classes)`` of each style of a layer."""
    from surveil.maps import DETECT_BINS, RISK_CLASSES, RISK_COLOURS

    t = i18n.label
    if layer == "segments":
        risk = [
            _Class(i18n.value(c, lang), _Symbol("line", RISK_COLOURS[c], 1.4), value=c)
            for c in RISK_CLASSES
        ]
        detect = [
            _Class(f"{lo:.1f}–{hi:.1f}", _Symbol("line", colour, 1.4), lower=lo, upper=hi)
            for lo, hi, colour in DETECT_BINS
        ]
        return [("layer_risk", "risk_class", risk), ("layer_detect", "p_detect", detect)]
    if layer == "sensors":
        sensors = [
            _Class(i18n.value(s, lang), _Symbol("marker", colour, 3.0), value=s)
            for s, colour in _SENSOR.items()
        ]
        return [("layer_sensors", "status", sensors)]
    if layer == "isochrones":
        from surveil.maps import ISOCHRONE_COLOURS
        from surveil.response import ISOCHRONE_MIN

        edges = [0, *ISOCHRONE_MIN]
        bands = [
            _Class(
                t("isochrone_band", lang).format(lo=lo, hi=hi),
                _Symbol("fill", colour, 0.2, opacity=0.35),
                lower=lo,
                upper=hi,
            )
            for lo, hi, colour in zip(edges, edges[1:], ISOCHRONE_COLOURS, strict=False)
        ]
        return [("layer_isochrones", "minutes_from", bands)]
    single = {
        "gaps": _Symbol("line", _GAP, 2.4, opacity=0.8),
        "footprints": _Symbol("fill", _SENSOR["operational"], 0.2, opacity=0.15),
        "patrols": _Symbol("line", _PATROL, 0.6, dashed=True),
        "incidents": _Symbol("marker", _INCIDENT, 1.8),
        "posts": _Symbol("marker", _POST, 3.0, shape="square"),
        "candidates": _Symbol("marker", _CANDIDATE, 2.4, outline="#333333"),
        "recommended": _Symbol("marker", _RECOMMENDED, 4.5, shape="star"),
        "settlements": _Symbol("marker", "#4d4d4d", 2.0),
        "roads": _Symbol("line", "#8c8c8c", 0.5),
        "area_lines": _Symbol("line", "#1b9e77", 3.0, opacity=0.4),
        "areas": _Symbol("fill", "#1b9e77", 0.4, opacity=0.1),
        "handovers": _Symbol("marker", "#e69f00", 3.0, shape="triangle", outline="#333333"),
        "seams": _Symbol("line", "#e69f00", 4.0, opacity=0.6),
        "rivers": _Symbol("line", _RIVER, 1.6),
    }
    key = _TITLE_KEYS[layer]
    return [(key, None, [_Class(t(key, lang), single.get(layer, _Symbol("line", _NO_DATA)))])]


def layer_styles(
    layers: Mapping[str, gpd.GeoDataFrame], *, default_lang: str = "en"
) -> pd.DataFrame:
    """Return the ``layer_styles`` rows of the layers of an assessment GeoPackage.

    Parameters
    ----------
    layers
        The layers written, by table name (``segments``, ``gaps`` ...);
        names without a style are skipped.
    default_lang
        Language of the styles that QGIS applies when a layer is added.

    Returns
    -------
    pandas.DataFrame
        One row per layer, style and language, columns :data:`STYLE_COLUMNS`.
    """
    default_lang = i18n.check_lang(default_lang)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = []
    for layer, frame in layers.items():
        if layer not in _TITLE_KEYS:
            continue
        geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else "geometry"
        for lang in i18n.LANGS:
            for n, (key, field, classes) in enumerate(_layer_classes(layer, lang)):
                title = i18n.label(key, lang)
                rows.append(
                    {
                        "f_table_catalog": "",
                        "f_table_schema": "",
                        "f_table_name": layer,
                        "f_geometry_column": "geom" if geometry == "geometry" else geometry,
                        "styleName": title,
                        "styleQML": style_qml(classes, field=field),
                        "styleSLD": style_sld(layer, title, classes, field=field),
                        "useAsDefault": lang == default_lang and n == 0,
                        "description": f"surveil: {title} ({lang.upper()})",
                        "owner": "",
                        "ui": None,
                        "update_time": stamp,
                    }
                )
    return pd.DataFrame(rows, columns=list(STYLE_COLUMNS))


def write_layer_styles(
    gpkg: Path, layers: Mapping[str, gpd.GeoDataFrame], *, default_lang: str = "en"
) -> None:
    """Add the QGIS styles of the layers to a GeoPackage (its ``layer_styles`` table).

    The table is written through GDAL, so it is registered in
    ``gpkg_contents`` as an attributes table as QGIS does; each layer's
    ``gpkg_contents`` row gets its English and Russian title as identifier
    and description.

    Parameters
    ----------
    gpkg
        The GeoPackage, with the layers already written.
    layers
        The layers written, by table name.
    default_lang
        Language of the styles that QGIS applies when a layer is added.
    """
    import pyogrio

    styles = layer_styles(layers, default_lang=default_lang)
    if styles.empty:
        return
    pyogrio.write_dataframe(styles, gpkg, layer="layer_styles", layer_options={"FID": "id"})
    with sqlite3.connect(gpkg) as db:
        for layer in layers:
            if layer not in _TITLE_KEYS:
                continue
            key = "layer_sensors" if layer == "sensors" else _TITLE_KEYS[layer]
            en, ru = (i18n.label(key, lang) for lang in ("en", "ru"))
            if layer == "segments":
                en, ru = "Segments", "Участки"
            db.execute(
                "UPDATE gpkg_contents SET identifier = ?, description = ? WHERE table_name = ?",
                (f"{en} / {ru}", f"surveil {layer}: {en} / {ru}", layer),
            )
    db.close()
