"""Properties over any text in any text field: kept exactly (after the contract's cleaning) in the
merged dossier and in the rendered document, or reported at its cell; never a crash."""

from __future__ import annotations

import re

from corpus import (
    TEMPLATES,
    TEXT_FIELDS,
    Books,
    TextField,
    assert_safe_file_name,
    document_text,
    documents_of,
    shows,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipeline.api import prepare
from pipeline.errors import InputProblems
from pipeline.files import safe_file_name
from pipeline.problems import Problem

# Strings that exercise a rule of the contract or an escaping layer, mixed into random text.
# fmt: off
TOKENS = [
    "\r\n", "\r", "\n", "\x0b", "\x0c", "\x00", "\x1f", "\x7f", "\x85", "\x9f", "\t",
    "\u2028", "\u2029", "\u3000", "\xa0", "\u200b", "\u200d", "\ufeff", "\ufffe", "\uffff",
    "_x000B_", "_x0041_", "_x005F_", "_x", "&", "<", ">", '"', "'", "&amp;", "&#123;",
    "{{", "}}", "{%", "%}", "{_{", "}_}", "{_%", "%_}", "{#", "#}", "{{r x }}", "</w:t>",
    "一、", "（二）", "1.", "=", "=1+1", "@", "𠀋", "😀", "👨\u200d👩\u200d👧", "é", "\u202e",
    "..", "/", "\\", ":", "*", "?", "CON", " ", "方面",
]
# fmt: on
TEXT = st.lists(
    st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(TOKENS)), max_size=12
).map("".join)

# Never blank, so that a build with every field changed usually succeeds and can be checked.
VISIBLE_TEXT = st.builds(lambda before, after: f"{before}字{after}", TEXT, TEXT)

# The contract's cleaning, stated independently of the code under test.
_BREAKS = re.compile(r"\r\n|\r|\x0b|\x85|\u2028|\u2029")
_REMOVED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Values that stand for "left blank": no value, or the contract's default for the field.
BLANK = (None, "", [], "特此报告。", "95", "关于推进现代环境治理体系建设情况的报告")

PROPERTY_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def cleaned(raw: str) -> str:
    return _REMOVED.sub("", _BREAKS.sub("\n", raw)).strip()


def expected_value(text_field: TextField, raw: str) -> str | list[str]:
    text = cleaned(raw)
    if text_field.paragraphs:
        return [line.strip() for line in text.split("\n") if line.strip()]
    return text


def _place(problem: Problem) -> tuple:
    return (problem.location.file, problem.location.sheet, problem.location.cell)


def _places(books: Books, text_field: TextField) -> set[tuple]:
    return {(a.file, a.sheet, a.cell) for a in text_field.places(books)}


def build(texts: dict[str, str], tmp_path_factory):
    """Write the base inputs with `texts` in their fields; the prepared run or its problems."""
    books = Books()
    for name, raw in texts.items():
        next(f for f in TEXT_FIELDS if f.name == name).write(books, raw)
    folder = tmp_path_factory.mktemp("inputs")
    books.write(folder)
    try:
        return books, prepare(folder, TEMPLATES), []
    except InputProblems as problems:
        return books, None, problems.problems


def assert_kept_or_reported(books, prepared, problems, text_field: TextField, raw: str) -> None:
    places = _places(books, text_field)
    here = [p for p in (problems or prepared.dossier.notices) if _place(p) in places]
    if prepared is None:
        return  # the build stopped; the caller checked every error is at an edited cell
    value = text_field.get(prepared.dossier)
    expected = expected_value(text_field, raw)
    # A removed character is reported, and the rest of the text must still be there exactly.
    reported = [p for p in here if "控制字符" not in p.message]
    if cleaned(raw) != _BREAKS.sub("\n", raw).strip():
        assert here, f"characters removed from {text_field.name} without a notice"
    if reported:
        return
    if not expected:
        # A blank heading changes the outline's shape rather than a value.
        assert text_field.heading or value in BLANK, (text_field.name, value)
        return
    assert value == expected, (text_field.name, raw)
    if text_field.document:
        text = "\n".join(document_text(d.data) for d in documents_of(prepared, text_field.document))
        shown = "\n".join(expected) if isinstance(expected, list) else expected
        assert shows(text, shown), (text_field.name, shown)


