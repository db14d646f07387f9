"""A number format code read into sections and tokens, as Excel reads it.

`yyyy"年"m"月";@` is two sections: the first for numbers (here a date), the last for text.
Each section is a list of tokens (literals, digit placeholders, date parts) and what its
brackets said: a colour (ignored), a language (`[$-804]`, `[$-409]`), a currency symbol
(`[$¥-804]`), `[DBNum1]`, elapsed time (`[h]`), a condition (`[>100]`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache


class Unsure(Exception):
    """The format holds something this package does not reproduce."""


Token = tuple[str, str]  # (kind, text): lit, date, minute, ampm, elapsed, sub, num, general
DIGIT_PLACEHOLDERS = "0#?"


@dataclass
class Section:
    """One section of a format, read once: what every value shown with it needs."""

    tokens: list[Token]
    is_date: bool = False
    exact: bool = True
    condition: bool = False
    english: bool = False  # [$-409]: month and day names in English, as Excel shows them
    dbnum1: bool = False
    # A number section: the tokens before the decimal point and after it, and what they ask.
    integer_part: list[Token] = field(default_factory=list)
    decimals: list[Token] = field(default_factory=list)
    has_point: bool = False
    places: int = 0  # digit placeholders after the point
    percent: int = 0  # each % multiplies by 100
    scaling: int = 0  # each comma after the last digit divides by 1000
    grouped: bool = False  # a comma between digit placeholders: thousands separators
    # A date section: the sub-second digits shown, and whether hours run 1–12.
    sub_places: int = 0
    twelve_hour: bool = False
    uses_calendar: bool = False  # years, months, days or weekdays, not only a time


def _analyse(section: Section) -> None:
    tokens = section.tokens
    if section.is_date:
        section.tokens = tokens = _mark_minutes(tokens)
        section.sub_places = max((len(t) - 1 for k, t in tokens if k == "sub"), default=0)
        section.twelve_hour = any(k == "ampm" for k, _ in tokens)
        section.uses_calendar = any(k == "date" and t[0].lower() in "ymdae" for k, t in tokens)
        return
    point = next((i for i, (k, t) in enumerate(tokens) if k == "num" and t == "."), None)
    section.has_point = point is not None
    section.integer_part = tokens if point is None else tokens[:point]
    section.decimals = [] if point is None else tokens[point + 1 :]
    section.places = sum(1 for k, t in section.decimals if k == "num" and t in DIGIT_PLACEHOLDERS)
    section.percent = sum(1 for k, t in tokens if k == "num" and t == "%")
    slots = [
        i for i, (k, t) in enumerate(section.integer_part) if k == "num" and t in DIGIT_PLACEHOLDERS
    ]
    for index, (kind, text) in enumerate(section.integer_part):
        if kind == "num" and text == ",":
            if slots and index > slots[-1]:
                section.scaling += 1
            elif slots and slots[0] < index:
                section.grouped = True


def _mark_minutes(tokens: list[Token]) -> list[Token]:
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


_TOKEN = re.compile(
    r'"(?P<quoted>[^"]*)"?'
    r"|\\(?P<escaped>.)"
    r"|_(?P<pad>.)"
    r"|\*(?P<fill>.)"
    r"|\[(?P<bracket>[^\]]*)\]"
    r"|(?P<general>General)"
    r"|(?P<ampm>AM/PM|am/pm|A/P|a/p|上午/下午)"
    r"|(?P<date>[yY]+|[mM]+|[dD]+|[hH]+|[sS]+|[aA]{3,4}|[eEgGbB]+(?![+-]))"
    r"|(?P<sub>(?<=[sS])\.0+)"
    r"|(?P<sci>[eE][+-])"
    r"|(?P<other>.)",
    re.DOTALL,
)
_COLOURS = {"black", "blue", "cyan", "green", "magenta", "red", "white", "yellow"}
_ELAPSED = re.compile(r"[hH]+|[mM]+|[sS]+")
_LOCALE = re.compile(r"\$([^-]*)(?:-([0-9A-Fa-f]+))?")
_ENGLISH_LCIDS = {0x409, 0x809, 0xC09, 0x1009, 0x1409}


@lru_cache(maxsize=512)
def parse_code(code: str) -> tuple[Section, ...]:
    sections = [Section([])]
    for match in _TOKEN.finditer(code):
        kind = match.lastgroup
        text = match.group(kind) if kind else ""
        section = sections[-1]
        if kind == "other" and text == ";":
            sections.append(Section([]))
        elif kind in ("quoted", "escaped"):
            section.tokens.append(("lit", text))
        elif kind == "pad":
            section.tokens.append(("lit", " "))
        elif kind == "fill":
            # A fill repeats its character across the column: only a space fill is invisible.
            section.exact &= text == " "
        elif kind == "bracket":
            _bracket(section, text)
        elif kind == "ampm":
            section.tokens.append(("ampm", text))
            section.is_date = True
        elif kind == "date":
            section.tokens.append(("date", text))
            section.is_date = True
        elif kind == "sub":
            section.tokens.append(("sub", text))
        elif kind == "general":
            section.tokens.append(("general", text))
        elif kind == "other" and text == "@":
            section.exact = False  # a text placeholder: a number shows in its place
            section.tokens.append(("general", text))
        else:
            section.tokens.append(("num" if kind == "sci" or text in "0#?.,%/" else "lit", text))
    if len(sections) > 4:
        raise Unsure
    for section in sections:
        _analyse(section)
    return tuple(sections)


def _bracket(section: Section, text: str) -> None:
    lowered = text.casefold()
    if lowered in _COLOURS or re.fullmatch(r"color\d{1,2}", lowered):
        return  # a colour changes no text
    if _ELAPSED.fullmatch(text):
        section.tokens.append(("elapsed", text.lower()))
        section.is_date = True
    elif lowered == "dbnum1":
        section.dbnum1 = True
    elif text.startswith("$"):
        match = _LOCALE.fullmatch(text)
        if match is None:
            section.exact = False
            return
        symbol, lcid = match.groups()
        if symbol:
            section.tokens.append(("lit", symbol))
        number = int(lcid, 16) & 0xFFFF if lcid else 0x804
        if number in _ENGLISH_LCIDS:
            section.english = True
        elif number != 0x804:  # other languages, and F800/F400: the system's own date and time
            section.exact = False
    elif text[:1] in "<>=":
        section.condition = True
        section.exact = False
    else:
        section.exact = False  # [DBNum2], calendars, and what Excel may add later


def pick_section(sections: tuple[Section, ...], value: float) -> Section | None:
    """The section Excel uses for a number: positive; negative; zero; the fourth is for text."""
    numeric = [s for s in sections[:3]]
    if any(s.condition for s in numeric):
        raise Unsure
    if value > 0 or len(numeric) == 1:
        return numeric[0]
    if value < 0:
        return numeric[1]
    return numeric[2] if len(numeric) > 2 else numeric[0]


def literal_text(kind: str, text: str) -> str:
    """What a token shows in a number: literals as they are, `%`, and nothing for the rest."""
    if kind in ("lit", "num"):
        return text if kind == "lit" or text == "%" else ""
    return text
