"""The exceptions the core raises on purpose, one hierarchy with click's exit codes (1 data,
2 usage). The problems they carry are `problems.Problem`s.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .problems import Problem, sorted_problems

if TYPE_CHECKING:
    from .model import SubmissionStatus


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
