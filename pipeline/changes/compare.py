"""Comparing two dossiers: what was added, removed and changed, region by region, item by item,
heading by heading.

Matching rules (what counts as "the same" item, row or paragraph in both):

- Regions and report headings are the same when their names are equal after `normalise_name`
  (whitespace and full-/half-width differences do not count).
- Items of a region: first by 事项 name (normalised), so an item whose 序号 changed but whose 事项
  did not is a renumbering; then an item left over on each side with the same 序号 and rows at
  least half alike (`SIMILAR`) is the same item renamed; everything else is added or removed.
- Rows of an item: first identical 对口合作交流内容 from the same department, then identical
  content from any department, then the most similar remaining pair (whole-row text, a small
  bonus for the same department) while at least half alike; the rest are added or removed.
  Each matched row is compared cell by cell.
- Paragraphs under a heading: identical text first (a paragraph that only moved is unchanged),
  then the most similar remaining pair while at least half alike is a changed paragraph; the
  rest are added or removed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from typing import TypeVar

from ..cells import normalise_name
from ..model import CooperationItem, CooperationRow, Dossier, RegionTable, ReportEntry, Source
from .records import ChangeSet, Kind, ReportChange, TableChange, department, where

SIMILAR = 0.5  # share of matching characters from which two texts are "the same, edited"
SAME_DEPARTMENT_BONUS = 0.1

T = TypeVar("T")


def similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0  # an upper bound already says no: spare the full comparison
    return matcher.ratio()


def pair_up(
    old: Sequence[T],
    new: Sequence[T],
    *keys: Callable[[T], object],
    score: Callable[[T, T], float] | None = None,
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Indexes of matched (old, new) pairs, then of unmatched old and unmatched new.

    Each key matches equal values in order; then `score` pairs the best remaining couples
    while their score is at least `SIMILAR`.
    """
    pairs: list[tuple[int, int]] = []
    free_old = list(range(len(old)))
    free_new = list(range(len(new)))
    for key in keys:
        waiting: dict[object, list[int]] = {}
        for j in free_new:
            waiting.setdefault(key(new[j]), []).append(j)
        still_old = []
        for i in free_old:
            candidates = waiting.get(key(old[i]))
            if candidates:
                pairs.append((i, candidates.pop(0)))
            else:
                still_old.append(i)
        taken = {j for _, j in pairs}
        free_old, free_new = still_old, [j for j in free_new if j not in taken]
    if score is not None and free_old and free_new:
        scored = sorted(
            ((score(old[i], new[j]), i, j) for i in free_old for j in free_new),
            key=lambda t: (-t[0], t[1], t[2]),
        )
        used_old: set[int] = set()
        used_new: set[int] = set()
        for value, i, j in scored:
            if value < SIMILAR:
                break
            if i not in used_old and j not in used_new:
                pairs.append((i, j))
                used_old.add(i)
                used_new.add(j)
        free_old = [i for i in free_old if i not in used_old]
        free_new = [j for j in free_new if j not in used_new]
    return sorted(pairs, key=lambda p: p[1]), free_old, free_new


def compare_dossiers(old: Dossier, new: Dossier, old_label: str, new_label: str) -> ChangeSet:
    changes = ChangeSet(old_label, new_label)
    changes.tables = _compare_tables(old, new)
    changes.report = _compare_report(old, new)
    return changes


# ---------------------------------------------------------------- cooperation tables


def _compare_tables(old: Dossier, new: Dossier) -> list[TableChange]:
    office = department(new.table_settings.source if new.table_settings else None)
    matched, removed, added = pair_up(old.regions, new.regions, lambda t: normalise_name(t.region))
    changes: list[TableChange] = []
    for i, j in matched:
        changes += _compare_region(old.regions[i], new.regions[j], office)
    for j in added:
        changes += _compare_region(_emptied(new.regions[j]), new.regions[j], office)
    for i in removed:
        changes += _compare_region(old.regions[i], _emptied(old.regions[i]), office)
    return changes


def _emptied(table: RegionTable) -> RegionTable:
    """The region without items or notes: the other side of a region added or removed."""
    return RegionTable(table.region, table.title, table.years, [])


def _departments(item: CooperationItem) -> tuple[str, ...]:
    return tuple(dict.fromkeys(department(row.source) for row in item.rows))


