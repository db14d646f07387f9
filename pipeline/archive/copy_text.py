"""Whether a PDF or OFD copy holds every character of its document.

The rule: the non-space characters (NFKC) of the document's `w:t` text, counted, must each be
found in the copy's text as often. Characters only the copy has are fine: page numbers from the
footers, a table's header row repeated on every page, （续） on a continued row. A character the
copy has fewer times than the document is text lost from the archive, such as a mark LibreOffice
neither draws nor writes.

Only the body (`word/document.xml`) counts: the footers hold page-number fields whose stored
digit is not what each page prints. Spaces, control and format characters (zero-width spaces
and joiners, which no page draws) do not count.

The PDF's text is read with pypdf, in pure Python, so the check runs on an office PC with
LibreOffice and nothing else; the OFD's text is read from its own XML (`TextCode`).
"""

from __future__ import annotations

import logging
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from lxml import etree

from ..errors import ArchiveError, LostText
from ..problems import Location, Problem, error
from ..safe_xml import LARGE_PARSER as _PARSER

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
OFD_NS = "http://www.ofdspec.org/2016"
BODY = "word/document.xml"
# How much of the document is shown around a lost character, and how much of it must stand
# together in the copy for the place to be found.
SHOWN = 6
MATCHED = 4
LISTED = 20  # places listed per copy; the count of the rest is given
UNSURE = 3  # places shown of a character whose lost place is not found


# ------------------------------------------------------------------------------- the rule


def printed(text: str) -> list[tuple[str, str]]:
    """Each character of `text` that counts, with its NFKC form: (as typed, normalised)."""
    found = []
    for character in text:
        normalised = "".join(c for c in unicodedata.normalize("NFKC", character) if _counts(c))
        if normalised:
            found.append((character, normalised))
    return found


def _counts(character: str) -> bool:
    return not character.isspace() and unicodedata.category(character) not in ("Cc", "Cf")


def characters(text: str) -> Counter[str]:
    """The multiset of counted characters (NFKC) in `text`."""
    return Counter(c for _, normalised in printed(text) for c in normalised)


@dataclass(frozen=True)
class Loss:
    """One place of the document whose character the copy does not hold."""

    character: str  # as the document has it
    before: str  # the document's counted characters just before it
    after: str
    page: int | None  # the copy's page on which its neighbours stand, when found
    unsure_of: int = 0  # when the place is not found: how many places the document has

    def describe(self, *, page: bool = False) -> str:
        """What is lost, with `page` the page first (where the copy's name is said already)."""
        if page and self.page is not None:
            return f"第 {self.page} 页{self.describe()}"
        where = f"「{self.before}」之后的" if self.before else "开头的"
        text = f"原文「{self.before}{self.character}{self.after}」中{where}「{self.character}」"
        if self.unsure_of:
            return (
                f"缺少一处「{self.character}」，文档中共有 {self.unsure_of} 处，"
                f"未能确定是哪一处，例如{text}"
            )
        return f"缺少{text}"


@dataclass(frozen=True)
class LossyCopy:
    """A copy that holds fewer of some characters than its document."""

    copy: str  # the copy's file name
    document: str  # the document's file name
    missing: dict[str, int]  # each lost character as the document has it → how many
    losses: tuple[Loss, ...]  # the places found (or, when none is, every candidate place)

    @property
    def total(self) -> int:
        return sum(self.missing.values())

    def summary(self) -> str:
        """The missing characters and their counts, e.g. `、×7 。 ，`."""
        return " ".join(f"{c}×{n}" if n > 1 else c for c, n in self.missing.items())

    def describe(self) -> str:
        """The loss on one line (for verify's report): the characters and the first places."""
        places = "；".join(loss.describe(page=True) for loss in self.losses[:3])
        more = "…" if len(self.losses) > 3 else ""
        return f"比 {self.document} 少 {self.total} 个字符（{self.summary()}）：{places}{more}"

    def problems(self) -> list[Problem]:
        """The loss as the clerk reads it: the copy, the characters, then each place."""
        found = [
            error(
                Location(self.copy),
                f"比 {self.document} 少 {self.total} 个字符：{self.summary()}",
            )
        ]
        for loss in self.losses[:LISTED]:
            found.append(error(Location(self.copy, page=loss.page), loss.describe()))
        if len(self.losses) > LISTED:
            found.append(error(Location(self.copy), f"另有 {len(self.losses) - LISTED} 处未列出"))
        return found


def compare(
    document_text: str, page_texts: Sequence[str], *, copy: str, document: str
) -> LossyCopy | None:
    """The characters of `document_text` that `page_texts` (the copy's pages) lack, or None."""
    tokens = printed(document_text)
    wanted = Counter(c for _, normalised in tokens for c in normalised)
    held: Counter[str] = Counter()
    pages = []
    for text in page_texts:
        page = "".join(normalised for _, normalised in printed(text))
        pages.append(page)
        held.update(page)
    lacking = wanted - held
    if not lacking:
        return None
    shown: dict[str, str] = {}
    for typed, normalised in tokens:
        for c in normalised:
            if c in lacking and c not in shown:
                shown[c] = typed
    losses = tuple(sorted(_places(tokens, pages, lacking), key=lambda loss: loss.page or 0))
    return LossyCopy(copy, document, {shown[c]: n for c, n in lacking.items()}, losses)


