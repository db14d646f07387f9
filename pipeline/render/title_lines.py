"""Breaking a document title between words (GB/T 9704 7.3.3: 回行时词意完整，排列对称).

There is no dictionary of Chinese words here, only what a title is usually made of: the names
the inputs give (the compiler, the regions, the domain), which are never split, a short list of
the words official titles are built from, and function characters (与 和 及 的 之) and
punctuation, next to which a break always falls between words. A break between two characters
that none of these explain is a last resort. Among the breaks with the fewest lines, the one
that splits fewest words and gives the most even lines wins; ties go to longer upper lines.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Iterable

# Words of official titles: a break never falls inside one.
_WORDS = (
    "关于",
    "情况",
    "汇报",
    "报告",
    "请示",
    "意见",
    "通知",
    "方案",
    "计划",
    "行动",
    "合作",
    "交流",
    "项目",
    "制定",
    "工作",
    "推进",
    "落实",
    "建设",
    "生态",
    "环境",
    "领域",
    "部门",
    "对口",
    "实施",
    "进展",
    "有关",
    "相关",
    "管理",
    "保护",
    "发展",
    "治理",
    "体系",
    "现代",
    "领导",
    "批示",
    "精神",
    "会议",
    "材料",
    "事项",
    "需要",
    "支持",
    "上海市",
    "浦东新区",
    "生态环境局",
)
# Characters a break may always follow or precede: they stand between words.
_AFTER = set("与和及的之、，；：,;:）)》」』”")
_BEFORE = set("与和及的（(《「『“")
_MAX_LINES_TRIED = 4
_MAX_SPLITS_TRIED = 200_000  # a title of a few hundred characters is left to Word
_LAST_RESORT = 10  # penalty of a break that may split a word


def _width(text: str) -> float:
    """Display width in characters: CJK and full-width count 1, the rest one half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _protected_spans(line: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of known names and words, longest first, not overlapping."""
    taken = [False] * len(line)
    spans = []
    for word in sorted({n for n in (*names, *_WORDS) if len(n) > 1}, key=len, reverse=True):
        start = line.find(word)
        while start >= 0:
            end = start + len(word)
            if not any(taken[start:end]):
                spans.append((start, end))
                for i in range(start, end):
                    taken[i] = True
            start = line.find(word, start + 1)
    return spans


def _penalties(line: str, names: Iterable[str]) -> dict[int, int]:
    """Break position (characters before it) → penalty; positions inside a name are absent."""
    spans = _protected_spans(line, names)
    inside = {i for start, end in spans for i in range(start + 1, end)}
    edges = {i for span in spans for i in span}
    penalties = {}
    for position in range(1, len(line)):
        if position in inside:
            continue
        before, after = line[position - 1], line[position]
        if before in _AFTER or after in _BEFORE or position in edges:
            penalties[position] = 0
        elif before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
            continue  # inside a Latin word or a number
        else:
            penalties[position] = _LAST_RESORT
    return penalties


def _best_split(line: str, room: float, names: Iterable[str]) -> list[str]:
    penalties = _penalties(line, names)
    positions = sorted(penalties)
    least = max(2, math.ceil(_width(line) / room))
    for count in range(least, _MAX_LINES_TRIED + 1):
        if math.comb(len(positions), count - 1) > _MAX_SPLITS_TRIED:
            break
        best: tuple | None = None
        for cuts in itertools.combinations(positions, count - 1):
            bounds = (0, *cuts, len(line))
            parts = [line[a:b] for a, b in itertools.pairwise(bounds)]
            widths = [_width(part) for part in parts]
            if max(widths) > room:
                continue
            # fewest split words, then the most even lines, then longer upper lines
            score = (
                sum(penalties[c] for c in cuts),
                max(widths) - min(widths),
                [-w for w in widths],
            )
            if best is None or score < best[0]:
                best = (score, parts)
        if best is not None:
            return best[1]
    return [line]  # too long for any tried split: Word breaks it where it must


def title_lines(title: str, room: float | None, names: Iterable[str] = ()) -> str:
    """`title` with line breaks (`\\n`) where it is too wide for `room` characters.

    A line break typed in the title is kept, and each typed line is broken on its own.
    `names` are never split (the compiler, the regions, the domain).
    """
    lines = [line.strip() for line in title.split("\n")]
    if room is None or room <= 0:
        return "\n".join(lines)
    names = [name for name in names if name]
    broken = []
    for line in lines:
        broken.extend([line] if _width(line) <= room else _best_split(line, room, names))
    return "\n".join(broken)
