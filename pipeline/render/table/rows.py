"""The rendered rows of the cooperation table laid out as the page plan says (`pages`).

A row cut into pieces becomes as many table rows, each holding its lines of every cell. The
序号 and 事项 of an item of several table rows are one merged cell per part (`w:vMerge`); a part
that starts a page in the middle of its item shows them again, with 续; the text of a row's
later pieces stands at the top of its cells, where it goes on from the page before. Every piece is kept
whole on a page (`w:cantSplit`) unless it is taller than a page, and each part's pieces are kept
together (`w:keepNext` on every paragraph of all but the part's last piece, which Word and
LibreOffice both honour). Names and short phrases are given their lines, broken between words.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from ...model import CooperationItem
from ..line_breaks import name_lines
from ..wordml import (
    TC,
    XML_SPACE,
    P,
    cell_span,
    clear_cell,
    keep_with_next,
    set_row_flag,
    set_tc_property,
    w_name,
)
from .cuts import RowLines, cell_lines, cell_text, copy_row, cut_cell_runs
from .pages import Piece, RowGeometry
from .texts import TextCell

# 序号 and 事项: every piece of a row that shows them shows them whole.
REPEATED_COLUMNS = frozenset({0, 1})


@dataclass
class RenderedRow:
    """One data row: its table row as docxtpl rendered it, its cells by their first grid
    column, the texts of its cells in their grid positions, and its lines."""

    tr: etree._Element
    cells: dict[int, etree._Element]
    texts: Sequence[TextCell]
    lines: RowLines


def measure_row(
    tr,
    spans: Sequence[int],
    texts: Sequence[TextCell],
    filled_room: Callable[[int, int], int],
    name_rooms: dict[int, int],
    text_widths: Mapping[str, tuple[float, ...]],
) -> RenderedRow:
    """`spans`: the grid columns each cell of `tr` spans; `filled_room(start, span)`:
    characters a renderer fits on a line of a cell; `name_rooms`: those a line of each name
    column is given (`_break_names`); `text_widths`: the texts' own lines' widths, as the
    widths were fitted with them (`TableTexts.text_widths`)."""
    cells = _by_start(tr.findall(TC), spans)
    rooms = {}
    measured = []
    for text in texts:
        names = text.span == 1 and text.start in name_rooms
        rooms[text.start] = room = (
            name_rooms[text.start] if names else filled_room(text.start, text.span)
        )
        measured.append(cell_lines(text, room, names=names, widths=text_widths.get(text.text)))

    def holds_its_texts() -> bool:
        # A restyled template may add text of its own to a cell: such a row is never cut.
        return all(
            text.start in cells and cell_text(cells[text.start]) == text.text
            for text in texts
            if text.start not in REPEATED_COLUMNS
        )

    lines = RowLines(measured, rooms, repeated=REPEATED_COLUMNS, cuttable=holds_its_texts)
    return RenderedRow(tr, cells, texts, lines)


def lay_out_item(
    item: CooperationItem,
    rows: Sequence[RenderedRow],
    pieces: Sequence[Piece],
    name_rooms: dict[int, int],
    geometry: RowGeometry,
    page_room: float,
) -> None:
    """Cut, merge, mark and flag one item's rows as `pieces` (the plan) has them."""
    laid_out: list[tuple[Piece, etree._Element, dict[int, etree._Element], list[TextCell]]] = []
    for index, row in enumerate(rows):
        row_pieces = [piece for piece in pieces if piece.row == index]
        trs = [row.tr]
        for _ in row_pieces[1:]:  # copies of the row as rendered, before any is cut
            trs.append(copy_row(trs[-1]))
        for number, (piece, tr) in enumerate(zip(row_pieces, trs, strict=True)):
            texts = list(row.texts)
            cells = row.cells if number == 0 else _cells_by_start(tr)
            if len(row_pieces) > 1:
                texts = _cut(cells, texts, piece)
            if number:  # the text goes on from the page before: at the top of its cells
                for text in texts:
                    if text.text and text.start not in REPEATED_COLUMNS:
                        set_tc_property(cells[text.start], "vAlign", {"val": "top"})
            laid_out.append((piece, tr, cells, texts))

    merged = len(laid_out) > 1
    for position, (piece, tr, cells, texts) in enumerate(laid_out):
        shows_item = position == 0 or piece.opens_part
        if merged and shows_item and not any(text.start == 1 for text in texts):
            texts = [*texts, TextCell(1, 1, item.name)]
        _break_names(cells, texts, name_rooms)
        if merged:
            for start in REPEATED_COLUMNS:
                _set_vmerge(cells[start], restart=shows_item)
            if piece.opens_part:
                _mark_continued(cells[1])
        set_row_flag(tr, "cantSplit", geometry.height(piece.content.lines) <= page_room)
    for (_, tr, _, _), (following, _, _, _) in itertools.pairwise(laid_out):
        if not following.opens_part:
            for paragraph in tr.iter(P):
                keep_with_next(paragraph)


