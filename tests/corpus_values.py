"""Corpus cases: numbers and dates, text (long, astral, control and zero-width characters,
markup, line breaks) and names that become file names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from corpus_books import (
    COOPERATION_BOOK,
    OFFICE,
    PROGRESS_BOOK,
    Books,
    C,
    P,
    _cooperation,
    patch_zip,
    sheet_member,
)
from corpus_expect import (
    FIELDS,
    TEXT_FIELDS,
    At,
    Kept,
    books_case,
    case,
    kept_text,
)

# ------------------------------------------------------------------ numbers and dates


@books_case(
    "numbers_stored_as_text",
    kept=(
        Kept(lambda d: d.report.settings.issue_number, "95", "第95期", "report"),
        Kept(lambda d: d.regions[0].items[0].number, 1),
        Kept(lambda d: d.table_settings.years, [2023, 2024, 2025]),
        kept_text("工作进展.内容", ["10月13日召开专题会。"]),
    ),
)
def _numbers_as_text(books: Books) -> None:
    books.set_setting("专报信息", "期号", "95")
    books.set_setting("项目表信息", "起始年份", "2023.0")
    books.set(COOPERATION_BOOK, C, 2, "序号", "1")
    books.set(PROGRESS_BOOK, P, 3, "排序", "2")


@books_case(
    "full_width_digits_and_spaces",
    kept=(
        Kept(lambda d: d.report.settings.issue_number, "95", "第95期", "report"),
        Kept(lambda d: d.regions[0].items[1].number, 2),
        Kept(lambda d: d.table_settings.end_year, 2025),
        Kept(lambda d: d.report.settings.date, dt.date(2023, 11, 20), "2023年11月20日", "report"),
    ),
)
def _full_width(books: Books) -> None:
    books.set_setting("专报信息", "期号", "\u3000９５\u3000")
    books.set_setting("专报信息", "日期", "２０２３年１１月２０日")
    books.set_setting("项目表信息", "结束年份", "２０２５")
    books.set(COOPERATION_BOOK, C, 3, "序号", " ２ ")


@books_case(
    "excel_date_serials",
    kept=(
        Kept(lambda d: d.report.settings.date, dt.date(2023, 11, 20), "2023年11月20日", "report"),
        Kept(
            lambda d: d.report.settings.submission_date,
            dt.date(2023, 11, 3),
            "2023-11-03",
            "report",
        ),
        Kept(
            lambda d: d.report.approval["专报部门意见"][0].signed_at,
            dt.datetime(2023, 11, 3, 16, 1, 14),
            "2023/11/3 16:01:14",
            "report",
        ),
    ),
)
def _date_serials(books: Books) -> None:
    books.set_setting("专报信息", "日期", 45250)
    books.set_setting("专报信息", "专报日期", 45233.0)
    books.set(OFFICE, "拟文稿", 2, "签署时间", 45233 + (16 * 3600 + 60 + 14) / 86400)


TEXT_DATES = {
    "iso": "2023-11-20",
    "slash": "2023/11/20",
    "dot": "2023.11.20",
    "chinese": "2023年11月20日",
    "date_time": "2023/11/20 14:44:56",
}

for _label, _text in TEXT_DATES.items():

    def _text_date(books: Books, text: str = _text) -> None:
        books.set_setting("专报信息", "日期", text)
        books.set(OFFICE, "拟文稿", 2, "签署时间", text)

    books_case(
        f"text_date_{_label}",
        kept=(
            Kept(
                lambda d: d.report.settings.date, dt.date(2023, 11, 20), "2023年11月20日", "report"
            ),
            Kept(
                lambda d: d.report.approval["专报部门意见"][0].signed_at.date(),
                dt.date(2023, 11, 20),
                "[2023/11/20" + (" 14:44:56]" if " " in _text else "]"),
                "report",
            ),
        ),
    )(_text_date)


@books_case(
    "invalid_dates",
    errors=(
        At(OFFICE, "专报信息", "B4", "应为日期"),
        At(OFFICE, "专报信息", "B13", "应为日期"),
        At(OFFICE, "拟文稿", "D2", "应为日期时间"),
        At(OFFICE, "拟文稿", "D3", "应为日期时间"),
    ),
)
def _invalid_dates(books: Books) -> None:
    books.set_setting("专报信息", "日期", "2023-02-30")
    books.set_setting("专报信息", "专报日期", "0023年11月3日")
    books.set(OFFICE, "拟文稿", 2, "签署时间", "2023/11/3 25:61:00")
    books.set(OFFICE, "拟文稿", 3, "签署时间", "0023/11/3 16:01:14")  # a year Word cannot store


@books_case(
    "numbers_that_are_not",
    errors=(
        At(OFFICE, "专报信息", "B2", "应为整数"),
        At(COOPERATION_BOOK, C, "B2", "不是有效的序号"),
        At(PROGRESS_BOOK, P, "F2", "应为数字"),
    ),
)
def _not_numbers(books: Books) -> None:
    books.set_setting("专报信息", "期号", "九十五")
    books.set(COOPERATION_BOOK, C, 2, "序号", "1.5")
    books.set(PROGRESS_BOOK, P, 2, "排序", "1,5")


@books_case(
    "odd_cell_types_in_text_fields",
    kept=(
        kept_text("合作交流项目.事项推进情况", "TRUE"),
        # As Excel shows them under the formats openpyxl gives dates and times.
        kept_text("合作交流项目.预计完成时间", "2025-01-01 0:00:00"),
        kept_text("合作交流项目.2024年计划", "3012.78"),
        kept_text("合作交流项目.配合部门", "14:30:00"),
        kept_text("专报信息.联系电话", "18116080172"),
    ),
)
def _odd_types(books: Books) -> None:
    books.set(COOPERATION_BOOK, C, 2, "事项推进情况", True)
    books.set(COOPERATION_BOOK, C, 2, "预计完成时间", dt.datetime(2025, 1, 1))
    books.set(COOPERATION_BOOK, C, 2, "2024年计划", 3012.78)
    books.set(COOPERATION_BOOK, C, 2, "配合部门", dt.time(14, 30))
    books.set_setting("专报信息", "联系电话", 18116080172.0)


@books_case(
    "odd_numbers_in_number_fields",
    errors=(
        At(COOPERATION_BOOK, C, "B2", "不是有效的序号"),
        At(COOPERATION_BOOK, C, "B3", "不是有效的序号"),
        At(OFFICE, "项目表信息", "B5", "早于"),
    ),
)
def _odd_numbers(books: Books) -> None:
    books.set(COOPERATION_BOOK, C, 2, "序号", -1)
    books.set(COOPERATION_BOOK, C, 3, "序号", True)
    books.set_setting("项目表信息", "结束年份", 2022.0)


# ------------------------------------------------------------------ text


LONG_TEXT = ("生态环境治理" * 8334)[:50_000]


@books_case(
    "very_long_text",
    kept=(
        kept_text("工作进展.内容", [LONG_TEXT]),
        kept_text("专报信息.标题", LONG_TEXT),
        kept_text("合作交流项目.对口合作交流内容", LONG_TEXT),
        kept_text("项目表信息.编制单位", LONG_TEXT),
    ),
)
def _long_text(books: Books) -> None:
    for name in (
        "工作进展.内容",
        "专报信息.标题",
        "合作交流项目.对口合作交流内容",
        "项目表信息.编制单位",
    ):
        FIELDS[name].write(books, LONG_TEXT)


ASTRAL = "𠀋𡈽𪚥 😀👍🏽 👨‍👩‍👧"


@books_case(
    "emoji_and_cjk_extension_b",
    kept=(
        kept_text("工作进展.内容", [f"内容{ASTRAL}"]),
        kept_text("合作交流项目.对口地区", f"𠀋{ASTRAL}"),
        kept_text("拟文稿.签署人", "𡈽😀"),
    ),
)
def _astral(books: Books) -> None:
    FIELDS["工作进展.内容"].write(books, f"内容{ASTRAL}")
    FIELDS["合作交流项目.对口地区"].write(books, f"𠀋{ASTRAL}")
    FIELDS["拟文稿.签署人"].write(books, "𡈽😀")


@books_case(
    "control_characters_as_excel_writes_them",
    notices=(
        At(PROGRESS_BOOK, P, "D3", "控制字符"),
        At(COOPERATION_BOOK, C, "D2", "控制字符"),
        At(OFFICE, "专报信息", "B6", "控制字符"),
    ),
    kept=(
        # \x0b is a line break (Word's manual break): kept as one.
        kept_text("工作进展.内容", ["第一段", "第二段", "第三段"]),
        kept_text("合作交流项目.对口合作交流内容", "前后"),
        kept_text("专报信息.标题", "标题"),
        # a literal `_x000B_` typed by a user (Excel stores `_x005F_x000B_`) stays literal
        kept_text("合作交流项目.事项推进情况", "_x000B_ 与 _x0041_"),
    ),
)
def _control_characters(books: Books) -> None:
    FIELDS["工作进展.内容"].write(books, "第一段\x0b第二段\x00\r\n第三段\x1f")
    FIELDS["合作交流项目.对口合作交流内容"].write(books, "前\x1f\x08后\x7f")
    FIELDS["专报信息.标题"].write(books, "\x01标\ufffe题\x0c")
    FIELDS["合作交流项目.事项推进情况"].write(books, "_x000B_ 与 _x0041_")


@case(
    "raw_control_character_in_sheet_xml",
    notices=(At(PROGRESS_BOOK, P, "D3", "控制字符"),),
    kept=(kept_text("工作进展.内容", ["ab", "c"]),),
)
def _raw_control(folder: Path) -> None:
    # Written by a program that does not escape (not well-formed XML): read as far as it goes,
    # the illegal character removed and said so, \x0b kept as a line break.
    books = Books()
    books.set(PROGRESS_BOOK, P, 3, "内容", "MARK")
    books.write(folder)
    patch_zip(
        folder / PROGRESS_BOOK,
        sheet_member(folder / PROGRESS_BOOK, P),
        lambda data: data.replace(b"MARK", b"a\x1fb\x0bc"),
    )


ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


@books_case(
    "zero_width_spaces",
    kept=(
        kept_text("工作进展.内容", [f"零宽{ZERO_WIDTH}字符"]),
        # headings match the outline ignoring zero-width characters; the outline's spelling is used
        Kept(
            lambda d: d.report.sections[-1].entries[0].paragraphs,
            ["一是研究制定清单。二是完善跟踪调度。"],
        ),
    ),
)
def _zero_width(books: Books) -> None:
    FIELDS["工作进展.内容"].write(books, f"零宽{ZERO_WIDTH}字符")
    books.set(PROGRESS_BOOK, P, 4, "一级标题", "下一步\u200b工作\ufeff安排")


MARKUP = (
    "&<>\"' &amp; &#123; {{ title }} {% if 1 %}x{% endif %} {_{ a }_} {_% b %_} {#c#} "
    "{%p if 1 %}{%tr for r in rows %}{{r x }}{%tc x %} </w:t><w:p/> ]]> <!-- -->"
)


def _markup_value(field_name: str) -> str:
    return f"{field_name}:{MARKUP}"


@books_case(
    "markup_and_template_tags_in_every_text_field",
    kept=tuple(
        kept_text(f.name, [_markup_value(f.name)] if f.paragraphs else _markup_value(f.name))
        for f in TEXT_FIELDS
    ),
)
def _markup_everywhere(books: Books) -> None:
    for text_field in TEXT_FIELDS:
        text_field.write(books, _markup_value(text_field.name))


@books_case(
    "multi_line_text",
    notices=(
        At(OFFICE, "提纲", "A4", "编号"),
        At(PROGRESS_BOOK, P, "A4", "编号"),
    ),
    kept=(
        kept_text("工作进展.内容", ["第一行", "第二行", "第三行"]),
        kept_text("专报信息.导语", ["导语一", "导语二"]),
        kept_text("合作交流项目.对口合作交流内容", "第一行\n  第二行"),
        kept_text("专报信息.标题", "上半\n下半"),
        kept_text("提纲.一级标题", "下一步\n工作安排"),
    ),
)
def _multi_line(books: Books) -> None:
    FIELDS["工作进展.内容"].write(books, "  第一行\r\n\r\n第二行\r第三行\n  ")
    FIELDS["专报信息.导语"].write(books, "导语一\u2028导语二")
    FIELDS["合作交流项目.对口合作交流内容"].write(books, "第一行\n  第二行")
    FIELDS["专报信息.标题"].write(books, "上半\n下半")
    FIELDS["提纲.一级标题"].write(books, "三、下一步\n工作安排")


# ------------------------------------------------------------------ names that become file names

HOSTILE_REGIONS = ("../../永安", "大田/县", "C:\\三明:市*", "CON", 'a?b|c<d>e"f', " . . ")


def _region_books(books: Books) -> None:
    rows = books.rows(COOPERATION_BOOK, C)
    del rows[1:]
    for region in HOSTILE_REGIONS:
        content = f"{region.strip()}的内容"
        rows.append(_cooperation(region=region, serial=1, item="事项", content=content))
    # two regions that differ only in characters a file name cannot hold
    rows.append(_cooperation(region="大田:县", serial=1, item="事项", content="重名"))


@books_case(
    "regions_with_path_characters",
    kept=(
        Kept(lambda d: [t.region for t in d.regions], [*HOSTILE_REGIONS[:-1], ". .", "大田:县"]),
        *(
            Kept(
                lambda d, i=i: d.regions[i].items[0].rows[0].content,
                f"{region.strip()}的内容",
                f"{region.strip()}的内容",
                "table",
            )
            for i, region in enumerate(HOSTILE_REGIONS)
        ),
    ),
    documents=1 + len(HOSTILE_REGIONS) + 1,
)
def _hostile_regions(books: Books) -> None:
    _region_books(books)


@books_case(
    "very_long_region_name",
    kept=(kept_text("合作交流项目.对口地区", "𠀋" * 300),),
)
def _long_region(books: Books) -> None:
    FIELDS["合作交流项目.对口地区"].write(books, "𠀋" * 300)


@books_case(
    "a_thousand_headings",
    errors=(
        At(OFFICE, "提纲", "A1002", "最多 999 个一级标题"),
        At(OFFICE, "提纲", "B2002", "最多 999 个二级标题"),
    ),
)
def _thousand_headings(books: Books) -> None:
    # The base outline has two first-level headings on rows 2–4.
    rows = books.rows(OFFICE, "提纲")
    rows += [[f"标题{i}", None] for i in range(1, 999)]  # rows 5–1002: the 1,000th on 1002
    rows += [["下一步工作安排", f"小标题{i}"] for i in range(1, 1001)]  # rows 1003–2002


@books_case(
    "heading_that_is_only_a_number",
    errors=(At(OFFICE, "提纲", "A4", "编号"), At(PROGRESS_BOOK, P, "A4", "编号")),
)
def _number_only_heading(books: Books) -> None:
    FIELDS["提纲.一级标题"].write(books, "三、")


@books_case(
    "workbook_name_with_odd_characters",
    kept=(
        Kept(
            lambda d: sorted(d.row_counts),
            sorted([OFFICE, COOPERATION_BOOK, "区 人社局 {{x}} & 😀.xlsx"]),
        ),
    ),
)
def _odd_workbook_name(books: Books) -> None:
    books.books["区 人社局 {{x}} & 😀.xlsx"] = books.books.pop(PROGRESS_BOOK)


@books_case(
    "sheet_name_with_spaces_and_full_width",
    kept=(kept_text("工作进展.内容", ["10月13日召开专题会。"]),),
)
def _sheet_name(books: Books) -> None:
    books.books[PROGRESS_BOOK] = {" 工作 进展 ": books.books[PROGRESS_BOOK][P]}
