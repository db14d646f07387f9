"""`pipeline serve` as the office starts it: in its own folder, with no path options, after a
`pipeline build` and a `pipeline check` that wrote return copies. Every link and download
button of the office's page and of a department's page is followed, and every file handed
out is compared with the file on disk, or with what the command line writes for it."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import openpyxl
import pytest
from _crawl import Crawl, Download, crawl
from _served import Server, office_folder, pipeline
from conftest import tool_missing

from pipeline import ToolMissing, check_copy_tools, init_workbooks

WRONG = "环保处"  # its workbook gets a wrong 序号: it has problems and a return copy
CLEAN = "绿林处"  # changed between the two builds: the 变更对照 has something to show
posix_only = pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")


def _copies_available() -> bool:
    try:
        check_copy_tools(pdf=True, ofd=True)
    except ToolMissing:
        return False
    return True


def _edit(workbook: Path, cell: str, value: object) -> None:
    book = openpyxl.load_workbook(workbook)
    book.worksheets[0][cell] = value
    book.save(workbook)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The office's folder after two builds (the first with PDF and OFD copies where the tools
    are installed, the second with a 变更对照) and a check that wrote a return copy, served."""
    folder = office_folder(tmp_path_factory.mktemp("office") / "办公室")
    copies = ["--pdf", "--ofd"] if _copies_available() else []
    first = pipeline(folder, "build", *copies)
    assert first.returncode == 0, first.stderr
    _edit(folder / "inputs" / f"{CLEAN}.xlsx", "D3", "本期更新的合作交流内容 & <细节>")
    second = pipeline(folder, "build")
    assert second.returncode == 0, second.stderr
    _edit(folder / "inputs" / f"{WRONG}.xlsx", "B3", "甲")
    check = pipeline(folder, "check")
    assert check.returncode == 1 and list((folder / "outputs").glob("退回_*")), check.stderr
    with Server(folder) as server:
        yield folder, server, bool(copies)


def department_links(folder: Path) -> dict[str, str]:
    """单位 → 链接, from outputs/报送链接.xlsx, which the office sends the links out from."""
    sheet = openpyxl.load_workbook(folder / "outputs" / "报送链接.xlsx").active
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def runs(folder: Path) -> list[str]:
    """The run folders, oldest first."""
    outputs = folder / "outputs"
    return sorted(p.parent.name for p in outputs.glob("*/manifest.json"))


def archived_files(folder: Path) -> set[tuple[str, str]]:
    """(run, file) for every file a run's manifest lists for download."""
    listed = set()
    for run in runs(folder):
        manifest = json.loads((folder / "outputs" / run / "manifest.json").read_text("utf-8"))
        for key in ("documents", "pdfs", "ofds"):
            listed |= {(run, entry["file"]) for entry in manifest.get(key, [])}
        if manifest.get("change_report"):
            listed.add((run, manifest["change_report"]["file"]))
    return listed


def problem_rows(data: bytes | Path) -> list[tuple]:
    source = data if isinstance(data, Path) else io.BytesIO(data)
    sheet = openpyxl.load_workbook(source)["问题清单"]
    return [row for row in sheet.iter_rows(min_row=2, values_only=True) if any(row)]


