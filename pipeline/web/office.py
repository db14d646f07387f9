"""The office's pages: 报送情况 with uploads, 问题, 生成, 归档, 空白工作簿."""

from __future__ import annotations

import io
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from .. import Level, PipelineError, verify
from ..api import OFFICE_WORKBOOK
from .app import builds, config, has_link, identify, say
from .builds import RUNNING
from .downloads import (
    XLSX_TYPE,
    blank_department_workbook,
    blank_office_workbook,
    find_run,
    problem_list_bytes,
    run_document,
    run_folders,
)
from .status import department_of, departments, submission_status
from .uploads import UploadRefused, accept_upload, department_from_file_name

office_pages = Blueprint("office", __name__, url_prefix="/office/<token>")

LEVELS = {"error": Level.ERROR, "notice": Level.NOTICE}


@office_pages.url_value_preprocessor
def _office_only(endpoint, values) -> None:
    access = identify(values.pop("token", ""))
    if not access.is_office:
        abort(403)


@office_pages.url_defaults
def _token(endpoint, values) -> None:
    values.setdefault("token", g.token)


def _verified() -> dict[str, tuple[bool, list[str], str]]:
    """The last 核对 of each run folder since the server started: ok, lines, when."""
    return current_app.extensions.setdefault("pipeline.verified", {})


def _download(data: bytes, name: str, kind: str = XLSX_TYPE):
    return send_file(io.BytesIO(data), mimetype=kind, as_attachment=True, download_name=name)


# ---------------------------------------------------------------- 报送情况 and uploads


@office_pages.get("/")
def status():
    report = submission_status(config().inputs)
    return render_template("office_status.html", report=report, page="status")


@office_pages.post("/upload")
def upload():
    files = [f for f in request.files.getlist("file") if f.filename]
    if not files:
        say("没有收到文件。请选择或拖入 .xlsx 工作簿。", "error")
        return redirect(url_for(".status"))
    chosen = request.form.get("department", "").strip()
    known = {*departments(config().inputs), department_of(OFFICE_WORKBOOK)}
    if chosen and chosen not in known:
        abort(400)
    saved_for = []
    for storage in files:
        department = chosen or department_from_file_name(storage.filename or "")
        if not department:
            say(f"{storage.filename}：只接受 Excel 工作簿（.xlsx）。", "error")
            continue
        try:
            saved = accept_upload(
                config().inputs,
                department,
                storage.filename or "",
                storage.read(),
                builds(),
            )
        except UploadRefused as exc:
            say(f"{storage.filename}：{exc.message}", "error")
            continue
        kept = "，原文件已保存在 inputs/.history/" if saved.replaced else ""
        if department != department_of(OFFICE_WORKBOOK) and not has_link(department):
            kept += "；这是新的部门，重新启动 pipeline serve 后生成其报送链接"
        say(f"已保存 {saved.path.name}（{department}）{kept}。", "ok")
        saved_for.append(department)
    if len(saved_for) == 1:  # one workbook: straight to what is wrong with it
        return redirect(url_for(".problems", department=saved_for[0]))
    return redirect(url_for(".status"))


# ---------------------------------------------------------------- problems


def _filtered(problems, department: str, level: str):
    wanted = LEVELS.get(level)
    return [
        p
        for p in problems
        if (not department or department_of(p.location.file) == department)
        and (wanted is None or p.level is wanted)
    ]


@office_pages.get("/problems")
def problems():
    report = submission_status(config().inputs)
    department = request.args.get("department", "")
    level = request.args.get("level", "")
    shown = _filtered(report.problems, department, level)
    names = sorted({department_of(p.location.file) for p in report.problems})
    return render_template(
        "office_problems.html",
        report=report,
        shown=shown,
        names=names,
        department=department,
        level=level,
        page="problems",
    )


@office_pages.get("/problems.xlsx")
def problem_list():
    report = submission_status(config().inputs)
    shown = _filtered(
        report.problems, request.args.get("department", ""), request.args.get("level", "")
    )
    if not shown:
        say("没有问题，无需下载问题清单。", "info")
        return redirect(url_for(".problems"))
    stamp = time.strftime("%Y-%m-%d_%H%M%S")
    return _download(problem_list_bytes(shown), f"问题清单_{stamp}.xlsx")


# ---------------------------------------------------------------- blank workbooks


@office_pages.get("/blank")
def blank():
    return render_template("office_blank.html", names=departments(config().inputs), page="blank")


@office_pages.get("/blank/department")
def blank_department():
    department = request.args.get("name", "").strip()
    if not department:
        say("请填写部门名称。", "error")
        return redirect(url_for(".blank"))
    try:
        name, data = blank_department_workbook(config().inputs, department)
    except PipelineError as exc:
        say(exc.message, "error")
        return redirect(url_for(".blank"))
    return _download(data, name)


@office_pages.get("/blank/office")
def blank_office():
    name, data = blank_office_workbook()
    return _download(data, name)


# ---------------------------------------------------------------- build


@office_pages.get("/build")
def build_page():
    state = builds().snapshot()
    run = find_run(config().outputs, state.run_name) if state.run_name else None
    return render_template(
        "office_build.html",
        state=state,
        run=run,
        pdf_available=config().pdf_available,
        page="build",
    )


@office_pages.post("/build")
def build_start():
    pdf = bool(request.form.get("pdf")) and config().pdf_available
    if not builds().start(pdf=pdf):
        say("已有生成任务在进行，请等待其完成。", "info")
    return redirect(url_for(".build_page"))


@office_pages.get("/build/status")
def build_status():
    state = builds().snapshot()
    body = state.as_json()
    body["running"] = state.state == RUNNING
    return jsonify(body)


# ---------------------------------------------------------------- archive


@office_pages.get("/archive")
def archive():
    return render_template(
        "office_archive.html",
        runs=run_folders(config().outputs),
        verified=_verified(),
        page="archive",
    )


@office_pages.get("/archive/<run>/<int:number>")
def archive_document(run: str, number: int):
    found = find_run(config().outputs, run)
    document = run_document(found, number) if found is not None else None
    if document is None:
        abort(404)
    path, kind = document
    return send_file(path, mimetype=kind, as_attachment=True, download_name=path.name)


@office_pages.post("/archive/<run>/verify")
def archive_verify(run: str):
    found = find_run(config().outputs, run)
    if found is None:
        abort(404)
    when = time.strftime("%Y-%m-%d %H:%M:%S")
    try:
        report = verify(found.path)
    except PipelineError as exc:
        _verified()[found.name] = (False, [exc.message], when)
    else:
        # the differences and notes in full; the identical files only counted
        lines = [f"不一致：{check.describe()}" for check in report.differences]
        lines.append(f"一致：{len(report.identical)} 个文件（输入、模板和文档）")
        lines += [f"说明：{note}" for note in report.notes]
        _verified()[found.name] = (report.ok, lines, when)
    ok = _verified()[found.name][0]
    outcome = "核对通过，文档与归档输入重新生成的结果一致" if ok else "核对发现不一致，详见下方"
    say(f"{found.name}：{outcome}。", "ok" if ok else "error")
    return redirect(url_for(".archive") + f"#run-{found.name}")
