"""Shared helpers for rendering Word templates safely and reproducibly.

- Values are escaped for XML *and* for docxtpl's own post-processing (which rewrites
  `{_{` and friends in the output), so text appears exactly as typed.
- Templates run in a Jinja sandbox with strict undefined names: a user who breaks a tag gets
  a `TemplateProblem` naming the template and the tag, never a traceback.
- Saved documents are byte-identical for identical inputs: fixed zip timestamps and core
  properties taken from the inputs, not the clock.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree
from markupsafe import Markup, escape

from .errors import TemplateProblem

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
CORE_PROPERTY_LIMIT = 255
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BODY = f"{{{_W_NS}}}body"
_DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


def literal(value: Any) -> Markup:
    """Text for a `<w:t>`: XML-escaped, and braces as character references (see module doc)."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    escaped = str(escape(str(value)))
    return Markup(escaped.replace("{", "&#123;").replace("}", "&#125;"))


# What `literal` changes in a text: without any of these, a text is its own literal.
_NOT_LITERAL = re.compile("[&<>\"'{}]")


def _finalize(value: Any) -> Any:
    # A plain text that `literal` would leave as it is goes out as it is (the autoescape that
    # follows makes it markup unchanged): most texts, thousands per table.
    if type(value) is str and _NOT_LITERAL.search(value) is None:
        return value
    if hasattr(value, "__html__"):
        return value
    return literal(value)


# Field names of the frozen records handed to templates (see `template_record`).
_RECORD_FIELDS: dict[type, frozenset[str]] = {}


def template_record(cls: type) -> type:
    """Register a dataclass of plain data whose fields templates read: the sandbox hands out
    those fields without its checks, which would allow them anyway (public names of an
    ordinary object), and which cost more than the lookup for every cell of a large table."""
    names = frozenset(field.name for field in dataclasses.fields(cls))
    if any(name.startswith("_") for name in names):
        raise ValueError(f"{cls.__name__}: a template record's fields must be public")
    _RECORD_FIELDS[cls] = names
    return cls


