"""Workbooks for people: the blank workbooks of `pipeline init`, the problem list, and the
marked-up copies of the departments' workbooks sent back to them.

In: the input contract (and, for the drop-downs, what `inputs/` already holds), or the problems
of a check. Out: `.xlsx` files written with openpyxl, cell text always literal (never a
formula), byte for byte the same when written again, never over an existing file.
"""

from .blank import (
    install_default_templates,
    known_choices,
    write_department_workbook,
    write_office_workbook,
)
from .problem_list import save_problem_list, write_problem_report
from .return_copies import ReturnCopies, write_return_copies

__all__ = [
    "ReturnCopies",
    "install_default_templates",
    "known_choices",
    "save_problem_list",
    "write_department_workbook",
    "write_office_workbook",
    "write_problem_report",
    "write_return_copies",
]
