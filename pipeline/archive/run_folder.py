"""Archive: every build becomes a new, self-contained run folder under `outputs/`.

A run folder holds the documents, every workbook exactly as it was read (`inputs/`: the bytes
the reader parsed, not the file as it is when the build ends), the templates used
(`templates/`) and `manifest.json` with their hashes, so that months later
the office can show which department inputs produced a signed document, and `verify_run` can
rebuild the documents from the folder alone and compare them byte for byte.

The folder is assembled under a hidden temporary name beside its final place and renamed at the
very end: a failed or interrupted build leaves no run folder, and an earlier run is never touched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import ArchiveError
from ..files import (
    TEMP_PREFIX,
    describe_os_error,
    make_temp_folder,
    publish_folder,
    safe_file_name,
)
from ..interrupts import publishing
from ..model import Dossier, Prepared
from ..problems import Problem, sorted_problems
from ..progress import Progress, Step, counting
from ..version import tool_version
from .copy_text import check_copies
from .dossier_json import DOSSIER, dossier_bytes
from .ofd import OFD_FORMAT, check_ofd_converter, convert_to_ofd
from .pdf import convert_to_pdf, find_libreoffice

MANIFEST = "manifest.json"
INPUTS_FOLDER = "inputs"
TEMPLATES_FOLDER = "templates"
# What changed since the run compared with; not rebuilt by verify (it depends on that run).
CHANGE_REPORT = "变更对照.xlsx"
MANIFEST_FORMAT = 1
# A temporary folder this old belongs to a build that was killed outright (no cleanup ran).
STALE_TEMP_SECONDS = 3600
TABLES_ONLY_LABEL = "合作交流项目表"
NAME_TIME_FORMAT = "%Y-%m-%d_%H%M%S"

# PDF/A-2b suits archiving; LibreOffice accepts filter options as JSON since 7.4. Older versions
# write nothing for this filter string, and the conversion is repeated as plain PDF.

# Files the operating system or Word put into a folder someone opened; not part of a run.
IGNORED_NAMES = {"Thumbs.db", "desktop.ini"}

Clock = Callable[[], dt.datetime]


# ------------------------------------------------------------------------------- writing


def write_run(
    outputs: Path,
    prepared: Prepared,
    *,
    inputs: Path,
    templates: Sequence[Path],
    pdf: bool = False,
    ofd: bool = False,
    clock: Clock | None = None,
    change_report: tuple[bytes, str] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write a new run folder under `outputs` and return it; `prepared.copies` names the PDF
    and OFD copies written.

    `change_report` is the workbook comparing this run with an earlier one, and that run's
    folder name; both go into the folder and the manifest.

    `ofd` adds an OFD copy of each PDF copy, and so implies `pdf`. `progress` is told each
    document converted, then `archive`.

    Raises `ToolMissing` (before anything is written) when `pdf` or `ofd` is asked for and
    LibreOffice (or, for `ofd`, the OFD converter) is not installed, and `ArchiveError` when
    the folder cannot be written.
    """
    soffice = find_libreoffice("--ofd" if ofd else "--pdf") if pdf or ofd else None
    if ofd:
        check_ofd_converter()
    built_at = (clock or _local_now)()
    name = run_name(prepared.dossier, built_at)
    _check_document_names(prepared.documents)
    try:
        outputs.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"无法创建输出文件夹 {outputs}：{os_reason(exc)}") from exc
    _remove_stale_temps(outputs)
    temp = _make_temp_folder(outputs, name)
    try:
        _assemble(
            temp,
            prepared,
            inputs=inputs,
            templates=templates,
            soffice=soffice,
            ofd=ofd,
            built_at=built_at,
            change_report=change_report,
            progress=progress,
        )
        return _publish(temp, outputs, name)
    except OSError as exc:
        _discard(temp)
        raise ArchiveError(f"写入归档文件夹失败：{os_reason(exc)}。未生成任何运行文件夹。") from exc
    except BaseException:
        # Also on Ctrl+C: an interrupted build leaves nothing behind.
        _discard(temp)
        raise


def run_name(dossier: Dossier, built_at: dt.datetime) -> str:
    """`2026-11-23_101502_第95期`, or `…_合作交流项目表` when there is no work report."""
    stamp = built_at.strftime(NAME_TIME_FORMAT)
    if dossier.report is not None:
        label = safe_file_name(f"第{dossier.report.settings.issue_number}期", limit=40)
    else:
        label = TABLES_ONLY_LABEL
    return f"{stamp}_{label}"


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)


