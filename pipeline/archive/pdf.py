"""PDF copies of the documents through LibreOffice, PDF/A where the installed version can."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from html import escape  # the same escaping as xml.sax.saxutils, without its imports of urllib
from pathlib import Path

from ..errors import ArchiveError, ToolMissing
from ..files import describe_os_error

PDF_A_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
PLAIN_PDF_FILTER = "pdf"
PDF_A_FORMAT = "PDF/A-2b"
PLAIN_PDF_FORMAT = "PDF"
PDF_TIMEOUT_BASE = 120.0  # seconds: LibreOffice's first start with a fresh profile is slow
PDF_TIMEOUT_PER_DOCUMENT = 30.0
WATCH_SECONDS = 0.25  # how often the converted documents are counted while LibreOffice runs
# Maps the Windows font names the documents use to installed CJK faces of the same kind.
FONT_RULES = Path(__file__).resolve().parent.parent / "fonts" / "cjk-faces.conf"
# fontconfig's own configuration where FONTCONFIG_FILE and FONTCONFIG_PATH do not say.
SYSTEM_FONTCONFIG = (Path("/etc/fonts/fonts.conf"), Path("/usr/local/etc/fonts/fonts.conf"))

# ------------------------------------------------------------------------------- PDF


def find_libreoffice(option: str = "--pdf") -> str:
    """The LibreOffice program, or `ToolMissing` saying what to install (and that leaving out
    `option`, the command line's option that needs it, does without)."""
    for program in ("soffice", "libreoffice"):
        found = shutil.which(program)
        if found:
            return found
    for candidate in _usual_locations():
        if candidate.is_file():
            return str(candidate)
    what = "PDF 和 OFD" if option == "--ofd" else "PDF"
    raise ToolMissing(
        f"未找到 LibreOffice，无法生成 {what}。请安装 LibreOffice（https://zh-cn.libreoffice.org/ ，"
        f"安装后确保 soffice 命令可用），然后重新运行；或去掉 {option}，只生成 Word 文档。"
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
    documents: Sequence[tuple[str, bytes]],
    soffice: str,
    *,
    timeout: float | None = None,
    done: Callable[[int], None] | None = None,
) -> list[tuple[str, bytes, str, str]]:
    """Convert .docx documents with LibreOffice: (pdf name, bytes, format, source name) each.

    Runs with a private profile so it works while the user has LibreOffice open, in a scratch
    folder so that LibreOffice's lock and profile files never reach the run folder. One
    LibreOffice converts them all (it starts slowly); `done` is told how many PDFs it has
    written so far, as they appear.
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
        environment = libreoffice_environment(soffice, scratch)
        missing = list(names)
        watch = None
        if done is not None:
            watch = partial(_tell_written, converted, set(names.values()), done)
            watch()  # LibreOffice takes seconds to start: the first document is under way
        for pdf_filter in (PDF_A_FILTER, PLAIN_PDF_FILTER):
            output = _run_libreoffice(
                soffice,
                profile,
                pdf_filter,
                [sources / n for n in missing],
                converted,
                timeout,
                environment,
                watch,
            )
            missing = [n for n in missing if not (converted / names[n]).is_file()]
            if watch:
                watch()
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


def _tell_written(folder: Path, wanted: set[str], done: Callable[[int], None]) -> None:
    """How many of the `wanted` PDFs LibreOffice has written into `folder` so far."""
    done(sum(1 for path in folder.glob("*.pdf") if path.name in wanted))


def libreoffice_environment(soffice: str, scratch: Path) -> dict[str, str] | None:
    """LibreOffice's environment with the CJK font rules added; None to inherit this one.

    Only where fontconfig chooses LibreOffice's fonts: not on Windows or macOS, not for a
    sandboxed (snap, flatpak) LibreOffice that cannot read the scratch folder, and not when
    fontconfig's own configuration is not found (a configuration without it finds no fonts).
    """
    if sys.platform in ("win32", "darwin") or not FONT_RULES.is_file() or _sandboxed(soffice):
        return None
    base = _fontconfig_file()
    if base is None:
        return None
    # The system configuration first, so that these rules come last and win.
    config = scratch / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>\n  <include>{escape(str(base))}</include>\n"
        f"  <include>{escape(str(FONT_RULES))}</include>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(config)}


def _sandboxed(soffice: str) -> bool:
    # /snap/bin/libreoffice links to /usr/bin/snap; flatpak's exports live under .../flatpak/...
    paths = {Path(soffice).as_posix(), Path(soffice).resolve().as_posix()}
    return any(p.startswith("/snap/") or p.endswith("/snap") or "/flatpak/" in p for p in paths)


def _fontconfig_file() -> Path | None:
    """The configuration fontconfig would load by itself."""
    named = os.environ.get("FONTCONFIG_FILE")
    if named:
        candidates = [Path(named)]
        if not Path(named).is_absolute():  # relative names are looked up in FONTCONFIG_PATH
            candidates = [Path(d) / named for d in _fontconfig_path()]
    else:
        candidates = [Path(d) / "fonts.conf" for d in _fontconfig_path()]
        candidates += SYSTEM_FONTCONFIG
    return next((c.resolve() for c in candidates if c.is_file()), None)


def _fontconfig_path() -> list[str]:
    return [d for d in os.environ.get("FONTCONFIG_PATH", "").split(os.pathsep) if d]


def _run_libreoffice(
    soffice: str,
    profile: str,
    pdf_filter: str,
    files: list[Path],
    outdir: Path,
    timeout: float,
    environment: dict[str, str] | None = None,
    watch: Callable[[], None] | None = None,
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
            env=environment,
        )
    except OSError as exc:
        raise ArchiveError(f"无法启动 LibreOffice（{soffice}）：{describe_os_error(exc)}") from exc
    try:
        stderr = _communicate(process, timeout, watch)
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


def _communicate(
    process: subprocess.Popen, timeout: float, watch: Callable[[], None] | None
) -> bytes:
    """LibreOffice's stderr once it has ended; meanwhile `watch` is called every moment.
    Waiting again after `TimeoutExpired` loses no output."""
    deadline = time.monotonic() + timeout
    while True:
        wait = timeout if watch is None else min(WATCH_SECONDS, deadline - time.monotonic())
        try:
            return process.communicate(timeout=max(wait, 0.0))[1]
        except subprocess.TimeoutExpired:
            if watch is None or time.monotonic() >= deadline:
                raise
            watch()


def _kill(process: subprocess.Popen, posix: bool) -> None:
    try:
        if posix:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        pass
    process.wait()
