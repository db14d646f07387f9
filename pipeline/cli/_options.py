"""What the commands share: folder and file paths checked in Chinese, and the folder options
(`--inputs`, `--outputs`, `--templates`), each defined once as a decorator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from ..files import describe_os_error


class LocalPath(click.ParamType):
    """A folder (or, with `folder=False`, a file) on this computer, checked with Chinese
    messages (click's own `Path` type words its refusals in English), and made absolute against
    the folder the command was started in: nothing later (Flask's `send_file`, a thread, a
    library) may read a relative path against another folder."""

    name = "path"

    def __init__(self, *, folder: bool = True, must_exist: bool = False) -> None:
        self.folder = folder
        self.must_exist = must_exist

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Path:
        path = value if isinstance(value, Path) else Path(str(value))
        try:
            exists, is_folder = path.exists(), path.is_dir()
        except OSError as exc:  # a name too long, a folder that may not be opened
            self.fail(f"无法访问「{path}」：{describe_os_error(exc)}。", param, ctx)
        if self.folder and exists and not is_folder:
            self.fail(f"「{path}」是一个文件，这里需要的是文件夹。", param, ctx)
        if not self.folder and is_folder:
            self.fail(f"「{path}」是一个文件夹，这里需要的是文件。", param, ctx)
        if self.must_exist and not exists:
            self.fail(f"文件夹「{path}」不存在，请检查路径是否写对。", param, ctx)
        # absolute(), not resolve(): symbolic links and mapped network drives stay as typed
        return path.absolute()


def folder_option(name: str, default: str, help: str, exists: bool) -> Callable:
    return click.option(
        f"--{name}",
        default=default,
        metavar="文件夹",
        type=LocalPath(must_exist=exists),
        help=f"{help}默认：{default}",
    )


inputs_option = folder_option("inputs", "inputs", "各部门工作簿所在的文件夹。", exists=True)
outputs_option = folder_option(
    "outputs", "outputs", "生成结果（每次一个归档文件夹）所在的文件夹。", exists=False
)
templates_option = folder_option("templates", "templates", "Word 模板所在的文件夹。", exists=False)


def port(text: str) -> int:
    """`--port`'s value: a TCP port, refused in Chinese otherwise."""
    port = int(text) if text.isdigit() else 0
    if not 1 <= port <= 65535:
        raise click.BadParameter(f"端口应为 1–65535 之间的整数，「{text}」不行。")
    return port
