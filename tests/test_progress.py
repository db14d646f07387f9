"""The steps a build tells as it runs: one wording for the terminal and the web page, and the
PDF and OFD copies counted document by document."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from _workbooks import valid_inputs

from pipeline import Step, build
from pipeline.cli._console import progress_display
from pipeline.progress import counting
from pipeline.web.builds import BuildState, fraction, stages

ROOT = Path(__file__).resolve().parents[1]


def test_a_stage_is_named_and_a_conversion_counts_the_document_under_way():
    assert [Step(stage).label for stage in ("load", "validate", "render", "archive")] == [
        "读取工作簿",
        "校验",
        "生成文档",
        "归档",
    ]
    assert Step("pdf", 1, 4).label == "转换 PDF（第 2/4 个）"
    assert Step("pdf", 0, 4).label == "转换 PDF（第 1/4 个）"
    assert Step("pdf", 4, 4).label == "转换 PDF（第 4/4 个）"  # the last one, finished
    assert Step("ofd", 2, 3).label == "转换 OFD（第 3/3 个）"


def test_counting_tells_each_change_once():
    told: list[Step] = []
    done = counting(told.append, "pdf", 3)
    for count in (0, 0, 1, 1, 3, 3):
        done(count)
    assert told == [Step("pdf", 0, 3), Step("pdf", 1, 3), Step("pdf", 3, 3)]
    assert counting(None, "pdf", 3) is None


def test_the_bar_fills_in_stage_order_and_with_the_documents_converted():
    order = stages(pdf=True, ofd=False)
    assert order == ["load", "validate", "merge", "render", "pdf", "archive"]
    filled = [fraction(Step("pdf", done, 4), order) for done in range(5)]
    assert filled == sorted(filled) and len(set(filled)) == 5
    assert fraction(Step("render"), order) < filled[0]
    assert filled[-1] <= fraction(Step("archive"), order) < 1
    # the conversion fills most of the bar: it takes most of such a build
    assert filled[-1] - filled[0] > 0.5
    assert fraction(None, order) == 0.0
    state = BuildState("running", Step("ofd", 1, 2), pdf=True, ofd=True)
    assert state.as_json()["stage"] == "转换 OFD（第 2/2 个）"
    assert 0 < state.as_json()["fraction"] < 1


def test_a_build_without_copies_tells_every_stage_in_order(tmp_path):
    told: list[Step] = []
    build(valid_inputs(tmp_path / "in"), tmp_path / "out", ROOT / "templates", progress=told.append)
    assert told == [Step(s) for s in ("load", "validate", "merge", "render", "archive")]


@pytest.mark.libreoffice
def test_a_build_with_pdf_copies_counts_each_document_converted(tmp_path, libreoffice):
    told: list[Step] = []
    prepared, run = build(
        valid_inputs(tmp_path / "in"),
        tmp_path / "out",
        ROOT / "templates",
        pdf=True,
        progress=told.append,
    )
    total = len(prepared.documents)
    converting = [step for step in told if step.stage == "pdf"]
    assert converting[0] == Step("pdf", 0, total) and converting[-1] == Step("pdf", total, total)
    assert [step.done for step in converting] == sorted({step.done for step in converting})
    stages_told = [step.stage for step in told]
    assert stages_told == [
        "load",
        "validate",
        "merge",
        "render",
        *["pdf"] * len(converting),
        "archive",
    ]
    assert len(list(run.glob("*.pdf"))) == total


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_terminal_spinner_shows_the_label_the_web_page_shows(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_display() as tell:
        tell(Step("pdf", 1, 4))
    assert "转换 PDF（第 2/4 个）…" in terminal.getvalue()
    assert BuildState("running", Step("pdf", 1, 4), pdf=True).as_json()["stage"] + "…" in (
        terminal.getvalue()
    )