def _cut(cells: dict[int, etree._Element], texts: list[TextCell], piece: Piece) -> list[TextCell]:
    """Keep in a table row's `cells` the lines of the piece; the texts they then hold."""
    kept = []
    for text in texts:
        begin, end = piece.content.ranges.get(text.start, (0, len(text.text)))
        if text.start in REPEATED_COLUMNS or (begin, end) == (0, len(text.text)):
            pass  # the cell whole
        elif begin == end:
            clear_cell(cells[text.start])
        else:
            cut_cell_runs(cells[text.start], begin, end)
        kept.append(TextCell(text.start, text.span, text.text[begin:end]))
    return kept


def _cells_by_start(tr) -> dict[int, etree._Element]:
    cells = tr.findall(TC)
    return _by_start(cells, [cell_span(cell) for cell in cells])


def _by_start(cells: Sequence, spans: Sequence[int]) -> dict[int, etree._Element]:
    return dict(zip(itertools.accumulate([0, *spans]), cells, strict=False))


def _break_names(
    cells: dict[int, etree._Element], texts: Sequence[TextCell], rooms: dict[int, int]
) -> None:
    """Give the row's cells of names (`rooms`: characters a line of each name column holds;
    `cells` by their first grid column) their lines, broken between words."""
    for text in texts:
        room = rooms.get(text.start) if text.span == 1 else None
        lines = name_lines(text.text, room) if room and text.text else None
        if lines and len(lines) > 1 and text.start in cells:
            write_lines(cells[text.start], lines)


def _mark_continued(cell) -> None:
    """Add 续 to the 事项 of an item's part that starts a page: `污水垃圾处理（续）`."""
    paragraphs = cell.findall(P)
    if paragraphs:
        run = etree.SubElement(paragraphs[-1], w_name("r"))
        etree.SubElement(run, w_name("t")).text = "（续）"


def _set_vmerge(cell, *, restart: bool) -> None:
    set_tc_property(cell, "vMerge", {"val": "restart"} if restart else {})
    if not restart:
        clear_cell(cell)


_RUN, _RUN_PROPS, _TEXT, _BREAK = w_name("r"), w_name("rPr"), w_name("t"), w_name("br")
_PLAIN_RUN = frozenset({_RUN_PROPS, _TEXT})


def write_lines(cell, lines: Sequence[str]) -> None:
    """Give a cell of one paragraph of plain text its `lines`, when they are its text: a
    renderer then breaks it where they do (市容 / 环卫处、) and never inside a word. The text goes
    into the first run, in the first run's format. A cell holding anything but text (a tab, a
    break) is left as it is."""
    paragraphs = cell.findall(P)
    if len(lines) < 2 or len(paragraphs) != 1:
        return
    paragraph = paragraphs[0]
    runs = paragraph.findall(_RUN)
    if (
        not runs
        or len(runs) + (paragraph.find(w_name("pPr")) is not None) != len(paragraph)
        or any(child.tag not in _PLAIN_RUN for run in runs for child in run)
        or "".join(lines) != "".join(t.text or "" for t in paragraph.iter(_TEXT))
    ):
        return
    first = runs[0]
    for run in runs[1:]:
        paragraph.remove(run)
    for text in first.findall(_TEXT):
        first.remove(text)
    for index, line in enumerate(lines):
        if index:
            etree.SubElement(first, _BREAK)
        text = etree.SubElement(first, _TEXT)
        text.text = line
        text.set(XML_SPACE, "preserve")
