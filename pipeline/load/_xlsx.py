"""Open one .xlsx safely and read its worksheets' values with python-calamine.

The file is read once into memory: the bytes parsed are the bytes the archive keeps.

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
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ..cells import column_number
from ..files import describe_os_error
from ..safe_xml import PARSER as _PARSER
from . import _formats

# Limits against zip bombs and absurd sheets; a district's workbooks are far below them.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_CELLS = 2_000_000  # rows × columns of a sheet's rectangle, which calamine allocates
# Merged and hyperlinked ranges: `<mergeCell ref="A1:XFD1048576"/>` is a few bytes.
MAX_RANGE_CELLS = 200_000
MAX_RANGES = 2000
# A workbook file itself: it is held in memory from reading to archiving.
MAX_FILE_BYTES = MAX_UNPACKED_BYTES

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
_DAMAGED = "不是有效的 Excel 工作簿（压缩包已损坏）。请重新保存或让报送部门重新发送。"
# Not damage: sending the same file again cannot help, saving it anew does.
_NOT_ALLOWED = (
    "工作簿中含有不允许的内容（XML 文档类型声明 DOCTYPE，正常保存的工作簿中没有），为安全起见已拒绝读取。"
    "原样重新发送同一文件仍会被拒绝，请打开后另存为新的 .xlsx 文件。"
)
_TOO_BIG = (
    f"文件过大（上限 {MAX_FILE_BYTES // 1024 // 1024} MB），不像部门填写的工作簿，已拒绝读取。"
    "请删除多余的内容（如图片）后另存。"
)

Cell = tuple[int, int]  # (row, column), both 1-based


class UnreadableWorkbook(Exception):
    """The workbook cannot be read at all; the message says why and what to do."""


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
        problem = _check_container(data)
        if problem:
            raise UnreadableWorkbook(problem)
        self._archive = zipfile.ZipFile(io.BytesIO(data))
        try:
            self._members = _worksheet_members(self._archive)
            self._styles = _formats.style_formats(self._archive)
            from python_calamine import CalamineWorkbook

            self._book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as exc:  # calamine and lxml raise their own types for damaged parts
            self._archive.close()
            raise _unreadable(exc) from exc

    @property
    def titles(self) -> list[str]:
        return list(self._members)

    def read(self, title: str) -> SheetValues | SheetTooLarge:
        try:
            xml = self._archive.read(self._members[title])
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
        self._archive.close()
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


# ------------------------------------------------------------------ the container


def _check_container(data: bytes) -> str | None:
    """Refuse what calamine should never be given: old formats, encrypted files, zip bombs."""
    if data[:8] == _OLE_MAGIC:
        if _ENCRYPTED_MARK in data:
            return "工作簿设置了打开密码（已加密），无法读取。请在 Excel 中取消密码后另存为 .xlsx。"
        return "这是旧版 Excel（.xls）文件，只是扩展名为 .xlsx。请在 Excel 中“另存为” Excel 工作簿（.xlsx）。"
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return "不是有效的 Excel 工作簿（文件已损坏或不完整）。请重新保存或让报送部门重新发送。"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {e.filename for e in entries}
            if (
                len(entries) > MAX_ZIP_ENTRIES
                or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES
            ):
                return f"工作簿解压后过大（上限 {MAX_UNPACKED_BYTES // 1024 // 1024} MB），疑似异常文件，已拒绝读取。"
            if "xl/workbook.xml" not in names:
                return "这是一个压缩包，但不是 Excel 工作簿。请放入用 Excel 保存的 .xlsx 文件。"
            return _odd_worksheet(archive)
    except Exception:  # also NotImplementedError (unknown method or version), zlib.error, EOFError
        return _DAMAGED


def _odd_worksheet(archive: zipfile.ZipFile) -> str | None:
    """An XML part with a DTD, or a worksheet with too large or too many merged ranges."""
    for name in archive.namelist():
        if not name.endswith((".xml", ".rels")):
            continue
        data = archive.read(name)
        if b"<!DOCTYPE" in data:  # Excel never writes one; entities could expand or leak files
            return _NOT_ALLOWED
        if not name.startswith("xl/worksheets/"):
            continue
        oversized = _oversized_range(data)
        if oversized:
            return (
                f"工作簿中的合并单元格或超链接范围过大或过多（如 {oversized}），疑似异常文件，已拒绝读取。"
                "请在 Excel 中取消多余的合并单元格后另存。"
            )
    return None


_RANGE_ELEMENT = re.compile(
    rb"<(?:[\w.-]+:)?(?:mergeCell|hyperlink)\b[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']"
)
_RANGE_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?")


def _oversized_range(data: bytes) -> str | None:
    if b"mergeCell" not in data and b"hyperlink" not in data:
        return None
    refs = _RANGE_ELEMENT.findall(data)
    if len(refs) > MAX_RANGES:
        return f"{len(refs)} 个"
    cells = 0
    for ref in refs:
        match = _RANGE_REF.fullmatch(ref.decode("ascii", "replace").strip())
        if match is None:
            continue  # not a range calamine would use
        first_col, first_row, last_col, last_row = match.groups()
        rows = abs(int(last_row or first_row) - int(first_row)) + 1
        columns = abs(column_number(last_col or first_col) - column_number(first_col)) + 1
        cells += rows * columns
        if cells > MAX_RANGE_CELLS:
            return ref.decode("ascii", "replace")
    return None


# ------------------------------------------------------------------ which member is which sheet


def _worksheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet title → its XML member, in the workbook's order (chart sheets left out)."""
    book = etree.fromstring(archive.read("xl/workbook.xml"), _PARSER)
    targets = {}
    if "xl/_rels/workbook.xml.rels" in archive.namelist():
        rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), _PARSER)
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
