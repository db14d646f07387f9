"""docxtpl's rendering steps, each giving what docxtpl's gives with less work.

docxtpl renders the body as one string: Jinja over the document XML, fixed replacements, the
listing step, then parsing the result and moving it into the document. For a table of
thousands of rows each pass over the string or the tree counts. `use_cheaper_steps` puts these
in place on one `DocxTemplate`; the tests compare them with docxtpl's own.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import jinja2
from lxml import etree

from ._docx import Sandbox

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BODY = f"{{{_W_NS}}}body"
_DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"

_PARAGRAPH_START = re.compile(r"<w:p([ >])")
# docxtpl turns tabs, line breaks and page breaks in the rendered text into Word XML by running
# three nested regular expressions over every run of every paragraph. A table of thousands of
# rows has tens of thousands of paragraphs, and only those holding such a character change.
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # as docxtpl finds them
_LISTING_CHARACTERS = re.compile("[\t\a\n\f]")


def use_cheaper_steps(template) -> None:
    """Have `template` (a `DocxTemplate`) use the cheaper steps for this rendering."""
    template.render_xml_part = partial(_render_xml_part, template)
    resolve_listing_where_needed(template)
    body = _BodySteps(template)
    template.fix_tables = body.fix_tables
    template.fix_docpr_ids = body.fix_docpr_ids
    template.map_tree = body.map_tree


def _render_xml_part(template, src_xml: str, part, context: dict[str, Any], jinja_env=None) -> str:
    """docxtpl's `render_xml_part`: each template part compiled once per process, and the
    fixed replacements made only where there is something to replace."""
    src_xml = _PARAGRAPH_START.sub(r"\n<w:p\1", src_xml)
    try:
        template.current_rendering_part = part
        dst_xml = _compiled(src_xml, jinja_env).render(context)
    except jinja2.TemplateError as exc:
        if getattr(exc, "lineno", None) is not None:
            line_number = max(exc.lineno - 4, 0)
            exc.docx_context = map(
                lambda x: re.sub(r"<[^>]+>", "", x),
                src_xml.splitlines()[line_number : (line_number + 7)],
            )
        raise
    # As re.sub(r"\n<w:p([ >])", r"<w:p\1", …): removing a line break makes no new match.
    dst_xml = dst_xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    if "{_" in dst_xml or "_}" in dst_xml:  # else none of the four occurs
        dst_xml = (
            dst_xml.replace("{_{", "{{")
            .replace("}_}", "}}")
            .replace("{_%", "{%")
            .replace("%_}", "%}")
        )
    return template.resolve_listing(dst_xml)


# Compiled template parts by their source: every region's table is rendered from the same
# template. Only for the environment `jinja_environment` makes, which is always the same.
_COMPILED: dict[str, jinja2.Template] = {}
_COMPILED_LIMIT = 16


def _compiled(source: str, jinja_env) -> jinja2.Template:
    if type(jinja_env) is not Sandbox:
        return jinja_env.from_string(source) if jinja_env else jinja2.Template(source)
    compiled = _COMPILED.get(source)
    if compiled is None:
        compiled = jinja_env.from_string(source)
        if len(_COMPILED) >= _COMPILED_LIMIT:
            _COMPILED.clear()
        _COMPILED[source] = compiled
    return compiled


def resolve_listing_where_needed(template) -> None:
    """Have `template` hand docxtpl's listing step only the paragraphs it would change."""
    template.resolve_listing = partial(_resolve_listing, template.resolve_listing)


def _resolve_listing(resolve: Callable[[str], str], xml: str) -> str:
    """What `_PARAGRAPH.sub(resolve, xml)` gives, as docxtpl's listing step runs it, when
    `resolve` changes only paragraphs holding a listing character.

    Those characters are rare (a line break typed in a cell), so the paragraphs that hold them
    are found from the characters: the regular expression's scan, left to right, is at rest
    after each `</w:p>` (a match ends at the first one after its start tag), so searching from
    the last `</w:p>` before a character finds the match the whole scan would have found there.
    A start tag that runs over a `</w:p>` (only in XML broken on purpose) is left to the scan.
    """
    positions = sorted(index for character in "\t\a\n\f" for index in _occurrences(xml, character))
    pieces = []
    done = 0  # xml[:done] is settled; the scan is at rest there
    for position in positions:
        if position < done:
            continue  # inside the paragraph just resolved
        close = xml.rfind("</w:p>", done, position)
        start_tag = xml.rfind("<w:p ", done, close) if close >= 0 else -1
        if start_tag >= 0 and xml.find(">", start_tag) >= close + 5:
            return _PARAGRAPH.sub(partial(_resolve_paragraph, resolve), xml)
        match = _PARAGRAPH.search(xml, close + 6 if close >= 0 else done)
        if match is None:
            break
        if match.start() > position:
            continue  # the character is in no paragraph
        if match.end() <= position:  # cannot happen, by the reasoning above
            return _PARAGRAPH.sub(partial(_resolve_paragraph, resolve), xml)
        pieces.append(xml[done : match.start()])
        pieces.append(resolve(match.group(0)))
        done = match.end()
    if not pieces:
        return xml
    pieces.append(xml[done:])
    return "".join(pieces)


def _occurrences(text: str, character: str) -> Iterator[int]:
    index = text.find(character)
    while index >= 0:
        yield index
        index = text.find(character, index + 1)


def _resolve_paragraph(resolve: Callable[[str], str], match: re.Match) -> str:
    text = match.group(0)
    return resolve(text) if _LISTING_CHARACTERS.search(text) else text


