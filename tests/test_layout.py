"""Layout of titles and tables: titles broken between words in a trapezoid or diamond, table
headers and names kept whole, and (through LibreOffice) what the printed pages show."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from _examples import example_inputs
from _pdf import Line, blank_fractions, pdf_lines, pdf_words
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline.api import build
from pipeline.model import (
    ApprovalEntry,
    CooperationItem,
    CooperationRow,
    RegionTable,
    TableSettings,
    WorkReport,
)
from pipeline.numerals import chinese_numeral
from pipeline.render.line_breaks import (
    breaks_a_name,
    display_width,
    filled_line_starts,
    name_lines,
    word_units,
)
from pipeline.render.table import cuts, render_region_table
from pipeline.render.table.pages import RowGeometry, plan_pieces
from pipeline.render.table.texts import TableTexts, TextCell
from pipeline.render.table.widths import minimum_widths
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
WHEN = dt.date(2023, 11, 20)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example inputs built as the office builds them (without PDFs)."""
    _, run = build(example_inputs(), tmp_path_factory.mktemp("outputs"), ROOT / "templates")
    return run


def document_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def style_of(paragraph: etree._Element) -> str | None:
    style = paragraph.find("w:pPr/w:pStyle", NS)
    return None if style is None else style.get(f"{{{W}}}val")


def test_closing_block_and_headings_keep_only_a_few_lines(example_run: Path) -> None:
    body = document_xml(example_run / "工作专报（第95期）.docx").find("w:body", NS)
    paragraphs = body.findall("w:p", NS)
    closing = next(i for i, p in enumerate(paragraphs) if style_of(p) == "ReportClosing")
    before = paragraphs[closing - 1]
    assert style_of(before) == "ReportBody"
    # The example's last paragraph fills five lines: LibreOffice would move all five with the
    # 结束语 under keepNext; widow control lets it split, two lines at least going along.
    props = before.find("w:pPr", NS)
    assert [etree.QName(child).localname for child in props] == ["pStyle", "widowControl"]
    for heading, after in itertools.pairwise(paragraphs[:closing]):
        if style_of(heading) in ("ReportHeading1", "ReportHeading2") and style_of(after) == (
            "ReportBody"
        ):
            assert after.find("w:pPr/w:widowControl", NS) is not None
            assert after.find("w:pPr/w:keepNext", NS) is None
    with zipfile.ZipFile(example_run / "工作专报（第95期）.docx") as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
    for style_id in ("ReportClosing", "ReportSignature", "ReportHeading1", "ReportHeading2"):
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


# ------------------------------------------------------------------ printed with LibreOffice

# Each header as the pieces a line of it may hold (digits and 年 are separate words in the PDF).
HEADER_PIECES = {
    "序号": ["序号"],
    "事项": ["事项"],
    "对口合作交流内容": ["对口", "合作", "交流", "内容"],
    "预计完成时间": ["预计", "完成", "时间"],
    "年计划": ["年", "计划"],
    "事项推进情况": ["事项", "推进", "情况"],
    "牵头领导": ["牵头", "领导"],
    "牵头部门": ["牵头", "部门"],
    "配合部门": ["配合", "部门"],
}
ALLOWED_HEADER_WORDS = {
    "".join(pieces[a:b])
    for pieces in HEADER_PIECES.values()
    for a in range(len(pieces))
    for b in range(a + 1, len(pieces) + 1)
}


def cell_words(words: list[Line]) -> list[Line]:
    """pdftotext's words joined where they touch on a line (2023 + 年), as one cell holds them."""
    joined: list[Line] = []
    for word in sorted(words, key=lambda w: (w.page, round(w.y0), w.x0)):
        last = joined[-1] if joined else None
        touching = last is not None and 0 <= word.x0 - last.x1 < 6
        if touching and last.page == word.page and abs(last.y0 - word.y0) < 2:
            joined[-1] = Line(last.page, last.x0, word.x1, last.y0, word.y1, last.text + word.text)
        else:
            joined.append(word)
    return joined


