"""Workbooks uploaded through the page: checked by the command line's loader before they are
kept, saved as `{部门}.xlsx` in one step, the file they replace kept in `inputs/.history/`."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from .. import contract
from ..files import department_file_name, describe_os_error, replace_atomically
from ..load import load_inputs
from ..problems import Location, Problem, error
from .builds import BuildRunner

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a district's workbooks are well under 1 MB
UPLOAD_WAIT_SECONDS = 30
HISTORY_FOLDER = ".history"  # the loader skips names starting with "."


class UploadRefused(Exception):
    """The upload is not kept; the message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SavedUpload:
    department: str
    path: Path
    replaced: Path | None  # where the earlier file went


def uploaded_stem(filename: str) -> str:
    """The department a browser's file name stands for: its last component's stem."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    return PurePosixPath(name).stem.strip() if name.lower().endswith(".xlsx") else ""


def refuse_unless_xlsx(filename: str, data: bytes) -> None:
    if not (filename or "").lower().endswith(".xlsx"):
        suffix = PurePosixPath(filename or "").suffix or "（无扩展名）"
        raise UploadRefused(
            f"只接受 Excel 工作簿（.xlsx），收到的是 {suffix} 文件。"
            "请在 Excel 或 WPS 中“另存为” Excel 工作簿（.xlsx）后再上传。"
        )
    if not data:
        raise UploadRefused("上传的文件是空的。请重新选择文件。")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB，疑似异常文件。请删除多余内容后重新保存。"
        )


def unreadable(data: bytes, name: str) -> list[Problem]:
    """The loader's verdict on the file as a whole: the errors that leave nothing to read
    (damaged, encrypted, an old .xls, a zip bomb) and a workbook without any known sheet."""
    with tempfile.TemporaryDirectory(
        prefix="pipeline-upload-", ignore_cleanup_errors=True
    ) as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        loaded = load_inputs(Path(folder))
    whole = [p for p in loaded.problems if p.is_error and p.location.sheet is None]
    if whole:
        return whole
    if not loaded.sheets:
        return [
            error(
                Location(name),
                "没有可识别的工作表，不是报送表。可识别的工作表有："
                + "、".join(contract.KNOWN_SHEETS)
                + "。请使用办公室下发的空白工作簿填写。",
            )
        ]
    return []


def save_upload(inputs: Path, department: str, data: bytes) -> SavedUpload:
    """Put `data` in place as the department's workbook; an earlier file is copied to
    `inputs/.history/{部门}_{时间}.xlsx` first, so nothing is ever lost."""
    name = department_file_name(department)
    target = inputs / name
    replaced = None
    if target.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        replaced = inputs / HISTORY_FOLDER / f"{target.stem}_{stamp}.xlsx"
        replaced.parent.mkdir(exist_ok=True)
        shutil.copy2(target, replaced)
    try:
        replace_atomically(target, lambda temporary: temporary.write_bytes(data))
    except OSError as exc:
        raise UploadRefused(
            f"无法保存 {name}：{describe_os_error(exc)}。如果该文件正在 Excel 中打开，请先关闭。"
        ) from None
    return SavedUpload(department, target, replaced)


def accept_upload(
    inputs: Path,
    department: str,
    filename: str,
    data: bytes,
    builds: BuildRunner,
    *,
    by_sender: bool = False,
) -> SavedUpload:
    """Check an upload as the command line's loader would read it and keep it, unless a
    build is reading `inputs/` right now. Raises `UploadRefused` with the reason, worded for
    the department itself when it uploads its own workbook (`by_sender`)."""
    refuse_unless_xlsx(filename, data)
    name = department_file_name(department)
    problems = unreadable(data, name)
    if by_sender:
        problems = [p.for_sender() for p in problems]
    if problems:
        raise UploadRefused(
            "文件未保存：" + "；".join(p.message for p in problems[:3]).rstrip("。") + "。"
        )
    # Another upload holds the lock for a moment only; a build for as long as it runs.
    if builds.running() or not builds.inputs_lock.acquire(timeout=UPLOAD_WAIT_SECONDS):
        raise UploadRefused("正在生成文档，文件未保存。请等生成结束后重新上传。")
    try:
        return save_upload(inputs, department, data)
    finally:
        builds.inputs_lock.release()


_COPY_SUFFIX = re.compile(r"\s*[（(]\d{1,3}[)）]$")


def department_from_file_name(filename: str) -> str:
    """The department an office upload is for: the file's stem, without the ` (1)` a browser
    adds to a second download of the same file."""
    return _COPY_SUFFIX.sub("", uploaded_stem(filename)).strip()
