"""What every page of a request reaches: the folders, the build runner, the link of the token
in the URL, the messages waiting for the next page, and the download of a workbook made on
the spot.

`create_app` puts them on the application once (`init_app`); the blueprints import them from
here, never from the factory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, current_app, g, redirect, send_file, session
from werkzeug.wrappers import Response

from ..errors import PipelineError
from .access import Access, LinkStore, token_hash
from .builds import BuildRunner
from .downloads import XLSX_TYPE

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
_CONFIG = "pipeline"
_STORE = "pipeline.store"
_BUILDS = "pipeline.builds"


@dataclass
class WebConfig:
    """The folders the pages work in, always absolute: Flask reads a relative path given to
    `send_file` against the package's folder, not the one the server was started in."""

    inputs: Path
    outputs: Path
    templates: Path
    pdf_available: bool = False
    ofd_available: bool = False  # LibreOffice and the OFD converter

    def __post_init__(self) -> None:
        self.inputs = Path(self.inputs).absolute()
        self.outputs = Path(self.outputs).absolute()
        self.templates = Path(self.templates).absolute()


def init_app(app: Flask, web_config: WebConfig, store: LinkStore) -> None:
    """The folders, the tokens of `store` and one build runner, for every request of `app`."""
    app.extensions[_CONFIG] = web_config
    app.extensions[_STORE] = store
    app.extensions[_BUILDS] = BuildRunner(
        web_config.inputs, web_config.outputs, web_config.templates
    )
    app.add_template_global(messages)


def config() -> WebConfig:
    return current_app.extensions[_CONFIG]


def builds() -> BuildRunner:
    return current_app.extensions[_BUILDS]


def has_link(department: str) -> bool:
    return department in current_app.extensions[_STORE].departments


def identify(token: str) -> Access:
    """The access of the token in the URL, kept in `g`; 403 without a valid one."""
    store: LinkStore = current_app.extensions[_STORE]
    access = store.identify(token) if _TOKEN.match(token or "") else None
    if access is None:
        abort(403)
    g.access = access
    g.token = token
    return access


def _messages_key() -> str:
    # per link: the office and a department opened in one browser share a cookie, not messages
    return "messages-" + token_hash(g.token)[:16]


def say(message: str, category: str = "info") -> None:
    """A message for the next page of this link (ok, error or info)."""
    key = _messages_key()
    session[key] = [*session.get(key, []), [category, message]]


def messages() -> list[tuple[str, str]]:
    """This link's waiting messages, once."""
    if "token" not in g:
        return []
    return [tuple(item) for item in session.pop(_messages_key(), [])]


def download(data: bytes, name: str, kind: str = XLSX_TYPE) -> Response:
    """`data` handed out as the file `name`."""
    return send_file(io.BytesIO(data), mimetype=kind, as_attachment=True, download_name=name)


def workbook_download(make: Callable[[], tuple[str, bytes | Path]], back: str) -> Response:
    """The workbook `make` gives (its name, and its bytes or the file the product wrote) as a
    download; when the product refuses, its message on the page at `back` instead."""
    try:
        name, workbook = make()
    except PipelineError as exc:
        say(exc.message, "error")
        return redirect(back)
    if isinstance(workbook, Path):
        return send_file(workbook, mimetype=XLSX_TYPE, as_attachment=True, download_name=name)
    return download(workbook, name)
