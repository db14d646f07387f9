"""The product's public functions: the stages run in order, load → validate → merge → render →
archive, and the workbooks people fill in.

`check` stops after merge; `build` renders and archives. Both raise `InputProblems` with every
problem at once when the inputs hold errors; nothing is written then.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .archive import (
    VerifyReport,
    check_ofd_converter,
    find_libreoffice,
    verify_run,
    write_run,
)
from .archive.runs import ArchivedRun, archived_inputs, newest_run, read_run
from .changes import ChangeSet, compare_dossiers
from .errors import ArchiveError, InputProblems, UsageError
from .files import department_file_name
from .load import load_inputs
from .merge import merge
from .model import Dossier, Prepared
from .problems import Location, Problem, notice
from .progress import Progress, Step
from .render import PACKAGED_TEMPLATES, render_documents, templates_needed
from .validate import validate
from .validate.submissions import read_roster, submission_status

if TYPE_CHECKING:
    from .workbooks import ReturnCopies

# `workbooks` writes .xlsx files with openpyxl, whose import takes about a tenth of a second:
# each function below imports it when it writes a workbook, so a first build does not wait.

OFFICE_WORKBOOK = "报告信息.xlsx"


@contextmanager
def _stage(name: str, timings: dict[str, float], progress: Progress | None) -> Iterator[None]:
    if progress:
        progress(Step(name))
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def check(inputs: Path, progress: Progress | None = None) -> Prepared:
    """Load, validate and merge the workbooks in `inputs`.

    Returns the merged dossier (with its notices); raises `InputProblems` listing every
    problem when any error was found, and `UsageError` when `inputs` is not a folder. Both
    carry `submissions`, who has submitted what (the 报送情况 table).
    """
    if not inputs.is_dir():
        raise UsageError(f"输入文件夹不存在：{inputs}")
    timings: dict[str, float] = {}
    with _stage("load", timings, progress):
        loaded = load_inputs(inputs)
    with _stage("validate", timings, progress):
        validated = validate(loaded)
    if validated.has_errors:
        raise InputProblems(validated.problems, submission_status(loaded, validated.problems))
    with _stage("merge", timings, progress):
        dossier = merge(validated)
    submissions = submission_status(loaded, dossier.notices)
    return Prepared(dossier, validated.workbooks, timings=timings, submissions=submissions)


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
    ofd: bool = False,
    progress: Progress | None = None,
    compare: Path | None = None,
    no_compare: bool = False,
) -> tuple[Prepared, Path]:
    """Render every document and archive the run in a new folder under `outputs`.

    The run folder also gets `变更对照.xlsx`, comparing with the newest earlier run folder in
    `outputs` (or with `compare`; none with `no_compare`); `Prepared.change_summary` says what
    changed. `pdf` adds a PDF copy of each document; `ofd` an OFD copy (GB/T 33190) made from
    the PDF copy, so it implies `pdf`; `Prepared.copies` names the copies written. Returns what
    was built and the run folder. Raises
    `InputProblems` (nothing written), `TemplateProblem`, `ToolMissing` (`pdf` or `ofd` without
    LibreOffice, `ofd` without the OFD converter; before any work), `LostText` (a copy lacks
    characters of its document: nothing written) or `ArchiveError` (also when `compare` is not
    a readable run folder, before any work).

    `progress` is told each stage as it starts (`Step`), and during the PDF and OFD
    conversion each document converted.
    """
    check_copy_tools(pdf=pdf, ofd=ofd)
    against = _read_run(compare) if compare is not None and not no_compare else None
    prepared = prepare(inputs, templates, progress)
    folder, _ = templates_folder(templates)
    # The archive's own steps are told by write_run: the copies' conversion comes first.
    with _stage("archive", prepared.timings, None):
        change_report = None
        if not no_compare:
            change_report = _compare_with(against, outputs, prepared)
        run_folder = write_run(
            outputs,
            prepared,
            inputs=inputs,
            templates=[folder / name for name in templates_needed(prepared.dossier)],
            pdf=pdf,
            ofd=ofd,
            change_report=change_report,
            progress=progress,
        )
    return prepared, run_folder


def check_copy_tools(*, pdf: bool = False, ofd: bool = False) -> None:
    """`ToolMissing` when the programs the PDF (`pdf`) or OFD (`ofd`) copies need are missing,
    saying what to install; nothing is imported or started."""
    if pdf or ofd:
        find_libreoffice("--ofd" if ofd else "--pdf")
    if ofd:
        check_ofd_converter()


def _compare_with(
    against: ArchivedRun | None, outputs: Path, prepared: Prepared
) -> tuple[bytes, str] | None:
    """The change workbook against `against`, or else the newest run in `outputs`; an
    unreadable newest run becomes a notice, not a failed build."""
    word = "所选的运行"
    if against is None:
        word = "上次"
        previous = newest_run(outputs)
        if previous is None:
            return None
        try:
            against = _read_run(previous)
        except ArchiveError as exc:
            prepared.dossier.notices.append(
                notice(Location(previous.name), f"未能与上次生成的文件夹比较：{exc.message}")
            )
            return None
    today = dt.date.today().isoformat()
    changes = compare_dossiers(
        against.dossier, prepared.dossier, against.label, f"{_issue(prepared.dossier)}，{today}"
    )
    prepared.change_summary = changes.summary(word)
    from .workbooks.change_report import change_report_bytes

    return change_report_bytes(changes, word), against.folder.name


def _read_run(folder: Path) -> ArchivedRun:
    """An earlier run; one archived before dossier.json is merged again from its inputs."""
    return read_run(folder, rebuild=lambda inputs: check(inputs).dossier)


def _issue(dossier: Dossier) -> str:
    report = dossier.report
    return f"第{report.settings.issue_number}期" if report is not None else "合作交流项目表"


def compare_runs(earlier: Path, later: Path, outputs: Path) -> tuple[ChangeSet, Path]:
    """Compare two run folders and write `变更对照_{earlier}_{later}.xlsx` into `outputs`.

    Raises `ArchiveError` (nothing written) when either is not a readable run folder.
    """
    old, new = _read_run(earlier), _read_run(later)
    changes = compare_dossiers(old.dossier, new.dossier, old.label, new.label)
    path = outputs / f"变更对照_{old.folder.name}_{new.folder.name}.xlsx"
    from .workbooks.change_report import write_change_report

    write_change_report(path, changes, old.folder.name)
    return changes, path


def verify(run_folder: Path) -> VerifyReport:
    """Rebuild a run folder's documents from its archived inputs and templates and compare
    them byte for byte; `VerifyReport.ok` says whether everything matched."""
    return verify_run(run_folder, rebuild=prepare)


def write_return_copies(
    outputs: Path, inputs: Path, problems: Sequence[Problem], *, now: dt.datetime | None = None
) -> ReturnCopies:
    """A marked-up copy of each workbook in `inputs` that `problems` name, in a new folder
    `outputs/退回_{date}_{time}/` (`now`, default the current time): problem cells filled and
    commented, a first sheet `问题` listing them all. The workbooks in `inputs` are only read;
    one the loader refuses as a whole (damaged, a zip bomb) gets no copy and is listed in
    `ReturnCopies.skipped`. Raises `PipelineError` when the folder cannot be written."""
    from .workbooks import write_return_copies as write_copies

    return write_copies(outputs, inputs, problems, now=now)


@dataclass
class InitResult:
    """What `init_workbooks` wrote, what it left alone because it exists, and what the new
    department workbooks lack because the office workbook is not filled in yet."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def init_workbooks(
    inputs: Path,
    departments: Sequence[str] = (),
    *,
    office: bool = False,
    templates: Path | None = None,
) -> InitResult:
    """Write blank workbooks into `inputs`: the office's `报告信息.xlsx` (and the default
    templates missing from `templates`) with `office`, and one per department, with
    drop-downs from what `inputs` already holds. Without `departments` (and without
    `office`), one for every department the office listed in 报送单位. Never overwrites a
    file: existing ones are skipped. `UsageError` when there is nothing to write."""
    from .workbooks import (
        install_default_templates,
        known_choices,
        write_department_workbook,
        write_office_workbook,
    )

    result = InitResult()
    if not departments and not office:
        roster = read_roster(load_inputs(inputs)) if inputs.is_dir() else None
        departments = [d.name for d in roster or []]
        if not departments:
            raise UsageError(
                "请给出部门名称，或先在 报告信息.xlsx 的「报送单位」中列出各部门，或使用 --office。"
                "例：pipeline init 环保处 绿林处"
            )
    inputs.mkdir(parents=True, exist_ok=True)
    regions, outline, years = known_choices(inputs)
    if office:
        path = inputs / OFFICE_WORKBOOK
        if path.exists():
            result.skipped.append(path)
        else:
            write_office_workbook(path, regions=regions)
            result.written.append(path)
        if templates is not None:
            result.written += install_default_templates(templates)
    if not departments:
        return result
    result.warnings = _missing_choices(regions, outline, years)
    for department in departments:
        path = inputs / department_file_name(department)
        if path.exists():
            result.skipped.append(path)
            continue
        write_department_workbook(path, department, regions=regions, outline=outline, years=years)
        result.written.append(path)
    return result


