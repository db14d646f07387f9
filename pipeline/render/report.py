"""Render the 工作专报 (work report) and its 拟文稿 approval form from a `WorkReport`.

The template (`templates/work_report.docx`) holds all formatting; this module only builds the
context. Body paragraphs are handed over as runs so that the bold 一是、二是 lead-ins can use the
template's `LeadIn` character style, and every value goes through `docx_template.literal` or
`run_xml`, so text appears exactly as the departments typed it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from ..cells import split_lines
from ..files import safe_file_name
from ..model import APPROVAL_STEPS, ReportEntry, WorkReport
from ..numerals import chinese_numeral
from . import docx_template
from .line_breaks import SLACK, display_width, name_lines
from .page import DEFAULT_FONT_TWIPS, DEFAULT_TITLE_TWIPS
from .report_keeps import keep_marks_whole, keep_report_pages
from .titles import title_lines, title_room

LEAD_IN_STYLE = "LeadIn"  # character style defined in the template

# Approval steps (环节) as the template names them: `approval.chief` etc.
APPROVAL_KEYS = {
    "事由": "reason",
    "专报部门意见": "department",
    "办公室审核意见": "office",
    "分管领导会签意见": "deputy",
    "主管领导签发意见": "chief",
    "会签部门意见": "cosign",
    "备注": "remarks",
}
assert set(APPROVAL_KEYS) == set(APPROVAL_STEPS)

# Every tag carries input data, so a template without one would silently drop it.
REQUIRED_TAGS = frozenset(
    {
        "issue_number",
        "publisher",
        "date",
        "recipients",
        "title",
        "lead",
        "sections",
        "closing",
        "signatory",
        "contact",
        "form_title",
        "submitting_department",
        "submitter",
        "submission_date",
        "document_number",
        "approval",
    }
)
KNOWN_TAGS = REQUIRED_TAGS

# 一是、二是 … 十是、十一是 … that open a sentence: at the start of the paragraph or after
# sentence punctuation (and after a colon, which introduces an enumeration).
_NUMERAL = "(?:[二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_LEAD_IN = re.compile(rf"(?:^|(?<=[。；！？：;!?]))([ \u3000]*)({_NUMERAL}是)(?!否)")


def lead_in_runs(text: str) -> list[tuple[str, str | None]]:
    """`text` as runs, with the sentence-opening 一是、二是 … in the bold character style."""
    runs: list[tuple[str, str | None]] = []
    position = 0
    for match in _LEAD_IN.finditer(text):
        start, end = match.span(2)
        runs.append((text[position:start], None))
        runs.append((text[start:end], LEAD_IN_STYLE))
        position = end
    runs.append((text[position:], None))
    return [(part, style) for part, style in runs if part]


def paragraph_runs(texts: Iterable[str]) -> list[Markup]:
    """Each line of each text as one Word paragraph's runs (for a `{{r … }}` tag)."""
    return [
        docx_template.runs_xml(lead_in_runs(line)) for text in texts for line in split_lines(text)
    ]


def entry_paragraphs(entries: Iterable[ReportEntry]) -> list[Markup]:
    return paragraph_runs(text for entry in entries for text in entry.rendered_paragraphs)


@dataclass(frozen=True)
class Heading:
    number: str
    title: str
    paragraphs: tuple[Markup, ...]
    subsections: tuple[Heading, ...] = ()


@dataclass(frozen=True)
class Approval:
    """The entries of each 环节, one string per entry, as the form's cells show them."""

    reason: tuple[str, ...]
    department: tuple[str, ...]
    office: tuple[str, ...]
    deputy: tuple[str, ...]
    chief: tuple[str, ...]
    cosign: tuple[str, ...]
    remarks: tuple[str, ...]


def contact_line(person: str | None, phone: str | None) -> str:
    """`（联系人：张晓伟 联系电话：18116080172）` with what is given; empty when neither is."""
    parts = []
    if person and person.strip():
        parts.append(f"联系人：{person.strip()}")
    if phone and phone.strip():
        parts.append(f"联系电话：{phone.strip()}")
    return f"（{' '.join(parts)}）" if parts else ""


