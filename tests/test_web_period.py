"""The web page on the period cycle: the office's 报送单位, marked-up return copies, 变更对照 of two
runs and in each run, and carried-forward workbooks — through Flask's test client."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote, unquote

import openpyxl
import pytest
from _workbooks import cooperation_row, cooperation_workbook, office_workbook, valid_inputs
from test_web import Office, missing_lead_department, shown, status_rows, terminal_rows, text

ROSTER = [["部门", "报送内容"], ["区人社局", "工作进展"], ["环保处", "合作交流项目"], ["督察处"]]
CROSS_ORIGIN = {"Origin": "http://evil.example"}


@pytest.fixture
def site(tmp_path) -> Office:
    return Office(tmp_path)


@pytest.fixture
def rostered(tmp_path) -> Office:
    """The office lists 督察处 in 报送单位; 督察处 has sent nothing."""
    inputs = valid_inputs(tmp_path / "in")
    office_workbook(inputs, 报送单位=ROSTER)
    return Office(tmp_path)


def attachment_name(response) -> str:
    return unquote(response.headers["Content-Disposition"].rsplit("''", 1)[-1])


def token(site: Office, who: str) -> str:
    return site.path(who).split("/")[2]


def build(site: Office) -> str:
    assert site.post(site.office + "build").status_code == 302
    state = site.wait_for_build()
    assert state.state == "done", state.message
    return state.run_name


def return_folders(site: Office) -> list[Path]:
    return sorted(p for p in site.outputs.iterdir() if p.name.startswith("退回_"))


# ---------------------------------------------------------------- 报送单位


def test_a_listed_department_without_a_workbook_gets_a_link_and_shows_not_submitted(rostered):
    assert [link.who for link in rostered.site.links] == ["办公室", "区人社局", "环保处", "督察处"]
    body = text(rostered.get(rostered.office))
    rows = status_rows(body)
    assert rows[2] == ["督察处", "—", "—", "—", "—", "—", "未报送"]
    assert rows == terminal_rows(rostered.inputs)
    assert "未报送：督察处" in shown(body)
    page = text(rostered.get(rostered.path("督察处")))
    assert "督察处 · 材料报送" in shown(page) and "未报送" in page
    assert "环保处" not in page and "区人社局" not in page


def test_a_listed_department_uploads_and_is_then_submitted(rostered):
    valid = (rostered.inputs / "环保处.xlsx").read_bytes()
    response = rostered.upload(rostered.path("督察处"), "随便.xlsx", valid)
    assert "已收到" in text(rostered.get(response.headers["Location"]))
    assert (rostered.inputs / "督察处.xlsx").read_bytes() == valid
    rows = status_rows(text(rostered.get(rostered.office)))
    assert rows[2][1] == "督察处.xlsx"
    assert rows[2][-1] == "已报送 缺工作进展"  # 督察处 owes both sheets; the copy had one


def test_the_office_uploads_for_a_listed_department_and_gets_its_blank_workbook(rostered):
    valid = (rostered.inputs / "环保处.xlsx").read_bytes()
    response = rostered.upload(rostered.office, "x.xlsx", valid, department="督察处")
    assert response.status_code == 302
    assert (rostered.inputs / "督察处.xlsx").is_file()
    assert "重新启动" not in text(rostered.get(rostered.office))  # it has its link already
    assert "督察处" in text(rostered.get(rostered.office + "blank"))


# ---------------------------------------------------------------- return copies


def test_office_writes_return_copies_into_outputs_and_downloads_each(site, tmp_path):
    site.upload(site.office, "环保处.xlsx", missing_lead_department(tmp_path / "new"))
    before = (site.inputs / "环保处.xlsx").read_bytes()
    response = site.post(site.office + "returns")
    assert response.status_code == 302 and response.headers["Location"].endswith("#returns")
    (folder,) = return_folders(site)
    assert [p.name for p in folder.iterdir()] == ["环保处.xlsx"]
    page = text(site.get(site.office + "problems"))
    (link,) = re.findall(r'href="(/office/[^"]+/returns/[^"]+/\d+)"', page)
    assert quote(folder.name) in link
    copy = site.get(link)
    assert copy.status_code == 200 and attachment_name(copy).startswith("环保处_退回_")
    book = openpyxl.load_workbook(io.BytesIO(copy.data))
    assert book.sheetnames[0] == "问题"
    assert book["合作交流项目"]["K2"].comment is not None
    assert (site.inputs / "环保处.xlsx").read_bytes() == before


def test_a_return_copy_older_than_its_workbook_says_so(site, tmp_path):
    site.upload(site.office, "环保处.xlsx", missing_lead_department(tmp_path / "new"))
    site.post(site.office + "returns")
    assert "之后工作簿已更新" not in text(site.get(site.office + "problems"))
    fixed = cooperation_workbook(tmp_path / "fixed", "环保处", [cooperation_row()])
    site.upload(site.office, "环保处.xlsx", fixed.read_bytes())
    assert "之后工作簿已更新" in text(site.get(site.office + "problems"))


def test_no_problems_no_return_copies(site):
    response = site.post(site.office + "returns")
    assert "没有问题，无需退回" in text(site.get(response.headers["Location"]))
    assert return_folders(site) == []


@pytest.mark.parametrize(
    "url",
    [
        "returns/..%2F..%2Fin/0",
        "returns/../0",
        "returns/%2Fetc%2Fpasswd/0",
        "returns/{folder}/9",
        "returns/{folder}/-1",
        "returns/{folder}/环保处.xlsx",
        "returns/{folder}/..%2F..%2Fin%2F环保处.xlsx",
        "returns/{run}/0",  # a folder of outputs/ that is not a return folder
    ],
)
def test_return_copies_are_downloaded_only_by_identifier(site, tmp_path, url):
    run = build(site)
    site.upload(site.office, "环保处.xlsx", missing_lead_department(tmp_path / "new"))
    site.post(site.office + "returns")
    (folder,) = return_folders(site)
    response = site.get(site.office + url.format(folder=folder.name, run=run))
    assert response.status_code in (403, 404)
    assert b"PK" not in response.data[:2]


def test_return_copies_refuse_a_cross_origin_post_and_a_department(site, tmp_path):
    site.upload(site.office, "环保处.xlsx", missing_lead_department(tmp_path / "new"))
    assert site.post(site.office + "returns", headers=CROSS_ORIGIN).status_code == 403
    assert site.post(site.office + "returns", headers={}).status_code == 403
    assert site.post(f"/office/{token(site, '环保处')}/returns").status_code == 403
    assert return_folders(site) == []


def test_a_department_downloads_only_its_own_marked_up_copy(site, tmp_path):
    site.upload(site.office, "环保处.xlsx", missing_lead_department(tmp_path / "a"))
    other = cooperation_workbook(tmp_path / "b", "区人社局", [cooperation_row(牵头部门=None)])
    site.upload(site.office, "区人社局.xlsx", other.read_bytes())
    site.post(site.office + "returns")  # the office's copies of both
    (office_folder,) = return_folders(site)

    page = text(site.get(site.path("环保处")))
    assert "下载标注副本" in page and "returns/" not in page
    response = site.post(site.path("环保处") + "return.xlsx")
    assert response.status_code == 200 and attachment_name(response) == "环保处_标注.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    listed = "\n".join(str(c) for row in book["问题"].values for c in row if c)
    assert "K2" in listed and "区人社局" not in listed
    own = [f for f in return_folders(site) if f != office_folder]
    assert [p.name for f in own for p in f.iterdir()] == ["环保处.xlsx"]

    # the office's copy of another department is out of reach of a department link
    department = token(site, "环保处")
    assert site.get(f"/office/{department}/returns/{office_folder.name}/0").status_code == 403
    assert site.get(f"/dept/{department}/returns/{office_folder.name}/0").status_code == 404
    for field in ({"department": "区人社局"}, {"file": "区人社局.xlsx"}):
        again = site.post(site.path("环保处") + "return.xlsx", data=field)
        assert "区人社局" not in "\n".join(
            str(c)
            for row in openpyxl.load_workbook(io.BytesIO(again.data))["问题"].values
            for c in row
            if c
        )
    # the office sees the newest copy of each workbook
    page = text(site.get(site.office + "problems"))
    assert page.count("的退回副本</a>") == 2


def test_a_department_copy_refuses_a_cross_origin_post_and_needs_problems(site):
    assert site.post(site.path("环保处") + "return.xlsx", headers=CROSS_ORIGIN).status_code == 403
    response = site.post(site.path("环保处") + "return.xlsx")
    assert response.status_code == 302
    assert "无需标注副本" in text(site.get(response.headers["Location"]))
    assert return_folders(site) == []


# ---------------------------------------------------------------- 变更对照


def workbook_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), rich_text=True)
    return "\n".join(str(c) for sheet in book for row in sheet.values for c in row if c)


def two_runs(site: Office, tmp_path: Path) -> tuple[str, str]:
    first = build(site)
    changed = cooperation_workbook(
        tmp_path / "changed", "环保处", [cooperation_row(content="联合监测")]
    )
    site.upload(site.office, "环保处.xlsx", changed.read_bytes())
    return first, build(site)


def test_each_run_lists_its_own_change_workbook(site, tmp_path):
    first, second = two_runs(site, tmp_path)
    archive = text(site.get(site.office + "archive"))
    links = re.findall(
        rf'href="(/office/[^"]+/archive/{quote(second)}/\d+)"[^>]*>变更对照\.xlsx<', archive
    )
    assert len(links) == 1 and f"与 {first} 对照" in archive
    response = site.get(links[0])
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "联合监测" in workbook_text(response.data)
    assert "变更对照.xlsx" in text(site.get(site.office + "build"))  # with the build's documents


def test_compare_two_runs_chosen_by_name(site, tmp_path):
    first, second = two_runs(site, tmp_path)
    page = text(site.get(site.office + "archive"))
    assert page.count(f'<option value="{first}"') == 2 and "下载变更对照" in page
    response = site.post(site.office + "archive/compare", data={"earlier": first, "later": second})
    assert response.status_code == 200
    assert attachment_name(response) == f"变更对照_{first}_{second}.xlsx"
    assert (site.outputs / f"变更对照_{first}_{second}.xlsx").read_bytes() == response.data
    assert "联合监测" in workbook_text(response.data)


@pytest.mark.parametrize(
    "earlier",
    ["../in", "..", "/etc", "{outputs}/{first}", "{first}/inputs", "{first}/..", ""],
)
def test_compare_takes_only_run_names(site, tmp_path, earlier):
    first, second = two_runs(site, tmp_path)
    before = sorted(p.name for p in site.outputs.iterdir())
    name = earlier.format(outputs=site.outputs, first=first)
    response = site.post(site.office + "archive/compare", data={"earlier": name, "later": second})
    assert response.status_code == 404
    assert sorted(p.name for p in site.outputs.iterdir()) == before


def test_compare_refuses_the_same_run_a_cross_origin_post_and_a_department(site, tmp_path):
    first, second = two_runs(site, tmp_path)
    form = {"earlier": first, "later": second}
    same = site.post(site.office + "archive/compare", data={"earlier": first, "later": first})
    assert "请选择两次不同的生成结果" in text(site.get(same.headers["Location"]))
    assert (
        site.post(site.office + "archive/compare", data=form, headers=CROSS_ORIGIN).status_code
        == 403
    )
    department = token(site, "环保处")
    assert site.post(f"/office/{department}/archive/compare", data=form).status_code == 403
    assert not list(site.outputs.glob("变更对照_*"))


# ---------------------------------------------------------------- carried-forward workbooks


def cooperation_values(data: bytes) -> list:
    return [
        c for row in openpyxl.load_workbook(io.BytesIO(data))["合作交流项目"].values for c in row
    ]


def test_office_downloads_a_carried_forward_workbook_from_the_newest_or_a_chosen_run(
    site, tmp_path
):
    assert "接续上期的报送表" not in text(site.get(site.office + "blank"))  # no run yet
    first, second = two_runs(site, tmp_path)
    before = sorted(p.name for p in site.inputs.iterdir())
    page = text(site.get(site.office + "blank"))
    assert f"接续 {second}" in page
    newest = site.get(site.office + "blank/carried?name=环保处")
    assert attachment_name(newest) == "环保处.xlsx"
    assert "联合监测" in cooperation_values(newest.data)
    chosen = site.get(site.office + f"blank/carried?name=环保处&run={first}")
    assert "技术交流" in cooperation_values(chosen.data)
    assert sorted(p.name for p in site.inputs.iterdir()) == before


@pytest.mark.parametrize("run", ["../in", "/etc", "{first}/inputs", "{outputs}/{first}"])
def test_a_carried_forward_workbook_takes_only_a_run_name(site, tmp_path, run):
    first = build(site)
    response = site.get(
        site.office + "blank/carried",
        query_string={"name": "环保处", "run": run.format(first=first, outputs=site.outputs)},
    )
    assert response.status_code == 302
    assert "请选择部门" in text(site.get(response.headers["Location"]))


def test_a_department_downloads_its_own_carried_forward_workbook(site, tmp_path):
    response = site.get(site.path("环保处") + "carried.xlsx")
    assert response.status_code == 302  # no run yet: said, not a broken file
    assert "还没有上期的归档" in text(site.get(response.headers["Location"]))
    assert "接续上期" not in text(site.get(site.path("环保处")))
    build(site)
    assert "下载接续上期的报送表" in text(site.get(site.path("环保处")))
    response = site.get(site.path("环保处") + "carried.xlsx?name=区人社局")
    assert attachment_name(response) == "环保处.xlsx"
    assert "技术交流" in cooperation_values(response.data)
    other = site.get(site.path("区人社局") + "carried.xlsx")
    assert attachment_name(other) == "区人社局.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(other.data))
    assert "技术交流" not in [c for s in book for row in s.values for c in row]
