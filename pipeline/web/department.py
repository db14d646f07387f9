"""A department's page: its own workbook only — upload it, see its problems, download a blank
or carried-forward workbook, its marked-up copy or the list of its problems. The department
comes from the token, never from the URL."""

from __future__ import annotations

import time

from flask import Blueprint, abort, g, redirect, render_template, request, send_file, url_for

from .. import PipelineError, write_return_copies
from .context import builds, config, download, identify, say, workbook_download
from .downloads import (
    XLSX_TYPE,
    blank_department_workbook,
    carried_forward_workbook,
    problem_list_bytes,
    run_folders,
)
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


def _newest_run():
    """The newest readable run, which a carried-forward workbook starts from."""
    return next((run for run in run_folders(config().outputs) if not run.damaged), None)


@department_pages.get("/")
def page():
    report = department_check(config().inputs, _department())
    return render_template(
        "department.html",
        department=_department(),
        report=report,
        row=report.rows[0] if report.rows else None,
        carried=_newest_run() is not None,
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
            by_sender=True,
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
    return download(data, name)


@department_pages.get("/carried.xlsx")
def carried():
    """This department's workbook pre-filled with what it sent for the newest run."""
    run = _newest_run()
    if run is None:
        say("还没有上期的归档，请下载空白报送表。", "info")
        return redirect(url_for(".page"))
    return workbook_download(lambda: carried_forward_workbook(run, _department()), url_for(".page"))


@department_pages.post("/return.xlsx")
def return_copy():
    """The marked-up copy of this department's own workbook, written by the product into a new
    `outputs/退回_…/` folder from this page's own check, and handed out."""
    report = department_check(config().inputs, _department())
    if not report.problems:
        say("没有需要修改的地方，无需标注副本。", "info")
        return redirect(url_for(".page"))
    try:
        copies = write_return_copies(config().outputs, config().inputs, report.problems)
    except PipelineError as exc:
        say(exc.message, "error")
        return redirect(url_for(".page"))
    if not copies.written:
        for _, reason in copies.skipped:
            say(f"未能生成标注副本：{reason}。请按下方问题逐条修改。", "error")
        return redirect(url_for(".page"))
    (path,) = copies.written
    name = f"{_department()}_标注.xlsx"
    return send_file(path, mimetype=XLSX_TYPE, as_attachment=True, download_name=name)


@department_pages.get("/problems.xlsx")
def problem_list():
    report = department_check(config().inputs, _department())
    if not report.problems:
        say("没有问题，无需下载问题清单。", "info")
        return redirect(url_for(".page"))
    stamp = time.strftime("%Y-%m-%d_%H%M%S")
    return download(problem_list_bytes(report.problems), f"问题清单_{_department()}_{stamp}.xlsx")
