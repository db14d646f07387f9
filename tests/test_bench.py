"""The benchmark runs end to end (its smallest size), and the shortcuts taken for speed give
exactly what the slower ways they replace give."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import docxtpl
import pytest
from lxml import etree

from pipeline import _docxtpl_steps, _table_layout

ROOT = Path(__file__).resolve().parent.parent
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_smoke_run_prints_the_table_with_every_stage_and_the_documents(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| size"))
    for column in ("wall s", "peak RSS MB", "load s", "render s", "archive s", "documents"):
        assert column in header
    columns = [c.strip() for c in header.strip("|").split("|")]
    rows = {
        cells[0]: dict(zip(columns, cells, strict=True))
        for line in lines
        if line.startswith("| ") and line != header
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert set(rows) == {"import", "2x10", "python-docx 2x10"}
    build = rows["2x10"]
    assert build["workbooks"] == "3" and build["table rows"] == "20"
    for stage in ("load s", "validate s", "merge s", "render s", "archive s"):
        assert float(build[stage]) >= 0
    assert float(build["wall s"]) > float(build["render s"])
    assert (tmp_path / "2x10" / "报告信息.xlsx").is_file()
    assert int(build["documents"]) >= 2  # the report and at least one region's table
    assert rows["python-docx 2x10"]["documents"] == "1"


def test_synthetic_inputs_are_valid_and_the_same_every_time(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import synthetic
    finally:
        sys.path.remove(str(ROOT / "bench"))
    from pipeline.build import check

    size = synthetic.write_inputs(tmp_path / "a", departments=3, rows=12)
    prepared = check(tmp_path / "a")
    tables = prepared.dossier.regions
    assert sum(t.row_count for t in tables) == size.table_rows == 36
    assert any(not row.included for t in tables for item in t.items for row in item.rows)
    assert any(len(item.rows) > 1 for t in tables for item in t.items)
    report = prepared.dossier.report
    entries = sum(
        len(s.entries) + sum(len(sub.entries) for sub in s.subsections) for s in report.sections
    )
    assert entries == size.paragraphs
    assert synthetic.generate(size) == synthetic.generate(size)


def _docxtpl_fix_tables(xml: str):
    return docxtpl.DocxTemplate.fix_tables(None, xml)


def _table_xml(grid: list[str | None], rows: list[list[str | None]]) -> str:
    """A body with one table: gridCol widths (None: no width) and rows of cells, each cell
    given by its gridSpan value (None: no gridSpan)."""
    cols = "".join(
        "<w:gridCol/>" if width is None else f'<w:gridCol w:w="{width}"/>' for width in grid
    )
    body = ""
    for row in rows:
        cells = "".join(
            "<w:tc><w:p/></w:tc>"
            if span is None
            else f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p/></w:tc>'
            for span in row
        )
        body += f"<w:tr>{cells}</w:tr>"
    return (
        f'<w:body xmlns:w="{W}"><w:p/><w:tbl><w:tblPr/><w:tblGrid>{cols}</w:tblGrid>'
        f"{body}</w:tbl><w:sectPr/></w:body>"
    )


@pytest.mark.parametrize(
    ("grid", "rows"),
    [
        (["1000", "2000", "3000"], [[None, None, None], [None, "2"]]),  # as it is
        (["1000", "2000"], [[None, None, None, None], [None, "3"]]),  # a {%tc %} loop added cells
        (["1000", "2000", "3000", "4000"], [[None, None], [None, "2"]]),  # fewer cells than grid
        (["900", "901", "902"], [[None, "4"], [None] * 6]),  # both, with spans
        ([None, None], [[None, None, None]]),  # no widths: nothing to scale
        (["1000", "1000"], [[None, "x"]]),  # a broken gridSpan
        (["1000", None, "1000"], [[None]]),  # a missing width where one is removed
        (["1000"], []),  # no rows
    ],
)
def test_fix_tables_gives_what_docxtpl_gives(grid, rows):
    xml = _table_xml(grid, rows)
    try:
        expected = etree.tostring(_docxtpl_fix_tables(xml))
    except Exception as exc:  # the same error, for the same broken table
        with pytest.raises(type(exc), match=re.escape(str(exc))):
            _docxtpl_steps.fix_tables(xml)
        return
    assert etree.tostring(_docxtpl_steps.fix_tables(xml)) == expected


def test_fix_tables_without_a_grid_fails_like_docxtpl():
    xml = f'<w:body xmlns:w="{W}"><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:body>'
    with pytest.raises(AttributeError) as expected:
        _docxtpl_fix_tables(xml)
    with pytest.raises(AttributeError, match=re.escape(str(expected.value))):
        _docxtpl_steps.fix_tables(xml)


@pytest.mark.parametrize(
    "text",
    [
        "一行",
        "第一行\n第二行",
        "甲\t乙",
        "分页\f之后",
        "响铃\a",
        "无\n\n空行\t\t",
    ],
)
def test_listing_step_gives_what_docxtpl_gives(tmp_path, text):
    template = docxtpl.DocxTemplate(str(ROOT / "templates" / "project_table.docx"))
    template.init_docx()
    run = f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'
    paragraph = f'<w:p><w:pPr><w:jc w:val="left"/></w:pPr>{run}</w:p>'
    xml = f'<w:body xmlns:w="{W}"><w:p/>{paragraph}<w:p w:rsidR="1">{run}</w:p>x\n</w:body>'
    expected = template.resolve_listing(xml)
    _docxtpl_steps.resolve_listing_where_needed(template)
    assert template.resolve_listing(xml) == expected


def test_cell_text_shortcut_matches_the_full_cleaning():
    samples = ["普通文字", "a\r\nb", "a\rb", "a\x0bb", "a\u2028b\u2029c", "x\x00y\x07z\x7f", "\t\n"]
    for text in samples:
        slow = _table_layout._CONTROL.sub("", _table_layout._LINE_BREAKS.sub("\n", text))
        assert _table_layout._cell_text(text) == slow
