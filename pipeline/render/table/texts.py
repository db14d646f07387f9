"""The cooperation table's texts, measured once, and the cost of a layout of column widths.

`widths` searches for the widths; this module says what a candidate costs: how tall the
table gets, how cramped its cells are, and whether a header word or a name breaks inside.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ..line_breaks import SLACK, breaks_a_name, display_width, packed_lines, word_units


class TextCell(NamedTuple):
    """A text as the table will hold it: first grid column, columns spanned, text. (A tuple:
    a table of thousands of rows makes tens of thousands of them.)"""

    start: int
    span: int
    text: str


def name_columns(columns: int) -> frozenset[int]:
    """The columns of names and short phrases, which break between words (`name_lines`):
    事项, 预计完成时间, 牵头领导, 牵头部门, 配合部门."""
    return frozenset({1, 3, columns - 3, columns - 2, columns - 1})


# Cost of a layout, in lines: each row's tallest cell (the table's height) plus the square of
# every cell's lines, so one very tall narrow cell costs more than several short ones.
_ROW_WEIGHT = 10
_HEADER_PENALTY = 10**9
_NAME_BREAK_COST = 6 * _ROW_WEIGHT  # a name broken inside weighs as six lines more


def widened(widths: list[int], column: int, extra: int) -> list[int]:
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
        """Each cell's lines when `per_line` em fit a line: each of its own lines wrapped."""
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
        # Each distinct text's own lines' widths, measured once: the rows' lines at the final
        # widths (`cuts.cell_lines`) start from them too.
        self.text_widths: dict[str, tuple[float, ...]] = {}
        # (start, span) → row index of each cell, and its lines' widths flattened with the
        # index of the cell each line belongs to.
        positions: dict[tuple[int, int], tuple[list[int], list[float], list[int]]] = {}
        for index, row in enumerate(all_rows):
            for cell in row:
                key = (cell.start, cell.span)
                group = positions.get(key)
                if group is None:
                    group = positions[key] = ([], [], [])
                row_indexes, widths_of_lines, owners = group
                owner = len(row_indexes)
                row_indexes.append(index)
                widths = self.text_widths.get(cell.text)
                if widths is None:
                    widths = self.text_widths[cell.text] = line_widths(cell.text)
                for width in widths:
                    widths_of_lines.append(width)
                    owners.append(owner)
        self.groups = [
            _CellGroup(
                start,
                span,
                np.array(row_indexes, dtype=np.intp),
                np.array(widths_of_lines, dtype=np.float64),
                np.array(owners, dtype=np.intp),
            )
            for (start, span), (row_indexes, widths_of_lines, owners) in positions.items()
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

    def header_lines(
        self, widths: list[int], rooms: list[int] | None = None
    ) -> list[tuple[int, list[str] | None]]:
        """Each header cell's first column and its lines at `widths` (None: a word too wide);
        `rooms`: `_rooms(widths)`, when already known."""
        rooms = rooms or self._rooms(widths)
        return [
            (
                start,
                _packed(units, rooms[start] if span == 1 else self._per_line(widths, start, span)),
            )
            for start, span, units in self.header
        ]

    def _per_line(self, widths: list[int], start: int, span: int) -> int:
        return chars_per_line(sum(widths[start : start + span]), self.char_width, self.cell_padding)

    def _rooms(self, widths: list[int]) -> list[int]:
        """Characters a line holds in each column: `_per_line` of every one-column cell."""
        return [chars_per_line(width, self.char_width, self.cell_padding) for width in widths]

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
            trial = widened(widths, column, extra)
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
        header = [lines for _, lines in self.header_lines(widths, rooms)]
        if any(lines is None for lines in header):
            total += _HEADER_PENALTY
        elif header:
            most = max(len(lines) for lines in header)
            total += max(0, most - int(tallest[0])) * _ROW_WEIGHT + sum(
                len(lines) ** 2 for lines in header
            )
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
        """Lines of each row's tallest cell (header first, as given)."""
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


def line_widths(text: str) -> tuple[float, ...]:
    if "\n" not in text:  # most cells
        return (display_width(text),)
    return tuple(display_width(line) for line in text.split("\n"))


def chars_per_line(width: int, char_width: int, cell_padding: int) -> int:
    return max(1, math.floor((width - cell_padding) / char_width - SLACK))


def filled_chars(width: int, char_width: int, cell_padding: int) -> int:
    """How many characters a renderer sets on a line of a cell `width` wide: every one of its
    ems, without the slack the widths keep."""
    return max(1, math.floor((width - cell_padding) / char_width + 1e-9))
