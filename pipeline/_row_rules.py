"""Per-row rules of the row sheets: each typer checks one row and returns it typed.

A typer always returns its record (with `_ok` False when a cell is wrong) so that the
cross-sheet rules in `validate` still see the row's other cells.
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from . import contract
from ._cells import (
    as_text,
    is_blank,
    normalise_name,
    parse_datetime,
    parse_int,
    parse_number,
    strip_heading_number,
)
from ._settings_rules import plausible
from .errors import Problem, error, notice
from .load import ROW_COLUMN, LoadedInputs, SheetFrame, frame_records
from .model import APPROVAL_STEPS

MAX_HEADINGS = 999  # the generated Chinese numbering goes up to 九百九十九


def _required(
    sheet: SheetFrame, row: dict, column: str, problems: list[Problem], what: str = ""
) -> bool:
    if is_blank(row.get(column)):
        problems.append(error(sheet.location(row[ROW_COLUMN], column), f"必填，不能为空。{what}"))
        return False
    return True


def _text(value: Any) -> str:
    return "" if is_blank(value) else as_text(value)


# ---------------------------------------------------------------- row sheets


def _heading(sheet: SheetFrame, row: dict, column: str, problems: list[Problem]) -> str | None:
    value = row.get(column)
    if is_blank(value):
        return None
    text, stripped = strip_heading_number(as_text(value))
    if not text.strip():
        problems.append(
            error(
                sheet.location(row[ROW_COLUMN], column),
                f"标题「{as_text(value)}」只有编号，没有文字（编号由系统生成）。请填写标题文字。",
            )
        )
        return None
    if stripped:
        problems.append(
            notice(
                sheet.location(row[ROW_COLUMN], column),
                f"已去掉标题前的编号（编号由系统生成），使用「{text}」。",
            )
        )
    return text


def outline_row(sheet: SheetFrame, row: dict, problems: list[Problem]) -> dict | None:
    if not _required(sheet, row, "一级标题", problems):
        return None  # nothing to check or merge without the heading
    first = _heading(sheet, row, "一级标题", problems)
    second = _heading(sheet, row, "二级标题", problems)
    if first is None or (second is None and not is_blank(row.get("二级标题"))):
        return None
    return {"一级标题": first, "二级标题": second}


def unique_outline(
    outline: pd.DataFrame, loaded: LoadedInputs, problems: list[Problem]
) -> pd.DataFrame:
    if outline.empty:
        return outline
    keys = outline.apply(
        lambda r: (normalise_name(r["一级标题"]), normalise_name(r["二级标题"])), axis=1
    )
    duplicated = keys.duplicated()
    for _, row in outline[duplicated].iterrows():
        problems.append(
            error(
                row["_sheet"].location(row[ROW_COLUMN], "一级标题"),
                "提纲中这一标题重复出现。请删除重复的一行。",
            )
        )
    outline = outline[~duplicated].reset_index(drop=True)
    _check_heading_counts(outline, problems)
    return outline


def _check_heading_counts(outline: pd.DataFrame, problems: list[Problem]) -> None:
    """Headings are numbered 一、 to 九百九十九、 and （一） to （九百九十九）; say so beyond."""
    firsts: dict[str, int] = {}
    seconds: dict[str, int] = {}
    for row in frame_records(outline):
        first = normalise_name(row["一级标题"])
        if first not in firsts:
            firsts[first] = 0
            if len(firsts) == MAX_HEADINGS + 1:
                problems.append(
                    error(
                        row["_sheet"].location(row[ROW_COLUMN], "一级标题"),
                        f"提纲最多 {MAX_HEADINGS} 个一级标题，这是第 {MAX_HEADINGS + 1} 个。请合并或删除多余的标题。",
                    )
                )
        if row["二级标题"]:
            seconds[first] = seconds.get(first, 0) + 1
            if seconds[first] == MAX_HEADINGS + 1:
                problems.append(
                    error(
                        row["_sheet"].location(row[ROW_COLUMN], "二级标题"),
                        f"一个一级标题下最多 {MAX_HEADINGS} 个二级标题，这是第 {MAX_HEADINGS + 1} 个。请合并或删除多余的标题。",
                    )
                )


def approval_row(sheet: SheetFrame, row: dict, problems: list[Problem]) -> dict | None:
    ok = _required(sheet, row, "环节", problems) & _required(sheet, row, "意见", problems)
    step = normalise_name(row.get("环节"))
    if ok and step not in APPROVAL_STEPS:
        problems.append(
            error(
                sheet.location(row[ROW_COLUMN], "环节"),
                f"「{row['环节']}」不是拟文稿的环节。环节应为：" + "、".join(APPROVAL_STEPS) + "。",
            )
        )
        ok = False
    signed = None
    if not is_blank(row.get("签署时间")):
        signed = plausible(parse_datetime(row["签署时间"]))
        if signed is None:
            problems.append(
                error(
                    sheet.location(row[ROW_COLUMN], "签署时间"),
                    "应为日期时间，如 2023/11/3 16:01:14 或 2023-11-03。",
                )
            )
            ok = False
    return {
        "环节": step,
        "意见": _text(row.get("意见")),
        "签署人": _text(row.get("签署人")) or None,
        "签署时间": signed,
        "_ok": ok,
    }


def progress_row(sheet: SheetFrame, row: dict, problems: list[Problem]) -> dict | None:
    ok = _required(sheet, row, "一级标题", problems) & _required(sheet, row, "内容", problems)
    order, order_ok = _sort_key(sheet, row, problems)
    ok &= order_ok
    first = _heading(sheet, row, "一级标题", problems)
    second = _heading(sheet, row, "二级标题", problems)
    ok &= first is not None or is_blank(row.get("一级标题"))
    ok &= second is not None or is_blank(row.get("二级标题"))
    return {
        "一级标题": first,
        "二级标题": second,
        "事项": _text(row.get("事项")) or None,
        "内容": _text(row.get("内容")),
        "责任单位": _text(row.get("责任单位")) or None,
        "排序": order,
        "_ok": ok,
    }


def _sort_key(sheet: SheetFrame, row: dict, problems: list[Problem]) -> tuple[float | None, bool]:
    """The optional 排序 column: a number, or blank."""
    if is_blank(row.get("排序")):
        return None, True
    order = parse_number(row["排序"])
    if order is None:
        problems.append(
            error(sheet.location(row[ROW_COLUMN], "排序"), "应为数字，如 1、2、3，或留空。")
        )
    return order, order is not None


def note_row(sheet: SheetFrame, row: dict, problems: list[Problem]) -> dict | None:
    ok = _required(sheet, row, "对口地区", problems) & _required(sheet, row, "注", problems)
    return {"对口地区": _text(row.get("对口地区")), "注": _text(row.get("注")), "_ok": ok}


_NOT_SHOWN_WHEN_EXCLUDED = ("预计完成时间", "事项推进情况", "牵头领导", "牵头部门", "配合部门")


@functools.cache
def _plan_year(column: str) -> int | None:
    """The year of a 2024年计划 column; every row asks for the same few names."""
    match = contract.YEAR_PLAN.match(normalise_name(column))
    return int(match.group(1)) if match else None


def cooperation_row(
    sheet: SheetFrame, row: dict, problems: list[Problem], years: list[int] | None
) -> dict | None:
    number = row[ROW_COLUMN]
    ok = True
    for column in ("对口地区", "序号", "事项", "对口合作交流内容"):
        ok &= _required(sheet, row, column, problems)
    serial = None
    if not is_blank(row.get("序号")):
        serial = parse_int(row["序号"])
        if serial is None or serial < 1:
            problems.append(
                error(
                    sheet.location(number, "序号"),
                    f"「{as_text(row['序号'])}」不是有效的序号。应为正整数，如 1、2、3。",
                )
            )
            ok = False
    included = True
    flag = row.get("是否纳入")
    if not is_blank(flag):
        text = normalise_name(flag)
        if text in contract.INCLUDED_NO:
            included = False
        elif text not in contract.INCLUDED_YES:
            problems.append(
                error(
                    sheet.location(number, "是否纳入"),
                    f"「{as_text(flag)}」无法识别。应为 是 或 否（不填视为 是）。",
                )
            )
            ok = False
    plans = {}
    for column, value in row.items():
        year = _plan_year(column) if isinstance(column, str) else None
        if year is not None and not is_blank(value):
            plans[year] = as_text(value)
    if included:
        for column in ("牵头领导", "牵头部门"):
            ok &= _required(
                sheet,
                row,
                column,
                problems,
                "纳入项目表的事项须填写，或在「是否纳入」填 否 并写明说明。",
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
    return {
        "_ok": ok,
        "对口地区": _text(row.get("对口地区")),
        "序号": serial,
        "事项": _text(row.get("事项")),
        "对口合作交流内容": _text(row.get("对口合作交流内容")),
        "预计完成时间": _text(row.get("预计完成时间")),
        "计划": plans,
        "事项推进情况": _text(row.get("事项推进情况")),
        "牵头领导": _text(row.get("牵头领导")),
        "牵头部门": _text(row.get("牵头部门")),
        "配合部门": _text(row.get("配合部门")),
        "是否纳入": included,
        "说明": _text(row.get("说明")),
        "排序": order,
    }
