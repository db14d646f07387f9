"""Rendering the 工作专报 and its 拟文稿 form: text, styles, page setup, escaping, broken templates."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from _docx import edited_docx
from lxml import etree

from pipeline.errors import TemplateProblem
from pipeline.model import (
    APPROVAL_STEPS,
    ApprovalEntry,
    ReportEntry,
    ReportSection,
    ReportSettings,
    ReportSubsection,
    WorkReport,
)
from pipeline.numerals import chinese_numeral
from pipeline.render import docx_template
from pipeline.render.line_breaks import display_width
from pipeline.render.report import (
    KNOWN_TAGS,
    REQUIRED_TAGS,
    lead_in_runs,
    render_work_report,
    report_file_name,
)
from pipeline.render.report_keeps import mark_lines

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "work_report.docx"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = f"{{{W_NS}}}"
NS = {"w": W_NS, "r": R_NS}

HOSTILE = "A&B <c> \"q\" 'a' {{ 7*7 }} {% if x %} {%p endfor %} {{r x }} {_{ }_} {_% %_} 😀 𠀀𪚥"


# ------------------------------------------------------------------ building reports


def settings(**changes) -> ReportSettings:
    base = ReportSettings(
        issue_number="95",
        publisher="浦东新区生态环境局（水务局、海洋局、绿化市容局）",
        date=dt.date(2023, 11, 20),
        recipients="芝松、兆亮、桂平同志",
        title="关于扎实推进现代环境治理体系建设情况的报告",
        lead=["今年7月，区政协围绕现代环境治理体系建设开展专题协商。"],
        closing="特此报告。",
        signatory="浦东新区生态环境局",
        contact_person="张晓伟",
        contact_phone="18116080172",
        submitting_department="生态环境督察处",
        submitter="周杰",
        submission_date=dt.date(2023, 11, 3),
        document_number="95",
        form_title="关于扎实推进现代环境治理体系建设情况的汇报",
    )
    return replace(base, **changes)


def sections() -> list[ReportSection]:
    return [
        ReportSection(
            "提炼建言明确分工",
            subsections=[
                ReportSubsection(
                    "提炼委员建言",
                    [ReportEntry(["区政协将专题协商情况提炼为26条委员建言。"])],
                ),
                ReportSubsection(
                    "着力提升基层环境监管能力",
                    [ReportEntry(["区人社局研究确定年度招聘安排。"], "街镇环保人员配备")],
                ),
            ],
        ),
        ReportSection(
            "下一步工作安排",
            [ReportEntry(["一是制定任务清单。二是完善跟踪调度。三是深化改革创新。"])],
        ),
    ]


def approval() -> dict[str, list[ApprovalEntry]]:
    return {
        "事由": [
            ApprovalEntry(
                "事由",
                "根据主要领导批示，形成工作专报。",
                "周杰",
                dt.datetime(2023, 11, 3, 14, 44, 56),
            )
        ],
        "办公室审核意见": [
            ApprovalEntry(
                "办公室审核意见", "已核。", "徐小花", dt.datetime(2023, 11, 3, 16, 1, 14)
            ),
            ApprovalEntry(
                "办公室审核意见",
                "已核。请永良同志审核并签发。",
                "高瑞莲",
                dt.datetime(2023, 11, 6, 18, 22, 54),
            ),
        ],
        "主管领导签发意见": [
            ApprovalEntry(
                "主管领导签发意见", "同意发。", "康永良", dt.datetime(2023, 11, 20, 11, 20, 8)
            )
        ],
    }


def make_report(**changes) -> WorkReport:
    return WorkReport(settings(**changes), sections(), approval())


def render(report: WorkReport, template: Path = TEMPLATE) -> bytes:
    return render_work_report(report, template)


# ------------------------------------------------------------------ reading documents


def xml_part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def part_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.namelist()


def text_of(element: etree._Element) -> str:
    parts = []
    for node in element.iter(f"{W}t", f"{W}tab", f"{W}br"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def paragraphs(data: bytes) -> list[etree._Element]:
    return list(xml_part(data, "word/document.xml").iter(f"{W}p"))


def texts(data: bytes) -> list[str]:
    return [text_of(p) for p in paragraphs(data)]


def paragraph_with(data: bytes, text: str) -> etree._Element:
    found = [p for p in paragraphs(data) if text_of(p) == text]
    assert len(found) == 1, f"{len(found)} paragraphs read {text!r}"
    return found[0]


def style_of(paragraph: etree._Element) -> str | None:
    style = paragraph.find("w:pPr/w:pStyle", NS)
    return None if style is None else style.get(f"{W}val")


class Styles:
    """Resolves a property of a style through its basedOn chain, then the document defaults."""

    def __init__(self, data: bytes) -> None:
        root = xml_part(data, "word/styles.xml")
        self.by_id = {s.get(f"{W}styleId"): s for s in root.iter(f"{W}style")}
        self.defaults = root.find("w:docDefaults", NS)
        self.default_paragraph = next(
            s.get(f"{W}styleId")
            for s in self.by_id.values()
            if s.get(f"{W}type") == "paragraph" and s.get(f"{W}default") == "1"
        )

    def chain(self, style_id: str | None) -> list[etree._Element]:
        chain = []
        current = style_id or self.default_paragraph
        while current:
            style = self.by_id[current]
            chain.append(style)
            based = style.find("w:basedOn", NS)
            current = None if based is None else based.get(f"{W}val")
        return chain

    def find(self, style_id: str | None, path: str, attribute: str) -> str | None:
        for element in [*self.chain(style_id), self.defaults]:
            for node in element.findall(path, NS):
                value = node.get(f"{W}{attribute}")
                if value is not None:
                    return value
        return None

    def fonts(self, style_id: str | None) -> tuple[str | None, ...]:
        return tuple(
            self.find(style_id, ".//w:rPr/w:rFonts", attribute)
            for attribute in ("eastAsia", "ascii", "hAnsi")
        )

    def size_pt(self, style_id: str | None) -> float:
        return int(self.find(style_id, ".//w:rPr/w:sz", "val")) / 2


def run_styles(paragraph: etree._Element) -> list[tuple[str, str | None]]:
    runs = []
    for run in paragraph.iter(f"{W}r"):
        text = text_of(run)
        if not text:
            continue
        style = run.find("w:rPr/w:rStyle", NS)
        runs.append((text, None if style is None else style.get(f"{W}val")))
    return runs


def assert_in_order(haystack: list[str], needles: list[str]) -> None:
    position = 0
    for needle in needles:
        for index in range(position, len(haystack)):
            if needle in haystack[index]:
                position = index + 1
                break
        else:
            raise AssertionError(f"{needle!r} missing or out of order")


# ------------------------------------------------------------------ the template itself


def test_committed_template_is_what_the_tool_generates():
    spec = importlib.util.spec_from_file_location(
        "make_report_template", ROOT / "tools" / "make_report_template.py"
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.build() == TEMPLATE.read_bytes(), "run tools/make_report_template.py"


def test_template_declares_exactly_the_known_tags():
    from docxtpl import DocxTemplate

    from pipeline.render.docx_template import jinja_environment

    used = DocxTemplate(str(TEMPLATE)).get_undeclared_template_variables(jinja_environment())
    assert used == set(KNOWN_TAGS)
    assert set(REQUIRED_TAGS) <= set(KNOWN_TAGS)


@pytest.mark.parametrize("kind", ["report", "table", "meeting"])
def test_packaged_templates_pass_the_tag_check_they_are_spared(kind):
    # `check_tags` trusts a template byte for byte the packaged one: this is why it may.
    from pipeline.render import meeting, report, table

    module = {"report": report, "table": table, "meeting": meeting}[kind]
    name = {"report": "work_report.docx", "table": "project_table.docx"}.get(
        kind, "meeting_material.docx"
    )
    path = docx_template.PACKAGED_TEMPLATES / name
    docx_template.check_tags(path, module.REQUIRED_TAGS, module.KNOWN_TAGS, trust_packaged=False)
    assert (ROOT / "templates" / name).read_bytes() == path.read_bytes()


def test_template_paragraphs_carry_no_direct_run_formatting():
    # Restyling the template means editing styles: runs and paragraphs only name a style.
    document = xml_part(TEMPLATE.read_bytes(), "word/document.xml")
    assert not document.findall(".//w:r/w:rPr", NS)
    for ppr in document.iter(f"{W}pPr"):
        assert {etree.QName(child).localname for child in ppr} <= {"pStyle", "sectPr"}


# ------------------------------------------------------------------ text and order


def test_text_in_reading_order():
    data = render(make_report())
    assert_in_order(
        texts(data),
        [
            "工作专报",
            "第95期",
            "浦东新区生态环境局（水务局、海洋局、绿化市容局）\t2023年11月20日",
            "报：芝松、兆亮、桂平同志。",
            # Longer than a line of 二号: broken after the verb, the shorter line on top.
            "关于扎实推进\n现代环境治理体系建设情况的报告",
            "今年7月，区政协围绕现代环境治理体系建设开展专题协商。",
            "一、提炼建言明确分工",
            "（一）提炼委员建言",
            "区政协将专题协商情况提炼为26条委员建言。",
            "（二）着力提升基层环境监管能力",
            "街镇环保人员配备方面，区人社局研究确定年度招聘安排。",
            "二、下一步工作安排",
            "一是制定任务清单。二是完善跟踪调度。三是深化改革创新。",
            "特此报告。",
            "浦东新区生态环境局",
            "2023年11月20日",
            "（联系人：张晓伟 联系电话：18116080172）",
            "生态环境局工作专报拟文稿",
            "关于扎实推进现代环境治理体系建设情况的汇报",
            "生态环境督察处",
            "周杰",
            "2023-11-03",
        ],
    )
    # No template tag survives rendering.
    assert not any(re.search(r"\{[{%]|[%}]\}", text) for text in texts(data))


def test_recipients_full_stop_is_not_doubled():
    data = render(make_report(recipients="芝松同志。"))
    assert "报：芝松同志。" in texts(data)


@pytest.mark.parametrize(
    ("person", "phone", "expected"),
    [
        ("张晓伟", "18116080172", "（联系人：张晓伟 联系电话：18116080172）"),
        ("张晓伟", None, "（联系人：张晓伟）"),
        (None, "18116080172", "（联系电话：18116080172）"),
        (None, None, None),
        ("", "  ", None),
    ],
)
def test_contact_line_only_with_what_is_given(person, phone, expected):
    data = render(make_report(contact_person=person, contact_phone=phone))
    contact = [t for t in texts(data) if "联系" in t]
    assert contact == ([expected] if expected else [])


def test_line_breaks_become_paragraphs():
    report = make_report(lead=["导语一\n导语二\r\n导语三\x0b导语四", "导语五"])
    report.sections[1].entries = [ReportEntry(["首段\n次段", "末段"], "监管")]
    data = render(report)
    styles = Styles(data)
    for text in [
        "导语一",
        "导语二",
        "导语三",
        "导语四",
        "导语五",
        "监管方面，首段",
        "次段",
        "末段",
    ]:
        paragraph = paragraph_with(data, text)
        assert styles.fonts(style_of(paragraph))[0] == "仿宋_GB2312"
        assert paragraph.find(".//w:br", NS) is None
    assert_in_order(texts(data), ["导语一", "导语二", "导语三", "导语四", "导语五"])
    assert_in_order(texts(data), ["监管方面，首段", "次段", "末段"])


def test_numbering_past_ten():
    report = make_report()
    report.sections = [ReportSection(f"标题{i}", [ReportEntry([f"正文{i}"])]) for i in range(1, 13)]
    report.sections[11].subsections = [
        ReportSubsection(f"小标题{j}", [ReportEntry([f"小正文{j}"])]) for j in range(1, 13)
    ]
    all_text = texts(render(report))
    for number, i in [("一", 1), ("九", 9), ("十", 10), ("十一", 11), ("十二", 12)]:
        assert f"{number}、标题{i}" in all_text
        assert f"（{number}）小标题{i}" in all_text
    assert_in_order(all_text, ["十、标题10", "十一、标题11", "十二、标题12", "（十二）小标题12"])


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (999, "九百九十九"),
    ],
)
def test_chinese_number(number, text):
    assert chinese_numeral(number) == text


# ------------------------------------------------------------------ bold lead-ins


def test_bold_lead_ins_open_sentences_only():
    text = "一是甲；统一是乙。二是丙！十是丁：十一是戊。三是否可行"
    assert lead_in_runs(text) == [
        ("一是", "LeadIn"),
        ("甲；统一是乙。", None),
        ("二是", "LeadIn"),
        ("丙！", None),
        ("十是", "LeadIn"),
        ("丁：", None),
        ("十一是", "LeadIn"),
        ("戊。三是否可行", None),
    ]


def test_bold_lead_ins_are_runs_in_a_bold_character_style():
    data = render(make_report())
    paragraph = paragraph_with(data, "一是制定任务清单。二是完善跟踪调度。三是深化改革创新。")
    runs = run_styles(paragraph)
    assert [text for text, style in runs if style] == ["一是", "二是", "三是"]
    assert "".join(text for text, _ in runs) == text_of(paragraph)
    style_ids = {style for _, style in runs if style}
    styles = xml_part(data, "word/styles.xml")
    for style_id in style_ids:
        style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        assert style.get(f"{W}type") == "character"
        assert style.find("w:rPr/w:b", NS) is not None
    # Runs carry no other formatting: the look comes from the template's styles.
    for run in paragraph.iter(f"{W}r"):
        rpr = run.find("w:rPr", NS)
        assert rpr is None or [etree.QName(c).localname for c in rpr] == ["rStyle"]


# ------------------------------------------------------------------ styles and fonts


@pytest.mark.parametrize(
    ("text", "font", "size"),
    [
        ("关于扎实推进\n现代环境治理体系建设情况的报告", "方正小标宋简体", 22),
        ("工作专报", "方正小标宋简体", None),
        ("今年7月，区政协围绕现代环境治理体系建设开展专题协商。", "仿宋_GB2312", 16),
        ("区政协将专题协商情况提炼为26条委员建言。", "仿宋_GB2312", 16),
        ("一、提炼建言明确分工", "黑体", 16),
        ("（一）提炼委员建言", "楷体_GB2312", 16),
        ("特此报告。", "仿宋_GB2312", 16),
        ("浦东新区生态环境局", "仿宋_GB2312", 16),
        ("（联系人：张晓伟 联系电话：18116080172）", "仿宋_GB2312", 16),
        ("生态环境局工作专报拟文稿", "方正小标宋简体", 22),
    ],
)
def test_paragraph_fonts_resolve_from_styles(text, font, size):
    data = render(make_report())
    styles = Styles(data)
    style_id = style_of(paragraph_with(data, text))
    assert style_id is not None, "every paragraph names a style"
    assert styles.fonts(style_id) == (font, font, font)
    if size is not None:
        assert styles.size_pt(style_id) == size


def test_every_rendered_paragraph_of_a_kind_shares_its_style():
    report = make_report()
    data = render(report)
    styles = Styles(data)
    kinds = {
        "heading1": [
            p for p in paragraphs(data) if re.match(r"^[一二三四五六七八九十]+、", text_of(p))
        ],
        "heading2": [
            p for p in paragraphs(data) if re.match(r"^（[一二三四五六七八九十]+）", text_of(p))
        ],
    }
    expected = {"heading1": "黑体", "heading2": "楷体_GB2312"}
    for kind, found in kinds.items():
        assert found
        for paragraph in found:
            assert styles.fonts(style_of(paragraph))[0] == expected[kind]
    body_texts = [
        *report.settings.lead,
        "区政协将专题协商情况提炼为26条委员建言。",
        "街镇环保人员配备方面，区人社局研究确定年度招聘安排。",
        "一是制定任务清单。二是完善跟踪调度。三是深化改革创新。",
    ]
    for text in body_texts:
        style_id = style_of(paragraph_with(data, text))
        assert styles.fonts(style_id)[0] == "仿宋_GB2312"
        assert styles.find(style_id, "w:pPr/w:ind", "firstLineChars") == "200"
        assert styles.find(style_id, "w:pPr/w:jc", "val") == "both"
        assert styles.find(style_id, "w:pPr/w:spacing", "line") == "579"
        assert styles.find(style_id, "w:pPr/w:spacing", "lineRule") == "exact"


def test_masthead_is_red_and_centred_and_the_rule_is_red():
    data = render(make_report())
    styles = Styles(data)
    masthead = style_of(paragraph_with(data, "工作专报"))
    assert styles.find(masthead, "w:rPr/w:color", "val").upper() == "FF0000"
    assert styles.find(masthead, "w:pPr/w:jc", "val") == "center"
    assert styles.size_pt(masthead) > 22
    all_paragraphs = paragraphs(data)
    publisher_text = "浦东新区生态环境局（水务局、海洋局、绿化市容局）\t2023年11月20日"
    index = [text_of(p) for p in all_paragraphs].index(publisher_text)
    publisher = all_paragraphs[index]
    rule = all_paragraphs[index + 1]
    assert text_of(rule) == ""
    assert styles.find(style_of(rule), "w:pPr/w:pBdr/w:bottom", "color").upper() == "FF0000"
    # The date sits on a right tab at the edge of the 版心.
    tab = styles.find(style_of(publisher), "w:pPr/w:tabs/w:tab", "pos")
    assert styles.find(style_of(publisher), "w:pPr/w:tabs/w:tab", "val") == "right"
    section = xml_part(data, "word/document.xml").find(".//w:sectPr", NS)
    width = int(section.find("w:pgSz", NS).get(f"{W}w"))
    margins = section.find("w:pgMar", NS)
    assert int(tab) == width - int(margins.get(f"{W}left")) - int(margins.get(f"{W}right"))


def test_signature_lines_are_right_aligned():
    data = render(make_report())
    styles = Styles(data)
    for text in ["浦东新区生态环境局", "2023年11月20日"]:
        assert styles.find(style_of(paragraph_with(data, text)), "w:pPr/w:jc", "val") == "right"


# ------------------------------------------------------------------ page setup


def twips(millimetres: float) -> int:
    return round(millimetres * 1440 / 25.4)


def section_properties(data: bytes) -> list[etree._Element]:
    return list(xml_part(data, "word/document.xml").iter(f"{W}sectPr"))


def test_page_size_margins_and_grid():
    sections_ = section_properties(render(make_report()))
    assert len(sections_) == 2  # the report, then the form
    for section, grid_type in zip(sections_, ("snapToChars", "lines"), strict=True):
        size = section.find("w:pgSz", NS)
        assert (int(size.get(f"{W}w")), int(size.get(f"{W}h"))) == (twips(210), twips(297))
        assert size.get(f"{W}orient") in (None, "portrait")
        margins = section.find("w:pgMar", NS)
        for side, millimetres in [("top", 37), ("bottom", 35), ("left", 28), ("right", 26)]:
            assert int(margins.get(f"{W}{side}")) == twips(millimetres), side
        # 22 lines a page; the report's 三号 body also on a grid of 28 characters a line.
        grid = section.find("w:docGrid", NS)
        assert grid.get(f"{W}type") == grid_type
        assert grid.get(f"{W}linePitch") == "579"


def footer_part(data: bytes, section: etree._Element, kind: str) -> etree._Element:
    reference = section.find(f"w:footerReference[@w:type='{kind}']", NS)
    assert reference is not None, f"no {kind} footer"
    rels = xml_part(data, "word/_rels/document.xml.rels")
    target = next(
        rel.get("Target") for rel in rels if rel.get("Id") == reference.get(f"{{{R_NS}}}id")
    )
    return xml_part(data, f"word/{target}")


def has_page_field(footer: etree._Element) -> bool:
    instructions = "".join(node.text or "" for node in footer.iter(f"{W}instrText"))
    simple = [node.get(f"{W}instr", "") for node in footer.iter(f"{W}fldSimple")]
    return "PAGE" in instructions.split() or any("PAGE" in s.split() for s in simple)


def test_page_numbers_in_odd_and_even_footers():
    data = render(make_report())
    settings_xml = xml_part(data, "word/settings.xml")
    on = settings_xml.find("w:evenAndOddHeaders", NS)
    assert on is not None and on.get(f"{W}val") in (None, "1", "true", "on")
    styles = Styles(data)
    report_section, form_section = section_properties(data)
    alignments = {}
    for kind in ("default", "even"):
        footer = footer_part(data, report_section, kind)
        assert has_page_field(footer)
        paragraph = footer.find(".//w:p", NS)
        assert text_of(paragraph).startswith("— ") and text_of(paragraph).endswith(" —")
        style_id = style_of(paragraph)
        assert styles.fonts(style_id)[0] == "宋体"
        assert styles.size_pt(style_id) == 14
        alignments[kind] = styles.find(style_id, "w:pPr/w:jc", "val")
    assert alignments == {"default": "right", "even": "left"}
    # The form is not part of the numbered report: its own footers, without a number.
    for kind in ("default", "even"):
        assert not has_page_field(footer_part(data, form_section, kind))


def test_form_starts_on_a_new_page_after_the_report():
    data = render(make_report())
    body = xml_part(data, "word/document.xml").find("w:body", NS)
    blocks = list(body)
    break_index = next(
        i for i, block in enumerate(blocks) if block.find("w:pPr/w:sectPr", NS) is not None
    )
    before = " ".join(text_of(block) for block in blocks[:break_index])
    after = [text_of(block) for block in blocks[break_index + 1 :]]
    assert "（联系人：张晓伟 联系电话：18116080172）" in before
    assert after[0] == "生态环境局工作专报拟文稿"
    assert blocks[break_index + 2].tag == f"{W}tbl"
    start = body.find("w:sectPr/w:type", NS)
    assert start is None or start.get(f"{W}val") == "nextPage"  # absent means nextPage


# ------------------------------------------------------------------ keeping lines together


def last_body_paragraph(data: bytes) -> etree._Element:
    paragraphs = xml_part(data, "word/document.xml").findall("w:body/w:p", NS)
    styles = [p.find("w:pPr/w:pStyle", NS).get(f"{W}val") for p in paragraphs]
    return paragraphs[styles.index("ReportClosing") - 1]


def test_a_short_last_paragraph_is_kept_with_the_closing():
    # Two lines: moved whole with the 结束语 when they do not fit together.
    props = last_body_paragraph(render(make_report())).find("w:pPr", NS)
    assert [etree.QName(child).localname for child in props] == [
        "pStyle",
        "keepNext",
        "widowControl",  # it follows its heading, too
    ]


def test_a_long_last_paragraph_may_split_with_two_lines_going_along():
    report = make_report()
    entry = ReportEntry(["持续深化生态环境领域改革创新，打好创新牌，加快推进治理能力现代化。" * 3])
    report.sections[-1] = ReportSection("下一步工作安排", [entry])
    props = last_body_paragraph(render(report)).find("w:pPr", NS)
    assert [etree.QName(child).localname for child in props] == ["pStyle", "widowControl"]


# ------------------------------------------------------------------ the approval form


def form_table(data: bytes) -> list[list[str]]:
    table = xml_part(data, "word/document.xml").find(".//w:tbl", NS)
    return [
        [text_of_cell(cell) for cell in row.findall("w:tc", NS)]
        for row in table.findall("w:tr", NS)
    ]


def text_of_cell(cell: etree._Element) -> str:
    return "\n".join(text_of(p) for p in cell.findall("w:p", NS))


def test_form_layout_and_entries():
    rows = form_table(render(make_report()))
    assert rows == [
        ["标 题", "关于扎实推进现代环境治理体系建设情况的汇报"],
        ["专报部门", "生态环境督察处", "专 报 人", "周杰"],
        ["专报日期", "2023-11-03", "文 号", "95"],
        ["事 由", "根据主要领导批示，形成工作专报。{周杰[2023/11/3 14:44:56]}"],
        # A mark wider than its cell breaks between the name and the time, nowhere else.
        ["主管领导签发意见", "同意发。{康永良\n[2023/11/20 11:20:08]}", "分管领导会签意见", ""],
        [
            "办公室审核意见",
            "已核。{徐小花\n[2023/11/3 16:01:14]}"
            "\n已核。请永良同志审核并签发。{高瑞莲\n[2023/11/6 18:22:54]}",
            "会签部门意见",
            "",
        ],
        ["专报部门意见", ""],
        ["备 注", ""],
    ]


def test_a_long_department_name_breaks_between_words_in_its_cell():
    # As the seed: 浦东生态环境局机关-生态环境督察处, which a renderer would cut 生态环 / 境.
    name = "浦东生态环境局机关-生态环境督察处"
    rows = form_table(render(make_report(submitting_department=name)))
    assert rows[1][1] == "浦东生态环境局机关-\n生态环境督察处"
    short = form_table(render(make_report(submitting_department="生态环境督察处")))
    assert short[1][1] == "生态环境督察处"


def test_a_signers_name_is_not_cut_at_the_end_of_a_line():
    # As the seed's 办公室审核意见: the line would end inside 高瑞莲; the name goes down whole,
    # and the time, which the cell cannot hold beside it, on the line after.
    entry = ApprovalEntry(
        "办公室审核意见",
        "已核。请沈敏同志审核，请永良同志审核并签发。",
        "高瑞莲",
        dt.datetime(2023, 11, 6, 18, 22, 54),
    )
    rows = form_table(render(WorkReport(settings(), sections(), {"办公室审核意见": [entry]})))
    assert rows[5][1] == (
        "已核。请沈敏同志审核，请永良同志审核并签发。\n{高瑞莲\n[2023/11/6 18:22:54]}"
    )
    # In the wide 事由 cell the whole mark fits where it is: left to the renderer.
    reason = replace(entry, step="事由", opinion="已核。")
    rows = form_table(render(WorkReport(settings(), sections(), {"事由": [reason]})))
    assert rows[3][1] == "已核。{高瑞莲[2023/11/6 18:22:54]}"


MARK = "{徐小花[2023/11/3 16:01:14]}"  # 3 + 22 × 0.55 = 15.1 em wide


@pytest.mark.parametrize(
    ("text", "per_line", "lines"),
    [
        ("已核。" + MARK, 30, None),  # fits where it is
        ("已核。请办公室审核。" + MARK, 20, ["已核。请办公室审核。", MARK]),  # fits a line
        ("已核。" + MARK, 12, ["已核。{徐小花", "[2023/11/3 16:01:14]}"]),  # wider than a line
        (
            "已核。请办公室审核。" + MARK,
            12,
            ["已核。请办公室审核。", "{徐小花", "[2023/11/3 16:01:14]}"],
        ),
        (MARK, 12, ["{徐小花", "[2023/11/3 16:01:14]}"]),
        (MARK, 16, None),
        ("已核。请办公室审核。{徐小花}", 12, ["已核。请办公室审核。", "{徐小花}"]),  # no time
    ],
)
def test_a_signature_mark_breaks_only_between_name_and_time(text, per_line, lines):
    assert mark_lines(text, text[text.index("{") :], "徐小花", per_line) == lines
    if lines is not None:
        assert "".join(lines) == text  # text as typed: only line breaks are added
        assert all(display_width(line) <= per_line for line in lines[1:]), lines


def test_form_cells_stay_when_nobody_has_signed():
    data = render(WorkReport(settings(), sections(), {}))
    table = xml_part(data, "word/document.xml").find(".//w:tbl", NS)
    rows = table.findall("w:tr", NS)
    for row in rows:
        cells = row.findall("w:tc", NS)
        assert len(cells) in (2, 4)
        if len(cells) == 2:  # the value spans the three other columns
            span = cells[1].find("w:tcPr/w:gridSpan", NS)
            assert span is not None and span.get(f"{W}val") == "3"
        for cell in cells:
            assert cell.findall("w:p", NS), "a cell without a paragraph is invalid"
    opinion_rows = rows[3:]
    for row in opinion_rows:
        height = row.find("w:trPr/w:trHeight", NS)
        assert height.get(f"{W}hRule") == "atLeast"
        assert int(height.get(f"{W}val")) >= twips(15)  # room to sign
        values = row.findall("w:tc", NS)[1::2]
        assert all(text_of_cell(cell) == "" for cell in values)
    # Borders come from the form's table style.
    style_id = table.find("w:tblPr/w:tblStyle", NS).get(f"{W}val")
    style = xml_part(data, "word/styles.xml").find(f"w:style[@w:styleId='{style_id}']", NS)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        assert style.find(f"w:tblPr/w:tblBorders/w:{side}", NS).get(f"{W}val") == "single"


def test_approval_entry_without_signer_or_time():
    report = make_report()
    report.approval = {"备注": [ApprovalEntry("备注", "请阅", None, None)]}
    assert form_table(render(report))[7] == ["备 注", "请阅"]


def test_unknown_approval_step_is_refused():
    report = make_report()
    report.approval = {"领导批示": [ApprovalEntry("领导批示", "同意")]}
    with pytest.raises(ValueError, match="领导批示"):
        render(report)


# ------------------------------------------------------------------ escaping


def hostile_report() -> WorkReport:
    def value(label: str) -> str:
        return f"{label}{HOSTILE}"

    report_settings = settings(
        issue_number=value("期"),
        publisher=value("编发"),
        recipients=value("报送"),
        title=value("标题"),
        lead=[value("导语")],
        closing=value("结束"),
        signatory=value("落款"),
        contact_person=value("联系人"),
        contact_phone=value("电话"),
        submitting_department=value("部门"),
        submitter=value("专报人"),
        document_number=value("文号"),
        form_title=value("拟文稿"),
    )
    body = [
        ReportSection(
            value("一级"),
            [ReportEntry([value("直属")], value("事项"))],
            [ReportSubsection(value("二级"), [ReportEntry([value("内容"), value("续段")])])],
        )
    ]
    steps = {
        step: [
            ApprovalEntry(
                step, value(f"{step}意见"), value("签署"), dt.datetime(2023, 11, 3, 9, 5, 7)
            )
        ]
        for step in APPROVAL_STEPS
    }
    return WorkReport(report_settings, body, steps)


def test_hostile_text_appears_exactly_as_typed_in_every_field():
    report = hostile_report()
    data = render(report)
    # The titles are broken into lines: read them as one text.
    all_text = [text.replace("\n", "") for text in texts(data)]
    s = report.settings
    expected = [
        f"第{s.issue_number}期",
        f"{s.publisher}\t2023年11月20日",
        f"报：{s.recipients}。",
        s.title,
        s.lead[0],
        f"一、{report.sections[0].title}",
        f"{report.sections[0].entries[0].lead_in}方面，{report.sections[0].entries[0].paragraphs[0]}",
        f"（一）{report.sections[0].subsections[0].title}",
        *report.sections[0].subsections[0].entries[0].paragraphs,
        s.closing,
        s.signatory,
        f"（联系人：{s.contact_person} 联系电话：{s.contact_phone}）",
        s.form_title,
        s.submitting_department,
        s.submitter,
        s.document_number,
        *(entries[0].text for entries in report.approval.values()),
    ]
    for text in expected:
        assert text in all_text, text
    assert "49" not in "".join(all_text)
    core = xml_part(data, "docProps/core.xml")
    assert core.find("{http://purl.org/dc/elements/1.1/}title").text == s.title
    assert report_file_name(report).endswith(".docx")
    assert "/" not in report_file_name(report) and "<" not in report_file_name(report)


@pytest.mark.parametrize(
    "value", [HOSTILE, "普通文字", "a{b}c", "", "line\nbreak", "'", 2023, None, 1.5]
)
def test_every_value_goes_out_as_literal_writes_it(value):
    """Plain texts skip `literal` on their way out; what comes out is the same."""
    environment = docx_template.jinja_environment()
    assert environment.from_string("{{ value }}").render(value=value) == str(
        docx_template.literal(value)
    )


def test_file_name():
    assert report_file_name(make_report()) == "工作专报（第95期）.docx"
    name = report_file_name(make_report(issue_number="9/5:?"))
    assert name.endswith(".docx") and not set(name) & set('\\/:*?"<>|')


# ------------------------------------------------------------------ reproducibility


def test_two_renders_are_byte_identical():
    first = render(make_report())
    second = render(make_report())
    assert first == second
    assert "docProps/thumbnail.jpeg" not in part_names(first)
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_render_depends_on_the_inputs():
    assert render(make_report()) != render(make_report(issue_number="96"))


# ------------------------------------------------------------------ broken templates


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    def edit(xml: str) -> str:
        assert old in xml
        return xml.replace(old, new, 1)

    return edited_docx(TEMPLATE, tmp_path / "工作专报模板.docx", edit, must_change=False)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("{{ title }}", "{{ titel }}", "titel"),
        ("{{ signatory }}", "", "signatory"),
        ("{%p endfor %}", "", None),
        ("{{ title }}", "{{ title }}{{ ''.__class__.__mro__ }}", None),
    ],
    ids=["misspelt-tag", "missing-tag", "unclosed-for", "sandbox-escape"],
)
def test_broken_template_raises_template_problem(tmp_path, old, new, named):
    template = broken_copy(tmp_path, old, new)
    with pytest.raises(TemplateProblem) as caught:
        render(make_report(), template)
    assert caught.value.template == str(template)
    assert str(template) in str(caught.value)
    if named:
        assert named in str(caught.value)


def test_missing_template_raises_template_problem(tmp_path):
    missing = tmp_path / "没有.docx"
    with pytest.raises(TemplateProblem) as caught:
        render(make_report(), missing)
    assert str(missing) in str(caught.value)


def test_broken_copy_helper_keeps_a_working_template(tmp_path):
    # The helper itself must not break the file: an unchanged copy renders.
    template = broken_copy(tmp_path, "{{ title }}", "{{ title }}")
    assert render(make_report(), template) == render(make_report())


# ------------------------------------------------------------------ real LibreOffice


def long_report() -> WorkReport:
    sentence = "区生态环境局会同相关部门认真研究，积极行动，进一步扎实推进现代环境治理体系建设。"
    body = [
        ReportSection(
            f"第{i}项重点工作",
            subsections=[
                ReportSubsection(
                    f"着力推进第{i}方面工作",
                    [ReportEntry([sentence * 6, sentence * 4], "监管能力")],
                )
                for _ in range(2)
            ],
        )
        for i in range(1, 5)
    ]
    body.append(ReportSection("下一步工作安排", [ReportEntry(["一是完善制度。二是强化落实。"])]))
    return WorkReport(settings(title="关于A&B <c> {{ 7*7 }}的报告"), body, approval())


@pytest.mark.libreoffice
def test_libreoffice_prints_report_and_form(tmp_path, libreoffice):
    report = long_report()
    document = tmp_path / report_file_name(report)
    document.write_bytes(render(report))
    pdf = libreoffice.to_pdf(document)

    pages = [re.sub(r"\s+", "", page) for page in libreoffice.page_texts(pdf)]
    assert libreoffice.page_count(pdf) == len(pages)
    assert len(pages) >= 3, "a multi-page report followed by the form"

    *report_pages, form_page = pages
    assert report_pages[0].startswith("工作专报第95期")
    assert "关于A&B<c>{{7*7}}的报告" in report_pages[0]
    # Every report page carries its number; odd and even footers both print.
    for number, page in enumerate(report_pages, start=1):
        assert re.findall(r"—(\d+)—", page) == [str(number)], page[-40:]
    whole = "".join(report_pages)
    order = [
        "工作专报",
        "一、第1项重点工作",
        "（二）着力推进第4方面工作",
        "五、下一步工作安排",
        "特此报告。",
        "浦东新区生态环境局2023年11月20日",
        "（联系人：张晓伟联系电话：18116080172）",
    ]
    positions = [whole.find(text) for text in order]
    assert -1 not in positions and positions == sorted(positions), list(
        zip(order, positions, strict=True)
    )

    # The form is on its own page, unnumbered.
    assert form_page.startswith("生态环境局工作专报拟文稿")
    assert not re.search(r"—\d+—", form_page)
    for text in [
        "标题",
        "专报部门",
        "专报人",
        "专报日期",
        "文号",
        "事由",
        "备注",
        # Two-line labels come out interleaved with the next cell: check each line.
        "主管领导",
        "签发意见",
        "分管领导",
        "会签意见",
        "办公室审",
        "会签部门",
        "专报部门意见",
        "同意发。{康永良[2023/11/2011:20:08]}",
    ]:
        assert text in form_page, text
