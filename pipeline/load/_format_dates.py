"""Dates and times as a number format shows them: 年月日, 上午/下午, weekdays, elapsed hours."""

from __future__ import annotations

import datetime as dt
import math

from ..numerals import chinese_numeral
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
    # Excel rounds to the last digit shown: the second, or a tenth or hundredth of one.
    steps_per_day = 86_400 * 10**section.sub_places
    total = math.floor(serial * steps_per_day + 0.5) * 10 ** (6 - section.sub_places)
    moment = EPOCH + dt.timedelta(microseconds=total)
    exact = not (section.uses_calendar and serial < 61)  # the fictitious 1900-02-29 lies there
    twelve_hour = section.twelve_hour
    out = []
    for kind, text in section.tokens:
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
