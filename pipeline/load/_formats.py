"""Which cells have a number format that changes how their number shows, and which format.

calamine gives values without their formats. A cell's format is its style (`s`, an index into
`cellXfs` in `xl/styles.xml`), whose `numFmtId` is a built-in id or one of the workbook's
`numFmts`. Most department workbooks use General everywhere, so a worksheet is searched only
for the styles that matter, with a byte search first and a scan of its cell tags only when one
occurs.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from lxml import etree

from ..cells import column_number
from ..safe_xml import PARSER as _PARSER
from .number_format import BUILTIN_FORMATS, shows_as_typed

Cell = tuple[int, int]  # (row, column), both 1-based


def _unknown_format(number: int) -> str:
    """A format id neither built in nor in the workbook's list (a currency or a language's own
    date): Excel shows something we cannot say; in brackets, it is reported as not reproduced."""
    return f"[内置格式{number}]"


def style_formats(parts: Mapping[str, bytes]) -> dict[int, str]:
    """Style index → number format, for the styles whose format is not General or text."""
    member = _styles_member(parts)
    if member is None:
        return {}
    root = etree.fromstring(parts[member], _PARSER)
    custom: dict[int, str] = {}
    for element in root.iterfind("{*}numFmts/{*}numFmt"):
        number = _int(element.get("numFmtId"))
        if number is not None:
            custom[number] = element.get("formatCode") or ""
    formats: dict[int, str] = {}
    for index, xf in enumerate(root.iterfind("{*}cellXfs/{*}xf")):
        number = _int(xf.get("numFmtId")) or 0
        code = custom.get(number) or BUILTIN_FORMATS.get(number) or _unknown_format(number)
        if not shows_as_typed(code):
            formats[index] = code
    return formats


def _styles_member(parts: Mapping[str, bytes]) -> str | None:
    names = parts.keys()
    rels = "xl/_rels/workbook.xml.rels"
    if rels in names:
        for rel in etree.fromstring(parts[rels], _PARSER).iter("{*}Relationship"):
            if rel.get("Type", "").endswith("/styles"):
                target = rel.get("Target", "")
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                member = posixpath.normpath(member)
                return member if member in names else None
    return "xl/styles.xml" if "xl/styles.xml" in names else None


_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"\b(r|s|t)\s*=\s*[\"']([^\"']*)[\"']")
_CELL_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
# Cell kinds that hold text, a truth value or an error: their format changes nothing shown.
_NOT_NUMBERS = {b"s", b"str", b"inlineStr", b"b", b"e"}


def cell_formats(xml: bytes, formats: dict[int, str]) -> dict[Cell, str]:
    """The cells of a worksheet whose style has one of `formats`, with that format."""
    if not formats:
        return {}
    start = max(xml.find(b"sheetData"), 0)
    if 0 in formats:  # a cell without `s` has style 0, General unless someone changed it
        return _every_cell(xml, start, formats)
    styles = b"|".join(str(i).encode() for i in sorted(formats))
    # Only the tags of cells with one of those styles; Excel writes each cell's reference.
    tags = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*?\ss\s*=\s*[\"'](?:" + styles + rb")[\"'][^>]*)>")
    found: dict[Cell, str] = {}
    for match in tags.finditer(xml, start):
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        cell = _CELL_REFERENCE.fullmatch(attributes.get(b"r", b"").decode("ascii", "replace"))
        if cell is None:
            return _every_cell(xml, start, formats)  # positions must be counted
        if attributes.get(b"t") not in _NOT_NUMBERS:
            code = formats.get(_int(attributes.get(b"s")) or 0)
            if code is not None:
                found[(int(cell.group(2)), column_number(cell.group(1)))] = code
    return found


def _every_cell(xml: bytes, start: int, formats: dict[int, str]) -> dict[Cell, str]:
    """Every cell tag in order, counting positions where a reference is left out."""
    found: dict[Cell, str] = {}
    row_number = column = 0
    for match in _TAG.finditer(xml, start):
        attributes = dict(_ATTRIBUTE.findall(match.group(2)))
        if match.group(1) == b"row":
            row_number = _int(attributes.get(b"r")) or row_number + 1
            column = 0
            continue
        cell = _CELL_REFERENCE.fullmatch(attributes.get(b"r", b"").decode("ascii", "replace"))
        if cell:
            column, row_number = column_number(cell.group(1)), int(cell.group(2))
        else:
            column += 1
        if attributes.get(b"t") in _NOT_NUMBERS:
            continue
        code = formats.get(_int(attributes.get(b"s")) or 0)
        if code is not None:
            found[(row_number, column)] = code
    return found


def _int(text: str | bytes | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None
