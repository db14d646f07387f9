"""The command line: help texts, exit codes, and the messages a clerk sees."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from _examples import example_inputs
from _ofd import ofd_page_texts, pdf_page_texts
from _workbooks import (
    COOPERATION_HEADER,
    cooperation_row,
    cooperation_workbook,
    office_workbook,
    sample_sheet,
    valid_inputs,
    write_workbook,
)
from click.testing import CliRunner

from pipeline import __version__
from pipeline.cli._help import display_width
from pipeline.cli.commands import cli

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, **options):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **options)


# click's own words, which must never reach the clerk.
ENGLISH = (
    "Usage",
    "Error",
    "Try ",
    "Options",
    "Commands",
    "Show this",
    "Show the",
    "Invalid value",
    "No such",
    "Missing",
    "unexpected",
    "does not",
    "requires",
    "Aborted",
    "Traceback",
    "DIRECTORY",
    "default:",
)


def assert_chinese(output: str) -> None:
    found = [word for word in ENGLISH if word in output]
    assert not found, f"English in the output {found}:\n{output}"


@pytest.mark.parametrize(
    "command", [[], ["build"], ["check"], ["init"], ["verify"], ["serve"], ["diff"]]
)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_is_chinese(command, flag):
    result = run(*command, flag)
    assert result.exit_code == 0
    assert result.output.startswith(f"用法：{' '.join(['pipeline', *command])} [选项]")
    assert "\n选项：\n" in result.output
    assert "显示本帮助并退出。" in result.output
    assert_chinese(result.output)


def test_main_help_lists_every_command_in_chinese():
    output = run("--help").output
    commands = output.split("\n命令：\n")[1]
    for name, words in [("build", "生成"), ("check", "校验"), ("init", "空白"), ("verify", "核对")]:
        assert re.search(rf"^  {name} +\S*{words}", commands, re.MULTILINE), commands
    assert "--version   显示版本号并退出。" in output


def test_help_columns_line_up_with_chinese_metavars():
    output = run("build", "--help").output
    rows = [line for line in output.splitlines() if line.startswith("  -")]
    # where each description starts, counting a Chinese character as two columns
    starts = {display_width(re.match(r"^(  \S.*?\s{2,})\S", row).group(1)) for row in rows}
    assert len(rows) == 8 and len(starts) == 1, output


@pytest.mark.parametrize("command", [[], ["build"]])
def test_help_names_the_three_kinds_of_document(command):
    output = "".join(run(*command, "--help").output.split())  # as read, across wrapped lines
    for kind in ("工作专报（含拟文稿）", "合作交流项目表", "会议材料"):
        assert kind in output, output


def test_build_help_says_what_ofd_writes_and_needs():
    output = run("build", "--help").output
    ofd = "".join(output[output.index("  --ofd") : output.index("  --compare")].split())
    assert "OFD副本" in ofd and "GB/T33190" in ofd, ofd
    assert "由PDF副本转换而来" in ofd and "LibreOffice" in ofd, ofd


def test_version_has_no_english():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"pipeline {__version__}"


def test_bare_command_shows_the_help_as_a_usage_error():
    result = run()
    assert result.exit_code == 2
    assert "用法：pipeline" in result.output and "命令：" in result.output
    assert_chinese(result.output)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["buidl"],
            "没有 buidl 这个命令。可用的命令：build、check、diff、init、serve、verify。是不是想输入 build？",
        ),
        (["--fast"], "没有 --fast 这个选项。"),
        (["build", "--fast"], "没有 --fast 这个选项。"),
        (["build", "--input", "x"], "没有 --input 这个选项。是不是想用 --inputs 或 --outputs？"),
        (["verify"], "缺少参数 运行文件夹。"),
        (["build", "--inputs"], "选项 --inputs 后面需要跟一个值。"),
        (["build", "--pdf=yes"], "选项 --pdf 后面不能跟值。"),
        (["check", "--inputs", "{inputs}", "多余"], "多余的参数：多余。"),
        (["build", "--inputs", "{missing}"], "选项 --inputs：文件夹「{missing}」不存在"),
        (
            ["check", "--inputs", "{file}"],
            "选项 --inputs：「{file}」是一个文件，这里需要的是文件夹。",
        ),
        (
            ["build", "--inputs", "{inputs}", "--outputs", "{file}"],
            "选项 --outputs：「{file}」是一个文件",
        ),
        (["init", "--templates", "{file}", "--office"], "选项 --templates：「{file}」是一个文件"),
        (["verify", "{file}"], "参数 运行文件夹：「{file}」是一个文件"),
        (["verify", "{missing}"], "参数 运行文件夹：文件夹「{missing}」不存在"),
        (
            ["build", "--inputs", "{inputs}", "--timings", "{inputs}"],
            "选项 --timings：「{inputs}」是一个文件夹，这里需要的是文件。",
        ),
        (
            ["init", "--inputs", "{inputs}"],
            "请给出部门名称，或先在 报告信息.xlsx 的「报送单位」中列出各部门，或使用 --office。",
        ),
    ],
)
def test_usage_errors_are_chinese_with_exit_code_2(tmp_path, args, message):
    names = {
        "inputs": str(valid_inputs(tmp_path / "in")),
        "missing": str(tmp_path / "没有"),
        "file": str(tmp_path / "in" / "报告信息.xlsx"),
    }
    args = [arg.format(**names) for arg in args]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert f"错误：{message.format(**names)}" in result.output
    command = "pipeline" if args[0].startswith("-") or args[0] == "buidl" else f"pipeline {args[0]}"
    assert result.output.startswith(f"用法：{command} [选项]")
    assert f"运行 {command} -h 查看帮助。" in result.output
    assert_chinese(result.output)
    assert not (tmp_path / "outputs").exists()


def test_a_path_too_long_to_look_at_is_a_usage_error(tmp_path):
    result = run("check", "--inputs", str(tmp_path / ("长" * 400)))
    assert result.exit_code == 2
    assert "错误：选项 --inputs：" in result.output
    assert_chinese(result.output)


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
        inputs, "环保处", [cooperation_row(牵头部门=None), cooperation_row(serial="x")]
    )
    (inputs / "旧表.xls").write_bytes(b"old")
    result = run("check", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
    assert result.exit_code == 1
    output = result.output
    assert "环保处.xlsx › 合作交流项目 › K2（列「牵头部门」）" in output
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
    assert "不存在" in result.output


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
    assert names == {"work_report.docx", "project_table.docx", "meeting_material.docx"}


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
        str(example_inputs()),
        "--outputs",
        str(outputs),
        "--templates",
        str(ROOT / "templates"),
    )
    assert result.exit_code == 0, result.output
    (run_folder,) = [p for p in outputs.iterdir() if p.is_dir()]
    assert "第95期" in run_folder.name
    names = {p.name for p in run_folder.glob("*.docx")}
    assert "工作专报（第95期）.docx" in names and len(names) == 4
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
    result = run("build", "--pdf", "--inputs", str(example_inputs()), "--outputs", str(outputs))
    assert result.exit_code == 1
    assert "LibreOffice" in result.output
    assert not outputs.exists() or not any(outputs.iterdir())


def test_ofd_without_its_converter_is_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: f"/opt/lo/{name}")
    monkeypatch.setitem(sys.modules, "pdf2ofd", None)  # as if not installed
    outputs = tmp_path / "out"
    # Inputs with an error: read first, they would be listed and a problem list written.
    inputs = inputs_with_an_error(tmp_path / "in")
    result = run("build", "--ofd", "--inputs", str(inputs), "--outputs", str(outputs))
    assert result.exit_code == 1
    assert "错误：未安装生成 OFD 所需的 pdf2ofd、PyMuPDF 和 fontTools" in result.output
    assert "去掉 --ofd" in result.output
    assert_chinese(result.output)
    assert "牵头部门" not in result.output and not outputs.exists()


@pytest.mark.libreoffice
def test_build_ofd_then_verify(tmp_path, libreoffice):
    """OFD copies of the example documents: beside the PDFs, their text the PDFs' on every
    page (read by ofdkit and pdftotext), checked by verify."""
    outputs = tmp_path / "out"
    args = ["--inputs", str(example_inputs()), "--templates", str(ROOT / "templates")]
    result = run("build", "--ofd", *args, "--outputs", str(outputs))
    assert result.exit_code == 0, result.output
    (run_folder,) = [p for p in outputs.iterdir() if p.is_dir()]
    documents = {p.stem for p in run_folder.glob("*.docx")}
    assert len(documents) == 4
    assert {p.stem for p in run_folder.glob("*.pdf")} == documents
    assert {p.stem for p in run_folder.glob("*.ofd")} == documents
    manifest = json.loads((run_folder / "manifest.json").read_text(encoding="utf-8"))
    assert {e["file"] for e in manifest["ofds"]} == {f"{name}.ofd" for name in documents}
    listed = re.findall(r"^  已生成副本：(.+)$", result.output, re.MULTILINE)
    assert sorted(listed) == sorted(f"{n}{s}" for n in documents for s in (".pdf", ".ofd"))
    pages = 0
    for name in documents:
        texts = ofd_page_texts(run_folder / f"{name}.ofd")
        assert texts == pdf_page_texts(run_folder / f"{name}.pdf"), name
        pages += len(texts)
    assert pages > 4 * 2  # the report and the meeting material fill several pages each

    verified = run("verify", str(run_folder))
    assert verified.exit_code == 0, verified.output
    table = run_folder / "合作交流项目表_永安市.ofd"
    table.write_bytes(table.read_bytes()[:-1])
    altered = run("verify", str(run_folder))
    assert altered.exit_code == 1
    assert "合作交流项目表_永安市.ofd" in altered.output


def office_folder(folder: Path) -> Path:
    """A fresh office folder as README's first steps leave it: the examples and templates."""
    for name in ("inputs", "templates"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


@pytest.mark.parametrize(
    "flags", [[], pytest.param(["--pdf"], marks=pytest.mark.libreoffice)], ids=["docx", "pdf"]
)
def test_build_ends_with_where_the_documents_are(tmp_path, flags, request):
    """As the clerk runs it, in the office folder and no path options: every document and copy
    listed is on disk, and the very last line says which folder they are in."""
    if flags:
        request.getfixturevalue("libreoffice")  # skips (or fails in CI) without LibreOffice
    office = office_folder(tmp_path / "科室")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", *flags],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=office,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.rstrip("\n").splitlines()
    last = re.fullmatch(r"本次结果已归档到：(.+)", lines[-1])
    assert last, done.stdout
    (run_folder,) = [p for p in (office / "outputs").iterdir() if p.is_dir()]
    assert (office / last.group(1)).resolve() == run_folder.resolve()
    documents = re.findall(r"^  已生成：(.+)$", done.stdout, re.MULTILINE)
    copies = re.findall(r"^  已生成副本：(.+)$", done.stdout, re.MULTILINE)
    assert sorted(documents) == sorted(p.name for p in run_folder.glob("*.docx"))
    assert len(documents) == 4, done.stdout  # report, meeting material and two tables
    on_disk = sorted(p.name for p in run_folder.glob("*.pdf"))
    assert sorted(copies) == on_disk
    assert len(copies) == (len(documents) if flags else 0)
    # the listing is the end: nothing but the documents and the folder after the 报送情况 table
    assert lines[-1 - len(documents) - len(copies) : -1] == [
        *(f"  已生成：{name}" for name in documents),
        *(f"  已生成副本：{name}" for name in copies),
    ]
    assert done.stdout.index("报送情况") < done.stdout.index("  已生成：")


# ------------------------------------------------------------------ failures to write


def inputs_with_an_error(folder: Path) -> Path:
    office_workbook(folder)
    cooperation_workbook(folder, "环保处", [cooperation_row(牵头部门=None)])
    return folder


def refuse_to_replace(monkeypatch, name_start: str) -> None:
    """What Windows does while Excel holds the file open: the new file cannot take its place."""
    real_replace = os.replace

    def replace(source, target, *args, **kwargs):
        if Path(target).name.startswith(name_start):
            raise PermissionError(13, "拒绝访问。", str(target))
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("command", ["check", "build"])
def test_problem_list_that_cannot_be_replaced_is_a_message_and_exit_1(
    tmp_path, monkeypatch, command
):
    refuse_to_replace(monkeypatch, "问题清单")
    inputs, outputs = inputs_with_an_error(tmp_path / "in"), tmp_path / "out"
    result = run(command, "--inputs", str(inputs), "--outputs", str(outputs))
    assert result.exit_code == 1
    output = result.output
    cell = output.index("环保处.xlsx › 合作交流项目 › K2（列「牵头部门」）")
    failure = output.index("错误：无法保存问题清单")
    assert cell < failure  # the cell problems were printed first
    assert "文件正被其他程序（如 Excel、WPS）打开" in output
    assert "错误：输入文件中有 1 处错误，未生成任何文档" in output
    assert_chinese(output)
    assert not any(p.suffix == ".xlsx" for p in outputs.rglob("*"))  # no half-written list


def test_problem_list_in_an_outputs_folder_that_cannot_be_made(tmp_path):
    inputs = inputs_with_an_error(tmp_path / "in")
    blocker = tmp_path / "共享盘"
    blocker.write_bytes(b"a file where a folder is needed")
    result = run("check", "--inputs", str(inputs), "--outputs", str(blocker / "outputs"))
    assert result.exit_code == 1
    assert "错误：无法保存问题清单" in result.output
    assert "路径中有一个同名的文件，它不是文件夹" in result.output
    assert_chinese(result.output)


def test_notices_list_that_cannot_be_saved_fails_the_check(tmp_path, monkeypatch):
    refuse_to_replace(monkeypatch, "问题清单")
    inputs = valid_inputs(tmp_path / "in")
    write_workbook(inputs / "杂项.xlsx", {"备忘": [["随便写写"]]})  # an unknown sheet: a notice
    result = run("check", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "校验通过" in result.output
    assert "错误：无法保存问题清单" in result.output
    assert_chinese(result.output)


def test_run_folder_that_cannot_be_written_is_a_message_and_exit_1(tmp_path):
    blocker = tmp_path / "共享盘"
    blocker.write_bytes(b"")
    inputs = valid_inputs(tmp_path / "in")
    result = run("build", "--inputs", str(inputs), "--outputs", str(blocker / "outputs"))
    assert result.exit_code == 1
    assert "错误：无法创建输出文件夹" in result.output
    assert "路径中有一个同名的文件" in result.output
    assert_chinese(result.output)


def test_timings_that_cannot_be_written_is_a_message_and_exit_1(tmp_path):
    inputs = valid_inputs(tmp_path / "in")
    timings = tmp_path / "没有这个文件夹" / "timings.json"
    result = run(
        "build",
        "--inputs",
        str(inputs),
        "--outputs",
        str(tmp_path / "out"),
        "--timings",
        str(timings),
    )
    assert result.exit_code == 1
    assert "已生成" in result.output  # the summary came first: the documents exist
    assert f"错误：无法写入耗时记录 {timings}：路径不存在。" in result.output


def test_timings_are_utf8_whatever_the_code_page(tmp_path):
    """Python warns about (here: fails on) a file opened without an encoding, which would be
    cp936 on a Chinese Windows PC."""
    timings = tmp_path / "timings.json"
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "warn_default_encoding",
            "-W",
            "error::EncodingWarning",
            "-m",
            "pipeline",
            "build",
            "--inputs",
            str(valid_inputs(tmp_path / "in")),
            "--outputs",
            str(tmp_path / "out"),
            "--timings",
            str(timings),
        ],
        capture_output=True,
        cwd=tmp_path,
        env={**os.environ, "PIPELINE_DEBUG": "1"},
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    recorded = json.loads(timings.read_bytes().decode("utf-8"))
    assert "工作专报（第95期）.docx" in recorded["documents"]


# ------------------------------------------------------------------ interruptions, colour


def test_ctrl_c_says_in_chinese_that_nothing_was_written(tmp_path, monkeypatch):
    def pressed_ctrl_c(path):
        raise KeyboardInterrupt

    # while the run folder is being assembled, after the documents were written into it
    monkeypatch.setattr("pipeline.archive.run_folder.sha256_file", pressed_ctrl_c)
    outputs = tmp_path / "out"
    inputs = valid_inputs(tmp_path / "in")
    result = run("build", "--inputs", str(inputs), "--outputs", str(outputs))
    assert result.exit_code == 130
    assert "已中断（Ctrl+C）：本次运行没有完成，没有生成任何文档" in result.output
    assert_chinese(result.output)
    assert list(outputs.iterdir()) == []  # the half-built run folder was removed


def test_no_color_removes_colour_codes(tmp_path):
    inputs = inputs_with_an_error(tmp_path / "in")
    args = ["check", "--inputs", str(inputs), "--outputs", str(tmp_path / "out")]
    # color=True: click believes it writes to a terminal
    coloured = CliRunner().invoke(cli, args, color=True, env={"NO_COLOR": None})
    assert "\x1b[" in coloured.output
    plain = CliRunner().invoke(cli, args, color=True, env={"NO_COLOR": "1"})
    assert plain.exit_code == 1
    assert "\x1b[" not in plain.output
    assert "错误：输入文件中有 1 处错误" in plain.output


# ------------------------------------------------------------------ terminal encodings


def test_gbk_terminal_build_with_emoji_file_name_succeeds(tmp_path):
    inputs = valid_inputs(tmp_path / "in")
    (inputs / "环保处.xlsx").rename(inputs / "环保处🌿.xlsx")
    outputs = tmp_path / "out"
    result = CliRunner(charset="gbk").invoke(
        cli, ["build", "--inputs", str(inputs), "--outputs", str(outputs)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "环保处?.xlsx" in result.output
    assert "本次结果已归档到" in result.output
    (run_folder,) = outputs.iterdir()
    assert (run_folder / "inputs" / "环保处🌿.xlsx").exists()


def test_gbk_terminal_problem_lines_keep_a_separator(tmp_path):
    inputs = inputs_with_an_error(tmp_path / "in")
    (inputs / "环保处.xlsx").rename(inputs / "环保处🌿.xlsx")
    result = CliRunner(charset="gbk").invoke(
        cli,
        ["check", "--inputs", str(inputs), "--outputs", str(tmp_path / "out")],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "环保处?.xlsx > 合作交流项目 > K2（列「牵头部门」）" in result.output
    assert "\\u" not in result.output


@pytest.mark.skipif(os.name != "posix", reason="the stand-in LibreOffice is a shell script")
def test_pdf_that_cannot_be_made_is_a_message_and_exit_1(tmp_path, monkeypatch):
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    soffice = bin_folder / "soffice"
    soffice.write_text("#!/bin/sh\necho 'source file could not be loaded' >&2\nexit 1\n")
    soffice.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    outputs = tmp_path / "out"
    inputs = valid_inputs(tmp_path / "in")
    result = run("build", "--pdf", "--inputs", str(inputs), "--outputs", str(outputs))
    assert result.exit_code == 1
    assert "错误：LibreOffice 未能把以下文档转换为 PDF：工作专报（第95期）.docx" in result.output
    assert list(outputs.iterdir()) == []


def test_summary_shows_file_names_as_typed(tmp_path):
    """A name that looks like terminal markup or an emoji code is printed as it is."""
    inputs = valid_inputs(tmp_path / "in")
    (inputs / "环保处.xlsx").rename(inputs / "环保处[bold]:smile:.xlsx")
    result = run("build", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "环保处[bold]:smile:.xlsx" in result.output


def test_init_into_a_folder_that_cannot_be_made_is_a_message_and_exit_1(tmp_path):
    blocker = tmp_path / "共享盘"
    blocker.write_bytes(b"")
    result = run("init", "--inputs", str(blocker / "inputs"), "环保处")
    assert result.exit_code == 1
    assert f"错误：无法读写文件 {blocker / 'inputs'}：路径中有一个同名的文件" in result.output
    assert_chinese(result.output)


@pytest.mark.parametrize("port", ["0", "x", "70000"])
def test_a_port_out_of_range_is_a_chinese_usage_error(port):
    result = run("serve", "--port", port, "--no-browser")
    assert result.exit_code == 2
    assert "端口应为 1–65535 之间的整数" in result.output
    assert_chinese(result.output)


# ---------------------------------------------------------------- periods


def build_examples(outputs: Path, *options: str):
    return run(
        "build",
        "--inputs",
        str(example_inputs()),
        "--outputs",
        str(outputs),
        "--templates",
        str(ROOT / "templates"),
        *options,
    )


def test_build_compares_with_the_last_run_and_diff_compares_any_two(tmp_path):
    outputs = tmp_path / "out"
    first = build_examples(outputs)
    assert first.exit_code == 0, first.output
    assert "相比" not in first.output  # nothing earlier
    second = build_examples(outputs)
    assert second.exit_code == 0, second.output
    assert "与上次（第95期，" in second.output
    assert "新增事项 0，删除 0，修改 0 处" in second.output
    older, newer = sorted(p for p in outputs.iterdir() if p.is_dir())
    assert (newer / "变更对照.xlsx").is_file()

    compared = run("diff", str(older), str(newer), "--outputs", str(tmp_path / "diff"))
    assert compared.exit_code == 0, compared.output
    assert f"与{older.name}（第95期，" in compared.output
    assert "变更对照已保存" in compared.output
    (saved,) = (tmp_path / "diff").iterdir()
    assert saved.name.startswith("变更对照_")

    quiet = build_examples(outputs, "--no-compare")
    assert quiet.exit_code == 0 and "相比" not in quiet.output


def test_diff_and_compare_with_a_folder_that_is_not_a_run(tmp_path):
    outputs = tmp_path / "out"
    result = run(
        "diff", str(example_inputs()), str(tmp_path / "missing"), "--outputs", str(outputs)
    )
    assert result.exit_code == 1
    assert "错误：" in result.output and "不是运行文件夹" in result.output
    assert "Traceback" not in result.output
    result = build_examples(outputs, "--compare", str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert "找不到运行文件夹" in result.output
    assert not outputs.exists()


def test_init_from_a_run_writes_prefilled_workbooks_and_skips_existing(tmp_path):
    outputs = tmp_path / "out"
    assert build_examples(outputs).exit_code == 0
    (run_folder,) = outputs.iterdir()
    inputs = tmp_path / "next"
    result = run("init", "--from", str(run_folder), "--inputs", str(inputs), "--office")
    assert result.exit_code == 0, result.output
    assert f"已写入：{inputs / '报告信息.xlsx'}" in result.output
    assert f"已写入：{inputs / '环保处.xlsx'}" in result.output
    again = run("init", "--from", str(run_folder), "--inputs", str(inputs), "环保处")
    assert again.exit_code == 0
    assert f"已存在，未覆盖（跳过）：{inputs / '环保处.xlsx'}" in again.output
    bad = run("init", "--from", str(tmp_path / "nowhere"), "--inputs", str(tmp_path / "other"))
    assert bad.exit_code == 1 and "找不到运行文件夹" in bad.output
    assert not (tmp_path / "other").exists()


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
    cooperation_workbook(inputs, "环保处", [cooperation_row(牵头部门=None)])
    cooperation_workbook(inputs, "绿林处", [cooperation_row(serial="x")])
    before = {p.name: p.read_bytes() for p in inputs.iterdir()}
    result = run("check", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "退回副本已保存" in result.output
    (folder,) = (tmp_path / "out").glob("退回_*")
    assert {p.name for p in folder.iterdir()} == {"环保处.xlsx", "绿林处.xlsx", "报告信息.xlsx"}
    sheet = openpyxl.load_workbook(folder / "环保处.xlsx")["合作交流项目"]
    assert "必填" in sheet["K2"].comment.text
    assert {p.name: p.read_bytes() for p in inputs.iterdir()} == before
    row = next(line for line in result.output.splitlines() if "环保处.xlsx" in line and "│" in line)
    assert "有错误" in row
    assert "绿林处（未列入）" in result.output
    assert "未报送：区人社局、督察处" in result.output


def test_check_names_a_deleted_and_a_misspelt_column_once_everywhere(tmp_path):
    """As the clerk runs it: `pipeline check` in the office folder, no path options."""
    valid_inputs(tmp_path / "inputs")
    rows = sample_sheet("合作交流项目", drop=("牵头部门",), rename={"事项": "事项名称"}, rows=5)
    write_workbook(tmp_path / "inputs" / "环保处.xlsx", {"合作交流项目": rows})
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "check"],
        capture_output=True,
        cwd=tmp_path,
        env={**os.environ, "PIPELINE_DEBUG": "1"},
        timeout=300,
    )
    output = (result.stdout + result.stderr).decode("utf-8")
    assert result.returncode == 1, output
    listed = [line.strip() for line in output.splitlines() if line.strip().startswith("[")]
    assert listed == [
        "[错误] 环保处.xlsx › 合作交流项目 › C2（列「事项名称」）：缺少列「事项」："
        "表头（第 2 行）中的「事项名称」应为「事项」？这一列未读取。请把列名改为「事项」，"
        "或下载空白报送表（网页上的「下载空白报送表」，或 pipeline init 环保处）对照表头。",
        "[错误] 环保处.xlsx › 合作交流项目 › 行2（列「牵头部门」）：缺少列「牵头部门」"
        "（纳入项目表的事项须填写）。表头在第 2 行，其中没有这一列。请在表头中恢复这一列并填写，"
        "或下载空白报送表（网页上的「下载空白报送表」，或 pipeline init 环保处）对照表头。",
    ]
    assert "必填" not in output and "Traceback" not in output
    (report,) = (tmp_path / "outputs").glob("问题清单_*.xlsx")
    rows = list(openpyxl.load_workbook(report)["问题清单"].iter_rows(min_row=2, values_only=True))
    assert [row[3:5] for row in rows] == [("C2", "事项名称"), ("行2", "牵头部门")]
    assert [row[6] for row in rows] == [line.split("）：", 1)[1] for line in listed]
    (copy,) = (tmp_path / "outputs").glob("退回_*/环保处.xlsx")
    book = openpyxl.load_workbook(copy)
    assert book["问题"].max_row == 5 + len(listed)
    assert "缺少列「牵头部门」" in book["合作交流项目"]["A2"].comment.text


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


def test_terminal_tables_line_up_and_fold_without_losing_text():
    from pipeline.cli._help import display_width
    from pipeline.cli._table import box_table

    long = "专报信息（15）、提纲（9）、工作进展（4）、拟文稿（6）、项目表信息（5）、报送单位（13）"
    text = box_table(
        "读取的工作簿",
        ("工作簿", "行数"),
        [("报告信息.xlsx", long), ("a.xlsx", "7")],
        width=40,
        right=frozenset({1}),
    )
    title, *lines = text.splitlines()
    assert title.strip() == "读取的工作簿"
    assert len({display_width(line) for line in lines}) == 1  # every line as wide as the frame
    assert display_width(lines[0]) <= 40
    folded = [line for line in lines if line.startswith("│")]
    cells = ["".join(line.split("│")[2].strip() for line in folded[:-1]), folded[-1].split("│")[2]]
    assert cells[0] == long  # folded, nothing cut off
    assert cells[1].endswith(" 7 ")  # aligned right
