"""Draw an assessment as an interactive map that works without internet.

:func:`assessment_map` turns the assessment layers (segments, gaps, sensors
and their footprints, patrols, incidents, posts, candidate and recommended
sites) into a Folium map with a legend, a panel of key figures, popups,
layer control, scale bar, full-screen button and measuring tool, labelled in
English or Russian. :func:`save_map` writes it as one self-contained HTML
file: Leaflet and its plugins are inlined from an installed package, so the
map opens on a projector with no network. Only the optional OpenStreetMap
base layer needs one.

Every text that comes from the input data is HTML-escaped, and the data
travels to the page as JSON with ``<``, ``>`` and ``&`` escaped, so neither a
popup nor a ``<script>`` block can be broken out of.
"""

from __future__ import annotations

import functools
import html
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium import plugins
from folium.template import Template

from surveil import i18n
from surveil._offline import inline_assets
from surveil.errors import InputError
from surveil.geodesy import split_at_antimeridian

__all__ = [
    "DETECT_BINS",
    "RISK_CLASSES",
    "RISK_COLOURS",
    "assessment_map",
    "km_step",
    "save_map",
]

#: Risk classes from lowest to highest.
RISK_CLASSES: tuple[str, ...] = ("low", "medium", "high", "critical")

#: Colour of each risk class.
RISK_COLOURS: Mapping[str, str] = {
    "low": "#1a9641",
    "medium": "#e6b400",
    "high": "#f46d43",
    "critical": "#a50026",
}

#: Detection-probability bins ``(lower, upper, colour)``; low detection is red.
DETECT_BINS: tuple[tuple[float, float, str], ...] = (
    (0.0, 0.2, "#a50026"),
    (0.2, 0.4, "#f46d43"),
    (0.4, 0.6, "#e6b400"),
    (0.6, 0.8, "#66bd63"),
    (0.8, 1.0, "#1a7837"),
)

#: Bins of a segment's probability of lying in a gap, from a sweep
#: ``(lower, upper, colour)``: the gaps' purple, darker where a gap is surer.
GAP_PROBABILITY_BINS: tuple[tuple[float, float, str], ...] = (
    (0.0, 0.05, "#dadaeb"),
    (0.05, 0.25, "#bcbddc"),
    (0.25, 0.5, "#9e9ac8"),
    (0.5, 0.75, "#756bb1"),
    (0.75, 0.95, "#54278f"),
    (0.95, 1.0, "#3f007d"),
)

_NO_DATA_COLOUR = "#9e9e9e"
# Symbols keep clear of the green-yellow-red risk and detection ramps and read
# with colour-blind eyes (Okabe-Ito hues: blue, black, reddish purple, sky blue).
_GAP_COLOUR = "#5e3c99"
_SENSOR_COLOURS = {
    "operational": "#0072b2",
    "faulty": "#8c8c8c",
    "planned": "#0072b2",
    "recommended": "#0072b2",
}
_PATROL_COLOURS = {"foot": "#0072b2", "vehicle": "#111111", "horse": "#cc79a7", "boat": "#56b4e9"}
_OTHER_PATROL_COLOUR = "#666666"
_INCIDENT_COLOUR = "#111111"
_ROAD_COLOUR = "#a0a0a0"
#: Reaction-time bands from posts, nearest first (teal ramp: clear of the
#: risk and detection ramps and of the sensors' blue).
ISOCHRONE_COLOURS = ("#01665e", "#35978f", "#80cdc1", "#c7eae5", "#e6f5f3")
_RIVER_COLOUR = "#b4d3ec"  # pale and wide like water, apart from the boat patrol's sky blue
_HEAT_GRADIENT = {0.4: "#fde0ef", 0.65: "#de77ae", 1.0: "#8e0152"}
_PANES = {  # pane -> z-index; Leaflet's overlay pane is 400, markers 600
    "sv-context": 401,
    "sv-footprints": 402,
    "sv-patrols": 404,
    "sv-incidents": 405,  # under the line: incident clusters never hide the risk colours
    "sv-gaps": 406,
    "sv-segments": 410,
    "sv-points": 450,
}
_KM_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
_MAX_KM_MARKS = 20
_PRECISION = 6  # decimal degrees kept: about 0.1 m

_CSS = """
.leaflet-container { background: #eef0ec; font-family: "DejaVu Sans", Arial, sans-serif;
  font-size: 14px; }
.leaflet-container .leaflet-control-attribution { font-size: 14px; max-width: 60vw; }
.leaflet-control-scale-line { font-size: 14px; }
.leaflet-control-layers { font-size: 14px; }
.leaflet-control-layers-list { max-height: calc(100vh - 120px); overflow-y: auto; }
.leaflet-tooltip, .leaflet-popup-content, .leaflet-control-measure { font-size: 14px; }
.sv-panel { background: rgba(255,255,255,.94); padding: 6px 10px; border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,.4); font-size: 14px; line-height: 1.3; color: #222; }
.sv-panel summary { font-weight: bold; cursor: pointer; font-size: 15px; }
.sv-panel table { border-collapse: collapse; }
.sv-panel td { padding: 1px 4px; vertical-align: middle; }
.sv-panel td.sv-num { text-align: right; font-weight: bold; white-space: nowrap; }
.sv-legend { max-height: calc(100vh - 140px); overflow-y: auto; max-width: 300px; }
.sv-kpi { max-width: 330px; max-height: calc(100vh - 280px); overflow-y: auto; }
.sv-sw { display: inline-block; width: 26px; height: 6px; vertical-align: middle; }
.sv-dot { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
  vertical-align: middle; border: 2px solid #fff; box-shadow: 0 0 0 1px #555; }
.sv-title { position: absolute; top: 10px; left: 50%; transform: translateX(-50%);
  z-index: 800; max-width: calc(100% - 200px); text-align: center; pointer-events: none; }
.sv-title h3 { margin: 0; font-size: 20px; }
.sv-title div { font-size: 14px; color: #444; }
.sv-pop h4 { margin: 0 0 4px; font-size: 15px; }
.sv-pop table { border-collapse: collapse; font-size: 14px; }
.sv-pop th { text-align: left; font-weight: normal; color: #444; padding: 1px 8px 1px 0; }
.sv-pop td { text-align: right; font-weight: bold; padding: 1px 0; white-space: nowrap; }
.sv-icon { border-radius: 50%; border: 2px solid #fff; box-shadow: 0 0 0 1px #333; }
.sv-inc { background: #111; }
.leaflet-container .marker-cluster-small, .leaflet-container .marker-cluster-medium,
.leaflet-container .marker-cluster-large {
  background-color: rgba(17,17,17,.25); }
.leaflet-container .marker-cluster-small div, .leaflet-container .marker-cluster-medium div,
.leaflet-container .marker-cluster-large div {
  background-color: rgba(17,17,17,.8); color: #fff; font: bold 14px/30px sans-serif; }
.sv-post { border-radius: 3px; background: #263238; color: #fff; font: bold 14px/18px sans-serif;
  text-align: center; border: 1px solid #fff; white-space: nowrap; }
.sv-rec { color: #0072b2; font: bold 24px/22px sans-serif; text-align: center;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
.sv-handover { color: #111; background: #e69f00; border-radius: 10px;
  font: bold 14px/18px sans-serif; text-align: center; border: 1px solid #fff; }
.sv-gaplabel { color: #fff; background: #5e3c99; border-radius: 11px;
  font: bold 14px/20px sans-serif; text-align: center; border: 1px solid #fff; }
.sv-km i { position: absolute; left: 1px; top: 1px; width: 6px; height: 6px; border-radius: 50%;
  background: #222; border: 1px solid #fff; }
.sv-km span, .sv-place span { position: absolute; left: 8px; top: -19px; font: bold 14px sans-serif;
  color: #222; white-space: nowrap; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
.sv-place span { font-weight: normal; font-style: italic; color: #333; }
.sv-place i { position: absolute; left: 0; top: 0; width: 8px; height: 8px; border-radius: 50%;
  background: #fff; border: 2px solid #333; }
.sv-hillshade { image-rendering: auto; }
"""


# --------------------------------------------------------------------- public API


def assessment_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    summary: Mapping[str, Any] | None = None,
    lang: str = "en",
    title: str | None = None,
    attribution: str | None = None,
    hillshade: Sequence[tuple[Any, Any]] = (),
    section_names: Mapping[str, str] | None = None,
) -> folium.Map:
    """Draw the layers of an assessment on an interactive map.

    Parameters
    ----------
    layers
        Assessment layers by name, in EPSG:4326 (others are reprojected):
        ``"segments"`` (required; coloured by risk class and, in a second
        layer, by detection probability), and optionally ``"gaps"``,
        ``"sensors"``, ``"footprints"``, ``"patrols"``, ``"incidents"``
        (heat map and clustered markers), ``"posts"``, ``"candidates"`` and
        ``"recommended"`` (or ``"sites"``, a plan's layer of that name), and
        context to orient by: ``"settlements"`` (``name``, ``name_ru``),
        ``"roads"`` and ``"rivers"``. Missing or empty layers are left out.
    summary
        Key figures to show in a panel (``km_assessed``, ``covered_share``,
        ``gap_count``, ``capex_eur`` ...).
    lang
        Label language, ``"en"`` or ``"ru"``.
    title
        Title shown on top of the map; a generic one if None.
    attribution
        Source note shown in the corner, e.g. ``"illustrative data"``.
    hillshade
        ``(image, bounds)`` pairs from :func:`surveil.terrain.hillshade`,
        drawn under everything as one layer (inlined, so it works offline).
    section_names
        Name to show for each section id (e.g. the border layer's
        ``name_ru`` on a Russian map); sections not named keep their id.

    Returns
    -------
    folium.Map
        The map; write it with :func:`save_map`.

    Raises
    ------
    surveil.errors.InputError
        If `lang` is not accepted, or the segments layer is missing or empty.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> segments = gpd.GeoDataFrame(
    ...     {"section": ["A"], "segment_id": [1], "km_from": [0.0], "km_to": [1.0],
    ...      "p_detect": [0.4], "risk": [55.0], "risk_class": ["high"]},
    ...     geometry=[LineString([(70.0, 40.0), (70.01, 40.0)])], crs=4326)
    >>> m = assessment_map({"segments": segments}, lang="ru")
    >>> "высокий" in m.get_root().render()
    True
    """
    lang = i18n.check_lang(lang)
    prepared = _named_sections(_prepare_layers(layers), section_names or {})
    if lang == "ru":
        prepared = _russian_post_names(prepared)
    segments = prepared["segments"]
    m = _base_map(segments, lang, attribution)
    context = _Context(m, lang)
    _draw_hillshade(context, hillshade)
    for draw in _LAYER_DRAWERS:
        draw(context, prepared)
    _add_controls(context, prepared, summary, title, hillshade=bool(hillshade))
    return m


