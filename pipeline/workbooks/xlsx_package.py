"""An .xlsx package edited part by part.

Only the parts that change are parsed and written again; every other part (images, charts,
formulas with their cached values, shared strings, extensions Excel or WPS wrote) is copied
byte for byte. Saving a workbook through a spreadsheet library would lose some of them. The
parts are inflated and measured by the loader's own `unpack`, within its limits, before any of
them is read.
`xlsx_styles`, `xlsx_sheet` and `xlsx_notes` make the edits a marked-up copy needs.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import Any

from lxml import etree

from ..cells import column_number
from ..load import UnreadableWorkbook, unpack
from ..safe_xml import PARSER

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CONTENT_TYPES = "[Content_Types].xml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

_CELL = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UNCLOSED_BREAK = re.compile(rb"<br\s*>", re.IGNORECASE)
_BREAK_END = re.compile(rb"</br\s*>", re.IGNORECASE)
EXCEL_TEXT_LIMIT = 32767


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
            parts = unpack(data)
        except UnreadableWorkbook as exc:
            raise PackageError(str(exc)) from None
        self._infos = parts.infos
        self._parts = parts.data
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
            data = self._parts[name]
            if name.lower().endswith(".vml"):
                # Excel writes a line break in a comment's box as HTML: <br> without its end
                data = _UNCLOSED_BREAK.sub(b"<br/>", _BREAK_END.sub(b"", data))
            try:
                self._parsed[name] = etree.parse(io.BytesIO(data), PARSER)
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
        return needle in self._parts.get(name, b"")

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
                content = self._serialise(name) if name in self._edited else self._parts[name]
                target.writestr(info, content)
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
