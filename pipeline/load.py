"""Load: find the workbooks in `inputs/`, open them safely, and read each known sheet into a frame.

The result keeps every value as typed (cleaned text, numbers, dates) with its Excel row and
column letter, so that validation can name the exact cell of every problem.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import contract
from ._cells import as_text, clean_text, column_letter, is_blank, normalise_name
from .errors import Location, Problem, error, notice

ROW_COLUMN = "_row"  # the Excel row number of each data row

# Limits against zip bombs and absurd sheets; a district's workbooks are far below them.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_ROWS = 100_000
MAX_COLUMNS = 200
# openpyxl creates a cell object for every cell of a merged range and of a hyperlink's range,
# so a few bytes (`<mergeCell ref="A1:XFD1048576"/>`) could ask for billions of them.
MAX_RANGE_CELLS = 200_000
MAX_RANGES = 2000
# Sheets the blank workbooks carry for people, not data.
AUXILIARY_SHEETS = {"填写说明", "_选项"}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


@dataclass
class SheetFrame:
    """One known sheet of one workbook: its data rows, with their Excel row numbers."""

    file: str  # file name, e.g. 环保处.xlsx
    sheet: str  # the contract's name, e.g. 合作交流项目
    title: str  # the name as written in the workbook
    frame: pd.DataFrame  # one column per known column, plus ROW_COLUMN
    letters: dict[str, str]  # column name → Excel column letter
    header_row: int = 0  # 0 for key–value sheets without a header

    @property
    def department(self) -> str:
        return Path(self.file).stem

    def location(self, row: int | None = None, column: str | None = None) -> Location:
        cell = None
        if column is not None and column in self.letters:
            cell = f"{self.letters[column]}{row if row is not None else self.header_row}"
        elif row is not None:
            cell = f"行{row}"
        return Location(self.file, self.title, cell, column)


@dataclass
class LoadedInputs:
    sheets: list[SheetFrame] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    workbooks: list[Path] = field(default_factory=list)

    def frames(self, sheet: str) -> list[SheetFrame]:
        return [s for s in self.sheets if s.sheet == sheet]


def load_inputs(folder: Path) -> LoadedInputs:
    """Read every workbook directly inside `folder`, collecting problems instead of raising."""
    result = LoadedInputs()
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.is_file() or path.name.startswith(("~$", ".")):
            continue
        suffix = path.suffix.lower()
        if suffix in contract.REFUSED_SUFFIXES:
            result.problems.append(
                error(
                    Location(path.name),
                    f"不支持 {suffix} 格式。请在 Excel 或 WPS 中“另存为” Excel 工作簿（.xlsx）后再放入。",
                )
            )
            continue
        if suffix != ".xlsx":
            continue
        result.workbooks.append(path)
        _load_workbook(path, result)
    if not result.workbooks and not result.problems:
        result.problems.append(
            error(
                Location(folder.name or str(folder)),
                "文件夹中没有 .xlsx 工作簿。请把办公室的 报告信息.xlsx 和各部门的工作簿放进来。",
            )
        )
    return result


def _load_workbook(path: Path, result: LoadedInputs) -> None:
    where = Location(path.name)
    problem = _check_container(path)
    if problem:
        result.problems.append(error(where, problem))
        return
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
        # Read with formulas too, which parses them: a malformed shared formula raises here.
        formulas = _formulas_without_value(path) if _has_formulas(path) else {}
    except Exception as exc:  # openpyxl raises many unrelated types for damaged files
        result.problems.append(
            error(
                where,
                f"无法读取该工作簿（{type(exc).__name__}），文件可能已损坏。请在 Excel 中打开并另存为 .xlsx。",
            )
        )
        return
    for sheet in book.worksheets:
        name = normalise_name(sheet.title)
        if name in contract.KNOWN_SHEETS:
            if sheet.max_row > MAX_ROWS or sheet.max_column > MAX_COLUMNS:
                result.problems.append(
                    error(
                        Location(path.name, sheet.title),
                        f"工作表过大（{sheet.max_row} 行 × {sheet.max_column} 列，上限 {MAX_ROWS} 行、{MAX_COLUMNS} 列）。请删除多余的空行和空列。",
                    )
                )
                continue
            grid = _read_grid(sheet, path.name, formulas.get(sheet.title, set()), result.problems)
            reader = _read_key_values if name in contract.KEY_VALUE_SHEETS else _read_table
            frame = reader(path.name, name, sheet.title, grid, result.problems)
            if frame is not None:
                result.sheets.append(frame)
        elif sheet.title not in AUXILIARY_SHEETS:
            result.problems.append(
                notice(
                    Location(path.name, sheet.title),
                    "不是可识别的工作表，未读取。可识别的工作表有："
                    + "、".join(contract.KNOWN_SHEETS)
                    + "。",
                )
            )


def _check_container(path: Path) -> str | None:
    """Refuse what openpyxl should never be given: old formats, encrypted files, zip bombs."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        return f"无法打开文件（{exc.strerror}）。"
    if head == _OLE_MAGIC:
        data = path.read_bytes()
        if _ENCRYPTED_MARK in data:
            return "工作簿设置了打开密码（已加密），无法读取。请在 Excel 中取消密码后另存为 .xlsx。"
        return "这是旧版 Excel（.xls）文件，只是扩展名为 .xlsx。请在 Excel 中“另存为” Excel 工作簿（.xlsx）。"
    if not zipfile.is_zipfile(path):
        return "不是有效的 Excel 工作簿（文件已损坏或不完整）。请重新保存或让报送部门重新发送。"
    damaged = "不是有效的 Excel 工作簿（压缩包已损坏）。请重新保存或让报送部门重新发送。"
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = {e.filename for e in entries}
    except Exception:  # zipfile raises many types for a damaged archive
        return damaged
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        return f"工作簿解压后过大（上限 {MAX_UNPACKED_BYTES // 1024 // 1024} MB），疑似异常文件，已拒绝读取。"
    if "xl/workbook.xml" not in names:
        return "这是一个压缩包，但不是 Excel 工作簿。请放入用 Excel 保存的 .xlsx 文件。"
    try:
        oversized = _oversized_ranges(path)
    except Exception:  # also NotImplementedError (unknown method or version), zlib.error, EOFError
        return damaged
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


