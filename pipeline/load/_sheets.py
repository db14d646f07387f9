"""Reading one workbook's known sheets: values into a grid, then the grid into rows.

Merged ranges are filled, text is cleaned, error cells are named, and the header is found
within the first rows, so that every value keeps the Excel cell it came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import contract
from ..cells import as_text, clean_text, column_letter, is_blank, normalise_name
from ..problems import Level, Location, Problem, error, notice
from . import _xlsx
from ._header import find_header, known_column, missing_column, near_names, no_header
from .number_format import Shown, display
from .records import LoadedInputs, LoadedSheet, Misnamed, SheetRow


def add_workbook(path: Path, read: _xlsx.WorkbookRead, result: LoadedInputs) -> None:
    if isinstance(read, _xlsx.UnreadableWorkbook):
        # Nothing of a workbook that cannot be read to the end is used.
        result.problems.append(error(Location(path.name), str(read)))
        return
    for title, values in read:
        name = normalise_name(title)
        if values is None:
            if title not in contract.AUXILIARY_SHEETS:
                result.problems.append(
                    notice(
                        Location(path.name, title),
                        "不是可识别的工作表，未读取。可识别的工作表有："
                        + "、".join(contract.KNOWN_SHEETS)
                        + "。",
                    )
                )
        elif isinstance(values, _xlsx.SheetTooLarge):
            result.problems.append(error(Location(path.name, title), _too_large(values)))
        else:
            grid, shown = _read_grid(values, path.name, result.problems)
            reader = _read_key_values if name in contract.KEY_VALUE_SHEETS else _read_table
            sheet = reader(path.name, name, title, grid, shown, result.problems)
            if sheet is not None:
                result.sheets.append(sheet)


def _too_large(sheet: _xlsx.SheetTooLarge) -> str:
    return (
        f"工作表过大（{sheet.rows} 行 × {sheet.columns} 列，上限 {_xlsx.MAX_ROWS} 行、"
        f"{_xlsx.MAX_COLUMNS} 列、共 {_xlsx.MAX_CELLS} 格）。请删除多余的空行和空列。"
    )


Grid = list[list[Any]]  # rows of cleaned values, 0-based; grid[r][c] is Excel row r+1, column c+1
ShownCells = dict[tuple[int, int], Shown]  # (row, column), 1-based → the text Excel shows


def _read_grid(
    sheet: _xlsx.SheetValues, file: str, problems: list[Problem]
) -> tuple[Grid, ShownCells]:
    """All values of a sheet, merged ranges filled, text cleaned, error cells reported; and
    the text Excel shows for each number or date cell with a number format."""
    grid: Grid = []
    for row_number, row in enumerate(sheet.rows, start=1):
        cleaned: list[Any] = []
        for column, value in enumerate(row, start=1):
            if isinstance(value, str):
                text, removed = clean_text(value)
                value = text or None
                if removed:
                    problems.append(
                        notice(
                            _cell_location(file, sheet.title, row_number, column),
                            "删除了 Word 文档不允许的控制字符（如从其他系统粘贴带入的不可见字符）。请核对文字。",
                        )
                    )
            cleaned.append(value)
        grid.append(cleaned)
    # Cells whose value the reader could not give: named in a problem, empty in the grid.
    unreadable = dict.fromkeys(
        sheet.unsaved,
        "公式没有计算结果。请在 Excel 中打开该工作簿、确认公式已计算后保存，或直接填写数值。",
    )
    for cell, shown in sheet.errors.items():
        unreadable[cell] = f"单元格是 Excel 错误值 {shown}。请改正公式或直接填写内容。"
    for (row_number, column), message in sorted(unreadable.items()):
        problems.append(error(_cell_location(file, sheet.title, row_number, column), message))
        if row_number <= len(grid) and column <= len(grid[row_number - 1]):
            grid[row_number - 1][column - 1] = None
    while grid and all(value is None for value in grid[-1]):
        grid.pop()
    shown: ShownCells = {}
    for (row_number, column), code in sheet.formats.items():
        value = _cell(grid, row_number, column)
        if value is not None and not isinstance(value, str | bool):
            shown[(row_number, column)] = display(value, code)
    width = max((len(row) for row in grid), default=0)
    for first_row, first_col, last_row, last_col in sheet.merged:
        top = _value(_cell(grid, first_row, first_col))
        if top is None:
            continue
        top_shown = shown.get((first_row, first_col))
        for r in range(first_row, min(last_row, len(grid)) + 1):
            for c in range(first_col, min(last_col, width) + 1):
                if (r, c) == (first_row, first_col):
                    continue
                if top_shown is not None:
                    shown[(r, c)] = top_shown
                else:
                    shown.pop((r, c), None)
                # A horizontal merge in a header means one wide header, not repeated names.
                _put(
                    grid[r - 1],
                    c,
                    _MergedCopy(top, first_row, first_col) if c > first_col else top,
                )
    return grid, shown


def _cell_location(file: str, title: str, row_number: int, column: int) -> Location:
    return Location(file, title, f"{column_letter(column)}{row_number}")


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


def _read_table(
    file: str, sheet: str, title: str, grid: Grid, shown: ShownCells, problems: list[Problem]
) -> LoadedSheet | None:
    spec = contract.TABLE_SHEETS[sheet]
    top = [[_header_name(cell) for cell in row] for row in grid[: contract.HEADER_SEARCH_ROWS]]
    header_index = find_header(top, spec)
    if header_index is None:
        problems.append(no_header(file, title, spec, Path(file).stem))
        return None
    header_row = header_index + 1
    columns: dict[str, int] = {}  # name → 0-based column index
    seen: dict[str, str] = {}
    named: set[int] = set()  # columns with a name in the header, known or not
    unknown: dict[int, str] = {}
    for index, name in enumerate(top[header_index]):
        if not name:
            continue
        named.add(index)
        letter = column_letter(index + 1)
        if name in seen:
            problems.append(
                error(
                    Location(file, title, f"{letter}{header_row}", name),
                    f"列「{name}」出现了两次（另一列在 {seen[name]}{header_row}）。请删除或改名其中一列。",
                )
            )
            continue
        seen[name] = letter
        if known_column(spec, name):
            columns[name] = index
        else:
            unknown[index] = name
    absent = [name for name in spec.names if name not in columns]
    near = near_names(unknown, absent)
    for index, name in unknown.items():
        if index not in near:
            problems.append(
                notice(
                    Location(file, title, f"{column_letter(index + 1)}{header_row}", name),
                    "不是可识别的列，未读取。列名应为：" + "、".join(spec.names) + "。",
                )
            )
    misnamed = {
        name: Misnamed(f"{column_letter(i + 1)}{header_row}", unknown[i])
        for i, name in near.items()
    }
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
        records.append(SheetRow(row_index + 1, record, _shown(shown, row_index + 1, columns)))
    letters = {name: column_letter(i + 1) for name, i in columns.items()}
    missing = {name: misnamed.get(name) for name in absent}
    loaded = LoadedSheet(file, sheet, title, tuple(records), letters, header_row, missing)
    for name in absent:
        # a column needed in some rows only is named by validate, when a row needs it
        if name in spec.required or (name in misnamed and name not in spec.conditional):
            level = Level.ERROR if name in spec.required else Level.NOTICE
            problems.append(missing_column(loaded, name, level))
    return loaded


def _shown(shown: ShownCells, row_number: int, columns: dict[str, int]) -> dict[str, Shown]:
    """The shown texts of one row, by column name; most rows have none."""
    if not shown:
        return {}
    found = {}
    for name, index in columns.items():
        text = shown.get((row_number, index + 1))
        if text is not None:
            found[name] = text
    return found


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
    file: str, sheet: str, title: str, grid: Grid, shown: ShownCells, problems: list[Problem]
) -> LoadedSheet | None:
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
        texts = _shown(shown, row_index + 1, {KEY: key_col, VALUE: value_col})
        records.append(SheetRow(row_index + 1, {KEY: key, VALUE: value}, texts))
    letters = {KEY: column_letter(key_col + 1), VALUE: column_letter(value_col + 1)}
    header_row = header_index + 1 if header_index is not None else 0
    return LoadedSheet(file, sheet, title, tuple(records), letters, header_row)
