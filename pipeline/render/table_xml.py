"""Finishing the cooperation table on the XML, after docxtpl has rendered its rows.

Merging must follow the data and not the cell text: the 序号 and 事项 cells of an item's rows
are merged vertically (`w:vMerge`), the 说明 cell of a row not included spans the remaining
columns (`w:gridSpan`), the column widths are set to fill the landscape text width for however
many years the period has, the header row repeats on each page, and rows and items are kept
on a page (`table_pages`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..errors import TemplateProblem
from ..model import RegionTable
from .line_breaks import name_lines
from .table_layout import (
    DEFAULT_CELL_PADDING,
    DEFAULT_FONT_TWIPS,
    DEFAULT_MARGINS,
    DEFAULT_PAGE,
    KEPT_WHEN_EXCLUDED,
    LINE_FACTOR,
    ROW_PADDING,
    RowView,
    column_count,
    fitted_widths,
    minimum_widths,
    row_cells,
    row_height,
)
from .table_pages import item_parts
from .table_texts import TableTexts, TextCell
from .wordml import (
    TC,
    TC_PR,
    TC_W,
    W_NS,
    W_TYPE,
    W_VAL,
    W_W,
    XML_SPACE,
    P,
    cell_span,
    clear_cell,
    find_child,
    keep_with_next,
    set_grid,
    set_row_flag,
    set_tc_property,
    w_name,
)

_NAMESPACES = {"w": W_NS}
# Rows where a cell's properties hold a `w:gridSpan` (as `cell_span` looks for it), and each cell's
# `w:tcW` (as `_CellWidths` looks for it): one XPath call instead of a lookup per cell.
_ROWS_WITH_SPANS = etree.XPath("w:tr[w:tc/w:tcPr[1]/w:gridSpan]", namespaces=_NAMESPACES)
_CELL_WIDTHS = etree.XPath("w:tc/w:tcPr[1]/w:tcW[1]", namespaces=_NAMESPACES)


@dataclass(frozen=True)
class TableLayout:
    index: int  # among the document's tables, in document order
    header_rows: int  # rows above the `{%tr for %}` row


_ROW_LOOP = re.compile(r"\{%-?tr\s+for\s")


def locate_table(document, path: Path) -> TableLayout:
    """Find the table holding the row loop, before rendering replaces the tags."""
    body = document.docx.element.body
    for index, tbl in enumerate(body.iter(w_name("tbl"))):
        for position, tr in enumerate(tbl.findall(w_name("tr"))):
            if _ROW_LOOP.search(_text(tr)):
                return TableLayout(index, position)
    raise TemplateProblem(
        str(path),
        "找不到项目表的表格（表格中应有一行 {%tr for row in rows %}）。请对照默认模板修改。",
    )


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(w_name("t")))


def finish_table(
    document,
    path: Path,
    table: RegionTable,
    layout: TableLayout,
    views: Sequence[RowView],
) -> None:
    """Merge, span, size and flag the rendered table's rows; `views` are the rows as the
    template was given them, one per data row."""
    body = document.docx.element.body
    # The tables up to the project table only: the walk stops there, not at the end of the body.
    tbl = next(itertools.islice(body.iter(w_name("tbl")), layout.index, None), None)
    if tbl is None:
        raise TemplateProblem(str(path), "渲染后找不到项目表的表格。请对照默认模板修改。")
    rows = tbl.findall(w_name("tr"))
    header, body_rows = rows[: layout.header_rows], rows[layout.header_rows :]
    if len(body_rows) < table.row_count:
        raise TemplateProblem(
            str(path),
            "项目表的行数少于数据的行数。请保留 {%tr for row in rows %} 循环及其中的两种行。",
        )

    columns = column_count(len(table.years))
    page = page_geometry(body)
    char_width = style_size(document, "TableText") or DEFAULT_FONT_TWIPS
    padding = _cell_padding(tbl)
    for tr in header:
        _check_columns(path, tr, columns, "表头")
    header_cells = [_header_cells(tr) for tr in header]
    data_cells = [row_cells(view, len(table.years)) for view in views]
    # The texts are measured once, for the widths and then for each row's height.
    minimums = minimum_widths(len(table.years), char_width, padding)
    measured = TableTexts(
        [*header_cells[:-1], *data_cells],
        header_cells[-1] if header_cells else (),
        char_width,
        padding,
        minimums,
    )
    widths = fitted_widths(measured, len(table.years), page.text_width, minimums)
    set_grid(tbl, widths)

    for tr in header:
        _set_widths(tr, widths)
        set_row_flag(tr, "tblHeader", True)
        set_row_flag(tr, "cantSplit", True)
    if header:
        _break_header(header[-1], measured.header_lines(widths))

    # Space under the repeated header on a page: a row up to that height is kept whole, and an
    # item's rows are kept on one page (`w:keepNext` on every paragraph of all but its last row,
    # which Word and LibreOffice both honour), or cut into parts that each repeat its 序号 and
    # 事项 (`table_pages`): no page starts inside an item without saying which.
    available = page.text_height - sum(
        row_height(cells, widths, char_width, padding) for cells in header_cells
    )
    tallest = measured.tallest(widths)[len(header_cells) :]
    heights = [lines * char_width * LINE_FACTOR + ROW_PADDING for lines in tallest]
    sizes, position = [], 0
    for item in table.items:
        sizes.append(heights[position : position + len(item.rows)])
        position += len(item.rows)
    first_room = available - _height_above(document, tbl)
    parts = item_parts(sizes, first_room, available)
    cell_widths = _CellWidths(widths)
    name_rooms = {
        column: measured.chars_per_line(widths, column) for column in measured.name_columns
    }
    data_rows = iter(data_cells)
    with_spans = set(_ROWS_WITH_SPANS(tbl))
    trs = iter(body_rows)
    for item, item_heights, starts in zip(table.items, sizes, parts, strict=True):
        merged = len(item.rows) > 1
        item_rows = []
        for index, row in enumerate(item.rows):
            tr = next(trs)
            cells = tr.findall(TC)
            spans = [cell_span(cell) for cell in cells] if tr in with_spans else [1] * len(cells)
            if row.included:
                _check_spans(path, spans, columns, f"第{item.number}项")
            else:
                _span_explanation(path, cells, columns, item.number)
                spans[-1] = cell_span(cells[-1])
            if len(cells) < 2 or spans[0] != 1 or spans[1] != 1:
                raise TemplateProblem(
                    str(path), "项目表每行的前两格应为「序号」「事项」。请对照默认模板修改。"
                )
            cell_widths.apply(tr, cells, spans)
            texts = next(data_rows)
            if merged and (index == 0 or index in starts):  # the rows that show the 事项
                texts = [*texts, TextCell(1, 1, item.name)]
            _break_names(cells, spans, texts, name_rooms)
            if merged:
                for cell in cells[:2]:
                    _set_vmerge(cell, restart=index == 0 or index in starts)
                if index in starts:
                    _mark_continued(cells[1])
            set_row_flag(tr, "cantSplit", item_heights[index] <= available)
            item_rows.append(tr)
        # Each part's rows but its last are kept with the next row.
        for index, tr in enumerate(item_rows[:-1]):
            if index + 1 not in starts:
                for paragraph in tr.iter(P):
                    keep_with_next(paragraph)


def _break_names(
    cells: list, spans: list[int], texts: Sequence[TextCell], rooms: dict[int, int]
) -> None:
    """Give the row's cells of names (`rooms`: characters a line of each name column holds)
    their lines, broken between words."""
    by_start = dict(zip(itertools.accumulate([0, *spans]), cells, strict=False))
    for text in texts:
        room = rooms.get(text.start) if text.span == 1 else None
        lines = name_lines(text.text, room) if room and text.text else None
        if lines and len(lines) > 1 and text.start in by_start:
            write_lines(by_start[text.start], lines)


def _height_above(document, tbl) -> float:
    """Estimated height in twips of the paragraphs before the table on its first page."""
    total = 0.0
    for paragraph in tbl.itersiblings(P, preceding=True):
        style = paragraph.find(f"{w_name('pPr')}/{w_name('pStyle')}")
        size = style_size(document, style.get(W_VAL, "")) if style is not None else None
        lines = 1 + len(paragraph.findall(f".//{w_name('br')}"))
        total += lines * (size or DEFAULT_FONT_TWIPS) * LINE_FACTOR + _PARAGRAPH_SPACING
    return total


_PARAGRAPH_SPACING = 480  # twips: the title's space after, and some to spare


def _mark_continued(cell) -> None:
    """Add 续 to the 事项 of an item's part that starts a page: `污水垃圾处理（续）`."""
    paragraphs = cell.findall(P)
    if paragraphs:
        run = etree.SubElement(paragraphs[-1], w_name("r"))
        etree.SubElement(run, w_name("t")).text = "（续）"


