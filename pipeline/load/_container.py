"""Opening an .xlsx package safely: every part inflated here, measured, before anyone reads it.

A zip's headers say how large each part is, but the header is only a claim: a sheet that
inflates to a gigabyte can be recorded as 12 KB. So no reader (ours, calamine's, lxml's) is ever
given the zip itself. Each part is inflated here as a stream, a piece at a time, counting the
bytes it really produces and stopping as soon as it grows past what its header claims; the
claims together are bounded first. The readers get the measured parts, or a package rebuilt
from them whose headers are true.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping

from ..cells import column_number

# Limits against zip bombs and absurd sheets; a district's workbooks are far below them.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
# Merged and hyperlinked ranges: `<mergeCell ref="A1:XFD1048576"/>` is a few bytes.
MAX_RANGE_CELLS = 200_000
MAX_RANGES = 2000
# Compressed bytes fed to the inflater at a time; what comes out is bounded on its own.
_CHUNK_BYTES = 64 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
_LOCAL_HEADER = struct.Struct("<4s2xHH16xHH")  # signature, flags, method, name and extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"

DAMAGED = "不是有效的 Excel 工作簿（压缩包已损坏）。请重新保存或让报送部门重新发送。"
TOO_LARGE_UNPACKED = (
    f"工作簿解压后过大（上限 {MAX_UNPACKED_BYTES // 1024 // 1024} MB），疑似异常文件，已拒绝读取。"
)
# A part that inflates to more than the file says it holds: damaged or made to look small.
LARGER_THAN_RECORDED = (
    "工作簿已损坏：其中的内容解压后比文件自身记录的大小更大（可能大到耗尽内存），疑似异常文件，"
    "已停止读取。请在 Excel 中打开并另存为 .xlsx，或让报送部门重新发送。"
)
# Not damage: sending the same file again cannot help, saving it anew does.
NOT_ALLOWED = (
    "工作簿中含有不允许的内容（XML 文档类型声明 DOCTYPE，正常保存的工作簿中没有），为安全起见已拒绝读取。"
    "原样重新发送同一文件仍会被拒绝，请打开后另存为新的 .xlsx 文件。"
)


class UnreadableWorkbook(Exception):
    """The workbook cannot be read at all; the message says why and what to do."""


class Parts:
    """The measured parts of one package: name → inflated bytes, in the zip's order."""

    def __init__(self, infos: dict[str, zipfile.ZipInfo], data: dict[str, bytes]) -> None:
        self.infos = infos  # as the zip's directory records them (dates, compression)
        self.data: Mapping[str, bytes] = data

    def rebuilt(self) -> bytes:
        """A package of the same parts whose headers are true, for a reader that opens a zip
        itself; stored, not compressed: it is read once, in memory."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
            for name, content in self.data.items():
                entry = zipfile.ZipInfo(name, date_time=self.infos[name].date_time)
                target.writestr(entry, content)
        return out.getvalue()


def unpack(data: bytes) -> Parts:
    """Every part of the package `data`, inflated within the limits; `UnreadableWorkbook`
    with the reason (old format, encrypted, damaged, too large unpacked) otherwise."""
    if data[:8] == _OLE_MAGIC:
        if _ENCRYPTED_MARK in data:
            raise UnreadableWorkbook(
                "工作簿设置了打开密码（已加密），无法读取。请在 Excel 中取消密码后另存为 .xlsx。"
            )
        raise UnreadableWorkbook(
            "这是旧版 Excel（.xls）文件，只是扩展名为 .xlsx。请在 Excel 中“另存为” Excel 工作簿（.xlsx）。"
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableWorkbook(
            "不是有效的 Excel 工作簿（文件已损坏或不完整）。请重新保存或让报送部门重新发送。"
        )
    try:  # the directory only: names, offsets and claimed sizes, nothing inflated
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except Exception:  # BadZipFile, and ValueError or struct.error for mangled records
        raise UnreadableWorkbook(DAMAGED) from None
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise UnreadableWorkbook(TOO_LARGE_UNPACKED)
    infos = {e.filename: e for e in entries}  # a repeated name: the last, as zipfile reads it
    if "xl/workbook.xml" not in infos:
        raise UnreadableWorkbook(
            "这是一个压缩包，但不是 Excel 工作簿。请放入用 Excel 保存的 .xlsx 文件。"
        )
    view = memoryview(data)
    parts = {name: _inflate(view, info) for name, info in infos.items()}
    return Parts(infos, parts)


def _inflate(data: memoryview, info: zipfile.ZipInfo) -> bytes:
    """One part's bytes, never more than its header claims, checked against its checksum."""
    start = info.header_offset
    try:
        signature, flags, method, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, start)
    except struct.error:
        raise UnreadableWorkbook(DAMAGED) from None
    begin = start + _LOCAL_HEADER.size + name_length + extra_length
    raw = data[begin : begin + info.compress_size]
    # Encrypted parts, and methods Excel never writes (bzip2, LZMA, Deflate64), are not read.
    if (
        signature != _LOCAL_SIGNATURE
        or flags & 0x1
        or method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        or len(raw) < info.compress_size
    ):
        raise UnreadableWorkbook(DAMAGED)
    if method == zipfile.ZIP_STORED:
        if info.compress_size > info.file_size:
            raise UnreadableWorkbook(LARGER_THAN_RECORDED)
        content = bytes(raw)
    else:
        content = _inflate_stream(raw, info.file_size)
    if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
        raise UnreadableWorkbook(DAMAGED)
    return content


