"""Load: the workbooks in `inputs/` → `LoadedInputs`.

In: a folder. Out: every known sheet of every readable `.xlsx` as a `LoadedSheet` (its data rows
as `SheetRow`s, values cleaned but not yet typed, each with its Excel row and column letters,
and number and date cells also as the text Excel shows from their number format), the bytes
of every workbook as read (what the archive keeps),
and the problems found while reading (refused files, damaged workbooks, missing headers,
unknown columns, each missing or misspelled column once: `missing_column` words that problem,
for validate too, which names the columns needed only in some rows). Nothing here raises for a bad input: every problem names its file and cell.
`readable_workbook` gives one file's bytes as the loader would accept them, and raises
`UnreadableWorkbook` for a file it refuses as a whole (for the return copies, which edit
workbooks that were checked before). `unpack` gives a package's parts inflated within the
loader's limits, measured as they inflate whatever the zip's headers claim; nothing reads a
workbook's parts any other way.
"""

from ._container import Parts, UnreadableWorkbook, unpack
from ._header import missing_column, near_names
from ._sheets import KEY, VALUE
from .folder import load_inputs, readable_workbook
from .number_format import Shown
from .records import LoadedInputs, LoadedSheet, Misnamed, SheetRow

__all__ = [
    "KEY",
    "VALUE",
    "LoadedInputs",
    "LoadedSheet",
    "Misnamed",
    "Parts",
    "SheetRow",
    "Shown",
    "UnreadableWorkbook",
    "load_inputs",
    "missing_column",
    "near_names",
    "readable_workbook",
    "unpack",
]