def _check_document_names(documents: Iterable[Any]) -> None:
    """A document name must be a plain file name that cannot clash with the archive's own files."""
    seen: set[str] = set()
    for document in documents:
        name = document.name
        if (
            not is_plain_name(name)
            or name.casefold()
            in {MANIFEST, INPUTS_FOLDER, TEMPLATES_FOLDER, DOSSIER, CHANGE_REPORT.casefold()}
            or name.casefold() in seen
        ):
            raise ArchiveError(
                f"文档文件名「{name}」不能用于归档（含路径、重名或与归档文件冲突）。"
            )
        seen.add(name.casefold())


def is_plain_name(name: str) -> bool:
    return (
        bool(name)
        and name not in {".", ".."}
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and "\x00" not in name
    )


def _make_temp_folder(outputs: Path, name: str) -> Path:
    try:
        return make_temp_folder(outputs, name)
    except OSError as exc:
        raise ArchiveError(f"无法在输出文件夹 {outputs} 中写入：{os_reason(exc)}") from exc


def _remove_stale_temps(outputs: Path) -> None:
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        candidates = [p for p in outputs.iterdir() if p.name.startswith(TEMP_PREFIX)]
    except OSError:
        return
    for path in candidates:
        try:
            if path.is_dir() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def _discard(temp: Path) -> None:
    shutil.rmtree(temp, ignore_errors=True)


def _assemble(
    temp: Path,
    prepared: Prepared,
    *,
    inputs: Path,
    templates: Sequence[Path],
    soffice: str | None,
    built_at: dt.datetime,
    ofd: bool = False,
    change_report: tuple[bytes, str] | None = None,
    progress: Progress | None = None,
) -> None:
    if progress and soffice is None:
        progress(Step("archive"))
    documents = []
    for document in prepared.documents:
        # The renderer's bytes, verbatim: the archive adds nothing that could vary between runs.
        _write_bytes(temp / document.name, document.data)
        documents.append(
            {
                "file": document.name,
                "template": document.template,
                "sha256": sha256_bytes(document.data),
                "size": len(document.data),
            }
        )

    row_counts = prepared.dossier.row_counts
    input_entries = []
    (temp / INPUTS_FOLDER).mkdir()
    for workbook in sorted(prepared.workbooks, key=lambda w: w.name):
        # The bytes that were parsed: a workbook saved again during the build is not re-read.
        target = temp / INPUTS_FOLDER / workbook.name
        _write_bytes(target, workbook.data)
        if workbook.modified_ns:
            # When the department saved it, as a copy of the file would keep it.
            os.utime(target, ns=(workbook.modified_ns, workbook.modified_ns))
        input_entries.append(
            {
                "file": workbook.name,
                "department": workbook.stem,
                "sha256": sha256_bytes(workbook.data),
                "size": len(workbook.data),
                "rows": dict(row_counts.get(workbook.name, {})),
            }
        )

    template_entries = []
    (temp / TEMPLATES_FOLDER).mkdir()
    for source in sorted(templates, key=lambda p: p.name):
        target = _copy(source, temp / TEMPLATES_FOLDER / source.name, "模板")
        template_entries.append(
            {"file": source.name, "sha256": sha256_file(target), "size": target.stat().st_size}
        )

    pdf_entries, pdf_copies = [], []
    sources = {d.name: d.data for d in prepared.documents}
    if soffice is not None:
        counted = counting(progress, "pdf", len(prepared.documents))
        converted = convert_to_pdf(list(sources.items()), soffice, done=counted)
        # A copy that lost text is not archived: before anything else is made from it.
        check_copies([(name, data, source) for name, data, _, source in converted], sources)
        for pdf_name, data, pdf_format, source_name in converted:
            _write_bytes(temp / pdf_name, data)
            pdf_copies.append((pdf_name, data))
            pdf_entries.append(
                {
                    "file": pdf_name,
                    "source": source_name,
                    "format": pdf_format,
                    "sha256": sha256_bytes(data),
                    "size": len(data),
                }
            )

    ofd_entries = []
    if ofd:
        counted = counting(progress, "ofd", len(pdf_copies))
        ofds = convert_to_ofd(pdf_copies, created=built_at.date(), done=counted)
        pdf_sources = {e["file"]: e["source"] for e in pdf_entries}
        check_copies([(name, data, pdf_sources[pdf]) for name, data, pdf in ofds], sources)
        for ofd_name, data, source_name in ofds:
            _write_bytes(temp / ofd_name, data)
            ofd_entries.append(
                {
                    "file": ofd_name,
                    "source": source_name,
                    "format": OFD_FORMAT,
                    "sha256": sha256_bytes(data),
                    "size": len(data),
                }
            )

    # What the clerk is told was written: PDFs then OFDs, each in the documents' order (the
    # converters keep it).
    prepared.copies = [entry["file"] for entry in (*pdf_entries, *ofd_entries)]
    if progress and soffice is not None:
        progress(Step("archive"))
    dossier_data = dossier_bytes(prepared.dossier)
    _write_bytes(temp / DOSSIER, dossier_data)
    extras: dict[str, Any] = {"dossier": _file_entry(DOSSIER, dossier_data)}
    if change_report is not None:
        data, compared_with = change_report
        _write_bytes(temp / CHANGE_REPORT, data)
        extras["change_report"] = {
            **_file_entry(CHANGE_REPORT, data),
            "compared_with": compared_with,
        }

    manifest = _manifest(
        prepared,
        built_at=built_at,
        inputs=inputs,
        input_entries=input_entries,
        template_entries=template_entries,
        documents=documents,
        pdfs=pdf_entries,
        ofds=ofd_entries,
    )
    manifest.update(extras)
    _write_manifest(temp / MANIFEST, manifest)
    _fsync_folder(temp / INPUTS_FOLDER)
    _fsync_folder(temp / TEMPLATES_FOLDER)
    _fsync_folder(temp)


