"""Problems found in the inputs, and the exceptions the core raises.

Every user-facing message about an input is a `Problem` with a structured `Location`;
`Problem.describe()` is the only place where a location is turned into text.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .cells import cell_order

if TYPE_CHECKING:
    from .model import SubmissionStatus


class Level(enum.Enum):
    ERROR = "错误"
    NOTICE = "提示"


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: a file, optionally a sheet, an Excel cell and its column name."""

    file: str
    sheet: str | None = None
    cell: str | None = None
    column: str | None = None

    def describe(self) -> str:
        parts = [self.file]
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

    def describe(self) -> str:
        return f"[{self.level.value}] {self.location.describe()}：{self.message}"


def error(location: Location, message: str) -> Problem:
    return Problem(Level.ERROR, location, message)


def notice(location: Location, message: str) -> Problem:
    return Problem(Level.NOTICE, location, message)


class PipelineError(Exception):
    """Base of everything the core raises on purpose. `exit_code` follows click: 1 data, 2 usage."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(PipelineError):
    """The command was called wrongly (a folder that does not exist, a bad option value)."""

    exit_code = 2


class InputProblems(PipelineError):
    """The inputs hold errors: nothing is written. Carries notices too, so all are shown at once."""

    def __init__(
        self, problems: Iterable[Problem], submissions: SubmissionStatus | None = None
    ) -> None:
        self.problems = sorted_problems(problems)
        self.submissions = submissions  # who has submitted, for the summary
        errors = sum(p.is_error for p in self.problems)
        super().__init__(
            f"输入文件中有 {errors} 处错误，未生成任何文档。请按上面的提示修改后重新运行。"
        )

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


class TemplateProblem(PipelineError):
    """A Word template is missing, unreadable, or its tags are broken."""

    def __init__(self, template: str, message: str) -> None:
        self.template = template
        super().__init__(f"模板 {template}：{message}")


class ToolMissing(PipelineError):
    """An external program the user asked for (LibreOffice for --pdf) is not installed."""


class ArchiveError(PipelineError):
    """A run folder could not be written, read or verified."""


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Errors and notices in a stable order: by file, sheet, then cell in row-major order."""

    def key(problem: Problem) -> tuple:
        loc = problem.location
        return (loc.file, loc.sheet or "", cell_order(loc.cell), loc.column or "")

    return sorted(problems, key=key)
