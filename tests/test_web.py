"""The web page (`pipeline serve`) through Flask's test client: every page, every refusal."""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import sys
import threading
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import unquote

import docx
import flask
import openpyxl
import pytest
from _workbooks import (
    cooperation_row,
    cooperation_workbook,
    sample_sheet,
    valid_inputs,
    write_workbook,
)
from click.testing import CliRunner

import pipeline.web
import pipeline.web.builds
import pipeline.web.department
import pipeline.web.office
from pipeline import InputProblems, Level, Location, Problem, Step, check
from pipeline.cli.commands import cli
from pipeline.web import prepare_site
from pipeline.web.access import STORE_NAME
from pipeline.web.links import LINKS_FILE, link_host
from pipeline.web.server import Background
from pipeline.web.uploads import MAX_UPLOAD_BYTES

ROOT = Path(__file__).resolve().parents[1]
BASE = "http://localhost"
SAME_ORIGIN = {"Origin": BASE}


class Office:
    """A started site with its links, and a test client."""

    def __init__(self, tmp_path: Path, *, new_links: bool = False) -> None:
        self.inputs = tmp_path / "in"
        self.outputs = tmp_path / "out"
        if not self.inputs.exists():
            valid_inputs(self.inputs)
        self.site = prepare_site(
            self.inputs, self.outputs, ROOT / "templates", base_url=BASE, new_links=new_links
        )
        self.links = {link.who: link.url for link in self.site.links}
        self.client = self.site.app.test_client()

    def path(self, who: str) -> str:
        return self.links[who].removeprefix(BASE)

    @property
    def office(self) -> str:
        return self.path("办公室")

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, *, headers=SAME_ORIGIN, **kwargs):
        return self.client.post(url, headers=headers, **kwargs)

    def upload(self, page: str, name: str, data: bytes, **fields):
        form = {"file": (io.BytesIO(data), name), **fields}
        return self.post(page + "upload", data=form, content_type="multipart/form-data")

    def wait_for_build(self):
        return self.site.app.extensions["pipeline.builds"].wait()


@pytest.fixture
def site(tmp_path) -> Office:
    return Office(tmp_path)


def text(response) -> str:
    return response.get_data(as_text=True)


def shown(html: str) -> str:
    """A page's text as a reader sees it, without the tags inside its sentences."""
    return re.sub(r"<[^>]+>", "", html)


def missing_lead_department(folder: Path) -> bytes:
    """环保处's workbook with 牵头部门 left blank in its only row (cell K2)."""
    path = cooperation_workbook(folder, "环保处", [cooperation_row(牵头部门=None)])
    return path.read_bytes()


# ---------------------------------------------------------------- links and tokens


def test_links_office_first_then_each_department_in_console_order_and_in_the_workbook(site):
    names = [link.who for link in site.site.links]
    assert names == ["办公室", "区人社局", "环保处"]  # 报告信息.xlsx is the office's own
    assert re.fullmatch(r"http://localhost/office/[A-Za-z0-9_-]{32,}/", site.links["办公室"])
    assert re.fullmatch(r"http://localhost/dept/[A-Za-z0-9_-]{32,}/", site.links["环保处"])
    assert len(set(site.links.values())) == 3
    book = openpyxl.load_workbook(site.outputs / LINKS_FILE)
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert [(who, url) for who, url, _ in rows] == [(n, site.links[n]) for n in names]


def test_tokens_are_stored_only_as_hashes(site):
    stored = (site.outputs / STORE_NAME).read_text(encoding="utf-8")
    for url in site.links.values():
        token = url.rstrip("/").rsplit("/", 1)[1]
        assert token not in stored
    assert len(json.loads(stored)["departments"]) == 2


def test_restart_keeps_department_links_and_renews_the_office_link(tmp_path):
    first = Office(tmp_path)
    second = Office(tmp_path)
    assert second.get(first.path("环保处")).status_code == 200
    assert second.get(first.office).status_code == 403
    assert second.get(second.office).status_code == 200
    kept = next(link for link in second.site.links if link.who == "环保处")
    assert kept.url == "" and kept.line() == "环保处：（沿用已发出的链接）"
    book = openpyxl.load_workbook(second.outputs / LINKS_FILE)
    rows = {
        who: (url, note) for who, url, note in book.active.iter_rows(min_row=2, values_only=True)
    }
    assert rows["办公室"][0] == second.links["办公室"]
    assert rows["环保处"][0] is None and "--new-links" in rows["环保处"][1]


def test_new_links_invalidate_every_earlier_link(tmp_path):
    first = Office(tmp_path)
    renewed = Office(tmp_path, new_links=True)
    assert renewed.get(first.path("环保处")).status_code == 403
    assert renewed.get(renewed.path("环保处")).status_code == 200


