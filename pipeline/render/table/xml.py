"""Finishing the cooperation table on the XML, after docxtpl has rendered its rows.

Merging must follow the data and not the cell text: the 序号 and 事项 cells of an item's rows
are merged vertically (`w:vMerge`), the 说明 cell of a row not included spans the remaining
columns (`w:gridSpan`), the column widths are set to fill the landscape text width for however
many years the period has, the header row repeats on each page, and the rows are laid out on
the pages as `pages` plans them (`rows`).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ...errors import TemplateProblem
from ...model import RegionTable
from ..line_breaks import filled_line_starts
from ..page import DEFAULT_CELL_PADDING, DEFAULT_FONT_TWIPS, int_attr, page_geometry, style_size
from ..wordml import (
    TC,
    TC_PR,
    TC_W,
    W_NS,
    W_TYPE,
    W_VAL,
    W_W,
    P,
    cell_span,
    find_child,
    paragraph_style,
    set_grid,
    set_row_flag,
    set_tc_property,
    w_name,
)
from .pages import RowGeometry, plan_pieces
from .rows import lay_out_item, measure_row, write_lines
from .texts import TableTexts, TextCell, filled_chars
from .widths import (
    KEPT_WHEN_EXCLUDED,
    LINE_FACTOR,
    ROW_BORDER,
    RowView,
    column_count,
    fitted_widths,
    minimum_widths,
    row_cells,
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

    # Space under the repeated header on a page, and on the first page under what stands
    # above the table: the page plan (`pages`) fills it, cutting rows between lines
    # where that fills a page better than keeping them whole.
    geometry = RowGeometry(style_line_pitch(document, "TableText", char_width), _row_padding(tbl))
    header_lines = measured.tallest(widths)[: len(header_cells)]
    if header_cells:  # the last header row is counted from its words, first in `tallest`
        header_lines = [
            *header_lines[1:],
            max(len(lines or ()) for _, lines in measured.header_lines(widths)),
        ]
    available = page.text_height - sum(geometry.height(lines) for lines in header_lines)
    above = _height_of(document, tbl.itersiblings(P, preceding=True))
    first_room = available - above - ATTACHMENT_LABEL_TWIPS
    after = _height_of(document, tbl.itersiblings(P), page.text_width)  # the notes

    cell_widths = _CellWidths(widths)
    name_rooms = {
        column: measured.chars_per_line(widths, column) for column in measured.name_columns
    }

    @functools.cache  # a few (first column, span) pairs, asked for by every cell
    def filled_room(start: int, span: int) -> int:
        return filled_chars(sum(widths[start : start + span]), char_width, padding)

    data_rows = iter(data_cells)
    with_spans = set(_ROWS_WITH_SPANS(tbl))
    trs = iter(body_rows)
    rendered = []
    for item in table.items:
        item_rows = []
        for row in item.rows:
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
            item_rows.append(
                measure_row(
                    tr, spans, next(data_rows), filled_room, name_rooms, measured.text_widths
                )
            )
        rendered.append(item_rows)
    plan = plan_pieces(
        [[row.lines for row in item_rows] for item_rows in rendered],
        first_room,
        available,
        geometry,
        after,
    )
    for item, item_rows, pieces in zip(table.items, rendered, plan, strict=True):
        lay_out_item(item, item_rows, pieces, name_rooms, geometry, available)


def _height_of(document, paragraphs, text_width: int | None = None) -> float:
    """Estimated height in twips of `paragraphs`: their lines as broken, and on a page
    `text_width` wide, as filled (a title is broken to fit already; notes are not)."""
    total = 0.0
    for paragraph in paragraphs:
        style_id = paragraph_style(paragraph)
        size = style_size(document, style_id) or DEFAULT_FONT_TWIPS
        text = "".join(
            "\n" if node.tag == w_name("br") else node.text or ""
            for node in paragraph.iter(w_name("t"), w_name("br"))
        )
        lines = sum(
            1 + (len(filled_line_starts(line, text_width / size)) if text_width else 0)
            for line in text.split("\n")
        )
        spacing = _style_spacing(document, style_id)
        total += lines * _pitch(spacing, size) + _spacing_around(spacing)
    return total


# The meeting material puts its label `附件N` (三号黑体, an exact line of 579 twips and 120
# after) above the table, which is the same table as in its own file: its plan leaves room.
ATTACHMENT_LABEL_TWIPS = 700


def style_line_pitch(document, style_id: str, size: int) -> float:
    """The height in twips of a line of a paragraph style: its exact line spacing, or its
    spacing in lines of a CJK font's single spacing."""
    return _pitch(_style_spacing(document, style_id), size)


def _style_spacing(document, style_id: str):
    """The `w:spacing` that sets a paragraph style's line spacing, its own or inherited."""
    styles = document.docx.styles.element
    seen = set()
    while style_id and style_id not in seen:
        seen.add(style_id)
        style = styles.get_by_id(style_id)
        if style is None:
            break
        spacing = style.find(f"{w_name('pPr')}/{w_name('spacing')}")
        if spacing is not None and spacing.get(w_name("line")) is not None:
            return spacing
        based = style.find(w_name("basedOn"))
        style_id = based.get(W_VAL, "") if based is not None else ""
    return None


def _pitch(spacing, size: int) -> float:
    single = size * LINE_FACTOR
    if spacing is None:
        return single
    line = int_attr(spacing, "line", 240)
    rule = spacing.get(w_name("lineRule"), "auto")
    if rule == "exact":
        return float(line)
    if rule == "atLeast":
        return max(float(line), single)
    return single * line / 240


def _spacing_around(spacing) -> float:
    if spacing is None:
        return 0.0
    return float(int_attr(spacing, "before", 0) + int_attr(spacing, "after", 0))


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


def _header_cells(tr) -> list[TextCell]:
    cells = []
    start = 0
    for cell in tr.findall(w_name("tc")):
        span = cell_span(cell)
        cells.append(TextCell(start, span, _text(cell)))
        start += span
    return cells


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
            int_attr(edge, "w", DEFAULT_CELL_PADDING) if edge is not None else DEFAULT_CELL_PADDING
        )
    return total


def _row_padding(tbl) -> int:
    """A row's height beyond its lines: the cells' top and bottom margins and a border."""
    margins = tbl.find(f"{w_name('tblPr')}/{w_name('tblCellMar')}")
    total = ROW_BORDER
    for side in ("top", "bottom"):
        edge = None if margins is None else margins.find(w_name(side))
        total += int_attr(edge, "w", 0) if edge is not None else 0
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