def _missing_choices(
    regions: Sequence[str], outline: Sequence[object], years: Sequence[int]
) -> list[str]:
    """What new department workbooks lack while the office workbook is not filled in."""
    redo = "删除新写入的部门工作簿后重新运行 pipeline init。"
    warnings = []
    if not outline:
        warnings.append(
            f"{OFFICE_WORKBOOK} 中还没有提纲：新工作簿「工作进展」的一级标题、二级标题没有下拉选项。"
            f"请先在 {OFFICE_WORKBOOK} 的「提纲」中填写，再{redo}"
        )
    if not years:
        warnings.append(
            f"{OFFICE_WORKBOOK} 的「项目表信息」中还没有有效的起始年份、结束年份：新工作簿"
            "「合作交流项目」没有「{年}年计划」列。请先填写这两个字段，再" + redo
        )
    if not regions:
        warnings.append(
            "还没有已知的对口地区（取自已有的合作交流项目和「项目表注」）：新工作簿「合作交流项目」"
            f"的对口地区没有下拉选项，可以直接填写。如需下拉选项，请先在 {OFFICE_WORKBOOK} 的"
            f"「项目表注」中为各对口地区填写注，再{redo}"
        )
    return warnings


def init_from_run(
    run_folder: Path,
    inputs: Path,
    departments: Sequence[str] = (),
    *,
    office: bool = False,
) -> tuple[list[Path], list[Path]]:
    """Write next period's workbooks into `inputs`, pre-filled from a run's archived inputs:
    one per department (every department of the run when none are named) with the rows it
    sent, and with `office` the office workbook (期号 + 1, dates and 拟文稿 emptied).

    Returns (written, skipped because the file exists). Raises `ArchiveError` (nothing
    written) when `run_folder` is not a readable run folder.
    """
    from .workbooks.carry_over import read_carry_over, write_carried_over

    carried = read_carry_over(archived_inputs(run_folder), run_folder.name)
    named = list(departments) or list(carried.departments)
    return write_carried_over(
        carried, inputs, named, office=inputs / OFFICE_WORKBOOK if office else None
    )