def _inflate_stream(raw: memoryview, claimed: int) -> bytes:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pieces: list[bytes] = []
    produced = 0
    try:
        for offset in range(0, len(raw), _CHUNK_BYTES):
            pending: bytes | memoryview = raw[offset : offset + _CHUNK_BYTES]
            while pending and not inflater.eof:
                # One byte more than claimed is enough to know the claim is false.
                piece = inflater.decompress(pending, claimed - produced + 1)
                produced += len(piece)
                if produced > claimed:
                    raise UnreadableWorkbook(LARGER_THAN_RECORDED)
                pieces.append(piece)
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        raise UnreadableWorkbook(DAMAGED) from None
    if not inflater.eof:
        raise UnreadableWorkbook(DAMAGED)  # cut short
    return b"".join(pieces)


# ------------------------------------------------------------------ what no part may hold


def refuse_odd_parts(parts: Mapping[str, bytes]) -> None:
    """An XML part with a DTD, or a worksheet with too large or too many merged ranges."""
    for name, data in parts.items():
        if not name.endswith((".xml", ".rels")):
            continue
        if b"<!DOCTYPE" in data:  # Excel never writes one; entities could expand or leak files
            raise UnreadableWorkbook(NOT_ALLOWED)
        if not name.startswith("xl/worksheets/"):
            continue
        oversized = _oversized_range(data)
        if oversized:
            raise UnreadableWorkbook(
                f"工作簿中的合并单元格或超链接范围过大或过多（如 {oversized}），疑似异常文件，已拒绝读取。"
                "请在 Excel 中取消多余的合并单元格后另存。"
            )


_RANGE_ELEMENT = re.compile(
    rb"<(?:[\w.-]+:)?(?:mergeCell|hyperlink)\b[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']"
)
_RANGE_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?")


def _oversized_range(data: bytes) -> str | None:
    if b"mergeCell" not in data and b"hyperlink" not in data:
        return None
    refs = _RANGE_ELEMENT.findall(data)
    if len(refs) > MAX_RANGES:
        return f"{len(refs)} 个"
    cells = 0
    for ref in refs:
        match = _RANGE_REF.fullmatch(ref.decode("ascii", "replace").strip())
        if match is None:
            continue  # not a range calamine would use
        first_col, first_row, last_col, last_row = match.groups()
        rows = abs(int(last_row or first_row) - int(first_row)) + 1
        columns = abs(column_number(last_col or first_col) - column_number(first_col)) + 1
        cells += rows * columns
        if cells > MAX_RANGE_CELLS:
            return ref.decode("ascii", "replace")
    return None
