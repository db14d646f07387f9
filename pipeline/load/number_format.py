"""The text Excel shows for a number or date cell, from the cell's number format.

Excel stores 2025年6月 as the day number 45809 with the format `yyyy"年"m"月"`, and 85% as 0.85
with `0%`; a document must show what the department saw. This covers the formats offices use:
built-in ids (with the Chinese-locale ones, 27–36 and 50–58), dates and times (年月日 forms,
`上午/下午`, `aaaa` weekdays, `[DBNum1]` Chinese-numeral dates, elapsed `[h]:mm`), fixed decimals,
thousands separators, percentages, scientific notation, literals, colours and up to four
sections. What it cannot reproduce with certainty (fractions, conditions, fills, month and day
names outside an English locale, the system's long date) gives its best text with `exact`
False, so that the reader can say which cell to check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from ..cells import as_text, general_number
from ._format_code import (
    DIGIT_PLACEHOLDERS,
    Section,
    Token,
    Unsure,
    literal_text,
    parse_code,
    pick_section,
)
from ._format_dates import EPOCH, date_text

# ECMA-376 18.8.30, with the ids whose code depends on the language as Chinese (PRC) Excel has
# them. Id 14 is the system's short date: yyyy/m/d on a Chinese Windows PC. Ids left out
# (currency 5–8, accounting 41–44, Chinese times 34–35 and 55–56) give `exact` False.
BUILTIN_FORMATS = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "yyyy/m/d",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "yyyy/m/d h:mm",
    27: 'yyyy"年"m"月"',
    28: 'm"月"d"日"',
    29: 'm"月"d"日"',
    30: "m-d-yy",
    31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"',
    33: 'h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"',
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mm:ss.0",
    48: "##0.0E+0",
    49: "@",
    50: 'yyyy"年"m"月"',
    51: 'm"月"d"日"',
    52: 'yyyy"年"m"月"',
    53: 'm"月"d"日"',
    54: 'm"月"d"日"',
    57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
}


@dataclass(frozen=True)
class Shown:
    """A cell's text as Excel shows it; `exact` False when Excel may show something else."""

    text: str
    code: str  # the number format, for the notice that names it
    exact: bool = True


def shows_as_typed(code: str) -> bool:
    """General and text (`@`) show a number as typed: nothing to reproduce."""
    return code.strip().casefold() in ("general", "@", "")


@lru_cache(maxsize=4096, typed=True)  # a column often repeats its dates and figures
def display(value: object, code: str) -> Shown:
    """The text Excel shows for `value` (a number, or the date or time the reader made of one)
    under the number format `code`."""
    serial = _serial(value)
    if serial is None:
        return Shown(as_text(value), code, False)
    if shows_as_typed(code):
        return Shown(as_text(value), code)
    try:
        sections = parse_code(code)
        section = pick_section(sections, serial)
        if section is None:
            raise Unsure
        if section.is_date:
            text, exact = date_text(section, serial)
        else:
            text, exact = _number_text(section, serial, negative_sign=len(sections) == 1)
        text = text.strip()
        if not text:
            raise Unsure  # a format that hides the value (`;;;`): the value is still used
        return Shown(text, code, exact and section.exact)
    except Unsure:
        return Shown(as_text(value), code, False)


