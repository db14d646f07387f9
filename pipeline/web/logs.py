"""No link's token in a log line.

A request that fails is logged with its path — by Flask (`Exception on /office/<token>/ [GET]`),
by waitress (`Exception while serving …`), by werkzeug's development server (every request
line) — and the token in that path opens the office's or a department's pages to whoever
reads the console. `MaskTokens` replaces it with `***` in the message and in the traceback
before any handler sees the record; the route stays readable.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

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
