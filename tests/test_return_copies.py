"""Marked-up copies sent back to the departments: problem cells filled and commented, a first
sheet 问题 with links, and everything else of the department's workbook kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import struct
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from _memory import MEMORY_LIMIT, measured, resource
from _workbooks import (
    COOPERATION_HEADER,
    cooperation_row,
    office_workbook,
    sample_sheet,
    write_workbook,
)
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline import PipelineError, write_return_copies
from pipeline.contract import RETURN_SHEET
from pipeline.load import load_inputs
from pipeline.problems import Location, error, notice
from pipeline.validate import validate
from pipeline.workbooks.return_copies import ERROR_FILL, NOTICE_FILL, UNREADABLE, marked_copy

NOW = dt.datetime(2026, 12, 1, 10, 15, 2)
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = "合作交流项目"


# ---------------------------------------------------------------- a department's own workbook


def _png() -> bytes:
    """A 1×1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


_DRAWING = (
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<xdr:oneCellAnchor><xdr:from><xdr:col>16</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1"
    '</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="190500" cy="190500"/>'
    '<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="印章"/><xdr:cNvPicPr/></xdr:nvPicPr>'
    '<xdr:blipFill><a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
    '<xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>'
    "<xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>"
)


def _add_cached_values_and_picture(path: Path) -> None:
    """What Excel gives and openpyxl cannot write: formulas' saved results, and a picture."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    sheet = "xl/worksheets/sheet2.xml"
    xml = parts[sheet].decode()
    xml = re.sub(
        r'<c r="O(\d+)"([^>]*)><f>ROW\(\)-1</f><v\s*/?>(?:</v>)?',
        lambda m: f'<c r="O{m.group(1)}"{m.group(2)}><f>ROW()-1</f><v>{int(m.group(1)) - 1}</v>',
        xml,
    )
    # a picture sits in <drawing>, which comes right before the comments' <legacyDrawing>
    xml = xml.replace(
        "<legacyDrawing",
        f'<drawing xmlns:r="{RELATIONSHIPS}" r:id="rIdPicture"/><legacyDrawing',
        1,
    )
    parts[sheet] = xml.encode()
    rels = "xl/worksheets/_rels/sheet2.xml.rels"
    parts[rels] = parts[rels].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdPicture" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/drawing" Target="../drawings/drawing1.xml"/></Relationships>',
    )
    # a comment's box as Excel writes it: HTML line breaks, not XML
    vml = "xl/drawings/commentsDrawing1.vml"
    box = "<div>第一行<br>第二行</div>".encode()
    parts[vml] = re.sub(rb"<div([^>]*)>\s*</div>|<div([^>]*)/>", box, parts[vml], count=1)
    assert b"<br>" in parts[vml]
    parts["xl/drawings/drawing1.xml"] = _DRAWING.encode()
    parts["xl/drawings/_rels/drawing1.xml.rels"] = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/image" Target="../media/image1.png"/></Relationships>'
    )
    parts["xl/media/image1.png"] = _png()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Default Extension="png" ContentType="image/png"/><Override '
        b'PartName="/xl/drawings/drawing1.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.drawing+xml"/></Types>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def department_workbook(folder: Path, name: str = "环保处") -> Path:
    """A workbook as a department keeps it: its own help sheet, a hidden working sheet, a
    drop-down, widths and formats, merged cells, a comment of its own, formulas with saved
    results, and a picture; three rows with problems."""
    book = openpyxl.Workbook()
    book.active.title = "填写说明"
    book.active["A1"] = "本表由环保处填写"
    sheet = book.create_sheet(SHEET)
    header = [*COOPERATION_HEADER, "排序"]
    sheet.append(header)
    rows = [
        cooperation_row(region="永安市", serial=1),
        cooperation_row(region="大田县", serial=2, item="土壤环境保护", 牵头部门=None),
        cooperation_row(region="大田县", serial="x", item="气候投融资"),
        cooperation_row(region="大田县", serial=4, item="环境监测", 是否纳入="否", 说明=None),
    ]
    for number, row in enumerate(rows, start=2):
        sheet.append([*row, "=ROW()-1"])
        sheet.cell(row=number, column=len(header)).number_format = "0.0"
    sheet.merge_cells("A3:A5")  # 大田县, as pasted from a Word table
    sheet.column_dimensions["D"].width = 44
    sheet.column_dimensions["J"].width = 13
    choices = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    choices.add("M2:M200")
    sheet.add_data_validation(choices)
    sheet["C2"].comment = Comment("部门自己的批注：名称已与对方确认", "环保处")
    hidden = book.create_sheet("底稿")
    hidden["A1"] = "内部核对用"
    hidden.sheet_state = "hidden"
    path = folder / f"{name}.xlsx"
    folder.mkdir(parents=True, exist_ok=True)
    book.save(path)
    _add_cached_values_and_picture(path)
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    office_workbook(folder)
    department_workbook(folder)
    # a sheet without two of its required columns (内容 is close to 对口合作交流内容)
    write_workbook(
        folder / "绿林处.xlsx",
        {SHEET: [["对口地区", "序号", "内容"], ["永安市", 1, "交流"]]},
    )
    return folder


def check_problems(folder: Path):
    return validate(load_inputs(folder)).problems


# ---------------------------------------------------------------- the copies


def test_copies_for_each_workbook_with_problems_and_the_originals_untouched(inputs, tmp_path):
    before = {p.name: sha(p) for p in inputs.iterdir()}
    problems = check_problems(inputs)
    files = {p.location.file for p in problems}
    assert {"环保处.xlsx", "绿林处.xlsx"} <= files
    result = write_return_copies(tmp_path / "outputs", inputs, problems, now=NOW)
    assert result.folder == tmp_path / "outputs" / "退回_2026-12-01_101502"
    assert sorted(p.name for p in result.folder.iterdir()) == sorted(files)
    assert result.skipped == []
    assert {p.name: sha(p) for p in inputs.iterdir()} == before


def test_problem_cells_are_filled_and_commented(inputs, tmp_path):
    problems = [p for p in check_problems(inputs) if p.location.file == "环保处.xlsx"]
    result = write_return_copies(tmp_path / "out", inputs, problems, now=NOW)
    book = openpyxl.load_workbook(result.folder / "环保处.xlsx")
    sheet = book[SHEET]
    cells = [p for p in problems if p.location.cell and p.location.cell[0].isalpha()]
    assert len(cells) >= 3
    for problem in cells:
        cell = sheet[problem.location.cell]
        wanted = ERROR_FILL if problem.is_error else NOTICE_FILL
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == wanted, problem
        assert problem.message in cell.comment.text
        assert problem.level.value in cell.comment.text
    assert "必填" in sheet["K3"].comment.text  # 牵头部门 left empty: a cell that did not exist
    assert sheet["K3"].value is None
    # a cell without a problem keeps its look
    assert sheet["D2"].fill.fill_type is None and sheet["D2"].comment is None


def test_everything_else_of_the_workbook_is_kept(inputs, tmp_path):
    original = inputs / "环保处.xlsx"
    problems = [p for p in check_problems(inputs) if p.location.file == original.name]
    copy = write_return_copies(tmp_path / "out", inputs, problems, now=NOW).folder / original.name

    old, new = parts(original), parts(copy)
    edited = {
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet2.xml",  # the marked sheet
        "xl/comments/comment1.xml",  # its comments, next to the department's own
        "xl/drawings/commentsDrawing1.vml",
    }
    # every other part, the picture among them, is the same bytes
    for name, data in old.items():
        if name not in edited:
            assert new[name] == data, name
    assert set(old) < set(new)

    values = openpyxl.load_workbook(original, data_only=True)
    kept = openpyxl.load_workbook(copy, data_only=True)
    assert kept.sheetnames == [RETURN_SHEET, *values.sheetnames]
    for title in values.sheetnames:
        before = [[c.value for c in row] for row in values[title].iter_rows()]
        after = [[c.value for c in row] for row in kept[title].iter_rows()]
        assert after == before, title
    # formulas with their saved results
    formulas = openpyxl.load_workbook(copy)
    assert formulas[SHEET]["O3"].value == "=ROW()-1"
    assert kept[SHEET]["O3"].value == 2
    sheet = formulas[SHEET]
    assert sheet["O3"].number_format == "0.0"
    assert sheet.column_dimensions["D"].width == 44
    assert sheet.column_dimensions["J"].width == 13
    assert "A3:A5" in {str(r) for r in sheet.merged_cells.ranges}
    (choices,) = sheet.data_validations.dataValidation
    assert choices.formula1 == '"是,否"' and str(choices.sqref) == "M2:M200"
    assert formulas["底稿"].sheet_state == "hidden"
    assert "部门自己的批注" in sheet["C2"].comment.text
    assert b"<drawing " in new["xl/worksheets/sheet2.xml"]
    assert new["xl/media/image1.png"] == old["xl/media/image1.png"]


def test_first_sheet_lists_every_problem_with_a_link(inputs, tmp_path):
    problems = check_problems(inputs)
    folder = write_return_copies(tmp_path / "out", inputs, problems, now=NOW).folder
    for file in ("环保处.xlsx", "绿林处.xlsx"):
        own = [p for p in problems if p.location.file == file]
        book = openpyxl.load_workbook(folder / file)
        assert book.sheetnames[0] == RETURN_SHEET
        assert book.active.title == RETURN_SHEET
        listing = book[RETURN_SHEET]
        header = [c.value for c in listing[5]]
        assert header == ["序号", "级别", "工作表", "单元格", "列", "问题和修改方法"]
        rows = list(listing.iter_rows(min_row=6, values_only=True))
        assert sorted(r[5] for r in rows) == sorted(p.message for p in own)
        errors = sum(p.is_error for p in own)
        assert f"错误 {errors} 处" in listing["A1"].value
        for row in listing.iter_rows(min_row=6):
            cell = row[3]
            if cell.value and re.fullmatch(r"[A-Z]+\d+", cell.value):
                assert cell.hyperlink.location == f"'{row[2].value}'!{cell.value}"
            elif cell.value and cell.value.startswith("行"):
                assert cell.hyperlink.location == f"'{row[2].value}'!A{cell.value[1:]}"
        # only the new sheet is selected: sheets grouped together would take every edit
        selected = [s.title for s in book.worksheets if s.sheet_view.tabSelected]
        assert selected == [RETURN_SHEET]


def test_problems_without_a_cell_on_the_first_sheet(tmp_path):
    inputs = tmp_path / "in"
    path = department_workbook(inputs, "督察处")
    book = openpyxl.load_workbook(path)
    book[SHEET]["Q40"] = "备注"  # a row far below the data
    book.save(path)
    problems = [
        error(Location(path.name, SHEET, "F7", "2023年计划"), "一格在还没有的行里。"),
        error(Location(path.name, SHEET, "行4"), "整行的问题。"),
        error(Location(path.name, SHEET, column="牵头部门"), "缺少列「牵头部门」。"),
        notice(Location(path.name, "工作进展"), "没有工作表「工作进展」。"),
        notice(Location(path.name), "「督察处」不在「报送单位」中。"),
        error(Location(path.name, SHEET, "A4"), "合并单元格中的一格。"),
        notice(Location(path.name, "底稿", "A1"), "隐藏的工作表中的一格。"),
        # rows that do not exist yet, below and between each other
        error(Location(path.name, SHEET, "D30"), "第 30 行。"),
        error(Location(path.name, SHEET, "D9"), "第 9 行。"),
        notice(Location(path.name, SHEET, "D8"), "第 8 行。"),
        notice(Location(path.name, SHEET, "D12"), "第 12 行。"),
    ]
    folder = write_return_copies(tmp_path / "out", inputs, problems, now=NOW).folder
    book = openpyxl.load_workbook(folder / path.name)
    listing = {row[5].value: row for row in book[RETURN_SHEET].iter_rows(min_row=6)}
    assert listing["整行的问题。"][3].value == "行4"
    assert listing["整行的问题。"][3].hyperlink.location == f"'{SHEET}'!A4"
    assert listing["缺少列「牵头部门」。"][3].hyperlink.location == f"'{SHEET}'!A1"
    assert listing["没有工作表「工作进展」。"][3].hyperlink is None
    assert listing["「督察处」不在「报送单位」中。"][2].value == "—"
    assert listing["隐藏的工作表中的一格。"][2].value == "底稿（已隐藏）"
    assert book["底稿"]["A1"].fill.fgColor.rgb == NOTICE_FILL
    for row in (8, 9, 12, 30):
        assert f"第 {row} 行" in book[SHEET][f"D{row}"].comment.text
    xml = parts(folder / path.name)["xl/worksheets/sheet2.xml"].decode()
    numbers = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    sheet = book[SHEET]
    assert sheet["F7"].fill.fgColor.rgb == ERROR_FILL  # a row that did not exist yet
    assert "一格在还没有的行里" in sheet["F7"].comment.text
    # a cell inside a merged range is shown on the range's first cell
    assert "（A4）" in sheet["A3"].comment.text and sheet["A3"].fill.fgColor.rgb == ERROR_FILL


def test_a_missing_column_is_listed_once_and_its_header_row_marked(tmp_path):
    inputs = tmp_path / "in"
    office_workbook(inputs)
    rows = sample_sheet(SHEET, drop=("牵头部门",), rename={"事项": "事项名称"}, rows=4)
    path = write_workbook(inputs / "环保处.xlsx", {SHEET: rows})
    problems = [p for p in check_problems(inputs) if p.location.file == path.name]
    folder = write_return_copies(tmp_path / "out", inputs, problems, now=NOW).folder
    book = openpyxl.load_workbook(folder / path.name)
    listing = [row for row in book[RETURN_SHEET].iter_rows(min_row=6, values_only=True)]
    assert sorted(row[5] for row in listing) == sorted(p.message for p in problems)
    (missing,) = [row for row in listing if "缺少列「牵头部门」" in row[5]]
    assert missing[1:5] == ("错误", SHEET, "行2", "牵头部门")
    (misspelt,) = [row for row in listing if "缺少列「事项」" in row[5]]
    assert misspelt[1:5] == ("错误", SHEET, "C2", "事项名称")
    assert not [row for row in listing if "必填" in row[5]]  # no row for each data row
    links = {c.value: c.hyperlink for c in book[RETURN_SHEET]["D"] if c.hyperlink}
    assert links["行2"].location == f"'{SHEET}'!A2"

    sheet = book[SHEET]
    header = rows[1]
    for column in range(1, len(header) + 1):  # the header row, every name on it
        assert sheet.cell(2, column).fill.fgColor.rgb == ERROR_FILL
    assert "缺少列「牵头部门」" in sheet["A2"].comment.text
    assert "「事项名称」应为「事项」？" in sheet["C2"].comment.text
    assert "缺少列「牵头部门」" not in sheet["C2"].comment.text
    assert sheet.cell(2, len(header) + 1).fill.fill_type is None  # nothing beyond the header
    # the title above and the data rows below keep their look
    for row in (1, *range(3, len(rows) + 1)):
        for column in range(1, len(header) + 1):
            cell = sheet.cell(row, column)
            assert cell.fill.fill_type is None and cell.comment is None, cell.coordinate


def test_a_returned_copy_reads_like_the_original(inputs, tmp_path):
    """A department may fix the copy and send it back: 问题 is read past, the data is the same."""
    problems = check_problems(inputs)
    folder = write_return_copies(tmp_path / "out", inputs, problems, now=NOW).folder
    (folder / "报告信息.xlsx").write_bytes((inputs / "报告信息.xlsx").read_bytes())
    again = validate(load_inputs(folder))
    assert sorted(p.describe() for p in again.problems) == sorted(p.describe() for p in problems)


def test_never_over_an_existing_folder(inputs, tmp_path):
    outputs = tmp_path / "out"
    taken = outputs / "退回_2026-12-01_101502"
    taken.mkdir(parents=True)
    (taken / "环保处.xlsx").write_bytes(b"sent yesterday")
    result = write_return_copies(outputs, inputs, check_problems(inputs), now=NOW)
    assert result.folder == outputs / "退回_2026-12-01_101502_2"
    assert (taken / "环保处.xlsx").read_bytes() == b"sent yesterday"
    assert not [p for p in outputs.iterdir() if p.name.startswith(".")]


def test_no_copy_for_files_that_are_not_workbooks(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "旧表.xls").write_bytes(b"old")
    (inputs / "坏表.xlsx").write_bytes(b"not a zip")
    problems = [
        error(Location("旧表.xls"), "不支持 .xls 格式。"),
        error(Location("坏表.xlsx"), "不是有效的 Excel 工作簿。"),
        error(Location("inputs"), "缺少工作表。"),
    ]
    result = write_return_copies(tmp_path / "out", inputs, problems, now=NOW)
    assert result.folder is None and not (tmp_path / "out").exists()
    assert [file for file, _ in result.skipped] == ["坏表.xlsx"]
    # a workbook whose parts this module cannot follow is skipped, not a traceback
    odd = dict(_MINIMAL)
    odd["xl/worksheets/sheet1.xml"] = odd["xl/worksheets/sheet1.xml"].replace(
        "<row>", '<row r="x">', 1
    )
    with zipfile.ZipFile(inputs / "怪表.xlsx", "w") as archive:
        for name, text in odd.items():
            archive.writestr(name, text)
    problems = [error(Location("怪表.xlsx", SHEET, "A1"), "某个问题。")]
    result = write_return_copies(tmp_path / "out", inputs, problems, now=NOW)
    assert result.skipped == [("怪表.xlsx", "工作簿的内部结构无法识别")]


def zip_bomb_workbook(path: Path, inflated: int) -> Path:
    """A department's workbook whose sheet inflates to about `inflated` bytes of repeated rows,
    written a piece at a time: a few MB on disk, and little memory to make."""
    write_workbook(path, {SHEET: [COOPERATION_HEADER, cooperation_row()]})
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    sheet = "xl/worksheets/sheet1.xml"
    row = '<row r="3"><c r="A3" t="inlineStr"><is><t>永安市</t></is></c></row>'.encode()
    block = row * (1024 * 1024 // len(row))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info, data in members:
            if info.filename != sheet:
                target.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with target.open(sheet, "w", force_zip64=True) as member:
                member.write(head)
                for _ in range(inflated // len(block)):
                    member.write(block)
                member.write(b"</sheetData>" + tail)
    return path


@pytest.mark.skipif(resource is None, reason="needs the resource module (not on Windows)")
def test_a_zip_bomb_gets_no_copy_and_is_never_inflated(tmp_path):
    """A workbook that inflates to 1 GB is refused by the loader; `check` must not inflate it
    for a return copy either, and still writes the other copies and the problem list."""
    inputs = tmp_path / "inputs"
    office_workbook(inputs)
    write_workbook(
        inputs / "绿林处.xlsx", {SHEET: [COOPERATION_HEADER, cooperation_row(牵头部门=None)]}
    )
    bomb = zip_bomb_workbook(inputs / "炸弹处.xlsx", 1024**3)
    assert bomb.stat().st_size < 20 * 1024 * 1024
    outputs = tmp_path / "outputs"
    command = [sys.executable, "-m", "pipeline", "check", "--inputs", str(inputs)]
    code, peak, _, stderr = measured([*command, "--outputs", str(outputs)])
    assert code == 1, stderr
    assert peak < MEMORY_LIMIT, f"peak memory {peak // 2**20} MB"
    assert "炸弹处.xlsx：工作簿解压后过大" in stderr
    assert f"未能为 炸弹处.xlsx 生成退回副本：{UNREADABLE}" in stderr
    assert "内部错误" not in stderr
    (returned,) = outputs.glob("退回_*")
    assert [p.name for p in returned.iterdir()] == ["绿林处.xlsx"]
    (listing,) = outputs.glob("问题清单_*.xlsx")
    rows = openpyxl.load_workbook(listing).active.iter_rows(values_only=True)
    assert any(row[0] == "炸弹处" and "解压后过大" in " ".join(map(str, row)) for row in rows)


def test_a_workbook_the_loader_refuses_gets_no_copy(tmp_path):
    """A workbook refused as a whole (here: an XML part with a DTD) is named in the problem
    list only; the other workbooks get their copies."""
    inputs = tmp_path / "in"
    department_workbook(inputs, "环保处")
    path = write_workbook(inputs / "督察处.xlsx", {SHEET: [COOPERATION_HEADER, cooperation_row()]})
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            if info.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE workbook [<!ENTITY a "a">]>' + data  # openpyxl: no <?xml
            target.writestr(info, data)
    problems = check_problems(inputs)
    (refused,) = [p for p in problems if p.location.file == "督察处.xlsx"]
    assert refused.is_error and refused.location.sheet is None
    result = write_return_copies(tmp_path / "out", inputs, problems, now=NOW)
    assert [p.name for p in result.written] == ["环保处.xlsx"]
    assert result.skipped == [("督察处.xlsx", UNREADABLE)]


def test_a_folder_that_cannot_be_written_is_a_chinese_message(inputs, tmp_path):
    blocked = tmp_path / "out"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(PipelineError, match="无法在 .* 中写入退回副本"):
        write_return_copies(blocked, inputs, check_problems(inputs), now=NOW)


def test_a_workbook_written_by_libreoffice_or_without_comments_is_marked(tmp_path):
    """A plain workbook: the first comments of a sheet get their own parts."""
    path = write_workbook(
        tmp_path / "水利处.xlsx", {SHEET: [COOPERATION_HEADER, cooperation_row(牵头领导=None)]}
    )
    problem = error(Location(path.name, SHEET, "J2", "牵头领导"), "必填，不能为空。")
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(marked_copy(path.read_bytes(), "水利处", [problem]))
    new = parts(copy)
    assert any(name.startswith("xl/comments") for name in new)
    assert any(name.endswith(".vml") for name in new)
    sheet = openpyxl.load_workbook(copy)[SHEET]
    assert "必填" in sheet["J2"].comment.text


_MINIMAL = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{RELATIONSHIPS}"><sheets><sheet name="{SHEET}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>'
    ),
    # rows and cells without their addresses, as some exporters write them
    "xl/worksheets/sheet1.xml": (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row><c t="inlineStr"><is><t>对口地区</t></is></c><c t="inlineStr"><is><t>序号</t>'
        '</is></c><c t="inlineStr"><is><t>事项</t></is></c></row><row><c t="inlineStr"><is>'
        "<t>永安市</t></is></c><c><v>1</v></c><c/><c><v>9</v></c></row></sheetData></worksheet>"
    ),
}


def test_a_minimal_workbook_without_styles_or_cell_addresses(tmp_path):
    path = tmp_path / "供排水处.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in _MINIMAL.items():
            archive.writestr(name, text)
    problems = [
        error(Location(path.name, SHEET, "C2", "事项"), "必填，不能为空。"),
        notice(Location(path.name, SHEET, "F2"), "这一格有内容，但所在的列没有列名。"),
        notice(Location(path.name, SHEET, "B2", "序号"), "序号的提示。"),
    ]
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(marked_copy(path.read_bytes(), "供排水处", problems))
    sheet = openpyxl.load_workbook(copy)[SHEET]
    assert [c.value for c in sheet[2]][:4] == ["永安市", 1, None, 9]
    assert sheet["C2"].fill.fgColor.rgb == ERROR_FILL and "必填" in sheet["C2"].comment.text
    assert sheet["B2"].fill.fgColor.rgb == NOTICE_FILL and sheet["B2"].value == 1
    assert sheet["F2"].fill.fgColor.rgb == NOTICE_FILL and sheet["F2"].value is None
    assert sheet["D2"].value == 9 and sheet["D2"].fill.fill_type is None


def test_an_earlier_list_is_replaced_and_sheet_scoped_names_follow_their_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "填写说明"
    sheet = book.create_sheet(SHEET)
    for row in (COOPERATION_HEADER, cooperation_row(牵头领导=None)):
        sheet.append(row)
    sheet.print_area = "A1:N2"
    old_list = book.create_sheet(RETURN_SHEET)
    old_list["A1"] = "上次的问题"
    book.active = 2
    path = tmp_path / "环保处.xlsx"
    book.save(path)
    problem = error(Location(path.name, SHEET, "J2", "牵头领导"), "必填，不能为空。")
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(marked_copy(path.read_bytes(), "环保处", [problem]))
    marked = openpyxl.load_workbook(copy)
    assert marked.sheetnames == [RETURN_SHEET, "填写说明", SHEET]
    assert marked[RETURN_SHEET]["A1"].value.startswith("环保处：错误 1 处")
    assert marked[RETURN_SHEET]["F6"].value == "必填，不能为空。"
    assert marked[SHEET].print_area == f"'{SHEET}'!$A$1:$N$2"
    assert [s.title for s in marked.worksheets if s.sheet_view.tabSelected] == [RETURN_SHEET]


# ---------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_libreoffice_opens_the_copy_and_keeps_it(inputs, tmp_path, libreoffice):
    problems = check_problems(inputs)
    folder = write_return_copies(tmp_path / "out", inputs, problems, now=NOW).folder
    copy = folder / "环保处.xlsx"
    resaved = libreoffice.convert(copy, "xlsx", tmp_path / "resaved")
    book = openpyxl.load_workbook(resaved, data_only=True)
    original = openpyxl.load_workbook(inputs / "环保处.xlsx", data_only=True)
    assert book.sheetnames == [RETURN_SHEET, *original.sheetnames]
    for row in ("A2", "D2", "B4", "O3"):
        assert book[SHEET][row].value == original[SHEET][row].value
    sheet = book[SHEET]
    assert "必填" in sheet["K3"].comment.text
    assert sheet["K3"].fill.fgColor.rgb.endswith(ERROR_FILL[2:])
    assert "部门自己的批注" in sheet["C2"].comment.text
    assert any(name.startswith("xl/media/") for name in parts(resaved))
    messages = [r[5] for r in book[RETURN_SHEET].iter_rows(min_row=6, values_only=True)]
    assert len(messages) == len([p for p in problems if p.location.file == copy.name])
    # sent back unchanged, saved by LibreOffice, checked again: the new list replaces the old
    again = tmp_path / "again.xlsx"
    own = [p for p in problems if p.location.file == copy.name]
    again.write_bytes(marked_copy(resaved.read_bytes(), "环保处", own[:1]))
    book = openpyxl.load_workbook(again)
    assert book.sheetnames == [RETURN_SHEET, *original.sheetnames]
    assert book[RETURN_SHEET].max_row == 6


@pytest.mark.libreoffice
def test_libreoffice_reads_the_problem_sheet(inputs, tmp_path, libreoffice):
    folder = write_return_copies(tmp_path / "out", inputs, check_problems(inputs), now=NOW).folder
    csv = libreoffice.convert(
        folder / "绿林处.xlsx",
        "csv:Text - txt - csv (StarCalc):44,34,76",
        tmp_path / "csv",
    )
    text = csv.read_text(encoding="utf-8")
    assert "缺少列「事项」" in text and "问题和修改方法" in text
