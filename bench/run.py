"""Benchmark of `pipeline build`, from start-up to the archived run folder.

    python bench/run.py --sizes seed,40x30,10x100,100x100
    python bench/run.py --smoke        # the smallest size only, a few seconds, no targets

Sizes: `seed` is the repository's example inputs (`inputs/`, the size of the seed documents);
`NxR` is the office workbook and N synthetic department workbooks, each with R 合作交流项目
rows over four regions and R/5 工作进展 paragraphs (see `synthetic.py`).
Each build runs in its own process, as the office runs it, so start-up counts; wall time is the
best of `--repeat` runs, and the stage times come from the build's hidden `--timings` output (a
stage's time includes the imports it makes). Peak RSS is the largest resident memory of the
build's process tree seen in samples every 10 ms (Linux), or the process's own (`wait4`).
Modules load from bytecode, as in an installed package, even where PYTHONDONTWRITEBYTECODE
is set. Two baselines run alongside: a bare `import pandas, docxtpl, openpyxl` (the fixed
start cost) and `naive_docx.py`, the largest size's tables built by a plain pandas +
python-docx script (`read_excel`, `add_row`, `cell.text`). Prints a Markdown table, then the
targets and whether they were met.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(ROOT))  # the contract, when the package is not installed

import synthetic  # noqa: E402

STAGES = ("load", "validate", "merge", "render", "archive")
SMOKE_SIZE = "2x10"
BARE_IMPORT = "import pandas, docxtpl, openpyxl"
WARM_UP = (
    "import pipeline.cli.commands, pipeline.render.table, pipeline.render.report, pipeline.archive, "
    "pipeline.workbooks, synthetic, naive_docx"
)


@dataclass
class Run:
    """One measured process: the best wall time of the repeats, and its peak memory."""

    wall: float
    peak_rss_mb: float | None
    stages: dict[str, float] = field(default_factory=dict)
    documents: int | None = None


@dataclass
class Measured:
    label: str
    workbooks: int | None
    table_rows: int | None
    paragraphs: int | None
    run: Run


def run_process(
    command: list[str], *, cwd: Path, env: dict[str, str]
) -> tuple[float, float | None]:
    """Wall seconds and peak resident memory in MB of one child process and its own children;
    raises if it fails."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=output)
        peak = None
        if hasattr(os, "wait4"):
            with TreeMemory(process.pid) as tree:
                _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            # ru_maxrss is in KiB on Linux and in bytes on macOS. It is the largest of the
            # process and each of its children, not their sum: the samples give that.
            scale = 1024 * 1024 if sys.platform == "darwin" else 1024
            peak = max(usage.ru_maxrss / scale, tree.peak_mb)
        else:
            process.wait()
            wall = time.perf_counter() - started
        if process.returncode != 0:
            output.seek(0)
            text = output.read().decode("utf-8", "replace")
            raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{text[-3000:]}")
    return wall, peak


class TreeMemory:
    """The largest sum of resident memory of a process and its descendants, sampled from
    /proc every `interval` seconds while the block runs (0 where there is no /proc)."""

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

    def __enter__(self) -> TreeMemory:
        if Path(f"/proc/{self.pid}/statm").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        while not self._done.is_set():
            pages = sum(self._resident_pages(pid) for pid in self._tree())
            self.peak_mb = max(self.peak_mb, pages * self._page / 1024**2)
            self._done.wait(self.interval)

    def _tree(self) -> list[int]:
        pids = [self.pid]
        for pid in pids:  # grows while it is walked: children, then theirs
            with contextlib.suppress(OSError):  # the process ended meanwhile
                for children in list(Path(f"/proc/{pid}/task").glob("*/children")):
                    with contextlib.suppress(OSError):
                        pids += [int(child) for child in children.read_text().split()]
        return pids

    @staticmethod
    def _resident_pages(pid: int) -> int:
        try:
            return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            return 0


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    # As installed, the package's modules load from bytecode; not compiled again on each start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # The working tree's package, whether or not it is installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("PYTHONHASHSEED", "0")
    env["COLUMNS"] = "100"  # the summary table's width does not depend on the terminal
    return env


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.wall)


