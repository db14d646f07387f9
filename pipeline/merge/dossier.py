"""Assembling the validated records of all workbooks into the documents' typed model.

The order of everything in the documents is decided here, with pandas: report entries by
排序, then workbook (file name) and row; approval entries by 签署时间; regions in the order of 地区顺序,
then of first appearance, items by 序号, an item's rows by 排序, then workbook and row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import pandas as pd

from ..cells import normalise_name
from ..model import (
    ApprovalEntry,
    CooperationItem,
    Dossier,
    RegionTable,
    ReportSection,
    ReportSubsection,
    Source,
    TableSettings,
    WorkReport,
)
from ..problems import Location, Problem, notice
from ..validate import CooperationRecord, ValidatedInputs
from .meeting import meeting_material

Record = TypeVar("Record")


def merge(validated: ValidatedInputs) -> Dossier:
    """Build the dossier. Call only when `validated` holds no errors."""
    notices: list[Problem] = validated.notices
    report = None
    if validated.report_settings is not None:
        report = _work_report(validated, notices)
    settings = validated.table_settings
    regions: list[RegionTable] = []
    if settings is not None:
        regions = _region_tables(validated, settings)
        if not regions:
            notices.append(
                notice(
                    _sheet_location(settings.source),
                    "没有任何合作交流项目行，未生成合作交流项目表。",
                )
            )
    meeting = None
    if validated.meeting_settings is not None and settings is not None and regions:
        meeting = meeting_material(validated, settings, regions)
    return Dossier(
        report=report,
        table_settings=settings,
        regions=regions,
        notices=notices,
        row_counts=validated.row_counts,
        meeting=meeting,
    )


def _sheet_location(source: Source | None) -> Location:
    if source is None:
        return Location("inputs")
    return Location(source.file, source.title or source.sheet)


def _in_order(records: Sequence[Record], **keys: Sequence[Any]) -> list[Record]:
    """`records` sorted by the key columns in turn; a missing value (None) after the others,
    ties in the order given."""
    if not records:
        return []
    frame = pd.DataFrame(dict(keys))
    order = frame.sort_values(list(keys), kind="stable", na_position="last").index
    return [records[i] for i in order]


def _file_and_row(sources: Sequence[Source | None]) -> dict[str, list[Any]]:
    """Key columns for the workbook (file-name order) and the Excel row of each record."""
    return {
        "file": [source.file if source else "" for source in sources],
        "row": [source.row if source else 0 for source in sources],
    }


# ---------------------------------------------------------------- work report


def _work_report(validated: ValidatedInputs, notices: list[Problem]) -> WorkReport:
    assert validated.report_settings is not None
    sections: dict[str, ReportSection] = {}
    subsections: dict[tuple[str, str], ReportSubsection] = {}
    for heading in validated.outline:
        key = normalise_name(heading.title)
        section = sections.setdefault(key, ReportSection(heading.title))
        if heading.subtitle:
            sub = ReportSubsection(heading.subtitle)
            section.subsections.append(sub)
            subsections[(key, normalise_name(heading.subtitle))] = sub

    progress = validated.progress
    ordered = _in_order(
        progress,
        order=[record.order for record in progress],
        **_file_and_row([record.entry.source for record in progress]),
    )
    for record in ordered:
        key = normalise_name(record.heading)
        if record.subheading:
            subsections[(key, normalise_name(record.subheading))].entries.append(record.entry)
        else:
            sections[key].entries.append(record.entry)

    if validated.outline:
        where = _sheet_location(validated.outline[0].source)
        for section in sections.values():
            empty = [s.title for s in section.subsections if not s.entries]
            if not section.entries and not section.subsections:
                empty.insert(0, section.title)
            for title in empty:
                notices.append(
                    notice(
                        where,
                        f"提纲中的「{title}」下没有任何工作进展段落，文档中该标题下为空。请确认相关部门已报送。",
                    )
                )
    return WorkReport(
        settings=validated.report_settings,
        sections=list(sections.values()),
        approval=_approval(validated.approval),
    )


def _approval(entries: list[ApprovalEntry]) -> dict[str, list[ApprovalEntry]]:
    ordered = _in_order(
        entries,
        signed_at=[entry.signed_at for entry in entries],
        **_file_and_row([entry.source for entry in entries]),
    )
    approval: dict[str, list[ApprovalEntry]] = {}
    for entry in ordered:
        approval.setdefault(entry.step, []).append(entry)
    return approval


# ---------------------------------------------------------- cooperation tables


def _region_tables(validated: ValidatedInputs, settings: TableSettings) -> list[RegionTable]:
    records = validated.cooperation
    if not records:
        return []
    regions = [normalise_name(record.region) for record in records]
    # The regions of 地区顺序 first, in its order; then the others in order of first
    # appearance (records come in file-name and row order).
    listed = [normalise_name(name) for name in validated.region_order]
    first_seen = {key: i for i, key in enumerate(dict.fromkeys([*listed, *regions]))}
    ordered = _in_order(
        records,
        region=[first_seen[key] for key in regions],
        order=[record.order for record in records],
        **_file_and_row([record.row.source for record in records]),
    )
    notes = _in_order(validated.notes, **_file_and_row([note.source for note in validated.notes]))
    notes_by_region: dict[str, list[str]] = {}
    for note in notes:
        notes_by_region.setdefault(normalise_name(note.region), []).append(note.text)

    by_region: dict[str, dict[int, list[CooperationRecord]]] = {}
    for record in ordered:
        assert record.number is not None  # records with errors are never merged
        items = by_region.setdefault(normalise_name(record.region), {})
        items.setdefault(record.number, []).append(record)
    tables = []
    for region_key, items in by_region.items():
        region = next(iter(items.values()))[0].region
        tables.append(
            RegionTable(
                region=region,
                title=settings.title(region),
                years=settings.years,
                items=[
                    CooperationItem(
                        number=number,
                        name=item_records[0].name,
                        rows=[record.row for record in item_records],
                    )
                    for number, item_records in sorted(items.items())
                ],
                notes=notes_by_region.get(region_key, []),
            )
        )
    return tables
