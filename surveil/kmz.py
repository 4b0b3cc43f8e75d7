"""Write gaps, risk classes, sensors and recommended sites as KMZ for Google Earth.

The KML is built with the standard library's :mod:`xml.etree.ElementTree`
against the OGC KML 2.2 schema, so every text from the data is escaped as
XML. A KMZ is a zip file whose first entry, ``doc.kml``, is the document.
Folders: coverage gaps (purple lines), segments by risk class (the map's
:data:`surveil.maps.RISK_COLOURS`), sensors, and recommended sites (the
``recommended`` layer of a plan folder, when it has one).
Names and descriptions are in English or Russian.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from surveil import i18n
from surveil._atomic import write_file

__all__ = ["KML_NS", "kml_document", "write_kmz"]

#: The KML 2.2 namespace.
KML_NS = "http://www.opengis.net/kml/2.2"
_K = f"{{{KML_NS}}}"
_GAP = "#6a1b9a"
_SENSOR = "#0b5394"
_RECOMMENDED = "#1b5e20"
_ICON = "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
_STAR = "http://maps.google.com/mapfiles/kml/shapes/star.png"
_FIELDS = {
    "gaps": ("section", "km_from", "km_to", "length_km", "mean_p_detect", "max_risk", "priority"),
    "segments": ("section", "km_from", "km_to", "p_detect", "risk", "risk_class"),
    "sensors": ("id", "type", "status", "range_m", "height_m", "pd", "agency"),
    "recommended": (
        "order",
        "id",
        "type",
        "means",
        "range_m",
        "mast_m",
        "capex_eur",
        "gaps_served",
    ),
}


def _kml_colour(colour: str, opacity: float = 1.0) -> str:
    """Return ``#rrggbb`` as KML's ``aabbggrr``."""
    rr, gg, bb = colour[1:3], colour[3:5], colour[5:7]
    return f"{round(255 * opacity):02x}{bb}{gg}{rr}".lower()


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _K + tag, attrs)
    if text is not None:
        element.text = text
    return element


def _line_style(parent: ET.Element, style_id: str, colour: str, width: float) -> None:
    style = _sub(parent, "Style", id=style_id)
    line = _sub(style, "LineStyle")
    _sub(line, "color", _kml_colour(colour))
    _sub(line, "width", f"{width:g}")


def _icon_style(parent: ET.Element, style_id: str, colour: str, href: str, scale: float) -> None:
    style = _sub(parent, "Style", id=style_id)
    icon_style = _sub(style, "IconStyle")
    _sub(icon_style, "color", _kml_colour(colour))
    _sub(icon_style, "scale", f"{scale:g}")
    _sub(_sub(icon_style, "Icon"), "href", href)


def _coordinates(line: Any) -> str:
    return " ".join(f"{x:.6f},{y:.6f}" for x, y, *_ in line.coords)


def _geometry(parent: ET.Element, geom: Any) -> None:
    """Add a point or line geometry (multi-parts as MultiGeometry)."""
    parts = list(getattr(geom, "geoms", [geom]))
    if len(parts) > 1:
        parent = _sub(parent, "MultiGeometry")
    for part in parts:
        if isinstance(part, shapely.Point):
            _sub(_sub(parent, "Point"), "coordinates", _coordinates(part))
        elif isinstance(part, shapely.LineString):
            _sub(_sub(parent, "LineString"), "coordinates", _coordinates(part))
        else:  # a polygon: its outline
            _sub(_sub(parent, "LineString"), "coordinates", _coordinates(part.exterior))


def _value(v: Any, lang: str) -> str:
    if i18n.is_missing(v):
        return i18n.label("no_data", lang)
    if isinstance(v, float):
        return i18n.number(v, lang, digits=2)
    return i18n.value(v, lang)


def _placemarks(
    folder: ET.Element,
    frame: gpd.GeoDataFrame,
    *,
    kind: str,
    lang: str,
    name: Any,
    style: Any,
) -> None:
    fields = [f for f in _FIELDS[kind] if f in frame.columns]
    for _, row in frame.iterrows():
        if row.geometry is None or row.geometry.is_empty:
            continue
        placemark = _sub(folder, "Placemark")
        _sub(placemark, "name", name(row))
        _sub(placemark, "styleUrl", "#" + style(row))
        data = _sub(placemark, "ExtendedData")
        for f in fields:
            entry = _sub(data, "Data", name=f)
            _sub(entry, "displayName", i18n.label(f, lang) if f in i18n.LABELS else f)
            _sub(entry, "value", _value(row[f], lang))
        _geometry(placemark, row.geometry)


