"""The example inputs as `tools/make_examples.py` writes them, fresh for each test process.

Tests never read the repository's `inputs/` (or `outputs/`) in place: the web page and a clerk
put workbooks there, and a department's wrong workbook must not fail the suite. The examples
are what the tool defines; `test_examples` checks that the committed `inputs/` are exactly that.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "make_examples.py"


def write_examples(folder: Path) -> list[Path]:
    """Write the example workbooks into `folder`; the paths written."""
    spec = importlib.util.spec_from_file_location("make_examples", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module.write_examples(folder)


@functools.cache
def example_inputs() -> Path:
    """A folder holding the example workbooks and nothing else, written once per process;
    read it, never write into it (copy it first: `copy_examples`)."""
    folder = Path(tempfile.mkdtemp(prefix="pipeline-examples-")) / "inputs"
    write_examples(folder)
    atexit.register(shutil.rmtree, folder.parent, ignore_errors=True)
    return folder


def copy_examples(folder: Path) -> Path:
    """A copy of the example workbooks in `folder` (made), to change or add to."""
    return shutil.copytree(example_inputs(), folder)
