"""Load stage: every reading rule of the input contract, on small workbooks made in tmp_path."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from _workbooks import (
    COOPERATION_HEADER,
    cooperation_row,
    sample_file,
    sample_sheet,
    write_workbook,
)

from pipeline import contract
from pipeline.cells import (
    as_text,
    clean_text,
    column_letter,
    document_text,
    normalise_name,
    parse_datetime,
    parse_int,
    strip_heading_number,
)
from pipeline.load import LoadedSheet, Misnamed, _xlsx, load_inputs
from pipeline.problems import Location


def _messages(loaded) -> list[str]:
    return [p.describe() for p in loaded.problems]


def column(sheet: LoadedSheet, name: str) -> list:
    """The values of one column, row by row."""
    return [row.get(name) for row in sheet.rows]


def test_header_found_below_title_rows_and_columns_in_any_order(tmp_path):
    header = list(reversed(COOPERATION_HEADER))
    row = list(reversed(cooperation_row(content="内容甲")))
    write_workbook(
        tmp_path / "环保处.xlsx",
        {"合作交流项目": [["浦东新区合作交流项目表"], ["（报送说明）"], [], header, row]},
    )
    loaded = load_inputs(tmp_path)
    (sheet,) = loaded.named("合作交流项目")
    assert sheet.header_row == 4
    record = sheet.rows[0]
    assert record.get("对口合作交流内容") == "内容甲"
    assert record.number == 5
    assert sheet.letters["对口地区"] == "N"


def test_header_beyond_row_ten_is_an_error_naming_the_columns(tmp_path):
    rows = [["标题"]] * 10 + [COOPERATION_HEADER, cooperation_row()]
    write_workbook(tmp_path / "环保处.xlsx", {"合作交流项目": rows})
    loaded = load_inputs(tmp_path)
    (problem,) = [p for p in loaded.problems if p.is_error]
    assert problem.location.sheet == "合作交流项目"
    assert "列名应为" in problem.message and "对口合作交流内容" in problem.message


# Every column the contract always requires, sheet by sheet.
REQUIRED = [(s.name, name) for s in contract.TABLE_SHEETS.values() for name in s.required]


def misspelt(name: str) -> str:
    """A slip of the pen: 牵头部门 → 牵头部们, 注 → 注们."""
    return (name[:-1] if len(name) > 1 else name) + "们"


def _about(loaded, name: str) -> list:
    """The problems that name the column `name`, however they word it."""
    return [p for p in loaded.problems if f"「{name}」" in p.message or p.location.column == name]


@pytest.mark.parametrize(("sheet", "name"), REQUIRED)
def test_a_deleted_required_column_is_named_once_with_the_header_row(tmp_path, sheet, name):
    file = sample_file(sheet)
    write_workbook(tmp_path / file, {sheet: sample_sheet(sheet, drop=(name,))})
    loaded = load_inputs(tmp_path)
    (problem,) = _about(loaded, name)
    assert problem.is_error
    assert problem.location == Location(file, sheet, "行2", name)
    assert problem.message.startswith(f"缺少列「{name}」")
    assert "表头在第 2 行" in problem.message and "恢复这一列" in problem.message
    blank = "pipeline init 环保处" if file == "环保处.xlsx" else "pipeline init --office"
    assert blank in problem.message
    # the sheet is read all the same: its rows, the other columns, and what it lacks
    (loaded_sheet,) = loaded.named(sheet)
    assert loaded_sheet.header_row == 2 and [r.number for r in loaded_sheet.rows] == [3, 4]
    assert loaded_sheet.missing[name] is None and name not in loaded_sheet.letters
    assert set(loaded_sheet.missing) == {name}


@pytest.mark.parametrize(("sheet", "name"), REQUIRED)
def test_a_misspelt_required_column_gets_the_expected_name(tmp_path, sheet, name):
    written = misspelt(name)
    file = sample_file(sheet)
    write_workbook(tmp_path / file, {sheet: sample_sheet(sheet, rename={name: written})})
    loaded = load_inputs(tmp_path)
    names = contract.TABLE_SHEETS[sheet].names
    cell = f"{column_letter(names.index(name) + 1)}2"
    (problem,) = _about(loaded, written)
    assert problem.is_error and problem.location == Location(file, sheet, cell, written)
    assert f"「{written}」应为「{name}」？" in problem.message
    assert problem.message.startswith(f"缺少列「{name}」") and "第 2 行" in problem.message
    assert "不是可识别的列" not in problem.message
    assert _about(loaded, name) == [problem]
    (loaded_sheet,) = loaded.named(sheet)
    assert loaded_sheet.missing[name] == Misnamed(cell, written)


def test_a_deleted_and_a_misspelt_column_in_one_sheet(tmp_path):
    rows = sample_sheet("合作交流项目", drop=("事项",), rename={"对口合作交流内容": "合作交流内容"})
    write_workbook(tmp_path / "环保处.xlsx", {"合作交流项目": rows})
    loaded = load_inputs(tmp_path)
    found = {(p.location.cell, p.location.column): p.message for p in loaded.problems}
    assert set(found) == {("行2", "事项"), ("C2", "合作交流内容")}
    assert found["行2", "事项"].startswith("缺少列「事项」")
    assert "「合作交流内容」应为「对口合作交流内容」？" in found["C2", "合作交流内容"]
    assert all(p.is_error for p in loaded.problems)


def test_a_misspelt_optional_column_is_a_notice_with_the_expected_name(tmp_path):
    rows = sample_sheet("合作交流项目", rename={"事项推进情况": "事项推进请况", "配合部门": "备注"})
    write_workbook(tmp_path / "环保处.xlsx", {"合作交流项目": rows})
    found = {p.location.column: p for p in load_inputs(tmp_path).problems}
    assert set(found) == {"事项推进请况", "备注"}
    assert not any(p.is_error for p in found.values())
    assert "「事项推进请况」应为「事项推进情况」？这一列未读取" in found["事项推进请况"].message
    assert found["备注"].message.startswith("不是可识别的列")  # like no name of the sheet


@pytest.mark.parametrize(
    "above",
    [
        [["浦东新区合作交流项目表"]],  # a title close to 对口合作交流内容 is not a header
        [
            ["说明", "请按列填写"],
            ["对口地区", "永安市、大田县", "序号", "1、2、3", "是否纳入", "是/否"],
        ],
        [[None], ["永安市", 1, "事项", "内容"]],  # values, one of them a column's name
    ],
)
def test_rows_above_the_header_are_not_taken_for_it(tmp_path, above):
    rows = sample_sheet("合作交流项目", drop=("事项", "序号"))[1:]
    write_workbook(tmp_path / "环保处.xlsx", {"合作交流项目": [*above, *rows]})
    loaded = load_inputs(tmp_path)
    (sheet,) = loaded.named("合作交流项目")
    assert sheet.header_row == len(above) + 1
    assert {p.location.column for p in loaded.problems} == {"事项", "序号"}


def test_without_a_row_of_column_names_the_sheet_says_so_once(tmp_path):
    rows = sample_sheet("合作交流项目")
    write_workbook(tmp_path / "环保处.xlsx", {"合作交流项目": [rows[0], *rows[2:]]})
    loaded = load_inputs(tmp_path)
    (problem,) = loaded.problems
    assert problem.is_error and problem.location == Location("环保处.xlsx", "合作交流项目")
    assert "找不到表头" in problem.message and "pipeline init 环保处" in problem.message
    assert not loaded.named("合作交流项目")


def test_column_names_are_normalised(tmp_path):
    header = [
        " 对口地区",
        "序　号",
        "事项\n",
        "对口合作\n交流内容",
        "预计完\n成时间",
        "２０２４年计划",
        "牵头领导",
        "牵头部门",
    ]
    write_workbook(
        tmp_path / "a.xlsx",
        {"合作交流项目": [header, ["永安市", 1, "事", "内容", "2025年", "计划", "沈敏", "环保处"]]},
    )
    loaded = load_inputs(tmp_path)
    assert not loaded.problems
    row = loaded.named("合作交流项目")[0].rows[0]
    assert row.get("预计完成时间") == "2025年"
    assert row.get("2024年计划") == "计划"


def test_unknown_columns_and_sheets_are_notices(tmp_path):
    write_workbook(
        tmp_path / "a.xlsx",
        {
            "合作交流项目": [[*COOPERATION_HEADER, "备用列"], [*cooperation_row(), "x"]],
            "草稿": [["随便"]],
        },
    )
    loaded = load_inputs(tmp_path)
    assert loaded.problems and not any(p.is_error for p in loaded.problems)
    cells = {(p.location.sheet, p.location.cell) for p in loaded.problems}
    assert ("合作交流项目", "O1") in cells
    assert ("草稿", None) in cells


def test_duplicate_column_is_an_error_naming_both_cells(tmp_path):
    write_workbook(
        tmp_path / "a.xlsx",
        {"合作交流项目": [[*COOPERATION_HEADER, "事 项"], [*cooperation_row(), "另一个"]]},
    )
    loaded = load_inputs(tmp_path)
    (problem,) = [p for p in loaded.problems if p.is_error]
    assert problem.location.cell == "O1" and "C1" in problem.message


def test_merged_data_cells_fill_every_cell_of_the_range(tmp_path):
    path = write_workbook(
        tmp_path / "a.xlsx",
        {
            "合作交流项目": [
                COOPERATION_HEADER,
                cooperation_row(serial=2, item="拓展竹林产业市场", content="第一行"),
                cooperation_row(serial=None, item=None, content="第二行"),
            ]
        },
    )
    book = openpyxl.load_workbook(path)
    book["合作交流项目"].merge_cells("B2:B3")
    book["合作交流项目"].merge_cells("C2:C3")
    book.save(path)
    sheet = load_inputs(tmp_path).named("合作交流项目")[0]
    assert column(sheet, "序号") == [2, 2]
    assert column(sheet, "事项") == ["拓展竹林产业市场"] * 2


def test_merged_header_cell_does_not_repeat_its_name(tmp_path):
    header = ["对口地区", "序号", "事项", "对口合作交流内容", None, "牵头领导", "牵头部门"]
    path = write_workbook(
        tmp_path / "a.xlsx",
        {"合作交流项目": [header, ["永安市", 1, "事", "内容", None, "沈敏", "环保处"]]},
    )
    book = openpyxl.load_workbook(path)
    book["合作交流项目"].merge_cells("D1:E1")
    book.save(path)
    loaded = load_inputs(tmp_path)
    assert not [p for p in loaded.problems if p.is_error]
    assert loaded.named("合作交流项目")[0].letters["对口合作交流内容"] == "D"


def test_blank_rows_skipped_and_line_breaks_kept(tmp_path):
    write_workbook(
        tmp_path / "a.xlsx",
        {
            "工作进展": [
                ["一级标题", "内容"],
                [None, None],
                ["  标题  ", "第一段\r\n第二段_x000B_第三段_x000D__x000A_第四段"],
                ["", "   "],
            ]
        },
    )
    rows = load_inputs(tmp_path).named("工作进展")[0].rows
    assert len(rows) == 1
    assert rows[0].get("一级标题") == "标题"
    assert rows[0].get("内容") == "第一段\n第二段\n第三段\n第四段"
    assert rows[0].number == 3


def test_content_only_under_unknown_columns_is_reported_not_dropped(tmp_path):
    write_workbook(
        tmp_path / "a.xlsx",
        {"工作进展": [["一级标题", "内容", "其他"], [None, None, "孤立的内容"]]},
    )
    loaded = load_inputs(tmp_path)
    errors = [p for p in loaded.problems if p.is_error]
    assert errors and errors[0].location.cell == "行2"


def test_illegal_xml_characters_removed_with_a_notice(tmp_path):
    write_workbook(
        tmp_path / "a.xlsx", {"工作进展": [["一级标题", "内容"], ["标题", "甲_x001F_乙"]]}
    )
    loaded = load_inputs(tmp_path)
    assert loaded.named("工作进展")[0].rows[0].get("内容") == "甲乙"
    (problem,) = loaded.problems
    assert not problem.is_error and problem.location.cell == "B2"


def test_hidden_sheets_are_read(tmp_path):
    write_workbook(
        tmp_path / "a.xlsx",
        {"说明": [["x"]], "工作进展": [["一级标题", "内容"], ["标题", "正文"]]},
        hidden=("工作进展",),
    )
    assert len(load_inputs(tmp_path).named("工作进展")[0].rows) == 1


def test_lock_files_dot_files_and_other_files_skipped(tmp_path):
    write_workbook(tmp_path / "a.xlsx", {"工作进展": [["一级标题", "内容"], ["标题", "正文"]]})
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    (tmp_path / ".hidden.xlsx").write_bytes(b"junk")
    (tmp_path / "说明.txt").write_text("notes")
    (tmp_path / "sub").mkdir()
    loaded = load_inputs(tmp_path)
    assert [p.name for p in loaded.workbooks] == ["a.xlsx"]
    assert not loaded.problems


@pytest.mark.parametrize("suffix", [".xls", ".xlsm", ".csv", ".et", ".wps"])
def test_other_spreadsheet_formats_are_refused_by_name(tmp_path, suffix):
    (tmp_path / f"环保处{suffix}").write_bytes(b"data")
    (problem,) = load_inputs(tmp_path).problems
    assert problem.is_error and problem.location.file == f"环保处{suffix}"
    assert ".xlsx" in problem.message


def test_broken_and_disguised_workbooks_are_reported_by_name(tmp_path):
    (tmp_path / "truncated.xlsx").write_bytes(b"PK\x03\x04garbage")
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with zipfile.ZipFile(tmp_path / "other.xlsx", "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    problems = {p.location.file: p.message for p in load_inputs(tmp_path).problems}
    assert set(problems) == {"truncated.xlsx", "old.xlsx", "other.xlsx"}
    assert "旧版" in problems["old.xlsx"]
    assert "不是 Excel 工作簿" in problems["other.xlsx"]


SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    'uniqueCount="1"><si><t>{text}</t></si></sst>'
)
SHARED_STRINGS_REL = (
    '<Relationship Id="rIdShared" Target="sharedStrings.xml" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
)
SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


def with_a_shared_string(path: Path, doctypes: dict[str, str]) -> None:
    """The first text of sheet1 moved into xl/sharedStrings.xml, as Excel keeps text (openpyxl
    writes inline strings), and a DOCTYPE put after the declaration of the parts named."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info).decode() for info in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    inline = re.search(r'<c r="(\w+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', sheet)
    assert inline is not None
    shared = f'<c r="{inline.group(1)}" t="s"><v>0</v></c>'
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(inline.group(0), shared)
    parts["xl/sharedStrings.xml"] = SHARED_STRINGS.format(text=inline.group(2))
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace("</Relationships>", SHARED_STRINGS_REL)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        "</Types>", SHARED_STRINGS_TYPE
    )
    for name, doctype in doctypes.items():
        declaration, xml = re.match(r"(<\?xml[^>]*\?>)?(.*)", parts[name], re.DOTALL).groups()
        parts[name] = (declaration or "") + doctype + xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, text in parts.items():
            target.writestr(name, text)


