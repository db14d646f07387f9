"""The terminal's tables (读取的工作簿, 报送情况) as plain text, drawn as rich draws them.

Every build and check ends with these tables. rich laid them out before, but importing it and
measuring each cell cost a build a tenth of its own start-up, and a table of forty departments
more still; the layout needed here is small: columns as wide as their widest cell in terminal
columns (a Chinese character takes two), the widest cells folded when the table is wider than
the terminal, a title centred above.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._help import display_width

# rich's HEAVY_HEAD box: a heavy frame around the header, light lines below it.
_TOP = ("┏", "━", "┳", "┓")
_HEAD = ("┃", "┃", "┃")
_UNDER_HEAD = ("┡", "━", "╇", "┩")
_ROW = ("│", "│", "│")
_BOTTOM = ("└", "─", "┴", "┘")
_NARROWEST = 4  # a folded column keeps room for two Chinese characters


def box_table(
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int,
    right: frozenset[int] = frozenset(),
) -> str:
    """The table as lines of text at most `width` columns wide where it can be; the columns
    in `right` (by index) are aligned right."""
    widths = [
        max(display_width(text) for text in [name, *(row[i] for row in rows)])
        for i, name in enumerate(header)
    ]
    _fit(widths, width - (3 * len(widths) + 1))
    lines = [_rule(_TOP, widths)]
    lines += _cells(_HEAD, header, widths, frozenset())
    lines.append(_rule(_UNDER_HEAD, widths))
    for row in rows:
        lines += _cells(_ROW, row, widths, right)
    lines.append(_rule(_BOTTOM, widths))
    table_width = display_width(lines[0])
    pad = max(table_width - display_width(title), 0)
    return "\n".join([" " * (pad // 2) + title, *lines])


def _fit(widths: list[int], room: int) -> None:
    """Narrow the widest columns, a column at a time, until the cells fit `room`."""
    while sum(widths) > room:
        widest = max(range(len(widths)), key=widths.__getitem__)
        if widths[widest] <= _NARROWEST:
            return  # no narrower: the terminal folds the lines instead
        widths[widest] -= 1


def _rule(box: tuple[str, str, str, str], widths: list[int]) -> str:
    left, line, cross, end = box
    return left + cross.join(line * (w + 2) for w in widths) + end


def _cells(
    box: tuple[str, str, str], texts: Sequence[str], widths: list[int], right: frozenset[int]
) -> list[str]:
    left, between, end = box
    folded = [_fold(text, w) for text, w in zip(texts, widths, strict=True)]
    height = max(len(lines) for lines in folded)
    out = []
    for n in range(height):
        parts = []
        for i, (lines, w) in enumerate(zip(folded, widths, strict=True)):
            text = lines[n] if n < len(lines) else ""
            gap = " " * max(w - display_width(text), 0)
            parts.append(f" {gap}{text} " if i in right else f" {text}{gap} ")
        out.append(left + between.join(parts) + end)
    return out


def _fold(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` columns (a character wider than that on its own)."""
    lines, current, used = [], "", 0
    for ch in text:
        size = display_width(ch)
        if current and used + size > width:
            lines.append(current)
            current, used = "", 0
        current += ch
        used += size
    return [*lines, current]
