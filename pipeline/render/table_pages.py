"""Where the cooperation table's pages will break, estimated, so that no page starts inside an
item without showing which item it is.

An item's rows are kept on one page (`w:keepNext`), and every part of an item begins with its
own 序号 and 事项. An item that does not fit the rest of a page would leave that space blank;
when the rest is large, the item is cut in two parts at the last row that fits, and the second
part, on the next page, repeats the 序号 and 事项 with a 续 mark. The estimate may be off by a
line or two: each part is still kept whole on a page, so at worst a part moves to the next page
(leaving the gap it would have left anyway) or a 续 mark stands lower on the same page.
"""

from __future__ import annotations

from collections.abc import Sequence

# A gap at a page's end below this fraction of the page is left as it is (an item kept whole);
# above it, the item is cut into parts.
GAP_FRACTION = 0.25


def item_parts(
    items: Sequence[Sequence[float]], first_room: float, page_room: float
) -> list[list[int]]:
    """For each item (the heights of its rows), the rows where a part begins after the first.

    `first_room`: the height left for rows on the first page; `page_room`: on the next pages,
    under the repeated header (all in the same unit).
    """
    room, fresh = first_room, False
    parts: list[list[int]] = []
    for heights in items:
        starts: list[int] = []
        index = 0
        while index < len(heights):
            rest = heights[index:]
            if sum(rest) <= room:
                room, fresh = room - sum(rest), False
                break
            fitting = _fitting(rest, room)
            if fresh or (fitting and room > GAP_FRACTION * page_room):
                # Cut at the last row that fits (one row at least on a page of its own).
                index += max(1, fitting)
                if index < len(heights):
                    starts.append(index)
                    room, fresh = page_room, True
                else:
                    room, fresh = 0.0, False
            else:
                room, fresh = page_room, True  # the item starts the next page
        parts.append(starts)
    return parts


def _fitting(heights: Sequence[float], room: float) -> int:
    """How many of the first rows fit `room`."""
    total = 0.0
    for count, height in enumerate(heights):
        total += height
        if total > room:
            return count
    return len(heights)
