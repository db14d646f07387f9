"""A table's header row: found when a column or two is missing or misspelled, and each missing
column named once, with the header cell that looks like its misspelling.

The header is the first of the first rows that holds every required column, as always. When
no row does, it is the row with the most of the sheet's column names (exact, or close enough
to a missing one), provided names make up at least half of its filled cells: a data row may
hold one value that equals a column name, never mostly names.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from .. import contract
from ..problems import Level, Location, Problem, error
from .records import LoadedSheet

NEAR_ENOUGH = 0.5  # difflib's ratio: 牵头部们 ~ 牵头部门 is 0.75, 备注 ~ 说明 is 0
CONTAINED = 0.6  # 内容 for 对口合作交流内容, 牵头部门（必填） for 牵头部门
LONGEST_NAME = 20  # longer text in a header cell is a title or a note, not a misspelled name


def known_column(spec: contract.TableSheet, name: str) -> bool:
    if name in spec.names:
        return True
    return spec.name == contract.COOPERATION and contract.YEAR_PLAN.match(name) is not None


def find_header(rows: Sequence[Sequence[str]], spec: contract.TableSheet) -> int | None:
    """The 0-based index of the header among `rows` (each row's cells as compared names, ""
    where blank), or None when no row looks like one."""
    for index, names in enumerate(rows):
        if all(name in names for name in spec.required):
            return index
    best, best_score = None, 0
    for index, names in enumerate(rows):
        filled = [name for name in names if name]
        known = {name for name in filled if known_column(spec, name)}
        if not known:
            continue
        unknown = {i: name for i, name in enumerate(names) if name and name not in known}
        score = len(known) + len(near_names(unknown, [n for n in spec.names if n not in known]))
        if score * 2 >= len(filled) and score > best_score:
            best, best_score = index, score
    return best


def likeness(written: str, expected: str) -> float:
    ratio = difflib.SequenceMatcher(None, written, expected).ratio()
    if expected in written or written in expected:
        ratio = max(ratio, CONTAINED)
    return ratio


def near_names(unknown: dict[int, str], expected: Sequence[str]) -> dict[int, str]:
    """Unknown header names (by column) → the expected name each most likely misspells; each
    name taken once, the closest pairs first."""
    pairs = []
    for column, written in unknown.items():
        if len(written) > LONGEST_NAME:
            continue
        for order, name in enumerate(expected):
            score = likeness(written, name)
            if score >= NEAR_ENOUGH:
                pairs.append((-score, order, column, name))
    found: dict[int, str] = {}
    for _, _, column, name in sorted(pairs):
        if column not in found and name not in found.values():
            found[column] = name
    return found


# ---------------------------------------------------------------- what the clerk reads


def _blank_workbook(sheet: str, department: str) -> str:
    if sheet in contract.DEPARTMENT_SHEETS:
        return f"下载空白报送表（网页上的「下载空白报送表」，或 pipeline init {department}）"
    return "下载空白的 报告信息.xlsx（网页上的「空白工作簿」，或 pipeline init --office）"


def missing_column(sheet: LoadedSheet, name: str, level: Level = Level.ERROR) -> Problem:
    """One problem for a column of the contract that `sheet`'s header lacks: where the header
    is, the header cell that looks like its misspelling, and what to do."""
    column = contract.TABLE_SHEETS[sheet.sheet].column(name)
    why = f"（{column.needed_when}）" if column is not None and column.needed_when else ""
    blank = _blank_workbook(sheet.sheet, sheet.department)
    misnamed = sheet.missing.get(name)
    if misnamed is None:
        where = Location(sheet.file, sheet.title, f"行{sheet.header_row}", name)
        text = (
            f"缺少列「{name}」{why}。表头在第 {sheet.header_row} 行，其中没有这一列。"
            f"请在表头中恢复这一列并填写，或{blank}对照表头。"
        )
    else:
        where = Location(sheet.file, sheet.title, misnamed.cell, misnamed.written)
        text = (
            f"缺少列「{name}」{why}：表头（第 {sheet.header_row} 行）中的"
            f"「{misnamed.written}」应为「{name}」？这一列未读取。"
            f"请把列名改为「{name}」，或{blank}对照表头。"
        )
    return Problem(level, where, text)


def no_header(file: str, title: str, spec: contract.TableSheet, department: str) -> Problem:
    return error(
        Location(file, title),
        f"前 {contract.HEADER_SEARCH_ROWS} 行中找不到表头：没有一行像是这张表的列名。必填列为："
        + "、".join(spec.required)
        + "；列名应为："
        + "、".join(spec.names)
        + f"。请在数据上方恢复表头行，或{_blank_workbook(spec.name, department)}对照表头。",
    )
