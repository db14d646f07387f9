"""The terminal around the command line: encodings that lack a character, NO_COLOR, signals.

Run in real processes where the behaviour belongs to the process (its standard streams, its
signal handlers, a pseudo-terminal); Windows' GBK console is simulated with PYTHONIOENCODING.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import openpyxl
import pytest
from _examples import example_inputs
from _workbooks import cooperation_row, cooperation_workbook, office_workbook, valid_inputs

from pipeline.cli._terminal import (
    degrade_unprintable,
    interrupted_message,
    printable,
    rich_console,
)
from pipeline.interrupts import Interrupted, signals_interrupt
from pipeline.render.docx_template import PACKAGED_TEMPLATES

ROOT = Path(__file__).resolve().parents[1]
SGR = re.compile(rb"\x1b\[[0-9;]*m")  # colour and style codes; cursor control does not count
posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals or a pty")


def pipeline(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT):
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        cwd=cwd,
        env={**os.environ, "PIPELINE_DEBUG": "1", **(env or {})},
        timeout=300,
    )


def inputs_with_an_error(folder: Path, department: str = "环保处") -> Path:
    office_workbook(folder)
    cooperation_workbook(folder, department, [cooperation_row(牵头部门=None)])
    return folder


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize(
    ("encoding", "text", "shown"),
    [
        ("gbk", "环保处🌿.xlsx › 合作交流项目 › J5", "环保处?.xlsx > 合作交流项目 > J5"),
        ("gbk", "「牵头领导」■…", "「牵头领导」■…"),  # GBK has these
        ("ascii", "■ a › b…「c」—", '# a > b..."c"-'),
        ("utf-8", "\udcbb\udcb7.xlsx", "??.xlsx"),  # file-name bytes that were not UTF-8
    ],
)
def test_stream_degrades_instead_of_raising(encoding, text, shown):
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding=encoding)
    degrade_unprintable(stream, None)
    stream.write(text)
    stream.flush()
    assert buffer.getvalue().decode(encoding) == shown
    assert printable(text, encoding) == shown


def test_printable_leaves_text_alone_without_an_encoding():
    assert printable("环保处🌿", None) == "环保处🌿"
    assert printable("环保处🌿", "no-such-codec") == "环保处🌿"


def test_gbk_console_check_with_problems(tmp_path):
    inputs = inputs_with_an_error(tmp_path / "in", "环保处🌿")
    result = pipeline(
        "check",
        "--inputs",
        str(inputs),
        "--outputs",
        str(tmp_path / "out"),
        env={"PYTHONIOENCODING": "gbk"},
    )
    stderr = result.stderr.decode("gbk")
    assert result.returncode == 1, stderr
    assert "环保处?.xlsx > 合作交流项目 > K2（列「牵头部门」）" in stderr
    assert "\\u" not in stderr and "Traceback" not in stderr
    assert "错误：输入文件中有 1 处错误" in stderr
    (saved,) = (tmp_path / "out").glob("问题清单_*.xlsx")
    listing = openpyxl.load_workbook(saved)["问题清单"]
    assert listing["B2"].value == "环保处🌿.xlsx"  # the file keeps the name as it is


def test_gbk_console_build_succeeds_with_an_emoji_file_name(tmp_path):
    inputs = valid_inputs(tmp_path / "in")
    (inputs / "环保处.xlsx").rename(inputs / "环保处🌿.xlsx")
    outputs = tmp_path / "out"
    result = pipeline(
        "build",
        "--inputs",
        str(inputs),
        "--outputs",
        str(outputs),
        env={"PYTHONIOENCODING": "gbk"},
    )
    assert result.returncode == 0, result.stderr.decode("gbk", "replace")
    stdout = result.stdout.decode("gbk")
    assert "环保处?.xlsx" in stdout and "本次结果已归档到" in stdout
    assert len(list(outputs.iterdir())) == 1


def test_file_name_that_is_not_unicode_reaches_the_problem_list(tmp_path):
    if os.name != "posix" or sys.platform == "darwin":
        pytest.skip("needs a file system that stores names as bytes")
    inputs = inputs_with_an_error(tmp_path / "in")
    # A zip unpacked on Linux keeps GBK bytes in the names: 环保 in GBK is not valid UTF-8.
    name = os.fsdecode(b"\xbb\xb7\xb1\xa3.xlsx")
    (inputs / "环保处.xlsx").rename(inputs / name)
    result = pipeline("check", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 1, stderr
    assert "????.xlsx" in stderr and "Traceback" not in stderr and "内部错误" not in stderr
    (saved,) = (tmp_path / "out").glob("问题清单_*.xlsx")
    assert openpyxl.load_workbook(saved)["问题清单"]["B2"].value == "\ufffd" * 4 + ".xlsx"


# ------------------------------------------------------------------ colour


def run_on_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, bytes]:
    """Run `pipeline` with all three streams on a pseudo-terminal, as in a console window."""
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=cwd,
        env=env,
    )
    os.close(terminal)
    output = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        output.append(chunk)
    os.close(controller)
    return process.wait(timeout=300), b"".join(output)


@posix_only
@pytest.mark.parametrize("passing", [True, False])
def test_no_color_on_a_terminal(tmp_path, passing):
    if passing:
        inputs = valid_inputs(tmp_path / "in")
        office = inputs / "报告信息.xlsx"
        book = openpyxl.load_workbook(office)
        book.create_sheet("备忘")  # an unknown sheet: a notice, in yellow
        book.save(office)
    else:
        inputs = inputs_with_an_error(tmp_path / "in")
    args = ["check", "--inputs", str(inputs), "--outputs", str(tmp_path / "out")]
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR"}}
    env.update(TERM="xterm-256color", COLUMNS="120")
    code, coloured = run_on_terminal(args, env, tmp_path)
    assert code == (0 if passing else 1), coloured.decode("utf-8", "replace")
    assert SGR.search(coloured)  # the terminal does get colour without NO_COLOR
    code, plain = run_on_terminal(args, {**env, "NO_COLOR": "1"}, tmp_path)
    assert code == (0 if passing else 1)
    assert not SGR.search(plain), plain.decode("utf-8", "replace")
    assert ("校验通过" if passing else "错误：输入文件中有 1 处错误") in plain.decode("utf-8")


def test_rich_console_has_no_styles_under_no_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    buffer = io.StringIO()
    console = rich_console(buffer, force_terminal=True)
    console.print("[bold red]警告[/]")
    assert buffer.getvalue() == "警告\n"
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset (no-color.org)
    buffer = io.StringIO()
    rich_console(buffer, force_terminal=True).print("[bold red]警告[/]")
    assert "\x1b[" in buffer.getvalue()


# ------------------------------------------------------------------ signals


@posix_only
def test_sigterm_says_the_run_was_interrupted_and_leaves_nothing(tmp_path):
    inputs, outputs = valid_inputs(tmp_path / "in"), tmp_path / "out"
    # The signal arrives while the run folder is being assembled (documents already in it).
    script = (
        "import os, signal, sys\n"
        "import pipeline.archive.run_folder as run_folder\n"
        "run_folder.sha256_file = lambda path: os.kill(os.getpid(), signal.SIGTERM)\n"
        "from pipeline.cli.commands import main\n"
        "sys.argv[0] = 'pipeline'\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "build", "--inputs", str(inputs), "--outputs", str(outputs)],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 128 + signal.SIGTERM, stderr
    assert "已中断（收到结束信号）：本次运行没有完成，没有生成任何文档" in stderr
    assert "Traceback" not in stderr
    assert list(outputs.iterdir()) == []


# `python -m pipeline` with Ctrl+C at a moment the program announces, not at a time: the moments
# are the interpreter's audit events for the steps the program takes (a module imported, a file
# opened, a folder listed, made or renamed), counted from the moment `cli._start.main` begins to
# load the commands (before it, only the interpreter and the few lines of `cli._start` run).
# Each step counts the first time it is taken (the same module or file again does not), so
# the workbook readers' threads, which may race to import the same module, take the same
# number of steps in every run. With MOMENT n the process raises SIGINT on itself as it takes
# its n-th step, so the interrupt lands there however slow the machine is; with MOMENT 0 the
# steps are only counted, and listed as JSON on the last line of stderr. SIGINT is given
# Python's own handler first: where the tests run with SIGINT ignored (a background job), a
# child process would inherit that.
CTRL_C_AT = """
import json, runpy, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
moment = int(sys.argv.pop(1))
STEPS = {"import", "open", "os.listdir", "os.mkdir", "os.rename", "os.remove", "shutil.copyfile"}
steps, taken = [], set()
def announce(event, args):
    if event == "import" and args[0] == "pipeline.cli.commands" and not steps:
        steps.append("main")
    if not steps or event not in STEPS:
        return
    step = (event, str(args[1] if event == "os.rename" else args[0]))
    if step in taken:
        return
    taken.add(step)
    steps.append(step[1] if event == "os.rename" else event)
    if len(steps) == moment:
        signal.raise_signal(signal.SIGINT)
