"""A corpus of hostile, broken and odd inputs, written by code so that every case can be reviewed.

Each `Case` writes a complete `inputs/` folder into an empty directory and says what must
happen to it: either the build succeeds and the named values are kept exactly (in the merged
dossier and in the rendered document), or it stops with errors at exactly the named places.

Most cases start from `Books()`, a small valid set of the office's and two departments'
workbooks in which every text field holds a distinct value, and change one thing. Others write
bytes that only look like a workbook. Workbooks are written the way Excel writes them: control
characters as `_xHHHH_` escapes and a literal `_xHHHH_` as `_x005F_xHHHH_` (see `excel_text`).

    python tests/corpus.py OUT    # write every case into OUT/<case name>/
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import struct
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from _workbooks import (
    COOPERATION_HEADER,
    OUTLINE,
    REPORT_SETTINGS,
    TABLE_SETTINGS,
    cooperation_row,
)
from lxml import etree

from pipeline.cells import column_letter
from pipeline.load import _container, _xlsx
from pipeline.model import Dossier
from pipeline.render import REPORT_TEMPLATE, TABLE_TEMPLATE, RenderedDocument

OFFICE = "报告信息.xlsx"
PROGRESS_BOOK = "区人社局.xlsx"
COOPERATION_BOOK = "环保处.xlsx"

PROGRESS_HEADER = ["一级标题", "二级标题", "事项", "内容", "责任单位", "排序"]
APPROVAL_HEADER = ["环节", "意见", "签署人", "签署时间"]
NOTES_HEADER = ["对口地区", "注"]

Rows = list[list[Any]]


def _base() -> dict[str, dict[str, Rows]]:
    report = [
        *REPORT_SETTINGS,
        ["结束语", "特此报告。"],
        ["文号", "九十五"],
        ["拟文稿标题", "拟文稿之题"],
    ]
    return {
        OFFICE: {
            "专报信息": report,
            "提纲": OUTLINE,
            "拟文稿": [
                APPROVAL_HEADER,
                ["专报部门意见", "已核。", "徐小花", "2023/11/3 16:01:14"],
                ["办公室审核意见", "同意报送。", "李四", None],
            ],
            "项目表信息": TABLE_SETTINGS,
            "项目表注": [NOTES_HEADER, ["永安市", "表中时间为计划时间。"]],
        },
        PROGRESS_BOOK: {
            "工作进展": [
                PROGRESS_HEADER,
                [
                    "提炼建言明确分工",
                    "提炼委员建言",
                    None,
                    "区政协提炼为26条委员建言。",
                    "区政协",
                    1,
                ],
                ["提炼建言明确分工", "召开专题会议", "会议", "10月13日召开专题会。", None, None],
                ["下一步工作安排", None, None, "一是研究制定清单。二是完善跟踪调度。", None, None],
            ]
        },
        COOPERATION_BOOK: {
            "合作交流项目": [
                COOPERATION_HEADER,
                _cooperation(
                    serial=1,
                    item="加强生态环境保护",
                    content="技术交流",
                    预计完成时间="2025年",
                    **{"2023年计划": "完成调研", "2024年计划": "开展交流", "2025年计划": "总结"},
                    事项推进情况="已对接",
                    配合部门="监测站",
                ),
                _cooperation(
                    serial=2,
                    item="共建监测网络",
                    content="数据共享",
                    牵头领导=None,
                    牵头部门=None,
                    是否纳入="否",
                    说明="已由市级统筹",
                ),
            ]
        },
    }


def _cooperation(region="永安市", serial=1, item="事项", content="内容", **extra) -> list:
    return cooperation_row(region, serial, item, content, **extra)


# ------------------------------------------------------------------ writing workbooks

# What Excel escapes in a shared string: control characters, and a literal `_xHHHH_`.
_EXCEL_ESCAPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def excel_text(value: Any) -> Any:
    """A string as Excel stores it in the file (openpyxl writes strings verbatim)."""
    if not isinstance(value, str):
        return value
    return _EXCEL_ESCAPED.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


@dataclass
class Books:
    """Workbook file name → sheet title → rows (row 1 first), changed by a case, then written."""

    books: dict[str, dict[str, Rows]] = field(default_factory=lambda: copy.deepcopy(_base()))

    def rows(self, book: str, sheet: str) -> Rows:
        return self.books[book][sheet]

    def cell(self, book: str, sheet: str, row: int, column: str) -> str:
        """The Excel address of `column` (a header name) in `row` of a table sheet."""
        header = self.rows(book, sheet)[0]
        return f"{column_letter(header.index(column) + 1)}{row}"

    def setting_cell(self, sheet: str, key: str) -> str:
        rows = self.rows(OFFICE, sheet)
        return f"B{next(i for i, row in enumerate(rows, 1) if row[0] == key)}"

    def set(self, book: str, sheet: str, row: int, column: str, value: Any) -> str:
        rows = self.rows(book, sheet)
        rows[row - 1][rows[0].index(column)] = value
        return self.cell(book, sheet, row, column)

    def set_setting(self, sheet: str, key: str, value: Any) -> str:
        address = self.setting_cell(sheet, key)
        self.rows(OFFICE, sheet)[int(address[1:]) - 1][1] = value
        return address

    def workbook_bytes(self, name: str) -> bytes:
        book = openpyxl.Workbook()
        book.remove(book.active)
        long_texts: dict[str, str] = {}
        for title, rows in self.books[name].items():
            sheet = book.create_sheet(title)
            for row_number, row in enumerate(rows, start=1):
                for column, value in enumerate(row, start=1):
                    if value is None:
                        continue
                    cell = sheet.cell(row_number, column)
                    if isinstance(value, Formula):
                        cell.value = str(value)  # openpyxl writes it without a cached value
                        continue
                    cell.value = _long_marker(excel_text(value), long_texts)
                    if isinstance(value, str):
                        cell.data_type = "s"  # text, even when it starts with `=`
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
        if long_texts:
            # openpyxl cuts text at Excel's 32,767 characters; other programs write more.
            def restore(xml: bytes) -> bytes:
                for marker, text in long_texts.items():
                    xml = xml.replace(marker.encode(), escape_xml(text).encode())
                return xml

            data = patch_zip_bytes(
                data, lambda member: member.startswith("xl/worksheets/"), restore
            )
        return data

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in self.books:
            (folder / name).write_bytes(self.workbook_bytes(name))


EXCEL_TEXT_LIMIT = 32_767


class Formula(str):
    """A cell value written as a formula (with no cached value), not as text."""


def _long_marker(value: Any, long_texts: dict[str, str]) -> Any:
    if isinstance(value, str) and len(value) > EXCEL_TEXT_LIMIT:
        marker = f"@@LONG{len(long_texts)}@@"
        long_texts[marker] = value
        return marker
    return value


def escape_xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def patch_zip_bytes(
    data: bytes, chosen: Callable[[str], bool], change: Callable[[bytes], bytes]
) -> bytes:
    """A zip with the chosen members changed and the others kept as they are."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info, member in entries:
            target.writestr(info, change(member) if chosen(info.filename) else member)
    return buffer.getvalue()


