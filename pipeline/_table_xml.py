"""Finishing the cooperation table on the XML, after docxtpl has rendered its rows.

Merging must follow the data and not the cell text: the 序号 and 事项 cells of an item's rows
are merged vertically (`w:vMerge`), the 说明 cell of a row not included spans the remaining
columns (`w:gridSpan`), the column widths are set to fill the landscape text width for however
many years the period has, the header row repeats on each page and body rows do not split.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from ._table_layout import (
    _CONTENT_COLUMN,
    _DEFAULT_CELL_PADDING,
    _DEFAULT_FONT_TWIPS,
    _DEFAULT_MARGINS,
    _DEFAULT_PAGE,
    _KEPT_WHEN_EXCLUDED,
    _LINE_FACTOR,
    _ROW_PADDING,
    TextCell,
    _fitted_widths,
    _Layout,
    _minimum_widths,
    column_count,
    row_cells,
    row_height,
)
from .errors import TemplateProblem
from .model import RegionTable

if TYPE_CHECKING:
    from ._table import RowView

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


# Names looked up for every cell of thousands of rows.
_TC = _w("tc")
_TC_PR = _w("tcPr")
_TC_W = _w("tcW")
_TR = _w("tr")
_TR_PR = _w("trPr")
_P = _w("p")
_GRID_SPAN = _w("gridSpan")
_W_VAL = _w("val")
_W_W = _w("w")
_W_TYPE = _w("type")
_NAMESPACES = {"w": W_NS}
# Rows where a cell's properties hold a `w:gridSpan` (as `_span` looks for it), and each cell's
# `w:tcW` (as `_CellWidths` looks for it): one XPath call instead of a lookup per cell.
_ROWS_WITH_SPANS = etree.XPath("w:tr[w:tc/w:tcPr[1]/w:gridSpan]", namespaces=_NAMESPACES)
_CELL_WIDTHS = etree.XPath("w:tc/w:tcPr[1]/w:tcW[1]", namespaces=_NAMESPACES)


def _view_cells(view: RowView, year_count: int) -> list[TextCell]:
    """`row_cells` of the row a view shows, from the view's texts (already cleaned)."""
    cells = [TextCell(_CONTENT_COLUMN, 1, view.content)]
    if view.item_row_count == 1:
        cells += [TextCell(0, 1, str(view.number)), TextCell(1, 1, view.name)]
    if not view.included:
        span = column_count(year_count) - _KEPT_WHEN_EXCLUDED
        return [*cells, TextCell(_KEPT_WHEN_EXCLUDED, span, view.explanation)]
    values = [view.due, *view.plans, view.progress, view.lead_leader]
    values += [view.lead_department, view.supporting]
    for offset, value in enumerate(values):
        cells.append(TextCell(_KEPT_WHEN_EXCLUDED + offset, 1, value))
    return cells


@dataclass(frozen=True)
class TableLayout:
    index: int  # among the document's tables, in document order
    header_rows: int  # rows above the `{%tr for %}` row


_ROW_LOOP = re.compile(r"\{%-?tr\s+for\s")


def locate_table(document, path: Path) -> TableLayout:
    """Find the table holding the row loop, before rendering replaces the tags."""
    body = document.docx.element.body
    for index, tbl in enumerate(body.iter(_w("tbl"))):
        for position, tr in enumerate(tbl.findall(_w("tr"))):
            if _ROW_LOOP.search(_text(tr)):
                return TableLayout(index, position)
    raise TemplateProblem(
        str(path),
        "找不到项目表的表格（表格中应有一行 {%tr for row in rows %}）。请对照默认模板修改。",
    )


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(_w("t")))


_KEEP_WHOLE_FRACTION = 3