@dataclass(frozen=True)
class TablePage:
    header: list[Line]  # the header row's words, as cells hold them
    numbers: list[int]  # the 序号 shown on the page, top to bottom
    events: list[str]  # the lines of the 事项 column under the header
    content: list[str]  # the first lines of the 对口合作交流内容 column under the header


def table_pages(pdf: Path) -> list[TablePage]:
    pages = []
    words = cell_words(list(pdf_words(pdf)))
    for number in sorted({w.page for w in words}):
        on_page = [w for w in words if w.page == number]
        marks = [w for w in on_page if w.text == "序号"]
        if not marks:
            continue
        mark = marks[0]
        middle = (mark.y0 + mark.y1) / 2
        header = [w for w in on_page if abs((w.y0 + w.y1) / 2 - middle) < 20]
        bottom = max(w.y1 for w in header)
        item = next(w for w in header if w.text == "事项" and w.x0 > mark.x1)
        due = next(w for w in header if w.text.startswith("预计"))
        body = sorted((w for w in on_page if w.y0 > bottom + 2), key=lambda w: (w.y0, w.x0))
        numbers = [int(w.text) for w in body if w.x1 <= item.x0 and w.text.isdigit()]
        # The 事项 column ends where the first content line starts.
        content_words = [w for w in body if w.x0 > item.x1 + 4 and w.x1 < due.x0 - 2]
        left = min(w.x0 for w in content_words) - 2
        events = [w.text for w in body if mark.x1 < w.x0 and w.x1 < left]
        content = [w.text for w in content_words]
        pages.append(TablePage(header, numbers, events, content[:6]))
    return pages


def squeezed(text: str) -> str:
    return "".join(text.split())


def assert_pages_show_their_items(pdf: Path, table: RegionTable) -> int:
    """Every page's header words whole; the page's first row shows the 序号 and 事项 of the
    item it belongs to, marked （续） when the page starts inside the item."""
    pages = table_pages(pdf)
    assert pages
    by_number = {item.number: item for item in table.items}
    for index, page in enumerate(pages, start=1):
        # A year's digits go with 年 (2023年 / 计划): what follows them must be a header piece.
        pieces = [w.text.lstrip("0123456789") for w in page.header]
        broken = [text for text in pieces if text and text not in ALLOWED_HEADER_WORDS]
        assert not broken, (pdf.name, index, broken)
        assert page.numbers, (pdf.name, index)
        item = by_number[page.numbers[0]]
        events = squeezed("".join(page.events))
        assert events.startswith(squeezed(item.name)), (pdf.name, index, page.events[:3])
        # The first content line is of an item numbered on the page (a piece of the first
        # item may hold lines of other columns only).
        first = squeezed(page.content[0])
        shown = {
            number: [squeezed(row.content) for row in by_number[number].rows]
            for number in page.numbers
        }
        assert any(first in c for cs in shown.values() for c in cs), (pdf.name, index, first)
        if not shown[item.number][0].startswith(first):  # the page starts inside the item
            assert events.startswith(squeezed(item.name) + "（续）"), (pdf.name, index, events)
    return len(pages)


def printed_name_lines(pdf: Path) -> list[str]:
    """The printed lines of the last three columns (牵头领导, 牵头部门, 配合部门) on every page."""
    words = cell_words(list(pdf_words(pdf)))
    printed = []
    for number in sorted({w.page for w in words}):
        on_page = [w for w in words if w.page == number]
        marks = [w for w in on_page if w.text == "序号"]
        if not marks:
            continue
        middle = (marks[0].y0 + marks[0].y1) / 2
        header = [w for w in on_page if abs((w.y0 + w.y1) / 2 - middle) < 20]
        # The header's words grouped into columns by their centres (牵头 / 领导 is one column).
        columns: list[list[float]] = []
        for centre in sorted((w.x0 + w.x1) / 2 for w in header):
            if columns and centre - columns[-1][-1] < 12:
                columns[-1].append(centre)
            else:
                columns.append([centre])
        centres = [sum(c) / len(c) for c in columns]
        left = (centres[-4] + centres[-3]) / 2
        bottom = max(w.y1 for w in header)
        printed += [
            w.text
            for w in on_page
            if w.y0 > bottom + 2 and w.x0 > left and not w.text.startswith("—")
        ]
    return printed


