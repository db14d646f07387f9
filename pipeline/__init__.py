"""Official documents of a district ecology bureau's office, from the departments' workbooks.

    from pathlib import Path
    from pipeline import build, check, InputProblems

    try:
        prepared, run_folder = build(Path("inputs"), Path("outputs"), Path("templates"))
    except InputProblems as problems:
        for problem in problems.problems:
            print(problem.describe())  # 环保处.xlsx › 合作交流项目 › J5（列「牵头领导」）：…

The stages are packages of their own: `load` → `validate` → `merge` → `render` → `archive`.

Every name here loads when first used (PEP 562): importing `pipeline` itself costs nothing, so
the `pipeline` command can take Ctrl+C while the heavy modules load (`cli._start`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Public name → the module that defines it.
_EXPORTS = {
    **dict.fromkeys(
        (
            "InitResult",
            "build",
            "check",
            "check_copy_tools",
            "compare_runs",
            "init_from_run",
            "init_workbooks",
            "prepare",
            "verify",
            "write_return_copies",
        ),
        "api",
    ),
    "VerifyReport": "archive",
    "ChangeSet": "changes",
    **dict.fromkeys(
        (
            "ArchiveError",
            "InputProblems",
            "LostText",
            "PipelineError",
            "TemplateProblem",
            "ToolMissing",
            "UsageError",
        ),
        "errors",
    ),
    **dict.fromkeys(
        ("Dossier", "Prepared", "RenderedDocument", "Submission", "SubmissionStatus"), "model"
    ),
    **dict.fromkeys(("Level", "Location", "Problem"), "problems"),
    **dict.fromkeys(("Progress", "Step"), "progress"),
    "ReturnCopies": "workbooks.return_copies",
    "save_problem_list": "workbooks.problem_list",
    "write_problem_report": "workbooks.problem_list",
}

if TYPE_CHECKING:
    from .api import (
        InitResult,
        build,
        check,
        check_copy_tools,
        compare_runs,
        init_from_run,
        init_workbooks,
        prepare,
        verify,
        write_return_copies,
    )
    from .archive import VerifyReport
    from .changes import ChangeSet
    from .errors import (
        ArchiveError,
        InputProblems,
        LostText,
        PipelineError,
        TemplateProblem,
        ToolMissing,
        UsageError,
    )
    from .model import Dossier, Prepared, RenderedDocument, Submission, SubmissionStatus
    from .problems import Level, Location, Problem
    from .progress import Progress, Step
    from .workbooks.problem_list import save_problem_list, write_problem_report
    from .workbooks.return_copies import ReturnCopies

    __version__: str


def __getattr__(name: str) -> object:
    if name == "__version__":
        from .version import tool_version

        globals()["__version__"] = tool_version()
        return globals()["__version__"]
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "ArchiveError",
    "ChangeSet",
    "Dossier",
    "InitResult",
    "InputProblems",
    "Level",
    "Location",
    "LostText",
    "PipelineError",
    "Prepared",
    "Progress",
    "Problem",
    "RenderedDocument",
    "ReturnCopies",
    "Step",
    "Submission",
    "SubmissionStatus",
    "TemplateProblem",
    "ToolMissing",
    "UsageError",
    "VerifyReport",
    "__version__",
    "build",
    "check",
    "check_copy_tools",
    "compare_runs",
    "init_from_run",
    "init_workbooks",
    "prepare",
    "save_problem_list",
    "verify",
    "write_problem_report",
    "write_return_copies",
]
