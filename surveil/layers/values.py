"""Match a layer's columns to its fields and parse and check their values."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from surveil._validate import Collector
from surveil.layers.schema import _EXTRA, _SCHEMAS, _Field, _fields, _Raw, _unit

_BLANKS = frozenset({"", "nan", "null", "none", "na", "n/a", "<na>", "nat"})


def _find(available: Sequence[str], given: str | None, candidates: Sequence[str]) -> str | None:
    """Return the column named ``given`` or one of ``candidates``, in any case."""
    lowered = {str(c).lower(): str(c) for c in available}
    if given is not None:
        return given if given in available else lowered.get(given.lower())
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    return None


def _match_columns(
    raw: _Raw,
    kind: str,
    family: str,
    columns: Mapping[str, str] | None,
    check: Collector,
) -> dict[str, str | None]:
    """Map each canonical column to the file's column, filing missing required ones."""
    fields = _fields(kind, family)
    everything = [f.name for f in _SCHEMAS[kind]] + [f.name for f in fields]
    known = list(dict.fromkeys(everything + list(_EXTRA.get(kind, ()))))
    frame = raw.frame
    available = [str(c) for c in frame.columns]
    mapping = dict(columns or {})
    listed = raw.shown_columns if raw.shown_columns is not None else available
    has = ", ".join(listed) if listed else "(none)"
    for canonical in mapping:
        if canonical not in known:
            check.schema(
                None,
                None,
                None,
                f"the column mapping names {canonical!r}, which is not a {kind} column; "
                f"expected one of {', '.join(known)}",
            )
    found: dict[str, str | None] = {}
    for canonical in known:
        if canonical in mapping:
            found[canonical] = _find(available, mapping[canonical], ())
            if found[canonical] is None and len(frame):
                check.schema(
                    None,
                    mapping[canonical],
                    None,
                    f"column given for {canonical} is not in the file; the file has columns: {has}",
                )
                found[canonical] = None
            continue
        # A shapefile cuts names to 10 characters; the cut name stands for the
        # first known column that has it (availability, not availability_by_month).
        cut = canonical[:10]
        first_cut = next(k for k in known if k[:10] == cut)
        found[canonical] = _find(
            available, None, (canonical, cut) if first_cut == canonical else (canonical,)
        )
    if len(frame):
        for spec in fields:
            if spec.required and found[spec.name] is None and spec.name not in mapping:
                check.schema(
                    None,
                    None,
                    None,
                    f"required column {spec.name} is missing; the file has columns: {has}",
                )
    return found


def _num(value: float) -> str:
    return f"{value:.10g}"


def _parse_values(
    raw: _Raw,
    kind: str,
    family: str,
    found: Mapping[str, str | None],
    rows: NDArray[np.int64],
    check: Collector,
) -> dict[str, object]:
    """Parse and check every canonical field; return arrays of clean values."""
    values: dict[str, object] = {}
    for spec in _fields(kind, family):
        column = found.get(spec.name)
        series = raw.frame[column] if column is not None else None
        shown = column if column is not None else spec.name
        values[spec.name] = _parse_field(spec, series, shown, rows, raw.decimal_comma, check)
    if kind == "patrols" and family == "point" and found.get("id") is None:
        values["id"] = np.array(["P1"] * len(rows), dtype=object)
    if kind == "sensors":
        _check_unique_ids(values["id"], found.get("id") or "id", rows, check)  # type: ignore[arg-type]
        _check_pointing(values, found, rows, check)
    return values


def _check_unique_ids(
    ids: NDArray[np.str_], shown: str, rows: NDArray[np.int64], check: Collector
) -> None:
    """File every row whose id an earlier row already has."""
    codes, _ = pd.factorize(ids)
    first: dict[int, int] = {}
    for i, code in enumerate(codes):
        if code in first:
            check.schema(
                int(rows[i]),
                shown,
                str(ids[i]),
                f"already the id of row {int(rows[first[code]])}; expected a unique id per sensor",
            )
        else:
            first[code] = i


def _check_pointing(
    values: Mapping[str, object],
    found: Mapping[str, str | None],
    rows: NDArray[np.int64],
    check: Collector,
) -> None:
    """File sensors with a field of view below 360 degrees but no bearing to point it."""
    fov = np.asarray(values["fov_deg"], dtype=float)
    azimuth = np.asarray(values["azimuth_deg"], dtype=float)
    shown = found.get("azimuth_deg") or "azimuth_deg"
    for i in np.flatnonzero((fov < 360) & np.isnan(azimuth)):
        check.schema(
            int(rows[i]),
            shown,
            "",
            f"fov_deg is {_num(fov[i])}, a sector, which needs the bearing the sensor faces; "
            "expected a bearing from 0 to 360 degrees, or fov_deg 360 for a sensor that sees "
            "all round",
        )


