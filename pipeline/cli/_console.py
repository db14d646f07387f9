"""Terminal output for the office clerk: problems grouped by workbook, and a summary table."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path

import click

from ..problems import Problem, sorted_problems
from ..progress import Progress
from ._table import box_table
from ._terminal import printable, rich_console


def show_problems(problems: Sequence[Problem]) -> None:
    """Every problem on its own line, grouped under its workbook; errors before notices."""
    ordered = sorted_problems(problems)
    for file, group in groupby(ordered, key=lambda p: p.location.file):
        items = sorted(group, key=lambda p: not p.is_error)
        errors = sum(p.is_error for p in items)
        click.secho(f"\n■ {file}（错误 {errors}，提示 {len(items) - errors}）", bold=True, err=True)
        for problem in items:
            color = "red" if problem.is_error else "yellow"
            click.secho("  " + problem.describe(), fg=color, err=True)


def _shown(text: str) -> str:
    """`text` as this terminal will show it (a stand-in for what its encoding lacks), so the
    columns of a table line up."""
    return printable(text, getattr(sys.stdout, "encoding", None))


def show_summary(row_counts: dict[str, dict[str, int]], problems: Sequence[Problem]) -> None:
    """A table of workbooks and rows per sheet, then the counts of errors and notices."""
    rows = [
        (
            _shown(file),
            _shown("、".join(f"{sheet}（{count}）" for sheet, count in sheets.items()) or "—"),
        )
        for file, sheets in row_counts.items()
    ]
    width = shutil.get_terminal_size((80, 24)).columns
    click.echo(box_table("读取的工作簿", ("工作簿", "工作表（行数）"), rows, width=width))
    errors = sum(p.is_error for p in problems)
    click.echo(f"工作簿 {len(row_counts)} 个，错误 {errors} 处，提示 {len(problems) - errors} 处。")


def show_written(documents: Sequence[str], copies: Sequence[str], run_folder: Path) -> None:
    """What a build wrote, documents then their PDF and OFD copies, and as the very last line
    the folder they are in: what the clerk opens next."""
    for name in documents:
        click.echo(f"  已生成：{name}")
    for name in copies:
        click.echo(f"  已生成副本：{name}")
    click.echo(f"本次结果已归档到：{run_folder}")


@contextmanager
def progress_display() -> Iterator[Progress | None]:
    """A spinner naming the current stage (and document converted) on an interactive
    terminal, worded as the web page's; silent otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    console = rich_console(sys.stderr)
    with console.status("准备中…") as status:
        yield lambda step: status.update(step.label + "…")
