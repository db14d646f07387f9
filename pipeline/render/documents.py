"""Every document of a dossier: the work report, one cooperation table per region, and the
meeting material that carries the tables as its attachments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import TemplateProblem
from ..model import Dossier, RenderedDocument
from . import meeting, report, table
from .docx_template import PACKAGED_TEMPLATES

REPORT_TEMPLATE = "work_report.docx"
TABLE_TEMPLATE = "project_table.docx"
MEETING_TEMPLATE = "meeting_material.docx"


def templates_needed(dossier: Dossier) -> list[str]:
    names = []
    if dossier.report is not None:
        names.append(REPORT_TEMPLATE)
    if dossier.regions:
        names.append(TABLE_TEMPLATE)
    if dossier.meeting is not None:
        names.append(MEETING_TEMPLATE)
    return names


def render_documents(dossier: Dossier, templates: Path) -> list[RenderedDocument]:
    """All documents of the dossier, in order. Raises `TemplateProblem` for a broken template."""
    documents = []
    work_report = dossier.report
    if work_report is not None:
        data = report.render_work_report(work_report, templates / REPORT_TEMPLATE)
        name = report.report_file_name(work_report)
        documents.append(RenderedDocument(name, data, REPORT_TEMPLATE))
    settings = dossier.table_settings
    if dossier.regions and settings is not None:
        # Tables carry the report's date when there is one, so rebuilds stay identical.
        when = work_report.settings.date if work_report else dt.date(settings.start_year, 1, 1)
        template = templates / TABLE_TEMPLATE
        table.check_table_template(template)
        if dossier.meeting is not None:
            _check_meeting_template(templates)
        rendered: dict[int, bytes] = {}
        for region in dossier.regions:
            data = table.render_region_table(
                region, template, author=settings.compiler, when=when, checked=True
            )
            rendered[id(region)] = data
            documents.append(RenderedDocument(table.table_file_name(region), data, TABLE_TEMPLATE))
        if dossier.meeting is not None:
            # The attachments are the very files written for each region.
            attached = [rendered[id(summary.table)] for summary in dossier.meeting.regions]
            data = meeting.render_meeting_material(
                dossier.meeting,
                templates / MEETING_TEMPLATE,
                attached,
                template,
                when=when,
                checked=True,
            )
            name = meeting.meeting_file_name(dossier.meeting)
            documents.append(RenderedDocument(name, data, MEETING_TEMPLATE))
    return _unique_names(documents)


def _check_meeting_template(templates: Path) -> None:
    """A templates folder made before the meeting material existed lacks its template: say
    where the default one is, rather than only that it is missing."""
    path = templates / MEETING_TEMPLATE
    if not path.exists() and (templates / TABLE_TEMPLATE).exists():
        raise TemplateProblem(
            str(path),
            f"找不到会议材料的模板（填写了工作表「会议材料」时需要）。请把程序自带的默认模板 "
            f"{PACKAGED_TEMPLATES / MEETING_TEMPLATE} 复制到 {templates} 文件夹，"
            "之后可以在 Word 中修改样式和措辞。",
        )
    meeting.check_meeting_template(path)


def _unique_names(documents: list[RenderedDocument]) -> list[RenderedDocument]:
    """Two regions whose names differ only in characters a file name cannot hold get a suffix."""
    seen: set[str] = set()
    unique = []
    for document in documents:
        name, n = document.name, 1
        while name.casefold() in seen:
            n += 1
            name = f"{document.stem}_{n}.docx"
        seen.add(name.casefold())
        unique.append(RenderedDocument(name, document.data, document.template))
    return unique
