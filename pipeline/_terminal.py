"""The terminal `pipeline` runs in: characters it cannot show, colour it must not use, and being
stopped part-way.

A Chinese Windows console, or output redirected to a file there, is GBK: a file name holding an
emoji, or the `›` of a location, cannot be encoded. Output then degrades (a stand-in every
encoding has, else `?`) instead of crashing, so the exit code says how the work went.
"""

from __future__ import annotations

import codecs
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TextIO

# The name of the codec error handler below; registered once, for any stream that uses it.
DEGRADE = "pipeline-degrade"
REPLACEMENT = "?"
# ASCII stand-ins for the punctuation the messages use, so a GBK console still shows
# `环保处.xlsx > 合作交流项目 > J5` instead of losing the separators.
STAND_INS = {"›": ">", "…": "...", "—": "-", "─": "-", "■": "#", "「": '"', "」": '"'}

# Exit codes of an interrupted run, as shells report them: 128 + the signal's number.
CTRL_C_EXIT_CODE = 130
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


# ------------------------------------------------------------------------------- interruptions


class Interrupted(BaseException):
    """The run was asked to stop by a signal (SIGTERM; Ctrl+Break on Windows).

    A `BaseException` like `KeyboardInterrupt`, so the same clean-ups run: a half-written run
    folder or problem list is removed on the way out."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number

    @property
    def exit_code(self) -> int:
        return 128 + self.signal_number


def _raise_interrupted(signal_number: int, _frame: object) -> None:
    # A second signal must not cut the clean-up short; `signals_interrupt` restores the handler.
    with suppress(ValueError, OSError):
        signal.signal(signal_number, signal.SIG_IGN)
    raise Interrupted(signal_number)


def ignore_ctrl_c() -> None:
    """From now on Ctrl+C does nothing: the command's work is done (or it is ending)."""
    with suppress(ValueError, OSError):  # only the main thread may set a handler
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def ctrl_c_ignored() -> Iterator[None]:
    """Ctrl+C does nothing inside: the work is done, what is left is saying so."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# Set while the command line wants Ctrl+C to stop interrupting once its result is in place.
_ignore_once_published = False


@contextmanager
def ctrl_c_ignored_once_published() -> Iterator[None]:
    """Inside, Ctrl+C interrupts until `publishing` has put the result in place, then does
    nothing to the end of the block: the work is done, what is left is saying so."""
    global _ignore_once_published
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    _ignore_once_published = True
    try:
        yield
    finally:
        _ignore_once_published = False
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


@contextmanager
def publishing() -> Iterator[None]:
    """Around the one step that puts a result in place (renaming a run folder into it): within
    `ctrl_c_ignored_once_published`, Ctrl+C is ignored from just before that step, and taken
    again only if the step fails. So an interrupt lands before the step (nothing made) or is
    too late (all made), never after it with the command saying nothing was made."""
    if not _ignore_once_published or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    except BaseException:
        signal.signal(signal.SIGINT, previous)
        raise


def interrupted_within(error: BaseException) -> bool:
    """Whether `error` came from Ctrl+C: Python 3.11 wraps an interrupt that lands while a
    class is being made (`__set_name__`) in a RuntimeError."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def interrupted_message(reason: str = "Ctrl+C") -> str:
    """The one line an interrupted run ends with: `已中断（Ctrl+C）：…`."""
    return INTERRUPTED.replace("已中断", f"已中断（{reason}）", 1)


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """While the command runs, SIGTERM (and Ctrl+Break on Windows) raise `Interrupted`.

    On Windows `signal.SIGTERM` exists but is never delivered (taskkill and `os.kill` end the
    process outright), so the handler is installed and simply never runs there. Handlers can
    only be set from the main thread; elsewhere the defaults stay."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGBREAK"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            previous[number] = signal.signal(number, _raise_interrupted)
        except (ValueError, OSError):
            continue
    try:
        yield
    finally:
        for number, handler in previous.items():
            with suppress(ValueError, OSError, TypeError):
                # None: the handler was set outside Python; the default is the closest we have.
                signal.signal(number, handler if handler is not None else signal.SIG_DFL)
