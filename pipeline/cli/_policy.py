"""How every run of `pipeline` ends: an exit code, and a Chinese message, never a traceback.

`CommandLine` is the one base every command runs under: click parses and calls the command
(its help and usage errors Chinese, from `_help`); whatever the command raises ends here.

    0    success
    1    data errors, failed writes, verify mismatches, an internal error
    2    usage errors
    130  Ctrl+C
    128 + n  stopped by signal n (143 for SIGTERM)
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from ..interrupts import CTRL_C_EXIT_CODE, Interrupted, interrupted_within, signals_interrupt
from ._help import ChineseGroup
from ._terminal import colour_wanted, degrade_unprintable, interrupted_message

# Set to see the Python traceback of an internal error (for the developers).
DEBUG_VARIABLE = "PIPELINE_DEBUG"


def show_error(text: str) -> None:
    """`错误：…` on stderr, red unless `NO_COLOR` is set."""
    click.secho(f"错误：{text}", fg="red", err=True, color=None if colour_wanted() else False)


def show_usage_error(error: click.UsageError) -> None:
    """The usage line, where to find help, and the error; all Chinese."""
    ctx = error.ctx
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True, color=False)
        names = ctx.help_option_names
        if ctx.command.get_help_option(ctx) is not None and names:
            click.echo(f"运行 {ctx.command_path} {names[0]} 查看帮助。", err=True)
        click.echo(err=True)
    show_error(error.format_message())


class CommandLine(ChineseGroup):
    """The `pipeline` command: Chinese help and errors, and every run ends in a Chinese
    message and an exit code, never in a traceback."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; in standalone mode (the default) exit with:
        0 success, 1 data errors / failed writes / verify mismatches, 2 usage errors,
        130 Ctrl+C, 128 + the signal's number when stopped by a signal (143 for SIGTERM)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        degrade_unprintable(sys.stdout, sys.stderr)
        if not colour_wanted():
            extra.setdefault("color", False)
        try:
            with signals_interrupt():
                result = super().main(args, prog_name, complete_var, False, **extra)
            code = result if isinstance(result, int) else 0
        except click.UsageError as error:
            show_usage_error(error)
            code = error.exit_code
        except click.ClickException as error:
            show_error(error.format_message())
            code = error.exit_code
        except (click.Abort, KeyboardInterrupt, EOFError):
            show_error(interrupted_message())
            code = CTRL_C_EXIT_CODE
        except Interrupted as stop:
            show_error(interrupted_message("收到结束信号"))
            code = stop.exit_code
        except Exception as error:  # a bug: still no traceback for the clerk
            if interrupted_within(error):  # Ctrl+C while a module loaded late
                show_error(interrupted_message())
                sys.exit(CTRL_C_EXIT_CODE)
            if os.environ.get(DEBUG_VARIABLE):
                traceback.print_exc()
            show_error(
                f"程序内部错误（{type(error).__name__}：{error}）。这不是输入文件的问题；"
                "本次运行没有完成。请把这条信息和所用的命令发给维护人员。"
            )
            code = 1
        sys.exit(code)
