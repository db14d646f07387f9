"""Changes: two dossiers → a `ChangeSet` (items, rows, cells and paragraphs added, removed or
changed), for the change workbook `变更对照.xlsx` and the terminal summary.

In: the merged data of an earlier and a later run. Out: one record per change, each naming its
region and item or heading, the departments concerned, and old and new text side by side.
"""

from .compare import compare_dossiers
from .records import ChangeSet, Kind, ReportChange, TableChange

__all__ = ["ChangeSet", "Kind", "ReportChange", "TableChange", "compare_dossiers"]