@pytest.mark.parametrize(
    "part, doctype",
    [
        ("xl/sharedStrings.xml", '<!DOCTYPE sst [<!ENTITY a "一级标题">]>'),
        ("xl/workbook.xml", '<!DOCTYPE workbook [<!ENTITY a "a">]>'),
        ("xl/worksheets/sheet1.xml", '<!DOCTYPE worksheet SYSTEM "file:///etc/hostname">'),
    ],
)
def test_a_doctype_in_any_part_is_refused_as_not_allowed_not_as_damage(tmp_path, part, doctype):
    """Sending the same file again cannot help, unlike with a damaged one: the message says so."""
    rows = [["一级标题", "内容"], ["标题", "正文"]]
    plain = write_workbook(tmp_path / "plain" / "环保处.xlsx", {"工作进展": rows})
    with_a_shared_string(plain, {})
    (sheet,) = load_inputs(plain.parent).sheets  # shared strings are read as Excel writes them
    assert column(sheet, "一级标题") == ["标题"]
    hostile = write_workbook(tmp_path / "hostile" / "环保处.xlsx", {"工作进展": rows})
    with_a_shared_string(hostile, {part: doctype})
    loaded = load_inputs(hostile.parent)
    assert not loaded.sheets
    (problem,) = loaded.problems
    assert problem.is_error and problem.location.file == "环保处.xlsx"
    assert problem.location.sheet is None
    assert "含有不允许的内容" in problem.message and "DOCTYPE" in problem.message
    assert "原样重新发送同一文件仍会被拒绝" in problem.message
    assert "损坏" not in problem.message