class _BodySteps:
    """docxtpl's last steps for the rendered body: parse, fix the table grids, number the
    drawings, put the body into the document.

    docxtpl parses the body on its own and then moves it into the document, which walks every
    node a second time. Here the body is parsed inside a copy of the document's root element,
    which gives the same XML as the moved body, and the document takes that root instead.
    """

    def __init__(self, template) -> None:
        self.template = template
        self.drawings = True

    def fix_tables(self, xml: str):
        self.drawings = "docPr" in xml  # no drawing: no id to renumber
        body = self._parse_in_root(xml)
        if body is None:
            body = etree.fromstring(xml, parser=etree.XMLParser(recover=True))
        fix_table_grids(body)
        return body

    def fix_docpr_ids(self, body) -> None:
        """As docxtpl's: every drawing of the body gets a new id, in document order."""
        if not self.drawings:
            return
        for element in body.iter(_DOC_PR):  # document order, as docxtpl's `//wp:docPr`
            self.template.docx_ids_index += 1
            element.attrib["id"] = str(self.template.docx_ids_index)

    def map_tree(self, body) -> None:
        root = body.getparent()
        if root is None:  # parsed on its own: docxtpl's way
            type(self.template).map_tree(self.template, body)
            return
        document = self.template.docx
        document.part._element = root
        document._element = root
        document._Document__body = None  # python-docx's cached body proxy

    def _parse_in_root(self, xml: str):
        """The rendered body inside a copy of the root, or None where that might differ from
        docxtpl's result (an unusual body element, XML that needed repairing)."""
        from docx.oxml.parser import element_class_lookup

        root = self.template.docx.element
        body = root.find(_BODY)
        if body is None or body.attrib:
            return None
        shell = copy.deepcopy(root)
        marker = f"rendered body {id(self)}"
        shell.find(_BODY)[:] = [etree.Comment(marker)]
        head, found, tail = etree.tostring(shell, encoding="unicode").partition(f"<!--{marker}-->")
        # The body's tags as they stand in the root: no namespace declarations of their own,
        # which is what moving the parsed body into the root leaves too.
        start_tag = head[head.rfind("<") :]
        end_tag = tail[: tail.find(">") + 1]
        content_start = xml.find(">") + 1
        if (
            not found
            or marker in tail
            or not xml.startswith(start_tag[:-1] + " ")
            or xml[content_start - 2] == "/"
            or not xml.endswith(end_tag)
        ):
            return None
        whole = head + xml[content_start : len(xml) - len(end_tag)] + tail
        parser = etree.XMLParser(recover=True)
        parser.set_element_class_lookup(element_class_lookup)
        try:
            parsed = etree.fromstring(whole, parser=parser)
        except etree.XMLSyntaxError:
            return None
        return None if parser.error_log else parsed.find(_BODY)


def fix_table_grids(tree) -> None:
    """docxtpl's `DocxTemplate.fix_tables` on a parsed body, with the same result, but cheap
    per row.

    After `{%tc %}` loops a row may have more cells than the table has grid columns: the grid
    gets columns added (widths scaled to keep the table's width), then loses those that no row
    reaches. docxtpl walks every row twice and looks up every cell's `w:gridSpan` in Python;
    here the table is walked once and a row without any `w:gridSpan` is counted at once.
    Errors of a broken table are the same too.
    """
    ns = "{" + tree.nsmap["w"] + "}"
    tc, tr, grid_col, width, grid_span = (
        ns + "tc",
        ns + "tr",
        ns + "gridCol",
        ns + "w",
        ns + "gridSpan",
    )
    for table in tree.iter(ns + "tbl"):
        grid = table.find(ns + "tblGrid")
        columns = grid.findall(grid_col)
        # One walk over the table for its rows (nested tables' rows too, as docxtpl counts
        # them) and for the rows holding a `w:gridSpan` anywhere.
        rows, spanned_rows = [], set()
        for element in table.iter(tr, grid_span):
            if element.tag == tr:
                rows.append(element)
            else:
                spanned_rows.update(element.iterancestors(tr))
        cell_counts = [len(row.findall(tc)) for row in rows]
        most_cells = max(cell_counts, default=0)
        to_add = max(0, most_cells - len(columns))
        if to_add > 0:
            total = 0.0
            for column in columns:
                if column.get(width) is not None:
                    total += float(column.get(width))
            if total > 0:
                old_average = total / len(columns)
                new_average = total / (len(columns) + to_add)
                for column in columns:
                    column.set(
                        width, str(int(float(column.get(width)) * new_average / old_average))
                    )
                for _ in range(to_add):
                    etree.SubElement(grid, grid_col, {width: str(int(new_average))})
        columns = grid.findall(grid_col)
        widest = 0
        for row, cell_count in zip(rows, cell_counts, strict=True):
            if row not in spanned_rows:
                widest = max(widest, cell_count)
                continue
            spanned = 0
            for cell in row.findall(tc):
                props = cell.find(ns + "tcPr")
                span = None if props is None else props.find(grid_span)
                spanned += 1 if span is None else int(span.get(ns + "val"))
            widest = max(widest, spanned)
        to_remove = len(columns) - widest
        if to_remove > 0:
            removed = 0.0
            for column in columns[-to_remove:]:
                removed += float(column.get(width))
                grid.remove(column)
            left = grid.findall(grid_col)
            extra = int(removed / len(left)) if left else 0
            for column in left:
                column.set(width, str(int(float(column.get(width)) + extra)))


def fix_tables(xml: str):
    """docxtpl's `DocxTemplate.fix_tables`: the body parsed on its own, its grids fixed."""
    tree = etree.fromstring(xml, parser=etree.XMLParser(recover=True))
    fix_table_grids(tree)
    return tree
