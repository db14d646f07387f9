"""Column widths and row heights of the cooperation table, estimated from the texts.

Widths are fitted to the data so long texts get room, empty year columns stay narrow, no header
word breaks (the header is given its lines) and names break between names where the width
allows; heights decide which rows are kept whole on a page.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .line_breaks import breaks_a_name, display_width, packed_lines, word_units


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

# A4 landscape with the template's margins, for a template whose section lost its size.
DEFAULT_PAGE = (16838, 11906)
DEFAULT_MARGINS = (1587, 1417, 1474, 1417)  # top, right, bottom, left
DEFAULT_CELL_PADDING = 108  # Word's default left and right cell margin, each
DEFAULT_FONT_TWIPS = 240  # 小四, 12 pt
DEFAULT_TITLE_TWIPS = 440  # 二号, 22 pt
_SLACK = 0.25  # of a character per line: fonts and line-breaking rules are not exact
LINE_FACTOR = 1.45  # single line spacing of CJK fonts, in font sizes (LibreOffice: 1.43)
ROW_PADDING = 120  # twips: cell margins and borders of one row


class TextCell(NamedTuple):
    """A text as the table will hold it: first grid column, columns spanned, text. (A tuple:
    a table of thousands of rows makes tens of thousands of them.)"""

    start: int
    span: int
    text: str


def column_count(year_count: int) -> int:
    return len(_LEADING) + year_count + len(_TRAILING)


def name_columns(columns: int) -> frozenset[int]:
    """The columns of names and short phrases, which break between words (`name_lines`):
    事项, 预计完成时间, 牵头领导, 牵头部门, 配合部门."""
    return frozenset({1, 3, columns - 3, columns - 2, columns - 1})


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
        math.ceil((shape.min_chars + _SLACK) * char_width) + cell_padding
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
                    trial_widths = _widened(widths, target, chars * char_width)
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
    column = next((c for c in order if layout.cost(_widened(widths, c, rest)) <= cost), order[0])
    return _widened(widths, column, rest)


_MAX_MOVE = 4  # characters: enough to jump over widths that break a name
_MAX_TRADES = 40
# Cost of a layout, in lines: each row's tallest cell (the table's height) plus the square of
# every cell's lines, so one very tall narrow cell costs more than several short ones.
_ROW_WEIGHT = 10
_HEADER_PENALTY = 10**9
_NAME_BREAK_COST = 6 * _ROW_WEIGHT  # a name broken inside weighs as six lines more


def _widened(widths: list[int], column: int, extra: int) -> list[int]:
    trial = list(widths)
    trial[column] += extra
    return trial


class _CellGroup:
    """The cells at one grid position (first column, span) in every row of the table."""

    def __init__(
        self, start: int, span: int, rows: np.ndarray, line_widths: np.ndarray, owners: np.ndarray
    ) -> None:
        self.start = start
        self.span = span
        self.rows = rows  # the row of each cell
        self._line_widths = line_widths  # every line of every cell, in em
        self._owners = owners  # the cell each line belongs to
        self._lines: dict[int, np.ndarray] = {}
        self._squares: dict[int, int] = {}

    def lines(self, per_line: int) -> np.ndarray:
        """Each cell's lines when `per_line` em fit a line (as `_cell_lines`)."""
        lines = self._lines.get(per_line)
        if lines is None:
            wrapped = np.maximum(1.0, np.ceil(self._line_widths / per_line))
            counts = np.bincount(self._owners, weights=wrapped, minlength=len(self.rows))
            lines = counts.astype(np.int64)
            self._lines[per_line] = lines
            self._squares[per_line] = int((lines * lines).sum())
        return lines

    def squares(self, per_line: int) -> int:
        """The sum of the squares of the cells' lines (after `lines` for the same `per_line`)."""
        return self._squares[per_line]


