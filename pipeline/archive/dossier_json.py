"""`dossier.json`: the merged data of a run, machine-readable, with a format version.

Written into every run folder beside the documents, covered by the manifest's hashes and
rebuilt by `verify`; read back to compare two runs. The notices are not part of it (the
manifest lists them, and one of them depends on where the templates were found, not on the
inputs). Sources keep file, sheet and row, so a change can be traced to a workbook row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..errors import ArchiveError
from ..model import (
    ApprovalEntry,
    CooperationItem,
    CooperationRow,
    Dossier,
    RegionTable,
    ReportEntry,
    ReportSection,
    ReportSettings,
    ReportSubsection,
    Source,
    TableSettings,
    WorkReport,
)

DOSSIER = "dossier.json"
DOSSIER_FORMAT = 1  # raise when a reader of the old format could misread the new one

Json = dict[str, Any]


# ------------------------------------------------------------------------------- writing


def dossier_bytes(dossier: Dossier) -> bytes:
    """The dossier as UTF-8 JSON; the same dossier always gives the same bytes."""
    text = json.dumps(dossier_to_json(dossier), ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


def dossier_to_json(dossier: Dossier) -> Json:
    return {
        "format": DOSSIER_FORMAT,
        "report": _report(dossier.report) if dossier.report is not None else None,
        "table_settings": _table_settings(dossier.table_settings),
        "regions": [_region(table) for table in dossier.regions],
        "row_counts": dossier.row_counts,
    }


def _source(source: Source | None) -> Json | None:
    if source is None:
        return None
    return {"file": source.file, "sheet": source.sheet, "row": source.row, "title": source.title}


def _report(report: WorkReport) -> Json:
    s = report.settings
    settings = {
        "issue_number": s.issue_number,
        "publisher": s.publisher,
        "date": s.date.isoformat(),
        "recipients": s.recipients,
        "title": s.title,
        "lead": list(s.lead),
        "closing": s.closing,
        "signatory": s.signatory,
        "contact_person": s.contact_person,
        "contact_phone": s.contact_phone,
        "submitting_department": s.submitting_department,
        "submitter": s.submitter,
        "submission_date": s.submission_date.isoformat(),
        "document_number": s.document_number,
        "form_title": s.form_title,
        "source": _source(s.source),
    }
    return {
        "settings": settings,
        "sections": [
            {
                "title": section.title,
                "entries": [_entry(e) for e in section.entries],
                "subsections": [
                    {"title": sub.title, "entries": [_entry(e) for e in sub.entries]}
                    for sub in section.subsections
                ],
            }
            for section in report.sections
        ],
        "approval": {
            step: [_approval(entry) for entry in entries]
            for step, entries in report.approval.items()
        },
    }


def _entry(entry: ReportEntry) -> Json:
    return {
        "paragraphs": list(entry.paragraphs),
        "lead_in": entry.lead_in,
        "responsible": entry.responsible,
        "source": _source(entry.source),
    }


def _approval(entry: ApprovalEntry) -> Json:
    return {
        "step": entry.step,
        "opinion": entry.opinion,
        "signer": entry.signer,
        "signed_at": entry.signed_at.isoformat() if entry.signed_at else None,
        "has_time": entry.has_time,
        "source": _source(entry.source),
    }


def _table_settings(settings: TableSettings | None) -> Json | None:
    if settings is None:
        return None
    return {
        "compiler": settings.compiler,
        "domain": settings.domain,
        "start_year": settings.start_year,
        "end_year": settings.end_year,
        "source": _source(settings.source),
    }


def _region(table: RegionTable) -> Json:
    return {
        "region": table.region,
        "title": table.title,
        "years": list(table.years),
        "notes": list(table.notes),
        "items": [
            {"number": item.number, "name": item.name, "rows": [_row(r) for r in item.rows]}
            for item in table.items
        ],
    }


def _row(row: CooperationRow) -> Json:
    return {
        "content": row.content,
        "due": row.due,
        "plans": {str(year): text for year, text in sorted(row.plans.items())},
        "progress": row.progress,
        "lead_leader": row.lead_leader,
        "lead_department": row.lead_department,
        "supporting": row.supporting,
        "included": row.included,
        "explanation": row.explanation,
        "source": _source(row.source),
    }


# ------------------------------------------------------------------------------- reading


def parse_dossier(data: bytes, where: str) -> Dossier:
    """The dossier in `data` (the bytes of a dossier.json); `ArchiveError` naming `where` when
    it is damaged or written in a format this version cannot read."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ArchiveError(f"{where} 不是有效的 JSON，文件已损坏。") from None
    version = document.get("format") if isinstance(document, dict) else None
    if not isinstance(version, int):
        raise ArchiveError(f"{where} 缺少格式版本，文件已损坏或不是本程序生成的。")
    if version > DOSSIER_FORMAT:
        raise ArchiveError(
            f"{where} 的格式版本为 {version}，由更新版本的程序生成；当前程序只能读取版本 "
            f"{DOSSIER_FORMAT} 及以前。请升级程序后再比较。"
        )
    try:
        return dossier_from_json(document)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ArchiveError(f"{where} 的内容不完整或格式不正确，文件已损坏。") from None