def _recommended(layers: Mapping[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame | None:
    """Return the recommended sites of a plan folder, or None when there are none."""
    sites = layers.get("recommended")
    return sites if sites is not None and len(sites) else None


def _segment_name(row: Any, lang: str) -> str:
    """Return ``"Section km 3.0–4.0: high"`` in the language."""
    km = f"{i18n.number(row.get('km_from'), lang, digits=1)}–"
    km += i18n.number(row.get("km_to"), lang, digits=1)
    risk = _value(row.get("risk_class"), lang)
    return f"{row.get('section', '')} {i18n.label('km', lang).lower()} {km}: {risk}"


def kml_document(
    layers: Mapping[str, gpd.GeoDataFrame], *, lang: str = "en", title: str | None = None
) -> ET.Element:
    """Return the KML document (its ``kml`` root element) of an assessment's layers.

    Parameters
    ----------
    layers
        Layers by name (``segments``, ``gaps``, ``sensors``, and optionally
        ``recommended``), any CRS (written as EPSG:4326 longitude, latitude).
    lang
        Language of names and descriptions, ``"en"`` or ``"ru"``.
    title
        Name of the document; the generic map title if None.
    """
    from surveil.maps import RISK_CLASSES, RISK_COLOURS

    lang = i18n.check_lang(lang)
    t = i18n.label
    frames = {k: v.to_crs(4326) for k, v in layers.items() if v is not None and v.crs is not None}
    ET.register_namespace("", KML_NS)
    root = ET.Element(_K + "kml")
    doc = _sub(root, "Document")
    _sub(doc, "name", title or t("title", lang))
    _line_style(doc, "gap", _GAP, 6)
    for c in RISK_CLASSES:
        _line_style(doc, f"risk-{c}", RISK_COLOURS[c], 4)
    _line_style(doc, "risk-none", "#9e9e9e", 3)
    _icon_style(doc, "sensor", _SENSOR, _ICON, 1.0)
    _icon_style(doc, "recommended", _RECOMMENDED, _STAR, 1.3)

    def folder(key: str) -> ET.Element:
        element = _sub(doc, "Folder")
        _sub(element, "name", t(key, lang))
        return element

    if "gaps" in frames:
        _placemarks(
            folder("layer_gaps"),
            frames["gaps"],
            kind="gaps",
            lang=lang,
            name=lambda r: f"{t('gap', lang)} {r.get('gap_id', '')}".strip(),
            style=lambda r: "gap",
        )
    if "segments" in frames:
        _placemarks(
            folder("layer_risk"),
            frames["segments"],
            kind="segments",
            lang=lang,
            name=lambda r: _segment_name(r, lang),
            style=lambda r: (
                f"risk-{r['risk_class']}" if r.get("risk_class") in RISK_COLOURS else "risk-none"
            ),
        )
    if "sensors" in frames:
        _placemarks(
            folder("layer_sensors"),
            frames["sensors"],
            kind="sensors",
            lang=lang,
            name=lambda r: f"{r.get('id', '')} ({_value(r.get('type'), lang)})",
            style=lambda r: "sensor",
        )
    recommended = _recommended(frames)
    if recommended is not None:
        _placemarks(
            folder("layer_recommended"),
            recommended,
            kind="recommended",
            lang=lang,
            name=lambda r: t("recommended", lang),
            style=lambda r: "recommended",
        )
    ET.indent(root)
    return root


def write_kmz(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike[str],
    *,
    lang: str = "en",
    title: str | None = None,
) -> Path:
    """Write the layers as a KMZ file for Google Earth (see :func:`kml_document`).

    The file is written whole or not at all.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    surveil.errors.OutputError
        When the file cannot be written.
    """
    target = Path(path)
    body = ET.tostring(kml_document(layers, lang=lang, title=title), encoding="utf-8")
    document = b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as kmz:
            kmz.writestr("doc.kml", document)

    write_file(target, write)
    return target
