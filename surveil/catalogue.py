"""Load and validate the catalogue of means (cameras, towers, sensors, patrols).

A catalogue lists the kinds of means an agency can deploy, with their
performance and cost per unit. It is read from TOML (a ``[[means]]`` array of
tables, plus top-level ``currency``, ``indicative`` and ``note``) or from CSV
with the same columns. Every problem in the file is collected and reported at
once in one :class:`~surveil.errors.SchemaError`.

Columns of the returned table (units in the names):

=====================  =======================================================
``type``               unique key, e.g. ``"thermal_tower"``
``kind``               ``"sensor"`` or ``"patrol"``
``label_en``           English label (default: ``type``)
``label_ru``           Russian label (default: ``type``)
``range_m``            detection range of a sensor, m (> 0; required for sensors)
``pd``                 detection probability in range, 0–1 (required for
                       sensors; patrols: probability that one pass reads the
                       traces of a crossing, default 1)
``availability``       uptime, 0–1 (default 0.95 for sensors, 1 for patrols)
``height_m``           mast height, m (≥ 0, default 0)
``fov_deg``            field of view, degrees, in (0, 360] (default 360)
``standoff_m``         inward distance of a unit from the border line, m (≥ 0,
                       default for sensors ``min(500, range_m / 4)``)
``sweep_m``            half-width observed from a patrol route, m (> 0;
                       required for patrols)
``km_per_day``         route length one patrol unit covers per day, km (> 0;
                       required for patrols)
``capex_eur``          purchase and installation of one unit, EUR (≥ 0)
``opex_eur_per_year``  running cost of one unit per year, EUR (≥ 0)
``staff_fte``          staff per unit, full-time equivalents (≥ 0)
``lifetime_years``     years over which capex is spread (> 0, default 10)
``mast_heights_m``     mast options of a sensor, m, as text ``"12;20;30"`` (a
                       TOML list or ``;``-separated; default: ``height_m``)
``mast_capex_eur_per_m``  CAPEX per metre of mast above ``height_m``, EUR (≥ 0,
                       default 0: the catalogue price includes the mast)
``pd_night``           detection probability in range at night, 0–1 (default
                       empty: as by day; a daylight camera without
                       illuminator: 0)
``detect_m``           ranges at which a person is detected, recognised,
``recognise_m``        identified with probability 0.5 (the DRI figures of
``identify_m``         datasheets, Johnson criteria), m (> 0, identify ≤
                       recognise ≤ detect ≤ ... ; optional: they shape pd
                       by range, see :mod:`surveil.sensors`)
``pd_by_range``        pd by slant range as ``"0:0.9;2000:0.6;4000:0.2"``
                       (m:pd, ranges increasing; optional, wins over DRI)
``range_vehicle_m``    reach and DRI ranges for a vehicle target (optional;
``detect_vehicle_m``…  default the person's, DRI scaled by 2.3 / 0.75)
``availability_by_month``  availability per month as ``"1:0.7,2:0.7,12:0.7"``
                       (month:fraction; optional, months not listed keep
                       ``availability``; averaged over the assessment period)
=====================  =======================================================

Sensor defaults (``height_m``, ``availability``, ``fov_deg``) are the one set
of :data:`surveil.sensors.DEFAULTS`.

The table's ``attrs`` hold ``source``, ``currency`` (``"EUR"``),
``indicative`` (``True`` when the figures are planning guesses, not quotes) and
``note``.

Patrol means of a mode that :mod:`surveil.services` knows (``<mode>_patrol``,
``uav_team``) are sized in needs and plans by the scenario's services
parameters: ``<mode>_speed_kmh`` × ``shift_h`` stands for ``km_per_day`` and
``<mode>_team`` / ``staff_availability`` for ``staff_fte`` per team; their
defaults equal the shipped catalogue's figures. Other patrol types keep their
own ``km_per_day`` and ``staff_fte``.
"""

from __future__ import annotations

import io
import itertools
import math
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveil import sensors as sensor_model
from surveil._textfile import delimiter, read_text
from surveil.errors import InputError, Problem, SchemaError
from surveil.layers.schema import PLAUSIBLE

__all__ = ["CATALOGUE_COLUMNS", "KINDS", "load_catalogue", "validate_catalogue"]

