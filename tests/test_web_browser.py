"""The web page in a real headless Chromium: the office's round trip, a department's link, and
every page at an office screen's and a phone's width (the README's screenshots)."""

from __future__ import annotations

import base64
import importlib.util
import socket
import struct
import threading
import time
from pathlib import Path

import docx
import pytest
from _workbooks import cooperation_row, cooperation_workbook, office_workbook, valid_inputs
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

import pipeline.web.builds
from pipeline import Step
from pipeline.web import prepare_site
from pipeline.web.server import Background

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
WAIT = 60  # seconds; the machine is shared


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


ROSTER = [["部门", "报送内容"], ["区人社局", "工作进展"], ["环保处", "合作交流项目"], ["督察处"]]


def _serving(inputs: Path, outputs: Path):
    """The page served in the background for `inputs`; each face's link, while the test runs."""
    port = free_port()
    site = prepare_site(inputs, outputs, ROOT / "templates", base_url=f"http://127.0.0.1:{port}")
    server = Background(site, port=port)
    try:
        yield {link.who: link.url for link in site.links}
    finally:
        server.stop()


@pytest.fixture
def served(tmp_path):
    """The example inputs; the office lists 督察处 in 报送单位, and 督察处 has sent nothing."""
    inputs = valid_inputs(tmp_path / "in")
    office_workbook(inputs, 报送单位=ROSTER)
    yield from _serving(inputs, tmp_path / "out")


def page_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def wait_for_text(driver, text: str) -> None:
    WebDriverWait(driver, WAIT).until(
        seen.text_to_be_present_in_element((By.TAG_NAME, "body"), text)
    )


def drop_file(driver, selector: str, name: str, data: bytes) -> None:
    """Drop a file on a drop zone as a file dragged from the desktop would be."""
    driver.execute_script(
        """
        const [selector, name, content] = arguments;
        const bytes = Uint8Array.from(atob(content), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name));
        const zone = document.querySelector(selector);
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        """,
        selector,
        name,
        base64.b64encode(data).decode("ascii"),
    )


def test_office_uploads_fixes_builds_and_opens_the_report(chromium, served, tmp_path):
    driver = chromium
    driver.get(served["办公室"])
    assert "报送情况" in driver.title
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 1366

    broken = cooperation_workbook(tmp_path / "broken", "环保处", [cooperation_row(牵头部门=None)])
    driver.find_element(By.ID, "office-file").send_keys(str(broken))  # the file picker
    wait_for_text(driver, "环保处.xlsx › 合作交流项目 › K2（列「牵头部门」）")
    assert "必填，不能为空" in page_text(driver)

    driver.get(served["办公室"])
    fixed = cooperation_workbook(tmp_path / "fixed", "环保处", [cooperation_row()])
    drop_file(driver, "form.dropzone", "环保处.xlsx", fixed.read_bytes())
    wait_for_text(driver, "环保处 没有问题")

    driver.find_element(By.LINK_TEXT, "生成文档").click()
    driver.find_element(By.ID, "build-button").click()
    wait_for_text(driver, "生成完成")
    report = driver.find_element(By.PARTIAL_LINK_TEXT, "工作专报")
    name = report.text
    report.click()
    target = driver.downloads / name
    deadline = time.monotonic() + WAIT
    while not target.is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    document = docx.Document(str(target))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "关于推进现代环境治理体系建设情况的报告" in text


def test_a_department_link_sees_only_its_own_page(chromium, served):
    driver = chromium
    driver.get(served["区人社局"])
    body = page_text(driver)
    assert "区人社局 · 材料报送" in body and "区人社局.xlsx" in body
    assert "环保处" not in driver.page_source and "报告信息" not in driver.page_source
    assert not driver.find_elements(By.CSS_SELECTOR, "nav.sidebar")
    driver.get(served["办公室"].replace("/office/", "/dept/"))
    assert "无法访问" in page_text(driver)


def test_the_office_sees_a_listed_department_that_has_not_submitted(chromium, served):
    driver = chromium
    driver.get(served["办公室"])
    rows = driver.find_elements(By.CSS_SELECTOR, "table.status tbody tr")
    cells = {
        row.find_element(By.TAG_NAME, "td").text: [
            td.text for td in row.find_elements(By.TAG_NAME, "td")
        ]
        for row in rows
    }
    assert cells["督察处"][1:7] == ["—", "—", "—", "—", "—", "未报送"]
    assert cells["环保处"][6] == "已报送"
    assert "未报送：督察处" in page_text(driver)
    driver.get(served["督察处"])
    assert "督察处 · 材料报送" in page_text(driver) and "未报送" in page_text(driver)


