"""The Flask application: who may see what, same-origin checks, safety headers, error pages.

Pages live in `office.py` and `department.py`; every page reaches the product through the
public API only (`check`, `build`, `verify`, `init_workbooks`, …), as the command line does.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, render_template, request, session
from werkzeug.exceptions import HTTPException

from .access import Access, LinkStore, token_hash
from .builds import BuildRunner
from .status import STATE_CLASSES, department_of, modified_text
from .uploads import MAX_UPLOAD_BYTES

MAX_REQUEST_BYTES = 64 * 1024 * 1024  # several workbooks dropped at once
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,200}$")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Links carry the token: never hand them to another site; same-origin keeps the Referer
    # that the same-origin check of a POST may need.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

ERROR_PAGES = {
    400: ("请求无效", "请返回上一页重新操作。"),
    403: ("无法访问", "链接无效或已过期，或者没有这项操作的权限。请使用办公室发给您的完整链接。"),
    404: ("页面不存在", "请从首页重新进入。"),
    405: ("操作方式不正确", "请从页面上的按钮操作。"),
    413: (
        "文件太大",
        f"上传的文件超过限制（单个文件 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB）。"
        "请删除多余内容后重新保存再上传。",
    ),
}


@dataclass
class WebConfig:
    inputs: Path
    outputs: Path
    templates: Path
    pdf_available: bool = False
    ofd_available: bool = False  # LibreOffice and the OFD converter


def create_app(config: WebConfig, store: LinkStore) -> Flask:
    """The application for one `inputs/`, `outputs/` and `templates/`, with the tokens of
    `store` (the office's must have been issued)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # signs the session cookie that carries messages
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
    )
    app.extensions["pipeline"] = config
    app.extensions["pipeline.store"] = store
    app.extensions["pipeline.builds"] = BuildRunner(config.inputs, config.outputs, config.templates)

    from .department import department_pages
    from .office import office_pages

    app.add_template_filter(department_of, "department")
    app.add_template_filter(modified_text, "minutes")
    app.add_template_global(STATE_CLASSES, "states")
    app.add_template_global(messages)
    app.register_blueprint(office_pages)
    app.register_blueprint(department_pages)

    app.before_request(_same_origin_for_changes)
    app.after_request(_security_headers)

    @app.route("/")
    def root():
        abort(403)

    @app.errorhandler(HTTPException)
    def error_page(exc: HTTPException):
        title, text = ERROR_PAGES.get(exc.code or 400, ("出错了", "请返回上一页重新操作。"))
        return render_template("error.html", title=title, text=text), exc.code

    return app


def config() -> WebConfig:
    return current_app.extensions["pipeline"]


def builds() -> BuildRunner:
    return current_app.extensions["pipeline.builds"]


def has_link(department: str) -> bool:
    return department in current_app.extensions["pipeline.store"].departments


def identify(token: str) -> Access:
    """The access of the token in the URL, kept in `g`; 403 without a valid one."""
    store: LinkStore = current_app.extensions["pipeline.store"]
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


def _same_origin(url: str) -> bool:
    parts = urlsplit(url)
    own = urlsplit(request.host_url)
    return (parts.scheme, parts.netloc) == (own.scheme, own.netloc)


def _same_origin_for_changes() -> None:
    """A request that changes something must come from a page of this server: its Origin (or,
    when a browser sends none, its Referer) names this host."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin == "null" or not _same_origin(origin):
            abort(403)
        return
    referer = request.headers.get("Referer")
    if not referer or not _same_origin(referer):
        abort(403)


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
