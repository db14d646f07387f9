"""Every rule of the input contract, all problems collected in one pass.

Rows are typed one by one (`_rows`, `_settings`), then the rules that span rows, sheets and
workbooks run over the typed records; only records without errors are handed to merge.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TypeVar

from .. import contract
from ..cells import is_blank, normalise_name
from ..load import VALUE, LoadedInputs, LoadedSheet, SheetRow
from ..problems import Location, Problem, error, notice
from ._rows import (
    approval_row,
    cooperation_row,
    meeting_body_row,
    note_row,
    outline_row,
    progress_row,
    region_remark_row,
    unique_outline,
)
from ._settings import (
    FieldValues,
    check_period,
    key_values,
    meeting_settings,
    plan_years,
    report_settings,
    table_settings,
)
from .records import (
    CooperationRecord,
    OutlineHeading,
    ProgressRecord,
    RegionRemark,
    ValidatedInputs,
)
from .submissions import submission_problems

Record = TypeVar("Record")
Typer = Callable[[LoadedSheet, SheetRow, list[Problem]], tuple[Record | None, bool]]


def validate(loaded: LoadedInputs) -> ValidatedInputs:
    result = ValidatedInputs(
        problems=list(loaded.problems),
        workbooks=list(loaded.workbooks),
        row_counts=loaded.row_counts,
    )
    problems = result.problems
    for sheet in contract.SINGLE_SHEETS:
        _only_one(loaded.named(sheet), problems)

    settings = loaded.named(contract.REPORT_SETTINGS)[:1]
    if settings:
        fields = key_values(settings[0], contract.REPORT_SETTINGS_SHEET, problems)
        result.report_settings = report_settings(fields)
    table_fields = None
    settings = loaded.named(contract.TABLE_SETTINGS)[:1]
    if settings:
        table_fields = key_values(settings[0], contract.TABLE_SETTINGS_SHEET, problems)
        check_period(table_fields, problems)
        result.table_settings = table_settings(table_fields)
    years = result.plan_years = plan_years(table_fields)

    outline = _typed(loaded.named(contract.OUTLINE)[:1], outline_row, problems)
    headings = unique_outline([record for record, _ in outline if record is not None], problems)
    approval = _typed(loaded.named(contract.APPROVAL), approval_row, problems)
    progress = _typed(loaded.named(contract.PROGRESS), progress_row, problems)
    cooperation = _typed(
        loaded.named(contract.COOPERATION),
        lambda s, r, p: cooperation_row(s, r, p, years),
        problems,
    )
    notes = _typed(loaded.named(contract.TABLE_NOTES), note_row, problems)
    # A 会议材料 sheet with no value at all is the blank sheet of `init --office`: not wanted.
    meeting_sheets = [s for s in loaded.named(contract.MEETING)[:1] if _has_values(s)]
    if meeting_sheets:
        fields = key_values(meeting_sheets[0], contract.MEETING_SHEET, problems)
        result.meeting_settings = meeting_settings(fields)
    meeting_body = _typed(loaded.named(contract.MEETING_BODY), meeting_body_row, problems)
    remarks = _typed(loaded.named(contract.REGION_REMARKS), region_remark_row, problems)

    progress = _check_headings(loaded, headings, progress, problems)
    _check_items_agree(cooperation, problems)
    _check_year_columns(loaded, years, problems)
    _check_documents_wanted(loaded, bool(cooperation), problems)
    problems.extend(submission_problems(loaded))  # who has not sent what they owe
    regions = {normalise_name(r.region): r.region for r, _ in cooperation if r.region}
    _check_meeting_wanted(
        bool(meeting_sheets), bool(meeting_body), bool(remarks), loaded, bool(regions), problems
    )
    remarks = [(r, _region_has_rows(r, regions, problems) and ok) for r, ok in remarks]
    if table_fields is not None:
        result.region_order = _region_order(table_fields, regions, problems)
    for note, _ in notes:
        # a blank region (or a missing column) is an error of its own already
        if note.region and normalise_name(note.region) not in regions:
            problems.append(
                notice(
                    note.source.location("对口地区"),
                    f"对口地区「{note.region}」没有任何合作交流项目，这条注不会出现在任何项目表中。",
                )
            )

    result.outline = headings
    result.approval = _passed(approval)
    result.progress = _passed(progress)
    result.cooperation = _passed(cooperation)
    result.notes = _passed(notes)
    result.meeting_body = _passed(meeting_body)
    result.region_remarks = _passed(remarks)
    # A missing column is named by each row that needs it: shown once.
    result.problems = list(dict.fromkeys(problems))
    return result


def _typed(
    sheets: list[LoadedSheet], typer: Typer[Record], problems: list[Problem]
) -> list[tuple[Record, bool]]:
    """Every row of `sheets` typed, with whether all its cells passed. Rows with errors stay,
    so that the cross-sheet rules still check their other cells."""
    typed = []
    for sheet in sheets:
        for row in sheet.rows:
            record, ok = typer(sheet, row, problems)
            if record is not None:
                typed.append((record, ok))
    return typed


def _passed(typed: list[tuple[Record, bool]]) -> list[Record]:
    return [record for record, ok in typed if ok]


def _only_one(sheets: list[LoadedSheet], problems: list[Problem]) -> None:
    for extra in sheets[1:]:
        problems.append(
            error(
                Location(extra.file, extra.title),
                f"工作表「{extra.sheet}」只能有一份，{sheets[0].file} 中已经有了。请删除其中一份。",
            )
        )


# ---------------------------------------------------------------- cross-sheet rules


def _check_headings(
    loaded: LoadedInputs,
    outline: list[OutlineHeading],
    progress: list[tuple[ProgressRecord, bool]],
    problems: list[Problem],
) -> list[tuple[ProgressRecord, bool]]:
    """Every 工作进展 row must sit under a heading of the outline; suggest the closest ones."""
    if not progress:
        return progress
    if not outline:
        first = loaded.named(contract.PROGRESS)[0]
        problems.append(
            error(
                Location(first.file, first.title),
                "有工作进展，但没有找到提纲（工作表「提纲」）。请在办公室的 报告信息.xlsx 中填写提纲。",
            )
        )
        return progress
    # heading key → (title, subheading key → title, whether text may sit right under it)
    tree: dict[str, tuple[str, dict[str, str], bool]] = {}
    for heading in outline:
        entry = tree.setdefault(normalise_name(heading.title), (heading.title, {}, False))
        if heading.subtitle:
            entry[1][normalise_name(heading.subtitle)] = heading.subtitle
        else:
            tree[normalise_name(heading.title)] = (entry[0], entry[1], True)
    # Rows with other errors are checked too: every problem is shown at once.
    return [(record, _under_outline(record, tree, problems) and ok) for record, ok in progress]


def _under_outline(
    record: ProgressRecord,
    tree: dict[str, tuple[str, dict[str, str], bool]],
    problems: list[Problem],
) -> bool:
    if not record.heading:
        return False
    source = record.entry.source
    assert source is not None
    first = tree.get(normalise_name(record.heading))
    if first is None:
        titles = [title for title, _, _ in tree.values()]
        problems.append(
            error(
                source.location("一级标题"),
                f"「{record.heading}」不在提纲中。{_closest(record.heading, titles)}",
            )
        )
        return False
    title, subs, direct = first
    sub = record.subheading
    if sub is None:
        if subs and not direct:
            problems.append(
                error(
                    source.location("二级标题"),
                    f"提纲中「{title}」下有二级标题，必须填写。应为："
                    + "、".join(subs.values())
                    + "。",
                )
            )
            return False
    elif normalise_name(sub) not in subs:
        candidates = list(subs.values())
        hint = (
            _closest(sub, candidates)
            if candidates
            else f"提纲中「{title}」下没有二级标题，请留空。"
        )
        problems.append(
            error(source.location("二级标题"), f"「{sub}」不在提纲「{title}」之下。{hint}")
        )
        return False
    return True


def _closest(value: str, candidates: list[str]) -> str:
    keys = {normalise_name(c): c for c in candidates}
    close = difflib.get_close_matches(normalise_name(value), list(keys), n=3, cutoff=0.4)
    if close:
        return (
            "最接近的提纲标题："
            + "、".join(f"「{keys[c]}」" for c in close)
            + "。请改为提纲中的写法。"
        )
    return "提纲中的标题有：" + "、".join(f"「{c}」" for c in candidates[:12]) + "。"


def _check_items_agree(
    cooperation: list[tuple[CooperationRecord, bool]], problems: list[Problem]
) -> None:
    """Rows sharing 对口地区 + 序号 are one item, across workbooks too: they must agree on 事项.
    Rows come in file-name and row order, as they were read."""
    first_seen: dict[tuple[str, int], CooperationRecord] = {}
    for record, _ in cooperation:
        if record.number is None or not record.name or not record.region:
            continue
        key = (normalise_name(record.region), record.number)
        first = first_seen.setdefault(key, record)
        if normalise_name(first.name) != normalise_name(record.name):
            here, there = record.row.source, first.row.source
            assert here is not None and there is not None
            problems.append(
                error(
                    here.location("事项"),
                    f"{record.region} 序号 {record.number} 的事项为「{record.name}」，与 "
                    f"{there.location('事项').describe()} 的「{first.name}」不一致。"
                    "同一序号的各行是同一事项，请统一事项名称或改用其他序号。",
                )
            )


def _check_year_columns(
    loaded: LoadedInputs, years: list[int] | None, problems: list[Problem]
) -> None:
    for sheet in loaded.named(contract.COOPERATION):
        for column in sheet.letters:
            match = contract.YEAR_PLAN.match(column)
            if not match:
                continue
            year = int(match.group(1))
            if years is not None and year not in years:
                problems.append(
                    error(
                        sheet.location(None, column),
                        f"{year} 年不在计划期 {years[0]}-{years[-1]} 内。计划列应为："
                        + "、".join(contract.plan_column(y) for y in years)
                        + "。",
                    )
                )


def _check_documents_wanted(
    loaded: LoadedInputs, has_cooperation: bool, problems: list[Problem]
) -> None:
    present = {s.sheet for s in loaded.sheets}
    where = Location("inputs")
    report_sheets = {
        contract.REPORT_SETTINGS,
        contract.OUTLINE,
        contract.PROGRESS,
        contract.APPROVAL,
    }
    if present & report_sheets:
        for sheet in (contract.REPORT_SETTINGS, contract.OUTLINE):
            if sheet not in present:
                problems.append(
                    error(
                        where,
                        f"缺少工作表「{sheet}」，无法生成工作专报。请在办公室的 报告信息.xlsx 中添加该工作表。",
                    )
                )
    if has_cooperation and contract.TABLE_SETTINGS not in present:
        problems.append(
            error(
                where,
                f"有合作交流项目，但缺少工作表「{contract.TABLE_SETTINGS}」（编制单位、领域、起始年份、结束年份）。请在 报告信息.xlsx 中添加。",
            )
        )
    if not present and not any(p.is_error for p in problems):
        problems.append(
            error(
                where,
                "没有找到可识别的工作表。工作表名应为：" + "、".join(contract.KNOWN_SHEETS) + "。",
            )
        )


# ---------------------------------------------------------------- meeting material


def _has_values(sheet: LoadedSheet) -> bool:
    return any(not is_blank(row.get(VALUE)) for row in sheet.rows)


def _check_meeting_wanted(
    meeting: bool,
    body: bool,
    remarks: bool,
    loaded: LoadedInputs,
    has_regions: bool,
    problems: list[Problem],
) -> None:
    """The meeting material needs its settings sheet and the tables it carries; its other
    sheets need the settings sheet, or what was typed in them would be lost."""
    if meeting and not has_regions:
        first = loaded.named(contract.MEETING)[0]
        problems.append(
            error(
                Location(first.file, first.title),
                "有会议材料，但没有任何合作交流项目行，无法生成会议材料的各地区部分和附件。"
                "请放入各部门的合作交流项目，或删除工作表「会议材料」中填写的内容。",
            )
        )
    if not meeting:
        for sheet, present in ((contract.MEETING_BODY, body), (contract.REGION_REMARKS, remarks)):
            if present:
                first = loaded.named(sheet)[0]
                problems.append(
                    error(
                        Location(first.file, first.title),
                        f"工作表「{sheet}」有内容，但缺少工作表「{contract.MEETING}」"
                        "（会议名称、标题、汇报单位等），这些内容无处可印。"
                        f"请在 报告信息.xlsx 中添加并填写「{contract.MEETING}」。",
                    )
                )


def _region_has_rows(
    remark: RegionRemark, regions: dict[str, str], problems: list[Problem]
) -> bool:
    if not remark.region or normalise_name(remark.region) in regions:
        return True
    problems.append(
        error(
            remark.source.location("对口地区"),
            f"对口地区「{remark.region}」没有任何合作交流项目，这段说明无处可印。"
            + _known_regions(regions),
        )
    )
    return False


def _known_regions(regions: dict[str, str]) -> str:
    if not regions:
        return "目前没有任何合作交流项目行。"
    return "有项目的地区：" + "、".join(regions.values()) + "。请改为其中之一，或删除这一行。"


def _region_order(
    fields: FieldValues, regions: dict[str, str], problems: list[Problem]
) -> list[str]:
    """The regions listed in 地区顺序, each known and once; an error for every other name."""
    text = fields.values.get("地区顺序")
    if not text:
        return []
    where = fields.sheet.location(fields.rows.get("地区顺序"), VALUE)
    order: list[str] = []
    seen: set[str] = set()
    for name in contract.split_list(text):
        key = normalise_name(name)
        if key in seen:
            problems.append(error(where, f"地区顺序中「{name}」出现了不止一次。请只保留一次。"))
        elif key not in regions:
            problems.append(
                error(
                    where,
                    f"地区顺序中的「{name}」没有任何合作交流项目。"
                    + _known_regions(regions).replace("或删除这一行", "或从地区顺序中删除"),
                )
            )
        else:
            order.append(name)
        seen.add(key)
    return order