def _screenshots():
    """`tools/web_screenshots.py`, which takes the README's screenshots: the test takes the
    same ones into its own folder (docs/images stays as it is)."""
    spec = importlib.util.spec_from_file_location(
        "web_screenshots", ROOT / "tools" / "web_screenshots.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shots = _screenshots()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def example_site(tmp_path):
    """The README's example: the shipped inputs, one error, one listed department not sent."""
    yield from _serving(shots.example_inputs(tmp_path), tmp_path / "out")


def test_screenshots_at_an_office_screen_and_a_phone_show_every_name_whole(
    chromium, example_site, tmp_path
):
    folder = tmp_path / "shots"
    folder.mkdir()
    taken = shots.shoot(chromium, example_site, folder, shots.DEPARTMENT)
    assert sorted(path.name for path in taken) == sorted(
        path.name for path in (ROOT / "docs" / "images").glob("web_*.png")
    )
    for path, faults in taken.items():
        assert faults == [], path.name
        width, height = png_size(path)
        expected = shots.SIZES["_390" if path.stem.endswith("_390") else ""]
        assert width == expected[0] and height >= expected[1], path.name
    # the page was what a reader sees: the office's table, the department's own name
    chromium.get(example_site["办公室"])
    assert "区城管执法局" in page_text(chromium) and "未报送：督察处" in page_text(chromium)


@pytest.mark.parametrize("page", ["", "problems", "build", "archive", "blank"])
def test_every_office_page_fits_a_phone_and_a_narrow_window(chromium, example_site, page):
    for width, height in ((390, 844), (760, 900), (1280, 900)):
        shots.window(chromium, width, height)
        chromium.get(example_site["办公室"] + page)
        assert shots.layout_faults(chromium) == [], (page, width)
    # on a phone the menu is a bar above the page
    shots.window(chromium, 390, 844)
    menu = chromium.find_element(By.CSS_SELECTOR, "nav.sidebar").rect
    content = chromium.find_element(By.CSS_SELECTOR, "main.content").rect
    assert menu["y"] + menu["height"] <= content["y"] and menu["width"] >= 380


def test_the_layout_check_sees_a_broken_name_and_a_page_too_wide(chromium, example_site):
    """The checks above can fail: a name squeezed into one character's width, a wide block."""
    shots.window(chromium, 390, 844)
    chromium.get(example_site["办公室"])
    chromium.execute_script(
        "const name = document.querySelector('td .name');"
        "name.style.whiteSpace = 'normal'; name.style.display = 'inline-block';"
        "name.style.width = '1.5em';"
    )
    faults = shots.layout_faults(chromium)
    assert any("「区人社局」 broken after" in fault for fault in faults), faults
    chromium.execute_script("document.body.style.width = '600px'")
    assert any("page scrolls sideways" in fault for fault in shots.layout_faults(chromium))


def test_the_build_page_names_the_document_converted_and_fills_its_bar(
    chromium, served, monkeypatch
):
    """A build held at its second PDF: the label and the bar as the page polls them."""
    held, release = threading.Event(), threading.Event()
    real_build = pipeline.web.builds.build

    def build_held_at_a_pdf(*args, progress, **kwargs):
        progress(Step("pdf", 1, 4))
        held.set()
        release.wait(WAIT)
        return real_build(*args, progress=progress, **{**kwargs, "pdf": False})

    monkeypatch.setattr(pipeline.web.builds, "build", build_held_at_a_pdf)
    driver = chromium
    driver.get(served["办公室"] + "build")
    driver.find_element(By.CSS_SELECTOR, "input[name=pdf]").click()  # LibreOffice is there
    driver.find_element(By.ID, "build-button").click()
    try:
        wait_for_text(driver, "正在转换 PDF（第 2/4 个）…")
        bar = driver.find_element(By.ID, "build-bar")
        WebDriverWait(driver, WAIT).until(
            lambda _: (
                abs(bar.size["width"] / bar.find_element(By.XPATH, "..").size["width"] - 0.5) < 0.02
            )
        )
    finally:
        release.set()
    wait_for_text(driver, "生成完成")
