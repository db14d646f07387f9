"""Finding the workbooks in `inputs/` and reading them, a few at a time."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import contract
from ..cells import normalise_name
from ..model import InputFile
from ..problems import Location, Problem, error
from . import _xlsx
from ._sheets import add_workbook
from .records import LoadedInputs

# Workbooks read at once: calamine parses without holding the GIL.
_READERS = min(4, os.cpu_count() or 1)


def load_inputs(folder: Path) -> LoadedInputs:
    """Read every workbook directly inside `folder`, collecting problems instead of raising.

    Each file is read once: `LoadedInputs.workbooks` holds the bytes that were parsed.
    """
    result = LoadedInputs()
    refused: dict[Path, Problem] = {}
    workbooks: list[Path] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.is_file() or path.name.startswith(("~$", ".")):
            continue
        suffix = path.suffix.lower()
        if suffix in contract.REFUSED_SUFFIXES:
            refused[path] = error(
                Location(path.name),
                f"不支持 {suffix} 格式。请在 Excel 或 WPS 中“另存为” Excel 工作簿（.xlsx）后再放入。",
            )
        elif suffix == ".xlsx":
            workbooks.append(path)
    with ThreadPoolExecutor(max_workers=_READERS) as pool:
        # Results come in order while the next workbooks are still being read.
        read = pool.map(_read_known_sheets, workbooks)
        for path in sorted([*refused, *workbooks], key=lambda p: p.name):
            if path in refused:
                result.problems.append(refused[path])
                continue
            file = next(read)
            result.workbooks.append(InputFile(path, file.data, file.modified_ns))
            add_workbook(path, file.sheets, result)
    if not result.workbooks and not result.problems:
        result.problems.append(
            error(
                Location(folder.name or str(folder)),
                "文件夹中没有 .xlsx 工作簿。请把办公室的 报告信息.xlsx 和各部门的工作簿放进来。",
            )
        )
    return result


def readable_workbook(path: Path) -> bytes:
    """One workbook's bytes as the loader reads them; raises `UnreadableWorkbook` when the
    loader refuses the whole file (too large, damaged, encrypted, a zip bomb), having inflated
    nothing beyond its limits. For those who edit a workbook after it was checked."""
    file = _xlsx.read_workbook(path, lambda title: False)
    if isinstance(file.sheets, _xlsx.UnreadableWorkbook):
        raise file.sheets
    return file.data


def _read_known_sheets(path: Path) -> _xlsx.FileRead:
    return _xlsx.read_workbook(path, lambda title: normalise_name(title) in contract.KNOWN_SHEETS)
