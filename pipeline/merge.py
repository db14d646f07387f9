"""Merge: assemble validated rows from all workbooks into the typed documents to render."""

from __future__ import annotations

import pandas as pd

from . import contract
from ._cells import normalise_name
from .errors import Location, Problem, notice
from .load import ROW_COLUMN, LoadedInputs, frame_records
from .model import (
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
from .validate import FILE_COLUMN, ORDER_COLUMN, ValidatedInputs

DEFAULT_CLOSING = "特此报告。"


def merge(loaded: LoadedInputs, validated: ValidatedInputs) -> Dossier:
    """Build the dossier. Call only when `validated` holds no errors."""
    notices: list[Problem] = [p for p in validated.problems if not p.is_error]
    report = None
    if validated.report_settings is not None:
        report = _work_report(validated, notices)
    table_settings = None
    regions: list[RegionTable] = []
    if validated.table_settings is not None:
        table_settings = _table_settings(validated.table_settings)
        regions = _region_tables(validated, table_settings)
        if not regions:
            sheet = validated.table_settings["_sheet"]
            notices.append(
                notice(
                    Location(sheet.file, sheet.title),
                    "没有任何合作交流项目行，未生成合作交流项目表。",
                )
            )
    return Dossier(
        report=report,
        table_settings=table_settings,
        regions=regions,
        notices=notices,
        row_counts=_row_counts(loaded),
    )


def _row_counts(loaded: LoadedInputs) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {path.name: {} for path in loaded.workbooks}
    for sheet in loaded.sheets:
        counts.setdefault(sheet.file, {})[sheet.sheet] = len(sheet.frame)
    return counts


def _source(row: dict, sheet: str) -> Source:
    return Source(row[FILE_COLUMN], sheet, int(row[ROW_COLUMN]))


def _paragraphs(text: str) -> list[str]:
    lines = [line.strip() for line in text.split("\n")]
    return [line for line in lines if line] or [text]


# ---------------------------------------------------------------- work report


def _report_settings(values: dict) -> ReportSettings:
    issue = str(values["期号"])
    return ReportSettings(
        issue_number=issue,
        publisher=values["编发单位"],
        date=values["日期"],
        recipients=values["报送"],
        title=values["标题"],
        lead=_paragraphs(values["导语"]),
        closing=values.get("结束语", DEFAULT_CLOSING),
        signatory=values["落款"],
        contact_person=values.get("联系人"),
        contact_phone=values.get("联系电话"),
        submitting_department=values["专报部门"],
        submitter=values["专报人"],
        submission_date=values["专报日期"],
        document_number=values.get("文号", issue),
        form_title=values.get("拟文稿标题", values["标题"]),
    )


def _work_report(validated: ValidatedInputs, notices: list[Problem]) -> WorkReport:
    settings = _report_settings(validated.report_settings)
    sections: dict[str, ReportSection] = {}
    subsections: dict[tuple[str, str], ReportSubsection] = {}
    outline = validated.rows[contract.OUTLINE]
    for row in frame_records(outline):
        key = normalise_name(row["一级标题"])
        section = sections.setdefault(key, ReportSection(row["一级标题"]))
        if row["二级标题"]:
            sub = ReportSubsection(row["二级标题"])
            section.subsections.append(sub)
            subsections[(key, normalise_name(row["二级标题"]))] = sub

    progress = validated.rows[contract.PROGRESS]
    if not progress.empty:
        progress = progress.assign(_unordered=progress["排序"].isna())
        progress = progress.sort_values(
            ["_unordered", "排序", ORDER_COLUMN, ROW_COLUMN], kind="stable"
        )
        for row in frame_records(progress):
            entry = ReportEntry(
                paragraphs=_paragraphs(row["内容"]),
                lead_in=row["事项"],
                responsible=row["责任单位"],
                source=_source(row, contract.PROGRESS),
            )
            key = normalise_name(row["一级标题"])
            if row["二级标题"]:
                subsections[(key, normalise_name(row["二级标题"]))].entries.append(entry)
            else:
                sections[key].entries.append(entry)

    outline_sheet = None if outline.empty else outline.iloc[0]["_sheet"]
    for section in sections.values():
        empty = [s.title for s in section.subsections if not s.entries]
        if not section.entries and not section.subsections:
            empty.insert(0, section.title)
        for title in empty:
            notices.append(
                notice(
                    Location(outline_sheet.file, outline_sheet.title),
                    f"提纲中的「{title}」下没有任何工作进展段落，文档中该标题下为空。请确认相关部门已报送。",
                )
            )
    return WorkReport(
        settings=settings, sections=list(sections.values()), approval=_approval(validated)
    )


def _approval(validated: ValidatedInputs) -> dict[str, list[ApprovalEntry]]:
    rows = validated.rows[contract.APPROVAL]
    approval: dict[str, list[ApprovalEntry]] = {}
    if rows.empty:
        return approval
    rows = rows.assign(
        _untimed=rows["签署时间"].isna(),
        _time=rows["签署时间"].map(lambda v: v[0] if v else pd.NaT),
    )
    rows = rows.sort_values(["_untimed", "_time", ORDER_COLUMN, ROW_COLUMN], kind="stable")
    for row in frame_records(rows):
        signed = row["签署时间"]
        approval.setdefault(row["环节"], []).append(
            ApprovalEntry(
                step=row["环节"],
                opinion=row["意见"],
                signer=row["签署人"],
                signed_at=signed[0] if signed else None,
                has_time=signed[1] if signed else False,
                source=_source(row, contract.APPROVAL),
            )
        )
    return approval


# ---------------------------------------------------------- cooperation tables


def _table_settings(values: dict) -> TableSettings:
    return TableSettings(
        compiler=values["编制单位"],
        domain=values["领域"],
        start_year=values["起始年份"],
        end_year=values["结束年份"],
    )


def _region_tables(validated: ValidatedInputs, settings: TableSettings) -> list[RegionTable]:
    rows = validated.rows[contract.COOPERATION]
    if rows.empty:
        return []
    # Regions in order of first appearance; an item's rows by 排序, then file and row.
    rows = rows.assign(_region=rows["对口地区"].map(normalise_name))
    rows = rows.sort_values([ORDER_COLUMN, ROW_COLUMN], kind="stable")
    first_seen = {key: i for i, key in enumerate(dict.fromkeys(rows["_region"]))}
    rows = rows.assign(_first=rows["_region"].map(first_seen), _unordered=rows["排序"].isna())
    rows = rows.sort_values(
        ["_first", "_unordered", "排序", ORDER_COLUMN, ROW_COLUMN], kind="stable"
    )
    notes = validated.rows[contract.TABLE_NOTES]
    notes_by_region: dict[str, list[str]] = {}
    if not notes.empty:
        notes = notes.assign(_region=notes["对口地区"].map(normalise_name))
        notes = notes.sort_values([ORDER_COLUMN, ROW_COLUMN], kind="stable")
        for key, text in zip(notes["_region"], notes["注"], strict=True):
            notes_by_region.setdefault(key, []).append(text)
    # One pass over plain records: grouping the frame item by item costs a frame per item.
    # Regions keep the order of the sorted rows, items go by 序号, an item's rows keep theirs.
    regions: dict[str, dict[int, list[dict]]] = {}
    for row in frame_records(rows):
        regions.setdefault(row["_region"], {}).setdefault(row["序号"], []).append(row)
    tables = []
    for region_key, serials in regions.items():
        region = next(iter(serials.values()))[0]["对口地区"]
        items = [
            CooperationItem(
                number=int(serial),
                name=item_rows[0]["事项"],
                rows=[_cooperation_row(row) for row in item_rows],
            )
            for serial, item_rows in sorted(serials.items(), key=lambda pair: pair[0])
        ]
        region_notes = notes_by_region.get(region_key, [])
        tables.append(
            RegionTable(
                region=region,
                title=settings.title(region),
                years=settings.years,
                items=items,
                notes=region_notes,
            )
        )
    return tables


def _cooperation_row(row: dict) -> CooperationRow:
    return CooperationRow(
        content=row["对口合作交流内容"],
        due=row["预计完成时间"],
        plans=dict(row["计划"]),
        progress=row["事项推进情况"],
        lead_leader=row["牵头领导"],
        lead_department=row["牵头部门"],
        supporting=row["配合部门"],
        included=bool(row["是否纳入"]),
        explanation=row["说明"],
        source=_source(row, contract.COOPERATION),
    )
