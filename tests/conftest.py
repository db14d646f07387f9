"""Shared fixtures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

# ------------------------------------------------------------------ LibreOffice


def require_tool(*names: str) -> str:
    """The path of the first program found; skip without it, but fail in CI (env var CI set)."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    message = f"{' / '.join(names)} is not installed"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI requires it")
    pytest.skip(message)


@dataclass(frozen=True)
class LibreOffice:
    """Converts documents with a real soffice and reads the PDFs back with poppler-utils."""

    soffice: str
    profile: Path  # a private user profile, so runs never share or lock the user's own

    def to_pdf(self, document: Path, outdir: Path | None = None) -> Path:
        outdir = outdir or document.parent / "pdf"
        outdir.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                self.soffice,
                f"-env:UserInstallation={self.profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(document),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        pdf = outdir / f"{document.stem}.pdf"
        assert result.returncode == 0 and pdf.is_file(), (
            f"soffice could not convert {document.name}:\n{result.stdout}\n{result.stderr}"
        )
        return pdf

    @staticmethod
    def page_texts(pdf: Path) -> list[str]:
        """The text of each page (pdftotext separates pages with form feeds)."""
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        pages = text.split("\f")
        if pages and not pages[-1].strip():
            pages.pop()
        return pages

    @staticmethod
    def page_count(pdf: Path) -> int:
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
        assert match, info
        return int(match.group(1))


@pytest.fixture
def libreoffice(tmp_path: Path) -> LibreOffice:
    soffice = require_tool("soffice", "libreoffice")
    require_tool("pdftotext")
    require_tool("pdfinfo")
    return LibreOffice(soffice, tmp_path / "libreoffice-profile")