def test_each_workbook_is_read_once_and_kept_as_read(tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "a.xlsx", {"项目表信息": [["编制单位", "局"]]})
    opened = []
    real_open = Path.open

    def counting_open(self, *args, **kwargs):
        if self == path:
            opened.append(args)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting_open)
    (workbook,) = load_inputs(tmp_path).workbooks
    assert len(opened) == 1  # the zip checks and calamine parse the bytes read then
    assert workbook.data == path.read_bytes()
    assert workbook.modified_ns == path.stat().st_mtime_ns


def test_workbook_file_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    write_workbook(tmp_path / "大.xlsx", {"项目表信息": [["编制单位", "局"]]})
    monkeypatch.setattr(_xlsx, "MAX_FILE_BYTES", 100)
    (problem,) = load_inputs(tmp_path).problems
    assert problem.is_error and problem.location.file == "大.xlsx"
    assert "文件过大" in problem.message


def test_empty_folder_is_an_error(tmp_path):
    (problem,) = load_inputs(tmp_path).problems
    assert problem.is_error


def test_key_value_sheet_with_and_without_header(tmp_path):
    write_workbook(tmp_path / "a.xlsx", {"项目表信息": [["编制单位", "局"], ["领域", "生态"]]})
    write_workbook(
        tmp_path / "b.xlsx", {"专报信息": [["专报信息表"], ["字段", "内容"], ["期号", 95]]}
    )
    loaded = load_inputs(tmp_path)
    table = loaded.named("项目表信息")[0]
    assert column(table, "字段") == ["编制单位", "领域"]
    report = loaded.named("专报信息")[0]
    assert report.header_row == 2 and [row.number for row in report.rows] == [3]


