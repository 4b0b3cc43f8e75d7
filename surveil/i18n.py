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
    # report: headings
    "rep_title": ("Gap assessment report", "Отчёт об оценке разрывов в охвате охраны границы"),
    "rep_contents": ("Contents", "Содержание"),
    "rep_scope": ("Scope", "Предмет оценки"),
    "rep_method": ("Method in plain words", "Метод простыми словами"),
    "rep_along": ("Detection and risk along the border", "Обнаружение и риск вдоль границы"),
    "rep_risk_classes": ("Km of border per risk class", "Протяжённость границы по уровням риска"),
    "rep_gaps": ("Coverage gaps, ranked", "Разрывы в охвате по приоритету"),
    "rep_needs": ("Needs and their cost", "Потребности и их стоимость"),
    "rep_plan": ("The plan", "План"),
    "rep_sections": ("Border sections in figures", "Участки границы в цифрах"),
    "rep_parameters": ("Parameters of the assessment", "Параметры оценки"),
    "rep_sources": ("Data sources and notes", "Источники данных и примечания"),
    # report: text
    "rep_generated": (
        "Written by surveil {version} on {date} (UTC).",
        "Подготовлено программой surveil {version} {date} (UTC).",
    ),
    "rep_scope_text": (
        "This report assesses the surveillance of {km} km of green border in {sections} "
        "section(s), cut into {segments} segments of {segment_m} m and examined at a target "
        "point every {sample_m} m. It shows where crossings would go undetected and "
        "uninterdicted, how large the resulting risk is, and what means would close the gaps.",
        "В отчёте оценивается охрана {km} км зелёной границы на {sections} участке(ах), "
        "разделённых на {segments} отрезков по {segment_m} м; оценка выполнена в контрольных "
        "точках через каждые {sample_m} м. Показано, где нарушение границы осталось бы "
        "необнаруженным и незадержанным, каков риск и какие средства закроют разрывы в охвате.",
    ),
    "rep_method_detect": (
        "Detection. Every target point stands for a crossing there. Sensors detect it in "
        "real time with their detection probability times their availability, where the "
        "crossing is within range, inside the field of view and, with terrain, in line of "
        "sight. Patrols see a crosser in real time while passing, or read the footprints "
        "later: traces stay readable for {trace_h} h. Independent sensors and patrols "
        "combine, so detection is 1 − Π(1 − p).",
        "Обнаружение. Каждая контрольная точка означает пересечение границы в этом месте. "
        "ТСОГ обнаруживают нарушителя в реальном времени с вероятностью обнаружения, "
        "умноженной на коэффициент готовности, если он в пределах дальности, в угле обзора "
        "и (с учётом рельефа) в прямой видимости. Наряд видит нарушителя в реальном времени "
        "при проверке или позже обнаруживает следы: следы читаются {trace_h} ч. Независимые "
        "ТСОГ и наряды складываются: вероятность обнаружения равна 1 − Π(1 − p).",
    ),
    "rep_method_interdict": (
        "Interdiction. A crosser is stopped when detected in real time (or by traces in "
        "time) and a reaction team from an outpost arrives before the crosser leaves the "
        "border zone, which takes about {escape_h} h.",
        "Задержание. Нарушитель задерживается, если обнаружен в реальном времени (или по "
        "следам вовремя) и тревожная группа заставы прибывает раньше, чем он покинет "
        "пограничную зону, на что уходит около {escape_h} ч.",
    ),
    "rep_method_threat": (
        "Threat is measured in crossing persons per km per year: incidents within "
        "{snap_km} km of the line, corrected for the detection at their place, weighted by "
        "persons and by age (half-life {half_life} days) and smoothed along the line. Where "
        "detection is too low to see incidents, threat comes from terrain and access and is "
        "marked unknown, not safe.",
        "Угроза измеряется числом нарушителей на км в год: происшествия в пределах "
        "{snap_km} км от линии границы с поправкой на обнаружение в месте происшествия, "
        "с учётом числа лиц и давности (период полураспада {half_life} сут), сглаженные "
        "вдоль линии. Где обнаружение слишком слабое, угроза оценивается по рельефу и "
        "доступности и помечается как неизвестная, не безопасно.",
    ),
    "rep_method_risk": (
        "Risk is the expected number of crossing persons per km per year who are not "
        "interdicted, times the impact weight. Its classes are absolute: low below {b1}, "
        "medium from {b1}, high from {b2} and critical from {b3} persons per km per year.",
        "Риск — ожидаемое число незадержанных нарушителей на км в год, умноженное на "
        "весовой коэффициент последствий. Уровни риска абсолютные: низкий — менее {b1}, "
        "средний — от {b1}, высокий — от {b2}, критический — от {b3} нарушителей на км в год.",
    ),
    "rep_method_gaps": (
        "Gaps are stretches where detection stays below the target of {target}. Needs are "
        "the means that would lift them to the target, priced from the catalogue.",
        "Разрывы в охвате — участки, где вероятность обнаружения ниже целевой ({target}). "
        "Потребности — средства, которые поднимут её до целевой, по ценам из перечня средств.",
    ),
    "rep_chainage_note": (
        "Top: detection probability (dashed: the target). Bottom: risk, persons per km per "
        "year, on the bands of the risk classes. Shaded: coverage gaps.",
        "Вверху: вероятность обнаружения (пунктир — целевая). Внизу: риск, нарушителей на "
        "км в год, на фоне уровней риска. Затенены разрывы в охвате.",
    ),
    "rep_more_rows": (
        "{shown} of {total} rows shown; all of them are in {file}.",
        "Показано {shown} из {total} строк; все они в файле {file}.",
    ),
    "rep_more_sections": (
        "Charts of the {shown} sections with the most gap km; {total} sections in all.",
        "Графики {shown} участков с наибольшей длиной разрывов; всего участков: {total}.",
    ),
    "rep_no_gaps": ("No coverage gaps.", "Разрывов в охвате нет."),
    "rep_no_needs": ("No needs.", "Потребностей нет."),
    "rep_illustrative": ("About the data: {text}", "О данных: {text}"),
    "rep_indicative": (
        "The catalogue's costs and performance of means are INDICATIVE, not quotes: use "
        "them to compare options, not to budget.",
        "Стоимость и характеристики средств в перечне ОРИЕНТИРОВОЧНЫЕ, а не коммерческие "
        "предложения: они служат для сравнения вариантов, а не для бюджета.",
    ),
    "rep_data_readme": (
        "The sample datasets and their sources are described in data/README.md of surveil.",
        "Примеры данных и их источники описаны в файле data/README.md программы surveil.",
    ),
    "rep_inputs": ("Input files", "Исходные файлы"),
    "rep_recommended": ("Recommended means per gap", "Рекомендуемые средства по разрывам"),
    "rep_costs_by_means": ("Cost per kind of means", "Стоимость по видам средств"),
    "rep_plan_sites": ("Sites of the plan", "Места размещения по плану"),
    # report: table columns and chart axes
    "rep_km_range": ("Km, from–to", "Км, от–до"),
    "rep_km_in_class": ("Km", "Км"),
    "rep_share": ("Share", "Доля"),
    "rep_units": ("Units", "Количество"),
    "rep_order": ("Order", "Очерёдность"),
    "rep_gain": ("Persons a year detected more", "Дополнительно обнаруживаемых в год"),
    "rep_annual_cost": ("Annual cost, EUR", "Годовые затраты, EUR"),
    "rep_parameter": ("Parameter", "Параметр"),
    "rep_value": ("Value", "Значение"),
    "rep_meaning": ("Meaning", "Значение параметра"),
    "rep_layer": ("Layer", "Слой"),
    "rep_file": ("File", "Файл"),
    "rep_bytes": ("Size, bytes", "Размер, байт"),
    "rep_checksum": ("SHA-256 (first 12)", "SHA-256 (первые 12)"),
    "rep_risk_persons": ("Risk, persons per year", "Риск, нарушителей в год"),
    "rep_yes": ("yes", "да"),
    "rep_no": ("no", "нет"),
    "rep_axis_detect": ("Detection", "Обнаружение"),
    "rep_axis_risk": ("Risk", "Риск"),
    "rep_axis_km": ("Km mark", "Километровая отметка, км"),
    "rep_axis_km_length": ("Length, km", "Длина, км"),
    "rep_axis_keur": ("Thousand EUR", "Тыс. EUR"),
    "rep_opex_keur": ("OPEX, thousand EUR per year", "Эксплуатационные расходы, тыс. EUR в год"),
    # sweep (surveil sweep): the report's section and the map's layer
    "rep_sweep": (
        "How sure are the gaps: sensitivity and uncertainty",
        "Насколько надёжны выводы о разрывах: чувствительность и неопределённость",
    ),
    "rep_sweep_method": (
        "The assessment was repeated {samples} times with the uncertain assumptions below "
        "drawn jointly from their ranges (a Latin hypercube, seed {seed}: each range is cut "
        "into {samples} equal strata and every stratum is used once).{dem} The figures above "
        "are the baseline, the assessment with the scenario's own values. P5, P50 and P95 are "
        "the 5th, 50th and 95th percentiles over the samples: nine samples in ten fall between "
        "P5 and P95. In the tornado chart each assumption was moved alone to the low and to the "
        "high end of its range, the others kept at the scenario's values; the widest bars are "
        "the assumptions the result depends on most. A baseline gap exists in a sample when a "
        "gap of that sample overlaps it; it stays in the top {top_n} when one of those gaps "
        "ranks among the first {top_n} by priority. The map's layer of the probability of a "
        "gap gives, per segment, the share of samples in which gaps cover at least half of it.",
        "Оценка повторена {samples} раз; неопределённые допущения, перечисленные ниже, "
        "выбирались совместно из своих диапазонов (латинский гиперкуб, начальное значение "
        "{seed}: каждый диапазон разбит на {samples} равных интервалов, и каждый интервал "
        "использован один раз).{dem} Приведённые выше показатели относятся к исходному "
        "состоянию — оценке со значениями самого сценария. P5, P50 и P95 — 5-й, 50-й и 95-й "
        "процентили по всем повторам: девять повторов из десяти лежат между P5 и P95. На "
        "диаграмме чувствительности («торнадо») каждое допущение поочерёдно доведено до нижней "
        "и до верхней границы своего диапазона при остальных значениях сценария; самые "
        "широкие полосы — допущения, от которых результат зависит сильнее всего. Разрыв "
        "исходного состояния существует в повторе, если его перекрывает разрыв этого "
        "повтора; он остаётся в первых {top_n}, если один из таких разрывов входит в первые "
        "{top_n} по приоритету. Слой карты «вероятность разрыва» показывает для каждого "
        "отрезка долю повторов, в которых разрывы покрывают не менее половины его длины.",
    ),
    "rep_sweep_dem": (
        " Each sample also adds to the DEM's heights a spatially correlated error of "
        "standard deviation {sigma} m and correlation length {length} m.",
        " Кроме того, в каждом повторе к высотам цифровой модели рельефа (ЦМР) добавляется "
        "пространственно коррелированная погрешность со стандартным отклонением {sigma} м и "
        "радиусом корреляции {length} м.",
    ),
    "rep_sweep_params": (
        "Uncertain assumptions and their ranges",
        "Неопределённые допущения и их диапазоны",
    ),
    "rep_sweep_bands": (
        "Key figures: baseline and band",
        "Основные показатели: исходное состояние и разброс",
    ),
    "rep_sweep_tornado": (
        "One at a time: how far each assumption moves the result",
        "Поочерёдно: насколько каждое допущение меняет результат",
    ),
    "rep_sweep_stability": (
        "Stability of the baseline gaps",
        "Устойчивость разрывов исходного состояния",
    ),
    "rep_assumption": ("Assumption", "Допущение"),
    "rep_low": ("Low", "Нижняя граница"),
    "rep_high": ("High", "Верхняя граница"),
    "rep_baseline": ("Baseline", "Исходное состояние"),
    "rep_at_low": ("assumption at the low end", "допущение на нижней границе"),
    "rep_at_high": ("assumption at the high end", "допущение на верхней границе"),
    "rep_p_exists": ("Probability it exists", "Вероятность существования"),
    "rep_length_band": ("Length, km: P5–P95 (P50)", "Длина, км: P5–P95 (P50)"),
    "rep_p_top": ("Probability in the top {n}", "Вероятность войти в первые {n}"),
    "rep_pd_of": (
        "Detection probability of every {type}",
        "Вероятность обнаружения всех средств типа «{type}»",
    ),
    "rep_availability_of": (
        "Availability of every {type}",
        "Коэффициент готовности всех средств типа «{type}»",
    ),
    "rep_dem_error": (
        "Vertical error of the DEM (σ), m; in the tornado the same error field with either sign",
        "Погрешность высот ЦМР (σ), м; на диаграмме «торнадо» одно и то же поле погрешности "
        "с обоими знаками",
    ),
    "layer_gap_probability": (
        "Segments: probability of a gap",
        "Участки: вероятность разрыва в охвате",
    ),
    "p_gap_bins": ("Probability of lying in a gap", "Вероятность попасть в разрыв"),
    "p_gap": ("Probability of a gap", "Вероятность разрыва"),
    "p_high_risk": ("Probability of high risk", "Вероятность высокого риска"),
}

