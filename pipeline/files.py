"""Files the product writes: names that are safe on Windows, zips that are the same bytes when
written again, files that appear whole or not at all, and, in Chinese, why one could not be
written."""

from __future__ import annotations

import errno
import io
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

_SAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# Bytes, not characters: Linux allows 255 bytes per name, and a name gets a prefix and suffix.
MAX_NAME_BYTES = 150
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def safe_file_name(name: str, limit: int = 80) -> str:
    """A file name valid on Windows that cannot leave its folder."""
    # Format and control characters (zero-width joiners, right-to-left overrides) are invisible
    # in a file list and can make a name look like another one.
    visible = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf"})
    cleaned = _SAFE_NAME.sub("_", visible).strip().strip(".")
    cleaned = cleaned.replace("..", "_")
    cleaned = cleaned[:limit]
    while len(cleaned.encode("utf-8")) > MAX_NAME_BYTES:
        cleaned = cleaned[:-1]
    cleaned = cleaned.rstrip(" .")
    if not cleaned:
        cleaned = "_"
    if cleaned.split(".")[0].strip().upper() in _RESERVED:
        cleaned = "_" + cleaned
    return cleaned


def storable_text(text: str) -> str:
    """`text` with the lone surrogates Python uses for file-name bytes that were not valid in
    the file system's encoding (a zip unpacked with GBK names on Linux) replaced by `�`:
    UTF-8 files such as workbooks cannot hold them."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


def department_file_name(department: str) -> str:
    """`环保处` → `环保处.xlsx`: a department's workbook is named after it."""
    return safe_file_name(department) + ".xlsx"


def normalise_zip(data: bytes, rewrite: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """The same zip with the same entry order, fixed timestamps and fixed permissions.

    `rewrite(name, content)` may replace an entry's content (a time stamp inside it).
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if rewrite is not None:
                content = rewrite(info.filename, content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Have `write` fill a temporary file beside `path`, then put it in place in one step, so
    a reader never sees half a file. Raises `OSError` when the folder or `path` is not writable
    (on Windows, also while `path` is open in Excel)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the file is for sharing
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


# Windows error numbers (`OSError.winerror`) for a file another program holds open.
_WINDOWS_IN_USE = {32, 33}  # sharing violation, lock violation
_REASONS = {
    errno.EACCES: "没有权限，或文件正被其他程序（如 Excel、WPS）打开",
    errno.EPERM: "没有权限，或文件正被其他程序（如 Excel、WPS）打开",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.ENOENT: "路径不存在",
    errno.ENOTDIR: "路径中有一个同名的文件，它不是文件夹",
    errno.EISDIR: "已有同名的文件夹",
    errno.EEXIST: "已有同名的文件或文件夹",
    errno.ENAMETOOLONG: "路径或文件名太长",
    errno.EBUSY: "文件正被其他程序使用",
}
_DISK_QUOTA = getattr(errno, "EDQUOT", None)


def describe_os_error(exc: OSError) -> str:
    """Why a file could not be written or read, in Chinese and without a traceback.

    The operating system's own text is English on most servers, so the common causes are named
    here; anything else keeps the system's text (Chinese on a Chinese Windows PC)."""
    if getattr(exc, "winerror", None) in _WINDOWS_IN_USE:
        return "文件正被其他程序（如 Excel、WPS）打开"
    if exc.errno == _DISK_QUOTA and _DISK_QUOTA is not None:
        return "超出磁盘配额"
    reason = _REASONS.get(exc.errno) if exc.errno is not None else None
    if reason is None:
        reason = f"系统提示：{exc.strerror or type(exc).__name__}"
    return reason


TEMP_PREFIX = ".tmp-"
MAX_NAME_SUFFIX = 1000


def make_temp_folder(parent: Path, name: str) -> Path:
    """A new hidden folder beside where `name` will go, to be filled and then published.
    Raises `OSError` when `parent` is not writable."""
    # os.mkdir rather than tempfile.mkdtemp: mkdtemp's 0o700 would stay on the published folder.
    for _ in range(100):
        temp = parent / f"{TEMP_PREFIX}{name}-{secrets.token_hex(4)}"
        try:
            temp.mkdir()
        except FileExistsError:
            continue
        return temp
    raise FileExistsError(errno.EEXIST, "无法创建临时文件夹", str(parent))


def publish_folder(temp: Path, parent: Path, name: str) -> Path:
    """Rename the finished folder into place under the first free name: name, name_2, name_3…
    Never replaces an existing folder. Raises `OSError`."""
    for n in range(1, MAX_NAME_SUFFIX + 1):
        final = parent / (name if n == 1 else f"{name}_{n}")
        if os.path.lexists(final):
            continue
        try:
            # renaming onto a non-empty folder fails everywhere
            os.rename(temp, final)
        except OSError as exc:
            if isinstance(exc, FileExistsError) or exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                continue  # taken a moment ago by another run
            raise
        return final
    raise FileExistsError(errno.EEXIST, f"已有太多名为 {name} 的文件夹", str(parent))
