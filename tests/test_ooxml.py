"""Every .docx and .xlsx the product writes is valid Office Open XML, so that Word and Excel
open it without offering to repair it: documents, archived templates, blank and
carried-forward workbooks, problem lists, marked-up return copies, change reports and the
web page's link list, each checked whole by the Open XML SDK's validator (`_ooxml.py`)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import corpus
import openpyxl
import pytest
from _examples import copy_examples, example_inputs
from _workbooks import sample_sheet, valid_inputs, write_workbook
from test_layout import WHEN, long_table

from pipeline import (
    InputProblems,
    build,
    check,
    compare_runs,
    init_from_run,
    init_workbooks,
    prepare,
    save_problem_list,
    write_return_copies,
)
from pipeline.render.table import render_region_table
from pipeline.web.links import Link, write_links_file
from pipeline.workbooks.xlsx_write import workbook_bytes

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.ooxml

# Corpus cases whose text is hardest on the documents' XML: markup, template tags, control
# characters, astral characters, line breaks, very long texts and names.
HOSTILE_TEXT = (
    "markup_and_template_tags_in_every_text_field",
    "control_characters_as_excel_writes_them",
    "raw_control_character_in_sheet_xml",
    "emoji_and_cjk_extension_b",
    "zero_width_spaces",
    "multi_line_text",
    "very_long_text",
    "very_long_region_name",
    "regions_with_path_characters",
)


def assert_valid(validator, packages: list[Path]) -> None:
    assert packages
    invalid = validator.invalid(packages)
    assert not invalid, "\n".join(
        f"{name}:\n  " + "\n  ".join(errors[:5]) for name, errors in invalid.items()
    )


def edited(source: Path, target: Path, part: str, change) -> Path:
    """A copy of package `source` with one part changed."""
    shutil.copyfile(source, target)
    corpus.patch_zip(target, part, change)
    return target


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path, Path]:
    """`outputs`, with the example run and a later run of changed inputs, which compared
    itself with the first in its own 变更对照.xlsx."""
    root = tmp_path_factory.mktemp("runs")
    outputs = root / "outputs"
    first = build(example_inputs(), outputs, ROOT / "templates", no_compare=True)[1]
    inputs = root / "inputs"
    copy_examples(inputs)
    path = inputs / "环保处.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["合作交流项目"]
    content = next(c for c in sheet[2] if c.value == "对口合作交流内容").column
    sheet.cell(row=3, column=content).value = "改写后的内容 & <标记> {{ 标签 }}"
    book.save(path)
    second = build(inputs, outputs, ROOT / "templates")[1]
    return outputs, first, second


# ------------------------------------------------------------------ the validator itself


def test_the_validator_rejects_what_word_and_excel_would_repair(ooxml_validator, runs, tmp_path):
    """A table whose properties follow its rows, a run size that is not a number, and a
    workbook as openpyxl saves it (its font's name before its size): all found, so a pass
    below means something."""
    table = next(runs[1].glob("合作交流项目表_*.docx"))

    def properties_last(xml: bytes) -> bytes:
        start, end = xml.index(b"<w:tblPr>"), xml.index(b"</w:tblPr>") + len(b"</w:tblPr>")
        properties, rest = xml[start:end], xml[:start] + xml[end:]
        close = rest.index(b"</w:tbl>")
        return rest[:close] + properties + rest[close:]

    moved = edited(table, tmp_path / "moved.docx", "word/document.xml", properties_last)
    size = edited(
        table,
        tmp_path / "size.docx",
        "word/document.xml",
        lambda xml: xml.replace(b'<w:sz w:val="', b'<w:sz w:val="x', 1),
    )
    book = openpyxl.Workbook()
    book.active["A1"] = "事项"
    book.active["A1"].font = openpyxl.styles.Font(bold=True, size=14)
    plain = tmp_path / "openpyxl.xlsx"
    book.save(plain)
    ours = tmp_path / "ours.xlsx"
    ours.write_bytes(workbook_bytes(book))

    for package in (moved, size, plain):
        for version in ("Office2010", "Microsoft365"):
            assert ooxml_validator.errors(package, version), (package.name, version)
    assert_valid(ooxml_validator, [ours])


# ------------------------------------------------------------------ documents


def test_shipped_examples_and_default_templates(ooxml_validator):
    """What a new user opens first: the example inputs and the templates `init` installs."""
    assert_valid(
        ooxml_validator,
        sorted(example_inputs().glob("*.xlsx"))
        + sorted((ROOT / "templates").glob("*.docx"))
        + sorted((ROOT / "pipeline" / "default_templates").glob("*.docx")),
    )


def test_example_run_documents_and_archived_templates(ooxml_validator, runs):
    run = runs[1]
    packages = sorted(run.rglob("*.docx"))
    assert len(list(run.glob("*.docx"))) == 4 and list(run.glob("templates/*.docx"))
    assert_valid(ooxml_validator, packages)


@pytest.mark.parametrize("name", HOSTILE_TEXT)
def test_documents_of_hostile_text(ooxml_validator, tmp_path, name):
    case = next(c for c in corpus.CASES if c.name == name)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    case.write(inputs)
    prepared = prepare(inputs, ROOT / "templates")
    packages = []
    for index, document in enumerate(prepared.documents):
        path = tmp_path / f"{index}.docx"  # the documents' own names may be very long
        path.write_bytes(document.data)
        packages.append(path)
    assert_valid(ooxml_validator, packages)


def test_long_table_with_rows_cut_across_pages(ooxml_validator, tmp_path):
    document = tmp_path / "long.docx"
    document.write_bytes(
        render_region_table(
            long_table(), ROOT / "templates" / "project_table.docx", author="", when=WHEN
        )
    )
    with zipfile.ZipFile(document) as archive:  # rows were cut: parts go on with （续）
        assert "（续）".encode() in archive.read("word/document.xml")
    assert_valid(ooxml_validator, [document])


# ------------------------------------------------------------------ workbooks


def test_blank_and_carried_forward_workbooks(ooxml_validator, runs, tmp_path):
    blank = tmp_path / "blank"
    init_workbooks(blank, ["环保处", "绿林处"], office=True)
    carried = tmp_path / "carried"
    written, _ = init_from_run(runs[1], carried, office=True)
    assert len(written) == len(list(example_inputs().glob("*.xlsx")))
    assert_valid(ooxml_validator, sorted(blank.glob("*.xlsx")) + sorted(written))


def broken_inputs(folder: Path) -> Path:
    """Valid inputs with a serial number that is not one, in a workbook openpyxl wrote."""
    valid_inputs(folder)
    path = folder / "环保处.xlsx"
    book = openpyxl.load_workbook(path)
    book["合作交流项目"]["B2"] = "第一"
    book.save(path)
    return folder


def problems_of(inputs: Path):
    with pytest.raises(InputProblems) as raised:
        check(inputs)
    return raised.value.problems


def test_problem_list_and_return_copies(ooxml_validator, tmp_path):
    inputs = broken_inputs(tmp_path / "inputs")
    # a header row that lacks a column, marked whole
    rows = sample_sheet("合作交流项目", drop=("牵头部门",))
    write_workbook(inputs / "绿林处.xlsx", {"合作交流项目": rows})
    problems = problems_of(inputs)
    listing = save_problem_list(tmp_path / "outputs", problems)
    copies = write_return_copies(tmp_path / "outputs", inputs, problems)
    assert listing is not None and len(copies.written) == 2
    assert_valid(ooxml_validator, [listing, *copies.written])


@pytest.mark.libreoffice
def test_return_copy_of_a_workbook_saved_by_calc(ooxml_validator, libreoffice, tmp_path):
    """A department that saves with LibreOffice Calc gets a copy as valid as its own file."""
    inputs = broken_inputs(tmp_path / "inputs")
    saved = libreoffice.convert(inputs / "环保处.xlsx", "xlsx", tmp_path / "calc")
    shutil.copyfile(saved, inputs / "环保处.xlsx")
    assert_valid(ooxml_validator, [inputs / "环保处.xlsx"])
    problems = problems_of(inputs)
    copies = write_return_copies(tmp_path / "outputs", inputs, problems)
    assert [p.name for p in copies.written] == ["环保处.xlsx"]
    assert_valid(ooxml_validator, copies.written)


def test_change_reports_of_a_run_and_between_two_runs(ooxml_validator, runs):
    outputs, first, second = runs
    changes, report = compare_runs(first, second, outputs)
    assert changes.tables
    assert_valid(ooxml_validator, [second / "变更对照.xlsx", report])


def test_web_link_list(ooxml_validator, tmp_path):
    path = write_links_file(
        tmp_path,
        [
            Link("办公室", "http://127.0.0.1:8000/office/abc"),
            Link("环保处", "http://127.0.0.1:8000/department/def"),
            Link("绿林处", ""),
        ],
    )
    assert_valid(ooxml_validator, [path])
