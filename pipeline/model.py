"""Typed records the stages hand over: the domain objects the renderers use, the workbooks as read,
and who submitted what. Nothing here knows about cells or DataFrames."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .cells import normalise_name
from .files import department_file_name
from .problems import Location, Problem


def chinese_date(day: dt.date) -> str:
    """`2023年11月20日`: Arabic numerals, no zero padding (GB/T 9704)."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Source:
    """The workbook row a record came from: messages name its cells, the manifest counts it."""

    file: str
    sheet: str  # the contract's name, e.g. 合作交流项目
    row: int  # the Excel row
    title: str = ""  # the sheet's name as written in the workbook, when it differs
    # Column name → Excel column letter, shared by every row of the sheet.
    letters: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def department(self) -> str:
        return self.file.rsplit(".", 1)[0]

    def cell(self, column: str) -> str | None:
        """`E12`: the row's cell in `column`, if the sheet has that column."""
        letter = self.letters.get(column)
        return f"{letter}{self.row}" if letter else None

    def location(self, column: str | None = None) -> Location:
        """The row's cell in `column`, or the whole row (`行12`)."""
        cell = self.cell(column) if column is not None else None
        return Location(self.file, self.title or self.sheet, cell or f"行{self.row}", column)


# ---------------------------------------------------------------- work report


@dataclass(frozen=True)
class ReportSettings:
    issue_number: str  # 期号
    publisher: str  # 编发单位
    date: dt.date  # 日期
    recipients: str  # 报送
    title: str  # 标题
    lead: list[str]  # 导语, one string per paragraph
    closing: str  # 结束语
    signatory: str  # 落款
    contact_person: str | None  # 联系人
    contact_phone: str | None  # 联系电话
    submitting_department: str  # 专报部门
    submitter: str  # 专报人
    submission_date: dt.date  # 专报日期
    document_number: str  # 文号
    form_title: str  # 拟文稿标题
    source: Source | None = field(default=None, compare=False)  # the 专报信息 sheet

    @property
    def date_text(self) -> str:
        return chinese_date(self.date)

    @property
    def submission_date_text(self) -> str:
        # The approval form writes it as the office system does: 2023-11-03.
        return self.submission_date.isoformat()


@dataclass(frozen=True)
class ReportEntry:
    """One 工作进展 row: an optional lead-in (事项) and one or more paragraphs of 内容."""

    paragraphs: list[str]
    lead_in: str | None = None
    responsible: str | None = None  # 责任单位
    source: Source | None = None

    @property
    def lead_text(self) -> str:
        """The paragraphs with the lead-in joined to the first: `{事项}方面，{内容}`."""
        if not self.lead_in:
            return self.paragraphs[0]
        suffix = "" if self.lead_in.endswith("方面") else "方面"
        return f"{self.lead_in}{suffix}，{self.paragraphs[0]}"

    @property
    def rendered_paragraphs(self) -> list[str]:
        return [self.lead_text, *self.paragraphs[1:]]


@dataclass
class ReportSubsection:
    """A second-level heading （一）… with its entries."""

    title: str
    entries: list[ReportEntry] = field(default_factory=list)


@dataclass
class ReportSection:
    """A first-level heading 一、… with entries directly under it and/or subsections."""

    title: str
    entries: list[ReportEntry] = field(default_factory=list)
    subsections: list[ReportSubsection] = field(default_factory=list)


APPROVAL_STEPS = (
    "事由",
    "专报部门意见",
    "办公室审核意见",
    "分管领导会签意见",
    "主管领导签发意见",
    "会签部门意见",
    "备注",
)


@dataclass(frozen=True)
class ApprovalEntry:
    step: str  # 环节
    opinion: str  # 意见
    signer: str | None = None  # 签署人
    signed_at: dt.datetime | None = None  # 签署时间
    has_time: bool = True  # False when only a date was given
    source: Source | None = None

    @property
    def text(self) -> str:
        """`意见{签署人[2023/11/3 16:01:14]}` as the office system prints it."""
        return self.opinion + self.mark

    @property
    def mark(self) -> str:
        """The `{签署人[2023/11/3 16:01:14]}` that follows the opinion; empty when neither the
        signer nor the time is given."""
        if not self.signer and not self.signed_at:
            return ""
        stamp = ""
        if self.signed_at:
            t = self.signed_at
            stamp = f"{t.year}/{t.month}/{t.day}"
            if self.has_time:
                stamp += f" {t.hour}:{t.minute:02d}:{t.second:02d}"
            stamp = f"[{stamp}]"
        return f"{{{self.signer or ''}{stamp}}}"


@dataclass
class WorkReport:
    settings: ReportSettings
    sections: list[ReportSection]
    approval: dict[str, list[ApprovalEntry]]  # by step, each list in time order

    def approval_entries(self, step: str) -> list[ApprovalEntry]:
        return self.approval.get(step, [])


# ---------------------------------------------------------- cooperation tables


@dataclass(frozen=True)
class TableSettings:
    compiler: str  # 编制单位
    domain: str  # 领域
    start_year: int  # 起始年份
    end_year: int  # 结束年份
    source: Source | None = field(default=None, compare=False)  # the 项目表信息 sheet

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    def title(self, region: str) -> str:
        return (
            f"{self.compiler}与{region}{self.domain}合作交流项目表"
            f"({self.start_year}-{self.end_year}年)"
        )


@dataclass(frozen=True)
class CooperationRow:
    content: str  # 对口合作交流内容
    due: str = ""  # 预计完成时间
    plans: dict[int, str] = field(default_factory=dict)  # 年 → 计划
    progress: str = ""  # 事项推进情况
    lead_leader: str = ""  # 牵头领导
    lead_department: str = ""  # 牵头部门
    supporting: str = ""  # 配合部门
    included: bool = True  # 是否纳入
    explanation: str = ""  # 说明 (when not included)
    source: Source | None = None

    def plan(self, year: int) -> str:
        return self.plans.get(year, "")


