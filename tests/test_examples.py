"""The shipped example inputs reproduce the two seed documents."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from pipeline.api import prepare

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).parent / "data" / "seeds"
FORM_TITLE = "生态环境局工作专报拟文稿"


def _squash(text: str) -> str:
    """Whitespace and the extraction's bold markers removed; PDF spacing is an artefact."""
    return re.sub(r"\s+", "", text).replace("**", "")


def _paragraph_texts(data: bytes, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    body = Document(str(path)).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    prepared = prepare(ROOT / "inputs", ROOT / "templates")
    return {d.name: d.data for d in prepared.documents}, prepared.dossier


def test_examples_build_without_problems(documents):
    files, dossier = documents
    assert dossier.notices == []
    assert set(files) == {
        "工作专报（第95期）.docx",
        "合作交流项目表_永安市.docx",
        "合作交流项目表_大田县.docx",
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
    files, _ = documents
    texts = _paragraph_texts(files[f"合作交流项目表_{region}.docx"], tmp_path, "t.docx")
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


def test_datian_merges_and_spans_like_the_seed(documents, tmp_path):
    files, dossier = documents
    rows = _rows(files["合作交流项目表_大田县.docx"], tmp_path)
    assert len(rows) == 10  # 九大类十个合作事项
    # item 2: two rows (from 废管中心 and 供排水处) with 序号 and 事项 merged
    assert rows[1][0][:2] == ("2", "restart") and rows[2][0][1] == "continue"
    assert rows[1][1][1] == "restart" and rows[2][1][1] == "continue"
    assert "垃圾" in rows[1][2][0] and "污水" in rows[2][2][0]
    # items 6–9 not included: 说明 spans the 8 columns after 对口合作交流内容
    for row in rows[6:]:
        assert len(row) == 4 and row[3][2] == 8
    assert rows[6][3][0].startswith("环保处反馈")
    table = next(t for t in dossier.regions if t.region == "大田县")
    assert (table.item_count, table.row_count, table.excluded_item_count) == (9, 10, 4)


def test_yongan_notes(documents, tmp_path):
    files, _ = documents
    texts = _paragraph_texts(files["合作交流项目表_永安市.docx"], tmp_path, "t.docx")
    joined = "".join(texts)
    assert (
        "注：" in joined and "1、在《上海市浦东新区与永安市" in joined and "2、永安市提出" in joined
    )
