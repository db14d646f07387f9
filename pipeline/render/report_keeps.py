"""What the 工作专报 keeps together across a page or a line, set on the rendered document.

A heading goes with two lines of its text, no more (GB/T 9704 lets a heading go to the next
page, never with a single line); the meeting material's headings too. The 结束语, 落款 and date never stand alone on the last page.
In the 拟文稿, a signature mark `{签署人[时间]}` stays whole on one line, or when wider than its
cell breaks only between the name and `[`.

Word keeps only the last line of a `w:keepNext` paragraph with the next one, but LibreOffice
keeps the whole paragraph: a long paragraph with `keepNext` leaves the page before it part
empty. So `keepNext` goes only on short paragraphs; a longer one gets `w:widowControl` (two
lines at least on each side of a page break) instead.
"""

from __future__ import annotations

from lxml import etree

from ..model import WorkReport
from .line_breaks import SLACK, display_width, filled_line_starts
from .page import DEFAULT_FONT_TWIPS, page_geometry, style_size
from .titles import cell_text_width
from .wordml import (
    W_VAL,
    XML_SPACE,
    first_child,
    keep_with_next,
    ordered_child,
    paragraph_style,
    w_name,
)

BODY_STYLE = "ReportBody"
HEADING_STYLES = ("ReportHeading1", "ReportHeading2")
CLOSING_STYLE = "ReportClosing"
FORM_CELL_STYLE = "FormCell"
INDENT = "\u3000\u3000"  # the body's first-line indent of two characters
# A paragraph of at most this many lines moves whole with the 结束语 when they do not fit;
# the same number of lines is what a heading keeps with it.
KEPT_LINES = 2

# The children of w:pPr before w:widowControl, in the schema's order (CT_PPrBase).
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl")


def paragraph_text(paragraph) -> str:
    return "".join(t.text or "" for t in paragraph.iter(w_name("t")))


def control_widows(paragraph) -> None:
    """`w:widowControl`: no single line of the paragraph alone on either side of a page break."""
    control = ordered_child(first_child(paragraph, "pPr"), "widowControl", _PPR_ORDER)
    control.attrib.pop(W_VAL, None)  # a template's `w:val="0"` would turn it off


def body_chars_per_line(document) -> float:
    """Characters of the body's size on a line of the report's section (the first one)."""
    body = document.docx.element.body
    first_section = next(body.iter(w_name("sectPr")), None)
    holder = first_section.getparent() if first_section is not None else body
    size = style_size(document, BODY_STYLE) or DEFAULT_FONT_TWIPS
    return page_geometry(holder).text_width / size


def line_count(text: str, per_line: float) -> int:
    """Lines a body paragraph fills, its indent included."""
    return 1 + len(filled_line_starts(INDENT + text, per_line))


def keep_headings_with_lines(document) -> None:
    """Each heading with two lines of the paragraph after it (the meeting material's too)."""
    paragraphs = list(document.docx.element.body.iterchildren(w_name("p")))
    for before, after in zip(paragraphs, paragraphs[1:], strict=False):
        if (
            paragraph_style(before) in HEADING_STYLES
            and paragraph_style(after) not in HEADING_STYLES
        ):
            control_widows(after)


def keep_report_pages(document) -> None:
    """Each heading with two lines of the paragraph after it, and the 结束语 with the lines
    before it (see the module's docstring)."""
    keep_headings_with_lines(document)
    paragraphs = list(document.docx.element.body.iterchildren(w_name("p")))
    for previous, paragraph in zip(paragraphs, paragraphs[1:], strict=False):
        if paragraph_style(paragraph) == CLOSING_STYLE:
            if line_count(paragraph_text(previous), body_chars_per_line(document)) <= KEPT_LINES:
                keep_with_next(previous)
            else:
                control_widows(previous)
            return


def mark_lines(text: str, mark: str, signer: str, per_line: float) -> list[str] | None:
    """`text` (ending in the signature `mark`) as lines to join by line breaks, so the mark is
    not broken inside: on a line of its own when it fits no longer where it is, and when wider
    than a line broken between `{name` and `[time]}` (a mark without a time is not broken).
    None when no break is needed."""
    start = len(text) - len(mark)
    before = text[:start]
    starts = filled_line_starts(before, per_line) if before else []
    left = per_line - display_width(before[starts[-1] if starts else 0 :]) if before else per_line
    name, stamp = mark[: 1 + len(signer)], mark[1 + len(signer) :]
    if display_width(mark) <= per_line - SLACK or not stamp.startswith("["):
        if display_width(mark) <= left - SLACK:
            return None
        return [before, mark] if before else None  # alone, it starts a line already
    if display_width(name) <= left - SLACK:
        return [before + name, stamp]
    return [part for part in (before, name, stamp) if part]


def keep_marks_whole(document, report: WorkReport) -> None:
    """Break the 拟文稿's cells so no renderer cuts a signature mark inside (`{徐小花[2023/11/3`
    / `16:01:14]}`, `{高瑞` / `莲[…`): see `mark_lines`."""
    signers = {
        entry.mark: entry.signer
        for entries in report.approval.values()
        for entry in entries
        if entry.signer
    }
    if not signers:
        return
    size = style_size(document, FORM_CELL_STYLE) or DEFAULT_FONT_TWIPS
    for paragraph in document.docx.element.body.iter(w_name("p")):
        if paragraph_style(paragraph) != FORM_CELL_STYLE:
            continue
        texts = paragraph.findall(f"{w_name('r')}/{w_name('t')}")
        if not texts or not _starts_a_line(texts[-1], texts):
            continue
        text = texts[-1].text or ""
        mark = next((m for m in signers if text.endswith(m)), None)
        cell = next(paragraph.iterancestors(w_name("tc")), None)
        width = cell_text_width(cell) if cell is not None else None
        if mark is None or width is None:
            continue
        lines = mark_lines(text, mark, signers[mark], width / size)
        if lines is not None:
            _write_lines(texts[-1], lines)


def _starts_a_line(last, texts) -> bool:
    """Whether the text `last` begins a line of its cell: the first text, or after a break."""
    if last is texts[0]:
        return True
    previous = last.getprevious()
    return previous is not None and previous.tag == w_name("br")


def _write_lines(text_element, lines: list[str]) -> None:
    """`text_element` holding the first line, each further line after a `w:br` in its run."""
    text_element.text = lines[0]
    text_element.set(XML_SPACE, "preserve")
    at = text_element
    for line in lines[1:]:
        line_break = etree.Element(w_name("br"))
        rest = etree.Element(w_name("t"))
        rest.text = line
        rest.set(XML_SPACE, "preserve")
        at.addnext(line_break)
        line_break.addnext(rest)
        at = rest
