"""Validate: `LoadedInputs` → `ValidatedInputs`.

In: the loaded sheets and the problems found reading them. Out: the settings, outline, report
entries, approval entries, cooperation rows and notes as typed records (`records.py`), each with
its `Source`, and every problem of the input contract at once, errors and notices, each naming
its file, sheet, cell and column and saying what to do. Records with errors are left out.
"""

from .checks import validate
from .records import (
    CooperationRecord,
    OutlineHeading,
    ProgressRecord,
    TableNote,
    ValidatedInputs,
)

__all__ = [
    "CooperationRecord",
    "OutlineHeading",
    "ProgressRecord",
    "TableNote",
    "ValidatedInputs",
    "validate",
]
