"""Editing an .xlsx package part by part: fills and comments on cells, and a new first sheet.

Only the parts that change (styles, the marked sheets, their comments, the workbook's sheet
list) are parsed and written again; every other part (images, charts, formulas with their
cached values, shared strings, extensions Excel or WPS wrote) is copied byte for byte. Saving
the workbook through a spreadsheet library would lose some of them.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..cells import column_letter, column_number

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
VML = "urn:schemas-microsoft-com:vml"
VML_OFFICE = "urn:schemas-microsoft-com:office:office"
VML_EXCEL = "urn:schemas-microsoft-com:office:excel"

WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CONTENT_TYPES = "[Content_Types].xml"

_CELL = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
SHAPES_PER_BLOCK = 1024  # VML shape ids come in blocks named by <o:idmap data="…">
EXCEL_TEXT_LIMIT = 32767

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
# Children of <styleSheet>, in schema order.
_STYLE_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
_MINIMAL_STYLES = (
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1">'
    '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


class PackageError(Exception):
    """The workbook's parts are not laid out as an .xlsx should be; the message is Chinese."""


def q(name: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{name}"


def local(element: Any) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def clean(text: str) -> str:
    """Text a worksheet can hold: no characters XML forbids, at most Excel's cell limit."""
    text = _XML_ILLEGAL.sub("", text)
    return text if len(text) <= EXCEL_TEXT_LIMIT else text[: EXCEL_TEXT_LIMIT - 1] + "…"


def split_cell(reference: str) -> tuple[int, int] | None:
    """`J5` → (5, 10); None for anything that is not one cell."""
    match = _CELL.match(reference)
    if not match:
        return None
    return int(match.group(2)), column_number(match.group(1))


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


class Package:
    """The parts of one .xlsx, read from bytes; `save` gives the edited package's bytes."""

    def __init__(self, data: bytes) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self._infos = {info.filename: info for info in self._zip.infolist()}
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise PackageError("工作簿无法打开（不是有效的 .xlsx 文件）") from exc
        self._parsed: dict[str, Any] = {}  # part name → lxml tree
        self._edited: set[str] = set()  # the parsed parts written back on save
        root_rels = self.xml("_rels/.rels")
        office = [
            r.get("Target")
            for r in root_rels.getroot()
            if r.get("Type", "").endswith("/officeDocument")
        ]
        if not office:
            raise PackageError("工作簿中找不到工作簿主体（workbook.xml）")
        self.workbook_part = self.resolve("", office[0])
        self.workbook = self.xml(self.workbook_part)  # edited only by `add_first_sheet`

    # ------------------------------------------------------------ parts

    def has(self, name: str) -> bool:
        return name in self._parsed or name in self._infos

    def xml(self, name: str, *, edit: bool = False) -> Any:
        """The part parsed (once); with `edit`, the changes made to it are saved."""
        if edit:
            self._edited.add(name)
        if name not in self._parsed:
            if name not in self._infos:
                raise PackageError(f"工作簿缺少部件 {name}")
            data = self._zip.read(name)
            try:
                self._parsed[name] = etree.parse(io.BytesIO(data), _PARSER)
            except etree.XMLSyntaxError as exc:
                raise PackageError(f"工作簿的部件 {name} 无法读取") from exc
        return self._parsed[name]

    def create(self, name: str, root: Any) -> Any:
        tree = etree.ElementTree(root)
        self._parsed[name] = tree
        self._edited.add(name)
        return tree

    def mentions(self, name: str, needle: bytes) -> bool:
        """Whether the part holds `needle`: a cheap look before parsing it."""
        if name in self._edited:
            return True
        return name in self._infos and needle in self._zip.read(name)

    def names(self) -> list[str]:
        return [*self._infos, *(n for n in self._parsed if n not in self._infos)]

    @staticmethod
    def resolve(source: str, target: str) -> str:
        """The part a relationship of `source` points to."""
        if target.startswith("/"):
            return target[1:]
        return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))

    @staticmethod
    def rels_name(part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", name + ".rels")

    def relationships(self, part: str) -> Any:
        """The root of `part`'s relationships, created empty when it has none."""
        name = self.rels_name(part)
        if not self.has(name):
            self.create(
                name, etree.Element(q("Relationships", PACKAGE_REL), nsmap={None: PACKAGE_REL})
            )
        return self.xml(name, edit=True).getroot()

    def related(self, part: str, kind: str) -> list[tuple[str, str]]:
        """(id, part) of `part`'s internal relationships whose type ends with `/kind`."""
        name = self.rels_name(part)
        if not self.has(name):
            return []
        return [
            (r.get("Id"), self.resolve(part, r.get("Target", "")))
            for r in self.xml(name).getroot()
            if r.get("Type", "").endswith("/" + kind) and r.get("TargetMode") != "External"
        ]

    def relate(self, part: str, kind: str, target: str) -> str:
        """Add a relationship from `part` to `target`; returns its id."""
        rels = self.relationships(part)
        taken = {r.get("Id") for r in rels}
        number = len(taken) + 1
        while f"rId{number}" in taken:
            number += 1
        relative = posixpath.relpath(target, posixpath.dirname(part) or ".")
        etree.SubElement(
            rels,
            q("Relationship", PACKAGE_REL),
            Id=f"rId{number}",
            Type=f"{OFFICE_REL}/{kind}",
            Target=relative,
        )
        return f"rId{number}"

    def free_name(self, pattern: str) -> str:
        """The first `pattern.format(n)` not yet in the package (case-insensitively)."""
        taken = {n.lower() for n in self.names()}
        number = 1
        while pattern.format(number).lower() in taken:
            number += 1
        return pattern.format(number)

    def declare(self, part: str, content_type: str, default_extension: str | None = None) -> None:
        types = self.xml(CONTENT_TYPES, edit=True).getroot()
        if default_extension is not None:
            for entry in types:
                if (
                    local(entry) == "Default"
                    and entry.get("Extension", "").lower() == default_extension
                ):
                    return
            etree.SubElement(
                types,
                q("Default", CONTENT_TYPES_NS),
                Extension=default_extension,
                ContentType=content_type,
            )
            return
        etree.SubElement(
            types, q("Override", CONTENT_TYPES_NS), PartName="/" + part, ContentType=content_type
        )

    def save(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for name, info in self._infos.items():
                if name in self._edited:
                    target.writestr(info, self._serialise(name))
                else:
                    target.writestr(info, self._zip.read(name))
            for name in self._parsed:
                if name not in self._infos:
                    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    entry.external_attr = 0o644 << 16
                    target.writestr(entry, self._serialise(name))
        return out.getvalue()

    def _serialise(self, name: str) -> bytes:
        tree = self._parsed[name]
        body = etree.tostring(tree.getroot(), encoding="UTF-8", xml_declaration=False)
        if name.lower().endswith(".vml"):
            return body
        # the declaration as Excel writes it (lxml would quote it with single quotes)
        standalone = ' standalone="yes"' if tree.docinfo.standalone else ""
        return f'<?xml version="1.0" encoding="UTF-8"{standalone}?>\r\n'.encode() + body

    # ------------------------------------------------------------ workbook

    def sheet_list(self) -> Any:
        sheets = self.workbook.getroot().find(q("sheets"))
        if sheets is None:
            raise PackageError("工作簿中没有工作表列表")
        return sheets

    def sheets(self) -> dict[str, str]:
        """Sheet name → its part, in the workbook's order (worksheets only)."""
        targets = dict(self.related(self.workbook_part, "worksheet"))
        found = {}
        for sheet in self.sheet_list():
            part = targets.get(sheet.get(q("id", OFFICE_REL)))
            if part is not None:
                found[sheet.get("name")] = part
        return found

    def hidden_sheets(self) -> set[str]:
        return {
            s.get("name") for s in self.sheet_list() if s.get("state") in ("hidden", "veryHidden")
        }


# ---------------------------------------------------------------- styles


class Styles:
    """The workbook's cell formats: new fills and fonts, and formats that add a fill."""

    def __init__(self, package: Package) -> None:
        parts = package.related(package.workbook_part, "styles")
        if parts:
            self.part = parts[0][1]
            self.root = package.xml(self.part, edit=True).getroot()
        else:
            # the usual name: some readers look for the styles there, not through the relationship
            usual = "xl/styles.xml"
            self.part = usual if not package.has(usual) else package.free_name("xl/styles{}.xml")
            self.root = package.create(
                self.part, etree.fromstring(_MINIMAL_STYLES, _PARSER)
            ).getroot()
            package.relate(package.workbook_part, "styles", self.part)
            package.declare(self.part, STYLES_TYPE)
        self._filled: dict[tuple[int, int], int] = {}
        self._fills: dict[str, int] = {}

    def _list(self, name: str) -> Any:
        found = self.root.find(q(name))
        if found is not None:
            return found
        element = etree.Element(q(name))
        later = _STYLE_ORDER[_STYLE_ORDER.index(name) + 1 :]
        for index, child in enumerate(self.root):
            if local(child) in later:
                self.root.insert(index, element)
                return element
        self.root.append(element)
        return element

    def _add(self, name: str, element: Any) -> int:
        parent = self._list(name)
        parent.append(element)
        count = len([c for c in parent if isinstance(c.tag, str)])
        parent.set("count", str(count))
        return count - 1

    def fill(self, rgb: str) -> int:
        """A solid fill of colour `rgb` (AARRGGBB)."""
        if rgb not in self._fills:
            fill = etree.Element(q("fill"))
            pattern = etree.SubElement(fill, q("patternFill"), patternType="solid")
            etree.SubElement(pattern, q("fgColor"), rgb=rgb)
            etree.SubElement(pattern, q("bgColor"), indexed="64")
            self._fills[rgb] = self._add("fills", fill)
        return self._fills[rgb]

    def font(
        self,
        *,
        bold: bool = False,
        color: str | None = None,
        size: float | None = None,
        underline: bool = False,
    ) -> int:
        """The workbook's default font with these changes."""
        fonts = self._list("fonts")
        first = next((f for f in fonts if local(f) == "font"), None)
        font = copy.deepcopy(first) if first is not None else etree.Element(q("font"))
        for child in list(font):
            if local(child) in {"b", "color", "u"} or (size and local(child) == "sz"):
                font.remove(child)
        if bold:
            font.insert(0, etree.Element(q("b")))
        if underline:
            font.insert(0, etree.Element(q("u")))
        if size:
            font.insert(0, etree.Element(q("sz"), val=f"{size:g}"))
        if color:
            font.append(etree.Element(q("color"), rgb=color))
        return self._add("fonts", font)

    def with_fill(self, xf: int, fill: int) -> int:
        """A cell format like number `xf`, filled with `fill`."""
        key = (xf, fill)
        if key not in self._filled:
            formats = [x for x in self._list("cellXfs") if local(x) == "xf"]
            base = (
                copy.deepcopy(formats[xf])
                if 0 <= xf < len(formats)
                else etree.Element(q("xf"), numFmtId="0", fontId="0", borderId="0", xfId="0")
            )
            base.set("fillId", str(fill))
            base.set("applyFill", "1")
            self._filled[key] = self._add("cellXfs", base)
        return self._filled[key]

    def cell_format(self, *, font: int = 0, fill: int = 0, wrap: bool = True) -> int:
        """A new cell format for the sheet this module writes."""
        xf = etree.Element(
            q("xf"),
            numFmtId="0",
            fontId=str(font),
            fillId=str(fill),
            borderId="0",
            xfId="0",
            applyFont="1",
            applyFill="1",
            applyAlignment="1",
        )
        etree.SubElement(xf, q("alignment"), vertical="top", wrapText="1" if wrap else "0")
        return self._add("cellXfs", xf)


# ---------------------------------------------------------------- marking cells


@dataclass(frozen=True)
class Mark:
    """A fill and a comment for one cell."""

    fill: int  # from `Styles.fill`
    comment: str


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
            if (end[0] - start[0] + 1) * (end[1] - start[1] + 1) > 200_000:
                continue
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
            piece.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        _VmlNotes(package, self).add(shapes)

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


class _VmlNotes:
    """The VML shapes Excel needs to show comments (their boxes, hidden until hovered)."""

    def __init__(self, package: Package, sheet: Worksheet) -> None:
        self.package = package
        self.sheet = sheet

    def _used_blocks(self) -> set[int]:
        used = set()
        for name in self.package.names():
            if name.lower().endswith(".vml"):
                try:
                    root = self.package.xml(name).getroot()
                except PackageError:
                    continue
                used |= _blocks(root)
        return used

    def add(self, shapes: Sequence[tuple[int, int, str]]) -> None:
        if not shapes:
            return
        part = self.sheet.legacy_drawing()
        if part is None:
            part = self.package.free_name("xl/drawings/vmlDrawing{}.vml")
            root = etree.Element("xml", nsmap={"v": VML, "o": VML_OFFICE, "x": VML_EXCEL})
            self.package.create(part, root)
            layout = etree.SubElement(root, q("shapelayout", VML_OFFICE))
            layout.set(q("ext", VML), "edit")
            idmap = etree.SubElement(layout, q("idmap", VML_OFFICE), data="")
            idmap.set(q("ext", VML), "edit")
            self.sheet.set_legacy_drawing(self.package.relate(self.sheet.part, "vmlDrawing", part))
            self.package.declare(part, VML_TYPE, default_extension="vml")
        root = self.package.xml(part, edit=True).getroot()
        if not any(s.get("id") == "_x0000_t202" for s in root.iter(q("shapetype", VML))):
            root.append(_note_shape_type())
        ids = _shape_ids(root, len(shapes), self._used_blocks())
        for (row, column, text), number in zip(shapes, ids, strict=True):
            root.append(_note_shape(number, row, column, text))


def _blocks(root: Any) -> set[int]:
    blocks = set()
    for idmap in root.iter(q("idmap", VML_OFFICE)):
        for piece in (idmap.get("data") or "").split(","):
            if piece.strip().isdigit():
                blocks.add(int(piece))
    return blocks


def _shape_ids(root: Any, count: int, used_blocks: set[int]) -> list[int]:
    """`count` new shape numbers within this drawing's id blocks, adding blocks as needed."""
    idmap = next(root.iter(q("idmap", VML_OFFICE)), None)
    if idmap is None:
        layout = etree.Element(q("shapelayout", VML_OFFICE))
        layout.set(q("ext", VML), "edit")
        root.insert(0, layout)
        idmap = etree.SubElement(layout, q("idmap", VML_OFFICE), data="")
        idmap.set(q("ext", VML), "edit")
    own = sorted(_blocks(root))
    taken = set()
    for shape in root.iter(q("shape", VML)):
        match = re.search(r"(\d+)$", shape.get("id") or "")
        if match:
            taken.add(int(match.group(1)))
    numbers: list[int] = []
    block_index = 0
    while len(numbers) < count:
        if block_index == len(own):
            fresh = max([*used_blocks, *own, 0]) + 1
            own.append(fresh)
        block = own[block_index]
        for number in range(block * SHAPES_PER_BLOCK + 1, (block + 1) * SHAPES_PER_BLOCK):
            if number not in taken:
                numbers.append(number)
                taken.add(number)
                if len(numbers) == count:
                    break
        block_index += 1
    idmap.set("data", ",".join(str(b) for b in own))
    return numbers


def _note_shape_type() -> Any:
    shape_type = etree.Element(
        q("shapetype", VML),
        id="_x0000_t202",
        coordsize="21600,21600",
        path="m,l,21600r21600,l21600,xe",
    )
    shape_type.set(q("spt", VML_OFFICE), "202")
    etree.SubElement(shape_type, q("stroke", VML), joinstyle="miter")
    path = etree.SubElement(shape_type, q("path", VML), gradientshapeok="t")
    path.set(q("connecttype", VML_OFFICE), "rect")
    return shape_type


def _note_shape(number: int, row: int, column: int, text: str) -> Any:
    """A hidden comment box to the right of the cell, tall enough for the text."""
    lines = sum(1 + len(line) // 18 for line in text.splitlines() or [""])
    height = min(max(lines + 1, 4), 24)
    shape = etree.Element(
        q("shape", VML),
        id=f"_x0000_s{number}",
        type="#_x0000_t202",
        style=(
            "position:absolute;margin-left:80pt;margin-top:2pt;width:200pt;"
            f"height:{height * 14}pt;z-index:{number % SHAPES_PER_BLOCK};visibility:hidden"
        ),
        fillcolor="#ffffe1",
    )
    shape.set(q("insetmode", VML_OFFICE), "auto")
    etree.SubElement(shape, q("fill", VML), color2="#ffffe1")
    etree.SubElement(shape, q("shadow", VML), on="t", color="black", obscured="t")
    path = etree.SubElement(shape, q("path", VML))
    path.set(q("connecttype", VML_OFFICE), "none")
    box = etree.SubElement(shape, q("textbox", VML), style="mso-direction-alt:auto")
    etree.SubElement(box, "div", style="text-align:left")
    data = etree.SubElement(shape, q("ClientData", VML_EXCEL), ObjectType="Note")
    etree.SubElement(data, q("MoveWithCells", VML_EXCEL))
    etree.SubElement(data, q("SizeWithCells", VML_EXCEL))
    # columns and rows are 0-based: from one column right of the cell, `height` rows down
    anchor = f"{column}, 15, {max(row - 2, 0)}, 10, {column + 3}, 15, {max(row - 2, 0) + height}, 4"
    etree.SubElement(data, q("Anchor", VML_EXCEL)).text = anchor
    etree.SubElement(data, q("AutoFill", VML_EXCEL)).text = "False"
    etree.SubElement(data, q("Row", VML_EXCEL)).text = str(row - 1)
    etree.SubElement(data, q("Column", VML_EXCEL)).text = str(column - 1)
    return shape


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
                text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
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
