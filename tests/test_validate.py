"""Validate stage: each rule of the contract gives a problem at the right cell, all in one pass."""

from __future__ import annotations

import pytest
from _workbooks import (
    COOPERATION_HEADER,
    OUTLINE,
    REPORT_SETTINGS,
    TABLE_SETTINGS,
    cooperation_row,
    cooperation_workbook,
    office_workbook,
    progress_workbook,
    sample_file,
    sample_sheet,
    valid_inputs,
    write_workbook,
)

from pipeline import contract
from pipeline.cells import column_letter
from pipeline.load import load_inputs
from pipeline.validate import validate


def _validate(folder):
    return validate(load_inputs(folder))


def _errors(folder) -> dict[tuple, str]:
    """(file, sheet, cell) → message for every error."""
    result = _validate(folder)
    return {
        (p.location.file, p.location.sheet, p.location.cell): p.message
        for p in result.problems
        if p.is_error
    }


def _notices(folder) -> dict[tuple, str]:
    result = _validate(folder)
    return {
        (p.location.file, p.location.sheet, p.location.cell): p.message
        for p in result.problems
        if not p.is_error
    }


def test_valid_inputs_have_no_problems(tmp_path):
    assert _validate(valid_inputs(tmp_path)).problems == []


def _settings_with(rows_to_change: dict, base=REPORT_SETTINGS):
    rows = [list(r) for r in base]
    for row in rows:
        if row[0] in rows_to_change:
            row[1] = rows_to_change[row[0]]
    return [r for r in rows if r[1] is not KeyError]


def test_report_settings_rules(tmp_path):
    rows = _settings_with({"期号": "九十五", "日期": "2023-02-30", "报送": None})
    rows = [r for r in rows if r[0] != "落款"]
    rows += [["期号", 96], ["签发人", "某某"], [None, "孤立的值"]]
    office_workbook(tmp_path, 专报信息=rows)
    errors = _errors(tmp_path)
    sheet = ("报告信息.xlsx", "专报信息")
    # What was typed, quoted, and one example of what would do.
    assert errors[(*sheet, "B2")] == "「期号」应为整数，如 95；现填的是「九十五」。"
    assert errors[(*sheet, "B4")] == "「日期」应为日期，如 2023-11-20；现填的是「2023-02-30」。"
    assert "必填" in errors[(*sheet, "B5")]
    assert "重复" in errors[(*sheet, "A13")]
    assert "字段名" in errors[(*sheet, "A15")]
    assert any("缺少字段「落款」" in m for m in errors.values())
    assert "不是可识别的字段" in _notices(tmp_path)[(*sheet, "A14")]


def test_a_misspelt_field_is_one_problem_with_the_expected_name(tmp_path):
    rows = [
        ["编发单住" if r[0] == "编发单位" else "联系电活" if r[0] == "联系电话" else r[0], r[1]]
        for r in REPORT_SETTINGS
    ]
    office_workbook(tmp_path, 专报信息=[*rows, ["备考", "x"]])
    problems = [p for p in _validate(tmp_path).problems if p.location.sheet == "专报信息"]
    found = {p.location.cell: p for p in problems}
    assert set(found) == {"A3", "A10", "A14"}  # not also 缺少字段 without a cell
    assert found["A3"].is_error and found["A3"].message.startswith("缺少字段「编发单位」")
    assert "「编发单住」应为「编发单位」？" in found["A3"].message
    assert not found["A10"].is_error and "「联系电活」应为「联系电话」？" in found["A10"].message
    assert found["A14"].message.startswith("「备考」不是可识别的字段")


def test_table_settings_period_rules(tmp_path):
    rows = [list(r) for r in TABLE_SETTINGS]
    rows[3][1], rows[4][1] = 2025, 2023
    office_workbook(tmp_path, 项目表信息=rows)
    errors = _errors(tmp_path)
    assert "早于" in errors[("报告信息.xlsx", "项目表信息", "B5")]


def test_single_sheets_may_appear_once(tmp_path):
    office_workbook(tmp_path)
    write_workbook(tmp_path / "提纲副本.xlsx", {"提纲": OUTLINE})
    errors = _errors(tmp_path)
    assert "报告信息.xlsx 中已经有了" in errors[("提纲副本.xlsx", "提纲", None)]


