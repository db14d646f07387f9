"""Per-row rules of the row sheets: each typer checks one row and returns it typed.

A typer returns its record with a flag that says whether every cell passed: a record with a
wrong cell is not merged, but the cross-sheet rules in `checks` still see its other cells.
"""

from __future__ import annotations

import functools

from .. import contract
from ..cells import (
    as_text,
    is_blank,
    normalise_name,
    parse_datetime,
    parse_int,
    parse_number,
    split_lines,
    strip_heading_number,
)
from ..load import LoadedSheet, SheetRow, missing_column
from ..model import APPROVAL_STEPS, ApprovalEntry, CooperationRow, ReportEntry
from ..problems import Level, Problem, error, notice
from ._settings import as_typed, plausible, unreproduced_format
from .records import (
    CooperationRecord,
    MeetingParagraphs,
    OutlineHeading,
    ProgressRecord,
    RegionRemark,
    TableNote,
)

MAX_HEADINGS = 999  # the generated Chinese numbering goes up to 九百九十九


def _required(
    sheet: LoadedSheet, row: SheetRow, column: str, problems: list[Problem], what: str = ""
) -> bool:
    if column in sheet.missing:
        # one problem for the sheet, however many rows need the column (validate keeps one)
        problems.append(missing_column(sheet, column))
        return False
    if is_blank(row.get(column)):
        problems.append(error(sheet.location(row.number, column), f"必填，不能为空。{what}"))
        return False
    return True


def _yes_no(
    sheet: LoadedSheet,
    row: SheetRow,
    column: str,
    problems: list[Problem],
    expected: str,
    *,
    default: bool,
) -> tuple[bool, bool]:
    """A 是/否 column (纳入/不纳入, Y/N too): its value, `default` when blank, and whether it
    was understood; `expected` says what would have been."""
    flag = row.get(column)
    if is_blank(flag):
        return default, True
    text = normalise_name(flag)
    if text in contract.INCLUDED_YES:
        return True, True
    if text in contract.INCLUDED_NO:
        return False, True
    problems.append(
        error(sheet.location(row.number, column), f"「{as_text(flag)}」无法识别。{expected}")
    )
    return default, False


def _text(sheet: LoadedSheet, row: SheetRow, column: str, problems: list[Problem]) -> str:
    """A free-text cell as Excel shows it: a number or date cell in its number format."""
    value = row.get(column)
    if is_blank(value):
        return ""
    shown = row.shown.get(column)
    if shown is None:
        return as_text(value)
    if not shown.exact:
        problems.append(unreproduced_format(sheet.location(row.number, column), shown))
    return shown.text


# ---------------------------------------------------------------- row sheets


def _heading(sheet: LoadedSheet, row: SheetRow, column: str, problems: list[Problem]) -> str | None:
    if is_blank(row.get(column)):
        return None
    typed = _text(sheet, row, column, problems)
    text, stripped = strip_heading_number(typed)
    if not text.strip():
        problems.append(
            error(
                sheet.location(row.number, column),
                f"标题「{typed}」只有编号，没有文字（编号由系统生成）。请填写标题文字。",
            )
        )
        return None
    if stripped:
        problems.append(
            notice(
                sheet.location(row.number, column),
                f"已去掉标题前的编号（编号由系统生成），使用「{text}」。",
            )
        )
    return text


def outline_row(
    sheet: LoadedSheet, row: SheetRow, problems: list[Problem]
) -> tuple[OutlineHeading | None, bool]:
    if not _required(sheet, row, "一级标题", problems):
        return None, False  # nothing to check or merge without the heading
    first = _heading(sheet, row, "一级标题", problems)
    second = _heading(sheet, row, "二级标题", problems)
    if first is None or (second is None and not is_blank(row.get("二级标题"))):
        return None, False
    return OutlineHeading(first, second, sheet.source(row)), True


