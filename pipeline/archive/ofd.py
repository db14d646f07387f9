"""OFD copies (GB/T 33190) of the PDF copies, for archives that keep documents as OFD.

pdf2ofd draws each PDF page as OFD vector paths and images, the glyphs included as outlines,
so a page looks the same in any OFD reader whether or not it has the fonts; it writes no text.
This module adds to every page a layer of invisible text objects (`Fill="false"`, alpha 0)
at the positions of the PDF's glyphs, read with PyMuPDF, so that the OFD's text can be
searched, selected and read by archive systems. It also puts right what pdf2ofd writes
against the standard (the version, a DocID that is no UUID, the order of the common data and
of a path's colours, empty resource lists) and draws lines as wide as the PDF does (pdf2ofd
leaves them at the standard's default of 0.353 mm: table rules of 0.5 pt came out twice as
heavy).

The text layer's font is embedded: a subset of PyMuPDF's CJK face (Droid Sans Fallback) made
with fontTools, holding the characters of the copy's text.

pdf2ofd, PyMuPDF and fontTools load in about a second: they are imported only when an OFD is
made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import math
import re
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import ArchiveError, ToolMissing
from ..safe_xml import LARGE_PARSER as _PARSER

OFD_NS = "http://www.ofdspec.org/2016"
SVG_NS = "http://www.w3.org/2000/svg"
OFD_FORMAT = "OFD"
OFD_VERSION = "1.0"  # the only version GB/T 33190-2016 defines
PUBLIC_RES = "PublicRes.xml"
# The invisible text needs a font to refer to, embedded so that no reader looks for it on its
# machine (one without it may substitute slowly, or not at all). Its glyphs are never drawn:
# a subset of PyMuPDF's own CJK face, the same on every machine, holds the text's characters.
TEXT_FONT_CODE = "cjk"  # PyMuPDF's name for Droid Sans Fallback (Apache-2.0)
TEXT_FONT_FILE = "font_{id}.ttf"  # in PublicRes's BaseLoc
PUBLIC_RES_FOLDER = "Res"
MM_PER_POINT = 25.4 / 72
# Characters XML 1.0 cannot hold (lxml refuses them); a PDF's text can contain them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CONVERTERS = ("pdf2ofd", "fitz", "fontTools")  # fitz is PyMuPDF's import name
# The order of CommonData's children in the standard's schema.
COMMON_DATA = ("MaxUnitID", "PageArea", "PublicRes", "DocumentRes", "TemplatePage", "DefaultCS")
# SVG line caps and joins as OFD names them (SVG's defaults, butt and miter, are OFD's too).
CAPS = {"round": "Round", "square": "Square"}
JOINS = {"round": "Round", "bevel": "Bevel"}


def _tag(name: str) -> str:
    return f"{{{OFD_NS}}}{name}"


def check_ofd_converter() -> None:
    """`ToolMissing` when pdf2ofd, PyMuPDF or fontTools is not installed (found without
    importing them)."""
    missing = [name for name in CONVERTERS if importlib.util.find_spec(name) is None]
    if missing:
        raise ToolMissing(
            "未安装生成 OFD 所需的 pdf2ofd、PyMuPDF 和 fontTools，无法生成 OFD。请运行 "
            'pip install "pdf2ofd>=0.1,<0.2" "pymupdf>=1.24,<1.25" "fonttools>=4.43,<5" 后重新运行；'
            "或去掉 --ofd，只生成 Word 文档（和 PDF 副本）。"
        )


def convert_to_ofd(
    pdfs: Sequence[tuple[str, bytes]],
    *,
    created: dt.date,
    done: Callable[[int], None] | None = None,
) -> list[tuple[str, bytes, str]]:
    """An OFD of each PDF: (ofd name, bytes, pdf name) each; `created` is its creation date.
    `done` is told how many are done, as they are."""
    check_ofd_converter()
    results = []
    # pdf2ofd reads and writes files; on Windows a file it left open cannot be removed yet.
    with tempfile.TemporaryDirectory(prefix="pipeline-ofd-", ignore_cleanup_errors=True) as name:
        scratch = Path(name)
        for number, (pdf_name, data) in enumerate(pdfs):
            if done:
                done(number)
            try:
                ofd = _convert(data, scratch / f"{number}.pdf", Path(pdf_name).stem, created)
            except ArchiveError as exc:
                raise ArchiveError(f"未能把 {pdf_name} 转换为 OFD：{exc.message}") from None
            except Exception as exc:  # the converter's own failure, shown, not a traceback
                raise ArchiveError(
                    f"未能把 {pdf_name} 转换为 OFD（{type(exc).__name__}: {exc}）。"
                    "请重新运行，或去掉 --ofd。"
                ) from exc
            results.append((Path(pdf_name).stem + ".ofd", ofd, pdf_name))
    if done:
        done(len(results))
    return results


def _convert(pdf: bytes, pdf_path: Path, title: str, created: dt.date) -> bytes:
    from pdf2ofd import convert

    pdf_path.write_bytes(pdf)
    drawn = pdf_path.with_suffix(".ofd")
    convert(str(pdf_path), str(drawn), verbose=False)
    return _finish(drawn.read_bytes(), _read_pdf(pdf), pdf=pdf, title=title, created=created)


# ------------------------------------------------------------------------------- the PDF


@dataclass(frozen=True)
class TextRun:
    """One span of a PDF page's text, in millimetres from the page's top left corner."""

    text: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1
    size: float
    origins: tuple[tuple[float, float], ...]  # each character's baseline origin


@dataclass(frozen=True)
class PdfPage:
    runs: list[TextRun]  # in the order the PDF draws them
    lines: list[dict[str, str]]  # the OFD attributes of each stroked path, in drawing order


def _read_pdf(pdf: bytes) -> list[PdfPage]:
    import fitz

    pages = []
    with fitz.open(stream=pdf, filetype="pdf") as document:
        for page in document:
            runs = []
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", ()):
                    for span in line["spans"]:
                        run = _run(span)
                        if run is not None:
                            runs.append(run)
            # The same drawing of the page that pdf2ofd turns into paths.
            pages.append(PdfPage(runs, _line_styles(page.get_svg_image())))
    return pages


def _run(span: dict[str, Any]) -> TextRun | None:
    chars = [c for c in span["chars"] if not NOT_XML.match(c["c"])]
    text = "".join(c["c"] for c in chars)
    if not text.strip():
        return None
    size = span["size"] * MM_PER_POINT
    x0, _, x1, _ = (v * MM_PER_POINT for v in span["bbox"])
    origins = tuple((c["origin"][0] * MM_PER_POINT, c["origin"][1] * MM_PER_POINT) for c in chars)
    # The span's box is a whole line's height (CJK fonts have tall line metrics): the glyphs
    # stand between one size above the baseline and a quarter below, where a reader selects.
    baselines = [y for _, y in origins]
    box = (x0, min(baselines) - size, x1, max(baselines) + size / 4)
    return TextRun(text, box, size, origins)


def _line_styles(svg: str) -> list[dict[str, str]]:
    """Width, cap, join and dashes of each stroked path outside the definitions and clip
    paths, the paths pdf2ofd draws as stroked PathObjects, in document order as it does."""
    root = etree.fromstring(svg.encode("utf-8"), _PARSER)
    clips = {el.get("id") for clip in root.iter(_svg("clipPath")) for el in clip if el.get("id")}
    styles = []
    for path in root.iter(_svg("path")):
        ancestors = list(path.iterancestors())
        if any(a.tag == _svg("defs") for a in ancestors) or path.get("id") in clips:
            continue
        if not path.get("d") or path.get("stroke", "") in ("", "none"):
            continue
        # Lengths are in the path's own units: scaled by its transforms, points to mm.
        area = math.prod(_determinant(e.get("transform", "")) for e in [path, *ancestors])
        scale = math.sqrt(abs(area)) * MM_PER_POINT
        style = {"LineWidth": _number(float(path.get("stroke-width", "1")) * scale)}
        if path.get("stroke-linecap") in CAPS:
            style["Cap"] = CAPS[path.get("stroke-linecap")]
        if path.get("stroke-linejoin") in JOINS:
            style["Join"] = JOINS[path.get("stroke-linejoin")]
        dashes = re.split(r"[\s,]+", path.get("stroke-dasharray", "none").strip())
        if dashes != ["none"]:
            style["DashPattern"] = _numbers(*(float(d) * scale for d in dashes))
            style["DashOffset"] = _number(float(path.get("stroke-dashoffset", "0")) * scale)
        styles.append(style)
    return styles


def _svg(name: str) -> str:
    return f"{{{SVG_NS}}}{name}"


def _determinant(transform: str) -> float:
    # PyMuPDF writes every transform as matrix(a,b,c,d,e,f); pdf2ofd reads no other form.
    match = re.search(r"matrix\(([^)]+)\)", transform)
    if not match:
        return 1.0
    a, b, c, d, *_ = (float(v) for v in re.split(r"[\s,]+", match.group(1).strip()))
    return a * d - b * c


# ------------------------------------------------------------------------------- the text


def _text_object(run: TextRun, object_id: int, font_id: int) -> Any:
    x0, y0, x1, y1 = run.box
    text = etree.Element(
        _tag("TextObject"),
        ID=str(object_id),
        Boundary=_numbers(x0, y0, max(x1 - x0, 0.01), max(y1 - y0, 0.01)),
        Font=str(font_id),
        Size=_number(run.size),
        Fill="false",  # drawn already as outlines: this text is for searching and reading
        Alpha="0",
    )
    (ox, oy), rest = run.origins[0], run.origins[1:]
    code = etree.SubElement(text, _tag("TextCode"), X=_number(ox - x0), Y=_number(oy - y0))
    steps = list(zip(run.origins, rest, strict=False))
    if any(abs(b[0] - a[0]) > 1e-3 for a, b in steps):
        code.set("DeltaX", _numbers(*(b[0] - a[0] for a, b in steps)))
    if any(abs(b[1] - a[1]) > 1e-3 for a, b in steps):  # rotated or vertical text
        code.set("DeltaY", _numbers(*(b[1] - a[1] for a, b in steps)))
    code.text = run.text
    return text


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _numbers(*values: float) -> str:
    return " ".join(_number(v) for v in values)


# ------------------------------------------------------------------------------- the package


def _finish(
    drawn: bytes, pages: list[PdfPage], *, pdf: bytes, title: str, created: dt.date
) -> bytes:
    """pdf2ofd's package with the text layer added and the standard's structure put right."""
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(BytesIO(drawn)) as package:
        for name in package.namelist():
            parts[name] = package.read(name)

    def xml(name: str) -> Any:
        if name not in parts:
            raise ArchiveError(f"转换结果缺少 {name}。")
        return etree.fromstring(parts[name], _PARSER)

    entry = xml("OFD.xml")
    entry.set("Version", OFD_VERSION)
    doc_root = entry.findtext(f"{_tag('DocBody')}/{_tag('DocRoot')}")
    if not doc_root:
        raise ArchiveError("转换结果的 OFD.xml 没有 DocRoot。")
    doc_folder = doc_root.rsplit("/", 1)[0] if "/" in doc_root else ""
    _doc_info(entry, pdf=pdf, title=title, created=created)

    document = xml(doc_root)
    page_entries = document.findall(f"{_tag('Pages')}/{_tag('Page')}")
    if len(page_entries) != len(pages):
        raise ArchiveError(f"PDF 有 {len(pages)} 页，转换结果只有 {len(page_entries)} 页。")
    common = document.find(_tag("CommonData"))
    next_id = int(common.findtext(_tag("MaxUnitID")) or 0) + 1
    font_id, next_id = next_id, next_id + 1

    for number, (page_entry, pdf_page) in enumerate(zip(page_entries, pages, strict=True), 1):
        location = _inside(doc_folder, page_entry.get("BaseLoc", ""))
        page = xml(location)
        _order_path_colours(page)
        _draw_lines(page, pdf_page.lines, number)
        content = page.find(_tag("Content"))
        if content is None:
            content = etree.SubElement(page, _tag("Content"))
        layer = etree.SubElement(content, _tag("Layer"), Type="Body", ID=str(next_id))
        next_id += 1
        for run in pdf_page.runs:
            layer.append(_text_object(run, next_id, font_id))
            next_id += 1
        parts[location] = _serialise(page)

    font_name, font = _text_font("".join(r.text for p in pages for r in p.runs))
    font_file = TEXT_FONT_FILE.format(id=font_id)
    parts[_inside(doc_folder, f"{PUBLIC_RES_FOLDER}/{font_file}")] = font
    parts[_inside(doc_folder, PUBLIC_RES)] = _serialise(_public_res(font_id, font_name, font_file))
    _common_data(common, max_unit_id=next_id - 1)
    for location in [r.text for r in common.findall(_tag("DocumentRes"))]:
        path = _inside(doc_folder, location or "")
        if path in parts:
            parts[path] = _serialise(_without_empty_lists(xml(path)))
    parts[doc_root] = _serialise(document)
    parts["OFD.xml"] = _serialise(entry)
    return _package(parts, created)


def _doc_info(entry: Any, *, pdf: bytes, title: str, created: dt.date) -> None:
    """The DocID a UUID (the same for the same PDF) as 32 hex digits, the title, the date."""
    info = entry.find(f"{_tag('DocBody')}/{_tag('DocInfo')}")
    if info is None:
        info = etree.Element(_tag("DocInfo"))
        entry.find(_tag("DocBody")).insert(0, info)
    for name in ("DocID", "Title", "CreationDate"):
        for old in info.findall(_tag(name)):
            info.remove(old)
    doc_id = uuid.uuid5(uuid.NAMESPACE_URL, f"sha256:{hashlib.sha256(pdf).hexdigest()}")
    values = [
        ("DocID", doc_id.hex.upper()),
        ("Title", title),
        ("CreationDate", created.isoformat()),
    ]
    # DocID, Title … CreationDate come first, in this order, before Creator and the rest.
    for position, (name, value) in enumerate(values):
        element = etree.Element(_tag(name))
        element.text = value
        info.insert(position, element)


def _common_data(common: Any, *, max_unit_id: int) -> None:
    """MaxUnitID (pdf2ofd writes it last), PageArea, PublicRes, DocumentRes, … in the order of
    the standard's schema."""
    for old in common.findall(_tag("MaxUnitID")) + common.findall(_tag("PublicRes")):
        common.remove(old)
    maximum = etree.SubElement(common, _tag("MaxUnitID"))
    maximum.text = str(max_unit_id)
    public = etree.SubElement(common, _tag("PublicRes"))
    public.text = PUBLIC_RES

    def place(child: Any) -> int:
        name = etree.QName(child).localname
        return COMMON_DATA.index(name) if name in COMMON_DATA else len(COMMON_DATA)

    common[:] = sorted(common, key=place)  # a stable sort: DocumentRes entries keep their order


