"""Merge stage: rows from many workbooks become ordered, typed documents."""

from __future__ import annotations

import datetime as dt

from _workbooks import (
    COOPERATION_HEADER,
    REPORT_SETTINGS,
    cooperation_row,
    cooperation_workbook,
    office_workbook,
    progress_workbook,
)

from pipeline.api import check


def _dossier(folder):
    return check(folder).dossier


def test_report_settings_and_defaults(tmp_path):
    office_workbook(tmp_path)
    progress_workbook(tmp_path, "甲", [["下一步工作安排", None, None, "正文", None, None]])
    settings = _dossier(tmp_path).report.settings
    assert settings.issue_number == "95"
    assert settings.date == dt.date(2023, 11, 20) and settings.date_text == "2023年11月20日"
    assert settings.lead == ["第一段导语。", "第二段导语。"]
    assert settings.closing == "特此报告。"
    assert settings.document_number == "95"
    assert settings.form_title == settings.title
    assert settings.contact_phone == "18116080172"
    assert settings.submission_date_text == "2023-11-03"


def test_paragraph_order_by_sort_key_then_file_then_row(tmp_path):
    office_workbook(tmp_path)
    heading = ["提炼建言明确分工", "提炼委员建言"]
    progress_workbook(
        tmp_path, "乙", [[*heading, None, "乙一", None, None], [*heading, None, "乙二", None, 2]]
    )
    progress_workbook(
        tmp_path, "甲", [[*heading, None, "甲一", None, None], [*heading, "事项", "甲二", None, 1]]
    )
    report = _dossier(tmp_path).report
    entries = report.sections[0].subsections[0].entries
    # 排序 first (甲二=1, 乙二=2), then unnumbered in file-name order (乙 < 甲 by code point), then row
    assert [e.paragraphs[0] for e in entries] == ["甲二", "乙二", "乙一", "甲一"]
    assert entries[0].lead_text == "事项方面，甲二"
    assert entries[0].source.file == "甲.xlsx" and entries[0].source.row == 3


def test_outline_order_and_direct_content(tmp_path):
    office_workbook(tmp_path)
    progress_workbook(
        tmp_path,
        "甲",
        [
            ["下一步工作安排", None, None, "第一段\n第二段", None, None],
            ["提炼建言明确分工", "召开专题会议", None, "会议", None, None],
        ],
    )
    dossier = _dossier(tmp_path)
    sections = dossier.report.sections
    assert [s.title for s in sections] == ["提炼建言明确分工", "下一步工作安排"]
    assert [s.title for s in sections[0].subsections] == ["提炼委员建言", "召开专题会议"]
    assert sections[1].entries[0].paragraphs == ["第一段", "第二段"]
    # the empty subsection is named in a notice
    assert any("提炼委员建言" in n.message for n in dossier.notices)


def test_approval_entries_in_time_order(tmp_path):
    office_workbook(
        tmp_path,
        拟文稿=[
            ["环节", "意见", "签署人", "签署时间"],
            ["办公室审核意见", "已核。请沈敏同志审核。", "高瑞莲", "2023/11/6 18:22:54"],
            ["办公室审核意见", "已核。", "徐小花", dt.datetime(2023, 11, 3, 16, 1, 14)],
            ["备注", "无", None, None],
            ["事由", "根据批示形成专报。", "周杰", "2023-11-03"],
        ],
    )
    report = _dossier(tmp_path).report
    office = report.approval_entries("办公室审核意见")
    assert [e.text for e in office] == [
        "已核。{徐小花[2023/11/3 16:01:14]}",
        "已核。请沈敏同志审核。{高瑞莲[2023/11/6 18:22:54]}",
    ]
    assert report.approval_entries("备注")[0].text == "无"
    assert report.approval_entries("事由")[0].text == "根据批示形成专报。{周杰[2023/11/3]}"
    assert report.approval_entries("主管领导签发意见") == []


def test_optional_settings_override_defaults(tmp_path):
    rows = [
        *REPORT_SETTINGS,
        ["结束语", "以上报告，请审阅。"],
        ["文号", "浦环〔2023〕95号"],
        ["拟文稿标题", "关于…的汇报"],
    ]
    office_workbook(tmp_path, 专报信息=rows)
    settings = _dossier(tmp_path).report.settings
    assert (settings.closing, settings.document_number, settings.form_title) == (
        "以上报告，请审阅。",
        "浦环〔2023〕95号",
        "关于…的汇报",
    )


