"""A worksheet being marked: fills and comments on its cells, and the new first sheet `问题`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..cells import column_letter
from .xlsx_notes import VmlNotes
from .xlsx_package import MAIN, OFFICE_REL, XML_SPACE, Package, clean, local, q, split_cell
from .xlsx_styles import Styles

WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"

MAX_MERGED_CELLS = 200_000  # as the reader's limit

# Children of <worksheet> that come after <legacyDrawing>, in schema order.
_AFTER_LEGACY_DRAWING = {
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
    "AlternateContent",  # Excel wraps controls and OLE objects in it
}


class Worksheet:
    """One worksheet part, parsed, for fills and comments."""

    def __init__(self, package: Package, part: str) -> None:
        self.package = package
        self.part = part
        self.root = package.xml(part, edit=True).getroot()
        data = self.root.find(q("sheetData"))
        if data is None:
            data = etree.Element(q("sheetData"))
            self._insert_before(
                data,
                {
                    "sheetCalcPr",
                    "sheetProtection",
                    "mergeCells",
                    "dataValidations",
                    "hyperlinks",
                    "pageMargins",
                    "pageSetup",
                    "extLst",
                    *_AFTER_LEGACY_DRAWING,
                    "drawing",
                    "legacyDrawing",
                },
            )
        self.data = data
        self._rows: dict[int, Any] | None = None

    def merged_origin(self) -> dict[tuple[int, int], tuple[int, int]]:
        """Each cell inside a merged range → the range's top-left cell."""
        origins: dict[tuple[int, int], tuple[int, int]] = {}
        merges = self.root.find(q("mergeCells"))
        for merge in merges if merges is not None else []:
            first, _, last = (merge.get("ref") or "").partition(":")
            start, end = split_cell(first), split_cell(last or first)
            if start is None or end is None:
                continue
            if (end[0] - start[0] + 1) * (end[1] - start[1] + 1) > MAX_MERGED_CELLS:
                continue  # the reader refuses such a workbook; its problems name no cell inside
            for row in range(start[0], end[0] + 1):
                for column in range(start[1], end[1] + 1):
                    origins[(row, column)] = start
        return origins

    def _row_map(self) -> dict[int, Any]:
        """Row number → <row>, with every row's number written out (some writers omit it)."""
        if self._rows is None:
            self._rows = {}
            number = 0
            for row in self.data.iterfind(q("row")):
                number = int(row.get("r") or number + 1)
                row.set("r", str(number))
                self._rows[number] = row
        return self._rows

    def _row(self, number: int) -> Any:
        rows = self._row_map()
        if number not in rows:
            element = etree.Element(q("row"), r=str(number))
            later = [n for n in rows if n > number]
            if later:
                rows[min(later)].addprevious(element)
            else:
                self.data.append(element)
            rows[number] = element
        return rows[number]

    def filled_columns(self, row_number: int) -> list[int]:
        """The columns of the cells in that row that hold a value, left to right."""
        row = self._row_map().get(row_number)
        columns: list[int] = []
        position = 0
        for cell in row.iterfind(q("c")) if row is not None else []:
            found = split_cell(cell.get("r") or "")
            position = found[1] if found else position + 1
            if cell.find(q("v")) is not None or cell.find(q("is")) is not None:
                columns.append(position)
        return columns

    def _cell(self, row_number: int, column: int) -> tuple[Any, Any]:
        """The <c> element (created when the cell is empty) and its <row>."""
        row = self._row(row_number)
        row.attrib.pop("spans", None)  # a hint only; a new cell may fall outside it
        position = 0
        following = None
        for cell in row.iterfind(q("c")):
            found = split_cell(cell.get("r") or "")
            position = found[1] if found else position + 1
            cell.set("r", f"{column_letter(position)}{row_number}")
            if position == column:
                return cell, row
            if position > column and following is None:
                following = cell
        cell = etree.Element(q("c"), r=f"{column_letter(column)}{row_number}")
        if following is not None:
            following.addprevious(cell)
        else:
            row.append(cell)
        return cell, row

    def _column_format(self, column: int) -> int | None:
        columns = self.root.find(q("cols"))
        for spec in columns if columns is not None else []:
            if int(spec.get("min", 0)) <= column <= int(spec.get("max", 0)) and spec.get("style"):
                return int(spec.get("style"))
        return None

    def fill(self, styles: Styles, row: int, column: int, fill: int) -> None:
        cell, row_element = self._cell(row, column)
        base = cell.get("s")
        if base is None:
            # an empty cell shows its row's or column's format: keep that under the fill
            if row_element.get("customFormat") in ("1", "true") and row_element.get("s"):
                base = row_element.get("s")
            else:
                base = self._column_format(column)
        cell.set("s", str(styles.with_fill(int(base or 0), fill)))
        self._grow_dimension(row, column)

    def _grow_dimension(self, row: int, column: int) -> None:
        dimension = self.root.find(q("dimension"))
        if dimension is None:
            return
        first, _, last = (dimension.get("ref") or "A1").partition(":")
        start, end = split_cell(first) or (1, 1), split_cell(last or first) or (1, 1)
        top, left = min(start[0], row), min(start[1], column)
        bottom, right = max(end[0], row), max(end[1], column)
        dimension.set("ref", f"{column_letter(left)}{top}:{column_letter(right)}{bottom}")

    def _insert_before(self, element: Any, later: set[str]) -> None:
        for child in self.root:
            if local(child) in later:
                child.addprevious(element)
                return
        self.root.append(element)

    def unselect(self) -> None:
        """Clear the tab selection, so the new first sheet is the only one selected."""
        for view in self.root.iter(q("sheetView")):
            view.attrib.pop("tabSelected", None)

    def comment(self, notes: dict[tuple[int, int], str], author: str) -> None:
        """Add a comment to each cell of `notes`, next to any comments the sheet already has."""
        if not notes:
            return
        package = self.package
        existing = package.related(self.part, "comments")
        if existing:
            comments_part = existing[0][1]
            comments = package.xml(comments_part, edit=True).getroot()
        else:
            comments_part = package.free_name("xl/comments{}.xml")
            comments = package.create(
                comments_part, etree.Element(q("comments"), nsmap={None: MAIN})
            ).getroot()
            package.relate(self.part, "comments", comments_part)
            package.declare(comments_part, COMMENTS_TYPE)
        authors = comments.find(q("authors"))
        if authors is None:
            authors = etree.Element(q("authors"))
            comments.insert(0, authors)
        names = [a.text or "" for a in authors]
        if author not in names:
            etree.SubElement(authors, q("author")).text = author
            names.append(author)
        listing = comments.find(q("commentList"))
        if listing is None:
            listing = etree.SubElement(comments, q("commentList"))
        present = {}
        for item in listing:
            found = split_cell(item.get("ref") or "")
            if found:
                present[found] = item
        shapes = []
        for (row, column), text in sorted(notes.items()):
            item = present.get((row, column))
            if item is None:
                item = etree.SubElement(
                    listing,
                    q("comment"),
                    ref=f"{column_letter(column)}{row}",
                    authorId=str(names.index(author)),
                )
                body = etree.SubElement(item, q("text"))
                shapes.append((row, column, text))
                run_text = f"{author}：\n{text}"
            else:
                body = item.find(q("text"))
                if body is None:
                    body = etree.SubElement(item, q("text"))
                run_text = f"\n\n{author}：\n{text}"
            run = etree.SubElement(body, q("r"))
            piece = etree.SubElement(run, q("t"))
            piece.text = clean(run_text)
            piece.set(XML_SPACE, "preserve")
        created = VmlNotes(package, self.part, self.legacy_drawing()).add(shapes)
        if created is not None:
            self.set_legacy_drawing(created)

    def legacy_drawing(self) -> str | None:
        element = self.root.find(q("legacyDrawing"))
        if element is None:
            return None
        return dict(self.package.related(self.part, "vmlDrawing")).get(
            element.get(q("id", OFFICE_REL))
        )

    def set_legacy_drawing(self, relationship: str) -> None:
        element = etree.Element(q("legacyDrawing"))
        element.set(q("id", OFFICE_REL), relationship)
        self._insert_before(element, _AFTER_LEGACY_DRAWING)