def broken_title(text: str, room: float | None) -> str:
    """A title as lines joined by line breaks (`titles.title_lines`); None: only the clerk's."""
    return text if room is None else "\n".join(title_lines(text, room))


def broken_name(text: str, room: float | None) -> str:
    """A name too long for its cell (`浦东生态环境局机关-生态环境督察处`) as lines broken between
    words (`line_breaks.name_lines`), so no renderer cuts 生态环 / 境; as typed when it fits."""
    if room is None or display_width(text) <= room:
        return text
    lines = name_lines(text, math.floor(room - SLACK))
    return text if lines is None else "\n".join(lines)


def build_context(
    report: WorkReport,
    *,
    title_room: float | None = None,
    form_title_room: float | None = None,
    department_room: float | None = None,
) -> dict[str, object]:
    """The template's variables. `title_room`, `form_title_room`, `department_room`: how many
    characters of their style fit a line of the title, of the form's 标题 cell and of its 专报部门
    cell (None: not broken)."""
    settings = report.settings
    unknown = sorted(set(report.approval) - set(APPROVAL_KEYS))
    if unknown:
        raise ValueError(f"unknown approval steps: {unknown}")
    sections = tuple(
        Heading(
            number=f"{chinese_numeral(i)}、",
            title=section.title,
            paragraphs=tuple(entry_paragraphs(section.entries)),
            subsections=tuple(
                Heading(
                    number=f"（{chinese_numeral(j)}）",
                    title=subsection.title,
                    paragraphs=tuple(entry_paragraphs(subsection.entries)),
                )
                for j, subsection in enumerate(section.subsections, start=1)
            ),
        )
        for i, section in enumerate(report.sections, start=1)
    )
    approval = Approval(
        **{
            key: tuple(entry.text for entry in report.approval_entries(step))
            for step, key in APPROVAL_KEYS.items()
        }
    )
    return {
        "issue_number": settings.issue_number,
        "publisher": settings.publisher,
        "date": settings.date_text,
        # The template writes `报：{{ recipients }}。`; a typed full stop would double it.
        "recipients": settings.recipients.rstrip().removesuffix("。"),
        "title": broken_title(settings.title, title_room),
        "lead": paragraph_runs(settings.lead),
        "sections": sections,
        "closing": settings.closing,
        "signatory": settings.signatory,
        "contact": contact_line(settings.contact_person, settings.contact_phone),
        "form_title": broken_title(settings.form_title, form_title_room),
        "submitting_department": broken_name(settings.submitting_department, department_room),
        "submitter": settings.submitter,
        "submission_date": settings.submission_date_text,
        "document_number": settings.document_number,
        "approval": approval,
    }


def check_report_template(template: Path) -> None:
    """Raise `TemplateProblem` when the template's tags are missing or misspelt."""
    docx_template.check_tags(template, REQUIRED_TAGS, KNOWN_TAGS)


def render_work_report(report: WorkReport, template: Path, *, checked: bool = False) -> bytes:
    """The rendered 工作专报 as .docx bytes; `TemplateProblem` names a broken template.
    `checked`: `check_report_template` has passed for this template already."""
    if not checked:
        check_report_template(template)
    document = docx_template.open_template(template)
    context = build_context(
        report,
        title_room=title_room(document, "title", DEFAULT_TITLE_TWIPS),
        form_title_room=title_room(document, "form_title", DEFAULT_FONT_TWIPS),
        department_room=title_room(document, "submitting_department", DEFAULT_FONT_TWIPS),
    )
    docx_template.render(document, template, context)
    keep_report_pages(document)
    keep_marks_whole(document, report)
    settings = report.settings
    return docx_template.save_reproducibly(
        document, when=settings.date, author=settings.signatory, title=settings.title
    )


def report_file_name(report: WorkReport) -> str:
    """`工作专报（第95期）.docx`"""
    stem = safe_file_name(f"工作专报（第{report.settings.issue_number}期）")
    return f"{stem}.docx"
