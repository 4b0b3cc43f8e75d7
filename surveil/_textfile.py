"""Decode the text files users give (CSV layers, catalogues) by a strict rule.

The encoding is decided per file, never guessed per value:

1. a byte order mark decides: UTF-8 (``EF BB BF``) or UTF-16 (``FF FE``,
   ``FE FF``; Excel's "Unicode text");
2. else NUL bytes at every other place mean UTF-16 without a mark (little-
   or big-endian by where they fall); other NUL bytes mean no text file;
   else the file is UTF-8 when its bytes are valid UTF-8;
3. else, when most non-ASCII characters it holds are valid UTF-8, it is a UTF-8
   file with stray bytes: refused, naming the first one, for decoding it as
   anything else would garble every other character;
4. else cp1251 (Russian-language Windows and Excel), but only when the text it
   gives looks Cyrillic: every word with a non-ASCII letter is written in
   Cyrillic letters only. Latin-1 ``Müller`` would read ``Mьller``: refused.

A statistical detector (charset-normalizer, chardet) was not taken: on the
few hundred bytes of a typical layer its guess varies between cp1251,
mac-cyrillic and KOI8-R, and a wrong guess is silent.
"""

from __future__ import annotations

import re
from pathlib import Path

from surveil.errors import InputError

__all__ = ["decode", "delimiter", "looks_cyrillic", "read_text"]

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))

_WORD = re.compile(r"[^\W\d_]+")


def read_text(path: Path) -> str:
    """Return the text of a file, decoded by the rule of this module.

    Raises
    ------
    surveil.errors.InputError
        The file cannot be read, or its encoding is not one the rule accepts.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return decode(data, source=str(path))


def decode(data: bytes, *, source: str) -> str:
    """Return ``data`` decoded by the rule of this module.

    Parameters
    ----------
    data
        The bytes of a whole file.
    source
        Name of the file, used in messages.

    Examples
    --------
    >>> decode("Вышка".encode("cp1251"), source="s.csv")
    'Вышка'
    >>> decode(b"\\xff\\xfe" + "Вышка".encode("utf-16-le"), source="s.txt")
    'Вышка'
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], encoding, source, offset=len(bom))
    if b"\x00" in data:
        return _strict(data, _utf16_order(data, source), source, offset=0)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return _strict(data, "utf-8", source, offset=0)
    text = data.decode("cp1251", errors="replace")
    if looks_cyrillic(text):
        return text
    raise InputError(
        f"{source}: the file is not UTF-8, and read as Windows Cyrillic (cp1251) it does not "
        "give Cyrillic words; save it as UTF-8 (in Excel: CSV UTF-8)"
    )


def looks_cyrillic(text: str) -> bool:
    """Return whether every word of ``text`` with a non-ASCII letter is all Cyrillic.

    Examples
    --------
    >>> looks_cyrillic("Вышка-01, Застава"), looks_cyrillic("Mьller")
    (True, False)
    """
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    return bool(words) and all(all("\u0400" <= c <= "\u04ff" for c in w) for w in words)


def delimiter(text: str) -> str:
    """Return the delimiter of a CSV text: the most frequent of ``,;\\t`` in its first line.

    Examples
    --------
    >>> delimiter("type;kind;range_m\\n"), delimiter("a,b\\n")
    (';', ',')
    """
    header = (text.split("\n", 1)[0].splitlines() or [""])[0]
    return max((",", ";", "\t"), key=header.count)


def _utf16_order(data: bytes, source: str) -> str:
    """Return the UTF-16 codec of text with NUL bytes and no byte order mark.

    Latin and Cyrillic characters in UTF-16 have a high byte of ``00`` or
    ``04``: in text of those scripts most pairs show it at the same place.
    """
    head = data[: 1 << 14]
    pairs = max(len(head) // 2, 1)
    little = sum(1 for b in head[1::2] if b in (0x00, 0x04)) / pairs
    big = sum(1 for b in head[0::2] if b in (0x00, 0x04)) / pairs
    if little >= 0.8 and little > big:
        return "utf-16-le"
    if big >= 0.8 and big > little:
        return "utf-16-be"
    raise InputError(
        f"{source}: the file holds NUL bytes and is not UTF-16 text; "
        "expected a text file (CSV) saved as UTF-8"
    )


def _mostly_utf8(data: bytes) -> bool:
    """Return whether the valid multi-byte UTF-8 characters outnumber the invalid bytes."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if c > "\x7f" and c != "\ufffd")
    return good > bad


def _strict(data: bytes, encoding: str, source: str, *, offset: int) -> str:
    """Decode strictly, naming the first byte that does not fit."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        at = exc.start
        line = data[:at].count(b"\n" if encoding == "utf-8" else "\n".encode(encoding)) + 1
        count = data.decode(encoding, errors="replace").count("\ufffd")
        name = {"utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}[encoding]
        raise InputError(
            f"{source}: byte {offset + at + 1} (line {line}, 0x{data[at]:02X}) is not valid "
            f"{name}, while the rest of the file is {name} ({count} such place(s) in all); "
            "correct or remove it and save the file again; nothing was read"
        ) from exc
