"""Shared fixtures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

# ------------------------------------------------------------------ LibreOffice


def require_tool(*names: str) -> str:
    """The path of the first program found; skip without it, but fail in CI (env var CI set)."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    tool_missing(f"{' / '.join(names)} is not installed")


def tool_missing(message: str) -> NoReturn:
    """Skip the test for want of a tool, or fail it in CI, which installs every tool."""
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI requires it")
    pytest.skip(message)


@dataclass(frozen=True)
class LibreOffice:
    """Converts documents with a real soffice and reads the PDFs back with poppler-utils."""

    soffice: str
    profile: Path  # a private user profile, so runs never share or lock the user's own

    def to_pdf(self, document: Path, outdir: Path | None = None) -> Path:
        return self.convert(document, "pdf", outdir or document.parent / "pdf")

    def convert(self, document: Path, target: str, outdir: Path) -> Path:
        """`document` converted by soffice to `target` (`pdf`, `xlsx`, `csv:…` with a filter)."""
        outdir.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                self.soffice,
                f"-env:UserInstallation={self.profile.as_uri()}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(outdir),
                str(document),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        converted = outdir / f"{document.stem}.{target.split(':')[0]}"
        assert result.returncode == 0 and converted.is_file(), (
            f"soffice could not convert {document.name}:\n{result.stdout}\n{result.stderr}"
        )
        return converted

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
    def landscape_pages(pdf: Path, last: int) -> list[bool]:
        """Whether each of pages 1 to `last` is wider than it is tall."""
        info = subprocess.run(
            ["pdfinfo", "-f", "1", "-l", str(last), str(pdf)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.MULTILINE)
        return [float(width) > float(height) for width, height in sizes]

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


# ------------------------------------------------------------------ Chromium


@pytest.fixture
def chromium(tmp_path: Path):
    """A headless Chromium driven by Debian's chromedriver (named explicitly, so Selenium
    never tries to download a driver); downloads go to `tmp_path / "downloads"`."""
    binary = require_tool("chromium", "chromium-browser")
    driver_path = require_tool("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1366,768",
        "--lang=zh-CN",
    ):
        options.add_argument(argument)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


# ------------------------------------------------------------------ the Open XML SDK's validator


@pytest.fixture(scope="session")
def ooxml_validator():
    """The validator Word and Excel use (`tests/_ooxml.py`); skip without it, fail in CI."""
    from _ooxml import OoxmlValidator, validator_program

    program = validator_program()
    if program is None:
        tool_missing("the OOXML validator is not installed (npm install --prefix tests/ooxml)")
    return OoxmlValidator(program)
