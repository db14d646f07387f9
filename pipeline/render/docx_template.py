"""Rendering a Word template with docxtpl, safely and reproducibly.

- Values are escaped for XML *and* for docxtpl's own post-processing (which rewrites
  `{_{` and friends in the output), so text appears exactly as typed.
- Templates run in a Jinja sandbox with strict undefined names: a user who breaks a tag gets
  a `TemplateProblem` naming the template and the tag, never a traceback.
- Saved documents are byte-identical for identical inputs: fixed zip timestamps and core
  properties taken from the inputs, not the clock.

Only docxtpl's and python-docx's public API is used, so a new release of either cannot
change what this module does behind its back.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from ..errors import TemplateProblem
from ..files import normalise_zip

CORE_PROPERTY_LIMIT = 255
# The templates shipped inside the package: the default when there is no templates folder.
PACKAGED_TEMPLATES = Path(__file__).resolve().parents[1] / "default_templates"


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


class _Sandbox(SandboxedEnvironment):
    """The sandbox, compiling each distinct template text once: docxtpl hands every part of a
    template to `from_string` at each render, and every region's table (and each core property
    of a template) is the same text again."""

    _KEPT = 256  # distinct texts; a few dozen per set of templates

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 (Jinja's name)
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            if len(self._compiled) >= self._KEPT:
                self._compiled.clear()
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


_SANDBOX: _Sandbox | None = None


def jinja_environment() -> SandboxedEnvironment:
    """The one sandbox every document is rendered in (its compiled templates are kept)."""
    global _SANDBOX
    if _SANDBOX is None:
        _SANDBOX = _Sandbox(
            # No templates to include: {% include %}, {% extends %} and {% import %} find nothing.
            loader=jinja2.DictLoader({}),
            autoescape=True,
            finalize=_finalize,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
    return _SANDBOX


def run_xml(text: str, style: str | None = None) -> Markup:
    """One `<w:r>` of text, optionally in a character style defined in the template."""
    props = f'<w:rPr><w:rStyle w:val="{escape(style)}"/></w:rPr>' if style else ""
    return Markup(f'<w:r>{props}<w:t xml:space="preserve">{literal(text)}</w:t></w:r>')


def runs_xml(parts: Iterable[tuple[str, str | None]]) -> Markup:
    """Several runs; each part is (text, character style or None). Used inside `{{r … }}`."""
    return Markup("").join(run_xml(text, style) for text, style in parts if text)


def open_template(path: Path) -> DocxTemplate:
    """Load a docx template, or raise `TemplateProblem` saying what is wrong with the file."""
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


def check_tags(
    path: Path, required: Iterable[str], known: Iterable[str], *, trust_packaged: bool = True
) -> None:
    """Name tags that are missing or that the renderer does not know (a misspelt tag).

    A template byte for byte the packaged one of its name is not parsed again (`trust_packaged`):
    the tests check the packaged templates, and parsing one takes Jinja longer than rendering.
    """
    if trust_packaged and _is_packaged(path):
        return
    template = open_template(path)
    try:
        used = set(template.get_undeclared_template_variables(jinja_env=jinja_environment()))
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


def _is_packaged(path: Path) -> bool:
    packaged = PACKAGED_TEMPLATES / path.name
    try:
        return path.stat().st_size == packaged.stat().st_size and (
            path.read_bytes() == packaged.read_bytes()
        )
    except OSError:  # not there: `open_template` says so
        return False


def render(template: DocxTemplate, path: Path, context: dict[str, Any]) -> None:
    """Render in the sandbox; every Jinja failure becomes a `TemplateProblem`."""
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


def save_reproducibly(template: DocxTemplate, *, when: dt.date, author: str, title: str) -> bytes:
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
    buffer = io.BytesIO()
    template.save(buffer)
    return normalise_zip(buffer.getvalue())