def assert_names_printed_whole(pdf: Path, table: RegionTable) -> None:
    """Every printed line of a name column is whole words of one of its names."""
    names = {
        text
        for item in table.items
        for row in item.rows
        for text in (row.lead_leader, row.lead_department, row.supporting)
    }
    pieces = set()
    for name in names:
        units = word_units(name)
        pieces |= {
            "".join(units[a:b]) for a in range(len(units)) for b in range(a + 1, len(units) + 1)
        }
    lines = printed_name_lines(pdf)
    assert lines
    assert [line for line in lines if line not in pieces] == [], pdf.name


# A page of a table other than its last is at most this much blank.
MOST_BLANK = 0.25
# The last page of a table of several pages is at least this much full: a fifth of a page under
# the repeated header, which takes some twentieth of it.
LEAST_FULL = 0.25


def assert_pages_filled(pdf: Path, document: Path) -> list[float]:
    """No page but the last more than `MOST_BLANK` blank, and the last, when it is not the
    only one, at least `LEAST_FULL` full, measured in the printed PDF against the body the
    document's margins leave; each page's blank fraction."""
    section = Document(str(document)).sections[-1]
    blanks = blank_fractions(pdf, section.top_margin.pt, section.bottom_margin.pt)
    assert all(blank <= MOST_BLANK for blank in blanks[:-1]), (pdf.name, blanks)
    assert len(blanks) == 1 or 1 - blanks[-1] >= LEAST_FULL, (pdf.name, blanks)
    return blanks


def assert_printed_title(lines: list[Line], title: str, room: float) -> None:
    """The title printed in the lines `title_lines` gives, shaped as a trapezoid or diamond."""
    expected = title_lines(title, room)
    texts = ["".join(line.text.split()) for line in lines]
    squeezed = ["".join(line.split()) for line in expected]
    start = texts.index(squeezed[0])
    printed = lines[start : start + len(expected)]
    assert ["".join(line.text.split()) for line in printed] == squeezed
    assert well_shaped([round(line.x1 - line.x0) for line in printed]), printed


def assert_marks_printed_whole(lines: list[Line], entries: list[ApprovalEntry]) -> None:
    """Each signature mark `{签署人[时间]}` printed on one line, or as `…{签署人` ending a line
    and `[时间]}` starting one: never broken inside its name or its time."""
    texts = [line.text for line in lines]  # pdftotext's words joined: no spaces
    for entry in entries:
        mark = "".join(entry.mark.split())
        name, stamp = mark[: 1 + len(entry.signer)], mark[1 + len(entry.signer) :]
        whole = any(mark in text for text in texts)
        split = any(t.endswith(name) for t in texts) and any(t.startswith(stamp) for t in texts)
        assert whole or split, (mark, texts)


def assert_headings_keep_two_lines(printed: list[Line], report: WorkReport) -> None:
    """Every heading of the report's body printed with two lines of text after it on its page;
    and no page of the body but its last more blank than the headings and two lines it may
    hand to the next page."""
    headings = set()
    for number, section in enumerate(report.sections, start=1):
        headings.add(f"{chinese_numeral(number)}、{section.title}")
        for sub, subsection in enumerate(section.subsections, start=1):
            headings.add(f"（{chinese_numeral(sub)}）{subsection.title}")
    body = [line for line in printed if line.page < printed[-1].page]  # the form is last
    texts = ["".join(line.text.split()) for line in body]
    found = [i for i, text in enumerate(texts) if text in headings]
    assert len(found) == len(headings), (headings, texts)
    for i in found:
        after = [j for j in range(i + 1, len(body)) if texts[j] not in headings][:2]
        assert len(after) == 2 and body[after[1]].page == body[i].page, texts[i]
    # Lines per page, by their distinct rows; the page number below the body does not count.
    rows: dict[int, set[int]] = {}
    for line, text in zip(body, texts, strict=True):
        if not text.startswith("—"):
            rows.setdefault(line.page, set()).add(round(line.y0))
    full = max(len(page_rows) for page_rows in rows.values())
    pages = sorted(rows)[1:]  # the first page holds the masthead and title, not body lines
    for page in pages[:-1]:
        following = [text for line, text in zip(body, texts, strict=True) if line.page == page + 1]
        moved_headings = next(i for i, text in enumerate(following) if text not in headings)
        # Headings moved with their two lines: they did not fit, so at most all but one of
        # those lines is missing here; otherwise only a line widow control moved.
        assert full - len(rows[page]) <= max(1, moved_headings + 1), (page, following[:3])


