"""Rules for the key–value sheets 专报信息 and 项目表信息: fields, types, the plan period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .. import contract
from ..cells import (
    as_text,
    is_blank,
    normalise_name,
    parse_datetime,
    parse_int,
    split_lines,
    strip_heading_number,
)
from ..load import KEY, VALUE, LoadedSheet, SheetRow, Shown, near_names
from ..model import MeetingSettings, ReportSettings, Source, TableSettings
from ..problems import Location, Problem, error, notice

MAX_PLAN_YEARS = 10
DEFAULT_CLOSING = "特此报告。"
DEFAULT_MEETING_CLOSING = "以上汇报，请予审议。"
DEFAULT_PROGRESS_TITLE = "工作推进情况"


@dataclass
class FieldValues:
    """The fields of a key–value sheet that passed their rules, by the contract's field name."""

    sheet: LoadedSheet
    values: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # field → its Excel row

    def complete(self, spec: contract.KeyValueSheet) -> bool:
        return all(f.name in self.values for f in spec.fields if f.required)

    def source(self) -> Source:
        title = self.sheet.title if self.sheet.title != self.sheet.sheet else ""
        return Source(self.sheet.file, self.sheet.sheet, self.sheet.header_row, title)


def key_values(
    sheet: LoadedSheet, spec: contract.KeyValueSheet, problems: list[Problem]
) -> FieldValues:
    found = FieldValues(sheet)
    values, rows = found.values, found.rows
    unknown: dict[int, str] = {}  # row → a field name the contract does not know, compared
    written: dict[int, str] = {}  # and as typed
    for row in sheet.rows:
        key, value, number = normalise_name(row.get(KEY)), row.get(VALUE), row.number
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
            unknown[number], written[number] = key, as_text(row.get(KEY))
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
        shown = row.shown.get(VALUE)
        if field_spec.kind == "text" and shown is not None:
            # A text field shows a number or date cell as Excel does, in its number format.
            typed = shown.text
            if not shown.exact:
                problems.append(unreproduced_format(sheet.location(number, VALUE), shown))
        else:
            typed = typed_field(field_spec, value)
        if typed is None:
            example = field_spec.example or "2023-11-20"
            problems.append(
                error(
                    sheet.location(number, VALUE),
                    f"「{key}」{_KIND_HINT[field_spec.kind]}，如 {example}；"
                    f"现填的是{as_typed(row, VALUE)}。",
                )
            )
            continue
        values[key] = typed
    near = near_names(unknown, [f.name for f in spec.fields if f.name not in rows])
    for number, key in written.items():
        problems.append(_unknown_field(sheet, spec, number, key, near.get(number)))
    for field_spec in spec.fields:
        if (
            field_spec.required
            and field_spec.name not in rows
            and field_spec.name not in near.values()
        ):
            problems.append(
                error(
                    Location(sheet.file, sheet.title, column=field_spec.name),
                    f"缺少字段「{field_spec.name}」。请在 A 列添加一行「{field_spec.name}」，在 B 列填写内容，如：{field_spec.example}。",
                )
            )
    return found


def _unknown_field(
    sheet: LoadedSheet, spec: contract.KeyValueSheet, row: int, key: str, meant: str | None
) -> Problem:
    """A field name the contract does not know: a misspelling of a missing field names it."""
    where = sheet.location(row, KEY)
    if meant is None:
        return notice(
            where,
            f"「{key}」不是可识别的字段，未使用。字段名应为："
            + "、".join(f.name for f in spec.fields)
            + "。",
        )
    meant_spec = spec.field(meant)
    required = meant_spec is not None and meant_spec.required
    text = (
        f"缺少字段「{meant}」：「{key}」应为「{meant}」？这一行未使用。请把字段名改为「{meant}」。"
    )
    return error(where, text) if required else notice(where, text)


_KIND_HINT = {
    "int": "应为整数",
    "date": "应为日期",
    "datetime": "应为日期时间",
    "text": "应为文字",
}


QUOTED_LENGTH = 30  # a paragraph typed into a date cell is quoted by its beginning