def _public_res(font_id: int, font_name: str, font_file: str) -> Any:
    res = etree.Element(_tag("Res"), nsmap={"ofd": OFD_NS}, BaseLoc=PUBLIC_RES_FOLDER)
    fonts = etree.SubElement(res, _tag("Fonts"))
    font = etree.SubElement(
        fonts, _tag("Font"), ID=str(font_id), FontName=font_name, FamilyName=font_name
    )
    etree.SubElement(font, _tag("FontFile")).text = font_file
    return res


def _text_font(text: str) -> tuple[str, bytes]:
    """The text layer's font: its family name and a TrueType subset holding `text`'s
    characters (those it has; the rest are never drawn either)."""
    import fitz
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(BytesIO(fitz.Font(TEXT_FONT_CODE).buffer), recalcTimestamp=False)
    family = font["name"].getDebugName(1) or TEXT_FONT_CODE
    subsetter = subset.Subsetter(subset.Options())
    subsetter.populate(text=text)
    subsetter.subset(font)
    buffer = BytesIO()
    font.save(buffer)  # the font's own date kept: the same PDF gives the same OFD
    return family, buffer.getvalue()


def _order_path_colours(page: Any) -> None:
    """A path's StrokeColor comes before its FillColor; pdf2ofd writes them the other way."""
    for path in page.iter(_tag("PathObject")):
        fill, stroke = path.find(_tag("FillColor")), path.find(_tag("StrokeColor"))
        if fill is not None and stroke is not None and path.index(stroke) > path.index(fill):
            fill.addprevious(stroke)


