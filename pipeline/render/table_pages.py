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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .table_cuts import RowPiece

# A page's end left blank when an item does not fit its rest: below this fraction of a page the
# item moves to the next page whole; above it, the page is filled.
GAP_FRACTION = 0.15
# A row is cut only where each of its pieces keeps at least this many lines.
MIN_PIECE_LINES = 2
# Lines of every page left free for what the estimate does not see (rounding, a line that
# wraps once more than counted).
SPARE_LINES = 1


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
    """A row as the plan sees it (`table_cuts.RowLines`)."""

    cuttable: bool

    @property
    def lines(self) -> int: ...

    @property
    def least_lines(self) -> int: ...

    def cut(self, lines: int) -> RowPiece: ...

    def rest(self) -> RowPiece: ...


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
) -> list[list[Piece]]:
    """For each item, its rows as pieces, in order (rows are cut where the plan says).

    `first_room`: the height left for rows on the first page; `page_room`: on the next pages,
    under the repeated header (twips, like `geometry`).
    """
    spare = SPARE_LINES * geometry.pitch
    page_room -= spare
    room, fresh = first_room - spare, False  # fresh: nothing is on the page yet
    gap = GAP_FRACTION * page_room
    planned: list[list[Piece]] = []
    for rows in items:
        pieces: list[Piece] = []
        total = sum(geometry.height(row.lines) for row in rows)
        if not fresh and total > room and room < gap:
            room, fresh = page_room, True  # the item starts the next page
        opens_part = False
        for index, row in enumerate(rows):
            while True:
                height = geometry.height(row.lines)
                if height <= room:
                    pieces.append(Piece(index, row.rest(), opens_part))
                    room -= height
                    fresh = opens_part = False
                    break
                # A cut is only worth it where the piece holds more than what every piece
                # shows (序号 and 事项) and leaves a shorter rest.
                fitting = min(geometry.lines_fitting(room), row.lines - MIN_PIECE_LINES)
                least = max(MIN_PIECE_LINES, row.least_lines)
                if row.cuttable and fitting >= least and (fresh or room >= gap):
                    pieces.append(Piece(index, row.cut(fitting), opens_part))
                elif fresh:  # nothing better fits a page: the renderer has to cut the row
                    pieces.append(Piece(index, row.rest(), opens_part))
                    room, fresh, opens_part = 0.0, False, False
                    break
                room, fresh = page_room, True
                opens_part = bool(pieces)
        planned.append(pieces)
    return planned
