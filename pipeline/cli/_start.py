"""The `pipeline` command's entry point, kept apart so that Ctrl+C works from the first moment.

Loading the program (pandas, docxtpl, lxml…) takes about half a second, before click and its
handling of Ctrl+C are running; an interrupt then would end in a Python traceback. This module
imports nothing heavy itself: an interrupt while the rest loads ends in the same Chinese line
and exit code 130 as one later, and once the command has finished (its exit code known)
Ctrl+C is ignored, so the interpreter's shutdown is not interrupted either.
"""

from __future__ import annotations

import sys
from contextlib import suppress

from ..interrupts import CTRL_C_EXIT_CODE, ignore_ctrl_c, interrupted_within
from ._terminal import degrade_unprintable, interrupted_message


def main() -> None:
    code: int | str | None
    try:
        from .commands import main as run

        run()  # ends with SystemExit carrying the exit code
    except SystemExit as done:
        ignore_ctrl_c()
        code = done.code
    except BaseException as error:  # the command line's own handling is not running yet
        if not interrupted_within(error):
            raise
        ignore_ctrl_c()
        _say(interrupted_message())
        code = CTRL_C_EXIT_CODE
    sys.exit(code)


def _say(text: str) -> None:
    """`错误：…` on stderr, as the command line's errors are shown (without colour: click,
    which colours them, may not have loaded yet)."""
    degrade_unprintable(sys.stderr)
    with suppress(Exception):  # no terminal to say it on (closed, pythonw)
        print(f"错误：{text}", file=sys.stderr, flush=True)
