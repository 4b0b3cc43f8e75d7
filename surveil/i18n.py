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

__all__ = [
    "LANGS",
    "check_lang",
    "figure_label",
    "is_missing",
    "label",
    "number",
    "percent",
    "value",
]

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
    "layer_isochrones": ("Reaction time from posts", "Время реагирования от застав"),
    "isochrone_band": ("{lo}–{hi} min", "{lo}–{hi} мин"),
    "minutes_unit": ("min", "мин"),
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
    "response_min": (
        "Reaction time of the fastest team, min",
        "Время реагирования тревожной группы, мин",
    ),
    "escape_min": (
        "Crossers' time to leave the border zone, min",
        "Время ухода нарушителей из пограничной зоны, мин",
    ),
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
    # the needs of an ordinary assessment: a quick estimate, labelled as one
    "capex_eur_quick": (
        "Needs, quick estimate (straight line, flat): CAPEX, EUR",
        "Потребности, оценка по прямой без учёта рельефа: капитальные затраты, EUR",
    ),
    "opex_eur_per_year_quick": (
        "Needs, quick estimate: OPEX, EUR per year",
        "Потребности, оценка по прямой: эксплуатационные расходы, EUR в год",
    ),
    "staff_fte_quick": (
        "Needs, quick estimate: staff, FTE",
        "Потребности, оценка по прямой: личный состав, штатных единиц",
    ),
    "rep_needs_quick_note": (
        "A quick estimate: the means for each gap are sized on a straight, flat line "
        "from the gap's mean detection, without sites, terrain or line of sight, and a "
        "means serving two gaps is counted twice. 'surveil plan' places means at "
        "feasible sites with terrain and line of sight and gives what closing the gaps "
        "costs.",
        "Оценка по прямой: средства для каждого разрыва подобраны по средней вероятности "
        "обнаружения на прямой линии без учёта мест размещения, рельефа и прямой "
        "видимости; средство, обслуживающее два разрыва, учтено дважды. Расчёт плана "
        "размещения в surveil размещает средства на допустимых местах с учётом рельефа и "
        "прямой видимости и даёт стоимость закрытия разрывов.",
    ),
    # compare: a plan against today on one map
    "compare_title": ("Plan against today", "План в сравнении с исходным состоянием"),
    "posture_base": ("Today", "Исходное состояние"),
    "posture_plan": ("Plan", "План"),
    "change": ("Change", "Изменение"),
    "layer_changed": (
        "Segments where detection or risk changed",
        "Участки, где изменились обнаружение или риск",
    ),
    "changed_segment": ("Changed segment", "Изменённый участок"),
    "layer_new_sites": ("New sites of the plan", "Новые места размещения по плану"),
    "new_site": ("New site", "Новое место размещения"),
    "layer_new_routes": (
        "New or more frequent patrol routes",
        "Новые или усиленные маршруты нарядов",
    ),
    "new_route": ("Patrol route added by the plan", "Маршрут наряда, добавленный планом"),
    "gap_outcome": ("Outcome under the plan", "Результат по плану"),
    "p_detect_base": ("Detection probability today", "Вероятность обнаружения сейчас"),
    "p_detect_plan": ("Detection probability, plan", "Вероятность обнаружения по плану"),
    "risk_base": ("Risk today", "Риск сейчас"),
    "risk_plan": ("Risk, plan", "Риск по плану"),
    "risk_class_base": ("Risk class today", "Уровень риска сейчас"),
    "risk_class_plan": ("Risk class, plan", "Уровень риска по плану"),
    "order": ("Order taken", "Очерёдность"),
    "mast_m": ("Mast, m", "Высота мачты, м"),
    "gaps_served": ("Gaps served", "Обслуживаемые разрывы"),
    "gain_persons_per_year": (
        "Crossing persons a year detected more",
        "Дополнительно обнаруживаемых нарушителей в год",
    ),
    "plan_capex_eur": ("Plan's CAPEX, EUR", "Капитальные затраты плана, EUR"),
    "plan_opex_eur_per_year": (
        "Plan's OPEX, EUR per year",
        "Эксплуатационные расходы плана, EUR в год",
    ),
    # patrol services (surveil.services)
    "patrol_fte": ("Staff for today's patrols, FTE", "Личный состав для нарядов, штатных единиц"),
    # responsibility areas (surveil.areas)
    "areas": ("Responsibility areas", "Участки ответственности"),
    "agencies": ("Agencies", "Ведомства"),
    "area_km": ("Km in responsibility areas", "В участках ответственности, км"),
    "unassigned_km": ("Km without a responsible area", "Км без участка ответственности"),
    "handovers": ("Handover points", "Точки стыка участков"),
    "seam_gaps": ("Gaps at seams", "Разрывы на стыках"),
    "seam_high_risk": ("High-risk stretches at seams", "Участки высокого риска на стыках"),
    "cross_unit_response_share": (
        "Segments answered first by another unit's post",
        "Доля отрезков, куда первой успевает застава другого подразделения",
    ),
    "cross_agency_response_share": (
        "Segments answered first by another agency's post",
        "Доля отрезков, куда первым успевает подразделение другого ведомства",
    ),
    "layer_areas": (
        "Responsibility areas and seams",
        "Участки ответственности и стыки",
    ),
    "area": ("Responsibility area", "Участок ответственности"),
    "area_from": ("Area before", "Участок до стыка"),
    "area_to": ("Area after", "Участок после стыка"),
    "agency_from": ("Agency before", "Ведомство до стыка"),
    "agency_to": ("Agency after", "Ведомство после стыка"),
    "km_handover": ("Handover at km", "Стык на км"),
    "handover": ("Handover point", "Точка стыка участков"),
    "seam": ("Gap or high-risk stretch at a seam", "Разрыв или участок высокого риска на стыке"),
    "areas_legend": ("Areas and seams", "Участки и стыки"),
    "kind": ("Kind", "Вид"),
    # report: headings
    "rep_title": ("Gap assessment report", "Отчёт об оценке разрывов в охвате охраны границы"),
    "rep_contents": ("Contents", "Содержание"),
    "rep_scope": ("Scope", "Предмет оценки"),
    "rep_method": ("Method in plain words", "Метод простыми словами"),
    "rep_along": ("Detection and risk along the border", "Обнаружение и риск вдоль границы"),
    "rep_risk_classes": ("Km of border per risk class", "Протяжённость границы по уровням риска"),
    "rep_gaps": ("Coverage gaps, ranked", "Разрывы в охвате по приоритету"),
    "rep_needs": ("Needs and their cost", "Потребности и их стоимость"),
    "rep_services": ("Patrol services and staff", "Служба нарядов и личный состав"),
    "rep_services_note": (
        "Teams and staff that today's visits need: a visit is one pass along the route at "
        "the mode's speed; team shifts a day = visits × length / (speed × shift hours); "
        "staff = team shifts × team size / share of days on duty.",
        "Наряды и личный состав, необходимые для нынешнего числа проверок: проверка — один "
        "проход маршрута со скоростью наряда данного вида; нарядов в сутки = проверки × длина / "
        "(скорость × продолжительность смены); личный состав = наряды × численность наряда / "
        "доля дней несения службы.",
    ),
    "rep_total": ("Total", "Итого"),
    "rep_sensors_routes": ("Sensors / patrol routes", "ТСОГ / маршруты нарядов"),
    "rep_area_staff": ("Staff of its means, FTE", "Личный состав средств, шт. ед."),
    "rep_areas": ("Responsibility areas and agencies", "Участки ответственности и ведомства"),
    "rep_coordination": ("Between agencies", "Взаимодействие ведомств"),
    "rep_other_agency_segments": (
        "Segments answered first by another agency",
        "Отрезки, куда первым успевает другое ведомство",
    ),
    "rep_cross_agency": (
        "The fastest responding post belongs to another agency on {share} of the segments "
        "and to another unit on {unit} (reaction time as in the model: straight line × "
        "detour factor over the post's speed).",
        "Быстрее всех успевающая застава принадлежит другому ведомству на {share} отрезков "
        "и другому подразделению на {unit} (время реагирования по модели: расстояние по прямой "
        "× коэффициент извилистости / скорость выдвижения).",
    ),
    "hours_per_visit": ("Hours a visit", "Часов на проверку"),
    "team_shifts_per_day": ("Team shifts a day", "Нарядов в сутки"),
    "teams": ("Teams on duty", "Нарядов на службе"),
    "fte": ("Staff, FTE", "Личный состав, шт. ед."),
    "covered_km": ("Covered, km", "Охвачено, км"),
    "sensors": ("Sensors", "ТСОГ"),
    "posts": ("Posts", "Заставы"),
    "agency_a": ("Agency", "Ведомство"),
    "agency_b": ("With agency", "С ведомством"),
    "response_km": (
        "Km where one's post answers first in the other's area",
        "Км, где застава одного ведомства успевает первой на участке другого",
    ),
    "seam_gap_km": ("Gap km at their seams", "Разрывы на стыках, км"),
    "shared_means": ("Means serving both", "Средства, работающие на оба"),
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
    "rep_method_windows": (
        "Day and night. Night is when the sun is more than 6° below the horizon (after civil "
        "twilight), computed from each point's latitude over the period; {night} of "
        "crossings are taken to happen at night (the hours of darkness, tilted by incidents "
        "that carry a time of day). Sensors see at night with their night detection "
        "probability (a daylight camera without illuminator sees nothing), patrols pass "
        "only in their window, and detection is the day and night values weighted by "
        "those shares. Sensor detection falls with range as the datasheets' "
        "detection ranges say (Johnson criteria).",
        "День и ночь. Ночь — когда Солнце ниже горизонта более чем на 6° (после гражданских "
        "сумерек); она рассчитывается по широте каждой точки за период оценки. Ночью "
        "происходит {night} пересечений (доля тёмного времени суток, уточнённая по "
        "происшествиям с указанием времени). Ночью ТСОГ обнаруживают с ночной "
        "вероятностью (дневная видеокамера без подсветки не видит ничего), наряды "
        "проверяют только в своё время несения службы, а итоговая вероятность обнаружения — "
        "дневная и ночная, взвешенные по этим долям. Вероятность обнаружения ТСОГ убывает с "
        "дальностью по дальностям обнаружения из паспортных данных (критерии Джонсона).",
    ),
    "rep_method_interdict": (
        "Interdiction. A crosser is stopped when detected in real time (or by traces in "
        "time) and a reaction team from an outpost arrives before the crosser leaves the "
        "border zone, which takes about {escape_h} h on flat ground. With terrain, both "
        "times are taken over the ground: the team by roads and across the slopes, the "
        "crosser on foot, slower uphill.",
        "Задержание. Нарушитель задерживается, если обнаружен в реальном времени (или по "
        "следам вовремя) и тревожная группа заставы прибывает раньше, чем он покинет "
        "пограничную зону, на что на равнине уходит около {escape_h} ч. С учётом рельефа "
        "оба времени считаются по местности: группа движется по дорогам и склонам, "
        "нарушитель пешком, медленнее в гору.",
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
    # time windows (surveil.windows): day and night
    "layer_detect_day": (
        "Segments: detection probability by day",
        "Участки: вероятность обнаружения днём",
    ),
    "layer_detect_night": (
        "Segments: detection probability at night",
        "Участки: вероятность обнаружения ночью",
    ),
    "p_detect_day": ("Detection probability by day", "Вероятность обнаружения днём"),
    "p_detect_night": ("Detection probability at night", "Вероятность обнаружения ночью"),
    "covered_frac_day": ("Covered share by day", "Доля охвата днём"),
    "covered_frac_night": ("Covered share at night", "Доля охвата ночью"),
    "night_share": ("Share of crossings at night", "Доля пересечений ночью"),
    "km_covered_day": ("Km covered by day", "Охвачено днём, км"),
    "km_covered_night": ("Km covered at night", "Охвачено ночью, км"),
    "covered_share_day": ("Covered share by day", "Доля охвата днём"),
    "covered_share_night": ("Covered share at night", "Доля охвата ночью"),
    "gap_count_day": ("Coverage gaps by day", "Разрывы в охвате днём"),
    "gap_count_night": ("Coverage gaps at night", "Разрывы в охвате ночью"),
    "gap_km_day": ("Gap length by day, km", "Длина разрывов днём, км"),
    "gap_km_night": ("Gap length at night, km", "Длина разрывов ночью, км"),
    "mean_p_detect_day": (
        "Mean detection probability by day",
        "Средняя вероятность обнаружения днём",
    ),
    "mean_p_detect_night": (
        "Mean detection probability at night",
        "Средняя вероятность обнаружения ночью",
    ),
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
        "Road distance over straight-line distance for reaction teams (without terrain)",
        "Отношение пути по дорогам к расстоянию по прямой для тревожных групп (без рельефа)",
    ),
    "escape_h": (
        "Mean time crossers need to clear the border zone on flat ground, h",
        "Среднее время, за которое нарушитель покидает пограничную зону на равнине, ч",
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
    "foot_speed_kmh": (
        "Speed of a foot patrol along its route, km/h",
        "Скорость пешего наряда по маршруту, км/ч",
    ),
    "horse_speed_kmh": (
        "Speed of a horse patrol along its route, km/h",
        "Скорость конного наряда по маршруту, км/ч",
    ),
    "vehicle_speed_kmh": (
        "Speed of a vehicle patrol along its route, km/h",
        "Скорость автомобильного наряда по маршруту, км/ч",
    ),
    "boat_speed_kmh": (
        "Speed of a boat patrol along its route, km/h",
        "Скорость наряда на катере по маршруту, км/ч",
    ),
    "uav_speed_kmh": (
        "Speed of a UAV along its route, km/h",
        "Скорость БПЛА по маршруту, км/ч",
    ),
    "foot_team": ("Persons in a foot patrol", "Численность пешего наряда, чел."),
    "horse_team": ("Persons in a horse patrol", "Численность конного наряда, чел."),
    "vehicle_team": ("Persons in a vehicle patrol", "Численность автомобильного наряда, чел."),
    "boat_team": ("Persons in a boat patrol", "Численность наряда на катере, чел."),
    "uav_team": ("Persons in a UAV crew", "Численность расчёта БПЛА, чел."),
    "shift_h": (
        "Hours a patrol works on its route in one shift",
        "Продолжительность несения службы нарядом на маршруте за смену, ч",
    ),
    "staff_availability": (
        "Share of days a person is on duty (leave, training, rest taken out)",
        "Доля дней, в которые военнослужащий несёт службу (без отпусков, учёбы, отдыха)",
    ),
    "patrol_staff_fte": (
        "Staff the patrols have, FTE, for the visits a day it allows (empty: none)",
        "Личный состав нарядов, штатных единиц, для расчёта возможного числа проверок "
        "(пусто — нет)",
    ),
    "seam_m": (
        "Gaps and high-risk stretches this close to an area boundary lie at a seam, m",
        "Разрывы и участки высокого риска на таком расстоянии от границы участков "
        "ответственности считаются стыком, м",
    ),
    "target_class": (
        "What crosses: person or vehicle (selects the sensors' ranges)",
        "Кто пересекает границу: человек или транспортное средство (дальности ТСОГ)",
    ),
    "sensor_task": (
        "What counts as a sensor detection: detect, recognise or identify",
        "Что считается обнаружением ТСОГ: обнаружение, распознавание или идентификация",
    ),
    "period_start": (
        "First day of the assessment period, for the hours of darkness (empty: a whole year)",
        "Первый день периода оценки для расчёта тёмного времени суток (пусто — весь год)",
    ),
    "period_end": (
        "Last day of the assessment period (empty: a whole year)",
        "Последний день периода оценки (пусто — весь год)",
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
    "recommended": ("recommended by the plan", "рекомендовано планом"),
    # sensor types of the bundled catalogue
    "camera_tower": ("camera tower", "вышка с видеокамерой"),
    "day_camera": ("daylight camera tower", "вышка с дневной видеокамерой"),
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
    # gap outcomes under a plan (surveil compare)
    "closed": ("closed", "закрыт"),
    "shrunk": ("shrunk", "сокращён"),
    "split": ("split", "разделён"),
    "unchanged": ("unchanged", "без изменений"),
    "new": ("new", "новый"),
    "remaining": ("remains", "остаётся"),
    # seams (surveil.areas)
    "handover": ("handover point", "точка стыка"),
    "high_risk": ("high-risk stretch", "участок высокого риска"),
    "gap": ("coverage gap", "разрыв в охвате"),
    # posts
    "outpost": ("border outpost", "пограничная застава"),
    "bcp": ("border crossing point", "пункт пропуска"),
    # patrol types of the bundled catalogue
    "foot_patrol": ("foot patrol", "пеший наряд"),
    "vehicle_patrol": ("vehicle patrol", "автомобильный наряд"),
    "horse_patrol": ("horse patrol", "конный наряд"),
}

#: The needs workbook (needs.xlsx) in Russian: sheet names, column headers and
#: the values of its closed columns. The English workbook keeps the CSV's
#: column names, so that a script reads either.
WORKBOOK_RU: Mapping[str, str] = {
    # sheets
    "Needs": "Потребности",
    "Options": "Варианты",
    "Totals": "Итоги",
    "Summary": "Сводка",
    "Catalogue": "Перечень средств",
    # columns of the needs table
    "gap_id": "Разрыв",
    "section": "Участок границы",
    "km_from": "Км от",
    "km_to": "Км до",
    "length_km": "Длина, км",
    "priority": "Приоритет",
    "mean_p_detect": "Средняя вероятность обнаружения",
    "means": "Средство",
    "label": "Наименование",
    "kind": "Вид",
    "units": "Количество",
    "layers": "Рубежей",
    "visits_per_day": "Проверок в сутки",
    "capex_eur": "Капитальные затраты, EUR",
    "opex_eur_per_year": "Эксплуатационные расходы, EUR в год",
    "staff_fte": "Личный состав, штатных единиц",
    "annual_cost_eur": "Годовые затраты, EUR",
    "recommended": "Рекомендуется",
    # summary sheet
    "key": "Показатель",
    "value": "Значение",
    # catalogue sheet
    "type": "Средство",
    "label_en": "Наименование (англ.)",
    "label_ru": "Наименование",
    "range_m": "Дальность, м",
    "pd": "Вероятность обнаружения",
    "availability": "Коэффициент готовности",
    "height_m": "Высота мачты, м",
    "fov_deg": "Угол обзора, °",
    "standoff_m": "Удаление от линии границы, м",
    "sweep_m": "Ширина полосы наблюдения, м",
    "km_per_day": "Км в сутки",
    "lifetime_years": "Срок службы, лет",
    "mast_heights_m": "Варианты высоты мачты, м",
    "mast_capex_eur_per_m": "Стоимость мачты, EUR за м",
    "pd_night": "Вероятность обнаружения ночью",
    "detect_m": "Дальность обнаружения человека, м",
    "recognise_m": "Дальность распознавания человека, м",
    "identify_m": "Дальность идентификации человека, м",
    "pd_by_range": "Вероятность обнаружения по дальности (м: вероятность)",
    "range_vehicle_m": "Дальность по транспортному средству, м",
    "detect_vehicle_m": "Дальность обнаружения транспортного средства, м",
    "recognise_vehicle_m": "Дальность распознавания транспортного средства, м",
    "identify_vehicle_m": "Дальность идентификации транспортного средства, м",
    "availability_by_month": "Коэффициент готовности по месяцам (месяц: коэффициент)",
    "basis": "Основа расчёта",
    # services sheet (surveil.services)
    "Services": "Службы нарядов",
    "route": "Маршрут",
    "mode": "Способ",
    "window": "Время суток",
    "agency": "Ведомство",
    "speed_kmh": "Скорость, км/ч",
    "hours_per_visit": "Часов на проверку",
    "shift_h": "Смена, ч",
    "fits_shift": "Укладывается в смену",
    "team_shifts_per_day": "Смен нарядов в сутки",
    "teams": "Нарядов",
    "team_size": "Численность наряда",
    "persons_on_duty": "Человек на службе",
    "fte": "Штатных единиц",
    "visits_per_day_at_staff": "Проверок в сутки при заданной штатной численности",
    # areas sheet (surveil.areas)
    "Areas": "Участки ответственности",
    "area": "Участок ответственности",
    "km": "Км",
    "covered_km": "Охвачено, км",
    "gap_km": "Разрывы, км",
    "gaps": "Разрывов",
    "high_risk_km": "Высокий риск, км",
    "sensors": "ТСОГ",
    "patrol_routes": "Маршрутов нарядов",
    "posts": "Подразделений",
    "patrol_fte": "Личный состав нарядов, штатных единиц",
    "sensor_fte": "Личный состав ТСОГ, штатных единиц",
    "handovers": "Точек стыка",
    "seam_gaps": "Разрывов на стыках",
    "seam_gap_km": "Разрывы на стыках, км",
    "segments_answered_by_other_unit": "Отрезков, куда первым успевает другое подразделение",
    "segments_answered_by_other_agency": "Отрезков, куда первым успевает другое ведомство",
    # values
    "sensor": "ТСОГ",
    "patrol": "наряд",
    "Total": "Итого",
    "yes": "да",
    "no": "нет",
    "INDICATIVE FIGURES, NOT QUOTES.": (
        "ОРИЕНТИРОВОЧНЫЕ ЦИФРЫ, НЕ КОММЕРЧЕСКИЕ ПРЕДЛОЖЕНИЯ."
    ),
    "Source": "Источник",
    "quick estimate: straight line, flat terrain (surveil plan places sites)": (
        "оценка по прямой без учёта рельефа (места размещения даёт расчёт плана размещения)"
    ),
    "placement: sites, terrain and line of sight (surveil plan)": (
        "размещение: места, рельеф и прямая видимость (расчёт плана размещения)"
    ),
    "default catalogue": "перечень средств по умолчанию",
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


#: Key figures that are the cost of the needs; see :func:`figure_label`.
NEEDS_COST_KEYS: tuple[str, ...] = ("capex_eur", "opex_eur_per_year", "staff_fte")


def figure_label(key: str, summary: Mapping[str, object], lang: str) -> str:
    """Return the label of key figure `key`, saying "quick estimate" where the needs are one.

    An ordinary assessment sizes its needs on a straight, flat line
    (``summary["needs_quick_estimate"]`` true); a plan's needs are its
    placement and keep the plain labels.

    Examples
    --------
    >>> figure_label("capex_eur", {"needs_quick_estimate": True}, "en")
    'Needs, quick estimate (straight line, flat): CAPEX, EUR'
    >>> figure_label("capex_eur", {"needs_quick_estimate": False}, "en")
    'CAPEX, EUR'
    """
    if key in NEEDS_COST_KEYS and summary.get("needs_quick_estimate") is True:
        key = f"{key}_quick"
    return label(key, lang)


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
