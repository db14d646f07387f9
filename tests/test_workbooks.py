"""Blank workbooks: sheets, headers, drop-downs and help, read back with openpyxl."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import contract
from pipeline.contract import CHOICES_SHEET, INSTRUCTIONS_SHEET
from pipeline.errors import UsageError
from pipeline.model import APPROVAL_STEPS
from pipeline.workbooks.blank import (
    LAST_DATA_ROW,
    write_department_workbook,
    write_office_workbook,
)

REGIONS = ("永安市", "大田县")
OUTLINE = (
    ("强化生态环境治理", "完善制度体系"),
    ("强化生态环境治理", "加强执法监管"),
    ("推进全民行动", None),
    ("推进全民行动", ""),
    ("深化区域合作", "完善制度体系"),
)
# Long enough that the list no longer fits Excel's 255-character inline limit.
LONG_OUTLINE = tuple((f"第{i}项重点工作推进情况及下一步打算", None) for i in range(40))


# ---------------------------------------------------------------- helpers


def header(sheet: Worksheet) -> list[str]:
    return [cell.value for cell in sheet[1] if cell.value is not None]


def column_letter(sheet: Worksheet, name: str) -> str:
    return get_column_letter(header(sheet).index(name) + 1)


def validation_for(sheet: Worksheet, name: str):
    """The one data validation covering the first data cell of column `name`, or None."""
    cell = f"{column_letter(sheet, name)}2"
    found = [dv for dv in sheet.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) <= 1, f"{sheet.title}!{cell} has {len(found)} validations"
    return found[0] if found else None


def list_values(book, formula: str) -> list[str]:
    """The allowed values of a list validation, inline or through a range on another sheet."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    match = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    sheet, first_col, first_row, last_col, last_row = match.groups()
    assert first_col == last_col
    column = column_index_from_string(first_col)
    return [
        book[sheet].cell(row=row, column=column).value
        for row in range(int(first_row), int(last_row) + 1)
    ]


def covered_rows(validation) -> tuple[int, int]:
    (cell_range,) = validation.sqref.ranges
    assert cell_range.max_row >= 500, "room for a department's rows"
    return cell_range.min_row, cell_range.max_row


def sheet_xml(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as archive:
        return [
            archive.read(name)
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        ]


def instruction_rows(book) -> list[tuple]:
    return list(book[INSTRUCTIONS_SHEET].iter_rows(values_only=True))


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def department(tmp_path: Path) -> Path:
    path = tmp_path / "环保处.xlsx"
    write_department_workbook(
        path, "环保处", regions=REGIONS, outline=OUTLINE, years=(2023, 2024, 2025)
    )
    return path


@pytest.fixture
def office(tmp_path: Path) -> Path:
    path = tmp_path / "报告信息.xlsx"
    write_office_workbook(path)
    return path


# ---------------------------------------------------------------- department workbook


def test_department_sheets_in_order_without_helper_for_short_lists(department: Path):
    book = openpyxl.load_workbook(department)
    assert book.sheetnames == [INSTRUCTIONS_SHEET, "工作进展", "合作交流项目"]
    assert book.active.title == INSTRUCTIONS_SHEET


def test_progress_header_is_the_contract(department: Path):
    sheet = openpyxl.load_workbook(department)["工作进展"]
    assert header(sheet) == contract.PROGRESS_SHEET.names


def test_cooperation_header_has_one_plan_column_per_year_after_due_date(department: Path):
    names = header(openpyxl.load_workbook(department)["合作交流项目"])
    due = names.index("预计完成时间")
    assert names[due + 1 : due + 4] == ["2023年计划", "2024年计划", "2025年计划"]
    assert [n for n in names if not contract.YEAR_PLAN.match(n)] == contract.COOPERATION_SHEET.names


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        ((), []),
        ((2024,), ["2024年计划"]),
        ((2026, 2024, 2025), ["2024年计划", "2025年计划", "2026年计划"]),
    ],
)
def test_plan_columns_follow_the_period(tmp_path: Path, years, expected):
    path = tmp_path / "部门.xlsx"
    write_department_workbook(path, "部门", years=years)
    names = header(openpyxl.load_workbook(path)["合作交流项目"])
    assert [n for n in names if contract.YEAR_PLAN.match(n)] == expected
    if expected:
        due = names.index("预计完成时间")
        assert names[due + 1 : due + 1 + len(expected)] == expected


