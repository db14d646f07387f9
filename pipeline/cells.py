"""Excel cells as the input contract reads them: clean text, typed values, cell addresses.

Every stage that turns a cell into text, or text into lines, uses these helpers, so that a line
break or a control character is treated the same in the reader, the rules and the documents.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

# Characters XML 1.0 does not allow (Word refuses a document holding them), and DEL and the C1
# controls, which it discourages: invisible, never meant, and dropped by some renderers.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
# Line breaks as Excel and pasted text write them; \x0b is Word's manual line break, \x85 the
# C1 "next line".
_LINE_BREAKS = re.compile(r"\r\n|\r|\x0b|\x85|\u2028|\u2029")
# Every character either of the two above touches; most texts hold none.
_UNUSUAL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\u2028\u2029]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")


def normalise_name(value: Any) -> str:
    """A column, sheet, field or heading name as compared: no whitespace, widths folded."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = _ZERO_WIDTH.sub("", text)
    return _WHITESPACE.sub("", text)


def clean_text(text: str) -> tuple[str, bool]:
    """Trimmed text with line breaks as `\\n`; the flag says XML-illegal characters were removed.

    Excel's `_xHHHH_` escapes are already decoded by the reader.
    """
    text = _LINE_BREAKS.sub("\n", text)
    cleaned = _ILLEGAL_XML.sub("", text)
    return cleaned.strip(), cleaned != text


def document_text(value: Any) -> str:
    """Text as a document holds it: every kind of line break as `\\n`, no XML-illegal
    characters. Most texts hold neither, and are returned as they are."""
    text = "" if value is None else str(value)
    if not _UNUSUAL.search(text):
        return text
    return _ILLEGAL_XML.sub("", _LINE_BREAKS.sub("\n", text))


def split_lines(text: str) -> list[str]:
    """The non-blank lines of `text`, trimmed: one paragraph each."""
    lines = (line.strip() for line in document_text(text).split("\n"))
    return [line for line in lines if line]


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def as_text(value: Any) -> str:
    """The text a value shows in a document: numbers as Excel's General format shows them;
    a cell's own number format, where it has one, is applied by the reader instead."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return general_number(value)
    if isinstance(value, int):
        return general_number(float(value)) if abs(value) >= 1e11 else str(value)
    if isinstance(value, dt.datetime):
        text = f"{value.year}年{value.month}月{value.day}日"
        if value.time() != dt.time(0, 0):
            text += f" {value.hour}:{value.minute:02d}"
        return text
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, dt.time):
        return f"{value.hour}:{value.minute:02d}"
    return str(value)


def general_number(value: float) -> str:
    """A number as Excel's General format shows it: at most 11 characters besides the sign,
    whole numbers without `.0`, and scientific notation (`1.23457E+11`) past that.

    `0.1 + 0.2` → 0.3, `2025.1` → 2025.1, `3.0` → 3, `1/3` → 0.333333333.
    """
    if value == 0 or value != value or value in (float("inf"), float("-inf")):
        return "0" if value == 0 else str(value)
    if value.is_integer() and abs(value) < 1e11:
        return str(int(value))
    width = 12 if value < 0 else 11
    magnitude = math.floor(math.log10(abs(value)))
    if -4 <= magnitude <= -1:
        text = _trim_zeros(f"{value:.9f}")  # 0. and nine decimals: eleven characters
    elif -9 <= magnitude <= 10:
        text = _trim_zeros(f"{value:.12f}")
        if len(text) > width:
            decimals = max(0, 9 - magnitude)  # ten significant digits
            text = _trim_zeros(f"{value:.{decimals}f}")
        if len(text) > width:
            text = _scientific(value)
    else:
        text = _scientific(value)
    return text


def _trim_zeros(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scientific(value: float) -> str:
    mantissa, exponent = f"{value:.5E}".split("E")
    return f"{_trim_zeros(mantissa)}E{exponent[0]}{int(exponent[1:]):02d}"


def parse_int(value: Any) -> int | None:
    """`3`, `3.0`, `"3"`, `"３"` → 3; anything else → None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = normalise_name(value)
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        if re.fullmatch(r"[+-]?\d+\.0*", text):
            return int(text.split(".")[0])
    return None


def parse_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = normalise_name(value)
        if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            return float(text)
    return None


_DATE_TEXT = re.compile(
    r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?)?"
)
# Excel's serial day numbers for dates between 1954 and 2119: a date cell shown as a number.
_SERIAL_RANGE = (20000, 80000)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def parse_datetime(value: Any) -> tuple[dt.datetime, bool] | None:
    """A date or date-time; the flag says whether a time of day was given."""
    if isinstance(value, dt.datetime):
        return value, value.time() != dt.time(0, 0)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), False
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            moment = _EXCEL_EPOCH + dt.timedelta(days=float(value))
            moment = moment.replace(microsecond=0)
            return moment, moment.time() != dt.time(0, 0)
        return None
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    match = _DATE_TEXT.fullmatch(text)
    if not match:
        return None
    year, month, day, hour, minute, second = match.groups()
    try:
        moment = dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:  # 2023-02-30, 25:00
        return None
    return moment, hour is not None


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    """A → 1, AA → 27: the inverse of `column_letter`."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def cell_order(cell: str | None) -> tuple[int, int]:
    """(row, column) of `B12`, for sorting cells row by row; `行12` (a whole row) comes after
    the row's cells."""
    if not cell:
        return (0, 0)
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits) if digits else 0, column_number(letters))


_HEADING_NUMBER = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十百零〇]+\s*[）)]|[一二三四五六七八九十百零〇]+\s*[、.．]"
    r"|\d+\s*[、.．]|[（(]\s*\d+\s*[）)])\s*"
)


def strip_heading_number(text: str) -> tuple[str, bool]:
    """`一、提炼建言` → `提炼建言`; `（二）召开…` → `召开…`. The flag says a number was removed."""
    stripped = _HEADING_NUMBER.sub("", text, count=1)
    return stripped, stripped != text
