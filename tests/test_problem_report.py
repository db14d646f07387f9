"""The problem list workbook: rows, order, literal text, filter and summary."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline.problems import Location, error, notice, sorted_problems
from pipeline.workbooks import write_problem_report

HEADER = ("部门", "文件", "工作表", "单元格", "列", "级别", "说明")

PROBLEMS = [
    notice(Location("环保处.xlsx", "工作进展"), "未知列「备注」，已忽略。"),
    error(Location("环保处.xlsx", "合作交流项目", "H5", "牵头领导"), "纳入的事项须填写牵头领导。"),
    error(Location("环保处.xlsx", "合作交流项目", "B12", "序号"), "序号须为整数。"),
    error(Location("环保处.xlsx", "合作交流项目", "AA3", "说明"), "不纳入时须填写说明。"),
    error(Location("督察处.xls"), "请另存为 .xlsx。"),
    notice(Location("报告信息.xlsx", "提纲", "A2", "一级标题"), "编号「一、」已去掉。"),
    error(Location("报告信息.xlsx", "专报信息"), "缺少字段「期号」。"),
    notice(Location("督察处.xlsx", "Sheet1"), "不是可识别的工作表，未读取。"),
]
FORMULA_LIKE = (
    "=SUM(A1:A3)",
    "+86 18116080172",
    "-1",
    "@HYPERLINK(1)",
    '=HYPERLINK("http://x","y")',
)


def rows_of(path: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


def expected_row(problem) -> tuple:
    loc = problem.location
    return (
        Path(loc.file).stem,
        loc.file,
        loc.sheet,
        loc.cell,
        loc.column,
        problem.level.value,
        problem.message,
    )


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "问题清单.xlsx"
    write_problem_report(path, PROBLEMS)
    return path


def test_one_sheet_of_problems_and_a_summary(report: Path):
    assert openpyxl.load_workbook(report).sheetnames == ["问题清单", "汇总"]


def test_rows_hold_every_part_of_the_location(report: Path):
    rows = rows_of(report, "问题清单")
    assert rows[0] == HEADER
    assert len(rows) == 1 + len(PROBLEMS)
    assert sorted(rows[1:], key=str) == sorted((expected_row(p) for p in PROBLEMS), key=str)
    file_only = next(row for row in rows if row[1] == "督察处.xls")
    assert file_only[:6] == ("督察处", "督察处.xls", None, None, None, "错误")


def test_errors_first_then_notices_each_in_sorted_order(report: Path):
    rows = rows_of(report, "问题清单")[1:]
    levels = [row[5] for row in rows]
    errors = levels.count("错误")
    assert levels == ["错误"] * errors + ["提示"] * (len(levels) - errors)
    ordered = sorted_problems(PROBLEMS)
    assert rows[:errors] == [expected_row(p) for p in ordered if p.is_error]
    assert rows[errors:] == [expected_row(p) for p in ordered if not p.is_error]
    # cells in row-major order: B12 comes after H5, AA3 before both
    cells = [row[3] for row in rows if row[2] == "合作交流项目"]
    assert cells == ["AA3", "H5", "B12"]


def test_autofilter_frozen_header_widths_and_wrapping(report: Path):
    sheet = openpyxl.load_workbook(report)["问题清单"]
    assert sheet.auto_filter.ref == f"A1:G{len(PROBLEMS) + 1}"
    assert sheet.freeze_panes == "A2"
    for letter in "ABCDEFG":
        assert sheet.column_dimensions[letter].width > 0
    assert sheet["G2"].alignment.wrap_text
    assert all(cell.font.bold for cell in sheet[1])


def test_summary_counts_per_file(report: Path):
    rows = rows_of(report, "汇总")
    assert rows[0] == ("部门", "文件", "错误", "提示")
    by_file = {row[1]: (row[0], row[2], row[3]) for row in rows[1:-1]}
    files = {p.location.file for p in PROBLEMS}
    assert set(by_file) == files
    for file in files:
        errors = sum(p.is_error for p in PROBLEMS if p.location.file == file)
        notices = sum(not p.is_error for p in PROBLEMS if p.location.file == file)
        assert by_file[file] == (Path(file).stem, errors, notices)
    total = rows[-1]
    assert total[0] == "合计"
    assert total[2:] == (
        sum(p.is_error for p in PROBLEMS),
        sum(not p.is_error for p in PROBLEMS),
    )


def test_formula_like_values_stay_text(tmp_path: Path):
    problems = [error(Location(value, value, "A1", value), value) for value in FORMULA_LIKE] + [
        notice(Location("部门.xlsx", "工作进展", "D2", "内容"), value) for value in FORMULA_LIKE
    ]
    path = tmp_path / "问题清单.xlsx"
    write_problem_report(path, problems)
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 2
        for name in sheets:
            xml = archive.read(name)
            assert b"<f>" not in xml and b"<f " not in xml, name
    book = openpyxl.load_workbook(path)
    rows = list(book["问题清单"].iter_rows(min_row=2, values_only=True))
    assert {row[6] for row in rows} == set(FORMULA_LIKE)
    assert {row[1] for row in rows if row[5] == "错误"} == set(FORMULA_LIKE)
    for row in book["问题清单"].iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:
                assert cell.data_type == "s", cell.coordinate


def test_characters_not_allowed_in_xml_do_not_break_the_file(tmp_path: Path):
    path = tmp_path / "问题清单.xlsx"
    write_problem_report(path, [error(Location("部门.xlsx", "工作进展", "D2"), "含有\x07控制字符")])
    assert rows_of(path, "问题清单")[1][6] == "含有控制字符"


def test_no_problems_gives_a_header_and_zero_totals(tmp_path: Path):
    path = tmp_path / "问题清单.xlsx"
    write_problem_report(path, [])
    assert rows_of(path, "问题清单") == [HEADER]
    assert rows_of(path, "汇总")[-1] == ("合计", None, 0, 0)


def test_rewrites_an_existing_report(tmp_path: Path):
    path = tmp_path / "问题清单.xlsx"
    write_problem_report(path, PROBLEMS)
    write_problem_report(path, PROBLEMS[:1])
    assert len(rows_of(path, "问题清单")) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["问题清单.xlsx"]