def _parse_field(
    spec: _Field,
    series: pd.Series | None,
    shown: str,
    rows: NDArray[np.int64],
    decimal_comma: bool,
    check: Collector,
) -> NDArray[np.generic]:
    """Return the clean values of one field, filing every bad one."""
    n = len(rows)
    if spec.kind == "id":
        if n == 0:
            return np.array([])
        ids = _text_array(series, n)
        unnamed = ids == ""
        ids[unnamed] = [f"{spec.default}{r}" for r in rows[unnamed]]
        return ids.astype(str)  # fixed-width text, as np.array of a list of texts gives
    if spec.kind == "text":
        texts = _text_array(series, n)
        if spec.check_text is not None:
            for i in np.flatnonzero(texts != ""):
                why = spec.check_text(str(texts[i]))
                if why is not None:
                    check.schema(int(rows[i]), shown, str(texts[i]), why)
        texts[texts == ""] = spec.default if spec.default is not None else ""
        return texts
    if spec.kind == "enum":
        return _parse_enum(spec, series, shown, rows, check)
    if spec.kind == "date":
        return _parse_dates(spec, series, shown, rows, check)
    if series is None:
        if spec.required and n:
            return np.full(n, np.nan)  # missing column already filed
        return np.full(n, spec.default, dtype=float)
    number = _numbers(series, shown, rows, spec.number, decimal_comma, check)
    missing = np.isnan(number)
    if spec.required:
        for row in rows[_blank_where(series, missing)]:
            check.schema(int(row), shown, "", spec.expected)
    elif spec.default is not None:
        number = np.where(_blank_where(series, missing), float(spec.default), number)  # type: ignore[arg-type]
    if spec.valid is not None:
        with np.errstate(invalid="ignore"):
            ok = spec.valid(number) | np.isnan(number)
        for i in np.flatnonzero(~ok):
            check.schema(int(rows[i]), shown, float(number[i]), _hint(spec, float(number[i])))
    limit = spec.plausible
    if limit is not None:
        for i in np.flatnonzero(number > limit.maximum):
            check.schema(int(rows[i]), shown, float(number[i]), limit.expected())
    if spec.name == "azimuth_deg":
        number = np.where(number == 360, 0.0, number)
    if spec.kind == "int":
        return np.where(np.isnan(number), 1, number).astype(np.int64)
    return number


def _hint(spec: _Field, value: float) -> str:
    """Return the expectation text, with a hint when a probability looks like a percentage."""
    if spec.valid is _unit and 1 < value <= 100:
        return f"{spec.expected} ({_num(value)} looks like a percentage: write {value / 100:g})"
    return spec.expected


def _blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in _BLANKS


def _blank_mask(series: pd.Series) -> NDArray[np.bool_]:
    if series.dtype.kind == "f":
        return np.isnan(series.to_numpy(dtype=float))
    if series.dtype.kind in "iub":
        return np.zeros(len(series), dtype=bool)
    distinct = _distinct_texts(series)
    if distinct is not None:
        codes, _, blank = distinct
        return blank[codes]
    return np.fromiter((_blank(v) for v in series.to_numpy(dtype=object)), bool, len(series))