#: Columns of a validated catalogue, in order.
CATALOGUE_COLUMNS: tuple[str, ...] = (
    "type",
    "kind",
    "label_en",
    "label_ru",
    "range_m",
    "pd",
    "availability",
    "height_m",
    "fov_deg",
    "standoff_m",
    "sweep_m",
    "km_per_day",
    "capex_eur",
    "opex_eur_per_year",
    "staff_fte",
    "lifetime_years",
    "mast_heights_m",
    "mast_capex_eur_per_m",
    *sensor_model.MODEL_COLUMNS,
)

#: Accepted values of ``kind``.
KINDS: tuple[str, ...] = ("sensor", "patrol")

_LAYER = "catalogue"
_TEXT_FIELDS = ("type", "kind", "label_en", "label_ru", "pd_by_range", "availability_by_month")
_FREE_TEXT_FIELDS = ("note", "source")  # accepted per row, not kept
_TOP_LEVEL_KEYS = ("currency", "indicative", "note", "note_ru", "means")

# field -> (accepts, what is accepted)
_NUMBER_RULES: dict[str, tuple[Callable[[float], bool], str]] = {
    "range_m": (lambda v: v > 0, "a positive distance in metres"),
    "pd": (lambda v: 0 <= v <= 1, "a probability between 0 and 1"),
    "availability": (lambda v: 0 <= v <= 1, "a fraction between 0 and 1"),
    "height_m": (lambda v: v >= 0, "a height in metres, 0 or more"),
    "fov_deg": (lambda v: 0 < v <= 360, "an angle in degrees, more than 0 and at most 360"),
    "standoff_m": (lambda v: v >= 0, "a distance in metres, 0 or more"),
    "sweep_m": (lambda v: v > 0, "a positive half-width in metres"),
    "km_per_day": (lambda v: v > 0, "a positive route length in km per day"),
    "capex_eur": (lambda v: v >= 0, "an amount in EUR, 0 or more"),
    "opex_eur_per_year": (lambda v: v >= 0, "an amount in EUR per year, 0 or more"),
    "staff_fte": (lambda v: v >= 0, "a number of full-time staff, 0 or more"),
    "lifetime_years": (lambda v: v > 0, "a positive number of years"),
    "mast_capex_eur_per_m": (lambda v: v >= 0, "an amount in EUR per metre of mast, 0 or more"),
    "pd_night": (lambda v: 0 <= v <= 1, "a probability between 0 and 1"),
    **{
        name: (lambda v: v > 0, "a positive distance in metres")
        for name in sensor_model.MODEL_COLUMNS
        if name.endswith("_m")
    },
}

_REQUIRED: dict[str, tuple[str, ...]] = {
    "sensor": ("range_m", "pd", "capex_eur", "opex_eur_per_year", "staff_fte"),
    "patrol": ("sweep_m", "km_per_day", "capex_eur", "opex_eur_per_year", "staff_fte"),
}

_MISSING = object()


