"""The office's pages: 报送情况 with uploads, 问题 with the return copies, 生成, 归档 with 对比,
空白 and carried-forward workbooks."""

from __future__ import annotations

import time
from itertools import groupby
from pathlib import Path

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

from .. import Level, PipelineError, compare_runs, verify, write_return_copies
from ..api import OFFICE_WORKBOOK
from .builds import FAILED, RUNNING
from .context import builds, config, download, has_link, identify, say, workbook_download
from .downloads import (
    XLSX_TYPE,
    blank_department_workbook,
    blank_office_workbook,
    carried_forward_workbook,
    find_run,
    latest_return_copies,
    problem_list_bytes,
    return_copy,
    run_document,
    run_folders,
)
from .status import department_of, departments, status_report
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


# ---------------------------------------------------------------- 报送情况 and uploads


@office_pages.get("/")
def status():
    report = status_report(config().inputs)
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
    report = status_report(config().inputs)
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
        copies=latest_return_copies(config().outputs, config().inputs),
        page="problems",
    )


@office_pages.get("/problems.xlsx")
def problem_list():
    report = status_report(config().inputs)
    shown = _filtered(
        report.problems, request.args.get("department", ""), request.args.get("level", "")
    )
    if not shown:
        say("没有问题，无需下载问题清单。", "info")
        return redirect(url_for(".problems"))
    stamp = time.strftime("%Y-%m-%d_%H%M%S")
    return download(problem_list_bytes(shown), f"问题清单_{stamp}.xlsx")


# ---------------------------------------------------------------- return copies


@office_pages.post("/returns")
def returns_write():
    """Marked-up copies of every workbook with problems, written by the product into a new
    `outputs/退回_…/` folder, as `pipeline check` writes them."""
    report = status_report(config().inputs)
    if report.failure:
        say(report.failure, "error")
    elif not report.problems:
        say("没有问题，无需退回。", "info")
    else:
        try:
            copies = write_return_copies(config().outputs, config().inputs, report.problems)
        except PipelineError as exc:
            say(exc.message, "error")
        else:
            for file, reason in copies.skipped:
                say(f"未能为 {file} 生成退回副本：{reason}。请按问题清单告知该部门。", "error")
            if copies.folder is not None:
                say(
                    f"退回副本已保存在 outputs/{copies.folder.name}（{len(copies.written)} 个工作簿，"
                    "问题单元格已标色并加批注），可在下方逐个下载。",
                    "ok",
                )
    return redirect(url_for(".problems") + "#returns")


@office_pages.get("/returns/<folder>/<int:number>")
def returns_download(folder: str, number: int):
    copy = return_copy(config().outputs, config().inputs, folder, number)
    if copy is None:
        abort(404)
    name = f"{department_of(copy.name)}_退回_{copy.folder.removeprefix('退回_')}.xlsx"
    return send_file(copy.path, mimetype=XLSX_TYPE, as_attachment=True, download_name=name)


# ---------------------------------------------------------------- blank workbooks


def _readable_runs():
    return [run for run in run_folders(config().outputs) if not run.damaged]


@office_pages.get("/blank")
def blank():
    return render_template(
        "office_blank.html",
        names=departments(config().inputs),
        runs=_readable_runs(),
        page="blank",
    )


@office_pages.get("/blank/department")
def blank_department():
    department = request.args.get("name", "").strip()
    if not department:
        say("请填写部门名称。", "error")
        return redirect(url_for(".blank"))
    return workbook_download(
        lambda: blank_department_workbook(config().inputs, department), url_for(".blank")
    )


@office_pages.get("/blank/carried")
def blank_carried():
    """A department's workbook pre-filled from a run (the newest unless one is chosen)."""
    department = request.args.get("name", "").strip()
    wanted = request.args.get("run", "")
    runs = _readable_runs()
    run = find_run(config().outputs, wanted) if wanted else (runs[0] if runs else None)
    if not department or run is None or run.damaged:
        say("请选择部门和一次归档的生成结果。" if runs else "还没有归档记录，无法接续。", "error")
        return redirect(url_for(".blank"))
    return workbook_download(lambda: carried_forward_workbook(run, department), url_for(".blank"))


@office_pages.get("/blank/office")
def blank_office():
    name, data = blank_office_workbook()
    return download(data, name)


# ---------------------------------------------------------------- build


def _by_workbook(problems):
    """(file, its problems) in the order of the problem list."""
    return [(file, list(group)) for file, group in groupby(problems, lambda p: p.location.file)]


@office_pages.get("/build")
def build_page():
    state = builds().snapshot()
    run = find_run(config().outputs, state.run_name) if state.run_name else None
    pending = []  # the errors a build would be refused for now, unless shown below already
    if state.state != RUNNING:
        report = status_report(config().inputs)
        pending = [p for p in report.problems if p.is_error]
        if state.state == FAILED and set(pending) == set(state.problems):
            pending = []
    return render_template(
        "office_build.html",
        state=state,
        run=run,
        pending=_by_workbook(pending),
        pending_errors=len(pending),
        refused=_by_workbook(state.problems),
        pdf_available=config().pdf_available,
        ofd_available=config().ofd_available,
        page="build",
    )


@office_pages.post("/build")
def build_start():
    pdf = bool(request.form.get("pdf")) and config().pdf_available
    ofd = bool(request.form.get("ofd")) and config().ofd_available
    if not builds().start(pdf=pdf, ofd=ofd):
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


@office_pages.post("/archive/compare")
def archive_compare():
    """The 变更对照 workbook of two runs chosen by name, written by the product into
    `outputs/` and handed out."""
    earlier = find_run(config().outputs, request.form.get("earlier", ""))
    later = find_run(config().outputs, request.form.get("later", ""))
    if earlier is None or later is None:
        abort(404)
    if earlier.name == later.name:
        say("请选择两次不同的生成结果进行对比。", "error")
        return redirect(url_for(".archive") + "#compare")

    def compared() -> tuple[str, Path]:
        _, path = compare_runs(earlier.path, later.path, config().outputs)
        return path.name, path

    return workbook_download(compared, url_for(".archive") + "#compare")


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
