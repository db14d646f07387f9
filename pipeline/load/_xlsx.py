"""Open one .xlsx safely and read its worksheets' values with python-calamine.

The file is read once into memory: the bytes parsed are the bytes the archive keeps. Its parts
are inflated and measured by `_container` before anything here or in calamine reads them.

calamine parses cells in compiled code, many times faster than openpyxl, but it trusts the file:
it allocates the whole rectangle up to the farthest cell (one value at XFD1048576 asks for 17
billion cells and aborts the process), and it reads error values (#DIV/0!) and formulas whose
result was never saved as empty cells. So each worksheet's XML is looked at first with byte
searches that cost little when nothing is odd, and parsed cell by cell only where a formula, an
error value or a far cell occurs.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ..cells import column_number
from ..files import describe_os_error
from ..safe_xml import PARSER as _PARSER
from . import _formats
from ._container import MAX_UNPACKED_BYTES, UnreadableWorkbook, refuse_odd_parts, unpack

MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_CELLS = 2_000_000  # rows × columns of a sheet's rectangle, which calamine allocates
# A workbook file itself: it is held in memory from reading to archiving.
MAX_FILE_BYTES = MAX_UNPACKED_BYTES

_TOO_BIG = (
    f"文件过大（上限 {MAX_FILE_BYTES // 1024 // 1024} MB），不像部门填写的工作簿，已拒绝读取。"
    "请删除多余的内容（如图片）后另存。"
)

Cell = tuple[int, int]  # (row, column), both 1-based


@dataclass
class SheetValues:
    """One worksheet as calamine read it, with what calamine does not tell."""

    title: str
    rows: list[list[Any]]  # row r+1 of the sheet; ragged, None where empty; dates as datetime
    merged: list[tuple[int, int, int, int]]  # first row, first column, last row, last column
    errors: dict[Cell, str] = field(default_factory=dict)  # error values, e.g. #DIV/0!
    unsaved: set[Cell] = field(default_factory=set)  # formulas whose result was never saved
    # Number cells whose format changes how they show (not General): cell → format code.
    formats: dict[Cell, str] = field(default_factory=dict)


@dataclass
class SheetTooLarge:
    title: str
    rows: int
    columns: int


class Workbook:
    """A checked .xlsx: `titles` lists its worksheets, `read(title)` gives one's values."""

    def __init__(self, data: bytes) -> None:
        parts = unpack(data)
        refuse_odd_parts(parts.data)
        self._parts = parts.data
        try:
            self._members = _worksheet_members(self._parts)
            self._styles = _formats.style_formats(self._parts)
            from python_calamine import CalamineWorkbook

            # calamine opens the zip itself: it gets the parts measured above, never `data`
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(parts.rebuilt()))
        except Exception as exc:  # calamine and lxml raise their own types for damaged parts
            raise _unreadable(exc) from exc

    @property
    def titles(self) -> list[str]:
        return list(self._members)

    def read(self, title: str) -> SheetValues | SheetTooLarge:
        try:
            xml = self._parts[self._members[title]]
            cells = _inspect(xml)
            if cells is not None and _too_large(cells.rows, cells.columns):
                return SheetTooLarge(title, cells.rows, cells.columns)
            sheet = self._book.get_sheet_by_name(title)
            # The used area starts at `start`: rows and columns before it are empty.
            first_row, first_column = sheet.start or (0, 0)
            rows: list[list[Any]] = [[] for _ in range(first_row)]
            rows += [_row_values(row, first_column) for row in sheet.to_python()]
            ranges = sheet.merged_cell_ranges or []
            merged = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in ranges]
            formats = _formats.cell_formats(xml, self._styles)
        except Exception as exc:
            raise _unreadable(exc) from exc
        while rows and not rows[-1]:
            rows.pop()
        found = cells or _Cells()
        return SheetValues(title, rows, merged, found.errors, found.unsaved, formats)

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


# Every worksheet's title with its values (None for a sheet not wanted), or why there are none.
WorkbookRead = list[tuple[str, SheetValues | SheetTooLarge | None]] | UnreadableWorkbook


@dataclass(frozen=True)
class FileRead:
    """One file's bytes as read (empty when it could not be opened), when it was last saved
    (nanoseconds), and its worksheets or why there are none."""

    data: bytes
    modified_ns: int
    sheets: WorkbookRead


def read_workbook(path: Path, wanted: Callable[[str], bool]) -> FileRead:
    """Read the file once, then every worksheet's title with its values (None for a sheet not
    `wanted`), or why not.

    Returns the exception rather than raising it, so that workbooks can be read in threads:
    calamine releases the GIL while it parses.
    """
    try:
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            if status.st_size > MAX_FILE_BYTES:
                return FileRead(b"", status.st_mtime_ns, UnreadableWorkbook(_TOO_BIG))
            data = handle.read()
    except OSError as exc:
        reason = describe_os_error(exc)
        return FileRead(b"", 0, UnreadableWorkbook(f"无法打开文件（{reason}）。"))
    try:
        with Workbook(data) as book:
            sheets: WorkbookRead = [(t, book.read(t) if wanted(t) else None) for t in book.titles]
    except UnreadableWorkbook as exc:
        sheets = exc
    return FileRead(data, status.st_mtime_ns, sheets)


