"""`pipeline` command line: parses options, calls the core, turns its exceptions into messages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from . import (
    InputProblems,
    PipelineError,
    Problem,
    __version__,
    init_workbooks,
    save_problem_list,
    write_return_copies,
)
from . import build as run_build
from . import check as run_check
from . import verify as run_verify
from ._console import progress_display, show_problems, show_summary
from ._submissions_view import show_return_copies, show_submissions


class _Failure(click.ClickException):
    """A core error as the clerk sees it: Chinese, no traceback, the core's exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.secho(f"错误：{self.format_message()}", fg="red", err=True)


def _fail(exc: PipelineError) -> _Failure:
    return _Failure(exc.message, exc.exit_code)


def _folder(name: str, default: str, help: str, exists: bool) -> Callable:
    return click.option(
        f"--{name}",
        default=default,
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path, exists=exists),
        help=help,
    )


inputs_option = _folder("inputs", "inputs", "各部门工作簿所在的文件夹。", exists=True)
outputs_option = _folder(
    "outputs", "outputs", "生成结果（每次一个归档文件夹）所在的文件夹。", exists=False
)
templates_option = _folder("templates", "templates", "Word 模板所在的文件夹。", exists=False)


def _report_input_problems(exc: InputProblems, inputs: Path, outputs: Path) -> _Failure:
    show_problems(exc.problems)
    path = save_problem_list(outputs, exc.problems)
    if path:
        click.echo(f"\n问题清单已保存：{path}", err=True)
        _send_back(inputs, outputs, exc.problems)
    show_submissions(exc.submissions)
    return _fail(exc)


def _send_back(inputs: Path, outputs: Path, problems: Sequence[Problem]) -> None:
    """Marked-up copies of the workbooks with problems, beside the problem list."""
    try:
        show_return_copies(write_return_copies(outputs, inputs, problems))
    except PipelineError as exc:
        click.secho(f"错误：{exc.message}", fg="red", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
def cli() -> None:
    """从各部门报送的 Excel 工作簿生成工作专报（含拟文稿）和合作交流项目表。

    常用：pipeline check 校验输入；pipeline build 生成并归档文档。
    """


@cli.command()
@inputs_option
@outputs_option
@templates_option
@click.option(
    "--pdf", is_flag=True, help="同时用 LibreOffice 生成 PDF 副本（需已安装 LibreOffice）。"
)
# For the benchmark: seconds per stage, archive included (the manifest is written before it ends).
@click.option("--timings", hidden=True, type=click.Path(dir_okay=False, path_type=Path))
def build(inputs: Path, outputs: Path, templates: Path, pdf: bool, timings: Path | None) -> None:
    """校验输入并生成全部文档，归档到 outputs/ 下新的文件夹。

    有错误时列出全部问题、保存问题清单，不生成任何文档。
    """
    try:
        if pdf:
            from .archive import find_libreoffice

            find_libreoffice()  # say so before any work is done
        with progress_display() as progress:
            prepared, run_folder = run_build(inputs, outputs, templates, pdf=pdf, progress=progress)
    except InputProblems as exc:
        raise _report_input_problems(exc, inputs, outputs) from None
    except PipelineError as exc:
        raise _fail(exc) from None
    if timings is not None:
        _write_timings(timings, prepared.timings, [d.name for d in prepared.documents])
    notices = prepared.dossier.notices
    if notices:
        show_problems(notices)
    show_summary(
        prepared.dossier.row_counts,
        notices,
        [d.name for d in prepared.documents],
        run_folder,
    )
    show_submissions(prepared.submissions)


def _write_timings(path: Path, timings: dict[str, float], documents: list[str]) -> None:
    import json

    path.write_text(
        json.dumps({"seconds": timings, "documents": documents}, ensure_ascii=False),
        encoding="utf-8",
    )


@cli.command()
@inputs_option
@outputs_option
def check(inputs: Path, outputs: Path) -> None:
    """只校验输入，不生成文档。发现问题时在 outputs/ 保存问题清单。"""
    try:
        with progress_display() as progress:
            prepared = run_check(inputs, progress=progress)
    except InputProblems as exc:
        raise _report_input_problems(exc, inputs, outputs) from None
    except PipelineError as exc:
        raise _fail(exc) from None
    notices = prepared.dossier.notices
    if notices:
        show_problems(notices)
        path = save_problem_list(outputs, notices)
        click.echo(f"\n问题清单已保存：{path}", err=True)
        _send_back(inputs, outputs, notices)
    show_summary(prepared.dossier.row_counts, notices)
    show_submissions(prepared.submissions)
    click.echo("校验通过，可以运行 pipeline build 生成文档。")


@cli.command()
@click.argument("run_folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def verify(run_folder: Path) -> None:
    """用归档的输入和模板重新生成，核对 RUN_FOLDER 中的文档是否逐字节一致。

    一致时退出码为 0；有不一致时列出文件，退出码为 1。
    """
    try:
        report = run_verify(run_folder)
    except PipelineError as exc:
        raise _fail(exc) from None
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise _Failure(
            f"{run_folder} 中有 {len(report.differences)} 个文件与重新生成的结果不一致。", 1
        )
    click.echo("核对通过：全部文档与归档输入重新生成的结果一致。")


@cli.command()
@_folder("inputs", "inputs", "要写入空白工作簿的文件夹（不存在时新建）。", exists=False)
@templates_option
@click.option(
    "--office", is_flag=True, help="写入办公室的空白工作簿 报告信息.xlsx，并补齐缺少的默认模板。"
)
@click.argument("departments", nargs=-1)
def init(inputs: Path, templates: Path, office: bool, departments: tuple[str, ...]) -> None:
    """为各部门写入空白报送工作簿（带填写说明和下拉选项），不覆盖已有文件。

    不给部门名称时，为 报告信息.xlsx「报送单位」中列出的每个部门写入。

    例：pipeline init 环保处 绿林处；pipeline init；pipeline init --office
    """
    try:
        result = init_workbooks(inputs, departments, office=office, templates=templates)
    except PipelineError as exc:
        raise _fail(exc) from None
    for path in result.written:
        what = "默认模板" if path.suffix == ".docx" else ""
        click.echo(f"已写入{what}：{path}")
    for path in result.skipped:
        click.secho(f"文件已存在，未覆盖：{path}", fg="yellow")
    for warning in result.warnings:
        click.secho(f"注意：{warning}", fg="yellow")


def main() -> None:
    cli(prog_name="pipeline")