def assert_documents_safe(prepared) -> None:
    if prepared is None:
        return
    names = [d.name for d in prepared.documents]
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert_safe_file_name(name)


@PROPERTY_SETTINGS
@given(text_field=st.sampled_from(TEXT_FIELDS), raw=TEXT)
def test_any_text_in_one_field_is_kept_or_reported(tmp_path_factory, text_field, raw):
    books, prepared, problems = build({text_field.name: raw}, tmp_path_factory)
    event("built" if prepared else "refused")
    places = _places(books, text_field)
    if prepared is None:
        errors = [p for p in problems if p.is_error]
        assert errors and all(_place(p) in places for p in errors), [p.describe() for p in errors]
    assert_kept_or_reported(books, prepared, problems, text_field, raw)
    assert_documents_safe(prepared)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.fixed_dictionaries({f.name: VISIBLE_TEXT for f in TEXT_FIELDS}))
def test_any_text_in_every_field_at_once(tmp_path_factory, texts):
    books, prepared, problems = build(texts, tmp_path_factory)
    event("built" if prepared else "refused")
    edited = set().union(*(_places(books, f) for f in TEXT_FIELDS))
    if prepared is None:
        errors = [p for p in problems if p.is_error]
        assert errors and all(_place(p) in edited for p in errors), [p.describe() for p in errors]
        return
    for text_field in TEXT_FIELDS:
        assert_kept_or_reported(books, prepared, problems, text_field, texts[text_field.name])
    assert_documents_safe(prepared)


@settings(max_examples=300, deadline=None)
@given(name=st.text(st.characters(exclude_categories=("Cs",))) | TEXT)
def test_any_name_becomes_a_safe_file_name(name):
    assert_safe_file_name(f"合作交流项目表_{safe_file_name(name)}.docx")


# fmt: off
XML_BITS = st.sampled_from([
    "<", ">", "/", '="', '"', "'", "&", ";", "&#0;", "&#x1F;", '<c r="A1">', "</c>", "<v>",
    "</v>", 't="s"', 't="e"', 't="n"', 'r="XFD1048576"', "<f>", "</f>", "<!--", "]]>",
    "<![CDATA[", "9" * 30, "-1", "1e999", "NaN", "#REF!", "\x00", "\ufffe", "\u00e9", "𠀋",
])
# fmt: on


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mangled_workbook_xml_never_crashes(tmp_path_factory, data):
    """Random edits inside a workbook's XML parts: problems or a build, never another exception."""
    import io
    import zipfile

    folder = tmp_path_factory.mktemp("inputs")
    Books().write(folder)
    path = folder / data.draw(st.sampled_from(sorted(p.name for p in folder.glob("*.xlsx"))))
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    name = data.draw(st.sampled_from(sorted(n for n in members if n.endswith(".xml"))))
    text = members[name].decode("utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 40)))
        text = text[:start] + data.draw(XML_BITS | st.text(max_size=3)) + text[end:]
    members[name] = text.encode("utf-8", "surrogatepass")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member, content in members.items():
            target.writestr(member, content)
    path.write_bytes(buffer.getvalue())
    try:
        prepared = prepare(folder, TEMPLATES)
    except InputProblems as problems:
        assert any(p.is_error for p in problems.problems)
        assert all(p.location.file for p in problems.problems)
        return
    assert_documents_safe(prepared)
    for document in prepared.documents:
        document_text(document.data)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_damaged_workbook_bytes_never_crash(tmp_path_factory, data):
    """Flipped bytes and cut files, anywhere in the zip: an error naming the file, or a build."""
    from pipeline.load import load_inputs

    raw = bytearray(_workbook_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "区人社局.xlsx").write_bytes(bytes(raw))
    loaded = load_inputs(folder)
    assert all(p.location.file == "区人社局.xlsx" for p in loaded.problems)


_WORKBOOK: list[bytes] = []


def _workbook_bytes() -> bytes:
    if not _WORKBOOK:
        _WORKBOOK.append(Books().workbook_bytes("区人社局.xlsx"))
    return _WORKBOOK[0]
