"""Problems found in the inputs, and the exceptions the core raises.

Every user-facing message about an input is a `Problem` with a structured `Location`;
`Problem.describe()` is the only place where a location is turned into text.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .cells import cell_order

if TYPE_CHECKING:
    from .model import SubmissionStatus


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


class LostText(ArchiveError):
    """A PDF or OFD copy lacks characters of its document: no run folder is written."""

    def __init__(self, problems: Iterable[Problem], copies: Iterable[str]) -> None:
        self.problems = list(problems)
        self.copies = list(copies)
        lines = [p.describe() for p in self.problems]
        super().__init__(
            f"以下副本缺少文档中的文字：{'、'.join(self.copies)}。为免归档不完整的副本，"
            "本次未生成运行文件夹，之前的结果未改动。\n"
            + "\n".join(lines)
            + "\nWord 文档本身是完整的：可以先只生成 Word 文档（不生成 PDF 和 OFD 副本），"
            "并把以上信息告知维护人员。"
        )


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Errors and notices in a stable order: by file, sheet, then cell in row-major order."""

    def key(problem: Problem) -> tuple:
        loc = problem.location
        return (loc.file, loc.page or 0, loc.sheet or "", cell_order(loc.cell), loc.column or "")

    return sorted(problems, key=key)