@pytest.mark.libreoffice
def test_printed_examples_break_titles_and_headers_between_words(
    tmp_path: Path, libreoffice
) -> None:
    prepared, run = build(example_inputs(), tmp_path / "outputs", ROOT / "templates", pdf=True)
    report = prepared.dossier.report.settings
    printed = list(pdf_lines(run / "工作专报（第95期）.pdf"))
    lines = [line for line in printed if line.page == 1]
    assert_printed_title(lines, report.title, 20.1)  # 二号 on 156 mm
    entries = [e for step in prepared.dossier.report.approval.values() for e in step]
    assert_marks_printed_whole([line for line in printed if line.page == printed[-1].page], entries)
    assert_headings_keep_two_lines(printed, prepared.dossier.report)
    for table in prepared.dossier.regions:
        pdf = run / f"合作交流项目表_{table.region}.pdf"
        lines = [line for line in pdf_lines(pdf) if line.page == 1]
        assert_printed_title(lines, table.title, 31.8)  # 二号 on 247 mm
        assert_pages_show_their_items(pdf, table)
        assert_names_printed_whole(pdf, table)
        assert_pages_filled(pdf, pdf.with_suffix(".docx"))
    # The meeting material carries the tables as they are: it ends with the last one's last
    # page (its own text ends a page before the attachments start, so only that one counts).
    meeting = next(run.glob("会议材料*.pdf"))
    section = Document(str(meeting.with_suffix(".docx"))).sections[-1]
    last = blank_fractions(meeting, section.top_margin.pt, section.bottom_margin.pt)[-1]
    assert 1 - last >= LEAST_FULL, (meeting.name, last)


def long_table() -> RegionTable:
    """Forty items of one to four rows of different heights: many pages, many page breaks."""
    period = TableSettings("浦东新区生态环境局", "生态环境领域", 2023, 2025)
    departments = ["市容环卫处、废管中心", "环保处", "区供排水中心、各镇", "绿林处"]

    def row(item: int, index: int) -> CooperationRow:
        content = f"第{item}项第{index}行：学习借鉴先进经验和技术优势" * (1 + (item + index) % 3)
        return CooperationRow(
            content=content,
            due="2025年",
            plans={year: "开展交流对接" * (1 + (item * index + year) % 3) for year in period.years},
            progress="一是积极开展交流沟通。" * ((item + 2 * index) % 3),
            lead_leader="薛加良",
            lead_department=departments[item % 4],
            supporting=departments[(item + index) % 4],
        )

    items = [
        CooperationItem(number, f"事项{number}", [row(number, i) for i in range(1 + number % 4)])
        for number in range(1, 41)
    ]
    return RegionTable("永安市", period.title("永安市"), period.years, items, [])


@pytest.mark.libreoffice
def test_every_page_of_a_long_table_shows_the_item_it_starts_in(
    tmp_path: Path, libreoffice
) -> None:
    table = long_table()
    document = tmp_path / "long.docx"
    document.write_bytes(
        render_region_table(table, ROOT / "templates" / "project_table.docx", author="", when=WHEN)
    )
    pdf = libreoffice.to_pdf(document)
    assert assert_pages_show_their_items(pdf, table) >= 8
    assert_pages_filled(pdf, document)


