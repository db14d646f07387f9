"""Two periods from the example inputs: the next period's workbooks carried over from a run,
then edited the way departments update them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

from pipeline import init_from_run

NEW_PROGRESS = "2023年年内完成需求梳理；2024年3月已召开技术交流会，监测站已派员赴永安市指导。"
ADDED_ITEM = "水生态修复"
ADDED_CONTENT = "引进浦东河湖生态修复技术，共同开展重点河道生态修复。"
RENUMBERED_ITEM = '"双碳"方案'
REMOVED_ITEM = "生态环境损害赔偿"
PARAGRAPH_ADDITION = "截至12月，已完成全部街镇的人员配备。"


def header(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1] if cell.value}


def find_row(sheet, column: str, value: Any) -> int:
    index = header(sheet)[column]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=index).value == value:
            return row
    raise LookupError(f"{sheet.title} has no {column} = {value}")


def set_field(sheet, name: str, value: Any) -> None:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == name:
            sheet.cell(row=row, column=2).value = value
            return
    raise LookupError(name)


def edit(path: Path, change) -> None:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def next_period(run: Path, inputs: Path) -> dict[str, str]:
    """Carry `run` over into `inputs` and make the edits; returns the texts that changed."""
    init_from_run(run, inputs, office=True)
    found: dict[str, str] = {}

    def office(book) -> None:
        sheet = book["专报信息"]
        set_field(sheet, "日期", dt.datetime(2023, 12, 20))
        set_field(sheet, "专报日期", dt.datetime(2023, 12, 5))

    def progress(book) -> None:
        sheet = book["合作交流项目"]
        row = find_row(sheet, "事项", "加强生态环境保护")
        cell = sheet.cell(row=row, column=header(sheet)["事项推进情况"])
        found["old_progress"] = cell.value
        cell.value = NEW_PROGRESS
        row = find_row(sheet, "事项", RENUMBERED_ITEM)
        sheet.cell(row=row, column=header(sheet)["序号"]).value = 9

    def added(book) -> None:
        sheet = book["合作交流项目"]
        columns = header(sheet)
        row = sheet.max_row + 1
        for name, value in (
            ("对口地区", "大田县"),
            ("序号", 8),
            ("事项", ADDED_ITEM),
            ("对口合作交流内容", ADDED_CONTENT),
            ("2024年计划", "完成方案"),
            ("牵头领导", "刘贵平"),
            ("牵头部门", "水利处"),
        ):
            sheet.cell(row=row, column=columns[name]).value = value

    def removed(book) -> None:
        sheet = book["合作交流项目"]
        sheet.delete_rows(find_row(sheet, "事项", REMOVED_ITEM))

    def paragraph(book) -> None:
        sheet = book["工作进展"]
        cell = sheet.cell(row=2, column=header(sheet)["内容"])
        found["old_paragraph"] = cell.value
        cell.value = cell.value + PARAGRAPH_ADDITION
        found["new_paragraph"] = cell.value

    edit(inputs / "报告信息.xlsx", office)
    edit(inputs / "环保处.xlsx", progress)
    edit(inputs / "水利处.xlsx", added)
    edit(inputs / "督察处.xlsx", removed)
    edit(inputs / "区人社局.xlsx", paragraph)
    return found
