"""A workbook whose zip headers claim its parts are small while they inflate to a gigabyte:
measured while it inflates and refused before any reader sees a part, wherever a workbook is
read (check, build, the web page's upload, return copies, carry-over)."""

from __future__ import annotations

import io
import re
import shutil
import struct
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from _examples import copy_examples
from _memory import MEMORY_LIMIT, measured, resource
from _workbooks import COOPERATION_HEADER, cooperation_row, write_workbook

from pipeline import api
from pipeline.errors import ArchiveError
from pipeline.load import UnreadableWorkbook, load_inputs, readable_workbook, unpack
from pipeline.render.docx_template import PACKAGED_TEMPLATES
from pipeline.workbooks.carry_over import read_carry_over
from pipeline.workbooks.xlsx_package import Package, PackageError

SHEET = "xl/worksheets/sheet1.xml"
CLAIMED = 12 * 1024
GIGABYTE = 1100 * 1024 * 1024
NAME = "测试处.xlsx"
# What a clerk reads: the workbook is damaged or too large unpacked, in words they know.
SAYS = ("工作簿已损坏", "解压后")
ZIP_TERMS = (
    "CRC",
    "crc",
    "central",
    "directory",
    "header",
    "zip",
    "Zip",
    "ZIP",
    "中央目录",
    "校验",
)
needs_resource = pytest.mark.skipif(resource is None, reason="needs the resource module")


