"""A corpus of hostile, broken and odd inputs, written by code so that every case can be reviewed.

Each `Case` writes a complete `inputs/` folder into an empty directory and says what must
happen to it: either the build succeeds and the named values are kept exactly (in the merged
dossier and in the rendered document), or it stops with errors at exactly the named places.

Most cases start from `Books()`, a small valid set of the office's and two departments'
workbooks in which every text field holds a distinct value, and change one thing. Others write
bytes that only look like a workbook. Workbooks are written the way Excel writes them: control
characters as `_xHHHH_` escapes and a literal `_xHHHH_` as `_x005F_xHHHH_` (see `excel_text`).

    python tests/corpus.py OUT    # write every case into OUT/<case name>/
"""

from __future__ import annotations

import sys
from pathlib import Path

from corpus_books import (
    APPROVAL_HEADER,
    COOPERATION_BOOK,
    EXCEL_TEXT_LIMIT,
    NOTES_HEADER,
    OFFICE,
    PROGRESS_BOOK,
    PROGRESS_HEADER,
    Books,
    C,
    Formula,
    P,
    Rows,
    deflated_member,
    escape_xml,
    excel_text,
    ole_file,
    patch_zip,
    patch_zip_bytes,
    raw_zip,
    replace_cell,
    sheet_member,
)
from corpus_expect import (
    CASES,
    FIELDS,
    TEMPLATES,
    TEXT_FIELDS,
    XML_SPACE,
    At,
    Case,
    Kept,
    TextField,
    W,
    assert_safe_file_name,
    books_case,
    case,
    document_text,
    documents_of,
    kept_text,
    shows,
    with_books,
)

# The cases register themselves in CASES as their modules load, in this order.
# isort: off
import corpus_sheets  # noqa: E402, F401
import corpus_values  # noqa: E402, F401
import corpus_files  # noqa: E402, F401

# isort: on
from corpus_values import (  # noqa: E402
    ASTRAL,
    HOSTILE_REGIONS,
    LONG_TEXT,
    MARKUP,
    TEXT_DATES,
    ZERO_WIDTH,
)

__all__ = [
    "ASTRAL",
    "HOSTILE_REGIONS",
    "LONG_TEXT",
    "MARKUP",
    "TEXT_DATES",
    "ZERO_WIDTH",
    "APPROVAL_HEADER",
    "At",
    "Books",
    "C",
    "CASES",
    "COOPERATION_BOOK",
    "Case",
    "EXCEL_TEXT_LIMIT",
    "FIELDS",
    "Formula",
    "Kept",
    "NOTES_HEADER",
    "OFFICE",
    "P",
    "PROGRESS_BOOK",
    "PROGRESS_HEADER",
    "Rows",
    "TEMPLATES",
    "TEXT_FIELDS",
    "TextField",
    "W",
    "XML_SPACE",
    "assert_safe_file_name",
    "books_case",
    "case",
    "deflated_member",
    "document_text",
    "documents_of",
    "escape_xml",
    "excel_text",
    "kept_text",
    "ole_file",
    "patch_zip",
    "patch_zip_bytes",
    "raw_zip",
    "replace_cell",
    "sheet_member",
    "shows",
    "with_books",
    "generate",
]


def generate(root: Path, names: set[str] | None = None) -> list[Path]:
    """Write every case (or the named ones) into `root/<name>/`; return the folders."""
    folders = []
    for item in CASES:
        if names is None or item.name in names:
            folder = root / item.name
            item.write(folder)
            folders.append(folder)
    return folders


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/corpus.py OUTPUT_FOLDER")
    for written in generate(Path(sys.argv[1])):
        print(written)
