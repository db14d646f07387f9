"""The corpus's workbooks: a small valid set (`Books`) in which every text field holds a
distinct value, written the way Excel writes them, and the tools that damage a written file
(patched zip members, raw zips, OLE files, replaced cells)."""

from __future__ import annotations

import copy
import io
import re
import struct
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

from pipeline.cells import column_letter

OFFICE = "报告信息.xlsx"
PROGRESS_BOOK = "区人社局.xlsx"
COOPERATION_BOOK = "环保处.xlsx"

PROGRESS_HEADER = ["一级标题", "二级标题", "事项", "内容", "责任单位", "排序"]
APPROVAL_HEADER = ["环节", "意见", "签署人", "签署时间"]
NOTES_HEADER = ["对口地区", "注"]

P = "工作进展"  # the department sheets, as the cases name them
C = "合作交流项目"
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
