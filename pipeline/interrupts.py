"""Being stopped part-way: Ctrl+C, SIGTERM (Ctrl+Break on Windows), and the moments when an
interrupt must no longer land.

Low in the house because the archive marks the one step that puts a run folder in place
(`publishing`); the command line decides around it when Ctrl+C is taken (`pipeline.cli`).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

# Exit codes of an interrupted run, as shells report them: 128 + the signal's number.
CTRL_C_EXIT_CODE = 130


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
