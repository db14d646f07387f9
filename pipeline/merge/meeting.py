"""The meeting material: the office's sections, and one subsection per region in table order.

The regions come as the tables were ordered (地区顺序, then first appearance); region N's table
is 附件N. A region's 地区说明 paragraphs follow in workbook (file-name) and row order.
"""

from __future__ import annotations

from ..cells import normalise_name
from ..model import (
    MeetingMaterial,
    MeetingSection,
    RegionSummary,
    RegionTable,
    TableSettings,
)
from ..validate import ValidatedInputs


def meeting_material(
    validated: ValidatedInputs, settings: TableSettings, tables: list[RegionTable]
) -> MeetingMaterial:
    """Call only with the 会议材料 settings validated and at least one table."""
    assert validated.meeting_settings is not None
    sections: dict[str, MeetingSection] = {}
    for record in validated.meeting_body:
        # Rows of one heading form one section, wherever they stand.
        key = normalise_name(record.title)
        sections.setdefault(key, MeetingSection(record.title)).paragraphs.extend(record.paragraphs)
    remarks: dict[str, list[str]] = {}
    replaced: set[str] = set()
    # Records come in file-name and row order, as they were read.
    for remark in validated.region_remarks:
        key = normalise_name(remark.region)
        remarks.setdefault(key, []).extend(remark.paragraphs)
        if remark.replaces_summary:
            replaced.add(key)
    regions = [
        RegionSummary(
            table=table,
            attachment=number,
            remarks=remarks.get(normalise_name(table.region), []),
            replaces_summary=normalise_name(table.region) in replaced,
        )
        for number, table in enumerate(tables, start=1)
    ]
    return MeetingMaterial(
        settings=validated.meeting_settings,
        table_settings=settings,
        sections=list(sections.values()),
        regions=regions,
    )
