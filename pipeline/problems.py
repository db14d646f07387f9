"""Problems found in the inputs: what is wrong, where, and how bad.

Every user-facing message about an input is a `Problem` with a structured `Location`;
`Problem.describe()` is the only place where a location is turned into text. The records sit
below every stage (load, validate, the archive's copy check and the faces all report them);
the exceptions that carry them are in `errors.py`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .cells import cell_order


class Level(enum.Enum):
    ERROR = "错误"
    NOTICE = "提示"


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: a file, optionally a sheet, an Excel cell and its column name;
    or, in a PDF or OFD copy, a page."""

    file: str
    sheet: str | None = None
    cell: str | None = None
    column: str | None = None
    page: int | None = None

    def describe(self) -> str:
        parts = [self.file]
        if self.page is not None:
            parts.append(f"第 {self.page} 页")
        if self.sheet:
            parts.append(self.sheet)
        if self.cell:
            parts.append(self.cell)
        text = " › ".join(parts)
        if self.column:
            text += f"（列「{self.column}」）"
        return text


@dataclass(frozen=True)
class Problem:
    level: Level
    location: Location
    message: str

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR

    def for_sender(self) -> Problem:
        """This problem as told to the department whose workbook it is: where the office is
        told to ask the department for the file again, the department is told to send it
        again itself (`请重新保存或让报送部门重新发送。` → `请用 Excel 重新保存后再上传。`)."""
        told = _ASK_AGAIN.sub(_send_it_yourself, self.message)
        told = told.replace("请重新保存后再上传", "请用 Excel 重新保存后再上传")
        return self if told == self.message else replace(self, message=told)

    def describe(self) -> str:
        return f"[{self.level.value}] {self.location.describe()}：{self.message}"


# The office's words for a file it must have again, at the end of a sentence.
_ASK_AGAIN = re.compile(r"[，,]?或让报送部门重新发送(?=。)")


def _send_it_yourself(match: re.Match[str]) -> str:
    before = match.string[: match.start()]
    return (" " if before[-1:].isascii() and before[-1:].isalnum() else "") + "后再上传"


def error(location: Location, message: str) -> Problem:
    return Problem(Level.ERROR, location, message)


def notice(location: Location, message: str) -> Problem:
    return Problem(Level.NOTICE, location, message)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Errors and notices in a stable order: by file, sheet, then cell in row-major order."""

    def key(problem: Problem) -> tuple:
        loc = problem.location
        return (loc.file, loc.page or 0, loc.sheet or "", cell_order(loc.cell), loc.column or "")

    return sorted(problems, key=key)
