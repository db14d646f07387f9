"""Shared helpers for rendering Word templates safely and reproducibly.

- Values are escaped for XML *and* for docxtpl's own post-processing (which rewrites
  `{_{` and friends in the output), so text appears exactly as typed.
- Templates run in a Jinja sandbox with strict undefined names: a user who breaks a tag gets
  a `TemplateProblem` naming the template and the tag, never a traceback.
- Saved documents are byte-identical for identical inputs: fixed zip timestamps and core
  properties taken from the inputs, not the clock.
- docxtpl renders through `_docxtpl_steps`, which gives docxtpl's XML with less work, and the
  package is compressed once, straight into the reproducible zip.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from .errors import TemplateProblem

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
CORE_PROPERTY_LIMIT = 255


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


class Sandbox(SandboxedEnvironment):
    """The sandbox `jinja_environment` makes."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        names = _RECORD_FIELDS.get(type(obj))
        if names is not None and attribute in names:
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


def jinja_environment() -> SandboxedEnvironment:
    return Sandbox(
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
    """Name tags that are missing or that the renderer does not know (a misspelt tag).
    `template` is as `open_template` gave it, not rendered yet."""
    try:
        used = undeclared_variables(template, jinja_environment())
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


def undeclared_variables(template, environment) -> set[str]:
    """docxtpl's `get_undeclared_template_variables`, from the document `template` has open
    and not rendered yet (docxtpl reads and parses the whole file again)."""
    from docx.opc.oxml import parse_xml
    from jinja2 import meta

    document = template.docx
    xml = template.patch_xml(template.xml_to_string(document.element.body))
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for relation in document.part.rels.values():
            if relation.reltype == uri and relation.target_part.blob:
                part_xml = template.xml_to_string(parse_xml(relation.target_part.blob))
                xml += template.patch_xml(part_xml)
    return set(meta.find_undeclared_variables(environment.parse(xml)))


def render(template, path: Path, context: dict[str, Any]) -> None:
    """Render in the sandbox; every Jinja failure becomes a `TemplateProblem`."""
    from ._docxtpl_steps import use_cheaper_steps

    use_cheaper_steps(template)
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