def build_once(inputs: Path, scratch: Path) -> Run:
    outputs = scratch / "outputs"
    timings = scratch / "timings.json"
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "build",
        "--inputs",
        str(inputs),
        "--outputs",
        str(outputs),
        "--templates",
        str(ROOT / "templates"),
        "--timings",
        str(timings),
    ]
    wall, peak = run_process(command, cwd=scratch, env=child_env())
    recorded = json.loads(timings.read_text(encoding="utf-8"))
    written = list(outputs.glob("*/*.docx"))
    if len(written) != len(recorded["documents"]):
        raise SystemExit(f"expected {recorded['documents']}, found {written}")
    shutil.rmtree(outputs)
    return Run(wall, peak, recorded["seconds"], len(written))


def command_once(command: list[str], scratch: Path, documents: int | None = None) -> Run:
    wall, peak = run_process(command, cwd=scratch, env=child_env())
    return Run(wall, peak, documents=documents)


def naive_once(command: list[str], scratch: Path, out: Path) -> Run:
    """The baseline script once; its documents counted, then removed."""
    wall, peak = run_process(command, cwd=scratch, env=child_env())
    written = len(list(out.glob("*.docx")))
    shutil.rmtree(out)
    return Run(wall, peak, documents=written)


def prepare_inputs(label: str, folder: Path) -> tuple[int, int | None, int | None]:
    """Write the inputs of a size; return (workbooks, table rows, paragraphs)."""
    if label == "seed":
        shutil.copytree(ROOT / "inputs", folder)
        return len(list(folder.glob("*.xlsx"))), None, None
    size = parse_size(label)
    synthetic.write_inputs(folder, departments=size.departments, rows=size.rows)
    return size.departments + 1, size.table_rows, size.paragraphs


