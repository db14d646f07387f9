"""Archive stage: run folders, manifest, atomicity, verification, PDF and OFD copies."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import ofdkit
import openpyxl
import pytest
from _copies import lost_from_copies, pdf_characters, without_character
from _examples import copy_examples
from _ofd import ofd_page_texts, pdf_page_texts
from _pdf import pdf_words
from lxml import etree

import pipeline
from pipeline import api
from pipeline.archive import copy_text, ofd, pdf, run_folder, verify
from pipeline.errors import ArchiveError, LostText, TemplateProblem, ToolMissing
from pipeline.files import normalise_zip
from pipeline.render import (
    MEETING_TEMPLATE,
    REPORT_TEMPLATE,
    TABLE_TEMPLATE,
    RenderedDocument,
    templates_needed,
)

# ------------------------------------------------------------------------ input workbooks

REPORT_FIELDS = [
    ("期号", 95),
    ("编发单位", "浦东新区生态环境局"),
    ("日期", dt.datetime(2023, 11, 20)),
    ("报送", "芝松、兆亮、桂平同志"),
    ("标题", "关于推进现代环境治理体系建设情况的报告"),
    ("导语", "第一段导语。\n第二段导语。"),
    ("落款", "浦东新区生态环境局"),
    ("专报部门", "生态环境督察处"),
    ("专报人", "周杰"),
    ("专报日期", "2023-11-03"),
]
TABLE_FIELDS = [
    ("编制单位", "浦东新区生态环境局"),
    ("领域", "生态环境领域"),
    ("起始年份", 2023),
    ("结束年份", 2025),
]
OUTLINE = [["一级标题", "二级标题"], ["总体情况", None], ["下一步工作", None]]
PROGRESS = [
    ["一级标题", "事项", "内容"],
    ["总体情况", "督察整改", "完成整改 12 项。"],
    ["下一步工作", None, "继续推进。"],
]
COOPERATION_HEADER = ["对口地区", "序号", "事项", "对口合作交流内容", "牵头领导", "牵头部门"]
UNKNOWN_COLUMN = "备注列"  # not in the contract: a notice for the manifest
COOPERATION = [
    [*COOPERATION_HEADER, UNKNOWN_COLUMN],
    ["永安市", 1, "生态环境保护", "技术交流", "沈敏", "环保处", "x"],
    ["永安市", 1, "生态环境保护", "人员互访", "沈敏", "环保处", None],
    ["永安市", 2, "污染防治", "联合执法", "沈敏", "环保处", None],
]
WATER_COOPERATION = [
    COOPERATION_HEADER,
    ["大田县", 1, "水环境治理", "河道整治经验交流", "王强", "水务处", None],
]


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def key_values(fields: list[tuple]) -> list[list]:
    return [list(pair) for pair in fields]


def make_report_inputs(folder: Path) -> Path:
    """Office workbook with a work report and table settings; two departments."""
    folder.mkdir(parents=True, exist_ok=True)
    write_workbook(
        folder / "报告信息.xlsx",
        {
            "专报信息": key_values(REPORT_FIELDS),
            "提纲": OUTLINE,
            "项目表信息": key_values(TABLE_FIELDS),
        },
    )
    write_workbook(folder / "环保处.xlsx", {"工作进展": PROGRESS, "合作交流项目": COOPERATION})
    write_workbook(folder / "水务处.xlsx", {"合作交流项目": WATER_COOPERATION})
    return folder


def make_table_inputs(folder: Path) -> Path:
    """The smallest valid set: table settings and one department's cooperation rows."""
    folder.mkdir(parents=True, exist_ok=True)
    write_workbook(folder / "报告信息.xlsx", {"项目表信息": key_values(TABLE_FIELDS)})
    write_workbook(folder / "水务处.xlsx", {"合作交流项目": WATER_COOPERATION})
    return folder


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return make_report_inputs(tmp_path / "inputs")


def make_templates(folder: Path) -> Path:
    folder.mkdir()
    (folder / REPORT_TEMPLATE).write_bytes(b"report template v1")
    (folder / TABLE_TEMPLATE).write_bytes(b"table template v1")
    return folder


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    return make_templates(tmp_path / "templates")


# ------------------------------------------------------------------------ fake renderers


def fake_render_documents(dossier, templates: Path) -> list[RenderedDocument]:
    """Deterministic bytes that depend on the dossier and on the template files' bytes."""

    def data(template: str, content: object) -> bytes:
        stamp = hashlib.sha256((templates / template).read_bytes()).hexdigest()
        return f"{template}:{stamp}\n{content!r}".encode()

    documents = []
    if dossier.report is not None:
        name = f"工作专报第{dossier.report.settings.issue_number}期.docx"
        documents.append(
            RenderedDocument(name, data(REPORT_TEMPLATE, dossier.report), REPORT_TEMPLATE)
        )
    for table in dossier.regions:
        documents.append(
            RenderedDocument(f"{table.region}.docx", data(TABLE_TEMPLATE, table), TABLE_TEMPLATE)
        )
    return documents


def docx_render_documents(dossier, templates: Path) -> list[RenderedDocument]:
    """Real .docx files (python-docx) with a ruled table, for LibreOffice to convert."""
    import docx

    documents = []
    for table in dossier.regions:
        document = docx.Document()
        document.add_paragraph(table.title)
        for item in table.items:
            document.add_paragraph(f"{item.number} {item.name}")
        grid = document.add_table(rows=0, cols=2, style="Table Grid")  # rules of 0.5 pt
        for item in table.items:
            cells = grid.add_row().cells
            cells[0].text, cells[1].text = str(item.number), item.name
        buffer = io.BytesIO()
        document.save(buffer)
        documents.append(
            RenderedDocument(
                f"{table.region}.docx", normalise_zip(buffer.getvalue()), TABLE_TEMPLATE
            )
        )
    return documents