def test_outline_numbers_stripped_and_duplicates_reported(tmp_path):
    office_workbook(
        tmp_path,
        提纲=[
            ["一级标题", "二级标题"],
            ["一、提炼建言", "（一）提炼委员建言"],
            ["提炼建言", "提炼委员建言"],
        ],
    )
    result = _validate(tmp_path)
    notices = [p for p in result.problems if not p.is_error]
    assert {p.location.cell for p in notices} == {"A2", "B2"}
    errors = [p for p in result.problems if p.is_error]
    assert [p.location.cell for p in errors] == ["A3"]


def test_progress_headings_must_match_the_outline_with_suggestions(tmp_path):
    office_workbook(tmp_path)
    progress_workbook(
        tmp_path,
        "区民政局",
        [
            ["提炼建言明确分工", "提炼委员建议", None, "正文", None, None],
            ["提炼建言明确分工", None, None, "正文", None, None],
            ["下一步工作", None, None, "正文", None, None],
            ["下一步工作安排", "多余的二级", None, "正文", None, None],
            ["（一）提炼建言明确分工", "（二）召开专题会议", None, "正文", None, "第一"],
        ],
    )
    errors = _errors(tmp_path)
    at = lambda cell: errors[("区民政局.xlsx", "工作进展", cell)]  # noqa: E731
    assert "「提炼委员建言」" in at("B2")
    assert "必须填写" in at("B3") and "召开专题会议" in at("B3")
    assert "「下一步工作安排」" in at("A4")
    assert "没有二级标题" in at("B5")
    assert "应为数字" in at("F6")
    assert len(errors) == 5


def test_progress_without_outline(tmp_path):
    office_workbook(tmp_path, 提纲=None)
    progress_workbook(tmp_path, "区民政局", [["标题", None, None, "正文", None, None]])
    messages = " ".join(_errors(tmp_path).values())
    assert "没有找到提纲" in messages and "缺少工作表「提纲」" in messages


def test_approval_rules(tmp_path):
    office_workbook(
        tmp_path,
        拟文稿=[
            ["环节", "意见", "签署人", "签署时间"],
            ["办公室审核意见", "已核。", "徐小花", "2023/11/3 16:01:14"],
            ["领导意见", "同意", None, None],
            ["备注", None, None, "昨天"],
        ],
    )
    errors = _errors(tmp_path)
    sheet = ("报告信息.xlsx", "拟文稿")
    assert "环节应为" in errors[(*sheet, "A3")]
    assert "必填" in errors[(*sheet, "B4")]
    assert errors[(*sheet, "D4")] == (
        "应为日期时间（也可只填日期），如 2023/11/3 16:01:14；现填的是「昨天」。"
    )
    assert len(errors) == 3


def test_a_long_wrong_value_is_quoted_by_its_beginning(tmp_path):
    typed = "十一月二十日前后，待领导确定后再填写具体的日期和时间，请办公室留意"
    office_workbook(tmp_path, 专报信息=_settings_with({"日期": typed}))
    message = _errors(tmp_path)[("报告信息.xlsx", "专报信息", "B4")]
    assert message == f"「日期」应为日期，如 2023-11-20；现填的是「{typed[:30]}…」。"


def test_cooperation_row_rules(tmp_path):
    office_workbook(tmp_path)
    cooperation_workbook(
        tmp_path,
        "环保处",
        [
            cooperation_row(serial="一"),
            cooperation_row(serial=2, 牵头部门=None),
            cooperation_row(serial=3, 是否纳入="否"),
            cooperation_row(serial=4, 是否纳入="不确定"),
            cooperation_row(serial=5, content=None),
            cooperation_row(serial=6, 是否纳入="否", 说明="非我局职能", **{"2024年计划": "x"}),
            cooperation_row(serial=7, 说明="用不上的说明"),
        ],
    )
    errors = _errors(tmp_path)
    at = lambda cell: errors[("环保处.xlsx", "合作交流项目", cell)]  # noqa: E731
    assert "正整数" in at("B2")
    assert "纳入" in at("K3")
    assert "写明原因" in at("N4")
    assert "是 或 否" in at("M5")
    assert "必填" in at("D6")
    assert len(errors) == 5
    notices = _notices(tmp_path)
    excluded = {cell for (_, _, cell) in notices}
    # row 4 (not included) has 牵头领导/部门 filled; row 7 has 2024年计划, 牵头…; row 8 a 说明
    assert {"J4", "K4", "G7", "J7", "K7", "N8"} <= excluded