def as_typed(row: SheetRow, column: str) -> str:
    """A cell's value quoted as the clerk sees it in Excel, for a message that says what is
    wrong with it: `「2023.13.45」`."""
    shown = row.shown.get(column)
    text = shown.text if shown is not None else as_text(row.get(column))
    if len(text) > QUOTED_LENGTH:
        text = text[:QUOTED_LENGTH] + "…"
    return f"「{text}」"


def typed_field(spec: contract.Field, value: Any) -> Any:
    if spec.kind == "int":
        return parse_int(value)
    if spec.kind == "date":
        parsed = plausible(parse_datetime(value))
        return parsed[0].date() if parsed else None
    return as_text(value)


def unreproduced_format(where: Location, shown: Shown) -> Problem:
    """The notice for a number format whose display could not be reproduced with certainty."""
    return notice(
        where,
        f"单元格的数字格式「{shown.code}」无法确定 Excel 中的显示，文档中写作「{shown.text}」。"
        "请核对；如需其他写法，请把单元格设为文本格式后照样输入。",
    )


def plausible(parsed: tuple[dt.datetime, bool] | None) -> tuple[dt.datetime, bool] | None:
    """A date in 1900–2999: 0023-11-20 is a typo, and Word cannot store its year."""
    return parsed if parsed and 1900 <= parsed[0].year <= 2999 else None


def check_period(fields: FieldValues, problems: list[Problem]) -> None:
    sheet, values = fields.sheet, fields.values
    start, end = values.get("起始年份"), values.get("结束年份")
    if start is None or end is None:
        return
    where = sheet.location(fields.rows.get("结束年份"), VALUE)
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
                sheet.location(fields.rows.get("起始年份"), VALUE),
                f"起始年份 {start} 不是合理的年份，如 2023。",
            )
        )


def plan_years(fields: FieldValues | None) -> list[int] | None:
    settings = fields.values if fields else {}
    if "起始年份" not in settings or "结束年份" not in settings:
        return None
    start, end = settings["起始年份"], settings["结束年份"]
    if end < start or end - start + 1 > MAX_PLAN_YEARS:
        return None
    return list(range(start, end + 1))


def report_settings(fields: FieldValues) -> ReportSettings | None:
    """The 专报信息 fields as the report's settings, defaults filled; None while incomplete."""
    if not fields.complete(contract.REPORT_SETTINGS_SHEET):
        return None
    values = fields.values
    issue = str(values["期号"])
    return ReportSettings(
        issue_number=issue,
        publisher=values["编发单位"],
        date=values["日期"],
        recipients=values["报送"],
        title=values["标题"],
        lead=split_lines(values["导语"]) or [values["导语"]],
        closing=values.get("结束语", DEFAULT_CLOSING),
        signatory=values["落款"],
        contact_person=values.get("联系人"),
        contact_phone=values.get("联系电话"),
        submitting_department=values["专报部门"],
        submitter=values["专报人"],
        submission_date=values["专报日期"],
        document_number=values.get("文号", issue),
        form_title=values.get("拟文稿标题", values["标题"]),
        source=fields.source(),
    )


def table_settings(fields: FieldValues) -> TableSettings | None:
    """The 项目表信息 fields as the tables' settings; None while incomplete or the period wrong."""
    if not fields.complete(contract.TABLE_SETTINGS_SHEET) or plan_years(fields) is None:
        return None
    values = fields.values
    return TableSettings(
        compiler=values["编制单位"],
        domain=values["领域"],
        start_year=values["起始年份"],
        end_year=values["结束年份"],
        source=fields.source(),
    )


def meeting_settings(fields: FieldValues) -> MeetingSettings | None:
    """The 会议材料 fields, defaults filled; None while incomplete."""
    if not fields.complete(contract.MEETING_SHEET):
        return None
    values = fields.values
    lead = values.get("导语", "")
    progress_title, _ = strip_heading_number(values.get("进展标题", DEFAULT_PROGRESS_TITLE))
    return MeetingSettings(
        meeting=values["会议名称"],
        number=values.get("材料序号"),
        title=values["标题"],
        reporter=values["汇报单位"],
        lead=split_lines(lead),
        progress_title=progress_title.strip() or DEFAULT_PROGRESS_TITLE,
        closing=values.get("结束语", DEFAULT_MEETING_CLOSING),
        source=fields.source(),
    )