@pytest.fixture
def fake_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "render_documents", fake_render_documents)


# ------------------------------------------------------------------------ helpers

RUN_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{6}_(第\d+期|合作交流项目表)(_\d+)?$")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every folder and file below `folder` (hidden ones too), files with their bytes."""
    found: dict[str, bytes | None] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            found[Path(root, name).relative_to(folder).as_posix()] = None
        for name in files:
            path = Path(root, name)
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_of(run: Path) -> dict:
    return json.loads((run / run_folder.MANIFEST).read_text(encoding="utf-8"))


def temp_folders(outputs: Path) -> list[Path]:
    return [p for p in outputs.iterdir() if p.name.startswith(run_folder.TEMP_PREFIX)]


def fixed_clock(*moments: dt.datetime):
    remaining = list(moments)
    return lambda: remaining.pop(0)


def differing(report: verify.VerifyReport) -> dict[str, str]:
    return {check.path: check.reason for check in report.differences}


# ------------------------------------------------------------------------ run folders


def test_two_builds_give_two_folders_with_identical_documents(
    inputs, templates, tmp_path, fake_render
):
    outputs = tmp_path / "outputs"
    _, first = api.build(inputs, outputs, templates)
    _, second = api.build(inputs, outputs, templates)

    assert first != second
    assert first.parent == second.parent == outputs
    first_docs = {e["file"]: e["sha256"] for e in manifest_of(first)["documents"]}
    second_docs = {e["file"]: e["sha256"] for e in manifest_of(second)["documents"]}
    assert first_docs == second_docs
    assert set(first_docs) == {"工作专报第95期.docx", "永安市.docx", "大田县.docx"}
    for name in first_docs:
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_run_folder_is_named_by_local_time_and_issue(inputs, templates, tmp_path, fake_render):
    outputs = tmp_path / "outputs"
    before = dt.datetime.now().replace(microsecond=0)
    _, run = api.build(inputs, outputs, templates)
    after = dt.datetime.now()

    assert RUN_NAME.match(run.name), run.name
    assert "第95期" in run.name
    stamp = dt.datetime.strptime(run.name[:17], run_folder.NAME_TIME_FORMAT)
    assert before <= stamp <= after


def test_folder_names_sort_by_time_and_never_reuse_a_name(inputs, templates, tmp_path, fake_render):
    outputs = tmp_path / "outputs"
    prepared = api.prepare(inputs, templates)
    paths = [templates / name for name in templates_needed(prepared.dossier)]
    moments = [
        dt.datetime(2026, 11, 23, 9, 59, 59),
        dt.datetime(2026, 11, 23, 10, 0, 0),
        dt.datetime(2026, 11, 23, 10, 0, 0),  # same second as the one before
        dt.datetime(2026, 11, 23, 10, 0, 0),
        dt.datetime(2026, 11, 24, 8, 0, 0),
    ]
    clock = fixed_clock(*moments)
    runs = []
    for _ in moments:
        earlier = {run: snapshot(run) for run in runs}
        runs.append(
            run_folder.write_run(outputs, prepared, inputs=inputs, templates=paths, clock=clock)
        )
        assert {run: snapshot(run) for run in runs[:-1]} == earlier  # earlier runs untouched

    names = [run.name for run in runs]
    assert names == [
        "2026-11-23_095959_第95期",
        "2026-11-23_100000_第95期",
        "2026-11-23_100000_第95期_2",
        "2026-11-23_100000_第95期_3",
        "2026-11-24_080000_第95期",
    ]
    assert sorted(names) == names
    assert sorted(p.name for p in outputs.iterdir()) == names


def test_without_a_report_the_folder_is_named_after_the_tables(tmp_path, templates, fake_render):
    inputs = make_table_inputs(tmp_path / "inputs")
    _, run = api.build(inputs, tmp_path / "outputs", templates)

    assert RUN_NAME.match(run.name), run.name
    assert run.name.endswith("_合作交流项目表")
    assert [e["file"] for e in manifest_of(run)["documents"]] == ["大田县.docx"]
    assert manifest_of(run)["report"] is None
    assert os.listdir(run / "templates") == [TABLE_TEMPLATE]


def test_outputs_folder_is_created_when_missing(inputs, templates, tmp_path, fake_render):
    outputs = tmp_path / "deep" / "outputs"
    _, run = api.build(inputs, outputs, templates)
    assert run.parent == outputs
    assert (run / run_folder.MANIFEST).is_file()


def test_run_folder_holds_documents_inputs_templates_and_manifest(
    inputs, templates, tmp_path, fake_render
):
    prepared, run = api.build(inputs, tmp_path / "outputs", templates)

    assert sorted(snapshot(run)) == sorted(
        [
            "inputs",
            "inputs/报告信息.xlsx",
            "inputs/水务处.xlsx",
            "inputs/环保处.xlsx",
            "templates",
            f"templates/{REPORT_TEMPLATE}",
            f"templates/{TABLE_TEMPLATE}",
            "manifest.json",
            "dossier.json",
            "大田县.docx",
            "工作专报第95期.docx",
            "永安市.docx",
        ]
    )
    for document in prepared.documents:
        # The archive writes the renderer's bytes unchanged.
        assert (run / document.name).read_bytes() == document.data
    for source in inputs.iterdir():
        assert (run / "inputs" / source.name).read_bytes() == source.read_bytes()
    for source in templates.iterdir():
        assert (run / "templates" / source.name).read_bytes() == source.read_bytes()


