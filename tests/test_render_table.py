"""Render stage, cooperation tables: the 合作交流项目表 document checked in its XML and as a PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import docx
import pytest
from _docx import edited_docx
from lxml import etree

from pipeline.errors import TemplateProblem
from pipeline.model import CooperationItem, CooperationRow, RegionTable, TableSettings
from pipeline.numerals import chinese_numeral
from pipeline.render.table import KNOWN_TAGS, render_region_table, table_context, table_file_name

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "templates" / "project_table.docx"
GENERATOR = ROOT / "tools" / "make_table_template.py"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
WHEN = dt.date(2023, 11, 20)
HOSTILE = ["A&B <c>", "{{ 7*7 }}", "{% if %}", "{_{ x }_}", "{#", "😀", "𠀀𪚥", "\"引号\" '单'"]


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# ------------------------------------------------------------------------ building tables


def settings(start: int = 2023, end: int = 2025) -> TableSettings:
    return TableSettings("浦东新区生态环境局", "生态环境领域", start, end)


def region_table(
    region: str,
    items: list[CooperationItem],
    notes: list[str] | None = None,
    period: TableSettings | None = None,
) -> RegionTable:
    period = period or settings()
    return RegionTable(region, period.title(region), period.years, items, notes or [])


def full_row(content: str, years: list[int], tag: str = "") -> CooperationRow:
    return CooperationRow(
        content=content,
        due=f"{years[-1]}年",
        plans={year: f"{tag}{year}年推进{content}" for year in years},
        progress=f"{tag}进展",
        lead_leader="沈敏",
        lead_department="环保处",
        supporting="监测站",
    )


def excluded_row(content: str, explanation: str) -> CooperationRow:
    return CooperationRow(content=content, included=False, explanation=explanation)


def mixed_table(period: TableSettings | None = None) -> RegionTable:
    """Single-row items, an item of three rows, two adjacent items of the same name, and
    excluded rows, both as a whole item and inside an item that has included rows."""
    period = period or settings()
    years = period.years
    items = [
        CooperationItem(1, "水环境", [full_row("水源地治理", years)]),
        CooperationItem(
            2,
            "污水垃圾处理",
            [
                full_row("垃圾处理", years),
                full_row("污水处理", years),
                excluded_row("污泥处置", "供排水处反馈：暂无计划。"),
            ],
        ),
        CooperationItem(3, "园区环境提升", [full_row("绿色园区", years)]),
        CooperationItem(
            4, "园区环境提升", [full_row("零直排区", years), full_row("园区监测", years)]
        ),
        CooperationItem(5, "EOD项目", [excluded_row("EOD项目策划", "环保处反馈：浦东暂未开展。")]),
        CooperationItem(6, "生态环境损害赔偿", [excluded_row("赔偿制度", "第一行\n第二行")]),
    ]
    return region_table("大田县", items, ["第一条注。", "第二条注。"], period)


def render(table: RegionTable, template: Path = TEMPLATE) -> bytes:
    return render_region_table(table, template, author="办公室", when=WHEN)


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def body(data: bytes) -> etree._Element:
    return part(data, "word/document.xml").find(w("body"))


def the_table(data: bytes) -> etree._Element:
    tables = body(data).findall(w("tbl"))
    assert len(tables) == 1
    return tables[0]


def typed(element: etree._Element) -> str:
    """The text as typed, for a text of one line: cells of names are given lines broken between
    words (市容 / 环卫处、), a layout the renderer would otherwise choose itself."""
    return text_of(element).replace("\n", "")


def text_of(element: etree._Element) -> str:
    """Visible text, with a `<w:br/>` as a line break."""
    out = []
    for node in element.iter(w("t"), w("br"), w("p")):
        if node.tag == w("t"):
            out.append(node.text or "")
        elif node.tag == w("br") or out and node.getprevious() is not None:
            out.append("\n")
    return "".join(out)


def cells(tr: etree._Element) -> list[etree._Element]:
    return tr.findall(w("tc"))


def span(tc: etree._Element) -> int:
    node = tc.find("w:tcPr/w:gridSpan", NS)
    return 1 if node is None else int(node.get(w("val")))


def vmerge(tc: etree._Element) -> str | None:
    """'restart', 'continue', or None when the cell is not merged vertically."""
    node = tc.find("w:tcPr/w:vMerge", NS)
    if node is None:
        return None
    return node.get(w("val"), "continue")


def header_and_body(data: bytes) -> tuple[list, list]:
    rows = the_table(data).findall(w("tr"))
    header = [tr for tr in rows if tr.find("w:trPr/w:tblHeader", NS) is not None]
    return header, rows[len(header) :]


def data_rows(table: RegionTable) -> list[tuple[CooperationItem, int, CooperationRow]]:
    return [(item, i, row) for item in table.items for i, row in enumerate(item.rows)]


# ------------------------------------------------------------------------ columns and page


@pytest.mark.parametrize("start,end", [(2023, 2024), (2023, 2025), (2024, 2027), (2021, 2030)])
def test_one_plan_column_per_year_of_the_period(start: int, end: int) -> None:
    period = settings(start, end)
    table = mixed_table(period)
    data = render(table)
    columns = 8 + len(period.years)

    grid = the_table(data).findall("w:tblGrid/w:gridCol", NS)
    assert len(grid) == columns
    header, rows = header_and_body(data)
    assert len(header) == 1
    # The header is given its lines, broken between words (对口合作交流 / 内容).
    assert [text_of(tc).replace("\n", "") for tc in cells(header[0])] == [
        "序号",
        "事项",
        "对口合作交流内容",
        "预计完成时间",
        *(f"{year}年计划" for year in period.years),
        "事项推进情况",
        "牵头领导",
        "牵头部门",
        "配合部门",
    ]
    assert len(rows) == table.row_count
    for tr, (_, _, row) in zip(rows, data_rows(table), strict=True):
        assert sum(span(tc) for tc in cells(tr)) == columns
        assert len(cells(tr)) == (columns if row.included else 4)


@pytest.mark.parametrize("start,end", [(2023, 2024), (2023, 2025), (2024, 2027), (2021, 2032)])
def test_table_fits_the_landscape_text_width(start: int, end: int) -> None:
    data = render(mixed_table(settings(start, end)))
    sect = body(data).find(w("sectPr"))
    size, margins = sect.find(w("pgSz")), sect.find(w("pgMar"))
    text_width = (
        int(size.get(w("w")))
        - int(margins.get(w("left")))
        - int(margins.get(w("right")))
        - int(margins.get(w("gutter"), "0"))
    )
    tbl = the_table(data)
    grid = [int(col.get(w("w"))) for col in tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert sum(grid) <= text_width
    assert min(grid) > 0
    assert tbl.find("w:tblPr/w:tblLayout", NS).get(w("type")) == "fixed"
    assert int(tbl.find("w:tblPr/w:tblW", NS).get(w("w"))) == sum(grid)
    # Every cell's width is the sum of the grid columns it spans.
    for tr in tbl.findall(w("tr")):
        start_col = 0
        for tc in cells(tr):
            width = tc.find("w:tcPr/w:tcW", NS)
            assert width.get(w("type")) == "dxa"
            assert int(width.get(w("w"))) == sum(grid[start_col : start_col + span(tc)])
            start_col += span(tc)


def test_landscape_a4_section() -> None:
    sect = body(render(mixed_table())).find(w("sectPr"))
    size = sect.find(w("pgSz"))
    assert size.get(w("orient")) == "landscape"
    width, height = int(size.get(w("w"))), int(size.get(w("h")))
    assert width > height
    # 297 × 210 mm within a twip of rounding.
    assert abs(width - 297 * 1440 / 25.4) < 2 and abs(height - 210 * 1440 / 25.4) < 2


def test_long_texts_get_room_and_empty_year_columns_stay_narrow() -> None:
    period = settings(2023, 2025)
    long_plan = "在环城生态公园带等公园绿地中打造特色景观，并推广应用。" * 3
    rows = [
        CooperationRow("内容", plans={2023: long_plan, 2024: "", 2025: ""}, lead_leader="刘军")
        for _ in range(3)
    ]
    data = render(region_table("永安市", [CooperationItem(1, "事项", rows)], period=period))
    grid = [int(c.get(w("w"))) for c in the_table(data).findall("w:tblGrid/w:gridCol", NS)]
    first_year, last_year = grid[4], grid[6]
    assert first_year > last_year


# ------------------------------------------------------------------------ rows, merges, spans


def test_header_repeats_and_rows_keep_together() -> None:
    table = mixed_table()
    header, rows = header_and_body(render(table))
    assert len(header) == 1
    assert header[0].find("w:trPr/w:cantSplit", NS) is not None
    for tr in rows:
        assert tr.find("w:trPr/w:tblHeader", NS) is None
        assert tr.find("w:trPr/w:cantSplit", NS) is not None


def test_a_row_taller_than_a_page_is_cut_into_pieces_that_fit_pages() -> None:
    years = settings().years
    progress = "推进情况。" * 400
    huge = CooperationRow("内容", progress=progress, lead_leader="沈敏")
    table = region_table(
        "永安市",
        [CooperationItem(1, "甲", [full_row("短", years)]), CooperationItem(2, "乙", [huge])],
    )
    _, rows = header_and_body(render(table))
    pieces = rows[1:]
    assert len(pieces) >= 4
    # Every piece is kept whole on its page, and the text of the row is whole across them.
    assert all(tr.find("w:trPr/w:cantSplit", NS) is not None for tr in rows)
    assert "".join(text_of(cells(tr)[7]) for tr in pieces) == progress
    assert [text_of(c) for c in cells(pieces[0])[:3]] == ["2", "乙", "内容"]
    assert text_of(cells(pieces[0])[8]) == "沈敏"
    for tr in pieces[1:]:  # each starts a page: the item is shown again, marked 续
        assert [text_of(c) for c in cells(tr)[:2]] == ["2", "乙（续）"]
        assert [vmerge(c) for c in cells(tr)[:2]] == ["restart", "restart"]
        assert [text_of(c) for c in cells(tr)[2:7] + cells(tr)[8:]] == [""] * 8
        # The text goes on at the top of its cell, where the page before left off.
        aligned = [c.find("w:tcPr/w:vAlign", NS) for c in cells(tr)[2:] if text_of(c)]
        assert {a.get(f"{{{NS['w']}}}val") for a in aligned} == {"top"}


def test_rows_keep_the_given_order() -> None:
    table = mixed_table()
    _, rows = header_and_body(render(table))
    for tr, (_, _, row) in zip(rows, data_rows(table), strict=True):
        assert text_of(cells(tr)[2]) == row.content


def test_number_and_name_merge_vertically_per_item() -> None:
    table = mixed_table()
    _, rows = header_and_body(render(table))
    for tr, (item, index, _) in zip(rows, data_rows(table), strict=True):
        first_two = cells(tr)[:2]
        expected = None if len(item.rows) == 1 else ("restart" if index == 0 else "continue")
        assert [vmerge(tc) for tc in first_two] == [expected, expected], (item.number, index)
        # No other cell is merged vertically.
        assert all(vmerge(tc) is None for tc in cells(tr)[2:])
        if expected == "continue":
            assert [text_of(tc) for tc in first_two] == ["", ""]
        else:
            assert [typed(tc) for tc in first_two] == [str(item.number), item.name]


def test_adjacent_items_with_the_same_name_stay_apart() -> None:
    years = settings().years
    items = [
        CooperationItem(1, "同名事项", [full_row("a", years), full_row("b", years)]),
        CooperationItem(2, "同名事项", [full_row("c", years), full_row("d", years)]),
        CooperationItem(3, "同名事项", [full_row("e", years)]),
    ]
    _, rows = header_and_body(render(region_table("永安市", items)))
    assert [vmerge(cells(tr)[1]) for tr in rows] == [
        "restart",
        "continue",
        "restart",
        "continue",
        None,
    ]
    assert [text_of(cells(tr)[0]) for tr in rows] == ["1", "", "2", "", "3"]


@pytest.mark.parametrize("start,end", [(2023, 2024), (2024, 2027)])
def test_excluded_rows_span_the_columns_after_the_content(start: int, end: int) -> None:
    period = settings(start, end)
    table = mixed_table(period)
    _, rows = header_and_body(render(table))
    excluded = [
        (tr, row)
        for tr, (_, _, row) in zip(rows, data_rows(table), strict=True)
        if not row.included
    ]
    assert len(excluded) == 3
    for tr, row in excluded:
        row_cells = cells(tr)
        assert [span(tc) for tc in row_cells] == [1, 1, 1, len(period.years) + 5]
        assert text_of(row_cells[2]) == row.content
        assert text_of(row_cells[3]) == row.explanation
    included = [tr for tr, (_, _, row) in zip(rows, data_rows(table), strict=True) if row.included]
    assert all(tr.find("w:tc/w:tcPr/w:gridSpan", NS) is None for tr in included)


def test_an_excluded_row_inside_a_merged_item() -> None:
    table = mixed_table()
    _, rows = header_and_body(render(table))
    item_two = rows[1:4]
    assert [vmerge(cells(tr)[0]) for tr in item_two] == ["restart", "continue", "continue"]
    assert span(cells(item_two[2])[3]) == 8


# ------------------------------------------------------------------------ text


def test_values_appear_exactly_as_typed() -> None:
    years = settings().years
    items = []
    for number, value in enumerate(HOSTILE, start=1):
        row = CooperationRow(
            content=f"内容{value}",
            due=value,
            plans={year: f"{year}{value}" for year in years},
            progress=value,
            lead_leader=value,
            lead_department=value,
            supporting=value,
        )
        items.append(CooperationItem(number, f"事项{value}", [row]))
    items.append(CooperationItem(99, "不纳入", [excluded_row("x", "说明" + "".join(HOSTILE))]))
    table = region_table("永安市{{ 1 }}&", items, notes=[f"注{value}" for value in HOSTILE])
    data = render(table)

    _, rows = header_and_body(data)
    for tr, value in zip(rows, HOSTILE, strict=False):
        assert [typed(tc) for tc in cells(tr)] == [
            str(HOSTILE.index(value) + 1),
            f"事项{value}",
            f"内容{value}",
            value,
            *(f"{year}{value}" for year in years),
            value,
            value,
            value,
            value,
        ]
    assert text_of(cells(rows[-1])[3]) == "说明" + "".join(HOSTILE)
    text = text_of(body(data))
    assert table.title in text.replace("\n", "")
    for value in HOSTILE:
        assert f"、注{value}" in text
    assert "49" not in text  # nothing was evaluated


def test_line_breaks_stay_line_breaks() -> None:
    years = settings().years
    row = CooperationRow(
        "第一行\n第二行",
        plans={years[0]: "甲\r\n乙\r丙\x0b丁"},
        progress="一是。\n二是。",
        lead_leader="沈敏",
    )
    _, rows = header_and_body(render(region_table("永安市", [CooperationItem(1, "事项", [row])])))
    row_cells = cells(rows[0])
    assert text_of(row_cells[2]) == "第一行\n第二行"
    assert text_of(row_cells[4]) == "甲\n乙\n丙\n丁"
    assert text_of(row_cells[7]) == "一是。\n二是。"
    # One paragraph with a <w:br/>, not two paragraphs.
    assert len(row_cells[2].findall(w("p"))) == 1
    assert len(row_cells[2].findall(".//w:br", NS)) == 1


def test_title_is_the_tables_title() -> None:
    table = mixed_table()
    first = body(render(table)).find(w("p"))
    assert first.find("w:pPr/w:pStyle", NS).get(w("val")) == "TableTitle"
    # Too long for one line of 二号 on the page: broken between words, the shorter line on top.
    region = table.region
    assert (
        text_of(first) == f"浦东新区生态环境局与{region}\n生态环境领域合作交流项目表(2023-2025年)"
    )

    short = TableSettings("甲局", "", 2023, 2024)
    table = region_table("乙", [], period=short)
    assert text_of(body(render(table)).find(w("p"))) == table.title


def test_notes_are_numbered_under_the_table() -> None:
    table = mixed_table()
    after = list(the_table(render(table)).itersiblings(w("p")))
    texts = [text_of(p) for p in after if text_of(p)]
    assert texts == ["注：1、第一条注。", "2、第二条注。"]
    for paragraph in after[:2]:
        assert paragraph.find("w:pPr/w:pStyle", NS).get(w("val")) == "TableNote"


def test_no_notes_no_note_paragraph() -> None:
    table = mixed_table()
    table.notes = []
    text = text_of(body(render(table)))
    assert "注：" not in text
    assert "{%" not in text and "{{" not in text


def test_template_tags_leave_no_trace() -> None:
    text = text_of(body(render(mixed_table())))
    for tag in ("{%", "%}", "{{", "}}", "row.", "endfor"):
        assert tag not in text


# ------------------------------------------------------------------------ fonts and styles


def style_chain(styles: etree._Element, style_id: str) -> list[etree._Element]:
    chain = []
    while style_id:
        style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        assert style is not None, style_id
        chain.append(style)
        based = style.find(w("basedOn"))
        style_id = based.get(w("val")) if based is not None else None
    return chain


def fonts_of(styles: etree._Element, style_id: str) -> dict[str, str]:
    """ascii/hAnsi/eastAsia fonts of a style, following basedOn."""
    found: dict[str, str] = {}
    for style in style_chain(styles, style_id):
        fonts = style.find("w:rPr/w:rFonts", NS)
        if fonts is None:
            continue
        for script in ("ascii", "hAnsi", "eastAsia"):
            found.setdefault(script, fonts.get(w(script)))
    return {k: v for k, v in found.items() if v}


@pytest.mark.parametrize(
    "style_id,font",
    [
        ("TableTitle", "方正小标宋简体"),
        ("TableHeader", "黑体"),
        ("TableText", "仿宋_GB2312"),
        ("TableTextCentred", "仿宋_GB2312"),
        ("TableNote", "仿宋_GB2312"),
    ],
)
def test_styles_name_east_asian_fonts(style_id: str, font: str) -> None:
    styles = part(render(mixed_table()), "word/styles.xml")
    assert fonts_of(styles, style_id) == {"ascii": font, "hAnsi": font, "eastAsia": font}


def test_every_paragraph_style_used_names_an_east_asian_font() -> None:
    data = render(mixed_table())
    styles = part(data, "word/styles.xml")
    used = {node.get(w("val")) for node in body(data).iter(w("pStyle"))}
    assert {"TableTitle", "TableHeader", "TableText", "TableTextCentred", "TableNote"} <= used
    for style_id in used:
        assert fonts_of(styles, style_id).get("eastAsia"), style_id


def test_table_text_is_legible() -> None:
    styles = part(render(mixed_table()), "word/styles.xml")
    for style_id in ("TableText", "TableHeader", "TableNote"):
        size = style_chain(styles, style_id)[0].find("w:rPr/w:sz", NS)
        assert int(size.get(w("val"))) >= 24  # 小四 (12 pt) or larger


# ------------------------------------------------------------------------ context and names


def test_counts_for_narrative_text() -> None:
    years = settings().years
    items = [CooperationItem(n, f"事项{n}", [full_row("x", years)]) for n in range(1, 6)]
    items[1].rows.append(full_row("y", years))
    items += [CooperationItem(n, f"事项{n}", [excluded_row("z", "说明")]) for n in range(6, 10)]
    table = region_table("大田县", items)
    context = table_context(table)
    assert (context["item_count"], context["item_count_cn"]) == (9, "九")
    assert (context["row_count"], context["row_count_cn"]) == (10, "十")
    assert (context["included_item_count"], context["included_item_count_cn"]) == (5, "五")
    assert (context["excluded_item_count"], context["excluded_item_count_cn"]) == (4, "四")
    assert (context["included_row_count"], context["excluded_row_count_cn"]) == (6, "四")
    assert set(context) == set(KNOWN_TAGS)


@pytest.mark.parametrize(
    "number,text",
    [
        (0, "零"),
        (3, "三"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (10010, "一万零一十"),
        (100000, "十万"),
    ],
)
def test_chinese_numerals(number: int, text: str) -> None:
    assert chinese_numeral(number) == text


def test_counts_render_in_a_sentence(tmp_path: Path) -> None:
    template = edited_template(
        tmp_path,
        lambda xml: xml.replace(
            "{{ title }}", "{{ title }}（{{ item_count_cn }}大类{{ row_count_cn }}个合作事项）"
        ),
    )
    table = mixed_table()  # six items in nine rows
    assert (table.item_count, table.row_count) == (6, 9)
    text = text_of(body(render(table, template)))
    assert "（六大类九个合作事项）" in text


def test_file_name() -> None:
    assert table_file_name(region_table("永安市", [])) == "合作交流项目表_永安市.docx"
    hostile = table_file_name(region_table("../a/b:c*", []))
    assert "/" not in hostile and "\\" not in hostile and ":" not in hostile
    assert hostile.startswith("合作交流项目表_") and hostile.endswith(".docx")


def test_identical_inputs_give_identical_bytes() -> None:
    assert render(mixed_table()) == render(mixed_table())


def test_properties_come_from_the_inputs() -> None:
    table = mixed_table()
    document = docx.Document(io.BytesIO(render(table)))
    props = document.core_properties
    assert props.title == table.title
    assert props.author == "办公室"
    assert props.created.date() == WHEN


def test_generated_template_renders(tmp_path: Path) -> None:
    """The generator script makes a working template (the committed one may be restyled)."""
    out = tmp_path / "project_table.docx"
    subprocess.run([sys.executable, str(GENERATOR), str(out)], check=True, cwd=tmp_path)
    table = mixed_table(settings(2024, 2027))
    _, rows = header_and_body(render(table, out))
    assert len(rows) == table.row_count


# ------------------------------------------------------------------------ broken templates


def edited_template(tmp_path: Path, edit: Callable[[str], str], name: str = "edited.docx") -> Path:
    """A copy of the template with its document.xml changed as text."""
    return edited_docx(TEMPLATE, tmp_path / name, edit)


@pytest.mark.parametrize(
    "edit,mentions",
    [
        (lambda xml: xml.replace("{{ title }}", "{{ titel }}"), "titel"),
        (lambda xml: xml.replace("{{ title }}", "标题"), "{{ title }}"),
        (lambda xml: xml.replace("{%tr endfor %}", ""), "endfor"),
        (lambda xml: xml.replace("{%p endfor %}", "{%p endif %}"), "endif"),
        (lambda xml: xml.replace("{{ title }}", "{{ ''.__class__.__mro__ }}{{ title }}"), ""),
        (lambda xml: xml.replace("{{ row.content }}", "{{ row.contnet }}"), "contnet"),
        (lambda xml: xml.replace("{{ note }}", "{{ note.__init__.__globals__ }}"), ""),
    ],
    ids=["misspelt", "missing", "unclosed-loop", "wrong-end", "sandbox", "bad-field", "globals"],
)
def test_broken_templates_raise_a_template_problem(
    tmp_path: Path, edit: Callable[[str], str], mentions: str
) -> None:
    template = edited_template(tmp_path, edit)
    with pytest.raises(TemplateProblem) as caught:
        render(mixed_table(), template)
    assert caught.value.template == str(template)
    assert str(template) in caught.value.message
    assert mentions in caught.value.message


def test_rows_hand_templates_their_fields_and_nothing_else(tmp_path: Path) -> None:
    template = edited_template(
        tmp_path,
        lambda xml: xml.replace(
            "{{ row.content }}", "{{ row.__class__.__mro__ }}{{ row.content }}"
        ),
    )
    with pytest.raises(TemplateProblem) as caught:
        render(mixed_table(), template)
    assert "不允许" in caught.value.message


def test_a_template_without_the_row_loop(tmp_path: Path) -> None:
    template = edited_template(tmp_path, lambda xml: xml.replace("{%tr for row in rows %}", "x"))
    with pytest.raises(TemplateProblem) as caught:
        render(mixed_table(), template)
    assert str(template) in caught.value.message


def test_a_template_without_the_excluded_row_form_never_drops_rows(tmp_path: Path) -> None:
    document = docx.Document(str(TEMPLATE))
    tbl = document.tables[0]._tbl
    rows = tbl.findall(w("tr"))
    else_row = next(tr for tr in rows if "{%tr else %}" in text_of(tr))
    excluded_form = else_row.getnext()
    tbl.remove(else_row)
    tbl.remove(excluded_form)
    template = tmp_path / "no_else.docx"
    document.save(str(template))

    years = settings().years
    only_included = region_table("永安市", [CooperationItem(1, "甲", [full_row("a", years)])])
    assert len(header_and_body(render(only_included, template))[1]) == 1
    with pytest.raises(TemplateProblem) as caught:
        render(mixed_table(), template)
    assert str(template) in caught.value.message


def test_a_template_with_the_wrong_columns(tmp_path: Path) -> None:
    # The office deleted the 配合部门 header cell but kept the body cells.
    template = edited_template(tmp_path, lambda xml: _drop_cell(xml, "配合部门"))
    with pytest.raises(TemplateProblem) as caught:
        render(mixed_table(), template)
    assert "列" in caught.value.message and str(template) in caught.value.message


def _drop_cell(xml: str, text: str) -> str:
    root = etree.fromstring(xml.encode("utf-8"))
    for tc in root.iter(w("tc")):
        if text_of(tc) == text:
            tc.getparent().remove(tc)
            break
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode()


def test_cells_without_a_width_get_one_in_its_schema_place(tmp_path: Path) -> None:
    """Cells whose template lost its `w:tcW` get one where Word expects it: the same document
    as from the template that has them."""
    template = edited_template(tmp_path, lambda xml: re.sub(r"<w:tcW [^>]*/>", "", xml))
    assert render(mixed_table(), template) == render(mixed_table())


def test_a_missing_template() -> None:
    missing = ROOT / "templates" / "no_such_template.docx"
    with pytest.raises(TemplateProblem) as caught:
        render(mixed_table(), missing)
    assert str(missing) in caught.value.message


# ------------------------------------------------------------------------ LibreOffice


@dataclass(frozen=True)
class Word:
    x_min: float
    y_min: float
    x_max: float
    text: str


def pdf_words(pdf: Path) -> list[tuple[float, list[Word]]]:
    """(page width, words with their boxes) for each page, in points (pdftotext, which the
    `libreoffice` fixture requires)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    pages = []
    word = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>'
    )
    for page in re.finditer(r'<page width="([\d.]+)".*?</page>', html, re.S):
        words = [
            Word(float(x0), float(y0), float(x1), unescape(text))
            for x0, y0, x1, text in word.findall(page.group(0))
        ]
        pages.append((float(page.group(1)), words))
    assert pages
    return pages


