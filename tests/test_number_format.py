"""Load stage, number formats: a number or date cell appears in the documents as Excel shows it.

The expected texts are Excel's documented display of each value under each format; the last
tests write workbooks with openpyxl and read the rendered documents back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from _workbooks import COOPERATION_HEADER, REPORT_SETTINGS, cooperation_row, office_workbook
from corpus import TEMPLATES, document_text

from pipeline.api import check, prepare
from pipeline.cells import as_text, general_number
from pipeline.load import _formats, load_inputs
from pipeline.load.number_format import BUILTIN_FORMATS, display

# (value, format, what Excel shows)
EXCEL_SHOWS = [
    # dates as Chinese Excel offers them, and as typing 2025年6月 or 2025/6/1 stores them
    (45809, 'yyyy"年"m"月"', "2025年6月"),
    (45809, 'yyyy"年"m"月"d"日"', "2025年6月1日"),
    (45809, '[$-804]yyyy"年"m"月"d"日"', "2025年6月1日"),
    (45809, 'yyyy"年"m"月";@', "2025年6月"),
    (45809, 'm"月"d"日"', "6月1日"),
    (45809, "yyyy/m/d", "2025/6/1"),
    (45809, "yyyy-mm-dd", "2025-06-01"),
    (45809, "yyyy.mm.dd", "2025.06.01"),
    (45809, "yy.mm.dd", "25.06.01"),
    (45809, "m/d/yyyy", "6/1/2025"),
    (45951, "yyyy/mm/dd", "2025/10/21"),
    (45809, '[DBNum1][$-804]yyyy"年"m"月"d"日"', "二〇二五年六月一日"),
    (45951, '[DBNum1][$-804]yyyy"年"m"月"d"日"', "二〇二五年十月二十一日"),
    (45809, '[DBNum1][$-804]m"月"d"日"', "六月一日"),
    (45809, "aaaa", "星期日"),
    (45809, "yyyy/m/d aaa", "2025/6/1 日"),
    (45809, "[$-409]d-mmm-yy", "1-Jun-25"),
    (45809, "[$-409]mmmm d, yyyy", "June 1, 2025"),
    (45809, "[$-409]dddd", "Sunday"),
    # times, rounded to the second as Excel shows them
    (45809.5, "yyyy-mm-dd hh:mm", "2025-06-01 12:00"),
    (45809.5, "yyyy/m/d h:mm", "2025/6/1 12:00"),
    (45809.75, "h:mm AM/PM", "6:00 PM"),
    (45809.25, "h:mm AM/PM", "6:00 AM"),
    (45809.75, '上午/下午h"时"mm"分"', "下午6时00分"),
    (45809.5, "h:mm:ss", "12:00:00"),
    (45809.604166667, 'h"时"mm"分"', "14时30分"),
    (45809 + 1 / 86400, "yyyy-mm-dd hh:mm:ss", "2025-06-01 00:00:01"),
    (45809.999999, "yyyy-mm-dd hh:mm", "2025-06-02 00:00"),
    (1.5, "[h]:mm", "36:00"),
    (0.0104166667, "mm:ss", "15:00"),
    # numbers
    (0.85, "0%", "85%"),
    (0.855, "0.0%", "85.5%"),
    (0.12345, "0.00%", "12.35%"),
    (1234.5, "#,##0.00", "1,234.50"),
    (1234.5, "#,##0", "1,235"),
    (1234567, "#,##0", "1,234,567"),
    (0, "#,##0", "0"),
    (-1234.5, "#,##0.00", "-1,234.50"),
    (-1234.5, "#,##0.00;[Red]-#,##0.00", "-1,234.50"),
    (-1234.5, "#,##0.00_);(#,##0.00)", "(1,234.50)"),
    (1234.5, "#,##0.00_);(#,##0.00)", "1,234.50"),
    (3.14159, "0.00", "3.14"),
    (1.005, "0.00", "1.01"),
    (2.5, "0", "3"),
    (0.5, "#.00", ".50"),
    (2.5, "0.##", "2.5"),
    (7, "000", "007"),
    (1234567, "#,##0,", "1,235"),
    (12, '0"万元"', "12万元"),
    (12.5, '0.0"亿元"', "12.5亿元"),
    (12.5, '0.0"亿元";-0.0"亿元"', "12.5亿元"),
    (1234.5, "¥#,##0.00", "¥1,234.50"),
    (1234.5, "[$¥-804]#,##0.00", "¥1,234.50"),
    (0, '#,##0;-#,##0;"-"', "-"),
    (1234.5, "0.00E+00", "1.23E+03"),
    (0.00012, "0.0E+00", "1.2E-04"),
    (2025, '0"年"', "2025年"),
    (13800138000, "000-0000-0000", "138-0013-8000"),
    # General, also inside a section, and formats that show a number as typed
    (2025.1, "General", "2025.1"),
    (2025, "General", "2025"),
    (0.1 + 0.2, "General", "0.3"),
    (1 / 3, "General", "0.333333333"),
    (123456789012, "General", "1.23457E+11"),
    (18116080172, "General", "18116080172"),
    (2025.1, "@", "2025.1"),
    (5, 'General"项"', "5项"),
]


@pytest.mark.parametrize(("value", "code", "shown"), EXCEL_SHOWS)
def test_number_format_gives_excels_text(value, code, shown):
    result = display(value, code)
    assert (result.text, result.exact) == (shown, True)


def test_dates_as_the_reader_gives_them_show_like_their_serial_numbers():
    # calamine gives date cells as date, datetime, time or timedelta.
    assert display(dt.datetime(2025, 6, 1), 'yyyy"年"m"月"').text == "2025年6月"
    assert display(dt.date(2025, 6, 1), "yyyy/m/d").text == "2025/6/1"
    assert display(dt.datetime(2025, 6, 1, 12), "yyyy-mm-dd hh:mm").text == "2025-06-01 12:00"
    assert display(dt.time(14, 30), "h:mm").text == "14:30"
    assert display(dt.timedelta(hours=36), "[h]:mm").text == "36:00"


# Formats whose text depends on something the file does not hold (the PC's language, the column
# width) or that are not reproduced: the best text, marked as not exact.
NOT_EXACT = [
    (0.5, "# ?/?", "0.5"),
    (45809, "[$-F800]dddd, mmmm dd, yyyy", None),
    (45809, "d-mmm-yy", "1-Jun-25"),
    (45809, "dddd", "Sunday"),
    (150, '[>100]"多";"少"', "150"),
    (1234.5, "[DBNum2]0", "1235"),  # Excel writes 壹仟贰佰叁拾伍
    (5, "*-0", "5"),
    (5, ";;;", "5"),
    (45809, '[$-411]ggge"年"', None),
    (-45809, "yyyy/m/d", "-45809"),
]


@pytest.mark.parametrize(("value", "code", "text"), NOT_EXACT)
def test_format_that_cannot_be_reproduced_is_marked(value, code, text):
    result = display(value, code)
    assert not result.exact
    assert result.code == code
    if text is not None:
        assert result.text == text


def test_builtin_ids_include_the_chinese_date_formats():
    assert display(45809, BUILTIN_FORMATS[57]).text == "2025年6月"
    assert display(45809, BUILTIN_FORMATS[31]).text == "2025年6月1日"
    assert display(45809, BUILTIN_FORMATS[58]).text == "6月1日"
    assert display(45809, BUILTIN_FORMATS[14]).text == "2025/6/1"  # a Chinese PC's short date
    assert display(0.85, BUILTIN_FORMATS[9]).text == "85%"


@pytest.mark.parametrize(
    ("value", "text"),
    [(2025.1, "2025.1"), (3.0, "3"), (0.1 + 0.2, "0.3"), (-2.5, "-2.5"), (1e20, "1E+20")],
)
def test_general_numbers(value, text):
    assert general_number(value) == text
    assert as_text(value) == text


# ------------------------------------------------------------------ workbooks read end to end

FORMATTED = {
    "预计完成时间": (dt.datetime(2025, 6, 1), 'yyyy"年"m"月"', "2025年6月"),
    "2024年计划": (0.85, "0%", "85%"),
    "2025年计划": (1234.5, "#,##0.00", "1,234.50"),
    "事项推进情况": (2025.1, "General", "2025.1"),
    "说明": (dt.datetime(2025, 6, 1, 12), "yyyy-mm-dd hh:mm", "2025-06-01 12:00"),
}


def _formatted_workbook(path: Path, cells: dict[str, tuple], **extra) -> Path:
    header = COOPERATION_HEADER
    row = cooperation_row(**extra)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "合作交流项目"
    sheet.append(header)
    sheet.append(row)
    for name, (value, code, _) in cells.items():
        cell = sheet.cell(2, header.index(name) + 1, value)
        cell.number_format = code
    book.save(path)
    return path


def test_reader_gives_the_text_excel_shows_beside_the_value(tmp_path):
    _formatted_workbook(tmp_path / "环保处.xlsx", FORMATTED, 是否纳入="否")
    loaded = load_inputs(tmp_path)
    (row,) = loaded.named("合作交流项目")[0].rows
    for name, (value, _, shown) in FORMATTED.items():
        assert row.get(name) == value  # typed fields keep parsing the value
        if name != "事项推进情况":  # General: shown as typed, nothing recorded
            assert row.shown[name].text == shown
    assert "事项推进情况" not in row.shown


def test_workbook_without_number_formats_records_no_shown_text(tmp_path):
    _formatted_workbook(tmp_path / "环保处.xlsx", {})
    (row,) = load_inputs(tmp_path).named("合作交流项目")[0].rows
    assert row.shown == {}


def _rewrite(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[member] = change(parts[member])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def test_builtin_chinese_format_id_without_a_format_code(tmp_path):
    # Chinese Excel saves 2025年6月 as id 57 and writes no code for it.
    path = _formatted_workbook(
        tmp_path / "环保处.xlsx", {"预计完成时间": (45809, 'yyyy"年"m"月"', "")}
    )
    _rewrite(path, "xl/styles.xml", lambda xml: xml.replace(b'numFmtId="164"', b'numFmtId="57"'))
    (row,) = load_inputs(tmp_path).named("合作交流项目")[0].rows
    assert row.shown["预计完成时间"].text == "2025年6月"


def test_merged_cells_share_the_shown_text(tmp_path):
    path = tmp_path / "环保处.xlsx"
    _formatted_workbook(path, {"预计完成时间": (45809, 'yyyy"年"m"月"', "")})
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet.append(cooperation_row(content="人员互访"))
    column = COOPERATION_HEADER.index("预计完成时间") + 1
    sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    book.save(path)
    rows = load_inputs(tmp_path).named("合作交流项目")[0].rows
    assert [r.shown["预计完成时间"].text for r in rows] == ["2025年6月", "2025年6月"]


def _table_text(folder: Path) -> str:
    prepared = prepare(folder, TEMPLATES)
    tables = [d for d in prepared.documents if "永安市" in d.name]
    return "\n".join(document_text(d.data) for d in tables), prepared


def test_table_shows_cells_as_excel_shows_them(tmp_path):
    office_workbook(tmp_path)
    cells = {k: v for k, v in FORMATTED.items() if k != "说明"}
    _formatted_workbook(tmp_path / "环保处.xlsx", cells)
    text, prepared = _table_text(tmp_path)
    for _, _, shown in cells.values():
        assert shown in text
    assert "2025年6月1日" not in text and "0.85" not in text and "1234.5" not in text
    assert not [n for n in prepared.dossier.notices if "数字格式" in n.message]


def test_format_that_cannot_be_reproduced_is_a_notice_naming_the_cell(tmp_path):
    office_workbook(tmp_path)
    _formatted_workbook(tmp_path / "环保处.xlsx", {"2024年计划": (0.5, "# ?/?", "")})
    text, prepared = _table_text(tmp_path)
    assert "0.5" in text
    (found,) = [n for n in prepared.dossier.notices if "数字格式" in n.message]
    column = COOPERATION_HEADER.index("2024年计划")
    assert found.location.cell == f"{chr(65 + column)}2"
    assert "# ?/?" in found.message and "「0.5」" in found.message


def test_text_field_of_the_settings_sheet_shows_its_format(tmp_path):
    settings = [list(r) for r in REPORT_SETTINGS]
    office_workbook(tmp_path, 专报信息=settings)
    path = tmp_path / "报告信息.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["专报信息"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "编发单位":
            row[1].value = 0.85
            row[1].number_format = "0%"
        if row[0].value == "日期":
            row[1].number_format = 'yyyy"年"m"月"'  # a typed field: still the full date
    book.save(path)
    prepared = check(tmp_path)
    settings_read = prepared.dossier.report.settings
    assert settings_read.publisher == "85%"
    assert settings_read.date == dt.date(2023, 11, 20)


def test_cells_are_found_by_style_with_or_without_references():
    formats = {3: "0%"}
    sheet = (
        b'<worksheet><sheetData><row r="2"><c r="A2" s="3"><v>0.5</v></c>'
        b'<c r="B2" s="3" t="s"><v>0</v></c><c r="C2" s="1"><v>1</v></c>'
        b'<c r="AA2" s="3" t="n"><v>1</v></c></row></sheetData></worksheet>'
    )
    assert _formats.cell_formats(sheet, formats) == {(2, 1): "0%", (2, 27): "0%"}
    # Cells without a reference are counted along their row.
    unnumbered = b'<sheetData><row r="4"><c s="1"><v>1</v></c><c s="3"><v>2</v></c></row>'
    assert _formats.cell_formats(unnumbered, formats) == {(4, 2): "0%"}
    # A workbook whose default style has a format: cells without `s` have it too.
    assert _formats.cell_formats(b'<row r="1"><c r="B1"><v>1</v></c></row>', {0: "0.00"}) == {
        (1, 2): "0.00"
    }
    assert _formats.cell_formats(sheet, {}) == {}
    assert _formats.cell_formats(sheet, {7: "0%"}) == {}


# Where LibreOffice Calc, asked for the text "as shown", differs from Excel: Calc's General uses
# the column width, and it knows neither the `aaaa` weekday nor the 上午/下午 marker.
CALC_DIFFERS = {"General", "aaaa", "yyyy/m/d aaa", '上午/下午h"时"mm"分"'}


def test_expected_texts_agree_with_libreoffice_calc(libreoffice, tmp_path):
    """An independent reading of the same formats: Calc (Chinese, PRC) saving the shown text."""
    cases = [case for case in EXCEL_SHOWS if case[1] not in CALC_DIFFERS]
    book = openpyxl.Workbook()
    sheet = book.active
    for row, (value, code, _) in enumerate(cases, start=1):
        sheet.cell(row, 1, value).number_format = code
    sheet.column_dimensions["A"].width = 60
    book.save(tmp_path / "formats.xlsx")
    # Filter options: comma, quote, UTF-8, from line 1, standard columns, language 2052
    # (Chinese, PRC), then "save cell contents as shown".
    options = "44,34,76,1,,2052,false,true,true"
    subprocess.run(
        [
            libreoffice.soffice,
            f"-env:UserInstallation={libreoffice.profile.as_uri()}",
            "--headless",
            "--convert-to",
            f"csv:Text - txt - csv (StarCalc):{options}",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "formats.xlsx"),
        ],
        capture_output=True,
        timeout=300,
        check=True,
    )
    with open(tmp_path / "formats.csv", encoding="utf-8", newline="") as handle:
        shown_by_calc = [row[0].strip() for row in csv.reader(handle)]
    assert shown_by_calc == [shown for _, _, shown in cases]