def _manifest(
    prepared: Prepared,
    *,
    built_at: dt.datetime,
    inputs: Path,
    input_entries: list[dict],
    template_entries: list[dict],
    documents: list[dict],
    pdfs: list[dict],
    ofds: list[dict],
) -> dict[str, Any]:
    dossier = prepared.dossier
    report = None
    if dossier.report is not None:
        settings = dossier.report.settings
        report = {
            "issue_number": settings.issue_number,
            "title": settings.title,
            "date": settings.date.isoformat(),
        }
    return {
        "manifest_format": MANIFEST_FORMAT,
        "tool": {"name": "pipeline", "version": tool_version()},
        "built_at": built_at.isoformat(),
        "source_folder": str(inputs.resolve()),
        "inputs": sorted(input_entries, key=lambda e: e["file"]),
        "notices": [_notice_entry(p) for p in sorted_problems(dossier.notices)],
        "templates": sorted(template_entries, key=lambda e: e["file"]),
        "documents": sorted(documents, key=lambda e: e["file"]),
        "pdfs": sorted(pdfs, key=lambda e: e["file"]),
        "ofds": sorted(ofds, key=lambda e: e["file"]),
        "report": report,
        "tables": [
            {
                "region": table.region,
                "title": table.title,
                "items": table.item_count,
                "rows": table.row_count,
            }
            for table in dossier.regions
        ],
        "timings_seconds": {stage: round(s, 3) for stage, s in prepared.timings.items()},
    }


def _file_entry(name: str, data: bytes) -> dict[str, Any]:
    return {"file": name, "sha256": sha256_bytes(data), "size": len(data)}


def _notice_entry(problem: Problem) -> dict[str, Any]:
    where = problem.location
    return {
        "level": problem.level.value,
        "file": where.file,
        "sheet": where.sheet,
        "cell": where.cell,
        "column": where.column,
        "message": problem.message,
    }


def manifest_text(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    _write_bytes(path, manifest_text(manifest).encode("utf-8"))


def _publish(temp: Path, outputs: Path, name: str) -> Path:
    """Rename the finished folder into place under the first free name: name, name_2, name_3…"""
    with publishing():  # from here Ctrl+C no longer interrupts the command line's build
        final = publish_folder(temp, outputs, name)
    _fsync_folder(outputs)
    return final


# ------------------------------------------------------------------------------- files


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _copy(source: Path, target: Path, what: str) -> Path:
    """A byte copy that keeps the source's modification time (when the department saved it)."""
    try:
        shutil.copy2(source, target)
    except FileNotFoundError as exc:
        raise ArchiveError(
            f"{what} {source} 在生成过程中被移走或删除，无法归档。请重新运行。"
        ) from exc
    # A read-only source must not give a copy that cleanup cannot delete on Windows.
    mode = target.stat().st_mode
    if not mode & stat.S_IWUSR:
        target.chmod(stat.S_IMODE(mode) | stat.S_IWUSR)
    _fsync_file(target)
    return target


def _fsync_file(path: Path) -> None:
    _fsync(path)


def _fsync_folder(path: Path) -> None:
    # So a power cut right after a build cannot leave a complete-looking folder of empty files.
    if os.name != "nt":  # Windows cannot open a folder for fsync
        _fsync(path)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # Windows refuses fsync on a read-only handle; the copy is still complete
    finally:
        os.close(fd)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def os_reason(exc: OSError) -> str:
    return describe_os_error(exc)
