"""Generate `templates/project_table.docx`, the Word template of the 合作交流项目表.

    python tools/make_table_template.py [output.docx]

The generated file is the starting point; the office may restyle it in Word afterwards
(fonts, sizes, borders, margins) as long as the tags stay. Layout:

- A4 landscape (297 × 210 mm); margins top 28 mm, bottom 26 mm, left and right 25 mm,
  so the text width (版心) is 247 × 156 mm. Page numbers `— 1 —` in 宋体 四号, 7 mm below the
  版心, right on odd pages and left on even pages.
- Paragraph styles: `TableTitle` 方正小标宋简体 二号 centred; `TableHeader` 黑体 小四 centred;
  `TableText` 仿宋_GB2312 小四 flush left and `TableTextCentred` for the short columns;
  `TableNote` 仿宋_GB2312 小四; `PageFooter` 宋体 四号. Table style `ProjectTable`: single
  0.5 pt borders. Every font is named for ascii, hAnsi and eastAsia text.
- One table: the header row (repeats on each page), then the docxtpl row loop with a full
  row for included rows and a four-cell row for rows not included. `pipeline/render/table/xml.py` sets
  the final column widths, merges and spans from the data.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Twips

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from make_report_template import (  # noqa: E402
    BUILT_IN_STYLES,
    PAGE_NUMBER_DROP,
    PAGE_NUMBER_RISE,
    W,
    clean_package,
    replace_children,
    settings_xml,
)

from pipeline.files import normalise_zip  # noqa: E402
from pipeline.render.table.widths import column_widths  # noqa: E402

OUTPUT = ROOT / "templates" / "project_table.docx"
PACKAGED = ROOT / "pipeline" / "default_templates" / "project_table.docx"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADER_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"
FONTS = (TITLE_FONT, BODY_FONT, HEADER_FONT, PAGE_NUMBER_FONT)


def mm(value: float) -> int:
    """Millimetres → twips."""
    return round(value * 1440 / 25.4)


PAGE_WIDTH, PAGE_HEIGHT = 16838, 11906  # A4 landscape, as Word writes it
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDE = mm(28), mm(26), mm(25)
# The page number's dashes 7 mm below the 版心, as in the report (GB/T 9704 7.5).
FOOTER_DISTANCE = MARGIN_BOTTOM - mm(PAGE_NUMBER_DROP + PAGE_NUMBER_RISE)  # 16 mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE
CELL_PADDING = mm(1.5)  # left and right, each
TABLE_FONT_SIZE = 12  # 小四
TEMPLATE_YEARS = 3  # the template shows a three-year period; rendering adapts to any

HEADERS = ("序号", "事项", "对口合作交流内容", "预计完成时间")
TRAILING_HEADERS = ("事项推进情况", "牵头领导", "牵头部门", "配合部门")
# Which body columns are short names, centred; the others are running text, justified.
CENTRED = {0, 1, 3, 8, 9, 10}


def set_fonts(rpr, font: str) -> None:
    """Name the font for every script: python-docx's font.name leaves eastAsia unset."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.attrib.clear()
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), font)


def paragraph_style(document, name: str, font: str, size: float, *, align, base: str | None = None):
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles[base] if base else document.styles["Normal"]
    style.quick_style = True
    style.font.size = Pt(size)
    set_fonts(style.element.get_or_add_rPr(), font)
    size_cs = OxmlElement("w:szCs")
    size_cs.set(qn("w:val"), str(round(size * 2)))
    style.element.get_or_add_rPr().append(size_cs)
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    fmt.first_line_indent = Pt(0)
    return style


def border_set(parent_tag: str, sides: tuple[str, ...]):
    borders = OxmlElement(parent_tag)
    for side in sides:
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "4")  # eighths of a point: 0.5 pt
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), "000000")
        borders.append(edge)
    return borders


TABLE_SIDES = ("top", "left", "bottom", "right", "insideH", "insideV")


def cell_margins():
    margins = OxmlElement("w:tblCellMar")
    for side, value in (
        ("top", 28),
        ("left", CELL_PADDING),
        ("bottom", 28),
        ("right", CELL_PADDING),
    ):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(value))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    return margins


def reset_styles(document) -> None:
    """Start from the report template's base styles: the default package's 160-odd styles name
    Courier and theme fonts without a Chinese face."""
    fonts = " ".join(f'w:{script}="{BODY_FONT}"' for script in ("ascii", "hAnsi", "eastAsia", "cs"))
    defaults = (
        f"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts {fonts}/>"
        '<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="zh-CN" w:eastAsia="zh-CN"'
        ' w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>'
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
        "</w:docDefaults>"
    )
    normal = (
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        "<w:qFormat/></w:style>"
    )
    replace_children(
        document.styles.element, f"<w:styles {W}>{defaults}{normal}{BUILT_IN_STYLES}</w:styles>"
    )


