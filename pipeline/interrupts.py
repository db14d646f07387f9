"""Ctrl+C around the one step that puts a result in place.

The command line asks (`ctrl_c_ignored_once_published`) that Ctrl+C stop interrupting once the
result is in place; the archive marks that step (`publishing`, around renaming a run folder into
`outputs/`). Both sides meet here, below the stages, so the archive never reaches up into the
command line.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

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