def test_workbook_saved_again_during_the_build_is_archived_as_it_was_read(
    inputs, templates, tmp_path, monkeypatch
):
    """A department saves its workbook again while the documents are rendered: the run folder
    keeps the bytes that were parsed, with their hash, not the file as it is afterwards."""
    workbook = inputs / "水务处.xlsx"
    read_bytes = workbook.read_bytes()
    saved_at = workbook.stat().st_mtime_ns

    def render_while_the_file_changes(dossier, folder):
        rows = [*WATER_COOPERATION, ["大田县", 2, "后来加的", "读取之后才保存", "王强", "水务处"]]
        write_workbook(workbook, {"合作交流项目": rows})
        assert workbook.read_bytes() != read_bytes
        return fake_render_documents(dossier, folder)

    monkeypatch.setattr(api, "render_documents", render_while_the_file_changes)
    prepared, run = api.build(inputs, tmp_path / "outputs", templates)

    archived = run / "inputs" / workbook.name
    assert archived.read_bytes() == read_bytes
    entry = next(e for e in manifest_of(run)["inputs"] if e["file"] == workbook.name)
    assert entry["sha256"] == hashlib.sha256(read_bytes).hexdigest()
    assert entry["size"] == len(read_bytes)
    assert entry["rows"] == {"合作交流项目": 1}  # the rows that were read, from those bytes
    assert archived.stat().st_mtime_ns == saved_at  # when the department saved what was read
    assert api.verify(run).ok


def test_workbook_deleted_during_the_build_is_still_archived(
    inputs, templates, tmp_path, monkeypatch
):
    workbook = inputs / "水务处.xlsx"
    read_bytes = workbook.read_bytes()

    def render_after_the_file_is_gone(dossier, folder):
        workbook.unlink()
        return fake_render_documents(dossier, folder)

    monkeypatch.setattr(api, "render_documents", render_after_the_file_is_gone)
    _, run = api.build(inputs, tmp_path / "outputs", templates)
    assert (run / "inputs" / workbook.name).read_bytes() == read_bytes


# ------------------------------------------------------------------------ manifest


def test_manifest_records_hashes_row_counts_and_notices(inputs, templates, tmp_path, fake_render):
    before = dt.datetime.now().astimezone().replace(microsecond=0)
    prepared, run = api.build(inputs, tmp_path / "outputs", templates)
    after = dt.datetime.now().astimezone()
    manifest = manifest_of(run)

    assert manifest["tool"]["version"] == pipeline.__version__
    built_at = dt.datetime.fromisoformat(manifest["built_at"])
    assert built_at.tzinfo is not None
    assert before <= built_at <= after

    inputs_by_file = {e["file"]: e for e in manifest["inputs"]}
    assert [e["file"] for e in manifest["inputs"]] == sorted(inputs_by_file)
    assert set(inputs_by_file) == {p.name for p in inputs.iterdir()}
    for name, entry in inputs_by_file.items():
        assert entry["sha256"] == sha256(inputs / name) == sha256(run / "inputs" / name)
        assert entry["size"] == (inputs / name).stat().st_size
        assert entry["department"] == Path(name).stem
    assert inputs_by_file["报告信息.xlsx"]["rows"] == {
        "专报信息": len(REPORT_FIELDS),
        "提纲": len(OUTLINE) - 1,
        "项目表信息": len(TABLE_FIELDS),
    }
    assert inputs_by_file["环保处.xlsx"]["rows"] == {
        "工作进展": len(PROGRESS) - 1,
        "合作交流项目": len(COOPERATION) - 1,
    }
    assert inputs_by_file["水务处.xlsx"]["rows"] == {"合作交流项目": len(WATER_COOPERATION) - 1}

    for entry in manifest["templates"]:
        assert entry["sha256"] == sha256(templates / entry["file"])
        assert entry["sha256"] == sha256(run / "templates" / entry["file"])
    for entry in manifest["documents"]:
        assert entry["sha256"] == sha256(run / entry["file"])
        assert entry["size"] == (run / entry["file"]).stat().st_size
    assert {e["file"]: e["template"] for e in manifest["documents"]} == {
        "工作专报第95期.docx": REPORT_TEMPLATE,
        "永安市.docx": TABLE_TEMPLATE,
        "大田县.docx": TABLE_TEMPLATE,
    }
    assert manifest["pdfs"] == [] and manifest["ofds"] == []

    letter = openpyxl.utils.get_column_letter(COOPERATION[0].index(UNKNOWN_COLUMN) + 1)
    unknown = [n for n in manifest["notices"] if n["column"] == UNKNOWN_COLUMN]
    assert len(unknown) == 1
    assert unknown[0] | {"message": ""} == {
        "level": "提示",
        "file": "环保处.xlsx",
        "sheet": "合作交流项目",
        "cell": f"{letter}1",
        "column": UNKNOWN_COLUMN,
        "message": "",
    }
    assert unknown[0]["message"]
    assert len(manifest["notices"]) == len(prepared.dossier.notices)

    assert set(manifest["timings_seconds"]) >= {"load", "validate", "merge", "render"}
    assert all(v >= 0 for v in manifest["timings_seconds"].values())
    assert manifest["report"]["issue_number"] == "95"
    assert {t["region"]: (t["items"], t["rows"]) for t in manifest["tables"]} == {
        "永安市": (2, 3),
        "大田县": (1, 1),
    }


