"""Reading earlier runs back: which run folder is the newest, and what a run's merged data was.

A run's data is its `dossier.json`, checked against the manifest's hash. Runs archived before
dossier.json existed are rebuilt from their archived inputs (checked against the manifest too),
so old archives can still be compared.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ArchiveError, PipelineError
from ..files import describe_os_error
from ..model import Dossier
from .dossier_json import DOSSIER, parse_dossier
from .run_folder import INPUTS_FOLDER, MANIFEST, MANIFEST_FORMAT, TEMP_PREFIX, sha256_file
from .verify import read_manifest

PURPOSE = "读取"


@dataclass(frozen=True)
class ArchivedRun:
    """A run folder and the merged data it was built from."""

    folder: Path
    built_at: dt.datetime | None
    dossier: Dossier

    @property
    def label(self) -> str:
        """`第95期，2026-11-23`: the issue (or 合作交流项目表) and the day it was built."""
        report = self.dossier.report
        what = f"第{report.settings.issue_number}期" if report is not None else "合作交流项目表"
        return f"{what}，{self.built_at.date().isoformat()}" if self.built_at else what


# The pipeline up to the merge, handed down by the API: an inputs folder → its merged data.
RebuildDossier = Callable[[Path], Dossier]


def read_run(folder: Path, rebuild: RebuildDossier) -> ArchivedRun:
    """The run in `folder`; `ArchiveError` when it is not a run folder, is damaged, or was
    written by a newer, incompatible version. A run archived before dossier.json has its data
    rebuilt from its archived inputs with `rebuild` (the API's `check`)."""
    manifest = _run_manifest(folder)
    built_at = _built_at(manifest)
    entry = manifest.get("dossier")
    if entry is not None:
        return ArchivedRun(folder, built_at, _archived_dossier(folder, entry))
    return ArchivedRun(folder, built_at, _rebuilt_dossier(folder, manifest, rebuild))


def archived_inputs(folder: Path) -> Path:
    """The folder of a run's archived inputs, once the run and every input check out."""
    manifest = _run_manifest(folder)
    _check_inputs(folder, manifest)
    return folder / INPUTS_FOLDER


def _run_manifest(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise ArchiveError(f"找不到运行文件夹：{folder}")
    if not (folder / MANIFEST).is_file():
        raise ArchiveError(
            f"{folder} 不是运行文件夹（其中没有 {MANIFEST}）。请指定 pipeline build 在输出文件夹中"
            "生成的文件夹，例如 outputs/2026-11-23_101502_第95期。"
        )
    manifest = read_manifest(folder, PURPOSE)
    version = manifest.get("manifest_format")
    if isinstance(version, int) and version > MANIFEST_FORMAT:
        raise ArchiveError(
            f"{folder} 由更新版本的程序生成（清单格式 {version}），当前程序无法读取。请升级程序。"
        )
    return manifest


def _built_at(manifest: dict[str, Any]) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(manifest["built_at"])
    except (KeyError, TypeError, ValueError):
        return None


def _archived_dossier(folder: Path, entry: dict[str, Any]) -> Dossier:
    path = folder / DOSSIER
    where = f"{folder.name}/{DOSSIER}"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArchiveError(
            f"{where} 缺失：清单中有记录，文件夹中没有。运行文件夹已损坏。"
        ) from None
    except OSError as exc:
        raise ArchiveError(f"无法读取 {where}：{describe_os_error(exc)}") from None
    if sha256_file(path) != entry["sha256"]:
        raise ArchiveError(f"{where} 与清单记录的 SHA-256 不一致：归档后被修改过或已损坏。")
    return parse_dossier(data, where)


def _rebuilt_dossier(folder: Path, manifest: dict[str, Any], rebuild: RebuildDossier) -> Dossier:
    """The merged data of a run archived before dossier.json, from its archived inputs."""
    _check_inputs(folder, manifest)
    try:
        return rebuild(folder / INPUTS_FOLDER)
    except PipelineError as exc:
        raise ArchiveError(
            f"无法用 {folder.name} 中归档的输入重建当时的数据（{exc.message}）。"
            "这个运行文件夹可能由不兼容的旧版本生成，或已损坏。"
        ) from None


def _check_inputs(folder: Path, manifest: dict[str, Any]) -> None:
    """Every archived input is there and as the manifest recorded it."""
    inputs = folder / INPUTS_FOLDER
    for entry in manifest["inputs"]:
        path = inputs / entry["file"]
        try:
            intact = sha256_file(path) == entry["sha256"]
        except OSError:
            intact = False
        if not intact:
            raise ArchiveError(
                f"{folder.name}/{INPUTS_FOLDER}/{entry['file']} 缺失或与清单记录不一致："
                "运行文件夹已损坏，无法使用当时的输入。"
            )


def run_folders(outputs: Path) -> list[Path]:
    """The run folders under `outputs`, oldest first (by the time the manifest records)."""
    if not outputs.is_dir():
        return []
    found = []
    for path in outputs.iterdir():
        if path.name.startswith((TEMP_PREFIX, ".")) or not (path / MANIFEST).is_file():
            continue
        found.append((_recorded_time(path), path.name, path))
    return [path for _, _, path in sorted(found)]


def _recorded_time(folder: Path) -> str:
    """The build time as UTC text, or the folder name (which starts with the local time)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        moment = dt.datetime.fromisoformat(manifest["built_at"])
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        return moment.isoformat()
    except (OSError, ValueError, TypeError, KeyError):
        return folder.name[:17]


def newest_run(outputs: Path) -> Path | None:
    folders = run_folders(outputs)
    return folders[-1] if folders else None
