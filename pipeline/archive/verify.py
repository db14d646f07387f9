"""Verify: rebuild a run folder's documents from its archived inputs and templates, and compare."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ArchiveError, PipelineError
from ..model import Prepared
from ..version import tool_version
from .copy_text import check_copy
from .dossier_json import DOSSIER, dossier_bytes
from .run_folder import (
    IGNORED_NAMES,
    INPUTS_FOLDER,
    MANIFEST,
    TEMPLATES_FOLDER,
    is_plain_name,
    os_reason,
    sha256_bytes,
    sha256_file,
)

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


# The whole pipeline, handed down by the API: (inputs, templates) → the documents built from them.
Rebuild = Callable[[Path, Path], Prepared]


def verify_run(run_folder: Path, rebuild: Rebuild) -> VerifyReport:
    """Check the archived files against the manifest, and rebuild the documents from them with
    `rebuild` (the API's `prepare`) to compare."""
    manifest = read_manifest(run_folder)
    report = VerifyReport(run_folder)

    archived_version = manifest.get("tool", {}).get("version")
    current = tool_version()
    if archived_version != current:
        report.notes.append(
            f"归档时的程序版本为 {archived_version}，当前为 {current}；"
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
    # PDFs (and the OFDs made from them) are not reproducible: only their integrity since
    # archiving is checked. Runs archived before OFD copies have no "ofds".
    # Each copy must also hold every character of its document (copy_text's rule).
    for key, what in (("pdfs", "PDF"), ("ofds", "OFD")):
        for entry in manifest.get(key, []):
            expected.add(entry["file"])
            _check_recorded(run_folder, entry["file"], entry, what, report)
            _check_copy_text(run_folder, entry, what, manifest, report)

    rebuilt, rebuilt_dossier, failure = _rebuild(run_folder, rebuild)
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

    dossier_entry = manifest.get("dossier")
    if dossier_entry is not None:  # runs archived before dossier.json have none
        expected.add(DOSSIER)
        dossier = {DOSSIER: rebuilt_dossier} if rebuilt_dossier is not None else None
        _check_document(run_folder, dossier_entry, dossier, failure, report)
    change_entry = manifest.get("change_report")
    if change_entry is not None:
        expected.add(change_entry["file"])
        # It compares with another run: only its integrity since archiving is checked.
        _check_recorded(run_folder, change_entry["file"], change_entry, "变更对照", report)

    for relative in _files_in(run_folder):
        if relative not in expected:
            report.differences.append(
                FileCheck(relative, "清单中没有记录此文件（归档后被放入了运行文件夹）")
            )
    return report


def read_manifest(run_folder: Path, purpose: str = "核验") -> dict[str, Any]:
    """The run folder's manifest; `ArchiveError` saying why it cannot be used for `purpose`."""
    if not run_folder.is_dir():
        raise ArchiveError(f"找不到运行文件夹：{run_folder}")
    path = run_folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArchiveError(
            f"{run_folder} 中没有 {MANIFEST}，不是完整的运行文件夹，无法{purpose}。"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"无法读取 {path}：{exc}") from exc
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArchiveError(f"{path} 不是有效的 JSON（第 {exc.lineno} 行），清单已损坏。") from None
    if not _manifest_shape_ok(manifest):
        raise ArchiveError(f"{path} 的格式不正确，缺少必要的记录，无法{purpose}。")
    return manifest


def _manifest_shape_ok(manifest: Any) -> bool:
    if not isinstance(manifest, dict):
        return False
    for key in ("inputs", "templates", "documents", "pdfs", "ofds"):
        entries = manifest.get(key, [] if key == "ofds" else None)
        if not isinstance(entries, list):
            return False
        for entry in entries:
            if not (
                isinstance(entry, dict)
                and isinstance(entry.get("file"), str)
                and is_plain_name(entry["file"])
                and isinstance(entry.get("sha256"), str)
            ):
                return False
    for key in ("dossier", "change_report"):
        entry = manifest.get(key)
        if entry is not None and not (
            isinstance(entry, dict)
            and isinstance(entry.get("file"), str)
            and is_plain_name(entry["file"])
            and isinstance(entry.get("sha256"), str)
        ):
            return False
    return isinstance(manifest.get("tool", {}), dict)


def _check_recorded(
    run_folder: Path, relative: str, entry: dict, what: str, report: VerifyReport
) -> None:
    path = run_folder / relative
    try:
        digest = sha256_file(path)
    except FileNotFoundError:
        report.differences.append(FileCheck(relative, f"{what}缺失：清单中有记录，文件夹中没有"))
        return
    except OSError as exc:
        report.differences.append(FileCheck(relative, f"{what}无法读取（{os_reason(exc)}）"))
        return
    if digest != entry["sha256"]:
        report.differences.append(
            FileCheck(relative, f"{what}与清单记录的 SHA-256 不一致：归档后被修改过")
        )
    else:
        report.identical.append(FileCheck(relative, f"{what}与清单记录一致"))


def _check_copy_text(
    run_folder: Path, entry: dict, what: str, manifest: dict, report: VerifyReport
) -> None:
    """A copy that lacks characters of its document, as a difference; its document is the
    entry's source (an OFD's source is a PDF, whose own source is the document)."""
    sources = {e["file"]: e.get("source") for e in manifest.get("pdfs", [])}
    source = entry.get("source")
    document = sources.get(source, source) if what == "OFD" else source
    if not isinstance(document, str) or not is_plain_name(document):
        return
    try:
        lossy = check_copy(
            (run_folder / entry["file"]).read_bytes(),
            (run_folder / document).read_bytes(),
            copy=entry["file"],
            document=document,
        )
    except OSError:
        return  # a missing or unreadable file is a difference of its own already
    except ArchiveError as exc:
        report.differences.append(
            FileCheck(entry["file"], f"{what} 副本的文字无法读取：{exc.message}")
        )
        return
    if lossy is not None:
        report.differences.append(
            FileCheck(entry["file"], f"{what} 副本缺少文档中的文字：{lossy.describe()}")
        )


def _rebuild(
    run_folder: Path, rebuild: Rebuild
) -> tuple[dict[str, bytes] | None, bytes | None, str | None]:
    """The documents and dossier.json built from the archived inputs and templates, or why
    that failed."""
    try:
        prepared = rebuild(run_folder / INPUTS_FOLDER, run_folder / TEMPLATES_FOLDER)
    except PipelineError as exc:
        detail = exc.message
        problems = getattr(exc, "errors", None)
        if problems:
            detail += " " + "；".join(p.describe() for p in problems[:3])
        return None, None, detail
    except Exception as exc:  # a broken archive must give a report, not a traceback
        return None, None, f"{type(exc).__name__}: {exc}"
    return {d.name: d.data for d in prepared.documents}, dossier_bytes(prepared.dossier), None


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
        reasons.append(f"归档的文档无法读取（{os_reason(exc)}）")
    if archived is not None and sha256_bytes(archived) != entry["sha256"]:
        reasons.append("归档的文档与清单记录的 SHA-256 不一致：归档后被修改过")
    if rebuilt is None:
        reasons.append(f"无法用归档的输入和模板重新生成：{failure}")
    elif name not in rebuilt:
        reasons.append("用归档的输入和模板重新生成时没有这份文档")
    else:
        data = rebuilt[name]
        if archived is not None and data != archived:
            reasons.append("重新生成的文档与归档的文档不一致")
        if sha256_bytes(data) != entry["sha256"]:
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
        if any(part.startswith((".", "~$")) or part in IGNORED_NAMES for part in relative.parts):
            continue  # Word's lock files, Finder and Explorer metadata
        found.append(relative.as_posix())
    return found
