"""click, in Chinese: help pages, usage errors and the refusal of an unknown command.

Only click's public API is used: subclasses of `Command`, `Group`, `Context` (its
`formatter_class`) and `HelpFormatter` overriding documented methods, and the public attributes
of click's exceptions (never their English text). click's gettext hooks were not used: they
need a compiled catalogue installed process-wide and take the language from `LANGUAGE`/`LANG`,
which a Windows PC does not set. How a run ends (exit codes, signals) is `_policy`'s.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from typing import Any

import click

USAGE_PREFIX = "用法："
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."
HELP_OPTION_HELP = "显示本帮助并退出。"


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class ChineseHelpFormatter(click.HelpFormatter):
    """click's help layout with Chinese framework words, aligned for double-width characters."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE_PREFIX if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        if not rows:
            return
        first_col = min(max(display_width(term) for term, _ in rows), col_max) + col_spacing
        indent = " " * (first_col + self.current_indent)
        for term, definition in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not definition:
                self.write("\n")
                continue
            width = display_width(term)
            if width <= first_col - col_spacing:
                self.write(" " * (first_col - width))
            else:
                self.write("\n" + indent)
            text_width = max(self.width - first_col - 2, 10)
            lines = click.wrap_text(definition, text_width, preserve_paragraphs=True).splitlines()
            self.write((lines[0] if lines else "") + "\n")
            for line in lines[1:]:
                self.write(f"{indent}{line}\n")


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


class ChineseCommand(click.Command):
    """A command whose help and usage errors are Chinese."""

    context_class = ChineseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_HELP
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [
            record
            for param in self.get_params(ctx)
            if isinstance(param, click.Option) and (record := param.get_help_record(ctx))
        ]
        if records:
            with formatter.section("选项"):
                formatter.write_dl(records)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Extra arguments are collected and refused here, so the refusal can be Chinese.
        strict = not ctx.allow_extra_args
        ctx.allow_extra_args = True
        try:
            rest = super().parse_args(ctx, args)
        except click.UsageError as error:
            raise click.UsageError(usage_error_text(error, self, ctx), ctx=ctx) from None
        finally:
            ctx.allow_extra_args = not strict
        if strict and rest and not ctx.resilient_parsing:
            ctx.fail(f"多余的参数：{' '.join(rest)}。这个命令不需要它们，请删去后重新运行。")
        return rest


class ChineseGroup(ChineseCommand, click.Group):
    """A group of commands whose help, usage errors and refusal of an unknown command are
    Chinese."""

    command_class = ChineseCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        ChineseCommand.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                commands.append((name, command))
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("命令"):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in commands])

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            # A bare `pipeline`: the help, as a usage error (no command given).
            click.echo(ctx.get_help(), err=True, color=ctx.color)
            ctx.exit(2)
        return super().parse_args(ctx, args)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if (
            self.get_command(ctx, name) is None
            and not name.startswith("-")  # an option: click parses it again and refuses it
            and not ctx.resilient_parsing
        ):
            known = self.list_commands(ctx)
            text = f"没有 {name} 这个命令。可用的命令：{'、'.join(known)}。"
            close = difflib.get_close_matches(name, known, n=1)
            if close:
                text += f"是不是想输入 {close[0]}？"
            ctx.fail(text)
        return super().resolve_command(ctx, args)


def usage_error_text(error: click.UsageError, command: click.Command, ctx: click.Context) -> str:
    """click's usage errors in Chinese, from their public attributes (never their English text).

    Messages that are Chinese already (those of this package's parameter types and commands)
    pass through unchanged."""
    if isinstance(error, click.NoSuchOption):
        text = f"没有 {error.option_name} 这个选项。"
        if error.possibilities:
            text += f"是不是想用 {' 或 '.join(sorted(error.possibilities))}？"
        return text
    if isinstance(error, click.BadOptionUsage):
        option = _option_named(command, ctx, error.option_name)
        if option is not None and option.is_flag:
            return f"选项 {error.option_name} 后面不能跟值。"
        return f"选项 {error.option_name} 后面需要跟一个值。"
    if isinstance(error, click.MissingParameter):
        return f"缺少{_label(error.param)}。"
    if isinstance(error, click.BadParameter):
        return f"{_label(error.param)}：{error.message}"
    if isinstance(error, click.BadArgumentUsage):
        return "参数的个数或写法不对。"
    return error.format_message()


def _option_named(command: click.Command, ctx: click.Context, name: str) -> click.Option | None:
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def _label(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option):
        return f"选项 {'/'.join(param.opts)}"
    if param is not None:
        return f"参数 {param.human_readable_name}"
    return "参数"