#: Meaning of each assessment parameter (:class:`surveil.scenario.Parameters`).
PARAMETER_MEANINGS: Mapping[str, tuple[str, str]] = {
    "segment_m": ("Segment length along the border, m", "Длина отрезка вдоль границы, м"),
    "sample_m": ("Spacing of target points, m", "Шаг контрольных точек, м"),
    "target_pd": (
        "Detection probability that counts as covered",
        "Вероятность обнаружения, при которой участок считается охваченным",
    ),
    "path_depth_m": (
        "A crossing runs square to the line from this far outside to this far inside, m",
        "Путь нарушителя идёт поперёк линии границы от этого расстояния снаружи "
        "до этого расстояния внутри, м",
    ),
    "trace_persistence_h": (
        "Hours a crossing's traces stay readable for a patrol",
        "Время, в течение которого наряд может прочитать следы, ч",
    ),
    "include_planned": (
        "Count planned sensors as present",
        "Учитывать планируемые ТСОГ как имеющиеся",
    ),
    "incident_snap_m": (
        "Incidents farther than this from the line are not counted, m",
        "Происшествия дальше этого расстояния от линии границы не учитываются, м",
    ),
    "bandwidth_m": (
        "Smoothing width of incidents along the line, m",
        "Ширина сглаживания происшествий вдоль линии границы, м",
    ),
    "half_life_days": (
        "Half-life of an incident's weight, days",
        "Период полураспада веса происшествия, сут",
    ),
    "reference_date": (
        "Date incident ages count from (empty: the latest incident)",
        "Дата отсчёта давности происшествий (пусто — последнее происшествие)",
    ),
    "incident_period_years": (
        "Observation time when no incident is dated, years",
        "Период наблюдения, если происшествия без дат, лет",
    ),
    "detection_floor": (
        "Lowest detection used to correct observed incidents",
        "Наименьшая вероятность обнаружения для поправки наблюдаемых происшествий",
    ),
    "threat_incidents": (
        "Which incident intensity feeds threat: corrected or observed",
        "Какая интенсивность происшествий входит в угрозу: с поправкой (corrected) или "
        "наблюдаемая (observed)",
    ),
    "weight_incidents": ("Weight of incidents in threat", "Вес происшествий в угрозе"),
    "weight_structure": (
        "Weight of terrain and access in threat",
        "Вес рельефа и доступности в угрозе",
    ),
    "road_scale_m": ("Distance scale of access to roads, m", "Масштаб удалённости от дорог, м"),
    "settlement_scale_m": (
        "Distance scale of access to settlements, m",
        "Масштаб удалённости от населённых пунктов, м",
    ),
    "detour_factor": (
        "Road distance over straight-line distance for reaction teams",
        "Отношение пути по дорогам к расстоянию по прямой для тревожных групп",
    ),
    "escape_h": (
        "Mean time crossers need to clear the border zone, h",
        "Среднее время, за которое нарушитель покидает пограничную зону, ч",
    ),
    "min_bridge_m": (
        "Covered stretches shorter than this between gaps are bridged, m",
        "Охваченные участки короче этого между разрывами объединяются с ними, м",
    ),
    "min_gap_m": (
        "Gaps shorter than this are dropped, m",
        "Разрывы короче этого не учитываются, м",
    ),
    "own_country": (
        "Country whose side is assessed (empty: where most sensors and posts stand)",
        "Страна, сторона которой оценивается (пусто — где больше ТСОГ и застав)",
    ),
    "risk_breaks": (
        "Risk where classes medium, high and critical begin, persons per km per year",
        "Риск, с которого начинаются средний, высокий и критический уровни, "
        "нарушителей на км в год",
    ),
    "candidate_offsets_m": (
        "Distances inside the line where a plan tries new sites, m",
        "Расстояния от линии границы вглубь своей территории для новых мест размещения, м",
    ),
    "candidate_spacing_m": (
        "Spacing of those sites along the line, m",
        "Шаг этих мест вдоль линии границы, м",
    ),
    "candidate_setback_m": (
        "Smallest distance of a new site from the line, m",
        "Наименьшее расстояние нового места размещения от линии границы, м",
    ),
    "candidate_max_road_m": (
        "Largest distance of a new site from a road, m (empty: no limit)",
        "Наибольшее расстояние нового места размещения от дороги, м (пусто — без ограничения)",
    ),
    "lifecycle_years": (
        "Years of OPEX counted with CAPEX when a plan closes the gaps at least cost",
        "Число лет эксплуатационных расходов, учитываемых вместе с капитальными затратами "
        "при поиске самого дешёвого закрытия разрывов",
    ),
    "max_distance_km": (
        "Layers farther than this from the border are refused, km",
        "Объекты дальше этого расстояния от границы отклоняются, км",
    ),
    "target_height_m": (
        "Height of a crossing person for line of sight, m",
        "Высота нарушителя для расчёта прямой видимости, м",
    ),
    "refraction": (
        "Coefficient of atmospheric refraction for line of sight",
        "Коэффициент атмосферной рефракции для расчёта прямой видимости",
    ),
    "patrol_pd": (
        "Chance that one patrol pass sees a crosser or reads the traces",
        "Вероятность, что одна проверка наряда обнаружит нарушителя или следы",
    ),
    "crosser_speed_kmh": (
        "Walking speed of crossers through a patrol's sweep band, km/h",
        "Скорость движения нарушителя через полосу наблюдения наряда, км/ч",
    ),
    "structure_per_km_year": (
        "Crossing persons per km per year that terrain factor 1 stands for (empty: calibrated)",
        "Число нарушителей на км в год, соответствующее фактору рельефа 1 (пусто — по калибровке)",
    ),
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
