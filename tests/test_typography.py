"""Print quality of the templates and of the PDF copies.

Structural checks on the templates the tools generate (fonts and their Windows fallbacks, Word
2013+ settings, the 28-character line, page number position, the notes' hanging indent), the
font rules the PDF conversion uses, and one LibreOffice run that measures the printed result.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from _examples import example_inputs
from _pdf import pdf_lines
from lxml import etree

from pipeline.api import build
from pipeline.archive import pdf as _pdf
from pipeline.model import RegionTable

ROOT = Path(__file__).resolve().parents[1]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
REPORT, TABLE = "work_report.docx", "project_table.docx"

# The fallback Word uses for each face the templates name (stock Windows 10/11 has 仿宋, 楷体,
# 黑体 and 宋体; 黑体 and 宋体 are named by their English names).
FALLBACKS = {
    "仿宋_GB2312": "仿宋",
    "楷体_GB2312": "楷体",
    "方正小标宋简体": "宋体",
    "黑体": "SimHei",
    "宋体": "SimSun",
}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def twips(millimetres: float) -> int:
    return round(millimetres * 1440 / 25.4)


# ------------------------------------------------------------------ the generated templates


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Both templates as the tools generate them now."""
    spec = importlib.util.spec_from_file_location(
        "make_report_template", ROOT / "tools" / "make_report_template.py"
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    table = tmp_path_factory.mktemp("templates") / TABLE
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_table_template.py"), str(table)], check=True
    )
    return {REPORT: tool.build(), TABLE: table.read_bytes()}


