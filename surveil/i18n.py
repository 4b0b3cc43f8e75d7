"""Translate map and report labels between English and Russian.

Labels are looked up by a key (``label("risk", "ru")``); values that come
from a closed vocabulary of the input layers (risk classes, sensor status,
patrol mode ...) are translated with :func:`value`, and anything not in the
vocabulary (an agency's own sensor type, say) is returned unchanged. The
Russian terms follow the project glossary: the usage of post-Soviet border
services.

Nothing here escapes HTML: callers escape what they put in a page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real

from surveil.errors import InputError

__all__ = ["LANGS", "check_lang", "is_missing", "label", "number", "percent", "value"]

#: Accepted language codes, the first being the default.
LANGS: tuple[str, ...] = ("en", "ru")

#: Fixed labels: key -> (English, Russian).
LABELS: Mapping[str, tuple[str, str]] = {
    # map furniture
    "title": ("Border surveillance gap assessment", "Оценка разрывов в охвате охраны границы"),
    "legend": ("Legend", "Легенда"),
    "kpis": ("Key figures", "Основные показатели"),
    "base_plain": ("Plain background (offline)", "Без подложки (офлайн)"),
    "base_osm": ("OpenStreetMap (online only)", "OpenStreetMap (только онлайн)"),
    "zoom_in": ("Zoom in", "Приблизить"),
    "zoom_out": ("Zoom out", "Отдалить"),
    "fullscreen": ("Full screen", "Во весь экран"),
    "fullscreen_exit": ("Exit full screen", "Выйти из полноэкранного режима"),
    "no_data": ("—", "—"),
    "never": ("never", "не проверяется"),
    "all_round": ("all round", "круговой"),
    "unknown": ("unknown", "неизвестно"),
    "km_unit": ("km", "км"),
    "m_unit": ("m", "м"),
    "layers": ("Layers", "Слои"),
    # layer names
    "layer_risk": ("Segments: risk class", "Участки: уровень риска"),
    "layer_detect": ("Segments: detection probability", "Участки: вероятность обнаружения"),
    "layer_gaps": ("Coverage gaps", "Разрывы в охвате"),
    "layer_sensors": ("Sensors", "Технические средства (ТСОГ)"),
    "layer_footprints": ("Sensor coverage", "Зоны покрытия ТСОГ"),
    "layer_patrols": ("Patrol routes", "Маршруты нарядов"),
    "layer_heat": ("Incidents: heat map", "Происшествия: тепловая карта"),
    "layer_incidents": ("Incidents", "Происшествия"),
    "layer_incidents_latest": (
        "Incidents: latest {shown} of {total}",
        "Происшествия: последние {shown} из {total}",
    ),
    "layer_posts": ("Outposts and crossing points", "Заставы и пункты пропуска"),
    "layer_km": ("Km marks", "Километровые отметки"),
    "layer_candidates": ("Candidate sites", "Возможные места размещения"),
    "layer_hillshade": ("Hillshade (terrain)", "Отмывка рельефа"),
    "layer_recommended": ("Recommended sites", "Рекомендуемые места размещения"),
    "layer_settlements": ("Settlements", "Населённые пункты"),
    "layer_roads": ("Roads", "Дороги"),
    "layer_rivers": ("Rivers", "Реки"),
    "settlement": ("Settlement", "Населённый пункт"),
    "road": ("Road", "Дорога"),
    "river": ("River", "Река"),
    # legend headings and symbols
    "risk_class": ("Risk class", "Уровень риска"),
    "p_detect_bins": ("Detection probability", "Вероятность обнаружения"),
    "symbols": ("Symbols", "Условные знаки"),
    "gap": ("Coverage gap", "Разрыв в охвате"),
    "sensor": ("Sensor", "ТСОГ"),
    "patrol_route": ("Patrol route", "Маршрут наряда"),
    "incident": ("Incident", "Происшествие"),
    "post": ("Outpost / crossing point", "Застава / пункт пропуска"),
    "candidate": ("Candidate site", "Возможное место"),
    "recommended": ("Recommended site", "Рекомендуемое место"),
    # popup fields: segments
    "section": ("Border section", "Участок границы"),
    "segment": ("Segment", "Отрезок"),
    "km": ("Km", "Км"),
    "length_m": ("Length, m", "Длина, м"),
    "p_sensor": ("Detection by sensors", "Вероятность обнаружения ТСОГ"),
    "p_patrol": ("Detection by patrols", "Вероятность обнаружения нарядами"),
    "p_detect": ("Detection probability", "Вероятность обнаружения"),
    "p_interdict": ("Interdiction probability", "Вероятность задержания"),
    "p_detect_realtime": (
        "Detection in real time (sensors, patrol in sight)",
        "Обнаружение в реальном времени (ТСОГ, наряд в пределах видимости)",
    ),
    "p_detect_delayed": (
        "Detection only later, by traces",
        "Обнаружение только позже, по следам",
    ),
    "threat_confidence": ("Threat known from incidents", "Угроза известна по происшествиям"),
    "impact": ("Impact weight", "Весовой коэффициент последствий"),
    "incidents_corrected_per_km_year": (
        "Crossings per km per year, corrected for detection",
        "Нарушений на км в год с поправкой на обнаружение",
    ),
    "covered_frac": ("Covered share", "Доля охвата"),
    "sensors_seeing": ("Sensors seeing it", "ТСОГ в прямой видимости"),
    "revisit_h": ("Revisit interval, h", "Периодичность проверки, ч"),
    "incidents": ("Incidents", "Происшествия"),
    "incidents_per_km_year": ("Incidents per km per year", "Происшествий на км в год"),
    "threat": ("Threat, crossing persons per km per year", "Угроза, нарушителей на км в год"),
    "vulnerability": ("Vulnerability", "Уязвимость"),
    "risk": (
        "Risk, uninterdicted persons per km per year",
        "Риск, незадержанных нарушителей на км в год",
    ),
    "threat_unknown": (
        "Threat unknown (not observed): not safe",
        "Угроза неизвестна (не наблюдается): не безопасно",
    ),
    # popup fields: gaps
    "gap_id": ("Gap", "Разрыв"),
    "length_km": ("Length, km", "Длина, км"),
    "mean_p_detect": ("Mean detection probability", "Средняя вероятность обнаружения"),
    "mean_risk": ("Mean risk", "Средний риск"),
    "max_risk": ("Maximum risk", "Максимальный риск"),
    "min_p_detect": ("Lowest detection probability", "Наименьшая вероятность обнаружения"),
    "priority": ("Priority", "Приоритет"),
    # popup fields: sensors and footprints
    "id": ("Id", "Обозначение"),
    "type": ("Type", "Тип"),
    "status": ("Status", "Состояние"),
    "range_m": ("Range, m", "Дальность, м"),
    "azimuth_deg": ("Azimuth, °", "Азимут, °"),
    "fov_deg": ("Field of view, °", "Угол обзора, °"),
    "height_m": ("Mast height, m", "Высота мачты, м"),
    "pd": ("Detection probability", "Вероятность обнаружения"),
    "availability": ("Availability", "Коэффициент готовности"),
    "agency": ("Agency", "Ведомство"),
    "visible_share": ("Visible share", "Доля прямой видимости"),
    "slope_deg": ("Slope, degrees", "Уклон, градусы"),
    "passability": ("Passability", "Проходимость"),
    "mast_m_to_see": ("Extra mast height to see, m", "Требуемое увеличение высоты мачты, м"),
    "structure": ("Terrain and access factor", "Фактор рельефа и доступности"),
    "elevation_m": ("Elevation, m", "Высота, м"),
    "border_seen_km": ("Border in sight, km", "Граница в прямой видимости, км"),
    "distance_to_border_m": ("Distance to border, m", "Расстояние до границы, м"),
    # popup fields: patrols
    "patrol": ("Patrol", "Пограничный наряд"),
    "visits_per_day": ("Visits per day", "Число проверок в сутки"),
    "sweep_m": ("Sweep width, m", "Ширина полосы наблюдения, м"),
    "mode": ("Mode", "Вид наряда"),
    "window": ("Time of day", "Время несения службы"),
    # popup fields: incidents and posts
    "date": ("Date", "Дата"),
    "persons": ("Persons", "Число лиц"),
    "outcome": ("Outcome", "Результат"),
    "distance_m": ("Distance to border, m", "Расстояние до границы, м"),
    "reaction_speed_kmh": ("Reaction speed, km/h", "Скорость выдвижения, км/ч"),
    "means": ("Means", "Средство"),
    "score": ("Score", "Оценка"),
    # KPIs
    "km_assessed": ("Km assessed", "Оценено, км"),
    "km_covered": ("Km covered", "Охвачено, км"),
    "covered_share": ("Covered share", "Доля охвата"),
    "gap_count": ("Coverage gaps", "Разрывы в охвате"),
    "gap_km": ("Gap length, km", "Длина разрывов, км"),
    "high_risk_km": ("High-risk km", "Участки высокого риска, км"),
    "unknown_threat_km": (
        "Km where threat is unknown (not safe)",
        "Км с неизвестной угрозой (не безопасно)",
    ),
    "risk_persons_per_year": (
        "Uninterdicted crossing persons per year (expected)",
        "Ожидаемое число незадержанных нарушителей в год",
    ),
    "mean_p_detect_realtime": (
        "Mean detection in real time",
        "Средняя вероятность обнаружения в реальном времени",
    ),
    "mean_p_detect_delayed": (
        "Mean detection only by traces",
        "Средняя вероятность обнаружения только по следам",
    ),
    "mean_p_interdict": ("Mean interdiction probability", "Средняя вероятность задержания"),
    # plans
    "risk_reduced": (
        "Crossing persons a year detected more",
        "Дополнительно обнаруживаемых нарушителей в год",
    ),
    "capex_keur": ("CAPEX, thousand EUR", "Капитальные затраты, тыс. EUR"),
    "budget_curve": ("What a budget buys", "Что даёт бюджет"),
    "capex_eur": ("CAPEX, EUR", "Капитальные затраты, EUR"),
    "opex_eur_per_year": ("OPEX, EUR per year", "Эксплуатационные расходы, EUR в год"),
    "staff_fte": ("Staff needed, FTE", "Личный состав, штатных единиц"),
    "sections": ("Border sections", "Участки границы"),
    "segments": ("Segments", "Отрезки"),
    "sensors_counted": ("Sensors in service", "ТСОГ в строю"),
    "patrol_routes": ("Patrol routes", "Маршруты нарядов"),
    "incidents_snapped": ("Incidents near the line", "Происшествия у линии границы"),
    "target_pd": ("Target detection probability", "Целевая вероятность обнаружения"),
}

#: Closed vocabularies of the input layers: value -> (English, Russian).
VALUES: Mapping[str, tuple[str, str]] = {
    # risk classes
    "low": ("low", "низкий"),
    "medium": ("medium", "средний"),
    "high": ("high", "высокий"),
    "critical": ("critical", "критический"),
    # threat confidence
    "unknown": ("unknown, not safe", "неизвестна, не безопасно"),
    "known": ("yes", "да"),
    # sensor status
    "operational": ("operational", "исправно"),
    "faulty": ("faulty", "неисправно"),
    "planned": ("planned", "планируется"),
    # sensor types of the bundled catalogue
    "camera_tower": ("camera tower", "вышка с видеокамерой"),
    "thermal_tower": ("thermal camera tower", "вышка с тепловизионной камерой"),
    "ground_radar": ("ground radar", "радиолокационная станция (РЛС)"),
    "ground_sensor": ("ground sensor", "сейсмический датчик"),
    "camera": ("camera", "видеокамера"),
    "thermal": ("thermal camera", "тепловизионная камера"),
    "radar": ("radar", "РЛС"),
    "uav_team": ("UAV team", "расчёт БПЛА"),
    # patrol mode and window
    "foot": ("foot", "пеший"),
    "vehicle": ("vehicle", "автомобильный"),
    "horse": ("horse", "конный"),
    "boat": ("boat", "на катере"),
    "day": ("day", "днём"),
    "night": ("night", "ночью"),
    "all": ("day and night", "круглосуточно"),
    # incidents
    "crossing": ("illegal crossing", "незаконное пересечение границы"),
    "smuggling": ("smuggling", "контрабанда"),
    "trafficking": ("trafficking", "торговля людьми"),
    "other": ("other", "прочее"),
    "apprehended": ("apprehended", "задержан"),
    "evaded": ("evaded", "скрылся"),
    "detected-only": ("detected only", "только обнаружен"),
    # posts
    "outpost": ("border outpost", "пограничная застава"),
    "bcp": ("border crossing point", "пункт пропуска"),
}

_DASH = "—"


def check_lang(lang: str) -> str:
    """Return `lang` if it is an accepted language code.

    Parameters
    ----------
    lang
        Language code, ``"en"`` or ``"ru"``.

    Returns
    -------
    str
        The same code.

    Raises
    ------
    surveil.errors.InputError
        (a ``ValueError``) naming the accepted codes.

    Examples
    --------
    >>> check_lang("ru")
    'ru'
    """
    if lang not in LANGS:
        raise InputError(f"lang is {lang!r}; expected one of: {', '.join(LANGS)}")
    return lang


def label(key: str, lang: str) -> str:
    """Return the fixed label `key` in `lang`.

    Parameters
    ----------
    key
        Label key, e.g. ``"p_detect"`` or ``"layer_gaps"``.
    lang
        Language code.

    Returns
    -------
    str
        The label, or `key` itself when no translation is known.

    Examples
    --------
    >>> label("risk_class", "ru")
    'Уровень риска'
    """
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[LANGS.index(check_lang(lang))]


def value(raw: object, lang: str) -> str:
    """Translate a value from a closed input vocabulary, else return it as text.

    Parameters
    ----------
    raw
        A cell of a text column (``"high"``, ``"faulty"``, ``"bcp"`` ...).
    lang
        Language code.

    Returns
    -------
    str
        The translation, the value as text when it is not in the vocabulary,
        or a dash for a missing value.

    Examples
    --------
    >>> value("critical", "ru")
    'критический'
    >>> value("Agency X", "ru")
    'Agency X'
    """
    if is_missing(raw):
        return _DASH
    text = str(raw)
    pair = VALUES.get(text.strip().lower())
    if pair is None:
        return text
    return pair[LANGS.index(check_lang(lang))]


def number(x: object, lang: str, digits: int = 0) -> str:
    """Format a number for display: thousands grouped, decimal sign of `lang`.

    Parameters
    ----------
    x
        The number; ``None`` and NaN give a dash, infinity gives ``∞``.
    lang
        Language code: English groups with commas and uses a decimal point,
        Russian groups with a narrow no-break space and uses a decimal comma.
    digits
        Digits after the decimal sign.

    Returns
    -------
    str
        The formatted number.

    Examples
    --------
    >>> number(12345.678, "en", 1)
    '12,345.7'
    >>> number(12345.678, "ru", 1)
    '12\u202f345,7'
    >>> number(float("nan"), "en")
    '—'
    """
    check_lang(lang)
    if is_missing(x):
        return _DASH
    if not isinstance(x, Real):
        return str(x)
    f = float(x)
    if math.isinf(f):
        return "∞" if f > 0 else "−∞"
    text = f"{f:,.{digits}f}"
    if text in {f"-{0:.{digits}f}"}:
        text = text[1:]
    if lang == "ru":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text.replace("-", "−")


def percent(x: object, lang: str, digits: int = 0) -> str:
    """Format a share between 0 and 1 as a percentage.

    Parameters
    ----------
    x
        The share (0.25 for 25 %).
    lang
        Language code.
    digits
        Digits after the decimal sign.

    Returns
    -------
    str
        The percentage with its sign, or a dash for a missing value.

    Examples
    --------
    >>> percent(0.256, "en")
    '26%'
    >>> percent(0.256, "ru")
    '26\xa0%'
    """
    if is_missing(x) or not isinstance(x, Real):
        return number(x, lang, digits)
    sign = "%" if lang == "en" else "\xa0%"
    return number(float(x) * 100.0, lang, digits) + sign


def is_missing(x: object) -> bool:
    """Tell whether a cell is missing: None, NaN, NaT or pandas NA.

    Parameters
    ----------
    x
        Any cell value.

    Returns
    -------
    bool
        True for a missing value.

    Examples
    --------
    >>> is_missing(float("nan")), is_missing(0.0)
    (True, False)
    """
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN, NaT
    except (TypeError, ValueError):  # pandas NA refuses bool()
        return True
