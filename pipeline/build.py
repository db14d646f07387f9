"""The whole run, stage by stage: load → validate → merge → render → archive.

`check` stops after merge; `build` renders and archives. Both raise `InputProblems` with every
problem at once when the inputs hold errors; nothing is written then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputProblems, UsageError
from .load import LoadedInputs, load_inputs
from .merge import merge
from .model import Dossier
from .render import RenderedDocument, render_documents, templates_needed
from .validate import validate

Progress = Callable[[str], None]


@dataclass
class Prepared:
    """What one pass over the inputs gave: the dossier, its documents, and time per stage."""

    loaded: LoadedInputs
    dossier: Dossier
    documents: list[RenderedDocument] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


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
    """Load, validate and merge; raise `InputProblems` if any error was found."""
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
        dossier = merge(loaded, validated)
    return Prepared(loaded, dossier, timings=timings)


def prepare(inputs: Path, templates: Path, progress: Progress | None = None) -> Prepared:
    """`check`, then render every document in memory."""
    prepared = check(inputs, progress)
    with _stage("render", prepared.timings, progress):
        prepared.documents = render_documents(prepared.dossier, templates)
    return prepared


def template_paths(prepared: Prepared, templates: Path) -> list[Path]:
    return [templates / name for name in templates_needed(prepared.dossier)]


def build(
    inputs: Path,
    outputs: Path,
    templates: Path,
    *,
    pdf: bool = False,
    progress: Progress | None = None,
) -> tuple[Prepared, Path]:
    """Render everything and archive it in a new run folder under `outputs`; return that folder."""
    from .archive import write_run

    prepared = prepare(inputs, templates, progress)
    with _stage("archive", prepared.timings, progress):
        run_folder = write_run(
            outputs,
            prepared,
            inputs=inputs,
            templates=template_paths(prepared, templates),
            pdf=pdf,
        )
    return prepared, run_folder