def column_text(words: list[Word], left: float, right: float, length: int) -> str:
    """The first `length` characters set in the column between `left` and `right`, top down:
    a header cell wrapped over several lines, read back as one text."""
    inside = [wd for wd in words if left <= (wd.x_min + wd.x_max) / 2 < right]
    text = ""
    for wd in sorted(inside, key=lambda wd: (round(wd.y_min), wd.x_min)):
        if len(text) >= length:
            break
        text += wd.text
    return text


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.libreoffice
def test_libreoffice_prints_the_table(tmp_path: Path, libreoffice) -> None:
    period = settings(2023, 2026)
    years = period.years
    items = [
        CooperationItem(n, f"合作事项{n}", [full_row(f"第{n}项内容" * 12, years, tag=f"{n}号")])
        for n in range(1, 9)
    ]
    items.append(CooperationItem(9, "不纳入事项", [excluded_row("内容", "建议不纳入A&B <c>")]))
    items[0].rows[0] = CooperationRow(
        "{{ 7*7 }}", plans={2023: "{% if %}"}, lead_leader="沈敏", lead_department="环保处"
    )
    table = region_table("永安市", items, ["第一条注。"], period)
    path = tmp_path / table_file_name(table)
    path.write_bytes(render(table))

    pdf = libreoffice.to_pdf(path, tmp_path)
    pages = [page for page in libreoffice.page_texts(pdf) if page.strip()]
    assert len(pages) >= 2, "the table should run over two pages"
    whole = squeeze("".join(pages))
    assert squeeze(table.title) in whole
    for year in years:
        assert f"{year}年计划" in whole
    for text in ("{{7*7}}", "{%if%}", "建议不纳入A&B<c>", "注：1、第一条注。", "8号进展"):
        assert text in whole, text
    # The header row repeats on the following pages: each column, read top down, opens with
    # its header text (however the cell wraps it).
    data = path.read_bytes()
    headers = [text_of(tc).replace("\n", "") for tc in cells(the_table(data).find(w("tr")))]
    grid = [int(c.get(w("w"))) / 20 for c in the_table(data).findall("w:tblGrid/w:gridCol", NS)]
    word_pages = pdf_words(pdf)
    for page_width, words in word_pages[1:]:
        left = (page_width - sum(grid)) / 2  # the table is centred
        for header, width in zip(headers, grid, strict=True):
            assert column_text(words, left, left + width, len(header)) == header
            left += width
    # Nothing runs past the right margin (25 mm) of the landscape page.
    for page_width, words in word_pages:
        right_edge = max(wd.x_max for wd in words)
        assert right_edge <= page_width - 25 / 25.4 * 72 + 1
