"""The submission status of the period and the problems behind it, for the pages.

`submission_status` is the one place the pages get their 报送情况 table from; `department_check`
validates one department's workbook against the office's outline, regions and plan years
without showing anything of the other departments.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import InputProblems, PipelineError, Problem, check, contract
from ..api import OFFICE_WORKBOOK
from ..files import department_file_name
from ..load import load_inputs

DONE = "已通过"
NOTICES = "有提示"
ERRORS = "有错误"
MISSING = "未报送"


@dataclass(frozen=True)
class StatusRow:
    """One workbook of the period, as the 报送情况 table shows it."""

    department: str
    workbook: str
    modified: str  # local time, minutes; "" when there is no file
    rows: dict[str, int]  # sheet → data rows
    errors: int
    notices: int

    @property
    def state(self) -> str:
        if not self.workbook:
            return MISSING
        if self.errors:
            return ERRORS
        return NOTICES if self.notices else DONE

    @property
    def row_total(self) -> int:
        return sum(self.rows.values())


@dataclass
class StatusReport:
    rows: list[StatusRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failure: str = ""  # a message when the folder could not be checked at all

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)


def department_of(file: str) -> str:
    """`环保处.xlsx` → 环保处 (the contract: a workbook's department is its file stem)."""
    return Path(file).stem


def workbook_files(inputs: Path) -> list[Path]:
    """The `.xlsx` files the loader reads, in its order (lock files and dot files skipped)."""
    if not inputs.is_dir():
        return []
    return sorted(
        (
            path
            for path in inputs.iterdir()
            if path.is_file()
            and path.suffix.lower() == ".xlsx"
            and not path.name.startswith(("~$", "."))
        ),
        key=lambda p: p.name,
    )


def departments(inputs: Path) -> list[str]:
    """The departments that get a link: the stems of the workbooks in `inputs/`, the office's
    own workbook excepted."""
    return [
        department_of(path.name) for path in workbook_files(inputs) if path.name != OFFICE_WORKBOOK
    ]


def _modified(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")


def _rows(
    files: Sequence[Path], problems: Sequence[Problem], counts: dict[str, dict[str, int]]
) -> list[StatusRow]:
    errors = Counter(p.location.file for p in problems if p.is_error)
    notices = Counter(p.location.file for p in problems if not p.is_error)
    return [
        StatusRow(
            department=department_of(path.name),
            workbook=path.name,
            modified=_modified(path),
            rows=counts.get(path.name, {}),
            errors=errors[path.name],
            notices=notices[path.name],
        )
        for path in files
    ]


def submission_status(inputs: Path) -> StatusReport:
    """Every workbook in `inputs/` with its rows, errors and notices, and every problem: the
    same `check` as `pipeline check`."""
    files = workbook_files(inputs)
    try:
        prepared = check(inputs)
    except InputProblems as exc:
        problems = list(exc.problems)
        counts = load_inputs(inputs).row_counts  # the dossier's counts exist only without errors
    except PipelineError as exc:
        return StatusReport(failure=exc.message)
    else:
        problems = list(prepared.dossier.notices)
        counts = prepared.dossier.row_counts
    return StatusReport(_rows(files, problems, counts), problems)


def office_workbooks(inputs: Path) -> list[Path]:
    """The workbooks holding any of the office's sheets (by convention only 报告信息.xlsx)."""
    loaded = load_inputs(inputs) if inputs.is_dir() else None
    if loaded is None:
        return []
    names = {sheet.file for sheet in loaded.sheets if sheet.sheet in contract.OFFICE_SHEETS}
    return [workbook.path for workbook in loaded.workbooks if workbook.name in names]


def department_check(inputs: Path, department: str) -> StatusReport:
    """One department's workbook checked beside the office's workbooks in a temporary folder
    (the office's outline, regions and plan years); only that workbook's problems are
    returned, so nothing of another department shows."""
    name = department_file_name(department)
    source = inputs / name
    if not source.is_file():
        return StatusReport()
    with tempfile.TemporaryDirectory(prefix="pipeline-web-", ignore_cleanup_errors=True) as folder:
        temporary = Path(folder)
        for path in office_workbooks(inputs):
            if path.name != name:
                shutil.copyfile(path, temporary / path.name)
        shutil.copyfile(source, temporary / name)
        report = submission_status(temporary)
    rows = [
        replace(row, department=department, modified=_modified(source))
        for row in report.rows
        if row.workbook == name
    ]
    own = [p for p in report.problems if p.location.file == name]
    return StatusReport(rows, own, report.failure)