def test_link_hosts():
    assert link_host("192.168.1.20") == "192.168.1.20"
    assert link_host("::1") == "[::1]"
    assert link_host("0.0.0.0") not in ("0.0.0.0", "")


def test_a_damaged_link_record_is_a_chinese_message(tmp_path):
    Office(tmp_path)
    (tmp_path / "out" / STORE_NAME).write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["serve", "--inputs", str(tmp_path / "in"), "--outputs", str(tmp_path / "out")]
    )
    assert result.exit_code == 1 and "--new-links" in result.output
    assert "Traceback" not in result.output
    renewed = Office(tmp_path, new_links=True)
    assert renewed.get(renewed.path("环保处")).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/office/",
        "/office/wrong-token/",
        "/office/wrong-token/problems",
        "/office/wrong-token/problems.xlsx",
        "/office/wrong-token/archive",
        "/office/wrong-token/build/status",
        "/dept/wrong-token/",
        "/dept/wrong-token/blank.xlsx",
        "/dept/wrong-token/carried.xlsx",
        "/office/wrong-token/blank/carried?name=环保处",
        "/dept/%2E%2E/",
    ],
)
def test_without_a_valid_token_there_is_no_data(site, url):
    response = site.get(url)
    assert response.status_code in (403, 404)
    body = text(response)
    assert "环保处" not in body and "区人社局" not in body and ".xlsx" not in body


def test_a_department_cannot_reach_the_offices_pages_or_actions(site):
    token = site.path("环保处").split("/")[2]
    for url in (
        "/",
        "/problems",
        "/problems.xlsx",
        "/build",
        "/archive",
        "/blank/office",
        "/blank/carried?name=区人社局",
    ):
        assert site.get(f"/office/{token}{url}").status_code == 403
    assert site.post(f"/office/{token}/build").status_code == 403
    response = site.upload(f"/office/{token}/", "区人社局.xlsx", b"x")
    assert response.status_code == 403


def test_the_office_link_does_not_open_a_department_page(site):
    token = site.office.split("/")[2]
    assert site.get(f"/dept/{token}/").status_code == 403


def test_security_headers(site):
    response = site.get(site.office)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_nothing_under_a_token_is_kept_in_a_cache(site, tmp_path):
    """Cache-Control: no-store on pages, downloads (send_file says only no-cache), redirects and
    error pages alike; `test_security_headers` holds the other headers."""
    site.post(site.office + "build")
    run = site.wait_for_build().run_name
    site.upload(site.office, "环保处.xlsx", missing_lead_department(tmp_path / "new"))
    site.post(site.office + "returns")
    (folder,) = [p.name for p in site.outputs.iterdir() if p.name.startswith("退回_")]
    department = site.path("环保处")
    responses = {
        url: site.get(url)
        for url in (
            site.office,
            site.office + "problems.xlsx",
            site.office + "blank/office",
            site.office + "blank/department?name=环保处",
            site.office + "blank/carried?name=区人社局",
            site.office + f"archive/{run}/0",
            site.office + f"returns/{folder}/0",
            site.office + "build/status",
            site.office + "no-such-page",
            site.office + "archive/no-such-run/0",
            site.office + "blank/department?name=%00",
            "/office/wrong-token/",
            department,
            department + "blank.xlsx",
            department + "carried.xlsx",
            department + "problems.xlsx",
        )
    }
    responses["POST return.xlsx"] = site.post(department + "return.xlsx")
    responses["POST build"] = site.post(site.office + "build")
    site.wait_for_build()
    codes = {url: response.status_code for url, response in responses.items()}
    assert codes[site.office + f"returns/{folder}/0"] == 200 == codes[department + "blank.xlsx"]
    assert {400, 403, 404, 302} <= set(codes.values()), codes
    for url, response in responses.items():
        assert response.headers["Cache-Control"] == "no-store", (url, response.status_code)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def break_pages(monkeypatch) -> None:
    """The office's 报送情况 and a department's page fail as a bug would, with a message that
    names the URL (the token in it must not reach the log through the traceback either)."""

    def fails(*args, **kwargs):
        raise RuntimeError(f"a page that fails: {flask.request.url}")

    monkeypatch.setattr(pipeline.web.office, "status_report", fails)
    monkeypatch.setattr(pipeline.web.department, "department_check", fails)


def test_a_failing_request_is_logged_with_its_token_masked(site, monkeypatch, caplog, capsys):
    break_pages(monkeypatch)
    caplog.set_level(logging.DEBUG)
    assert site.get(site.office).status_code == 500
    assert site.get(site.path("环保处") + "?x=1").status_code == 500
    logged = caplog.text + "".join(capsys.readouterr())
    assert "Exception on /office/***/ [GET]" in logged
    assert "Exception on /dept/***/ [GET]" in logged
    assert "RuntimeError: a page that fails: http://localhost/dept/***/?x=1" in logged
    for url in site.links.values():
        assert token_of(url) not in logged