def test_department_widths_frozen_header_and_wrapping(department: Path):
    book = openpyxl.load_workbook(department)
    for name in contract.DEPARTMENT_SHEETS:
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        for index, title in enumerate(header(sheet), start=1):
            dimension = sheet.column_dimensions[get_column_letter(index)]
            spec = contract.TABLE_SHEETS[name].column(title)
            if spec is not None:
                assert dimension.width == spec.width
            else:  # a year plan column: not in the contract, still given a width
                assert contract.YEAR_PLAN.match(title)
                assert dimension.width > 10
            assert dimension.alignment.wrap_text
            assert sheet.cell(row=1, column=index).font.bold


def test_included_is_a_yes_no_list(department: Path):
    book = openpyxl.load_workbook(department)
    validation = validation_for(book["合作交流项目"], "是否纳入")
    assert validation.type == "list"
    assert list_values(book, validation.formula1) == ["是", "否"]
    assert covered_rows(validation) == (2, LAST_DATA_ROW)


@pytest.mark.parametrize(("sheet", "column"), [("合作交流项目", "序号"), ("工作进展", "排序")])
def test_numbers_are_whole_and_at_least_one(department: Path, sheet: str, column: str):
    validation = validation_for(openpyxl.load_workbook(department)[sheet], column)
    assert validation.type == "whole"
    assert validation.operator == "greaterThanOrEqual"
    assert validation.formula1 == "1"
    assert validation.allow_blank
    assert covered_rows(validation) == (2, LAST_DATA_ROW)


def test_regions_and_headings_are_lists_from_the_arguments(department: Path):
    book = openpyxl.load_workbook(department)
    region = validation_for(book["合作交流项目"], "对口地区")
    assert list_values(book, region.formula1) == list(REGIONS)
    top = validation_for(book["工作进展"], "一级标题")
    assert list_values(book, top.formula1) == ["强化生态环境治理", "推进全民行动", "深化区域合作"]
    sub = validation_for(book["工作进展"], "二级标题")
    assert list_values(book, sub.formula1) == ["完善制度体系", "加强执法监管"]
    for validation in (region, top, sub):
        assert validation.type == "list"
        assert covered_rows(validation) == (2, LAST_DATA_ROW)


def test_no_lists_without_regions_or_outline(tmp_path: Path):
    path = tmp_path / "部门.xlsx"
    write_department_workbook(path, "部门")
    book = openpyxl.load_workbook(path)
    assert validation_for(book["合作交流项目"], "对口地区") is None
    assert validation_for(book["工作进展"], "一级标题") is None
    assert validation_for(book["工作进展"], "二级标题") is None
    assert validation_for(book["合作交流项目"], "是否纳入") is not None
    assert CHOICES_SHEET not in book.sheetnames


def test_long_list_goes_through_hidden_helper_sheet(tmp_path: Path):
    path = tmp_path / "部门.xlsx"
    write_department_workbook(path, "部门", outline=LONG_OUTLINE, regions=REGIONS)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [INSTRUCTIONS_SHEET, "工作进展", "合作交流项目", CHOICES_SHEET]
    assert book[CHOICES_SHEET].sheet_state == "hidden"
    validation = validation_for(book["工作进展"], "一级标题")
    assert CHOICES_SHEET in validation.formula1
    assert list_values(book, validation.formula1) == [top for top, _ in LONG_OUTLINE]
    # the short region list stays inline
    assert validation_for(book["合作交流项目"], "对口地区").formula1.startswith('"')


def test_values_that_would_break_an_inline_list_are_kept_whole_and_literal(tmp_path: Path):
    path = tmp_path / "部门.xlsx"
    regions = ('=HYPERLINK("x")', "甲,乙", "+1")
    write_department_workbook(path, "部门", regions=regions)
    book = openpyxl.load_workbook(path)
    validation = validation_for(book["合作交流项目"], "对口地区")
    assert list_values(book, validation.formula1) == list(regions)
    assert not any(b"<f>" in xml or b"<f " in xml for xml in sheet_xml(path))