# ---------------------------------------------------------------- a column deleted or misspelt

# The columns a row may need: what makes the two sample rows need it, and the level then.
NEEDED_WHEN = {
    "牵头部门": ({}, "错误"),
    "说明": ({"是否纳入": "否", "牵头领导": None, "牵头部门": None}, "错误"),
    "牵头领导": ({}, "提示"),
}
MISSING = [
    *((s.name, name, {}, "错误") for s in contract.TABLE_SHEETS.values() for name in s.required),
    *(("合作交流项目", name, values, level) for name, (values, level) in NEEDED_WHEN.items()),
]


def _naming(problems, name: str) -> list:
    return [p for p in problems if f"「{name}」" in p.message or p.location.column == name]


def test_every_column_a_row_may_need_is_covered():
    conditional = {(s.name, name) for s in contract.TABLE_SHEETS.values() for name in s.conditional}
    assert conditional == {("合作交流项目", name) for name in NEEDED_WHEN}


@pytest.mark.parametrize(("sheet", "name", "values", "level"), MISSING)
def test_a_missing_column_is_one_problem_not_one_per_row(tmp_path, sheet, name, values, level):
    file = sample_file(sheet)
    write_workbook(tmp_path / file, {sheet: sample_sheet(sheet, drop=(name,), rows=3, **values)})
    problems = _validate(tmp_path).problems
    (problem,) = _naming(problems, name)
    assert problem.level.value == level
    assert (problem.location.sheet, problem.location.cell) == (sheet, "行2")
    assert problem.message.startswith(f"缺少列「{name}」") and "表头在第 2 行" in problem.message
    assert not [p for p in problems if "必填，不能为空" in p.message]


def test_a_misspelt_column_a_row_needs_is_one_error_at_its_header_cell(tmp_path):
    write_workbook(
        tmp_path / "环保处.xlsx",
        {"合作交流项目": sample_sheet("合作交流项目", rename={"牵头部门": "牵头部们"}, rows=3)},
    )
    problems = _validate(tmp_path).problems
    (problem,) = _naming(problems, "牵头部门")
    header = sample_sheet("合作交流项目")[1]
    assert (
        problem.is_error
        and problem.location.cell == f"{column_letter(header.index('牵头部门') + 1)}2"
    )
    assert problem.location.column == "牵头部们"
    assert "「牵头部们」应为「牵头部门」？" in problem.message
    assert _naming(problems, "牵头部们") == [problem]


@pytest.mark.parametrize("rename", [False, True])
def test_a_column_no_row_needs_may_be_missing(tmp_path, rename):
    excluded = {"是否纳入": "否", "牵头部门": None, "说明": "非我局职能"}
    rows = (
        sample_sheet("合作交流项目", rename={"牵头部门": "牵头部们"}, **excluded)
        if rename
        else sample_sheet("合作交流项目", drop=("牵头部门",), **excluded)
    )
    write_workbook(tmp_path / "环保处.xlsx", {"合作交流项目": rows})
    problems = _validate(tmp_path).problems
    assert not _naming(problems, "牵头部门")
    assert not [p for p in problems if p.is_error and p.location.file == "环保处.xlsx"]


def test_the_rows_other_problems_are_still_shown(tmp_path):
    rows = sample_sheet("合作交流项目", drop=("牵头部门",), 序号="一")
    write_workbook(tmp_path / "环保处.xlsx", {"合作交流项目": rows})
    errors = _errors(tmp_path)
    assert "缺少列「牵头部门」" in errors[("环保处.xlsx", "合作交流项目", "行2")]
    assert "正整数" in errors[("环保处.xlsx", "合作交流项目", "B3")]
    assert "正整数" in errors[("环保处.xlsx", "合作交流项目", "B4")]


