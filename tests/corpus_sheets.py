"""Corpus cases: the valid base itself, sheet shapes (headers, columns, merged rows) and
formulas."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from _workbooks import (
    COOPERATION_HEADER,
)
from corpus_books import (
    COOPERATION_BOOK,
    OFFICE,
    PROGRESS_BOOK,
    PROGRESS_HEADER,
    Books,
    C,
    Formula,
    P,
    _cooperation,
    replace_cell,
)
from corpus_expect import (
    FIELDS,
    At,
    Kept,
    _cooperation_row,
    books_case,
    case,
    kept_text,
)

from pipeline.cells import column_letter

# ------------------------------------------------------------------ the valid base itself


@books_case(
    "base",
    kept=(
        kept_text("专报信息.标题", "关于推进现代环境治理体系建设情况的报告"),
        kept_text("合作交流项目.说明", "已由市级统筹"),
    ),
    documents=2,
)
def _base_case(books: Books) -> None:
    pass


# ------------------------------------------------------------------ sheet shapes


@case(
    "empty_workbook_beside_valid_inputs",
    notices=(At("空白.xlsx", "Sheet"),),
    documents=2,
)
def _empty_workbook(folder: Path) -> None:
    Books().write(folder)
    openpyxl.Workbook().save(folder / "空白.xlsx")


@case("known_sheet_left_empty", errors=(At("空表.xlsx", P, None, "找不到表头"),))
def _known_sheet_empty(folder: Path) -> None:
    Books().write(folder)
    book = openpyxl.Workbook()
    book.active.title = P
    book.save(folder / "空表.xlsx")


@case("only_a_title_row", errors=(At("标题行.xlsx", P, None, "找不到表头"),))
def _only_title(folder: Path) -> None:
    Books().write(folder)
    book = openpyxl.Workbook()
    book.active.title = P
    book.active.append(["区人社局2023年11月工作进展"])
    book.save(folder / "标题行.xlsx")


@books_case(
    "header_in_row_7",
    kept=(kept_text("工作进展.内容", ["10月13日召开专题会。"]),),
)
def _header_row_7(books: Books) -> None:
    rows = books.rows(PROGRESS_BOOK, P)
    rows[0:0] = [["区人社局工作进展"], ["填报说明：一级标题须与提纲一致"], [], [None], ["注"], [""]]


@books_case("header_in_row_11", errors=(At(PROGRESS_BOOK, P, None, "找不到表头"),))
def _header_row_11(books: Books) -> None:
    books.rows(PROGRESS_BOOK, P)[0:0] = [[f"说明{i}"] for i in range(10)]


@books_case("duplicate_column", errors=(At(PROGRESS_BOOK, P, "G1", "两次"),))
def _duplicate_column(books: Books) -> None:
    for row in books.rows(PROGRESS_BOOK, P):
        row.append("内容" if row[0] == "一级标题" else "另一段")


@books_case("column_twice_with_different_spacing", errors=(At(PROGRESS_BOOK, P, "G1", "两次"),))
def _column_spacing(books: Books) -> None:
    for row in books.rows(PROGRESS_BOOK, P):
        row.append(" 内\u3000容\n" if row[0] == "一级标题" else "另一段")


@books_case(
    "unknown_column_with_content",
    notices=(At(PROGRESS_BOOK, P, "G1", "不是可识别的列"),),
    kept=(kept_text("工作进展.内容", ["10月13日召开专题会。"]),),
)
def _unknown_column(books: Books) -> None:
    for row in books.rows(PROGRESS_BOOK, P):
        row.append("备注" if row[0] == "一级标题" else "备注内容")


@books_case(
    "content_under_a_column_without_header",
    notices=(At(PROGRESS_BOOK, P, "H3", "没有列名"),),
    kept=(kept_text("工作进展.内容", ["10月13日召开专题会。"]),),
)
def _headerless_column(books: Books) -> None:
    books.rows(PROGRESS_BOOK, P)[2] += [None, "写在表外的补充说明"]


@case(
    "merged_header_cells",
    kept=(Kept(lambda d: _cooperation_row(d).content, "技术交流", "技术交流", "table"),),
)
def _merged_header(folder: Path) -> None:
    # A title merged across the table above the header, and 说明 stretched over an empty column.
    books = Books()
    rows = books.rows(COOPERATION_BOOK, C)
    rows.insert(0, ["合作交流项目表"] + [None] * (len(rows[0]) - 1))
    books.write(folder)
    path = folder / COOPERATION_BOOK
    book = openpyxl.load_workbook(path)
    sheet = book[C]
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COOPERATION_HEADER))
    sheet.merge_cells("N2:O2")  # 说明 stretched over an empty column
    book.save(path)


@case(
    "two_header_rows_as_pasted_from_word",
    notices=(
        At(COOPERATION_BOOK, C, "行2", "重复了表头"),
        At(COOPERATION_BOOK, C, "F1", "不是可识别的列"),
    ),
    kept=(
        Kept(lambda d: _cooperation_row(d).content, "技术交流", "技术交流", "table"),
        Kept(lambda d: _cooperation_row(d).plans, {}),
    ),
)
def _two_header_rows(folder: Path) -> None:
    # 计划 spans the year columns on row 1 and the years sit on row 2; every other name is
    # merged down over both rows. Plan columns under an unknown name are not read (a notice).
    books = Books()
    rows = books.rows(COOPERATION_BOOK, C)
    years = [i for i, name in enumerate(rows[0]) if name.endswith("年计划")]
    first = [None if i in years else name for i, name in enumerate(rows[0])]
    first[years[0]] = "年度计划"
    rows.insert(0, first)
    books.write(folder)
    path = folder / COOPERATION_BOOK
    book = openpyxl.load_workbook(path)
    sheet = book[C]
    for index, name in enumerate(first, start=1):
        if name and index - 1 not in years:
            sheet.merge_cells(start_row=1, start_column=index, end_row=2, end_column=index)
    sheet.merge_cells(start_row=1, start_column=years[0] + 1, end_row=1, end_column=years[-1] + 1)
    book.save(path)


@books_case(
    "header_repeated_inside_the_table",
    notices=(At(PROGRESS_BOOK, P, "行4", "重复了表头"),),
    kept=(Kept(lambda d: len(d.report.sections[0].subsections[1].entries), 1),),
)
def _repeated_header(books: Books) -> None:
    rows = books.rows(PROGRESS_BOOK, P)
    rows.insert(3, list(PROGRESS_HEADER))


@case(
    "merged_data_cells_fill_their_range",
    kept=(
        Kept(lambda d: [r.lead_department for r in d.regions[0].items[0].rows], ["环保处"] * 2),
        Kept(lambda d: len(d.regions[0].items[0].rows), 2),
    ),
)
def _merged_data(folder: Path) -> None:
    books = Books()
    rows = books.rows(COOPERATION_BOOK, C)
    second = _cooperation(serial=1, item="加强生态环境保护", content="第二行内容")
    rows.insert(2, second)
    books.write(folder)
    path = folder / COOPERATION_BOOK
    book = openpyxl.load_workbook(path)
    sheet = book[C]
    for column in ("A", "B", "C", "K", "J"):
        sheet.merge_cells(f"{column}2:{column}3")
    book.save(path)


@case(
    "whole_row_merged",
    errors=(At(COOPERATION_BOOK, C, "行3", "分组标题"),),
)
def _whole_row(folder: Path) -> None:
    books = Books()
    rows = books.rows(COOPERATION_BOOK, C)
    rows.insert(2, ["二、生态保护类"] + [None] * (len(COOPERATION_HEADER) - 1))
    books.write(folder)
    path = folder / COOPERATION_BOOK
    book = openpyxl.load_workbook(path)
    book[C].merge_cells(f"A3:{column_letter(len(COOPERATION_HEADER))}3")
    book.save(path)


# ------------------------------------------------------------------ formulas


@case(
    "formulas_use_their_cached_values",
    kept=(
        kept_text("工作进展.内容", ["ab"]),
        Kept(lambda d: d.report.settings.issue_number, "95", "第95期", "report"),
    ),
)
def _cached_formulas(folder: Path) -> None:
    books = Books()
    content = books.set(PROGRESS_BOOK, P, 3, "内容", "placeholder")
    books.write(folder)
    replace_cell(
        folder / PROGRESS_BOOK,
        P,
        content,
        f'<c r="{content}" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>',
    )
    issue = books.setting_cell("专报信息", "期号")
    replace_cell(folder / OFFICE, "专报信息", issue, f'<c r="{issue}"><f>90+5</f><v>95</v></c>')


@case(
    "formula_without_cached_value",
    errors=(At(PROGRESS_BOOK, P, "F2", "公式没有计算结果"),),
)
def _formula_no_value(folder: Path) -> None:
    books = Books()
    books.set(PROGRESS_BOOK, P, 2, "排序", Formula("=1+1"))
    books.write(folder)


@case(
    "formula_error_value",
    errors=(At(PROGRESS_BOOK, P, "D3", "#DIV/0!"),),
)
def _formula_error(folder: Path) -> None:
    books = Books()
    content = books.set(PROGRESS_BOOK, P, 3, "内容", "placeholder")
    books.write(folder)
    replace_cell(
        folder / PROGRESS_BOOK, P, content, f'<c r="{content}" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    )


@case(
    "malformed_shared_formula_uses_cached_values",
    kept=(kept_text("工作进展.内容", ["ab"]),),
)
def _malformed_formula(folder: Path) -> None:
    # Only the saved results are read: a formula's text, even broken, never matters.
    Books().write(folder)
    path = folder / PROGRESS_BOOK
    shared = '<f t="shared" si="0" ref="D3:D4">"a&amp;(((</f>'
    replace_cell(path, P, "D3", f'<c r="D3" t="str">{shared}<v>ab</v></c>')
    replace_cell(path, P, "D4", '<c r="D4" t="str"><f t="shared" si="0"/><v>cd</v></c>')


@books_case(
    "text_that_starts_with_an_equals_sign",
    kept=(
        kept_text("工作进展.内容", ["=1+1", '=HYPERLINK("http://example.invalid","点击")']),
        kept_text("合作交流项目.牵头领导", "=cmd|' /C calc'!A0"),
    ),
)
def _equals_text(books: Books) -> None:
    FIELDS["工作进展.内容"].write(books, '=1+1\n=HYPERLINK("http://example.invalid","点击")')
    FIELDS["合作交流项目.牵头领导"].write(books, "=cmd|' /C calc'!A0")


@books_case(
    "formula_text_is_never_evaluated",
    kept=(kept_text("合作交流项目.事项推进情况", "@SUM(1+1)*cmd|' /C calc'!A0"),),
)
def _formula_like_text(books: Books) -> None:
    books.set(COOPERATION_BOOK, C, 2, "事项推进情况", "@SUM(1+1)*cmd|' /C calc'!A0")
