"""The list of problems as a workbook the office can filter per department and send back.

Every value is written as literal text: a message may quote a cell that starts with `=`,
and the list must not turn it into a live formula.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..errors import PipelineError
from ..files import describe_os_error, storable_text
from ..problems import Problem, sorted_problems
from .xlsx_write import replace_workbook, set_text

PROBLEMS_SHEET = "问题清单"
SUMMARY_SHEET = "汇总"

# (title, width)
PROBLEM_COLUMNS = (
    ("部门", 16),
    ("文件", 24),
    ("工作表", 14),
    ("单元格", 8),
    ("列", 16),
    ("级别", 6),
    ("说明", 80),
)
SUMMARY_COLUMNS = (("部门", 16), ("文件", 24), ("错误", 8), ("提示", 8))
TOTAL = "合计"

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_ERROR_FONT = Font(color="C00000", bold=True)
_TOP = Alignment(vertical="top")
_WRAPPED = Alignment(vertical="top", wrap_text=True)


def department_of(file: str) -> str:
    """The department a file belongs to: its stem (`环保处.xlsx` → 环保处)."""
    return Path(file).stem if file else ""


def ordered(problems: Sequence[Problem]) -> list[Problem]:
    """Errors first, then notices; each group in `sorted_problems` order."""
    in_order = sorted_problems(problems)
    return [p for p in in_order if p.is_error] + [p for p in in_order if not p.is_error]


def save_problem_list(outputs: Path, problems: Sequence[Problem]) -> Path | None:
    """Write `问题清单_{date}_{time}.xlsx` into `outputs`; None when there are no problems.

    Raises `PipelineError` (a Chinese message, exit code 1) when it cannot be written."""
    if not problems:
        return None
    stamp = dt.datetime.now().strftime("%Y-%m-%d_%H%M%S")
    path = outputs / f"问题清单_{stamp}.xlsx"
    write_problem_report(path, problems)
    return path


def write_problem_report(path: Path, problems: Sequence[Problem]) -> None:
    """Write `问题清单` (one row per problem) and `汇总` (counts per file) to `path`."""
    workbook = Workbook()
    listing = workbook.active
    listing.title = PROBLEMS_SHEET
    _header(listing, PROBLEM_COLUMNS)
    rows = ordered(problems)
    for row, problem in enumerate(rows, start=2):
        loc = problem.location
        values = (
            department_of(loc.file),
            loc.file,
            loc.sheet,
            loc.cell,
            loc.column,
            problem.level.value,
            problem.message,
        )
        for column, value in enumerate(values, start=1):
            cell = listing.cell(row=row, column=column)
            set_text(cell, storable_text(value or ""))
            cell.alignment = _WRAPPED if column == len(values) else _TOP
        if problem.is_error:
            listing.cell(row=row, column=len(values) - 1).font = _ERROR_FONT
    last = get_column_letter(len(PROBLEM_COLUMNS))
    listing.auto_filter.ref = f"A1:{last}{len(rows) + 1}"

    summary = workbook.create_sheet(SUMMARY_SHEET)
    _header(summary, SUMMARY_COLUMNS)
    errors = Counter(p.location.file for p in rows if p.is_error)
    notices = Counter(p.location.file for p in rows if not p.is_error)
    files = sorted(set(errors) | set(notices))
    for row, file in enumerate(files, start=2):
        set_text(summary.cell(row=row, column=1), storable_text(department_of(file)))
        set_text(summary.cell(row=row, column=2), storable_text(file))
        summary.cell(row=row, column=3, value=errors[file])
        summary.cell(row=row, column=4, value=notices[file])
    total_row = len(files) + 2
    set_text(summary.cell(row=total_row, column=1), TOTAL)
    summary.cell(row=total_row, column=3, value=sum(errors.values()))
    summary.cell(row=total_row, column=4, value=sum(notices.values()))
    for column in range(1, len(SUMMARY_COLUMNS) + 1):
        summary.cell(row=total_row, column=column).font = _HEADER_FONT

    _save(workbook, path)


def _header(sheet, columns: Sequence[tuple[str, int]]) -> None:
    for index, (title, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        set_text(cell, title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _save(workbook: Workbook, path: Path) -> None:
    """Replace `path` in one step, so a reader never sees half a file."""
    try:
        replace_workbook(workbook, path)
    except OSError as exc:
        raise PipelineError(
            f"无法保存问题清单 {path}：{describe_os_error(exc)}。"
            f"请关闭打开着的问题清单，并确认文件夹 {path.parent} 可以写入，然后重新运行。"
        ) from None
