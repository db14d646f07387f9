"""Validate: every rule of the input contract, all problems collected in one pass.

The output keeps the rows as frames (one per sheet, all workbooks concatenated) with typed
values, so that merge can assemble the documents without checking anything again.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import contract
from ._cells import (
    normalise_name,
)
from ._row_rules import (
    approval_row,
    cooperation_row,
    note_row,
    outline_row,
    progress_row,
    unique_outline,
)
from ._settings_rules import check_period, key_values, plan_years
from .errors import Location, Problem, error, notice
from .load import ROW_COLUMN, LoadedInputs, SheetFrame, frame_records

FILE_COLUMN = "_file"
ORDER_COLUMN = "_order"  # the workbook's position in file-name order


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
        result.report_settings = key_values(settings[0], contract.REPORT_SETTINGS_SHEET, problems)
    settings = loaded.frames(contract.TABLE_SETTINGS)[:1]
    if settings:
        result.table_settings = key_values(settings[0], contract.TABLE_SETTINGS_SHEET, problems)
        check_period(settings[0], result.table_settings, problems)

    outline = _typed_rows(loaded.frames(contract.OUTLINE)[:1], order, outline_row, problems)
    result.rows[contract.OUTLINE] = unique_outline(outline, loaded, problems)
    result.rows[contract.APPROVAL] = _typed_rows(
        loaded.frames(contract.APPROVAL), order, approval_row, problems
    )
    result.rows[contract.PROGRESS] = _typed_rows(
        loaded.frames(contract.PROGRESS), order, progress_row, problems
    )
    years = plan_years(result.table_settings)
    result.rows[contract.COOPERATION] = _typed_rows(
        loaded.frames(contract.COOPERATION),
        order,
        lambda s, r, p: cooperation_row(s, r, p, years),
        problems,
    )
    result.rows[contract.TABLE_NOTES] = _typed_rows(
        loaded.frames(contract.TABLE_NOTES), order, note_row, problems
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


def _typed_rows(
    frames: list[SheetFrame], order: dict[str, int], typer, problems: list[Problem]
) -> pd.DataFrame:
    """Run a per-row typer over every frame. Rows with errors stay (flag `_ok` False) so that
    cross-sheet rules still check their other cells; `_usable` drops them before merging."""
    records = []
    for sheet in frames:
        for row in frame_records(sheet.frame):
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
    for row in frame_records(outline):
        title, sub = row["一级标题"], row["二级标题"]
        entry = tree.setdefault(normalise_name(title), (title, {}, False))
        if sub:
            entry[1][normalise_name(sub)] = sub
        else:
            tree[normalise_name(title)] = (entry[0], entry[1], True)
    keep = []
    for row in frame_records(progress):
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
    for row in frame_records(rows.sort_values([ORDER_COLUMN, ROW_COLUMN])):
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
    for row in frame_records(result.rows[contract.TABLE_NOTES]):
        if normalise_name(row["对口地区"]) not in regions:
            problems.append(
                notice(
                    row["_sheet"].location(row[ROW_COLUMN], "对口地区"),
                    f"对口地区「{row['对口地区']}」没有任何合作交流项目，这条注不会出现在任何项目表中。",
                )
            )
