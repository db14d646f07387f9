"""The cell formats of a workbook being marked: new fills and fonts, and formats that add a
fill to a cell's own format (its font, borders, number format and alignment stay)."""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree

from .xlsx_package import MAIN, PARSER, Package, local, q

STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
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
# Children of <font>, in the order Excel writes them and Office's validator requires (the
# schema allows any order; openpyxl writes <name> first, which Excel's validator rejects).
_FONT_ORDER = {
    name: index
    for index, name in enumerate(
        (
            "b",
            "i",
            "strike",
            "condense",
            "extend",
            "outline",
            "shadow",
            "u",
            "vertAlign",
            "sz",
            "color",
            "name",
            "family",
            "charset",
            "scheme",
        )
    )
}
_MINIMAL_STYLES = (
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1">'
    '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def order_fonts(root: Any) -> bool:
    """Put the children of every <font> under `root` (a <styleSheet>, or one <font>) in
    Excel's order; whether any moved."""
    moved = False
    for font in root.iter(q("font")):
        children = [c for c in font if isinstance(c.tag, str)]
        ordered = sorted(children, key=lambda c: _FONT_ORDER.get(local(c), len(_FONT_ORDER)))
        if ordered != children:
            moved = True
            for child in children:
                font.remove(child)
            font.extend(ordered)
    return moved


def ordered_styles(data: bytes) -> bytes:
    """A styles part with every font's children in Excel's order (the same bytes if they are)."""
    root = etree.fromstring(data, PARSER)
    return etree.tostring(root, encoding="UTF-8") if order_fonts(root) else data


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
                self.part, etree.fromstring(_MINIMAL_STYLES, PARSER)
            ).getroot()
            package.relate(package.workbook_part, "styles", self.part)
            package.declare(self.part, STYLES_TYPE)
        order_fonts(self.root)  # the workbook's own fonts too: this part is written again
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
        order_fonts(font)
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
