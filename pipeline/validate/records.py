"""What validate hands to merge: typed records, each with the `Source` row it came from.

Only rows without errors are handed over, and only when the inputs hold no error at all does
merge run; the problems (errors and notices) travel along for the office to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import (
    ApprovalEntry,
    CooperationRow,
    InputFile,
    MeetingSettings,
    ReportEntry,
    ReportSettings,
    Source,
    TableSettings,
)
from ..problems import Problem


@dataclass(frozen=True)
class OutlineHeading:
    """One 提纲 row: a first-level heading, and optionally a second-level one under it."""

    title: str  # 一级标题, without its number
    subtitle: str | None  # 二级标题
    source: Source


@dataclass(frozen=True)
class ProgressRecord:
    """One 工作进展 row: where it goes in the outline, and the entry it becomes."""

    heading: str  # 一级标题
    subheading: str | None  # 二级标题
    order: float | None  # 排序
    entry: ReportEntry


@dataclass(frozen=True)
class CooperationRecord:
    """One 合作交流项目 row: the item it belongs to, and the table row it becomes."""

    region: str  # 对口地区
    number: int | None  # 序号; None only in a record with errors, which is never merged
    name: str  # 事项
    order: float | None  # 排序
    row: CooperationRow


@dataclass(frozen=True)
class TableNote:
    """One 项目表注 row."""

    region: str  # 对口地区
    text: str  # 注
    source: Source


@dataclass(frozen=True)
class MeetingParagraphs:
    """One 汇报正文 row: a first-level heading and its paragraphs."""

    title: str  # 一级标题, without its number
    paragraphs: list[str]  # 内容, one string per paragraph
    source: Source


@dataclass(frozen=True)
class RegionRemark:
    """One 地区说明 row: paragraphs of the office's own in a region's subsection."""

    region: str  # 对口地区
    paragraphs: list[str]  # 内容
    replaces_summary: bool  # 替代生成段落
    source: Source


@dataclass
class ValidatedInputs:
    """Everything the inputs say that passed the contract's rules, typed."""

    report_settings: ReportSettings | None = None
    table_settings: TableSettings | None = None
    outline: list[OutlineHeading] = field(default_factory=list)
    progress: list[ProgressRecord] = field(default_factory=list)
    approval: list[ApprovalEntry] = field(default_factory=list)
    cooperation: list[CooperationRecord] = field(default_factory=list)
    notes: list[TableNote] = field(default_factory=list)
    meeting_settings: MeetingSettings | None = None
    meeting_body: list[MeetingParagraphs] = field(default_factory=list)
    region_remarks: list[RegionRemark] = field(default_factory=list)
    region_order: list[str] = field(default_factory=list)  # 地区顺序, as typed, each known
    problems: list[Problem] = field(default_factory=list)
    workbooks: list[InputFile] = field(default_factory=list)  # every workbook read, by name
    row_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # file → sheet → rows
    plan_years: list[int] | None = None  # the 项目表信息 period, when its years are valid

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    @property
    def notices(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]