def lying_workbook(
    path: Path, inflated: int, *, claimed: int = CLAIMED, method: int = zipfile.ZIP_DEFLATED
) -> Path:
    """A department's workbook whose sheet holds `inflated` bytes of zeros, written a piece
    at a time, while both its headers say it holds `claimed` bytes, with the checksum of the
    first `claimed` bytes: a reader that trusts the headers gets a clean, short part. (Stored,
    only the inflated size lies: the stored bytes are as many as the file holds.)"""
    write_workbook(path, {"合作交流项目": [COOPERATION_HEADER, cooperation_row()]})
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    block = b"0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", method, compresslevel=9 if method else None) as target:
        for info, data in members:
            if info.filename != SHEET:
                target.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with target.open(SHEET, "w") as member:
                member.write(head)
                for _ in range(inflated // len(block)):
                    member.write(block)
                member.write(b"</sheetData>" + tail)
            prefix = (head + block * (claimed // len(block) + 1))[:claimed]
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(SHEET).header_offset
    checksum = zlib.crc32(prefix)
    struct.pack_into("<I", data, local + 14, checksum)
    struct.pack_into("<I", data, local + 22, claimed)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == SHEET.encode():
            struct.pack_into("<I", data, central + 16, checksum)
            struct.pack_into("<I", data, central + 24, claimed)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    return path


def office_folder(tmp_path: Path, inflated: int = GIGABYTE) -> Path:
    """A fresh office folder: the examples, the packaged templates, and the lying workbook."""
    folder = tmp_path / "office"
    copy_examples(folder / "inputs")
    shutil.copytree(PACKAGED_TEMPLATES, folder / "templates")
    lying_workbook(folder / "inputs" / NAME, inflated)
    return folder


def assert_refused_in_words_a_clerk_knows(text: str) -> None:
    line = next(line for line in text.splitlines() if f"{NAME}：" in line and "[错误]" in line)
    assert all(words in line for words in SAYS), line
    assert not any(term in line for term in ZIP_TERMS), line


def test_a_reader_trusting_the_headers_would_get_a_clean_short_part(tmp_path):
    """The file is what it should be: zipfile reads the sheet without complaint, 12 KB."""
    path = lying_workbook(tmp_path / NAME, 64 * 1024 * 1024)
    with zipfile.ZipFile(path) as archive:
        assert len(archive.read(SHEET)) == CLAIMED
        assert archive.getinfo(SHEET).compress_size < 200 * 1024


@needs_resource
@pytest.mark.parametrize("command", ["check", "build"])
def test_check_and_build_refuse_it_without_inflating_it(tmp_path, command):
    """In a fresh office folder with no path options, as a clerk runs them."""
    folder = office_folder(tmp_path)
    assert (folder / "inputs" / NAME).stat().st_size < 5 * 1024 * 1024
    code, peak, _, stderr = measured([sys.executable, "-m", "pipeline", command], cwd=folder)
    assert code == 1, stderr
    assert peak < MEMORY_LIMIT, f"peak memory {peak // 2**20} MB"
    assert_refused_in_words_a_clerk_knows(stderr)
    assert "Traceback" not in stderr and "内部错误" not in stderr
    assert f"未能为 {NAME} 生成退回副本" in stderr  # the return copies never inflate it either
    runs = [p for p in (folder / "outputs").iterdir() if p.is_dir() and "期" in p.name]
    assert runs == []


UPLOAD = """
import io, resource, sys
from pathlib import Path
from pipeline.web import prepare_site
inputs, outputs, templates, workbook = map(Path, sys.argv[1:5])
site = prepare_site(inputs, outputs, templates, base_url="http://localhost")
page = next(l.url for l in site.links if l.who == "环保处").removeprefix("http://localhost")
client = site.app.test_client()
form = {"file": (io.BytesIO(workbook.read_bytes()), "环保处.xlsx")}
answer = client.post(page + "upload", data=form, content_type="multipart/form-data",
                     headers={"Origin": "http://localhost"})
print(client.get(answer.headers["Location"]).get_data(as_text=True))
"""


@needs_resource
def test_the_web_page_refuses_its_upload_without_inflating_it(tmp_path):
    folder = office_folder(tmp_path)
    workbook = tmp_path / "upload.xlsx"
    (folder / "inputs" / NAME).rename(workbook)
    kept = (folder / "inputs" / "环保处.xlsx").read_bytes()
    arguments = [folder / "inputs", folder / "outputs", folder / "templates", workbook]
    code, peak, page, stderr = measured([sys.executable, "-c", UPLOAD, *map(str, arguments)])
    assert code == 0, stderr
    assert peak < MEMORY_LIMIT, f"peak memory {peak // 2**20} MB"
    shown = re.search("文件未保存[^<]*", page)
    assert shown and all(words in shown.group() for words in SAYS), page
    assert not any(term in shown.group() for term in ZIP_TERMS), shown.group()
    assert (folder / "inputs" / "环保处.xlsx").read_bytes() == kept


# ---------------------------------------------------------------- in process, a smaller lie


@pytest.fixture(scope="module")
def liar(tmp_path_factory) -> Path:
    return lying_workbook(tmp_path_factory.mktemp("liar") / NAME, 64 * 1024 * 1024)


def test_the_loader_names_it_damaged(liar):
    (problem,) = load_inputs(liar.parent).problems
    assert problem.location.file == NAME and problem.location.sheet is None
    assert all(words in problem.message for words in SAYS)
    with pytest.raises(UnreadableWorkbook):
        readable_workbook(liar)


def test_a_part_is_never_inflated_beyond_its_claim(liar, monkeypatch):
    """The inflater is asked for at most one byte more than the part claims, each time."""
    asked: list[int] = []
    original = zlib.decompressobj

    class Counting:
        def __init__(self, *args):
            self._inflater = original(*args)

        def decompress(self, data, max_length=0):
            asked.append(max_length)
            return self._inflater.decompress(data, max_length)

        def __getattr__(self, name):
            return getattr(self._inflater, name)

    monkeypatch.setattr(zlib, "decompressobj", Counting)
    with pytest.raises(UnreadableWorkbook, match="解压后"):
        unpack(liar.read_bytes())
    assert asked and all(0 < n <= CLAIMED + 1 for n in asked)


def test_a_stored_part_longer_than_its_claim(tmp_path):
    path = lying_workbook(tmp_path / NAME, 2 * 1024 * 1024, method=zipfile.ZIP_STORED)
    with pytest.raises(UnreadableWorkbook, match="解压后"):
        unpack(path.read_bytes())


def test_return_copies_refuse_it_in_their_own_reading(liar):
    with pytest.raises(PackageError, match="解压后"):
        Package(liar.read_bytes())


def test_carry_over_refuses_it_in_an_archived_run(liar, tmp_path):
    inputs = copy_examples(tmp_path / "inputs")
    _, run = api.build(inputs, tmp_path / "outputs", PACKAGED_TEMPLATES)
    shutil.copy(liar, run / "inputs" / NAME)
    with pytest.raises(ArchiveError, match="解压后"):
        read_carry_over(run / "inputs", run.name)


def test_measured_parts_are_the_parts(tmp_path):
    """An honest workbook unpacks to exactly what zipfile reads, and the package rebuilt for
    calamine holds the same parts."""
    for path in copy_examples(tmp_path / "inputs").glob("*.xlsx"):
        data = path.read_bytes()
        parts = unpack(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert dict(parts.data) == {n: archive.read(n) for n in archive.namelist()}
        with zipfile.ZipFile(io.BytesIO(parts.rebuilt())) as rebuilt:
            assert {n: rebuilt.read(n) for n in rebuilt.namelist()} == dict(parts.data)