@dataclass
class CooperationItem:
    number: int  # 序号
    name: str  # 事项
    rows: list[CooperationRow] = field(default_factory=list)

    @property
    def included(self) -> bool:
        return any(row.included for row in self.rows)

    @property
    def departments(self) -> list[str]:
        """The departments (workbook file stems) that gave the item's rows, in row order."""
        return list(dict.fromkeys(row.source.department for row in self.rows if row.source))


@dataclass
class RegionTable:
    region: str  # 对口地区
    title: str
    years: list[int]
    items: list[CooperationItem]
    notes: list[str] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def row_count(self) -> int:
        return sum(len(item.rows) for item in self.items)

    @property
    def included_item_count(self) -> int:
        return sum(item.included for item in self.items)

    @property
    def excluded_item_count(self) -> int:
        return self.item_count - self.included_item_count

    @property
    def included_row_count(self) -> int:
        return sum(row.included for item in self.items for row in item.rows)

    @property
    def excluded_row_count(self) -> int:
        return self.row_count - self.included_row_count


# ---------------------------------------------------------- meeting material


@dataclass(frozen=True)
class MeetingSettings:
    meeting: str  # 会议名称
    number: str | None  # 材料序号
    title: str  # 标题, line breaks as typed
    reporter: str  # 汇报单位
    lead: list[str]  # 导语, one string per paragraph
    progress_title: str  # 进展标题
    closing: str  # 结束语
    source: Source | None = field(default=None, compare=False)  # the 会议材料 sheet


@dataclass
class MeetingSection:
    """A first-level section 一、… of the office's own text (汇报正文)."""

    title: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class RegionSummary:
    """One region's subsection of the meeting material, and its table as attachment N."""

    table: RegionTable
    attachment: int  # 附件N
    remarks: list[str] = field(default_factory=list)  # 地区说明, one string per paragraph
    replaces_summary: bool = False  # 替代生成段落 = 是


@dataclass
class MeetingMaterial:
    settings: MeetingSettings
    table_settings: TableSettings
    sections: list[MeetingSection]
    regions: list[RegionSummary]


# ---------------------------------------------------------------- everything


@dataclass
class Dossier:
    """All that the inputs say, merged: what the renderers and the archive work from."""

    report: WorkReport | None
    table_settings: TableSettings | None
    regions: list[RegionTable]
    notices: list[Problem] = field(default_factory=list)
    row_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # file → sheet → rows
    meeting: MeetingMaterial | None = None


# ---------------------------------------------------------------- a run


@dataclass(frozen=True)
class RenderedDocument:
    name: str  # file name inside the run folder
    data: bytes  # the .docx bytes
    template: str  # the template's file name

    @property
    def stem(self) -> str:
        return Path(self.name).stem


@dataclass(frozen=True)
class InputFile:
    """A workbook as it was read: the archive keeps these bytes, not the file as it is later."""

    path: Path
    data: bytes = field(repr=False)  # empty when the file could not be opened
    modified_ns: int = 0  # when it was last saved, for the archived copy

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def stem(self) -> str:
        return self.path.stem


@dataclass
class Prepared:
    """What one pass over the inputs gave: the dossier, its documents (none after `check`), the
    workbooks read, and seconds per stage."""

    dossier: Dossier
    workbooks: list[InputFile]
    documents: list[RenderedDocument] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # `与上次（第95期，2026-11-23）相比：…` when `build` compared with an earlier run.
    change_summary: str | None = None
    submissions: SubmissionStatus | None = None  # who has submitted what (报送单位)
    copies: list[str] = field(default_factory=list)  # the PDF and OFD copies `build` wrote


# ------------------------------------------------------------------ who submitted what

SUBMITTED = "已报送"
NOT_SUBMITTED = "未报送"
HAS_ERRORS = "有错误"


@dataclass(frozen=True)
class ExpectedDepartment:
    """One row of `报送单位`."""

    name: str  # 部门, as typed
    owes: tuple[str, ...]  # the department sheets it submits
    contact: str = ""  # 联系人
    phone: str = ""  # 联系电话
    location: Location | None = None  # its 部门 cell

    @property
    def key(self) -> str:
        return normalise_name(Path(department_file_name(self.name)).stem)


@dataclass(frozen=True)
class Submission:
    """One line of the 报送情况 table."""

    department: str
    workbook: str | None  # file name; None when nothing arrived
    modified: dt.datetime | None  # the workbook's modification time
    rows: int  # data rows in its known sheets
    errors: int
    notices: int
    listed: bool  # named in 报送单位
    missing: tuple[str, ...] = ()  # sheets it owes that are absent or empty
    contact: str = ""
    phone: str = ""

    @property
    def status(self) -> str:
        if self.workbook is None:
            return NOT_SUBMITTED
        return HAS_ERRORS if self.errors else SUBMITTED


@dataclass
class SubmissionStatus:
    """The 报送情况 table: listed departments in the office's order, then unlisted workbooks."""

    submissions: list[Submission] = field(default_factory=list)
    has_roster: bool = False  # whether the office filled in 报送单位

    @property
    def outstanding(self) -> list[str]:
        """`督察处`, or `绿林处（缺合作交流项目）` for a department that sent part of it."""
        names = []
        for item in self.submissions:
            if item.workbook is None:
                names.append(item.department)
            elif item.missing:
                names.append(f"{item.department}（缺{'、'.join(item.missing)}）")
        return names