def test_rows_of_one_item_must_agree_across_workbooks(tmp_path):
    office_workbook(tmp_path)
    cooperation_workbook(
        tmp_path, "废管中心", [cooperation_row(region="大田县", serial=2, item="污水垃圾处理")]
    )
    cooperation_workbook(
        tmp_path, "供排水处", [cooperation_row(region="大田县", serial=2, item="污水处理")]
    )
    errors = _errors(tmp_path)
    # 供排水处.xlsx comes first in file-name order, so the later workbook is the one named
    message = errors[("废管中心.xlsx", "合作交流项目", "C2")]
    assert "供排水处.xlsx" in message and "C2" in message and "「污水处理」" in message


def test_year_columns_outside_the_period(tmp_path):
    office_workbook(tmp_path)
    header = [*COOPERATION_HEADER, "2026年计划"]
    cooperation_workbook(tmp_path, "环保处", [[*cooperation_row(), "后续"]], header=header)
    errors = _errors(tmp_path)
    assert "2025年计划" in errors[("环保处.xlsx", "合作交流项目", "O1")]


def test_cooperation_without_table_settings(tmp_path):
    office_workbook(tmp_path, 项目表信息=None)
    cooperation_workbook(tmp_path, "环保处", [cooperation_row()])
    assert any("项目表信息" in m for m in _errors(tmp_path).values())


def test_notes_for_unknown_regions_are_notices(tmp_path):
    office_workbook(tmp_path, 项目表注=[["对口地区", "注"], ["三明市", "一条注"], ["永安市", None]])
    cooperation_workbook(tmp_path, "环保处", [cooperation_row()])
    assert "没有任何合作交流项目" in _notices(tmp_path)[("报告信息.xlsx", "项目表注", "A2")]
    assert "必填" in _errors(tmp_path)[("报告信息.xlsx", "项目表注", "B3")]


def test_nothing_recognisable(tmp_path):
    write_workbook(tmp_path / "a.xlsx", {"Sheet1": [["x"]]})
    assert any("没有找到可识别的工作表" in m for m in _errors(tmp_path).values())


@pytest.mark.parametrize("flag", ["是", "Y", "纳入", None])
def test_included_forms(tmp_path, flag):
    office_workbook(tmp_path)
    cooperation_workbook(tmp_path, "环保处", [cooperation_row(是否纳入=flag)])
    result = _validate(tmp_path)
    assert not result.has_errors
    assert result.cooperation[0].row.included is True


def test_all_problems_reported_at_once(tmp_path):
    """One bad cell never hides the next: errors in several workbooks and sheets together."""
    office_workbook(tmp_path, 专报信息=_settings_with({"期号": "x"}))
    progress_workbook(tmp_path, "甲", [["无此标题", None, None, None, None, "x"]])
    cooperation_workbook(tmp_path, "乙", [cooperation_row(serial=0, content=None)])
    errors = _errors(tmp_path)
    assert {key[0] for key in errors} == {"报告信息.xlsx", "甲.xlsx", "乙.xlsx"}
    assert len(errors) >= 6


# ---------------------------------------------------------------- meeting material

MEETING = [
    ["字段", "内容"],
    ["会议名称", "第21次局长办公会"],
    ["材料序号", 6],
    ["标题", "浦东新区生态环境局与永安市、大田县生态环境领域合作交流项目制定情况的汇报"],
    ["汇报单位", "办公室(政策法规处)"],
]


def _two_regions(folder):
    cooperation_workbook(
        folder,
        "环保处",
        [cooperation_row(region="永安市"), cooperation_row(region="大田县", 牵头领导=None)],
    )


