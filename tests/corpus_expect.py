"""What a corpus case must lead to: the places its errors must name (`At`), the values kept
exactly (`Kept`, `TEXT_FIELDS`), the registry `CASES` that the case modules fill, and how a
rendered document is read back to compare."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus_books import (
    COOPERATION_BOOK,
    OFFICE,
    PROGRESS_BOOK,
    Books,
)
from lxml import etree

from pipeline.model import Dossier
from pipeline.render import REPORT_TEMPLATE, TABLE_TEMPLATE, RenderedDocument

# ------------------------------------------------------------------ expectations


@dataclass(frozen=True)
class At:
    """A place a problem must name: the file, and the sheet and cell when there are some."""

    file: str
    sheet: str | None = None
    cell: str | None = None
    says: str = ""  # a fragment the message must contain


@dataclass(frozen=True)
class TextField:
    """One text field of the inputs: where it is written, and where it ends up."""

    name: str
    cells: tuple[tuple[str, str, int, str], ...]  # (book, sheet, row, column or key), all written
    get: Callable[[Dossier], Any]
    document: str  # "report", "table", or "" for a value only kept in the dossier
    paragraphs: bool = False  # a line break starts a new paragraph (lines trimmed)
    heading: bool = False  # a typed number in front is removed with a notice

    def places(self, books: Books) -> list[At]:
        places = []
        for book, sheet, row, column in self.cells:
            if row == 0:
                places.append(At(book, sheet, books.setting_cell(sheet, column)))
            else:
                places.append(At(book, sheet, books.cell(book, sheet, row, column)))
        return places

    def write(self, books: Books, value: Any) -> None:
        for book, sheet, row, column in self.cells:
            if row == 0:
                books.set_setting(sheet, column, value)
            else:
                books.set(book, sheet, row, column, value)


def _setting(key: str, get: Callable[[Dossier], Any], **options) -> TextField:
    return TextField(f"专报信息.{key}", ((OFFICE, "专报信息", 0, key),), get, "report", **options)


def _report(dossier: Dossier):
    return dossier.report.settings


def _cooperation_row(dossier: Dossier, item: int = 0):
    return dossier.regions[0].items[item].rows[0]


# Every text field of every sheet. A row of 0 means a key–value sheet (the key in column A).
TEXT_FIELDS: tuple[TextField, ...] = (
    _setting("编发单位", lambda d: _report(d).publisher),
    _setting("报送", lambda d: _report(d).recipients),
    _setting("标题", lambda d: _report(d).title),
    _setting("导语", lambda d: _report(d).lead, paragraphs=True),
    _setting("结束语", lambda d: _report(d).closing),
    _setting("落款", lambda d: _report(d).signatory),
    _setting("联系人", lambda d: _report(d).contact_person),
    _setting("联系电话", lambda d: _report(d).contact_phone),
    _setting("专报部门", lambda d: _report(d).submitting_department),
    _setting("专报人", lambda d: _report(d).submitter),
    _setting("文号", lambda d: _report(d).document_number),
    _setting("拟文稿标题", lambda d: _report(d).form_title),
    TextField(
        "提纲.一级标题",
        ((OFFICE, "提纲", 4, "一级标题"), (PROGRESS_BOOK, "工作进展", 4, "一级标题")),
        lambda d: d.report.sections[-1].title,
        "report",
        heading=True,
    ),
    TextField(
        "提纲.二级标题",
        ((OFFICE, "提纲", 2, "二级标题"), (PROGRESS_BOOK, "工作进展", 2, "二级标题")),
        lambda d: d.report.sections[0].subsections[0].title,
        "report",
        heading=True,
    ),
    TextField(
        "拟文稿.意见",
        ((OFFICE, "拟文稿", 2, "意见"),),
        lambda d: d.report.approval["专报部门意见"][0].opinion,
        "report",
    ),
    TextField(
        "拟文稿.签署人",
        ((OFFICE, "拟文稿", 2, "签署人"),),
        lambda d: d.report.approval["专报部门意见"][0].signer,
        "report",
    ),
    TextField(
        "项目表信息.编制单位",
        ((OFFICE, "项目表信息", 0, "编制单位"),),
        lambda d: d.table_settings.compiler,
        "table",
    ),
    TextField(
        "项目表信息.领域",
        ((OFFICE, "项目表信息", 0, "领域"),),
        lambda d: d.table_settings.domain,
        "table",
    ),
    TextField(
        "项目表注.注", ((OFFICE, "项目表注", 2, "注"),), lambda d: d.regions[0].notes[0], "table"
    ),
    TextField(
        "工作进展.事项",
        ((PROGRESS_BOOK, "工作进展", 3, "事项"),),
        lambda d: d.report.sections[0].subsections[1].entries[0].lead_in,
        "report",
    ),
    TextField(
        "工作进展.内容",
        ((PROGRESS_BOOK, "工作进展", 3, "内容"),),
        lambda d: d.report.sections[0].subsections[1].entries[0].paragraphs,
        "report",
        paragraphs=True,
    ),
    TextField(
        "工作进展.责任单位",
        ((PROGRESS_BOOK, "工作进展", 2, "责任单位"),),
        lambda d: d.report.sections[0].subsections[0].entries[0].responsible,
        "",
    ),
    TextField(
        "合作交流项目.对口地区",
        (
            (COOPERATION_BOOK, "合作交流项目", 2, "对口地区"),
            (COOPERATION_BOOK, "合作交流项目", 3, "对口地区"),
            (OFFICE, "项目表注", 2, "对口地区"),
        ),
        lambda d: d.regions[0].region,
        "table",
    ),
    TextField(
        "合作交流项目.事项",
        ((COOPERATION_BOOK, "合作交流项目", 2, "事项"),),
        lambda d: d.regions[0].items[0].name,
        "table",
    ),
    *(
        TextField(
            f"合作交流项目.{column}",
            ((COOPERATION_BOOK, "合作交流项目", 2, column),),
            get,
            "table",
        )
        for column, get in (
            ("对口合作交流内容", lambda d: _cooperation_row(d).content),
            ("预计完成时间", lambda d: _cooperation_row(d).due),
            ("2024年计划", lambda d: _cooperation_row(d).plans.get(2024)),
            ("事项推进情况", lambda d: _cooperation_row(d).progress),
            ("牵头领导", lambda d: _cooperation_row(d).lead_leader),
            ("牵头部门", lambda d: _cooperation_row(d).lead_department),
            ("配合部门", lambda d: _cooperation_row(d).supporting),
        )
    ),
    TextField(
        "合作交流项目.说明",
        ((COOPERATION_BOOK, "合作交流项目", 3, "说明"),),
        lambda d: _cooperation_row(d, 1).explanation,
        "table",
    ),
)
FIELDS = {f.name: f for f in TEXT_FIELDS}


@dataclass(frozen=True)
class Kept:
    """A value the dossier must hold exactly and, with `document`, the text it must show there."""

    get: Callable[[Dossier], Any]
    value: Any
    shown: str | None = None  # None: the value itself (a list: its items, one per line)
    document: str = ""  # "report" or "table"; "" for a value not printed


def kept_text(name: str, value: str | list[str], shown: str | None = None) -> Kept:
    text_field = FIELDS[name]
    return Kept(text_field.get, value, shown, text_field.document)


@dataclass(frozen=True)
class Case:
    name: str
    write: Callable[[Path], None]
    errors: tuple[At, ...] = ()  # exactly these errors; none: the build must succeed
    notices: tuple[At, ...] = ()  # at least these notices
    kept: tuple[Kept, ...] = ()
    documents: int | None = None  # how many documents the build renders, when it matters


CASES: list[Case] = []


def case(name: str, **expectations) -> Callable[[Callable[[Path], None]], Callable]:
    def register(write: Callable[[Path], None]) -> Callable[[Path], None]:
        assert name not in {c.name for c in CASES}, name
        CASES.append(Case(name, write, **expectations))
        return write

    return register


def with_books(change: Callable[[Books], Any]) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        books = Books()
        change(books)
        books.write(folder)

    return write


def books_case(name: str, **expectations):
    """A case that changes the valid base set; the decorated function receives the `Books`."""

    def register(change: Callable[[Books], Any]) -> Callable[[Books], Any]:
        case(name, **expectations)(with_books(change))
        return change

    return register


# ------------------------------------------------------------------ reading what was rendered

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def document_text(data: bytes) -> str:
    """The text of a .docx body as Word shows it: paragraphs on lines, `w:br` as a line break."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    paragraphs = []
    for paragraph in root.iter(f"{W}p"):
        parts = []
        for node in paragraph.iter(f"{W}t", f"{W}br", f"{W}tab", f"{W}cr"):
            if node.tag == f"{W}t":
                text = node.text or ""
                if text != text.strip(" "):
                    # Word drops leading and trailing spaces of a w:t without xml:space.
                    assert node.get(XML_SPACE) == "preserve", repr(text)
                parts.append(text)
            else:
                parts.append("\t" if node.tag == f"{W}tab" else "\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def shows(text: str, expected: str) -> bool:
    """Every line of `expected` appears in `text`, in order; a title broken into lines (the
    documents break long titles between words) is read as one line."""
    return _shows(text, expected) or _shows(text.replace("\n", ""), expected)


def _shows(text: str, expected: str) -> bool:
    position = 0
    for line in expected.split("\n"):
        line = line.strip()
        if not line:
            continue
        found = text.find(line, position)
        if found < 0:
            return False
        position = found + len(line)
    return True


_WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(10)),
    *(f"LPT{i}" for i in range(10)),
}


def assert_safe_file_name(name: str) -> None:
    """Valid on Windows and on Linux, and unable to leave the run folder."""
    assert Path(name).name == name and name not in {".", ".."}, name
    assert not _WINDOWS_FORBIDDEN.search(name), name
    assert not name.startswith(".") and name == name.rstrip(". "), name
    assert name.split(".")[0].upper() not in _RESERVED, name
    assert len(name.encode("utf-8")) <= 255 and len(name.encode("utf-16-le")) // 2 <= 255, name
    assert not any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in name), repr(name)
    assert name.endswith(".docx"), name


def documents_of(prepared, kind: str) -> list[RenderedDocument]:
    template = {"report": REPORT_TEMPLATE, "table": TABLE_TEMPLATE}[kind]
    return [d for d in prepared.documents if d.template == template]
