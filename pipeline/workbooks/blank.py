"""Blank workbooks for the departments and the office, built from the input contract.

Every sheet, column and field comes from `contract`; this module only decides how they look:
styled and frozen header rows, column widths, wrapped text, drop-down lists and number checks,
and a first sheet `填写说明` that explains each column in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .. import contract
from ..contract import INSTRUCTIONS_SHEET, Column, KeyValueSheet, TableSheet
from ..render import PACKAGED_TEMPLATES
from .prefill import UPDATE_MARK, Rows, fill_rows, period_update_columns, write_value
from .xlsx_write import (
    ListSource,
    list_validation,
    refuse_existing,
    save_new,
    set_text,
    whole_validation,
)

if TYPE_CHECKING:
    from ..validate import ValidatedInputs

FIRST_DATA_ROW = 2
LAST_DATA_ROW = 1000  # drop-downs and number checks cover this many rows

REQUIRED = "必填"
OPTIONAL = "选填"
PLAN_COLUMN_WIDTH = 24
KEY_WIDTH = 16
VALUE_WIDTH = 70
# Short text columns get the text format so Excel keeps `2025.1` or a phone number as typed;
# long ones stay General because Excel shows a text-format cell over 255 characters as ####.
SHORT_TEXT_WIDTH = 20


_HEADER_FONT = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
_DATA_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
_NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy/m/d h:mm:ss"}
_DATA_CELLS: dict[str, Any] = {"first_row": FIRST_DATA_ROW, "alignment": _DATA_ALIGNMENT}


def _contract_column(sheet: TableSheet, name: str) -> str:
    if sheet.column(name) is None:
        raise LookupError(f"the contract's sheet {sheet.name} has no column {name}")
    return name


# The outline's two levels are also the heading columns of 工作进展.
TOP_HEADING, SUB_HEADING = contract.OUTLINE_SHEET.names
REGION = _contract_column(contract.COOPERATION_SHEET, "对口地区")
PLANS_AFTER = _contract_column(contract.COOPERATION_SHEET, "预计完成时间")
for _name in (TOP_HEADING, SUB_HEADING):
    _contract_column(contract.PROGRESS_SHEET, _name)


# ---------------------------------------------------------------- cells


def _style_header(cell: Cell, required: bool) -> None:
    cell.font = _HEADER_FONT
    cell.fill = _REQUIRED_FILL if required else _OPTIONAL_FILL
    cell.alignment = _HEADER_ALIGNMENT


def _distinct(values: Iterable[str | None]) -> list[str]:
    """Non-empty values, trimmed, first occurrence first."""
    seen: dict[str, None] = {}
    for value in values:
        text = (value or "").strip()
        if text:
            seen.setdefault(text, None)
    return list(seen)


# ---------------------------------------------------------------- sheets


def _write_table_sheet(
    sheet: Worksheet,
    columns: Sequence[Column],
    lists: ListSource,
    choices: dict[str, tuple[list[str], bool]],
) -> None:
    """A header row from the contract, and per column its width, format and validation.

    `choices` maps a column name to (allowed values, strict) for lists not fixed by the contract.
    """
    for index, column in enumerate(columns, start=1):
        header = sheet.cell(row=1, column=index)
        set_text(header, column.name)
        _style_header(header, column.required)
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        # a column's style is what Excel gives to the cells a user types into
        dimension.alignment = _DATA_ALIGNMENT
        if column.kind in _NUMBER_FORMATS:
            dimension.number_format = _NUMBER_FORMATS[column.kind]
        elif column.kind == "text" and column.width <= SHORT_TEXT_WIDTH:
            dimension.number_format = "@"

        validation = None
        if column.name in choices:
            values, strict = choices[column.name]
            if values:
                formula = lists.formula(column.name, values)
                validation = list_validation(formula, column.name, column.help, strict=strict)
        elif column.kind == "choice" and column.choices:
            formula = lists.formula(column.name, list(column.choices))
            validation = list_validation(formula, column.name, column.help)
        elif column.kind in ("int", "number"):
            validation = whole_validation(column.name, column.help)
        if validation is not None:
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_DATA_ROW}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"


def _field_note(field: contract.Field) -> str:
    parts = [REQUIRED if field.required else OPTIONAL]
    if field.help:
        parts.append(field.help)
    if field.example:
        parts.append(f"示例：{field.example}")
    return "。".join(part.rstrip("。") for part in parts) + "。"


def _write_key_value_sheet(sheet: Worksheet, spec: KeyValueSheet) -> None:
    """Header 字段|内容, column A prefilled with the field names, column B left for the values.

    The explanation of each field is a comment on its name, so the sheet keeps two columns.
    """
    for index, title in enumerate(spec.header, start=1):
        cell = sheet.cell(row=1, column=index)
        set_text(cell, title)
        _style_header(cell, required=index == 2)
    for row, field in enumerate(spec.fields, start=2):
        name = sheet.cell(row=row, column=1)
        set_text(name, field.name)
        name.font = _HEADER_FONT
        name.fill = _REQUIRED_FILL if field.required else _OPTIONAL_FILL
        name.alignment = Alignment(vertical="top")
        name.comment = Comment(_field_note(field), "办公室", width=260, height=110)
        value = sheet.cell(row=row, column=2)
        value.alignment = _DATA_ALIGNMENT
        if field.kind in _NUMBER_FORMATS:
            value.number_format = _NUMBER_FORMATS[field.kind]
        elif field.kind == "int":
            whole = whole_validation(field.name, "")
            whole.add(value.coordinate)
            sheet.add_data_validation(whole)
    sheet.column_dimensions["A"].width = KEY_WIDTH
    sheet.column_dimensions["B"].width = VALUE_WIDTH
    sheet.freeze_panes = "A2"


class _Instructions:
    """The 填写说明 sheet: a title, some lines of text, and one table of columns per sheet."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 0
        for letter, width in (("A", 20), ("B", 10), ("C", 80)):
            sheet.column_dimensions[letter].width = width

    def title(self, text: str) -> None:
        self.row += 1
        cell = self.sheet.cell(row=self.row, column=1)
        set_text(cell, text)
        cell.font = _TITLE_FONT

    def line(self, text: str, *, bold: bool = False) -> None:
        self.row += 1
        cell = self.sheet.cell(row=self.row, column=1)
        set_text(cell, text)
        if bold:
            cell.font = _HEADER_FONT

    def blank(self) -> None:
        self.row += 1

    def rows(self, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        self.row += 1
        for index, title in enumerate(header, start=1):
            cell = self.sheet.cell(row=self.row, column=index)
            set_text(cell, title)
            _style_header(cell, required=False)
        for values in rows:
            self.row += 1
            for index, value in enumerate(values, start=1):
                cell = self.sheet.cell(row=self.row, column=index)
                set_text(cell, value)
                cell.alignment = _DATA_ALIGNMENT

    def table_sheet(
        self, spec: TableSheet, columns: Sequence[Column], update: Iterable[str] = ()
    ) -> None:
        self.blank()
        self.line(f"工作表「{spec.name}」：{spec.purpose}", bold=True)
        marked = set(update)

        def help_text(column: Column) -> str:
            text = column.help or "—"
            return f"{UPDATE_MARK}{text}" if column.name in marked else text

        self.rows(
            ("列名", "必填/选填", "填写说明"),
            ((c.name, REQUIRED if c.required else OPTIONAL, help_text(c)) for c in columns),
        )

    def key_value_sheet(self, spec: KeyValueSheet) -> None:
        self.blank()
        self.line(f"工作表「{spec.name}」：{spec.purpose}", bold=True)
        self.line(f"在「{spec.header[1]}」列填写各字段的值；「{spec.header[0]}」列不要改动。")
        self.rows(
            (spec.header[0], "必填/选填", "填写说明"),
            ((f.name, REQUIRED if f.required else OPTIONAL, _field_help(f)) for f in spec.fields),
        )


def _field_help(field: contract.Field) -> str:
    parts = [
        p.rstrip("。") for p in (field.help, f"示例：{field.example}" if field.example else "")
    ]
    text = "；".join(p for p in parts if p)
    return text + "。" if text else "—"


_COMMON_RULES = (
    "各工作表第一行是表头，请勿修改、删除列名；从第二行起每行填写一条。列的顺序可以调整。",
    "表头为橙色底色的列必填，蓝色底色的列选填（个别列在特定情况下必填，见下表说明）。",
    "带下拉箭头的列请从下拉列表中选择；序号、排序等列填写大于等于 1 的整数。",
    "单元格内换行（Alt+Enter）表示另起一段。",
    "不涉及的工作表留空即可，请勿删除或改名。文件请保存为 .xlsx 格式。",
)


def _cooperation_columns(years: Sequence[int]) -> list[Column]:
    plans = [
        Column(contract.plan_column(year), False, f"{year}年的计划安排", width=PLAN_COLUMN_WIDTH)
        for year in sorted(set(years))
    ]
    columns: list[Column] = []
    for column in contract.COOPERATION_SHEET.columns:
        columns.append(column)
        if column.name == PLANS_AFTER:
            columns.extend(plans)
    return columns


# ---------------------------------------------------------------- the two workbooks


def write_department_workbook(
    path: Path,
    department: str,
    *,
    regions: Sequence[str] = (),
    outline: Sequence[tuple[str, str | None]] = (),
    years: Sequence[int] = (),
    rows: Rows | None = None,
) -> None:
    """A blank department workbook: 填写说明, 工作进展, 合作交流项目 (and a hidden `_选项`).

    With `rows` (sheet name → rows), the sheets are pre-filled with them, and the columns a
    department updates every period are marked in 填写说明 and shaded.
    """
    refuse_existing(path)
    region_values = _distinct(regions)
    top_values = _distinct(top for top, _ in outline)
    sub_values = _distinct(sub for _, sub in outline)
    cooperation_columns = _cooperation_columns(years)

    workbook = Workbook()
    guide = _Instructions(workbook.active)
    guide.sheet.title = INSTRUCTIONS_SHEET
    progress = workbook.create_sheet(contract.PROGRESS)
    cooperation = workbook.create_sheet(contract.COOPERATION)
    lists = ListSource(workbook)

    _write_table_sheet(
        progress,
        contract.PROGRESS_SHEET.columns,
        lists,
        {TOP_HEADING: (top_values, True), SUB_HEADING: (sub_values, True)},
    )
    # A region outside the office's list is allowed after a warning: validation does not
    # check regions, and a department may report a new one.
    _write_table_sheet(cooperation, cooperation_columns, lists, {REGION: (region_values, False)})
    lists.move_last()
    update: dict[str, list[str]] = {}
    if rows is not None:
        for sheet, columns in (
            (progress, contract.PROGRESS_SHEET.columns),
            (cooperation, cooperation_columns),
        ):
            update[sheet.title] = period_update_columns(sheet.title, columns)
            fill_rows(sheet, columns, rows.get(sheet.title, ()), update[sheet.title], **_DATA_CELLS)

    specs = [contract.TABLE_SHEETS[name] for name in contract.DEPARTMENT_SHEETS]
    guide.title(f"{department} 报送表 填写说明")
    guide.line(f"本工作簿供{department}向办公室报送材料，文件名即部门名称，请勿改名。包括：")
    for spec in specs:
        guide.line(f"· 工作表「{spec.name}」：{spec.purpose}")
    for rule in _COMMON_RULES:
        guide.line(f"· {rule}")
    guide.line(
        "· 办公室校验发现问题时，会退回本工作簿的标注副本：红色单元格是错误，黄色是提示，"
        f"批注写明怎么改，第一个工作表「{contract.RETURN_SHEET}」列出全部问题。改好后直接发回即可。"
    )
    if top_values:
        guide.blank()
        guide.line(
            f"本期提纲（「{contract.PROGRESS}」的{TOP_HEADING}、{SUB_HEADING}须与此一致）：",
            bold=True,
        )
        guide.rows(
            (TOP_HEADING, SUB_HEADING),
            ((top, (sub or "").strip()) for top, sub in outline if (top or "").strip()),
        )
    if region_values:
        guide.blank()
        guide.line(f"{REGION}：" + "、".join(region_values), bold=True)
    if years:
        ordered = sorted(set(years))
        guide.line(f"计划年度：{ordered[0]}—{ordered[-1]}年，每年一列「{{年}}年计划」。", bold=True)
    if rows is not None:
        guide.blank()
        guide.line(
            f"本工作簿已填入{department}上一期报送的内容。浅黄色底色的列（填写说明中标有"
            f"{UPDATE_MARK}）是每期需要更新的内容，请逐行更新；其他列没有变化的不必改动，"
            "不再报送的行请整行删除，新的事项或段落在下方添加新行。",
            bold=True,
        )
    guide.table_sheet(
        contract.PROGRESS_SHEET, contract.PROGRESS_SHEET.columns, update.get(contract.PROGRESS, ())
    )
    guide.table_sheet(
        contract.COOPERATION_SHEET, cooperation_columns, update.get(contract.COOPERATION, ())
    )

    workbook.properties.title = f"{department}报送表"
    save_new(workbook, path)


# Office sheets whose 对口地区 column offers the regions already in the inputs.
OFFICE_REGION_SHEETS = (contract.TABLE_NOTES, contract.REGION_REMARKS)
for _name in OFFICE_REGION_SHEETS:
    _contract_column(contract.TABLE_SHEETS[_name], REGION)


def write_office_workbook(
    path: Path,
    *,
    regions: Sequence[str] = (),
    fields: Mapping[str, Mapping[str, Any]] | None = None,
    rows: Rows | None = None,
    years: Sequence[int] = (),
) -> None:
    """The office workbook (`报告信息.xlsx`): 填写说明 and every office sheet of the contract.

    `regions` (those the department workbooks already name) become a drop-down list in the
    对口地区 columns of 项目表注 and 地区说明. `fields` (sheet → field → value) and `rows`
    (sheet → rows) pre-fill it; a department sheet in `rows` (the office's own 工作进展 rows)
    is added after the office sheets.
    """
    refuse_existing(path)
    region_values = _distinct(regions)
    fields = fields or {}
    rows = rows or {}
    workbook = Workbook()
    guide = _Instructions(workbook.active)
    guide.sheet.title = INSTRUCTIONS_SHEET
    lists = ListSource(workbook)

    guide.title("报告信息 填写说明")
    guide.line("本工作簿由办公室填写，与各部门报送表放在同一个输入文件夹中。包括：")
    for name in contract.OFFICE_SHEETS:
        spec = contract.KEY_VALUE_SHEETS.get(name) or contract.TABLE_SHEETS[name]
        guide.line(f"· 工作表「{name}」：{spec.purpose}")
    for rule in _COMMON_RULES:
        guide.line(f"· {rule}")
    guide.line("· 字段名为橙色底色的字段必填；鼠标移到字段名上可以看到说明和示例。")
    guide.line(
        f"· 不需要会议材料时，「{contract.MEETING}」「{contract.MEETING_BODY}」"
        f"「{contract.REGION_REMARKS}」留空即可。"
    )
    guide.line(
        f"· 填好「{contract.SUBMITTERS}」后，运行 pipeline init（不写部门名称）即为其中每个部门"
        "生成空白报送表；pipeline check 会列出尚未报送的部门，并为有问题的工作簿生成标注好的退回副本。"
    )
    if region_values:
        guide.line(f"{REGION}：" + "、".join(region_values), bold=True)

    for name in contract.OFFICE_SHEETS:
        sheet = workbook.create_sheet(name)
        if name in contract.KEY_VALUE_SHEETS:
            spec_kv = contract.KEY_VALUE_SHEETS[name]
            _write_key_value_sheet(sheet, spec_kv)
            guide.key_value_sheet(spec_kv)
            _fill_fields(sheet, spec_kv, fields.get(name, {}))
        else:
            spec_table = contract.TABLE_SHEETS[name]
            # A region not yet in any workbook is allowed after a warning, as for departments.
            choices = {REGION: (region_values, False)} if name in OFFICE_REGION_SHEETS else {}
            _write_table_sheet(sheet, spec_table.columns, lists, choices)
            guide.table_sheet(spec_table, spec_table.columns)
            fill_rows(sheet, spec_table.columns, rows.get(name, ()), (), **_DATA_CELLS)
    for name in contract.DEPARTMENT_SHEETS:
        if rows.get(name):
            columns = (
                _cooperation_columns(years)
                if name == contract.COOPERATION
                else contract.TABLE_SHEETS[name].columns
            )
            sheet = workbook.create_sheet(name)
            _write_table_sheet(sheet, columns, lists, {})
            guide.table_sheet(contract.TABLE_SHEETS[name], columns)
            fill_rows(sheet, columns, rows[name], (), **_DATA_CELLS)
    lists.move_last()

    workbook.properties.title = "报告信息"
    save_new(workbook, path)


def _fill_fields(sheet: Worksheet, spec: KeyValueSheet, values: Mapping[str, Any]) -> None:
    for row, field in enumerate(spec.fields, start=2):
        value = values.get(field.name)
        if value is not None:
            write_value(sheet.cell(row=row, column=2), value, _NUMBER_FORMATS.get(field.kind))


def choices_of(
    validated: ValidatedInputs,
) -> tuple[list[str], list[tuple[str, str | None]], list[int]]:
    """Regions, outline and plan years of validated inputs, for the drop-down lists."""
    regions = _distinct(
        [
            *(record.region for record in validated.cooperation),
            *(note.region for note in validated.notes),
        ]
    )
    outline = [(heading.title, heading.subtitle) for heading in validated.outline]
    return regions, outline, list(validated.plan_years or [])


def known_choices(inputs: Path) -> tuple[list[str], list[tuple[str, str | None]], list[int]]:
    """Regions, outline and plan years already in `inputs/`, for the drop-down lists.

    Problems in the inputs do not matter here: whatever can be read is offered.
    """
    from ..load import load_inputs
    from ..validate import validate

    if not inputs.is_dir():
        return [], [], []
    return choices_of(validate(load_inputs(inputs)))


def install_default_templates(templates: Path) -> list[Path]:
    """Copy the packaged templates into `templates/` where they are missing; never overwrite."""
    templates.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(PACKAGED_TEMPLATES.glob("*.docx")):
        target = templates / source.name
        if not target.exists():
            target.write_bytes(source.read_bytes())
            written.append(target)
    return written