def _unreadable(exc: Exception) -> UnreadableWorkbook:
    return UnreadableWorkbook(
        f"无法读取该工作簿（{type(exc).__name__}），文件可能已损坏。请在 Excel 中打开并另存为 .xlsx。"
    )


def _too_large(rows: int, columns: int) -> bool:
    return rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS


# calamine decodes Excel's `_xHHHH_` escapes but these two, which are not characters; decoded
# here, they are removed later with a notice like any other character Word refuses.
_NONCHARACTER_ESCAPE = re.compile("_x(FFF[EF])_", re.IGNORECASE)


def _row_values(row: list[Any], offset: int) -> list[Any]:
    """calamine's row with None for empty cells, `offset` empty cells before it, none after.

    Whole numbers become int and dates datetime, as openpyxl and Excel's own XML have them: `3`
    is stored as "3", and a date cell is a date whatever its time of day.
    """
    values: list[Any] = []
    last = 0
    for index, value in enumerate(row):
        if isinstance(value, str):
            if not value:
                value = None
            elif "_x" in value:
                value = _NONCHARACTER_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
        elif isinstance(value, float):
            if value.is_integer() and abs(value) < 1e15:
                value = int(value)
        elif type(value) is dt.date:
            value = dt.datetime(value.year, value.month, value.day)
        values.append(value)
        if value is not None:
            last = index + 1
    del values[last:]
    return [None] * offset + values if values else values


# ------------------------------------------------------------------ which member is which sheet


def _worksheet_members(parts: Mapping[str, bytes]) -> dict[str, str]:
    """Worksheet title → its XML member, in the workbook's order (chart sheets left out)."""
    book = etree.fromstring(parts["xl/workbook.xml"], _PARSER)
    targets = {}
    if "xl/_rels/workbook.xml.rels" in parts:
        rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"], _PARSER)
        for rel in rels.iter("{*}Relationship"):
            if rel.get("Type", "").endswith("/worksheet"):
                target = rel.get("Target", "")
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                targets[rel.get("Id")] = posixpath.normpath(member)
    members = {}
    for sheet in book.iter("{*}sheet"):
        rel_id = next(
            (v for k, v in sheet.attrib.items() if etree.QName(k).localname == "id"), None
        )
        if rel_id in targets and sheet.get("name") is not None:
            members[sheet.get("name")] = targets[rel_id]
    return members


# ------------------------------------------------------------------ what calamine does not tell

# A cell or row reference that may lie beyond 10,000 rows or column GR (200): only then are the
# sheet's real bounds worth counting. Any attribute ending in r is looked at, not only a cell's
# sheet, and false alarms only cost a parse. Patterns start with a literal character: a search
# then skips ahead quickly through megabytes of XML.
_FAR_REFERENCE = re.compile(
    rb"r\s*=\s*[\"']\$?(?:[A-Za-z]{3}|[H-Zh-z][A-Za-z]|[Gg][S-Zs-z]|[A-Za-z]{0,2}\$?\d{5})"
)
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_ERROR_VALUE = re.compile(rb"t\s*=\s*[\"']e[\"']")


@dataclass
class _Cells:
    rows: int = 0  # the farthest cell holding a value
    columns: int = 0
    errors: dict[Cell, str] = field(default_factory=dict)
    unsaved: set[Cell] = field(default_factory=set)


def _inspect(xml: bytes) -> _Cells | None:
    """Bounds, error values and unsaved formulas of a worksheet; None when it has none of them."""
    if not (_FAR_REFERENCE.search(xml) or _FORMULA.search(xml) or _ERROR_VALUE.search(xml)):
        return None
    found = _Cells()
    row_number = column = 0
    events = etree.iterparse(
        io.BytesIO(xml),
        events=("start", "end"),
        tag=("{*}row", "{*}c"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    for event, element in events:
        if etree.QName(element).localname == "row":
            if event == "start":
                row_number = _int(element.get("r"), row_number + 1)
                column = 0
            else:
                element.clear()
            continue
        if event == "start":
            continue
        reference = element.get("r")
        match = _CELL_REFERENCE.fullmatch(reference) if reference else None
        if match:
            column, row_number = column_number(match.group(1)), int(match.group(2))
        else:
            column += 1
        _note_cell(element, (row_number, column), found)
        element.clear()
    return found


_CELL_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def _note_cell(element, where: Cell, found: _Cells) -> None:
    kind = element.get("t")
    formula = value = None
    for child in element:
        name = etree.QName(child).localname
        if name == "f":
            formula = child
        elif name in ("v", "is"):
            value = child
    if kind == "e" and value is not None:
        found.errors[where] = value.text or ""
    elif formula is not None and (value is None or (not value.text and kind != "str")):
        found.unsaved.add(where)
    if value is not None or formula is not None:
        found.rows = max(found.rows, where[0])
        found.columns = max(found.columns, where[1])


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default
