"""A table row's texts as lines, and the row cut between two of its lines, so that a row too
tall for the rest of a page fills it and goes on at the top of the next (`pages`).

Each cell's lines are counted as a renderer fills them (`FilledText`; names and short
phrases in the lines `name_lines` gives them). A row is cut where the renderer breaks its
lines, so a page break in Chinese text falls where a line break would; a Latin word or a number
is kept whole (`_word_end`). Pieces are ranges of the cell's own
text, so the document's runs, with their formatting, are cut at the same characters
(`cut_cell_runs`).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..line_breaks import NO_LINE_START, FilledText, packed_lines, word_units
from ..wordml import XML_SPACE, P, local_name, w_name
from .texts import TextCell, line_widths

# A piece's last line ends this many characters before the estimate says it is full.
_CUT_MARGIN = 2
# A cut moves back at most this many characters to keep a Latin word or a number whole
# (a longer one the renderer breaks too).
_WORD_BACKTRACK = 12


@dataclass(slots=True)
class CellLines:
    """A cell's text and where each of its lines after the first begins: (end of the line
    before, start of this line); they differ where a line break of the text is dropped."""

    start: int
    span: int
    text: str
    breaks: tuple[tuple[int, int], ...]
    names: bool  # broken between words, as `name_lines` breaks names
    # The cell's whole text, of which `text` is the end, and where `text` begins in it; None
    # until a cut needs it (`text` is then the whole text).
    filled: FilledText | None
    offset: int = 0

    @property
    def lines(self) -> int:
        return len(self.breaks) + 1 if self.text else 1


def cell_lines(
    cell: TextCell, per_line: int, *, names: bool, widths: tuple[float, ...] | None = None
) -> CellLines:
    """`widths`: those of the text's own lines (`texts.line_widths`), when already measured."""
    if max(widths or line_widths(cell.text)) <= per_line:
        # Most cells: each of the text's own lines fits one line of the cell.
        breaks, filled = tuple((at - 1, at) for at in _own_line_starts(cell.text)), None
    else:
        breaks, filled = _filled(cell.text, per_line, names)
    return CellLines(cell.start, cell.span, cell.text, breaks, names, filled)


@functools.lru_cache(maxsize=4096)  # names, dates and short phrases recur from row to row
def _filled(
    text: str, per_line: int, names: bool
) -> tuple[tuple[tuple[int, int], ...], FilledText]:
    filled = FilledText(text)
    return _breaks(filled, per_line, names), filled


def _own_line_starts(text: str) -> list[int]:
    """Where each of the text's own lines after the first starts."""
    starts, at = [], text.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def _breaks(filled: FilledText, per_line: int, names: bool) -> tuple[tuple[int, int], ...]:
    text = filled.text
    breaks: list[tuple[int, int]] = []
    offset = 0
    for index, paragraph in enumerate(text.split("\n")):
        if index:
            breaks.append((offset - 1, offset))  # the text's own line break
        packed = packed_lines(word_units(paragraph), per_line) if names and paragraph else None
        if packed is not None:
            position = offset
            for line in packed[:-1]:
                position += len(line)
                breaks.append((position, position))
        elif paragraph:
            starts = filled.line_starts(per_line, offset, offset + len(paragraph))
            breaks += [(at, at) for at in starts]
        offset += len(paragraph) + 1
    return tuple(breaks)


@dataclass(frozen=True)
class RowPiece:
    """Lines of one row as a table row of their own: for each cell (by its first grid
    column), the range of its text the piece holds."""

    lines: int
    ranges: dict[int, tuple[int, int]]