def test_a_served_site_logs_failing_requests_with_the_token_masked(
    tmp_path, monkeypatch, caplog, capfd
):
    """Through waitress: Flask's log of a failing page, and waitress's own of an error that
    escapes the application."""
    port = free_port()
    served = prepare_site(
        valid_inputs(tmp_path / "in"),
        tmp_path / "out",
        ROOT / "templates",
        base_url=f"http://127.0.0.1:{port}",
    )
    break_pages(monkeypatch)
    application = served.app.wsgi_app

    def fails_outside_flask(environ, start_response):
        if environ["PATH_INFO"].endswith("/problems.xlsx"):
            raise RuntimeError("the application fails")
        return application(environ, start_response)

    served.app.wsgi_app = fails_outside_flask
    caplog.set_level(logging.DEBUG)
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    urls = [u for link in served.links for u in (link.url, link.url + "problems.xlsx")]
    codes = []
    server = Background(served, port=port)
    try:
        for url in urls:
            with pytest.raises(urllib.error.HTTPError) as failed:
                direct.open(url, timeout=60)
            codes.append(failed.value.code)
    finally:
        server.stop()
    assert codes == [500] * len(urls) == [500] * 6
    logged = caplog.text + "".join(capfd.readouterr())
    assert "Exception on /office/***/ [GET]" in logged
    assert "Exception while serving /dept/***/problems.xlsx" in logged
    for link in served.links:
        assert token_of(link.url) not in logged


# ---------------------------------------------------------------- same-origin check


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost:9999"},
        {"Referer": "http://evil.example/office/x/"},
    ],
)
def test_a_post_from_another_origin_is_refused(site, headers):
    response = site.post(site.office + "build", headers=headers)
    assert response.status_code == 403
    assert site.site.app.extensions["pipeline.builds"].snapshot().state == "idle"


def test_a_post_with_a_same_origin_referer_is_accepted(site):
    response = site.post(site.office + "build", headers={"Referer": BASE + site.office})
    assert response.status_code == 302
    assert site.wait_for_build().state == "done"


# ---------------------------------------------------------------- the office's pages


def test_every_office_page_opens(site):
    for page in ("", "problems", "build", "archive", "blank"):
        response = site.get(site.office + page)
        assert response.status_code == 200, page
        assert "办公室" in text(response)


def status_rows(body: str) -> list[list[str]]:
    """The cells of the 报送情况 table, as text, without the actions column."""
    table = re.split(r'<table class="grid status[^"]*">', body, maxsplit=1)[1].split("</table>")[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in cells[:7]])
    return rows


def terminal_rows(inputs: Path) -> list[list[str]]:
    """The same table as `pipeline check` prints it (from `Prepared.submissions`)."""
    try:
        status = check(inputs).submissions
    except InputProblems as exc:
        status = exc.submissions
    return [
        [
            item.department + ("" if item.listed else "（未列入）"),
            item.workbook or "—",
            item.modified.strftime("%Y-%m-%d %H:%M") if item.modified else "—",
            *(
                [str(item.rows), str(item.errors), str(item.notices)]
                if item.workbook
                else ["—"] * 3
            ),
            item.status,
        ]
        for item in status.submissions
    ]


def test_status_table_lists_each_workbook_with_rows_and_state(site):
    body = text(site.get(site.office))
    rows = status_rows(body)
    assert [row[:2] for row in rows] == [
        ["区人社局（未列入）", "区人社局.xlsx"],
        ["环保处（未列入）", "环保处.xlsx"],
    ]
    assert [row[3:] for row in rows] == [["3", "0", "0", "已报送"], ["1", "0", "0", "已报送"]]
    assert rows == terminal_rows(site.inputs)
    assert "报告信息.xlsx" in body  # the office's own workbook, below the table
    assert "填写工作表「报送单位」" in body


def test_office_upload_shows_the_cell_named_as_the_terminal_does(site, tmp_path):
    data = missing_lead_department(tmp_path / "new")
    response = site.upload(site.office, "环保处.xlsx", data)
    assert response.status_code == 302
    assert "department=" in response.headers["Location"]
    page = text(site.get(response.headers["Location"]))
    with pytest.raises(InputProblems) as raised:
        check(site.inputs)
    (problem,) = raised.value.errors
    assert problem.location.describe() == "环保处.xlsx › 合作交流项目 › K2（列「牵头部门」）"
    assert problem.location.describe() in page and problem.message in page
    status = text(site.get(site.office))
    assert "有错误" in status