def test_formula_cached_value_used_and_missing_cached_value_reported(tmp_path):
    path = write_workbook(
        tmp_path / "a.xlsx", {"工作进展": [["一级标题", "内容", "排序"], ["标题", "正文", "=1+1"]]}
    )
    loaded = load_inputs(tmp_path)
    assert any(
        p.is_error and p.location.cell == "C2" and "公式" in p.message for p in loaded.problems
    )
    # A workbook saved by Excel carries the cached value next to the formula.
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    sheet = next(n for n in files if n.startswith("xl/worksheets/sheet"))
    files[sheet] = files[sheet].replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    loaded = load_inputs(tmp_path)
    assert not [p for p in loaded.problems if p.is_error]
    assert loaded.named("工作进展")[0].rows[0].get("排序") == 2


def test_excel_error_values_are_reported(tmp_path):
    path = tmp_path / "a.xlsx"
    write_workbook(path, {"工作进展": [["一级标题", "内容"], ["标题", "x"]]})
    book = openpyxl.load_workbook(path)
    book["工作进展"]["B2"].value = "#N/A"
    book["工作进展"]["B2"].data_type = "e"
    book.save(path)
    problems = load_inputs(tmp_path).problems
    assert any(p.is_error and p.location.cell == "B2" for p in problems)


