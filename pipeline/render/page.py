"""A document's page and its paragraph styles' font sizes, as the renderers estimate lines
with them: the text width and height of the page, and the defaults where a template lost them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .wordml import w_name

# A4 landscape with the template's margins, for a template whose section lost its size.
DEFAULT_PAGE = (16838, 11906)
DEFAULT_MARGINS = (1587, 1417, 1474, 1417)  # top, right, bottom, left
DEFAULT_CELL_PADDING = 108  # Word's default left and right cell margin, each
DEFAULT_FONT_TWIPS = 240  # 小四, 12 pt
DEFAULT_TITLE_TWIPS = 440  # 二号, 22 pt


@dataclass(frozen=True)
class Page:
    text_width: int
    text_height: int


def page_geometry(body) -> Page:
    """The text area of the body's last section: page size less margins and gutter."""
    sect = body.find(w_name("sectPr"))
    width, height = DEFAULT_PAGE
    top, right, bottom, left = DEFAULT_MARGINS
    gutter = 0
    if sect is not None:
        size = sect.find(w_name("pgSz"))
        if size is not None:
            width = int_attr(size, "w", width)
            height = int_attr(size, "h", height)
        margins = sect.find(w_name("pgMar"))
        if margins is not None:
            top = abs(int_attr(margins, "top", top))
            right = int_attr(margins, "right", right)
            bottom = abs(int_attr(margins, "bottom", bottom))
            left = int_attr(margins, "left", left)
            gutter = int_attr(margins, "gutter", 0)
    return Page(width - left - right - gutter, height - top - bottom)


def int_attr(element, name: str, default: int) -> int:
    value = element.get(w_name(name))
    try:
        return int(float(value)) if value is not None else default
    except ValueError:
        return default


def style_size(document, style_id: str) -> int | None:
    """The font size of a paragraph style in twips, so widths count characters as set."""
    style = document.docx.styles.element.get_by_id(style_id)
    size = None if style is None else style.find(f"{w_name('rPr')}/{w_name('sz')}")
    value = "" if size is None else size.get(w_name("val"), "")
    return int(value) * 10 if value.isdigit() and int(value) > 0 else None  # half-points
