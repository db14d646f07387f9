"""The input contract as data: sheet names, columns and fields that departments fill in.

Load, validate and the blank-workbook writer all read from here, so the contract is stated once.
The Chinese strings are the contract itself (see the README's table of sheets).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .model import APPROVAL_STEPS

# sheet names
REPORT_SETTINGS = "专报信息"
OUTLINE = "提纲"
APPROVAL = "拟文稿"
TABLE_SETTINGS = "项目表信息"
TABLE_NOTES = "项目表注"
PROGRESS = "工作进展"
COOPERATION = "合作交流项目"
MEETING = "会议材料"
MEETING_BODY = "汇报正文"
REGION_REMARKS = "地区说明"
SUBMITTERS = "报送单位"

HEADER_SEARCH_ROWS = 10
REFUSED_SUFFIXES = (".xls", ".xlsm", ".csv", ".et", ".wps", ".xlsb", ".ods")

# Department and office workbooks hold rows; settings sheets hold field → value pairs.
YEAR_PLAN = re.compile(r"^(\d{4})年计划$")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    help: str = ""  # shown in the blank workbook's 填写说明
    kind: str = "text"  # text | int | number | date | datetime | choice
    choices: tuple[str, ...] = ()
    width: int = 16
    # When a column that is not always required is needed, in words; validate names such a
    # column as missing only when a row needs it (load names the always-required ones).
    needed_when: str = ""


@dataclass(frozen=True)
class TableSheet:
    name: str
    columns: tuple[Column, ...]
    purpose: str = ""

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def conditional(self) -> list[str]:
        """Columns required (or wanted) only in some rows: validate says when they are missing."""
        return [c.name for c in self.columns if c.needed_when and not c.required]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    kind: str = "text"
    example: str = ""
    help: str = ""


@dataclass(frozen=True)
class KeyValueSheet:
    name: str
    fields: tuple[Field, ...]
    purpose: str = ""
    header: tuple[str, str] = ("字段", "内容")

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


REPORT_SETTINGS_SHEET = KeyValueSheet(
    REPORT_SETTINGS,
    (
        Field("期号", True, "int", "95"),
        Field("编发单位", True, "text", "浦东新区生态环境局（水务局、海洋局、绿化市容局）"),
        Field("日期", True, "date", "2023-11-20"),
        Field("报送", True, "text", "芝松、兆亮、桂平同志"),
        Field("标题", True, "text", "关于……情况的报告"),
        Field("导语", True, "text", "开头段落；单元格内换行即另起一段"),
        Field("结束语", False, "text", "特此报告。", "不填则为「特此报告。」"),
        Field("落款", True, "text", "浦东新区生态环境局"),
        Field("联系人", False, "text", "张晓伟"),
        Field("联系电话", False, "text", "18116080172"),
        Field("专报部门", True, "text", "浦东生态环境局机关-生态环境督察处"),
        Field("专报人", True, "text", "周杰"),
        Field("专报日期", True, "date", "2023-11-03"),
        Field("文号", False, "text", "95", "不填则与期号相同"),
        Field("拟文稿标题", False, "text", "", "不填则与标题相同"),
    ),
    "工作专报的报头、标题、导语、落款和拟文稿表头信息",
)

TABLE_SETTINGS_SHEET = KeyValueSheet(
    TABLE_SETTINGS,
    (
        Field("编制单位", True, "text", "浦东新区生态环境局"),
        Field("领域", True, "text", "生态环境领域"),
        Field("起始年份", True, "int", "2023"),
        Field("结束年份", True, "int", "2025"),
        Field(
            "地区顺序",
            False,
            "text",
            "永安市、大田县",
            "会议材料及其附件、各项目表中对口地区的顺序，用顿号分隔；未列出的地区按首次出现的顺序排在后面",
        ),
    ),
    "合作交流项目表的标题和计划年度",
)

MEETING_SHEET = KeyValueSheet(
    MEETING,
    (
        Field("会议名称", True, "text", "第21次局长办公会"),
        Field("材料序号", False, "text", "6", "印为「会议材料之6」；不填则只印会议名称"),
        Field(
            "标题",
            True,
            "text",
            "浦东新区生态环境局与永安市、大田县生态环境领域合作交流项目制定情况的汇报",
            "过长时在词语之间自动回行；单元格内换行则按换行处回行",
        ),
        Field("汇报单位", True, "text", "办公室(政策法规处)"),
        Field("导语", False, "text", "", "「一、」之前的开头段落；单元格内换行即另起一段"),
        Field(
            "进展标题",
            False,
            "text",
            "工作推进情况",
            "各对口地区分节（（一）（二）…）所在的一级标题；不填则为「工作推进情况」",
        ),
        Field("结束语", False, "text", "以上汇报，请予审议。", "不填则为「以上汇报，请予审议。」"),
    ),
    "会议材料（以各合作交流项目表为附件的汇报）；有此工作表时生成会议材料",
)

OUTLINE_SHEET = TableSheet(
    OUTLINE,
    (
        Column("一级标题", True, "一级标题，不写编号（系统生成 一、二、三、）", width=40),
        Column(
            "二级标题",
            False,
            "二级标题，不写编号（系统生成（一）（二））；不填表示一级标题下直接是正文",
            width=40,
        ),
    ),
    "工作专报正文的提纲，按顺序排列",
)

APPROVAL_SHEET = TableSheet(
    APPROVAL,
    (
        Column(
            "环节", True, "下拉选择：" + "、".join(APPROVAL_STEPS), "choice", APPROVAL_STEPS, 18
        ),
        Column("意见", True, "意见内容，如：已核。", width=50),
        Column("签署人", False, "如：徐小花", width=12),
        Column("签署时间", False, "如：2023/11/3 16:01:14", "datetime", width=20),
    ),
    "拟文稿各环节的意见；领导尚未签署时可以为空",
)

NOTES_SHEET = TableSheet(
    TABLE_NOTES,
    (
        Column("对口地区", True, "该注所属的对口地区", width=14),
        Column("注", True, "注的内容；按行的顺序编号 1、2、…", width=60),
    ),
    "印在各对口地区项目表下方的注",
)

PROGRESS_SHEET = TableSheet(
    PROGRESS,
    (
        Column("一级标题", True, "须与办公室提纲中的一级标题一致", width=30),
        Column("二级标题", False, "提纲在该一级标题下有二级标题时必填，须一致", width=30),
        Column("事项", False, "引语，正文为「{事项}方面，{内容}」", width=20),
        Column("内容", True, "正文；单元格内换行即另起一段", width=60),
        Column("责任单位", False, "如：区人社局", width=14),
        Column("排序", False, "同一标题下段落的顺序（数字）", "number", width=8),
    ),
    "工作专报正文的段落",
)

COOPERATION_SHEET = TableSheet(
    COOPERATION,
    (
        Column("对口地区", True, "如：永安市、大田县；每个地区一张表", width=12),
        Column("序号", True, "地区内的事项编号；同一地区同一序号的各行为同一事项", "int", width=6),
        Column("事项", True, "事项名称；同一事项各行须一致", width=14),
        Column("对口合作交流内容", True, "本行的合作交流内容", width=36),
        Column("预计完成时间", False, "如：2025年、2025.1", width=12),
        Column("事项推进情况", False, "推进情况", width=30),
        Column(
            "牵头领导",
            False,
            "纳入时应填写；留空时给出提示",
            width=10,
            needed_when="纳入项目表的事项应填写，否则表中这一格为空",
        ),
        Column("牵头部门", False, "纳入时必填", width=12, needed_when="纳入项目表的事项须填写"),
        Column("配合部门", False, "", width=12),
        Column("是否纳入", False, "是 / 否，不填为是", "choice", ("是", "否"), 8),
        Column(
            "说明",
            False,
            "不纳入时必填：不纳入的原因",
            width=30,
            needed_when="不纳入的事项须写明原因",
        ),
        Column(
            "排序", False, "同一事项各行的顺序（数字）；不填按文件名、行号顺序", "number", width=6
        ),
    ),
    "合作交流项目表的各行；另有每个计划年度一列「{年}年计划」",
)

MEETING_BODY_SHEET = TableSheet(
    MEETING_BODY,
    (
        Column(
            "一级标题", True, "一级标题，不写编号（系统生成 一、二、…），排在进展标题之前", width=30
        ),
        Column("内容", True, "该标题下的段落；单元格内换行即另起一段；同一标题可写多行", width=70),
    ),
    "会议材料中办公室自己撰写的各部分，按顺序排列",
)

YES_NO = ("是", "否")

REGION_REMARKS_SHEET = TableSheet(
    REGION_REMARKS,
    (
        Column("对口地区", True, "须是有合作交流项目的地区", width=14),
        Column("内容", True, "接在根据数据生成的段落之后的段落；单元格内换行即另起一段", width=70),
        Column(
            "替代生成段落",
            False,
            "是：该地区只印办公室撰写的段落，不印根据数据生成的段落；不填为否",
            "choice",
            YES_NO,
            12,
        ),
    ),
    "会议材料中各对口地区一节里办公室撰写的段落",
)

# What a listed department owes: one sheet, or both department sheets (全部).
SUBMITS_ALL = "全部"
SUBMITTERS_SHEET = TableSheet(
    SUBMITTERS,
    (
        Column("部门", True, "部门名称，与其工作簿的文件名相同（环保处 → 环保处.xlsx）", width=20),
        Column(
            "报送内容",
            False,
            f"下拉选择：{PROGRESS}、{COOPERATION} 或 {SUBMITS_ALL}；不填为{SUBMITS_ALL}",
            "choice",
            (PROGRESS, COOPERATION, SUBMITS_ALL),
            14,
        ),
        Column("联系人", False, "如：张晓伟", width=12),
        Column("联系电话", False, "如：18116080172", width=16),
    ),
    "应报送材料的部门；未报送或缺少应报工作表的部门在校验时列出",
)

TABLE_SHEETS = {
    s.name: s
    for s in (
        OUTLINE_SHEET,
        APPROVAL_SHEET,
        NOTES_SHEET,
        PROGRESS_SHEET,
        COOPERATION_SHEET,
        MEETING_BODY_SHEET,
        REGION_REMARKS_SHEET,
        SUBMITTERS_SHEET,
    )
}
KEY_VALUE_SHEETS = {s.name: s for s in (REPORT_SETTINGS_SHEET, TABLE_SETTINGS_SHEET, MEETING_SHEET)}
KNOWN_SHEETS = (*KEY_VALUE_SHEETS, *TABLE_SHEETS)
# Sheets the blank workbooks carry for people, not data: read past without a notice.
INSTRUCTIONS_SHEET = "填写说明"
CHOICES_SHEET = "_选项"  # hidden: the values of drop-down lists too long to write inline
RETURN_SHEET = "问题"  # the problem list first in a marked-up copy sent back to a department
AUXILIARY_SHEETS = (INSTRUCTIONS_SHEET, CHOICES_SHEET, RETURN_SHEET)

# Sheets that may appear in one workbook only (a second copy would be ambiguous).
SINGLE_SHEETS = (REPORT_SETTINGS, TABLE_SETTINGS, OUTLINE, MEETING, SUBMITTERS)

INCLUDED_YES = ("是", "纳入", "Y", "YES", "y", "yes", "√")
INCLUDED_NO = ("否", "不纳入", "N", "NO", "n", "no", "×")


def plan_column(year: int) -> str:
    return f"{year}年计划"


def cooperation_header(years: Sequence[int]) -> list[str]:
    """The 合作交流项目 columns in the usual order, a plan column per year after 预计完成时间."""
    names = COOPERATION_SHEET.names
    at = names.index("预计完成时间") + 1
    return [*names[:at], *(plan_column(y) for y in years), *names[at:]]


# Columns a department updates every period (besides each `{年}年计划`); `init --from` marks them.
PERIOD_UPDATE_COLUMNS = {PROGRESS: ("内容",), COOPERATION: ("事项推进情况",)}

OFFICE_SHEETS = (
    REPORT_SETTINGS,
    OUTLINE,
    APPROVAL,
    TABLE_SETTINGS,
    TABLE_NOTES,
    MEETING,
    MEETING_BODY,
    REGION_REMARKS,
    SUBMITTERS,
)


def split_list(text: str) -> list[str]:
    """`永安市、大田县` → the names, split at 、，,；; and white space, blanks dropped."""
    return [part for part in re.split(r"[、，,；;\s]+", text) if part]


DEPARTMENT_SHEETS = (PROGRESS, COOPERATION)