def test_manifest_is_readable_utf8_sorted_and_indented(inputs, templates, tmp_path, fake_render):
    _, run = api.build(inputs, tmp_path / "outputs", templates)
    raw = (run / run_folder.MANIFEST).read_bytes()
    text = raw.decode("utf-8")

    assert "环保处.xlsx" in text  # Chinese as is, not \u escapes
    assert "\\u" not in text
    again = json.dumps(json.loads(text), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert text == again


# ------------------------------------------------------------------------ atomicity


def test_failed_render_leaves_outputs_exactly_as_before(
    inputs, templates, tmp_path, fake_render, monkeypatch
):
    outputs = tmp_path / "outputs"
    api.build(inputs, outputs, templates)
    before = snapshot(outputs)

    def broken(dossier, templates):
        raise TemplateProblem(TABLE_TEMPLATE, "标签有误")

    monkeypatch.setattr(api, "render_documents", broken)
    with pytest.raises(TemplateProblem):
        api.build(inputs, outputs, templates)

    assert snapshot(outputs) == before
    assert temp_folders(outputs) == []


class Injected(Exception):
    pass


@pytest.mark.parametrize(
    ("target", "raised", "expected"),
    [
        ("copy2", OSError(errno.ENOSPC, "No space left on device"), ArchiveError),
        ("manifest", Injected("manifest"), Injected),
        ("manifest", KeyboardInterrupt(), KeyboardInterrupt),
    ],
    ids=["disk-full-while-copying", "manifest-writer-fails", "interrupted"],
)
def test_failure_inside_write_run_leaves_no_run_folder_and_no_temp(
    inputs, templates, tmp_path, fake_render, monkeypatch, target, raised, expected
):
    outputs = tmp_path / "outputs"
    api.build(inputs, outputs, templates)
    before = snapshot(outputs)
    written_at_failure: list[str] = []

    def fail() -> None:
        # Prove the failure comes mid-assembly: a temporary folder already holds files.
        for temp in temp_folders(outputs):
            written_at_failure.extend(k for k, v in snapshot(temp).items() if v is not None)
        raise raised

    if target == "copy2":
        real_copy2 = shutil.copy2
        calls = []

        def copy2(source, destination, **kwargs):
            calls.append(source)
            if len(calls) == 2:
                fail()
            return real_copy2(source, destination, **kwargs)

        monkeypatch.setattr(shutil, "copy2", copy2)
    else:
        monkeypatch.setattr(run_folder, "_write_manifest", lambda path, manifest: fail())

    with pytest.raises(expected):
        api.build(inputs, outputs, templates)

    assert written_at_failure, "the failure should come after some files were written"
    assert snapshot(outputs) == before
    assert temp_folders(outputs) == []


def test_unsafe_document_name_is_refused_before_writing(inputs, templates, tmp_path, monkeypatch):
    def escaping(dossier, templates):
        return [RenderedDocument("../outside.docx", b"x", TABLE_TEMPLATE)]

    monkeypatch.setattr(api, "render_documents", escaping)
    outputs = tmp_path / "outputs"
    with pytest.raises(ArchiveError, match="outside"):
        api.build(inputs, outputs, templates)

    assert not (tmp_path / "outside.docx").exists()
    assert snapshot(outputs) == {}


def test_stale_temporary_folder_of_a_killed_build_is_removed(
    inputs, templates, tmp_path, fake_render
):
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    stale = outputs / f"{run_folder.TEMP_PREFIX}2026-01-01_000000_第1期-dead"
    recent = outputs / f"{run_folder.TEMP_PREFIX}2026-01-01_000000_第2期-busy"
    for folder in (stale, recent):
        folder.mkdir()
        (folder / "a.docx").write_bytes(b"partial")
    old = (dt.datetime.now() - dt.timedelta(days=1)).timestamp()
    os.utime(stale, (old, old))

    api.build(inputs, outputs, templates)

    assert not stale.exists()
    assert recent.exists()  # may belong to a build still running


# ------------------------------------------------------------------------ verify


@pytest.fixture
def run(inputs, templates, tmp_path, fake_render) -> Path:
    return api.build(inputs, tmp_path / "outputs", templates)[1]


def test_verify_untouched_run_is_ok(run):
    report = api.verify(run)

    assert report.ok, report.lines()
    assert report.differences == []
    assert {c.path for c in report.identical} == {
        "inputs/报告信息.xlsx",
        "inputs/水务处.xlsx",
        "inputs/环保处.xlsx",
        f"templates/{REPORT_TEMPLATE}",
        f"templates/{TABLE_TEMPLATE}",
        "工作专报第95期.docx",
        "永安市.docx",
        "大田县.docx",
        "dossier.json",
    }


def test_verify_does_not_depend_on_the_original_inputs(run, inputs, templates):
    shutil.rmtree(inputs)
    shutil.rmtree(templates)
    assert api.verify(run).ok


def test_verify_names_an_altered_input(run):
    archived = run / "inputs" / "环保处.xlsx"
    book = openpyxl.load_workbook(archived)
    book["合作交流项目"]["D2"] = "技术交流（改过）"
    book.save(archived)

    report = api.verify(run)

    assert not report.ok
    differences = differing(report)
    assert "SHA-256" in differences["inputs/环保处.xlsx"]
    assert "重新生成的文档与归档的文档不一致" in differences["永安市.docx"]
    assert "inputs/报告信息.xlsx" not in differences
    assert "大田县.docx" not in differences
    assert any("inputs/环保处.xlsx" in line for line in report.lines())


def test_verify_names_an_altered_document(run):
    document = run / "工作专报第95期.docx"
    document.write_bytes(document.read_bytes() + b"\n")

    report = api.verify(run)

    assert not report.ok
    differences = differing(report)
    assert set(differences) == {"工作专报第95期.docx"}
    assert "归档后被修改过" in differences["工作专报第95期.docx"]
    assert "重新生成的文档与归档的文档不一致" in differences["工作专报第95期.docx"]


def test_verify_names_an_altered_template_and_the_documents_it_changes(run):
    (run / "templates" / TABLE_TEMPLATE).write_bytes(b"table template v2")

    differences = differing(api.verify(run))

    assert set(differences) == {f"templates/{TABLE_TEMPLATE}", "永安市.docx", "大田县.docx"}


def test_verify_reports_an_input_that_can_no_longer_be_read(run):
    (run / "inputs" / "水务处.xlsx").write_bytes(b"not a workbook")

    report = api.verify(run)

    differences = differing(report)
    assert "inputs/水务处.xlsx" in differences
    for name in ("工作专报第95期.docx", "永安市.docx", "大田县.docx"):
        assert "无法用归档的输入和模板重新生成" in differences[name]


def test_verify_reports_missing_and_unrecorded_files(run):
    (run / "大田县.docx").unlink()
    (run / "inputs" / "新增处.xlsx").write_bytes((run / "inputs" / "水务处.xlsx").read_bytes())
    (run / "~$工作专报第95期.docx").write_bytes(b"Word lock file")  # ignored

    differences = differing(api.verify(run))

    assert "缺失" in differences["大田县.docx"]
    assert "没有记录" in differences["inputs/新增处.xlsx"]
    assert not any(path.startswith("~$") for path in differences)


def test_verify_notes_a_different_tool_version(run):
    manifest = manifest_of(run)
    manifest["tool"]["version"] = "0.0.1"
    (run / run_folder.MANIFEST).write_text(run_folder.manifest_text(manifest), encoding="utf-8")

    report = api.verify(run)

    assert report.ok
    assert any("0.0.1" in note for note in report.notes)


def test_verify_refuses_a_folder_without_manifest(run, tmp_path):
    (run / run_folder.MANIFEST).unlink()
    with pytest.raises(ArchiveError, match=run_folder.MANIFEST):
        api.verify(run)
    with pytest.raises(ArchiveError, match="找不到"):
        api.verify(tmp_path / "no-such-run")


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[]",
        '{"inputs": [], "templates": [], "documents": [{"file": "../x.docx", '
        '"sha256": "0"}], "pdfs": []}',
        '{"inputs": [], "templates": [], "documents": [], "pdfs": [], '
        '"ofds": [{"file": "../x.ofd", "sha256": "0"}]}',
    ],
    ids=["broken-json", "not-an-object", "path-in-file-name", "path-in-ofd-name"],
)
def test_verify_refuses_a_damaged_manifest(run, text):
    (run / run_folder.MANIFEST).write_text(text, encoding="utf-8")
    with pytest.raises(ArchiveError):
        api.verify(run)


