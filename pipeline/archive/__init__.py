"""Archive: `Prepared` → a new run folder under `outputs/`; a run folder → `VerifyReport`.

In: the rendered documents, the workbooks read and the templates used. Out: a folder
`outputs/2026-11-23_101502_第95期/` with the documents (and PDF copies on request), byte copies
of the inputs and templates, and `manifest.json` with their SHA-256; it appears whole or not at
all, and no earlier folder is touched. `verify_run` rebuilds a folder's documents from its own
copies and compares them byte for byte.
"""

from .pdf import find_libreoffice
from .run_folder import MANIFEST, write_run
from .verify import VerifyReport, read_manifest, verify_run

__all__ = [
    "MANIFEST",
    "VerifyReport",
    "find_libreoffice",
    "read_manifest",
    "verify_run",
    "write_run",
]
