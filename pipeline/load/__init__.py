"""Load: the workbooks in `inputs/` → `LoadedInputs`.

In: a folder. Out: every known sheet of every readable `.xlsx` as a `LoadedSheet` (its data rows
as `SheetRow`s, values cleaned but not yet typed, each with its Excel row and column letters),
and the problems found while reading (refused files, damaged workbooks, missing headers,
unknown columns). Nothing here raises for a bad input: every problem names its file and cell.
"""

from ._sheets import KEY, VALUE
from .folder import load_inputs
from .records import LoadedInputs, LoadedSheet, SheetRow

__all__ = ["KEY", "VALUE", "LoadedInputs", "LoadedSheet", "SheetRow", "load_inputs"]
