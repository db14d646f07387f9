"""Small workbooks for tests, written with openpyxl the way departments fill them in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

Rows = list[list[Any]]

REPORT_SETTINGS: Rows = [
    ["字段", "内容"],
    ["期号", 95],
    ["编发单位", "浦东新区生态环境局"],
    ["日期", dt.datetime(2023, 11, 20)],
    ["报送", "芝松、兆亮、桂平同志"],
    ["标题", "关于推进现代环境治理体系建设情况的报告"],
    ["导语", "第一段导语。\n第二段导语。"],
    ["落款", "浦东新区生态环境局"],
    ["联系人", "张晓伟"],
    ["联系电话", 18116080172],
    ["专报部门", "生态环境督察处"],
    ["专报人", "周杰"],
    ["专报日期", "2023-11-03"],
]

OUTLINE: Rows = [
    ["一级标题", "二级标题"],
    ["提炼建言明确分工", "提炼委员建言"],
    ["提炼建言明确分工", "召开专题会议"],
    ["下一步工作安排", None],
]

TABLE_SETTINGS: Rows = [
    ["字段", "内容"],
    ["编制单位", "浦东新区生态环境局"],
    ["领域", "生态环境领域"],
    ["起始年份", 2023],
    ["结束年份", 2025],
]

COOPERATION_HEADER = [
    "对口地区",
    "序号",
    "事项",
    "对口合作交流内容",
    "预计完成时间",
    "2023年计划",
    "2024年计划",
    "2025年计划",
    "事项推进情况",
    "牵头领导",
    "牵头部门",
    "配合部门",
    "是否纳入",
    "说明",
]


def cooperation_row(
    region="永安市", serial=1, item="加强生态环境保护", content="技术交流", **extra
) -> list:
    values = {
        "对口地区": region,
        "序号": serial,
        "事项": item,
        "对口合作交流内容": content,
        "牵头领导": "沈敏",
        "牵头部门": "环保处",
        **extra,
    }
    return [values.get(name) for name in COOPERATION_HEADER]


def write_workbook(path: Path, sheets: dict[str, Rows], *, hidden: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def office_workbook(folder: Path, **overrides: Rows) -> Path:
    sheets = {"专报信息": REPORT_SETTINGS, "提纲": OUTLINE, "项目表信息": TABLE_SETTINGS}
    sheets.update(overrides)
    return write_workbook(
        folder / "报告信息.xlsx", {k: v for k, v in sheets.items() if v is not None}
    )


def progress_workbook(folder: Path, name: str, rows: Rows) -> Path:
    header = ["一级标题", "二级标题", "事项", "内容", "责任单位", "排序"]
    return write_workbook(folder / f"{name}.xlsx", {"工作进展": [header, *rows]})


def cooperation_workbook(folder: Path, name: str, rows: Rows, header: list | None = None) -> Path:
    return write_workbook(
        folder / f"{name}.xlsx", {"合作交流项目": [header or COOPERATION_HEADER, *rows]}
    )


def valid_inputs(folder: Path) -> Path:
    """The smallest inputs that give both a report and one table."""
    office_workbook(folder)
    progress_workbook(
        folder,
        "区人社局",
        [
            ["提炼建言明确分工", "提炼委员建言", None, "区政协提炼为26条委员建言。", "区政协", 1],
            ["提炼建言明确分工", "召开专题会议", "会议", "10月13日召开专题会。", None, None],
            ["下一步工作安排", None, None, "一是研究制定清单。二是完善跟踪调度。", None, None],
        ],
    )
    cooperation_workbook(folder, "环保处", [cooperation_row()])
    return folder


# ------------------------------------------------------------------ each sheet of the contract

# A value that passes the rules for every column of every row sheet of the contract.
SAMPLE_VALUES: dict[str, dict[str, Any]] = {
    "提纲": {"一级标题": "提炼建言明确分工", "二级标题": "提炼委员建言"},
    "拟文稿": {
        "环节": "拟稿",
        "意见": "已核。",
        "签署人": "徐小花",
        "签署时间": "2023/11/3 16:01:14",
    },
    "项目表注": {"对口地区": "永安市", "注": "资金由区财政安排。"},
    "工作进展": {
        "一级标题": "提炼建言明确分工",
        "二级标题": "提炼委员建言",
        "事项": "建言",
        "内容": "区政协提炼为26条委员建言。",
        "责任单位": "区政协",
        "排序": 1,
    },
    "合作交流项目": {**dict(zip(COOPERATION_HEADER, cooperation_row(), strict=True)), "排序": 1},
    "汇报正文": {"一级标题": "工作背景", "内容": "按照区委部署开展合作交流。"},
    "地区说明": {"对口地区": "永安市", "内容": "永安市的合作交流进展顺利。", "替代生成段落": "否"},
    "报送单位": {
        "部门": "环保处",
        "报送内容": "全部",
        "联系人": "张晓伟",
        "联系电话": "18116080172",
    },
}


def sample_sheet(
    sheet: str,
    *,
    drop: tuple[str, ...] = (),
    rename: dict[str, str] | None = None,
    rows: int = 2,
    **values: Any,
) -> Rows:
    """A title row, then the header of `sheet` (row 2) without the columns in `drop` and with
    those in `rename` written otherwise, then `rows` rows of sample values (`values` override)."""
    sample = {**SAMPLE_VALUES[sheet], **values}
    names = [name for name in sample if name not in drop]
    header = [(rename or {}).get(name, name) for name in names]
    body = [[sample[name] for name in names] for _ in range(rows)]
    return [[f"{sheet}（报送表）"], header, *body]


def sample_file(sheet: str) -> str:
    """The workbook a sheet belongs in: a department's, or the office's."""
    return "环保处.xlsx" if sheet in ("工作进展", "合作交流项目") else "报告信息.xlsx"