@pytest.mark.parametrize("name", [REPORT, TABLE])
def test_committed_and_packaged_templates_are_what_the_tools_generate(
    generated: dict[str, bytes], name: str
) -> None:
    assert (ROOT / "templates" / name).read_bytes() == generated[name], f"regenerate {name}"
    assert (ROOT / "pipeline" / "default_templates" / name).read_bytes() == generated[name]


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def parts(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def named_fonts(data: bytes) -> set[str]:
    """Every font a style, paragraph or footer of the document names."""
    names = set()
    for name in parts(data):
        if name in ("word/styles.xml", "word/document.xml") or name.startswith("word/footer"):
            for fonts in part(data, name).iter(w("rFonts")):
                names |= {fonts.get(w(s)) for s in ("ascii", "hAnsi", "eastAsia", "cs")}
    return names - {None}


@pytest.mark.parametrize("name", [REPORT, TABLE])
def test_font_table_names_every_font_with_its_windows_fallback(
    generated: dict[str, bytes], name: str
) -> None:
    data = generated[name]
    used = named_fonts(data)
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体", "宋体"} <= used
    table = {f.get(w("name")): f for f in part(data, "word/fontTable.xml").findall("w:font", NS)}
    assert set(table) == used  # no fonts of the default document (Calibri, ＭＳ 明朝, …)
    for font, entry in table.items():
        assert entry.find("w:altName", NS).get(w("val")) == FALLBACKS[font], font
        assert entry.find("w:charset", NS).get(w("val")) == "86", font  # GB2312
        panose = entry.find("w:panose1", NS).get(w("val"))
        assert len(panose) == 20 and int(panose, 16), font
        assert entry.find("w:family", NS).get(w("val")), font
        assert entry.find("w:pitch", NS).get(w("val")), font
        assert entry.find("w:sig", NS).get(w("csb0")), font


@pytest.mark.parametrize("name", [REPORT, TABLE])
def test_styles_name_their_east_asian_font(generated: dict[str, bytes], name: str) -> None:
    styles = part(generated[name], "word/styles.xml")
    default = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert default is not None and default.get(w("eastAsia")) == "仿宋_GB2312"
    for fonts in styles.iter(w("rFonts")):
        assert fonts.get(w("eastAsia")), etree.tostring(fonts.getparent().getparent())
        assert not any(key.endswith("Theme") for key in fonts.attrib), fonts.attrib


@pytest.mark.parametrize("name", [REPORT, TABLE])
def test_package_is_a_word_2013_document_without_leftovers(
    generated: dict[str, bytes], name: str
) -> None:
    data = generated[name]
    names = parts(data)
    assert "word/stylesWithEffects.xml" not in names
    assert not [n for n in names if n.startswith(("docProps/thumbnail", "customXml/"))]
    if "docProps/app.xml" in names:
        assert b"Macintosh" not in zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml")
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    assert b"stylesWithEffects" not in types and b"thumbnail" not in types.lower()

    settings = part(data, "word/settings.xml")
    mode = settings.find("w:compat/w:compatSetting[@w:name='compatibilityMode']", NS)
    assert mode is not None and mode.get(w("val")) == "15"
    spacing = settings.find("w:characterSpacingControl", NS)
    assert spacing.get(w("val")) == "compressPunctuation"
    assert b"doNotCompress" not in etree.tostring(settings)


@pytest.mark.parametrize("name,bottom", [(REPORT, 35), (TABLE, 26)])
def test_page_numbers_sit_7_mm_below_the_text_area(
    generated: dict[str, bytes], name: str, bottom: int
) -> None:
    """The footer's lower edge 10 mm under the 版心: 四号 dashes sit 3 mm above it."""
    sections = list(part(generated[name], "word/document.xml").iter(w("sectPr")))
    assert sections
    for section in sections:
        margins = section.find("w:pgMar", NS)
        assert int(margins.get(w("bottom"))) == twips(bottom)
        drop = int(margins.get(w("bottom"))) - int(margins.get(w("footer")))
        assert abs(drop - twips(10)) <= 1, drop


def style_value(styles: etree._Element, style_id: str, path: str) -> str | None:
    """A run or paragraph property of a style, following basedOn, then the defaults."""
    while style_id:
        style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        found = style.find(path, NS)
        if found is not None:
            return found.get(w("val"))
        based = style.find("w:basedOn", NS)
        style_id = based.get(w("val")) if based is not None else None
    found = styles.find(f"w:docDefaults/w:rPrDefault/{path}", NS)
    return None if found is None else found.get(w("val"))


def test_report_lines_hold_28_characters_on_a_22_line_grid(generated: dict[str, bytes]) -> None:
    data = generated[REPORT]
    sections = list(part(data, "word/document.xml").iter(w("sectPr")))
    body, form = sections[0], sections[-1]
    size, margins = body.find("w:pgSz", NS), body.find("w:pgMar", NS)
    width = int(size.get(w("w"))) - int(margins.get(w("left"))) - int(margins.get(w("right")))
    assert abs(width - twips(156)) <= 1
    # The body's grid: 22 lines, and 28 cells a line, the cell 16 pt plus charSpace/4096 pt.
    grid = body.find("w:docGrid", NS)
    assert grid.get(w("type")) == "snapToChars" and grid.get(w("linePitch")) == "579"
    cell = 16 + int(grid.get(w("charSpace"))) / 4096  # points
    assert 28 * cell <= width / 20 < 29 * cell, cell
    # The 拟文稿 form's 小四 text keeps a line grid only.
    assert form.find("w:docGrid", NS).get(w("type")) == "lines"

    styles = part(data, "word/styles.xml")
    body_styles = []
    for style in styles.findall("w:style[@w:type='paragraph']", NS):
        style_id = style.get(w("styleId"))
        if style_value(styles, style_id, "w:rPr/w:sz") == "32":  # 三号
            body_styles.append(style_id)
            # No character spacing (it would justify a full line against the hanging mark);
            # glyphs narrower than a cell, which LibreOffice would otherwise give two cells.
            assert style_value(styles, style_id, "w:rPr/w:spacing") is None, style_id
            scale = int(style_value(styles, style_id, "w:rPr/w:w") or 100)
            assert 16 * scale / 100 <= cell - 0.1, (style_id, scale)
            # Indents in whole cells: Word counts them in characters (…Chars), LibreOffice
            # in twips, and gives an indent a cell more when it is a little wider.
            ind = style.find("w:pPr/w:ind", NS)
            for side in ("firstLine", "left", "right"):
                if ind is not None and ind.get(w(side)) is not None:
                    cells = int(ind.get(w(side + "Chars"))) / 100
                    assert cells * (cell - 0.1) * 20 <= int(ind.get(w(side))) <= cells * cell * 20
    assert {"Normal", "ReportBody", "ReportHeading1", "ReportHeading2"} <= set(body_styles)
    # Punctuation may hang in the margin (overflowPunct's default): not switched off anywhere.
    assert b"overflowPunct" not in etree.tostring(styles)


def test_table_notes_hang_after_zhu(generated: dict[str, bytes], tmp_path: Path) -> None:
    styles = part(generated[TABLE], "word/styles.xml")
    indent = styles.find("w:style[@w:styleId='TableNote']/w:pPr/w:ind", NS)
    size = int(style_value(styles, "TableNote", "w:rPr/w:sz")) * 10  # twips
    # `注：` is two characters: the hanging indent is exactly as wide.
    assert int(indent.get(w("left"))) == int(indent.get(w("hanging"))) == 2 * size
    assert indent.get(w("leftChars")) == indent.get(w("hangingChars")) == "200"
    assert indent.get(w("firstLine")) is None

    from pipeline.render.table import render_region_table

    template = tmp_path / TABLE
    template.write_bytes(generated[TABLE])
    table = RegionTable("永安市", "项目表", [2023], [], ["甲。", "乙。", "丙。"])
    data = render_region_table(table, template, author="", when=dt.date(2023, 11, 20))
    notes = [
        p
        for p in part(data, "word/document.xml").iter(w("p"))
        if p.find("w:pPr/w:pStyle[@w:val='TableNote']", NS) is not None
    ]
    texts = ["".join(t.text for t in p.iter(w("t"))) for p in notes]
    assert texts == ["注：1、甲。", "2、乙。", "3、丙。"]
    # The later notes begin with a tab, which goes to the hanging indent, under `1、`.
    first_runs = [p.find("w:r", NS) for p in notes]
    assert first_runs[0].find("w:tab", NS) is None
    assert all(run.find("w:tab", NS) is not None for run in first_runs[1:])


# ------------------------------------------------------------------ the PDF font rules


def test_font_rules_map_each_kind_to_a_simplified_chinese_face() -> None:
    rules = ElementTree.parse(_pdf.FONT_RULES).getroot()
    mapped = {}
    for match in rules.iter("match"):
        family = match.find("test/string").text
        edits = {edit.get("name"): edit for edit in match.iter("edit")}
        assert edits["lang"].find("string").text == "zh-cn", family
        mapped[family] = edits["family"].find("string").text
    serif, kai, sans = "Noto Serif CJK SC", "AR PL UKai CN", "Noto Sans CJK SC"
    for family in ("仿宋_GB2312", "仿宋", "FangSong", "宋体", "SimSun", "方正小标宋简体"):
        assert mapped[family] == serif, family
    for family in ("楷体_GB2312", "楷体", "KaiTi"):
        assert mapped[family] == kai, family
    for family in ("黑体", "SimHei"):
        assert mapped[family] == sans, family


def test_conversion_environment_adds_the_rules_to_the_system_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "system & fonts.conf"
    base.write_text("<fontconfig/>", encoding="utf-8")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("FONTCONFIG_FILE", str(base))

    environment = _pdf.libreoffice_environment("/usr/bin/soffice", tmp_path)
    assert environment is not None
    assert {k: v for k, v in environment.items() if k != "FONTCONFIG_FILE"} == {
        k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"
    }
    config = ElementTree.parse(environment["FONTCONFIG_FILE"]).getroot()
    assert [i.text for i in config.iter("include")] == [str(base), str(_pdf.FONT_RULES)]


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_no_fontconfig_where_libreoffice_does_not_use_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    assert _pdf.libreoffice_environment("soffice", tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def test_no_fontconfig_without_the_system_configuration_or_in_a_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    monkeypatch.delenv("FONTCONFIG_PATH", raising=False)
    monkeypatch.setattr(_pdf, "SYSTEM_FONTCONFIG", (tmp_path / "missing.conf",))
    # A configuration that includes no system one would leave LibreOffice without fonts.
    assert _pdf.libreoffice_environment("/usr/bin/soffice", tmp_path) is None
    monkeypatch.setenv("FONTCONFIG_PATH", str(tmp_path))
    (tmp_path / "fonts.conf").write_text("<fontconfig/>", encoding="utf-8")
    assert _pdf.libreoffice_environment("/usr/bin/soffice", tmp_path) is not None
    assert _pdf.libreoffice_environment("/snap/bin/libreoffice", tmp_path) is None


# ------------------------------------------------------------------ printed with LibreOffice

PT_PER_MM = 72 / 25.4


def require(program: str) -> None:
    if shutil.which(program) is None:
        message = f"{program} is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI requires it")
        pytest.skip(message)


def require_faces(*families: str) -> None:
    """Skip (fail in CI) unless each family is installed: see .ci/run for the packages."""
    require("fc-list")
    listed = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, encoding="utf-8", check=True
    ).stdout
    missing = [family for family in families if family not in listed]
    if missing:
        message = f"fonts not installed: {', '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def pdf_fonts(pdf: Path) -> str:
    return subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, encoding="utf-8", check=True
    ).stdout