# ------------------------------------------------------------------------ PDF


def test_pdf_without_libreoffice_raises_and_writes_nothing(
    inputs, templates, tmp_path, fake_render, monkeypatch
):
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    monkeypatch.setattr(pdf, "_usual_locations", lambda: [])
    fresh = tmp_path / "fresh-outputs"
    with pytest.raises(ToolMissing, match="LibreOffice"):
        api.build(inputs, fresh, templates, pdf=True)
    assert not fresh.exists()

    outputs = tmp_path / "outputs"
    monkeypatch.undo()
    monkeypatch.setattr(api, "render_documents", fake_render_documents)
    api.build(inputs, outputs, templates)
    before = snapshot(outputs)
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    monkeypatch.setattr(pdf, "_usual_locations", lambda: [])
    with pytest.raises(ToolMissing):
        api.build(inputs, outputs, templates, pdf=True)
    assert snapshot(outputs) == before


def libreoffice_or_skip() -> None:
    try:
        run_folder.find_libreoffice()
    except ToolMissing:
        if os.environ.get("CI"):
            raise
        pytest.skip("LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def copies_run(tmp_path_factory) -> Path:
    """A run of two small documents built with PDF and OFD copies (LibreOffice starts once)."""
    libreoffice_or_skip()
    folder = tmp_path_factory.mktemp("copies")
    inputs, templates = make_report_inputs(folder / "inputs"), make_templates(folder / "templates")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api, "render_documents", docx_render_documents)
        return api.build(inputs, folder / "outputs", templates, ofd=True)[1]


