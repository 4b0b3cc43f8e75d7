"""Draw a plan against its baseline on one map: both postures, what changed, the new sites.

:func:`comparison_map` draws, with the machinery of :mod:`surveil.maps`
(legend, EN/RU labels, offline page, projector layout):

* today's posture and the plan's as two groups of layers the user toggles
  (segments by risk class and by detection, gaps with what the plan does to
  each: closed, shrunk, split, unchanged; the plan's own gaps remain or are
  new); both on the baseline's threat and risk scale, since the plan is
  assessed against the baseline (:func:`surveil.comparison.compare`);
* the segments whose detection, interdiction or risk class changed, as a
  halo under the line, with before and after in the popup;
* the plan's new sites (stars: means, mast, azimuth, cost, order) and its
  new or more frequent patrol routes;
* the means both postures share (today's sensors and patrols), incidents,
  posts, settlements, roads and km marks, once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from surveil import i18n, maps

if TYPE_CHECKING:
    import folium

    from surveil.comparison import Comparison

__all__ = ["comparison_map"]

#: Halo under the segments whose detection or risk changed (Okabe–Ito sky blue).
CHANGED_COLOUR = "#56b4e9"
#: Patrol routes the plan adds or runs more often.
NEW_ROUTE_COLOUR = "#0072b2"

_CHANGED_FIELDS = (
    ("section", "section", "text"),
    ("segment_id", "segment", "int"),
    ("_km", "km", "km_range"),
    ("p_detect_base", "p_detect_base", "f2"),
    ("p_detect_plan", "p_detect_plan", "f2"),
    ("risk_base", "risk_base", "f2"),
    ("risk_plan", "risk_plan", "f2"),
    ("risk_class_base", "risk_class_base", "text"),
    ("risk_class_plan", "risk_class_plan", "text"),
)
_NEW_SITE_FIELDS = (
    ("type", "means", "text"),
    ("mast_m", "mast_m", "f1"),
    ("azimuth_deg", "azimuth_deg", "azimuth"),
    ("capex_eur", "capex_eur", "int"),
    ("opex_eur_per_year", "opex_eur_per_year", "int"),
    ("order", "order", "int"),
    ("gaps_served", "gaps_served", "text"),
    ("gain_persons_per_year", "gain_persons_per_year", "f1"),
)
_NEW_ROUTE_FIELDS = (
    ("type", "means", "text"),
    ("visits_per_day", "visits_per_day", "f1"),
    ("capex_eur", "capex_eur", "int"),
    ("opex_eur_per_year", "opex_eur_per_year", "int"),
    ("order", "order", "int"),
    ("gaps_served", "gaps_served", "text"),
)
#: Key figures of the panel, with their format.
_KPIS = (
    ("km_covered", "f1"),
    ("covered_share", "pct"),
    ("gap_count", "int"),
    ("gap_km", "f1"),
    ("high_risk_km", "f1"),
    ("risk_persons_per_year", "f1"),
    ("mean_p_detect", "f2"),
)


def comparison_map(
    comparison: Comparison,
    *,
    lang: str = "en",
    title: str | None = None,
    attribution: str | None = None,
    hillshade: Sequence[tuple[Any, Any]] = (),
) -> folium.Map:
    """Draw a plan and its baseline on one map.

    Parameters
    ----------
    comparison
        From :func:`surveil.comparison.compare`.
    lang
        Label language, ``"en"`` or ``"ru"``.
    title
        Title on top; the baseline scenario's name if None.
    attribution
        Source note; the baseline scenario's if None.
    hillshade
        ``(image, bounds)`` pairs drawn under everything (see
        :meth:`surveil.assessment.Assessment.hillshade`).

    Returns
    -------
    folium.Map
        The map; write it with :func:`surveil.maps.save_map`.

    Examples
    --------
    >>> from surveil.datasets import load_demo
    >>> from surveil.assessment import assess
    >>> from surveil.comparison import compare
    >>> demo = load_demo("synthetic")
    >>> result = compare(assess(demo), demo.scale_patrols(2.0))
    >>> m = comparison_map(result, lang="ru")
    >>> result.new_means["kind"].tolist()  # every route passed twice as often
    ['patrol', 'patrol', 'patrol']
    """
    lang = i18n.check_lang(lang)
    base, plan = comparison.base, comparison.plan
    scenario = base.scenario
    base_gaps, plan_gaps = gap_layers(comparison)
    shared = {
        "segments": base.segments,
        "sensors": scenario.sensors,
        "patrols": scenario.patrols,
        "incidents": base.incidents,
        "posts": scenario.posts,
        "settlements": getattr(scenario, "settlements", None),
        "roads": getattr(scenario, "roads", None),
    }
    layers = maps._prepare_layers(shared)
    m = maps._base_map(layers["segments"], lang, attribution or scenario.attribution)
    context = maps._Context(m, lang)
    maps._draw_hillshade(context, hillshade)
    maps._draw_context(context, layers)
    postures = (
        ("posture_base", base.segments, base_gaps, False),
        ("posture_plan", plan.segments, plan_gaps, True),
    )
    for key, segments, gaps, visible in postures:
        posture = maps._prepare_layers({"segments": segments, "gaps": gaps})
        group = maps._Context(m, lang, group=i18n.label(key, lang), visible=visible)
        maps._draw_gaps(group, posture)
        maps._draw_segments(group, posture)
    changed = comparison.segments[comparison.segments["changed"].to_numpy(dtype=bool)]
    _draw_changed(context, changed)
    for draw in (maps._draw_sensors, maps._draw_patrols, maps._draw_incidents, maps._draw_posts):
        draw(context, layers)
    new = maps._prepare_layers({"segments": base.segments, "new": comparison.new_means})
    _draw_new_means(context, new.get("new"))
    maps._draw_km_marks(context, layers)
    legend_layers = {**layers, "gaps": base.gaps}
    maps._add_controls(
        context,
        legend_layers,
        None,
        title if title is not None else f"{scenario.name} — {i18n.label('compare_title', lang)}",
        hillshade=bool(hillshade),
        extra_symbols=_legend_extras(comparison, lang),
        kpi_html=_kpi_html(comparison, lang),
    )
    return m


def gap_layers(comparison: Comparison) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return the baseline's and the plan's gaps, each with its ``outcome``.

    A baseline gap is ``closed``, ``shrunk``, ``split`` or ``unchanged``
    (:func:`surveil.comparison.gap_changes`); a plan gap is ``new`` (over no
    baseline gap) or ``remaining`` (what is left of one).
    """
    table = comparison.gaps
    base = comparison.base.gaps.copy()
    plan = comparison.plan.gaps.copy()
    was = table[table["posture"] == "base"].set_index("gap_id")["outcome"]
    base["outcome"] = base["gap_id"].map(was).to_numpy()
    new = set(table.loc[table["posture"] == "plan", "gap_id"].astype(int))
    plan["outcome"] = ["new" if int(g) in new else "remaining" for g in plan["gap_id"]]
    return base, plan