def _oversized_ranges(path: Path) -> str | None:
    """The first merged or hyperlinked range that would make openpyxl create too many cells."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            refs = _RANGE_ELEMENT.findall(archive.read(name))
            if len(refs) > MAX_RANGES:
                return f"{len(refs)} 个"
            cells = 0
            for ref in refs:
                match = _RANGE_REF.fullmatch(ref.decode("ascii", "replace").strip())
                if match is None:
                    continue  # openpyxl refuses it itself
                first_col, first_row, last_col, last_row = match.groups()
                rows = abs(int(last_row or first_row) - int(first_row)) + 1
                columns = abs(_column_number(last_col or first_col) - _column_number(first_col)) + 1
                cells += rows * columns
                if cells > MAX_RANGE_CELLS:
                    return ref.decode("ascii", "replace")
    return None


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _has_formulas(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return any(
            b"<f" in archive.read(name)
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def _formulas_without_value(path: Path) -> dict[str, set[str]]:
    """Cells holding a formula whose result Excel never saved (written by a program, not Excel)."""
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=False, read_only=True)
    values = openpyxl.load_workbook(path, data_only=True, read_only=True)
    found: dict[str, set[str]] = {}
    for sheet in book.worksheets:
        cached = values[sheet.title]
        # Rows as the file holds them: the declared dimension (it can claim 1,048,576 rows ×
        # 16,384 columns) would pad every row to its width.
        sheet.reset_dimensions()
        cached.reset_dimensions()
        for row, cached_row in zip(sheet.iter_rows(), cached.iter_rows(), strict=False):
            for cell, value in zip(row, cached_row, strict=False):
                if (
                    isinstance(cell.value, str)
                    and cell.value.startswith("=")
                    and value.value is None
                ):
                    found.setdefault(sheet.title, set()).add(cell.coordinate)
    book.close()
    values.close()
    return found


Grid = list[list[Any]]  # rows of cleaned values, 0-based; grid[r][c] is Excel row r+1, column c+1


def _read_grid(sheet, file: str, formulas: set[str], problems: list[Problem]) -> Grid:
    """All values of a sheet, merged ranges filled, text cleaned, error cells reported.

    Rows are as long as their last value (ragged). Only the cells the file holds are visited:
    `iter_rows` would create every cell of the rectangle up to the farthest, even empty, cell.
    """
    present = sorted(sheet._cells.items())  # (row, column) → cell, for the cells in the file
    last_row = max((r for (r, _), cell in present if cell.value is not None), default=0)
    grid: Grid = [[] for _ in range(last_row)]
    for (row_number, column), cell in present:
        value = cell.value
        if cell.data_type == "e" or cell.coordinate in formulas:
            message = (
                "公式没有计算结果。请在 Excel 中打开该工作簿、确认公式已计算后保存，或直接填写数值。"
                if cell.coordinate in formulas
                else f"单元格是 Excel 错误值 {cell.value}。请改正公式或直接填写内容。"
            )
            problems.append(error(Location(file, sheet.title, cell.coordinate), message))
            value = None
        elif isinstance(value, str):
            text, removed = clean_text(value)
            value = text or None
            if removed:
                problems.append(
                    notice(
                        Location(file, sheet.title, cell.coordinate),
                        "删除了 Word 文档不允许的控制字符（如从其他系统粘贴带入的不可见字符）。请核对文字。",
                    )
                )
        if value is not None:
            _put(grid[row_number - 1], column, value)
    width = max((len(row) for row in grid), default=0)
    for merged in sheet.merged_cells.ranges:
        top = _value(_cell(grid, merged.min_row, merged.min_col))
        if top is None:
            continue
        for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            for c in range(merged.min_col, min(merged.max_col, width) + 1):
                if (r, c) == (merged.min_row, merged.min_col):
                    continue
                # A horizontal merge in a header means one wide header, not repeated names.
                _put(
                    grid[r - 1],
                    c,
                    _MergedCopy(top, merged.min_row, merged.min_col) if c > merged.min_col else top,
                )
    return grid


def _put(row: list[Any], column: int, value: Any) -> None:
    if len(row) < column:
        row.extend([None] * (column - len(row)))
    row[column - 1] = value


def _cell(grid: Grid, row: int, column: int) -> Any:
    if row > len(grid) or column > len(grid[row - 1]):
        return None
    return grid[row - 1][column - 1]


class _MergedCopy:
    """A value repeated to the right by a horizontal merge: data, but never a header name."""

    __slots__ = ("value", "origin")

    def __init__(self, value: Any, row: int, column: int) -> None:
        self.value = value
        self.origin = (row, column)  # the merged range's top-left cell


def _value(cell: Any) -> Any:
    return cell.value if isinstance(cell, _MergedCopy) else cell


def _header_name(cell: Any) -> str:
    return "" if isinstance(cell, _MergedCopy) else normalise_name(cell)


def _find_header(grid: Grid, required: list[str]) -> int | None:
    for index, row in enumerate(grid[: contract.HEADER_SEARCH_ROWS]):
        names = {_header_name(cell) for cell in row}
        if all(name in names for name in required):
            return index
    return None


def _known_column(sheet: str, name: str) -> bool:
    spec = contract.TABLE_SHEETS[sheet]
    if name in spec.names:
        return True
    return sheet == contract.COOPERATION and contract.YEAR_PLAN.match(name) is not None


def _read_table(
    file: str, sheet: str, title: str, grid: Grid, problems: list[Problem]
) -> SheetFrame | None:
    spec = contract.TABLE_SHEETS[sheet]
    header_index = _find_header(grid, spec.required)
    if header_index is None:
        problems.append(
            error(
                Location(file, title),
                f"前 {contract.HEADER_SEARCH_ROWS} 行中找不到表头。必填列为："
                + "、".join(spec.required)
                + "；列名应为："
                + "、".join(spec.names)
                + "。",
            )
        )
        return None
    header_row = header_index + 1
    columns: dict[str, int] = {}  # name → 0-based column index
    seen: dict[str, str] = {}
    named: set[int] = set()  # columns with a name in the header, known or not
    for index, cell in enumerate(grid[header_index]):
        name = _header_name(cell)
        if not name:
            continue
        named.add(index)
        letter = column_letter(index + 1)
        where = Location(file, title, f"{letter}{header_row}", name)
        if name in seen:
            problems.append(
                error(
                    where,
                    f"列「{name}」出现了两次（另一列在 {seen[name]}{header_row}）。请删除或改名其中一列。",
                )
            )
            continue
        seen[name] = letter
        if _known_column(sheet, name):
            columns[name] = index
        else:
            problems.append(
                notice(where, "不是可识别的列，未读取。列名应为：" + "、".join(spec.names) + "。")
            )
    records = []
    for row_index in range(header_index + 1, len(grid)):
        row = grid[row_index]
        if all(is_blank(_value(cell)) for cell in row):
            continue
        if _spans_known_columns(row, columns):
            text = as_text(_value(row[min(columns.values())]))
            problems.append(
                error(
                    Location(file, title, f"行{row_index + 1}"),
                    f"这一行是横跨各列的合并单元格（「{text[:40]}」），像是分组标题，不能作为数据。"
                    "请删除这一行，或取消合并后按列填写。",
                )
            )
            continue
        record = {name: _value(row[i]) if i < len(row) else None for name, i in columns.items()}
        if _repeats_header(record):
            problems.append(
                notice(
                    Location(file, title, f"行{row_index + 1}"),
                    "这一行重复了表头（如从 Word 粘贴的跨页表格，或两行表头），已跳过。",
                )
            )
            continue
        if all(is_blank(v) for v in record.values()):
            # Content only under unknown or empty-headed columns: say so rather than drop it.
            problems.append(
                error(
                    Location(file, title, f"行{row_index + 1}"),
                    "这一行的内容不在任何可识别的列下，无法使用。请把内容移到正确的列，或删除这一行。",
                )
            )
            continue
        for index, cell in enumerate(row):
            # Under a column without a name nothing would ever say the cell was not read.
            if index not in named and not isinstance(cell, _MergedCopy) and not is_blank(cell):
                problems.append(
                    notice(
                        Location(file, title, f"{column_letter(index + 1)}{row_index + 1}"),
                        "这一格有内容，但所在的列没有列名，未读取。请把内容移到正确的列，或删除。",
                    )
                )
        record[ROW_COLUMN] = row_index + 1
        records.append(record)
    frame = pd.DataFrame(records, columns=[*columns, ROW_COLUMN], dtype=object)
    letters = {name: column_letter(i + 1) for name, i in columns.items()}
    return SheetFrame(file, sheet, title, frame, letters, header_row)


def _repeats_header(record: dict[str, Any]) -> bool:
    """Every filled cell holds its own column's name: the header again, not data."""
    filled = [(name, value) for name, value in record.items() if not is_blank(value)]
    return len(filled) >= 2 and all(normalise_name(value) == name for name, value in filled)


