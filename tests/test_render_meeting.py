"""Render stage, meeting material: the summary from the data, the title, and the attachments."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from _docx import edited_docx
from _workbooks import (
    TABLE_SETTINGS,
    cooperation_row,
    cooperation_workbook,
    office_workbook,
)
from docx.oxml.ns import qn
from lxml import etree

from pipeline.api import build, check
from pipeline.errors import InputProblems, TemplateProblem
from pipeline.model import (
    CooperationItem,
    CooperationRow,
    MeetingMaterial,
    MeetingSection,
    MeetingSettings,
    RegionSummary,
    RegionTable,
    Source,
    TableSettings,
)
from pipeline.render import MEETING_TEMPLATE, render_documents, templates_needed
from pipeline.render.meeting import (
    meeting_context,
    meeting_file_name,
    quoted,
    reason,
    render_meeting_material,
)
from pipeline.render.table import render_region_table
from pipeline.render.titles import title_lines

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
TEMPLATE = TEMPLATES / MEETING_TEMPLATE
TABLE_TEMPLATE = TEMPLATES / "project_table.docx"
GENERATOR = ROOT / "tools" / "make_meeting_template.py"
WHEN = dt.date(2023, 11, 20)
SETTINGS = TableSettings("浦东新区生态环境局", "生态环境领域", 2023, 2025)


def row(department: str, *, included: bool = True, explanation: str = "") -> CooperationRow:
    return CooperationRow(
        "内容",
        lead_leader="沈敏" if included else "",
        lead_department=department if included else "",
        included=included,
        explanation=explanation,
        source=Source(f"{department}.xlsx", "合作交流项目", 2),
    )


def region(name: str, items: list[CooperationItem]) -> RegionTable:
    return RegionTable(name, SETTINGS.title(name), SETTINGS.years, items)


def meeting(*summaries: RegionSummary, number: str | None = "6") -> MeetingMaterial:
    settings = MeetingSettings(
        meeting="第21次局长办公会",
        number=number,
        title="浦东新区生态环境局与永安市、大田县生态环境领域合作交流项目制定情况的汇报",
        reporter="办公室（政策法规处）",
        lead=["导语第一段。", "导语第二段。"],
        progress_title="工作推进情况",
        closing="以上汇报，请予审议。",
    )
    return MeetingMaterial(
        settings, SETTINGS, [MeetingSection("项目情况", ["正文一。", "正文二。"])], list(summaries)
    )


DATIAN = region(
    "大田县",
    [
        CooperationItem(1, "水环境保护", [row("水利处")]),
        CooperationItem(2, "污水垃圾处理", [row("废管中心"), row("供排水处")]),
        CooperationItem(
            3, "EOD项目", [row("环保处", included=False, explanation="环保处反馈:浦东未开展。")]
        ),
        CooperationItem(
            4,
            '"双碳"方案',
            [row("环保处", included=False, explanation="暂无计划；\n督察处反馈:尚未开始。")],
        ),
    ],
)
YONGAN = region("永安市", [CooperationItem(1, "加强生态环境保护", [row("环保处")])])


def render(material: MeetingMaterial, template: Path = TEMPLATE) -> bytes:
    tables = [
        render_region_table(s.table, TABLE_TEMPLATE, author="办公室", when=WHEN)
        for s in material.regions
    ]
    return render_meeting_material(material, template, tables, TABLE_TEMPLATE, when=WHEN)


def paragraphs(data: bytes) -> list[str]:
    body = docx.Document(io.BytesIO(data)).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def two_regions() -> MeetingMaterial:
    return meeting(RegionSummary(YONGAN, 1), RegionSummary(DATIAN, 2, ["大田县的说明。"]))


# ------------------------------------------------------------------ the summary


def test_summary_is_written_from_the_data() -> None:
    texts = paragraphs(render(two_regions()))
    summary = next(t for t in texts if t.startswith("办公室根据与大田县"))
    assert "收集整理了“水环境保护”“污水垃圾处理”“EOD项目”“‘双碳’方案”" in summary
    assert "等四大类五个合作事项" in summary
    assert "分解成三年行动计划" in summary
    assert "此外，大田县提出的“EOD项目”，据环保处反馈，浦东未开展，建议不纳入；" in summary
    assert "“‘双碳’方案”，据环保处反馈，暂无计划；督察处反馈:尚未开始，建议不纳入" in summary
    assert summary.endswith("建议不纳入（具体见附件2）。")
    # the office's own paragraph follows the summary
    assert texts[texts.index(summary) + 1] == "大田县的说明。"
    # a region with nothing excluded: no 此外 sentence
    yongan = next(t for t in texts if t.startswith("办公室根据与永安市"))
    assert yongan.endswith(
        "等一大类一个合作事项。各处室按要求细化工作内容分解成三年行动计划"
        "并报分管领导同意（具体见附件1）。"
    )


def test_office_paragraphs_may_replace_the_summary() -> None:
    material = meeting(RegionSummary(DATIAN, 1, ["办公室自己的段落。"], replaces_summary=True))
    texts = paragraphs(render(material))
    assert not any(t.startswith("办公室根据与大田县") for t in texts)
    heading = texts.index("（一）大田县生态环境部门需要支持的事项")
    assert texts[heading + 1] == "办公室自己的段落。"


def test_document_order_and_numbering() -> None:
    texts = [t for t in paragraphs(render(two_regions())) if t]
    assert texts[:4] == [
        "第21次局长办公会\u3000会议材料之6",
        "浦东新区生态环境局与永安市、大田县\n生态环境领域合作交流项目制定情况的汇报".replace(
            "\n", ""
        ),
        "办公室（政策法规处）",
        "导语第一段。",
    ]
    for earlier, later in [
        ("导语第二段。", "一、项目情况"),
        ("一、项目情况", "正文二。"),
        ("正文二。", "二、工作推进情况"),
        ("二、工作推进情况", "（一）永安市生态环境部门需要支持的事项"),
        ("（一）永安市生态环境部门需要支持的事项", "（二）大田县生态环境部门需要支持的事项"),
        ("大田县的说明。", "以上汇报，请予审议。"),
        ("以上汇报，请予审议。", "附件1"),
        ("附件1", "附件2"),
    ]:
        assert texts.index(earlier) < texts.index(later), (earlier, later)
    listing = [t for t in texts if "《" in t and t.endswith("》") and "." in t]
    assert listing == [
        f"附件：1.《{YONGAN.title}》",
        f"\u3000\u3000\u30002.《{DATIAN.title}》",
    ]


def test_headings_keep_two_lines_of_their_text() -> None:
    body = docx.Document(io.BytesIO(render(two_regions()))).element.body
    found = 0
    children = list(body.iterchildren(qn("w:p")))
    for heading, after in zip(children, children[1:], strict=False):
        style = heading.find("w:pPr/w:pStyle", heading.nsmap)
        if style is None or not style.get(qn("w:val")).startswith("ReportHeading"):
            continue
        following = after.find("w:pPr/w:pStyle", after.nsmap).get(qn("w:val"))
        widows = after.find("w:pPr/w:widowControl", after.nsmap)
        assert (widows is not None) == (following == "ReportBody"), following
        found += following == "ReportBody"
    assert found  # the example has headings with text under them


def test_title_breaks_between_words_in_the_document() -> None:
    body = docx.Document(io.BytesIO(render(two_regions()))).element.body
    title = next(
        p
        for p in body.iter(qn("w:p"))
        if "制定情况" in "".join(t.text or "" for t in p.iter(qn("w:t")))
    )
    lines = "".join(
        "\n" if child.tag == qn("w:br") else child.text or ""
        for child in title.iter(qn("w:t"), qn("w:br"))
    ).split("\n")
    assert lines == ["浦东新区生态环境局与永安市、大田县", "生态环境领域合作交流项目制定情况的汇报"]


def test_values_appear_exactly_as_typed() -> None:
    odd = "A&B <c> {{ x }} {% if %} 😀 𠀀"
    table = region(odd, [CooperationItem(1, odd, [row("环保处", included=False, explanation=odd)])])
    material = meeting(RegionSummary(table, 1, [odd + "\n第二段"]))
    texts = paragraphs(render(material))
    whole = "".join(texts)
    assert f"据环保处反馈，{odd}，建议不纳入" in whole
    assert f"{odd}生态环境部门需要支持的事项" in whole
    assert odd in texts and "第二段" in texts


def test_file_name() -> None:
    assert meeting_file_name(two_regions()) == "会议材料之6_合作交流项目汇报.docx"
    assert meeting_file_name(meeting(number=None)) == "会议材料_合作交流项目汇报.docx"


def test_context_fields_for_the_template() -> None:
    context = meeting_context(two_regions())
    datian = context["regions"][1]
    assert (datian.number_cn, datian.attachment, datian.item_count, datian.row_count) == (
        "二",
        2,
        4,
        5,
    )
    assert (datian.excluded_item_count_cn, datian.included_row_count_cn) == ("二", "三")
    second = datian.items[1]
    assert second.departments == ("废管中心", "供排水处") and second.row_count_cn == "二"
    assert context["domain_short"] == "生态环境" and context["period_years_cn"] == "三"
    assert context["progress_number"] == "二、"
    assert [a.number for a in context["attachments"]] == [1, 2]


# ------------------------------------------------------------------ helpers


def test_quoted_names_nest_single_quotes() -> None:
    assert quoted('"双碳"方案') == "‘双碳’方案"
    assert quoted("“无废城市”创建") == "‘无废城市’创建"
    assert quoted("EOD项目") == "EOD项目"


def test_reason_drops_the_department_that_the_sentence_names() -> None:
    assert reason("环保处反馈:EOD项目浦东暂未开展过。", ["环保处"]) == "EOD项目浦东暂未开展过"
    assert reason("绿林处反馈：另有安排；", ["环保处"]) == "绿林处反馈：另有安排"
    assert reason("第一行\n第二行。", ["环保处"]) == "第一行第二行"


@pytest.mark.parametrize(
    ("title", "room", "expected"),
    [
        ("关于合作交流项目的汇报", 20, "关于合作交流项目的汇报"),
        (
            "关于坚决落实领导批示精神，扎实推进浦东新区现代环境治理体系建设情况的报告",
            20,
            "关于坚决落实领导批示精神，扎实推进\n浦东新区现代环境治理体系建设情况的报告",
        ),
        ("第一行\n第二行", 20, "第一行\n第二行"),
        # a line break typed in the title is kept, and a long typed line is broken too
        (
            "会议材料\n关于合作交流项目制定情况的汇报",
            8,
            "会议材料\n关于合作\n交流项目制定\n情况的汇报",  # a diamond: no line longer below
        ),
    ],
)
def test_title_lines(title: str, room: float, expected: str) -> None:
    """The meeting material's title is broken by the rule every title follows (`titles`)."""
    assert "\n".join(title_lines(title, room)) == expected


