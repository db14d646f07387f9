"""Files the pages hand out, each found by an identifier, never by a path from the request:
blank, carried-forward workbooks and problem lists made on the spot, the documents and
变更对照 of the run folders, and the marked-up return copies the product wrote."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import PipelineError, Problem, init_from_run, init_workbooks, write_problem_report
from ..api import OFFICE_WORKBOOK
from ..archive import MANIFEST, read_manifest
from ..files import department_file_name
from ..workbooks.return_copies import FOLDER_PREFIX as RETURN_PREFIX
from .status import office_workbooks, workbook_files

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
OFD_TYPE = "application/ofd"


def problem_list_bytes(problems: Sequence[Problem]) -> bytes:
    """The 问题清单 workbook of `pipeline check`, for these problems."""
    with tempfile.TemporaryDirectory(prefix="pipeline-web-", ignore_cleanup_errors=True) as folder:
        path = Path(folder) / "问题清单.xlsx"
        write_problem_report(path, problems)
        return path.read_bytes()


def blank_department_workbook(
    inputs: Path, department: str, *, office_only: bool = False
) -> tuple[str, bytes]:
    """A blank workbook for `department` with the drop-downs `pipeline init` would give it
    from what `inputs/` holds, or, with `office_only`, from the office's workbooks alone (so
    a department sees no region that only another department reported); `inputs/` itself is
    not written to."""
    name = department_file_name(department)
    sources = office_workbooks(inputs) if office_only else workbook_files(inputs)
    with tempfile.TemporaryDirectory(prefix="pipeline-web-", ignore_cleanup_errors=True) as folder:
        temporary = Path(folder)
        for path in sources:
            if path.name != name:
                shutil.copyfile(path, temporary / path.name)
        (written,) = init_workbooks(temporary, [department]).written
        return name, written.read_bytes()


def blank_office_workbook() -> tuple[str, bytes]:
    with tempfile.TemporaryDirectory(prefix="pipeline-web-", ignore_cleanup_errors=True) as folder:
        (written,) = init_workbooks(Path(folder), office=True).written
        return OFFICE_WORKBOOK, written.read_bytes()


CHANGES = "变更对照"


@dataclass(frozen=True)
class RunDocument:
    name: str
    size: int
    kind: str  # 文档, PDF, OFD or 变更对照


@dataclass
class RunFolder:
    """One archived run, with the facts of its manifest."""

    name: str
    path: Path
    built_at: str = ""
    version: str = ""
    issue: str = ""
    title: str = ""
    inputs: int = 0
    notices: int = 0
    tables: list[str] = field(default_factory=list)
    documents: list[RunDocument] = field(default_factory=list)
    compared_with: str = ""  # the run its 变更对照 compares with
    damaged: str = ""  # a message when the manifest cannot be read


def _facts(run: RunFolder, manifest: dict[str, Any]) -> None:
    run.built_at = str(manifest.get("built_at", "")).replace("T", " ")[:19]
    run.version = str(manifest.get("tool", {}).get("version", ""))
    report = manifest.get("report") or {}
    run.issue = str(report.get("issue_number") or "")
    run.title = str(report.get("title") or "")
    run.inputs = len(manifest["inputs"])
    run.notices = len(manifest.get("notices") or [])
    run.tables = [str(t.get("region", "")) for t in manifest.get("tables") or []]
    # read_manifest checked the lists; runs archived before OFD copies have no "ofds".
    for key, kind in (("documents", "文档"), ("pdfs", "PDF"), ("ofds", "OFD")):
        for entry in manifest.get(key, []):
            name = str(entry["file"])
            run.documents.append(RunDocument(name, int(entry.get("size") or 0), kind))
    changes = manifest.get("change_report")
    if changes:  # written by build beside the documents, listed in the manifest
        run.documents.append(
            RunDocument(str(changes["file"]), int(changes.get("size") or 0), CHANGES)
        )
        run.compared_with = str(changes.get("compared_with") or "")


def run_folders(outputs: Path) -> list[RunFolder]:
    """Every run folder in `outputs/` (a folder with a manifest), newest first."""
    if not outputs.is_dir():
        return []
    runs = []
    for path in outputs.iterdir():
        if path.name.startswith(".") or not path.is_dir() or not (path / MANIFEST).is_file():
            continue
        run = RunFolder(path.name, path)
        try:
            _facts(run, read_manifest(path))
        except PipelineError as exc:
            run.damaged = exc.message
        except (KeyError, TypeError, ValueError, AttributeError):
            run.damaged = f"{MANIFEST} 的格式不正确。"
        runs.append(run)
    return sorted(runs, key=lambda r: r.name, reverse=True)


def find_run(outputs: Path, name: str) -> RunFolder | None:
    """The run folder whose name is exactly `name`, among those `run_folders` lists."""
    return next((run for run in run_folders(outputs) if run.name == name), None)


def run_document(run: RunFolder, number: int) -> tuple[Path, str] | None:
    """The `number`th document of a run (as the manifest lists them) and its content type, if
    the file is there, directly inside the run folder."""
    if not 0 <= number < len(run.documents):
        return None
    document = run.documents[number]
    path = run.path / document.name
    if path.parent != run.path or Path(document.name).name != document.name:
        return None
    if not path.is_file() or path.is_symlink():
        return None
    suffix = path.suffix.lower()
    kind = {".pdf": PDF_TYPE, ".ofd": OFD_TYPE, ".xlsx": XLSX_TYPE}.get(suffix, DOCX_TYPE)
    return path, kind


def carried_forward_workbook(run: RunFolder, department: str) -> tuple[str, bytes]:
    """`department`'s workbook for the next period, pre-filled with what it sent in `run`
    (blank when it sent nothing then), as `pipeline init --from` writes it; `inputs/` is not
    written to. Raises `PipelineError` when the run folder cannot be read."""
    with tempfile.TemporaryDirectory(prefix="pipeline-web-", ignore_cleanup_errors=True) as folder:
        written, _ = init_from_run(run.path, Path(folder), [department])
        (path,) = written
        return path.name, path.read_bytes()


# ---------------------------------------------------------------- return copies


@dataclass(frozen=True)
class ReturnCopy:
    folder: str  # the 退回_… folder's name and
    number: int  # the copy's place in it: the identifier a download goes by
    name: str  # the workbook's file name, as in inputs/
    path: Path
    made: str  # local time, minutes
    outdated: bool  # the workbook in inputs/ changed (or went) after the copy was made


@dataclass
class ReturnFolder:
    """One `outputs/退回_…/` folder written by `write_return_copies`."""

    name: str
    path: Path
    copies: list[ReturnCopy] = field(default_factory=list)


def _copies(folder: Path, inputs: Path) -> list[ReturnCopy]:
    paths = [
        path
        for path in sorted(folder.iterdir(), key=lambda p: p.name)
        if not path.is_symlink() and path.is_file() and path.suffix.lower() == ".xlsx"
    ]
    copies = []
    for number, path in enumerate(paths):
        made = path.stat().st_mtime
        source = inputs / path.name
        outdated = not source.is_file() or source.stat().st_mtime > made
        when = dt.datetime.fromtimestamp(made).strftime("%Y-%m-%d %H:%M")
        copies.append(ReturnCopy(folder.name, number, path.name, path, when, outdated))
    return copies


def return_folders(outputs: Path, inputs: Path) -> list[ReturnFolder]:
    """The return-copy folders in `outputs/`, newest first."""
    if not outputs.is_dir():
        return []
    found = [
        ReturnFolder(path.name, path, _copies(path, inputs))
        for path in outputs.iterdir()
        if path.name.startswith(RETURN_PREFIX) and path.is_dir() and not path.is_symlink()
    ]
    return sorted(found, key=lambda f: f.name, reverse=True)


def latest_return_copies(outputs: Path, inputs: Path) -> list[ReturnCopy]:
    """The newest copy of each workbook across the return folders (a department's page writes
    a folder holding its own copy only), by workbook name."""
    latest: dict[str, ReturnCopy] = {}
    for folder in return_folders(outputs, inputs):
        for copy in folder.copies:
            latest.setdefault(copy.name, copy)
    return [latest[name] for name in sorted(latest)]


def return_copy(outputs: Path, inputs: Path, folder: str, number: int) -> ReturnCopy | None:
    """The `number`th copy of the return folder named exactly `folder`, if there is one."""
    found = next((f for f in return_folders(outputs, inputs) if f.name == folder), None)
    if found is None or not 0 <= number < len(found.copies):
        return None
    return found.copies[number]
