"""The characters of a document and of its PDF and OFD copies, read by readers other than the
product's own (poppler's pdftotext for the PDF, as `_copy_text` reads it; ofdkit for the OFD),
and a real copy made to lack one character (PyMuPDF's redaction removes a glyph and its text).

Counted as the archive's check counts them: non-space characters (NFKC), without control and
format characters (zero-width spaces and joiners), which no page draws."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import ofdkit
from _copy_text import characters, docx_text, pdf_text


def counted(text: str) -> Counter[str]:
    """Non-space characters (NFKC, as `_copy_text` counts them) without control and format ones."""
    return Counter(
        {c: n for c, n in characters(text).items() if unicodedata.category(c) not in ("Cc", "Cf")}
    )


def document_characters(docx: Path) -> Counter[str]:
    """The characters of the document body's w:t text."""
    return counted(docx_text(docx))


def pdf_characters(pdf: Path) -> Counter[str]:
    """The characters of `pdftotext -layout` of the copy."""
    return counted(pdf_text(pdf))


def ofd_characters(ofd: Path) -> Counter[str]:
    with ofdkit.open(ofd) as document:
        text = "".join(run.text for page in document.pages for run in page.runs)
        assert document.warnings == [], document.warnings
    return counted(text)


def lost_from_copies(run: Path, manifest: dict) -> dict[str, Counter[str]]:
    """For each PDF and OFD copy of a run, the document's characters it lacks."""
    documents = {e["file"]: document_characters(run / e["source"]) for e in manifest["pdfs"]}
    lost = {}
    for entry in manifest["pdfs"]:
        lost[entry["file"]] = documents[entry["file"]] - pdf_characters(run / entry["file"])
    for entry in manifest.get("ofds", []):
        lost[entry["file"]] = documents[entry["source"]] - ofd_characters(run / entry["file"])
    return {name: missing for name, missing in lost.items() if missing}


def without_character(pdf: bytes, character: str, page_number: int = 1) -> bytes:
    """`pdf` with the first `character` on the page removed, glyph and text (a redaction of
    a point at the glyph's centre, so no neighbour is touched)."""
    import fitz

    with fitz.open(stream=pdf, filetype="pdf") as document:
        page = document[page_number - 1]
        for block in page.get_text("rawdict")["blocks"]:
            for line in block.get("lines", ()):
                for span in line["spans"]:
                    for glyph in span["chars"]:
                        if glyph["c"] == character:
                            box = fitz.Rect(glyph["bbox"])
                            x, y = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
                            page.add_redact_annot(fitz.Rect(x - 0.5, y - 0.5, x + 0.5, y + 0.5))
                            page.apply_redactions(images=fitz.PDF_REDACT_IMAGE_NONE)
                            return document.tobytes()
    raise AssertionError(f"{character} is not on page {page_number}")
