"""Workbooks pre-filled with rows read from earlier inputs (`pipeline init --from`): values
written back so that they read the same, and the columns updated every period marked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .. import contract
from ..cells import as_text
from ..contract import Column
from .xlsx_write import row_height, set_text

# Cells a department is expected to update in a workbook carried over from the last run.
UPDATE_FILL = PatternFill("solid", fgColor="FFF2CC")
UPDATE_MARK = "【每期更新】"
DATE_FORMAT = "yyyy-mm-dd"

Rows = Mapping[str, Sequence[Mapping[str, Any]]]  # sheet name → rows of column → value


def period_update_columns(sheet: str, columns: Sequence[Column]) -> list[str]:
    """The columns of `sheet` a department updates every period: progress and year plans."""
    wanted = contract.PERIOD_UPDATE_COLUMNS.get(sheet, ())
    return [
        c.name for c in columns if c.name in wanted or contract.YEAR_PLAN.match(c.name) is not None
    ]


def write_value(cell: Cell, value: Any, number_format: str | None = None) -> None:
    """A value read from a workbook, written back so that it reads the same: text as literal
    text, numbers and dates as themselves."""
    if isinstance(value, bool | dt.time):
        set_text(cell, as_text(value))
    elif isinstance(value, int | float):
        cell.value = value
    elif isinstance(value, dt.datetime | dt.date):
        cell.value = value
        cell.number_format = number_format or DATE_FORMAT
    else:
        set_text(cell, value)
        if value is not None and number_format == "@":
            cell.number_format = "@"


def fill_rows(
    sheet: Worksheet,
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, Any]],
    update: Iterable[str],
    *,
    first_row: int,
    alignment: Alignment,
) -> None:
    """Rows from `first_row` on, in order, each value in its column; `update` columns shaded."""
    shaded = set(update)
    for offset, values in enumerate(rows):
        row = first_row + offset
        texts = []
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=row, column=index)
            dimension = sheet.column_dimensions[get_column_letter(index)]
            write_value(cell, values.get(column.name), dimension.number_format)
            cell.alignment = alignment
            if column.name in shaded:
                cell.fill = UPDATE_FILL
            if isinstance(cell.value, str):
                texts.append((cell.value, column.width))
        # so that the text sent last time can be read without widening each row by hand
        sheet.row_dimensions[row].height = row_height(texts)