def dossier_from_json(document: Json) -> Dossier:
    report = document["report"]
    settings = document["table_settings"]
    return Dossier(
        report=_read_report(report) if report is not None else None,
        table_settings=_read_table_settings(settings) if settings is not None else None,
        regions=[_read_region(region) for region in document["regions"]],
        row_counts={
            str(file): {str(sheet): int(n) for sheet, n in sheets.items()}
            for file, sheets in document["row_counts"].items()
        },
    )


def _read_source(data: Json | None) -> Source | None:
    if data is None:
        return None
    return Source(str(data["file"]), str(data["sheet"]), int(data["row"]), str(data["title"]))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("text expected")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _read_report(data: Json) -> WorkReport:
    s = data["settings"]
    settings = ReportSettings(
        issue_number=_text(s["issue_number"]),
        publisher=_text(s["publisher"]),
        date=dt.date.fromisoformat(s["date"]),
        recipients=_text(s["recipients"]),
        title=_text(s["title"]),
        lead=[_text(p) for p in s["lead"]],
        closing=_text(s["closing"]),
        signatory=_text(s["signatory"]),
        contact_person=_optional_text(s["contact_person"]),
        contact_phone=_optional_text(s["contact_phone"]),
        submitting_department=_text(s["submitting_department"]),
        submitter=_text(s["submitter"]),
        submission_date=dt.date.fromisoformat(s["submission_date"]),
        document_number=_text(s["document_number"]),
        form_title=_text(s["form_title"]),
        source=_read_source(s["source"]),
    )
    sections = [
        ReportSection(
            title=_text(section["title"]),
            entries=[_read_entry(e) for e in section["entries"]],
            subsections=[
                ReportSubsection(_text(sub["title"]), [_read_entry(e) for e in sub["entries"]])
                for sub in section["subsections"]
            ],
        )
        for section in data["sections"]
    ]
    approval = {
        _text(step): [_read_approval(entry) for entry in entries]
        for step, entries in data["approval"].items()
    }
    return WorkReport(settings=settings, sections=sections, approval=approval)


def _read_entry(data: Json) -> ReportEntry:
    return ReportEntry(
        paragraphs=[_text(p) for p in data["paragraphs"]],
        lead_in=_optional_text(data["lead_in"]),
        responsible=_optional_text(data["responsible"]),
        source=_read_source(data["source"]),
    )


def _read_approval(data: Json) -> ApprovalEntry:
    signed = data["signed_at"]
    return ApprovalEntry(
        step=_text(data["step"]),
        opinion=_text(data["opinion"]),
        signer=_optional_text(data["signer"]),
        signed_at=dt.datetime.fromisoformat(signed) if signed is not None else None,
        has_time=bool(data["has_time"]),
        source=_read_source(data["source"]),
    )


def _read_table_settings(data: Json) -> TableSettings:
    return TableSettings(
        compiler=_text(data["compiler"]),
        domain=_text(data["domain"]),
        start_year=int(data["start_year"]),
        end_year=int(data["end_year"]),
        source=_read_source(data["source"]),
    )


def _read_region(data: Json) -> RegionTable:
    return RegionTable(
        region=_text(data["region"]),
        title=_text(data["title"]),
        years=[int(y) for y in data["years"]],
        notes=[_text(n) for n in data["notes"]],
        items=[
            CooperationItem(
                number=int(item["number"]),
                name=_text(item["name"]),
                rows=[_read_row(r) for r in item["rows"]],
            )
            for item in data["items"]
        ],
    )


def _read_row(data: Json) -> CooperationRow:
    return CooperationRow(
        content=_text(data["content"]),
        due=_text(data["due"]),
        plans={int(year): _text(text) for year, text in data["plans"].items()},
        progress=_text(data["progress"]),
        lead_leader=_text(data["lead_leader"]),
        lead_department=_text(data["lead_department"]),
        supporting=_text(data["supporting"]),
        included=bool(data["included"]),
        explanation=_text(data["explanation"]),
        source=_read_source(data["source"]),
    )
