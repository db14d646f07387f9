"""A document's characters against its PDF copy's: what the copy lost.

The rule the archive keeps: every non-space character (NFKC) of the document's `w:t` text is
in `pdftotext -layout` of the copy, counted with repeats. Extra characters in the copy (page
numbers, repeated header rows, （续）) are allowed.
"""

from __future__ import annotations

import subprocess
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

W_T = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"


def characters(text: str) -> Counter[str]:
    """The non-space characters of `text` after NFKC, counted."""
    return Counter(c for c in unicodedata.normalize("NFKC", text) if not c.isspace())


def docx_text(docx: Path) -> str:
    """The `w:t` text of the document's body, in order."""
    with zipfile.ZipFile(docx) as package:
        root = ElementTree.fromstring(package.read("word/document.xml"))
    return "".join(t.text or "" for t in root.iter(W_T))


def pdf_text(pdf: Path) -> str:
    """The copy's text as `pdftotext -layout` extracts it."""
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")


def missing_characters(docx: Path, pdf: Path) -> Counter[str]:
    """The document's characters that its PDF copy does not hold (as many as are missing)."""
    return characters(docx_text(docx)) - characters(pdf_text(pdf))


if __name__ == "__main__":
    import sys

    # python tests/_copy_text.py outputs/<run>: what each PDF copy of the run lost.
    for document in sorted(Path(sys.argv[1]).glob("*.docx")):
        copy = document.with_suffix(".pdf")
        lost = missing_characters(document, copy) if copy.is_file() else None
        shown = "没有 PDF 副本" if lost is None else " ".join(f"{c}×{n}" for c, n in lost.items())
        print(f"{document.name}: {shown or '无缺字'}")
