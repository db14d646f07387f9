"""The core's failures as the clerk sees them: Chinese, no traceback, the core's exit code.

Input problems are listed, and the problem list and the marked-up return copies written beside
them; every other error is one message.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from .. import InputProblems, PipelineError, Problem, write_return_copies
from ..files import describe_os_error
from ._console import show_problems
from ._policy import show_error
from ._submissions_view import show_return_copies, show_submissions
from ._terminal import best_effort_output


class Failure(click.ClickException):
    """A core error as the clerk sees it: Chinese, no traceback, the core's exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def failure(exc: PipelineError) -> Failure:
    return Failure(exc.message, exc.exit_code)


def write_failure(exc: OSError) -> Failure:
    where = f" {exc.filename}" if exc.filename else ""
    return Failure(f"无法读写文件{where}：{describe_os_error(exc)}。", 1)


@contextmanager
def reported(inputs: Path, outputs: Path) -> Iterator[None]:
    """The core's failures as the clerk sees them: input problems listed (and the problem list
    and return copies written), everything else a Chinese message with its exit code."""
    try:
        yield
    except InputProblems as exc:
        raise report_input_problems(exc, inputs, outputs) from None
    except PipelineError as exc:
        raise failure(exc) from None
    except OSError as exc:
        raise write_failure(exc) from None


def report_input_problems(exc: InputProblems, inputs: Path, outputs: Path) -> Failure:
    with best_effort_output():
        show_problems(exc.problems)
    not_saved = saved_problem_list(outputs, exc.problems)
    if not_saved is not None:
        show_error(not_saved.message)
    else:
        send_back(inputs, outputs, exc.problems)
    with best_effort_output():
        show_submissions(exc.submissions)
    return failure(exc)


def saved_problem_list(outputs: Path, problems: Sequence[Problem]) -> PipelineError | None:
    """Save the problem list and say where; the failure, if it could not be saved."""
    try:
        from .. import save_problem_list  # imports openpyxl, so only when there is a list

        path = save_problem_list(outputs, problems)
    except PipelineError as exc:
        return exc
    if path:
        with best_effort_output():
            click.echo(f"\n问题清单已保存：{path}", err=True)
    return None


def send_back(inputs: Path, outputs: Path, problems: Sequence[Problem]) -> None:
    """Marked-up copies of the workbooks with problems, beside the problem list."""
    try:
        copies = write_return_copies(outputs, inputs, problems)
    except PipelineError as exc:
        show_error(exc.message)
        return
    with best_effort_output():
        show_return_copies(copies)
