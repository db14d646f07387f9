"""Carrying a run forward: the workbooks of the next period, pre-filled with what each
department (and the office) sent in that run.

The run's archived inputs are read with the product's own loader and validator, so the rows
written back are the rows that built the run's documents, value for value and in order: a
department that changes nothing gets the same documents again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import contract
from ..cells import as_text, normalise_name, parse_int
from ..errors import ArchiveError
from ..files import department_file_name
from ..load import KEY, VALUE, LoadedInputs, load_inputs
from ..validate import validate
from .blank import choices_of, write_department_workbook, write_office_workbook

Rows = dict[str, list[dict[str, Any]]]  # sheet name → rows of column → value

# Emptied in the carried-over office workbook: they belong to one issue only.
EMPTIED_FIELDS = ("日期", "专报日期")
EMPTIED_SHEETS = (contract.APPROVAL,)
ISSUE = "期号"
DOCUMENT_NUMBER = "文号"


@dataclass
class CarriedOver:
    """What a run's inputs hold, by workbook: department rows, and the office's sheets."""

    departments: dict[str, Rows] = field(default_factory=dict)  # department → its rows
    office_fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # sheet → field → value
    office_rows: Rows = field(default_factory=dict)
    regions: list[str] = field(default_factory=list)
    outline: list[tuple[str, str | None]] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    def department(self, name: str) -> str | None:
        """The run's department of that name (compared without spaces and width differences)."""
        wanted = normalise_name(name)
        return next((d for d in self.departments if normalise_name(d) == wanted), None)


def read_carry_over(inputs: Path, run_name: str) -> CarriedOver:
    """Read a run's archived `inputs`; `ArchiveError` when they no longer pass the checks."""
    loaded = load_inputs(inputs)
    validated = validate(loaded)
    if validated.has_errors:
        first = next(p for p in validated.problems if p.is_error)
        raise ArchiveError(
            f"{run_name} 中归档的输入不能通过当前程序的校验（{first.describe()}），"
            "可能由不兼容的旧版本生成。请改用空白工作簿（pipeline init）。"
        )
    carried = CarriedOver()
    carried.regions, carried.outline, carried.years = choices_of(validated)
    office_files = {s.file for s in loaded.sheets if s.sheet in contract.OFFICE_SHEETS}
    for sheet in loaded.sheets:
        if sheet.file in office_files:
            continue
        if sheet.sheet in contract.DEPARTMENT_SHEETS:
            rows = carried.departments.setdefault(sheet.department, {})
            rows.setdefault(sheet.sheet, []).extend(dict(r.values) for r in sheet.rows)
    _office(loaded, office_files, carried)
    return carried


def _office(loaded: LoadedInputs, office_files: set[str], carried: CarriedOver) -> None:
    for sheet in loaded.sheets:
        if sheet.file not in office_files:
            continue
        if sheet.sheet in contract.KEY_VALUE_SHEETS:
            values = carried.office_fields.setdefault(sheet.sheet, {})
            for row in sheet.rows:
                values.setdefault(normalise_name(row.get(KEY)), row.get(VALUE))
        elif sheet.sheet not in EMPTIED_SHEETS:
            rows = carried.office_rows.setdefault(sheet.sheet, [])
            rows.extend(dict(r.values) for r in sheet.rows)
    report = carried.office_fields.get(contract.REPORT_SETTINGS)
    if report is not None:
        _next_issue(report)


def _next_issue(fields: dict[str, Any]) -> None:
    """期号 + 1 (and 文号 with it when it was the 期号); the issue's dates emptied."""
    issue = parse_int(fields.get(ISSUE))
    if issue is not None:
        if as_text(fields.get(DOCUMENT_NUMBER)) == str(issue):
            fields[DOCUMENT_NUMBER] = issue + 1
        fields[ISSUE] = issue + 1
    for name in EMPTIED_FIELDS:
        fields.pop(name, None)


def write_carried_over(
    carried: CarriedOver,
    inputs: Path,
    departments: Sequence[str],
    *,
    office: Path | None,
) -> tuple[list[Path], list[Path]]:
    """Write the workbooks that do not exist yet; return (written, skipped as existing).

    `office` is where the office workbook goes, if wanted. A department that sent nothing in
    the run gets a blank workbook.
    """
    written: list[Path] = []
    skipped: list[Path] = []
    if office is not None:
        if office.exists():
            skipped.append(office)
        else:
            write_office_workbook(
                office,
                fields=carried.office_fields,
                rows=carried.office_rows,
                years=carried.years,
            )
            written.append(office)
    for name in departments:
        known = carried.department(name)
        department = known or name
        path = inputs / department_file_name(department)
        if path.exists():
            skipped.append(path)
            continue
        write_department_workbook(
            path,
            department,
            regions=carried.regions,
            outline=carried.outline,
            years=carried.years,
            rows=carried.departments.get(known, {}) if known else None,
        )
        written.append(path)
    return written, skipped