def _places(
    tokens: list[tuple[str, str]], pages: list[str], lacking: Counter[str]
) -> Iterator[Loss]:
    """The places of the lost characters: where the document has the character between two
    neighbours more often than the copy, and the copy holds the neighbours side by side. Where
    no place of a character is found so, the first few of its places, said to be unsure."""
    for character in lacking:
        places = []
        for index, (typed, normalised) in enumerate(tokens):
            if character in normalised:
                before = "".join(n for _, n in tokens[max(0, index - MATCHED) : index])
                after = "".join(n for _, n in tokens[index + 1 : index + 1 + MATCHED])
                places.append((index, typed, before, normalised, after))
        groups: dict[str, list[tuple[int, str, str]]] = {}
        for index, typed, before, normalised, after in places:
            groups.setdefault(before + normalised + after, []).append(
                (index, typed, before + after)
            )
        located = []
        for whole, group in groups.items():
            lost = len(group) - sum(p.count(whole) for p in pages)
            # The pages that hold the neighbours without the character between them (and
            # without the lost characters beside it, when several are lost together).
            joined = group[0][2]
            stripped = "".join(c for c in joined if c not in lacking)
            found = [n for n, p in enumerate(pages, 1) for _ in range(p.count(joined))]
            found = found or [n for n, p in enumerate(pages, 1) for _ in range(p.count(stripped))]
            for (index, typed, _), page in zip(group[: max(lost, 0)], found, strict=False):
                located.append(_loss(tokens, index, typed, page, 0))
        del located[lacking[character] :]  # never more places than characters lost
        if located:
            yield from located
        else:
            for index, typed, *_ in places[:UNSURE]:
                yield _loss(tokens, index, typed, None, len(places))


def _loss(tokens: list[tuple[str, str]], index: int, typed: str, page: int | None, of: int) -> Loss:
    before = "".join(t for t, _ in tokens[max(0, index - SHOWN) : index])
    after = "".join(t for t, _ in tokens[index + 1 : index + 1 + SHOWN])
    return Loss(typed, before, after, page, of)


# ------------------------------------------------------------------------------- reading


def document_text(docx: bytes) -> str:
    """The `w:t` text of the document's body, paragraphs and table cells apart.

    A drawing's text box is read once (Word stores it twice: for itself and, in
    `mc:Fallback`, for older versions); hidden runs (`w:vanish`) are not printed."""
    try:
        with zipfile.ZipFile(BytesIO(docx)) as package:
            root = etree.fromstring(package.read(BODY), _PARSER)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise ArchiveError(f"无法读取文档的正文（{exc}）。") from None
    parts = []
    for element in root.iter(f"{{{W_NS}}}t", f"{{{W_NS}}}p"):
        if any(a.tag == f"{{{MC_NS}}}Fallback" for a in element.iterancestors()):
            continue
        if element.tag == f"{{{W_NS}}}p":
            parts.append("\n")
        elif not _hidden(element):
            parts.append(element.text or "")
    return "".join(parts)


def _hidden(text: Any) -> bool:
    run = text.getparent()
    vanish = run.find(f"{{{W_NS}}}rPr/{{{W_NS}}}vanish") if run is not None else None
    return vanish is not None and vanish.get(f"{{{W_NS}}}val", "true") not in ("0", "false")


def pdf_page_texts(pdf: bytes) -> list[str]:
    """Each page's text as pypdf reads it."""
    from pypdf import PdfReader  # loaded only when a copy is checked

    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR)  # its warnings (in English) are not for the clerk's window
    try:
        reader = PdfReader(BytesIO(pdf))
        return [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # any PDF, an altered one too: a message, never a traceback
        raise ArchiveError(f"无法读取 PDF 的文字（{type(exc).__name__}: {exc}）。") from None
    finally:
        log.setLevel(level)


def ofd_page_texts(ofd: bytes) -> list[str]:
    """Each page's text: its `TextCode`s in document order, read from the package's XML."""
    try:
        with zipfile.ZipFile(BytesIO(ofd)) as package:

            def xml(name: str) -> Any:
                return etree.fromstring(package.read(name.lstrip("/")), _PARSER)

            def tag(name: str) -> str:
                return f"{{{OFD_NS}}}{name}"

            doc_root = xml("OFD.xml").findtext(f"{tag('DocBody')}/{tag('DocRoot')}") or ""
            folder = doc_root.lstrip("/").rsplit("/", 1)[0] if "/" in doc_root else ""
            texts = []
            for page in xml(doc_root).iterfind(f"{tag('Pages')}/{tag('Page')}"):
                location = page.get("BaseLoc", "")
                if not location.startswith("/") and folder:
                    location = f"{folder}/{location}"
                codes = xml(location).iter(tag("TextCode"))
                texts.append("".join(code.text or "" for code in codes))
            return texts
    except Exception as exc:  # an altered package too: a message, never a traceback
        raise ArchiveError(f"无法读取 OFD 的文字（{type(exc).__name__}: {exc}）。") from None


# ------------------------------------------------------------------------------- checking


def check_copy(data: bytes, docx: bytes, *, copy: str, document: str) -> LossyCopy | None:
    """The PDF (`.pdf`) or OFD copy `data` checked against its document's bytes."""
    read = ofd_page_texts if copy.lower().endswith(".ofd") else pdf_page_texts
    return compare(document_text(docx), read(data), copy=copy, document=document)


def check_copies(copies: Sequence[tuple[str, bytes, str]], documents: dict[str, bytes]) -> None:
    """`LostText` naming every copy (name, bytes, its document's name) that lost text."""
    lossy = [
        found
        for name, data, source in copies
        if (found := check_copy(data, documents[source], copy=name, document=source))
    ]
    if lossy:
        raise LostText([p for copy in lossy for p in copy.problems()], [c.copy for c in lossy])
