"""Writing workbooks that people edit in Excel: literal text, drop-down lists and number checks,
and files that are byte for byte the same when written again."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..contract import CHOICES_SHEET
from ..errors import PipelineError, UsageError
from ..files import describe_os_error, normalise_zip, replace_atomically
from .xlsx_styles import ordered_styles

INLINE_LIST_LIMIT = 255  # Excel refuses an inline list longer than this
EXCEL_TEXT_LIMIT = 32767
_FORMULA_LIKE = ("=", "+", "-", "@")
_FIXED_STAMP = dt.datetime(2000, 1, 1)


# ---------------------------------------------------------------- cells


def set_text(cell: Cell, value: Any) -> None:
    """Write `value` as literal text: never a formula, never a number, always valid XML."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    if len(text) > EXCEL_TEXT_LIMIT:
        text = text[: EXCEL_TEXT_LIMIT - 1] + "…"
    if not text:
        cell.value = None
        return
    cell.value = text
    cell.data_type = "s"  # openpyxl reads a leading `=` as a formula; this undoes it
    if text.startswith(_FORMULA_LIKE):
        # so that Excel keeps it as text when someone edits the cell and presses Enter
        cell.quotePrefix = True


LINE_HEIGHT = 15  # points per line of 11-point text


def text_width(text: str) -> int:
    """Display width in column-width units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def row_height(cells: Iterable[tuple[str, float]]) -> float:
    """A height for a row of wrapped (text, column width) cells that shows every line:
    neither Excel nor LibreOffice reliably grows a row written by openpyxl to fit its text."""
    lines = 1
    for text, width in cells:
        per_line = max(1.0, width - 2)
        count = sum(max(1, math.ceil(text_width(line) / per_line)) for line in text.split("\n"))
        lines = max(lines, count)
    return LINE_HEIGHT * lines


# ---------------------------------------------------------------- validations


class ListSource:
    """Turns a list of allowed values into a data-validation formula.

    Short lists are written inline (`"是,否"`); long ones, or values holding a comma or a quote,
    go to one column of the hidden sheet `_选项` and are referenced as a range.
    """

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.sheet: Worksheet | None = None
        self.columns = 0

    def formula(self, title: str, values: Sequence[str]) -> str:
        inline = ",".join(values)
        if len(inline) <= INLINE_LIST_LIMIT and not any("," in v or '"' in v for v in values):
            return f'"{inline}"'
        if self.sheet is None:
            self.sheet = self.workbook.create_sheet(CHOICES_SHEET)
            self.sheet.sheet_state = "hidden"
        self.columns += 1
        column = self.columns
        set_text(self.sheet.cell(row=1, column=column), title)
        for row, value in enumerate(values, start=2):
            set_text(self.sheet.cell(row=row, column=column), value)
        letter = get_column_letter(column)
        return f"'{CHOICES_SHEET}'!${letter}$2:${letter}${len(values) + 1}"

    def move_last(self) -> None:
        if self.sheet is not None:
            offset = len(self.workbook.sheetnames) - 1 - self.workbook.index(self.sheet)
            self.workbook.move_sheet(self.sheet, offset=offset)


def _prompt(validation: DataValidation, title: str, text: str) -> None:
    if text:
        validation.showInputMessage = True
        validation.promptTitle = title[:32]
        validation.prompt = text[:255]


def list_validation(
    formula: str, title: str, help_text: str, *, strict: bool = True
) -> DataValidation:
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
        errorTitle=title[:32],
        error=(
            f"「{title}」请从下拉列表中选择。"
            if strict
            else f"「{title}」不在下拉列表中。确定要这样填写吗？"
        ),
    )
    _prompt(validation, title, help_text)
    return validation


def whole_validation(title: str, help_text: str) -> DataValidation:
    validation = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="1",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=title[:32],
        error=f"「{title}」请填写大于等于 1 的整数。",
    )
    _prompt(validation, title, help_text)
    return validation


# ---------------------------------------------------------------- saving


def refuse_existing(path: Path) -> None:
    if path.exists():
        raise UsageError(f"文件已存在，未覆盖：{path}")


def save_new(workbook: Workbook, path: Path) -> None:
    """Write the workbook to a file that must not exist yet (checked again at creation)."""
    data = workbook_bytes(workbook)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as handle:
            handle.write(data)
    except FileExistsError:
        raise UsageError(f"文件已存在，未覆盖：{path}") from None
    except OSError as exc:
        raise PipelineError(f"无法写入文件 {path}：{describe_os_error(exc)}") from None


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file, the same bytes whenever it is written again."""
    workbook.properties.creator = "办公室"
    workbook.properties.created = _FIXED_STAMP
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _reproducible(buffer.getvalue())


def replace_workbook(workbook: Workbook, path: Path) -> None:
    """Write the workbook over `path` in one step, with its own dates: for a file written anew
    each time (the problem list, the link list). Raises `OSError` (see `replace_atomically`)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = normalise_zip(buffer.getvalue(), _fonts_in_order)
    replace_atomically(path, lambda temporary: temporary.write_bytes(data))


def _fonts_in_order(name: str, content: bytes) -> bytes:
    """openpyxl writes a font's name first, which Office's validator rejects."""
    return ordered_styles(content) if name == "xl/styles.xml" else content


_CORE_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _reproducible(data: bytes) -> bytes:
    """Same workbook, same bytes: fixed zip timestamps and a fixed modification time; fonts
    in the order Office's validator requires."""
    stamp = _FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def rewrite(name: str, content: bytes) -> bytes:
        if name != "docProps/core.xml":
            return _fonts_in_order(name, content)
        return _CORE_STAMP.sub(rb"\g<1>" + stamp + rb"\g<2>", content)

    return normalise_zip(data, rewrite)
