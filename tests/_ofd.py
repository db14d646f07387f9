"""Reading OFD copies back with ofdkit, a reader independent of the libraries that write them,
and the PDF they were made from with poppler's pdftotext."""

from __future__ import annotations

import subprocess
from pathlib import Path

import ofdkit


def squeezed(text: str) -> str:
    """`text` without any whitespace (str.split's: line breaks, spaces, U+3000 too): the two
    readers put spaces and line breaks where their own rules see gaps, the text is the same."""
    return "".join(text.split())


def pdf_page_texts(pdf: Path) -> list[str]:
    """Each page's text in the order the PDF draws it (pdftotext -raw), squeezed."""
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [squeezed(page) for page in text.split("\f")[:-1]]  # a form feed ends every page


def ofd_page_texts(ofd: Path) -> list[str]:
    """Each page's text as ofdkit reads it, its text objects in document order, squeezed."""
    with ofdkit.open(ofd) as document:
        texts = [squeezed("".join(run.text for run in page.runs)) for page in document.pages]
        assert document.warnings == [], document.warnings  # parts it could not find or read
    return texts
