"""The `pipeline` commands: each parses its options, calls the public API and shows the result.

How the core's failures are shown is `_failures`'; how a run ends (exit codes, signals, an
internal error) is `_policy`'s.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import (
    PipelineError,
    UsageError,
    __version__,
    compare_runs,
    init_from_run,
    init_workbooks,
)
from .. import build as run_build
from .. import check as run_check
from .. import verify as run_verify
from ..files import describe_os_error
from ..interrupts import Interrupted, ctrl_c_ignored, ctrl_c_ignored_once_published
from ._console import progress_display, show_problems, show_summary, show_written
from ._failures import Failure, failure, reported, saved_problem_list, send_back, write_failure
from ._options import (
    LocalPath,
    folder_option,
    inputs_option,
    outputs_option,
    port,
    templates_option,
)
from ._policy import CommandLine
from ._submissions_view import show_submissions
from ._terminal import best_effort_output, colour_wanted


@click.group(
    name="pipeline", cls=CommandLine, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(
    __version__, prog_name="pipeline", message="%(prog)s %(version)s", help="显示版本号并退出。"
)
def cli() -> None:
    """从各部门报送的 Excel 工作簿生成三种文档：工作专报（含拟文稿）、合作交流项目表、会议材料。

    常用：pipeline check 校验输入；pipeline build 生成并归档文档。
    """


@cli.command()
@inputs_option
@outputs_option
@templates_option
@click.option(
    "--pdf", is_flag=True, help="同时用 LibreOffice 生成 PDF 副本（需已安装 LibreOffice）。"
)
@click.option(
    "--ofd",
    is_flag=True,
    help="同时生成 OFD 副本（GB/T 33190 版式文档，供档案归档）。OFD 由 PDF 副本转换而来，"
    "所以同时生成 PDF 副本，也需要 LibreOffice。",
)
@click.option(
    "--compare",
    "compare",
    metavar="运行文件夹",
    type=LocalPath(),
    help="与指定的运行文件夹比较（默认与 outputs/ 中最新的一次比较），结果写入 变更对照.xlsx。",
)
@click.option("--no-compare", is_flag=True, help="不与以前的运行比较，不生成 变更对照.xlsx。")
# For the benchmark: seconds per stage, archive included (the manifest is written before it ends).
@click.option("--timings", hidden=True, type=LocalPath(folder=False))
def build(
    inputs: Path,
    outputs: Path,
    templates: Path,
    pdf: bool,
    ofd: bool,
    compare: Path | None,
    no_compare: bool,
    timings: Path | None,
) -> None:
    """校验输入并生成全部文档，归档到 outputs/ 下新的文件夹。

    文档有三种：工作专报（含拟文稿）、合作交流项目表（每个对口地区一份）、
    会议材料（填写了工作表「会议材料」时）。

    有错误时列出全部问题、保存问题清单，不生成任何文档。
    """
    # Once the run folder is in place the build is done: Ctrl+C would only cut its report short.
    with ctrl_c_ignored_once_published():
        with reported(inputs, outputs), progress_display() as progress:
            prepared, run_folder = run_build(
                inputs,
                outputs,
                templates,
                pdf=pdf,
                ofd=ofd,
                progress=progress,
                compare=compare,
                no_compare=no_compare,
            )
        notices = prepared.dossier.notices
        with best_effort_output():
            show_problems(notices)
            show_summary(prepared.dossier.row_counts, notices)
            show_submissions(prepared.submissions)
            if prepared.change_summary:
                click.echo(f"{prepared.change_summary}（详见 {run_folder / '变更对照.xlsx'}）")
            show_written([d.name for d in prepared.documents], prepared.copies, run_folder)
    if timings is not None:
        _write_timings(timings, prepared.timings, [d.name for d in prepared.documents])


def _write_timings(path: Path, timings: dict[str, float], documents: list[str]) -> None:
    import json

    text = json.dumps({"seconds": timings, "documents": documents}, ensure_ascii=False)
    try:
        # UTF-8 whatever the PC's code page: the document names are Chinese.
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise Failure(f"无法写入耗时记录 {path}：{describe_os_error(exc)}。", 1) from None


@cli.command()
@inputs_option
@outputs_option
def check(inputs: Path, outputs: Path) -> None:
    """只校验输入，不生成文档。发现问题时在 outputs/ 保存问题清单。"""
    with reported(inputs, outputs), progress_display() as progress:
        prepared = run_check(inputs, progress=progress)
    notices = prepared.dossier.notices
    with best_effort_output():
        show_problems(notices)
    not_saved = saved_problem_list(outputs, notices)
    if not_saved is None and notices:
        send_back(inputs, outputs, notices)
    with best_effort_output():
        show_summary(prepared.dossier.row_counts, notices)
        show_submissions(prepared.submissions)
        click.echo("校验通过，可以运行 pipeline build 生成文档。")
    if not_saved is not None:
        raise failure(not_saved)


@cli.command()
@click.argument("run_folder", metavar="运行文件夹", type=LocalPath(must_exist=True))
def verify(run_folder: Path) -> None:
    """用归档的输入和模板重新生成，核对运行文件夹中的文档是否逐字节一致。

    一致时退出码为 0；有不一致时列出文件，退出码为 1。

    例：pipeline verify outputs/2026-11-23_101502_第95期
    """
    try:
        report = run_verify(run_folder)
    except PipelineError as exc:
        raise failure(exc) from None
    except OSError as exc:
        raise write_failure(exc) from None
    with best_effort_output():
        for line in report.lines():
            click.echo(line)
        if report.ok:
            click.echo("核对通过：全部文档与归档输入重新生成的结果一致。")
    if not report.ok:
        raise Failure(
            f"{run_folder} 中有 {len(report.differences)} 处未通过核对（见上面标“不一致”的行）。", 1
        )


@cli.command()
@click.argument("run_a", metavar="较早的运行文件夹", type=LocalPath())
@click.argument("run_b", metavar="较晚的运行文件夹", type=LocalPath())
@outputs_option
def diff(run_a: Path, run_b: Path, outputs: Path) -> None:
    """比较两个运行文件夹（RUN_A 较早，RUN_B 较晚），在 outputs/ 写入 变更对照 工作簿。

    例：pipeline diff outputs/2026-11-23_101502_第95期 outputs/2026-12-07_093011_第96期
    """
    try:
        changes, path = compare_runs(run_a, run_b, outputs)
    except PipelineError as exc:
        raise failure(exc) from None
    click.echo(f"{run_b.name}：{changes.summary(run_a.name)}")
    click.echo(f"变更对照已保存：{path}")


@cli.command()
@folder_option("inputs", "inputs", "要写入空白工作簿的文件夹（不存在时新建）。", exists=False)
@templates_option
@click.option(
    "--office", is_flag=True, help="写入办公室的空白工作簿 报告信息.xlsx，并补齐缺少的默认模板。"
)
@click.option(
    "--from",
    "run_folder",
    metavar="运行文件夹",
    type=LocalPath(),
    help="从这个运行文件夹接续：各部门工作簿预先填入该次报送的内容（不写部门名称时为该次的全部部门）；"
    "与 --office 同用时，办公室工作簿也接续（期号加 1，日期和拟文稿清空）。",
)
@click.argument("departments", nargs=-1, metavar="[部门名称]...")
def init(
    inputs: Path,
    templates: Path,
    office: bool,
    run_folder: Path | None,
    departments: tuple[str, ...],
) -> None:
    """为各部门写入空白报送工作簿（带填写说明和下拉选项），不覆盖已有文件。

    不给部门名称时，为 报告信息.xlsx「报送单位」中列出的每个部门写入。

    例：pipeline init 环保处 绿林处；pipeline init；pipeline init --office；
    pipeline init --from outputs/2026-11-23_101502_第95期 --office
    """
    if run_folder is not None:
        _init_from(run_folder, inputs, departments, office)
        return
    try:
        result = init_workbooks(inputs, departments, office=office, templates=templates)
    except UsageError as exc:  # nothing to write: shown with the command's usage, as click's
        raise click.UsageError(exc.message) from None
    except PipelineError as exc:
        raise failure(exc) from None
    except OSError as exc:
        raise write_failure(exc) from None
    with best_effort_output():
        for path in result.written:
            what = "默认模板" if path.suffix == ".docx" else ""
            click.echo(f"已写入{what}：{path}")
        for path in result.skipped:
            click.secho(f"文件已存在，未覆盖：{path}", fg="yellow")
        for warning in result.warnings:
            click.secho(f"注意：{warning}", fg="yellow")


@cli.command()
@inputs_option
@outputs_option
@templates_option
@click.option(
    "--host",
    default="127.0.0.1",
    metavar="地址",
    help="监听的地址。让各部门从局域网访问时用 0.0.0.0。默认：127.0.0.1",
)
@click.option(
    "--port",
    default="8000",
    metavar="端口",
    callback=lambda _ctx, _param, text: port(text),
    help="监听的端口，1–65535。默认：8000",
)
@click.option("--no-browser", is_flag=True, help="启动后不自动打开浏览器。")
@click.option("--new-links", is_flag=True, help="作废全部旧链接，为每个部门重新生成链接。")
def serve(
    inputs: Path,
    outputs: Path,
    templates: Path,
    host: str,
    port: int,
    no_browser: bool,
    new_links: bool,
) -> None:
    """启动网页：办公室和各部门在浏览器中上传工作簿、查看问题，办公室生成和核对文档。

    启动时列出办公室和各部门的链接，并写入 outputs/报送链接.xlsx。按 Ctrl+C 停止。
    """
    from ..web import base_url, prepare_site
    from ..web import serve as run_server

    try:
        site = prepare_site(
            inputs, outputs, templates, base_url=base_url(host, port), new_links=new_links
        )

        def ready() -> None:
            for link in site.links:
                click.echo(link.line())
            click.echo(f"\n链接已写入：{site.links_file}")
            click.echo("网页已启动，按 Ctrl+C 停止。")

        run_server(
            site, host, port, open_browser=not no_browser, ready=ready, window=_server_window
        )
    except PipelineError as exc:
        raise failure(exc) from None
    except Interrupted as stop:  # SIGTERM: stopped from outside, said as such, 128 + n
        with best_effort_output():
            click.echo("\n网页已停止（收到结束信号）。")
        click.get_current_context().exit(stop.exit_code)
    # Ctrl+C is how the page is stopped (the window says so at start): not a failure.
    with ctrl_c_ignored(), best_effort_output():
        click.echo("\n网页已停止。")


def _server_window(line: str) -> None:
    """A failed request's line in the server's window (its traceback is in the log file)."""
    with best_effort_output():
        click.secho(line, fg="red", err=True, color=None if colour_wanted() else False)


def _init_from(run_folder: Path, inputs: Path, departments: tuple[str, ...], office: bool) -> None:
    try:
        written, skipped = init_from_run(run_folder, inputs, departments, office=office)
    except PipelineError as exc:
        raise failure(exc) from None
    except OSError as exc:
        raise write_failure(exc) from None
    with best_effort_output():
        for path in written:
            click.echo(f"已写入：{path}")
        for path in skipped:
            click.echo(f"已存在，未覆盖（跳过）：{path}")


def main() -> None:
    cli(prog_name="pipeline")