def _draw_changed(context: maps._Context, changed: gpd.GeoDataFrame) -> None:
    """Add the changed segments as a halo under the line.

    One feature per segment; past :data:`surveil.maps.MAX_SEGMENT_FEATURES`
    (a national border), one per run of consecutive changed segments.
    """
    if len(changed) == 0:
        return
    lang = context.lang
    changed = changed.to_crs(4326)
    style = {"color": CHANGED_COLOUR, "weight": 13, "opacity": 0.7, "lineCap": "butt"}
    if len(changed) > maps.MAX_SEGMENT_FEATURES:
        runs = maps.segment_runs(maps._in_chainage_order(changed), None)
        fields = [
            f for f in maps._RUN_FIELDS if f[0] in ("section", "_km", "length_km", "segments")
        ]
        features = maps._Features(
            fields, columns=maps._columns(runs), lang=lang, precision=maps._LARGE_PRECISION
        )
        for geom, rec in maps._records(runs):
            km = maps._fmt(rec["_km"], "km_range", lang)
            heading = (
                f"{context.t('changed_segment')} · {maps._fmt(rec.get('section'), 'text', lang)}"
            )
            heading += f" · {context.t('km_unit')} {km}"
            features.add(geom, rec=rec, heading=heading, style=style, tooltip=heading)
    else:
        features = maps._Features(_CHANGED_FIELDS, columns=maps._columns(changed), lang=lang)
        for geom, rec in maps._records(changed):
            heading = f"{context.t('changed_segment')} · {maps._segment_heading(rec, lang)}"
            features.add(geom, rec=rec, heading=heading, style=style, tooltip=heading)
    maps._FeatureLayer(features, pane="sv-gaps").add_to(context.overlay("layer_changed"))


