"""Make text cells safe for spreadsheets: input text never becomes a live formula.

OWASP's CSV-injection rule: a text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return (or the full-width ``＝ ＋ － ＠`` that some
spreadsheet programs read as the same) is prefixed with a single quote, so
Excel, LibreOffice and Google Sheets show it as text. Numbers are left alone:
a negative number stays a number.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Characters that make a spreadsheet read a cell as a formula.
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    """Return ``value`` with a leading quote when it is text that reads as a formula.

    Examples
    --------
    >>> neutralise("=1+2")
    "'=1+2"
    >>> neutralise(-5.0)
    -5.0
    """
    if isinstance(value, str) and value.startswith(FORMULA_LEAD):
        return "'" + value
    return value


def neutralise_table(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``table`` whose text cells are neutralised (numbers untouched)."""
    out = table.copy()
    for column in out.columns:
        if not (
            pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column])
        ):
            continue
        out[column] = out[column].map(neutralise)
    return out
