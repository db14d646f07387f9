"""Marked-up copies of the workbooks that have problems, for the office to send back.

Each copy is the department's own workbook with every problem cell filled (errors red, notices
yellow) and carrying a comment that says what is wrong and what to do (a problem with a whole
row, such as a header that lacks a column, fills the row's cells and comments on its first),
and a first sheet `问题` that lists every problem with a link to its cell. The copy is made by
editing the workbook's parts (`xlsx_package` and its neighbours), so everything else in it
stays as the department saved it; the file in `inputs/` is only read, and only if the loader
would open it: a workbook refused as a whole (damaged, a zip bomb) gets no copy. The copies go
into a new folder `outputs/退回_{date}_{time}/`.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..contract import RETURN_SHEET
from ..errors import PipelineError
from ..files import describe_os_error, make_temp_folder, publish_folder, replace_atomically
from ..load import UnreadableWorkbook, readable_workbook
from ..problems import Location, Problem, sorted_problems
from .xlsx_package import Package, PackageError, quote_sheet, split_cell
from .xlsx_sheet import NewCell, Worksheet, add_first_sheet
from .xlsx_styles import Styles

FOLDER_PREFIX = "退回_"
UNREADABLE = "该工作簿无法读取（原因见问题清单），没有可以标注的内容"
AUTHOR = "办公室"
ERROR_FILL = "FFFF9B9B"  # red: must be fixed
NOTICE_FILL = "FFFFE27A"  # yellow: please look
ERROR_TEXT = "FFC00000"
NOTICE_TEXT = "FF9C5700"
LINK_TEXT = "FF0563C1"
HEADER_FILL = "FFDDEBF7"
COLUMNS = (
    ("序号", 6),
    ("级别", 6),
    ("工作表", 16),
    ("单元格", 10),
    ("列", 16),
    ("问题和修改方法", 90),
)


@dataclass
class ReturnCopies:
    """The folder written, the copies in it, and the workbooks that could not be copied."""

    folder: Path | None = None
    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # file name, why


def write_return_copies(
    outputs: Path, inputs: Path, problems: Sequence[Problem], *, now: dt.datetime | None = None
) -> ReturnCopies:
    """Write a marked-up copy of every workbook in `inputs` that `problems` name, into a new
    folder under `outputs`. Raises `PipelineError` when the folder cannot be written."""
    result = ReturnCopies()
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.location.file, []).append(problem)
    copies: dict[str, bytes] = {}
    for file, own in sorted(by_file.items()):
        source = inputs / file
        if source.suffix.lower() != ".xlsx" or not source.is_file():
            continue  # a refused format, the folder itself: only the problem list names them
        try:
            # only what the loader would open: a zip bomb is never inflated here either
            data = readable_workbook(source)
            copies[file] = marked_copy(data, Path(file).stem, own)
        except UnreadableWorkbook:
            result.skipped.append((file, UNREADABLE))
        except PackageError as exc:
            result.skipped.append((file, str(exc)))
        except (ValueError, LookupError, etree.LxmlError, zipfile.BadZipFile):
            # a part laid out in a way this module does not expect: no copy, never a traceback
            result.skipped.append((file, "工作簿的内部结构无法识别"))
    if not copies:
        return result
    stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d_%H%M%S")
    name = FOLDER_PREFIX + stamp
    try:
        outputs.mkdir(parents=True, exist_ok=True)
        temp = make_temp_folder(outputs, name)
        try:
            for file, data in copies.items():
                replace_atomically(temp / file, lambda path, data=data: path.write_bytes(data))
            result.folder = publish_folder(temp, outputs, name)
        except BaseException:
            _discard(temp)
            raise
    except OSError as exc:
        raise PipelineError(
            f"无法在 {outputs} 中写入退回副本：{describe_os_error(exc)}。问题清单不受影响。"
        ) from None
    result.written = [result.folder / file for file in copies]
    return result


def _discard(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink(missing_ok=True)
    os.rmdir(folder)


# ---------------------------------------------------------------- one copy


def _ordered(problems: Sequence[Problem]) -> list[Problem]:
    in_order = sorted_problems(problems)
    return [p for p in in_order if p.is_error] + [p for p in in_order if not p.is_error]


def marked_copy(data: bytes, department: str, problems: Sequence[Problem]) -> bytes:
    """The workbook `data` with `problems` marked on their cells and listed on a first sheet."""
    package = Package(data)
    styles = Styles(package)
    sheets = package.sheets()
    fills = {True: styles.fill(ERROR_FILL), False: styles.fill(NOTICE_FILL)}

    # (sheet, row, column) → the problems shown there; a merged range shows its first cell,
    # a whole row (行4, the header that lacks a column) its first filled cell
    marks: dict[str, dict[tuple[int, int], list[Problem]]] = {}
    rows: dict[str, dict[int, bool]] = {}  # sheet → whole rows marked → whether an error
    worksheets: dict[str, Worksheet] = {}
    origins: dict[str, dict[tuple[int, int], tuple[int, int]]] = {}
    for problem in _ordered(problems):
        where = problem.location
        cell = split_cell(where.cell or "")
        row = _whole_row(where.cell)
        if where.sheet not in sheets or (cell is None and row is None):
            continue  # a sheet left as it is: only the first sheet lists the problem
        if where.sheet not in worksheets:
            worksheets[where.sheet] = Worksheet(package, sheets[where.sheet])
            origins[where.sheet] = worksheets[where.sheet].merged_origin()
        if row is not None:
            marked = rows.setdefault(where.sheet, {})
            marked[row] = marked.get(row, False) or problem.is_error
            cell = (row, (worksheets[where.sheet].filled_columns(row) or [1])[0])
        elif cell is None:
            continue
        cell = origins[where.sheet].get(cell, cell)
        marks.setdefault(where.sheet, {}).setdefault(cell, []).append(problem)
    for sheet, cells in marks.items():
        worksheet = worksheets[sheet]
        for row, is_error in rows.get(sheet, {}).items():
            for column in worksheet.filled_columns(row):
                if (row, column) not in cells:
                    worksheet.fill(styles, row, column, fills[is_error])
        notes = {}
        for (row, column), here in cells.items():
            worksheet.fill(styles, row, column, fills[any(p.is_error for p in here)])
            notes[(row, column)] = _comment(here, (row, column))
        worksheet.comment(notes, AUTHOR)

    add_first_sheet(
        package,
        RETURN_SHEET,
        _listing(styles, department, _ordered(problems), sheets, package.hidden_sheets()),
        [width for _, width in COLUMNS],
        freeze_rows=5,
        heights={1: 24},  # the title's larger font
    )
    return package.save()


def _whole_row(cell: str | None) -> int | None:
    """12 for `行12`, a problem with a whole row."""
    if cell and cell.startswith("行") and cell[1:].isdigit():
        return int(cell[1:])
    return None


def _comment(problems: Sequence[Problem], cell: tuple[int, int]) -> str:
    lines = []
    for number, problem in enumerate(problems, start=1):
        prefix = f"{number}. " if len(problems) > 1 else ""
        where = problem.location
        own = split_cell(where.cell or "")
        moved = f"（{where.cell}）" if own is not None and own != cell else ""
        column = f"列「{where.column}」{moved}：" if where.column else moved
        lines.append(f"{prefix}[{problem.level.value}] {column}{problem.message}")
    return "\n".join(lines)


def _link(where: Location, sheets: dict[str, str]) -> tuple[str, str | None]:
    """What the 单元格 column shows, and where clicking it goes."""
    if where.sheet not in sheets:
        return ("—" if not where.sheet else "（整个工作表）"), None
    target = quote_sheet(where.sheet)
    cell = where.cell or ""
    if split_cell(cell):
        return cell, f"{target}!{cell}"
    if _whole_row(cell) is not None:
        return cell, f"{target}!A{_whole_row(cell)}"
    return "（整个工作表）" if not where.column else "（该列）", f"{target}!A1"


def _listing(
    styles: Styles,
    department: str,
    problems: Sequence[Problem],
    sheets: dict[str, str],
    hidden: set[str],
) -> list[list[NewCell]]:
    title = styles.cell_format(font=styles.font(bold=True, size=14), wrap=False)
    header = styles.cell_format(font=styles.font(bold=True), fill=styles.fill(HEADER_FILL))
    plain = styles.cell_format()
    level_style = {
        True: styles.cell_format(font=styles.font(bold=True, color=ERROR_TEXT)),
        False: styles.cell_format(font=styles.font(bold=True, color=NOTICE_TEXT)),
    }
    link = styles.cell_format(font=styles.font(color=LINK_TEXT, underline=True))
    errors = sum(p.is_error for p in problems)
    rows = [
        [NewCell(f"{department}：错误 {errors} 处，提示 {len(problems) - errors} 处", title)],
        [
            NewCell(
                "红色底色的单元格是错误，必须修改；黄色底色的是提示，请核对。鼠标移到单元格上可以看到"
                "批注（问题和修改方法）；点击下表「单元格」一列可以跳到该单元格。",
                0,
            )
        ],
        [NewCell("改好后请保存，把这个工作簿发回办公室（文件名不要改；本表可以保留）。", 0)],
        [],
        [NewCell(name, header) for name, _ in COLUMNS],
    ]
    for number, problem in enumerate(problems, start=1):
        where = problem.location
        shown, target = _link(where, sheets)
        rows.append(
            [
                NewCell(number, plain),
                NewCell(problem.level.value, level_style[problem.is_error]),
                # a link cannot open a hidden sheet: say where it is
                NewCell(
                    (where.sheet or "—") + ("（已隐藏）" if where.sheet in hidden else ""), plain
                ),
                NewCell(shown, link if target else plain, target),
                NewCell(where.column or "", plain),
                NewCell(problem.message, plain),
            ]
        )
    return rows