# ---------------------------------------------------------------- cell rules


@pytest.mark.parametrize("value", [3, 3.0, "3", "３", " 3 ", "3.0"])
def test_integer_forms(value):
    assert parse_int(value) == 3


@pytest.mark.parametrize("value", ["三", 3.5, "3a", True, None])
def test_not_integers(value):
    assert parse_int(value) is None


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2023, 11, 20),
        dt.date(2023, 11, 20),
        "2023-11-20",
        "2023/11/20",
        "2023.11.20",
        "2023年11月20日",
        "２０２３年１１月２０日",
        45250,
    ],
)
def test_date_forms(value):
    moment, has_time = parse_datetime(value)
    assert moment.date() == dt.date(2023, 11, 20) and not has_time


def test_date_time_form():
    assert parse_datetime("2023/11/3 14:44:56") == (dt.datetime(2023, 11, 3, 14, 44, 56), True)


@pytest.mark.parametrize("value", ["2023-02-30", "2023-13-01", "明天", "", 12])
def test_invalid_dates(value):
    assert parse_datetime(value) is None


def test_names_and_text():
    assert normalise_name("预计完\n成时间") == "预计完成时间"
    assert normalise_name("（一）") == normalise_name("(一)")
    assert clean_text("  a\r\nb  ") == ("a\nb", False)
    assert as_text(18116080172.0) == "18116080172"
    assert as_text(3012.78) == "3012.78"
    assert strip_heading_number("一、提炼建言") == ("提炼建言", True)
    assert strip_heading_number("（二）召开会议") == ("召开会议", True)
    assert strip_heading_number("下一步工作安排") == ("下一步工作安排", False)


