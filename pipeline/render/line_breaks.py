"""Where a line of Chinese text may break, and how wide a text is.

Between words only (words from `segmenter`), best at a pause (，、：；) or after a verb; never
after an opening bracket, inside brackets, or before closing punctuation, 的/之 or a
one-character word that belongs to the word before it. Used for titles (`titles`) and for
table headers and names (`table.widths`).
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from collections.abc import Sequence
from functools import cache

from . import segmenter

SLACK = 0.25  # of a character per line: fonts and line-breaking rules are not exact

_OPENING = "（(《〈「『“‘【〔［[{"
_CLOSING = "）)》〉」』”’】〕］]}"
# Punctuation a line may end with (breaking after it is best); no line may start with it.
_PAUSES = "，、：；,:;"
NO_LINE_START = _CLOSING + _PAUSES + "。！？!?.…—· \u3000\t"
# One-character words a line may start with: connectives. Any other one-character word belongs
# to the word before it (生态环境/局, 大田/县, 2023/年), and 的/之 end a phrase.
_CONNECTIVES = frozenset("与和及并或暨对在")
_PARTICLES = frozenset("的之")

# Costs of a break, in em of imbalance between a title's lines.
PAUSE_COST = 0.0
VERB_COST = 1.0
WORD_COST = 4.0
ANYWHERE_COST = 40.0  # inside a word: only for a word longer than a line


def display_width(text: str) -> float:
    """Width in em: CJK, full-width and (in CJK fonts) ambiguous characters are one."""
    return sum(map(_CHAR_WIDTHS.__getitem__, text))


class _CharWidths(dict):
    """Character → width in em, looked up once per character (tables measure every text)."""

    def __missing__(self, ch: str) -> float:
        width = 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55
        self[ch] = width
        return width


_CHAR_WIDTHS = _CharWidths()


@cache
def word_units(text: str) -> tuple[str, ...]:
    """`text` cut only where a line may break: the pieces a line must hold whole
    (`预计完成时间` → 预计, 完成, 时间; `2023年计划` → 2023年, 计划)."""
    if not text:
        return ()
    words = [word.text for word in segmenter.words(text)]
    costs = break_costs(words)
    units: list[str] = []
    for word, cost in zip(words, costs, strict=True):
        if units and cost is None:
            units[-1] += word
        else:
            units.append(word)
    return tuple(units)


def break_costs(
    words: Sequence[str], *, verbs: set[int] = frozenset(), inside_words: bool = False
) -> list[float | None]:
    """The cost of breaking before each word (index 0 unused); None where it is not allowed.
    `verbs`: indexes of the verbs, after which a break keeps the verb and its object apart
    best (关于进一步扎实推进 / 浦东新区现代环境治理体系建设的报告)."""
    costs: list[float | None] = [None]
    depth = 0
    for index, (before, after) in enumerate(itertools.pairwise(words)):
        depth = max(0, depth + sum(ch in _OPENING for ch in before))
        depth = max(0, depth - sum(ch in _CLOSING for ch in before))
        cost = _break_cost(before, after, depth, inside_words)
        if cost == WORD_COST and index in verbs:
            cost = VERB_COST
        costs.append(cost)
    return costs


def _break_cost(before: str, after: str, depth: int, inside_words: bool) -> float | None:
    if before[-1] in _OPENING or after[0] in NO_LINE_START or after[0] in _PARTICLES:
        return None
    if _joins(before[-1], after[0]):  # one character on screen: 👨‍👩‍👧, 👍🏽, é
        return None
    if depth > 0 and not inside_words:  # (2023-2025年) stays whole
        return None
    if before[-1] in _PAUSES:
        return PAUSE_COST
    if inside_words:
        return ANYWHERE_COST
    if _lone(after):
        return None
    return WORD_COST


_ZWJ = "\u200d"


def _joins(before: str, after: str) -> bool:
    """Whether two characters belong to one grapheme: a combining mark, a variation selector
    or a skin tone after, or a zero-width joiner on either side."""
    return (
        before == _ZWJ
        or after == _ZWJ
        or unicodedata.category(after) in ("Mn", "Me", "Mc")
        or "\ufe00" <= after <= "\ufe0f"
        or "\U0001f3fb" <= after <= "\U0001f3ff"
        or "\U000e0100" <= after <= "\U000e01ef"
    )


def _lone(word: str) -> bool:
    """A one-character word that cannot start a line."""
    return len(word) == 1 and word not in _CONNECTIVES and display_width(word) >= 1


def packed_lines(units: Sequence[str], per_line: float) -> list[str] | None:
    """`units` filled into lines of `per_line` em, a unit never split; None when one is wider."""
    lines: list[str] = []
    width = 0.0
    for unit in units:
        unit_width = display_width(unit)
        if unit_width > per_line + 1e-9:
            return None
        if lines and width + unit_width <= per_line + 1e-9:
            lines[-1] += unit
            width += unit_width
        else:
            lines.append(unit)
            width = unit_width
    return lines


@cache
def name_lines(text: str, per_line: float) -> tuple[str, ...] | None:
    """A cell of names or a short phrase (`市容环卫处、废管中心`, `当前支持事项完成`) as lines of
    `per_line` em broken between words (`word_units`: 市容 / 环卫处、 / 废管中心), never inside
    one; each of the text's own lines filled the same way. None when a word is wider than a line:
    then the renderer has to break it."""
    lines: list[str] = []
    for line in text.split("\n"):
        packed = packed_lines(word_units(line), per_line) if line else [""]
        if packed is None:
            return None
        lines += packed
    return tuple(lines)


def filled_line_starts(text: str, per_line: float) -> list[int]:
    """Where each line after the first starts when a renderer fills lines of `per_line` em
    character by character, as Word and LibreOffice do with Chinese (a closing mark never starts
    a line: the character before it goes down with it)."""
    return FilledText(text).line_starts(per_line)


class FilledText:
    """A text filled into lines as `filled_line_starts` fills it, from any point of it: its
    widths are summed once, so a long text cut many times is not measured again each time."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._widths = list(itertools.accumulate(map(_CHAR_WIDTHS.__getitem__, text), initial=0.0))

    def line_starts(self, per_line: float, begin: int = 0, end: int | None = None) -> list[int]:
        """Where each line after the first starts when `text[begin:end]` is filled."""
        end = len(self.text) if end is None else end
        widths, starts = self._widths, []
        at = done = begin  # the line starts at `at`; characters before `done` are placed
        while True:
            # The first character that would make the line wider than `per_line`.
            over = bisect.bisect_right(widths, widths[at] + per_line + 1e-9, max(at + 2, done + 1))
            if over > end:
                return starts
            index = over - 1
            at = index - 1 if self.text[index] in NO_LINE_START and index > begin else index
            starts.append(at)
            done = index + 1


def breaks_a_name(text: str, per_line: float) -> bool:
    """Whether lines of `per_line` em cannot hold `text`'s words whole (see `name_lines`)."""
    return name_lines(text, per_line) is None
