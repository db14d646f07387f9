"""Archive: every build becomes a new, self-contained run folder under `outputs/`.

A run folder holds the documents, a byte copy of every workbook that was read (`inputs/`),
the templates used (`templates/`) and `manifest.json` with their hashes, so that months later
the office can show which department inputs produced a signed document, and `verify_run` can
rebuild the documents from the folder alone and compare them byte for byte.

The folder is assembled under a hidden temporary name beside its final place and renamed at the
very end: a failed or interrupted build leaves no run folder, and an earlier run is never touched.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._docx import safe_file_name
from .errors import ArchiveError, PipelineError, Problem, ToolMissing, sorted_problems
from .model import Dossier

if TYPE_CHECKING:
    from .build import Prepared

MANIFEST = "manifest.json"
INPUTS_FOLDER = "inputs"
TEMPLATES_FOLDER = "templates"
MANIFEST_FORMAT = 1
TEMP_PREFIX = ".tmp-"
# A temporary folder this old belongs to a build that was killed outright (no cleanup ran).
STALE_TEMP_SECONDS = 3600
TABLES_ONLY_LABEL = "合作交流项目表"
NAME_TIME_FORMAT = "%Y-%m-%d_%H%M%S"
MAX_NAME_SUFFIX = 1000

# PDF/A-2b suits archiving; LibreOffice accepts filter options as JSON since 7.4. Older versions
# write nothing for this filter string, and the conversion is repeated as plain PDF.
PDF_A_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
PLAIN_PDF_FILTER = "pdf"
PDF_A_FORMAT = "PDF/A-2b"
PLAIN_PDF_FORMAT = "PDF"
PDF_TIMEOUT_BASE = 120.0  # seconds: LibreOffice's first start with a fresh profile is slow
PDF_TIMEOUT_PER_DOCUMENT = 30.0

# Files the operating system or Word put into a folder someone opened; not part of a run.
_IGNORED_NAMES = {"Thumbs.db", "desktop.ini"}

Clock = Callable[[], dt.datetime]


# ------------------------------------------------------------------------------- writing


def write_run(
    outputs: Path,
    prepared: Prepared,
    *,
    inputs: Path,
    templates: Sequence[Path],
    pdf: bool = False,
    clock: Clock | None = None,
) -> Path:
    """Write a new run folder under `outputs` and return it.

    Raises `ToolMissing` (before anything is written) when `pdf` is asked for and LibreOffice
    is not installed, and `ArchiveError` when the folder cannot be written.
    """
    soffice = find_libreoffice() if pdf else None
    built_at = (clock or _local_now)()
    name = run_name(prepared.dossier, built_at)
    _check_document_names(prepared.documents)
    try:
        outputs.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"无法创建输出文件夹 {outputs}：{_reason(exc)}") from exc
    _remove_stale_temps(outputs)
    temp = _make_temp_folder(outputs, name)
    try:
        _assemble(
            temp,
            prepared,
            inputs=inputs,
            templates=templates,
            soffice=soffice,
            built_at=built_at,
        )
        return _publish(temp, outputs, name)
    except OSError as exc:
        _discard(temp)
        raise ArchiveError(f"写入归档文件夹失败：{_reason(exc)}。未生成任何运行文件夹。") from exc
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
            not _is_plain_name(name)
            or name.casefold() in {MANIFEST, INPUTS_FOLDER, TEMPLATES_FOLDER}
            or name.casefold() in seen
        ):
            raise ArchiveError(
                f"文档文件名「{name}」不能用于归档（含路径、重名或与归档文件冲突）。"
            )
        seen.add(name.casefold())


def _is_plain_name(name: str) -> bool:
    return (
        bool(name)
        and name not in {".", ".."}
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and "\x00" not in name
    )


def _make_temp_folder(outputs: Path, name: str) -> Path:
    # os.mkdir rather than tempfile.mkdtemp: mkdtemp's 0o700 would stay on the published folder.
    for _ in range(100):
        temp = outputs / f"{TEMP_PREFIX}{name}-{secrets.token_hex(4)}"
        try:
            temp.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise ArchiveError(f"无法在输出文件夹 {outputs} 中写入：{_reason(exc)}") from exc
        return temp
    raise ArchiveError(f"无法在输出文件夹 {outputs} 中创建临时文件夹。")


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
) -> None:
    documents = []
    for document in prepared.documents:
        # The renderer's bytes, verbatim: the archive adds nothing that could vary between runs.
        _write_bytes(temp / document.name, document.data)
        documents.append(
            {
                "file": document.name,
                "template": document.template,
                "sha256": _sha256_bytes(document.data),
                "size": len(document.data),
            }
        )

    row_counts = prepared.dossier.row_counts
    input_entries = []
    (temp / INPUTS_FOLDER).mkdir()
    for source in sorted(prepared.loaded.workbooks, key=lambda p: p.name):
        target = _copy(source, temp / INPUTS_FOLDER / source.name, "输入文件")
        input_entries.append(
            {
                "file": source.name,
                "department": source.stem,
                "sha256": _sha256_file(target),
                "size": target.stat().st_size,
                "rows": dict(row_counts.get(source.name, {})),
            }
        )

    template_entries = []
    (temp / TEMPLATES_FOLDER).mkdir()
    for source in sorted(templates, key=lambda p: p.name):
        target = _copy(source, temp / TEMPLATES_FOLDER / source.name, "模板")
        template_entries.append(
            {"file": source.name, "sha256": _sha256_file(target), "size": target.stat().st_size}
        )

    pdf_entries = []
    if soffice is not None:
        for pdf_name, data, pdf_format, source_name in convert_to_pdf(
            [(d.name, d.data) for d in prepared.documents], soffice
        ):
            _write_bytes(temp / pdf_name, data)
            pdf_entries.append(
                {
                    "file": pdf_name,
                    "source": source_name,
                    "format": pdf_format,
                    "sha256": _sha256_bytes(data),
                    "size": len(data),
                }
            )

    manifest = _manifest(
        prepared,
        built_at=built_at,
        inputs=inputs,
        input_entries=input_entries,
        template_entries=template_entries,
        documents=documents,
        pdfs=pdf_entries,
    )
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
) -> dict[str, Any]:
    from . import __version__

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
        "tool": {"name": "pipeline", "version": __version__},
        "built_at": built_at.isoformat(),
        "source_folder": str(inputs.resolve()),
        "inputs": sorted(input_entries, key=lambda e: e["file"]),
        "notices": [_notice_entry(p) for p in sorted_problems(dossier.notices)],
        "templates": sorted(template_entries, key=lambda e: e["file"]),
        "documents": sorted(documents, key=lambda e: e["file"]),
        "pdfs": sorted(pdfs, key=lambda e: e["file"]),
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
    for n in range(1, MAX_NAME_SUFFIX + 1):
        final = outputs / (name if n == 1 else f"{name}_{n}")
        if os.path.lexists(final):
            continue
        try:
            # Never replaces a run folder: renaming onto a non-empty folder fails everywhere.
            os.rename(temp, final)
        except OSError as exc:
            if isinstance(exc, FileExistsError) or exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                continue  # another build took this name a moment ago
            raise
        _fsync_folder(outputs)
        return final
    raise ArchiveError(f"输出文件夹中已有太多名为 {name} 的运行文件夹。")


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


def _fsync_folder(path: Path) -> None:
    # So a power cut right after a build cannot leave a complete-looking folder of empty files.
    if os.name == "nt":
        return  # Windows cannot open a folder for fsync
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


# ------------------------------------------------------------------------------- PDF


def find_libreoffice() -> str:
    """The LibreOffice program, or `ToolMissing` saying what to install."""
    for program in ("soffice", "libreoffice"):
        found = shutil.which(program)
        if found:
            return found
    for candidate in _usual_locations():
        if candidate.is_file():
            return str(candidate)
    raise ToolMissing(
        "未找到 LibreOffice，无法生成 PDF。请安装 LibreOffice（https://zh-cn.libreoffice.org/ ，"
        "安装后确保 soffice 命令可用），然后重新运行；或去掉 --pdf，只生成 Word 文档。"
    )


def _usual_locations() -> list[Path]:
    # Installers on Windows and macOS do not put soffice on PATH.
    if sys.platform == "win32":
        roots = [os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)")]
        return [Path(r) / "LibreOffice" / "program" / "soffice.exe" for r in roots if r]
    if sys.platform == "darwin":
        return [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")]
    return []


def convert_to_pdf(
    documents: Sequence[tuple[str, bytes]], soffice: str, *, timeout: float | None = None
) -> list[tuple[str, bytes, str, str]]:
    """Convert .docx documents with LibreOffice: (pdf name, bytes, format, source name) each.

    Runs with a private profile so it works while the user has LibreOffice open, in a scratch
    folder so that LibreOffice's lock and profile files never reach the run folder.
    """
    if not documents:
        return []
    if timeout is None:
        timeout = PDF_TIMEOUT_BASE + PDF_TIMEOUT_PER_DOCUMENT * len(documents)
    with tempfile.TemporaryDirectory(prefix="pipeline-pdf-") as scratch_name:
        scratch = Path(scratch_name)
        sources, converted = scratch / "docx", scratch / "pdf"
        sources.mkdir()
        names = {}
        for name, data in documents:
            (sources / name).write_bytes(data)
            names[name] = Path(name).stem + ".pdf"
        profile = (scratch / "profile").as_uri()
        missing = list(names)
        for pdf_filter in (PDF_A_FILTER, PLAIN_PDF_FILTER):
            output = _run_libreoffice(
                soffice, profile, pdf_filter, [sources / n for n in missing], converted, timeout
            )
            missing = [n for n in missing if not (converted / names[n]).is_file()]
            if not missing:
                break
        if missing:
            raise ArchiveError(
                "LibreOffice 未能把以下文档转换为 PDF：" + "、".join(missing) + f"。{output}"
            )
        results = []
        for name, _data in documents:
            data = (converted / names[name]).read_bytes()
            pdf_format = PDF_A_FORMAT if b"pdfaid:part" in data else PLAIN_PDF_FORMAT
            results.append((names[name], data, pdf_format, name))
        return results


def _run_libreoffice(
    soffice: str, profile: str, pdf_filter: str, files: list[Path], outdir: Path, timeout: float
) -> str:
    command = [
        soffice,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nodefault",
        "--convert-to",
        pdf_filter,
        "--outdir",
        str(outdir),
        *map(str, files),
    ]
    posix = os.name == "posix"
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=posix,  # so a timeout can stop LibreOffice's child processes too
        )
    except OSError as exc:
        raise ArchiveError(f"无法启动 LibreOffice（{soffice}）：{_reason(exc)}") from exc
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process, posix)
        raise ArchiveError(
            f"LibreOffice 转换 PDF 超过 {int(timeout)} 秒仍未完成，已停止。请稍后重试，或去掉 --pdf。"
        ) from None
    except BaseException:
        _kill(process, posix)
        raise
    text = (stderr or b"").decode("utf-8", "replace").strip()
    return f"LibreOffice 的输出：{text[-500:]}" if text else ""


def _kill(process: subprocess.Popen, posix: bool) -> None:
    try:
        if posix:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        pass
    process.wait()


# ------------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class FileCheck:
    """One archived file and what verifying it found (the reason is shown to the office)."""

    path: str  # relative to the run folder, e.g. inputs/环保处.xlsx
    reason: str

    def describe(self) -> str:
        return f"{self.path}：{self.reason}"


@dataclass
class VerifyReport:
    run_folder: Path
    identical: list[FileCheck] = field(default_factory=list)
    differences: list[FileCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def lines(self) -> list[str]:
        """The report as Chinese lines, differences first."""
        lines = [f"不一致  {c.describe()}" for c in self.differences]
        lines += [f"一致    {c.describe()}" for c in self.identical]
        lines += [f"说明    {note}" for note in self.notes]
        return lines


def verify_run(run_folder: Path) -> VerifyReport:
    """Check the archived files against the manifest and rebuild the documents from them."""
    manifest = read_manifest(run_folder)
    report = VerifyReport(run_folder)
    from . import __version__

    archived_version = manifest.get("tool", {}).get("version")
    if archived_version != __version__:
        report.notes.append(
            f"归档时的程序版本为 {archived_version}，当前为 {__version__}；"
            "版本不同时，重新生成的文档可能因程序改动而不同。"
        )

    expected: set[str] = {MANIFEST}
    for folder, key, what in (
        (INPUTS_FOLDER, "inputs", "输入文件"),
        (TEMPLATES_FOLDER, "templates", "模板"),
    ):
        for entry in manifest[key]:
            relative = f"{folder}/{entry['file']}"
            expected.add(relative)
            _check_recorded(run_folder, relative, entry, what, report)
    for entry in manifest["pdfs"]:
        expected.add(entry["file"])
        # PDFs are not reproducible: only their integrity since archiving is checked.
        _check_recorded(run_folder, entry["file"], entry, "PDF", report)

    rebuilt, failure = _rebuild(run_folder)
    for entry in manifest["documents"]:
        name = entry["file"]
        expected.add(name)
        _check_document(run_folder, entry, rebuilt, failure, report)
    if rebuilt is not None:
        recorded = {entry["file"] for entry in manifest["documents"]}
        for name in sorted(set(rebuilt) - recorded):
            report.differences.append(
                FileCheck(name, "重新生成时多出这份文档，清单中没有记录（输入或模板与归档时不同）")
            )

    for relative in _files_in(run_folder):
        if relative not in expected:
            report.differences.append(
                FileCheck(relative, "清单中没有记录此文件（归档后被放入了运行文件夹）")
            )
    return report


def read_manifest(run_folder: Path) -> dict[str, Any]:
    if not run_folder.is_dir():
        raise ArchiveError(f"找不到运行文件夹：{run_folder}")
    path = run_folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArchiveError(
            f"{run_folder} 中没有 {MANIFEST}，不是完整的运行文件夹，无法核验。"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"无法读取 {path}：{exc}") from exc
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArchiveError(f"{path} 不是有效的 JSON（第 {exc.lineno} 行），清单已损坏。") from None
    if not _manifest_shape_ok(manifest):
        raise ArchiveError(f"{path} 的格式不正确，缺少必要的记录，无法核验。")
    return manifest


def _manifest_shape_ok(manifest: Any) -> bool:
    if not isinstance(manifest, dict):
        return False
    for key in ("inputs", "templates", "documents", "pdfs"):
        entries = manifest.get(key)
        if not isinstance(entries, list):
            return False
        for entry in entries:
            if not (
                isinstance(entry, dict)
                and isinstance(entry.get("file"), str)
                and _is_plain_name(entry["file"])
                and isinstance(entry.get("sha256"), str)
            ):
                return False
    return isinstance(manifest.get("tool", {}), dict)


def _check_recorded(
    run_folder: Path, relative: str, entry: dict, what: str, report: VerifyReport
) -> None:
    path = run_folder / relative
    try:
        digest = _sha256_file(path)
    except FileNotFoundError:
        report.differences.append(FileCheck(relative, f"{what}缺失：清单中有记录，文件夹中没有"))
        return
    except OSError as exc:
        report.differences.append(FileCheck(relative, f"{what}无法读取（{_reason(exc)}）"))
        return
    if digest != entry["sha256"]:
        report.differences.append(
            FileCheck(relative, f"{what}与清单记录的 SHA-256 不一致：归档后被修改过")
        )
    else:
        report.identical.append(FileCheck(relative, f"{what}与清单记录一致"))


def _rebuild(run_folder: Path) -> tuple[dict[str, bytes] | None, str | None]:
    """The documents built from the archived inputs and templates, or why that failed."""
    from . import build

    try:
        prepared = build.prepare(run_folder / INPUTS_FOLDER, run_folder / TEMPLATES_FOLDER)
    except PipelineError as exc:
        detail = exc.message
        problems = getattr(exc, "errors", None)
        if problems:
            detail += " " + "；".join(p.describe() for p in problems[:3])
        return None, detail
    except Exception as exc:  # a broken archive must give a report, not a traceback
        return None, f"{type(exc).__name__}: {exc}"
    return {d.name: d.data for d in prepared.documents}, None


def _check_document(
    run_folder: Path,
    entry: dict,
    rebuilt: dict[str, bytes] | None,
    failure: str | None,
    report: VerifyReport,
) -> None:
    name = entry["file"]
    reasons = []
    try:
        archived = (run_folder / name).read_bytes()
    except FileNotFoundError:
        archived = None
        reasons.append("归档的文档缺失")
    except OSError as exc:
        archived = None
        reasons.append(f"归档的文档无法读取（{_reason(exc)}）")
    if archived is not None and _sha256_bytes(archived) != entry["sha256"]:
        reasons.append("归档的文档与清单记录的 SHA-256 不一致：归档后被修改过")
    if rebuilt is None:
        reasons.append(f"无法用归档的输入和模板重新生成：{failure}")
    elif name not in rebuilt:
        reasons.append("用归档的输入和模板重新生成时没有这份文档")
    else:
        data = rebuilt[name]
        if archived is not None and data != archived:
            reasons.append("重新生成的文档与归档的文档不一致")
        if _sha256_bytes(data) != entry["sha256"]:
            reasons.append("重新生成的文档与清单记录的 SHA-256 不一致")
    if reasons:
        report.differences.append(FileCheck(name, "；".join(reasons)))
    else:
        report.identical.append(
            FileCheck(name, "重新生成的文档与归档的文档逐字节一致，且与清单记录一致")
        )


def _files_in(run_folder: Path) -> list[str]:
    found = []
    for path in sorted(run_folder.rglob("*")):
        if path.is_dir():
            continue
        relative = path.relative_to(run_folder)
        if any(part.startswith((".", "~$")) or part in _IGNORED_NAMES for part in relative.parts):
            continue  # Word's lock files, Finder and Explorer metadata
        found.append(relative.as_posix())
    return found
