"""What changed between two dossiers: one record per change, and the counts people read."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Source


class Kind(enum.Enum):
    """A kind of change; the value is what the change workbook shows."""

    ITEM_ADDED = "新增事项"
    ITEM_REMOVED = "删除事项"
    RENUMBERED = "重新编号"
    RENAMED = "事项更名"
    ROW_ADDED = "新增行"
    ROW_REMOVED = "删除行"
    CELL_CHANGED = "修改"
    INCLUSION = "是否纳入变化"
    NOTE_ADDED = "新增注"
    NOTE_REMOVED = "删除注"
    PARAGRAPH_ADDED = "新增段落"
    PARAGRAPH_REMOVED = "删除段落"
    PARAGRAPH_CHANGED = "修改段落"


ITEM_KINDS = (Kind.ITEM_ADDED, Kind.ITEM_REMOVED)
TABLE_EDIT_KINDS = (
    Kind.RENUMBERED,
    Kind.RENAMED,
    Kind.CELL_CHANGED,
    Kind.INCLUSION,
    Kind.NOTE_ADDED,
    Kind.NOTE_REMOVED,
)


def department(source: Source | None) -> str:
    """The department a record came from: its workbook's name without `.xlsx`."""
    return Path(source.file).stem if source is not None else ""


def where(source: Source | None) -> str:
    """`环保处.xlsx › 合作交流项目 › 行5`: the workbook row, for people to find it."""
    if source is None:
        return ""
    return f"{source.file} › {source.title or source.sheet} › 行{source.row}"


@dataclass(frozen=True)
class TableChange:
    """A change in a cooperation table: an item, a row, a cell or a note of one region."""

    region: str
    old_number: int | None  # 序号 last time; None for an added item
    new_number: int | None  # 序号 this time; None for a removed item
    item: str  # 事项 (this time's name when it has one)
    departments: tuple[str, ...]
    kind: Kind
    column: str = ""  # the column that changed, for cell changes
    old: str = ""
    new: str = ""
    location: str = ""  # this time's row, or last time's for what was removed


@dataclass(frozen=True)
class ReportChange:
    """A paragraph added, removed or changed under one heading of the work report."""

    heading: str  # 一级标题, or （标题）/（导语）/（结束语）
    subheading: str  # 二级标题, or ""
    departments: tuple[str, ...]
    kind: Kind
    old: str = ""
    new: str = ""
    location: str = ""


@dataclass
class ChangeSet:
    """Every change from an earlier dossier (`old_label`) to a later one (`new_label`)."""

    old_label: str  # e.g. 第95期，2026-11-23
    new_label: str
    tables: list[TableChange] = field(default_factory=list)
    report: list[ReportChange] = field(default_factory=list)

    def count(self, *kinds: Kind) -> int:
        counted = Counter(c.kind for c in (*self.tables, *self.report))
        return sum(counted[kind] for kind in kinds)

    @property
    def items_added(self) -> int:
        return self.count(Kind.ITEM_ADDED)

    @property
    def items_removed(self) -> int:
        return self.count(Kind.ITEM_REMOVED)

    @property
    def edits(self) -> int:
        """Every change that is not an item added or removed: rows, cells, notes, paragraphs."""
        return len(self.tables) + len(self.report) - self.items_added - self.items_removed

    def summary(self, against: str) -> str:
        """`与上次（第95期，2026-11-23）相比：新增事项 2，删除 1，修改 14 处`."""
        return (
            f"与{against}（{self.old_label}）相比：新增事项 {self.items_added}，"
            f"删除 {self.items_removed}，修改 {self.edits} 处"
        )

    def by_department(self) -> dict[str, Counter[Kind]]:
        """Department → count per kind; a change shared by several departments counts for each."""
        counts: dict[str, Counter[Kind]] = {}
        for change in (*self.tables, *self.report):
            for name in change.departments or ("",):
                counts.setdefault(name, Counter())[change.kind] += 1
        return dict(sorted(counts.items()))
