"""A command's peak memory, measured in a child process (not on Windows)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no peak memory of a child process to read
    resource = None

# Runs a command and prints, as its last line, the command's exit code and peak memory.
PEAK_MEMORY = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kB; bytes on macOS
print("", code, peak if sys.platform == "darwin" else peak * 1024)
"""

MEMORY_LIMIT = 300 * 1024 * 1024


def measured(command: list[str], cwd: Path | None = None) -> tuple[int, int, str, str]:
    """Run `command`; its exit code, peak memory in bytes, stdout before the measurement's
    own line, and stderr."""
    result = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY, *command],
        capture_output=True,
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=300,
    )
    *out, last = result.stdout.decode("utf-8").splitlines()
    code, peak = map(int, last.split())
    return code, peak, "\n".join(out), result.stderr.decode("utf-8")
