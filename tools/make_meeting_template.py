"""Generate `templates/meeting_material.docx`, the default 会议材料 template.

    python tools/make_meeting_template.py [OUTPUT]

The meeting material is a report to a meeting (seed 002: 第21次局长办公会 会议材料之6) whose
attachments are the cooperation tables. The page, the styles and the footers are the work
report's (GB/T 9704: A4 portrait, margins 37/35/28/26 mm, 22 lines of 28 characters, page
numbers `— N —` outside on odd and even pages), built by the same helpers. The office edits the
generated file in Word: every format lives in a named style, and the wording of each region's
summary is ordinary text around `{{ … }}` tags (see `pipeline/render/meeting.py` for the fields).

The attachments are not in the template: the build appends each region's rendered table, as its
own landscape section, after the 附件 list, with the label `附件N` in the style `AttachmentLabel`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from make_report_template import (  # noqa: E402
    BODY_FONT,
    GRID_PITCH,
    HEADING1_FONT,
    HEADING2_FONT,
    LINE_PITCH,
    SIZE_TITLE,
    TITLE_FONT,
    W_NS,
    add_paragraph,
    body_run_properties,
    clean_package,
    page_number_xml,
    paragraph_properties,
    paragraph_style,
    pt,
    replace_children,
    run_properties,
    set_footer,
    set_page,
    settings_xml,
    styles_xml,
    template_bytes,
    write_template,
)

DEFAULT_OUTPUT = ROOT / "templates" / "meeting_material.docx"
PACKAGED = ROOT / "pipeline" / "default_templates" / "meeting_material.docx"

# The work report's styles this document uses as they are (page numbers, body, headings).
SHARED_STYLES = {
    "Normal",
    "DefaultParagraphFont",
    "TableNormal",
    "NoList",
    "Footer",
    "PageNumberOdd",
    "PageNumberEven",
    "LeadIn",
    "ReportBody",
    "ReportHeading1",
    "ReportHeading2",
}
# Their names as the style pane shows them in this document.
RENAMED = {"ReportBody": "正文"}

CHAR = GRID_PITCH  # one character of 三号, a cell of the character grid, in twips
# 附件 list: `附件：1.` from two characters in, the titles aligned at six and a half
# characters, so a long title's next line starts under its first character (GB/T 9704 7.3.5).
ATTACHMENT_INDENT = CHAR * 2
ATTACHMENT_TITLE_AT = CHAR * 13 // 2


def meeting_styles() -> str:
    """The work report's shared styles and the meeting material's own."""
    W = f'xmlns:w="{W_NS}"'
    styles = etree.fromstring(styles_xml().encode())
    ns = {"w": W_NS}
    for style in styles.findall("w:style", ns):
        style_id = style.get(f"{{{W_NS}}}styleId")
        if style_id not in SHARED_STYLES:
            styles.remove(style)
        elif style_id in RENAMED:
            style.find("w:name", ns).set(f"{{{W_NS}}}val", RENAMED[style_id])
    own = [
        paragraph_style(
            "MeetingLabel",
            "会议名称",
            paragraph_properties(jc="left"),
            body_run_properties(HEADING1_FONT),
            next_style="MeetingTitle",
        ),
        paragraph_style(
            "MeetingTitle",
            "会议材料标题",
            # One blank line above; the 汇报单位 line follows directly.
            paragraph_properties(
                jc="center", before=LINE_PITCH, after=pt(8), snap_to_grid=False, line=pt(36)
            ),
            run_properties(TITLE_FONT, SIZE_TITLE),
            next_style="MeetingReporter",
        ),
        paragraph_style(
            "MeetingReporter",
            "汇报单位",
            # One blank line between it and the body.
            paragraph_properties(jc="center", after=LINE_PITCH),
            body_run_properties(HEADING2_FONT),
            next_style="ReportBody",
        ),
        paragraph_style(
            "MeetingClosing",
            "会议材料结束语",
            # 正文下空一行编排附件说明 (GB/T 9704 7.3.5.1).
            paragraph_properties(keep_next=True, first_line_chars=2, jc="both", after=LINE_PITCH),
            body_run_properties(BODY_FONT),
            based_on="ReportBody",
            next_style="AttachmentList",
        ),
        paragraph_style(
            "AttachmentList",
            "附件说明",
            # Kept together: the list never starts on one page and ends on the next.
            "<w:pPr><w:keepNext/><w:keepLines/>"
            f'<w:tabs><w:tab w:val="left" w:pos="{ATTACHMENT_TITLE_AT}"/></w:tabs>'
            f'<w:spacing w:before="0" w:after="0" w:line="{LINE_PITCH}" w:lineRule="exact"/>'
            f'<w:ind w:left="{ATTACHMENT_TITLE_AT}"'
            f' w:hanging="{ATTACHMENT_TITLE_AT - ATTACHMENT_INDENT}"/>'
            '<w:jc w:val="left"/></w:pPr>',
            body_run_properties(BODY_FONT),
        ),
        paragraph_style(
            "AttachmentLabel",
            "附件标签",
            # 附件 and its number at the top left of the attachment, 3号黑体 (GB/T 9704 8).
            paragraph_properties(jc="left", after=pt(6)),
            body_run_properties(HEADING1_FONT),
        ),
        paragraph_style(
            "SectionBreak",
            "分节（请勿删除）",
            paragraph_properties(snap_to_grid=False, line=20),
            run_properties(size=1),
        ),
    ]
    for xml in own:
        styles.append(etree.fromstring(f"<w:root {W}>{xml}</w:root>")[0])
    return etree.tostring(styles, encoding="unicode")


SUMMARY = (
    "办公室根据与{{ region.name }}座谈情况以及{{ region.name }}提出的合作交流意向，收集整理了"
    "{% for item in region.items %}“{{ item.name_in_quotes }}”{% endfor %}"
    "等{{ region.item_count_cn }}大类{{ region.row_count_cn }}个合作事项。"
    "各处室按要求细化工作内容分解成{{ period_years_cn }}年行动计划并报分管领导同意"
    "{% for item in region.excluded_items %}"
    "{% if loop.first %}。此外，{{ region.name }}提出的{% else %}；{% endif %}"
    "“{{ item.name_in_quotes }}”，据{{ item.departments_text }}反馈，{{ item.reason }}，建议不纳入"
    "{% endfor %}"
    "（具体见附件{{ region.attachment }}）。"
)


def add_body(doc) -> None:
    def para(text: str, style: str | None = None) -> None:
        add_paragraph(doc, text, style)

    para(
        "{{ meeting }}{% if material_number %}\u3000会议材料之{{ material_number }}{% endif %}",
        "MeetingLabel",
    )
    para("{{ title }}", "MeetingTitle")
    para("{{ reporter }}", "MeetingReporter")
    para("{%p for paragraph in lead %}")
    para("{{r paragraph }}", "ReportBody")
    para("{%p endfor %}")
    para("{%p for section in sections %}")
    para("{{ section.number }}{{ section.title }}", "ReportHeading1")
    para("{%p for paragraph in section.paragraphs %}")
    para("{{r paragraph }}", "ReportBody")
    para("{%p endfor %}")
    para("{%p endfor %}")
    para("{{ progress_number }}{{ progress_title }}", "ReportHeading1")
    para("{%p for region in regions %}")
    para(
        "（{{ region.number_cn }}）{{ region.name }}{{ domain_short }}部门需要支持的事项",
        "ReportHeading2",
    )
    para("{%p if not region.replaces_summary %}")
    para(SUMMARY, "ReportBody")
    para("{%p endif %}")
    para("{%p for paragraph in region.remarks %}")
    para("{{r paragraph }}", "ReportBody")
    para("{%p endfor %}")
    para("{%p endfor %}")
    para("{{ closing }}", "MeetingClosing")
    para("{%p for attachment in attachments %}")
    # Three ideographic spaces stand where 附件： stands on the first line.
    para(
        "{% if loop.first %}附件：{% else %}\u3000\u3000\u3000{% endif %}"
        "{{ attachment.number }}.\t《{{ attachment.title }}》",
        "AttachmentList",
    )
    para("{%p endfor %}")


def build() -> bytes:
    doc = Document()
    clean_package(doc)
    replace_children(doc.styles.element, meeting_styles())
    # The attachments' tables break lines typed in a cell; as in the table template, such a
    # line is not stretched across the cell.
    replace_children(doc.settings.element, settings_xml("<w:doNotExpandShiftReturn/>"))
    body = doc.element.body
    for paragraph in body.findall(f"{{{W_NS}}}p"):
        body.remove(paragraph)

    section = doc.sections[0]
    set_page(section)
    add_body(doc)
    set_footer(section.footer, page_number_xml("PageNumberOdd"))
    set_footer(section.even_page_footer, page_number_xml("PageNumberEven"))

    return template_bytes(doc, "会议材料模板")


def main(argv: list[str]) -> None:
    write_template(build(), argv, DEFAULT_OUTPUT, PACKAGED)


if __name__ == "__main__":
    main(sys.argv[1:])
