"""`init --from`: next period's workbooks pre-filled from a run, read back exactly as sent."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from _examples import example_inputs

from pipeline import ArchiveError, api, init_from_run
from pipeline.contract import INSTRUCTIONS_SHEET
from pipeline.load import load_inputs
from pipeline.workbooks.prefill import UPDATE_MARK

TEMPLATES = Path(__file__).parent.parent / "templates"
DEPARTMENT_SHEETS = ("工作进展", "合作交流项目")
OFFICE = "报告信息.xlsx"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    _, folder = api.build(example_inputs(), tmp_path_factory.mktemp("run") / "outputs", TEMPLATES)
    return folder


def rows_by_file(folder: Path, sheets=DEPARTMENT_SHEETS) -> dict[str, dict[str, list[dict]]]:
    """Every row the product's loader reads (its filled cells), per workbook and sheet, in order."""
    found: dict[str, dict[str, list[dict]]] = {}
    for sheet in load_inputs(folder).sheets:
        if sheet.sheet in sheets:
            rows = found.setdefault(sheet.file, {}).setdefault(sheet.sheet, [])
            # the blank layout has every column; a column the department left out reads empty
            rows.extend(
                {k: v for k, v in row.values.items() if v is not None} for row in sheet.rows
            )
    return found


def departments_of_examples() -> list[str]:
    return sorted(p.name for p in example_inputs().glob("*.xlsx") if p.name != OFFICE)


def test_every_department_gets_exactly_the_rows_it_sent(run, tmp_path):
    written, skipped = init_from_run(run, tmp_path / "next")
    assert sorted(p.name for p in written) == departments_of_examples()
    assert skipped == []
    before = rows_by_file(example_inputs())
    after = rows_by_file(tmp_path / "next")
    before.pop(OFFICE)
    assert after.keys() == before.keys()
    for file, sheets in before.items():
        for sheet, rows in sheets.items():
            # text, order and every year column, value for value
            assert after[file][sheet] == rows, (file, sheet)


def test_building_from_carried_over_workbooks_gives_the_same_documents(run, tmp_path):
    inputs = tmp_path / "next"
    init_from_run(run, inputs)
    shutil.copy(run / "inputs" / OFFICE, inputs / OFFICE)
    prepared, rebuilt = api.build(inputs, tmp_path / "outputs", TEMPLATES, no_compare=True)
    assert prepared.documents
    for document in prepared.documents:
        assert (rebuilt / document.name).read_bytes() == (run / document.name).read_bytes()


def test_named_departments_only_and_a_new_department_gets_a_blank_workbook(run, tmp_path):
    written, _ = init_from_run(run, tmp_path / "next", ["环保处", "新成立处"])
    assert [p.name for p in written] == ["环保处.xlsx", "新成立处.xlsx"]
    rows = rows_by_file(tmp_path / "next")
    assert len(rows["环保处.xlsx"]["合作交流项目"]) == 7
    assert rows["新成立处.xlsx"] == {"工作进展": [], "合作交流项目": []}
    book = openpyxl.load_workbook(tmp_path / "next" / "新成立处.xlsx")
    # the blank layout, with the run's drop-downs
    assert book["合作交流项目"].data_validations.dataValidation


def test_update_columns_are_marked_in_the_instructions_and_shaded(run, tmp_path):
    init_from_run(run, tmp_path / "next", ["环保处"])
    book = openpyxl.load_workbook(tmp_path / "next" / "环保处.xlsx")
    assert book.sheetnames[0] == INSTRUCTIONS_SHEET
    guide = [r for r in book[INSTRUCTIONS_SHEET].iter_rows(values_only=True)]
    marked = {r[0] for r in guide if r[2] and str(r[2]).startswith(UPDATE_MARK)}
    assert marked == {"内容", "2023年计划", "2024年计划", "2025年计划", "事项推进情况"}
    assert any("已填入环保处上一期报送的内容" in str(r[0]) for r in guide)
    sheet = book["合作交流项目"]
    assert sheet.freeze_panes == "A2"
    header = {cell.value: cell.column_letter for cell in sheet[1]}
    for row in range(2, 9):
        assert sheet[f"{header['事项推进情况']}{row}"].fill.fgColor.rgb.endswith("FFF2CC")
        assert sheet[f"{header['2024年计划']}{row}"].fill.fgColor.rgb.endswith("FFF2CC")
        assert sheet[f"{header['牵头领导']}{row}"].fill.fill_type is None
    assert sheet.data_validations.dataValidation  # drop-downs kept


def test_office_workbook_is_carried_over_to_the_next_issue(run, tmp_path):
    inputs = tmp_path / "next"
    written, _ = init_from_run(run, inputs, ["环保处"], office=True)
    assert [p.name for p in written] == [OFFICE, "环保处.xlsx"]
    book = openpyxl.load_workbook(inputs / OFFICE)
    fields = {r[0]: r[1] for r in book["专报信息"].iter_rows(min_row=2, values_only=True)}
    assert fields["期号"] == 96 and fields["文号"] == 96  # it was the 期号, so it follows
    assert fields["日期"] is None and fields["专报日期"] is None
    assert fields["标题"].startswith("关于坚决落实领导批示精神")
    assert list(book["拟文稿"].iter_rows(min_row=2, values_only=True)) == []
    before = rows_by_file(example_inputs(), ("提纲", "项目表注", "工作进展"))[OFFICE]
    after = rows_by_file(inputs, ("提纲", "项目表注", "工作进展"))[OFFICE]
    assert after == before
    settings = {r[0]: r[1] for r in book["项目表信息"].iter_rows(min_row=2, values_only=True)}
    assert (settings["起始年份"], settings["结束年份"]) == (2023, 2025)


def test_existing_files_are_skipped_never_overwritten(run, tmp_path):
    inputs = tmp_path / "next"
    inputs.mkdir()
    (inputs / "环保处.xlsx").write_bytes(b"mine")
    written, skipped = init_from_run(run, inputs, ["环保处", "绿林处"])
    assert [p.name for p in written] == ["绿林处.xlsx"]
    assert [p.name for p in skipped] == ["环保处.xlsx"]
    assert (inputs / "环保处.xlsx").read_bytes() == b"mine"


def test_a_folder_that_is_not_a_run_writes_nothing(tmp_path):
    with pytest.raises(ArchiveError, match="不是运行文件夹"):
        init_from_run(example_inputs(), tmp_path / "next")
    assert not (tmp_path / "next").exists()


def test_a_run_with_altered_inputs_writes_nothing(run, tmp_path):
    copy = tmp_path / run.name
    shutil.copytree(run, copy)
    (copy / "inputs" / "环保处.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(ArchiveError, match="缺失或与清单记录不一致"):
        init_from_run(copy, tmp_path / "next")
    assert not (tmp_path / "next").exists()
