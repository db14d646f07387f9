"""The shipped example inputs reproduce the two seed documents.

The tests read the examples as `tools/make_examples.py` writes them (`_examples`), never the
repository's `inputs/`, where the web page or a clerk may have put other workbooks; the first
test checks that the committed `inputs/` are exactly what the tool writes."""

from __future__ import annotations

import difflib
import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from _examples import example_inputs
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from pipeline.api import prepare
from pipeline.model import RegionTable

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).parent / "data" / "seeds"
FORM_TITLE = "生态环境局工作专报拟文稿"
MEETING = "会议材料之6_合作交流项目汇报.docx"


def _squash(text: str) -> str:
    """Whitespace and the extraction's bold markers removed; PDF spacing is an artefact."""
    return re.sub(r"\s+", "", text).replace("**", "")


def _paragraph_texts(data: bytes, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    body = Document(str(path)).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def test_the_committed_examples_are_what_the_tool_writes():
    """Compared with the committed files (git's), not the working folder's: a workbook put
    into `inputs/` since does not count."""
    git = shutil.which("git")
    listed = subprocess.run(
        [git or "git", "-C", str(ROOT), "ls-tree", "-z", "--name-only", "HEAD", "inputs/"],
        capture_output=True,
    )
    if git is None or listed.returncode != 0:
        pytest.skip("not a git checkout: no committed examples to compare")
    committed = sorted(
        Path(name).name for name in listed.stdout.decode("utf-8").split("\0") if name
    )
    written = sorted(example_inputs().iterdir())
    assert committed == [p.name for p in written], "run python tools/make_examples.py"
    for path in written:
        shown = subprocess.run(
            [git, "-C", str(ROOT), "show", f"HEAD:inputs/{path.name}"],
            capture_output=True,
            check=True,
        )
        assert shown.stdout == path.read_bytes(), f"regenerate {path.name}"


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    prepared = prepare(example_inputs(), ROOT / "templates")
    return {d.name: d.data for d in prepared.documents}, prepared.dossier


def test_examples_build_without_problems(documents):
    files, dossier = documents
    # The seed's table leaves 大田县 item 5's 牵头领导 blank: the one notice.
    assert [(n.location.file, n.location.cell) for n in dossier.notices] == [("环保处.xlsx", "J6")]
    assert set(files) == {
        "工作专报（第95期）.docx",
        "合作交流项目表_永安市.docx",
        "合作交流项目表_大田县.docx",
        MEETING,
    }


def test_report_body_matches_the_seed(documents, tmp_path):
    files, _ = documents
    texts = _paragraph_texts(files["工作专报（第95期）.docx"], tmp_path, "report.docx")
    rendered = "".join(texts)
    body = _squash(rendered.split(FORM_TITLE)[0])
    seed = (SEEDS / "000_eacdbbff0198c77c.txt").read_text(encoding="utf-8")
    seed_body = _squash(seed[seed.index("工 作 专 报") : seed.index(FORM_TITLE)])
    # The seed prints the contact line with half-width brackets.
    seed_body = seed_body.replace("(联系人", "（联系人").replace("0172)", "0172）")
    ratio = difflib.SequenceMatcher(None, body, seed_body, autojunk=False).ratio()
    assert ratio >= 0.98, ratio


def test_report_form_holds_every_seed_entry(documents, tmp_path):
    files, _ = documents
    texts = _paragraph_texts(files["工作专报（第95期）.docx"], tmp_path, "report.docx")
    form = _squash("".join(texts).split(FORM_TITLE)[1])
    for entry in [
        "关于坚决落实领导批示精神，扎实推进浦东新区现代环境治理体系建设情况的汇报",
        "浦东生态环境局机关-生态环境督察处",
        "周杰",
        "2023-11-03",
        "根据主要领导批示，形成工作专报。{周杰[2023/11/314:44:56]}",
        "同意发。{康永良[2023/11/2011:20:08]}",
        "拟同意。{沈敏[2023/11/2011:18:52]}",
        "已核。{徐小花[2023/11/316:01:14]}已核。请沈敏同志审核，请永良同志审核并签发。{高瑞莲[2023/11/618:22:54]}",
        "拟同意{李荣[2023/11/314:47:57]}",
    ]:
        assert _squash(entry) in form, entry


def _seed_table(region: str) -> str:
    seed = (SEEDS / "002_638f4898624b0922.txt").read_text(encoding="utf-8")
    start = seed.index(
        f"浦东新区生态环境局与{region}生态环境领域合作交流项目表(2023-2025年)\n\n序号"
    )
    end = seed.find("浦东新区生态环境局与", start + 10)
    return _squash(seed[start : end if end > 0 else None])


@pytest.mark.parametrize(("region", "least"), [("永安市", 0.85), ("大田县", 0.93)])
def test_tables_match_the_seed(documents, tmp_path, region, least):
    """Cells the PDF extraction garbled were reconstructed (tools/make_examples.py lists them)."""
    files, dossier = documents
    table = next(t for t in dossier.regions if t.region == region)
    data = files[f"合作交流项目表_{region}.docx"]
    path = tmp_path / "t.docx"
    path.write_bytes(data)
    texts = []
    for element in Document(str(path)).element.body:
        if element.tag == qn("w:p"):
            texts.append("".join(t.text or "" for t in element.iter(qn("w:t"))))
        elif element.tag == qn("w:tbl"):
            header = element.find(qn("w:tr"))
            texts += ["".join(t.text or "" for t in header.iter(qn("w:t")))]
            texts += [text for row in _whole_rows(data, tmp_path, table) for text, _, _ in row]
    rendered = _squash("".join(texts)).replace("注：", "注:")
    ratio = difflib.SequenceMatcher(None, rendered, _seed_table(region), autojunk=False).ratio()
    assert ratio >= least, ratio


def _rows(data: bytes, tmp_path: Path) -> list[list[tuple[str, str | None, int]]]:
    """Each body row as (text, vMerge, gridSpan) per cell."""
    path = tmp_path / "t.docx"
    path.write_bytes(data)
    table = Document(str(path)).element.body.find(qn("w:tbl"))
    rows = []
    for tr in table.findall(qn("w:tr"))[1:]:
        cells = []
        for tc in tr.findall(qn("w:tc")):
            pr = tc.find(qn("w:tcPr"))
            merge = pr.find(qn("w:vMerge")) if pr is not None else None
            span = pr.find(qn("w:gridSpan")) if pr is not None else None
            cells.append(
                (
                    "".join(t.text or "" for t in tc.iter(qn("w:t"))),
                    None if merge is None else (merge.get(qn("w:val")) or "continue"),
                    1 if span is None else int(span.get(qn("w:val"))),
                )
            )
        rows.append(cells)
    return rows


def _whole_rows(
    data: bytes, tmp_path: Path, table: RegionTable
) -> list[list[tuple[str, str | None, int]]]:
    """The body rows as the seed has them: a row cut at a page's end is two or more table
    rows (pieces), put back together here cell by cell. A table row starts a new row when the
    row before holds all its 对口合作交流内容 and this one holds some; the pieces of each row
    must hold its content whole, in order."""
    contents = [row.content for item in table.items for row in item.rows]
    whole: list[list[tuple[str, str | None, int]]] = []
    for cells in _rows(data, tmp_path):
        text = cells[2][0]
        if not whole or (text and whole[-1][2][0] == contents[len(whole) - 1]):
            whole.append(cells)
            continue
        last = whole[-1]
        assert len(cells) == len(last)
        whole[-1] = last[:2] + [
            (a[0] + b[0], a[1], a[2]) for a, b in zip(last[2:], cells[2:], strict=True)
        ]
    assert [row[2][0] for row in whole] == contents
    return whole


def test_datian_merges_and_spans_like_the_seed(documents, tmp_path):
    files, dossier = documents
    table = next(t for t in dossier.regions if t.region == "大田县")
    rows = _whole_rows(files["合作交流项目表_大田县.docx"], tmp_path, table)
    assert len(rows) == 10  # 九大类十个合作事项
    # item 2: two rows (from 废管中心 and 供排水处) with 序号 and 事项 merged
    assert rows[1][0][:2] == ("2", "restart") and rows[2][0][1] == "continue"
    assert rows[1][1][1] == "restart" and rows[2][1][1] == "continue"
    assert "垃圾" in rows[1][2][0] and "污水" in rows[2][2][0]
    # items 6–9 not included: 说明 spans the 8 columns after 对口合作交流内容
    for row in rows[6:]:
        assert len(row) == 4 and row[3][2] == 8
    assert rows[6][3][0].startswith("环保处反馈")
    assert (table.item_count, table.row_count, table.excluded_item_count) == (9, 10, 4)


def test_yongan_notes(documents, tmp_path):
    files, _ = documents
    texts = _paragraph_texts(files["合作交流项目表_永安市.docx"], tmp_path, "t.docx")
    joined = "".join(texts)
    assert (
        "注：" in joined and "1、在《上海市浦东新区与永安市" in joined and "2、永安市提出" in joined
    )


# ---------------------------------------------------------------- meeting material

DATIAN_SUMMARY_START = "办公室根据与大田县座谈"
TABLE_TITLE = "浦东新区生态环境局与{}生态环境领域合作交流项目表(2023-2025年)"


def _plain(text: str) -> str:
    """Compared as the seed's PDF extraction allows: no whitespace, half- and full-width
    punctuation alike, curly quotes as straight ones."""
    text = unicodedata.normalize("NFKC", _squash(text))
    return text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))