def test_replaced_workbook_is_kept_in_history_and_skipped_by_the_loader(site, tmp_path):
    before = (site.inputs / "环保处.xlsx").read_bytes()
    site.upload(site.office, "环保处 (1).xlsx", missing_lead_department(tmp_path / "new"))
    (kept,) = (site.inputs / ".history").iterdir()
    assert kept.name.startswith("环保处_") and kept.read_bytes() == before
    site.upload(site.office, "环保处.xlsx", before)
    assert len(list((site.inputs / ".history").iterdir())) == 2
    check(site.inputs)  # the history folder is not read


def test_office_upload_of_several_files_and_of_a_new_department(site):
    valid = (site.inputs / "环保处.xlsx").read_bytes()
    form = {"file": [(io.BytesIO(valid), "督察处.xlsx"), (io.BytesIO(valid), "水利处.xlsx")]}
    response = site.post(site.office + "upload", data=form, content_type="multipart/form-data")
    assert response.headers["Location"].endswith(site.office)
    assert (site.inputs / "督察处.xlsx").is_file() and (site.inputs / "水利处.xlsx").is_file()
    page = text(site.get(site.office))
    assert page.count("重新启动 pipeline serve 后生成其报送链接") == 2
    assert "督察处.xlsx" in page


def test_office_upload_for_a_row_saves_under_that_department(site):
    valid = (site.inputs / "区人社局.xlsx").read_bytes()
    site.upload(site.office, "whatever.xlsx", valid, department="区人社局")
    assert not (site.inputs / "whatever.xlsx").exists()
    response = site.upload(site.office, "x.xlsx", valid, department="../../etc")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("环保处.xls", b"\xd0\xcf\x11\xe0", "只接受 Excel 工作簿"),
        ("环保处.csv", b"a,b", "只接受 Excel 工作簿"),
        ("环保处.xlsx", b"", "空的"),
        ("环保处.xlsx", b"not a zip at all", "不是有效的 Excel 工作簿"),
        ("环保处.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版"),
        ("环保处.xlsx", b"x" * (MAX_UPLOAD_BYTES + 1), "MB"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_replaced(site, name, data, message):
    before = (site.inputs / "环保处.xlsx").read_bytes()
    response = site.upload(site.path("环保处"), name, data)
    assert response.status_code == 302
    page = text(site.get(response.headers["Location"]))
    assert message in page
    assert (site.inputs / "环保处.xlsx").read_bytes() == before
    assert not (site.inputs / ".history").exists()
    assert sorted(p.name for p in site.inputs.iterdir()) == [
        "区人社局.xlsx",
        "报告信息.xlsx",
        "环保处.xlsx",
    ]


def test_upload_limits_of_the_loader_hold(site):
    """A zip with more entries than the loader reads is refused before it is kept."""
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w") as archive:
        for number in range(2100):
            archive.writestr(f"xl/worksheets/sheet{number}.xml", b"")
    response = site.upload(site.path("环保处"), "环保处.xlsx", book.getvalue())
    page = text(site.get(response.headers["Location"]))
    assert "文件未保存" in page


def test_a_workbook_without_known_sheets_is_refused(site, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "随便"
    book.save(tmp_path / "x.xlsx")
    response = site.upload(site.path("环保处"), "x.xlsx", (tmp_path / "x.xlsx").read_bytes())
    assert "没有可识别的工作表" in text(site.get(response.headers["Location"]))


def test_a_request_over_the_size_limit_gets_413(site):
    site.site.app.config["MAX_CONTENT_LENGTH"] = 1000
    response = site.upload(site.path("环保处"), "环保处.xlsx", b"x" * 5000)
    assert response.status_code == 413 and "文件太大" in text(response)


def broken_in_half(path: Path) -> bytes:
    data = path.read_bytes()
    return data[: len(data) // 2]


def test_a_damaged_workbook_is_for_the_office_to_ask_again_for_the_department_to_save_again(
    site,
):
    damaged = broken_in_half(site.inputs / "环保处.xlsx")
    response = site.upload(site.path("环保处"), "环保处.xlsx", damaged)
    page = shown(text(site.get(response.headers["Location"])))
    assert "文件未保存" in page and "请用 Excel 重新保存后再上传" in page
    assert "让报送部门" not in page
    response = site.upload(site.office, "环保处.xlsx", damaged)
    assert "让报送部门重新发送" in shown(text(site.get(response.headers["Location"])))
    # put into inputs/ by hand: the one check, each face with its own words
    (site.inputs / "环保处.xlsx").write_bytes(damaged)
    with pytest.raises(InputProblems) as raised:
        check(site.inputs)
    (problem,) = [p for p in raised.value.errors if p.location.file == "环保处.xlsx"]
    assert problem.message.endswith("请重新保存或让报送部门重新发送。")
    told = problem.for_sender().message
    assert told.endswith("请用 Excel 重新保存后再上传。") and told != problem.message
    department = shown(text(site.get(site.path("环保处"))))
    assert told in department and "让报送部门" not in department
    assert problem.message in shown(text(site.get(site.office + "problems")))


@pytest.mark.parametrize(
    ("office", "department"),
    [
        (
            "不是有效的 Excel 工作簿（压缩包已损坏）。请重新保存或让报送部门重新发送。",
            "不是有效的 Excel 工作簿（压缩包已损坏）。请用 Excel 重新保存后再上传。",
        ),
        (
            "已停止读取。请在 Excel 中打开并另存为 .xlsx，或让报送部门重新发送。",
            "已停止读取。请在 Excel 中打开并另存为 .xlsx 后再上传。",
        ),
        ("必填，不能为空。", "必填，不能为空。"),
    ],
)
def test_a_problem_told_to_its_department_asks_it_to_send_the_file_itself(office, department):
    problem = Problem(Level.ERROR, Location("环保处.xlsx"), office)
    told = problem.for_sender()
    assert told.message == department
    assert (told.level, told.location) == (problem.level, problem.location)


def test_problem_filters_and_problem_list(site, tmp_path):
    site.upload(site.office, "环保处.xlsx", missing_lead_department(tmp_path / "new"))
    page = text(site.get(site.office + "problems?department=区人社局"))
    assert "区人社局 没有问题" in shown(page) and "K2" not in page
    page = text(site.get(site.office + "problems?level=notice"))
    assert "K2" not in page
    page = text(site.get(site.office + "problems?level=error"))
    assert "K2" in page
    response = site.get(site.office + "problems.xlsx?level=error")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    rows = list(book["问题清单"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:6] == ("环保处", "环保处.xlsx", "合作交流项目", "K2", "牵头部门", "错误")


def test_blank_workbooks_are_made_without_touching_inputs(site):
    before = sorted(p.name for p in site.inputs.iterdir())
    office = site.get(site.office + "blank/office")
    assert "报告信息.xlsx" in unquote(office.headers["Content-Disposition"])
    assert "专报信息" in openpyxl.load_workbook(io.BytesIO(office.data)).sheetnames
    department = site.get(site.office + "blank/department?name=新部门")
    book = openpyxl.load_workbook(io.BytesIO(department.data))
    assert {"工作进展", "合作交流项目"} <= set(book.sheetnames)
    hostile = site.get(site.office + "blank/department?name=../../evil")
    assert hostile.status_code == 200
    assert sorted(p.name for p in site.inputs.iterdir()) == before
    assert not (site.inputs.parent / "evil.xlsx").exists()


# ---------------------------------------------------------------- build, archive, verify


def test_build_then_download_every_document_and_verify(site):
    assert site.post(site.office + "build").status_code == 302
    state = site.wait_for_build()
    assert state.state == "done", state.message
    status = site.get(site.office + "build/status").get_json()
    assert status["state"] == "done" and status["documents"] == state.documents
    page = text(site.get(site.office + "build"))
    assert "生成完成" in page
    links = re.findall(r'href="(/office/[^"]+/archive/[^"]+/\d+)"', page)
    assert len(links) == len(state.documents) == 2
    for link in links:
        response = site.get(link)
        assert response.status_code == 200
        document = docx.Document(io.BytesIO(response.data))
        assert document.paragraphs or document.tables
    archive = text(site.get(site.office + "archive"))
    assert state.run_name in archive and "第95期" in archive
    verified = site.post(site.office + f"archive/{state.run_name}/verify")
    assert verified.status_code == 302
    assert "核对通过" in text(site.get(site.office + "archive"))


def test_verify_names_a_changed_document(site):
    site.post(site.office + "build")
    state = site.wait_for_build()
    document = site.outputs / state.run_name / state.documents[0]
    document.write_bytes(document.read_bytes() + b"\0")
    site.post(site.office + f"archive/{state.run_name}/verify")
    page = text(site.get(site.office + "archive"))
    assert "核对发现不一致" in page and f"不一致：{state.documents[0]}" in page


@pytest.mark.libreoffice
def test_build_with_ofd_copies_links_them_and_their_pdfs(site, libreoffice):
    page = text(site.get(site.office + "build"))
    assert "同时生成 PDF 副本" in page and "同时生成 OFD 副本" in page
    site.post(site.office + "build", data={"ofd": "1"})  # OFD copies are made from PDF copies
    state = site.site.app.extensions["pipeline.builds"].wait(timeout=600)
    assert state.state == "done", state.message
    page = text(site.get(site.office + "build"))
    for suffix, content_type, start in (
        ("pdf", "application/pdf", b"%PDF"),
        ("ofd", "application/ofd", b"PK"),
    ):
        links = re.findall(rf'href="(/office/[^"]+/archive/[^"]+/\d+)"[^>]*>[^<]*\.{suffix}<', page)
        assert len(links) == len(state.documents), suffix
        response = site.get(links[0])
        assert response.content_type == content_type and response.data.startswith(start)
    archive = text(site.get(site.office + "archive"))
    assert archive.count(".ofd</a>") == len(state.documents)


@pytest.mark.libreoffice
def test_build_whose_copy_lost_a_character_says_where_and_writes_nothing(
    site, libreoffice, monkeypatch
):
    """The web page shows the build's refusal of a lossy copy as the command line does."""
    from _copies import without_character

    from pipeline.archive import run_folder

    convert = run_folder.convert_to_pdf

    def lossy(documents, soffice, **options):  # the report's PDF made to lack one character
        return [
            (name, without_character(data, "报") if name.startswith("工作专报") else data, *rest)
            for name, data, *rest in convert(documents, soffice, **options)
        ]

    monkeypatch.setattr(run_folder, "convert_to_pdf", lossy)
    site.post(site.office + "build", data={"pdf": "1"})
    state = site.site.app.extensions["pipeline.builds"].wait(timeout=600)
    assert state.state == "failed"
    page = text(site.get(site.office + "build"))
    assert "以下副本缺少文档中的文字：工作专报" in page and "未生成运行文件夹" in page
    assert re.search(r"工作专报[^<]*\.pdf › 第 1 页：缺少原文「[^」]*报", page), page
    assert not [p for p in site.outputs.iterdir() if p.is_dir()]


def test_ofd_copies_are_offered_only_where_they_can_be_made(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: f"/opt/lo/{name}")  # LibreOffice
    monkeypatch.setitem(sys.modules, "pdf2ofd", None)  # but no OFD converter
    site = Office(tmp_path)
    page = text(site.get(site.office + "build"))
    assert "同时生成 PDF 副本" in page and "OFD" not in page
    site.post(site.office + "build", data={"ofd": "1"})  # not offered: built without copies
    state = site.wait_for_build()
    assert state.state == "done", state.message
    assert {p.suffix for p in (site.outputs / state.run_name).iterdir()} == {"", ".docx", ".json"}


def test_archive_lists_a_run_made_before_ofd_copies(site):
    site.post(site.office + "build")
    run = site.outputs / site.wait_for_build().run_name
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    del manifest["ofds"]
    (run / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    archive = text(site.get(site.office + "archive"))
    assert "格式不正确" not in archive and archive.count(".docx</a>") == 2


def test_a_second_build_is_told_one_is_running(site):
    runner = site.site.app.extensions["pipeline.builds"]
    with runner.inputs_lock:  # as a running build holds it
        runner.current.state = "running"
        response = site.post(site.office + "build")
        page = text(site.get(response.headers["Location"]))
        assert "已有生成任务在进行" in page
        upload = site.upload(site.path("环保处"), "环保处.xlsx", b"PK")
        # refused before the lock is asked for: a bad file is said first
        assert upload.status_code == 302
        valid = (site.inputs / "环保处.xlsx").read_bytes()
        upload = site.upload(site.path("环保处"), "环保处.xlsx", valid)
        assert "正在生成文档" in text(site.get(upload.headers["Location"]))


def test_an_upload_waits_for_another_upload_to_finish(site):
    runner = site.site.app.extensions["pipeline.builds"]
    runner.inputs_lock.acquire()  # another department's upload being saved
    threading.Timer(0.3, runner.inputs_lock.release).start()
    valid = (site.inputs / "环保处.xlsx").read_bytes()
    response = site.upload(site.path("环保处"), "环保处.xlsx", valid)
    assert "已收到" in text(site.get(response.headers["Location"]))
    assert (site.inputs / ".history").is_dir()


def test_build_with_input_errors_writes_nothing_and_says_so(site, tmp_path):
    site.upload(site.office, "环保处.xlsx", missing_lead_department(tmp_path / "new"))
    site.post(site.office + "build")
    state = site.wait_for_build()
    assert state.state == "failed" and state.errors == 1
    assert not [p for p in site.outputs.iterdir() if p.is_dir()]
    page = text(site.get(site.office + "build"))
    assert "未生成任何文档" in page and "上面" not in page
    # the errors are there, with a link to the workbook's problems, once
    (problem,) = state.problems
    assert problem.location.describe() in page and problem.message in page
    assert f'href="{site.office}problems?department=%E7%8E%AF%E4%BF%9D%E5%A4%84"' in page
    assert 'id="pending"' not in page


def test_the_build_page_names_every_kind_of_document(site):
    page = shown(text(site.get(site.office + "build")))
    for kind in ("工作专报（含拟文稿）", "合作交流项目表", "会议材料"):
        assert kind in page


def test_errors_pending_are_named_with_their_departments_before_a_build(site, tmp_path):
    assert 'id="pending"' not in text(site.get(site.office + "build"))
    site.upload(site.office, "环保处.xlsx", missing_lead_department(tmp_path / "new"))
    page = text(site.get(site.office + "build"))
    assert "尚有 1 处错误未修改，现在生成会被拒绝。错误在：环保处（1 处）。" in shown(page)
    link = re.search(r'id="pending".*?href="([^"]+)"', page, re.S).group(1)
    problems = text(site.get(link.replace("&amp;", "&")))
    assert "环保处.xlsx › 合作交流项目 › K2（列「牵头部门」）" in problems


def test_the_build_status_names_the_document_converted_and_fills_the_bar(site, monkeypatch):
    """The page shows the step the build last told: here one held at the second PDF."""
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: f"/opt/lo/{name}")  # LibreOffice
    site = Office(site.inputs.parent)
    held, release = threading.Event(), threading.Event()
    real_build = pipeline.web.builds.build

    def build_held_at_a_pdf(*args, progress, **kwargs):
        progress(Step("pdf", 1, 4))
        held.set()
        release.wait(60)
        return real_build(*args, progress=progress, **{**kwargs, "pdf": False})

    monkeypatch.setattr(pipeline.web.builds, "build", build_held_at_a_pdf)
    site.post(site.office + "build", data={"pdf": "1"})
    try:
        assert held.wait(60)
        status = site.get(site.office + "build/status").get_json()
        assert status["running"] and status["stage"] == "转换 PDF（第 2/4 个）"
        # load, validate, merge and render done (1 each), a quarter of the PDFs (6), of 11
        assert status["fraction"] == 0.5
        page = text(site.get(site.office + "build"))
        assert "正在转换 PDF（第 2/4 个）…" in shown(page) and 'style="width: 50.0%"' in page
    finally:
        release.set()
    assert site.wait_for_build().state == "done"


@pytest.mark.parametrize(
    "url",
    [
        "archive/..%2F..%2Fin/0",
        "archive/../0",
        "archive/%2Fetc%2Fpasswd/0",
        "archive/{run}/99",
        "archive/{run}/-1",
        "archive/{run}/manifest.json",
        "archive/{run}/..%2Fmanifest.json",
    ],
)
def test_downloads_are_only_by_identifier(site, url):
    site.post(site.office + "build")
    run = site.wait_for_build().run_name
    response = site.get(site.office + url.format(run=run))
    assert response.status_code in (403, 404)
    assert b"PK" not in response.data[:2]


def test_control_characters_in_parameters_are_a_chinese_400(site, caplog, capsys):
    """No name, choice or file name on these pages holds a control character: one in any
    parameter is refused before a page uses it, never a 500 with a traceback."""
    site.post(site.office + "build")
    run = site.wait_for_build().run_name  # so that blank/carried gets as far as a workbook
    caplog.set_level(logging.INFO)
    for character in ("%00", "%01", "%0A", "%1B", "%7F", "%C2%85", "%EF%BF%BF"):
        for url in (
            f"{site.office}blank/department?name={character}",
            f"{site.office}blank/department?name=环保处{character}",
            f"{site.office}blank/carried?name={character}",
            f"{site.office}blank/carried?name=环保处{character}",
            f"{site.office}blank/carried?name=环保处&run={run}{character}",
            f"{site.office}blank/department?name=环保处&name={character}",
            f"{site.office}problems?department=环保处&level={character}",
            f"{site.office}archive/{run}{character}/0",
            f"{site.path('环保处')}?{character}=1",
        ):
            response = site.get(url)
            assert response.status_code == 400, url
            assert "不允许的字符" in text(response), url
    workbook = (site.inputs / "环保处.xlsx").read_bytes()
    for page, name, fields in (
        (site.office, "环保处.xlsx", {"department": "环保处\x00"}),
        (site.office, "环保处\x01.xlsx", {}),
        (site.path("环保处"), "环保处\x00.xlsx", {}),
    ):
        response = site.upload(page, name, workbook, **fields)
        assert response.status_code == 400 and "不允许的字符" in text(response)
    captured = capsys.readouterr()
    assert "Traceback" not in caplog.text + captured.out + captured.err


def test_verify_of_an_unknown_run_is_404(site):
    assert site.post(site.office + "archive/no-such-run/verify").status_code == 404


# ---------------------------------------------------------------- a department's page


def test_department_page_shows_only_its_own_workbook(site, tmp_path):
    other = cooperation_workbook(tmp_path / "x", "区人社局", [cooperation_row(牵头部门=None)])
    site.upload(site.office, "区人社局.xlsx", other.read_bytes())
    page = text(site.get(site.path("环保处")))
    assert "环保处.xlsx" in page and "已报送" in page
    assert "区人社局" not in page and "报告信息" not in page


def test_department_upload_is_checked_against_the_offices_outline(site, tmp_path):
    data = missing_lead_department(tmp_path / "new")
    response = site.upload(site.path("环保处"), "我的报送表.xlsx", data)
    page = text(site.get(response.headers["Location"]))
    assert "发现错误 1 处" in page
    assert "环保处.xlsx › 合作交流项目 › K2（列「牵头部门」）" in page
    assert (site.inputs / "环保处.xlsx").read_bytes() == data
    assert not (site.inputs / "我的报送表.xlsx").exists()
    problems = site.get(site.path("环保处") + "problems.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(problems.data))["问题清单"].values)
    assert [row[1] for row in rows[1:]] == ["环保处.xlsx"]


def test_a_deleted_column_is_shown_once_on_the_department_and_the_office_pages(site, tmp_path):
    rows = sample_sheet("合作交流项目", drop=("牵头部门",), rows=4)
    data = write_workbook(tmp_path / "new" / "环保处.xlsx", {"合作交流项目": rows}).read_bytes()
    response = site.upload(site.path("环保处"), "环保处.xlsx", data)
    with pytest.raises(InputProblems) as raised:
        check(site.inputs)
    (problem,) = raised.value.errors  # what the terminal says, word for word
    department = text(site.get(response.headers["Location"]))
    office = text(site.get(site.office + "problems"))
    assert "发现错误 1 处" in department
    for page in (department, office):
        assert page.count("缺少列「牵头部门」") == 1
        assert problem.location.describe() in page and problem.message in page
        assert "必填，不能为空" not in page
    listed = site.get(site.path("环保处") + "problems.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(listed.data))["问题清单"].values)
    assert [row[3:5] for row in rows[1:]] == [("行2", "牵头部门")]


def test_department_upload_cannot_write_another_departments_file(site):
    before = (site.inputs / "区人社局.xlsx").read_bytes()
    valid = (site.inputs / "环保处.xlsx").read_bytes()
    site.upload(site.path("环保处"), "区人社局.xlsx", valid, department="区人社局")
    assert (site.inputs / "区人社局.xlsx").read_bytes() == before


def test_department_blank_workbook_has_the_offices_choices_only(site, tmp_path):
    other = cooperation_workbook(tmp_path / "x", "区人社局", [cooperation_row(region="秘密县")])
    site.upload(site.office, "区人社局.xlsx", other.read_bytes())
    response = site.get(site.path("环保处") + "blank.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    guide = "\n".join(str(c) for row in book["填写说明"].values for c in row if c)
    assert "提炼建言明确分工" in guide and "2023—2025年" in guide
    assert "秘密县" not in guide
    office = site.get(site.office + "blank/department?name=新部门")
    book = openpyxl.load_workbook(io.BytesIO(office.data))
    assert "秘密县" in "\n".join(str(c) for row in book["填写说明"].values for c in row if c)
    assert (site.inputs / "环保处.xlsx").exists()


def test_department_without_a_workbook_yet(tmp_path):
    site = Office(tmp_path)
    (site.inputs / "环保处.xlsx").unlink()
    page = text(site.get(site.path("环保处")))
    assert "尚未报送" in page


# ---------------------------------------------------------------- the command


def test_serve_prints_the_links_and_writes_them(tmp_path, monkeypatch):
    inputs = valid_inputs(tmp_path / "in")
    served = {}

    def fake_serve(site, host, port, *, open_browser, ready=None, window=None):
        served.update(host=host, port=port, browser=open_browser)
        ready()

    monkeypatch.setattr(pipeline.web, "serve", fake_serve)
    result = CliRunner().invoke(
        cli,
        ["serve", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"), "--no-browser"],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("办公室：http://127.0.0.1:8000/office/")
    assert lines[1].startswith("区人社局：http://127.0.0.1:8000/dept/")
    assert lines[2].startswith("环保处：http://127.0.0.1:8000/dept/")
    assert served == {"host": "127.0.0.1", "port": 8000, "browser": False}
    assert (tmp_path / "out" / LINKS_FILE).is_file()


def test_serve_with_a_missing_inputs_folder_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--inputs", str(tmp_path / "nope")])
    assert result.exit_code == 2


def test_serve_help_is_chinese():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "--new-links" in result.output and "链接" in result.output


def test_an_unexpected_build_failure_names_the_log_it_is_in(site, monkeypatch):
    from pipeline.web import builds

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(builds, "build", broken)
    site.post(site.office + "build", data={})
    state = site.wait_for_build()
    assert state.state == "failed"
    assert str(site.outputs / "网页日志.log") in state.message and "命令窗口" in state.message
    assert "boom" not in state.message  # the traceback is for the log, not the page
    assert not [p for p in site.outputs.iterdir() if p.is_dir()]  # no run folder