@pytest.fixture
def docx_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `copies_run` was rendered with, for verify to render again."""
    monkeypatch.setattr(api, "render_documents", docx_render_documents)


@pytest.mark.libreoffice
def test_pdf_is_written_beside_the_documents(copies_run, docx_render):
    run = copies_run
    manifest = manifest_of(run)

    documents = [e["file"] for e in manifest["documents"]]
    pdfs = {e["file"]: e for e in manifest["pdfs"]}
    assert set(pdfs) == {Path(name).stem + ".pdf" for name in documents}
    for name, entry in pdfs.items():
        data = (run / name).read_bytes()
        assert data.startswith(b"%PDF")
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["source"] == Path(name).stem + ".docx"
        expected = pdf.PDF_A_FORMAT if b"pdfaid:part" in data else pdf.PLAIN_PDF_FORMAT
        assert entry["format"] == expected
    # LibreOffice's lock and profile files (and pdf2ofd's files) stay out of the run folder.
    assert {p.name for p in run.iterdir() if p.is_file()} == {
        run_folder.MANIFEST,
        "dossier.json",
        *documents,
        *pdfs,
        *(e["file"] for e in manifest["ofds"]),
    }
    assert api.verify(run).ok


# ------------------------------------------------------------------------ copies' text

TABLE_PDF = "永安市.pdf"  # docx_render_documents' table of 永安市: "2 污染防治" on page 1
LOST = "染"


@pytest.mark.libreoffice
def test_copies_hold_every_character_of_their_documents(copies_run):
    assert lost_from_copies(copies_run, manifest_of(copies_run)) == {}


@pytest.mark.libreoffice
def test_a_real_copy_without_one_character_is_found_with_page_and_context(copies_run, tmp_path):
    lossy_pdf = tmp_path / TABLE_PDF
    lossy_pdf.write_bytes(without_character((copies_run / TABLE_PDF).read_bytes(), LOST))
    # the copy really lacks one character, as poppler reads it too
    assert pdf_characters(copies_run / TABLE_PDF) - pdf_characters(lossy_pdf) == {LOST: 1}

    document = (copies_run / "永安市.docx").read_bytes()
    found = copy_text.check_copy(
        lossy_pdf.read_bytes(), document, copy=TABLE_PDF, document="永安市.docx"
    )
    assert found is not None and found.missing == {LOST: 1}
    (loss,) = found.losses
    assert (loss.character, loss.page) == (LOST, 1)
    assert loss.before.endswith("污") and loss.after.startswith("防治")
    untouched = (copies_run / TABLE_PDF).read_bytes()
    assert copy_text.check_copy(untouched, document, copy=TABLE_PDF, document="x") is None


def lossy_conversions(monkeypatch: pytest.MonkeyPatch, *, pdf_copy: bool) -> None:
    """The build's converters, the table's PDF (or its OFD) then made to lack one 染."""
    if pdf_copy:
        convert = run_folder.convert_to_pdf

        def lossy_pdf(documents, soffice, **options):
            return [
                (name, without_character(data, LOST) if name == TABLE_PDF else data, *rest)
                for name, data, *rest in convert(documents, soffice, **options)
            ]

        monkeypatch.setattr(run_folder, "convert_to_pdf", lossy_pdf)
    else:
        convert_ofd = run_folder.convert_to_ofd

        def lossy_ofd(pdfs, created, **options):
            return [
                (name, without_ofd_character(data, LOST) if source == TABLE_PDF else data, source)
                for name, data, source in convert_ofd(pdfs, created=created, **options)
            ]

        monkeypatch.setattr(run_folder, "convert_to_ofd", lossy_ofd)


def without_ofd_character(ofd_data: bytes, character: str) -> bytes:
    """The OFD with `character` taken out of the first text object that holds it."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(ofd_data)) as package:
        for name in package.namelist():
            parts[name] = package.read(name)
    for name in sorted(n for n in parts if n.endswith("Content.xml")):
        root = etree.fromstring(parts[name])
        codes = [c for c in root.iter(f"{{{ofd.OFD_NS}}}TextCode") if character in c.text]
        if codes:
            codes[0].text = codes[0].text.replace(character, "", 1)
            codes[0].attrib.pop("DeltaX", None)
            parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            break
    else:
        raise AssertionError(f"{character} is in no text object")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.libreoffice
@pytest.mark.parametrize("lossy", ["pdf", "ofd"])
def test_build_refuses_a_copy_that_lost_a_character_and_writes_nothing(
    inputs, templates, tmp_path, docx_render, monkeypatch, lossy
):
    libreoffice_or_skip()
    outputs = tmp_path / "outputs"
    api.build(inputs, outputs, templates)  # an earlier run, which must stay as it is
    before = snapshot(outputs)
    lossy_conversions(monkeypatch, pdf_copy=lossy == "pdf")
    copy = TABLE_PDF if lossy == "pdf" else "永安市.ofd"

    with pytest.raises(LostText) as refused:
        api.build(inputs, outputs, templates, ofd=True)

    assert refused.value.copies == [copy]
    message = refused.value.message
    assert f"以下副本缺少文档中的文字：{copy}" in message and "未生成运行文件夹" in message
    assert f"{copy}：比 永安市.docx 少 1 个字符：{LOST}" in message
    assert f"{copy} › 第 1 页：缺少原文「" in message and f"「{LOST}」" in message
    assert snapshot(outputs) == before


def archived_as(run: Path, name: str, data: bytes) -> None:
    """`name`'s copy in `run` replaced by `data`, and the manifest recording it so, as if the
    copy had been archived that way."""
    (run / name).write_bytes(data)
    manifest = manifest_of(run)
    for entry in manifest["pdfs"]:
        if entry["file"] == name:
            entry.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    (run / run_folder.MANIFEST).write_text(run_folder.manifest_text(manifest), encoding="utf-8")