def _draw_lines(page: Any, lines: list[dict[str, str]], number: int) -> None:
    """The PDF's line widths (and caps, joins, dashes) on pdf2ofd's stroked paths."""
    stroked = [p for p in page.iter(_tag("PathObject")) if p.get("Stroke") == "true"]
    if len(stroked) != len(lines):
        raise ArchiveError(
            f"第 {number} 页的线条数（{len(stroked)}）与 PDF 的（{len(lines)}）不一致。"
        )
    for path, style in zip(stroked, lines, strict=True):
        for name, value in style.items():
            path.set(name, value)


def _without_empty_lists(res: Any) -> Any:
    """Resource lists need at least one entry: pdf2ofd writes an empty one without images."""
    for child in list(res):
        if len(child) == 0 and not (child.text or "").strip():
            res.remove(child)
    return res


def _inside(folder: str, location: str) -> str:
    """A location of the package as the name of its zip entry (absolute, or beside `folder`)."""
    if location.startswith("/"):
        return location.lstrip("/")
    return f"{folder}/{location}" if folder else location


def _serialise(root: Any) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _package(parts: dict[str, bytes], created: dt.date) -> bytes:
    """The zip, OFD.xml first, every entry dated `created`: the same PDF gives the same OFD."""
    stamp = (created.year, created.month, created.day, 0, 0, 0)
    names = ["OFD.xml", *sorted(n for n in parts if n != "OFD.xml")]
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, parts[name])
    return buffer.getvalue()
