"""Archive copies hold every character of their documents: the rule build and verify apply
(copy_text), and the PDF and OFD copies of the example inputs and of the hard-text corpus
cases, read back by poppler's pdftotext and by ofdkit, readers the product does not use."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from _copies import lost_from_copies
from corpus import CASES, FIELDS, LONG_TEXT, TEMPLATES, Books

from pipeline import api
from pipeline.archive import copy_text
from pipeline.archive.copy_text import Loss, compare
from pipeline.errors import LostText
from pipeline.problems import Location, error

ROOT = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------------ the rule


def lost(document: str, *pages: str) -> copy_text.LossyCopy | None:
    return compare(document, list(pages), copy="副本.pdf", document="文档.docx")


def test_characters_only_the_copy_has_are_fine():
    assert lost("甲乙丙\n丁", "— 1 —", "甲乙丙（续）丁 第 2 页") is None


def test_spaces_widths_and_invisible_characters_do_not_count():
    # NFKC: a full-width Ａ is A; U+3000, tabs and line breaks are spaces; zero-width ones and
    # joiners are never drawn
    assert lost("Ａ\u3000B\tC\u200b\u200d\ufeffD", "A B\nC D") is None
    assert lost("１２３，", "123,") is None


def test_a_lost_mark_is_named_with_its_page_and_the_text_around_it():
    found = lost("一是受理、交办、办理。二是落实。", "第一页没有", "一是受理交办、办理。二是落实。")
    assert found is not None
    assert found.missing == {"、": 1} and found.total == 1
    assert found.losses == (Loss("、", "一是受理", "交办、办理。", 2),)
    assert (
        found.losses[0].describe() == "缺少原文「一是受理、交办、办理。」中「一是受理」之后的「、」"
    )


def test_of_two_places_with_the_same_neighbours_only_the_lost_one_is_named():
    document = "由科经委牵头，建议由区承办。表：由科经委牵头，建议由区承办"
    found = lost(document, "由科经委牵头建议由区承办。", "表：由科经委牵头，建议由区承办")
    assert found is not None and found.missing == {"，": 1}
    assert [loss.page for loss in found.losses] == [1]


def test_a_place_that_cannot_be_found_is_said_to_be_unsure():
    found = lost("甲、乙、丙", "丙乙甲、")  # the neighbours stand apart in the copy
    assert found is not None and found.missing == {"、": 1}
    assert all(loss.page is None and loss.unsure_of == 2 for loss in found.losses)
    assert "文档中共有 2 处，未能确定是哪一处" in found.losses[0].describe()


def test_every_lost_character_is_counted_and_long_lists_are_cut():
    document = "，".join(f"第{n}项" for n in range(40))
    found = lost(document, document.replace("，", ""))
    assert found is not None and found.missing == {"，": 39}
    assert found.summary() == "，×39"
    problems = found.problems()
    assert problems[0].describe() == "[错误] 副本.pdf：比 文档.docx 少 39 个字符：，×39"
    assert problems[1].location == Location("副本.pdf", page=1)
    assert len(problems) == 1 + copy_text.LISTED + 1
    assert problems[-1].message == f"另有 {39 - copy_text.LISTED} 处未列出"


def test_the_document_text_is_the_printed_body():
    body = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>'
        "<w:p><w:r><w:t>正文</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r></w:p>"
        "<w:p><mc:AlternateContent><mc:Choice><w:r><w:t>文本框</w:t></w:r></mc:Choice>"
        "<mc:Fallback><w:r><w:t>文本框</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>"
        "</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", body)
        package.writestr("word/footer1.xml", "<w:ftr/>")
    assert copy_text.document_text(buffer.getvalue()).split() == ["正文", "文本框"]


def test_lost_text_says_which_copies_and_what_to_do():
    problems = [error(Location("甲.pdf", page=3), "缺少原文「甲、乙」中「甲」之后的「、」")]
    refused = LostText(problems, ["甲.pdf"])
    assert refused.exit_code == 1 and refused.copies == ["甲.pdf"]
    lines = refused.message.splitlines()
    assert lines[0].startswith("以下副本缺少文档中的文字：甲.pdf。")
    assert lines[1] == "[错误] 甲.pdf › 第 3 页：缺少原文「甲、乙」中「甲」之后的「、」"
    assert "只生成 Word 文档" in lines[-1]


# ------------------------------------------------------------------------ real copies


def libreoffice_or_skip() -> None:
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice and pdftotext are needed, and CI requires them")
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed")


def manifest_of(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.libreoffice
def test_the_example_inputs_lose_no_character_in_their_pdf_and_ofd_copies(tmp_path):
    """As the office runs it: `build --pdf --ofd` in a fresh office folder, no path options."""
    libreoffice_or_skip()
    shutil.copytree(ROOT / "inputs", tmp_path / "inputs")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--pdf", "--ofd"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (run,) = [p for p in (tmp_path / "outputs").iterdir() if p.is_dir()]
    manifest = manifest_of(run)
    assert len(manifest["ofds"]) == len(manifest["pdfs"]) == len(manifest["documents"]) == 4
    assert lost_from_copies(run, manifest) == {}


# The hard-text cases of the corpus. very_long_text (50,000 characters in four cells, a
# 231-page report) is left to the PDF's tests: its OFD alone takes pdf2ofd four minutes;
# cells long enough to run over several pages are tested below instead.
HARD_TEXT = (
    "multi_line_text",
    "emoji_and_cjk_extension_b",
    "very_long_region_name",
    "markup_and_template_tags_in_every_text_field",
    "zero_width_spaces",
)
LONG_CELL = LONG_TEXT[:2500] + "。"


def long_cells(folder: Path) -> None:
    books = Books()
    for name in ("工作进展.内容", "合作交流项目.对口合作交流内容", "专报信息.导语"):
        FIELDS[name].write(books, LONG_CELL)
    books.write(folder)


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", [*HARD_TEXT, "long_cells"])
def test_hard_text_loses_no_character_in_the_pdf_and_ofd_copies(name, tmp_path):
    libreoffice_or_skip()
    if name == "long_cells":
        long_cells(tmp_path / "inputs")
    else:
        (item,) = [c for c in CASES if c.name == name]
        item.write(tmp_path / "inputs")
    _, run = api.build(tmp_path / "inputs", tmp_path / "outputs", TEMPLATES, ofd=True)
    manifest = manifest_of(run)
    assert manifest["ofds"] and len(manifest["ofds"]) == len(manifest["documents"])
    assert lost_from_copies(run, manifest) == {}