@pytest.fixture(scope="module")
def meeting_text(documents):
    files, _ = documents
    body = Document(io.BytesIO(files[MEETING])).element.body
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    return _plain("".join(texts))


def _seed_meeting() -> str:
    seed = (SEEDS / "002_638f4898624b0922.txt").read_text(encoding="utf-8")
    return _plain(seed[: seed.index(TABLE_TITLE.format("永安市") + "\n\n序号")])


def test_meeting_office_parts_match_the_seed(meeting_text):
    """Everything but 大田县's summary (written from the data) and the 附件 list is the office's."""
    ours = meeting_text[: meeting_text.index(_plain("附件："))]
    seed = _seed_meeting()
    seed = seed[: seed.index(_plain("附件:"))].rstrip("-")  # the extraction's list bullet
    start, end = _plain(DATIAN_SUMMARY_START), _plain("（具体见附件2）。")
    ours_parts = ours[: ours.index(start)], ours[ours.index(end) + len(end) :]
    seed_parts = seed[: seed.index(start)], seed[seed.index(end) + len(end) :]
    for mine, theirs in zip(ours_parts, seed_parts, strict=True):
        ratio = difflib.SequenceMatcher(None, mine, theirs, autojunk=False).ratio()
        assert ratio >= 0.98, (ratio, mine, theirs)
    # the seed's own header line, title, 汇报单位 and headings are all there
    for line in (
        "第21次局长办公会会议材料之6",
        "浦东新区生态环境局与永安市、大田县生态环境领域合作交流项目制定情况的汇报",
        "办公室(政策法规处)",
        "一、生态环境领域合作交流项目情况",
        "二、工作推进情况",
        "(一)永安市生态环境部门需要支持的事项",
        "(二)大田县生态环境部门需要支持的事项",
        "以上汇报,请予审议。",
    ):
        assert _plain(line) in ours, line