class CommandLine:
    """What the command line writes for the same requests, each made once, when needed."""

    def __init__(self, folder: Path, scratch: Path) -> None:
        self.folder, self.scratch = folder, scratch
        self._made: dict[str, Path] = {}

    def _once(self, key: str, *args: str, seed: Path | None = None) -> Path:
        if key not in self._made:
            inputs = self.scratch / key / "inputs"
            inputs.mkdir(parents=True)
            if seed is not None:
                shutil.copy(seed, inputs)
            result = pipeline(self.scratch / key, *args)
            assert result.returncode == 0, result.stderr
            self._made[key] = inputs
        return self._made[key]

    def office_blank(self) -> bytes:
        return (self._once("office", "init", "--office") / "报告信息.xlsx").read_bytes()

    def department_blank(self, department: str) -> bytes:
        """`pipeline init` beside the office's workbook only, as a department's page makes it
        (so it shows no region that only another department reported)."""
        office = self.folder / "inputs" / "报告信息.xlsx"
        return (self._once("office-only", "init", seed=office) / f"{department}.xlsx").read_bytes()

    def office_department_blank(self, department: str) -> bytes:
        """What `pipeline init <部门>` writes beside every other workbook of inputs/."""
        inputs = self.scratch / f"beside-{department}"
        shutil.copytree(self.folder / "inputs", inputs, dirs_exist_ok=True)
        (inputs / f"{department}.xlsx").unlink(missing_ok=True)
        (written,) = init_workbooks(inputs, [department]).written
        return written.read_bytes()

    def carried(self, run: str, department: str) -> bytes:
        run_folder = str(self.folder / "outputs" / run)
        inputs = self._once(f"from-{run}", "init", "--from", run_folder)
        return (inputs / f"{department}.xlsx").read_bytes()

    def problems(self) -> list[tuple]:
        """The rows of the problem list `pipeline check` saved."""
        saved = sorted((self.folder / "outputs").glob("问题清单_*.xlsx"))[-1]
        return problem_rows(saved)


def mismatches(downloads: list[Download], folder: Path, cli: CommandLine) -> list[str]:
    """Each download that is empty or differs from its source."""
    outputs = folder / "outputs"
    wrong = []
    for download in downloads:
        parts = download.path.split("/")[3:]  # after /office/<token>/ or /dept/<token>/
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(download.url).query)
        name = query.get("name", [""])[0]
        newest = runs(folder)[-1]
        if not download.data:
            wrong.append(f"{download.path}: empty")
            continue
        match parts:
            case ["archive", "compare"]:
                expected = (outputs / download.name).read_bytes()
            case ["archive", run, _]:
                expected = (outputs / run / download.name).read_bytes()
            case ["returns", returns, _]:
                department = download.name.split("_退回_")[0]
                expected = (outputs / returns / f"{department}.xlsx").read_bytes()
            case ["return.xlsx"]:  # a department's marked-up copy, written into outputs/
                department = download.name.removesuffix("_标注.xlsx")
                written = [p.read_bytes() for p in outputs.glob(f"退回_*/{department}.xlsx")]
                expected = download.data if download.data in written else b"not in outputs/"
            case ["blank", "office"]:
                expected = cli.office_blank()
            case ["blank", "department"]:
                expected = cli.office_department_blank(name)
            case ["blank", "carried"]:
                expected = cli.carried(query.get("run", [newest])[0], name)
            case ["blank.xlsx"]:
                expected = cli.department_blank(download.name.removesuffix(".xlsx"))
            case ["carried.xlsx"]:
                expected = cli.carried(newest, download.name.removesuffix(".xlsx"))
            case ["problems.xlsx"]:  # made on the spot, dated: its rows are check's
                rows, saved = problem_rows(download.data), cli.problems()
                if not rows or any(row not in saved for row in rows):
                    wrong.append(f"{download.path}: rows {rows} not in check's {saved}")
                continue
            case _:
                wrong.append(f"{download.path}: a download this test does not know")
                continue
        if download.data != expected:
            wrong.append(f"{download.path} ({download.name}): differs from its source")
    return wrong


def assert_no_failures(result: Crawl, server: Server) -> None:
    assert result.failures == [], result.failures
    assert "Traceback" not in server.window and "网页出错" not in server.window, server.window


@pytest.fixture(scope="module")
def office_crawl(office) -> Crawl:
    """Everything the office's link offers, followed once for the module."""
    _, server, _ = office
    return crawl(server.office_url, fill_text=WRONG)


def _names(downloads: list[Download], route: str) -> set[str]:
    """The departments (`name=`) of the downloads of a route."""
    return {
        urllib.parse.parse_qs(urllib.parse.urlsplit(d.url).query).get("name", [""])[0]
        for d in downloads
        if route in d.path
    }


def _archived(downloads: list[Download]) -> set[tuple[str, str]]:
    """(run, file) of the archive's downloads."""
    return {(d.path.split("/")[4], d.name) for d in downloads if "/archive/" in d.path}