def patch_zip(path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one member of a zip file, keeping the others as they are."""
    path.write_bytes(patch_zip_bytes(path.read_bytes(), lambda name: name == member, change))


def sheet_member(path: Path, title: str) -> str:
    """The zip member holding the sheet called `title` (openpyxl writes them in order)."""
    titles = openpyxl.load_workbook(path, read_only=True).sheetnames
    return f"xl/worksheets/sheet{titles.index(title) + 1}.xml"


def replace_cell(path: Path, sheet: str, address: str, cell_xml: str) -> None:
    """Replace the `<c>` element at `address` with raw XML (formulas, cached values)."""
    pattern = re.compile(rf'<c r="{address}"[^>]*?(?:/>|>.*?</c>)'.encode())

    def change(data: bytes) -> bytes:
        data, count = pattern.subn(cell_xml.encode(), data, count=1)
        assert count == 1, f"no cell {address} in {sheet}"
        return data

    patch_zip(path, sheet_member(path, sheet), change)


def raw_zip(path: Path, members: dict[str, bytes], *, level: int = 6) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def ole_file(path: Path, streams: list[str]) -> None:
    """Enough of an OLE2 compound file for the loader: the magic, and stream names in UTF-16."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    directory = b"".join(
        name.encode("utf-16-le").ljust(64, b"\0") + struct.pack("<H", 2 * len(name) + 2) + bytes(62)
        for name in ["Root Entry", *streams]
    )
    path.write_bytes(header + directory)


