"""Archive: `Prepared` → a new run folder under `outputs/`; a run folder → `VerifyReport`.

In: the rendered documents, the workbooks read and the templates used. Out: a folder
`outputs/2026-11-23_101502_第95期/` with the documents (on request with PDF copies made by
LibreOffice, and OFD copies made from those PDFs), byte copies of the inputs and templates, and
`manifest.json` with their SHA-256; it appears whole or not at all, and no earlier folder is
touched. Each PDF and OFD copy must hold every character of its document (`copy_text`), or
the build fails with `LostText` and writes nothing. `verify_run` rebuilds a folder's documents
from its own copies and compares them byte for byte; of the PDF and OFD copies, which cannot be
rebuilt, it checks the SHA-256 and, again, their text.
`find_libreoffice` and `check_ofd_converter` say what is missing before any work is done.
"""

from .ofd import check_ofd_converter
from .pdf import find_libreoffice
from .run_folder import MANIFEST, write_run
from .verify import VerifyReport, read_manifest, verify_run

__all__ = [
    "MANIFEST",
    "VerifyReport",
    "check_ofd_converter",
    "find_libreoffice",
    "read_manifest",
    "verify_run",
    "write_run",
]
