"""A number format code read into sections and tokens, as Excel reads it.

`yyyy"年"m"月";@` is two sections: the first for numbers (here a date), the last for text.
Each section is a list of tokens (literals, digit placeholders, date parts) and what its
brackets said: a colour (ignored), a language (`[$-804]`, `[$-409]`), a currency symbol
(`[$¥-804]`), `[DBNum1]`, elapsed time (`[h]`), a condition (`[>100]`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


class Unsure(Exception):
    """The format holds something this package does not reproduce."""


@dataclass
class Section:
    tokens: list[tuple[str, str]]  # (kind, text): lit, date, ampm, elapsed, sub, num, general
    is_date: bool = False
    exact: bool = True
    condition: bool = False
    english: bool = False  # [$-409]: month and day names in English, as Excel shows them
    dbnum1: bool = False


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