def save_map(m: folium.Map, path: str | os.PathLike[str]) -> None:
    """Write a map as one self-contained HTML file that works offline.

    Scripts and style sheets are inlined from the installed ``folium-offline``
    package; nothing is fetched, now or when the file is opened (except the
    tiles of the optional OpenStreetMap base layer). The file is written
    whole or not at all.

    Parameters
    ----------
    m
        A map from :func:`assessment_map` (or any Folium map).
    path
        Output file, conventionally ``map.html``.

    Raises
    ------
    surveil._offline.OfflineAssetError
        If a script the map needs is not installed.
    surveil.errors.OutputError
        If the file cannot be written.
    """
    from surveil._atomic import write_file

    page = inline_assets(m.get_root().render())
    write_file(Path(path), lambda tmp: tmp.write_text(page, encoding="utf-8"))


# --------------------------------------------------------------------- Leaflet elements


class _FeatureLayer(MacroElement):
    """GeoJSON features whose popups and tooltips are built in the browser.

    The data is a :class:`_Features` collection: the layer's popup field
    labels, its distinct styles and icons once each, and per feature only a
    style or icon index (``s``, ``i``), a heading (``h``), the popup values
    aligned with the labels (``v``, null where absent) and a tooltip (``t``),
    all plain text that the page escapes (``svEsc``) when a popup opens.
    This keeps a national map small: a popup's HTML is not repeated per
    feature.

    Parameters
    ----------
    features
        The collection; ignored when `share` is given.
    pane
        Leaflet pane of lines, polygons and circles.
    style_key
        Key into each style when the styles are mappings (data drawn twice).
    share
        Another layer whose data this one draws again, differently styled.
    marker_pane
        Leaflet pane of the icon markers.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- if this.share is none %}
        var {{ this.get_name() }}_data = {{ this.data_json }};
        {%- endif %}
        var {{ this.get_name() }} = L.geoJSON(
            {{ this.data_name }},
            {
                pane: {{ this.pane_json }},
                style: function (f) {
                    var s = {{ this.data_name }}.styles[f.properties.s] || {};
                    return {{ this.key_json }} === null ? s : s[{{ this.key_json }}];
                },
                pointToLayer: function (f, latlng) {
                    var d = {{ this.data_name }};
                    if (f.properties.i !== undefined) {
                        return L.marker(latlng, {icon: L.divIcon(d.icons[f.properties.i]),
                                                 pane: {{ this.marker_pane_json }}});
                    }
                    var s = L.extend({pane: {{ this.pane_json }}}, d.styles[f.properties.s]);
                    return L.circleMarker(latlng, s);
                },
                onEachFeature: function (f, layer) {
                    var d = {{ this.data_name }};
                    if (f.properties.h !== undefined) {
                        layer.bindPopup(function () { return svPopup(d, f.properties); },
                                        {maxWidth: 460});
                    }
                    var tip = svTip(d, f.properties);
                    if (tip) {
                        layer.bindTooltip(tip, {sticky: true});
                    }
                }
            }
        );
        {{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        features: _Features | None,
        *,
        pane: str = "overlayPane",
        style_key: str | None = None,
        share: _FeatureLayer | None = None,
        marker_pane: str = "markerPane",
    ) -> None:
        super().__init__()
        self._name = "SurveilFeatures"
        self.marker_pane_json = _js_json(marker_pane)
        self.share = share
        if share is None and features is None:
            raise ValueError("a feature layer needs features or a layer to share")
        self.data_json = "" if features is None else _js_json(features.collection())
        self.pane_json = _js_json(pane)
        self.key_json = _js_json(style_key)

    @property
    def data_name(self) -> str:
        """Name of the JavaScript variable holding the features."""
        owner = self if self.share is None else self.share
        return f"{owner.get_name()}_data"


#: Builds a popup from a layer's labels and a feature's values; escapes all text.
_POPUP_JS = """
function svEsc(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}[c];
  });
}
function svPopup(d, p) {
  var rows = "";
  for (var i = 0; i < d.labels.length; i++) {
    var v = p.v ? p.v[i] : null;
    if (v !== null && v !== undefined) {
      rows += "<tr><th>" + svEsc(d.labels[i]) + "</th><td>" + svEsc(v) + "</td></tr>";
    }
  }
  return '<div class="sv-pop"><h4>' + svEsc(p.h) + "</h4><table>" + rows + "</table></div>";
}
function svTip(d, p) {
  if (p.t !== undefined) { return svEsc(p.t); }
  if (!d.tip || !d.tip.length || p.h === undefined) { return ""; }
  var parts = [p.h];
  for (var k = 0; k < d.tip.length; k++) {
    var i = d.tip[k], v = p.v ? p.v[i] : null;
    if (v !== null && v !== undefined) { parts.push(d.labels[i] + ": " + v); }
  }
  return svEsc(parts.join(" · "));
}
"""


class _Features:
    """A GeoJSON collection with popup labels, styles and icons stored once.

    Parameters
    ----------
    fields
        ``(column, label key, format)`` of the popup rows.
    columns
        Columns present in the layer; fields of other columns are left out.
    lang
        Label language.
    precision
        Decimal degrees kept in coordinates.
    tip
        Columns whose ``label: value`` follow the heading in the tooltip of a
        feature that has no tooltip of its own (built in the browser).
    """

    def __init__(
        self,
        fields: Iterable[tuple[str, str, str]] = (),
        *,
        columns: Iterable[str] = (),
        lang: str = "en",
        precision: int = _PRECISION,
        tip: Sequence[str] = (),
    ) -> None:
        present = set(columns)
        self.fields = [f for f in fields if f[0] in present]
        shown = [f[0] for f in self.fields]
        self.tip = [shown.index(c) for c in tip if c in shown]
        self.lang = lang
        self.precision = precision
        self.features: list[dict[str, Any]] = []
        self._styles: dict[str, int] = {}
        self._icons: dict[str, int] = {}

    def add(
        self,
        geom: Any,
        *,
        rec: Mapping[str, Any] | None = None,
        heading: str | None = None,
        style: Mapping[str, Any] | None = None,
        icon: Mapping[str, Any] | None = None,
        tooltip: str | None = None,
    ) -> None:
        """Add one feature; `heading`, `tooltip` and `rec` values are plain text."""
        props: dict[str, Any] = {}
        if style is not None:
            props["s"] = _index(self._styles, style)
        if icon is not None:
            props["i"] = _index(self._icons, icon)
        if heading is not None:
            props["h"] = heading
            if rec is not None and self.fields:
                props["v"] = [
                    _fmt(rec[c], kind, self.lang) if c in rec else None
                    for c, _, kind in self.fields
                ]
        if tooltip is not None:
            props["t"] = tooltip
        self.features.append(_feature(geom, props, precision=self.precision))

    def __len__(self) -> int:
        return len(self.features)

    def collection(self) -> dict[str, Any]:
        """Return the FeatureCollection with its ``labels``, ``styles`` and ``icons``."""
        return {
            "type": "FeatureCollection",
            "labels": [i18n.label(key, self.lang) for _, key, _ in self.fields],
            "styles": [json.loads(k) for k in self._styles],
            "icons": [json.loads(k) for k in self._icons],
            "tip": self.tip,
            "features": self.features,
        }


def _index(table: dict[str, int], item: Mapping[str, Any]) -> int:
    """Return the index of `item` in `table`, adding it if new."""
    key = json.dumps(item, sort_keys=True)
    return table.setdefault(key, len(table))


class _Panel(MacroElement):
    """A box of HTML on the map: a Leaflet control, or the title over the map.

    Parameters
    ----------
    body
        Inner HTML, built by this module with every data text escaped.
    css_class
        Class of the box.
    position
        Leaflet control corner (``"bottomright"`` ...), or None to place the
        box by its CSS class alone.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.DomUtil.create("div", {{ this.class_json }});
        {{ this.get_name() }}.innerHTML = {{ this.body_json }};
        L.DomEvent.disableClickPropagation({{ this.get_name() }});
        L.DomEvent.disableScrollPropagation({{ this.get_name() }});
        {%- if this.position is none %}
        {{ this._parent.get_name() }}.getContainer().appendChild({{ this.get_name() }});
        {%- else %}
        var {{ this.get_name() }}_control = L.control({position: {{ this.position_json }}});
        {{ this.get_name() }}_control.onAdd = function () { return {{ this.get_name() }}; };
        {{ this.get_name() }}_control.addTo({{ this._parent.get_name() }});
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, body: str, *, css_class: str, position: str | None) -> None:
        super().__init__()
        self._name = "SurveilPanel"
        self.position = position
        self.body_json = _js_json(body)
        self.class_json = _js_json(css_class)
        self.position_json = _js_json(position)


