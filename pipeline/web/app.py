"""The Flask application: same-origin checks, parameters checked for control characters,
safety headers, error pages, logs without tokens (`logs.py`).

Pages live in `office.py` and `department.py`, and what they share (the folders, who may see
what, messages, downloads) in `context.py`; every page reaches the product through the
public API only (`check`, `build`, `verify`, `init_workbooks`, …), as the command line does.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, abort, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException

from .access import LinkStore
from .context import WebConfig, init_app
from .department import department_pages
from .logs import mask_tokens_in_logs
from .office import office_pages
from .status import STATE_CLASSES, department_of, modified_text
from .uploads import MAX_UPLOAD_BYTES

MAX_REQUEST_BYTES = 64 * 1024 * 1024  # several workbooks dropped at once
# Control characters and what XML cannot hold: no name, choice or file name on these pages has
# them, and they would fail deep inside (a workbook's XML, a file name) instead of here.
_UNUSABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

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


class UnusableCharacters(BadRequest):
    """A query or form parameter, a file name or a part of the path holds a character that
    `_UNUSABLE` refuses."""

    title = "请求无效"
    text = (
        "链接或表单中含有不允许的字符（控制字符等不可见字符）。"
        "请返回上一页，重新输入或选择后再试；链接请从页面上点击，不要手工修改。"
    )


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
    mask_tokens_in_logs(app)
    init_app(app, config, store)
    app.add_template_filter(department_of, "department")
    app.add_template_filter(modified_text, "minutes")
    app.add_template_global(STATE_CLASSES, "states")
    app.register_blueprint(office_pages)
    app.register_blueprint(department_pages)

    app.before_request(_same_origin_for_changes)
    app.before_request(_usable_parameters)
    app.after_request(_security_headers)

    @app.route("/")
    def root():
        abort(403)

    @app.errorhandler(HTTPException)
    def error_page(exc: HTTPException):
        if isinstance(exc, UnusableCharacters):
            title, text = exc.title, exc.text
        else:
            title, text = ERROR_PAGES.get(exc.code or 400, ("出错了", "请返回上一页重新操作。"))
        return render_template("error.html", title=title, text=text), exc.code

    return app


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


def _usable_parameters() -> None:
    """Every parameter a page reads, checked in one place: the query, the form (names and
    values), the names of uploaded files and the values taken from the path."""
    texts = [text for pair in request.args.items(multi=True) for text in pair]
    texts += [text for pair in request.form.items(multi=True) for text in pair]
    texts += [f"{name}{file.filename or ''}" for name, file in request.files.items(multi=True)]
    texts += [str(value) for value in (request.view_args or {}).values()]
    if any(_UNUSABLE.search(text) for text in texts):
        raise UnusableCharacters()


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # Everything but the style sheet and script sits under a token, downloads included:
        # never kept in a cache (send_file says only no-cache, which keeps a copy on disk).
        response.headers["Cache-Control"] = "no-store"
    return response