def finish_table(
    document,
    path: Path,
    table: RegionTable,
    layout: TableLayout,
    views: Sequence[RowView] | None = None,
) -> None:
    body = document.docx.element.body
    # The tables up to the project table only: the walk stops there, not at the end of the body.
    tbl = next(itertools.islice(body.iter(_w("tbl")), layout.index, None), None)
    if tbl is None:
        raise TemplateProblem(str(path), "渲染后找不到项目表的表格。请对照默认模板修改。")
    rows = tbl.findall(_w("tr"))
    header, body_rows = rows[: layout.header_rows], rows[layout.header_rows :]
    if len(body_rows) < table.row_count:
        raise TemplateProblem(
            str(path),
            "项目表的行数少于数据的行数。请保留 {%tr for row in rows %} 循环及其中的两种行。",
        )

    columns = column_count(len(table.years))
    page = page_geometry(body)
    char_width = style_size(document, "TableText") or _DEFAULT_FONT_TWIPS
    padding = _cell_padding(tbl)
    for tr in header:
        _check_columns(path, tr, columns, "表头")
    header_cells = [_header_cells(tr) for tr in header]
    if views is None:
        data_cells = [row_cells(item, r, table.years) for item in table.items for r in item.rows]
    else:  # the same texts, cleaned once already for the template
        data_cells = [_view_cells(view, len(table.years)) for view in views]
    # The texts are measured once, for the widths and then for each row's height.
    minimums = _minimum_widths(len(table.years), char_width, padding)
    measured = _Layout(
        [*header_cells[:-1], *data_cells],
        header_cells[-1] if header_cells else (),
        char_width,
        padding,
        minimums,
    )
    widths = _fitted_widths(measured, len(table.years), page.text_width, minimums)
    _set_grid(tbl, widths)

    for tr in header:
        _set_widths(tr, widths)
        _set_row_flag(tr, "tblHeader", True)
        _set_row_flag(tr, "cantSplit", True)

    # Space under the repeated header on a page; a row taller than that has to split anyway.
    available = page.text_height - sum(
        row_height(cells, widths, char_width, padding) for cells in header_cells
    )
    # Keeping a tall row whole would leave a blank gap of up to its height before it; rows
    # over a third of the page may split instead.
    keep_whole = available // _KEEP_WHOLE_FRACTION
    tallest = iter(measured.tallest(widths)[len(header_cells) :])
    cell_widths = _CellWidths(widths)
    with_spans = set(_ROWS_WITH_SPANS(tbl))
    trs = iter(body_rows)
    for item in table.items:
        merged = len(item.rows) > 1
        for index, row in enumerate(item.rows):
            tr = next(trs)
            cells = tr.findall(_TC)
            spans = [_span(cell) for cell in cells] if tr in with_spans else [1] * len(cells)
            if row.included:
                _check_spans(path, spans, columns, f"第{item.number}项")
            else:
                _span_explanation(path, cells, columns, item.number)
                spans[-1] = _span(cells[-1])
            if len(cells) < 2 or spans[0] != 1 or spans[1] != 1:
                raise TemplateProblem(
                    str(path), "项目表每行的前两格应为「序号」「事项」。请对照默认模板修改。"
                )
            cell_widths.apply(tr, cells, spans)
            if merged:
                for cell in cells[:2]:
                    _set_vmerge(cell, restart=index == 0)
            height = next(tallest) * char_width * _LINE_FACTOR + _ROW_PADDING  # as row_height
            _set_row_flag(tr, "cantSplit", height <= keep_whole)


def _header_cells(tr) -> list[TextCell]:
    cells = []
    start = 0
    for cell in tr.findall(_w("tc")):
        span = _span(cell)
        cells.append(TextCell(start, span, _text(cell)))
        start += span
    return cells


@dataclass(frozen=True)
class _Page:
    text_width: int
    text_height: int


def page_geometry(body) -> _Page:
    sect = body.find(_w("sectPr"))
    width, height = _DEFAULT_PAGE
    top, right, bottom, left = _DEFAULT_MARGINS
    gutter = 0
    if sect is not None:
        size = sect.find(_w("pgSz"))
        if size is not None:
            width = _int_attr(size, "w", width)
            height = _int_attr(size, "h", height)
        margins = sect.find(_w("pgMar"))
        if margins is not None:
            top = abs(_int_attr(margins, "top", top))
            right = _int_attr(margins, "right", right)
            bottom = abs(_int_attr(margins, "bottom", bottom))
            left = _int_attr(margins, "left", left)
            gutter = _int_attr(margins, "gutter", 0)
    return _Page(width - left - right - gutter, height - top - bottom)


def _int_attr(element, name: str, default: int) -> int:
    value = element.get(_w(name))
    try:
        return int(float(value)) if value is not None else default
    except ValueError:
        return default


def style_size(document, style_id: str) -> int | None:
    """The font size of a paragraph style in twips, so widths count characters as set."""
    style = document.docx.styles.element.get_by_id(style_id)
    size = None if style is None else style.find(f"{_w('rPr')}/{_w('sz')}")
    value = "" if size is None else size.get(_w("val"), "")
    return int(value) * 10 if value.isdigit() and int(value) > 0 else None  # half-points


def _cell_padding(tbl) -> int:
    margins = tbl.find(f"{_w('tblPr')}/{_w('tblCellMar')}")
    total = 0
    for side, alias in (("left", "start"), ("right", "end")):
        edge = None
        if margins is not None:
            edge = margins.find(_w(side))
            if edge is None:
                edge = margins.find(_w(alias))
        total += (
            _int_attr(edge, "w", _DEFAULT_CELL_PADDING)
            if edge is not None
            else _DEFAULT_CELL_PADDING
        )
    return total


def _span(cell) -> int:
    props = _child(cell, _TC_PR)
    span = None if props is None else _child(props, _GRID_SPAN)
    if span is None:
        return 1
    try:
        return max(1, int(span.get(_W_VAL, "1")))
    except ValueError:
        return 1