CLOSING_MARKS = "、，。；：？！」）』》〉】〕”’"
OPENING_MARKS = "「（『《〈【〔“‘"


def full_width(text: str) -> bool:
    return bool(text) and all(unicodedata.east_asian_width(c) in "WFA" for c in text)


@pytest.mark.libreoffice
def test_printed_examples_hold_28_characters_a_line_in_the_mapped_faces(
    tmp_path: Path, libreoffice
) -> None:
    require("pdffonts")
    require_faces("Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL UKai CN")
    _, run = build(example_inputs(), tmp_path / "outputs", ROOT / "templates", pdf=True)
    report = run / "工作专报（第95期）.pdf"
    lines = list(pdf_lines(report))
    form_pages = {line.page for line in lines if "工作专报拟文稿" in line.text}
    report_lines = [line for line in lines if line.page not in form_pages]

    # Full body lines: from the left edge of the 版心 to its right edge, full-width characters
    # only (digits and Latin letters are narrower), 28 to a line. A closing mark that does not
    # fit hangs past the right edge, after the 28th character. Line breaking rules keep a few
    # at 27 or fewer (a number kept whole, a mark kept with the character before it).
    left, right = 28 * PT_PER_MM, (210 - 26) * PT_PER_MM
    full = [
        line
        for line in report_lines
        if abs(line.x0 - left) < 2 and line.x1 > right - 8 and full_width(line.text)
    ]
    assert len(full) >= 40
    hanging = [line.text for line in full if line.x1 > right + 4]
    assert hanging and all(text[-1] in CLOSING_MARKS for text in hanging), hanging
    cells = [len(line.text) - (line.x1 > right + 4) for line in full]
    assert max(cells) == 28, [line.text for line in full if len(line.text) > 28]
    assert cells.count(28) >= 0.95 * len(full), [t.text for t in full if len(t.text) < 28]
    for line in report_lines:  # GB/T 15834: no line starts with a closing mark or ends open
        assert line.text[0] not in CLOSING_MARKS and line.text[-1] not in OPENING_MARKS, line

    # 22 lines a page, on the 28.95 pt grid (pages after the first, inside the 版心).
    top, bottom = 37 * PT_PER_MM, (297 - 35) * PT_PER_MM
    per_page: dict[int, list[float]] = {}
    for line in report_lines:
        if line.page > 1 and line.y0 >= top - 8 and line.y1 <= bottom + 8:
            per_page.setdefault(line.page, []).append(line.y0)
    assert max(len(tops) for tops in per_page.values()) == 22
    for tops in per_page.values():
        tops.sort()
        for above, below in zip(tops, tops[1:], strict=False):
            steps = (below - above) / 28.95
            assert abs(steps - round(steps)) < 0.02 and round(steps) >= 1, (above, below)

    # Serif for 仿宋/宋体/小标宋, kai for 楷体 headings, sans for 黑体 headings. (Noto CJK
    # collections embed under their shared Japanese name whichever language face is used.)
    fonts = pdf_fonts(report)
    assert "NotoSerifCJK" in fonts and "UKai" in fonts and "NotoSansCJK" in fonts, fonts
    for table in run.glob("合作交流项目表_*.pdf"):
        assert "NotoSerifCJK" in pdf_fonts(table), table.name

    # Notes under the table: 2、 and the wrapped lines of 1、 start where 1、 does.
    notes = list(pdf_lines(run / "合作交流项目表_永安市.pdf"))
    first = next(line for line in notes if line.text.startswith("注：1、"))
    after = [line for line in notes if line.page == first.page and line.y0 > first.y0]
    second = next(line for line in after if line.text.startswith("2、"))
    indent = first.x0 + 2 * 12  # 注： in 小四
    assert abs(second.x0 - indent) < 1, (first, second)
    wrapped = [line for line in after if line.y0 < second.y0]
    assert wrapped and all(abs(line.x0 - indent) < 1 for line in wrapped)
