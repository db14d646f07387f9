"""Terminal output for the department loop: the 报送情况 table, who has not submitted, and
where the marked-up copies went."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import click

from ..model import SubmissionStatus
from ._table import box_table

if TYPE_CHECKING:
    from ..workbooks import ReturnCopies

TIME_FORMAT = "%Y-%m-%d %H:%M"
COLUMNS = ("部门", "工作簿", "修改时间", "行数", "错误", "提示", "状态")


def submissions_table(status: SubmissionStatus, width: int | None = None) -> str:
    """The 报送情况 table as text, one line per department."""
    rows = [
        (
            item.department + ("" if item.listed else "（未列入）"),
            item.workbook or "—",
            item.modified.strftime(TIME_FORMAT) if item.modified else "—",
            str(item.rows) if item.workbook else "—",
            str(item.errors) if item.workbook else "—",
            str(item.notices) if item.workbook else "—",
            item.status,
        )
        for item in status.submissions
    ]
    width = width or shutil.get_terminal_size((100, 24)).columns
    return box_table("报送情况", COLUMNS, rows, width=width, right=frozenset({3, 4, 5}))


def outstanding_line(status: SubmissionStatus) -> str:
    """`未报送：督察处、绿林处（缺合作交流项目）`, or why it cannot be said."""
    if not status.has_roster:
        return "（在 报告信息.xlsx 中填写工作表「报送单位」，即可列出未报送的部门。）"
    return "未报送：" + ("、".join(status.outstanding) or "无")


def show_submissions(status: SubmissionStatus | None) -> None:
    """The table and the 未报送 line, at the end of a check or build."""
    if status is None or (not status.submissions and not status.has_roster):
        return
    if status.submissions:
        click.echo(submissions_table(status))
    click.echo(outstanding_line(status))


def show_return_copies(copies: ReturnCopies) -> None:
    if copies.folder is not None:
        click.echo(
            f"退回副本已保存：{copies.folder}（{len(copies.written)} 个工作簿，问题单元格已标色并加批注，"
            "可直接发回各部门）",
            err=True,
        )
    for file, reason in copies.skipped:
        click.echo(f"未能为 {file} 生成退回副本：{reason}。请按问题清单告知该部门。", err=True)
