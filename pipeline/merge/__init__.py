"""Merge: `ValidatedInputs` → `Dossier`.

In: the typed records of every workbook, free of errors. Out: the documents' model
(`pipeline.model`): the work report with its sections and approval entries, one table per
partner region with its items and notes, the meeting material that carries the tables, and
the notices to show. Nothing here checks input again; the order of everything in the
documents is decided here.
"""

from .dossier import merge

__all__ = ["merge"]
