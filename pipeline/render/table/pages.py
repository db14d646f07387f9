"""Where the cooperation table's pages will break, estimated, so that pages are filled and no
page starts inside an item without showing which item it is.

An item is kept whole on a page when it fits the rest of the page, or when the rest is small:
then it starts the next page and leaves that small gap. Otherwise the page is filled: the rows
that fit, then the next row cut between two of its lines. What follows goes to the next page
as a part of its own, which repeats the item's 序号 and 事项 with a 续 mark. A row taller than
a page is cut the same way, as often as it takes.

Each piece of a row is kept whole on a page, and each part's pieces together (`w:keepNext`):
if the estimate is a line or two off, a part moves to the next page rather than starting a
page inside an item, so every page keeps a line to spare (`SPARE_LINES`).

The last page is not left holding a scrap (the last lines of an item under the header): when
what it holds is under a fifth of a page, the page before it is planned again shorter, so that
more goes over, as long as that page stays at most `MOST_BLANK` blank. When no such plan
exists the scrap stays: a page that empty would be worse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .cuts import RowPiece

# A page's end left blank when an item does not fit its rest: below this fraction of a page the
# item moves to the next page whole; above it, the page is filled.
GAP_FRACTION = 0.15
# A row is cut only where each of its pieces keeps at least this many lines.
MIN_PIECE_LINES = 2
# Lines of every page left free for what the estimate does not see (rounding, a line that
# wraps once more than counted).
SPARE_LINES = 1
# The last page of a table of several holds at least this fraction of a page, the notes under
# the table included, and a line more for the estimate's errors.
LAST_PAGE_FRACTION = 0.2
# ...if the page before it can give up the lines and stay at most this much blank.
MOST_BLANK = 0.22


@dataclass(frozen=True)
class RowGeometry:
    """How tall a row of `lines` lines is: `lines * pitch + padding` (twips)."""

    pitch: float  # one line of the table text
    padding: float  # a row's cell margins and border

    def height(self, lines: int) -> float:
        return lines * self.pitch + self.padding

    def lines_fitting(self, room: float) -> int:
        return max(0, int((room - self.padding) // self.pitch))


class CuttableRow(Protocol):
    """A row as the plan sees it (`cuts.RowLines`)."""

    cuttable: bool

    @property
    def lines(self) -> int: ...

    @property
    def least_lines(self) -> int: ...

    def cut(self, lines: int) -> RowPiece: ...

    def rest(self) -> RowPiece: ...

    def state(self) -> object: ...

    def restore(self, state: object) -> None: ...


@dataclass(frozen=True)
class Piece:
    """A piece of the item's row `row`, as one table row. `opens_part`: the piece starts a
    page in the middle of its item, so it shows the item's 序号 and 事项 again, marked 续."""

    row: int
    content: RowPiece
    opens_part: bool = False


def plan_pieces(
    items: Sequence[Sequence[CuttableRow]],
    first_room: float,
    page_room: float,
    geometry: RowGeometry,
    after: float = 0.0,
) -> list[list[Piece]]:
    """For each item, its rows as pieces, in order (rows are cut where the plan says).

    `first_room`: the height left for rows on the first page; `page_room`: on the next pages,
    under the repeated header; `after`: the height of what follows the table on its last page
    (twips, like `geometry`).
    """
    states = [[row.state() for row in rows] for rows in items]
    plan = _Plan(items, first_room, page_room, geometry)
    target = LAST_PAGE_FRACTION * page_room + geometry.pitch
    missing = target - (plan.page_room - plan.left[-1] + after)
    if len(plan.left) < 2 or missing <= 0:
        return plan.pieces
    before = len(plan.left) - 2  # the page that gives up lines
    need = math.ceil(missing / geometry.pitch)
    for lines in range(need, need + 3):  # a cut may fall a line or two from where it is asked
        for rows, row_states in zip(items, states, strict=True):
            for row, state in zip(rows, row_states, strict=True):
                row.restore(state)
        again = _Plan(items, first_room, page_room, geometry, {before: lines * geometry.pitch})
        blank = again.left[before] + lines * geometry.pitch + again.spare
        if len(again.left) != len(plan.left) or blank > MOST_BLANK * page_room:
            break  # shorter still, it would only be emptier
        if again.page_room - again.left[-1] + after >= target:
            return again.pieces
    return plan.pieces  # pieces are ranges of the rows' texts: planned once, they stay valid


class _Plan:
    """The pieces, planned page by page; `left`: the room left at the end of each page.
    `shorter`: pages (numbered from 0) planned that much shorter."""

    def __init__(
        self,
        items: Sequence[Sequence[CuttableRow]],
        first_room: float,
        page_room: float,
        geometry: RowGeometry,
        shorter: dict[int, float] | None = None,
    ) -> None:
        self.geometry = geometry
        self.shorter = shorter or {}
        self.spare = SPARE_LINES * geometry.pitch
        self.page_room = page_room - self.spare
        self.left: list[float] = []
        self.room, self.fresh = first_room - self.spare - self.shorter.get(0, 0.0), False
        self.pieces = [self._item(rows) for rows in items]
        self.left.append(self.room)

    def _next_page(self) -> None:
        self.left.append(self.room)
        self.room = self.page_room - self.shorter.get(len(self.left), 0.0)
        self.fresh = True  # nothing is on the page yet

    def _item(self, rows: Sequence[CuttableRow]) -> list[Piece]:
        geometry = self.geometry
        gap = GAP_FRACTION * self.page_room
        pieces: list[Piece] = []
        total = sum(geometry.height(row.lines) for row in rows)
        if not self.fresh and total > self.room and self.room < gap:
            self._next_page()  # the item starts the next page
        opens_part = False
        for index, row in enumerate(rows):
            while True:
                height = geometry.height(row.lines)
                if height <= self.room:
                    pieces.append(Piece(index, row.rest(), opens_part))
                    self.room -= height
                    self.fresh = opens_part = False
                    break
                # A cut is only worth it where the piece holds more than what every piece
                # shows (序号 and 事项) and leaves a shorter rest.
                fitting = min(geometry.lines_fitting(self.room), row.lines - MIN_PIECE_LINES)
                least = max(MIN_PIECE_LINES, row.least_lines)
                if row.cuttable and fitting >= least and (self.fresh or self.room >= gap):
                    pieces.append(Piece(index, row.cut(fitting), opens_part))
                    self.room -= geometry.height(fitting)  # what the page leaves blank
                elif self.fresh:  # nothing better fits a page: the renderer has to cut the row
                    pieces.append(Piece(index, row.rest(), opens_part))
                    self.room, self.fresh, opens_part = 0.0, False, False
                    break
                self._next_page()
                opens_part = bool(pieces)
        return pieces