def _serial(value: object) -> float | None:
    """Excel's day number for a value the reader gave."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.datetime):
        return (value - EPOCH) / dt.timedelta(days=1)
    if isinstance(value, dt.date):
        return float((value - EPOCH.date()).days)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400 + (
            value.microsecond / 86400e6
        )
    if isinstance(value, dt.timedelta):
        return value / dt.timedelta(days=1)
    return None


# ------------------------------------------------------------------ numbers


def _number_text(section: Section, value: float, *, negative_sign: bool) -> tuple[str, bool]:
    tokens = section.tokens
    # Excel keeps the sign of a negative number that rounds to zero: -0.4 under `0` is -0.
    sign = "-" if value < 0 and negative_sign else ""
    if section.dbnum1:
        raise Unsure  # Chinese numerals for numbers: not reproduced
    if any(kind == "general" for kind, _ in tokens):
        out = [
            general_number(abs(value)) if kind == "general" else literal_text(kind, text)
            for kind, text in tokens
        ]
        return sign + "".join(out), True
    placeholders = "".join(text for kind, text in tokens if kind == "num")
    if "/" in placeholders:
        raise Unsure  # fractions
    if not any(ch in placeholders for ch in DIGIT_PLACEHOLDERS):
        # Only literals: Excel shows them (with a minus sign for a negative number).
        return sign + "".join(literal_text(k, t) for k, t in tokens), True
    if "E+" in placeholders.upper() or "E-" in placeholders.upper():
        return _scientific(section, value, negative_sign)
    magnitude = Decimal(f"{abs(value):.15g}")
    if section.percent:
        magnitude *= Decimal(100) ** section.percent
    if section.scaling:
        magnitude /= Decimal(1000) ** section.scaling
    rounded = magnitude.quantize(_STEPS[section.places], rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{rounded:f}".partition(".")
    text = _integer_text(section.integer_part, whole, section.grouped)
    if section.has_point:
        text += _decimal_text(section.decimals, fraction.ljust(section.places, "0"))
    return sign + text, True


_STEPS = [Decimal(1).scaleb(-places) for places in range(31)]


def _split_number(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """Tokens before the decimal point, and after it."""
    for index, (kind, text) in enumerate(tokens):
        if kind == "num" and text == ".":
            return tokens[:index], tokens[index + 1 :]
    return tokens, []


def _integer_text(tokens: list[Token], whole: str, grouped: bool) -> str:
    slots = [i for i, (kind, text) in enumerate(tokens) if kind == "num" and text in "0#?"]
    digits = "" if whole == "0" else whole
    placeholders = [tokens[i][1] for i in slots]
    # Right to left: each placeholder takes a digit, or shows 0, a space or nothing.
    filled = []
    for position, placeholder in enumerate(reversed(placeholders)):
        if position < len(digits):
            filled.append(digits[len(digits) - 1 - position])
        else:
            filled.append(_EMPTY_DIGIT[placeholder])
    filled.reverse()
    if filled and len(digits) > len(placeholders):
        filled[0] = digits[: len(digits) - len(placeholders) + 1]
    if grouped:
        first, last = slots[0], slots[-1]
        if any(tokens[i][0] != "num" for i in range(first, last + 1)):
            raise Unsure  # literals between grouped digits
        number = "".join(filled)
        core = number.lstrip(" ")
        number = number[: len(number) - len(core)] + _group(core)
        before = "".join(literal_text(k, t) for k, t in tokens[:first])
        after = "".join(literal_text(k, t) for k, t in tokens[last + 1 :])
        return before + number + after
    out = []
    slot_iter = iter(filled)
    for kind, text in tokens:
        if kind == "num" and text in "0#?":
            out.append(next(slot_iter))
        else:
            out.append(literal_text(kind, text) if text != "," else "")
    return "".join(out)


_EMPTY_DIGIT = {"0": "0", "?": " ", "#": ""}


def _group(digits: str) -> str:
    if not digits.isdigit():
        return digits
    return f"{int(digits):,}" if digits.lstrip("0") == digits or digits == "0" else digits


def _decimal_text(tokens: list[tuple[str, str]], fraction: str) -> str:
    placeholders = [text for kind, text in tokens if kind == "num" and text in "0#?"]
    digits = list(fraction[: len(placeholders)])
    # Trailing zeros under # vanish and under ? become spaces.
    for index in range(len(digits) - 1, -1, -1):
        if digits[index] != "0" or placeholders[index] == "0":
            break
        digits[index] = "" if placeholders[index] == "#" else " "
    out = ["."]
    slot_iter = iter(digits)
    for kind, text in tokens:
        if kind == "num" and text in "0#?":
            out.append(next(slot_iter))
        elif kind == "num" and text == ",":
            continue
        else:
            out.append(literal_text(kind, text))
    return "".join(out)


def _scientific(section: Section, value: float, negative_sign: bool) -> tuple[str, bool]:
    """`0.00E+00`: one digit before the point (engineering forms like `##0.0E+0` are not
    reproduced)."""
    tokens = section.tokens
    index = next(i for i, (k, t) in enumerate(tokens) if k == "num" and t.upper() in ("E+", "E-"))
    mantissa_tokens, exponent_tokens = tokens[:index], tokens[index + 1 :]
    integer_part, decimals = _split_number(mantissa_tokens)
    integer_slots = [t for k, t in integer_part if k == "num" and t in "0#?"]
    if len(integer_slots) != 1:
        raise Unsure
    places = sum(1 for k, t in decimals if k == "num" and t in "0#?")
    exponent_digits = sum(1 for k, t in exponent_tokens if k == "num" and t in "0#?")
    if value == 0:
        mantissa, exponent = Decimal(0), 0
    else:
        mantissa_text, exponent_text = f"{abs(value):.{places}E}".split("E")
        mantissa, exponent = Decimal(mantissa_text), int(exponent_text)
    whole, _, fraction = f"{mantissa:.{places}f}".partition(".")
    text = whole + (_decimal_text(decimals, fraction) if places else "")
    sign = "-" if exponent < 0 else ("+" if tokens[index][1].endswith("+") else "")
    text += "E" + sign + str(abs(exponent)).rjust(max(exponent_digits, 1), "0")
    return ("-" if value < 0 and negative_sign else "") + text, True
