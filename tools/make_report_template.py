"""Generate `templates/work_report.docx`, the default 工作专报 template with its 拟文稿 form.

The office edits the generated file in Word. Every format lives in a named style (the Word
style pane shows the Chinese names), so restyling means editing a style; the paragraphs and
the form carry no direct text formatting. Re-run this script to restore the default:

    python tools/make_report_template.py [OUTPUT]

Layout follows GB/T 9704-2012: A4, margins 37/35/28/26 mm, 22 lines of 28.95 pt on the
版心 and 28 characters of 三号 a line, page numbers `— N —` outside on odd and even pages.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml import parse_xml
from docx.shared import Twips

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.files import normalise_zip  # noqa: E402

DEFAULT_OUTPUT = ROOT / "templates" / "work_report.docx"
PACKAGED = ROOT / "pipeline" / "default_templates" / "work_report.docx"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f'xmlns:w="{W_NS}"'

# Fonts as the office's Windows machines name them.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
FONTS = (TITLE_FONT, BODY_FONT, HEADING1_FONT, HEADING2_FONT, PAGE_NUMBER_FONT)

RED = "FF0000"


def mm(value: float) -> int:
    """Millimetres to twips (1/1440 inch)."""
    return round(value * 1440 / 25.4)


def pt(value: float) -> int:
    """Points to twips."""
    return round(value * 20)


PAGE_WIDTH, PAGE_HEIGHT = mm(210), mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = mm(37), mm(35), mm(28), mm(26)
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # the 版心, 156 mm
LINE_PITCH = 579  # 28.95 pt: 22 lines on the 225 mm 版心
HEADER_DISTANCE = mm(15)
# GB/T 9704 7.5: the page number's dashes 7 mm below the 版心. The footer distance is to the
# footer's lower edge, and 四号 dashes sit about 3 mm above that edge.
PAGE_NUMBER_DROP, PAGE_NUMBER_RISE = 7, 3
FOOTER_DISTANCE = MARGIN_BOTTOM - mm(PAGE_NUMBER_DROP + PAGE_NUMBER_RISE)  # 25 mm

# Sizes in points: 二号 22, 三号 16, 四号 14, 小四 12.
SIZE_TITLE, SIZE_BODY, SIZE_SMALL, SIZE_FORM = 22, 16, 14, 12
SIZE_MASTHEAD = 54
# 28 characters of 三号 a line, from the document grid (`snapToChars`, 文字对齐字符网格): a cell
# of 442.25 pt / 28 = 15.79 pt, set as charSpace, the pitch's difference from 16 pt in 1/4096 pt.
# Word (MS-OI29500 on ST_DocGrid) and LibreOffice then put each CJK character in a cell and a
# run of digits or Latin letters in as many whole cells as it needs, centred, so a closing mark
# that does not fit hangs in the margin (overflowPunct, on when omitted). LibreOffice gives a
# glyph wider than a cell two cells, so the 三号 styles draw their glyphs at 98 % width
# (15.68 pt). Character spacing instead (−0.25 pt, 28 × 15.75 pt) fills a plain line exactly,
# and LibreOffice then loses a hanging mark at the end of a justified line; with
# `linesAndChars` it sets digits at the left of their cells, the gap after them.
CHARS_PER_LINE = 28
GRID_CHAR_SPACE = math.floor((TEXT_WIDTH / 20 / CHARS_PER_LINE - 16) * 4096)
GRID_PITCH = TEXT_WIDTH // CHARS_PER_LINE  # one cell in twips (315), for indents in cells
BODY_CHAR_SCALE = 98  # per cent of a glyph's width


# ------------------------------------------------------------------ style XML


def run_properties(
    font: str | None = None,
    size: float | None = None,
    *,
    bold: bool = False,
    color: str | None = None,
    spacing: int | None = None,
    scale: int | None = None,
) -> str:
    """A `w:rPr`, children in schema order."""
    parts = []
    if font:
        parts.append(
            f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>'
        )
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if spacing is not None:
        parts.append(f'<w:spacing w:val="{spacing}"/>')
    if scale is not None:
        parts.append(f'<w:w w:val="{scale}"/>')
    if size is not None:
        half_points = round(size * 2)
        parts.append(f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def body_run_properties(font: str) -> str:
    """三号 text on the 版心: one character to a cell of the 28-character grid."""
    return run_properties(font, SIZE_BODY, scale=BODY_CHAR_SCALE)


def paragraph_properties(
    *,
    keep_next: bool = False,
    border_bottom: str | None = None,
    right_tab: int | None = None,
    snap_to_grid: bool = True,
    line: int | None = LINE_PITCH,
    line_rule: str = "exact",
    before: int = 0,
    after: int = 0,
    first_line_chars: int = 0,
    left_chars: int = 0,
    right_chars: int = 0,
    char_size: float = SIZE_BODY,
    jc: str | None = None,
    outline: int | None = None,
) -> str:
    """A `w:pPr`, children in schema order. Indents are in characters of `char_size` points;
    三号 characters are cells of the character grid."""
    parts = []
    if keep_next:
        parts.append("<w:keepNext/>")
    if border_bottom:
        parts.append(f"<w:pBdr>{border_bottom}</w:pBdr>")
    if right_tab is not None:
        parts.append(f'<w:tabs><w:tab w:val="right" w:pos="{right_tab}"/></w:tabs>')
    if not snap_to_grid:
        parts.append('<w:snapToGrid w:val="0"/>')
    spacing = f'w:before="{before}" w:after="{after}"'
    if line is not None:
        spacing += f' w:line="{line}" w:lineRule="{line_rule}"'
    parts.append(f"<w:spacing {spacing}/>")
    char = GRID_PITCH if char_size == SIZE_BODY else pt(char_size)
    ind = []
    if left_chars:
        ind.append(f'w:leftChars="{left_chars * 100}" w:left="{left_chars * char}"')
    if right_chars:
        ind.append(f'w:rightChars="{right_chars * 100}" w:right="{right_chars * char}"')
    if first_line_chars:
        ind.append(
            f'w:firstLineChars="{first_line_chars * 100}" w:firstLine="{first_line_chars * char}"'
        )
    if ind:
        parts.append(f"<w:ind {' '.join(ind)}/>")
    if jc:
        parts.append(f'<w:jc w:val="{jc}"/>')
    if outline is not None:
        parts.append(f'<w:outlineLvl w:val="{outline}"/>')
    return f"<w:pPr>{''.join(parts)}</w:pPr>"


def paragraph_style(
    style_id: str,
    name: str,
    ppr: str,
    rpr: str = "",
    *,
    based_on: str | None = "Normal",
    next_style: str | None = None,
    default: bool = False,
    hidden: bool = False,
) -> str:
    attrs = ' w:default="1"' if default else ""
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    following = f'<w:next w:val="{next_style}"/>' if next_style else ""
    shown = "<w:semiHidden/><w:unhideWhenUsed/>" if hidden else "<w:qFormat/>"
    return (
        f'<w:style w:type="paragraph"{attrs} w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/>{based}{following}{shown}{ppr}{rpr}</w:style>'
    )


# The default character, table and list styles Word expects in every document.
BUILT_IN_STYLES = (
    '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
    '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/>'
    "<w:semiHidden/><w:unhideWhenUsed/></w:style>"
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
    '<w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/>'
    '<w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
    '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
    '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
    "</w:tblCellMar></w:tblPr></w:style>"
    '<w:style w:type="numbering" w:default="1" w:styleId="NoList">'
    '<w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/>'
    "<w:unhideWhenUsed/></w:style>"
)


def styles_xml() -> str:
    red_rule = f'<w:bottom w:val="single" w:sz="12" w:space="1" w:color="{RED}"/>'
    body = paragraph_properties(first_line_chars=2, jc="both")
    styles = [
        # Built-ins Word expects; Normal carries the body font so that text the office adds
        # without a style still looks like the report.
        paragraph_style(
            "Normal",
            "Normal",
            paragraph_properties(jc="both"),
            body_run_properties(BODY_FONT),
            based_on=None,
            default=True,
        ),
        BUILT_IN_STYLES,
        paragraph_style(
            "Footer",
            "footer",
            paragraph_properties(snap_to_grid=False, line=240, line_rule="auto"),
            run_properties(PAGE_NUMBER_FONT, SIZE_SMALL),
            hidden=True,
        ),
        # 版头
        paragraph_style(
            "ReportMasthead",
            "专报报头",
            paragraph_properties(
                snap_to_grid=False, line=pt(SIZE_MASTHEAD * 1.3), jc="center", after=pt(6)
            ),
            run_properties(TITLE_FONT, SIZE_MASTHEAD, color=RED, spacing=pt(6)),
            next_style="ReportIssue",
        ),
        paragraph_style(
            "ReportIssue",
            "专报期号",
            paragraph_properties(jc="center", after=pt(12)),
            body_run_properties(BODY_FONT),
            next_style="ReportPublisher",
        ),
        paragraph_style(
            "ReportPublisher",
            "编发单位与日期",
            # Date at the right edge of the 版心. 四号, condensed by 1 pt, so that a 24-character
            # unit name and the date still share one line.
            paragraph_properties(right_tab=TEXT_WIDTH, snap_to_grid=False, line=pt(20), jc="left"),
            run_properties(BODY_FONT, SIZE_SMALL, spacing=-20),
            next_style="ReportRule",
        ),
        paragraph_style(
            "ReportRule",
            "红色分隔线",
            paragraph_properties(
                border_bottom=red_rule, snap_to_grid=False, line=pt(8), after=pt(14)
            ),
            run_properties(size=2),
            next_style="ReportRecipients",
        ),
        paragraph_style(
            "ReportRecipients",
            "报送",
            paragraph_properties(jc="left"),
            body_run_properties(BODY_FONT),
            next_style="ReportTitle",
        ),
        # 主体
        paragraph_style(
            "ReportTitle",
            "专报标题",
            paragraph_properties(
                jc="center", before=LINE_PITCH, after=LINE_PITCH, snap_to_grid=False, line=pt(36)
            ),
            run_properties(TITLE_FONT, SIZE_TITLE),
            next_style="ReportBody",
        ),
        paragraph_style(
            "ReportBody",
            "专报正文",
            body,
            body_run_properties(BODY_FONT),
        ),
        paragraph_style(
            "ReportHeading1",
            "一级标题",
            paragraph_properties(keep_next=True, first_line_chars=2, jc="both", outline=0),
            body_run_properties(HEADING1_FONT),
            next_style="ReportBody",
        ),
        paragraph_style(
            "ReportHeading2",
            "二级标题",
            paragraph_properties(keep_next=True, first_line_chars=2, jc="both", outline=1),
            body_run_properties(HEADING2_FONT),
            next_style="ReportBody",
        ),
        paragraph_style(
            "ReportClosing",
            "结束语",
            # 正文下空一行编排落款 (GB/T 9704 7.3.5.2). Kept with the 落款, date and contact line,
            # as the last body paragraph is kept with it (set when rendering): never alone.
            paragraph_properties(keep_next=True, first_line_chars=2, jc="both", after=LINE_PITCH),
            body_run_properties(BODY_FONT),
            based_on="ReportBody",
            next_style="ReportSignature",
        ),
        paragraph_style(
            "ReportSignature",
            "落款与日期",
            paragraph_properties(keep_next=True, right_chars=2, jc="right"),
            body_run_properties(BODY_FONT),
        ),
        paragraph_style(
            "ReportContact",
            "联系人",
            body,
            body_run_properties(BODY_FONT),
            based_on="ReportBody",
        ),
        paragraph_style(
            "SectionBreak",
            "分节（请勿删除）",
            # Holds the section break before the form; 1 pt high so it never adds a page.
            paragraph_properties(snap_to_grid=False, line=20),
            run_properties(size=1),
        ),
        # 拟文稿
        paragraph_style(
            "FormTitle",
            "拟文稿标题",
            paragraph_properties(
                jc="center", after=LINE_PITCH // 2, snap_to_grid=False, line=pt(36)
            ),
            run_properties(TITLE_FONT, SIZE_TITLE),
        ),
        paragraph_style(
            "FormLabel",
            "拟文稿栏目",
            paragraph_properties(snap_to_grid=False, line=pt(18), jc="distribute"),
            run_properties(BODY_FONT, SIZE_FORM),
        ),
        paragraph_style(
            "FormCell",
            "拟文稿内容",
            # Left-aligned: justified lines before a long `{签署人[时间]}` would be spread out.
            paragraph_properties(snap_to_grid=False, line=pt(18), jc="left"),
            run_properties(BODY_FONT, SIZE_FORM),
        ),
        # 页码: 四号宋体, 单页居右空一字, 双页居左空一字 (GB/T 9704 7.5).
        paragraph_style(
            "PageNumberOdd",
            "页码（单页）",
            paragraph_properties(
                snap_to_grid=False,
                line=240,
                line_rule="auto",
                right_chars=1,
                char_size=SIZE_SMALL,
                jc="right",
            ),
            run_properties(PAGE_NUMBER_FONT, SIZE_SMALL),
            based_on="Footer",
        ),
        paragraph_style(
            "PageNumberEven",
            "页码（双页）",
            paragraph_properties(
                snap_to_grid=False,
                line=240,
                line_rule="auto",
                left_chars=1,
                char_size=SIZE_SMALL,
                jc="left",
            ),
            run_properties(PAGE_NUMBER_FONT, SIZE_SMALL),
            based_on="Footer",
        ),
        '<w:style w:type="character" w:styleId="LeadIn"><w:name w:val="一是二是（加粗）"/>'
        '<w:basedOn w:val="DefaultParagraphFont"/><w:qFormat/>'
        f"{run_properties(bold=True)}</w:style>",
        '<w:style w:type="table" w:styleId="ApprovalForm"><w:name w:val="拟文稿表格"/>'
        '<w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders>'
        + "".join(
            f'<w:{side} w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        + '</w:tblBorders><w:tblCellMar><w:top w:w="57" w:type="dxa"/>'
        '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="57" w:type="dxa"/>'
        '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
    ]
    defaults = (
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f'<w:rFonts w:ascii="{BODY_FONT}" w:hAnsi="{BODY_FONT}" w:eastAsia="{BODY_FONT}"'
        f' w:cs="{BODY_FONT}"/><w:kern w:val="2"/>'
        f'<w:sz w:val="{SIZE_BODY * 2}"/><w:szCs w:val="{SIZE_BODY * 2}"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
        "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
        # No widow control and no extra CJK/Latin spacing: lines stay on the 22-line grid and
        # 28 characters wide, as in GB/T 9704 documents.
        '<w:widowControl w:val="0"/><w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>'
        '<w:spacing w:after="0"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    return f"<w:styles {W}>{defaults}{''.join(styles)}</w:styles>"


# Font table entries as Word writes them for these faces (charset 86 is GB2312). Stock Windows
# has 仿宋, 楷体, 黑体 and 宋体 but not the _GB2312 faces or 方正小标宋简体: altName names the face
# Word uses where the named one is missing; 黑体 and 宋体 name their own English names.
# name: (altName, panose, family, pitch, usb0, usb1, usb2, csb0)
FONT_ENTRIES: dict[str, tuple[str, str, str, str, str, str, str, str]] = {
    "仿宋_GB2312": (
        "仿宋",
        "02010609030101010101",
        "modern",
        "fixed",
        "00000001",
        "080E0000",
        "00000010",
        "00040000",
    ),
    "楷体_GB2312": (
        "楷体",
        "02010609030101010101",
        "modern",
        "fixed",
        "00000001",
        "080E0000",
        "00000010",
        "00040000",
    ),
    "方正小标宋简体": (
        "宋体",
        "03000509000000000000",
        "script",
        "fixed",
        "00000001",
        "080E0000",
        "00000010",
        "00040000",
    ),
    "黑体": (
        "SimHei",
        "02010609060101010101",
        "modern",
        "fixed",
        "800002BF",
        "38CF7CFA",
        "00000016",
        "00040001",
    ),
    "宋体": (
        "SimSun",
        "02010600030101010101",
        "auto",
        "variable",
        "00000003",
        "288F0000",
        "00000016",
        "00040001",
    ),
}


def font_table_xml(names: tuple[str, ...] = FONTS) -> bytes:
    """`word/fontTable.xml` naming `names`, each with its Windows fallback."""
    entries = []
    for name in names:
        alt, panose, family, pitch, usb0, usb1, usb2, csb0 = FONT_ENTRIES[name]
        entries.append(
            f'<w:font w:name="{name}"><w:altName w:val="{alt}"/>'
            f'<w:panose1 w:val="{panose}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="{pitch}"/>'
            f'<w:sig w:usb0="{usb0}" w:usb1="{usb1}" w:usb2="{usb2}" w:usb3="00000000"'
            f' w:csb0="{csb0}" w:csb1="00000000"/></w:font>'
        )
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f"<w:fonts {W}>{''.join(entries)}</w:fonts>"
    ).encode()


def settings_xml(compat_options: str = "") -> str:
    """Word 2013+ layout (compatibility mode 15); `compat_options` are `w:compat` flags."""
    children = [
        '<w:zoom w:percent="100"/>',
        '<w:defaultTabStop w:val="420"/>',
        "<w:evenAndOddHeaders/>",  # odd pages number right, even pages left
        '<w:characterSpacingControl w:val="compressPunctuation"/>',
        f'<w:compat>{compat_options}<w:compatSetting w:name="compatibilityMode"'
        ' w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>',
        '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>',
        '<w:decimalSymbol w:val="."/>',
        '<w:listSeparator w:val=","/>',
    ]
    return f"<w:settings {W}>{''.join(children)}</w:settings>"


# ------------------------------------------------------------------ document


def page_number_xml(style: str) -> str:
    """`— N —` with a PAGE field."""

    def text(value: str) -> str:
        return f'<w:r><w:t xml:space="preserve">{value}</w:t></w:r>'

    return (
        f'<w:p {W}><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
        + text("— ")
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + text("1")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + text(" —")
        + "</w:p>"
    )


def set_footer(footer, paragraph_xml: str | None) -> None:
    footer.is_linked_to_previous = False
    element = footer._element
    for child in list(element):
        element.remove(child)
    element.append(
        parse_xml(paragraph_xml or f'<w:p {W}><w:pPr><w:pStyle w:val="Footer"/></w:pPr></w:p>')
    )


def set_page(section, *, characters: bool = True) -> None:
    """A4 with GB/T 9704's margins; a grid of 22 lines, and of 28 characters unless
    `characters` is false (the 拟文稿 form's 小四 text is not on the 三号 grid)."""
    section.page_width, section.page_height = Twips(PAGE_WIDTH), Twips(PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = Twips(MARGIN_TOP), Twips(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Twips(MARGIN_LEFT), Twips(MARGIN_RIGHT)
    section.header_distance, section.footer_distance = (
        Twips(HEADER_DISTANCE),
        Twips(FOOTER_DISTANCE),
    )
    section.gutter = Twips(0)
    sect_pr = section._sectPr
    for name in list(sect_pr.attrib):  # revision ids inherited from the blank document
        del sect_pr.attrib[name]
    for old in sect_pr.findall(f"{{{W_NS}}}docGrid"):
        sect_pr.remove(old)
    grid = (
        f'w:type="snapToChars" w:linePitch="{LINE_PITCH}" w:charSpace="{GRID_CHAR_SPACE}"'
        if characters
        else f'w:type="lines" w:linePitch="{LINE_PITCH}"'
    )
    sect_pr.append(parse_xml(f"<w:docGrid {W} {grid}/>"))


def add_paragraph(container, text: str, style_id: str | None = None):
    """A paragraph in a style given by id (python-docx looks styles up by their display name)."""
    paragraph = container.add_paragraph(text)
    if style_id:
        paragraph._p.style = style_id
    return paragraph


def add_body(doc) -> None:
    def para(text: str, style: str | None = None) -> None:
        add_paragraph(doc, text, style)

    para("工作专报", "ReportMasthead")
    para("第{{ issue_number }}期", "ReportIssue")
    para("{{ publisher }}\t{{ date }}", "ReportPublisher")
    para("", "ReportRule")
    para("报：{{ recipients }}。", "ReportRecipients")
    para("{{ title }}", "ReportTitle")
    # Each paragraph of the body is a list of runs (the bold 一是、二是 use the LeadIn style).
    para("{%p for paragraph in lead %}")
    para("{{r paragraph }}", "ReportBody")
    para("{%p endfor %}")
    para("{%p for section in sections %}")
    para("{{ section.number }}{{ section.title }}", "ReportHeading1")
    para("{%p for paragraph in section.paragraphs %}")
    para("{{r paragraph }}", "ReportBody")
    para("{%p endfor %}")
    para("{%p for subsection in section.subsections %}")
    para("{{ subsection.number }}{{ subsection.title }}", "ReportHeading2")
    para("{%p for paragraph in subsection.paragraphs %}")
    para("{{r paragraph }}", "ReportBody")
    para("{%p endfor %}")
    para("{%p endfor %}")
    para("{%p endfor %}")
    para("{{ closing }}", "ReportClosing")
    para("{{ signatory }}", "ReportSignature")
    para("{{ date }}", "ReportSignature")
    para("{%p if contact %}")
    para("{{ contact }}", "ReportContact")
    para("{%p endif %}")


# The form's rows as (label, value) pairs, laid out like the office system's form. A value is a
# tag, or the `approval` list of one 环节; a row with one pair spans its value over three columns.
FORM_ROWS: list[tuple[tuple[str, str], ...]] = [
    (("标 题", "{{ form_title }}"),),
    (("专报部门", "{{ submitting_department }}"), ("专 报 人", "{{ submitter }}")),
    (("专报日期", "{{ submission_date }}"), ("文 号", "{{ document_number }}")),
    (("事 由", "approval.reason"),),
    (("主管领导签发意见", "approval.chief"), ("分管领导会签意见", "approval.deputy")),
    (("办公室审核意见", "approval.office"), ("会签部门意见", "approval.cosign")),
    (("专报部门意见", "approval.department"),),
    (("备 注", "approval.remarks"),),
]
# Minimum row heights: room to write and sign in the opinion rows.
FORM_ROW_HEIGHTS = [mm(12), mm(10), mm(10), mm(32), mm(38), mm(38), mm(28), mm(18)]
LABEL_WIDTH = mm(22)  # four characters of 小四 a line: 主管领导 / 签发意见
VALUE_WIDTH = (TEXT_WIDTH - 2 * LABEL_WIDTH) // 2


def set_cell(cell, width: int, v_align: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    cell.width = Twips(width)
    tc_pr.append(parse_xml(f'<w:vAlign {W} w:val="{v_align}"/>'))


def fill_value(cell, value: str) -> None:
    first = cell.paragraphs[0]
    if value.startswith("{{"):
        first.text = value
        first._p.style = "FormCell"
        return
    # One paragraph per entry of this 环节; an empty paragraph keeps the cell when there is none.
    first.text = f"{{%p for entry in {value} %}}"
    first._p.style = None
    add_paragraph(cell, "{{ entry }}", "FormCell")
    add_paragraph(cell, "{%p else %}")
    add_paragraph(cell, "", "FormCell")
    add_paragraph(cell, "{%p endfor %}")


def add_form(doc) -> None:
    add_paragraph(doc, "生态环境局工作专报拟文稿", "FormTitle")
    table = doc.add_table(rows=len(FORM_ROWS), cols=4)
    table._tbl.tblPr.style = "ApprovalForm"
    table.autofit = False  # fixed layout: the columns keep their widths
    tbl_w = table._tbl.tblPr.find(f"{{{W_NS}}}tblW")
    tbl_w.set(f"{{{W_NS}}}type", "dxa")
    tbl_w.set(f"{{{W_NS}}}w", str(2 * (LABEL_WIDTH + VALUE_WIDTH)))
    widths = [LABEL_WIDTH, VALUE_WIDTH, LABEL_WIDTH, VALUE_WIDTH]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Twips(width)
    for row, fields, height in zip(table.rows, FORM_ROWS, FORM_ROW_HEIGHTS, strict=True):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(parse_xml(f"<w:cantSplit {W}/>"))
        tr_pr.append(parse_xml(f'<w:trHeight {W} w:val="{height}" w:hRule="atLeast"/>'))
        cells = list(row.cells)
        if len(fields) == 1:
            value_cell = cells[1].merge(cells[3])
            pairs = [(cells[0], value_cell, LABEL_WIDTH + 2 * VALUE_WIDTH)]
        else:
            pairs = [(cells[0], cells[1], VALUE_WIDTH), (cells[2], cells[3], VALUE_WIDTH)]
        tall = height > mm(20)  # opinion rows: write from the top, sign below
        for (label_cell, value_cell, width), (label, value) in zip(pairs, fields, strict=True):
            set_cell(label_cell, LABEL_WIDTH, "center")
            label_cell.paragraphs[0].text = label
            label_cell.paragraphs[0]._p.style = "FormLabel"
            set_cell(value_cell, width, "top" if tall else "center")
            fill_value(value_cell, value)


def clean_package(doc, fonts: tuple[str, ...] = FONTS) -> None:
    """Keep only the parts a template needs: no thumbnail, sample numbering or customXml."""
    package_rels = doc.part.package.rels
    for rId, rel in list(package_rels.items()):
        if rel.reltype.endswith(("/thumbnail", "/extended-properties")):
            package_rels.pop(rId)
    for rId, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml", "/numbering", "/webSettings")):
            doc.part.rels.pop(rId)
        elif rel.reltype.endswith("/fontTable"):
            rel.target_part._blob = font_table_xml(fonts)


def replace_children(element, xml: str) -> None:
    """Replace an element's children by those of `xml` (an element of the same kind)."""
    for child in list(element):
        element.remove(child)
    for child in list(parse_xml(xml)):
        element.append(child)


def build() -> bytes:
    doc = Document()
    clean_package(doc)
    replace_children(doc.styles.element, styles_xml())
    replace_children(doc.settings.element, settings_xml())
    # The default document's single empty paragraph goes; the body starts with the masthead.
    body = doc.element.body
    for paragraph in body.findall(f"{{{W_NS}}}p"):
        body.remove(paragraph)

    report = doc.sections[0]
    set_page(report)
    add_body(doc)
    set_footer(report.footer, page_number_xml("PageNumberOdd"))
    set_footer(report.even_page_footer, page_number_xml("PageNumberEven"))

    # The form is not part of the numbered report: a new section, new page, footers empty.
    form = doc.add_section(WD_SECTION.NEW_PAGE)
    doc.paragraphs[-1]._p.style = "SectionBreak"
    set_page(form, characters=False)
    # nextPage is the default; say it anyway so that the break is visible in the file.
    page_size = form._sectPr.find(f"{{{W_NS}}}pgSz")
    page_size.addprevious(parse_xml(f'<w:type {W} w:val="nextPage"/>'))
    set_footer(form.footer, None)
    set_footer(form.even_page_footer, None)
    add_form(doc)
    # Word wants a paragraph after a final table; keep it 1 pt high.
    add_paragraph(doc, "", "SectionBreak")

    return template_bytes(doc, "工作专报模板")


def template_bytes(doc, title: str) -> bytes:
    """The template as bytes that are the same every time it is generated."""
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = ""
    props.comments = props.subject = props.keywords = props.category = ""
    props.created = props.modified = dt.datetime(2023, 1, 1)
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalise_zip(buffer.getvalue())


def write_template(data: bytes, argv: list[str], default: Path, packaged: Path) -> None:
    """Write to the path given, or to `templates/` and the copy `pipeline init --office`
    installs."""
    output = Path(argv[0]) if argv else default
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    print(f"已生成 {output}")
    if not argv:
        packaged.write_bytes(data)
        print(f"已生成 {packaged}")


def main(argv: list[str]) -> None:
    write_template(build(), argv, DEFAULT_OUTPUT, PACKAGED)


if __name__ == "__main__":
    main(sys.argv[1:])
