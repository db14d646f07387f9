"""Validate: `LoadedInputs` → `ValidatedInputs`.

In: the loaded sheets and the problems found reading them. Out: the settings, outline, report
entries, approval entries, cooperation rows, notes and the meeting material's sheets as typed
records (`records.py`), each with its `Source`, and every problem of the input contract at
once, errors and notices, each naming its file, sheet, cell and column and saying what to do.
Records with errors are left out. `submissions.py` matches the workbooks to the office's
`报送单位` list: its notices, and the 报送情况 table the API hands to every face.
"""

from .checks import validate
from .records import (
    CooperationRecord,
    MeetingParagraphs,
    OutlineHeading,
    ProgressRecord,
    RegionRemark,
    TableNote,
    ValidatedInputs,
)

__all__ = [
    "CooperationRecord",
    "MeetingParagraphs",
    "OutlineHeading",
    "ProgressRecord",
    "RegionRemark",
    "TableNote",
    "ValidatedInputs",
    "validate",
]