def _item_similarity(a: CooperationItem, b: CooperationItem) -> float:
    if a.number != b.number:
        return 0.0
    texts_a = [row.content for row in a.rows]
    return max(
        (similarity(x, row.content) for x in texts_a for row in b.rows),
        default=0.0,
    )


def _compare_region(old: RegionTable, new: RegionTable, office: str) -> list[TableChange]:
    region = new.region or old.region
    matched, removed, added = pair_up(
        old.items, new.items, lambda item: normalise_name(item.name), score=_item_similarity
    )
    keyed: list[tuple[tuple[int, int], list[TableChange]]] = []
    for i, j in matched:
        a, b = old.items[i], new.items[j]
        keyed.append(((b.number, 0), _compare_item(region, a, b)))
    for j in added:
        item = new.items[j]
        text = "\n".join(row.content for row in item.rows)
        location = _rows_at(item)
        change = TableChange(
            region,
            None,
            item.number,
            item.name,
            _departments(item),
            Kind.ITEM_ADDED,
            new=text,
            location=location,
        )
        keyed.append(((item.number, 1), [change]))
    for i in removed:
        item = old.items[i]
        text = "\n".join(row.content for row in item.rows)
        location = _rows_at(item)
        change = TableChange(
            region,
            item.number,
            None,
            item.name,
            _departments(item),
            Kind.ITEM_REMOVED,
            old=text,
            location=f"上次：{location}",
        )
        keyed.append(((item.number, 2), [change]))
    changes = [c for _, block in sorted(keyed, key=lambda k: k[0]) for c in block]
    changes += _compare_notes(region, old.notes, new.notes, office)
    return changes


def _rows_at(item: CooperationItem) -> str:
    """Where an item's rows are, each workbook row once."""
    return "；".join(dict.fromkeys(where(row.source) for row in item.rows))


def _compare_item(region: str, old: CooperationItem, new: CooperationItem) -> list[TableChange]:
    departments = tuple(dict.fromkeys([*_departments(new), *_departments(old)]))
    rows_at = _rows_at(new)

    def change(kind: Kind, departs: tuple[str, ...], **fields: str) -> TableChange:
        return TableChange(region, old.number, new.number, new.name, departs, kind, **fields)

    changes = []
    if old.number != new.number:
        changes.append(
            change(
                Kind.RENUMBERED,
                departments,
                column="序号",
                old=str(old.number),
                new=str(new.number),
                location=rows_at,
            )
        )
    if normalise_name(old.name) != normalise_name(new.name):
        changes.append(
            change(
                Kind.RENAMED,
                departments,
                column="事项",
                old=old.name,
                new=new.name,
                location=rows_at,
            )
        )
    matched, removed, added = pair_up(
        old.rows,
        new.rows,
        lambda row: (department(row.source), normalise_name(row.content)),
        lambda row: normalise_name(row.content),
        score=_row_similarity,
    )
    for i, j in matched:
        a, b = old.rows[i], new.rows[j]
        for column, before, after in _cell_changes(a, b):
            kind = Kind.INCLUSION if column == "是否纳入" else Kind.CELL_CHANGED
            changes.append(
                change(
                    kind,
                    (department(b.source),),
                    column=column,
                    old=before,
                    new=after,
                    location=where(b.source),
                )
            )
    # A row only in the new table is added, one only in the old table removed; the removed
    # row's place is in last time's workbook.
    unmatched = [(Kind.ROW_ADDED, "new", "", new.rows[j]) for j in added]
    unmatched += [(Kind.ROW_REMOVED, "old", "上次：", old.rows[i]) for i in removed]
    for kind, side, place, row in unmatched:
        changes.append(
            change(
                kind,
                (department(row.source),),
                column="对口合作交流内容",
                location=place + where(row.source),
                **{side: row.content},
            )
        )
    return changes


def _row_text(row: CooperationRow) -> str:
    plans = "\n".join(text for _, text in sorted(row.plans.items()))
    return "\n".join((row.content, row.due, plans, row.progress))


def _row_similarity(a: CooperationRow, b: CooperationRow) -> float:
    bonus = SAME_DEPARTMENT_BONUS if department(a.source) == department(b.source) else 0.0
    return similarity(_row_text(a), _row_text(b)) + bonus


def _yes_no(included: bool) -> str:
    return "是" if included else "否"