sys.addaudithook(announce)
if moment == 0:
    import atexit
    atexit.register(lambda: print(json.dumps(steps[:]), file=sys.stderr))
sys.argv[0] = "pipeline"
runpy.run_module("pipeline", run_name="__main__", alter_sys=True)
"""


def _build_interrupted_at(moment: int, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", CTRL_C_AT, str(moment), "build", *args]
    # No .pyc written: the counting run would otherwise take steps the later runs do not.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(command, capture_output=True, cwd=cwd, env=env, timeout=300)


@posix_only
def test_ctrl_c_at_any_moment_ends_in_one_chinese_line_and_leaves_outputs_alone(tmp_path):
    """Ctrl+C from the first module the command loads to the end of a build of the examples:
    before the run folder is in place, the Chinese line, 130 and outputs/ as it was; after,
    the finished run."""
    outputs = tmp_path / "outputs"
    earlier = outputs / "2025-01-01_090000_第94期"
    earlier.mkdir(parents=True)
    (earlier / "manifest.json").write_text("{}", encoding="utf-8")
    args = ("--inputs", str(example_inputs()), "--templates", str(PACKAGED_TEMPLATES))
    args += ("--outputs", str(outputs))
    counted = _build_interrupted_at(0, tmp_path, *args)
    assert counted.returncode == 0, counted.stderr.decode("utf-8")
    steps = json.loads(counted.stderr.decode("utf-8").splitlines()[-1])
    (made,) = [p for p in outputs.iterdir() if p != earlier]
    shutil.rmtree(made)
    published = steps.index(str(made)) + 1  # the step that renames the run folder into place
    imported = max(i for i, step in enumerate(steps, 1) if step == "import" and i < published)
    # Seven moments spread over the build (the first ones while its modules load), the last
    # module it loads before publishing, the publishing itself, the step after it, the last.
    moments = sorted(
        {*range(2, published, published // 7), imported, published - 1, published}
        | {published + 1, len(steps)}
    )
    assert len(moments) >= 11 and steps[moments[0] - 1] == "import"  # of pipeline.cli.commands
    for moment in moments:
        result = _build_interrupted_at(moment, tmp_path, *args)
        stderr = result.stderr.decode("utf-8")
        where = (moment, steps[moment - 1], stderr)
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, where
        made = sorted(p.name for p in outputs.iterdir() if p != earlier)
        if moment <= published:  # the line, and outputs/ as it was
            assert result.returncode == 130, where
            assert stderr.split() == [f"错误：{interrupted_message()}"], where
            assert made == [], where
        else:  # too late: the build is done, and it is whole
            assert result.returncode == 0, where
            assert len(made) == 1 and (outputs / made[0] / "manifest.json").is_file(), where
            shutil.rmtree(outputs / made[0])
        assert (earlier / "manifest.json").read_text(encoding="utf-8") == "{}"


def test_the_command_starts_where_ctrl_c_is_handled_from_the_first_moment():
    """The installed `pipeline` command and `python -m pipeline` both enter through `cli._start`,
    which imports nothing heavy before it can take Ctrl+C."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["pipeline"] == "pipeline.cli._start:main"
    assert "from .cli._start import main" in (ROOT / "pipeline" / "__main__.py").read_text("utf-8")
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, pipeline.cli._start; print(json.dumps(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert not {"click", "pandas", "lxml", "docx", "pipeline.api", "pipeline.cli.commands"} & set(
        json.loads(loaded)
    )


def test_signal_handlers_are_restored_afterwards():
    before = signal.getsignal(signal.SIGTERM)
    with signals_interrupt():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


@posix_only
def test_sigterm_raises_interrupted_in_the_main_thread():
    with pytest.raises(Interrupted) as caught, signals_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs between two bytecodes
            pass
    assert caught.value.exit_code == 143


@posix_only
def test_ctrl_break_is_handled_where_it_exists(monkeypatch):
    # Windows has SIGBREAK (Ctrl+Break); stand in for it with a POSIX signal nobody uses here.
    monkeypatch.setattr(signal, "SIGBREAK", signal.SIGUSR1, raising=False)
    with pytest.raises(Interrupted) as caught, signals_interrupt():
        os.kill(os.getpid(), signal.SIGUSR1)
        for _ in range(1000):
            pass
    assert caught.value.signal_number == signal.SIGUSR1
    assert signal.getsignal(signal.SIGUSR1) is signal.SIG_DFL


def test_signals_that_cannot_be_handled_leave_the_run_alone(monkeypatch):
    """Where a handler cannot be set (not the main thread, a restricted platform), the
    command still runs, with the platform's default behaviour."""

    def refuse(number, handler):
        raise ValueError("signal only works in main thread of the main interpreter")

    monkeypatch.setattr(signal, "signal", refuse)
    ran = False
    with signals_interrupt():
        ran = True
    assert ran