def _check_columns(path: Path, tr, columns: int, where: str) -> None:
    _check_spans(path, [_span(cell) for cell in tr.findall(_TC)], columns, where)


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
    before = sum(_span(cell) for cell in cells[:-1])
    if len(cells) != _KEPT_WHEN_EXCLUDED + 1 or before != _KEPT_WHEN_EXCLUDED:
        raise TemplateProblem(
            str(path),
            f"第{number}项有未纳入的行，但模板中未纳入事项的行应为四格：序号、事项、对口合作交流内容、"
            "说明（{%tr else %} 之后的一行）。请对照默认模板修改。",
        )
    _set_tc_property(cells[-1], "gridSpan", {"val": str(columns - before)})


# tcPr children in schema order (ECMA-376 CT_TcPr): Word refuses a file with them out of order.
_TC_PR_ORDER = (
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
    "headers",
    "cellIns",
    "cellDel",
    "cellMerge",
    "tcPrChange",
)
_TBL_PR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
    "tblPrChange",
)


def _ordered_child(parent, tag: str, order: tuple[str, ...]):
    """The child `tag` of `parent`, created in its schema position if missing."""
    existing = _child(parent, _w(tag))
    if existing is not None:
        return existing
    child = etree.Element(_w(tag))
    rank = order.index(tag)
    for position, sibling in enumerate(parent):
        local = _local_name(sibling)
        if local in order and order.index(local) > rank:
            parent.insert(position, child)
            return child
    parent.append(child)
    return child


def _local_name(node) -> str:
    tag = node.tag
    if isinstance(tag, str):
        return tag[tag.find("}") + 1 :]
    return etree.QName(node).localname  # a comment or processing instruction: refused


def _first_child(parent, tag: str):
    child = _child(parent, _w(tag))
    if child is None:
        child = etree.Element(_w(tag))
        parent.insert(0, child)
    return child


def _set_tc_property(cell, tag: str, attributes: dict[str, str]) -> None:
    props = _first_child(cell, "tcPr")
    element = _ordered_child(props, tag, _TC_PR_ORDER)
    element.attrib.clear()
    for name, value in attributes.items():
        element.set(_w(name), value)


def _set_grid(tbl, widths: list[int]) -> None:
    props = _first_child(tbl, "tblPr")
    width = _ordered_child(props, "tblW", _TBL_PR_ORDER)
    width.attrib.clear()
    width.set(_w("w"), str(sum(widths)))
    width.set(_w("type"), "dxa")
    layout = _ordered_child(props, "tblLayout", _TBL_PR_ORDER)
    layout.attrib.clear()
    layout.set(_w("type"), "fixed")

    grid = tbl.find(_w("tblGrid"))
    if grid is None:
        grid = etree.Element(_w("tblGrid"))
        props.addnext(grid)
    for child in list(grid):
        grid.remove(child)
    for value in widths:
        etree.SubElement(grid, _w("gridCol")).set(_w("w"), str(value))


def _set_widths(tr, widths: list[int]) -> None:
    cells = tr.findall(_TC)
    _CellWidths(widths).apply(tr, cells, [_span(cell) for cell in cells])


def _child(parent, tag: str):
    """`parent.find(tag)`: the first child with that tag. The first child is tried before a
    search: the schema puts the properties looked up for every cell first (`w:tcPr`, `w:tcW`).
    (`find` itself parses its argument as a path on every call.)"""
    first = parent[0] if len(parent) else None
    if first is not None and first.tag == tag:
        return first
    return next(parent.iterchildren(tag), None)


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
                width.set(_W_W, text)
                width.set(_W_TYPE, "dxa")
            return
        for cell, text in zip(cells, texts, strict=True):
            props = _child(cell, _TC_PR)
            width = None if props is None else _child(props, _TC_W)
            if width is None:
                _set_tc_property(cell, "tcW", {"w": text, "type": "dxa"})
            else:
                width.attrib.clear()
                width.set(_W_W, text)
                width.set(_W_TYPE, "dxa")

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
    _set_tc_property(cell, "vMerge", {"val": "restart"} if restart else {})
    if not restart:
        _clear_cell(cell)


def _clear_cell(cell) -> None:
    """A continued cell shows nothing of its own: one empty paragraph with its formatting."""
    paragraphs = cell.findall(_P)
    for extra in paragraphs[1:]:
        cell.remove(extra)
    if paragraphs:
        for child in list(paragraphs[0]):
            if _local_name(child) != "pPr":
                paragraphs[0].remove(child)


# trPr is a choice group: its children may come in any order.
def _set_row_flag(tr, tag: str, on: bool) -> None:
    props = _child(tr, _TR_PR)
    if props is None:
        if not on:
            return
        props = etree.Element(_TR_PR)
        tblpr_ex = _child(tr, _w("tblPrEx"))
        if tblpr_ex is not None:
            tblpr_ex.addnext(props)
        else:
            tr.insert(0, props)
    for flag in props.findall(_w(tag)):
        props.remove(flag)
    if on:
        etree.SubElement(props, _w(tag))