def _cell_changes(old: CooperationRow, new: CooperationRow) -> list[tuple[str, str, str]]:
    """(column, old text, new text) for each cell that differs, in the workbook's column order."""
    cells = [("对口合作交流内容", old.content, new.content), ("预计完成时间", old.due, new.due)]
    for year in sorted(set(old.plans) | set(new.plans)):
        cells.append((f"{year}年计划", old.plan(year), new.plan(year)))
    cells += [
        ("事项推进情况", old.progress, new.progress),
        ("牵头领导", old.lead_leader, new.lead_leader),
        ("牵头部门", old.lead_department, new.lead_department),
        ("配合部门", old.supporting, new.supporting),
        ("是否纳入", _yes_no(old.included), _yes_no(new.included)),
        ("说明", old.explanation, new.explanation),
    ]
    return [(column, a, b) for column, a, b in cells if a != b]


def _compare_notes(
    region: str, old: Sequence[str], new: Sequence[str], office: str
) -> list[TableChange]:
    _, removed, added = pair_up(old, new, normalise_name)
    departs = (office,) if office else ()
    changes = [
        TableChange(region, None, None, "", departs, Kind.NOTE_ADDED, "注", new=new[j])
        for j in added
    ]
    changes += [
        TableChange(region, None, None, "", departs, Kind.NOTE_REMOVED, "注", old=old[i])
        for i in removed
    ]
    return changes


# ---------------------------------------------------------------- work report

Paragraph = tuple[str, Source | None]  # text, and the row it came from
Heading = tuple[str, str]  # 一级标题, 二级标题 ("" when none)


def _entry_paragraphs(entries: Sequence[ReportEntry]) -> list[Paragraph]:
    return [(text, e.source) for e in entries for text in e.rendered_paragraphs]


def _paragraphs(dossier: Dossier) -> dict[Heading, list[Paragraph]]:
    """The report's paragraphs by heading, in document order; 标题, 导语 and 结束语 as headings
    of their own."""
    report = dossier.report
    if report is None:
        return {}
    settings = report.settings
    office = settings.source
    by_heading: dict[Heading, list[Paragraph]] = {
        ("（标题）", ""): [(settings.title, office)],
        ("（导语）", ""): [(text, office) for text in settings.lead],
    }
    for section in report.sections:
        by_heading[(section.title, "")] = _entry_paragraphs(section.entries)
        for sub in section.subsections:
            by_heading[(section.title, sub.title)] = _entry_paragraphs(sub.entries)
    by_heading[("（结束语）", "")] = [(settings.closing, office)]
    return by_heading


def _compare_report(old: Dossier, new: Dossier) -> list[ReportChange]:
    before, after = _paragraphs(old), _paragraphs(new)
    old_keys = {(normalise_name(a), normalise_name(b)): (a, b) for a, b in before}
    changes: list[ReportChange] = []
    seen: set[Heading] = set()
    for heading, paragraphs in after.items():
        key = (normalise_name(heading[0]), normalise_name(heading[1]))
        old_heading = old_keys.get(key)
        if old_heading is not None:
            seen.add(old_heading)
        previous = before.get(old_heading, []) if old_heading is not None else []
        changes += _compare_paragraphs(heading, previous, paragraphs)
    for heading, paragraphs in before.items():
        if heading not in seen:
            changes += _compare_paragraphs(heading, paragraphs, [])
    return changes


def _compare_paragraphs(
    heading: Heading, old: list[Paragraph], new: list[Paragraph]
) -> list[ReportChange]:
    matched, removed, added = pair_up(
        old, new, lambda p: normalise_name(p[0]), score=lambda a, b: similarity(a[0], b[0])
    )
    keyed: list[tuple[tuple[int, int], ReportChange]] = []
    title, subtitle = heading
    for i, j in matched:
        (before, _), (after, source) = old[i], new[j]
        if normalise_name(before) != normalise_name(after):
            change = ReportChange(
                title,
                subtitle,
                (department(source),),
                Kind.PARAGRAPH_CHANGED,
                before,
                after,
                where(source),
            )
            keyed.append(((j, 0), change))
    for j in added:
        text, source = new[j]
        change = ReportChange(
            title, subtitle, (department(source),), Kind.PARAGRAPH_ADDED, "", text, where(source)
        )
        keyed.append(((j, 1), change))
    for i in removed:
        text, source = old[i]
        change = ReportChange(
            title,
            subtitle,
            (department(source),),
            Kind.PARAGRAPH_REMOVED,
            text,
            "",
            f"上次：{where(source)}",
        )
        keyed.append(((len(new) + i, 2), change))
    return [change for _, change in sorted(keyed, key=lambda k: k[0])]