def test_instructions_mention_every_column_with_required_or_optional(department: Path):
    book = openpyxl.load_workbook(department)
    rows = instruction_rows(book)
    assert "环保处" in rows[0][0]
    for name in contract.DEPARTMENT_SHEETS:
        spec = contract.TABLE_SHEETS[name]
        title_row = next(
            i for i, row in enumerate(rows) if row[0] == f"工作表「{name}」：{spec.purpose}"
        )
        listed = {}
        for row in rows[title_row + 2 :]:
            if not row[0] or row[0] == "列名" or row[0].startswith("工作表"):
                break
            listed[row[0]] = row
        expected = header(book[name])
        assert list(listed) == expected
        for column in spec.columns:
            assert listed[column.name][1] == ("必填" if column.required else "选填")
            if column.help:
                assert listed[column.name][2] == column.help
    text = "\n".join(str(v) for row in rows for v in row if v)
    for region in REGIONS:
        assert region in text


def test_refuses_to_overwrite_a_department_workbook(tmp_path: Path):
    path = tmp_path / "环保处.xlsx"
    path.write_bytes(b"keep me")
    with pytest.raises(UsageError, match="文件已存在，未覆盖") as raised:
        write_department_workbook(path, "环保处")
    assert "环保处.xlsx" in raised.value.message
    assert path.read_bytes() == b"keep me"


def test_same_arguments_give_the_same_bytes(tmp_path: Path):
    first, second = tmp_path / "a" / "环保处.xlsx", tmp_path / "b" / "环保处.xlsx"
    for path in (first, second):
        write_department_workbook(
            path, "环保处", regions=REGIONS, outline=LONG_OUTLINE, years=(2023,)
        )
    assert first.read_bytes() == second.read_bytes()


def test_department_name_that_looks_like_a_formula_stays_text(tmp_path: Path):
    path = tmp_path / "部门.xlsx"
    write_department_workbook(path, "=1+1")
    assert not any(b"<f>" in xml or b"<f " in xml for xml in sheet_xml(path))
    assert "=1+1" in instruction_rows(openpyxl.load_workbook(path))[0][0]


# ---------------------------------------------------------------- office workbook


def test_office_sheets_in_order(office: Path):
    book = openpyxl.load_workbook(office)
    assert book.sheetnames == [INSTRUCTIONS_SHEET, *contract.OFFICE_SHEETS]
    assert all(sheet.sheet_state == "visible" for sheet in book)


@pytest.mark.parametrize("name", list(contract.KEY_VALUE_SHEETS))
def test_key_value_sheets_list_every_field_with_an_empty_value(office: Path, name: str):
    spec = contract.KEY_VALUE_SHEETS[name]
    sheet = openpyxl.load_workbook(office)[name]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == spec.header
    assert [row[0] for row in rows[1:]] == [field.name for field in spec.fields]
    assert all(row[1] is None for row in rows[1:])
    assert sheet.max_column == 2
    assert sheet.freeze_panes == "A2"
    for row, field in enumerate(spec.fields, start=2):
        note = sheet.cell(row=row, column=1).comment.text
        assert note.startswith("必填" if field.required else "选填")
        if field.example:
            assert field.example in note


def test_integer_settings_are_checked(office: Path):
    book = openpyxl.load_workbook(office)
    for name, spec in contract.KEY_VALUE_SHEETS.items():
        sheet = book[name]
        for row, field in enumerate(spec.fields, start=2):
            found = [dv for dv in sheet.data_validations.dataValidation if f"B{row}" in dv.sqref]
            if field.kind == "int":
                assert [dv.type for dv in found] == ["whole"], field.name
            else:
                assert found == [], field.name


