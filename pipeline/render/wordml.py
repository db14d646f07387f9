"""WordprocessingML elements: children found without parsing a path, created where the schema
puts them, and the table properties the cooperation table sets."""

from __future__ import annotations

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w_name(tag: str) -> str:
    """`{namespace}tag` of a `w:` element or attribute."""
    return f"{{{W_NS}}}{tag}"


# Names looked up for every cell of thousands of rows.
TC = w_name("tc")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"  # xml:space="preserve" keeps spaces
TC_PR = w_name("tcPr")
TC_W = w_name("tcW")
TR_PR = w_name("trPr")
P = w_name("p")
GRID_SPAN = w_name("gridSpan")
W_VAL = w_name("val")
W_W = w_name("w")
W_TYPE = w_name("type")


def find_child(parent, tag: str):
    """`parent.find(tag)`: the first child with that tag. The first child is tried before a
    search: the schema puts the properties looked up for every cell first (`w:tcPr`, `w:tcW`).
    (`find` itself parses its argument as a path on every call.)"""
    first = parent[0] if len(parent) else None
    if first is not None and first.tag == tag:
        return first
    return next(parent.iterchildren(tag), None)


def local_name(node) -> str:
    tag = node.tag
    if isinstance(tag, str):
        return tag[tag.find("}") + 1 :]
    return etree.QName(node).localname  # a comment or processing instruction: refused


# tcPr children in schema order (ECMA-376 CT_TcPr): Word refuses a file with them out of order.
TC_PR_ORDER = (
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


TBL_PR_ORDER = (
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


def cell_span(cell) -> int:
    props = find_child(cell, TC_PR)
    span = None if props is None else find_child(props, GRID_SPAN)
    if span is None:
        return 1
    try:
        return max(1, int(span.get(W_VAL, "1")))
    except ValueError:
        return 1


def ordered_child(parent, tag: str, order: tuple[str, ...]):
    """The child `tag` of `parent`, created in its schema position if missing."""
    existing = find_child(parent, w_name(tag))
    if existing is not None:
        return existing
    child = etree.Element(w_name(tag))
    rank = order.index(tag)
    for position, sibling in enumerate(parent):
        local = local_name(sibling)
        if local in order and order.index(local) > rank:
            parent.insert(position, child)
            return child
    parent.append(child)
    return child


def first_child(parent, tag: str):
    child = find_child(parent, w_name(tag))
    if child is None:
        child = etree.Element(w_name(tag))
        parent.insert(0, child)
    return child


def set_tc_property(cell, tag: str, attributes: dict[str, str]) -> None:
    props = first_child(cell, "tcPr")
    element = ordered_child(props, tag, TC_PR_ORDER)
    element.attrib.clear()
    for name, value in attributes.items():
        element.set(w_name(name), value)


def set_grid(tbl, widths: list[int]) -> None:
    props = first_child(tbl, "tblPr")
    width = ordered_child(props, "tblW", TBL_PR_ORDER)
    width.attrib.clear()
    width.set(w_name("w"), str(sum(widths)))
    width.set(w_name("type"), "dxa")
    layout = ordered_child(props, "tblLayout", TBL_PR_ORDER)
    layout.attrib.clear()
    layout.set(w_name("type"), "fixed")

    grid = tbl.find(w_name("tblGrid"))
    if grid is None:
        grid = etree.Element(w_name("tblGrid"))
        props.addnext(grid)
    for child in list(grid):
        grid.remove(child)
    for value in widths:
        etree.SubElement(grid, w_name("gridCol")).set(w_name("w"), str(value))


def clear_cell(cell) -> None:
    """A continued cell shows nothing of its own: one empty paragraph with its formatting."""
    paragraphs = cell.findall(P)
    for extra in paragraphs[1:]:
        cell.remove(extra)
    if paragraphs:
        for child in list(paragraphs[0]):
            if local_name(child) != "pPr":
                paragraphs[0].remove(child)


# trPr is a choice group: its children may come in any order.
def set_row_flag(tr, tag: str, on: bool) -> None:
    props = find_child(tr, TR_PR)
    if props is None:
        if not on:
            return
        props = etree.Element(TR_PR)
        tblpr_ex = find_child(tr, w_name("tblPrEx"))
        if tblpr_ex is not None:
            tblpr_ex.addnext(props)
        else:
            tr.insert(0, props)
    for flag in props.findall(w_name(tag)):
        props.remove(flag)
    if on:
        etree.SubElement(props, w_name(tag))


def paragraph_style(paragraph) -> str:
    """The id of the paragraph's style (`w:pStyle`), or "" for the default."""
    props = find_child(paragraph, w_name("pPr"))
    style = find_child(props, w_name("pStyle")) if props is not None else None
    return "" if style is None else style.get(W_VAL, "")


def keep_with_next(paragraph) -> None:
    """Give a paragraph `w:keepNext` (after `w:pStyle`, first otherwise, as the schema orders)."""
    props = first_child(paragraph, "pPr")
    if find_child(props, w_name("keepNext")) is None:
        at = 1 if find_child(props, w_name("pStyle")) is not None else 0
        props.insert(at, etree.Element(w_name("keepNext")))