@pytest.mark.libreoffice
def test_verify_finds_a_copy_that_lost_a_character(copies_run, docx_render, tmp_path):
    """A run archived with a lossy PDF (as builds did before they checked): verify says so,
    in-process and as the office runs it."""
    run = shutil.copytree(copies_run, tmp_path / "outputs" / copies_run.name)
    archived_as(run, TABLE_PDF, without_character((run / TABLE_PDF).read_bytes(), LOST))

    report = api.verify(run)
    assert set(differing(report)) == {TABLE_PDF}
    reason = differing(report)[TABLE_PDF]
    assert reason.startswith(f"PDF 副本缺少文档中的文字：比 永安市.docx 少 1 个字符（{LOST}）")
    assert "第 1 页缺少原文「" in reason

    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "verify", f"outputs/{run.name}"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 1
    assert f"不一致  {TABLE_PDF}：PDF 副本缺少文档中的文字" in result.stdout
    assert "未通过核对" in result.stderr


@pytest.mark.libreoffice
def test_verify_reports_a_copy_whose_text_cannot_be_read(copies_run, docx_render, tmp_path):
    run = shutil.copytree(copies_run, tmp_path / copies_run.name)
    archived_as(run, TABLE_PDF, b"%PDF-1.7\n" + b"\0" * 100)  # as if archived damaged
    differences = differing(api.verify(run))
    assert set(differences) == {TABLE_PDF}
    assert differences[TABLE_PDF].startswith("PDF 副本的文字无法读取：")


# ------------------------------------------------------------------------ OFD


@pytest.mark.parametrize("module", ["pdf2ofd", "fitz", "fontTools"])  # fitz: PyMuPDF
def test_ofd_without_its_converter_is_refused_before_any_work(
    inputs, templates, tmp_path, monkeypatch, module
):
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: f"/opt/lo/{name}")
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: find_spec says None

    def render(*args):
        raise AssertionError("rendered although no OFD can be made")

    monkeypatch.setattr(api, "render_documents", render)
    outputs = tmp_path / "outputs"
    with pytest.raises(ToolMissing) as refused:
        api.build(inputs, outputs, templates, ofd=True)
    assert "未安装生成 OFD 所需的 pdf2ofd、PyMuPDF 和 fontTools" in refused.value.message
    assert "去掉 --ofd" in refused.value.message
    assert not outputs.exists()


@pytest.mark.libreoffice
def test_ofd_copy_of_each_pdf_is_listed_and_verified(copies_run, docx_render):
    run = copies_run
    manifest = manifest_of(run)
    pdfs = [e["file"] for e in manifest["pdfs"]]
    entries = {e["file"]: e for e in manifest["ofds"]}
    assert len(pdfs) == 2 and set(entries) == {Path(name).stem + ".ofd" for name in pdfs}
    for name, entry in entries.items():
        data = (run / name).read_bytes()
        assert data.startswith(b"PK")
        assert entry["source"] == Path(name).stem + ".pdf"
        assert entry["format"] == "OFD"
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
    report = api.verify(run)
    assert report.ok, report.lines()


@pytest.mark.libreoffice
def test_ofd_text_is_the_pdfs_on_every_page_where_the_pdf_draws_it(copies_run):
    for entry in manifest_of(copies_run)["ofds"]:
        ofd_path, pdf_path = copies_run / entry["file"], copies_run / entry["source"]
        texts = ofd_page_texts(ofd_path)
        assert texts == pdf_page_texts(pdf_path) and all(texts), entry["file"]

        # Each text object starts on a word of the PDF that holds its first character.
        words = list(pdf_words(pdf_path))
        with ofdkit.open(ofd_path) as document:
            for number, page in enumerate(document.pages, 1):
                for run in page.runs:
                    x, y = run.x / ofd.MM_PER_POINT, run.y / ofd.MM_PER_POINT  # in points
                    first = run.text.strip()[0]
                    assert any(
                        w.page == number
                        and w.x0 - 1 <= x <= w.x1
                        and w.y0 <= y <= w.y1 + 1
                        and first in w.text
                        for w in words
                    ), (entry["file"], number, run)


@pytest.mark.libreoffice
def test_ofd_follows_the_standard_where_pdf2ofd_does_not(copies_run):
    """GB/T 33190: version 1.0, a DocID of 32 hex digits, MaxUnitID first and no ID used
    twice or above it; the PDF's 0.5 pt table rules stay 0.5 pt (pdf2ofd's default 1 pt)."""
    ns = {"ofd": ofd.OFD_NS}
    for entry in manifest_of(copies_run)["ofds"]:
        with zipfile.ZipFile(copies_run / entry["file"]) as package:
            names = [n for n in package.namelist() if n.endswith(".xml")]
            parts = {n: etree.fromstring(package.read(n)) for n in names}
        root = parts["OFD.xml"]
        assert root.get("Version") == "1.0"
        assert re.fullmatch(
            r"[0-9A-F]{32}", root.findtext("ofd:DocBody/ofd:DocInfo/ofd:DocID", namespaces=ns)
        )
        common = parts["Doc_0/Document.xml"].find("ofd:CommonData", ns)
        assert etree.QName(common[0]).localname == "MaxUnitID"
        ids = [e.get("ID") for part in parts.values() for e in part.iter() if e.get("ID")]
        assert len(ids) == len(set(ids)) and max(map(int, ids)) <= int(common[0].text)
        lines = [
            path.get("LineWidth")
            for part in parts.values()
            for path in part.iterfind(".//ofd:PathObject[@Stroke='true']", ns)
        ]
        assert lines and set(lines) == {"0.176"}, lines  # 0.5 pt in mm


