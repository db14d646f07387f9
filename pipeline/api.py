"""The product's public functions: the stages run in order, load → validate → merge → render →
archive, and the workbooks people fill in.

`check` stops after merge; `build` renders and archives. Both raise `InputProblems` with every
problem at once when the inputs hold errors; nothing is written then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .archive import VerifyReport, verify_run, write_run
from .errors import InputProblems, Location, Problem, UsageError, notice
from .files import department_file_name
from .load import load_inputs
from .merge import merge
from .model import Prepared
from .render import render_documents, templates_needed
from .validate import validate
from .workbooks import (
    install_default_templates,
    known_choices,
    write_department_workbook,
    write_office_workbook,
)

Progress = Callable[[str], None]  # called with a stage's name as it starts

PACKAGED_TEMPLATES = Path(__file__).parent / "default_templates"
OFFICE_WORKBOOK = "报告信息.xlsx"


@contextmanager
def _stage(name: str, timings: dict[str, float], progress: Progress | None) -> Iterator[None]:
    if progress:
        progress(name)
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def check(inputs: Path, progress: Progress | None = None) -> Prepared:
    """Load, validate and merge the workbooks in `inputs`.

    Returns the merged dossier (with its notices); raises `InputProblems` listing every
    problem when any error was found, and `UsageError` when `inputs` is not a folder.
    """
    if not inputs.is_dir():
        raise UsageError(f"输入文件夹不存在：{inputs}")
    timings: dict[str, float] = {}
    with _stage("load", timings, progress):
        loaded = load_inputs(inputs)
    with _stage("validate", timings, progress):
        validated = validate(loaded)
    if validated.has_errors:
        raise InputProblems(validated.problems)
    with _stage("merge", timings, progress):
        dossier = merge(validated)
    return Prepared(dossier, validated.workbooks, timings=timings)


def prepare(inputs: Path, templates: Path, progress: Progress | None = None) -> Prepared:
    """`check`, then render every document in memory (nothing is written)."""
    prepared = check(inputs, progress)
    folder, missing = templates_folder(templates)
    if missing is not None:
        prepared.dossier.notices.append(missing)
    with _stage("render", prepared.timings, progress):
        prepared.documents = render_documents(prepared.dossier, folder)
    return prepared


def templates_folder(templates: Path) -> tuple[Path, Problem | None]:
    """`templates`, or the packaged default templates (with a notice) when it does not exist."""
    if templates.exists():
        return templates, None
    return PACKAGED_TEMPLATES, notice(
        Location(templates.name or str(templates)),
        "模板文件夹不存在，使用了程序自带的默认模板。"
        "如需修改样式，请运行 pipeline init --office 写入模板后在 Word 中修改。",
    )


def build(
    inputs: Path,
    outputs: Path,
    templates: Path,
    *,
    pdf: bool = False,
    progress: Progress | None = None,
) -> tuple[Prepared, Path]:
    """Render every document and archive the run in a new folder under `outputs`.

    Returns what was built and the run folder. Raises `InputProblems` (nothing written),
    `TemplateProblem`, `ToolMissing` (`pdf` without LibreOffice, before any work) or
    `ArchiveError`.
    """
    prepared = prepare(inputs, templates, progress)
    folder, _ = templates_folder(templates)
    with _stage("archive", prepared.timings, progress):
        run_folder = write_run(
            outputs,
            prepared,
            inputs=inputs,
            templates=[folder / name for name in templates_needed(prepared.dossier)],
            pdf=pdf,
        )
    return prepared, run_folder


def verify(run_folder: Path) -> VerifyReport:
    """Rebuild a run folder's documents from its archived inputs and templates and compare
    them byte for byte; `VerifyReport.ok` says whether everything matched."""
    return verify_run(run_folder)


def init_workbooks(
    inputs: Path,
    departments: Sequence[str] = (),
    *,
    office: bool = False,
    templates: Path | None = None,
) -> list[Path]:
    """Write blank workbooks into `inputs` and return their paths: the office's
    `报告信息.xlsx` (and the default templates missing from `templates`) with `office`, and one
    per department, with drop-downs from what `inputs` already holds. Never overwrites a file
    (`UsageError` names it)."""
    written = []
    inputs.mkdir(parents=True, exist_ok=True)
    regions, outline, years = known_choices(inputs)
    if office:
        path = inputs / OFFICE_WORKBOOK
        write_office_workbook(path, regions=regions)
        written.append(path)
        if templates is not None:
            written += install_default_templates(templates)
    for department in departments:
        path = inputs / department_file_name(department)
        write_department_workbook(path, department, regions=regions, outline=outline, years=years)
        written.append(path)
    return written
