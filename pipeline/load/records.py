"""What load hands to validate: each known sheet's rows as typed, with their Excel addresses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import InputFile, Source
from ..problems import Location, Problem
from .number_format import Shown


@dataclass(frozen=True)
class SheetRow:
    """One non-empty data row: its Excel row number and its values by column name (cleaned
    text, numbers, dates; None where empty), and for number and date cells with a number
    format, the text Excel shows."""

    number: int
    values: Mapping[str, Any]
    shown: Mapping[str, Shown] = field(default_factory=dict)

    def get(self, column: str) -> Any:
        return self.values.get(column)


@dataclass(frozen=True)
class Misnamed:
    """A header cell whose name is close to a missing column's: 牵头部们 for 牵头部门."""

    cell: str  # e.g. K2
    written: str  # the name as written, e.g. 牵头部们


@dataclass(frozen=True)
class LoadedSheet:
    """One known sheet of one workbook."""

    file: str  # file name, e.g. 环保处.xlsx
    sheet: str  # the contract's name, e.g. 合作交流项目
    title: str  # the name as written in the workbook
    rows: tuple[SheetRow, ...]
    letters: Mapping[str, str]  # column name → Excel column letter, for the columns read
    header_row: int = 0  # 0 for key–value sheets without a header
    # The contract's columns the header lacks, each with the header cell that looks like a
    # misspelling of its name; rows hold no value for them (not even blank).
    missing: Mapping[str, Misnamed | None] = field(default_factory=dict)

    @property
    def department(self) -> str:
        return Path(self.file).stem

    def location(self, row: int | None = None, column: str | None = None) -> Location:
        """A cell (`E12`), a whole row (`行12`), a column's header cell, or the sheet."""
        cell = None
        if column is not None and column in self.letters:
            cell = f"{self.letters[column]}{row if row is not None else self.header_row}"
        elif row is not None:
            cell = f"行{row}"
        return Location(self.file, self.title, cell, column)

    def source(self, row: SheetRow) -> Source:
        title = self.title if self.title != self.sheet else ""
        return Source(self.file, self.sheet, row.number, title, self.letters)


@dataclass
class LoadedInputs:
    """Every known sheet of every workbook read, and the problems found while reading."""

    sheets: list[LoadedSheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    workbooks: list[InputFile] = field(default_factory=list)  # in file-name order, as read

    def named(self, sheet: str) -> list[LoadedSheet]:
        """The sheets of that contract name, in file-name order."""
        return [s for s in self.sheets if s.sheet == sheet]

    @property
    def row_counts(self) -> dict[str, dict[str, int]]:
        """file → sheet → data rows, for the summary and the manifest."""
        counts: dict[str, dict[str, int]] = {workbook.name: {} for workbook in self.workbooks}
        for sheet in self.sheets:
            counts.setdefault(sheet.file, {})[sheet.sheet] = len(sheet.rows)
        return counts
