"""A department's page: its own workbook only — upload it, see its problems, download a blank
one or the list of its problems. The department comes from the token, never from the URL."""

from __future__ import annotations

import io
import time

from flask import Blueprint, abort, g, redirect, render_template, request, send_file, url_for

from .app import builds, config, identify, say
from .downloads import XLSX_TYPE, blank_department_workbook, problem_list_bytes
from .status import department_check
from .uploads import UploadRefused, accept_upload

department_pages = Blueprint("department", __name__, url_prefix="/dept/<token>")


@department_pages.url_value_preprocessor
def _department_only(endpoint, values) -> None:
    access = identify(values.pop("token", ""))
    if access.is_office:
        abort(403)  # the office has its own pages; this keeps the two apart


@department_pages.url_defaults
def _token(endpoint, values) -> None:
    values.setdefault("token", g.token)


def _department() -> str:
    return g.access.department


@department_pages.get("/")
def page():
    report = department_check(config().inputs, _department())
    return render_template(
        "department.html",
        department=_department(),
        report=report,
        row=report.rows[0] if report.rows else None,
    )


@department_pages.post("/upload")
def upload():
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        say("没有收到文件。请选择或拖入 .xlsx 工作簿。", "error")
        return redirect(url_for(".page"))
    try:
        accept_upload(
            config().inputs,
            _department(),
            storage.filename,
            storage.read(),
            builds(),
        )
    except UploadRefused as exc:
        say(exc.message, "error")
        return redirect(url_for(".page"))
    report = department_check(config().inputs, _department())
    errors = report.errors
    notices = len(report.problems) - errors
    if errors:
        say(
            f"已收到。发现错误 {errors} 处、提示 {notices} 处，请按下方说明修改后重新上传。",
            "error",
        )
    else:
        more = f"有提示 {notices} 处，请看一遍。" if notices else ""
        say(f"已收到，校验通过。{more}", "ok")
    return redirect(url_for(".page"))


@department_pages.get("/blank.xlsx")
def blank():
    name, data = blank_department_workbook(config().inputs, _department(), office_only=True)
    return send_file(io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True, download_name=name)


@department_pages.get("/problems.xlsx")
def problem_list():
    report = department_check(config().inputs, _department())
    if not report.problems:
        say("没有问题，无需下载问题清单。", "info")
        return redirect(url_for(".page"))
    stamp = time.strftime("%Y-%m-%d_%H%M%S")
    return send_file(
        io.BytesIO(problem_list_bytes(report.problems)),
        mimetype=XLSX_TYPE,
        as_attachment=True,
        download_name=f"问题清单_{_department()}_{stamp}.xlsx",
    )