def define_styles(document) -> None:
    reset_styles(document)
    normal = document.styles["Normal"]
    normal.font.size = Pt(TABLE_FONT_SIZE)
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    # Table cells are narrow: justifying them spreads a line with half-width punctuation
    # into gaps between characters, so table text is set flush left.
    justify, left, centre = (
        WD_ALIGN_PARAGRAPH.JUSTIFY,
        WD_ALIGN_PARAGRAPH.LEFT,
        WD_ALIGN_PARAGRAPH.CENTER,
    )
    title = paragraph_style(document, "Table Title", TITLE_FONT, 22, align=centre)
    title.paragraph_format.space_after = Pt(12)
    title.paragraph_format.keep_with_next = True
    paragraph_style(document, "Table Header", HEADER_FONT, TABLE_FONT_SIZE, align=centre)
    paragraph_style(document, "Table Text", BODY_FONT, TABLE_FONT_SIZE, align=left)
    paragraph_style(
        document, "Table Text Centred", BODY_FONT, TABLE_FONT_SIZE, align=centre, base="Table Text"
    )
    note = paragraph_style(document, "Table Note", BODY_FONT, TABLE_FONT_SIZE, align=justify)
    note.paragraph_format.space_before = Pt(3)
    # `注：` hangs in the first two characters; the notes' text, their wrapped lines and the
    # later notes (which start with a tab to this indent) align after it.
    note_indent = note.element.get_or_add_pPr().get_or_add_ind()
    note_indent.attrib.clear()
    hanging = 2 * TABLE_FONT_SIZE * 20
    for name, value in (
        ("leftChars", 200),
        ("left", hanging),
        ("hangingChars", 200),
        ("hanging", hanging),
    ):
        note_indent.set(qn(f"w:{name}"), str(value))
    footer = paragraph_style(document, "Page Footer", PAGE_NUMBER_FONT, 14, align=None)
    footer.paragraph_format.alignment = None

    table = document.styles.add_style("Project Table", WD_STYLE_TYPE.TABLE)
    table.base_style = document.styles["Normal Table"]
    tbl_pr = table.element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        table.element.append(tbl_pr)
    tbl_pr.append(border_set("w:tblBorders", TABLE_SIDES))
    tbl_pr.append(cell_margins())


