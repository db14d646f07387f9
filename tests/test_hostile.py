"""Hostile and broken inputs and templates: the product keeps working, loses nothing, runs nothing.

The input cases live in `corpus.py`; each says which errors it must give, or which values the
dossier and the rendered documents must keep exactly.
"""

from __future__ import annotations

import hashlib
import re
import signal
import zipfile
from pathlib import Path

import openpyxl
import pytest
from corpus import (
    CASES,
    FIELDS,
    TEMPLATES,
    At,
    Books,
    Case,
    assert_safe_file_name,
    document_text,
    documents_of,
    shows,
)

from pipeline import api
from pipeline.api import check, prepare
from pipeline.archive import run_folder
from pipeline.errors import InputProblems, PipelineError, TemplateProblem
from pipeline.problems import Location, Problem
from pipeline.render import REPORT_TEMPLATE, TABLE_TEMPLATE
from pipeline.workbooks import write_problem_report

CASE_SECONDS = 20  # far above any case; a hang on a hostile file fails instead of blocking CI


@pytest.fixture(autouse=True)
def time_limit():
    """Fail a case that runs away (a zip bomb or an absurd sheet that is not refused early)."""

    def expire(signum, frame):
        raise TimeoutError(f"took longer than {CASE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(CASE_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# ------------------------------------------------------------------ the corpus


def _place(problem: Problem) -> tuple:
    return (problem.location.file, problem.location.sheet, problem.location.cell)


def _matches(problem: Problem, at: At) -> bool:
    return _place(problem) == (at.file, at.sheet, at.cell) and at.says in problem.message


def test_corpus_cases_have_unique_names_and_say_what_must_happen():
    assert len({c.name for c in CASES}) == len(CASES) >= 40
    for item in CASES:
        assert item.errors or item.kept or item.notices or item.documents, item.name
        assert not (item.errors and (item.kept or item.documents)), item.name


@pytest.mark.parametrize("item", CASES, ids=lambda c: c.name)
def test_corpus_case(item: Case, tmp_path: Path):
    folder = tmp_path / "inputs"
    item.write(folder)
    if item.errors:
        with pytest.raises(InputProblems) as caught:
            check(folder)
        errors = caught.value.errors
        assert set(map(_place, errors)) == set((a.file, a.sheet, a.cell) for a in item.errors), [
            p.describe() for p in errors
        ]
        for at in item.errors:
            assert any(_matches(p, at) for p in errors), (at, [p.describe() for p in errors])
        # Rendering never starts: prepare stops at the same problems.
        with pytest.raises(InputProblems) as again:
            prepare(folder, TEMPLATES)
        assert again.value.problems == caught.value.problems
        return

    prepared = prepare(folder, TEMPLATES)
    notices = prepared.dossier.notices
    assert all(not p.is_error for p in notices)
    for at in item.notices:
        assert any(_matches(p, at) for p in notices), (at, [p.describe() for p in notices])
    if item.documents is not None:
        assert len(prepared.documents) == item.documents
    names = [d.name for d in prepared.documents]
    assert len({n.casefold() for n in names}) == len(names), names
    for document in prepared.documents:
        assert_safe_file_name(document.name)
    texts = {
        kind: "\n".join(document_text(d.data) for d in documents_of(prepared, kind))
        for kind in ("report", "table")
    }
    for kept in item.kept:
        assert kept.get(prepared.dossier) == kept.value
        if kept.document:
            shown = kept.shown
            if shown is None:
                shown = "\n".join(kept.value) if isinstance(kept.value, list) else kept.value
            assert shows(texts[kept.document], shown), (kept.document, shown[:200])


def test_the_corpus_can_be_written_to_a_folder(tmp_path: Path):
    from corpus import generate

    chosen = {"base", "encrypted_workbook", "zip_of_something_else"}
    folders = generate(tmp_path, chosen)
    assert {f.name for f in folders} == chosen
    written = {p.name for p in (tmp_path / "encrypted_workbook").iterdir()}
    assert written == {"报告信息.xlsx", "区人社局.xlsx", "环保处.xlsx", "加密.xlsx"}


# ------------------------------------------------------------------ XML parsing


# ------------------------------------------------------------------ hostile templates


def _template_copy(tmp_path: Path, name: str, change, member: str = "word/document.xml") -> Path:
    """The templates copied into tmp_path, with one member of `name` changed as text."""
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    for source in TEMPLATES.glob("*.docx"):
        (folder / source.name).write_bytes(source.read_bytes())
    target = folder / name
    with zipfile.ZipFile(TEMPLATES / name) as source:
        members = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            out.writestr(info, data)
    return folder


def _insert_paragraph(xml: str, text: str) -> str:
    """A new paragraph holding `text` (XML-escaped) at the start of the body."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    paragraph = f'<w:p><w:r><w:t xml:space="preserve">{escaped}</w:t></w:r></w:p>'
    return re.sub(r"(<w:body[^>]*>)", lambda m: m.group(1) + paragraph, xml, count=1)


def _valid_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    Books().write(folder)
    return folder


ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ title.__class__.__init__.__globals__ }}",
    "{{ title|attr('__class__') }}",
    "{{ '{0.__class__}'.format(title) }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ self.__init__.__globals__ }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ title.__len__() }}",
]
BROKEN = [
    "{{ title ",
    "{% for x in sections %}no end",
    "{% endfor %}",
    "{{ no_such_tag }}",
    "{{ title | no_such_filter }}",
    "{% include '/etc/passwd' %}",
    "{% extends 'work_report.docx' %}",
    "{% import 'x' as y %}",
    "{{ title[ }}",
    "{{ 1/0 }}",
    "{{ title.upper( }}",
]


@pytest.mark.parametrize("name", [REPORT_TEMPLATE, TABLE_TEMPLATE])
@pytest.mark.parametrize("tag", ESCAPES + BROKEN)
def test_template_escapes_and_broken_tags_fail_naming_the_template(tmp_path, name, tag):
    templates = _template_copy(tmp_path, name, lambda xml: _insert_paragraph(xml, tag))
    with pytest.raises(TemplateProblem) as caught:
        prepare(_valid_folder(tmp_path), templates)
    assert caught.value.template == str(templates / name)
    assert name in caught.value.message


@pytest.mark.parametrize("name", [REPORT_TEMPLATE, TABLE_TEMPLATE])
@pytest.mark.parametrize("member", ["word/footer1.xml", "docProps/core.xml"])
def test_template_escapes_in_footers_and_properties_are_refused(tmp_path, name, member):
    def change(xml: str) -> str:
        tag = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
        if member == "docProps/core.xml":
            return re.sub(r"<dc:title>[^<]*</dc:title>", f"<dc:title>{tag}</dc:title>", xml)
        return re.sub(r"(<w:t(?: [^>]*)?>)", lambda m: m.group(1) + tag, xml, count=1)

    templates = _template_copy(tmp_path, name, change, member)
    with pytest.raises(TemplateProblem) as caught:
        prepare(_valid_folder(tmp_path), templates)
    assert caught.value.template == str(templates / name)


def _without_tables(xml: str) -> str:
    return re.sub(r"<w:tbl>.*</w:tbl>", "", xml, flags=re.S)


def _loop_outside_a_table(xml: str) -> str:
    loop = "<w:p><w:r><w:t>{%p for row in rows %}{{ row.content }}{%p endfor %}{{ years }}</w:t></w:r></w:p>"
    return re.sub(r"<w:tbl>.*</w:tbl>", loop, xml, flags=re.S)


STRUCTURES = {
    "no_tables": _without_tables,
    "loop_outside_a_table": _loop_outside_a_table,
    "first_row_removed": lambda xml: re.sub(r"<w:tr[ >].*?</w:tr>", "", xml, count=1, flags=re.S),
    "absurd_spans": lambda xml: re.sub(r'w:gridSpan w:val="\d+"', 'w:gridSpan w:val="99999"', xml),
    "zero_page": lambda xml: re.sub(r"<w:pgSz [^>]*/>", '<w:pgSz w:w="0" w:h="0"/>', xml),
    "bad_page_numbers": lambda xml: re.sub(r"<w:pgSz [^>]*/>", '<w:pgSz w:w="x" w:h="-5"/>', xml),
    "huge_margins": lambda xml: re.sub(
        r"<w:pgMar [^>]*/>",
        '<w:pgMar w:top="1" w:right="99999999" w:bottom="1" w:left="99999999"/>',
        xml,
    ),
}


@pytest.mark.parametrize("name", [REPORT_TEMPLATE, TABLE_TEMPLATE])
@pytest.mark.parametrize("structure", STRUCTURES, ids=str)
def test_template_with_odd_structure_renders_or_fails_naming_it(tmp_path, name, structure):
    templates = _template_copy(tmp_path, name, STRUCTURES[structure])
    try:
        prepared = prepare(_valid_folder(tmp_path), templates)
    except TemplateProblem as problem:
        assert problem.template == str(templates / name)
        return
    for document in prepared.documents:
        document_text(document.data)  # well-formed


@pytest.mark.parametrize("name", [REPORT_TEMPLATE, TABLE_TEMPLATE])
def test_template_that_is_not_a_document_fails_naming_it(tmp_path, name):
    folder = tmp_path / "templates"
    folder.mkdir()
    for source in TEMPLATES.glob("*.docx"):
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / name).write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(TemplateProblem) as caught:
        prepare(_valid_folder(tmp_path), folder)
    assert caught.value.template == str(folder / name)


def test_template_with_malformed_xml_fails_naming_it(tmp_path):
    templates = _template_copy(tmp_path, REPORT_TEMPLATE, lambda xml: xml.replace("</w:body>", ""))
    with pytest.raises(TemplateProblem) as caught:
        prepare(_valid_folder(tmp_path), templates)
    assert REPORT_TEMPLATE in caught.value.message


def test_template_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")

    def change(xml: str) -> str:
        doctype = f'<!DOCTYPE w:document [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
        xml = re.sub(r"(<\?xml[^>]*\?>)", lambda m: m.group(1) + doctype, xml, count=1)
        paragraph = "<w:p><w:r><w:t>&leak;</w:t></w:r></w:p>"
        return re.sub(r"(<w:body[^>]*>)", lambda m: m.group(1) + paragraph, xml, count=1)

    templates = _template_copy(tmp_path, REPORT_TEMPLATE, change)
    try:
        prepared = prepare(_valid_folder(tmp_path), templates)
    except TemplateProblem:
        return  # refusing the template is fine too
    for document in prepared.documents:
        assert b"TOP-SECRET-VALUE" not in document.data
        assert "TOP-SECRET-VALUE" not in document_text(document.data)


def test_values_that_look_like_tags_are_never_run_by_the_template(tmp_path):
    # A department cannot reach the template engine: tags typed into cells are printed as text.
    books = Books()
    FIELDS["工作进展.内容"].write(
        books, "{{ ''.__class__.__mro__ }}{% for x in range(9) %}X{% endfor %}"
    )
    folder = tmp_path / "inputs"
    books.write(folder)
    prepared = prepare(folder, TEMPLATES)
    text = document_text(documents_of(prepared, "report")[0].data)
    assert "{{ ''.__class__.__mro__ }}{% for x in range(9) %}X{% endfor %}" in text
    assert "XXXXXXXXX" not in text and "<class" not in text


# ------------------------------------------------------------------ the problem list


def test_problem_list_quotes_hostile_cells_as_text(tmp_path):
    books = Books()
    hostile = '=HYPERLINK("http://example.invalid","点击")'
    books.set("区人社局.xlsx", "工作进展", 4, "一级标题", hostile)
    folder = tmp_path / "inputs"
    books.write(folder)
    with pytest.raises(InputProblems) as caught:
        check(folder)
    assert any(hostile in p.message for p in caught.value.errors)
    path = tmp_path / "问题清单.xlsx"
    write_problem_report(path, caught.value.problems)
    with zipfile.ZipFile(path) as package:
        assert not any(
            b"<f>" in package.read(n) or b"<f " in package.read(n)
            for n in package.namelist()
            if n.startswith("xl/worksheets/")
        )
    values = [c.value for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
    assert any(isinstance(v, str) and hostile in v for v in values)


# ------------------------------------------------------------------ interrupted builds


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "dir"
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def earlier_run(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    inputs = _valid_folder(tmp_path)
    outputs = tmp_path / "outputs"
    _, run = api.build(inputs, outputs, TEMPLATES)
    assert run.parent == outputs
    return inputs, outputs, _tree(outputs)


def _interrupt(exc: BaseException):
    def fail(*args, **kwargs):
        raise exc

    return fail


@pytest.mark.parametrize(
    ("target", "exc"),
    [
        ("pipeline.render.table.render_region_table", KeyboardInterrupt()),
        ("pipeline.render.report.render_work_report", OSError(28, "No space left on device")),
        ("pipeline.archive.run_folder._write_manifest", KeyboardInterrupt()),
        ("pipeline.archive.run_folder._write_manifest", OSError(28, "No space left on device")),
        ("pipeline.archive.run_folder._publish", KeyboardInterrupt()),
        ("pipeline.archive.run_folder._fsync_folder", SystemExit(1)),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_interrupted_build_leaves_earlier_runs_untouched_and_no_partial_folder(
    earlier_run, monkeypatch, target, exc
):
    inputs, outputs, before = earlier_run
    module, _, name = target.rpartition(".")
    monkeypatch.setattr(f"{module}.{name}", _interrupt(exc))
    expected = (type(exc),) if not isinstance(exc, OSError) else (OSError, PipelineError)
    with pytest.raises(expected):
        api.build(inputs, outputs, TEMPLATES)
    assert _tree(outputs) == before
    assert not [p for p in outputs.iterdir() if p.name.startswith(run_folder.TEMP_PREFIX)]


def test_writing_a_document_fails_half_way(earlier_run, monkeypatch):
    inputs, outputs, before = earlier_run
    calls = []
    real = run_folder._write_bytes

    def write_then_fail(path, data):
        calls.append(path)
        if len(calls) == 2:
            path.write_bytes(data[: len(data) // 2])
            raise OSError(5, "Input/output error")
        real(path, data)

    monkeypatch.setattr(run_folder, "_write_bytes", write_then_fail)
    with pytest.raises(PipelineError):
        api.build(inputs, outputs, TEMPLATES)
    assert len(calls) == 2
    assert _tree(outputs) == before


def test_problem_location_names_file_sheet_and_cell():
    # The shape every corpus expectation relies on.
    problem = Location("环保处.xlsx", "合作交流项目", "H5", "牵头领导")
    assert problem.describe() == "环保处.xlsx › 合作交流项目 › H5（列「牵头领导」）"
