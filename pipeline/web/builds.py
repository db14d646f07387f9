"""One build at a time, in a background thread, with its stage for the page to poll.

The same lock keeps uploads out while a build reads and archives `inputs/`, so the archived
copies are the workbooks that were built from.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import InputProblems, PipelineError, build
from .._console import STAGE_NAMES

log = logging.getLogger(__name__)

IDLE, RUNNING, DONE, FAILED = "idle", "running", "done", "failed"


@dataclass
class BuildState:
    state: str = IDLE
    stage: str = ""
    started: float = 0.0
    finished: float = 0.0
    pdf: bool = False
    ofd: bool = False
    run_name: str = ""
    documents: list[str] = field(default_factory=list)
    message: str = ""
    errors: int = 0  # input errors when the build was refused

    def as_json(self) -> dict:
        return {
            "state": self.state,
            "stage": STAGE_NAMES.get(self.stage, self.stage),
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
            self.current = BuildState(RUNNING, "", time.monotonic(), pdf=pdf, ofd=ofd)
        thread = threading.Thread(target=self._run, args=(pdf, ofd), name="pipeline-build")
        thread.daemon = True
        thread.start()
        return True

    def _stage(self, name: str) -> None:
        with self._state_lock:
            self.current.stage = name

    def _run(self, pdf: bool, ofd: bool) -> None:
        outcome = BuildState(FAILED, pdf=pdf, ofd=ofd)
        try:
            prepared, run_folder = build(
                self.inputs, self.outputs, self.templates, pdf=pdf, ofd=ofd, progress=self._stage
            )
        except InputProblems as exc:
            outcome.errors = len(exc.errors)
            outcome.message = exc.message
        except PipelineError as exc:
            outcome.message = exc.message
        except Exception:  # the page must say something; the console keeps the traceback
            log.exception("build failed")
            outcome.message = "生成时发生意外错误，详细信息见启动服务的命令窗口。"
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
