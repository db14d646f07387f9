"""One build at a time, in a background thread, with its stage for the page to poll: the
`Step` the build last told (worded as the terminal's spinner words it) and how much of the
bar that fills, the conversion of the PDF and OFD copies moving it document by document.

The same lock keeps uploads out while a build reads and archives `inputs/`, so the archived
copies are the workbooks that were built from.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import InputProblems, PipelineError, Problem, build
from ..progress import Step
from .logs import FAILURE_LOG

log = logging.getLogger(__name__)

IDLE, RUNNING, DONE, FAILED = "idle", "running", "done", "failed"
# Each stage's share of the bar: converting the copies takes most of a build that makes them.
SHARES = {"pdf": 6, "ofd": 4}


def stages(*, pdf: bool, ofd: bool) -> list[str]:
    """The stages a build runs, in order."""
    copies = ["pdf"] * (pdf or ofd) + ["ofd"] * ofd
    return ["load", "validate", "merge", "render", *copies, "archive"]


def fraction(step: Step | None, order: list[str]) -> float:
    """How much of the bar is full when `step` is under way: the stages before it, and of its
    own share the documents it has converted."""
    if step is None or step.stage not in order:
        return 0.0
    shares = [SHARES.get(stage, 1) for stage in order]
    index = order.index(step.stage)
    within = step.done / step.total if step.total else 0.0
    return (sum(shares[:index]) + shares[index] * within) / sum(shares)


@dataclass
class BuildState:
    state: str = IDLE
    step: Step | None = None
    started: float = 0.0
    finished: float = 0.0
    pdf: bool = False
    ofd: bool = False
    run_name: str = ""
    documents: list[str] = field(default_factory=list)
    message: str = ""
    problems: list[Problem] = field(default_factory=list)  # the errors a build was refused for

    @property
    def errors(self) -> int:
        return len(self.problems)

    @property
    def stage(self) -> str:
        return self.step.label if self.step else ""

    @property
    def fraction(self) -> float:
        return fraction(self.step, stages(pdf=self.pdf, ofd=self.ofd))

    def as_json(self) -> dict:
        return {
            "state": self.state,
            "stage": self.stage,
            "fraction": round(self.fraction, 3),
            "seconds": round((self.finished or time.monotonic()) - self.started, 1)
            if self.started
            else 0,
            "run": self.run_name,
            "documents": self.documents,
            "message": self.message,
            "errors": self.errors,
        }


class BuildRunner:
    """Runs `pipeline.build`, at most one at a time."""

    def __init__(self, inputs: Path, outputs: Path, templates: Path) -> None:
        self.inputs = inputs
        self.outputs = outputs
        self.templates = templates
        self.inputs_lock = threading.Lock()  # held by a build, and by an upload while it saves
        self._state_lock = threading.Lock()
        self.current = BuildState()

    def running(self) -> bool:
        with self._state_lock:
            return self.current.state == RUNNING

    def snapshot(self) -> BuildState:
        with self._state_lock:
            return BuildState(**vars(self.current))

    def start(self, *, pdf: bool, ofd: bool = False) -> bool:
        """Start a build (with PDF copies, with OFD copies made from them); False when one is
        running already."""
        if not self.inputs_lock.acquire(blocking=False):
            return False
        with self._state_lock:
            self.current = BuildState(RUNNING, None, time.monotonic(), pdf=pdf, ofd=ofd)
        thread = threading.Thread(target=self._run, args=(pdf, ofd), name="pipeline-build")
        thread.daemon = True
        thread.start()
        return True

    def _stage(self, step: Step) -> None:
        with self._state_lock:
            self.current.step = step

    def _run(self, pdf: bool, ofd: bool) -> None:
        outcome = BuildState(FAILED, pdf=pdf, ofd=ofd)
        try:
            prepared, run_folder = build(
                self.inputs, self.outputs, self.templates, pdf=pdf, ofd=ofd, progress=self._stage
            )
        except InputProblems as exc:
            outcome.problems = exc.errors
            outcome.message = exc.message
        except PipelineError as exc:
            outcome.message = exc.message
        except Exception:  # the page must say something; the log file keeps the traceback
            log.exception("build failed")
            outcome.message = (
                f"生成时发生意外错误，本次生成未完成。详细记录在 {self.outputs / FAILURE_LOG}"
                "（启动网页的命令窗口中也有一行说明），请把它发给维护人员。"
            )
        else:
            outcome.state = DONE
            outcome.run_name = run_folder.name
            outcome.documents = [d.name for d in prepared.documents]
        finally:
            # the outcome is in place before the lock is free, so a new build never loses it
            with self._state_lock:
                outcome.started = self.current.started
                outcome.finished = time.monotonic()
                self.current = outcome
            self.inputs_lock.release()

    def wait(self, timeout: float = 120.0) -> BuildState:
        """Until no build runs (for tests and a clean shutdown)."""
        deadline = time.monotonic() + timeout
        while self.snapshot().state == RUNNING and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.snapshot()