@pytest.mark.parametrize("name", [n for n in contract.OFFICE_SHEETS if n in contract.TABLE_SHEETS])
def test_office_table_sheets_have_the_contract_header(office: Path, name: str):
    sheet = openpyxl.load_workbook(office)[name]
    spec = contract.TABLE_SHEETS[name]
    assert header(sheet) == spec.names
    assert sheet.freeze_panes == "A2"
    for index, column in enumerate(spec.columns, start=1):
        assert sheet.column_dimensions[get_column_letter(index)].width == column.width


def test_approval_step_is_a_list_of_the_steps(office: Path):
    book = openpyxl.load_workbook(office)
    validation = validation_for(book["拟文稿"], "环节")
    assert validation.type == "list"
    assert list_values(book, validation.formula1) == list(APPROVAL_STEPS)
    assert covered_rows(validation) == (2, LAST_DATA_ROW)
    signed = book["拟文稿"].column_dimensions[column_letter(book["拟文稿"], "签署时间")]
    assert "h" in signed.number_format


def test_office_instructions_mention_every_sheet_field_and_column(office: Path):
    text = "\n".join(
        str(v) for row in instruction_rows(openpyxl.load_workbook(office)) for v in row if v
    )
    for name in contract.OFFICE_SHEETS:
        assert f"「{name}」" in text
    for spec in contract.KEY_VALUE_SHEETS.values():
        for field in spec.fields:
            assert field.name in text
            if field.example:
                assert field.example in text
    for name in contract.OFFICE_SHEETS:
        for column in getattr(contract.TABLE_SHEETS.get(name), "columns", ()):
            assert column.name in text
            assert column.help in text


def test_refuses_to_overwrite_the_office_workbook(tmp_path: Path):
    path = tmp_path / "报告信息.xlsx"
    write_office_workbook(path)
    before = path.read_bytes()
    with pytest.raises(UsageError, match="报告信息.xlsx"):
        write_office_workbook(path)
    assert path.read_bytes() == before


def test_office_region_columns_offer_the_known_regions(tmp_path: Path):
    path = tmp_path / "报告信息.xlsx"
    write_office_workbook(path, regions=("永安市", "大田县", "永安市"))
    book = openpyxl.load_workbook(path)
    for sheet in ("项目表注", "地区说明"):
        validation = validation_for(book[sheet], "对口地区")
        assert list_values(book, validation.formula1) == ["永安市", "大田县"]
        assert covered_rows(validation) == (2, LAST_DATA_ROW)
    replaces = validation_for(book["地区说明"], "替代生成段落")
    assert list_values(book, replaces.formula1) == ["是", "否"]
    # without regions, no region list
    bare = tmp_path / "bare" / "报告信息.xlsx"
    bare.parent.mkdir()
    write_office_workbook(bare)
    assert validation_for(openpyxl.load_workbook(bare)["地区说明"], "对口地区") is None


def test_init_office_offers_the_regions_the_departments_sent(tmp_path: Path):
    from _workbooks import cooperation_row, cooperation_workbook

    from pipeline.api import init_workbooks

    cooperation_workbook(tmp_path, "环保处", [cooperation_row(region="大田县")])
    (path,) = init_workbooks(tmp_path, office=True).written
    book = openpyxl.load_workbook(path)
    validation = validation_for(book["地区说明"], "对口地区")
    assert list_values(book, validation.formula1) == ["大田县"]


def test_submitters_sheet_lists_who_submits_what(office: Path):
    book = openpyxl.load_workbook(office)
    sheet = book[contract.SUBMITTERS]
    assert header(sheet) == ["部门", "报送内容", "联系人", "联系电话"]
    validation = validation_for(sheet, "报送内容")
    assert validation.type == "list"
    assert list_values(book, validation.formula1) == ["工作进展", "合作交流项目", "全部"]
    assert covered_rows(validation)[0] == 2
    text = " ".join(str(v) for row in instruction_rows(book) for v in row if v)
    assert "pipeline init（不写部门名称）" in text and "退回副本" in text


def test_department_instructions_explain_the_marked_copy(department: Path):
    text = " ".join(
        str(v) for row in instruction_rows(openpyxl.load_workbook(department)) for v in row if v
    )
    assert "标注副本" in text and f"「{contract.RETURN_SHEET}」" in text
