"""The terminal `pipeline` runs in: characters it cannot show, colour it must not use, and the
line a run stopped part-way ends with (the signals themselves are `pipeline.interrupts`).

A Chinese Windows console, or output redirected to a file there, is GBK: a file name holding an
emoji, or the `›` of a location, cannot be encoded. Output then degrades (a stand-in every
encoding has, else `?`) instead of crashing, so the exit code says how the work went.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TextIO

# The name of the codec error handler below; registered once, for any stream that uses it.
DEGRADE = "pipeline-degrade"
REPLACEMENT = "?"
# ASCII stand-ins for the punctuation the messages use, so a GBK console still shows
# `环保处.xlsx > 合作交流项目 > J5` instead of losing the separators.
STAND_INS = {"›": ">", "…": "...", "—": "-", "─": "-", "■": "#", "「": '"', "」": '"'}

INTERRUPTED = "已中断：本次运行没有完成，没有生成任何文档，原有的文件也没有改动。"


def _degrade(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    unprintable = error.object[error.start : error.end]
    return "".join(STAND_INS.get(ch, REPLACEMENT) for ch in unprintable), error.end


codecs.register_error(DEGRADE, _degrade)


def degrade_unprintable(*streams: TextIO | None) -> None:
    """Let `streams` write what their encoding lacks as stand-ins instead of raising.

    Also covers file names that are not valid Unicode (lone surrogates on Linux)."""
    for stream in streams:
        reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue  # not a text stream we can tune (None under pythonw, or a test's double)
        with suppress(ValueError, OSError, AttributeError):
            reconfigure(errors=DEGRADE)


def printable(text: str, encoding: str | None) -> str:
    """`text` as a stream in `encoding` will show it, so a table can measure its columns."""
    if not encoding:
        return text
    try:
        return text.encode(encoding, DEGRADE).decode(encoding)
    except (LookupError, UnicodeError):
        return text


def colour_wanted() -> bool:
    """False when `NO_COLOR` is set to anything but an empty string (https://no-color.org)."""
    return not os.environ.get("NO_COLOR")


def rich_console(stream: TextIO, **options: Any):
    """A rich console on `stream` that writes no colour or style codes when `NO_COLOR` is set.

    rich itself only drops colours under `NO_COLOR` and keeps bold and italic."""
    from rich.console import Console

    if not colour_wanted():
        options.update(color_system=None, no_color=True)
    return Console(file=stream, **options)


@contextmanager
def best_effort_output() -> Iterator[None]:
    """For output after the work is done: a terminal that cannot take it (closed, a broken
    pipe) must not turn a finished build into a failure."""
    try:
        yield
    except (OSError, UnicodeError, ValueError):  # ValueError: writing to a closed stream
        with suppress(Exception):
            print("（部分输出无法在此终端显示。）", file=sys.stderr)


def interrupted_message(reason: str = "Ctrl+C") -> str:
    """The one line an interrupted run ends with: `已中断（Ctrl+C）：…`."""
    return INTERRUPTED.replace("已中断", f"已中断（{reason}）", 1)