def _blank_where(series: pd.Series, where: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Return :func:`_blank_mask`, evaluated only where ``where`` is true (false elsewhere)."""
    out = np.zeros(len(series), dtype=bool)
    if where.any():
        out[where] = _blank_mask(series[where])
    return out


def _distinct_texts(
    series: pd.Series,
) -> tuple[NDArray[np.intp], NDArray[np.object_], NDArray[np.bool_]] | None:
    """For a column of text only: codes into its distinct texts, stripped, and which are blank.

    Returns ``None`` when some value is not text (or there are none).
    """
    values = series.to_numpy(dtype=object)
    if not len(values) or pd.api.types.infer_dtype(values, skipna=False) != "string":
        return None
    codes, distinct = pd.factorize(values)
    stripped = _objects(list(map(str.strip, distinct)))
    # Blanks are short words; lower() never shortens a text, so only short ones can be.
    short = np.flatnonzero(np.fromiter(map(len, stripped), np.int64, len(stripped)) <= 8)
    blank = np.zeros(len(stripped), dtype=bool)
    blank[short] = [stripped[i].lower() in _BLANKS for i in short]
    return codes, stripped, blank


def _objects(items: Sequence[object]) -> NDArray[np.object_]:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _texts(series: pd.Series | None, n: int) -> list[str]:
    """Return stripped text values; blanks become ``""`` and whole floats lose ``.0``."""
    return list(_text_array(series, n))


def _text_array(series: pd.Series | None, n: int) -> NDArray[np.object_]:
    """Return :func:`_texts` as a (writable) array of objects."""
    if series is None:
        return _objects([""] * n)
    distinct = _distinct_texts(series)
    if distinct is not None:
        codes, stripped, blank = distinct
        stripped[blank] = ""
        return stripped[codes]
    return _objects([_text(v) for v in series.to_numpy(dtype=object)])


def _text(value: object) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _numbers(
    series: pd.Series,
    shown: str,
    rows: NDArray[np.int64],
    number: str,
    decimal_comma: bool,
    check: Collector,
) -> NDArray[np.float64]:
    """Return a column as floats (NaN where blank), filing text that is not a number."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=float, na_value=np.nan)
    values = series.to_numpy(dtype=object)
    n = len(values)
    if not n or pd.api.types.infer_dtype(values, skipna=False) != "string":
        return _numbers_one_by_one(values, shown, rows, number, decimal_comma, check)
    if n > 1000 and len(set(values[:1000])) <= 100:  # few distinct values: read each once
        codes, distinct = pd.factorize(values)
        parsed, bad = _read_numbers(np.asarray(distinct, dtype=object), decimal_comma)
        parsed, bad = parsed[codes], bad[codes]
    else:
        parsed, bad = _read_numbers(values, decimal_comma)
    for i in np.flatnonzero(bad):
        check.schema(int(rows[i]), shown, str(values[i]), f"expected {number}")
    return parsed


def _read_numbers(
    values: NDArray[np.object_], decimal_comma: bool
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Return texts as numbers (NaN where blank or bad) and which are bad."""
    n = len(values)
    # Plain numbers are read by numpy, which calls float() on each text: where that
    # gives a finite number, the careful reading of _number gives the same.
    parsed = np.full(n, np.nan)
    unsure = np.zeros(n, dtype=bool)
    try:
        parsed[:] = values.astype(np.float64)
    except (ValueError, TypeError):
        step = 4096
        for start in range(0, n, step):
            try:
                parsed[start : start + step] = values[start : start + step].astype(np.float64)
            except (ValueError, TypeError):
                unsure[start : start + step] = True
    unsure |= ~np.isfinite(parsed)
    bad = np.zeros(n, dtype=bool)
    known: dict[object, float | None] = {}
    for i in np.flatnonzero(unsure):
        value = values[i]
        if value not in known:
            known[value] = _number(value, decimal_comma)
        result = known[value]
        if result is None:
            parsed[i] = np.nan
        elif not math.isfinite(result):
            bad[i] = True
            parsed[i] = np.nan
        else:
            parsed[i] = result
    return parsed, bad


def _number(value: object, decimal_comma: bool) -> float | None:
    """Return the number a value holds (NaN when it is not one), or ``None`` when blank."""
    if _blank(value):
        return None
    text = str(value).strip().replace("\u2212", "-")
    if decimal_comma:
        text = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return math.nan


def _numbers_one_by_one(
    values: NDArray[np.object_],
    shown: str,
    rows: NDArray[np.int64],
    number: str,
    decimal_comma: bool,
    check: Collector,
) -> NDArray[np.float64]:
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        parsed = _number(value, decimal_comma)
        if parsed is None:
            continue
        if not math.isfinite(parsed):
            check.schema(int(rows[i]), shown, str(value), f"expected {number}")
            continue
        out[i] = parsed
    return out


def _parse_enum(
    spec: _Field,
    series: pd.Series | None,
    shown: str,
    rows: NDArray[np.int64],
    check: Collector,
) -> NDArray[np.object_]:
    """Return lower-case choices, filing values that are none of them."""
    texts = _text_array(series, len(rows))
    codes, distinct = pd.factorize(texts)
    chosen = np.empty(len(distinct) + 1, dtype=object)
    chosen[-1] = spec.default  # code -1: none (there are none: texts are never missing)
    wrong = np.zeros(len(distinct) + 1, dtype=bool)
    for j, text in enumerate(distinct):
        token = re.sub(r"[\s_]+", "-", str(text).lower())
        if not token:
            chosen[j] = spec.default
        elif token in spec.choices:
            chosen[j] = token
        else:
            chosen[j] = spec.default
            wrong[j] = True
    for i in np.flatnonzero(wrong[codes]):
        check.schema(int(rows[i]), shown, texts[i], spec.expected)
    return np.asarray(chosen[codes], dtype=object)


def _parse_dates(
    spec: _Field,
    series: pd.Series | None,
    shown: str,
    rows: NDArray[np.int64],
    check: Collector,
) -> NDArray[np.datetime64]:
    """Return naive UTC datetimes, filing text that is not a date."""
    n = len(rows)
    if series is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(series):
        parsed = pd.to_datetime(series, utc=True)
        values = parsed.dt.tz_convert(None).astype("datetime64[ns]").to_numpy()
    else:
        distinct = _distinct_texts(series)
        if distinct is not None:
            codes, stripped, blank = distinct
            stripped[blank] = None
            text = stripped[codes]
        else:
            text = _objects(
                [None if _blank(v) else str(v).strip() for v in series.to_numpy(dtype=object)]
            )
        # Each distinct text is parsed once; code -1 (the last entry below) is blank.
        codes, distinct = pd.factorize(text)
        parsed, why = _read_dates(pd.Series(distinct, dtype=object))
        failed = np.append(parsed.isna().to_numpy(dtype=bool), False)
        for i in np.flatnonzero(failed[codes]):
            check.schema(int(rows[i]), shown, str(text[i]), why.get(int(codes[i]), _ISO_DATE))
        naive = parsed.dt.tz_convert(None).astype("datetime64[ns]").to_numpy()
        values = np.append(naive, np.datetime64("NaT", "ns"))[codes]
    _check_not_future(values, shown, rows, check)
    if spec.required:
        for i in np.flatnonzero(_blank_where(series, pd.isna(values))):
            check.schema(int(rows[i]), shown, "", "expected a date and time for every track point")
    return values


_ISO_DATE = "expected an ISO date or date and time such as 2024-05-01 or 2024-05-01T06:30"


_DAY_MONTH_YEAR = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})"
    r"(?:[ T](?P<time>\d{1,2}:\d{2}(?::\d{2})?))?"
)
"""Dates written with the day or the month first: ``01.05.2024``, ``13/05/2024 06:30``."""


def _read_dates(texts: pd.Series) -> tuple[pd.Series, dict[int, str]]:
    """Return texts as UTC dates (NaT where not one) and, by position, why some are not.

    ISO 8601 is read as such and never reinterpreted: ``2023-13-05`` is no date.
    Dotted dates (``01.05.2024``) are day first, as everywhere dots are used.
    Slash dates are day first or month first as the column shows (a first
    number above 12 means day first, a second above 12 month first); a column
    that shows neither or both is refused, for a guess would shift dates silently.
    """
    parsed = pd.to_datetime(texts, format="ISO8601", errors="coerce", utc=True)
    why: dict[int, str] = {}
    matches = {
        i: m
        for i in np.flatnonzero(parsed.isna().to_numpy())
        if isinstance(texts.iloc[i], str) and (m := _DAY_MONTH_YEAR.fullmatch(texts.iloc[i]))
    }
    slashed = [m for m in matches.values() if m["sep"] == "/"]
    day_first = any(int(m["a"]) > 12 for m in slashed)
    month_first = any(int(m["b"]) > 12 for m in slashed)
    for i, m in matches.items():
        if m["sep"] == "/" and day_first == month_first:
            why[int(i)] = (
                "the column has both day/month and month/day dates; " + _ISO_DATE
                if day_first
                else "it is day/month or month/day, and no date of the column says which; "
                + _ISO_DATE
            )
            continue
        day, month = (m["b"], m["a"]) if m["sep"] == "/" and month_first else (m["a"], m["b"])
        iso = f"{m['year']}-{int(month):02d}-{int(day):02d}"
        if m["time"]:
            iso += f"T{m['time']}"
        value = pd.to_datetime(iso, format="ISO8601", errors="coerce", utc=True)
        if pd.isna(value):
            why[int(i)] = f"read as day {int(day)}, month {int(month)}, it is no date; {_ISO_DATE}"
        else:
            parsed.iloc[i] = value
    return parsed, why


def _check_not_future(
    values: NDArray[np.datetime64], shown: str, rows: NDArray[np.int64], check: Collector
) -> None:
    """File dates after today (UTC, with a day's grace for time zones)."""
    today = pd.Timestamp.now(tz="UTC").tz_convert(None).normalize()
    with np.errstate(invalid="ignore"):
        late = values >= np.datetime64(today + pd.Timedelta(days=2), "ns")
    for i in np.flatnonzero(late):
        check.schema(
            int(rows[i]),
            shown,
            str(pd.Timestamp(values[i]).date()),
            f"the date is after today ({today.date()}); expected the date of an observed event",
        )