def test_datian_summary_is_written_from_the_data(meeting_text):
    start = meeting_text.index(_plain(DATIAN_SUMMARY_START))
    summary = meeting_text[start : meeting_text.index(_plain("附件2）。"), start) + 4]
    assert "九大类十个合作事项" in summary
    names = [
        "水环境保护",
        "污水垃圾处理",
        "土壤环境保护",
        "气候投融资",
        "环境监测、环境执法能力提升",
    ]
    for name in names:
        assert f'"{_plain(name)}"' in summary, name
    excluded = [
        ("EOD项目", "环保处"),
        ("园区环境提升", "环保处"),
        ("'双碳'方案", "环保处"),
        ("生态环境损害赔偿", "督察处"),
    ]
    for name, department in excluded:
        assert f'"{_plain(name)}",据{department}反馈' in summary, name
    assert summary.count("建议不纳入") == len(excluded)
    assert summary.endswith("(具体见附件2)")
    assert "三年行动计划" in summary


def test_meeting_lists_both_tables_as_attachments(meeting_text):
    listing = meeting_text[meeting_text.index(_plain("以上汇报，请予审议。")) :]
    assert _plain(f"附件：1.《{TABLE_TITLE.format('永安市')}》") in listing
    assert _plain(f"2.《{TABLE_TITLE.format('大田县')}》") in listing


def _sections(body):
    """Each section's properties in order, with the paragraph that opens the section after."""
    found = []
    for paragraph in body.iter(qn("w:p")):
        section = paragraph.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
        if section is not None:
            found.append(section)
    found.append(body.find(qn("w:sectPr")))
    return found


def _landscape(section) -> bool:
    size = section.find(qn("w:pgSz"))
    return int(size.get(qn("w:w"))) > int(size.get(qn("w:h")))


def test_meeting_attachments_are_the_region_tables(documents):
    files, _ = documents
    body = Document(io.BytesIO(files[MEETING])).element.body
    sections = _sections(body)
    assert [_landscape(s) for s in sections] == [False, True, True]
    labels = [
        p
        for p in body.iter(qn("w:p"))
        if "".join(t.text or "" for t in p.iter(qn("w:t"))) in ("附件1", "附件2")
    ]
    assert [p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val")) for p in labels] == [
        "AttachmentLabel",
        "AttachmentLabel",
    ]
    # each label opens its section: the paragraph before it ends the previous section
    for label in labels:
        previous = label.getprevious()
        assert previous.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
    tables = body.findall(qn("w:tbl"))
    assert len(tables) == 2
    for table, region in zip(tables, ("永安市", "大田县"), strict=True):
        own = Document(io.BytesIO(files[f"合作交流项目表_{region}.docx"])).element.body
        assert etree.tostring(table, method="c14n") == etree.tostring(
            own.find(qn("w:tbl")), method="c14n"
        )


@pytest.mark.libreoffice
def test_libreoffice_prints_the_example_meeting_material(documents, tmp_path, libreoffice):
    files, _ = documents
    path = tmp_path / MEETING
    path.write_bytes(files[MEETING])
    pdf = libreoffice.to_pdf(path, tmp_path)
    pages = libreoffice.page_texts(pdf)
    landscape = libreoffice.landscape_pages(pdf, len(pages))
    first = landscape.index(True)
    # the report on portrait pages, then the two tables on landscape pages, each opening a page
    assert first >= 2 and not any(landscape[:first]) and all(landscape[first:])
    openings = [_squash(page)[:3] for page in pages[first:]]
    assert openings.count("附件1") == 1 and openings.count("附件2") == 1
    body = _plain("".join(pages[:first]))
    assert _plain("九大类十个合作事项") in body and _plain("以上汇报，请予审议。") in body
