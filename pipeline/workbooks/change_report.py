"""`变更对照.xlsx`: what changed since an earlier run, for the office to read before signing.

Three sheets: `汇总` (counts per department), `项目表变更` (per region and item: items and rows
added and removed, each changed cell old and new side by side, renumberings, 是否纳入 changes,
notes) and `专报变更` (per heading: paragraphs added, removed, changed). Every sheet has its
header frozen and filters on; every text is literal (never a formula).
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..changes import ChangeSet, Kind
from ..errors import PipelineError
from ..files import describe_os_error, replace_atomically
from .xlsx_write import row_height, set_text, workbook_bytes

SUMMARY_SHEET = "汇总"
TABLES_SHEET = "项目表变更"
REPORT_SHEET = "专报变更"

# (title, width, wrapped)
TABLE_COLUMNS = (
    ("对口地区", 9, False),
    ("上次序号", 8, False),
    ("本次序号", 8, False),
    ("事项", 14, True),
    ("部门", 10, True),
    ("变更", 12, False),
    ("列", 12, True),
    ("上次内容", 40, True),
    ("本次内容", 40, True),
    ("位置", 22, True),
)
REPORT_COLUMNS = (
    ("一级标题", 18, True),
    ("二级标题", 18, True),
    ("部门", 10, True),
    ("变更", 10, False),
    ("上次内容", 50, True),
    ("本次内容", 50, True),
    ("位置", 22, True),
)
# (title, kinds counted)
SUMMARY_COUNTS: tuple[tuple[str, tuple[Kind, ...]], ...] = (
    ("新增事项", (Kind.ITEM_ADDED,)),
    ("删除事项", (Kind.ITEM_REMOVED,)),
    ("新增行", (Kind.ROW_ADDED,)),
    ("删除行", (Kind.ROW_REMOVED,)),
    ("修改单元格", (Kind.CELL_CHANGED,)),
    ("是否纳入变化", (Kind.INCLUSION,)),
    ("编号、名称、注", (Kind.RENUMBERED, Kind.RENAMED, Kind.NOTE_ADDED, Kind.NOTE_REMOVED)),
    ("新增段落", (Kind.PARAGRAPH_ADDED,)),
    ("删除段落", (Kind.PARAGRAPH_REMOVED,)),
    ("修改段落", (Kind.PARAGRAPH_CHANGED,)),
)
TOTAL = "合计"
SUMMARY_HEADER_ROW = 4  # under the title and the summary line

_HEADER_FONT = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_KIND_FILLS = {
    "added": PatternFill("solid", fgColor="E2EFDA"),
    "removed": PatternFill("solid", fgColor="FCE4D6"),
    "changed": PatternFill("solid", fgColor="FFF2CC"),
}
_ADDED = (Kind.ITEM_ADDED, Kind.ROW_ADDED, Kind.NOTE_ADDED, Kind.PARAGRAPH_ADDED)
_REMOVED = (Kind.ITEM_REMOVED, Kind.ROW_REMOVED, Kind.NOTE_REMOVED, Kind.PARAGRAPH_REMOVED)
_TOP = Alignment(vertical="top")
# In a changed cell or paragraph, what went (old side) and what came (new side).
_GONE = InlineFont(color="C00000", strike=True)
_CAME = InlineFont(color="C00000", b=True)
_MARKED_KINDS = (Kind.CELL_CHANGED, Kind.PARAGRAPH_CHANGED)
_CENTRED = Alignment(horizontal="center", vertical="top")
_WRAPPED = Alignment(vertical="top", wrap_text=True)


def change_report_bytes(changes: ChangeSet, against: str = "上次") -> bytes:
    """The change workbook as .xlsx bytes (the same changes always give the same bytes)."""
    workbook = Workbook()
    _summary(workbook.active, changes, against)
    _tables(workbook.create_sheet(TABLES_SHEET), changes)
    _report(workbook.create_sheet(REPORT_SHEET), changes)
    workbook.properties.title = "变更对照"
    return workbook_bytes(workbook)


def write_change_report(path: Path, changes: ChangeSet, against: str) -> None:
    """Write the change workbook to `path`, replacing it in one step."""
    data = change_report_bytes(changes, against)
    try:
        replace_atomically(path, lambda temporary: temporary.write_bytes(data))
    except OSError as exc:
        raise PipelineError(
            f"无法写入变更对照 {path}：{describe_os_error(exc)}。如果该文件正在 Excel 中打开，请先关闭。"
        ) from None


def _kind_fill(kind: Kind) -> PatternFill:
    if kind in _ADDED:
        return _KIND_FILLS["added"]
    if kind in _REMOVED:
        return _KIND_FILLS["removed"]
    return _KIND_FILLS["changed"]


def _header(sheet: Worksheet, columns: Sequence[tuple[str, int, bool]], row: int = 1) -> None:
    for index, (title, width, _) in enumerate(columns, start=1):
        cell = sheet.cell(row=row, column=index)
        set_text(cell, title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{row + 1}"
    # Printed: landscape A4, as wide as the page, the header on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{row}:{row}"


def _rows(
    sheet: Worksheet,
    columns: Sequence[tuple[str, int, bool]],
    rows: Sequence[tuple[Kind, Sequence[object]]],
    kind_column: int,
    offsets: tuple[int, int],
) -> None:
    """One change per row; `offsets` lead from the 变更 column to the old and new text."""
    for row, (kind, values) in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, int):
                cell.value = value
                cell.alignment = _CENTRED
            else:
                set_text(cell, value)
                cell.alignment = _WRAPPED if columns[column - 1][2] else _TOP
        sheet.cell(row=row, column=kind_column).fill = _kind_fill(kind)
        if kind in _MARKED_KINDS:
            _mark_difference(
                sheet.cell(row=row, column=kind_column + offsets[0]),
                sheet.cell(row=row, column=kind_column + offsets[1]),
            )
        sheet.row_dimensions[row].height = _height(values, columns)
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"


def _mark_difference(old: Cell, new: Cell) -> None:
    """Red strike-through for the characters that went, red bold for those that came; the
    cells hold the texts `set_text` wrote (rich text is never a formula either)."""
    before, after = old.value, new.value
    if not isinstance(before, str) or not isinstance(after, str):
        return
    old_parts: list[str | TextBlock] = []
    new_parts: list[str | TextBlock] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            old_parts.append(before[i1:i2])
            new_parts.append(after[j1:j2])
            continue
        if i2 > i1:
            old_parts.append(TextBlock(_GONE, before[i1:i2]))
        if j2 > j1:
            new_parts.append(TextBlock(_CAME, after[j1:j2]))
    old.value = CellRichText(old_parts)
    new.value = CellRichText(new_parts)


def _height(values: Sequence[object], columns: Sequence[tuple[str, int, bool]]) -> float:
    wrapped = [
        (value, width)
        for value, (_, width, wraps) in zip(values, columns, strict=True)
        if wraps and isinstance(value, str)
    ]
    return row_height(wrapped)


def _tables(sheet: Worksheet, changes: ChangeSet) -> None:
    _header(sheet, TABLE_COLUMNS)
    rows = [
        (
            c.kind,
            (
                c.region,
                c.old_number if c.old_number is not None else "",
                c.new_number if c.new_number is not None else "",
                c.item,
                "、".join(c.departments),
                c.kind.value,
                c.column,
                c.old,
                c.new,
                c.location,
            ),
        )
        for c in changes.tables
    ]
    _rows(sheet, TABLE_COLUMNS, rows, kind_column=6, offsets=(2, 3))


def _report(sheet: Worksheet, changes: ChangeSet) -> None:
    _header(sheet, REPORT_COLUMNS)
    rows = [
        (
            c.kind,
            (
                c.heading,
                c.subheading,
                "、".join(c.departments),
                c.kind.value,
                c.old,
                c.new,
                c.location,
            ),
        )
        for c in changes.report
    ]
    _rows(sheet, REPORT_COLUMNS, rows, kind_column=4, offsets=(1, 2))


def _spanning(sheet: Worksheet, row: int, width: int) -> Cell:
    """The first cell of `row`, merged across `width` columns, text wrapped: a line of text
    that stays on the printed page."""
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    cell = sheet.cell(row=row, column=1)
    cell.alignment = _WRAPPED
    return cell


def _summary(sheet: Worksheet, changes: ChangeSet, against: str) -> None:
    sheet.title = SUMMARY_SHEET
    columns = (("部门", 16, True), *((name, 9, True) for name, _ in SUMMARY_COUNTS))
    columns = (*columns, (TOTAL, 8, False))
    title = _spanning(sheet, 1, len(columns))
    set_text(title, f"变更对照：本次（{changes.new_label}）与{against}（{changes.old_label}）")
    title.font = _TITLE_FONT
    set_text(_spanning(sheet, 2, len(columns)), changes.summary(against))
    _header(sheet, columns, row=SUMMARY_HEADER_ROW)
    by_department = changes.by_department()
    row = SUMMARY_HEADER_ROW
    totals = [0] * (len(SUMMARY_COUNTS) + 1)
    for name, counted in by_department.items():
        row += 1
        set_text(sheet.cell(row=row, column=1), name or "（未注明）")
        values = [sum(counted[k] for k in kinds) for _, kinds in SUMMARY_COUNTS]
        values.append(sum(values))
        for column, value in enumerate(values, start=2):
            sheet.cell(row=row, column=column, value=value)
            totals[column - 2] += value
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{SUMMARY_HEADER_ROW}:{last}{row}"
    # The total sits below the filtered range, so filtering a department keeps it in view.
    row += 1
    set_text(sheet.cell(row=row, column=1), TOTAL)
    for column, value in enumerate(totals, start=2):
        sheet.cell(row=row, column=column, value=value)
    for column in range(1, len(columns) + 1):
        sheet.cell(row=row, column=column).font = _HEADER_FONT
    note = _spanning(sheet, row + 2, len(columns))
    sheet.row_dimensions[row + 2].height = 48
    set_text(
        note,
        "说明：一个事项或段落涉及几个部门时，在每个部门下各计一次，所以合计可能多于变更条数。"
        "「修改」指新增、删除事项以外的全部变化（行、单元格、编号、名称、注、段落）。",
    )
