"""Synthetic inputs under the input contract, of any size, for the benchmark.

`write_inputs(folder, departments=N, rows=R)` writes the office workbook `报告信息.xlsx` and N
department workbooks, each with R 合作交流项目 rows and R/5 工作进展 paragraphs. The rows are
spread over a few partner regions; items have one to three rows; about one item in eight is
not included (是否纳入 = 否, with a 说明); every third workbook holds the rows of an item in
vertically merged 序号/事项 cells, as a Word table pasted into Excel gives. The content is
deterministic (a fixed seed), so two runs measure the same work.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.contract import cooperation_header

REGIONS = ("永安市", "大田县", "三明市", "沙县区")
YEARS = (2023, 2024, 2025)
PARAGRAPHS_PER_ROWS = 5  # one 工作进展 paragraph for every five table rows

COOPERATION_HEADER = cooperation_header(YEARS)
PROGRESS_HEADER = ["一级标题", "二级标题", "事项", "内容", "责任单位", "排序"]

OUTLINE = [
    ("提炼建言明确分工，召开会议推进落实", "提炼委员建言，明确责任分工"),
    ("提炼建言明确分工，召开会议推进落实", "召开专题会议，明确工作要求"),
    ("提炼建言明确分工，召开会议推进落实", "召开推进会议，掌握工作进展"),
    ("重点聚焦问题建议，着力破解工作难题", "着力提升基层环境监管能力"),
    ("重点聚焦问题建议，着力破解工作难题", "着力完善现代生态环境监测体系"),
    ("重点聚焦问题建议，着力破解工作难题", "着力激发市场主体活力"),
    ("重点聚焦问题建议，着力破解工作难题", "着力推进绿色金融发展"),
    ("重点聚焦问题建议，着力破解工作难题", "着力提升环境保护全民行动能级"),
    ("下一步工作安排", None),
]

# Phrases the texts are built from, so that line lengths vary like the office's own tables.
_PHRASES = (
    "加强生态环境保护交流合作",
    "开展水环境治理技术对接",
    "组织专题培训和现场调研",
    "推进污水垃圾处理设施建设",
    "共享环境监测数据与管理经验",
    "完善跟踪调度机制",
    "落实属地监管责任",
    "推动绿色低碳产业发展",
    "支持举办竹博会",
    "建立交流对接机制",
    "提升基层环境执法能力",
    "推广先进适用技术",
    "2023年已完成2批次人员互访",
    "EOD项目谋划",
    "“双碳”方案编制",
)
_LEADERS = ("沈敏", "薛加良", "康永良", "李荣", "王小君")
_DEPARTMENTS = ("环保处", "绿林处", "水利处", "督察处", "废管中心", "供排水处")
_DUE = ("2023年", "2024年", "2025年", "2025.1", "长期", "2024年底")


@dataclass(frozen=True)
class Size:
    departments: int
    rows: int  # 合作交流项目 rows per department workbook

    @property
    def table_rows(self) -> int:
        return self.departments * self.rows

    @property
    def paragraphs(self) -> int:
        return self.departments * self.paragraphs_per_department

    @property
    def paragraphs_per_department(self) -> int:
        return max(1, self.rows // PARAGRAPHS_PER_ROWS)

    @property
    def label(self) -> str:
        return f"{self.departments}x{self.rows}"


def _text(rng: random.Random, low: int, high: int) -> str:
    """Phrases joined with Chinese punctuation, `low`–`high` phrases long."""
    parts = [rng.choice(_PHRASES) for _ in range(rng.randint(low, high))]
    return "，".join(parts) + "。"


@dataclass
class Sheet:
    rows: list[list[Any]]
    merges: list[str] = field(default_factory=list)  # ranges like B2:B4


Workbooks = dict[str, dict[str, Sheet]]  # file name → sheet name → sheet


def generate(size: Size, seed: int = 20231120) -> Workbooks:
    """The content of every workbook, in memory (the same for the same size and seed)."""
    rng = random.Random(seed)
    books: Workbooks = {"报告信息.xlsx": _office(rng)}
    serials = dict.fromkeys(REGIONS, 0)  # last 序号 used in each region, across workbooks
    for number in range(1, size.departments + 1):
        name = f"部门{number:03d}"
        books[f"{name}.xlsx"] = _department(name, size, rng, serials, merged=number % 3 == 0)
    return books


def table_rows(books: Workbooks) -> list[list[Any]]:
    """Every 合作交流项目 row of every workbook, under `COOPERATION_HEADER`."""
    rows = []
    for sheets in books.values():
        if "合作交流项目" in sheets:
            rows.extend(sheets["合作交流项目"].rows[1:])
    return rows


def write_inputs(folder: Path, *, departments: int, rows: int, seed: int = 20231120) -> Size:
    """Write the office workbook and `departments` department workbooks into `folder`."""
    from openpyxl import Workbook

    size = Size(departments, rows)
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, sheets in generate(size, seed).items():
        book = Workbook()
        book.remove(book.active)
        for title, sheet in sheets.items():
            target = book.create_sheet(title)
            for row in sheet.rows:
                target.append(row)
            for cells in sheet.merges:
                target.merge_cells(cells)
        book.save(folder / file_name)
    return size


def _office(rng: random.Random) -> dict[str, Sheet]:
    lead = _text(rng, 6, 10) + "\n" + _text(rng, 3, 6)
    cause = _text(rng, 3, 5)
    return {
        "专报信息": Sheet(
            [
                ["字段", "内容"],
                ["期号", 95],
                ["编发单位", "浦东新区生态环境局（水务局、海洋局、绿化市容局）"],
                ["日期", dt.datetime(2023, 11, 20)],
                ["报送", "芝松、兆亮、桂平同志"],
                [
                    "标题",
                    "关于坚决落实领导批示精神，扎实推进浦东新区现代环境治理体系建设情况的报告",
                ],
                ["导语", lead],
                ["落款", "浦东新区生态环境局"],
                ["联系人", "张晓伟"],
                ["联系电话", "18116080172"],
                ["专报部门", "浦东生态环境局机关-生态环境督察处"],
                ["专报人", "周杰"],
                ["专报日期", dt.datetime(2023, 11, 3)],
            ]
        ),
        "提纲": Sheet([["一级标题", "二级标题"], *[list(row) for row in OUTLINE]]),
        "拟文稿": Sheet(
            [
                ["环节", "意见", "签署人", "签署时间"],
                ["事由", cause, "周杰", dt.datetime(2023, 11, 3, 14, 44, 56)],
                ["办公室审核意见", "已核。", "徐小花", "2023/11/3 16:01:14"],
                ["主管领导签发意见", "同意发。", "康永良", dt.datetime(2023, 11, 20, 11, 20)],
            ]
        ),
        "项目表信息": Sheet(
            [
                ["字段", "内容"],
                ["编制单位", "浦东新区生态环境局"],
                ["领域", "生态环境领域"],
                ["起始年份", YEARS[0]],
                ["结束年份", YEARS[-1]],
            ]
        ),
        "项目表注": Sheet(
            [
                ["对口地区", "注"],
                *[
                    row
                    for region in REGIONS
                    for row in (
                        [region, "表中“牵头部门”为区级牵头单位。"],
                        [region, _text(rng, 2, 4)],
                    )
                ],
            ]
        ),
    }


def _department(
    department: str, size: Size, rng: random.Random, serials: dict[str, int], *, merged: bool
) -> dict[str, Sheet]:
    table = Sheet([COOPERATION_HEADER])
    while len(table.rows) - 1 < size.rows:
        region = rng.choice(REGIONS)
        serials[region] += 1
        serial = serials[region]
        name = rng.choice(_PHRASES)[:8]
        count = min(rng.choice((1, 1, 2, 3)), size.rows - (len(table.rows) - 1))
        included = rng.random() >= 0.125
        first = len(table.rows) + 1  # the Excel row of the item's first row
        for index in range(count):
            shown = not merged or index == 0  # a merged range keeps its value in the top cell
            row: dict[str, Any] = {
                "对口地区": region,
                "序号": serial if shown else None,
                "事项": name if shown else None,
                "对口合作交流内容": _text(rng, 1, 4),
            }
            if included:
                row.update(
                    {
                        "预计完成时间": rng.choice(_DUE),
                        **{f"{year}年计划": _text(rng, 1, 3) for year in YEARS},
                        "事项推进情况": "一是" + _text(rng, 1, 3) + "二是" + _text(rng, 1, 4),
                        "牵头领导": rng.choice(_LEADERS),
                        "牵头部门": rng.choice(_DEPARTMENTS),
                        "配合部门": department,
                    }
                )
            else:
                row.update({"是否纳入": "否", "说明": "经对接，" + _text(rng, 1, 3)})
            table.rows.append([row.get(column) for column in COOPERATION_HEADER])
        if merged and count > 1:
            for column in ("B", "C"):
                table.merges.append(f"{column}{first}:{column}{first + count - 1}")

    progress = Sheet([PROGRESS_HEADER])
    for index in range(size.paragraphs_per_department):
        section, subsection = OUTLINE[rng.randrange(len(OUTLINE))]
        lead_in = rng.choice(_PHRASES)[:6] if rng.random() < 0.3 else None
        text = _text(rng, 3, 8)
        if rng.random() < 0.2:
            text += "\n" + _text(rng, 2, 4)
        progress.rows.append([section, subsection, lead_in, text, department, index + 1])
    return {"合作交流项目": table, "工作进展": progress}
