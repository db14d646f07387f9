"""Render: turn the merged dossier into Word documents, one report and one table per region."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .model import Dossier

REPORT_TEMPLATE = "work_report.docx"
TABLE_TEMPLATE = "project_table.docx"


@dataclass(frozen=True)
class RenderedDocument:
    name: str  # file name inside the run folder
    data: bytes  # the .docx bytes
    template: str  # the template's file name

    @property
    def stem(self) -> str:
        return Path(self.name).stem


def templates_needed(dossier: Dossier) -> list[str]:
    names = []
    if dossier.report is not None:
        names.append(REPORT_TEMPLATE)
    if dossier.regions:
        names.append(TABLE_TEMPLATE)
    return names


def render_documents(dossier: Dossier, templates: Path) -> list[RenderedDocument]:
    """All documents of the dossier. Raises `TemplateProblem` for a broken template."""
    from . import _report, _table

    documents: list[RenderedDocument] = []
    if dossier.report is not None:
        data = _report.render_work_report(dossier.report, templates / REPORT_TEMPLATE)
        documents.append(
            RenderedDocument(_report.report_file_name(dossier.report), data, REPORT_TEMPLATE)
        )
    if dossier.regions and dossier.table_settings is not None:
        # Tables carry the report's date when there is one, so rebuilds stay identical.
        when = (
            dossier.report.settings.date
            if dossier.report
            else dt.date(dossier.table_settings.start_year, 1, 1)
        )
        author = dossier.table_settings.compiler
        for table in dossier.regions:
            data = _table.render_region_table(
                table, templates / TABLE_TEMPLATE, author=author, when=when
            )
            documents.append(RenderedDocument(_table.table_file_name(table), data, TABLE_TEMPLATE))
    return _unique_names(documents)


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
