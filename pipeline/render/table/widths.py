"""Column widths and row heights of the cooperation table, estimated from the texts.

Widths are fitted to the data so long texts get room, empty year columns stay narrow, no header
word breaks (the header is given its lines) and names break between words where the width
allows; heights decide which rows are kept whole on a page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..line_breaks import SLACK
from ..page import DEFAULT_CELL_PADDING, DEFAULT_FONT_TWIPS
from .texts import TableTexts, TextCell, widened


# Columns before and after the year columns; widths are in characters of the table font.
# The minimums hold each header in at most two lines; the weights share what the data leaves.
@dataclass(frozen=True)
class _ColumnShape:
    min_chars: int
    weight: float


_LEADING = (
    _ColumnShape(2, 0.0),  # 序号
    _ColumnShape(3, 0.4),  # 事项
    _ColumnShape(5, 2.5),  # 对口合作交流内容
    _ColumnShape(3, 0.2),  # 预计完成时间
)
_YEAR = _ColumnShape(4, 2.0)  # {年}年计划
_TRAILING = (
    _ColumnShape(6, 2.5),  # 事项推进情况
    _ColumnShape(3, 0.1),  # 牵头领导
    _ColumnShape(3, 0.4),  # 牵头部门
    _ColumnShape(3, 0.4),  # 配合部门
)
CONTENT_COLUMN = 2
# 序号, 事项 and 对口合作交流内容 keep their cells in a row not included; 说明 spans the rest.
KEPT_WHEN_EXCLUDED = 3

LINE_FACTOR = 1.45  # single line spacing of CJK fonts, in font sizes (LibreOffice: 1.43)
ROW_BORDER = 12  # twips a row takes beyond its lines and cell margins: a border, rounding


def column_count(year_count: int) -> int:
    return len(_LEADING) + year_count + len(_TRAILING)


def column_widths(
    year_count: int,
    text_width: int,
    *,
    char_width: int = DEFAULT_FONT_TWIPS,
    cell_padding: int = 2 * DEFAULT_CELL_PADDING,
    rows: Sequence[Sequence[TextCell]] = (),
    header: Sequence[TextCell] = (),
) -> list[int]:
    """Widths in twips of all columns, summing exactly to `text_width`.

    Every column first gets its minimum. Given the table's texts (`rows`, `header`), the spare
    width goes a character or a few at a time to the column where it makes the table least
    tall and cramped (`TableTexts.cost`), so long texts get room and empty year columns stay
    narrow; what is left once no column gains is shared by weight.
    No column is narrower than a word of its header (`牵头/领导`, `2023年/计划`) where that
    can be avoided, and names (`市容环卫处、废管中心`) break between names where the width allows. When even the minimums do not fit (a long period), all columns shrink in
    proportion: the table never runs past the margin.
    """
    minimums = minimum_widths(year_count, char_width, cell_padding)
    layout = TableTexts(rows, header, char_width, cell_padding, minimums)
    return fitted_widths(layout, year_count, text_width, minimums)


def minimum_widths(year_count: int, char_width: int, cell_padding: int) -> list[int]:
    return [
        math.ceil((shape.min_chars + SLACK) * char_width) + cell_padding
        for shape in _shapes(year_count)
    ]


def _shapes(year_count: int) -> list[_ColumnShape]:
    return [*_LEADING, *([_YEAR] * year_count), *_TRAILING]


def fitted_widths(
    layout: TableTexts, year_count: int, text_width: int, minimums: list[int]
) -> list[int]:
    """`column_widths` for texts already measured in `layout`."""
    char_width = layout.char_width
    shapes = _shapes(year_count)
    spare = text_width - sum(minimums)
    if spare < 0:
        return _exact([m * text_width / sum(minimums) for m in minimums], text_width)

    widths = list(minimums)
    cost = layout.cost(widths)
    # Gain lines first: the move (column, characters) that saves most per character.
    while spare >= char_width:
        best: tuple[float, int, int, int] | None = None  # (saving per char, column, chars, cost)
        moves = [chars for chars in range(1, _MAX_MOVE + 1) if chars * char_width <= spare]
        for column in range(len(widths)):
            trials = layout.widening_costs(widths, column, [c * char_width for c in moves])
            for chars, trial in zip(moves, trials, strict=True):
                saving = (cost - trial) / chars
                if saving > 0 and (best is None or saving > best[0]):
                    best = (saving, column, chars, trial)
        if best is None:
            break
        _, column, chars, cost = best
        widths[column] += chars * char_width
        spare -= chars * char_width

    # Share the rest by weight, a character at a time, where it does not cost lines.
    total_weight = sum(shape.weight for shape in shapes)
    shares = [spare * shape.weight / total_weight for shape in shapes]
    given = [0] * len(widths)
    while spare >= char_width:
        choices = []
        moves = [chars for chars in range(1, _MAX_MOVE + 1) if chars * char_width <= spare]
        for column in range(len(widths)):
            trials = layout.widening_costs(widths, column, [c * char_width for c in moves])
            deficit = shares[column] - given[column]
            for chars, trial in zip(moves, trials, strict=True):
                choices.append((max(trial - cost, 0), -deficit, chars, column, trial))
        _, _, chars, column, trial = min(choices)
        widths[column] += chars * char_width
        given[column] += chars * char_width
        spare -= chars * char_width
        cost = trial

    # Then trade characters between columns while that still helps (it also mends what the
    # greedy steps above left: a name broken inside).
    for _ in range(_MAX_TRADES):
        best_trade: tuple[int, int, int, list[int]] | None = None
        for source in range(len(widths)):
            for chars in range(1, _MAX_MOVE + 1):
                if widths[source] - chars * char_width < minimums[source]:
                    break
                for target in range(len(widths)):
                    if target == source:
                        continue
                    trial_widths = widened(widths, target, chars * char_width)
                    trial_widths[source] -= chars * char_width
                    trial = layout.cost(trial_widths)
                    if trial < cost and (best_trade is None or trial < best_trade[0]):
                        best_trade = (trial, source, target, trial_widths)
        if best_trade is None:
            break
        cost, _, _, widths = best_trade

    # The last part of a character goes where it changes nothing, the content column if it can.
    rest = text_width - sum(widths)
    order = [CONTENT_COLUMN, *(c for c in range(len(widths)) if c != CONTENT_COLUMN)]
    column = next((c for c in order if layout.cost(widened(widths, c, rest)) <= cost), order[0])
    return widened(widths, column, rest)


_MAX_MOVE = 4  # characters: enough to jump over widths that break a name
_MAX_TRADES = 40


def _exact(raw: list[float], total: int) -> list[int]:
    widths = [math.floor(value) for value in raw]
    widths[CONTENT_COLUMN] += total - sum(widths)
    return widths


@dataclass(frozen=True)
class RowView:
    """One table row as the template shows it: texts cleaned for the document, the item's
    序号 and 事项, and where the row stands in its item."""

    number: int
    name: str
    content: str
    due: str
    plans: list[str]  # one text per plan year, in the order of the years
    progress: str
    lead_leader: str
    lead_department: str
    supporting: str
    included: bool
    explanation: str
    first_in_item: bool
    item_row_count: int


def row_cells(view: RowView, year_count: int) -> list[TextCell]:
    """The texts of one table row in their grid positions."""
    cells = [TextCell(CONTENT_COLUMN, 1, view.content)]
    # The 序号 and 事项 of an item of several rows sit in one merged cell shared by its rows.
    if view.item_row_count == 1:
        cells += [TextCell(0, 1, str(view.number)), TextCell(1, 1, view.name)]
    if not view.included:
        span = column_count(year_count) - KEPT_WHEN_EXCLUDED
        return [*cells, TextCell(KEPT_WHEN_EXCLUDED, span, view.explanation)]
    values = [view.due, *view.plans, view.progress, view.lead_leader]
    values += [view.lead_department, view.supporting]
    for offset, value in enumerate(values):
        cells.append(TextCell(KEPT_WHEN_EXCLUDED + offset, 1, value))
    return cells