class TableTexts:
    """The table's texts, measured once, for comparing candidate column widths.

    `cost` is evaluated some thousand times per table, so it works on arrays: cells are grouped
    by their grid position (first column, span), and each group's line counts for a number of
    characters per line are computed once and cached.
    """

    def __init__(
        self,
        rows: Sequence[Sequence[TextCell]],
        header: Sequence[TextCell],
        char_width: int,
        cell_padding: int,
        minimums: list[int],
    ) -> None:
        self.char_width = char_width
        self.cell_padding = cell_padding
        # The header row's lines are counted from its words (`header_lines`), not here.
        all_rows = [*([()] if header else []), *rows]
        self.row_count = len(all_rows)
        # (start, span) → row index of each cell, and its lines' widths flattened with the
        # index of the cell each line belongs to.
        positions: dict[tuple[int, int], tuple[list[int], list[float], list[int]]] = {}
        for index, row in enumerate(all_rows):
            for cell in row:
                key = (cell.start, cell.span)
                group = positions.get(key)
                if group is None:
                    group = positions[key] = ([], [], [])
                row_indexes, line_widths, owners = group
                owner = len(row_indexes)
                row_indexes.append(index)
                for width in _line_widths(cell.text):
                    line_widths.append(width)
                    owners.append(owner)
        self.groups = [
            _CellGroup(
                start,
                span,
                np.array(row_indexes, dtype=np.intp),
                np.array(line_widths, dtype=np.float64),
                np.array(owners, dtype=np.intp),
            )
            for (start, span), (row_indexes, line_widths, owners) in positions.items()
        ]
        # The header's words never break (牵头/领导, 2023年/计划): the renderer is given its lines.
        self.header = [(cell.start, cell.span, word_units(cell.text)) for cell in header]
        # Names and short phrases break between words where the width allows (`name_columns`):
        # each column's texts and how often each occurs.
        self.name_columns = name_columns(len(minimums))
        self.names: dict[int, dict[str, int]] = {}
        for row in rows:
            for cell in row:
                if cell.span == 1 and cell.start in self.name_columns and cell.text:
                    texts = self.names.setdefault(cell.start, {})
                    texts[cell.text] = texts.get(cell.text, 0) + 1
        self._broken_names: dict[tuple[int, int], int] = {}
        self._costs: dict[tuple[int, ...], int] = {}  # the search tries some widths again
        self._header_costs: dict[tuple[int, ...], tuple[bool, int, int]] = {}

    def header_lines(self, widths: list[int]) -> list[tuple[int, list[str] | None]]:
        """Each header cell's first column and its lines at `widths` (None: a word too wide)."""
        return [
            (start, _packed(units, self._per_line(widths, start, span)))
            for start, span, units in self.header
        ]

    def _per_line(self, widths: list[int], start: int, span: int) -> int:
        return _chars_per_line(
            sum(widths[start : start + span]), self.char_width, self.cell_padding
        )

    def _rooms(self, widths: list[int]) -> list[int]:
        """Characters a line holds in each column: `_per_line` of every one-column cell."""
        return [_chars_per_line(width, self.char_width, self.cell_padding) for width in widths]

    def _header_cost(self, widths: list[int], rooms: list[int]) -> tuple[bool, int, int]:
        """Whether a header word breaks, the header's most lines, and the sum of their squares."""
        key = tuple(
            rooms[start] if span == 1 else self._per_line(widths, start, span)
            for start, span, _ in self.header
        )
        known = self._header_costs.get(key)
        if known is None:
            header = [
                _packed(units, room) for (_, _, units), room in zip(self.header, key, strict=True)
            ]
            if any(lines is None for lines in header):
                known = (True, 0, 0)
            else:
                known = (False, max(map(len, header), default=0), sum(len(h) ** 2 for h in header))
            self._header_costs[key] = known
        return known

    def cost(self, widths: list[int]) -> int:
        """How tall and how cramped the table is (see `_ROW_WEIGHT`), plus the names broken
        inside; a layout that breaks a header word costs more than any other."""
        key = tuple(widths)
        known = self._costs.get(key)
        if known is None:
            known = self._costs[key] = self._cost(widths)
        return known

    def widening_costs(self, widths: list[int], column: int, extras: Sequence[int]) -> list[int]:
        """`cost` of `widths` with `column` widened by each of `extras`. The grid positions
        that do not cover `column` keep their lines: their rows' tallest cells are found once."""
        covering = [g for g in self.groups if g.start <= column < g.start + g.span]
        others = [g for g in self.groups if g not in covering]
        base = self._lines(widths, others)
        costs = []
        for extra in extras:
            trial = _widened(widths, column, extra)
            key = tuple(trial)
            known = self._costs.get(key)
            if known is None:
                rooms = self._rooms(trial)
                tallest, squares = self._lines(trial, covering, base, rooms)
                known = self._costs[key] = self._total(trial, tallest, squares, rooms)
            costs.append(known)
        return costs

    def _cost(self, widths: list[int]) -> int:
        return self._total(widths, *self._lines(widths, self.groups))

    def _total(
        self, widths: list[int], tallest: np.ndarray, squares: int, rooms: list[int] | None = None
    ) -> int:
        total = int(tallest.sum()) * _ROW_WEIGHT + squares if self.row_count else 0
        rooms = rooms or self._rooms(widths)
        broken_header, most, header_squares = self._header_cost(widths, rooms)
        if broken_header:
            total += _HEADER_PENALTY
        elif self.header:
            total += max(0, most - int(tallest[0])) * _ROW_WEIGHT + header_squares
        for column, texts in self.names.items():
            per_line = rooms[column]
            key = (column, per_line)
            broken = self._broken_names.get(key)
            if broken is None:
                broken = sum(n for text, n in texts.items() if breaks_a_name(text, per_line))
                self._broken_names[key] = broken
            total += broken * _NAME_BREAK_COST
        return total

    def chars_per_line(self, widths: list[int], column: int) -> int:
        """How many characters a line of `column` holds at `widths`, as the costs count them."""
        return self._per_line(widths, column, 1)

    def tallest(self, widths: list[int]) -> list[int]:
        """Lines of each row's tallest cell (header first, as given), as `row_height` counts."""
        return self._lines(widths, self.groups)[0].tolist()

    def _lines(
        self,
        widths: list[int],
        groups: Sequence[_CellGroup],
        start: tuple[np.ndarray, int] | None = None,
        rooms: list[int] | None = None,
    ) -> tuple[np.ndarray, int]:
        """Each row's tallest cell in lines, and the sum of the squares of the cells' lines, of
        the cells of `groups` (and those already counted in `start`)."""
        if start is None:
            tallest = np.ones(self.row_count, dtype=np.int64)  # an empty row is one line
            squares = 0
        else:
            tallest, squares = start[0].copy(), start[1]
        rooms = rooms or self._rooms(widths)
        for group in groups:
            if group.span == 1:
                per_line = rooms[group.start]
            else:
                per_line = self._per_line(widths, group.start, group.span)
            lines = group.lines(per_line)
            # A row holds at most one cell of a grid position: plain fancy indexing is safe.
            tallest[group.rows] = np.maximum(tallest[group.rows], lines)
            squares += group.squares(per_line)
        return tallest, squares


