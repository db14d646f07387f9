"""The PDF copies print every character of their documents (LibreOffice, as the office runs it).

Each office folder is made as the office has it (inputs/, templates/) and built with
`pipeline build --pdf` as a child process in that folder, with no path options. Every
non-space character of each document's text must be in `pdftotext -layout` of its copy:
punctuation at the end of a full line, rare characters (CJK Extensions B–G) and emoji too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _copy_text import docx_text, missing_characters, pdf_text
from conftest import require_tool, tool_missing
from corpus import FIELDS, Books, generate

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.libreoffice

# One character of each extension: 𠀀 and 𠀣 (B: in BabelStone Han, then only in HanaMinB),
# 𪜀 𪟑 (C), 𫝀 (D), 𫠠 𫠰 (E), 𬺰 𬻔 (F), 𰀀 (G, BabelStone Han only).
RARE = "𠀀𠀣𪜀𪟑𫝀𫠠𫠰𬺰𬻔𰀀"
# The hard-text cases of the corpus: emoji and Extension B, line breaks, very long cells.
CORPUS_CASES = (
    "emoji_and_cjk_extension_b",
    "multi_line_text",
    "very_long_region_name",
    "very_long_text",
)


def require_faces(*families: str) -> None:
    """The fallback faces `.ci/run` installs; skip (fail in CI) without them."""
    listed = subprocess.run(
        [require_tool("fc-list"), ":", "family"], capture_output=True, text=True, check=True
    ).stdout
    missing = [family for family in families if family not in listed]
    if missing:
        tool_missing(f"fonts not installed: {', '.join(missing)}")


def build_office(office: Path) -> Path:
    """`pipeline build --pdf` in the office folder; the run folder it wrote."""
    require_tool("soffice", "libreoffice")
    require_tool("pdftotext")
    require_faces("Noto Serif CJK SC", "BabelStone Han", "HanaMinB", "Symbola")
    shutil.copytree(ROOT / "templates", office / "templates")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--pdf"],
        cwd=office,
        capture_output=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout.decode("utf-8", "replace")
    (run,) = (office / "outputs").iterdir()
    return run


def lost_text(run: Path) -> dict[str, dict[str, int]]:
    """For each document of the run, the characters its PDF copy does not hold."""
    documents = sorted(run.glob("*.docx"))
    assert documents
    lost = {}
    for document in documents:
        copy = document.with_suffix(".pdf")
        assert copy.is_file(), copy.name
        missing = missing_characters(document, copy)
        if missing:
            lost[document.name] = {f"{c} U+{ord(c):04X}": n for c, n in missing.items()}
    return lost


def test_example_copies_hold_every_character(tmp_path: Path) -> None:
    office = tmp_path / "office"
    shutil.copytree(ROOT / "inputs", office / "inputs")
    run = build_office(office)
    assert lost_text(run) == {}
    # The marks once lost at the ends of full lines are there.
    report = pdf_text(run / "工作专报（第95期）.pdf").replace(" ", "").replace("\n", "")
    assert "受理、交办、办理、落实" in report
    meeting = pdf_text(run / "会议材料之6_合作交流项目汇报.pdf").replace(" ", "").replace("\n", "")
    assert "科经委牵头，" in meeting or "科经委牵头," in meeting


@pytest.mark.parametrize("name", CORPUS_CASES)
def test_hard_text_copies_hold_every_character(tmp_path: Path, name: str) -> None:
    (folder,) = generate(tmp_path, {name})
    office = tmp_path / "office"
    office.mkdir()
    folder.rename(office / "inputs")
    assert lost_text(build_office(office)) == {}


def test_rare_characters_print_from_the_fallback_faces(tmp_path: Path) -> None:
    require_tool("pdffonts")
    books = Books()
    FIELDS["工作进展.内容"].write(books, f"姓名{RARE}，罕用字。")
    FIELDS["合作交流项目.对口地区"].write(books, f"永安{RARE[:2]}")
    office = tmp_path / "office"
    books.write(office / "inputs")
    run = build_office(office)
    report = run / "工作专报（第95期）.docx"
    assert RARE in docx_text(report)
    assert lost_text(run) == {}
    fonts = subprocess.run(
        ["pdffonts", str(report.with_suffix(".pdf"))], capture_output=True, text=True, check=True
    ).stdout
    assert "BabelStoneHan" in fonts and "HanaMinB" in fonts, fonts