# ---------------------------------------------------------------- a new first sheet


@dataclass(frozen=True)
class NewCell:
    value: str | int | None
    style: int = 0  # from `Styles.cell_format`
    link: str | None = None  # a place in the workbook, e.g. 'Sheet'!J5


def add_first_sheet(
    package: Package,
    name: str,
    rows: Iterable[Sequence[NewCell]],
    widths: Sequence[float],
    freeze_rows: int = 0,
    heights: dict[int, float] | None = None,
) -> None:
    """A worksheet `name` before all others, selected and shown when the workbook opens.
    A worksheet of that name already there (an earlier list sent back) is replaced."""
    earlier = package.sheets().get(name)
    part = earlier or package.free_name("xl/worksheets/sheet{}.xml")
    root = etree.Element(q("worksheet"), nsmap={None: MAIN, "r": OFFICE_REL})
    views = etree.SubElement(root, q("sheetViews"))
    view = etree.SubElement(views, q("sheetView"), tabSelected="1", workbookViewId="0")
    if freeze_rows:
        etree.SubElement(
            view,
            q("pane"),
            ySplit=str(freeze_rows),
            topLeftCell=f"A{freeze_rows + 1}",
            activePane="bottomLeft",
            state="frozen",
        )
    etree.SubElement(root, q("sheetFormatPr"), defaultRowHeight="15")
    columns = etree.SubElement(root, q("cols"))
    for index, width in enumerate(widths, start=1):
        etree.SubElement(
            columns, q("col"), min=str(index), max=str(index), width=f"{width:g}", customWidth="1"
        )
    data = etree.SubElement(root, q("sheetData"))
    links = []
    for row_number, cells in enumerate(rows, start=1):
        row = etree.SubElement(data, q("row"), r=str(row_number))
        if heights and row_number in heights:
            row.set("ht", f"{heights[row_number]:g}")
            row.set("customHeight", "1")
        for column, cell in enumerate(cells, start=1):
            reference = f"{column_letter(column)}{row_number}"
            element = etree.SubElement(row, q("c"), r=reference)
            if cell.style:
                element.set("s", str(cell.style))
            if isinstance(cell.value, int):
                etree.SubElement(element, q("v")).text = str(cell.value)
            elif cell.value:
                element.set("t", "inlineStr")
                text = etree.SubElement(etree.SubElement(element, q("is")), q("t"))
                text.text = clean(cell.value)
                text.set(XML_SPACE, "preserve")
            if cell.link:
                links.append((reference, cell.link, str(cell.value or "")))
    if links:
        hyperlinks = etree.SubElement(root, q("hyperlinks"))
        for reference, location, display in links:
            etree.SubElement(
                hyperlinks, q("hyperlink"), ref=reference, location=location, display=display
            )
    etree.SubElement(
        root,
        q("pageMargins"),
        left="0.7",
        right="0.7",
        top="0.75",
        bottom="0.75",
        header="0.3",
        footer="0.3",
    )
    etree.SubElement(root, q("pageSetup"), orientation="landscape", paperSize="9", fitToHeight="0")
    package.create(part, root)
    for sheet_part in package.sheets().values():
        if sheet_part != part and package.mentions(sheet_part, b"tabSelected"):
            Worksheet(package, sheet_part).unselect()
    sheets = package.sheet_list()
    if earlier is None:
        package.declare(part, WORKSHEET_TYPE)
        ids = [int(s.get("sheetId")) for s in sheets if (s.get("sheetId") or "").isdigit()]
        entry = etree.Element(q("sheet"), name=name, sheetId=str(max(ids, default=0) + 1))
        entry.set(q("id", OFFICE_REL), package.relate(package.workbook_part, "worksheet", part))
        position = len(sheets)
    else:
        entry = next(s for s in sheets if s.get("name") == name)
        position = list(sheets).index(entry)
        sheets.remove(entry)
    sheets.insert(0, entry)
    _moved_to_front(package, position)


def _moved_to_front(package: Package, position: int) -> None:
    """The sheet at `position` is now first, the ones before it one place later: names scoped
    to a sheet follow their sheet, and the workbook opens on the first sheet."""
    workbook = package.xml(package.workbook_part, edit=True).getroot()
    for defined in workbook.iter(q("definedName")):
        scope = defined.get("localSheetId", "")
        if scope.isdigit():
            index = int(scope)
            defined.set("localSheetId", str(0 if index == position else index + (index < position)))
    for view in workbook.iter(q("workbookView")):
        view.set("activeTab", "0")
        if "firstSheet" in view.attrib:
            view.set("firstSheet", "0")