class _MapSetup(MacroElement):
    """Panes in a fixed drawing order, a metric scale bar and the attribution.

    The attribution prefix is the plain word Leaflet: Leaflet's default
    prefix carries a national flag, which has no place on a map shown to
    border agencies.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- for name, z in this.panes.items() %}
        {{ this._parent.get_name() }}.createPane({{ name|tojson }}).style.zIndex = {{ z }};
        {%- endfor %}
        L.control.zoom({{ this.zoom_json }}).addTo({{ this._parent.get_name() }});
        new (L.Control.Scale.extend({
            _updateMetric: function (maxMeters) {  // Leaflet writes "km" and "m" in English
                var meters = this._getRoundNum(maxMeters);
                var label = meters < 1000 ? meters + " " + {{ this.units_json }}[0]
                                          : meters / 1000 + " " + {{ this.units_json }}[1];
                this._updateScale(this._mScale, label, meters / maxMeters);
            }
        }))({imperial: false, maxWidth: 220, position: "bottomleft"})
            .addTo({{ this._parent.get_name() }});
        {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
        {%- if this.attribution_json %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution(
            {{ this.attribution_json }});
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, attribution: str | None, lang: str) -> None:
        super().__init__()
        self._name = "SurveilSetup"
        self.zoom_json = _js_json(
            {
                "position": "topleft",
                "zoomInTitle": i18n.label("zoom_in", lang),
                "zoomOutTitle": i18n.label("zoom_out", lang),
            }
        )
        self.units_json = _js_json([i18n.label("m_unit", lang), i18n.label("km_unit", lang)])
        self.panes = dict(_PANES)
        self.attribution_json = _js_json(_esc(attribution)) if attribution else ""


class _FitView(MacroElement):
    """Fit the border's extent into the part of the map that no control covers.

    Runs after every control is on the map: the padding on each side is the
    widest control in that side's corners (and the title's height on top),
    measured in the page, so the border is clear of them at any window size.
    On a small window (under 1300 × 800 px) the key figures start folded and
    the layer control collapsed; on a large one the layer control starts
    open. A legend that would reach the layer control or the title above it
    gets a smaller height and scrolls.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var box = map.getContainer();
            var small = box.clientWidth < 1300 || box.clientHeight < 800;
            box.querySelectorAll("details.sv-fold-small").forEach(function (d) {
                if (small) { d.removeAttribute("open"); }
            });
            window.svLayerControl = {{ this.layer_control }};  // for scripts and tests
            box.querySelectorAll(".leaflet-control-layers-toggle").forEach(function (a) {
                a.title = {{ this.layers_title_json }};  // Leaflet's own title is English
                a.setAttribute("aria-label", {{ this.layers_title_json }});
            });
            if (!small) { {{ this.layer_control }}.expand(); }
            // A long legend scrolls rather than run under what stands above it: the
            // layer control and the other top-right controls, and the title where it
            // reaches across (a long Russian title wraps).
            var legend = box.querySelector(".sv-legend");
            if (legend) {
                var lr = legend.getBoundingClientRect(), limit = lr.top;
                box.querySelectorAll(".leaflet-top.leaflet-right > .leaflet-control, .sv-title")
                    .forEach(function (c) {
                        var r = c.getBoundingClientRect();
                        if (r.left < lr.right && lr.left < r.right && r.bottom + 10 > limit) {
                            limit = r.bottom + 10;
                        }
                    });
                if (limit > lr.top) {  // max-height counts the content only
                    var st = getComputedStyle(legend);
                    var pad = legend.offsetHeight - legend.clientHeight
                        + parseFloat(st.paddingTop) + parseFloat(st.paddingBottom);
                    legend.style.maxHeight = Math.max(80, lr.bottom - limit - pad) + "px";
                }
            }
            function widest(selector) {
                var w = 0;
                box.querySelectorAll(selector + " > .leaflet-control").forEach(function (c) {
                    // the attribution and scale are strips along the bottom edge
                    if (!c.matches(".leaflet-control-attribution, .leaflet-control-scale")) {
                        w = Math.max(w, c.offsetWidth + 10);
                    }
                });
                return w;
            }
            var title = box.querySelector(".sv-title");
            var top = title ? title.offsetTop + title.offsetHeight : 0;
            var left = Math.max(widest(".leaflet-top.leaflet-left"),
                                widest(".leaflet-bottom.leaflet-left"));
            var right = Math.max(widest(".leaflet-top.leaflet-right"),
                                 widest(".leaflet-bottom.leaflet-right"));
            var bottom = 0;
            box.querySelectorAll(".leaflet-control-attribution, .leaflet-control-scale")
                .forEach(function (c) { bottom = Math.max(bottom, c.offsetHeight + 10); });
            map.fitBounds({{ this.bounds_json }}, {
                paddingTopLeft: [left + 12, top + 12],
                paddingBottomRight: [right + 12, bottom + 12],
                animate: false
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: Sequence[Sequence[float]], *, layer_control: str, lang: str) -> None:
        super().__init__()
        self._name = "SurveilFitView"
        self.layers_title_json = _js_json(i18n.label("layers", lang))
        self.bounds_json = json.dumps([list(map(float, corner)) for corner in bounds])
        self.layer_control = layer_control


class _Declutter(MacroElement):
    """Hide labels that would overlap a label of higher priority, at every zoom.

    Labels are the ``L.divIcon`` markers whose class holds ``sv-lab1``
    (posts, gap numbers), ``sv-lab2`` (km marks) or ``sv-lab3``
    (settlement names); a label is hidden while its box, text included,
    meets the box of one shown before it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            function boxOf(el) {
                var r = el.getBoundingClientRect(), b = [r.left, r.top, r.right, r.bottom];
                el.querySelectorAll("*").forEach(function (c) {
                    var q = c.getBoundingClientRect();
                    if (q.width && q.height) {
                        b = [Math.min(b[0], q.left), Math.min(b[1], q.top),
                             Math.max(b[2], q.right), Math.max(b[3], q.bottom)];
                    }
                });
                return b;
            }
            function run() {
                // all boxes are read after one layout (reading a box after each hide
                // lays the page out again: minutes for a national map's thousands of
                // labels), and shown boxes are kept on a grid of 64 px cells
                var pane = map.getPanes().markerPane, labels = [], grid = {}, CELL = 64;
                ["sv-lab1", "sv-lab2", "sv-lab3"].forEach(function (cls) {
                    pane.querySelectorAll("." + cls).forEach(function (el) {
                        el.style.visibility = "";
                        labels.push(el);
                    });
                });
                var boxes = labels.map(boxOf);
                labels.forEach(function (el, i) {
                    var b = boxes[i], keys = [];
                    for (var x = Math.floor(b[0] / CELL); x <= Math.floor(b[2] / CELL); x++) {
                        for (var y = Math.floor(b[1] / CELL); y <= Math.floor(b[3] / CELL); y++) {
                            keys.push(x + "," + y);
                        }
                    }
                    var hit = keys.some(function (k) {
                        return (grid[k] || []).some(function (s) {
                            return b[0] < s[2] && s[0] < b[2] && b[1] < s[3] && s[1] < b[3];
                        });
                    });
                    if (hit) {
                        el.style.visibility = "hidden";
                    } else {
                        keys.forEach(function (k) { (grid[k] = grid[k] || []).push(b); });
                    }
                });
            }
            var pending = false;
            function later() {
                if (pending) { return; }
                pending = true;
                window.requestAnimationFrame(function () { pending = false; run(); });
            }
            map.on("zoomend moveend overlayadd overlayremove layeradd", later);
            // once the page is laid out, then every half second for five seconds: a
            // national map's labels take a second or two to reach their places, and a
            // pass before that hides too few
            var passes = 0;
            function settle() {
                later();
                if (++passes < 10) { window.setTimeout(settle, 500); }
            }
            window.addEventListener("load", settle);
            later();
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SurveilDeclutter"


_PAGE = Template(
    "<!DOCTYPE html>\n"
    '<html lang="{{ this.lang }}">\n'
    "<head>\n"
    "{% if this.title %}<title>{{this.title}}</title>{% endif %}"
    "    {{this.header.render(**kwargs)}}\n"
    "</head>\n"
    "<body>\n"
    "    {{this.html.render(**kwargs)}}\n"
    "</body>\n"
    "<script>\n"
    "    {{this.script.render(**kwargs)}}\n"
    "</script>\n"
    "</html>\n"
)  # branca's Figure page with the document language on <html>


# --------------------------------------------------------------------- building blocks


class _Context:
    """The map being drawn and its language.

    ``group`` (a posture's name, say) goes before the name of every overlay
    added through this context; ``visible=False`` adds them all hidden.
    """

    def __init__(
        self, m: folium.Map, lang: str, *, group: str | None = None, visible: bool = True
    ) -> None:
        self.map = m
        self.lang = lang
        self.group = group
        self.visible = visible

    def t(self, key: str) -> str:
        """Return the label `key` in the map's language."""
        return i18n.label(key, self.lang)

    def overlay(self, key: str, *, show: bool = True) -> folium.FeatureGroup:
        """Add an empty overlay named by label `key` and return it."""
        name = self.t(key) if self.group is None else f"{self.group} — {self.t(key)}"
        group = folium.FeatureGroup(
            name=name, overlay=True, control=True, show=show and self.visible
        )
        group.add_to(self.map)
        return group


def _prepare_layers(layers: Mapping[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """Return the non-empty layers in EPSG:4326 without empty geometries, cut at ±180°."""
    prepared: dict[str, gpd.GeoDataFrame] = {}
    for name, frame in layers.items():
        if frame is None:
            continue
        if not isinstance(frame, gpd.GeoDataFrame):
            raise InputError(
                f"layers[{name!r}] is a {type(frame).__name__}; expected a GeoDataFrame"
            )
        if frame.crs is not None and frame.crs.to_epsg() != 4326:
            frame = frame.to_crs(4326)
        frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
        frame = split_at_antimeridian(frame)
        if len(frame):
            prepared[name] = frame
    if "sites" in prepared:  # a plan folder's recommended sites (surveil plan)
        prepared.setdefault("recommended", prepared.pop("sites"))
    if "segments" not in prepared:
        raise InputError(
            "layers['segments'] is missing or empty; expected the segments of the "
            "assessment (LineStrings in EPSG:4326)"
        )
    return prepared


def _named_sections(
    layers: dict[str, gpd.GeoDataFrame], names: Mapping[str, str]
) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers with each ``section`` id replaced by its name in ``names``."""
    if not names:
        return layers
    out = {}
    for key, frame in layers.items():
        if "section" in frame.columns:
            frame = frame.copy()
            ids = frame["section"].astype(object)
            frame["section"] = ids.map(lambda v: names.get(str(v), v))
        out[key] = frame
    return out


def _russian_post_names(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers with each post's ``id`` replaced by its ``name_ru`` where given."""
    posts = layers.get("posts")
    if posts is None or "name_ru" not in posts.columns:
        return layers
    names = posts["name_ru"].astype("string").fillna("").str.strip()
    posts = posts.copy()
    posts["id"] = posts["id"].astype(object).where(names == "", names.astype(object))
    return {**layers, "posts": posts}


def _base_map(segments: gpd.GeoDataFrame, lang: str, attribution: str | None) -> folium.Map:
    """Create a map without tiles, fitted to `segments`, with a plain and an OSM base."""
    west, south, east, north = segments.total_bounds
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=10,
        tiles=None,
        control_scale=False,
        zoom_control=False,  # added by _MapSetup with translated titles
    )
    m.options["maxZoom"] = 18  # no tiles by default, and marker clusters need a limit
    m.options["zoomSnap"] = 0.25  # fit the border snugly on a projector
    # Leaflet only: jQuery, Bootstrap, Font Awesome and awesome-markers are not used.
    m.default_js = [(n, u) for n, u in folium.Map.default_js if n == "leaflet"]
    m.default_css = [(n, u) for n, u in folium.Map.default_css if n == "leaflet_css"]
    page = _figure(m)
    page._template = _PAGE
    page.lang = lang  # type: ignore[attr-defined]  # read by _PAGE
    _figure(m).header.add_child(Element(f"<style>{_CSS}</style>"), name="surveil_css")
    _figure(m).header.add_child(Element(f"<script>{_POPUP_JS}</script>"), name="surveil_js")
    m.add_child(_MapSetup(attribution, lang))
    plain = folium.FeatureGroup(name=i18n.label("base_plain", lang), overlay=False, show=True)
    plain.add_to(m)
    folium.TileLayer(
        "OpenStreetMap", name=i18n.label("base_osm", lang), overlay=False, show=False
    ).add_to(m)
    return m


def _add_controls(
    context: _Context,
    layers: Mapping[str, gpd.GeoDataFrame],
    summary: Mapping[str, Any] | None,
    title: str | None,
    *,
    hillshade: bool = False,
    extra_symbols: Sequence[tuple[str, str]] = (),
    kpi_html: str | None = None,
) -> None:
    """Add legend, key figures, title, full screen, measure and layer control."""
    m, lang = context.map, context.lang
    plugins.Fullscreen(
        position="topleft",
        title=context.t("fullscreen"),
        title_cancel=context.t("fullscreen_exit"),
        force_separate_button=True,
    ).add_to(m)
    plugins.MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="meters",
        primary_area_unit="hectares",
        secondary_area_unit="sqmeters",
        localization=lang,  # leaflet-measure bundles its Russian texts
    ).add_to(m)
    _Panel(
        _legend_html(layers, lang, hillshade=hillshade, extra=extra_symbols),
        css_class="sv-panel sv-legend",
        position="bottomright",
    ).add_to(m)
    if summary:
        kpi_html = _kpi_html(summary, lang)
    if kpi_html:
        _Panel(kpi_html, css_class="sv-panel sv-kpi", position="bottomleft").add_to(m)
    heading = title if title is not None else context.t("title")
    body = f"<h3>{_esc(heading)}</h3>"
    if title is not None:
        body += f"<div>{_esc(context.t('title'))}</div>"
    _Panel(body, css_class="sv-panel sv-title", position=None).add_to(m)
    _figure(m).title = _esc(heading)
    control = folium.LayerControl(position="topright", collapsed=True)
    control.add_to(m)
    west, south, east, north = layers["segments"].total_bounds
    m.add_child(
        _FitView([[south, west], [north, east]], layer_control=control.get_name(), lang=lang)
    )
    m.add_child(_Declutter())


# --------------------------------------------------------------------- layers


def _draw_segments(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add the segments twice: coloured by risk class (shown) and by detection.

    Past :data:`MAX_SEGMENT_FEATURES` segments (a national border at 100 m),
    each of the two layers draws runs of consecutive segments of one colour
    instead, each run one simplified line whose popup sums the run up.
    """
    segments = layers["segments"]
    if len(segments) > MAX_SEGMENT_FEATURES:
        _draw_segment_runs(context, segments)
        return
    lang = context.lang
    features = _Features(
        _SEGMENT_FIELDS,
        columns=_columns(segments),
        lang=lang,
        tip=("_km", "risk_class", "p_detect"),
    )
    windows = [w for w in ("day", "night") if f"p_detect_{w}" in segments]
    for geom, rec in _records(segments):
        styles = {
            "risk": _risk_line_style(rec.get("risk_class"), rec.get("threat_confidence")),
            "detect": _line_style(_detect_colour(rec.get("p_detect")), 5),
        }
        for w in windows:  # detection per time window (surveil.windows)
            styles[f"detect_{w}"] = _line_style(_detect_colour(rec.get(f"p_detect_{w}")), 5)
        features.add(
            geom,
            rec=rec,
            heading=_segment_heading(rec, lang),
            style=styles,
        )
    risk = _FeatureLayer(features, pane="sv-segments", style_key="risk")
    risk.add_to(context.overlay("layer_risk", show=True))
    detect = _FeatureLayer(None, pane="sv-segments", style_key="detect", share=risk)
    detect.add_to(context.overlay("layer_detect", show=False))
    for w in windows:
        shared = _FeatureLayer(None, pane="sv-segments", style_key=f"detect_{w}", share=risk)
        shared.add_to(context.overlay(f"layer_detect_{w}", show=False))


#: Most segments drawn one by one; beyond, runs of one colour are drawn.
MAX_SEGMENT_FEATURES = 10_000
#: Simplification of lines and polygons of a national map, degrees (about 20 m).
_LARGE_TOLERANCE_DEG = 0.0002
#: Decimal degrees kept in a national map: about 1 m.
_LARGE_PRECISION = 5


def _risk_line_style(risk_class: Any, confidence: Any) -> dict[str, Any]:
    style = _line_style(_risk_colour(risk_class), 5)
    if confidence == "low":  # threat unknown, not safe: dashed
        style["dashArray"] = _UNKNOWN_DASH
    return style


def _draw_segment_runs(context: _Context, segments: gpd.GeoDataFrame) -> None:
    """Add the risk and detection layers as runs of equally coloured segments."""
    lang = context.lang
    ordered = _in_chainage_order(segments)
    risk_key = ordered["risk_class"].astype(str) if "risk_class" in ordered else None
    if risk_key is not None and "threat_confidence" in ordered:
        risk_key = risk_key + "|" + ordered["threat_confidence"].astype(str)
    detect_key = (
        pd.Series([_detect_colour(p) for p in ordered["p_detect"]], index=ordered.index)
        if "p_detect" in ordered
        else None
    )
    drawn: list[tuple[str, pd.Series | None, bool, str | None]] = [
        ("layer_risk", risk_key, True, None),
        ("layer_detect", detect_key, False, None),
    ]
    for w in ("day", "night"):  # detection per time window (surveil.windows)
        name = f"p_detect_{w}"
        if name in ordered:
            by = pd.Series([_detect_colour(p) for p in ordered[name]], index=ordered.index)
            drawn.append((f"layer_detect_{w}", by, False, name))
    for layer_key, key, show, column in drawn:
        frame = ordered if column is None else ordered.assign(p_detect=ordered[column])
        runs = segment_runs(frame, key)
        features = _Features(
            _RUN_FIELDS,
            columns=_columns(runs),
            lang=lang,
            precision=_LARGE_PRECISION,
            tip=("risk_class", "mean_p_detect"),
        )
        for geom, rec in _records(runs):
            if layer_key == "layer_risk":
                style = _risk_line_style(rec.get("risk_class"), rec.get("threat_confidence"))
            else:
                style = _line_style(_detect_colour(rec.get("mean_p_detect")), 5)
            heading = f"{_fmt(rec.get('section'), 'text', lang)} · {context.t('km_unit')} " + _fmt(
                rec["_km"], "km_range", lang
            )
            features.add(geom, rec=rec, heading=heading, style=style)
        _FeatureLayer(features, pane="sv-segments").add_to(context.overlay(layer_key, show=show))


def _in_chainage_order(segments: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the segments sorted by section and km_from (stable)."""
    by = [c for c in ("section", "km_from") if c in segments.columns]
    return segments.sort_values(by, kind="stable") if by else segments


def segment_runs(segments: gpd.GeoDataFrame, key: pd.Series | None) -> gpd.GeoDataFrame:
    """Merge consecutive segments of one section with the same `key` into runs.

    Segments must be in chainage order; a run also ends where a segment does
    not start where the previous one ended (within 1e-7°) or where the
    section changes. Each run is one line, simplified by about 20 m.

    Parameters
    ----------
    segments
        Segments in EPSG:4326 in chainage order, single LineStrings.
    key
        The class that must stay the same along a run; None merges by
        section and continuity alone.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per run: ``section``, ``km_from``, ``km_to``, ``length_km``,
        ``segments`` (count), ``risk_class``, ``threat_confidence``,
        ``max_risk``, ``mean_risk`` and ``mean_p_detect`` (length-weighted),
        ``min_p_detect``, ``incidents`` (sum), where the segments have them.
    """
    n = len(segments)
    geoms = segments.geometry.to_numpy()
    single = shapely.get_type_id(geoms) == 1  # LineString
    first = shapely.get_point(geoms, 0)
    last = shapely.get_point(geoms, -1)
    starts = np.ones(n, dtype=bool)
    if n > 1:
        gap = shapely.distance(last[:-1], first[1:])
        joined = (gap < 1e-7) & single[1:] & single[:-1]
        if "section" in segments:
            sec = segments["section"].astype(str).to_numpy()
            joined &= sec[1:] == sec[:-1]
        if key is not None:
            k = key.astype(str).to_numpy()
            joined &= k[1:] == k[:-1]
        starts[1:] = ~joined
    run = np.cumsum(starts) - 1
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    # drop each segment's first vertex where it continues the previous segment
    first_of_segment = np.r_[True, owner[1:] != owner[:-1]]
    drop = first_of_segment & ~starts[owner]
    lines = shapely.linestrings(coords[~drop], indices=run[owner[~drop]])
    lines = shapely.simplify(lines, _LARGE_TOLERANCE_DEG, preserve_topology=False)
    frame = pd.DataFrame({"run": run})
    length = (
        segments["length_m"].to_numpy(dtype=float)
        if "length_m" in segments
        else (segments["km_to"] - segments["km_from"]).to_numpy(dtype=float) * 1000.0
    )
    frame["w"] = length
    for column in ("section", "risk_class", "threat_confidence"):
        if column in segments:
            frame[column] = segments[column].to_numpy()
    for column in ("km_from", "km_to", "risk", "p_detect", "p_gap", "p_high_risk", "incidents"):
        if column in segments:
            frame[column] = pd.to_numeric(segments[column], errors="coerce").to_numpy()
    groups = frame.groupby("run", sort=True)
    out = pd.DataFrame(index=pd.RangeIndex(int(run[-1]) + 1 if n else 0))
    for column in ("section", "risk_class", "threat_confidence"):
        if column in frame:
            out[column] = groups[column].first()
    if "km_from" in frame:
        out["km_from"] = groups["km_from"].min()
        out["km_to"] = groups["km_to"].max()
    out["length_km"] = groups["w"].sum() / 1000.0
    out["segments"] = groups.size()
    for column in ("risk", "p_detect", "p_gap", "p_high_risk"):
        if column in frame:
            frame["_wx"] = frame[column] * frame["w"]
            out[f"mean_{column}"] = groups["_wx"].sum() / groups["w"].sum()
    if "risk" in frame:
        out["max_risk"] = groups["risk"].max()
    if "p_detect" in frame:
        out["min_p_detect"] = groups["p_detect"].min()
    if "incidents" in frame:
        out["incidents"] = groups["incidents"].sum()
    return gpd.GeoDataFrame(out, geometry=lines, crs=segments.crs)


_RUN_FIELDS = (
    ("section", "section", "text"),
    ("_km", "km", "km_range"),
    ("length_km", "length_km", "f1"),
    ("segments", "segments", "int"),
    ("risk_class", "risk_class", "text"),
    ("_confidence", "threat_confidence", "text"),
    ("max_risk", "max_risk", "f2"),
    ("mean_risk", "mean_risk", "f2"),
    ("mean_p_detect", "mean_p_detect", "f2"),
    ("min_p_detect", "min_p_detect", "f2"),
    ("incidents", "incidents", "int"),
)


def _columns(frame: pd.DataFrame) -> set[str]:
    """Return the columns of `frame` and the derived ``_km`` and ``_confidence``."""
    columns = set(frame.columns)
    if {"km_from", "km_to"} & columns:
        columns.add("_km")
    if "threat_confidence" in columns:
        columns.add("_confidence")
    return columns


def _large(layers: Mapping[str, gpd.GeoDataFrame]) -> bool:
    """Whether the map is drawn at national scale (simplified, fewer decimals)."""
    return len(layers["segments"]) > MAX_SEGMENT_FEATURES


def _simplified(frame: gpd.GeoDataFrame, large: bool) -> gpd.GeoDataFrame:
    """Return `frame` with lines and polygons simplified by about 20 m when `large`."""
    if not large:
        return frame
    out = frame.copy()
    out.geometry = shapely.simplify(
        frame.geometry.to_numpy(), _LARGE_TOLERANCE_DEG, preserve_topology=True
    )
    return out


def _draw_gaps(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add the gaps as a thick halo under the segments, numbered by priority."""
    gaps = layers.get("gaps")
    if gaps is None:
        return
    lang, large = context.lang, _large(layers)
    features = _Features(
        _GAP_FIELDS,
        columns=_columns(gaps),
        lang=lang,
        precision=_LARGE_PRECISION if large else _PRECISION,
    )
    style = {"color": _GAP_COLOUR, "weight": 15, "opacity": 0.45, "lineCap": "butt"}
    for geom, rec in _records(_simplified(gaps, large)):
        heading = f"{context.t('gap_id')} {_fmt(rec.get('gap_id'), 'int', lang)}"
        features.add(geom, rec=rec, heading=heading, style=style, tooltip=heading)
        priority = rec.get("priority")
        if not i18n.is_missing(priority):
            icon = _icon(_esc(_fmt(priority, "int", lang)), "sv-gaplabel sv-lab1", (22, 22))
            point = shapely.line_interpolate_point(geom, 0.5, normalized=True)
            features.add(point, rec=rec, heading=heading, icon=icon)
    _FeatureLayer(features, pane="sv-gaps").add_to(context.overlay("layer_gaps"))


def _draw_isochrones(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add reaction-time bands from the posts (nearest band darkest), off by default."""
    bands = layers.get("isochrones")
    if bands is None:
        return
    lang, large = context.lang, _large(layers)
    features = _Features(lang=lang, precision=_LARGE_PRECISION if large else 5)
    order = bands.sort_values("minutes_to", ascending=False)  # far bands first, under
    for geom, rec in _records(_simplified(order, large)):
        text = _isochrone_text(rec, lang)
        features.add(geom, style=_isochrone_style(rec, bands), tooltip=text)
    layer = context.overlay("layer_isochrones", show=False)
    _FeatureLayer(features, pane="sv-context").add_to(layer)


def _isochrone_text(rec: Mapping[str, Any], lang: str) -> str:
    lo, hi = (_fmt(rec.get(k), "int", lang) for k in ("minutes_from", "minutes_to"))
    return i18n.label("isochrone_band", lang).format(lo=lo, hi=hi)


def _isochrone_style(rec: Mapping[str, Any], bands: gpd.GeoDataFrame) -> dict[str, Any]:
    upper = sorted(pd.to_numeric(bands["minutes_to"], errors="coerce").dropna().unique())
    rank = upper.index(rec["minutes_to"]) if rec.get("minutes_to") in upper else len(upper)
    colour = ISOCHRONE_COLOURS[min(rank, len(ISOCHRONE_COLOURS) - 1)]
    return {"color": colour, "weight": 0.5, "fillColor": colour, "fillOpacity": 0.35}


def _draw_footprints(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add sensor footprints: faulty grey, planned dashed."""
    footprints = layers.get("footprints")
    if footprints is None:
        return
    lang, large = context.lang, _large(layers)
    features = _Features(
        _FOOTPRINT_FIELDS,
        columns=_columns(footprints),
        lang=lang,
        precision=_LARGE_PRECISION if large else _PRECISION,
    )
    for geom, rec in _records(_simplified(footprints, large)):
        heading = f"{context.t('sensor')} {_fmt(rec.get('sensor_id'), 'text', lang)}"
        features.add(geom, rec=rec, heading=heading, style=_footprint_style(rec.get("status")))
    _FeatureLayer(features, pane="sv-footprints").add_to(context.overlay("layer_footprints"))


def _draw_sensors(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add sensors as circles coloured by status."""
    sensors = layers.get("sensors")
    if sensors is None:
        return
    lang = context.lang
    features = _Features(_SENSOR_FIELDS, columns=_columns(sensors), lang=lang)
    for geom, rec in _records(sensors):
        heading = f"{context.t('sensor')} {_fmt(rec.get('id'), 'text', lang)}"
        features.add(
            _representative_point(geom),
            rec=rec,
            heading=heading,
            style=_sensor_style(rec.get("status")),
            tooltip=f"{heading} · {_fmt(rec.get('type'), 'text', lang)}",
        )
    _FeatureLayer(features, pane="sv-points").add_to(context.overlay("layer_sensors"))


def _draw_patrols(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add patrol routes coloured by mode; night-only routes dashed."""
    patrols = layers.get("patrols")
    if patrols is None:
        return
    lang, large = context.lang, _large(layers)
    features = _Features(
        _PATROL_FIELDS,
        columns=_columns(patrols),
        lang=lang,
        precision=_LARGE_PRECISION if large else _PRECISION,
    )
    for geom, rec in _records(_simplified(patrols, large)):
        heading = f"{context.t('patrol')} {_fmt(rec.get('id'), 'text', lang)}"
        mode = str(rec.get("mode", "")).lower()
        style = _line_style(_PATROL_COLOURS.get(mode, _OTHER_PATROL_COLOUR), 3)
        if str(rec.get("window", "")).lower() == "night":
            style["dashArray"] = "8 6"
        features.add(
            geom,
            rec=rec,
            heading=heading,
            style=style,
            tooltip=f"{heading} · {_fmt(rec.get('mode'), 'text', lang)}",
        )
    _FeatureLayer(features, pane="sv-patrols").add_to(context.overlay("layer_patrols"))


def _draw_incidents(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add incidents as a heat map (hidden) and as clustered markers (shown).

    A page stays usable on a workshop laptop only with a bounded number of
    markers: beyond :data:`MAX_INCIDENT_MARKERS` the most recent ones are
    drawn (the layer's name says how many of how many), and beyond
    :data:`MAX_HEAT_POINTS` the heat map pools incidents on a grid, each cell
    weighted by its count.
    """
    incidents = layers.get("incidents")
    if incidents is None:
        return
    lang = context.lang
    shown = _latest(incidents, MAX_INCIDENT_MARKERS)
    features = _Features(_INCIDENT_FIELDS, columns=_columns(shown), lang=lang)
    icon = _icon("", "sv-icon sv-inc", (12, 12))
    for geom, rec in _records(shown):
        heading = f"{context.t('incident')} · {_fmt(rec.get('date'), 'date', lang)}"
        features.add(
            _representative_point(geom),
            rec=rec,
            heading=heading,
            icon=icon,
            tooltip=f"{heading} · {_fmt(rec.get('type'), 'text', lang)}",
        )
    plugins.HeatMap(
        _heat_points(incidents, MAX_HEAT_POINTS),
        name=context.t("layer_heat"),
        radius=22,
        blur=18,
        min_opacity=0.35,
        gradient=_HEAT_GRADIENT,
        show=False,
    ).add_to(context.map)
    if len(shown) < len(incidents):
        name = context.t("layer_incidents_latest").format(
            shown=i18n.number(len(shown), lang), total=i18n.number(len(incidents), lang)
        )
    else:
        name = context.t("layer_incidents")
    cluster = plugins.MarkerCluster(
        name=name,
        show=True,
        showCoverageOnHover=False,
        maxClusterRadius=40,
        disableClusteringAtZoom=15,
        clusterPane="sv-incidents",
    )
    cluster.add_to(context.map)
    _FeatureLayer(features, marker_pane="sv-incidents").add_to(cluster)


#: Most incident markers drawn; more would make the page too heavy to open.
MAX_INCIDENT_MARKERS = 5000
#: Most heat-map points; beyond, incidents are pooled on a grid.
MAX_HEAT_POINTS = 50_000
#: Cell indices of the heat-map grid are shifted by this to be positive and
#: packed two in one int64 (|lon| / 0.001° < 2^19 < offset < span / 2).
_CELL_OFFSET = 1 << 20
_CELL_SPAN = 1 << 22


def _latest(incidents: gpd.GeoDataFrame, limit: int) -> gpd.GeoDataFrame:
    """Return at most ``limit`` incidents, the most recent first (undated last)."""
    if len(incidents) <= limit:
        return incidents
    if "date" in incidents:
        dates = pd.to_datetime(incidents["date"], errors="coerce").reset_index(drop=True)
        newest = dates.sort_values(ascending=False, na_position="last", kind="stable").index
        return incidents.iloc[newest[:limit]]
    return incidents.iloc[:limit]


def _heat_points(incidents: gpd.GeoDataFrame, limit: int) -> list[list[float]]:
    """Return ``[lat, lon]`` per incident, or ``[lat, lon, weight]`` pooled on a grid."""
    geoms = incidents.geometry.to_numpy()
    if np.all(shapely.get_type_id(geoms) == 0):  # points: their coordinates as they are
        points = shapely.get_coordinates(geoms)
    else:
        points = shapely.get_coordinates(shapely.point_on_surface(geoms))
    if len(points) <= limit:
        return [[round(y, _PRECISION), round(x, _PRECISION)] for x, y in points]
    step = 0.001
    while True:
        # one int64 key per cell, in the (x, y) order of np.unique(axis=0), much faster
        cell = np.round(points / step).astype(np.int64) + _CELL_OFFSET
        keys, counts = np.unique(cell[:, 0] * _CELL_SPAN + cell[:, 1], return_counts=True)
        if len(keys) <= limit:
            break
        step *= 2
    cells = np.column_stack([keys // _CELL_SPAN, keys % _CELL_SPAN]) - _CELL_OFFSET
    weight = counts / counts.max()
    return [
        [round(cy * step, _PRECISION), round(cx * step, _PRECISION), round(float(w), 4)]
        for (cx, cy), w in zip(cells, weight, strict=True)
    ]


def _draw_posts(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add outposts and crossing points as labelled boxes."""
    posts = layers.get("posts")
    if posts is None:
        return
    lang = context.lang
    features = _Features(_POST_FIELDS, columns=_columns(posts), lang=lang)
    for geom, rec in _records(posts):
        kind = str(rec.get("type", "")).lower()
        short = _POST_SHORT[lang].get(kind, "•")
        width = 14 + 8 * len(short)
        heading = f"{_fmt(rec.get('type'), 'text', lang)} {_fmt(rec.get('id'), 'text', lang)}"
        features.add(
            _representative_point(geom),
            rec=rec,
            heading=heading,
            icon=_icon(_esc(short), "sv-post sv-lab1", (width, 20)),
            tooltip=heading,
        )
    _FeatureLayer(features).add_to(context.overlay("layer_posts"))


def _draw_sites(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add candidate sites (white circles) and recommended sites (stars)."""
    for kind in ("candidates", "recommended"):
        sites = layers.get(kind)
        if sites is None:
            continue
        heading = context.t("candidate" if kind == "candidates" else "recommended")
        features = _Features(_SITE_FIELDS, columns=_columns(sites), lang=context.lang)
        for geom, rec in _records(sites):
            point = _representative_point(geom)
            features.add(point, rec=rec, heading=heading, **_site_symbol(kind))
        layer = context.overlay(f"layer_{kind}")
        _FeatureLayer(features, pane="sv-points").add_to(layer)


#: Colours of responsibility areas, in order of appearance (Dark2, away from
#: the risk and detection ramps).
_AREA_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#666666")
_SEAM_COLOUR = "#e69f00"
_AREA_FIELDS = (
    ("area", "area", "text"),
    ("agency", "agency", "text"),
    ("_km", "km", "km_range"),
)
_SEAM_FIELDS = (
    ("kind", "kind", "text"),
    ("km_handover", "km_handover", "f1"),
    ("area_from", "area_from", "text"),
    ("agency_from", "agency_from", "text"),
    ("area_to", "area_to", "text"),
    ("agency_to", "agency_to", "text"),
    ("_km", "km", "km_range"),
    ("length_km", "length_km", "f1"),
)


def _area_colours(layers: Mapping[str, gpd.GeoDataFrame]) -> dict[str, str]:
    """Return a colour per area name, in the order the areas come along the line."""
    names: list[str] = []
    for layer in ("area_lines", "areas"):
        frame = layers.get(layer)
        if frame is not None and "area" in frame:
            names += [str(a) for a in frame["area"] if str(a) not in names]
    return {n: _AREA_COLOURS[i % len(_AREA_COLOURS)] for i, n in enumerate(names)}


def _draw_areas(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add responsibility areas (a band along the line, outlines), seams and handover points.

    One overlay for all of them (the layer control stays short on a
    projector). Seams are a wide orange halo under the area band, which lies
    under the gaps and the risk line, so every colour above stays readable.
    """
    names = ("area_lines", "areas", "seams", "handovers")
    if not any(name in layers for name in names):
        return
    colours = _area_colours(layers)
    lang = context.lang
    group = context.overlay("layer_areas")
    seams, handovers = layers.get("seams"), layers.get("handovers")
    if seams is not None or handovers is not None:
        columns = [*_columns(seams if seams is not None else handovers), "_km"]
        features = _Features(_SEAM_FIELDS, columns=columns, lang=lang)
        for geom, rec in _records(seams) if seams is not None else ():
            style = {"color": _SEAM_COLOUR, "weight": 34, "opacity": 0.45, "lineCap": "butt"}
            heading = context.t("seam")
            features.add(geom, rec=rec, heading=heading, style=style, tooltip=heading)
        _FeatureLayer(features, pane="sv-context").add_to(group)
    features = _Features(_AREA_FIELDS, columns=["area", "agency", "_km"], lang=lang)
    for frame, weight in ((layers.get("areas"), 2), (layers.get("area_lines"), 22)):
        for geom, rec in _records(frame) if frame is not None else ():
            colour = colours.get(str(rec.get("area")), _AREA_COLOURS[-1])
            heading = f"{context.t('area')} {_fmt(rec.get('area'), 'text', lang)}"
            style = {"color": colour, "weight": weight, "opacity": 0.4, "fill": False}
            if weight == 2:
                style.update({"opacity": 0.9, "dashArray": "6 4"})
            features.add(geom, rec=rec, heading=heading, style=style, tooltip=heading)
    _FeatureLayer(features, pane="sv-context").add_to(group)
    if handovers is not None:
        markers = _Features(_SEAM_FIELDS, columns=[*_columns(handovers), "_km"], lang=lang)
        icon = _icon("⇄", "sv-handover sv-lab1", (20, 20))
        for geom, rec in _records(handovers):
            heading = (
                f"{context.t('handover')}: {_fmt(rec.get('area_from'), 'text', lang)} – "
                f"{_fmt(rec.get('area_to'), 'text', lang)}"
            )
            point = _representative_point(geom)
            markers.add(point, rec=rec, heading=heading, icon=icon, tooltip=heading)
        _FeatureLayer(markers).add_to(group)


def _site_symbol(kind: str) -> dict[str, Any]:
    """Return the ``style`` of a candidate site or the ``icon`` of a recommended one."""
    if kind == "recommended":
        return {"icon": _icon("★", "sv-rec", (22, 22))}
    style = {"radius": 5, "color": "#555", "weight": 1.5, "fillColor": "#fff", "fillOpacity": 1}
    return {"style": style}


def _draw_hillshade(context: _Context, images: Sequence[tuple[Any, Any]]) -> None:
    """Add hillshade images (RGBA arrays over lon/lat bounds) as one layer."""
    if not images:
        return
    layer = context.overlay("layer_hillshade")
    for image, bounds in images:
        folium.raster_layers.ImageOverlay(
            display_hillshade(np.asarray(image)),
            bounds=[list(corner) for corner in bounds],
            opacity=0.55,
            pixelated=False,  # smooth when zoomed in, not blocky
            className="sv-hillshade",
        ).add_to(layer)


#: Share of the image's width and height over which the hillshade fades out.
_HILLSHADE_FADE = 0.08
#: Hillshades smaller than this (pixels on the long side) are upsampled for display.
_HILLSHADE_MIN_PX = 1024


def display_hillshade(image: np.ndarray) -> np.ndarray:
    """Return a hillshade image resampled for display, fading out at its edges.

    A small image is upsampled bilinearly (so it is not blocky when zoomed
    in) to at least about 1024 pixels on its long side; its alpha then falls
    linearly to 0 over 8 % of the short side towards the image's edges and
    towards every transparent (nodata) pixel, so that the terrain ends in a
    soft edge instead of a hard line at the box or the DEM it was cut from.

    Parameters
    ----------
    image
        RGBA uint8 array ``(rows, cols, 4)`` from :func:`surveil.terrain.hillshade`.

    Returns
    -------
    numpy.ndarray
        RGBA uint8 array; the input is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> out = display_hillshade(np.full((100, 200, 4), 255, dtype=np.uint8))
    >>> out.shape, int(out[0, 0, 3]), int(out[out.shape[0] // 2, out.shape[1] // 2, 3])
    ((600, 1200, 4), 0, 255)
    """
    from scipy import ndimage

    rows, cols = image.shape[:2]
    factor = max(1, math.ceil(_HILLSHADE_MIN_PX / max(rows, cols, 1)))
    out = image.astype(np.float32)
    if factor > 1:
        out = ndimage.zoom(out, (factor, factor, 1), order=1, mode="nearest", grid_mode=True)
    rows, cols = out.shape[:2]
    # distance of each pixel to the nearest transparent one, outside the image included
    opaque = np.pad(out[..., 3] > 0, 1, constant_values=False)
    distance = ndimage.distance_transform_edt(opaque)[1:-1, 1:-1]
    edge = max(1.0, _HILLSHADE_FADE * min(rows, cols))
    out[..., 3] *= np.clip((distance - 1.0) / edge, 0.0, 1.0).astype(np.float32)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _draw_km_marks(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add a km mark every 1, 2, 5, 10 ... km along each section."""
    segments = layers["segments"]
    if not {"km_from", "km_to"} <= set(segments.columns):
        return
    unit, features = context.t("km_unit"), _Features(lang=context.lang)
    key = segments["section"] if "section" in segments.columns else pd.Series("", segments.index)
    for section, part in segments.groupby(key.astype(str), sort=False):
        for km, point in _km_points(part):
            text = f"{i18n.number(km, context.lang, 0 if km == int(km) else 1)} {unit}"
            features.add(
                point,
                icon=_icon(f"<i></i><span>{_esc(text)}</span>", "sv-km sv-lab2", (10, 10)),
                tooltip=f"{section} · {text}" if section else text,
            )
    if features:
        _FeatureLayer(features).add_to(context.overlay("layer_km"))


def _draw_context(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add roads, rivers (thin lines) and settlement names to orient by."""
    large = _large(layers)
    for kind, colour, weight in (("rivers", _RIVER_COLOUR, 6.0), ("roads", _ROAD_COLOUR, 1.5)):
        frame = layers.get(kind)
        if frame is None:
            continue
        features = _Features(lang=context.lang, precision=_LARGE_PRECISION if large else 5)
        style = {"color": colour, "weight": weight, "opacity": 0.9}
        names = _place_names(frame, context.lang)
        for geom, name in zip(_simplified(frame, large).geometry, names, strict=True):
            features.add(geom, style=style, tooltip=name or None)
        _FeatureLayer(features, pane="sv-context").add_to(context.overlay(f"layer_{kind}"))
    settlements = layers.get("settlements")
    if settlements is None:
        return
    if "population" in settlements and len(settlements) > MAX_SETTLEMENTS:
        population = pd.to_numeric(settlements["population"], errors="coerce").fillna(0)
        settlements = settlements.loc[population.sort_values(ascending=False).index]
    settlements = settlements.iloc[:MAX_SETTLEMENTS]
    features = _Features(lang=context.lang)
    for geom, name in zip(
        settlements.geometry, _place_names(settlements, context.lang), strict=True
    ):
        inner = f"<i></i><span>{_esc(name)}</span>" if name else "<i></i>"
        features.add(
            _representative_point(geom),
            icon=_icon(inner, "sv-place sv-lab3", (12, 12)),
            tooltip=name or None,
        )
    _FeatureLayer(features).add_to(context.overlay("layer_settlements"))


#: Most settlements named on the map (the most populous first).
MAX_SETTLEMENTS = 2000


def _place_names(frame: pd.DataFrame, lang: str) -> list[str]:
    """Return each row's name, ``name_ru`` first in Russian where the data has it."""
    names = pd.Series("", index=frame.index, dtype=object)
    for column in ("name_ru", "name") if lang == "ru" else ("name",):
        if column in frame:
            text = frame[column].astype("string").fillna("").str.strip()
            names = names.where(names != "", text)
    return [str(n) for n in names]


def _draw_gap_probability(context: _Context, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Add a sweep's segments coloured by their probability of lying in a gap (hidden at first).

    Past :data:`MAX_SEGMENT_FEATURES` segments, runs of segments in one bin
    are drawn instead, each coloured by its length-weighted mean.
    """
    layer = layers.get("gap_probability")
    if layer is None or "p_gap" not in layer:
        return
    large = len(layer) > MAX_SEGMENT_FEATURES
    if large:
        ordered = _in_chainage_order(layer)
        bins = pd.Series([_gap_colour(p) for p in ordered["p_gap"]], index=ordered.index)
        runs = segment_runs(ordered, bins)
        layer = runs.rename(columns={"mean_p_gap": "p_gap", "mean_p_high_risk": "p_high_risk"})
    features = _Features(
        _GAP_PROBABILITY_FIELDS,
        columns=_columns(layer),
        lang=context.lang,
        precision=_LARGE_PRECISION if large else _PRECISION,
        tip=("_km", "p_gap"),
    )
    for geom, rec in _records(layer):
        heading = f"{_fmt(rec.get('section'), 'text', context.lang)} · {context.t('km_unit')} "
        heading += _fmt(rec["_km"], "km_range", context.lang) if "_km" in rec else ""
        style = _line_style(_gap_colour(rec.get("p_gap")), 5)
        features.add(geom, rec=rec, heading=heading, style=style)
    _FeatureLayer(features, pane="sv-segments").add_to(
        context.overlay("layer_gap_probability", show=False)
    )


def _gap_colour(p: Any) -> str:
    return _bin_colour(p, GAP_PROBABILITY_BINS)


#: Drawing order: later layers lie on top within the same pane.
_LAYER_DRAWERS: tuple[Callable[[_Context, Mapping[str, gpd.GeoDataFrame]], None], ...] = (
    _draw_context,
    _draw_isochrones,
    _draw_segments,
    _draw_gap_probability,
    _draw_gaps,
    _draw_footprints,
    _draw_sensors,
    _draw_patrols,
    _draw_incidents,
    _draw_posts,
    _draw_sites,
    _draw_areas,
    _draw_km_marks,
)


# --------------------------------------------------------------------- km marks


def km_step(length_km: float) -> int:
    """Return the km-mark interval for a section of `length_km`.

    The smallest of 1, 2, 5, 10, 20, 50 ... km that gives at most 20 marks.

    Parameters
    ----------
    length_km
        Length of the section in km.

    Returns
    -------
    int
        Interval in km.

    Examples
    --------
    >>> km_step(10), km_step(60), km_step(350)
    (1, 5, 20)
    """
    for step in _KM_STEPS:
        if length_km / step <= _MAX_KM_MARKS:
            return step
    return _KM_STEPS[-1]


def _km_points(part: gpd.GeoDataFrame) -> Iterator[tuple[float, shapely.Point]]:
    """Yield ``(km, point)`` for each km mark of one section's segments."""
    km_from = part["km_from"].to_numpy(dtype=float)
    km_to = part["km_to"].to_numpy(dtype=float)
    ok = np.isfinite(km_from) & np.isfinite(km_to) & (km_to > km_from)
    if not ok.any():
        return
    start, end = km_from[ok].min(), km_to[ok].max()
    step = km_step(end - start)
    geoms = part.geometry.to_numpy()
    for km in np.arange(math.ceil(start / step) * step, end + 1e-9, step):
        hits = np.flatnonzero(ok & (km_from <= km) & (km <= km_to))
        if hits.size == 0:
            continue
        i = hits[0]
        fraction = (km - km_from[i]) / (km_to[i] - km_from[i])
        point = shapely.line_interpolate_point(geoms[i], fraction, normalized=True)
        if point is not None and not point.is_empty:
            yield float(km), point


# --------------------------------------------------------------------- popups and fields

# (column, label key, format)
_SEGMENT_FIELDS = (
    ("section", "section", "text"),
    ("segment_id", "segment", "int"),
    ("_km", "km", "km_range"),
    ("length_m", "length_m", "int"),
    ("risk", "risk", "f2"),
    ("risk_class", "risk_class", "text"),
    ("threat", "threat", "f2"),
    ("_confidence", "threat_confidence", "text"),
    ("vulnerability", "vulnerability", "f2"),
    ("impact", "impact", "f2"),
    ("p_detect", "p_detect", "f2"),
    ("p_detect_realtime", "p_detect_realtime", "f2"),
    ("p_detect_delayed", "p_detect_delayed", "f2"),
    ("p_detect_day", "p_detect_day", "f2"),
    ("p_detect_night", "p_detect_night", "f2"),
    ("night_share", "night_share", "pct"),
    ("p_sensor", "p_sensor", "f2"),
    ("p_patrol", "p_patrol", "f2"),
    ("p_interdict", "p_interdict", "f2"),
    ("covered_frac", "covered_frac", "pct"),
    ("sensors_seeing", "sensors_seeing", "int"),
    ("revisit_h", "revisit_h", "revisit"),
    ("response_min", "response_min", "revisit"),
    ("escape_min", "escape_min", "f1"),
    ("incidents", "incidents", "int"),
    ("incidents_per_km_year", "incidents_per_km_year", "f2"),
    ("incidents_corrected_per_km_year", "incidents_corrected_per_km_year", "f2"),
    ("slope_deg", "slope_deg", "f1"),
    ("passability", "passability", "f2"),
    ("mast_m_to_see", "mast_m_to_see", "f1"),
)
_GAP_PROBABILITY_FIELDS = (
    ("section", "section", "text"),
    ("segment_id", "segment", "int"),
    ("_km", "km", "km_range"),
    ("length_km", "length_km", "f1"),
    ("p_gap", "p_gap", "pct"),
    ("p_high_risk", "p_high_risk", "pct"),
)
_GAP_FIELDS = (
    ("section", "section", "text"),
    ("_km", "km", "km_range"),
    ("length_km", "length_km", "f2"),
    ("priority", "priority", "int"),
    ("mean_p_detect", "mean_p_detect", "f2"),
    ("mean_risk", "mean_risk", "f2"),
    ("max_risk", "max_risk", "f2"),
    ("incidents", "incidents", "int"),
    ("outcome", "gap_outcome", "text"),
)
_SENSOR_FIELDS = (
    ("type", "type", "text"),
    ("status", "status", "text"),
    ("range_m", "range_m", "int"),
    ("azimuth_deg", "azimuth_deg", "azimuth"),
    ("fov_deg", "fov_deg", "int"),
    ("height_m", "height_m", "f1"),
    ("pd", "pd", "f2"),
    ("availability", "availability", "f2"),
    ("agency", "agency", "text"),
)
_FOOTPRINT_FIELDS = (
    ("type", "type", "text"),
    ("status", "status", "text"),
    ("range_m", "range_m", "int"),
    ("visible_share", "visible_share", "pct"),
)
_PATROL_FIELDS = (
    ("mode", "mode", "text"),
    ("visits_per_day", "visits_per_day", "f1"),
    ("sweep_m", "sweep_m", "int"),
    ("window", "window", "text"),
    ("agency", "agency", "text"),
)
_INCIDENT_FIELDS = (
    ("type", "type", "text"),
    ("persons", "persons", "int"),
    ("outcome", "outcome", "text"),
    ("section", "section", "text"),
    ("km", "km", "f1"),
    ("distance_m", "distance_m", "int"),
)
_POST_FIELDS = (
    ("id", "id", "text"),
    ("type", "type", "text"),
    ("reaction_speed_kmh", "reaction_speed_kmh", "int"),
    ("mode", "mode", "text"),
)
_SITE_FIELDS = (
    ("means", "means", "text"),
    ("score", "score", "f2"),
    ("elevation_m", "elevation_m", "int"),
    ("distance_to_border_m", "distance_to_border_m", "int"),
    ("border_seen_km", "border_seen_km", "f1"),
)
_POST_SHORT = {"en": {"outpost": "OP", "bcp": "BCP"}, "ru": {"outpost": "З", "bcp": "ПП"}}


def _records(frame: gpd.GeoDataFrame) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Yield ``(geometry, attributes)`` per row.

    ``_km`` joins km_from and km_to; ``_confidence`` says whether threat is
    known from incidents or unknown (not observed, not safe).
    """
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")
    for geom, rec in zip(frame.geometry.to_numpy(), attributes, strict=True):
        if "km_from" in rec or "km_to" in rec:
            rec["_km"] = (rec.get("km_from"), rec.get("km_to"))
        if "threat_confidence" in rec:
            rec["_confidence"] = "unknown" if rec["threat_confidence"] == "low" else "known"
        yield geom, rec


def _fmt(v: Any, kind: str, lang: str) -> str:
    """Format one value as plain (unescaped) text."""
    if kind == "text":
        return i18n.value(v, lang)
    if kind == "km_range":
        return "–".join(i18n.number(x, lang, 1) for x in v)
    if kind == "pct":
        return i18n.percent(v, lang)
    if kind == "revisit":
        missing = i18n.is_missing(v) or (isinstance(v, float) and math.isinf(v))
        return i18n.label("never", lang) if missing else i18n.number(v, lang, 1)
    if kind == "azimuth":
        return i18n.label("all_round", lang) if i18n.is_missing(v) else i18n.number(v, lang, 0)
    if kind == "date":
        return _date(v, lang)
    digits = {"int": 0, "f1": 1, "f2": 2}[kind]
    return i18n.number(v, lang, digits)


def _date(v: Any, lang: str) -> str:
    """Format a date as ISO ``YYYY-MM-DD``; text that is no date is shown as it is."""
    if i18n.is_missing(v):
        return i18n.label("unknown", lang)
    try:
        return str(pd.Timestamp(v).date())
    except (TypeError, ValueError):
        return str(v)


def _segment_heading(rec: Mapping[str, Any], lang: str) -> str:
    section = _fmt(rec.get("section"), "text", lang)
    return f"{section} · {i18n.label('segment', lang)} {_fmt(rec.get('segment_id'), 'int', lang)}"


def _legend_html(
    layers: Mapping[str, gpd.GeoDataFrame],
    lang: str,
    *,
    hillshade: bool = False,
    extra: Sequence[tuple[str, str]] = (),
) -> str:
    """Return the legend: risk classes, detection bins, and symbols of present layers.

    ``extra`` rows ``(plain text, symbol HTML)`` follow the layers' symbols.
    """
    rows = [
        f"<details open><summary>{_esc(i18n.label('legend', lang))}</summary><table>",
        _legend_heading(i18n.label("risk_class", lang)),
    ]
    rows += [_legend_row(_swatch(RISK_COLOURS[c]), i18n.value(c, lang)) for c in RISK_CLASSES]
    segments = layers.get("segments")
    if segments is not None and "threat_confidence" in segments:
        unknown = bool((segments["threat_confidence"] == "low").any())
    else:
        unknown = False
    if unknown:
        rows.append(_legend_row(_dashed_swatch(), i18n.label("threat_unknown", lang)))
    # one set of bins for the three detection layers (any time, by day, at night;
    # the layer control names them): a longer heading would wrap in Russian and
    # push the legend into the title on a 1024 x 768 projector
    rows.append(_legend_heading(i18n.label("p_detect_bins", lang)))
    for lower, upper, colour in DETECT_BINS:
        text = f"{i18n.number(lower, lang, 1)}–{i18n.number(upper, lang, 1)}"
        rows.append(_legend_row(_swatch(colour), text))
    if "gap_probability" in layers:
        rows.append(_legend_heading(i18n.label("p_gap_bins", lang)))
        for lower, upper, colour in GAP_PROBABILITY_BINS:
            text = f"{i18n.percent(lower, lang)}–{i18n.percent(upper, lang)}"
            rows.append(_legend_row(_swatch(colour), text))
    symbols = _legend_symbols(layers, lang) + list(extra)
    if hillshade:
        symbols.append((i18n.label("layer_hillshade", lang), _gradient("#ffffff", "#5a5a5a")))
    if symbols:
        rows.append(_legend_heading(i18n.label("symbols", lang)))
        rows += [_legend_row(symbol, text) for text, symbol in symbols]
    rows.append("</table></details>")
    return "".join(rows)


def _legend_symbols(layers: Mapping[str, gpd.GeoDataFrame], lang: str) -> list[tuple[str, str]]:
    """Return ``(plain text, symbol HTML)`` for each present layer drawn with a symbol."""
    t = functools.partial(i18n.label, lang=lang)
    symbols = []
    if "gaps" in layers:
        symbols.append((t("gap"), _swatch(_GAP_COLOUR, height=12, opacity=0.45)))
    for status in _present(layers, "sensors", "status", tuple(_SENSOR_COLOURS)):
        text = f"{t('sensor')}: {i18n.value(status, lang)}"
        symbols.append((text, _dot(_sensor_style(status)["fillColor"])))
    if "footprints" in layers:
        style = _footprint_style("operational")
        symbols.append((t("layer_footprints"), _area_swatch(style)))
    for mode in _present(layers, "patrols", "mode", tuple(_PATROL_COLOURS)):
        colour = _PATROL_COLOURS.get(mode, _OTHER_PATROL_COLOUR)
        symbols.append(
            (f"{t('patrol_route')}: {i18n.value(mode, lang)}", _swatch(colour, height=3))
        )
    if "incidents" in layers:
        symbols.append((t("incident"), _dot(_INCIDENT_COLOUR)))
        colours = list(_HEAT_GRADIENT.values())
        symbols.append((t("layer_heat"), _gradient(colours[0], colours[-1])))
    if "posts" in layers:
        short = "/".join(_esc(s) for s in _POST_SHORT[lang].values())
        symbols.append((t("post"), f'<span class="sv-post" style="padding:0 3px">{short}</span>'))
    if "candidates" in layers:
        symbols.append((t("candidate"), _dot("#ffffff")))
    if "recommended" in layers:
        symbols.append((t("recommended"), '<span class="sv-rec">★</span>'))
    symbol = _areas_symbol(layers)
    if symbol:  # one short row, whatever the number of areas (names are in the tooltips)
        symbols.append((t("areas_legend"), symbol))
    if "settlements" in layers:
        symbols.append((t("settlement"), '<span class="sv-dot" style="background:#fff"></span>'))
    if "roads" in layers:
        symbols.append((t("road"), _swatch(_ROAD_COLOUR, height=3)))
    bands = layers.get("isochrones")
    if bands is not None:  # one row: the bands' colours side by side, their bounds in the text
        ordered = [rec for _, rec in bands.sort_values("minutes_to").iterrows()]
        upper = " / ".join(_fmt(rec["minutes_to"], "int", lang) for rec in ordered)
        text = f"{t('layer_isochrones')}: ≤ {upper} {t('minutes_unit')}"
        colours = [_isochrone_style(rec, bands)["fillColor"] for rec in ordered]
        symbols.append((text, _bands_swatch(colours)))
    if "rivers" in layers:
        symbols.append((t("river"), _swatch(_RIVER_COLOUR, height=7)))
    symbols.append((t("layer_km"), '<span class="sv-dot" style="background:#222"></span>'))
    return symbols


def _areas_symbol(layers: Mapping[str, gpd.GeoDataFrame]) -> str:
    """Return the legend symbol of the areas (a band of their colours) and seams (⇄), or ""."""
    colours = list(dict.fromkeys(_area_colours(layers).values()))
    symbol = ""
    if colours:
        stripes = ",".join(
            f"{c} {100 * i / len(colours):.0f}% {100 * (i + 1) / len(colours):.0f}%"
            for i, c in enumerate(colours)
        )
        symbol += (
            '<span class="sv-sw" style="height:12px;opacity:0.5;'
            f'background:linear-gradient(90deg,{stripes})"></span>'
        )
    if "handovers" in layers or "seams" in layers:
        symbol += '<span class="sv-handover" style="padding:0 3px">⇄</span>'
    return symbol


def _gradient(start: str, end: str) -> str:
    return (
        '<span class="sv-sw" style="height:12px;'
        f'background:linear-gradient(90deg,{start},{end})"></span>'
    )


def _bands_swatch(colours: Sequence[str]) -> str:
    stops = ",".join(
        f"{c} {100 * i / len(colours):.0f}% {100 * (i + 1) / len(colours):.0f}%"
        for i, c in enumerate(colours)
    )
    return (
        f'<span class="sv-sw" style="height:12px;opacity:0.8;'
        f'background:linear-gradient(90deg,{stops})"></span>'
    )


def _area_swatch(style: Mapping[str, Any]) -> str:
    return (
        f'<span class="sv-sw" style="height:12px;background:{style["fillColor"]};'
        f"opacity:{max(0.35, float(style['fillOpacity']) * 2)};"
        f'border:1px solid {style["color"]}"></span>'
    )


def _present(
    layers: Mapping[str, gpd.GeoDataFrame], layer: str, column: str, order: Sequence[str]
) -> list[str]:
    """Return the values of `column` found in `layer`, known ones first in `order`."""
    frame = layers.get(layer)
    if frame is None:
        return []
    if column not in frame.columns:
        return [order[0]]
    found = {str(v).strip().lower() for v in frame[column].dropna()}
    return [v for v in order if v in found] + sorted(found - set(order))


def _legend_heading(text: str) -> str:
    return f"<tr><td colspan=2><b>{_esc(text)}</b></td></tr>"


def _legend_row(symbol: str, text: str) -> str:
    """Return a legend row; `symbol` is trusted HTML, `text` plain text."""
    return f"<tr><td>{symbol}</td><td>{_esc(text)}</td></tr>"


def _swatch(colour: str, *, height: int = 6, opacity: float = 1.0) -> str:
    return (
        f'<span class="sv-sw" style="background:{colour};height:{height}px;'
        f'opacity:{opacity}"></span>'
    )


_UNKNOWN_DASH = "2 9"


def _dashed_swatch() -> str:
    return (
        '<svg width="28" height="8" aria-hidden="true"><line x1="2" y1="4" x2="26" y2="4" '
        f'stroke="#555" stroke-width="4" stroke-dasharray="{_UNKNOWN_DASH}" '
        'stroke-linecap="round"/></svg>'
    )


def _dot(fill: str) -> str:
    return f'<span class="sv-dot" style="background:{fill}"></span>'


#: KPI keys in display order with their format.
_KPI_FORMATS = (
    ("km_assessed", "f1"),
    ("km_covered", "f1"),
    ("covered_share", "pct"),
    ("mean_p_detect", "f2"),
    ("gap_count", "int"),
    ("gap_km", "f1"),
    ("km_covered_day", "f1"),
    ("km_covered_night", "f1"),
    ("gap_km_day", "f1"),
    ("gap_km_night", "f1"),
    ("high_risk_km", "f1"),
    ("unknown_threat_km", "f1"),
    ("risk_persons_per_year", "f1"),
    ("capex_eur", "int"),
    ("opex_eur_per_year", "int"),
    ("patrol_fte", "f1"),
    ("cross_unit_response_share", "pct"),
    ("cross_agency_response_share", "pct"),
)


def _kpi_html(summary: Mapping[str, Any], lang: str) -> str:
    """Return the key-figures panel: the figures of :data:`_KPI_FORMATS` the summary has.

    The others (per-area counts, shares by window ...) are in ``summary.json``
    and the report; the panel stays short enough for a projector.
    """
    known = dict(_KPI_FORMATS)
    keys = [k for k, _ in _KPI_FORMATS if k in summary and _is_scalar(summary[k])]
    rows = []
    for key in keys:
        text = _fmt(summary[key], known[key], lang)
        name = i18n.figure_label(key, summary, lang)
        rows.append(f'<tr><td>{_esc(name)}</td><td class="sv-num">{_esc(text)}</td></tr>')
    return (
        f'<details open class="sv-fold-small"><summary>{_esc(i18n.label("kpis", lang))}'
        f"</summary><table>{''.join(rows)}</table></details>"
    )


def _is_scalar(v: Any) -> bool:
    return isinstance(v, str | int | float | np.integer | np.floating) and not isinstance(v, bool)


# --------------------------------------------------------------------- styles and helpers


def _risk_colour(risk_class: Any) -> str:
    return RISK_COLOURS.get(str(risk_class).strip().lower(), _NO_DATA_COLOUR)


def _detect_colour(p: Any) -> str:
    return _bin_colour(p, DETECT_BINS)


def _bin_colour(p: Any, bins: Sequence[tuple[float, float, str]]) -> str:
    """Return the colour of the bin ``[lower, upper)`` holding probability ``p`` (1 in the last)."""
    if i18n.is_missing(p):
        return _NO_DATA_COLOUR
    p = float(p)
    for lower, upper, colour in bins:
        if lower <= p < upper:
            return colour
    return bins[-1][2] if p >= 1.0 else _NO_DATA_COLOUR


def _line_style(colour: str, weight: float) -> dict[str, Any]:
    return {"color": colour, "weight": weight, "opacity": 0.95, "lineCap": "round"}


def _sensor_style(status: Any) -> dict[str, Any]:
    status = str(status).lower()
    colour = _SENSOR_COLOURS.get(status, _SENSOR_COLOURS["operational"])
    style = {"radius": 6, "color": "#ffffff", "weight": 2, "fillColor": colour, "fillOpacity": 1}
    if status in ("planned", "recommended"):
        style.update(color=colour, fillColor="#ffffff", dashArray="3 3")
    return style


def _footprint_style(status: Any) -> dict[str, Any]:
    status = str(status).lower()
    if status == "faulty":
        return {"color": "#8c8c8c", "weight": 1, "fillColor": "#bdbdbd", "fillOpacity": 0.25}
    style = {"color": "#3d85c6", "weight": 1, "fillColor": "#6fa8dc", "fillOpacity": 0.18}
    if status in ("planned", "recommended"):
        style.update(dashArray="6 4", weight=1.5, fillOpacity=0.06)
    return style


def _icon(inner_html: str, css_class: str, size: tuple[int, int]) -> dict[str, Any]:
    """Return ``L.divIcon`` options centred on the point; `inner_html` is trusted."""
    w, h = size
    return {
        "className": css_class,
        "html": inner_html,
        "iconSize": [w, h],
        "iconAnchor": [w // 2, h // 2],
    }


def _representative_point(geom: Any) -> shapely.Point:
    return geom if geom.geom_type == "Point" else geom.representative_point()


def _feature(
    geom: Any, properties: Mapping[str, Any], *, precision: int = _PRECISION
) -> dict[str, Any]:
    """Return a GeoJSON feature with coordinates rounded to `precision` decimals."""
    rounded = shapely.set_precision(geom, 10.0**-precision, mode="pointwise")
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(rounded)),
        "properties": dict(properties),
    }


def _figure(m: folium.Map) -> Figure:
    """Return the page the map is drawn in."""
    root = m.get_root()
    if not isinstance(root, Figure):  # pragma: no cover - folium always makes one
        raise TypeError("the map is not in a branca Figure")
    return root


def _esc(text: Any) -> str:
    """HTML-escape any value as text, quotes included."""
    return html.escape("" if text is None else str(text), quote=True)


def _js_json(value: Any) -> str:
    """Serialise `value` as JSON that is also safe inside an HTML ``<script>``."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text
