"""Screenshots of `pipeline serve` for the README: the office page and a department page,
in headless Chromium at 1366×768 (an office screen), from a copy of the example inputs with
one department's workbook given a blank required cell and one listed department's workbook
not yet sent (未报送).

    python tools/web_screenshots.py            # writes docs/images/web_office.png, web_department.png
"""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
from pathlib import Path

import openpyxl
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
DEPARTMENT = "供排水处"
NOT_SENT = "督察处"  # listed in 报送单位; its workbook is left out of the copy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def blank_a_required_cell(path: Path) -> None:
    """Empty 牵头部门 in the first data row of 合作交流项目, as a clerk might forget it."""
    book = openpyxl.load_workbook(path)
    sheet = book["合作交流项目"]
    for row in sheet.iter_rows(min_row=1, max_row=10):
        names = [cell.value for cell in row]
        if "牵头部门" in names:
            sheet.cell(row=row[0].row + 1, column=names.index("牵头部门") + 1).value = None
            break
    book.save(path)


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1366,768", "--lang=zh-CN"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def main() -> int:
    from pipeline.web import prepare_site
    from pipeline.web.server import Background

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        inputs = work / "inputs"
        shutil.copytree(ROOT / "inputs", inputs)
        blank_a_required_cell(inputs / f"{DEPARTMENT}.xlsx")
        (inputs / f"{NOT_SENT}.xlsx").unlink()
        port = free_port()
        site = prepare_site(
            inputs, work / "outputs", ROOT / "templates", base_url=f"http://127.0.0.1:{port}"
        )
        links = {link.who: link.url for link in site.links}
        server = Background(site, port=port)
        driver = browser()
        try:
            # the page area of a 1366×768 screen, whatever the browser's own bars take
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False},
            )
            driver.get(links["办公室"])
            # the whole 报送情况 table, down to the department that has not sent its workbook
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {
                    "width": 1366,
                    "height": max(768, height),
                    "deviceScaleFactor": 1,
                    "mobile": False,
                },
            )
            driver.save_screenshot(str(IMAGES / "web_office.png"))
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False},
            )
            driver.get(links[DEPARTMENT])
            driver.save_screenshot(str(IMAGES / "web_department.png"))
        finally:
            driver.quit()
            server.stop()
    print(IMAGES / "web_office.png", IMAGES / "web_department.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
