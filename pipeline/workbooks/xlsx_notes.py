"""The VML drawing Excel needs to show a sheet's comments: one hidden box per comment."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lxml import etree

from .xlsx_package import Package, PackageError, q

VML = "urn:schemas-microsoft-com:vml"
VML_OFFICE = "urn:schemas-microsoft-com:office:office"
VML_EXCEL = "urn:schemas-microsoft-com:office:excel"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
SHAPES_PER_BLOCK = 1024  # VML shape ids come in blocks named by <o:idmap data="…">


class VmlNotes:
    """The VML shapes Excel needs to show comments (their boxes, hidden until hovered), in the
    sheet's own drawing `drawing` (a part name), or a new one when the sheet has none."""

    def __init__(self, package: Package, sheet_part: str, drawing: str | None) -> None:
        self.package = package
        self.sheet_part = sheet_part
        self.drawing = drawing

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

    def add(self, shapes: Sequence[tuple[int, int, str]]) -> str | None:
        """Add a box per (row, column, text). Returns the relationship id of a new drawing,
        which the sheet must name in its legacyDrawing, or None when it had one."""
        if not shapes:
            return None
        part, created = self.drawing, None
        if part is None:
            part = self.package.free_name("xl/drawings/vmlDrawing{}.vml")
            root = etree.Element("xml", nsmap={"v": VML, "o": VML_OFFICE, "x": VML_EXCEL})
            self.package.create(part, root)
            layout = etree.SubElement(root, q("shapelayout", VML_OFFICE))
            layout.set(q("ext", VML), "edit")
            idmap = etree.SubElement(layout, q("idmap", VML_OFFICE), data="")
            idmap.set(q("ext", VML), "edit")
            created = self.package.relate(self.sheet_part, "vmlDrawing", part)
            self.package.declare(part, VML_TYPE, default_extension="vml")
        root = self.package.xml(part, edit=True).getroot()
        if not any(s.get("id") == "_x0000_t202" for s in root.iter(q("shapetype", VML))):
            root.append(_note_shape_type())
        ids = _shape_ids(root, len(shapes), self._used_blocks())
        for (row, column, text), number in zip(shapes, ids, strict=True):
            root.append(_note_shape(number, row, column, text))
        return created


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
