"""Validate: every rule of the input contract, all problems collected in one pass.

The output keeps the rows as frames (one per sheet, all workbooks concatenated) with typed
values, so that merge can assemble the documents without checking anything again.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
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
from .errors import Location, Problem, error, notice
from .load import KEY, ROW_COLUMN, VALUE, LoadedInputs, SheetFrame
from .model import APPROVAL_STEPS

FILE_COLUMN = "_file"
ORDER_COLUMN = "_order"  # the workbook's position in file-name order
MAX_PLAN_YEARS = 10
MAX_HEADINGS = 999  # the generated Chinese numbering goes up to 九百九十九


@dataclass
class ValidatedInputs:
    """Typed settings and rows, ready to merge. Settings map field → value."""

    report_settings: dict[str, Any] | None = None
    table_settings: dict[str, Any] | None = None
    rows: dict[str, pd.DataFrame] = field(default_factory=dict)  # sheet → typed rows
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


def validate(loaded: LoadedInputs) -> ValidatedInputs:
    result = ValidatedInputs(problems=list(loaded.problems))
    problems = result.problems
    order = {path.name: i for i, path in enumerate(loaded.workbooks)}
    for sheet in contract.SINGLE_SHEETS:
        _only_one(loaded.frames(sheet), problems)

    settings = loaded.frames(contract.REPORT_SETTINGS)[:1]
    if settings:
        result.report_settings = _key_values(settings[0], contract.REPORT_SETTINGS_SHEET, problems)
    settings = loaded.frames(contract.TABLE_SETTINGS)[:1]
    if settings:
        result.table_settings = _key_values(settings[0], contract.TABLE_SETTINGS_SHEET, problems)
        _check_period(settings[0], result.table_settings, problems)

    outline = _typed_rows(loaded.frames(contract.OUTLINE)[:1], order, _outline_row, problems)
    result.rows[contract.OUTLINE] = _unique_outline(outline, loaded, problems)
    result.rows[contract.APPROVAL] = _typed_rows(
        loaded.frames(contract.APPROVAL), order, _approval_row, problems
    )
    result.rows[contract.PROGRESS] = _typed_rows(
        loaded.frames(contract.PROGRESS), order, _progress_row, problems
    )
    years = _plan_years(result.table_settings)
    result.rows[contract.COOPERATION] = _typed_rows(
        loaded.frames(contract.COOPERATION),
        order,
        lambda s, r, p: _cooperation_row(s, r, p, years),
        problems,
    )
    result.rows[contract.TABLE_NOTES] = _typed_rows(
        loaded.frames(contract.TABLE_NOTES), order, _note_row, problems
    )

    _check_headings(loaded, result, problems)
    _check_items_agree(result.rows[contract.COOPERATION], problems)
    _check_year_columns(loaded, years, problems)
    _check_documents_wanted(loaded, result, problems)
    for sheet, rows in result.rows.items():
        if not rows.empty:
            result.rows[sheet] = rows[rows["_ok"].astype(bool)].reset_index(drop=True)
    return result


# ---------------------------------------------------------------- helpers


def _only_one(frames: list[SheetFrame], problems: list[Problem]) -> None:
    for extra in frames[1:]:
        problems.append(
            error(
                Location(extra.file, extra.title),
                f"工作表「{extra.sheet}」只能有一份，{frames[0].file} 中已经有了。请删除其中一份。",
            )
        )


def _required(
    sheet: SheetFrame, row: dict, column: str, problems: list[Problem], what: str = ""
) -> bool:
    if is_blank(row.get(column)):
        problems.append(error(sheet.location(row[ROW_COLUMN], column), f"必填，不能为空。{what}"))
        return False
    return True


def _text(value: Any) -> str:
    return "" if is_blank(value) else as_text(value)


def _typed_rows(
    frames: list[SheetFrame], order: dict[str, int], typer, problems: list[Problem]
) -> pd.DataFrame:
    """Run a per-row typer over every frame. Rows with errors stay (flag `_ok` False) so that
    cross-sheet rules still check their other cells; `_usable` drops them before merging."""
    records = []
    for sheet in frames:
        for row in sheet.frame.to_dict("records"):
            typed = typer(sheet, row, problems)
            if typed is not None:
                typed.setdefault("_ok", True)
                typed.update(
                    {
                        FILE_COLUMN: sheet.file,
                        ORDER_COLUMN: order.get(sheet.file, 0),
                        ROW_COLUMN: row[ROW_COLUMN],
                        "_sheet": sheet,
                    }
                )
                records.append(typed)
    return pd.DataFrame(records, dtype=object)


# ---------------------------------------------------------------- settings


def _key_values(
    sheet: SheetFrame, spec: contract.KeyValueSheet, problems: list[Problem]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for row in sheet.frame.to_dict("records"):
        key, value, number = normalise_name(row[KEY]), row[VALUE], row[ROW_COLUMN]
        if not key:
            if not is_blank(value):
                problems.append(
                    error(
                        sheet.location(number, KEY),
                        "这一行有内容但没有字段名。请在 A 列填写字段名，或删除这一行。",
                    )
                )
            continue
        field_spec = spec.field(key)
        if field_spec is None:
            problems.append(
                notice(
                    sheet.location(number, KEY),
                    f"「{row[KEY]}」不是可识别的字段，未使用。字段名应为："
                    + "、".join(f.name for f in spec.fields)
                    + "。",
                )
            )
            continue
        if key in rows:
            problems.append(
                error(
                    sheet.location(number, KEY),
                    f"字段「{key}」重复（第一次在第 {rows[key]} 行）。请只保留一行。",
                )
            )
            continue
        rows[key] = number
        if is_blank(value):
            if field_spec.required:
                problems.append(
                    error(
                        sheet.location(number, VALUE),
                        f"「{key}」必填，不能为空，如：{field_spec.example}。",
                    )
                )
            continue
        typed = _typed_field(field_spec, value)
        if typed is None:
            example = field_spec.example or "2023-11-20"
            problems.append(
                error(
                    sheet.location(number, VALUE),
                    f"「{key}」{_KIND_HINT[field_spec.kind]}，如 {example}。",
                )
            )
            continue
        values[key] = typed
    for field_spec in spec.fields:
        if field_spec.required and field_spec.name not in rows:
            problems.append(
                error(
                    Location(sheet.file, sheet.title, column=field_spec.name),
                    f"缺少字段「{field_spec.name}」。请在 A 列添加一行「{field_spec.name}」，在 B 列填写内容，如：{field_spec.example}。",
                )
            )
    values["_sheet"] = sheet
    values["_rows"] = rows
    return values


_KIND_HINT = {
    "int": "应为整数",
    "date": "应为日期（如 2023-11-20、2023/11/20、2023年11月20日）",
    "datetime": "应为日期时间",
    "text": "应为文字",
}


def _typed_field(spec: contract.Field, value: Any) -> Any:
    if spec.kind == "int":
        return parse_int(value)
    if spec.kind == "date":
        parsed = _plausible(parse_datetime(value))
        return parsed[0].date() if parsed else None
    return as_text(value)


def _plausible(parsed: tuple[dt.datetime, bool] | None) -> tuple[dt.datetime, bool] | None:
    """A date in 1900–2999: 0023-11-20 is a typo, and Word cannot store its year."""
    return parsed if parsed and 1900 <= parsed[0].year <= 2999 else None


def _check_period(sheet: SheetFrame, values: dict[str, Any], problems: list[Problem]) -> None:
    start, end = values.get("起始年份"), values.get("结束年份")
    if start is None or end is None:
        return
    where = sheet.location(values["_rows"].get("结束年份"), VALUE)
    if end < start:
        problems.append(error(where, f"结束年份 {end} 早于起始年份 {start}。请改正。"))
    elif end - start + 1 > MAX_PLAN_YEARS:
        problems.append(
            error(
                where, f"计划期 {start}-{end} 超过 {MAX_PLAN_YEARS} 年，表格无法排版。请检查年份。"
            )
        )
    elif not 1900 <= start <= 2999:
        problems.append(
            error(
                sheet.location(values["_rows"].get("起始年份"), VALUE),
                f"起始年份 {start} 不是合理的年份，如 2023。",
            )
        )


def _plan_years(settings: dict[str, Any] | None) -> list[int] | None:
    if not settings or "起始年份" not in settings or "结束年份" not in settings:
        return None
    start, end = settings["起始年份"], settings["结束年份"]
    if end < start or end - start + 1 > MAX_PLAN_YEARS:
        return None
    return list(range(start, end + 1))


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


def _outline_row(sheet: SheetFrame, row: dict, problems: list[Problem]) -> dict | None:
    if not _required(sheet, row, "一级标题", problems):
        return None  # nothing to check or merge without the heading
    first = _heading(sheet, row, "一级标题", problems)
    second = _heading(sheet, row, "二级标题", problems)
    if first is None or (second is None and not is_blank(row.get("二级标题"))):
        return None
    return {"一级标题": first, "二级标题": second}


def _unique_outline(
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
    for row in outline.to_dict("records"):
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


def _approval_row(sheet: SheetFrame, row: dict, problems: list[Problem]) -> dict | None:
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
        signed = _plausible(parse_datetime(row["签署时间"]))
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


def _progress_row(sheet: SheetFrame, row: dict, problems: list[Problem]) -> dict | None:
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


def _note_row(sheet: SheetFrame, row: dict, problems: list[Problem]) -> dict | None:
    ok = _required(sheet, row, "对口地区", problems) & _required(sheet, row, "注", problems)
    return {"对口地区": _text(row.get("对口地区")), "注": _text(row.get("注")), "_ok": ok}


_NOT_SHOWN_WHEN_EXCLUDED = ("预计完成时间", "事项推进情况", "牵头领导", "牵头部门", "配合部门")


def _cooperation_row(
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
        match = (
            contract.YEAR_PLAN.match(normalise_name(column)) if isinstance(column, str) else None
        )
        if match and not is_blank(value):
            plans[int(match.group(1))] = as_text(value)
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


# ---------------------------------------------------------------- cross-sheet rules


def _check_headings(loaded: LoadedInputs, result: ValidatedInputs, problems: list[Problem]) -> None:
    """Every 工作进展 row must sit under a heading of the outline; suggest the closest ones."""
    outline, progress = result.rows[contract.OUTLINE], result.rows[contract.PROGRESS]
    if progress.empty:
        return
    if outline.empty:
        first = loaded.frames(contract.PROGRESS)[0]
        problems.append(
            error(
                Location(first.file, first.title),
                "有工作进展，但没有找到提纲（工作表「提纲」）。请在办公室的 报告信息.xlsx 中填写提纲。",
            )
        )
        return
    tree: dict[
        str, tuple[str, dict[str, str], bool]
    ] = {}  # key → (title, sub key → title, has direct content)
    for row in outline.to_dict("records"):
        title, sub = row["一级标题"], row["二级标题"]
        entry = tree.setdefault(normalise_name(title), (title, {}, False))
        if sub:
            entry[1][normalise_name(sub)] = sub
        else:
            tree[normalise_name(title)] = (entry[0], entry[1], True)
    keep = []
    for row in progress.to_dict("records"):
        sheet, number = row["_sheet"], row[ROW_COLUMN]
        if row["一级标题"] is None:
            keep.append(False)
            continue
        first = tree.get(normalise_name(row["一级标题"]))
        if first is None:
            problems.append(
                error(
                    sheet.location(number, "一级标题"),
                    f"「{row['一级标题']}」不在提纲中。{_closest(row['一级标题'], [t for t, _, _ in tree.values()])}",
                )
            )
            keep.append(False)
            continue
        title, subs, direct = first
        sub = row["二级标题"]
        if sub is None:
            if subs and not direct:
                problems.append(
                    error(
                        sheet.location(number, "二级标题"),
                        f"提纲中「{title}」下有二级标题，必须填写。应为："
                        + "、".join(subs.values())
                        + "。",
                    )
                )
                keep.append(False)
                continue
        elif normalise_name(sub) not in subs:
            candidates = list(subs.values())
            hint = (
                _closest(sub, candidates)
                if candidates
                else f"提纲中「{title}」下没有二级标题，请留空。"
            )
            problems.append(
                error(
                    sheet.location(number, "二级标题"), f"「{sub}」不在提纲「{title}」之下。{hint}"
                )
            )
            keep.append(False)
            continue
        keep.append(True)
    result.rows[contract.PROGRESS] = progress.assign(
        _ok=progress["_ok"] & pd.Series(keep, index=progress.index)
    )


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


def _check_items_agree(rows: pd.DataFrame, problems: list[Problem]) -> None:
    """Rows sharing 对口地区 + 序号 are one item, across workbooks too: they must agree on 事项."""
    if rows.empty:
        return
    first_seen: dict[tuple[str, int], dict] = {}
    for row in rows.sort_values([ORDER_COLUMN, ROW_COLUMN]).to_dict("records"):
        if row["序号"] is None or not row["事项"] or not row["对口地区"]:
            continue
        key = (normalise_name(row["对口地区"]), row["序号"])
        first = first_seen.setdefault(key, row)
        if normalise_name(first["事项"]) != normalise_name(row["事项"]):
            there = first["_sheet"].location(first[ROW_COLUMN], "事项")
            problems.append(
                error(
                    row["_sheet"].location(row[ROW_COLUMN], "事项"),
                    f"{row['对口地区']} 序号 {row['序号']} 的事项为「{row['事项']}」，与 {there.describe()} 的「{first['事项']}」不一致。同一序号的各行是同一事项，请统一事项名称或改用其他序号。",
                )
            )


def _check_year_columns(
    loaded: LoadedInputs, years: list[int] | None, problems: list[Problem]
) -> None:
    for sheet in loaded.frames(contract.COOPERATION):
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
    loaded: LoadedInputs, result: ValidatedInputs, problems: list[Problem]
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
    if not result.rows[contract.COOPERATION].empty and contract.TABLE_SETTINGS not in present:
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
    regions = {normalise_name(r) for r in result.rows[contract.COOPERATION].get("对口地区", [])}
    for row in result.rows[contract.TABLE_NOTES].to_dict("records"):
        if normalise_name(row["对口地区"]) not in regions:
            problems.append(
                notice(
                    row["_sheet"].location(row[ROW_COLUMN], "对口地区"),
                    f"对口地区「{row['对口地区']}」没有任何合作交流项目，这条注不会出现在任何项目表中。",
                )
            )
