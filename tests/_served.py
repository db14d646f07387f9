"""`pipeline serve` as the office runs it: a child process started in an office folder, with no
path options; its window (stdout and stderr) collected, its links read from what it printed."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_WAIT = 120  # seconds; the machine is shared
READY = "网页已启动"

# `python -m pipeline`, with Ctrl+C raising KeyboardInterrupt even when the tests run where
# SIGINT is ignored (a background job), which a child process would inherit; `setup` is run
# first (a fault put in for a test).
LAUNCHER = (
    "import runpy, signal, sys\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "exec(sys.argv.pop(1))\n"
    "sys.argv[0] = 'pipeline'\n"
    "runpy.run_module('pipeline', run_name='__main__', alter_sys=True)\n"
)


def office_folder(folder: Path) -> Path:
    """A folder as the office keeps it: the shipped inputs/ and templates/, an empty outputs/."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "inputs", folder / "inputs")
    shutil.copytree(ROOT / "templates", folder / "templates")
    (folder / "outputs").mkdir()
    return folder


def pipeline(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """`pipeline …` run in `folder`, as typed there."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`pipeline serve --no-browser --port N` running in `folder` until `stop()`."""

    def __init__(self, folder: Path, *, setup: str = "") -> None:
        self.folder = folder
        self.port = free_port()
        command = [sys.executable, "-c", LAUNCHER, setup, "serve", "--no-browser"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={**os.environ, "NO_COLOR": "1"},
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.stdout, True)),
            threading.Thread(target=self._read, args=(self.process.stderr, self.stderr, False)),
        ]
        for reader in self._readers:
            reader.start()
        self._wait_until_ready()

    def _read(self, stream, lines: list[str], announce: bool) -> None:
        for line in stream:
            lines.append(line)
            if announce:
                self._lines.put(line)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if READY in line:
                return
        self.stop()
        raise AssertionError(f"pipeline serve did not start:\n{self.window}")

    @property
    def office_url(self) -> str:
        (url,) = re.findall(r"^办公室：(http://\S+)$", "".join(self.stdout), re.MULTILINE)
        return url

    @property
    def window(self) -> str:
        """What the office sees in the server's window."""
        return "".join(self.stdout) + "".join(self.stderr)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()  # once stopped, a second stop only collects the exit code

    def stop(self, how: int = signal.SIGINT if os.name == "posix" else signal.SIGTERM) -> int:
        """Stops the server (Ctrl+C by default); its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(how)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        for reader in self._readers:
            reader.join(timeout=10)
        return code
