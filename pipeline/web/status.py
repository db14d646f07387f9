"""The submission status of the period and the problems behind it, for the pages.

`status_report` gives the 报送情况 table from the product's own `submission_status` (the table
`pipeline check` prints), after the same `check`; `departments` the departments that get a
link (the office's 报送单位, then the workbooks present); `department_check` validates one
department's workbook against the office's outline, regions and plan years without showing
anything of the other departments.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .. import InputProblems, PipelineError, Problem, Submission, SubmissionStatus, check, contract
from ..files import department_file_name
from ..load import load_inputs
from ..validate.submissions import submission_status

TIME_FORMAT = "%Y-%m-%d %H:%M"  # as the terminal's table

# The product's states, and the badge each gets on the pages.
STATE_CLASSES = {"已报送": "ok", "有错误": "error", "未报送": "missing"}


@dataclass(frozen=True)
class OfficeWorkbook:
    """A workbook of `inputs/` that is no department's (the office's 报告信息.xlsx)."""

    workbook: str
    modified: str
    errors: int
    notices: int


@dataclass
class StatusReport:
    """The 报送情况 table, the office's own workbooks, and every problem."""

    status: SubmissionStatus = field(default_factory=SubmissionStatus)
    problems: list[Problem] = field(default_factory=list)
    office: list[OfficeWorkbook] = field(default_factory=list)
    failure: str = ""  # a message when the folder could not be checked at all

    @property
    def rows(self) -> list[Submission]:
        return self.status.submissions

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def notices(self) -> int:
        return len(self.problems) - self.errors

    def count(self, state: str) -> int:
        return sum(row.status == state for row in self.rows)


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


def modified_text(moment: dt.datetime | None) -> str:
    return moment.strftime(TIME_FORMAT) if moment else ""


def _modified(path: Path) -> str:
    try:
        return modified_text(dt.datetime.fromtimestamp(path.stat().st_mtime))
    except OSError:
        return ""


def _office_files(inputs: Path) -> set[str]:
    loaded = load_inputs(inputs)
    return {sheet.file for sheet in loaded.sheets if sheet.sheet in contract.OFFICE_SHEETS}


def departments(inputs: Path) -> list[str]:
    """The departments that get a link, an upload row and a blank workbook: those the office
    lists in 报送单位 (in its order, whether they have sent anything or not), then every other
    workbook in `inputs/` that is not the office's."""
    if not inputs.is_dir():
        return []
    loaded = load_inputs(inputs)
    status = submission_status(loaded, ())
    names = [row.department for row in status.submissions]
    covered = {row.workbook for row in status.submissions if row.workbook}
    covered |= {department_file_name(name) for name in names}
    office = {sheet.file for sheet in loaded.sheets if sheet.sheet in contract.OFFICE_SHEETS}
    for path in workbook_files(inputs):  # one the loader could not read still gets its link
        if path.name not in covered and path.name not in office:
            names.append(department_of(path.name))
    return names


def status_report(inputs: Path) -> StatusReport:
    """The product's 报送情况 table and every problem, from the same `check` as
    `pipeline check`; the office's own workbooks beside it."""
    try:
        prepared = check(inputs)
    except InputProblems as exc:
        problems = list(exc.problems)
        status = exc.submissions
        if status is None:  # an error before the table could be made: still list the files
            status = submission_status(load_inputs(inputs), problems)
    except PipelineError as exc:
        return StatusReport(failure=exc.message)
    else:
        problems = list(prepared.dossier.notices)
        status = prepared.submissions or SubmissionStatus()
    errors = Counter(p.location.file for p in problems if p.is_error)
    notices = Counter(p.location.file for p in problems if not p.is_error)
    departments_files = {row.workbook for row in status.submissions if row.workbook}
    office = [
        OfficeWorkbook(path.name, _modified(path), errors[path.name], notices[path.name])
        for path in workbook_files(inputs)
        if path.name not in departments_files
    ]
    return StatusReport(status, problems, office)


def office_workbooks(inputs: Path) -> list[Path]:
    """The workbooks holding any of the office's sheets (by convention only 报告信息.xlsx)."""
    if not inputs.is_dir():
        return []
    names = _office_files(inputs)
    return [path for path in workbook_files(inputs) if path.name in names]


def department_check(inputs: Path, department: str) -> StatusReport:
    """One department's workbook checked beside the office's workbooks in a temporary folder
    (the office's outline, regions and plan years); only that workbook's row and problems are
    returned, so nothing of another department shows, and the problems as told to it."""
    name = department_file_name(department)
    source = inputs / name
    if not source.is_file():
        return StatusReport()
    with tempfile.TemporaryDirectory(prefix="pipeline-web-", ignore_cleanup_errors=True) as folder:
        temporary = Path(folder)
        for path in office_workbooks(inputs):
            if path.name != name:
                shutil.copyfile(path, temporary / path.name)
        shutil.copy2(source, temporary / name)  # keeps the time it was sent
        report = status_report(temporary)
    own = [row for row in report.rows if row.workbook == name]
    problems = [p.for_sender() for p in report.problems if p.location.file == name]
    return StatusReport(
        SubmissionStatus(own, report.status.has_roster), problems, [], report.failure
    )