@functools.cache
def _packed(units: tuple[str, ...], per_line: int) -> list[str] | None:
    """`packed_lines`, remembered: the cost of a layout asks for it thousands of times."""
    return packed_lines(units, per_line)


def _exact(raw: list[float], total: int) -> list[int]:
    widths = [math.floor(value) for value in raw]
    widths[CONTENT_COLUMN] += total - sum(widths)
    return widths


def _line_widths(text: str) -> tuple[float, ...]:
    if "\n" not in text:  # most cells
        return (display_width(text),)
    return tuple(display_width(line) for line in text.split("\n"))


def _chars_per_line(width: int, char_width: int, cell_padding: int) -> int:
    return max(1, math.floor((width - cell_padding) / char_width - _SLACK))


def _cell_lines(line_widths: tuple[float, ...], per_line: int) -> int:
    return sum(max(1, math.ceil(w / per_line)) for w in line_widths)


def _row_lines(
    row: Sequence[tuple[int, int, tuple[float, ...]]],
    widths: list[int],
    char_width: int,
    cell_padding: int,
) -> list[int]:
    lines = []
    for start, span, line_widths in row:
        per_line = _chars_per_line(sum(widths[start : start + span]), char_width, cell_padding)
        lines.append(_cell_lines(line_widths, per_line))
    return lines


def row_height(
    cells: Sequence[TextCell], widths: list[int], char_width: int, cell_padding: int
) -> float:
    """Estimated height in twips of a row holding `cells`."""
    measured = [(cell.start, cell.span, _line_widths(cell.text)) for cell in cells]
    lines = max(_row_lines(measured, widths, char_width, cell_padding), default=1)
    return lines * char_width * LINE_FACTOR + ROW_PADDING


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