def deflated_member(name: str, chunks: Iterator[bytes]) -> bytes:
    """A zip (as bytes) with one deflated member, written in chunks: huge inside, small outside."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(name, "w") as member,
    ):
        for chunk in chunks:
            member.write(chunk)
    return buffer.getvalue()


# ------------------------------------------------------------------ expectations


@dataclass(frozen=True)
class At:
    """A place a problem must name: the file, and the sheet and cell when there are some."""

    file: str
    sheet: str | None = None
    cell: str | None = None
    says: str = ""  # a fragment the message must contain


@dataclass(frozen=True)
class TextField:
    """One text field of the inputs: where it is written, and where it ends up."""

    name: str
    cells: tuple[tuple[str, str, int, str], ...]  # (book, sheet, row, column or key), all written
    get: Callable[[Dossier], Any]
    document: str  # "report", "table", or "" for a value only kept in the dossier
    paragraphs: bool = False  # a line break starts a new paragraph (lines trimmed)
    heading: bool = False  # a typed number in front is removed with a notice

    def places(self, books: Books) -> list[At]:
        places = []
        for book, sheet, row, column in self.cells:
            if row == 0:
                places.append(At(book, sheet, books.setting_cell(sheet, column)))
            else:
                places.append(At(book, sheet, books.cell(book, sheet, row, column)))
        return places

    def write(self, books: Books, value: Any) -> None:
        for book, sheet, row, column in self.cells:
            if row == 0:
                books.set_setting(sheet, column, value)
            else:
                books.set(book, sheet, row, column, value)


def _setting(key: str, get: Callable[[Dossier], Any], **options) -> TextField:
    return TextField(f"专报信息.{key}", ((OFFICE, "专报信息", 0, key),), get, "report", **options)


def _report(dossier: Dossier):
    return dossier.report.settings


def _cooperation_row(dossier: Dossier, item: int = 0):
    return dossier.regions[0].items[item].rows[0]


# Every text field of every sheet. A row of 0 means a key–value sheet (the key in column A).
TEXT_FIELDS: tuple[TextField, ...] = (
    _setting("编发单位", lambda d: _report(d).publisher),
    _setting("报送", lambda d: _report(d).recipients),
    _setting("标题", lambda d: _report(d).title),
    _setting("导语", lambda d: _report(d).lead, paragraphs=True),
    _setting("结束语", lambda d: _report(d).closing),
    _setting("落款", lambda d: _report(d).signatory),
    _setting("联系人", lambda d: _report(d).contact_person),
    _setting("联系电话", lambda d: _report(d).contact_phone),
    _setting("专报部门", lambda d: _report(d).submitting_department),
    _setting("专报人", lambda d: _report(d).submitter),
    _setting("文号", lambda d: _report(d).document_number),
    _setting("拟文稿标题", lambda d: _report(d).form_title),
    TextField(
        "提纲.一级标题",
        ((OFFICE, "提纲", 4, "一级标题"), (PROGRESS_BOOK, "工作进展", 4, "一级标题")),
        lambda d: d.report.sections[-1].title,
        "report",
        heading=True,
    ),
    TextField(
        "提纲.二级标题",
        ((OFFICE, "提纲", 2, "二级标题"), (PROGRESS_BOOK, "工作进展", 2, "二级标题")),
        lambda d: d.report.sections[0].subsections[0].title,
        "report",
        heading=True,
    ),
    TextField(
        "拟文稿.意见",
        ((OFFICE, "拟文稿", 2, "意见"),),
        lambda d: d.report.approval["专报部门意见"][0].opinion,
        "report",
    ),
    TextField(
        "拟文稿.签署人",
        ((OFFICE, "拟文稿", 2, "签署人"),),
        lambda d: d.report.approval["专报部门意见"][0].signer,
        "report",
    ),
    TextField(
        "项目表信息.编制单位",
        ((OFFICE, "项目表信息", 0, "编制单位"),),
        lambda d: d.table_settings.compiler,
        "table",
    ),
    TextField(
        "项目表信息.领域",
        ((OFFICE, "项目表信息", 0, "领域"),),
        lambda d: d.table_settings.domain,
        "table",
    ),
    TextField(
        "项目表注.注", ((OFFICE, "项目表注", 2, "注"),), lambda d: d.regions[0].notes[0], "table"
    ),
    TextField(
        "工作进展.事项",
        ((PROGRESS_BOOK, "工作进展", 3, "事项"),),
        lambda d: d.report.sections[0].subsections[1].entries[0].lead_in,
        "report",
    ),
    TextField(
        "工作进展.内容",
        ((PROGRESS_BOOK, "工作进展", 3, "内容"),),
        lambda d: d.report.sections[0].subsections[1].entries[0].paragraphs,
        "report",
        paragraphs=True,
    ),
    TextField(
        "工作进展.责任单位",
        ((PROGRESS_BOOK, "工作进展", 2, "责任单位"),),
        lambda d: d.report.sections[0].subsections[0].entries[0].responsible,
        "",
    ),
    TextField(
        "合作交流项目.对口地区",
        (
            (COOPERATION_BOOK, "合作交流项目", 2, "对口地区"),
            (COOPERATION_BOOK, "合作交流项目", 3, "对口地区"),
            (OFFICE, "项目表注", 2, "对口地区"),
        ),
        lambda d: d.regions[0].region,
        "table",
    ),
    TextField(
        "合作交流项目.事项",
        ((COOPERATION_BOOK, "合作交流项目", 2, "事项"),),
        lambda d: d.regions[0].items[0].name,
        "table",
    ),
    *(
        TextField(
            f"合作交流项目.{column}",
            ((COOPERATION_BOOK, "合作交流项目", 2, column),),
            get,
            "table",
        )
        for column, get in (
            ("对口合作交流内容", lambda d: _cooperation_row(d).content),
            ("预计完成时间", lambda d: _cooperation_row(d).due),
            ("2024年计划", lambda d: _cooperation_row(d).plans.get(2024)),
            ("事项推进情况", lambda d: _cooperation_row(d).progress),
            ("牵头领导", lambda d: _cooperation_row(d).lead_leader),
            ("牵头部门", lambda d: _cooperation_row(d).lead_department),
            ("配合部门", lambda d: _cooperation_row(d).supporting),
        )
    ),
    TextField(
        "合作交流项目.说明",
        ((COOPERATION_BOOK, "合作交流项目", 3, "说明"),),
        lambda d: _cooperation_row(d, 1).explanation,
        "table",
    ),
)
FIELDS = {f.name: f for f in TEXT_FIELDS}


@dataclass(frozen=True)
class Kept:
    """A value the dossier must hold exactly and, with `document`, the text it must show there."""

    get: Callable[[Dossier], Any]
    value: Any
    shown: str | None = None  # None: the value itself (a list: its items, one per line)
    document: str = ""  # "report" or "table"; "" for a value not printed


def kept_text(name: str, value: str | list[str], shown: str | None = None) -> Kept:
    text_field = FIELDS[name]
    return Kept(text_field.get, value, shown, text_field.document)


@dataclass(frozen=True)
class Case:
    name: str
    write: Callable[[Path], None]
    errors: tuple[At, ...] = ()  # exactly these errors; none: the build must succeed
    notices: tuple[At, ...] = ()  # at least these notices
    kept: tuple[Kept, ...] = ()
    documents: int | None = None  # how many documents the build renders, when it matters


CASES: list[Case] = []


def case(name: str, **expectations) -> Callable[[Callable[[Path], None]], Callable]:
    def register(write: Callable[[Path], None]) -> Callable[[Path], None]:
        assert name not in {c.name for c in CASES}, name
        CASES.append(Case(name, write, **expectations))
        return write

    return register


def with_books(change: Callable[[Books], Any]) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        books = Books()
        change(books)
        books.write(folder)

    return write


def books_case(name: str, **expectations):
    """A case that changes the valid base set; the decorated function receives the `Books`."""

    def register(change: Callable[[Books], Any]) -> Callable[[Books], Any]:
        case(name, **expectations)(with_books(change))
        return change

    return register


# ------------------------------------------------------------------ the valid base itself


@books_case(
    "base",
    kept=(
        kept_text("专报信息.标题", "关于推进现代环境治理体系建设情况的报告"),
        kept_text("合作交流项目.说明", "已由市级统筹"),
    ),
    documents=2,
)
def _base_case(books: Books) -> None:
    pass


# ------------------------------------------------------------------ sheet shapes

P = "工作进展"
C = "合作交流项目"


@case(
    "empty_workbook_beside_valid_inputs",
    notices=(At("空白.xlsx", "Sheet"),),
    documents=2,
)
def _empty_workbook(folder: Path) -> None:
    Books().write(folder)
    openpyxl.Workbook().save(folder / "空白.xlsx")


@case("known_sheet_left_empty", errors=(At("空表.xlsx", P, None, "找不到表头"),))
def _known_sheet_empty(folder: Path) -> None:
    Books().write(folder)
    book = openpyxl.Workbook()
    book.active.title = P
    book.save(folder / "空表.xlsx")


@case("only_a_title_row", errors=(At("标题行.xlsx", P, None, "找不到表头"),))
def _only_title(folder: Path) -> None:
    Books().write(folder)
    book = openpyxl.Workbook()
    book.active.title = P
    book.active.append(["区人社局2023年11月工作进展"])
    book.save(folder / "标题行.xlsx")


@books_case(
    "header_in_row_7",
    kept=(kept_text("工作进展.内容", ["10月13日召开专题会。"]),),
)
def _header_row_7(books: Books) -> None:
    rows = books.rows(PROGRESS_BOOK, P)
    rows[0:0] = [["区人社局工作进展"], ["填报说明：一级标题须与提纲一致"], [], [None], ["注"], [""]]


@books_case("header_in_row_11", errors=(At(PROGRESS_BOOK, P, None, "找不到表头"),))
def _header_row_11(books: Books) -> None:
    books.rows(PROGRESS_BOOK, P)[0:0] = [[f"说明{i}"] for i in range(10)]


@books_case("duplicate_column", errors=(At(PROGRESS_BOOK, P, "G1", "两次"),))
def _duplicate_column(books: Books) -> None:
    for row in books.rows(PROGRESS_BOOK, P):
        row.append("内容" if row[0] == "一级标题" else "另一段")


@books_case("column_twice_with_different_spacing", errors=(At(PROGRESS_BOOK, P, "G1", "两次"),))
def _column_spacing(books: Books) -> None:
    for row in books.rows(PROGRESS_BOOK, P):
        row.append(" 内\u3000容\n" if row[0] == "一级标题" else "另一段")


@books_case(
    "unknown_column_with_content",
    notices=(At(PROGRESS_BOOK, P, "G1", "不是可识别的列"),),
    kept=(kept_text("工作进展.内容", ["10月13日召开专题会。"]),),
)
def _unknown_column(books: Books) -> None:
    for row in books.rows(PROGRESS_BOOK, P):
        row.append("备注" if row[0] == "一级标题" else "备注内容")


@books_case(
    "content_under_a_column_without_header",
    notices=(At(PROGRESS_BOOK, P, "H3", "没有列名"),),
    kept=(kept_text("工作进展.内容", ["10月13日召开专题会。"]),),
)
def _headerless_column(books: Books) -> None:
    books.rows(PROGRESS_BOOK, P)[2] += [None, "写在表外的补充说明"]


@case(
    "merged_header_cells",
    kept=(Kept(lambda d: _cooperation_row(d).content, "技术交流", "技术交流", "table"),),
)
def _merged_header(folder: Path) -> None:
    # A title merged across the table above the header, and 说明 stretched over an empty column.
    books = Books()
    rows = books.rows(COOPERATION_BOOK, C)
    rows.insert(0, ["合作交流项目表"] + [None] * (len(rows[0]) - 1))
    books.write(folder)
    path = folder / COOPERATION_BOOK
    book = openpyxl.load_workbook(path)
    sheet = book[C]
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COOPERATION_HEADER))
    sheet.merge_cells("N2:O2")  # 说明 stretched over an empty column
    book.save(path)


@case(
    "two_header_rows_as_pasted_from_word",
    notices=(
        At(COOPERATION_BOOK, C, "行2", "重复了表头"),
        At(COOPERATION_BOOK, C, "F1", "不是可识别的列"),
    ),
    kept=(
        Kept(lambda d: _cooperation_row(d).content, "技术交流", "技术交流", "table"),
        Kept(lambda d: _cooperation_row(d).plans, {}),
    ),
)
def _two_header_rows(folder: Path) -> None:
    # 计划 spans the year columns on row 1 and the years sit on row 2; every other name is
    # merged down over both rows. Plan columns under an unknown name are not read (a notice).
    books = Books()
    rows = books.rows(COOPERATION_BOOK, C)
    years = [i for i, name in enumerate(rows[0]) if name.endswith("年计划")]
    first = [None if i in years else name for i, name in enumerate(rows[0])]
    first[years[0]] = "年度计划"
    rows.insert(0, first)
    books.write(folder)
    path = folder / COOPERATION_BOOK
    book = openpyxl.load_workbook(path)
    sheet = book[C]
    for index, name in enumerate(first, start=1):
        if name and index - 1 not in years:
            sheet.merge_cells(start_row=1, start_column=index, end_row=2, end_column=index)
    sheet.merge_cells(start_row=1, start_column=years[0] + 1, end_row=1, end_column=years[-1] + 1)
    book.save(path)


@books_case(
    "header_repeated_inside_the_table",
    notices=(At(PROGRESS_BOOK, P, "行4", "重复了表头"),),
    kept=(Kept(lambda d: len(d.report.sections[0].subsections[1].entries), 1),),
)
def _repeated_header(books: Books) -> None:
    rows = books.rows(PROGRESS_BOOK, P)
    rows.insert(3, list(PROGRESS_HEADER))


@case(
    "merged_data_cells_fill_their_range",
    kept=(
        Kept(lambda d: [r.lead_department for r in d.regions[0].items[0].rows], ["环保处"] * 2),
        Kept(lambda d: len(d.regions[0].items[0].rows), 2),
    ),
)
def _merged_data(folder: Path) -> None:
    books = Books()
    rows = books.rows(COOPERATION_BOOK, C)
    second = _cooperation(serial=1, item="加强生态环境保护", content="第二行内容")
    rows.insert(2, second)
    books.write(folder)
    path = folder / COOPERATION_BOOK
    book = openpyxl.load_workbook(path)
    sheet = book[C]
    for column in ("A", "B", "C", "K", "J"):
        sheet.merge_cells(f"{column}2:{column}3")
    book.save(path)


@case(
    "whole_row_merged",
    errors=(At(COOPERATION_BOOK, C, "行3", "分组标题"),),
)
def _whole_row(folder: Path) -> None:
    books = Books()
    rows = books.rows(COOPERATION_BOOK, C)
    rows.insert(2, ["二、生态保护类"] + [None] * (len(COOPERATION_HEADER) - 1))
    books.write(folder)
    path = folder / COOPERATION_BOOK
    book = openpyxl.load_workbook(path)
    book[C].merge_cells(f"A3:{column_letter(len(COOPERATION_HEADER))}3")
    book.save(path)


# ------------------------------------------------------------------ formulas


@case(
    "formulas_use_their_cached_values",
    kept=(
        kept_text("工作进展.内容", ["ab"]),
        Kept(lambda d: d.report.settings.issue_number, "95", "第95期", "report"),
    ),
)
def _cached_formulas(folder: Path) -> None:
    books = Books()
    content = books.set(PROGRESS_BOOK, P, 3, "内容", "placeholder")
    books.write(folder)
    replace_cell(
        folder / PROGRESS_BOOK,
        P,
        content,
        f'<c r="{content}" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>',
    )
    issue = books.setting_cell("专报信息", "期号")
    replace_cell(folder / OFFICE, "专报信息", issue, f'<c r="{issue}"><f>90+5</f><v>95</v></c>')


@case(
    "formula_without_cached_value",
    errors=(At(PROGRESS_BOOK, P, "F2", "公式没有计算结果"),),
)
def _formula_no_value(folder: Path) -> None:
    books = Books()
    books.set(PROGRESS_BOOK, P, 2, "排序", Formula("=1+1"))
    books.write(folder)


@case(
    "formula_error_value",
    errors=(At(PROGRESS_BOOK, P, "D3", "#DIV/0!"),),
)
def _formula_error(folder: Path) -> None:
    books = Books()
    content = books.set(PROGRESS_BOOK, P, 3, "内容", "placeholder")
    books.write(folder)
    replace_cell(
        folder / PROGRESS_BOOK, P, content, f'<c r="{content}" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    )


@case(
    "malformed_shared_formula_uses_cached_values",
    kept=(kept_text("工作进展.内容", ["ab"]),),
)
def _malformed_formula(folder: Path) -> None:
    # Only the saved results are read: a formula's text, even broken, never matters.
    Books().write(folder)
    path = folder / PROGRESS_BOOK
    shared = '<f t="shared" si="0" ref="D3:D4">"a&amp;(((</f>'
    replace_cell(path, P, "D3", f'<c r="D3" t="str">{shared}<v>ab</v></c>')
    replace_cell(path, P, "D4", '<c r="D4" t="str"><f t="shared" si="0"/><v>cd</v></c>')


@books_case(
    "text_that_starts_with_an_equals_sign",
    kept=(
        kept_text("工作进展.内容", ["=1+1", '=HYPERLINK("http://example.invalid","点击")']),
        kept_text("合作交流项目.牵头领导", "=cmd|' /C calc'!A0"),
    ),
)
def _equals_text(books: Books) -> None:
    FIELDS["工作进展.内容"].write(books, '=1+1\n=HYPERLINK("http://example.invalid","点击")')
    FIELDS["合作交流项目.牵头领导"].write(books, "=cmd|' /C calc'!A0")


@books_case(
    "formula_text_is_never_evaluated",
    kept=(kept_text("合作交流项目.事项推进情况", "@SUM(1+1)*cmd|' /C calc'!A0"),),
)
def _formula_like_text(books: Books) -> None:
    books.set(COOPERATION_BOOK, C, 2, "事项推进情况", "@SUM(1+1)*cmd|' /C calc'!A0")


# ------------------------------------------------------------------ numbers and dates


@books_case(
    "numbers_stored_as_text",
    kept=(
        Kept(lambda d: d.report.settings.issue_number, "95", "第95期", "report"),
        Kept(lambda d: d.regions[0].items[0].number, 1),
        Kept(lambda d: d.table_settings.years, [2023, 2024, 2025]),
        kept_text("工作进展.内容", ["10月13日召开专题会。"]),
    ),
)
def _numbers_as_text(books: Books) -> None:
    books.set_setting("专报信息", "期号", "95")
    books.set_setting("项目表信息", "起始年份", "2023.0")
    books.set(COOPERATION_BOOK, C, 2, "序号", "1")
    books.set(PROGRESS_BOOK, P, 3, "排序", "2")


@books_case(
    "full_width_digits_and_spaces",
    kept=(
        Kept(lambda d: d.report.settings.issue_number, "95", "第95期", "report"),
        Kept(lambda d: d.regions[0].items[1].number, 2),
        Kept(lambda d: d.table_settings.end_year, 2025),
        Kept(lambda d: d.report.settings.date, dt.date(2023, 11, 20), "2023年11月20日", "report"),
    ),
)
def _full_width(books: Books) -> None:
    books.set_setting("专报信息", "期号", "\u3000９５\u3000")
    books.set_setting("专报信息", "日期", "２０２３年１１月２０日")
    books.set_setting("项目表信息", "结束年份", "２０２５")
    books.set(COOPERATION_BOOK, C, 3, "序号", " ２ ")


@books_case(
    "excel_date_serials",
    kept=(
        Kept(lambda d: d.report.settings.date, dt.date(2023, 11, 20), "2023年11月20日", "report"),
        Kept(
            lambda d: d.report.settings.submission_date,
            dt.date(2023, 11, 3),
            "2023-11-03",
            "report",
        ),
        Kept(
            lambda d: d.report.approval["专报部门意见"][0].signed_at,
            dt.datetime(2023, 11, 3, 16, 1, 14),
            "2023/11/3 16:01:14",
            "report",
        ),
    ),
)
def _date_serials(books: Books) -> None:
    books.set_setting("专报信息", "日期", 45250)
    books.set_setting("专报信息", "专报日期", 45233.0)
    books.set(OFFICE, "拟文稿", 2, "签署时间", 45233 + (16 * 3600 + 60 + 14) / 86400)


TEXT_DATES = {
    "iso": "2023-11-20",
    "slash": "2023/11/20",
    "dot": "2023.11.20",
    "chinese": "2023年11月20日",
    "date_time": "2023/11/20 14:44:56",
}

for _label, _text in TEXT_DATES.items():

    def _text_date(books: Books, text: str = _text) -> None:
        books.set_setting("专报信息", "日期", text)
        books.set(OFFICE, "拟文稿", 2, "签署时间", text)

    books_case(
        f"text_date_{_label}",
        kept=(
            Kept(
                lambda d: d.report.settings.date, dt.date(2023, 11, 20), "2023年11月20日", "report"
            ),
            Kept(
                lambda d: d.report.approval["专报部门意见"][0].signed_at.date(),
                dt.date(2023, 11, 20),
                "[2023/11/20" + (" 14:44:56]" if " " in _text else "]"),
                "report",
            ),
        ),
    )(_text_date)


@books_case(
    "invalid_dates",
    errors=(
        At(OFFICE, "专报信息", "B4", "应为日期"),
        At(OFFICE, "专报信息", "B13", "应为日期"),
        At(OFFICE, "拟文稿", "D2", "应为日期时间"),
        At(OFFICE, "拟文稿", "D3", "应为日期时间"),
    ),
)
def _invalid_dates(books: Books) -> None:
    books.set_setting("专报信息", "日期", "2023-02-30")
    books.set_setting("专报信息", "专报日期", "0023年11月3日")
    books.set(OFFICE, "拟文稿", 2, "签署时间", "2023/11/3 25:61:00")
    books.set(OFFICE, "拟文稿", 3, "签署时间", "0023/11/3 16:01:14")  # a year Word cannot store


@books_case(
    "numbers_that_are_not",
    errors=(
        At(OFFICE, "专报信息", "B2", "应为整数"),
        At(COOPERATION_BOOK, C, "B2", "不是有效的序号"),
        At(PROGRESS_BOOK, P, "F2", "应为数字"),
    ),
)
def _not_numbers(books: Books) -> None:
    books.set_setting("专报信息", "期号", "九十五")
    books.set(COOPERATION_BOOK, C, 2, "序号", "1.5")
    books.set(PROGRESS_BOOK, P, 2, "排序", "1,5")


@books_case(
    "odd_cell_types_in_text_fields",
    kept=(
        kept_text("合作交流项目.事项推进情况", "TRUE"),
        # As Excel shows them under the formats openpyxl gives dates and times.
        kept_text("合作交流项目.预计完成时间", "2025-01-01 0:00:00"),
        kept_text("合作交流项目.2024年计划", "3012.78"),
        kept_text("合作交流项目.配合部门", "14:30:00"),
        kept_text("专报信息.联系电话", "18116080172"),
    ),
)
def _odd_types(books: Books) -> None:
    books.set(COOPERATION_BOOK, C, 2, "事项推进情况", True)
    books.set(COOPERATION_BOOK, C, 2, "预计完成时间", dt.datetime(2025, 1, 1))
    books.set(COOPERATION_BOOK, C, 2, "2024年计划", 3012.78)
    books.set(COOPERATION_BOOK, C, 2, "配合部门", dt.time(14, 30))
    books.set_setting("专报信息", "联系电话", 18116080172.0)


@books_case(
    "odd_numbers_in_number_fields",
    errors=(
        At(COOPERATION_BOOK, C, "B2", "不是有效的序号"),
        At(COOPERATION_BOOK, C, "B3", "不是有效的序号"),
        At(OFFICE, "项目表信息", "B5", "早于"),
    ),
)
def _odd_numbers(books: Books) -> None:
    books.set(COOPERATION_BOOK, C, 2, "序号", -1)
    books.set(COOPERATION_BOOK, C, 3, "序号", True)
    books.set_setting("项目表信息", "结束年份", 2022.0)


# ------------------------------------------------------------------ text


LONG_TEXT = ("生态环境治理" * 8334)[:50_000]


@books_case(
    "very_long_text",
    kept=(
        kept_text("工作进展.内容", [LONG_TEXT]),
        kept_text("专报信息.标题", LONG_TEXT),
        kept_text("合作交流项目.对口合作交流内容", LONG_TEXT),
        kept_text("项目表信息.编制单位", LONG_TEXT),
    ),
)
def _long_text(books: Books) -> None:
    for name in (
        "工作进展.内容",
        "专报信息.标题",
        "合作交流项目.对口合作交流内容",
        "项目表信息.编制单位",
    ):
        FIELDS[name].write(books, LONG_TEXT)


ASTRAL = "𠀋𡈽𪚥 😀👍🏽 👨‍👩‍👧"


@books_case(
    "emoji_and_cjk_extension_b",
    kept=(
        kept_text("工作进展.内容", [f"内容{ASTRAL}"]),
        kept_text("合作交流项目.对口地区", f"𠀋{ASTRAL}"),
        kept_text("拟文稿.签署人", "𡈽😀"),
    ),
)
def _astral(books: Books) -> None:
    FIELDS["工作进展.内容"].write(books, f"内容{ASTRAL}")
    FIELDS["合作交流项目.对口地区"].write(books, f"𠀋{ASTRAL}")
    FIELDS["拟文稿.签署人"].write(books, "𡈽😀")


@books_case(
    "control_characters_as_excel_writes_them",
    notices=(
        At(PROGRESS_BOOK, P, "D3", "控制字符"),
        At(COOPERATION_BOOK, C, "D2", "控制字符"),
        At(OFFICE, "专报信息", "B6", "控制字符"),
    ),
    kept=(
        # \x0b is a line break (Word's manual break): kept as one.
        kept_text("工作进展.内容", ["第一段", "第二段", "第三段"]),
        kept_text("合作交流项目.对口合作交流内容", "前后"),
        kept_text("专报信息.标题", "标题"),
        # a literal `_x000B_` typed by a user (Excel stores `_x005F_x000B_`) stays literal
        kept_text("合作交流项目.事项推进情况", "_x000B_ 与 _x0041_"),
    ),
)
def _control_characters(books: Books) -> None:
    FIELDS["工作进展.内容"].write(books, "第一段\x0b第二段\x00\r\n第三段\x1f")
    FIELDS["合作交流项目.对口合作交流内容"].write(books, "前\x1f\x08后\x7f")
    FIELDS["专报信息.标题"].write(books, "\x01标\ufffe题\x0c")
    FIELDS["合作交流项目.事项推进情况"].write(books, "_x000B_ 与 _x0041_")


@case(
    "raw_control_character_in_sheet_xml",
    notices=(At(PROGRESS_BOOK, P, "D3", "控制字符"),),
    kept=(kept_text("工作进展.内容", ["ab", "c"]),),
)
def _raw_control(folder: Path) -> None:
    # Written by a program that does not escape (not well-formed XML): read as far as it goes,
    # the illegal character removed and said so, \x0b kept as a line break.
    books = Books()
    books.set(PROGRESS_BOOK, P, 3, "内容", "MARK")
    books.write(folder)
    patch_zip(
        folder / PROGRESS_BOOK,
        sheet_member(folder / PROGRESS_BOOK, P),
        lambda data: data.replace(b"MARK", b"a\x1fb\x0bc"),
    )


ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


@books_case(
    "zero_width_spaces",
    kept=(
        kept_text("工作进展.内容", [f"零宽{ZERO_WIDTH}字符"]),
        # headings match the outline ignoring zero-width characters; the outline's spelling is used
        Kept(
            lambda d: d.report.sections[-1].entries[0].paragraphs,
            ["一是研究制定清单。二是完善跟踪调度。"],
        ),
    ),
)
def _zero_width(books: Books) -> None:
    FIELDS["工作进展.内容"].write(books, f"零宽{ZERO_WIDTH}字符")
    books.set(PROGRESS_BOOK, P, 4, "一级标题", "下一步\u200b工作\ufeff安排")


MARKUP = (
    "&<>\"' &amp; &#123; {{ title }} {% if 1 %}x{% endif %} {_{ a }_} {_% b %_} {#c#} "
    "{%p if 1 %}{%tr for r in rows %}{{r x }}{%tc x %} </w:t><w:p/> ]]> <!-- -->"
)


def _markup_value(field_name: str) -> str:
    return f"{field_name}:{MARKUP}"


@books_case(
    "markup_and_template_tags_in_every_text_field",
    kept=tuple(
        kept_text(f.name, [_markup_value(f.name)] if f.paragraphs else _markup_value(f.name))
        for f in TEXT_FIELDS
    ),
)
def _markup_everywhere(books: Books) -> None:
    for text_field in TEXT_FIELDS:
        text_field.write(books, _markup_value(text_field.name))


@books_case(
    "multi_line_text",
    notices=(
        At(OFFICE, "提纲", "A4", "编号"),
        At(PROGRESS_BOOK, P, "A4", "编号"),
    ),
    kept=(
        kept_text("工作进展.内容", ["第一行", "第二行", "第三行"]),
        kept_text("专报信息.导语", ["导语一", "导语二"]),
        kept_text("合作交流项目.对口合作交流内容", "第一行\n  第二行"),
        kept_text("专报信息.标题", "上半\n下半"),
        kept_text("提纲.一级标题", "下一步\n工作安排"),
    ),
)
def _multi_line(books: Books) -> None:
    FIELDS["工作进展.内容"].write(books, "  第一行\r\n\r\n第二行\r第三行\n  ")
    FIELDS["专报信息.导语"].write(books, "导语一\u2028导语二")
    FIELDS["合作交流项目.对口合作交流内容"].write(books, "第一行\n  第二行")
    FIELDS["专报信息.标题"].write(books, "上半\n下半")
    FIELDS["提纲.一级标题"].write(books, "三、下一步\n工作安排")


# ------------------------------------------------------------------ names that become file names

HOSTILE_REGIONS = ("../../永安", "大田/县", "C:\\三明:市*", "CON", 'a?b|c<d>e"f', " . . ")


def _region_books(books: Books) -> None:
    rows = books.rows(COOPERATION_BOOK, C)
    del rows[1:]
    for region in HOSTILE_REGIONS:
        content = f"{region.strip()}的内容"
        rows.append(_cooperation(region=region, serial=1, item="事项", content=content))
    # two regions that differ only in characters a file name cannot hold
    rows.append(_cooperation(region="大田:县", serial=1, item="事项", content="重名"))


@books_case(
    "regions_with_path_characters",
    kept=(
        Kept(lambda d: [t.region for t in d.regions], [*HOSTILE_REGIONS[:-1], ". .", "大田:县"]),
        *(
            Kept(
                lambda d, i=i: d.regions[i].items[0].rows[0].content,
                f"{region.strip()}的内容",
                f"{region.strip()}的内容",
                "table",
            )
            for i, region in enumerate(HOSTILE_REGIONS)
        ),
    ),
    documents=1 + len(HOSTILE_REGIONS) + 1,
)
def _hostile_regions(books: Books) -> None:
    _region_books(books)


@books_case(
    "very_long_region_name",
    kept=(kept_text("合作交流项目.对口地区", "𠀋" * 300),),
)
def _long_region(books: Books) -> None:
    FIELDS["合作交流项目.对口地区"].write(books, "𠀋" * 300)


@books_case(
    "a_thousand_headings",
    errors=(
        At(OFFICE, "提纲", "A1002", "最多 999 个一级标题"),
        At(OFFICE, "提纲", "B2002", "最多 999 个二级标题"),
    ),
)
def _thousand_headings(books: Books) -> None:
    # The base outline has two first-level headings on rows 2–4.
    rows = books.rows(OFFICE, "提纲")
    rows += [[f"标题{i}", None] for i in range(1, 999)]  # rows 5–1002: the 1,000th on 1002
    rows += [["下一步工作安排", f"小标题{i}"] for i in range(1, 1001)]  # rows 1003–2002


@books_case(
    "heading_that_is_only_a_number",
    errors=(At(OFFICE, "提纲", "A4", "编号"), At(PROGRESS_BOOK, P, "A4", "编号")),
)
def _number_only_heading(books: Books) -> None:
    FIELDS["提纲.一级标题"].write(books, "三、")


@books_case(
    "workbook_name_with_odd_characters",
    kept=(
        Kept(
            lambda d: sorted(d.row_counts),
            sorted([OFFICE, COOPERATION_BOOK, "区 人社局 {{x}} & 😀.xlsx"]),
        ),
    ),
)
def _odd_workbook_name(books: Books) -> None:
    books.books["区 人社局 {{x}} & 😀.xlsx"] = books.books.pop(PROGRESS_BOOK)


@books_case(
    "sheet_name_with_spaces_and_full_width",
    kept=(kept_text("工作进展.内容", ["10月13日召开专题会。"]),),
)
def _sheet_name(books: Books) -> None:
    books.books[PROGRESS_BOOK] = {" 工作 进展 ": books.books[PROGRESS_BOOK][P]}


# ------------------------------------------------------------------ files that are not workbooks


def _beside_valid(name: str, write_bad: Callable[[Path], None]) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        Books().write(folder)
        write_bad(folder / name)

    return write


case("zip_of_something_else", errors=(At("照片.xlsx", None, None, "不是 Excel 工作簿"),))(
    _beside_valid("照片.xlsx", lambda p: raw_zip(p, {"photo.jpg": b"\xff\xd8\xff" + bytes(100)}))
)


def _truncated(path: Path) -> None:
    data = Books().workbook_bytes(PROGRESS_BOOK)
    path.write_bytes(data[: len(data) // 2])


case("truncated_workbook", errors=(At("截断.xlsx", None, None, "损坏"),))(
    _beside_valid("截断.xlsx", _truncated)
)


def _damaged_member(path: Path) -> None:
    path.write_bytes(Books().workbook_bytes(PROGRESS_BOOK))
    patch_zip(path, sheet_member(path, P), lambda data: data[: len(data) // 2])


case("workbook_with_damaged_sheet_xml", errors=(At("半张表.xlsx", None, None, "损坏"),))(
    _beside_valid("半张表.xlsx", _damaged_member)
)

case("xls_renamed_to_xlsx", errors=(At("旧版.xlsx", None, None, ".xls"),))(
    _beside_valid("旧版.xlsx", lambda p: ole_file(p, ["Workbook", "SummaryInformation"]))
)

case("encrypted_workbook", errors=(At("加密.xlsx", None, None, "密码"),))(
    _beside_valid("加密.xlsx", lambda p: ole_file(p, ["EncryptionInfo", "EncryptedPackage"]))
)

case("text_file_named_xlsx", errors=(At("说明.xlsx", None, None, "不是有效的 Excel 工作簿"),))(
    _beside_valid("说明.xlsx", lambda p: p.write_text("期号,95\n", encoding="utf-8"))
)

case("empty_file_named_xlsx", errors=(At("空文件.xlsx", None, None, "不是有效的 Excel 工作簿"),))(
    _beside_valid("空文件.xlsx", lambda p: p.write_bytes(b""))
)


@case(
    "old_formats_are_named",
    errors=(At("老表.xls", None, None, ".xlsx"), At("宏.xlsm", None, None, ".xlsx")),
)
def _old_formats(folder: Path) -> None:
    Books().write(folder)
    (folder / "老表.xls").write_bytes(b"x")
    (folder / "宏.xlsm").write_bytes(b"x")


def _zip_bomb(path: Path) -> None:
    # Just over MAX_UNPACKED_BYTES of spaces in one sheet: about 200 KB on disk.
    size = _container.MAX_UNPACKED_BYTES + 1024 * 1024
    chunk = b" " * (1024 * 1024)
    chunks = (chunk for _ in range(size // len(chunk)))
    path.write_bytes(deflated_member("xl/worksheets/sheet1.xml", chunks))


case("zip_bomb", errors=(At("炸弹.xlsx", None, None, "过大"),))(
    _beside_valid("炸弹.xlsx", _zip_bomb)
)


def _lying_zip_bomb(path: Path) -> None:
    # A sheet that inflates to 64 MB while the zip directory says 1 KB: the declared size,
    # which the loader checks, must also bound what is inflated.
    with zipfile.ZipFile(io.BytesIO(Books().workbook_bytes(PROGRESS_BOOK))) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            if name != sheet:
                archive.writestr(name, data)
                continue
            with archive.open(sheet, "w") as member:
                member.write(data.replace(b"</sheetData>", b""))
                for _ in range(64):
                    member.write(b" " * (1024 * 1024))
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(buffer) as archive:
        local = archive.getinfo(sheet).header_offset
    struct.pack_into("<I", data, local + 22, 1024)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == sheet.encode():
            struct.pack_into("<I", data, central + 24, 1024)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


case("zip_bomb_that_lies_about_its_size", errors=(At("谎报.xlsx", None, None, "损坏"),))(
    _beside_valid("谎报.xlsx", _lying_zip_bomb)
)


def _unsupported_method(path: Path) -> None:
    # Deflate64 (method 9), which Python's zipfile cannot read, in both headers of the sheet.
    data = bytearray(Books().workbook_bytes(PROGRESS_BOOK))
    for signature, method_at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        position = data.find(signature)
        while position != -1:
            struct.pack_into("<H", data, position + method_at, 9)
            position = data.find(signature, position + 4)
    path.write_bytes(bytes(data))


case("unsupported_compression_method", errors=(At("压缩方式.xlsx", None, None, "损坏"),))(
    _beside_valid("压缩方式.xlsx", _unsupported_method)
)


@case("too_many_zip_entries", errors=(At("碎片.xlsx", None, None, "过大"),))
def _many_entries(folder: Path) -> None:
    Books().write(folder)
    raw_zip(
        folder / "碎片.xlsx",
        {f"xl/media/{i}.bin": b"" for i in range(_container.MAX_ZIP_ENTRIES + 1)},
    )


@case("absurd_row_count", errors=(At(PROGRESS_BOOK, P, None, "过大"),))
def _absurd_rows(folder: Path) -> None:
    # A cell at row 1,000,000, a dimension claiming the whole grid, and a formula so that
    # formulas are looked for before the sheet's size is checked.
    books = Books()
    books.write(folder)
    path = folder / PROGRESS_BOOK
    replace_cell(path, P, "D3", '<c r="D3" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>')
    far = '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>远处</t></is></c></row>'

    def change(data: bytes) -> bytes:
        data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
        return data.replace(b"</sheetData>", far.encode() + b"</sheetData>")

    patch_zip(path, sheet_member(path, P), change)


@case("absurd_dimension_with_a_formula", kept=(kept_text("工作进展.内容", ["ab"]),))
def _absurd_dimension(folder: Path) -> None:
    # A dimension claiming the whole grid, and a formula so that formulas are looked for.
    books = Books()
    content = books.set(PROGRESS_BOOK, P, 3, "内容", "placeholder")
    books.write(folder)
    path = folder / PROGRESS_BOOK
    replace_cell(path, P, content, f'<c r="{content}" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>')
    patch_zip(
        path,
        sheet_member(path, P),
        lambda data: re.sub(
            rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data
        ),
    )


def _append_to_sheet(folder: Path, book: str, sheet: str, xml: str) -> None:
    """Add elements after `</sheetData>` (merged ranges, hyperlinks) to a written sheet."""
    path = folder / book
    patch_zip(
        path,
        sheet_member(path, sheet),
        lambda data: data.replace(b"</sheetData>", b"</sheetData>" + xml.encode(), 1),
    )


@case("merged_range_over_the_whole_grid", errors=(At(PROGRESS_BOOK, None, None, "合并单元格"),))
def _huge_merge(folder: Path) -> None:
    books = Books()
    books.books[PROGRESS_BOOK]["备注"] = [["说明"]]  # an unknown sheet is opened all the same
    books.write(folder)
    merge = '<mergeCells count="1"><mergeCell ref="B2:XFD1048576"/></mergeCells>'
    _append_to_sheet(folder, PROGRESS_BOOK, "备注", merge)


@case("hyperlink_over_the_whole_grid", errors=(At(PROGRESS_BOOK, None, None, "超链接"),))
def _huge_hyperlink(folder: Path) -> None:
    Books().write(folder)
    link = '<hyperlinks><hyperlink ref="A1:XFD1048576" display="x" location="A1"/></hyperlinks>'
    _append_to_sheet(folder, PROGRESS_BOOK, P, link)


@case("too_many_merged_ranges", errors=(At(PROGRESS_BOOK, None, None, "过多"),))
def _many_merges(folder: Path) -> None:
    Books().write(folder)
    merges = "".join(f'<mergeCell ref="H{r}:I{r}"/>' for r in range(1, _container.MAX_RANGES + 2))
    _append_to_sheet(folder, PROGRESS_BOOK, P, f"<mergeCells>{merges}</mergeCells>")


@case("far_cell_inside_the_limits", kept=(kept_text("工作进展.内容", ["10月13日召开专题会。"]),))
def _far_cell(folder: Path) -> None:
    # One styled but empty cell far away: within MAX_ROWS × MAX_COLUMNS, and must stay cheap.
    books = Books()
    books.write(folder)
    far = f'<c r="{column_letter(_xlsx.MAX_COLUMNS)}{_xlsx.MAX_ROWS}" s="0"/>'
    patch_zip(
        folder / PROGRESS_BOOK,
        sheet_member(folder / PROGRESS_BOOK, P),
        lambda data: data.replace(
            b"</sheetData>", f'<row r="{_xlsx.MAX_ROWS}">{far}</row></sheetData>'.encode()
        ),
    )


def _with_doctype(xml: bytes, doctype: str) -> bytes:
    """The sheet XML with a DOCTYPE after its declaration (openpyxl writes none)."""
    declaration = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    if xml.startswith(b"<?xml"):
        declaration, xml = xml.split(b"?>", 1)
        declaration += b"?>"
    return declaration + doctype.encode() + xml


@case("xml_entity_expansion", errors=(At(PROGRESS_BOOK, None, None, "不允许的内容"),))
def _billion_laughs(folder: Path) -> None:
    books = Books()
    books.set(PROGRESS_BOOK, P, 3, "内容", "MARK")
    books.write(folder)
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )

    def change(data: bytes) -> bytes:
        return _with_doctype(data.replace(b"MARK", b"&g;"), f"<!DOCTYPE worksheet [{entities}]>")

    patch_zip(folder / PROGRESS_BOOK, sheet_member(folder / PROGRESS_BOOK, P), change)


@case("xml_external_entity", errors=(At(PROGRESS_BOOK, None, None, "不允许的内容"),))
def _external_entity(folder: Path) -> None:
    books = Books()
    books.set(PROGRESS_BOOK, P, 3, "内容", "MARK")
    books.write(folder)

    def change(data: bytes) -> bytes:
        doctype = '<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
        return _with_doctype(data.replace(b"MARK", b"&secret;"), doctype)

    patch_zip(folder / PROGRESS_BOOK, sheet_member(folder / PROGRESS_BOOK, P), change)


@case("xml_entity_in_the_workbook_part", errors=(At(PROGRESS_BOOK, None, None, "不允许的内容"),))
def _workbook_entity(folder: Path) -> None:
    Books().write(folder)
    entities = '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'

    def change(data: bytes) -> bytes:
        named = data.replace(f'name="{P}"'.encode(), b'name="&b;"')
        assert named != data
        return _with_doctype(named, f"<!DOCTYPE workbook [{entities}]>")

    patch_zip(folder / PROGRESS_BOOK, "xl/workbook.xml", change)


@case("lock_and_hidden_files_are_skipped", documents=2)
def _skipped(folder: Path) -> None:
    Books().write(folder)
    (folder / "~$报告信息.xlsx").write_bytes(b"\0lock")
    (folder / ".~环保处.xlsx").write_bytes(b"junk")
    (folder / "说明.txt").write_text("readme", encoding="utf-8")
    (folder / "子文件夹.xlsx").mkdir()


# ------------------------------------------------------------------ reading what was rendered

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def document_text(data: bytes) -> str:
    """The text of a .docx body as Word shows it: paragraphs on lines, `w:br` as a line break."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    paragraphs = []
    for paragraph in root.iter(f"{W}p"):
        parts = []
        for node in paragraph.iter(f"{W}t", f"{W}br", f"{W}tab", f"{W}cr"):
            if node.tag == f"{W}t":
                text = node.text or ""
                if text != text.strip(" "):
                    # Word drops leading and trailing spaces of a w:t without xml:space.
                    assert node.get(XML_SPACE) == "preserve", repr(text)
                parts.append(text)
            else:
                parts.append("\t" if node.tag == f"{W}tab" else "\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def shows(text: str, expected: str) -> bool:
    """Every line of `expected` appears in `text`, in order; a title broken into lines (the
    documents break long titles between words) is read as one line."""
    return _shows(text, expected) or _shows(text.replace("\n", ""), expected)


def _shows(text: str, expected: str) -> bool:
    position = 0
    for line in expected.split("\n"):
        line = line.strip()
        if not line:
            continue
        found = text.find(line, position)
        if found < 0:
            return False
        position = found + len(line)
    return True


_WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(10)),
    *(f"LPT{i}" for i in range(10)),
}


def assert_safe_file_name(name: str) -> None:
    """Valid on Windows and on Linux, and unable to leave the run folder."""
    assert Path(name).name == name and name not in {".", ".."}, name
    assert not _WINDOWS_FORBIDDEN.search(name), name
    assert not name.startswith(".") and name == name.rstrip(". "), name
    assert name.split(".")[0].upper() not in _RESERVED, name
    assert len(name.encode("utf-8")) <= 255 and len(name.encode("utf-16-le")) // 2 <= 255, name
    assert not any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in name), repr(name)
    assert name.endswith(".docx"), name


def documents_of(prepared, kind: str) -> list[RenderedDocument]:
    template = {"report": REPORT_TEMPLATE, "table": TABLE_TEMPLATE}[kind]
    return [d for d in prepared.documents if d.template == template]


def generate(root: Path, names: set[str] | None = None) -> list[Path]:
    """Write every case (or the named ones) into `root/<name>/`; return the folders."""
    folders = []
    for item in CASES:
        if names is None or item.name in names:
            folder = root / item.name
            item.write(folder)
            folders.append(folder)
    return folders


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/corpus.py OUTPUT_FOLDER")
    for written in generate(Path(sys.argv[1])):
        print(written)
