"""Layout of titles and tables: titles broken between words in a trapezoid or diamond, table
headers and names kept whole, and (through LibreOffice) what the printed pages show."""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline.api import build
from pipeline.render.table_layout import display_width
from pipeline.render.titles import title_lines

# Titles of the office's real documents: the work report, the meeting material, the tables.
SEED_TITLES = [
    "关于坚决落实领导批示精神，扎实推进浦东新区现代环境治理体系建设情况的报告",
    "关于进一步扎实推进浦东新区现代环境治理体系建设的报告",
    "浦东新区生态环境局与永安市、大田县生态环境领域合作交流项目制定情况的汇报",
    "浦东新区生态环境局与永安市生态环境领域合作交流项目表(2023-2025年)",
    "浦东新区生态环境局与大田县生态环境领域合作交流项目表(2023—2025年)",
]
# The words of those titles, as a reader sees them: no line break may fall inside one.
WORDS = [
    "关于",
    "坚决",
    "落实",
    "领导",
    "批示",
    "精神",
    "扎实",
    "推进",
    "进一步",
    "浦东新区",
    "现代",
    "环境",
    "治理",
    "体系",
    "建设",
    "情况",
    "报告",
    "汇报",
    "生态环境局",
    "生态环境",
    "永安市",
    "大田县",
    "领域",
    "合作",
    "交流",
    "项目表",
    "项目",
    "制定",
    "(2023-2025年)",
    "(2023—2025年)",
]


def breaks_inside_words(text: str, lines: list[str]) -> list[str]:
    """The words of `text` that a break between `lines` cuts."""
    positions = set(itertools.accumulate(len(line) for line in lines[:-1]))
    cut = []
    for word in WORDS:
        start = text.find(word)
        while start >= 0:
            if any(start < position < start + len(word) for position in positions):
                cut.append(word)
            start = text.find(word, start + 1)
    return cut


def well_shaped(widths: list[float]) -> bool:
    """A trapezoid or a diamond: lines rise to a longest one and then fall; the first line is
    never longer than the second."""
    if len(widths) < 2:
        return True
    peak = widths.index(max(widths))
    rising = all(a <= b for a, b in itertools.pairwise(widths[: peak + 1]))
    falling = all(a >= b for a, b in itertools.pairwise(widths[peak:]))
    return widths[0] <= widths[1] and rising and falling


@pytest.mark.parametrize("title", SEED_TITLES)
@pytest.mark.parametrize("room", [12, 16, 20.1, 24, 31.8])
def test_seed_titles_break_between_words_in_a_trapezoid_or_diamond(title: str, room: float) -> None:
    lines = title_lines(title, room)
    assert "".join(lines) == title
    widths = [display_width(line) for line in lines]
    assert all(width <= room for width in widths), lines
    assert len(lines) == 1 or len(lines) <= -(-display_width(title) // room) + 2
    assert not breaks_inside_words(title, lines), lines
    assert well_shaped(widths), lines
    for line in lines[1:]:
        assert line[0] not in "，、：；）)的之", lines
    for line in lines[:-1]:
        assert line[-1] not in "（(", lines


def test_titles_as_the_example_documents_print_them() -> None:
    # A line of 二号 on the report's 156 mm holds 20 characters; on the table's 247 mm, 31.
    assert title_lines(SEED_TITLES[1], 20.1) == [
        "关于进一步扎实推进",
        "浦东新区现代环境治理体系建设的报告",
    ]
    assert title_lines(SEED_TITLES[0], 20.1) == [
        "关于坚决落实领导批示精神，扎实推进",
        "浦东新区现代环境治理体系建设情况的报告",
    ]
    assert title_lines(SEED_TITLES[3], 31.8) == [
        "浦东新区生态环境局与永安市",
        "生态环境领域合作交流项目表(2023-2025年)",
    ]


def test_punctuation_is_the_first_choice_for_a_break() -> None:
    title = "关于加强生态环境保护，推进现代环境治理体系建设的报告"
    assert title_lines(title, 20.1) == ["关于加强生态环境保护，", "推进现代环境治理体系建设的报告"]


def test_a_title_that_fits_and_the_clerks_own_breaks_are_kept() -> None:
    assert title_lines("关于环境治理的报告", 20.1) == ["关于环境治理的报告"]
    typed = "关于坚决落实领导批示精神\n扎实推进浦东新区现代环境治理体系建设情况的报告"
    assert title_lines(typed, 30) == typed.split("\n")
    # A typed line too long for the page is broken further; the typed break stays.
    lines = title_lines(typed, 20.1)
    assert lines[0] == "关于坚决落实领导批示精神"
    assert "".join(lines[1:]) == typed.split("\n")[1] and len(lines) == 3


def test_a_word_longer_than_a_line_breaks_between_its_characters() -> None:
    lines = title_lines("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥", 8)
    assert "".join(lines) == "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
    assert all(display_width(line) <= 8 for line in lines)


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        min_size=1,
        max_size=60,
    ),
    st.floats(min_value=2, max_value=40),
)
def test_any_title_keeps_every_character(text: str, room: float) -> None:
    lines = title_lines(text, room)
    assert "\n".join(lines).replace("\n", "") == text.replace("\n", "")


