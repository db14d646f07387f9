"""Rules for the key–value sheets 专报信息 and 项目表信息: fields, types, the plan period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import contract
from ._cells import (
    as_text,
    is_blank,
    normalise_name,
    parse_datetime,
    parse_int,
)
from .errors import Location, Problem, error, notice
from .load import KEY, ROW_COLUMN, VALUE, SheetFrame, frame_records

MAX_PLAN_YEARS = 10

# ---------------------------------------------------------------- settings


def key_values(
    sheet: SheetFrame, spec: contract.KeyValueSheet, problems: list[Problem]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for row in frame_records(sheet.frame):
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
        typed = typed_field(field_spec, value)
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


def typed_field(spec: contract.Field, value: Any) -> Any:
    if spec.kind == "int":
        return parse_int(value)
    if spec.kind == "date":
        parsed = plausible(parse_datetime(value))
        return parsed[0].date() if parsed else None
    return as_text(value)


def plausible(parsed: tuple[dt.datetime, bool] | None) -> tuple[dt.datetime, bool] | None:
    """A date in 1900–2999: 0023-11-20 is a typo, and Word cannot store its year."""
    return parsed if parsed and 1900 <= parsed[0].year <= 2999 else None


def check_period(sheet: SheetFrame, values: dict[str, Any], problems: list[Problem]) -> None:
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


def plan_years(settings: dict[str, Any] | None) -> list[int] | None:
    if not settings or "起始年份" not in settings or "结束年份" not in settings:
        return None
    start, end = settings["起始年份"], settings["结束年份"]
    if end < start or end - start + 1 > MAX_PLAN_YEARS:
        return None
    return list(range(start, end + 1))
