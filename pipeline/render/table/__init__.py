"""The 合作交流项目表 of one partner region, from its `RegionTable` to .docx bytes.

In: the region's table and the table template. Out: the rendered document, the table finished
on the XML. One chain, each module using only those before it: `texts` (the table's texts,
measured, and what a layout of column widths costs) → `widths` (the search for the widths) →
`cuts` (a row's lines, cut between two of them) → `pages` (the page plan) → `rows` (the rows
laid out as planned) → `xml` (merges, widths and row flags on the rendered table) →
`document` (the template's variables and the rendering).
"""

from .document import (
    COUNTS,
    KNOWN_TAGS,
    REQUIRED_TAGS,
    check_table_template,
    render_region_table,
    table_context,
    table_file_name,
)

__all__ = [
    "COUNTS",
    "KNOWN_TAGS",
    "REQUIRED_TAGS",
    "check_table_template",
    "render_region_table",
    "table_context",
    "table_file_name",
]
