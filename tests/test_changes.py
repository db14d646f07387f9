"""Changes between runs: dossier.json in every run folder, reading runs back, the matching
rules, and every row of 变更对照.xlsx for two periods built from the example inputs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from _examples import example_inputs
from _periods import (
    ADDED_CONTENT,
    ADDED_ITEM,
    NEW_PROGRESS,
    REMOVED_ITEM,
    RENUMBERED_ITEM,
    next_period,
)

from pipeline import ArchiveError, api, compare_runs, verify
from pipeline.archive import runs
from pipeline.archive.dossier_json import DOSSIER, dossier_bytes, parse_dossier
from pipeline.archive.run_folder import CHANGE_REPORT, MANIFEST
from pipeline.archive.runs import newest_run
from pipeline.changes import Kind, compare_dossiers
from pipeline.model import (
    CooperationItem,
    CooperationRow,
    Dossier,
    RegionTable,
    ReportEntry,
    ReportSection,
    Source,
)
from pipeline.workbooks.change_report import change_report_bytes

TEMPLATES = Path(__file__).parent.parent / "templates"


def manifest_of(run: Path) -> dict:
    return json.loads((run / MANIFEST).read_text(encoding="utf-8"))


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(path)
    return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def periods(tmp_path_factory):
    """Period 95 from the example inputs, then period 96 carried over from it and edited."""
    root = tmp_path_factory.mktemp("periods")
    outputs = root / "outputs"
    _, first = api.build(example_inputs(), outputs, TEMPLATES)
    edits = next_period(first, root / "inputs96")
    prepared, second = api.build(root / "inputs96", outputs, TEMPLATES)
    return first, second, prepared, edits


# ---------------------------------------------------------------- two periods


def test_second_build_compares_with_the_first_and_says_so(periods):
    first, second, prepared, _ = periods
    day = manifest_of(first)["built_at"][:10]
    assert prepared.change_summary == f"与上次（第95期，{day}）相比：新增事项 1，删除 1，修改 3 处"
    entry = manifest_of(second)["change_report"]
    data = (second / CHANGE_REPORT).read_bytes()
    assert entry["file"] == CHANGE_REPORT
    assert entry["compared_with"] == first.name
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert not (first / CHANGE_REPORT).exists()  # nothing earlier to compare with


def test_change_workbook_table_rows(periods):
    _, second, _, edits = periods
    rows = sheet_rows(second / CHANGE_REPORT, "项目表变更")
    assert rows == [
        ("对口地区", "上次序号", "本次序号", "事项", "部门", "变更", "列", "上次内容", "本次内容", "位置"),
        # regions in the order 项目表信息's 地区顺序 gives them
        ("永安市", 1, 1, "加强生态环境保护", "环保处", "修改", "事项推进情况",
         edits["old_progress"], NEW_PROGRESS, "环保处.xlsx › 合作交流项目 › 行2"),
        ("大田县", None, 8, ADDED_ITEM, "水利处", "新增事项", None, None, ADDED_CONTENT,
         "水利处.xlsx › 合作交流项目 › 行3"),
        ("大田县", 8, 9, RENUMBERED_ITEM, "环保处", "重新编号", "序号", "8", "9",
         "环保处.xlsx › 合作交流项目 › 行8"),
        ("大田县", 9, None, REMOVED_ITEM, "督察处", "删除事项", None,
         rows[4][7], None, "上次：督察处.xlsx › 合作交流项目 › 行2"),
    ]  # fmt: skip
    assert rows[4][7].startswith("学习借鉴浦东的经验成果")


def test_change_workbook_report_rows(periods):
    _, second, _, edits = periods
    rows = sheet_rows(second / CHANGE_REPORT, "专报变更")
    lead = "街镇环保人员配备方面，"
    assert rows == [
        ("一级标题", "二级标题", "部门", "变更", "上次内容", "本次内容", "位置"),
        ("重点聚焦问题建议，着力破解工作难题", "着力提升基层环境监管能力", "区人社局", "修改段落",
         lead + edits["old_paragraph"], lead + edits["new_paragraph"],
         "区人社局.xlsx › 工作进展 › 行2"),
    ]  # fmt: skip


def test_change_workbook_summary_by_department(periods):
    first, second, prepared, _ = periods
    book = openpyxl.load_workbook(second / CHANGE_REPORT)
    sheet = book["汇总"]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    day = manifest_of(first)["built_at"][:10]
    # the day each run was built, as its manifest says (a test run may cross midnight)
    built = manifest_of(second)["built_at"][:10]
    assert rows[0][0] == f"变更对照：本次（第96期，{built}）与上次（第95期，{day}）"
    assert rows[1][0] == prepared.change_summary
    assert rows[3] == (
        "部门", "新增事项", "删除事项", "新增行", "删除行", "修改单元格", "是否纳入变化",
        "编号、名称、注", "新增段落", "删除段落", "修改段落", "合计",
    )  # fmt: skip
    assert rows[4:9] == [
        ("区人社局", 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1),
        ("水利处", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
        ("环保处", 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 2),
        ("督察处", 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1),
        ("合计", 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 5),
    ]
    assert rows[2] == rows[9] == (None,) * 12
    assert rows[10][0].startswith("说明：") and len(rows) == 11
    assert sheet.freeze_panes == "A5" and sheet.auto_filter.ref == "A4:L8"
    for name in ("项目表变更", "专报变更"):
        assert book[name].freeze_panes == "A2"
        assert book[name].auto_filter.ref.startswith("A1:")


def test_run_with_change_report_verifies(periods):
    _, second, _, _ = periods
    report = verify(second)
    assert report.ok, report.lines()
    checked = {c.path for c in report.identical}
    assert {DOSSIER, CHANGE_REPORT} <= checked


def test_diff_writes_the_same_comparison_for_any_two_runs(periods, tmp_path):
    first, second, _, _ = periods
    changes, path = compare_runs(first, second, tmp_path / "out")
    assert path.parent == tmp_path / "out" and path.name.startswith("变更对照_")
    assert (changes.items_added, changes.items_removed, changes.edits) == (1, 1, 3)
    assert sheet_rows(path, "项目表变更") == sheet_rows(second / CHANGE_REPORT, "项目表变更")
    back, _ = compare_runs(second, first, tmp_path / "out")
    assert (back.items_added, back.items_removed, back.edits) == (1, 1, 3)


# ---------------------------------------------------------------- dossier.json


def test_dossier_json_reads_back_to_the_same_dossier(periods):
    first, _, _, _ = periods
    data = (first / DOSSIER).read_bytes()
    assert manifest_of(first)["dossier"]["sha256"] == hashlib.sha256(data).hexdigest()
    dossier = parse_dossier(data, DOSSIER)
    assert dossier_bytes(dossier) == data
    assert json.loads(data)["format"] == 1
    assert dossier.report is not None and dossier.report.settings.issue_number == "95"
    assert [t.region for t in dossier.regions] == ["永安市", "大田县"]  # as 地区顺序 says


def copy_run(run: Path, tmp_path: Path) -> Path:
    target = tmp_path / "outputs" / run.name
    shutil.copytree(run, target)
    return target


def read_run(folder: Path) -> runs.ArchivedRun:
    """A run read back as the API reads it (a run without dossier.json merged again)."""
    return runs.read_run(folder, rebuild=lambda inputs: api.check(inputs).dossier)


def rewrite_manifest(run: Path, change) -> None:
    manifest = manifest_of(run)
    change(manifest)
    (run / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_old_run_without_dossier_json_is_rebuilt_from_its_inputs(periods, tmp_path):
    first, _, _, _ = periods
    old = copy_run(first, tmp_path)
    (old / DOSSIER).unlink()
    rewrite_manifest(old, lambda m: m.pop("dossier"))
    assert dossier_bytes(read_run(old).dossier) == (first / DOSSIER).read_bytes()
    assert verify(old).ok


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda run: (run / DOSSIER).write_text("{}", encoding="utf-8"), "SHA-256 不一致"),
        (lambda run: (run / DOSSIER).unlink(), "dossier.json 缺失"),
        (lambda run: (run / MANIFEST).write_text("{", encoding="utf-8"), "不是有效的 JSON"),
        (lambda run: (run / MANIFEST).unlink(), "不是运行文件夹"),
        (
            lambda run: rewrite_manifest(run, lambda m: m.update(manifest_format=99)),
            "由更新版本的程序生成",
        ),
    ],
)
def test_damaged_run_folder_is_refused_with_a_reason(periods, tmp_path, damage, message):
    first, _, _, _ = periods
    run = copy_run(first, tmp_path)
    damage(run)
    with pytest.raises(ArchiveError, match=message):
        read_run(run)


def test_dossier_of_a_newer_format_is_refused(periods, tmp_path):
    first, _, _, _ = periods
    run = copy_run(first, tmp_path)
    document = json.loads((run / DOSSIER).read_bytes())
    document["format"] = 2
    data = json.dumps(document).encode("utf-8")
    (run / DOSSIER).write_bytes(data)
    rewrite_manifest(run, lambda m: m["dossier"].update(sha256=hashlib.sha256(data).hexdigest()))
    with pytest.raises(ArchiveError, match="格式版本为 2，由更新版本的程序生成"):
        read_run(run)
    report = verify(run)  # and verify sees that it is not what the inputs give
    assert [c.path for c in report.differences] == [DOSSIER]


def test_old_run_with_changed_inputs_is_refused(periods, tmp_path):
    first, _, _, _ = periods
    old = copy_run(first, tmp_path)
    (old / DOSSIER).unlink()
    rewrite_manifest(old, lambda m: m.pop("dossier"))
    (old / "inputs" / "环保处.xlsx").write_bytes(b"changed")
    with pytest.raises(ArchiveError, match="环保处.xlsx 缺失或与清单记录不一致"):
        read_run(old)


def test_not_a_folder_is_refused(tmp_path):
    with pytest.raises(ArchiveError, match="找不到运行文件夹"):
        read_run(tmp_path / "nowhere")


# ---------------------------------------------------------------- which run, and when


def test_build_without_earlier_run_or_with_no_compare_writes_no_change_report(periods, tmp_path):
    outputs = tmp_path / "outputs"
    prepared, run = api.build(example_inputs(), outputs, TEMPLATES)
    assert prepared.change_summary is None and not (run / CHANGE_REPORT).exists()
    prepared, run = api.build(example_inputs(), outputs, TEMPLATES, no_compare=True)
    assert prepared.change_summary is None and not (run / CHANGE_REPORT).exists()
    assert "change_report" not in manifest_of(run)


def test_newest_damaged_run_gives_a_notice_not_a_failed_build(periods, tmp_path):
    first, _, _, _ = periods
    damaged = copy_run(first, tmp_path)
    (damaged / DOSSIER).write_text("{}", encoding="utf-8")
    prepared, run = api.build(example_inputs(), tmp_path / "outputs", TEMPLATES)
    assert not (run / CHANGE_REPORT).exists()
    assert any("未能与上次生成的文件夹比较" in p.message for p in prepared.dossier.notices)


def test_explicit_compare_with_a_bad_folder_writes_nothing(tmp_path):
    outputs = tmp_path / "outputs"
    with pytest.raises(ArchiveError, match="不是运行文件夹"):
        api.build(example_inputs(), outputs, TEMPLATES, compare=example_inputs())
    assert not outputs.exists()


def test_newest_run_is_found_by_build_time(periods, tmp_path):
    first, second, _, _ = periods
    assert newest_run(first.parent) == second
    assert newest_run(tmp_path / "missing") is None


# ---------------------------------------------------------------- the matching rules


def row(content: str, file: str = "环保处.xlsx", line: int = 2, **fields) -> CooperationRow:
    return CooperationRow(content, source=Source(file, "合作交流项目", line), **fields)


def tables(*items: CooperationItem, region: str = "大田县") -> Dossier:
    return Dossier(None, None, [RegionTable(region, "", [2023], list(items))])


def kinds(old: Dossier, new: Dossier) -> list[tuple[Kind, str, str, str]]:
    changes = compare_dossiers(old, new, "上次", "本次")
    return [(c.kind, c.column, c.old, c.new) for c in changes.tables] + [
        (c.kind, c.subheading, c.old, c.new) for c in changes.report
    ]


def test_same_name_new_number_is_a_renumbering():
    old = tables(CooperationItem(3, "水环境保护", [row("甲")]))
    new = tables(CooperationItem(5, " 水环境保护", [row("甲")]))
    assert kinds(old, new) == [(Kind.RENUMBERED, "序号", "3", "5")]


def test_same_number_new_name_with_similar_rows_is_a_renaming():
    old = tables(CooperationItem(2, "污水处理", [row("学习借鉴浦东先进经验和技术")]))
    new = tables(CooperationItem(2, "污水垃圾处理", [row("学习借鉴浦东先进经验和技术优势")]))
    assert kinds(old, new) == [
        (Kind.RENAMED, "事项", "污水处理", "污水垃圾处理"),
        (Kind.CELL_CHANGED, "对口合作交流内容", "学习借鉴浦东先进经验和技术",
         "学习借鉴浦东先进经验和技术优势"),
    ]  # fmt: skip


def test_same_number_unrelated_item_is_a_removal_and_an_addition():
    old = tables(CooperationItem(2, "污水处理", [row("完全不同的内容甲乙丙")]))
    new = tables(CooperationItem(2, "气候投融资", [row("另一件事情子丑寅卯")]))
    assert [k for k, *_ in kinds(old, new)] == [Kind.ITEM_ADDED, Kind.ITEM_REMOVED]


def test_rows_within_an_item_cells_inclusion_and_rows():
    old = tables(
        CooperationItem(
            1,
            "竹林产业",
            [
                row("推动公园栈道使用竹材", plans={2023: "调研"}, progress="已调研"),
                row("帮助竹博会办会", "绿林处.xlsx", 3),
                row("将被删除的一行内容", "绿林处.xlsx", 4),
            ],
        )
    )
    new = tables(
        CooperationItem(
            1,
            "竹林产业",
            [
                row("帮助竹博会办会", "绿林处.xlsx", 2, included=False, explanation="已办完"),
                row("推动公园栈道使用竹材", plans={2023: "完成"}, progress="已调研"),
                row("新增的一行：竹产品推广", "绿林处.xlsx", 5),
            ],
        )
    )
    assert kinds(old, new) == [
        (Kind.INCLUSION, "是否纳入", "是", "否"),
        (Kind.CELL_CHANGED, "说明", "", "已办完"),
        (Kind.CELL_CHANGED, "2023年计划", "调研", "完成"),
        (Kind.ROW_ADDED, "对口合作交流内容", "", "新增的一行：竹产品推广"),
        (Kind.ROW_REMOVED, "对口合作交流内容", "将被删除的一行内容", ""),
    ]


def test_region_added_and_notes():
    items = [CooperationItem(1, "甲", [row("内容")])]
    old = Dossier(None, None, [RegionTable("大田县", "", [2023], items, ["旧注"])])
    new = Dossier(
        None,
        None,
        [
            RegionTable("大田县", "", [2023], items, ["新注"]),
            RegionTable("永安市", "", [2023], [CooperationItem(1, "乙", [row("内容")])]),
        ],
    )
    assert [k for k, *_ in kinds(old, new)] == [
        Kind.NOTE_ADDED,
        Kind.NOTE_REMOVED,
        Kind.ITEM_ADDED,
    ]


def report(*sections: ReportSection) -> Dossier:
    from pipeline.model import ReportSettings, WorkReport

    day = dt.date(2023, 11, 20)
    settings = ReportSettings(
        "95", "局", day, "同志", "标题", ["导语"], "特此报告。", "局", None, None, "处", "人",
        day, "95", "标题",
    )  # fmt: skip
    return Dossier(WorkReport(settings, list(sections), {}), None, [])


def entry(text: str, file: str = "区人社局.xlsx") -> ReportEntry:
    return ReportEntry([text], source=Source(file, "工作进展", 2))


def test_paragraphs_moved_added_removed_and_changed():
    old = report(
        ReportSection(
            "一", [entry("第一段文字内容"), entry("第二段文字内容"), entry("旧的段落甲乙丙丁")]
        )
    )
    new = report(
        ReportSection(
            "一",
            [entry("第二段文字内容"), entry("第一段文字内容，补充一句"), entry("完全新写的段落")],
        ),
        ReportSection("新标题", [entry("新标题下的段落")]),
    )
    assert kinds(old, new) == [
        (Kind.PARAGRAPH_CHANGED, "", "第一段文字内容", "第一段文字内容，补充一句"),
        (Kind.PARAGRAPH_ADDED, "", "", "完全新写的段落"),
        (Kind.PARAGRAPH_REMOVED, "", "旧的段落甲乙丙丁", ""),
        (Kind.PARAGRAPH_ADDED, "", "", "新标题下的段落"),
    ]


def test_change_workbook_text_is_never_a_formula():
    old = tables(CooperationItem(1, "甲", [row("内容", progress="=SUM(A1:A3)")]))
    new = tables(CooperationItem(1, "甲", [row("内容", progress="+1 <b>&</b>")]))
    changes = compare_dossiers(old, new, "上次", "本次")
    book = openpyxl.load_workbook(io.BytesIO(change_report_bytes(changes)))
    sheet = book["项目表变更"]
    assert sheet["H2"].value == "=SUM(A1:A3)" and sheet["H2"].data_type == "s"
    assert sheet["I2"].value == "+1 <b>&</b>" and sheet["I2"].data_type == "s"
    assert change_report_bytes(changes) == change_report_bytes(changes)  # reproducible


def test_dataclass_round_trip_keeps_every_field_of_a_row():
    fields = {f.name for f in dataclasses.fields(CooperationRow)}
    dossier = tables(CooperationItem(1, "甲", [row("内容", plans={2023: "计划"}, due="2025年")]))
    back = parse_dossier(dossier_bytes(dossier), DOSSIER)
    assert back.regions[0].items[0].rows == dossier.regions[0].items[0].rows
    assert fields == set(json.loads(dossier_bytes(dossier))["regions"][0]["items"][0]["rows"][0])


def test_changed_text_marks_what_went_and_what_came(periods):
    _, second, _, edits = periods
    book = openpyxl.load_workbook(second / CHANGE_REPORT, rich_text=True)
    sheet = book["项目表变更"]
    old, new = sheet["H2"].value, sheet["I2"].value  # 永安市 comes first
    assert str(old) == edits["old_progress"] and str(new) == NEW_PROGRESS
    gone = [part.text for part in old if not isinstance(part, str)]
    came = [part.text for part in new if not isinstance(part, str)]
    assert gone and all(part.font.strike for part in old if not isinstance(part, str))
    assert "2024年3月已召开技术交流会" in "".join(came)
    paragraph = book["专报变更"]["F2"].value
    assert [p.text for p in paragraph if not isinstance(p, str)] == [
        "截至12月，已完成全部街镇的人员配备。"
    ]