# ------------------------------------------------------------------ the table's XML


def rendered_rows(table: RegionTable) -> list[etree._Element]:
    data = render_region_table(
        table, ROOT / "templates" / "project_table.docx", author="", when=WHEN
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = etree.fromstring(archive.read("word/document.xml"))
    return document.find(".//w:tbl", NS).findall("w:tr", NS)


def cell_lines(tc: etree._Element) -> list[str]:
    text = "".join(
        "\n" if node.tag == f"{{{W}}}br" else node.text or ""
        for node in tc.iter(f"{{{W}}}t", f"{{{W}}}br")
    )
    return text.split("\n")


@pytest.mark.parametrize("end", [2024, 2025, 2027, 2030])
def test_header_is_given_lines_broken_between_words(end: int) -> None:
    table = long_table()
    period = TableSettings("浦东新区生态环境局", "生态环境领域", 2023, end)
    table = RegionTable(table.region, table.title, period.years, table.items[:6], [])
    header = rendered_rows(table)[0]
    for tc in header.findall("w:tc", NS):
        lines = cell_lines(tc)
        for line in lines:
            assert line.lstrip("0123456789") in ALLOWED_HEADER_WORDS, lines


def test_department_names_are_given_lines_broken_between_words() -> None:
    # 市容 / 环卫处、 / 废管中心, never 市容环 / 卫处: the cells of names get their lines.
    whole = {"市容", "环卫处、", "废管中心", "市容环卫处、", "区", "供排水", "中心、", "各镇"}
    whole |= {"区供排水", "区供排水中心、", "中心、各镇", "环保处", "绿林处", "薛加良"}
    seen = set()
    for tr in rendered_rows(long_table())[1:]:
        for tc in tr.findall("w:tc", NS)[-3:]:
            lines = cell_lines(tc)
            if len(lines) > 1:
                assert set(lines) <= whole, lines
                seen.add("".join(lines))
    assert "市容环卫处、废管中心" in seen


def test_a_name_cell_holding_a_tab_is_left_to_the_renderer() -> None:
    # Its text runs are not plain: rewriting them as lines would drop the tab.
    table = long_table()
    first = table.items[0]
    row = replace(first.rows[0], lead_department="市容环卫处\t废管中心、区供排水中心")
    table = replace(table, items=[replace(first, rows=[row])])
    cell = rendered_rows(table)[1].findall("w:tc", NS)[-2]
    assert cell.find(".//w:tab", NS) is not None
    assert "".join(cell_lines(cell)) == "市容环卫处废管中心、区供排水中心"


def test_an_items_rows_are_kept_on_one_page_or_its_parts_say_which_item() -> None:
    table = long_table()
    by_item: dict[int, list[etree._Element]] = {}
    number = 0
    for tr in rendered_rows(table)[1:]:  # a row cut at a page's end is two table rows
        shown = "".join(cell_lines(tr.findall("w:tc", NS)[0]))
        number = int(shown) if shown else number
        by_item.setdefault(number, []).append(tr)
    assert list(by_item) == [item.number for item in table.items]
    cut = 0
    for item in table.items:
        trs = by_item[item.number]
        contents = ["".join(cell_lines(tr.findall("w:tc", NS)[2])) for tr in trs]
        assert "".join(contents) == "".join(row.content for row in item.rows)
        for index, tr in enumerate(trs):
            assert tr.find("w:trPr/w:cantSplit", NS) is not None
            kept = [p.find("w:pPr/w:keepNext", NS) is not None for p in tr.iter(f"{{{W}}}p")]
            if index == len(trs) - 1:
                assert not any(kept)
            elif not all(kept):
                # A part starts with the next table row: its own 序号 and 事项, marked 续.
                assert not any(kept)
                following = trs[index + 1].findall("w:tc", NS)
                assert "".join(cell_lines(following[0])) == str(item.number)
                assert "".join(cell_lines(following[1])) == f"{item.name}（续）"
                restart = following[0].find("w:tcPr/w:vMerge", NS)
                assert restart.get(f"{{{W}}}val") == "restart"
                cut += 1
    assert cut  # the long table has items cut at page ends


class Lines:
    """A row of `count` lines for the page plan, whose cuts are recorded."""

    cuttable = True

    def __init__(self, count: int, least: int = 1) -> None:
        self.lines = count
        self.least_lines = least

    def cut(self, lines: int) -> int:
        self.lines -= lines
        return lines

    def rest(self) -> int:
        return self.lines

    def state(self) -> int:
        return self.lines

    def restore(self, state: int) -> None:
        self.lines = state


def plan(items: list[list[int]], first_room: int, page_room: int) -> list[list[tuple]]:
    # Lines of one twip, rows of no padding, one line of every page kept spare.
    rows = [[Lines(count) for count in item] for item in items]
    return [
        [(p.row, p.content, p.opens_part) for p in pieces]
        for pieces in plan_pieces(rows, first_room, page_room, RowGeometry(1, 0))
    ]


def test_items_are_kept_whole_or_fill_the_page_cut_between_lines() -> None:
    # 40 lines on the first page, 100 on the next ones (one spare): a gap of 15 lines or more
    # is filled.
    assert plan([[10], [20, 10], [5]], 41, 101) == [
        [(0, 10, False)],
        [(0, 20, False), (1, 10, False)],
        [(0, 5, False)],
    ]
    # 10 lines left: the item moves to the next page whole.
    assert plan([[30], [20, 10]], 41, 101) == [[(0, 30, False)], [(0, 20, False), (1, 10, False)]]
    # 20 lines left: the first row fits; 5 left for the second, which starts a part on the
    # next page.
    assert plan([[20], [15, 10], [30]], 41, 101) == [
        [(0, 20, False)],
        [(0, 15, False), (1, 10, True)],
        [(0, 30, False)],
    ]
    # 20 lines left and a row of 25: it is cut after 20 lines; its rest opens a part.
    assert plan([[20], [25, 10], [30]], 41, 101) == [
        [(0, 20, False)],
        [(0, 20, False), (0, 5, True), (1, 10, False)],
        [(0, 30, False)],
    ]
    # A row taller than a page is cut as often as it takes.
    assert plan([[250]], 101, 101) == [[(0, 100, False), (0, 100, True), (0, 50, True)]]
    # Each piece keeps two lines at least.
    assert plan([[10], [31]], 41, 101) == [[(0, 10, False)], [(0, 29, False), (0, 2, True)]]


def test_the_last_page_holds_more_than_a_scrap() -> None:
    # Alone, the 10 lines would be the last page: the item goes over whole instead.
    assert plan([[20], [15, 10]], 41, 101) == [[(0, 20, False)], [(0, 15, False), (1, 10, False)]]
    # 5 lines would be left for the last page: the row before is cut earlier, so the last
    # page holds a fifth of a page and a line (22 lines), the page before 20 lines blank.
    assert plan([[60], [38], [5]], 101, 101) == [
        [(0, 60, False)],
        [(0, 21, False), (0, 17, True)],
        [(0, 5, False)],
    ]
    # A last page of a fifth already, or a table of one page, is left as it is.
    assert plan([[60], [38], [25]], 101, 101)[1:] == [[(0, 38, False)], [(0, 25, False)]]
    assert plan([[5]], 101, 101) == [[(0, 5, False)]]


def test_a_scrap_stays_when_the_page_before_cannot_give_up_lines() -> None:
    rows = [[Lines(100)], [Lines(5)]]
    rows[0][0].cuttable = False  # shorter, its page would hold nothing
    planned = plan_pieces(rows, 101, 101, RowGeometry(1, 0))
    assert [[(p.row, p.content, p.opens_part) for p in pieces] for pieces in planned] == [
        [(0, 100, False)],
        [(0, 5, False)],
    ]
    # What follows the table on its last page counts: with 20 lines of notes, nothing moves.
    rows = [[Lines(60)], [Lines(38)], [Lines(5)]]
    planned = plan_pieces(rows, 101, 101, RowGeometry(1, 0), after=20)
    assert [[p.content for p in pieces] for pieces in planned] == [[60], [38], [5]]


def test_a_row_that_cannot_be_cut_moves_to_the_next_page() -> None:
    rows = [[Lines(20)], [Lines(40)]]
    rows[1][0].cuttable = False
    planned = plan_pieces(rows, 41, 101, RowGeometry(1, 0))
    assert [[(p.row, p.content, p.opens_part) for p in pieces] for pieces in planned] == [
        [(0, 20, False)],
        [(0, 40, False)],
    ]


def test_a_row_is_cut_only_where_the_piece_holds_more_than_its_item() -> None:
    # 序号 and 事项 of 30 lines, shown whole by every piece: a cut after fewer lines would
    # leave a rest as tall as the row.
    planned = plan_pieces([[Lines(20)], [Lines(40, least=30)]], 41, 101, RowGeometry(1, 0))
    assert [[(p.content, p.opens_part) for p in pieces] for pieces in planned] == [
        [(20, False)],
        [(40, False)],
    ]
    # The real row: its 事项 taller than the rest of it.
    cells = [
        cuts.cell_lines(TextCell(0, 1, "1"), 2, names=False),
        cuts.cell_lines(TextCell(1, 1, "事项" * 40), 2, names=False),
        cuts.cell_lines(TextCell(2, 1, "内容" * 20), 2, names=False),
    ]
    row = cuts.RowLines(cells, {0: 2, 1: 2, 2: 2}, repeated=frozenset({0, 1}))
    assert (row.lines, row.least_lines) == (40, 40)
    planned = plan_pieces([[Lines(5)], [row]], 41, 101, RowGeometry(1, 0))
    assert [len(pieces) for pieces in planned] == [1, 1]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="生态环境治理ab1 ，、）\n", max_size=30), min_size=1, max_size=6),
    st.integers(1, 12),
    st.booleans(),
)
def test_row_lines_from_the_widths_the_column_fitting_measured(
    texts: list[str], per_line: int, names: bool
) -> None:
    # The rows' lines start from the widths measured for the column widths: the same lines
    # as a cell measured afresh.
    cells = [TextCell(1, 1, text) for text in texts]
    measured = TableTexts([[cell] for cell in cells], (), 240, 216, minimum_widths(0, 240, 216))
    assert set(measured.text_widths) == set(texts)
    for cell in cells:
        reused = cuts.cell_lines(
            cell, per_line, names=names, widths=measured.text_widths[cell.text]
        )
        afresh = cuts.cell_lines(cell, per_line, names=names)
        assert (reused.breaks, reused.lines, reused.filled is None) == (
            afresh.breaks,
            afresh.lines,
            afresh.filled is None,
        )
        if reused.filled is None:  # each of the text's own lines fits one line
            assert reused.lines == cell.text.count("\n") + 1


def test_lines_filled_as_a_renderer_fills_them() -> None:
    assert filled_line_starts("一二三四五六七", 3) == [3, 6]
    assert filled_line_starts("一二三，四五", 3) == [2, 5]  # ， does not start a line
    assert filled_line_starts("abcdef", 3) == [5]  # Latin letters are narrow


def test_names_break_between_words() -> None:
    text = "市容环卫处、废管中心"
    assert name_lines(text, 6) == ("市容环卫处、", "废管中心")
    assert name_lines(text, 4) == ("市容", "环卫处、", "废管中心")
    assert name_lines(text, 10) == (text,)
    assert name_lines(text, 3) is None  # 环卫处、 is wider: the renderer must break it
    assert breaks_a_name(text, 3) and not breaks_a_name(text, 4)
    assert name_lines("当前支持事项完成", 4) == ("当前支持", "事项完成")
    assert name_lines("浦东生态环境局机关-生态环境督察处", 12) == (
        "浦东生态环境局机关-",
        "生态环境督察处",
    )
    assert name_lines("刘军\n沈敏", 4) == ("刘军", "沈敏")  # the clerk's own lines kept
