"""The links of a start: their addresses, the lines printed for the office, and
`outputs/报送链接.xlsx` to send them out from."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ..errors import PipelineError
from ..files import describe_os_error
from ..workbooks.xlsx_write import replace_workbook, set_text
from .access import OFFICE, IssuedLinks

LINKS_FILE = "报送链接.xlsx"
KEPT = "沿用已发出的链接（{created} 生成）；如需重新发送，请用 pipeline serve --new-links 全部重新生成。"


@dataclass(frozen=True)
class Link:
    who: str  # 办公室 or a department
    url: str  # "" for a department whose earlier link stays valid
    note: str = ""

    def line(self) -> str:
        """The console's line; an earlier link only named, its hash cannot be turned back."""
        return f"{self.who}：{self.url or '（沿用已发出的链接）'}"


def link_host(host: str) -> str:
    """The host name others use in a link: this computer's LAN address when listening on all
    interfaces."""
    if host not in ("0.0.0.0", "::", ""):
        return f"[{host}]" if ":" in host else host
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # no packet is sent for a UDP connect
            return probe.getsockname()[0]
    except OSError:
        try:
            return socket.gethostbyname(socket.gethostname())
        except OSError:
            return "127.0.0.1"


def office_path(token: str) -> str:
    return f"/office/{token}/"


def department_path(token: str) -> str:
    return f"/dept/{token}/"


def links(base: str, issued: IssuedLinks, departments: list[str]) -> list[Link]:
    """The office first, then each department in `departments`' order."""
    result = [Link(OFFICE, base + office_path(issued.office))]
    for department in departments:
        if department in issued.departments:
            result.append(Link(department, base + department_path(issued.departments[department])))
        elif department in issued.kept:
            result.append(Link(department, "", KEPT.format(created=issued.kept[department])))
    return result


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAPPED = Alignment(vertical="top", wrap_text=True)


def write_links_file(outputs: Path, items: list[Link]) -> Path:
    """`报送链接.xlsx`: who, link, note; each value literal text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "报送链接"
    for column, (title, width) in enumerate((("单位", 18), ("链接", 90), ("说明", 60)), start=1):
        cell = sheet.cell(row=1, column=column)
        set_text(cell, title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    for row, item in enumerate(items, start=2):
        note = item.note or (
            "办公室专用，每次启动服务时更新，请勿外发。"
            if item.who == OFFICE
            else "仅限本部门使用，请通过内部渠道发给该部门。"
        )
        for column, value in enumerate((item.who, item.url, note), start=1):
            cell = sheet.cell(row=row, column=column)
            set_text(cell, value)
            cell.alignment = _WRAPPED
    sheet.freeze_panes = "A2"
    path = outputs / LINKS_FILE
    try:
        replace_workbook(workbook, path)
    except OSError as exc:
        raise PipelineError(
            f"无法写入 {path}：{describe_os_error(exc)}。如果该文件正在 Excel 中打开，请先关闭。"
        ) from None
    return path