def _break_header(tr, lines: list[tuple[int, list[str] | None]]) -> None:
    """Write each header cell of more than one line as its lines, so that renderers break it
    between words (牵头 / 领导) and never inside one."""
    by_start = dict(lines)
    start = 0
    for cell in tr.findall(TC):
        cell_lines = by_start.get(start)
        start += cell_span(cell)
        if cell_lines:
            write_lines(cell, cell_lines)


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
        or "".join(lines) != _text(paragraph)
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


def _header_cells(tr) -> list[TextCell]:
    cells = []
    start = 0
    for cell in tr.findall(w_name("tc")):
        span = cell_span(cell)
        cells.append(TextCell(start, span, _text(cell)))
        start += span
    return cells


@dataclass(frozen=True)
class _Page:
    text_width: int
    text_height: int


def page_geometry(body) -> _Page:
    sect = body.find(w_name("sectPr"))
    width, height = DEFAULT_PAGE
    top, right, bottom, left = DEFAULT_MARGINS
    gutter = 0
    if sect is not None:
        size = sect.find(w_name("pgSz"))
        if size is not None:
            width = _int_attr(size, "w", width)
            height = _int_attr(size, "h", height)
        margins = sect.find(w_name("pgMar"))
        if margins is not None:
            top = abs(_int_attr(margins, "top", top))
            right = _int_attr(margins, "right", right)
            bottom = abs(_int_attr(margins, "bottom", bottom))
            left = _int_attr(margins, "left", left)
            gutter = _int_attr(margins, "gutter", 0)
    return _Page(width - left - right - gutter, height - top - bottom)


