"""Official documents of a district ecology bureau's office, from the departments' workbooks.

    from pathlib import Path
    from pipeline import build, check, InputProblems

    try:
        prepared, run_folder = build(Path("inputs"), Path("outputs"), Path("templates"))
    except InputProblems as problems:
        for problem in problems.problems:
            print(problem.describe())  # 环保处.xlsx › 合作交流项目 › J5（列「牵头领导」）：…

The stages are packages of their own: `load` → `validate` → `merge` → `render` → `archive`.
"""

import importlib
from importlib import metadata as _metadata

DISTRIBUTION = "eco-office-docs"

try:
    __version__ = _metadata.version(DISTRIBUTION)
except _metadata.PackageNotFoundError:  # run from a source checkout without installing
    __version__ = "0.0.0+source"

from .api import (  # noqa: E402
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
from .archive import VerifyReport  # noqa: E402
from .changes import ChangeSet  # noqa: E402
from .errors import (  # noqa: E402
    ArchiveError,
    InputProblems,
    Level,
    Location,
    PipelineError,
    Problem,
    TemplateProblem,
    ToolMissing,
    UsageError,
)
from .model import Dossier, Prepared, RenderedDocument  # noqa: E402
from .submissions import Submission, SubmissionStatus  # noqa: E402

# The workbook writers import openpyxl (about a tenth of a second): they load when first used,
# so a build that writes no workbook does not wait for them.
_WORKBOOK_EXPORTS = {
    "ReturnCopies": "return_copies",
    "save_problem_list": "problem_list",
    "write_problem_report": "problem_list",
}


def __getattr__(name: str) -> object:
    if name in _WORKBOOK_EXPORTS:
        module = importlib.import_module(f".workbooks.{_WORKBOOK_EXPORTS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ArchiveError",
    "ChangeSet",
    "Dossier",
    "InitResult",
    "InputProblems",
    "Level",
    "Location",
    "PipelineError",
    "Prepared",
    "Problem",
    "RenderedDocument",
    "ReturnCopies",
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