def test_regions_items_and_rows(tmp_path):
    office_workbook(
        tmp_path,
        专报信息=None,
        提纲=None,
        项目表注=[["对口地区", "注"], ["永安市", "第一条"], ["永安市", "第二条"]],
    )
    cooperation_workbook(
        tmp_path,
        "绿林处",
        [
            cooperation_row(serial=2, item="拓展竹林产业市场", content="栈道"),
            cooperation_row(serial=2, item="拓展竹林产业市场", content="竹博会"),
        ],
    )
    cooperation_workbook(
        tmp_path,
        "环保处",
        [
            cooperation_row(serial=1, content="技术交流", **{"2024年计划": "帮扶"}),
            cooperation_row(
                region="大田县",
                serial=6,
                item="EOD项目",
                是否纳入="否",
                说明="浦东未开展",
                牵头领导=None,
                牵头部门=None,
            ),
        ],
    )
    dossier = _dossier(tmp_path)
    assert dossier.report is None
    永安, 大田 = dossier.regions
    assert 永安.title == "浦东新区生态环境局与永安市生态环境领域合作交流项目表(2023-2025年)"
    assert [i.number for i in 永安.items] == [1, 2]
    assert [r.content for r in 永安.items[1].rows] == ["栈道", "竹博会"]
    assert 永安.items[0].rows[0].plans == {2024: "帮扶"}
    assert 永安.notes == ["第一条", "第二条"]
    assert (永安.item_count, 永安.row_count) == (2, 3)
    assert 大田.items[0].included is False and 大田.items[0].rows[0].explanation == "浦东未开展"
    assert (大田.included_item_count, 大田.excluded_item_count) == (0, 1)
    assert dossier.row_counts["环保处.xlsx"] == {"合作交流项目": 2}


def test_one_item_from_two_workbooks_keeps_file_then_row_order(tmp_path):
    office_workbook(tmp_path, 专报信息=None, 提纲=None)
    cooperation_workbook(
        tmp_path,
        "废管中心",
        [cooperation_row(region="大田县", serial=2, item="污水垃圾处理", content="垃圾")],
    )
    cooperation_workbook(
        tmp_path,
        "供排水处",
        [cooperation_row(region="大田县", serial=2, item="污水垃圾处理", content="污水")],
    )
    (table,) = _dossier(tmp_path).regions
    (item,) = table.items
    assert [r.content for r in item.rows] == ["污水", "垃圾"]
    assert [r.source.department for r in item.rows] == ["供排水处", "废管中心"]


def test_sort_column_orders_an_items_rows_across_workbooks(tmp_path):
    office_workbook(tmp_path, 专报信息=None, 提纲=None)
    header = [*COOPERATION_HEADER, "排序"]

    def row(content, order):
        return [
            *cooperation_row(region="大田县", serial=2, item="污水垃圾处理", content=content),
            order,
        ]

    cooperation_workbook(tmp_path, "废管中心", [row("垃圾", 1)], header=header)
    cooperation_workbook(tmp_path, "供排水处", [row("污水", 2)], header=header)
    (table,) = _dossier(tmp_path).regions
    assert [r.content for r in table.items[0].rows] == ["垃圾", "污水"]


def test_meeting_material_regions_in_the_given_order(tmp_path):
    from _workbooks import TABLE_SETTINGS

    office_workbook(
        tmp_path,
        项目表信息=[*TABLE_SETTINGS, ["地区顺序", "大田县"]],
        会议材料=[
            ["字段", "内容"],
            ["会议名称", "第21次局长办公会"],
            ["标题", "关于合作交流项目的汇报"],
            ["汇报单位", "办公室"],
            ["进展标题", "二、推进情况"],
        ],
        汇报正文=[
            ["一级标题", "内容"],
            ["项目情况", "第一段"],
            ["背景", "背景段"],
            ["项目情况", "第二段\n第三段"],
        ],
        地区说明=[
            ["对口地区", "内容", "替代生成段落"],
            ["永安市", "永安说明", "是"],
            ["大田县", "大田说明一", None],
            ["大田县", "大田说明二", "否"],
        ],
    )
    cooperation_workbook(
        tmp_path,
        "环保处",
        [
            cooperation_row(region="永安市"),
            cooperation_row(region="大田县", serial=2, item="水"),
            cooperation_row(region="大田县", serial=1, item="气", 是否纳入="否", 说明="不做"),
        ],
    )
    cooperation_workbook(
        tmp_path, "水利处", [cooperation_row(region="大田县", serial=2, item="水", content="又")]
    )
    dossier = _dossier(tmp_path)
    # 地区顺序 puts 大田县 first, for the tables and for the meeting material alike
    assert [table.region for table in dossier.regions] == ["大田县", "永安市"]
    meeting = dossier.meeting
    assert meeting.settings.progress_title == "推进情况"  # the typed number is stripped
    assert meeting.settings.closing == "以上汇报，请予审议。"
    assert [(s.title, s.paragraphs) for s in meeting.sections] == [
        ("项目情况", ["第一段", "第二段", "第三段"]),
        ("背景", ["背景段"]),
    ]
    datian, yongan = meeting.regions
    assert (datian.attachment, yongan.attachment) == (1, 2)
    assert datian.table is dossier.regions[0]
    assert datian.remarks == ["大田说明一", "大田说明二"] and not datian.replaces_summary
    assert yongan.remarks == ["永安说明"] and yongan.replaces_summary
    first, second = datian.table.items
    assert (first.name, first.included, first.departments) == ("气", False, ["环保处"])
    # the item's rows in file-name order (水 < 环 by code point), each workbook named once
    assert (second.name, second.departments) == ("水", ["水利处", "环保处"])


def test_no_meeting_material_without_its_sheet(tmp_path):
    office_workbook(tmp_path)
    cooperation_workbook(tmp_path, "环保处", [cooperation_row()])
    assert _dossier(tmp_path).meeting is None