def test_every_link_and_download_of_the_office_page_works(office, office_crawl, tmp_path):
    folder, server, _ = office
    assert department_links(folder)["办公室"] == server.office_url  # printed and in the file
    assert_no_failures(office_crawl, server)
    assert mismatches(office_crawl.downloads, folder, CommandLine(folder, tmp_path)) == []


def test_the_office_crawl_reached_every_page_and_download(office, office_crawl):
    folder, _, _ = office
    downloads = office_crawl.downloads
    pages = {v.url.split("/")[5].split("?")[0] for v in office_crawl.pages}
    assert {"", "problems", "build", "archive", "blank"} <= pages, pages
    archived = _archived(downloads)
    assert archived_files(folder) <= archived  # every document, copy and 变更对照 of every run
    assert any(name.endswith("变更对照.xlsx") for _, name in archived)
    kinds = {tuple(d.path.split("/")[3:5]) for d in downloads}
    expected = [("archive", "compare"), ("blank", "office"), ("problems.xlsx",)]
    assert set(expected) <= kinds, kinds
    assert any(d.path.split("/")[3] == "returns" for d in downloads)
    departments = set(department_links(folder)) - {"办公室"}
    assert departments <= _names(downloads, "/blank/department")  # a blank workbook each
    assert departments <= _names(downloads, "/blank/carried")  # and one carried forward
    left_out = set(office_crawl.left_out)
    assert left_out and all(path.endswith(("/upload", "/build", "/verify")) for path in left_out)


def test_pdf_and_ofd_copies_are_downloaded_where_the_tools_are_installed(office, office_crawl):
    if not office[2]:
        tool_missing("LibreOffice or the OFD converter is not installed")
    suffixes = {Path(name).suffix for _, name in _archived(office_crawl.downloads)}
    assert suffixes == {".docx", ".pdf", ".ofd", ".xlsx"}


@pytest.mark.parametrize("department", [WRONG, CLEAN])
def test_every_link_and_download_of_a_department_page_works(office, tmp_path, department):
    folder, server, _ = office
    result = crawl(department_links(folder)[department], fill_text=department)
    assert_no_failures(result, server)
    assert mismatches(result.downloads, folder, CommandLine(folder, tmp_path)) == []
    offered = {d.path.split("/")[3] for d in result.downloads}
    expected = {"blank.xlsx", "carried.xlsx"}
    if department == WRONG:
        expected |= {"return.xlsx", "problems.xlsx"}
    assert offered == expected
    assert {d.name for d in result.downloads} >= {f"{department}.xlsx"}


# ---------------------------------------------------------------- every command's folders


def test_every_path_option_of_every_command_is_made_absolute_against_the_current_folder(
    tmp_path, monkeypatch
):
    from pipeline.cli._options import LocalPath
    from pipeline.cli.commands import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "inputs").mkdir()
    converted = {}
    for name, command in cli.commands.items():
        for param in command.params:
            if isinstance(param.type, LocalPath):
                typed = "inputs" if param.type.folder else "timings.json"
                value = param.type.convert(typed, param, None)
                assert value == Path.cwd() / typed and value.is_absolute(), (name, param.name)
                converted.setdefault(name, set()).add(param.name)
    assert converted == {
        "build": {"inputs", "outputs", "templates", "compare", "timings"},
        "check": {"inputs", "outputs"},
        "verify": {"run_folder"},
        "diff": {"run_a", "run_b", "outputs"},
        "init": {"inputs", "templates", "run_folder"},
        "serve": {"inputs", "outputs", "templates"},
    }


# ---------------------------------------------------------------- a failed request


# A document that goes between the archive's listing and its sending (deleted behind the
# server's back at the worst moment): the one failure the pages cannot turn into a message.
# Patched where the archive page looks the name up.
VANISHING = (
    "import pipeline.web.office as office\n"
    "found = office.run_document\n"
    "def vanishing(run, number):\n"
    "    document = found(run, number)\n"
    "    if document is not None:\n"
    "        document[0].unlink()\n"
    "    return document\n"
    "office.run_document = vanishing\n"
)