def _spans_known_columns(row: list[Any], columns: dict[str, int]) -> bool:
    """One merged range covers every known column of the row: a group title, not data."""
    indexes = sorted(columns.values())
    if len(indexes) < 2:
        return False
    copies = [row[i] if i < len(row) else None for i in indexes[1:]]
    if not all(isinstance(c, _MergedCopy) for c in copies):
        return False
    origins = {c.origin for c in copies}
    return len(origins) == 1 and next(iter(origins))[1] <= indexes[0] + 1


KEY = "字段"
VALUE = "内容"


def _read_key_values(
    file: str, sheet: str, title: str, grid: Grid, problems: list[Problem]
) -> SheetFrame | None:
    """Field names in column A and values in column B, or under a 字段 | 内容 header."""
    header_index = _find_header(grid, [KEY, VALUE])
    key_col, value_col, start = 0, 1, 0
    if header_index is not None:
        names = [_header_name(c) for c in grid[header_index]]
        key_col, value_col, start = names.index(KEY), names.index(VALUE), header_index + 1
    records = []
    for row_index in range(start, len(grid)):
        row = grid[row_index]
        key = _value(row[key_col]) if key_col < len(row) else None
        value = _value(row[value_col]) if value_col < len(row) else None
        rest = [_value(c) for i, c in enumerate(row) if i not in (key_col, value_col)]
        if is_blank(key) and is_blank(value) and all(is_blank(v) for v in rest):
            continue
        records.append({KEY: key, VALUE: value, ROW_COLUMN: row_index + 1})
    frame = pd.DataFrame(records, columns=[KEY, VALUE, ROW_COLUMN], dtype=object)
    letters = {KEY: column_letter(key_col + 1), VALUE: column_letter(value_col + 1)}
    return SheetFrame(
        file, sheet, title, frame, letters, header_index + 1 if header_index is not None else 0
    )