def set_section(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width = Twips(PAGE_WIDTH)
    section.page_height = Twips(PAGE_HEIGHT)
    section.top_margin = Twips(MARGIN_TOP)
    section.bottom_margin = Twips(MARGIN_BOTTOM)
    section.left_margin = Twips(MARGIN_SIDE)
    section.right_margin = Twips(MARGIN_SIDE)
    section.header_distance = Twips(mm(15))
    section.footer_distance = Twips(FOOTER_DISTANCE)
    section.gutter = Twips(0)
    sect_pr = section._sectPr
    for name in list(sect_pr.attrib):  # revision ids inherited from the blank document
        del sect_pr.attrib[name]
    document.settings.odd_and_even_pages_header_footer = True
    page_number(document, section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    page_number(document, section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def page_number(document, paragraph, align) -> None:
    """`— 1 —` with a one-character inset on the outer side (GB/T 9704)."""
    paragraph.style = document.styles["Page Footer"]
    paragraph.alignment = align
    inset = Pt(14)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = inset
    else:
        paragraph.paragraph_format.left_indent = inset
    paragraph.add_run("— ")
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        run = paragraph.add_run()
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    paragraph.add_run(" —")


def fill(cell, text: str, style: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = cell.part.document.styles[style]
    if text:
        paragraph.add_run(text)


def set_cell_props(cell, width: int) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.width = Twips(width)
    valign = OxmlElement("w:vAlign")
    valign.set(qn("w:val"), "center")
    tc_pr.append(valign)


def row_flags(row, *flags: str) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    for flag in flags:
        tr_pr.append(OxmlElement(f"w:{flag}"))


def build_table(document) -> None:
    widths = column_widths(
        TEMPLATE_YEARS,
        TEXT_WIDTH,
        char_width=TABLE_FONT_SIZE * 20,
        cell_padding=2 * CELL_PADDING,
    )
    header = [
        *HEADERS,
        "{%tc for year in years %}",
        "{{ year }}年计划",
        "{%tc endfor %}",
        *TRAILING_HEADERS,
    ]
    included = [
        "{{ row.number }}",
        "{{ row.name }}",
        "{{ row.content }}",
        "{{ row.due }}",
        "{%tc for plan in row.plans %}",
        "{{ plan }}",
        "{%tc endfor %}",
        "{{ row.progress }}",
        "{{ row.lead_leader }}",
        "{{ row.lead_department }}",
        "{{ row.supporting }}",
    ]
    columns = len(header)
    # The template grid: the tc-loop cells stand for the first, middle and last year column.
    assert columns == len(widths) == TEMPLATE_YEARS + 8

    table = document.add_table(rows=8, cols=columns)
    table.style = document.styles["Project Table"]
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    for child in tbl_pr.findall(qn("w:tblLook")):
        tbl_pr.remove(child)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), "center")
    tbl_w = tbl_pr.find(qn("w:tblW"))
    tbl_w.set(qn("w:w"), str(sum(widths)))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.addnext(jc)
    jc.addnext(border_set("w:tblBorders", TABLE_SIDES))
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(cell_margins())
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))

    rows = table.rows
    for row in rows:
        for cell, width in zip(row.cells, widths, strict=True):
            set_cell_props(cell, width)

    for col, text in enumerate(header):
        fill(rows[0].cells[col], text, "Table Header")
    row_flags(rows[0], "cantSplit", "tblHeader")

    for col, text in enumerate(included):
        fill(rows[3].cells[col], text, "Table Text Centred" if col in CENTRED else "Table Text")
    row_flags(rows[3], "cantSplit")

    excluded = rows[5].cells[3].merge(rows[5].cells[columns - 1])
    for col, text in enumerate(included[:3]):
        fill(rows[5].cells[col], text, "Table Text Centred" if col in CENTRED else "Table Text")
    fill(excluded, "{{ row.explanation }}", "Table Text")
    row_flags(rows[5], "cantSplit")

    for index, tag in (
        (1, "{%tr for row in rows %}"),
        (2, "{%tr if row.included %}"),
        (4, "{%tr else %}"),
        (6, "{%tr endif %}"),
        (7, "{%tr endfor %}"),
    ):
        merged = rows[index].cells[0].merge(rows[index].cells[columns - 1])
        fill(merged, tag, "Table Text")


def build(output: Path) -> None:
    document = Document()
    # The same package as the report template's: no thumbnail, extended properties naming the
    # default document's application, stylesWithEffects or sample numbering; the table's fonts
    # with their Windows fallbacks; Word 2013+ layout settings.
    clean_package(document, FONTS)
    # A line ending in a manual line break (a line break typed in a cell) is not stretched
    # across the cell by justification; Word and LibreOffice both read this setting.
    replace_children(document.settings.element, settings_xml("<w:doNotExpandShiftReturn/>"))
    define_styles(document)
    set_section(document)
    body = document.element.body
    for paragraph in list(body.findall(qn("w:p"))):
        body.remove(paragraph)

    document.add_paragraph("{{ title }}", style="Table Title")
    build_table(document)
    document.add_paragraph("{%p for note in notes %}", style="Table Note")
    document.add_paragraph("{%p if loop.first %}", style="Table Note")
    document.add_paragraph("注：{{ loop.index }}、{{ note }}", style="Table Note")
    document.add_paragraph("{%p else %}", style="Table Note")
    # A tab in the first line goes to the hanging indent, under the first note's number.
    later = document.add_paragraph(style="Table Note")
    later.add_run().add_tab()
    later.add_run("{{ loop.index }}、{{ note }}")
    document.add_paragraph("{%p endif %}", style="Table Note")
    document.add_paragraph("{%p endfor %}", style="Table Note")
    # Word wants a paragraph after a table; keep it one point high so it never adds a page.
    tail = document.add_paragraph()
    tail.paragraph_format.line_spacing = Pt(1)
    tail.paragraph_format.space_before = Pt(0)
    tail.paragraph_format.space_after = Pt(0)
    mark = tail._p.get_or_add_pPr()
    mark_rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark_rpr.append(size)
    mark.append(mark_rpr)

    # Fixed properties and zip stamps: running the tool again gives the same bytes.
    props = document.core_properties
    props.title = "合作交流项目表模板"
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.created = props.modified = dt.datetime(2023, 1, 1)
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(normalise_zip(buffer.getvalue()))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        build(Path(sys.argv[1]))
    else:
        build(OUTPUT)
        build(PACKAGED)  # the copy that `pipeline init --office` installs
