"""Dates and times as a number format shows them: 年月日, 上午/下午, weekdays, elapsed hours."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from ..render.numerals import chinese_numeral
from ._format_code import Section, Unsure

EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system

_MONTHS = "January February March April May June July August September October November December"
_MONTH_NAMES = _MONTHS.split()
_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_CHINESE_WEEKDAYS = "一二三四五六日"
_CHINESE_DIGITS = "〇一二三四五六七八九"
# The last day Excel can show, 9999-12-31; Excel shows ##### beyond, and before day 0.
_LAST_SERIAL = 2958465.99999


def date_text(section: Section, serial: float) -> tuple[str, bool]:
    if not 0 <= serial <= _LAST_SERIAL:
        raise Unsure
    tokens = _mark_minutes(section.tokens)
    sub_places = max((len(t) - 1 for k, t in tokens if k == "sub"), default=0)
    unit = 10 ** (6 - sub_places)  # microseconds per shown step: Excel rounds to it
    steps = (Decimal(repr(serial)) * 86_400_000_000 / unit).quantize(1, rounding=ROUND_HALF_UP)
    total = int(steps) * unit
    moment = EPOCH + dt.timedelta(microseconds=total)
    uses_calendar = any(k == "date" and t[0].lower() in "ymdae" for k, t in tokens)
    exact = not (uses_calendar and serial < 61)  # Excel's fictitious 1900-02-29 lies there
    twelve_hour = any(k == "ampm" for k, _ in tokens)
    out = []
    for kind, text in tokens:
        if kind == "date":
            piece, ok = _date_part(text, moment, twelve_hour, section)
            out.append(piece)
            exact &= ok
        elif kind == "minute":
            out.append(str(moment.minute).zfill(len(text)))
            exact &= not section.dbnum1
        elif kind == "ampm":
            morning = moment.hour < 12
            first, second = text.split("/")
            out.append(first if morning else second)
        elif kind == "elapsed":
            seconds = total // 1_000_000
            amount = {"h": seconds // 3600, "m": seconds // 60, "s": seconds}[text[0]]
            out.append(str(amount).zfill(len(text)))
        elif kind == "sub":
            fraction = str(moment.microsecond).zfill(6)[: len(text) - 1]
            out.append("." + fraction)
        elif kind == "num" and text in "0#?":
            raise Unsure  # digits in a date format
        else:
            out.append(text)  # literals, and / , . % which a date format shows as they are
    return "".join(out), exact


def _mark_minutes(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`m` after an hour or before a second means minutes, as Excel reads it."""
    marked = list(tokens)
    timed = [i for i, (k, t) in enumerate(marked) if k in ("date", "elapsed")]
    for position, index in enumerate(timed):
        kind, text = marked[index]
        if kind != "date" or text[0].lower() != "m" or len(text) > 2:
            continue
        before = marked[timed[position - 1]] if position > 0 else None
        after = marked[timed[position + 1]] if position + 1 < len(timed) else None
        if (before and before[1][0].lower() == "h") or (after and after[1][0].lower() == "s"):
            marked[index] = ("minute", text)
    return marked


def _date_part(text: str, moment: dt.datetime, twelve_hour: bool, section: Section):
    """One date or time token's text, and whether it is Excel's for certain."""
    letter, size = text[0].lower(), len(text)
    if letter == "y":
        year = str(moment.year) if size > 2 else str(moment.year % 100).zfill(2)
        if section.dbnum1:
            year = "".join(_CHINESE_DIGITS[int(d)] for d in year)
        return year, True
    if letter == "m":
        if size <= 2:
            if section.dbnum1:
                return chinese_numeral(moment.month), True
            return str(moment.month).zfill(size), True
        name = _MONTH_NAMES[moment.month - 1]
        return (name[:3] if size == 3 else name if size == 4 else name[0]), section.english
    if letter == "d":
        if size <= 2:
            if section.dbnum1:
                return chinese_numeral(moment.day), True
            return str(moment.day).zfill(size), True
        name = _DAY_NAMES[moment.weekday()]
        return (name[:3] if size == 3 else name), section.english
    if letter == "a":
        weekday = _CHINESE_WEEKDAYS[moment.weekday()]
        return (weekday if size == 3 else "星期" + weekday), True
    if letter == "h":
        hour = moment.hour % 12 or 12 if twelve_hour else moment.hour
        return str(hour).zfill(min(size, 2)), not section.dbnum1
    if letter == "s":
        return str(moment.second).zfill(min(size, 2)), not section.dbnum1
    return text, False  # e, g, b: era and Buddhist years
