"""Appending rendered documents to another as attachments, each in a section of its own.

The meeting material's attachments are the cooperation tables exactly as their own files hold
them: the body of each rendered table document (title, table, notes) is moved in unchanged,
after a label `附件N`, and its section properties (landscape A4, margins) end the attachment's
section. The portrait section of the meeting material itself ends at its last paragraph.

Styles the moved body uses and the document lacks are copied with it. Those built on the table
document's base paragraph style are rebuilt on a copy of that style (`AttachmentBase`), so the
table does not take on the meeting material's larger, condensed body text. Headers and footers
are not copied: the attachments continue the page numbers of the meeting material.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from lxml import etree

from ..errors import TemplateProblem
from .wordml import w_name

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ATTACHMENT_BASE = "AttachmentBase"
LABEL_STYLE = "AttachmentLabel"
_STYLE_REFERENCES = ("pStyle", "rStyle", "tblStyle")


def append_attachments(
    document, labelled: Sequence[tuple[str, bytes]], template: Path, source: Path
) -> None:
    """Append each (label, rendered .docx) to `document` (python-docx), in order.

    `template` and `source` name the two templates in a `TemplateProblem`.
    """
    if not labelled:
        return
    body = document.element.body
    final = body.find(w_name("sectPr"))
    if final is None:
        raise TemplateProblem(str(template), "模板缺少页面设置（分节符）。请对照默认模板修改。")
    _end_section(body, final, copy.deepcopy(final))
    styles = document.styles.element
    previous = None
    for label, data in labelled:
        attached = Document(io.BytesIO(data))
        attached_body = attached.element.body
        section = attached_body.find(w_name("sectPr"))
        blocks = [child for child in attached_body if child is not section]
        _refuse_relationships(blocks, source)
        _copy_styles(blocks, attached.styles.element, styles)
        if previous is not None:  # the attachment before ends at its last block
            _end_section(body, final, previous)
        final.addprevious(_label_paragraph(label))
        for block in blocks:
            final.addprevious(block)
        previous = _attachment_section(section)
    # The last attachment's section is the body's own.
    body.replace(final, previous)


def _label_paragraph(label: str):
    paragraph = etree.SubElement(etree.Element(w_name("body")), w_name("p"))
    properties = etree.SubElement(paragraph, w_name("pPr"))
    etree.SubElement(properties, w_name("pStyle")).set(w_name("val"), LABEL_STYLE)
    run = etree.SubElement(paragraph, w_name("r"))
    etree.SubElement(run, w_name("t")).text = label
    return paragraph


def _end_section(body, final, section) -> None:
    """Put `section` at the end of the last block before `final` (a paragraph's properties)."""
    last = final.getprevious()
    if last is None or last.tag != w_name("p"):
        last = etree.Element(w_name("p"))
        final.addprevious(last)
    properties = last.find(w_name("pPr"))
    if properties is None:
        properties = etree.Element(w_name("pPr"))
        last.insert(0, properties)
    for old in properties.findall(w_name("sectPr")):
        properties.remove(old)
    change = properties.find(w_name("pPrChange"))
    if change is not None:
        change.addprevious(section)
    else:
        properties.append(section)


def _attachment_section(section):
    """The table document's page setup, starting a new page, without its own footers."""
    section = copy.deepcopy(section) if section is not None else etree.Element(w_name("sectPr"))
    for reference in ("headerReference", "footerReference", "titlePg", "type"):
        for element in section.findall(w_name(reference)):
            section.remove(element)
    kind = etree.Element(w_name("type"))
    kind.set(w_name("val"), "nextPage")
    # w:type comes after the references and footnote/endnote settings.
    anchor = next(
        (
            child
            for child in section
            if child.tag in {w_name(n) for n in ("pgSz", "pgMar", "paperSrc", "pgBorders")}
        ),
        None,
    )
    if anchor is not None:
        anchor.addprevious(kind)
    else:
        section.insert(0, kind)
    return section


def _refuse_relationships(blocks, source: Path) -> None:
    """A picture or link in the table template points into its own package: say so."""
    for block in blocks:
        for element in block.iter():
            if any(name.startswith(f"{{{R_NS}}}") for name in element.attrib):
                raise TemplateProblem(
                    str(source),
                    "项目表模板的正文中有图片、链接等对象，无法作为会议材料的附件。请删除后再生成。",
                )


def _style_id(style) -> str:
    return style.get(w_name("styleId")) or ""


def _copy_styles(blocks, source_styles, target_styles) -> None:
    """Copy the styles `blocks` use (and the styles those are built on) that the target lacks."""
    by_id = {_style_id(s): s for s in source_styles.findall(w_name("style"))}
    present = {_style_id(s) for s in target_styles.findall(w_name("style"))}
    base = next(
        (
            s
            for s in by_id.values()
            if s.get(w_name("type")) == "paragraph" and s.get(w_name("default")) in ("1", "true")
        ),
        None,
    )
    wanted: list[str] = []
    pending = [
        element.get(w_name("val"))
        for block in blocks
        for name in _STYLE_REFERENCES
        for element in block.iter(w_name(name))
    ]
    while pending:
        style_id = pending.pop()
        if not style_id or style_id in wanted or style_id not in by_id:
            continue
        wanted.append(style_id)
        based = by_id[style_id].find(w_name("basedOn"))
        if based is not None:
            pending.append(based.get(w_name("val")))
    base_id = _style_id(base) if base is not None else None
    for style_id in reversed(wanted):
        if style_id in present or style_id == base_id:
            continue
        style = copy.deepcopy(by_id[style_id])
        based = style.find(w_name("basedOn"))
        if based is not None and base_id and based.get(w_name("val")) == base_id:
            based.set(w_name("val"), ATTACHMENT_BASE)
            _add_base(base, target_styles, present)
        target_styles.append(style)
        present.add(style_id)


def _add_base(base, target_styles, present: set[str]) -> None:
    if ATTACHMENT_BASE in present:
        return
    style = copy.deepcopy(base)
    for attribute in ("default", "styleId"):
        style.attrib.pop(w_name(attribute), None)
    style.set(w_name("styleId"), ATTACHMENT_BASE)
    name = style.find(w_name("name"))
    if name is not None:
        name.set(w_name("val"), "附件表格基础")
    target_styles.append(style)
    present.add(ATTACHMENT_BASE)