# ------------------------------------------------------------------ attachments


def test_attachments_are_the_table_files_in_landscape_sections() -> None:
    material = two_regions()
    tables = [
        render_region_table(s.table, TABLE_TEMPLATE, author="办公室", when=WHEN)
        for s in material.regions
    ]
    data = render_meeting_material(material, TEMPLATE, tables, TABLE_TEMPLATE, when=WHEN)
    body = docx.Document(io.BytesIO(data)).element.body
    sections = [p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") for p in body.iter(qn("w:p"))]
    sections = [s for s in sections if s is not None] + [body.find(qn("w:sectPr"))]
    orient = [s.find(qn("w:pgSz")).get(qn("w:orient")) for s in sections]
    assert orient == [None, "landscape", "landscape"]
    # the attachments continue the meeting material's page numbers: no footers of their own
    for section in sections[1:]:
        assert section.find(qn("w:footerReference")) is None
    assert sections[0].find(qn("w:footerReference")) is not None
    for tbl, table_data in zip(body.findall(qn("w:tbl")), tables, strict=True):
        own = docx.Document(io.BytesIO(table_data)).element.body.find(qn("w:tbl"))
        assert etree.tostring(tbl, method="c14n") == etree.tostring(own, method="c14n")
    # the table styles came along, on a base of their own
    styles = docx.Document(io.BytesIO(data)).styles.element
    ids = {s.get(qn("w:styleId")) for s in styles.findall(qn("w:style"))}
    assert {"TableTitle", "TableText", "TableHeader", "AttachmentBase"} <= ids


def test_identical_inputs_give_identical_bytes() -> None:
    assert render(two_regions()) == render(two_regions())


# ------------------------------------------------------------------ templates


def edited_template(tmp_path: Path, edit: Callable[[str], str]) -> Path:
    return edited_docx(TEMPLATE, tmp_path / "edited.docx", edit)


def test_the_office_rewords_the_summary_in_the_template(tmp_path: Path) -> None:
    template = edited_template(tmp_path, lambda xml: xml.replace("收集整理了", "汇总了"))
    texts = paragraphs(render(two_regions(), template))
    assert any(
        t.startswith("办公室根据与大田县座谈情况以及大田县提出的合作交流意向，汇总了")
        for t in texts
    )


@pytest.mark.parametrize(
    ("edit", "mentions"),
    [
        (lambda xml: xml.replace("{{ reporter }}", "{{ reportr }}"), "reportr"),
        (
            lambda xml: xml.replace("{{ region.attachment }}", "{{ region.attachmnet }}"),
            "attachmnet",
        ),
        (lambda xml: xml.replace("{%p endif %}", ""), "endif"),
    ],
    ids=["misspelt", "bad-field", "unclosed"],
)
def test_broken_templates_raise_a_template_problem(
    tmp_path: Path, edit: Callable[[str], str], mentions: str
) -> None:
    template = edited_template(tmp_path, edit)
    with pytest.raises(TemplateProblem) as caught:
        render(two_regions(), template)
    assert mentions in caught.value.message


def test_generated_template_is_the_committed_one(tmp_path: Path) -> None:
    out = tmp_path / MEETING_TEMPLATE
    subprocess.run([sys.executable, str(GENERATOR), str(out)], check=True, cwd=tmp_path)
    assert out.read_bytes() == TEMPLATE.read_bytes()
    packaged = ROOT / "pipeline" / "default_templates" / MEETING_TEMPLATE
    assert packaged.read_bytes() == TEMPLATE.read_bytes()


# ------------------------------------------------------------------ a build


MEETING_SHEET = [
    ["字段", "内容"],
    ["会议名称", "第21次局长办公会"],
    ["材料序号", 6],
    ["标题", "关于合作交流项目的汇报"],
    ["汇报单位", "办公室"],
]


def test_build_writes_and_archives_the_meeting_material(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    office_workbook(inputs, 专报信息=None, 提纲=None, 会议材料=MEETING_SHEET)
    cooperation_workbook(inputs, "环保处", [cooperation_row(region="永安市")])
    dossier = check(inputs).dossier
    assert MEETING_TEMPLATE in templates_needed(dossier)
    names = [d.name for d in render_documents(dossier, TEMPLATES)]
    assert names == ["合作交流项目表_永安市.docx", "会议材料之6_合作交流项目汇报.docx"]
    _, run = build(inputs, tmp_path / "outputs", TEMPLATES)
    assert (run / "会议材料之6_合作交流项目汇报.docx").is_file()
    assert (run / "templates" / MEETING_TEMPLATE).read_bytes() == TEMPLATE.read_bytes()


def test_bad_meeting_input_writes_no_document(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    office_workbook(
        inputs,
        专报信息=None,
        提纲=None,
        项目表信息=[*TABLE_SETTINGS, ["地区顺序", "三明市"]],
        会议材料=MEETING_SHEET,
        地区说明=[["对口地区", "内容", "替代生成段落"], ["永安市", "说明", "也许"]],
    )
    cooperation_workbook(inputs, "环保处", [cooperation_row(region="永安市")])
    outputs = tmp_path / "outputs"
    with pytest.raises(InputProblems) as caught:
        build(inputs, outputs, TEMPLATES)
    described = [p.describe() for p in caught.value.problems]
    assert any("项目表信息 › B6" in d and "三明市" in d for d in described)
    assert any("地区说明 › C2" in d and "替代生成段落" in d for d in described)
    assert not outputs.exists() or not any(outputs.iterdir())


# ------------------------------------------------------------------ LibreOffice


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.libreoffice
def test_libreoffice_prints_the_meeting_material(tmp_path: Path, libreoffice) -> None:
    path = tmp_path / meeting_file_name(two_regions())
    path.write_bytes(render(two_regions()))
    pdf = libreoffice.to_pdf(path, tmp_path)
    pages = libreoffice.page_texts(pdf)
    widths = libreoffice.landscape_pages(pdf, len(pages))
    assert len(widths) == len(pages)
    # portrait pages of the report, then the attachments, each starting a landscape page
    first_landscape = widths.index(True)
    assert not any(widths[:first_landscape]) and all(widths[first_landscape:])
    starts = [squeeze(page)[:3] for page in pages[first_landscape:]]
    assert "附件1" in starts and "附件2" in starts
    whole = squeeze("".join(pages))
    assert squeeze("等四大类五个合作事项") in whole and "（具体见附件2）" in whole
    assert squeeze(YONGAN.title) in whole and squeeze(DATIAN.title) in whole


def test_a_templates_folder_without_the_meeting_template_says_where_it_is(tmp_path: Path) -> None:
    """A folder made before the meeting material existed: the message names the default."""
    inputs, templates = tmp_path / "inputs", tmp_path / "templates"
    templates.mkdir()
    for name in ("work_report.docx", "project_table.docx"):
        (templates / name).write_bytes((TEMPLATES / name).read_bytes())
    office_workbook(inputs, 专报信息=None, 提纲=None, 会议材料=MEETING_SHEET)
    cooperation_workbook(inputs, "环保处", [cooperation_row(region="永安市")])
    with pytest.raises(TemplateProblem) as caught:
        render_documents(check(inputs).dossier, templates)
    message = caught.value.message
    assert "会议材料的模板" in message and str(ROOT / "pipeline" / "default_templates") in message