def _draw_new_means(context: maps._Context, new: gpd.GeoDataFrame | None) -> None:
    """Add the plan's new sites (stars) and its new or more frequent patrol routes."""
    if new is None:
        return
    lang = context.lang
    points = new[new.geometry.geom_type == "Point"]
    if len(points):
        features = maps._Features(_NEW_SITE_FIELDS, columns=maps._columns(points), lang=lang)
        icon = maps._icon("★", "sv-rec", (22, 22))
        for geom, rec in maps._records(points):
            heading = f"{context.t('new_site')} · {maps._fmt(rec.get('type'), 'text', lang)}"
            features.add(geom, rec=rec, heading=heading, icon=icon, tooltip=heading)
        layer = context.overlay("layer_new_sites")
        maps._FeatureLayer(features, pane="sv-points", marker_pane="sv-points").add_to(layer)
    routes = new[new.geometry.geom_type != "Point"]
    if len(routes):
        features = maps._Features(_NEW_ROUTE_FIELDS, columns=maps._columns(routes), lang=lang)
        style = {**maps._line_style(NEW_ROUTE_COLOUR, 4), "dashArray": "10 5"}
        for geom, rec in maps._records(routes):
            heading = f"{context.t('new_route')} · {maps._fmt(rec.get('type'), 'text', lang)}"
            features.add(geom, rec=rec, heading=heading, style=style, tooltip=heading)
        layer = context.overlay("layer_new_routes")
        maps._FeatureLayer(features, pane="sv-patrols").add_to(layer)


def _legend_extras(comparison: Comparison, lang: str) -> list[tuple[str, str]]:
    """Return the legend rows of the comparison's own layers."""
    rows = []
    if bool(comparison.segments["changed"].any()):
        rows.append(
            (
                i18n.label("layer_changed", lang),
                maps._swatch(CHANGED_COLOUR, height=12, opacity=0.7),
            )
        )
    new = comparison.new_means
    if (new.geometry.geom_type == "Point").any():
        rows.append((i18n.label("new_site", lang), '<span class="sv-rec">★</span>'))
    if (new.geometry.geom_type != "Point").any():
        dashed = (
            '<svg width="28" height="8" aria-hidden="true"><line x1="1" y1="4" x2="27" y2="4" '
            f'stroke="{NEW_ROUTE_COLOUR}" stroke-width="4" stroke-dasharray="10 5"/></svg>'
        )
        rows.append((i18n.label("new_route", lang), dashed))
    return rows


def _kpi_html(comparison: Comparison, lang: str) -> str:
    """Return the key-figures panel: today, plan and change, then the plan's own cost."""
    esc = maps._esc
    t = i18n.label
    head = "".join(
        f'<td class="sv-num">{esc(t(k, lang))}</td>' for k in ("posture_base", "posture_plan")
    )
    rows = [f"<tr><td></td>{head}</tr>"]
    for key, kind in _KPIS:
        figure = comparison.kpis.get(key)
        if figure is None:
            continue
        cells = "".join(
            f'<td class="sv-num">{esc(maps._fmt(figure[side], kind, lang))}</td>'
            for side in ("base", "plan")
        )
        rows.append(f"<tr><td>{esc(t(key, lang))}</td>{cells}</tr>")
    cost: Mapping[str, Any] = comparison.cost
    for key, label in (
        ("capex_eur", "plan_capex_eur"),
        ("opex_eur_per_year", "plan_opex_eur_per_year"),
    ):
        value = esc(maps._fmt(cost.get(key), "int", lang))
        rows.append(
            f'<tr><td>{esc(t(label, lang))}</td><td></td><td class="sv-num">{value}</td></tr>'
        )
    return (
        f'<details open class="sv-fold-small"><summary>{esc(t("kpis", lang))}</summary>'
        f"<table>{''.join(rows)}</table></details>"
    )
