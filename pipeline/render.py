"""Render: turn the merged dossier into Word documents, one report and one table per region.

A large dossier is rendered by several processes at once: this process and forked workers
share the documents out, and the results are put back in order (`_render_in_workers`).
A small one, or a machine with one CPU, or one without `fork` as its usual way of starting
processes (Windows and macOS start them afresh, and importing the libraries again would cost
more than it saves), renders them one after the other in this process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import pickle
import struct
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Dossier, RegionTable, WorkReport

REPORT_TEMPLATE = "work_report.docx"
TABLE_TEMPLATE = "project_table.docx"

# Rendering cost, in table rows (a report paragraph renders about ten times faster than a row).
# Below this, forking workers costs more than it gains.
PARALLEL_FROM = 500
_PARAGRAPHS_PER_ROW = 10


@dataclass(frozen=True)
class RenderedDocument:
    name: str  # file name inside the run folder
    data: bytes  # the .docx bytes
    template: str  # the template's file name

    @property
    def stem(self) -> str:
        return Path(self.name).stem


@dataclass(frozen=True)
class _Job:
    """One document to render: `render` gives its bytes or raises `TemplateProblem`."""

    render: Callable[[], bytes]
    name: str
    template: str
    cost: int  # in table rows


def templates_needed(dossier: Dossier) -> list[str]:
    names = []
    if dossier.report is not None:
        names.append(REPORT_TEMPLATE)
    if dossier.regions:
        names.append(TABLE_TEMPLATE)
    return names


def render_documents(
    dossier: Dossier, templates: Path, *, workers: int | None = None
) -> list[RenderedDocument]:
    """All documents of the dossier. Raises `TemplateProblem` for a broken template.

    `workers`: how many processes to fork besides this one; None decides from the dossier's
    size and the machine (see the module docstring), 0 renders in this process only.
    """
    jobs = _jobs(dossier, templates)
    if workers is None:
        workers = _workers_for(jobs)
    # What exists now (the dossier, the inputs, the libraries) is left out of garbage collection
    # while rendering: each collection then looks only at what rendering made, and a forked
    # worker's collections do not copy the memory it shares with this process.
    gc.freeze()
    try:
        if workers > 0 and 1 < len(jobs) <= _MOST_JOBS:
            data = _render_in_workers(jobs, min(workers, len(jobs) - 1))
        else:
            data = [_render(job) for job in jobs]
    finally:
        gc.unfreeze()
    documents = [
        RenderedDocument(job.name, d, job.template) for job, d in zip(jobs, data, strict=True)
    ]
    return _unique_names(documents)


def _jobs(dossier: Dossier, templates: Path) -> list[_Job]:
    from . import _report, _table

    jobs: list[_Job] = []
    report = dossier.report
    if report is not None:
        report_template = templates / REPORT_TEMPLATE

        def render_report() -> bytes:
            return _report.render_work_report(report, report_template)

        name = _report.report_file_name(report)
        jobs.append(_Job(render_report, name, REPORT_TEMPLATE, _report_cost(report)))
    if dossier.regions and dossier.table_settings is not None:
        # Tables carry the report's date when there is one, so rebuilds stay identical.
        when = report.settings.date if report else dt.date(dossier.table_settings.start_year, 1, 1)
        author = dossier.table_settings.compiler
        table_template = templates / TABLE_TEMPLATE
        for table in dossier.regions:

            def render_table(table: RegionTable = table) -> bytes:
                return _table.render_region_table(table, table_template, author=author, when=when)

            name = _table.table_file_name(table)
            jobs.append(_Job(render_table, name, TABLE_TEMPLATE, table.row_count))
    return jobs


def _render(job: _Job) -> bytes:
    data = job.render()
    # A rendered document refers to itself (python-docx's package and its parts): without a
    # collection its XML tree, tens of MB for a large table, would outlive it.
    gc.collect()
    return data


def _report_cost(report: WorkReport) -> int:
    entries = [entry for section in report.sections for entry in section.entries]
    entries += [
        entry
        for section in report.sections
        for subsection in section.subsections
        for entry in subsection.entries
    ]
    return sum(len(entry.paragraphs) for entry in entries) // _PARAGRAPHS_PER_ROW


def _workers_for(jobs: list[_Job]) -> int:
    if sum(job.cost for job in jobs) < PARALLEL_FROM or not _fork_is_usual():
        return 0
    return _cpu_count() - 1


def _fork_is_usual() -> bool:
    # macOS has fork, but its system libraries may not survive it: Python starts processes
    # afresh there, as on Windows.
    return hasattr(os, "fork") and sys.platform != "darwin"


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _unique_names(documents: list[RenderedDocument]) -> list[RenderedDocument]:
    """Two regions whose names differ only in characters a file name cannot hold get a suffix."""
    seen: set[str] = set()
    unique = []
    for document in documents:
        name, n = document.name, 1
        while name.casefold() in seen:
            n += 1
            name = f"{document.stem}_{n}.docx"
        seen.add(name.casefold())
        unique.append(RenderedDocument(name, document.data, document.template))
    return unique


# ------------------------------------------------------------------ workers
#
# The jobs go into a pipe, largest first, as fixed-size numbers; each process (this one and
# the workers) takes the next number until the pipe is empty, so a process that finishes early
# takes more. A worker sends its outcomes back when it has no job left and exits without
# running any clean-up of this process. Every job runs; the first failure in document order is
# raised, as rendering one after the other would raise it. A job whose outcome never arrives (a
# worker killed) is rendered here.

_INDEX = struct.Struct("<I")
# The numbers are written at once, before any worker reads: they must fit into the pipe in one
# write that cannot be split (PIPE_BUF, 4096 bytes on Linux).
_MOST_JOBS = 1000
_OK, _FAILED = "ok", "failed"
_PICKLED, _STATE, _TEXT = "pickled", "state", "text"


def _render_in_workers(jobs: list[_Job], workers: int) -> list[bytes]:
    # What a worker needs is imported before forking, not once per worker.
    import docx  # noqa: F401
    import docxtpl  # noqa: F401

    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].cost)
    queue_read, queue_write = os.pipe()
    queued = b"".join(_INDEX.pack(i) for i in order)
    written = os.write(queue_write, queued)
    os.close(queue_write)
    if written != len(queued):  # cannot happen below PIPE_BUF; rendering here is always right
        os.close(queue_read)
        return [_render(job) for job in jobs]
    pids: list[int] = []
    pipes: list[int] = []  # each worker's results, until read
    outcomes: dict[int, tuple[str, Any]] = {}
    finished = False
    try:
        for _ in range(workers):
            result_read, result_write = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no more processes: render with those there are
                os.close(result_read)
                os.close(result_write)
                break
            if pid == 0:  # a worker: never returns
                os.close(result_read)
                _work(jobs, queue_read, result_write)
            os.close(result_write)
            pids.append(pid)
            pipes.append(result_read)
        outcomes.update(_take_jobs(jobs, queue_read))
        gc.collect()  # this process's last document, while the workers finish theirs
        while pipes:
            with os.fdopen(pipes.pop(0), "rb") as results:
                received = results.read()
            if received:
                outcomes.update(pickle.loads(received))
        finished = True
    finally:
        os.close(queue_read)
        for result_read in pipes:
            os.close(result_read)
        for pid in pids:
            _reap(pid, stop=not finished)
    data = []
    for index, job in enumerate(jobs):
        kind, value = outcomes.get(index) or _outcome(job)
        if kind == _FAILED:
            raise _exception(value)
        data.append(value)
    return data


def _work(jobs: list[_Job], queue_read: int, result_write: int) -> None:
    status = 1
    try:
        outcomes = _take_jobs(jobs, queue_read)
        with os.fdopen(result_write, "wb") as results:
            results.write(pickle.dumps(outcomes, protocol=pickle.HIGHEST_PROTOCOL))
        status = 0
    finally:
        os._exit(status)  # no clean-up, buffers or exit handlers of the process forked from


def _take_jobs(jobs: list[_Job], queue_read: int) -> dict[int, tuple[str, Any]]:
    outcomes = {}
    while True:
        packed = os.read(queue_read, _INDEX.size)  # whole numbers: each was written at once
        if not packed:
            return outcomes  # a worker exits without freeing its last document
        if outcomes:
            gc.collect()  # the document before (see `_render`), before the next is made
        (index,) = _INDEX.unpack(packed)
        outcomes[index] = _outcome(jobs[index])


def _outcome(job: _Job) -> tuple[str, Any]:
    try:
        return _OK, job.render()
    except Exception as exc:
        return _FAILED, _portable(exc)


def _portable(exc: Exception) -> bytes:
    """The exception as bytes that another process turns back into an equal exception, with
    the traceback where it was raised."""
    remote = traceback.format_exc()
    try:
        data = pickle.dumps((_PICKLED, exc, remote))
        pickle.loads(data)  # fails for an exception whose __init__ takes other arguments
        return data
    except Exception:
        pass
    try:
        return pickle.dumps((_STATE, (type(exc), exc.args, vars(exc)), remote))
    except Exception:
        return pickle.dumps((_TEXT, f"{type(exc).__name__}: {exc}", remote))


class WorkerTraceback(Exception):
    """Where a worker's exception was raised: the cause of an unexpected one."""


def _exception(data: bytes) -> BaseException:
    from .errors import PipelineError

    kind, value, remote = pickle.loads(data)
    if kind == _TEXT:
        exc = RuntimeError(value)
    elif kind == _STATE:
        cls, args, state = value
        exc = cls.__new__(cls, *args)
        exc.args = args
        vars(exc).update(state)
    else:
        exc = value
    if not isinstance(exc, PipelineError):  # expected problems say all there is to say
        exc.__cause__ = WorkerTraceback(remote)
    return exc


def _reap(pid: int, *, stop: bool) -> None:
    if stop:  # interrupted here: the workers' results are not wanted any more
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
