"""The XML parsers every package part goes through: the departments' workbooks, the parts of
the workbooks we write back, and our own documents and OFD copies.

Entities are never resolved, no DTD is loaded and nothing is fetched from the network, so a
hostile workbook can neither expand entities nor make the parser read a file or a URL.
"""

from __future__ import annotations

from lxml import etree

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

# Only for what the product wrote itself, never a department's file: pdf2ofd's drawing of a page
# of our own PDF copy (one SVG, which can pass libxml2's guard against huge text nodes), and a
# rendered document and its OFD copy when their text is checked.
LARGE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
)