def parse_size(label: str) -> synthetic.Size:
    try:
        departments, rows = (int(part) for part in label.lower().split("x"))
    except ValueError:
        raise SystemExit(f"size {label!r}: expected seed or NxR, e.g. 100x100") from None
    return synthetic.Size(departments, rows)


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 1024**3:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        pass
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory} RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def table(results: list[Measured]) -> list[str]:
    head = ["size", "workbooks", "table rows", "paragraphs", "wall s", "peak RSS MB"]
    head += [f"{stage} s" for stage in STAGES] + ["start-up + rest s", "documents"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for result in results:
        run = result.run
        rest = run.wall - sum(run.stages.values()) if run.stages else None
        cells = [
            result.label,
            _count(result.workbooks),
            _count(result.table_rows),
            _count(result.paragraphs),
            _seconds(run.wall),
            "" if run.peak_rss_mb is None else f"{run.peak_rss_mb:.0f}",
            *(_seconds(run.stages.get(stage)) for stage in STAGES),
            _seconds(rest) if run.stages else "",
            _count(run.documents),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def paired_ratio(runs: dict[str, list[Run]], slower: str, faster: str) -> tuple[float, float]:
    """`slower` over `faster`: the ratio of their best runs, and the median of each round's ratio.
    On a busy machine one lucky run moves the first; the runs of a round are minutes apart at
    most, so the second follows what the machine did to both."""
    best_ratio = best(runs[slower]).wall / best(runs[faster]).wall
    rounds = [a.wall / b.wall for a, b in zip(runs[slower], runs[faster], strict=True)]
    return best_ratio, statistics.median(rounds)


def targets(by_label: dict[str, Measured], runs: dict[str, list[Run]]) -> list[str]:
    """The targets whose sizes were measured, each with its number and whether it was met.
    The two ratios between the small builds are judged on the median of the rounds."""
    wall = {label: m.run.wall for label, m in by_label.items()}
    checks = []
    for slower, faster, name, limit in (
        ("seed", "import", "seed build ≤ 1.5 × bare import", 1.5),
        ("40x30", "seed", "40x30 ≤ 2 × seed build", 2.0),
    ):
        if slower in wall and faster in wall:
            best_ratio, median = paired_ratio(runs, slower, faster)
            value = f"{median:.2f} × (median of the rounds; best runs {best_ratio:.2f} ×)"
            checks.append((name, value, median <= limit))
    naive = next((label for label in wall if label.startswith("python-docx")), None)
    if "100x100" in wall and naive and by_label[naive].table_rows == 10_000:
        ratio = wall["100x100"] / wall[naive]
        checks.append(
            ("100x100 ≤ 1/2 of plain pandas + python-docx", f"{ratio:.2f} ×", ratio <= 1 / 2)
        )
    if "100x100" in wall and "10x100" in wall:
        ratio = wall["100x100"] / wall["10x100"]
        checks.append(("10x100 → 100x100 ≤ 11 × (linear)", f"{ratio:.2f} ×", ratio <= 11))
    if "100x100" in wall and by_label["100x100"].run.peak_rss_mb is not None:
        peak = by_label["100x100"].run.peak_rss_mb
        checks.append(("100x100 peak RSS < 500 MB", f"{peak:.0f} MB", peak < 500))
    return [f"- {name}: {value} — {'met' if ok else 'NOT met'}" for name, value, ok in checks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark of pipeline build.")
    parser.add_argument(
        "--sizes",
        default="seed,40x30,10x100,100x100",
        help="comma-separated: seed and/or NxR (N workbooks × R table rows); default %(default)s",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per size, best kept")
    parser.add_argument(
        "--smoke", action="store_true", help=f"only {SMOKE_SIZE}, one run each: a quick check"
    )
    parser.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    args = parser.parse_args(argv)
    labels = [SMOKE_SIZE] if args.smoke else [s.strip() for s in args.sizes.split(",") if s]
    repeat = 1 if args.smoke else max(1, args.repeat)

    scratch = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    try:
        # Bytecode for the package and the baseline script, written once and untimed.
        warm_up = f"import sys; sys.path.insert(0, {str(BENCH)!r}); {WARM_UP}"
        run_process([sys.executable, "-c", warm_up], cwd=scratch, env=child_env())
        # (label, workbooks, table rows, paragraphs, one measured run)
        jobs: list[tuple[str, int | None, int | None, int | None, Callable[[], Run]]] = []
        bare = [sys.executable, "-c", BARE_IMPORT]
        jobs.append(("import", None, None, None, partial(command_once, bare, scratch)))
        for label in labels:
            inputs = (args.keep or scratch / "inputs") / label
            if inputs.exists():
                shutil.rmtree(inputs)
            started = time.perf_counter()
            workbooks, rows, paragraphs = prepare_inputs(label, inputs)
            elapsed = time.perf_counter() - started
            print(f"{label}: inputs written in {elapsed:.1f} s", file=sys.stderr, flush=True)
            jobs.append((label, workbooks, rows, paragraphs, partial(build_once, inputs, scratch)))
        largest = max(
            (parse_size(label) for label in labels if label != "seed"),
            key=lambda size: size.table_rows,
            default=None,
        )
        if largest is not None:
            naive = [
                sys.executable,
                str(BENCH / "naive_docx.py"),
                "--inputs",
                str((args.keep or scratch / "inputs") / largest.label),
                "--out",
                str(scratch / "naive"),
            ]
            label = f"python-docx {largest.label}"
            run = partial(naive_once, naive, scratch, scratch / "naive")
            jobs.append((label, None, largest.table_rows, None, run))
        # Round after round of every job, so that a busy spell on the machine does not fall
        # on one size only; each job's best run is kept.
        runs: dict[str, list[Run]] = {job[0]: [] for job in jobs}
        for _ in range(repeat):
            for label, *_, once in jobs:
                runs[label].append(once())
        results = [Measured(label, *counts, best(runs[label])) for label, *counts, _ in jobs]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"Machine: {machine()}. Best of {repeat} run(s) each.\n")
    print("\n".join(table(results)))
    checks = targets({m.label: m for m in results}, runs)
    if checks and not args.smoke:
        print("\nTargets:\n" + "\n".join(checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