def test_meeting_sheets_valid(tmp_path):
    table = [*TABLE_SETTINGS, ["地区顺序", "大田县、 永安市"]]
    office_workbook(
        tmp_path,
        项目表信息=table,
        会议材料=MEETING,
        汇报正文=[["一级标题", "内容"], ["一、合作交流项目情况", "第一段\n第二段"]],
        地区说明=[["对口地区", "内容", "替代生成段落"], ["永安市", "说明", "是"]],
    )
    _two_regions(tmp_path)
    result = _validate(tmp_path)
    assert not result.has_errors, [p.describe() for p in result.problems]
    assert result.region_order == ["大田县", "永安市"]
    assert result.meeting_settings.progress_title == "工作推进情况"
    assert result.meeting_settings.closing == "以上汇报，请予审议。"
    assert result.meeting_settings.number == "6"
    body = result.meeting_body[0]
    assert (body.title, body.paragraphs) == ("合作交流项目情况", ["第一段", "第二段"])
    assert result.region_remarks[0].replaces_summary is True
    # the blank 牵头领导 of an included row is a notice naming its cell
    notices = _notices(tmp_path)
    assert "牵头领导" in notices[("环保处.xlsx", "合作交流项目", "J3")]


def test_meeting_sheet_rules(tmp_path):
    table = [*TABLE_SETTINGS, ["地区顺序", "永安市、三明市、永安市"]]
    meeting = [row for row in MEETING if row[0] != "汇报单位"] + [["标题", None]]
    office_workbook(
        tmp_path,
        项目表信息=table,
        会议材料=meeting,
        汇报正文=[["一级标题", "内容"], ["一、", "正文"], ["情况", None]],
        地区说明=[
            ["对口地区", "内容", "替代生成段落"],
            ["三明市", "说明", None],
            ["永安市", "说明", "可能"],
            ["永安市", None, None],
        ],
    )
    _two_regions(tmp_path)
    result = _validate(tmp_path)
    errors = [p for p in result.problems if p.is_error]
    described = {(p.location.sheet, p.location.cell): p.message for p in errors}
    order = [p.message for p in errors if p.location.cell == "B6"]
    assert any("「三明市」没有任何合作交流项目" in m for m in order)
    assert any("「永安市」出现了不止一次" in m for m in order)
    assert any("缺少字段「汇报单位」" in p.message for p in errors)
    assert "重复" in described[("会议材料", "A5")]
    assert "只有编号" in described[("汇报正文", "A2")]
    assert "必填" in described[("汇报正文", "B3")]
    message = described[("地区说明", "A2")]
    assert "「三明市」没有任何合作交流项目" in message and "永安市、大田县" in message
    assert "是" in described[("地区说明", "C3")] and "否" in described[("地区说明", "C3")]
    assert "必填" in described[("地区说明", "B4")]
    # every problem names the office workbook
    assert {p.location.file for p in errors} == {"报告信息.xlsx"}


def test_meeting_sheets_need_their_settings_and_rows(tmp_path):
    office_workbook(
        tmp_path,
        汇报正文=[["一级标题", "内容"], ["情况", "正文"]],
        地区说明=[["对口地区", "内容"], ["永安市", "说明"]],
    )
    _two_regions(tmp_path)
    errors = _errors(tmp_path)
    assert "缺少工作表「会议材料」" in errors[("报告信息.xlsx", "汇报正文", None)]
    assert "缺少工作表「会议材料」" in errors[("报告信息.xlsx", "地区说明", None)]

    other = tmp_path / "no_rows"
    office_workbook(other, 会议材料=MEETING)
    errors = _errors(other)
    assert "没有任何合作交流项目行" in errors[("报告信息.xlsx", "会议材料", None)]


def test_blank_meeting_sheet_is_not_wanted(tmp_path):
    """The blank sheet `init --office` writes (field names only) asks for no document."""
    office_workbook(tmp_path, 会议材料=[["字段", "内容"], ["会议名称", None], ["标题", None]])
    _two_regions(tmp_path)
    result = _validate(tmp_path)
    assert not result.has_errors and result.meeting_settings is None


# ---------------------------------------------------------------- who has submitted


def _roster(*rows) -> list[list]:
    return [["部门", "报送内容", "联系人", "联系电话"], *(list(r) for r in rows)]