class RowLines:
    """One row's cells as lines, cut into pieces from the top (`cut`, then `rest`).

    `repeated`: the first columns of cells every piece shows whole (序号 and 事项, which a piece
    on a new page repeats); `cuttable`: whether the row may be cut, or a check of it, made
    only when a cut is planned (False when the document's cells do not hold the texts as
    measured, as in a restyled template).
    """

    def __init__(
        self,
        cells: Sequence[CellLines],
        per_line: dict[int, int],
        *,
        repeated: frozenset[int] = frozenset(),
        cuttable: bool | Callable[[], bool] = True,
    ) -> None:
        self.cells = list(cells)
        self._cuttable = cuttable
        self._per_line = per_line  # characters a line of each cell holds, by first column
        self._repeated = repeated
        self._from = {cell.start: 0 for cell in cells}  # where the uncut rest begins
        self._measure()

    def _measure(self) -> None:
        # Asked for again and again while pages are planned: counted once per cut.
        # `lines`: those of the rest's tallest cell; `least_lines`: those every piece has,
        # of the tallest cell every piece shows whole.
        self.lines = max((cell.lines for cell in self.cells), default=1)
        shown = [cell.lines for cell in self.cells if cell.start in self._repeated]
        self.least_lines = max(shown, default=1)

    @property
    def cuttable(self) -> bool:
        if callable(self._cuttable):
            self._cuttable = self._cuttable()
        return self._cuttable

    def cut(self, lines: int) -> RowPiece:
        """The rest's first `lines` lines as a piece; the rest goes on after them."""
        ranges = {}
        rest = []
        for cell in self.cells:
            begin = self._from[cell.start]
            if cell.start in self._repeated or cell.lines <= lines:
                ranges[cell.start] = (begin, begin + len(cell.text))
                if cell.start in self._repeated:
                    rest.append(cell)
                    continue
                start = len(cell.text)
                end_of_text = cell.offset + len(cell.text)
                rest.append(replace(cell, text="", breaks=(), offset=end_of_text))
            else:
                end, start = _word_end(cell, lines)
                ranges[cell.start] = (begin, begin + end)
                rest.append(self._rest(cell, start))
            self._from[cell.start] = begin + start
        self.cells = rest
        self._measure()
        return RowPiece(lines, ranges)

    def state(self) -> tuple[list[CellLines], dict[int, int]]:
        """Where the cuts have come to, for `restore`: a page plan may be made again."""
        return self.cells, dict(self._from)

    def restore(self, state: tuple[list[CellLines], dict[int, int]]) -> None:
        """Back to where `state` was taken (cuts make new cells; the old ones are unchanged)."""
        self.cells, cut_from = state
        self._from = dict(cut_from)
        self._measure()

    def rest(self) -> RowPiece:
        """What is left, as the last piece."""
        ranges = {
            cell.start: (self._from[cell.start], self._from[cell.start] + len(cell.text))
            for cell in self.cells
        }
        return RowPiece(self.lines, ranges)

    def _rest(self, cell: CellLines, start: int) -> CellLines:
        """The cell's lines from `start` on. Lines are filled from where each starts: from a
        line's start the old breaks hold; from elsewhere (a cut moved back to a word's end)
        the rest of that paragraph is filled anew."""
        whole = cell.filled or FilledText(cell.text)
        later = [(e - start, s - start) for e, s in cell.breaks if s > start]
        if not any(s == start for _, s in cell.breaks):
            paragraph_end = cell.text.find("\n", start)
            end = len(cell.text) if paragraph_end < 0 else paragraph_end
            begin = cell.offset + start
            starts = whole.line_starts(self._per_line[cell.start], begin, cell.offset + end)
            later = [(at - begin, at - begin) for at in starts] + [
                b for b in later if b[1] > end - start
            ]
        rest = cell.text[start:]
        return replace(
            cell, text=rest, breaks=tuple(later), filled=whole, offset=cell.offset + start
        )


def _word_end(cell: CellLines, lines: int) -> tuple[int, int]:
    """The cut after the cell's first `lines` lines: at their boundary (end of the last, start
    of the next), a few characters early (`_CUT_MARGIN`), so that the piece's last line fits
    even where the renderer fills lines a character shorter than estimated. Chinese text is
    cut between any two characters, as a renderer breaks its lines; a Latin word or a number
    (`EOD`, `2023`) is kept whole, and no piece starts with a closing mark."""
    end, start = cell.breaks[lines - 1]
    if end != start or cell.names:
        return end, start
    text = cell.text
    line_start = cell.breaks[lines - 2][1] if lines > 1 else 0
    boundary = max(start - _CUT_MARGIN, line_start + 1)
    while boundary > line_start + 1 and (
        text[boundary] in NO_LINE_START or (_latin(text, boundary - 1) and _latin(text, boundary))
    ):
        boundary -= 1
    if start - boundary > _WORD_BACKTRACK or text[boundary] in NO_LINE_START:
        return end, start
    if _latin(text, boundary - 1) and _latin(text, boundary):
        return end, start  # a word longer than a line: the renderer breaks it too
    return boundary, boundary


def _latin(text: str, at: int) -> bool:
    return 0 <= at < len(text) and text[at].isascii() and text[at].isalnum()


# ------------------------------------------------------------------ the document's runs

_T, _BR, _CR, _TAB = w_name("t"), w_name("br"), w_name("cr"), w_name("tab")
_ONE_CHARACTER = {_BR: "\n", _CR: "\n", _TAB: "\t"}


def cell_text(cell) -> str:
    """A cell's text as the table's texts hold it: a line break or a paragraph is `\\n`."""
    paragraphs = []
    for paragraph in cell.iterchildren(P):
        paragraphs.append(
            "".join(
                node.text or "" if node.tag == _T else _ONE_CHARACTER[node.tag]
                for node in paragraph.iter(_T, _BR, _CR, _TAB)
            )
        )
    return "\n".join(paragraphs)


def cut_cell_runs(cell, begin: int, end: int) -> None:
    """Keep the characters `begin` to `end` of the cell's text (`cell_text`) and nothing else;
    the runs keep their formatting. A cell keeps at least one paragraph."""
    paragraphs = list(cell.iterchildren(P))
    kept = []
    position = 0
    for number, paragraph in enumerate(paragraphs):
        if number:
            position += 1  # the paragraph boundary
        first = position
        for node in list(paragraph.iter(_T, _BR, _CR, _TAB)):
            length = len(node.text or "") if node.tag == _T else 1
            keep_from, keep_to = max(begin - position, 0), min(end - position, length)
            if keep_to <= keep_from:
                node.getparent().remove(node)
            elif node.tag == _T and (keep_from, keep_to) != (0, length):
                node.text = node.text[keep_from:keep_to]
                node.set(XML_SPACE, "preserve")
            position += length
        if begin <= first < end or first <= begin < position:
            kept.append(paragraph)
    for paragraph in paragraphs[1:] if not kept else paragraphs:
        if paragraph not in kept:
            cell.remove(paragraph)
    _drop_empty_runs(cell)


def _drop_empty_runs(cell) -> None:
    for run in list(cell.iter(w_name("r"))):
        if all(local_name(child) == "rPr" for child in run):
            run.getparent().remove(run)


def copy_row(tr):
    """A copy of a table row, placed after it."""
    twin = copy.deepcopy(tr)
    tr.addnext(twin)
    return twin