def _int_attr(element, name: str, default: int) -> int:
    value = element.get(w_name(name))
    try:
        return int(float(value)) if value is not None else default
    except ValueError:
        return default


def style_size(document, style_id: str) -> int | None:
    """The font size of a paragraph style in twips, so widths count characters as set."""
    style = document.docx.styles.element.get_by_id(style_id)
    size = None if style is None else style.find(f"{w_name('rPr')}/{w_name('sz')}")
    value = "" if size is None else size.get(w_name("val"), "")
    return int(value) * 10 if value.isdigit() and int(value) > 0 else None  # half-points


def _cell_padding(tbl) -> int:
    margins = tbl.find(f"{w_name('tblPr')}/{w_name('tblCellMar')}")
    total = 0
    for side, alias in (("left", "start"), ("right", "end")):
        edge = None
        if margins is not None:
            edge = margins.find(w_name(side))
            if edge is None:
                edge = margins.find(w_name(alias))
        total += (
            _int_attr(edge, "w", DEFAULT_CELL_PADDING) if edge is not None else DEFAULT_CELL_PADDING
        )
    return total


def _check_columns(path: Path, tr, columns: int, where: str) -> None:
    _check_spans(path, [cell_span(cell) for cell in tr.findall(TC)], columns, where)


def _check_spans(path: Path, spans: list[int], columns: int, where: str) -> None:
    found = sum(spans)
    if found != columns:
        raise TemplateProblem(
            str(path),
            f"项目表{where}有 {found} 列，应为 {columns} 列（序号、事项、对口合作交流内容、预计完成时间、"
            "每个年度一列计划、事项推进情况、牵头领导、牵头部门、配合部门）。请对照默认模板修改。",
        )


def _span_explanation(path: Path, cells: list, columns: int, number: int) -> None:
    """Make the last cell of a row not included (its 说明) span every remaining column."""
    before = sum(cell_span(cell) for cell in cells[:-1])
    if len(cells) != KEPT_WHEN_EXCLUDED + 1 or before != KEPT_WHEN_EXCLUDED:
        raise TemplateProblem(
            str(path),
            f"第{number}项有未纳入的行，但模板中未纳入事项的行应为四格：序号、事项、对口合作交流内容、"
            "说明（{%tr else %} 之后的一行）。请对照默认模板修改。",
        )
    set_tc_property(cells[-1], "gridSpan", {"val": str(columns - before)})


def _set_widths(tr, widths: list[int]) -> None:
    cells = tr.findall(TC)
    _CellWidths(widths).apply(tr, cells, [cell_span(cell) for cell in cells])


class _CellWidths:
    """Sets each cell's `w:tcW` to the width of the grid columns it spans.

    Thousands of rows share a few (first column, span) pairs, so each width's text is made once,
    and a `w:tcW` already in its place is only rewritten.
    """

    def __init__(self, widths: list[int]) -> None:
        self.widths = widths
        self._texts: dict[tuple[int, ...], list[str]] = {}

    def apply(self, tr, cells: list, spans: list[int]) -> None:
        texts = self._row_texts(spans)
        found = _CELL_WIDTHS(tr)
        if len(found) == len(cells):  # each cell has its `w:tcW`: they come in cell order
            for width, text in zip(found, texts, strict=True):
                width.attrib.clear()
                width.set(W_W, text)
                width.set(W_TYPE, "dxa")
            return
        for cell, text in zip(cells, texts, strict=True):
            props = find_child(cell, TC_PR)
            width = None if props is None else find_child(props, TC_W)
            if width is None:
                set_tc_property(cell, "tcW", {"w": text, "type": "dxa"})
            else:
                width.attrib.clear()
                width.set(W_W, text)
                width.set(W_TYPE, "dxa")

    def _row_texts(self, spans: list[int]) -> list[str]:
        key = tuple(spans)
        texts = self._texts.get(key)
        if texts is None:
            texts = []
            start = 0
            for span in spans:
                texts.append(str(sum(self.widths[start : start + span])))
                start += span
            self._texts[key] = texts
        return texts


def _set_vmerge(cell, *, restart: bool) -> None:
    set_tc_property(cell, "vMerge", {"val": "restart"} if restart else {})
    if not restart:
        clear_cell(cell)