def test_a_failed_request_is_one_chinese_line_and_its_traceback_goes_to_the_log(tmp_path):
    folder = office_folder(tmp_path / "办公室")
    assert pipeline(folder, "build").returncode == 0
    with Server(folder, setup=VANISHING) as server:
        office = server.office_url
        token = office.rstrip("/").rsplit("/", 1)[1]
        archive = crawl_page(office + "archive")
        (document, *_) = [link for link in archive if "/archive/" in link]
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(urllib.parse.urljoin(office, document), timeout=60)
        assert failed.value.code == 500
        assert "出错了" in failed.value.read().decode("utf-8")
        assert server.stop() in (0, 1)  # 1: Windows, where it is terminated
    log = folder / "outputs" / "网页日志.log"
    (line,) = [text for text in server.window.splitlines() if "网页出错" in text]
    assert line.startswith("网页出错：GET /office/***/archive/") and "路径不存在" in line, line
    assert line.endswith(f"详细记录已写入 {log}"), line
    assert "Traceback" not in server.window and "FileNotFoundError" not in server.window
    assert token not in line
    written = log.read_text(encoding="utf-8-sig")
    assert "Traceback" in written and "FileNotFoundError" in written, written
    assert "/office/***/archive/" in written and token not in written


def crawl_page(url: str) -> list[str]:
    """The links of one page."""
    from _crawl import PageParser

    parser = PageParser("")
    with urllib.request.urlopen(url, timeout=60) as response:
        parser.feed(response.read().decode("utf-8"))
    return parser.links


# ---------------------------------------------------------------- stopping the page


@posix_only
def test_ctrl_c_says_the_page_has_stopped(tmp_path):
    with Server(office_folder(tmp_path / "办公室")) as server:
        assert server.stop(signal.SIGINT) == 0, server.window
    assert "".join(server.stdout).endswith("\n网页已停止。\n"), server.window
    assert "".join(server.stderr) == "", server.window  # no 错误：已中断…, no traceback


@posix_only
def test_a_termination_signal_says_the_page_has_stopped_and_exits_143(tmp_path):
    with Server(office_folder(tmp_path / "办公室")) as server:
        assert server.stop(signal.SIGTERM) == 128 + signal.SIGTERM, server.window
    assert "".join(server.stdout).endswith("\n网页已停止（收到结束信号）。\n"), server.window
    assert "".join(server.stderr) == "", server.window


# ---------------------------------------------------------------- in a real browser


def _downloaded(folder: Path, name: str) -> bytes:
    """The file Chromium saved as `name`, once it has finished."""
    target = folder / name
    deadline = time.monotonic() + 60
    last_size = -1
    # Finished: the file is there, nothing is still being written (Chromium's .crdownload),
    # and its size held between two looks.
    while time.monotonic() < deadline:
        if target.is_file() and not any(folder.glob("*.crdownload")):
            size = target.stat().st_size
            if size == last_size and size > 0:
                break
            last_size = size
        time.sleep(0.2)
    assert target.is_file(), sorted(p.name for p in folder.iterdir())
    return target.read_bytes()


@pytest.mark.browser
def test_a_browser_saves_what_is_on_disk(office, chromium):
    """The oldest run's documents (with their PDF and OFD copies where the tools are there) and
    the department's marked-up copy, clicked in Chromium."""
    from selenium.webdriver.common.by import By

    folder, server, _ = office
    outputs = folder / "outputs"
    chromium.get(server.office_url + "archive")
    oldest = chromium.find_elements(By.CSS_SELECTOR, "section.run")[-1]
    run = oldest.find_element(By.TAG_NAME, "h2").text
    links = oldest.find_elements(By.CSS_SELECTOR, "a.doc")
    assert links
    for link in links:
        name = link.text
        link.click()
        assert _downloaded(chromium.downloads, name) == (outputs / run / name).read_bytes()
    chromium.get(department_links(folder)[WRONG])
    chromium.find_element(By.XPATH, "//button[text()='下载标注副本']").click()
    saved = _downloaded(chromium.downloads, f"{WRONG}_标注.xlsx")
    assert saved in [p.read_bytes() for p in outputs.glob(f"退回_*/{WRONG}.xlsx")]
