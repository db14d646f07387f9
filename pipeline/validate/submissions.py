"""Who was expected to submit, and what each department sent.

The office lists the departments in `报送单位` (with the sheets each owes); the workbooks in
`inputs/` are matched to it by file name. `submission_problems` gives the notices: a listed
department without a workbook or without a sheet it owes, a workbook from a department not
listed. `submission_status` gives the table the office reads after a check (the records are
`model.Submission` and `model.SubmissionStatus`): each department's workbook, its modification
time, rows, errors, notices and status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .. import contract
from ..cells import as_text, is_blank, normalise_name
from ..files import department_file_name
from ..load import LoadedInputs, LoadedSheet
from ..model import ExpectedDepartment, InputFile, Submission, SubmissionStatus
from ..problems import Location, Problem, error, notice

_OWES = {
    contract.PROGRESS: (contract.PROGRESS,),
    contract.COOPERATION: (contract.COOPERATION,),
    contract.SUBMITS_ALL: contract.DEPARTMENT_SHEETS,
}


def _key(name: str) -> str:
    return normalise_name(name)


def _text(value: object) -> str:
    return "" if is_blank(value) else as_text(value)


def read_roster(
    loaded: LoadedInputs, problems: list[Problem] | None = None
) -> list[ExpectedDepartment] | None:
    """The departments of `报送单位` (None without the sheet); row problems go to `problems`."""
    sheets = loaded.named(contract.SUBMITTERS)
    if not sheets:
        return None
    sheet = sheets[0]
    if "部门" in sheet.missing:
        return None  # the missing column is named once by load; no department can be read
    found: list[ExpectedDepartment] = []
    rows: dict[str, int] = {}
    report = problems if problems is not None else []
    for row in sheet.rows:
        name = _text(row.get("部门"))
        where = sheet.location(row.number, "部门")
        if not name:
            report.append(
                error(where, "必填，不能为空。请填写部门名称（即其工作簿的文件名），或删除这一行。")
            )
            continue
        what = normalise_name(row.get("报送内容")) or contract.SUBMITS_ALL
        if what not in _OWES:
            report.append(
                error(
                    sheet.location(row.number, "报送内容"),
                    f"「{_text(row.get('报送内容'))}」无法识别。应为 "
                    + "、".join(_OWES)
                    + f"（不填视为{contract.SUBMITS_ALL}）。",
                )
            )
            what = contract.SUBMITS_ALL
        department = ExpectedDepartment(
            name,
            _OWES[what],
            _text(row.get("联系人")),
            _text(row.get("联系电话")),
            where,
        )
        if department.key in rows:
            report.append(
                notice(
                    where,
                    f"「{name}」在第 {rows[department.key]} 行已经列出，这一行未使用。请删除重复的一行。",
                )
            )
            continue
        rows[department.key] = row.number
        found.append(department)
    return found


def _office_files(loaded: LoadedInputs) -> set[str]:
    office = set(contract.OFFICE_SHEETS)
    return {s.file for s in loaded.sheets if s.sheet in office}


def _sheets_by_file(loaded: LoadedInputs) -> dict[str, dict[str, LoadedSheet]]:
    by_file: dict[str, dict[str, LoadedSheet]] = {}
    for sheet in loaded.sheets:
        by_file.setdefault(sheet.file, {}).setdefault(sheet.sheet, sheet)
    return by_file


def _unreadable_sheets(loaded: LoadedInputs) -> set[tuple[str, str]]:
    """(file, sheet) of sheets that are there but could not be read: an error says so already."""
    return {
        (p.location.file, normalise_name(p.location.sheet))
        for p in loaded.problems
        if p.location.sheet
    }


def _missing(
    department: ExpectedDepartment,
    file: str,
    sheets: dict[str, LoadedSheet],
    unreadable: set[tuple[str, str]],
) -> list[tuple[str, LoadedSheet | None]]:
    """The sheets it owes that are absent (None) or hold no rows (the sheet)."""
    missing: list[tuple[str, LoadedSheet | None]] = []
    for name in department.owes:
        sheet = sheets.get(name)
        if sheet is None and (file, name) not in unreadable:
            missing.append((name, None))
        elif sheet is not None and not sheet.rows:
            missing.append((name, sheet))
    return missing


def _workbooks_by_key(loaded: LoadedInputs) -> dict[str, InputFile]:
    return {_key(path.stem): path for path in loaded.workbooks}


def submission_problems(loaded: LoadedInputs) -> list[Problem]:
    """The roster's own problems, and a notice for each department that has not sent (all of)
    what it owes and for each department workbook from a department not listed."""
    problems: list[Problem] = []
    roster = read_roster(loaded, problems)
    if roster is None:
        return problems
    roster_file = loaded.named(contract.SUBMITTERS)[0].file
    workbooks = _workbooks_by_key(loaded)
    by_file = _sheets_by_file(loaded)
    unreadable = _unreadable_sheets(loaded)
    for department in roster:
        path = workbooks.get(department.key)
        if path is None:
            assert department.location is not None
            problems.append(
                notice(
                    department.location,
                    f"「{department.name}」尚未报送：输入文件夹中没有 "
                    f"{department_file_name(department.name)}。请催报；收到后放入输入文件夹"
                    "（文件名即部门名称）。",
                )
            )
            continue
        owes = "和".join(f"「{name}」" for name in department.owes)
        for name, sheet in _missing(department, path.name, by_file.get(path.name, {}), unreadable):
            if sheet is None:
                problems.append(
                    notice(
                        Location(path.name),
                        f"没有工作表「{name}」。按 {roster_file} 的「报送单位」，"
                        f"{department.name}应报送{owes}。请添加该工作表并填写后重新发送"
                        "（表头见办公室下发的空白报送表）。",
                    )
                )
            else:
                problems.append(
                    notice(
                        Location(path.name, sheet.title),
                        f"工作表「{name}」没有填写内容。按 {roster_file} 的「报送单位」，"
                        f"{department.name}应报送{owes}。请填写后重新发送；"
                        f"本期确实没有时，请办公室修改「报送单位」中的报送内容。",
                    )
                )
    listed = {d.key for d in roster}
    office = _office_files(loaded)
    for path in loaded.workbooks:
        sheets = by_file.get(path.name, {})
        holds_department_sheets = any(name in sheets for name in contract.DEPARTMENT_SHEETS)
        if _key(path.stem) in listed or path.name in office or not holds_department_sheets:
            continue
        problems.append(
            notice(
                Location(path.name),
                f"「{path.stem}」不在 {roster_file} 的「报送单位」中。如果该部门应当报送，请在"
                f"「报送单位」中添加一行「{path.stem}」；如果文件名不是部门名称，请改为部门名称。",
            )
        )
    return problems


def _modified(workbook: InputFile) -> dt.datetime | None:
    """When the department last saved the workbook, as it was when read."""
    if not workbook.modified_ns:
        return None
    return dt.datetime.fromtimestamp(workbook.modified_ns / 1e9)


def submission_status(loaded: LoadedInputs, problems: Sequence[Problem]) -> SubmissionStatus:
    """The 报送情况 table for what `loaded` holds and the problems found in it."""
    roster = read_roster(loaded)
    status = SubmissionStatus(has_roster=roster is not None)
    workbooks = _workbooks_by_key(loaded)
    by_file = _sheets_by_file(loaded)
    unreadable = _unreadable_sheets(loaded)
    counts = loaded.row_counts

    def submission(
        name: str, path: InputFile | None, expected: ExpectedDepartment | None
    ) -> Submission:
        if path is None:
            assert expected is not None
            return Submission(
                name, None, None, 0, 0, 0, True, expected.owes, expected.contact, expected.phone
            )
        mine = [p for p in problems if p.location.file == path.name]
        errors = sum(p.is_error for p in mine)
        missing = (
            tuple(
                n for n, _ in _missing(expected, path.name, by_file.get(path.name, {}), unreadable)
            )
            if expected is not None
            else ()
        )
        return Submission(
            name,
            path.name,
            _modified(path),
            sum(counts.get(path.name, {}).values()),
            errors,
            len(mine) - errors,
            expected is not None,
            missing,
            expected.contact if expected else "",
            expected.phone if expected else "",
        )

    for department in roster or []:
        status.submissions.append(
            submission(department.name, workbooks.get(department.key), department)
        )
    listed = {d.key for d in roster or []}
    office = _office_files(loaded)
    for path in loaded.workbooks:
        if _key(path.stem) not in listed and path.name not in office:
            status.submissions.append(submission(path.stem, path, None))
    return status