# ------------------------------------------------------------------ the example documents

ROOT = Path(__file__).resolve().parents[1]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example inputs built as the office builds them (without PDFs)."""
    _, run = build(ROOT / "inputs", tmp_path_factory.mktemp("outputs"), ROOT / "templates")
    return run


def document_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def style_of(paragraph: etree._Element) -> str | None:
    style = paragraph.find("w:pPr/w:pStyle", NS)
    return None if style is None else style.get(f"{{{W}}}val")


def test_closing_block_is_kept_with_the_last_body_paragraph(example_run: Path) -> None:
    body = document_xml(example_run / "工作专报（第95期）.docx").find("w:body", NS)
    paragraphs = body.findall("w:p", NS)
    closing = next(i for i, p in enumerate(paragraphs) if style_of(p) == "ReportClosing")
    before = paragraphs[closing - 1]
    assert style_of(before) == "ReportBody"
    props = before.find("w:pPr", NS)
    assert [etree.QName(child).localname for child in props][:2] == ["pStyle", "keepNext"]
    with zipfile.ZipFile(example_run / "工作专报（第95期）.docx") as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
    for style_id in ("ReportClosing", "ReportSignature"):
        style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        assert style.find("w:pPr/w:keepNext", NS) is not None, style_id
    # The contact line ends the block: nothing after it is pulled along.
    contact = styles.find("w:style[@w:styleId='ReportContact']", NS)
    assert contact.find("w:pPr/w:keepNext", NS) is None


def test_example_titles_are_given_as_lines_of_one_paragraph(example_run: Path) -> None:
    body = document_xml(example_run / "工作专报（第95期）.docx").find("w:body", NS)
    title = next(p for p in body.iter(f"{{{W}}}p") if style_of(p) == "ReportTitle")
    assert len(title.findall(".//w:br", NS)) == 1
    for table in example_run.glob("合作交流项目表_*.docx"):
        first = document_xml(table).find("w:body/w:p", NS)
        assert style_of(first) == "TableTitle"
        assert len(first.findall(".//w:br", NS)) == 1, table.name


def test_segmenter_finds_the_words_of_the_titles() -> None:
    from pipeline.render import segmenter

    found = [word.text for word in segmenter.words(SEED_TITLES[1])]
    assert found == [
        "关于",
        "进一步",
        "扎实",
        "推进",
        "浦东新区",
        "现代",
        "环境治理",
        "体系",
        "建设",
        "的",
        "报告",
    ]
    assert [w.text for w in segmenter.words("项目表(2023-2025年)")][-4:] == [
        "(",
        "2023-2025",
        "年",
        ")",
    ]
    assert [w.text for w in segmenter.words("推进") if w.verb] == ["推进"]
    word_list = segmenter.WordList(segmenter.WORD_LIST)
    assert word_list.find("环境") == ((word_list.find("环境")[0][0], False), True)
    assert word_list.find("环境治理")[0] is not None
    assert word_list.find("境治") == (None, False)
    # Sorted by UTF-8 bytes, as the bisection needs.
    with segmenter.WORD_LIST.open("rb") as file:
        keys = [line.split(b"\t", 1)[0] for line in itertools.islice(file, 0, None, 97)]
    assert keys == sorted(keys)