def load_catalogue(source: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate a catalogue of means.

    Parameters
    ----------
    source
        A ``.toml`` or ``.csv`` file. ``None`` reads the catalogue shipped
        with surveil (indicative figures for a Central Asian green border).

    Returns
    -------
    pandas.DataFrame
        One row per means, columns :data:`CATALOGUE_COLUMNS`, defaults
        filled in. ``attrs`` holds ``source``, ``currency``, ``indicative``
        and ``note``.

    Raises
    ------
    InputError
        The file is missing, of an unknown type or cannot be parsed.
    SchemaError
        Values are missing or out of range; every problem is listed.

    Examples
    --------
    >>> catalogue = load_catalogue()
    >>> catalogue.attrs["indicative"]
    True
    >>> catalogue.set_index("type").loc["thermal_tower", "kind"]
    'sensor'
    """
    if source is None:
        resource = resources.files("surveil").joinpath("datasets", "catalogue.toml")
        text = resource.read_text(encoding="utf-8")
        return _from_toml_text(text, "default catalogue (surveil/datasets/catalogue.toml)")
    path = Path(source)
    name = str(source)
    if not path.is_file():
        raise InputError(
            f"Cannot read the catalogue {name}",
            [Problem(name, _LAYER, None, None, None, "file not found")],
        )
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return _from_toml_text(_read_text(path, name), name)
    if suffix == ".csv":
        return _from_csv(path, name)
    raise InputError(
        f"Cannot read the catalogue {name}",
        [Problem(name, _LAYER, None, None, None, "expected a .toml or .csv file")],
    )


def validate_catalogue(
    means: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    source: str = "catalogue",
    currency: str = "EUR",
    indicative: bool = False,
    note: str = "",
) -> pd.DataFrame:
    """Check a table of means and fill in defaults.

    Parameters
    ----------
    means
        A table or records with the catalogue columns (see the module
        docstring). Missing values (``None``, NaN, empty text) take the
        default where there is one. Text read from CSV is parsed as numbers.
    source
        Name of the input, used in messages.
    currency
        Currency of the cost columns; only ``"EUR"`` is accepted.
    indicative
        Whether the figures are planning guesses rather than quotes.
    note
        Free text kept with the table (e.g. where the figures come from).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CATALOGUE_COLUMNS`; ``attrs`` holds ``source``,
        ``currency``, ``indicative`` and ``note``. The input is not modified.

    Raises
    ------
    SchemaError
        Every problem found, each naming the source, the 1-based row, the
        field, its value and what would be accepted.
    """
    problems: list[Problem] = []
    if isinstance(means, pd.DataFrame):
        # Columns are checked once for the whole table, not on every row.
        fields, problems = _normalise_keys(
            {column: column for column in means.columns}, source, None
        )
        table = means.loc[:, list(fields.values())]
        table.columns = list(fields)
        records: list[Mapping[str, Any]] = table.to_dict(orient="records")
    else:
        records = list(means)
    if currency != "EUR":
        problems.append(Problem(source, _LAYER, None, "currency", repr(currency), "expected 'EUR'"))
    if not records:
        problems.append(Problem(source, _LAYER, None, None, None, "no means; expected one or more"))
    rows: list[dict[str, Any]] = []
    for number, record in enumerate(records, start=1):
        row, found = _validate_record(record, source, number)
        rows.append(row)
        problems.extend(found)
    problems.extend(_duplicate_types(rows, source))
    if problems:
        raise SchemaError(f"The catalogue {source} has {len(problems)} problem(s)", problems)
    table = _to_frame(rows)
    table.attrs.update(
        {"source": source, "currency": currency, "indicative": bool(indicative), "note": note}
    )
    return table


def _read_text(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Cannot read the catalogue {name}",
            [Problem(name, _LAYER, None, None, None, f"unreadable as UTF-8 text ({exc})")],
        ) from exc


def _from_toml_text(text: str, name: str) -> pd.DataFrame:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"Cannot read the catalogue {name}",
            [Problem(name, _LAYER, None, None, None, f"not valid TOML ({exc})")],
        ) from exc
    problems: list[Problem] = []
    for key in document:
        if key not in _TOP_LEVEL_KEYS:
            problems.append(
                Problem(
                    name,
                    _LAYER,
                    None,
                    key,
                    None,
                    "unknown top-level key; expected one of " + ", ".join(_TOP_LEVEL_KEYS),
                )
            )
    currency = document.get("currency", "EUR")
    indicative = document.get("indicative", False)
    note = document.get("note", "")
    means = document.get("means", [])
    if not isinstance(indicative, bool):
        problems.append(
            Problem(name, _LAYER, None, "indicative", repr(indicative), "expected true or false")
        )
    if not isinstance(note, str):
        problems.append(Problem(name, _LAYER, None, "note", repr(note), "expected text"))
    if not isinstance(currency, str):
        problems.append(Problem(name, _LAYER, None, "currency", repr(currency), "expected 'EUR'"))
    if not isinstance(means, list) or not all(isinstance(m, dict) for m in means):
        problems.append(
            Problem(name, _LAYER, None, "means", None, "expected an array of tables [[means]]")
        )
    if problems:
        raise SchemaError(f"The catalogue {name} has {len(problems)} problem(s)", problems)
    note_ru = document.get("note_ru", "")
    if not isinstance(note_ru, str):
        raise SchemaError(
            f"The catalogue {name} has 1 problem(s)",
            [Problem(name, _LAYER, None, "note_ru", repr(note_ru), "expected text")],
        )
    table = validate_catalogue(
        means, source=name, currency=currency, indicative=indicative, note=note
    )
    if note_ru:
        table.attrs["note_ru"] = note_ru  # the note in Russian (the Russian workbook)
    return table


def _from_csv(path: Path, name: str) -> pd.DataFrame:
    """Read a CSV catalogue in the encodings and with the delimiters layers accept.

    A file separated by ``;`` or tabs (as Excel writes where the decimal
    separator is a comma) has its numbers read with a decimal comma.
    """
    text = read_text(path)
    sep = delimiter(text)
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            f"Cannot read the catalogue {name}",
            [Problem(name, _LAYER, None, None, None, f"not a readable CSV table ({exc})")],
        ) from exc
    if sep != ",":
        for column in table.columns:
            if str(column).strip().lower() in _NUMBER_RULES:
                table[column] = table[column].map(_decimal_comma)
    return validate_catalogue(table, source=name)


def _decimal_comma(text: str) -> str:
    """Return a number written with a decimal comma and spaced thousands in plain form."""
    return text.replace(" ", "").replace("\u00a0", "").replace(",", ".")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _show(value: Any) -> str:
    """Show a value in a message: text quoted, unless it reads as a number."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return repr(value)
        return value.strip()
    return str(value)


def _parse_number(value: Any) -> float | None:
    """Return ``value`` as a finite float, or ``None`` when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
    return number if math.isfinite(number) else None


def _normalise_keys(
    record: Mapping[str, Any], source: str, number: int | None
) -> tuple[dict[str, Any], list[Problem]]:
    """Lower-case and strip field names; flag unknown and repeated ones."""
    known = set(CATALOGUE_COLUMNS) | set(_FREE_TEXT_FIELDS)
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in record.items():
        field = str(key).strip().lower()
        if field not in known:
            problems.append(
                Problem(
                    source,
                    _LAYER,
                    number,
                    str(key),
                    None,
                    "unknown field; expected one of " + ", ".join(CATALOGUE_COLUMNS),
                )
            )
        elif field in values:
            problems.append(Problem(source, _LAYER, number, str(key), None, "given twice"))
        else:
            values[field] = value
    return values, problems


def _text_field(
    values: Mapping[str, Any], field: str, source: str, number: int
) -> tuple[str | None, list[Problem]]:
    value = values.get(field, _MISSING)
    if value is _MISSING or _is_missing(value):
        return None, []
    if not isinstance(value, str):
        return None, [Problem(source, _LAYER, number, field, _show(value), "expected text")]
    return value.strip(), []


def _number_field(
    values: Mapping[str, Any], field: str, source: str, number: int
) -> tuple[float | None, list[Problem]]:
    value = values.get(field, _MISSING)
    if value is _MISSING or _is_missing(value):
        return None, []
    accepts, expected = _NUMBER_RULES[field]
    parsed = _parse_number(value)
    if parsed is None:
        hint = "expected a number (dot as decimal separator): " + expected
        return None, [Problem(source, _LAYER, number, field, _show(value), hint)]
    if not accepts(parsed):
        return None, [Problem(source, _LAYER, number, field, _show(value), "expected " + expected)]
    limit = PLAUSIBLE.get(field)
    if limit is not None and parsed > limit.maximum:
        return None, [Problem(source, _LAYER, number, field, _show(value), limit.expected())]
    return parsed, []


def _defaults(kind: str | None, row: Mapping[str, Any]) -> dict[str, float]:
    """Defaults of the numeric fields for a row of ``kind`` (given values aside)."""
    defaults = {
        "height_m": 0.0,
        "fov_deg": sensor_model.DEFAULTS["fov_deg"],
        "lifetime_years": 10.0,
        "mast_capex_eur_per_m": 0.0,
    }
    if kind == "sensor":
        defaults["height_m"] = sensor_model.DEFAULTS["height_m"]
        defaults["availability"] = sensor_model.DEFAULTS["availability"]
        if row.get("range_m") is not None:
            defaults["standoff_m"] = min(500.0, row["range_m"] / 4.0)
    elif kind == "patrol":
        defaults["availability"] = 1.0
        defaults["pd"] = 1.0
    return defaults


def _validate_record(
    record: Mapping[str, Any], source: str, number: int
) -> tuple[dict[str, Any], list[Problem]]:
    """Validate one means; return its cleaned row and the problems found."""
    values, problems = _normalise_keys(record, source, number)
    row: dict[str, Any] = {}
    for field in _TEXT_FIELDS:
        row[field], found = _text_field(values, field, source, number)
        problems.extend(found)
    for field in _NUMBER_RULES:
        row[field], found = _number_field(values, field, source, number)
        problems.extend(found)
    for field in _FREE_TEXT_FIELDS:
        problems.extend(_text_field(values, field, source, number)[1])

    if row["type"] is None and "type" not in {p.field for p in problems}:
        problems.append(
            Problem(
                source,
                _LAYER,
                number,
                "type",
                None,
                "missing; expected a name such as 'thermal_tower'",
            )
        )
    kind = row["kind"].lower() if row["kind"] is not None else None
    if kind is None and "kind" not in {p.field for p in problems}:
        problems.append(
            Problem(source, _LAYER, number, "kind", None, "missing; expected 'sensor' or 'patrol'")
        )
    elif kind is not None and kind not in KINDS:
        problems.append(
            Problem(
                source, _LAYER, number, "kind", _show(row["kind"]), "expected 'sensor' or 'patrol'"
            )
        )
        kind = None
    row["kind"] = kind

    if kind is not None:
        bad = {p.field for p in problems}
        for field in _REQUIRED[kind]:
            if row[field] is None and field not in bad:
                _, expected = _NUMBER_RULES[field]
                problems.append(
                    Problem(
                        source,
                        _LAYER,
                        number,
                        field,
                        None,
                        f"missing; expected {expected} (required for {kind}s)",
                    )
                )
        for field, default in _defaults(kind, row).items():
            if row[field] is None and field not in bad:
                row[field] = default
    for field in ("label_en", "label_ru"):
        if row[field] is None:
            row[field] = row["type"]
    row["mast_heights_m"], found = _mast_heights(values, row, source, number)
    problems.extend(found)
    problems.extend(_sensor_model_problems(row, source, number))
    return row, problems


def _sensor_model_problems(row: Mapping[str, Any], source: str, number: int) -> list[Problem]:
    """Check a sensor's pd table and the order of its DRI ranges."""
    problems = []
    table = row.get("pd_by_range")
    if table:
        try:
            sensor_model.parse_pd_by_range(table)
        except ValueError as err:
            problems.append(
                Problem(
                    source,
                    _LAYER,
                    number,
                    "pd_by_range",
                    repr(table),
                    f'{err}; expected range:pd pairs such as "0:0.9;2000:0.6;4000:0.2"',
                )
            )
    months = row.get("availability_by_month")
    if months:
        try:
            sensor_model.parse_availability_by_month(months)
        except ValueError as err:
            problems.append(
                Problem(
                    source,
                    _LAYER,
                    number,
                    "availability_by_month",
                    repr(months),
                    f"{err}; {sensor_model.MONTH_TABLE_EXAMPLE}",
                )
            )
    for suffix in ("_m", "_vehicle_m"):
        given = [(k, row.get(k + suffix)) for k in ("identify", "recognise", "detect")]
        ranges = [(k, v) for k, v in given if v is not None and math.isfinite(v)]
        for (k0, v0), (k1, v1) in itertools.pairwise(ranges):
            if v0 > v1:
                problems.append(
                    Problem(
                        source,
                        _LAYER,
                        number,
                        k0 + suffix,
                        _show(v0),
                        f"expected at most {k1}{suffix} ({v1:g}): a harder task is done nearer",
                    )
                )
    return problems


def _mast_heights(
    values: Mapping[str, Any], row: Mapping[str, Any], source: str, number: int
) -> tuple[str, list[Problem]]:
    """Return a means' mast options as canonical ``"12;20;30"`` text (default its height)."""
    raw = values.get("mast_heights_m")
    base = row.get("height_m")
    if _is_missing(raw):
        return ("" if base is None else f"{float(base):g}"), []
    items = raw if isinstance(raw, list | tuple) else str(raw).replace(",", ";").split(";")
    heights = []
    for item in items:
        value = _parse_number(item) if not isinstance(item, int | float) else float(item)
        if value is None or not math.isfinite(value) or value < 0 or value > 200:
            expected = 'expected mast heights in metres from 0 to 200, such as "12;20;30"'
            return "", [Problem(source, _LAYER, number, "mast_heights_m", _show(raw), expected)]
        heights.append(value)
    return ";".join(f"{h:g}" for h in sorted(set(heights))), []


def mast_options(means: Mapping[str, Any]) -> list[float]:
    """Return the mast heights a catalogue means can stand on, in metres.

    Examples
    --------
    >>> mast_options({"height_m": 12.0, "mast_heights_m": "12;30"})
    [12.0, 30.0]
    >>> mast_options({"height_m": 15.0, "mast_heights_m": ""})
    [15.0]
    """
    text = str(means.get("mast_heights_m") or "").strip()
    if not text:
        return [float(means.get("height_m") or 0.0)]
    return [float(v) for v in text.split(";") if v.strip()]


def sensor_capex_eur(means: Mapping[str, Any], mast_m: float) -> float:
    """Return the CAPEX of a sensor means on a mast: mast metres above its own height extra.

    Each metre above the means' ``height_m`` costs ``mast_capex_eur_per_m``.

    Examples
    --------
    >>> sensor_capex_eur({"capex_eur": 250000.0, "height_m": 20.0,
    ...                   "mast_capex_eur_per_m": 1500.0}, 30.0)
    265000.0
    >>> sensor_capex_eur({"capex_eur": 2500.0, "height_m": 0.0}, 0.0)
    2500.0
    """
    extra = max(0.0, float(mast_m) - float(means.get("height_m") or 0.0))
    per_m = means.get("mast_capex_eur_per_m")
    per_m = 0.0 if per_m is None or per_m != per_m else float(per_m)
    return float(means["capex_eur"]) + extra * per_m


def _duplicate_types(rows: list[dict[str, Any]], source: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for number, row in enumerate(rows, start=1):
        name = row["type"]
        if name is None:
            continue
        if name in seen:
            problems.append(
                Problem(
                    source,
                    _LAYER,
                    number,
                    "type",
                    _show(name),
                    f"already used in row {seen[name]}; expected a unique name",
                )
            )
        else:
            seen[name] = number
    return problems


def _to_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    table = pd.DataFrame.from_records(rows, columns=list(CATALOGUE_COLUMNS))
    for field in _NUMBER_RULES:
        table[field] = pd.to_numeric(table[field]).astype("float64")
    for field in _TEXT_FIELDS:
        table[field] = table[field].fillna("").astype("str")
    return table


#: Sensor columns a catalogue type fills when a new sensor leaves them out.
SENSOR_SPEC_COLUMNS = ("range_m", "pd", "availability", "height_m", "fov_deg")


def with_catalogue_specs(sensors: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Return new sensors with the specs of their catalogue ``type`` filled in.

    A row's own values win; empty or missing ``range_m``, ``pd``,
    ``availability``, ``height_m`` and ``fov_deg`` come from the catalogue
    entry of its ``type`` (a sensor means). A row without the specs whose
    type is not a sensor of the catalogue is refused.

    Raises
    ------
    surveil.errors.SchemaError
        Naming the rows whose type the catalogue does not know.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> new = with_catalogue_specs(pd.DataFrame({"type": ["thermal_tower"]}), cat)
    >>> new[["range_m", "pd", "height_m"]].iloc[0].tolist()
    [5000.0, 0.8, 20.0]
    """
    out = sensors.copy()
    specs = catalogue[catalogue["kind"] == "sensor"].set_index("type")
    types = (
        out["type"].astype(str) if "type" in out else pd.Series([""] * len(out), index=out.index)
    )
    problems = []
    for column in SENSOR_SPEC_COLUMNS:
        given = (
            pd.to_numeric(out[column], errors="coerce")
            if column in out
            else pd.Series(np.nan, index=out.index)
        )
        known = types.map(specs[column]) if column in specs else pd.Series(np.nan, index=out.index)
        out[column] = given.where(given.notna(), known)
    missing = out[["range_m", "pd"]].isna().any(axis=1).to_numpy()
    for row in np.flatnonzero(missing):
        problems.append(
            Problem(
                "sensors",
                "sensors",
                int(row) + 1,
                "type",
                repr(types.iloc[row]),
                "expected range_m and pd, or a sensor type of the catalogue: "
                + ", ".join(specs.index.astype(str)),
            )
        )
    if problems:
        raise SchemaError("new sensors lack their specs", problems)
    return out