# ---------------------------------------------------------------- the reader


def test_reader_gives_the_values_openpyxl_gives(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "工作进展"
    values = [
        "文字 & <标签> {{ x }}",
        "第一行\n第二行",
        "𠀋😀",
        3,
        -7,
        3.5,
        1e20,
        True,
        dt.datetime(2023, 11, 3),
        dt.datetime(2023, 11, 3, 9, 30),
        dt.time(10, 30),
    ]
    formats = {8: 'yyyy"年"m"月"d"日"', 9: "yyyy-mm-dd hh:mm", 10: "h:mm"}
    for column, value in enumerate(values, start=2):
        cell = sheet.cell(3, column, value)
        cell.number_format = formats.get(column - 2, cell.number_format)
    date_as_number = sheet.cell(4, 2, 45000)
    date_as_number.number_format = '[DBNum1][$-804]yyyy"年"m"月"d"日"'
    sheet.cell(6, 4, "合并")
    sheet.merge_cells("D6:F7")
    hidden = book.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "在隐藏表中"
    path = tmp_path / "a.xlsx"
    book.save(path)

    expected = openpyxl.load_workbook(path, data_only=True)
    with _xlsx.Workbook(path.read_bytes()) as read:
        assert read.titles == ["工作进展", "隐藏"]
        for title in read.titles:
            got = read.read(title)
            want = expected[title]
            rows = [[c.value for c in row] for row in want.iter_rows(min_row=1, min_col=1)]
            rows = [
                row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)]
                for row in rows
            ]
            while rows and not rows[-1]:
                rows.pop()
            assert got.rows == rows
            assert sorted(got.merged) == sorted(
                (r.min_row, r.min_col, r.max_row, r.max_col) for r in want.merged_cells.ranges
            )
            assert all(
                type(a) is type(b)
                for ga, wa in zip(got.rows, rows, strict=True)
                for a, b in zip(ga, wa, strict=True)
            )


@pytest.mark.parametrize(
    ("cell", "too_large"),
    [("A100000", False), ("A100001", True), ("GR10000", False), ("GS1", True), ("U100000", True)],
)
def test_far_values_are_measured_before_the_sheet_is_read(tmp_path, cell, too_large):
    path = write_workbook(tmp_path / "a.xlsx", {"工作进展": [["一级标题", "内容"]]})
    book = openpyxl.load_workbook(path)
    book["工作进展"][cell] = "远处"
    book.save(path)
    with _xlsx.Workbook(path.read_bytes()) as read:
        values = read.read("工作进展")
    assert isinstance(values, _xlsx.SheetTooLarge) == too_large
    if too_large:
        message = load_inputs(tmp_path).problems[0].describe()
        assert "工作表过大" in message and "请删除多余的空行和空列" in message


def test_error_values_and_unsaved_formulas_are_found_on_the_right_sheet(tmp_path):
    path = tmp_path / "a.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "填写说明"
    book.active["A1"] = "=1+1"  # on a sheet that is not read
    progress = book.create_sheet("工作进展")
    progress.append(["一级标题", "内容", "排序"])
    progress.append(["标题", "正文", "=1+1"])
    progress.append(["标题", "#REF!", 3])
    progress["B3"].data_type = "e"
    book.move_sheet("工作进展", offset=-1)  # the sheet's XML is not the first member any more
    book.save(path)
    with _xlsx.Workbook(path.read_bytes()) as read:
        values = read.read("工作进展")
    assert values.errors == {(3, 2): "#REF!"}
    assert values.unsaved == {(2, 3)}
    problems = [p for p in load_inputs(tmp_path).problems if p.is_error]
    assert sorted(p.location.cell for p in problems) == ["B3", "C2"]
    assert all(p.location.sheet == "工作进展" for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("普通文字", "普通文字"),
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\x0bb", "a\nb"),
        ("a\x85b", "a\nb"),
        ("a\u2028b\u2029c", "a\nb\nc"),
        ("x\x00y\x07z\x7f\x0c", "xyz"),
        ("\t\n", "\t\n"),
    ],
)
def test_document_text_has_one_kind_of_line_break_and_no_illegal_character(text, expected):
    assert document_text(text) == expected
    assert clean_text(text)[0] == expected.strip()
