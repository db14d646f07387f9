"""No link's token in a log line.

A request that fails is logged with its path — by Flask (`Exception on /office/<token>/ [GET]`),
by waitress (`Exception while serving …`), by werkzeug's development server (every request
line) — and the token in that path opens the office's or a department's pages to whoever
reads the console. `MaskTokens` replaces it with `***` in the message and in the traceback
before any handler sees the record; the route stays readable.

While `pipeline serve` runs, `FailureLog` turns each failure into one Chinese line in the
window and writes its traceback to `outputs/网页日志.log`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, has_request_context, request

from ..files import describe_os_error

MASK = "***"
# The segment after /office/ or /dept/ in any form a logger writes it: a decoded path, a raw
# request line with its percent-escapes, a URL inside an exception's message or repr.
_TOKEN_IN_ROUTE = re.compile(r"(/(?:office|dept)/)[^/?#\s\"'<>]+")
SERVER_LOGGERS = ("waitress", "werkzeug")


def mask_tokens(text: str) -> str:
    return _TOKEN_IN_ROUTE.sub(rf"\g<1>{MASK}", text)


class MaskTokens(logging.Filter):
    """Rewrites a record's message and traceback with `mask_tokens`; lets every record pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: logging would print msg and args
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = mask_tokens(message), ()
        if record.exc_info and not record.exc_text:
            # what every formatter prints, formatted here once so that it can be masked
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_tokens(record.stack_info)
        return True


_MASK_TOKENS = MaskTokens()


def mask_tokens_in_logs(app: Flask) -> None:
    """Filters the loggers that write request paths: the application's and the servers'.
    A logger's filter sees only the records of that logger, so each is named; the one shared
    filter is added once however many applications are created."""
    for logger in (app.logger, *map(logging.getLogger, SERVER_LOGGERS)):
        logger.addFilter(_MASK_TOKENS)


# ---------------------------------------------------------------- failed requests

FAILURE_LOG = "网页日志.log"
# Loggers whose errors are failed requests or builds: the application's and the build thread's
# (children of this one), and waitress's (a response that broke while it was being sent).
FAILURE_LOGGERS = ("pipeline.web", "waitress")
_LINE_BREAKS = re.compile(r"[\r\n]+")


def _what_failed(error: BaseException | None) -> str:
    if isinstance(error, OSError):
        where = f"：{error.filename}" if error.filename else ""
        return f"{describe_os_error(error)}{where}"
    if error is None:
        return "未知原因"
    return f"{type(error).__name__}：{error}"


class FailureLog(logging.Handler):
    """A failed request (or build) as the office sees it: one Chinese line in the server's
    window, naming the route (its token masked) and what failed; the traceback goes to
    `outputs/网页日志.log`, never to the window. Warnings go to the file only.

    The file is opened for each record, so it is never held open (Windows could then not
    delete or move `outputs/` while the page runs); UTF-8 with a byte order mark, which every
    Notepad reads."""

    def __init__(self, outputs: Path, window: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self.path = outputs / FAILURE_LOG
        self.window = window
        self.addFilter(_MASK_TOKENS)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s：%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self._line(record) if record.levelno >= logging.ERROR else ""
            not_written = self._append(line, record)
            if line:
                self.window(line + (not_written or f"详细记录已写入 {self.path}"))
        except Exception:  # logging's own handleError would print a traceback in the window
            pass

    def _line(self, record: logging.LogRecord) -> str:
        error = record.exc_info[1] if record.exc_info else None
        what = _LINE_BREAKS.sub(" ", mask_tokens(_what_failed(error)))  # one line, always
        if has_request_context():
            return f"网页出错：{request.method} {mask_tokens(request.path)} 未能完成（{what}）。"
        if record.name.startswith("pipeline.web.builds"):
            return f"生成文档时出错（{what}）。"
        return f"网页出错：{mask_tokens(record.getMessage())}（{what}）。"

    def _append(self, line: str, record: logging.LogRecord) -> str:
        """Writes the record; the reason it could not, as the end of the window's line."""
        text = (f"{line}\n" if line else "") + self.format(record) + "\n\n"
        try:
            with self.path.open("a", encoding="utf-8-sig", newline="") as log:
                log.write(text.replace("\n", os.linesep))
        except OSError as exc:
            return f"无法写入日志 {self.path}：{describe_os_error(exc)}。"
        return ""


@contextmanager
def failures_logged(app: Flask, outputs: Path, window: Callable[[str], None]) -> Iterator[None]:
    """While the server runs: failures reported by `FailureLog`, and Flask's own handler, which
    prints each traceback to the window, taken off the application's logger."""
    from flask.logging import default_handler

    handler = FailureLog(outputs, window)
    loggers = [logging.getLogger(name) for name in FAILURE_LOGGERS]
    app.logger.removeHandler(default_handler)
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
