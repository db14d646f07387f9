"""Corpus cases: files that are not workbooks, or not whole ones: truncated and damaged zips,
old formats, zip bombs, absurd sheets, XML entities, lock and hidden files."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

from corpus_books import (
    PROGRESS_BOOK,
    Books,
    P,
    deflated_member,
    ole_file,
    patch_zip,
    raw_zip,
    replace_cell,
    sheet_member,
)
from corpus_expect import (
    At,
    case,
    kept_text,
)

from pipeline.cells import column_letter
from pipeline.load import _container, _xlsx

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
