"""Reading PDFs back with poppler's pdftotext: text lines and words with their boxes."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Line:
    page: int
    x0: float
    x1: float
    y0: float
    y1: float
    text: str


def _pages(pdf: Path) -> Iterator[tuple[int, ElementTree.Element]]:
    xml = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(pdf), "-"],
        capture_output=True,
        check=True,
    ).stdout
    return enumerate(ElementTree.fromstring(xml).iter(f"{XHTML}page"), start=1)


def pdf_lines(pdf: Path) -> Iterator[Line]:
    """Text lines with their boxes in points (pdftotext's words joined without spaces)."""
    for number, page in _pages(pdf):
        for line in page.iter(f"{XHTML}line"):
            text = "".join(word.text or "" for word in line.iter(f"{XHTML}word"))
            box = [float(line.get(k)) for k in ("xMin", "xMax", "yMin", "yMax")]
            yield Line(number, *box, text)


def pdf_words(pdf: Path) -> Iterator[Line]:
    """Words with their boxes in points; each word as a `Line` of its own."""
    for number, page in _pages(pdf):
        for word in page.iter(f"{XHTML}word"):
            box = [float(word.get(k)) for k in ("xMin", "xMax", "yMin", "yMax")]
            yield Line(number, *box, word.text or "")


def blank_fractions(pdf: Path, top: float, bottom: float) -> list[float]:
    """For each page, the fraction of its body (below the top margin `top`, above the bottom
    margin `bottom`, in points) left blank under its lowest text; the footer's page number,
    below the body, does not count."""
    fractions = []
    for _, page in _pages(pdf):
        end = float(page.get("height")) - bottom
        lowest = max(
            (
                float(word.get("yMax"))
                for word in page.iter(f"{XHTML}word")
                if float(word.get("yMax")) <= end + 2
            ),
            default=top,
        )
        fractions.append(max(0.0, end - lowest) / (end - top))
    return fractions