def test_listed_department_without_workbook_is_a_notice(tmp_path):
    valid_inputs(tmp_path)
    office_workbook(tmp_path, 报送单位=_roster(["区人社局", "工作进展"], ["环保处"], ["督察处"]))
    result = _validate(tmp_path)
    assert not result.has_errors
    notices = _notices(tmp_path)
    assert "「督察处」尚未报送" in notices[("报告信息.xlsx", "报送单位", "A4")]
    assert "督察处.xlsx" in notices[("报告信息.xlsx", "报送单位", "A4")]
    # 环保处 owes both sheets (报送内容 blank = 全部) and sent only 合作交流项目
    assert "没有工作表「工作进展」" in notices[("环保处.xlsx", None, None)]


def test_department_with_only_one_of_its_sheets_filled_in(tmp_path):
    valid_inputs(tmp_path)
    write_workbook(
        tmp_path / "绿林处.xlsx",
        {
            "工作进展": [["一级标题", "二级标题", "事项", "内容"]],  # the blank sheet, untouched
            "合作交流项目": [COOPERATION_HEADER, cooperation_row(serial=2, item="生态修复")],
        },
    )
    office_workbook(
        tmp_path,
        报送单位=_roster(["区人社局", "工作进展"], ["环保处", "合作交流项目"], ["绿林处", "全部"]),
    )
    notices = _notices(tmp_path)
    message = notices[("绿林处.xlsx", "工作进展", None)]
    assert "没有填写内容" in message and "「工作进展」和「合作交流项目」" in message
    assert not [key for key in notices if key[0] in ("环保处.xlsx", "区人社局.xlsx")]


def test_workbook_from_a_department_not_listed_is_a_notice(tmp_path):
    valid_inputs(tmp_path)
    office_workbook(tmp_path, 报送单位=_roster(["环保处", "合作交流项目"]))
    notices = _notices(tmp_path)
    assert (
        "「区人社局」不在 报告信息.xlsx 的「报送单位」中" in notices[("区人社局.xlsx", None, None)]
    )
    assert not [key for key in notices if key[0] == "报告信息.xlsx"]  # the office's own
    assert ("环保处.xlsx", None, None) not in notices


def test_no_roster_no_submission_notices(tmp_path):
    assert _validate(valid_inputs(tmp_path)).problems == []


def test_roster_rows_are_checked(tmp_path):
    valid_inputs(tmp_path)
    office_workbook(
        tmp_path,
        报送单位=_roster(
            ["区人社局", "工作进展"],
            [None, "全部", "张三"],
            ["环保处", "项目表"],
            [" 区人社局 ", None],
        ),
    )
    errors = _errors(tmp_path)
    assert "必填" in errors[("报告信息.xlsx", "报送单位", "A3")]
    assert "「项目表」无法识别" in errors[("报告信息.xlsx", "报送单位", "B4")]
    assert "已经列出" in _notices(tmp_path)[("报告信息.xlsx", "报送单位", "A5")]


def test_submission_status_table(tmp_path):
    from pipeline.validate.submissions import submission_status

    valid_inputs(tmp_path)
    cooperation_workbook(tmp_path, "绿林处", [cooperation_row(serial=2, 牵头部门=None)])
    cooperation_workbook(tmp_path, "水利处", [cooperation_row(serial=3, item="水源保护")])
    office_workbook(
        tmp_path,
        报送单位=_roster(
            ["区人社局", "工作进展"], ["环保处"], ["绿林处", "合作交流项目"], ["督察处"]
        ),
    )
    loaded = load_inputs(tmp_path)
    status = submission_status(loaded, validate(loaded).problems)
    rows = {s.department: s for s in status.submissions}
    assert list(rows) == ["区人社局", "环保处", "绿林处", "督察处", "水利处"]
    assert rows["区人社局"].status == "已报送" and rows["区人社局"].rows == 3
    assert rows["环保处"].status == "已报送" and rows["环保处"].missing == ("工作进展",)
    assert rows["环保处"].notices == 1
    assert rows["绿林处"].status == "有错误" and rows["绿林处"].errors == 1
    assert rows["督察处"].status == "未报送" and rows["督察处"].workbook is None
    assert not rows["水利处"].listed and rows["水利处"].notices == 1
    assert rows["水利处"].modified is not None
    assert status.outstanding == ["环保处（缺工作进展）", "督察处"]
