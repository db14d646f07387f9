"""Screenshots of `pipeline serve` for the README, and the layout checks made on them: the
office page (报送情况) and a department page, in headless Chromium at 1280×900 (an office
screen) and 390×844 (a phone), each as tall as its page. The office folder is a copy of the
example inputs with one department's workbook given a blank required cell and one listed
department's workbook not yet sent (未报送).

    python tools/web_screenshots.py     # writes docs/images/web_office.png, web_office_390.png,
                                        # web_department.png and web_department_390.png

`tests/test_web_browser.py` takes the same screenshots into a temporary folder and checks each
with `layout_faults`: nothing wider than the window, no name broken inside a word.
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
# name suffix → (width, height) of the window
SIZES = {"": (1280, 900), "_390": (390, 844)}
PHONE_WIDTH = 700  # below this the pages take their narrow layout

# What a reader must see whole: department and file names, the header badge, state badges.
# A line may break inside one only at a space.
_FAULTS = """
const faults = [];
const root = document.documentElement;
// the layout viewport: a phone zooms out to show a page wider than itself (innerWidth grows)
const width = root.clientWidth;
if (root.scrollWidth > width) {
  faults.push(`page scrolls sideways: ${root.scrollWidth} > ${width}`);
}
for (const element of document.querySelectorAll(".name, .who, .badge")) {
  if (!element.getClientRects().length) continue;  // not shown
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  let text = "", tops = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      text += node.data[i];
      tops.push(rect ? Math.round(rect.top) : null);
    }
  }
  for (let i = 1; i < text.length; i++) {
    if (tops[i] === null || tops[i - 1] === null || tops[i] === tops[i - 1]) continue;
    if (!/\\s/.test(text[i - 1]) && !/\\s/.test(text[i])) {
      faults.push(`「${text.trim()}」 broken after 「${text.slice(0, i).trim()}」`);
      break;
    }
  }
  const box = element.getBoundingClientRect();
  if (box.right > width + 0.5 && !element.closest(".scroll")) {
    faults.push(`「${text.trim()}」 runs past the window's edge`);
  }
}
return faults;
"""


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


def example_inputs(folder: Path) -> Path:
    """A copy of the example inputs with one error and one department that has not sent."""
    inputs = folder / "inputs"
    shutil.copytree(ROOT / "inputs", inputs)
    blank_a_required_cell(inputs / f"{DEPARTMENT}.xlsx")
    (inputs / f"{NOT_SENT}.xlsx").unlink()
    return inputs


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1280,900", "--lang=zh-CN"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def window(driver, width: int, height: int) -> None:
    """The page area as on a screen of `width` × `height`, whatever the browser's bars take;
    below `PHONE_WIDTH` as a phone shows it."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < PHONE_WIDTH},
    )


def layout_faults(driver) -> list[str]:
    """What is wrong with the page as shown: sideways scrolling, a name broken inside a word."""
    return driver.execute_script(_FAULTS)


def screenshot(driver, url: str, path: Path, width: int, height: int) -> list[str]:
    """`url` at `width` × `height`, saved as a PNG as tall as the page; its layout faults."""
    window(driver, width, height)
    driver.get(url)
    faults = layout_faults(driver)
    tall = driver.execute_script("return document.documentElement.scrollHeight")
    window(driver, width, max(height, tall))
    driver.save_screenshot(str(path))
    window(driver, width, height)
    return faults


def shoot(driver, links: dict[str, str], folder: Path, department: str) -> dict[Path, list[str]]:
    """The office page and `department`'s page at every size, into `folder`: each file with
    its layout faults."""
    taken = {}
    for suffix, (width, height) in SIZES.items():
        for page, url in (("office", links["办公室"]), ("department", links[department])):
            path = folder / f"web_{page}{suffix}.png"
            taken[path] = screenshot(driver, url, path, width, height)
    return taken


def main() -> int:
    from pipeline.web import prepare_site
    from pipeline.web.server import Background

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        inputs = example_inputs(work)
        port = free_port()
        site = prepare_site(
            inputs, work / "outputs", ROOT / "templates", base_url=f"http://127.0.0.1:{port}"
        )
        server = Background(site, port=port)
        driver = browser()
        try:
            taken = shoot(driver, {link.who: link.url for link in site.links}, IMAGES, DEPARTMENT)
        finally:
            driver.quit()
            server.stop()
    for path, faults in taken.items():
        print(path, *(f"\n  {fault}" for fault in faults))
    return 1 if any(taken.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