class _Sandbox(SandboxedEnvironment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        names = _RECORD_FIELDS.get(type(obj))
        if names is not None and attribute in names:
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


def jinja_environment() -> SandboxedEnvironment:
    return _Sandbox(
        # No templates to include: {% include %}, {% extends %} and {% import %} find nothing.
        loader=jinja2.DictLoader({}),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def run_xml(text: str, style: str | None = None) -> Markup:
    """One `<w:r>` of text, optionally in a character style defined in the template."""
    props = f'<w:rPr><w:rStyle w:val="{escape(style)}"/></w:rPr>' if style else ""
    return Markup(f'<w:r>{props}<w:t xml:space="preserve">{literal(text)}</w:t></w:r>')


def runs_xml(parts: Iterable[tuple[str, str | None]]) -> Markup:
    """Several runs; each part is (text, character style or None). Used inside `{{r … }}`."""
    return Markup("").join(run_xml(text, style) for text, style in parts if text)


def open_template(path: Path):
    """Load a docx template, or raise `TemplateProblem` saying what is wrong with the file."""
    from docxtpl import DocxTemplate

    if not path.is_file():
        raise TemplateProblem(
            str(path), "找不到模板文件。请把模板放在 templates/ 文件夹中，或用 --templates 指定。"
        )
    try:
        template = DocxTemplate(str(path))
        template.init_docx()
    except Exception as exc:  # python-docx raises several unrelated types for a bad file
        raise TemplateProblem(
            str(path), f"无法作为 Word 文档打开（{type(exc).__name__}）。请用 Word 另存为 .docx。"
        ) from None
    return template


def check_tags(template, path: Path, required: Iterable[str], known: Iterable[str]) -> None:
    """Name tags that are missing or that the renderer does not know (a misspelt tag)."""
    try:
        used = set(template.get_undeclared_template_variables(jinja_environment()))
    except jinja2.TemplateSyntaxError as exc:
        raise _syntax_problem(path, exc) from None
    missing = sorted(set(required) - used)
    unknown = sorted(used - set(known))
    problems = []
    if missing:
        problems.append("缺少标签 " + "、".join(f"{{{{ {name} }}}}" for name in missing))
    if unknown:
        problems.append(
            "无法识别的标签 "
            + "、".join(f"{{{{ {name} }}}}" for name in unknown)
            + "（可用的标签有："
            + "、".join(sorted(known))
            + "）"
        )
    if problems:
        raise TemplateProblem(str(path), "；".join(problems) + "。请对照默认模板修改。")


def render(template, path: Path, context: dict[str, Any]) -> None:
    """Render in the sandbox; every Jinja failure becomes a `TemplateProblem`."""
    _fast_steps(template)
    try:
        template.render(context, jinja_env=jinja_environment(), autoescape=True)
    except SecurityError as exc:
        raise TemplateProblem(str(path), f"模板中含有不允许的操作（{exc}），已拒绝执行。") from None
    except jinja2.TemplateSyntaxError as exc:
        raise _syntax_problem(path, exc) from None
    except jinja2.TemplateNotFound:
        raise TemplateProblem(
            str(path),
            "模板中不能引用其他模板或文件（include、extends、import），已拒绝执行。请对照默认模板修改。",
        ) from None
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(
            str(path), f"模板中的标签无法识别：{exc.message}。请对照默认模板修改。"
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateProblem(str(path), f"模板标签有误：{exc}。") from None
    except Exception as exc:  # an expression in a tag failed: {{ 1/0 }}, {{ range(1, 2, 0) }}
        raise TemplateProblem(
            str(path), f"模板标签运行出错（{type(exc).__name__}：{exc}）。请对照默认模板修改。"
        ) from None


def _syntax_problem(path: Path, exc: jinja2.TemplateSyntaxError) -> TemplateProblem:
    context = getattr(exc, "docx_context", None)
    near = ""
    if context:
        text = " ".join(line.strip() for line in context if line.strip())
        near = f"；附近的文字：「{text[:80]}」"
    return TemplateProblem(
        str(path),
        f"模板标签有误：{exc.message}{near}。请检查标签是否拼写正确、{{% for %}} 是否有对应的 {{% endfor %}}。",
    )


# ------------------------------------------------------------------ docxtpl's steps, cheaper
#
# docxtpl renders the body as one string: Jinja over the document XML, fixed replacements,
# the listing step, then parsing the result and moving it into the document. For a table of
# thousands of rows each pass over the string or the tree counts; the steps below give what
# docxtpl's give (tests compare them) with less work.

_PARAGRAPH_START = re.compile(r"<w:p([ >])")
# docxtpl turns tabs, line breaks and page breaks in the rendered text into Word XML by running
# three nested regular expressions over every run of every paragraph. A table of thousands of
# rows has tens of thousands of paragraphs, and only those holding such a character change.
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # as docxtpl finds them
_LISTING_CHARACTERS = re.compile("[\t\a\n\f]")


def _fast_steps(template) -> None:
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
    if type(jinja_env) is not _Sandbox:
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


# ------------------------------------------------------------------ saving


def save_reproducibly(template, *, when: dt.date, author: str, title: str) -> bytes:
    """The rendered document as bytes that depend only on the inputs."""
    props = template.docx.core_properties
    stamp = dt.datetime(when.year, when.month, when.day)
    # python-docx refuses properties longer than 255 characters; the text itself is in the body.
    author, title = author[:CORE_PROPERTY_LIMIT], title[:CORE_PROPERTY_LIMIT]
    props.author = author
    props.last_modified_by = author
    props.title = title
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    replacing = (
        template.pics_to_replace
        or template.crc_to_new_media
        or template.crc_to_new_embedded
        or template.zipname_to_replace
    )
    if replacing or not template.is_rendered:  # docxtpl's save does more than python-docx's
        buffer = io.BytesIO()
        template.save(buffer)
        return normalise_zip(buffer.getvalue())
    return _write_package(template.docx.part.package)


def _write_package(package) -> bytes:
    """What python-docx's `OpcPackage.save` writes, then `normalise_zip`, in one pass: the
    parts are compressed once, straight into the reproducible zip."""
    from docx.opc.pkgwriter import PackageWriter

    parts = package.parts
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        writer = _ReproducibleWriter(archive)
        PackageWriter._write_content_types_stream(writer, parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        PackageWriter._write_parts(writer, parts)
    return out.getvalue()


class _ReproducibleWriter:
    """python-docx's physical package writer, writing entries as `normalise_zip` does."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive

    def write(self, pack_uri, blob: bytes) -> None:
        self.archive.writestr(_entry(pack_uri.membername), blob)


def _entry(name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    return entry


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with the same entry order, fixed timestamps and fixed permissions."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(_entry(info.filename), source.read(info.filename))
    return out.getvalue()


_SAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# Bytes, not characters: Linux allows 255 bytes per name, and a name gets a prefix and suffix.
MAX_NAME_BYTES = 150


def safe_file_name(name: str, limit: int = 80) -> str:
    """A file name valid on Windows that cannot leave its folder."""
    # Format and control characters (zero-width joiners, right-to-left overrides) are invisible
    # in a file list and can make a name look like another one.
    visible = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf"})
    cleaned = _SAFE_NAME.sub("_", visible).strip().strip(".")
    cleaned = cleaned.replace("..", "_")
    cleaned = cleaned[:limit]
    while len(cleaned.encode("utf-8")) > MAX_NAME_BYTES:
        cleaned = cleaned[:-1]
    cleaned = cleaned.rstrip(" .")
    if not cleaned:
        cleaned = "_"
    reserved = {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{i}" for i in range(1, 10)),
        *(f"LPT{i}" for i in range(1, 10)),
    }
    if cleaned.split(".")[0].strip().upper() in reserved:
        cleaned = "_" + cleaned
    return cleaned
