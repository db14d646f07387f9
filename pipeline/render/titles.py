"""Breaking a title into lines the way GB/T 9704 7.3.3 asks: words whole, trapezoid or diamond.

A title that fits one line stays on one line. A longer one is broken between words, never
inside one, preferring punctuation (，、：；), into as few lines as fit, shaped as a trapezoid
(each line no longer than the one below) or a diamond (rising to a longest line, then falling),
and otherwise as balanced as the words allow. A clerk's own line breaks (Alt+Enter, `\\n`) are
kept as typed; only a typed line too long for the page is broken further.

Chinese has no spaces, so words come from `segmenter` (jieba's dictionary, searched in place),
only for a title longer than a line.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Sequence

from . import segmenter
from .line_breaks import break_costs, display_width
from .page import DEFAULT_CELL_PADDING, page_geometry, style_size
from .wordml import TC, TC_PR, TC_W, W_TYPE, W_W, P, find_child, paragraph_style, w_name

# A break's cost (`line_breaks`) is weighed against the difference between the longest and the
# shortest line in em, times this: a break at a pause or after a verb is worth some imbalance.
_SPREAD_WEIGHT = 0.25
_EXTRA_LINES = 2  # lines beyond the fewest tried for a better shape
# Up to this many lines a title is shaped (every layout compared); a longer text is filled.
_SHAPED_LINES = 4
_MAX_LAYOUTS = 20_000  # compared for one number of lines: a title of few long words has more


def title_lines(text: str, chars_per_line: float) -> list[str]:
    """`text` as the lines of a centred title where `chars_per_line` em fit a line.

    Widths are measured as the table layout measures them (CJK one em, Latin about half).
    """
    lines: list[str] = []
    for typed in text.split("\n"):
        if display_width(typed) <= chars_per_line:
            lines.append(typed)
        else:
            lines.extend(_broken(typed, chars_per_line))
    return lines


def _broken(text: str, room: float) -> list[str]:
    if display_width(text) > _SHAPED_LINES * room:
        # Not a title but a text (a paragraph pasted in): filled line by line, quickly.
        words = list(text)
        costs = break_costs(words, inside_words=True)
        return _joined(words, _filled([display_width(ch) for ch in words], costs, room))
    found = segmenter.words(text)
    words = [word.text for word in found]
    costs = break_costs(words, verbs={i for i, word in enumerate(found) if word.verb})
    best = _best_breaks([display_width(w) for w in words], costs, room)
    if best is None:
        # A word longer than a line (a long name or number) may break between its characters.
        words = list(text)
        costs = break_costs(words, inside_words=True)
        best = _best_breaks([display_width(ch) for ch in words], costs, room)
    if best is None:  # a line narrower than some character
        return words
    return _joined(words, best)


def _joined(words: Sequence[str], breaks: Sequence[int]) -> list[str]:
    bounds = [0, *breaks, len(words)]
    return ["".join(words[a:b]) for a, b in itertools.pairwise(bounds)]


def _filled(widths: Sequence[float], costs: Sequence[float | None], room: float) -> list[int]:
    """Breaks filling each line as far as it goes, at the last allowed place that fits."""
    breaks: list[int] = []
    start, width, last_allowed = 0, 0.0, None
    for index, item in enumerate(widths):
        if index > start and costs[index] is not None:
            last_allowed = index
        if width + item > room + 1e-9 and index > start:
            at = last_allowed if last_allowed is not None else index
            breaks.append(at)
            start, last_allowed = at, None
            width = sum(widths[at:index])
        width += item
    return breaks


def _best_breaks(
    widths: Sequence[float], costs: Sequence[float | None], room: float
) -> tuple[int, ...] | None:
    """The break positions (word indexes) of the best layout: the fewest lines of a good shape
    (up to `_EXTRA_LINES` more than the fewest that fit), else the best of the fewest lines."""
    fewest = max(2, math.ceil(sum(widths) / room - 1e-9))
    fallback: tuple[float, tuple[int, ...]] | None = None
    for count in range(fewest, fewest + _EXTRA_LINES + 1):
        shaped: tuple[float, tuple[int, ...]] | None = None
        unshaped: tuple[float, tuple[int, ...]] | None = None
        for breaks in itertools.islice(_layouts(widths, costs, room, count), _MAX_LAYOUTS):
            lines = _line_widths(widths, breaks)
            score = sum(costs[b] or 0.0 for b in breaks)
            score += _SPREAD_WEIGHT * (max(lines) - min(lines))
            if _well_shaped(lines):
                if shaped is None or score < shaped[0]:
                    shaped = (score, breaks)
            elif unshaped is None or score < unshaped[0]:
                unshaped = (score, breaks)
        if shaped is not None:
            return shaped[1]
        fallback = fallback or unshaped
    return None if fallback is None else fallback[1]


def _layouts(
    widths: Sequence[float], costs: Sequence[float | None], room: float, count: int
) -> Iterator[tuple[int, ...]]:
    """Every way to break the words into `count` lines that fit, at allowed places."""
    ends = list(itertools.accumulate(widths, initial=0.0))

    def extend(start: int, left: int) -> Iterator[tuple[int, ...]]:
        if left == 1:
            if ends[-1] - ends[start] <= room + 1e-9:
                yield ()
            return
        for end in range(start + 1, len(widths)):
            if ends[end] - ends[start] > room + 1e-9:
                break
            # What is left must fit the remaining lines.
            if costs[end] is None or ends[-1] - ends[end] > (left - 1) * room + 1e-9:
                continue
            for rest in extend(end, left - 1):
                yield (end, *rest)

    return extend(0, count)


def _line_widths(widths: Sequence[float], breaks: tuple[int, ...]) -> list[float]:
    bounds = [0, *breaks, len(widths)]
    return [sum(widths[a:b]) for a, b in itertools.pairwise(bounds)]


def _well_shaped(lines: Sequence[float]) -> bool:
    """A trapezoid (no line longer than the one below) or a diamond (lines rise to a longest
    one, then fall); never a first line longer than the second."""
    if len(lines) < 2:
        return True
    if lines[0] > lines[1] + 1e-9:
        return False
    peak = max(range(len(lines)), key=lambda i: (lines[i], -i))
    rising = all(a <= b + 1e-9 for a, b in itertools.pairwise(lines[: peak + 1]))
    falling = all(a + 1e-9 >= b for a, b in itertools.pairwise(lines[peak:]))
    return rising and falling


def title_room(document, tag: str, default_size: int) -> float | None:
    """How many em of its style fit a line of the template paragraph holding `{{ tag }}`: the
    page's text width, or its table cell's, over the style's font size (`default_size` twips
    when the style sets none). None when no paragraph holds the tag."""
    pattern = re.compile(r"\{\{\s*" + re.escape(tag) + r"\s*\}\}")
    body = document.docx.element.body
    for paragraph in body.iter(P):
        if not pattern.search("".join(t.text or "" for t in paragraph.iter(w_name("t")))):
            continue
        style = paragraph_style(paragraph)
        size = (style_size(document, style) if style else None) or default_size
        cell = next(paragraph.iterancestors(TC), None)
        width = cell_text_width(cell) if cell is not None else None
        if width is None:
            width = page_geometry(body).text_width
        return width / size
    return None


def cell_text_width(cell) -> int | None:
    """A table cell's width in twips less Word's default cell margins, when set in twips."""
    props = find_child(cell, TC_PR)
    width = None if props is None else find_child(props, TC_W)
    if width is None or width.get(W_TYPE, "dxa") != "dxa":
        return None
    value = width.get(W_W, "")
    return int(value) - 2 * DEFAULT_CELL_PADDING if value.isdigit() else None