def unique_outline(outline: list[OutlineHeading], problems: list[Problem]) -> list[OutlineHeading]:
    """The outline without repeated headings (each repetition an error), counted."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for heading in outline:
        key = (normalise_name(heading.title), normalise_name(heading.subtitle))
        if key in seen:
            problems.append(
                error(
                    heading.source.location("一级标题"),
                    "提纲中这一标题重复出现。请删除重复的一行。",
                )
            )
            continue
        seen.add(key)
        unique.append(heading)
    _check_heading_counts(unique, problems)
    return unique


def _check_heading_counts(outline: list[OutlineHeading], problems: list[Problem]) -> None:
    """Headings are numbered 一、 to 九百九十九、 and （一） to （九百九十九）; say so beyond."""
    firsts: dict[str, int] = {}
    seconds: dict[str, int] = {}
    for heading in outline:
        first = normalise_name(heading.title)
        if first not in firsts:
            firsts[first] = 0
            if len(firsts) == MAX_HEADINGS + 1:
                problems.append(
                    error(
                        heading.source.location("一级标题"),
                        f"提纲最多 {MAX_HEADINGS} 个一级标题，这是第 {MAX_HEADINGS + 1} 个。请合并或删除多余的标题。",
                    )
                )
        if heading.subtitle:
            seconds[first] = seconds.get(first, 0) + 1
            if seconds[first] == MAX_HEADINGS + 1:
                problems.append(
                    error(
                        heading.source.location("二级标题"),
                        f"一个一级标题下最多 {MAX_HEADINGS} 个二级标题，这是第 {MAX_HEADINGS + 1} 个。请合并或删除多余的标题。",
                    )
                )


def approval_row(
    sheet: LoadedSheet, row: SheetRow, problems: list[Problem]
) -> tuple[ApprovalEntry, bool]:
    ok = _required(sheet, row, "环节", problems) & _required(sheet, row, "意见", problems)
    step = normalise_name(row.get("环节"))
    if ok and step not in APPROVAL_STEPS:
        problems.append(
            error(
                sheet.location(row.number, "环节"),
                f"「{row.get('环节')}」不是拟文稿的环节。环节应为："
                + "、".join(APPROVAL_STEPS)
                + "。",
            )
        )
        ok = False
    signed = None
    if not is_blank(row.get("签署时间")):
        signed = plausible(parse_datetime(row.get("签署时间")))
        if signed is None:
            problems.append(
                error(
                    sheet.location(row.number, "签署时间"),
                    "应为日期时间（也可只填日期），如 2023/11/3 16:01:14；"
                    f"现填的是{as_typed(row, '签署时间')}。",
                )
            )
            ok = False
    entry = ApprovalEntry(
        step=step,
        opinion=_text(sheet, row, "意见", problems),
        signer=_text(sheet, row, "签署人", problems) or None,
        signed_at=signed[0] if signed else None,
        has_time=signed[1] if signed else False,
        source=sheet.source(row),
    )
    return entry, ok


def progress_row(
    sheet: LoadedSheet, row: SheetRow, problems: list[Problem]
) -> tuple[ProgressRecord, bool]:
    ok = _required(sheet, row, "一级标题", problems) & _required(sheet, row, "内容", problems)
    order, order_ok = _sort_key(sheet, row, problems)
    ok &= order_ok
    first = _heading(sheet, row, "一级标题", problems)
    second = _heading(sheet, row, "二级标题", problems)
    ok &= first is not None or is_blank(row.get("一级标题"))
    ok &= second is not None or is_blank(row.get("二级标题"))
    content = _text(sheet, row, "内容", problems)
    entry = ReportEntry(
        paragraphs=split_lines(content) or [content],
        lead_in=_text(sheet, row, "事项", problems) or None,
        responsible=_text(sheet, row, "责任单位", problems) or None,
        source=sheet.source(row),
    )
    return ProgressRecord(first or "", second, order, entry), ok


def _sort_key(
    sheet: LoadedSheet, row: SheetRow, problems: list[Problem]
) -> tuple[float | None, bool]:
    """The optional 排序 column: a number, or blank."""
    if is_blank(row.get("排序")):
        return None, True
    order = parse_number(row.get("排序"))
    if order is None:
        problems.append(
            error(
                sheet.location(row.number, "排序"),
                f"应为数字，如 1、2、3，或留空；现填的是{as_typed(row, '排序')}。",
            )
        )
    return order, order is not None


def note_row(sheet: LoadedSheet, row: SheetRow, problems: list[Problem]) -> tuple[TableNote, bool]:
    ok = _required(sheet, row, "对口地区", problems) & _required(sheet, row, "注", problems)
    region, note = _text(sheet, row, "对口地区", problems), _text(sheet, row, "注", problems)
    return TableNote(region, note, sheet.source(row)), ok


_NOT_SHOWN_WHEN_EXCLUDED = ("预计完成时间", "事项推进情况", "牵头领导", "牵头部门", "配合部门")


@functools.cache
def _plan_year(column: str) -> int | None:
    """The year of a 2024年计划 column; every row asks for the same few names."""
    match = contract.YEAR_PLAN.match(normalise_name(column))
    return int(match.group(1)) if match else None


def cooperation_row(
    sheet: LoadedSheet, row: SheetRow, problems: list[Problem], years: list[int] | None
) -> tuple[CooperationRecord, bool]:
    number = row.number
    ok = True
    for column in ("对口地区", "序号", "事项", "对口合作交流内容"):
        ok &= _required(sheet, row, column, problems)
    serial = None
    if not is_blank(row.get("序号")):
        serial = parse_int(row.get("序号"))
        if serial is None or serial < 1:
            problems.append(
                error(
                    sheet.location(number, "序号"),
                    f"「{as_text(row.get('序号'))}」不是有效的序号。应为正整数，如 1、2、3。",
                )
            )
            ok = False
    included, flag_ok = _yes_no(
        sheet, row, "是否纳入", problems, "应为 是 或 否（不填视为 是）。", default=True
    )
    ok &= flag_ok
    plans = {}
    for column, value in row.values.items():
        year = _plan_year(column) if isinstance(column, str) else None
        if year is not None and not is_blank(value):
            plans[year] = _text(sheet, row, column, problems)
    if included:
        ok &= _required(
            sheet,
            row,
            "牵头部门",
            problems,
            "纳入项目表的事项须填写，或在「是否纳入」填 否 并写明说明。",
        )
        if "牵头领导" in sheet.missing:
            problems.append(missing_column(sheet, "牵头领导", Level.NOTICE))
        elif is_blank(row.get("牵头领导")):
            # The seed leaves one blank in a signed-off table: the office decides.
            problems.append(
                notice(
                    sheet.location(number, "牵头领导"),
                    "纳入项目表的事项没有填写牵头领导，表中这一格将为空。如有牵头领导，请补填。",
                )
            )
        if not is_blank(row.get("说明")):
            problems.append(
                notice(
                    sheet.location(number, "说明"),
                    "「说明」只在不纳入（是否纳入 = 否）时印在表中；本行纳入，说明未使用。",
                )
            )
    else:
        ok &= _required(sheet, row, "说明", problems, "不纳入的事项须写明原因。")
        unused = [c for c in _NOT_SHOWN_WHEN_EXCLUDED if not is_blank(row.get(c))] + [
            f"{y}年计划" for y in plans
        ]
        for column in unused:
            problems.append(
                notice(
                    sheet.location(number, column),
                    "本行不纳入（是否纳入 = 否），表中只显示序号、事项、合作交流内容和说明；这一格的内容不会出现在表中。",
                )
            )
    if years is not None:
        plans = {y: t for y, t in plans.items() if y in years}
    order, order_ok = _sort_key(sheet, row, problems)
    ok &= order_ok
    table_row = CooperationRow(
        content=_text(sheet, row, "对口合作交流内容", problems),
        due=_text(sheet, row, "预计完成时间", problems),
        plans=plans,
        progress=_text(sheet, row, "事项推进情况", problems),
        lead_leader=_text(sheet, row, "牵头领导", problems),
        lead_department=_text(sheet, row, "牵头部门", problems),
        supporting=_text(sheet, row, "配合部门", problems),
        included=included,
        explanation=_text(sheet, row, "说明", problems),
        source=sheet.source(row),
    )
    region, name = _text(sheet, row, "对口地区", problems), _text(sheet, row, "事项", problems)
    return CooperationRecord(region, serial, name, order, table_row), ok


# ---------------------------------------------------------------- meeting material


def meeting_body_row(
    sheet: LoadedSheet, row: SheetRow, problems: list[Problem]
) -> tuple[MeetingParagraphs, bool]:
    ok = _required(sheet, row, "一级标题", problems) & _required(sheet, row, "内容", problems)
    title = _heading(sheet, row, "一级标题", problems)
    ok &= title is not None or is_blank(row.get("一级标题"))
    content = _text(sheet, row, "内容", problems)
    paragraphs = split_lines(content) or ([content] if content else [])
    return MeetingParagraphs(title or "", paragraphs, sheet.source(row)), ok


def region_remark_row(
    sheet: LoadedSheet, row: SheetRow, problems: list[Problem]
) -> tuple[RegionRemark, bool]:
    ok = _required(sheet, row, "对口地区", problems) & _required(sheet, row, "内容", problems)
    replaces, flag_ok = _yes_no(
        sheet,
        row,
        "替代生成段落",
        problems,
        "应为 是（只印这里的段落，不印根据数据生成的段落）或 否（接在生成的段落之后），不填视为 否。",
        default=False,
    )
    ok &= flag_ok
    content = _text(sheet, row, "内容", problems)
    paragraphs = split_lines(content) or ([content] if content else [])
    region = _text(sheet, row, "对口地区", problems)
    remark = RegionRemark(region, paragraphs, replaces, sheet.source(row))
    return remark, ok