@pytest.mark.libreoffice
def test_every_font_the_ofd_names_is_embedded_and_holds_its_text(copies_run):
    """A reader needs no font of its own: each Font of PublicRes has its FontFile in the
    package, a TrueType font whose map holds every character its text objects use."""
    import fitz
    from fontTools.ttLib import TTFont

    ns = {"ofd": ofd.OFD_NS}
    source = fitz.Font(ofd.TEXT_FONT_CODE)  # the face the subset is made of
    for entry in manifest_of(copies_run)["ofds"]:
        with zipfile.ZipFile(copies_run / entry["file"]) as package:
            names = set(package.namelist())
            res = etree.fromstring(package.read("Doc_0/PublicRes.xml"))
            fonts = res.findall("ofd:Fonts/ofd:Font", ns)
            assert fonts, entry["file"]
            used: dict[str, set[str]] = {}
            for name in names:
                if name.startswith("Doc_0/Pages/"):
                    for text in etree.fromstring(package.read(name)).iterfind(
                        ".//ofd:TextObject", ns
                    ):
                        codes = "".join(text.itertext())
                        used.setdefault(text.get("Font"), set()).update(codes)
            assert set(used) <= {f.get("ID") for f in fonts}
            for font in fonts:
                location = (
                    f"Doc_0/{res.get('BaseLoc')}/{font.findtext('ofd:FontFile', namespaces=ns)}"
                )
                assert location in names, (entry["file"], location)
                mapped = TTFont(io.BytesIO(package.read(location))).getBestCmap()
                wanted = {c for c in used.get(font.get("ID"), ()) if source.has_glyph(ord(c))}
                assert wanted and all(ord(c) in mapped for c in wanted), entry["file"]


@pytest.mark.libreoffice
def test_verify_names_an_altered_and_a_missing_ofd(copies_run, docx_render, tmp_path):
    run = shutil.copytree(copies_run, tmp_path / copies_run.name)
    altered, missing = sorted(run.glob("*.ofd"))
    altered.write_bytes(altered.read_bytes() + b"\0")
    missing.unlink()

    report = api.verify(run)

    assert not report.ok
    differences = differing(report)
    assert set(differences) == {altered.name, missing.name}
    assert "归档后被修改过" in differences[altered.name]
    assert "缺失" in differences[missing.name]


def test_verify_reads_a_manifest_from_before_ofd_copies(run):
    manifest = manifest_of(run)
    del manifest["ofds"]
    (run / run_folder.MANIFEST).write_text(run_folder.manifest_text(manifest), encoding="utf-8")
    assert api.verify(run).ok


# ------------------------------------------------------------------------ real renderers

REPOSITORY_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_real_tables_rebuild_byte_identical_and_verify(tmp_path):
    """End to end with the real table renderer and the repository's template."""
    inputs = make_table_inputs(tmp_path / "inputs")
    outputs = tmp_path / "outputs"
    _, first = api.build(inputs, outputs, REPOSITORY_TEMPLATES)
    _, second = api.build(inputs, outputs, REPOSITORY_TEMPLATES)

    documents = manifest_of(first)["documents"]
    assert len(documents) == 1
    name = documents[0]["file"]
    assert (first / name).read_bytes()[:2] == b"PK"  # a real .docx, not a stand-in
    assert (first / name).read_bytes() == (second / name).read_bytes()
    assert manifest_of(first)["templates"][0]["sha256"] == sha256(
        REPOSITORY_TEMPLATES / TABLE_TEMPLATE
    )
    assert api.verify(first).ok

    archived = first / "inputs" / "水务处.xlsx"
    book = openpyxl.load_workbook(archived)
    book["合作交流项目"]["D2"] = "河道整治经验交流（改过）"
    book.save(archived)
    differences = differing(api.verify(first))
    # the edited input gives other merged data too: dossier.json differs like the document
    assert set(differences) == {"inputs/水务处.xlsx", name, "dossier.json"}


def test_real_report_and_tables_from_the_example_inputs(tmp_path):
    """End to end: the example workbooks, the real renderers and templates, then verify."""
    inputs = copy_examples(tmp_path / "inputs")
    outputs = tmp_path / "outputs"
    prepared, first = api.build(inputs, outputs, REPOSITORY_TEMPLATES)
    _, second = api.build(inputs, outputs, REPOSITORY_TEMPLATES)

    issue = prepared.dossier.report.settings.issue_number
    assert first.name.endswith(f"_第{issue}期")
    assert second.name > first.name  # a later second, or the same second with _2
    manifest = manifest_of(first)
    used = {REPORT_TEMPLATE, TABLE_TEMPLATE, MEETING_TEMPLATE}
    assert {e["template"] for e in manifest["documents"]} == used
    # the report, one table per region, the meeting material that carries the tables
    assert len(manifest["documents"]) == 2 + len(prepared.dossier.regions)
    assert {p.name for p in (first / "templates").iterdir()} == used
    assert {e["file"] for e in manifest["inputs"]} == {
        p.name for p in inputs.iterdir() if p.suffix == ".xlsx"
    }
    for entry in manifest["documents"]:
        assert (first / entry["file"]).read_bytes() == (second / entry["file"]).read_bytes()

    report = api.verify(first)
    assert report.ok, report.lines()

    report_name = next(e["file"] for e in manifest["documents"] if e["template"] == REPORT_TEMPLATE)
    office = first / "inputs" / "报告信息.xlsx"
    book = openpyxl.load_workbook(office)
    sheet = book["专报信息"]
    title_cell = next(row[1] for row in sheet.iter_rows() if row[0].value == "标题")
    title_cell.value = f"{title_cell.value}（改过）"
    book.save(office)
    differences = differing(api.verify(first))
    assert "inputs/报告信息.xlsx" in differences
    assert "重新生成的文档与归档的文档不一致" in differences[report_name]
