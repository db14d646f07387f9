"""The command line: help texts, exit codes, and the messages a clerk sees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from _workbooks import (
    COOPERATION_HEADER,
    cooperation_row,
    cooperation_workbook,
    office_workbook,
    valid_inputs,
)
from click.testing import CliRunner

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["init"], ["verify"]])
def test_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.output)  # explained in Chinese


def test_module_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0 and "build" in result.stdout


def test_check_valid_inputs(tmp_path):
    result = run(
        "check", "--inputs", str(valid_inputs(tmp_path / "in")), "--outputs", str(tmp_path / "out")
    )
    assert result.exit_code == 0, result.output
    assert "校验通过" in result.output
    assert "报告信息.xlsx" in result.output
    assert not (tmp_path / "out").exists()


def test_check_reports_every_problem_with_its_location(tmp_path):
    inputs = tmp_path / "in"
    office_workbook(inputs)
    cooperation_workbook(
        inputs, "环保处", [cooperation_row(牵头领导=None), cooperation_row(serial="x")]
    )
    (inputs / "旧表.xls").write_bytes(b"old")
    result = run("check", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
    assert result.exit_code == 1
    output = result.output
    assert "环保处.xlsx › 合作交流项目 › J2（列「牵头领导」）" in output
    assert "环保处.xlsx › 合作交流项目 › B3（列「序号」）" in output
    assert "旧表.xls" in output and "另存为" in output
    assert "Traceback" not in output
    (report,) = (tmp_path / "out").glob("问题清单_*.xlsx")
    sheet = openpyxl.load_workbook(report)["问题清单"]
    assert sheet.max_row >= 4


def test_build_with_errors_writes_no_document_and_leaves_outputs_alone(tmp_path):
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    office_workbook(inputs, 专报信息=[["期号", "x"]])
    earlier = outputs / "2023-11-20_第94期"
    earlier.mkdir(parents=True)
    (earlier / "工作专报（第94期）.docx").write_bytes(b"signed")
    result = run("build", "--inputs", str(inputs), "--outputs", str(outputs))
    assert result.exit_code == 1
    assert "未生成任何文档" in result.output
    assert (earlier / "工作专报（第94期）.docx").read_bytes() == b"signed"
    assert not list(outputs.rglob("*.docx"))[1:]
    folders = {p.name for p in outputs.iterdir() if p.is_dir()}
    # beside the earlier run only the marked-up copies to send back, no run folder
    (returned,) = folders - {earlier.name}
    assert returned.startswith("退回_")
    assert [p.name for p in (outputs / returned).iterdir()] == ["报告信息.xlsx"]


def test_missing_inputs_folder_is_a_usage_error(tmp_path):
    result = run("build", "--inputs", str(tmp_path / "nope"))
    assert result.exit_code == 2


def test_init_needs_a_department_or_office(tmp_path):
    assert run("init", "--inputs", str(tmp_path)).exit_code == 2


def test_init_writes_blank_workbooks_and_never_overwrites(tmp_path):
    inputs = tmp_path / "in"
    result = run("init", "--inputs", str(inputs), "环保处", "绿林处")
    assert result.exit_code == 0, result.output
    assert {p.name for p in inputs.iterdir()} == {"环保处.xlsx", "绿林处.xlsx"}
    before = (inputs / "环保处.xlsx").read_bytes()
    # an existing workbook is skipped with a notice; the others are still written
    again = run("init", "--inputs", str(inputs), "环保处", "水利处")
    assert again.exit_code == 0, again.output
    assert f"文件已存在，未覆盖：{inputs / '环保处.xlsx'}" in again.output
    assert f"已写入：{inputs / '水利处.xlsx'}" in again.output
    assert (inputs / "环保处.xlsx").read_bytes() == before
    assert (inputs / "水利处.xlsx").is_file()


def test_init_office_writes_workbook_and_missing_templates(tmp_path):
    inputs, templates = tmp_path / "in", tmp_path / "templates"
    result = run("init", "--office", "--inputs", str(inputs), "--templates", str(templates))
    assert result.exit_code == 0, result.output
    assert (inputs / "报告信息.xlsx").exists()
    names = {p.name for p in templates.iterdir()}
    assert names == {"work_report.docx", "project_table.docx"}


def test_department_workbook_from_init_filled_in_passes_check(tmp_path):
    inputs = tmp_path / "in"
    valid_inputs(inputs)
    assert run("init", "--inputs", str(inputs), "区民政局").exit_code == 0
    path = inputs / "区民政局.xlsx"
    book = openpyxl.load_workbook(path)
    # the drop-downs offer what the office workbook already holds
    lists = " ".join(str(v.formula1) for v in book["工作进展"].data_validations.dataValidation)
    lists += " ".join(str(c.value) for row in book.worksheets[-1].iter_rows() for c in row)
    assert "提炼建言明确分工" in lists
    progress = book["工作进展"]
    header = [c.value for c in progress[1]]
    row = {"一级标题": "下一步工作安排", "内容": "鼓励引导环保社会组织发展。", "排序": 2}
    for name, value in row.items():
        progress.cell(row=2, column=header.index(name) + 1, value=value)
    cooperation = book["合作交流项目"]
    header = [c.value for c in cooperation[1]]
    assert "2023年计划" in header and "2025年计划" in header
    values = dict(
        zip(
            COOPERATION_HEADER,
            cooperation_row(region="永安市", serial=4, item="社会组织交流"),
            strict=True,
        )
    )
    for name, value in values.items():
        if name in header and value is not None:
            cooperation.cell(row=2, column=header.index(name) + 1, value=value)
    book.save(path)
    result = run("check", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "区民政局.xlsx" in result.output


def test_packaged_default_templates_match_the_templates_folder():
    for name in ("work_report.docx", "project_table.docx"):
        packaged = ROOT / "pipeline" / "default_templates" / name
        assert packaged.read_bytes() == (ROOT / "templates" / name).read_bytes(), name


def test_build_examples_then_verify(tmp_path):
    outputs = tmp_path / "out"
    result = run(
        "build",
        "--inputs",
        str(ROOT / "inputs"),
        "--outputs",
        str(outputs),
        "--templates",
        str(ROOT / "templates"),
    )
    assert result.exit_code == 0, result.output
    (run_folder,) = [p for p in outputs.iterdir() if p.is_dir()]
    assert "第95期" in run_folder.name
    names = {p.name for p in run_folder.glob("*.docx")}
    assert "工作专报（第95期）.docx" in names and len(names) == 3
    assert "已生成" in result.output
    verified = run("verify", str(run_folder))
    assert verified.exit_code == 0, verified.output
    document = run_folder / "工作专报（第95期）.docx"
    document.write_bytes(document.read_bytes() + b"\0")
    altered = run("verify", str(run_folder))
    assert altered.exit_code == 1
    assert "工作专报（第95期）.docx" in altered.output


def test_pdf_without_libreoffice_is_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: None)
    outputs = tmp_path / "out"
    result = run("build", "--pdf", "--inputs", str(ROOT / "inputs"), "--outputs", str(outputs))
    assert result.exit_code == 1
    assert "LibreOffice" in result.output
    assert not outputs.exists() or not any(outputs.iterdir())


# ---------------------------------------------------------------- the department loop

ROSTER = [["部门", "报送内容"], ["区人社局", "工作进展"], ["环保处", "合作交流项目"], ["督察处"]]


def test_check_ends_with_who_has_submitted(tmp_path):
    inputs = valid_inputs(tmp_path / "in")
    office_workbook(inputs, 报送单位=ROSTER)
    result = run("check", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    table = lines[next(i for i, line in enumerate(lines) if "报送情况" in line) :]
    header = next(line for line in table if "部门" in line)
    for column in ("部门", "工作簿", "修改时间", "行数", "错误", "提示", "状态"):
        assert column in header
    row = next(line for line in table if "督察处" in line)
    assert "未报送" in row
    row = next(line for line in table if "区人社局" in line)
    assert "区人社局.xlsx" in row and "已报送" in row
    assert "未报送：督察处" in result.output
    assert "「督察处」尚未报送" in result.output  # also a notice, in the problem list
    # a notice about the office's own list: its copy comes back marked too
    (folder,) = (tmp_path / "out").glob("退回_*")
    assert [p.name for p in folder.iterdir()] == ["报告信息.xlsx"]


def test_check_with_errors_writes_marked_copies_and_the_table(tmp_path):
    inputs = tmp_path / "in"
    office_workbook(inputs, 报送单位=ROSTER)
    cooperation_workbook(inputs, "环保处", [cooperation_row(牵头领导=None)])
    cooperation_workbook(inputs, "绿林处", [cooperation_row(serial="x")])
    before = {p.name: p.read_bytes() for p in inputs.iterdir()}
    result = run("check", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "退回副本已保存" in result.output
    (folder,) = (tmp_path / "out").glob("退回_*")
    assert {p.name for p in folder.iterdir()} == {"环保处.xlsx", "绿林处.xlsx", "报告信息.xlsx"}
    sheet = openpyxl.load_workbook(folder / "环保处.xlsx")["合作交流项目"]
    assert "必填" in sheet["J2"].comment.text
    assert {p.name: p.read_bytes() for p in inputs.iterdir()} == before
    row = next(line for line in result.output.splitlines() if "环保处.xlsx" in line and "│" in line)
    assert "有错误" in row
    assert "绿林处（未列入）" in result.output
    assert "未报送：区人社局、督察处" in result.output


def test_init_without_names_writes_every_listed_department(tmp_path):
    inputs = tmp_path / "in"
    office_workbook(inputs, 报送单位=ROSTER)
    cooperation_workbook(inputs, "环保处", [cooperation_row()])
    before = (inputs / "环保处.xlsx").read_bytes()
    result = run("init", "--inputs", str(inputs))
    assert result.exit_code == 0, result.output
    assert (inputs / "区人社局.xlsx").is_file() and (inputs / "督察处.xlsx").is_file()
    assert (inputs / "环保处.xlsx").read_bytes() == before
    assert f"文件已存在，未覆盖：{inputs / '环保处.xlsx'}" in result.output
    book = openpyxl.load_workbook(inputs / "督察处.xlsx")
    assert "2023年计划" in [c.value for c in book["合作交流项目"][1]]


def test_init_without_names_or_list_says_what_to_do(tmp_path):
    office_workbook(tmp_path / "in")
    result = run("init", "--inputs", str(tmp_path / "in"))
    assert result.exit_code == 2
    assert "报送单位" in result.output and "Traceback" not in result.output


def test_init_before_the_office_workbook_is_filled_in_says_what_is_missing(tmp_path):
    inputs = tmp_path / "in"
    assert run("init", "--office", "--inputs", str(inputs)).exit_code == 0
    result = run("init", "--inputs", str(inputs), "环保处")
    assert result.exit_code == 0, result.output
    assert (inputs / "环保处.xlsx").is_file()
    output = result.output
    assert "还没有提纲" in output and "一级标题、二级标题没有下拉选项" in output
    assert "起始年份、结束年份" in output and "{年}年计划" in output
    assert "对口地区" in output and "重新运行 pipeline init" in output
    filled = run("init", "--inputs", str(valid_inputs(tmp_path / "filled")), "区民政局")
    assert "注意" not in filled.output
