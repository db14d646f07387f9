"""Follow everything a page of the served site offers: each link, and each form a button
submits (GET forms, and POST forms that hand out a file or write return copies), as a browser
would send them with the values the page filled in. Uploads, 生成 and 核对 are left out
(their own tests cover them); every form left out is counted by its action."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser

# The titles of the error page (pipeline/web/app.py's ERROR_PAGES and 出错了).
ERROR_TITLES = ("请求无效", "无法访问", "页面不存在", "操作方式不正确", "文件太大", "出错了")
# POST forms that start work rather than hand something out.
LEFT_OUT = ("/upload", "/build", "/verify")


@dataclass
class Form:
    method: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    uploads: bool = False


class PageParser(HTMLParser):
    """The links, forms, title and messages of one page."""

    def __init__(self, fill_text: str) -> None:
        super().__init__()
        self.fill_text = fill_text  # what a person types into a required, empty text box
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.title = ""
        self.errors: list[str] = []  # flash messages of category error
        self._select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self._datalists: dict[str, list[str]] = {}
        self._datalist: str | None = None
        self._pending_lists: list[tuple[Form, int, str]] = []
        self._text_target: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.links.append(a["src"])
        elif tag == "form":
            self.forms.append(Form(a.get("method", "get").lower(), a.get("action", "")))
        elif tag == "input" and self.forms:
            self._input(self.forms[-1], a)
        elif tag == "select" and self.forms:
            self._select = (a.get("name", ""), [], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value", ""))
            if "selected" in a:
                self._select[2].append(a.get("value", ""))
        elif tag == "option" and self._datalist is not None:
            self._datalists[self._datalist].append(a.get("value", ""))
        elif tag == "datalist":
            self._datalist = a.get("id", "")
            self._datalists[self._datalist] = []
        elif tag == "title":
            self._text_target = "title"
        elif tag == "div" and "flash-error" in a.get("class", "").split():
            self._text_target = "error"
            self.errors.append("")

    def _input(self, form: Form, a: dict[str, str]) -> None:
        kind, name, value = a.get("type", "text"), a.get("name", ""), a.get("value", "")
        if kind == "file":
            form.uploads = True
        elif kind in ("checkbox", "radio"):
            if "checked" in a and name:
                form.fields.append((name, value or "on"))
        elif name and kind not in ("submit", "button", "reset"):
            if not value and "required" in a:
                if a.get("list"):
                    self._pending_lists.append((form, len(form.fields), a["list"]))
                value = self.fill_text
            form.fields.append((name, value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self.forms:
            name, options, selected = self._select
            chosen = selected[-1:] or options[:1]
            if name and chosen:
                self.forms[-1].fields.append((name, chosen[0]))
            self._select = None
        elif tag == "datalist":
            self._datalist = None
        elif tag in ("title", "div"):
            self._text_target = None

    def handle_data(self, data: str) -> None:
        if self._text_target == "title":
            self.title += data
        elif self._text_target == "error":
            self.errors[-1] += data.strip()

    def close(self) -> None:
        super().close()
        for form, index, name in self._pending_lists:  # the first choice the list suggests
            options = self._datalists.get(name) or [self.fill_text]
            form.fields[index] = (form.fields[index][0], options[0])


@dataclass
class Download:
    method: str
    url: str
    path: str  # the URL's path, decoded
    name: str  # the file name the browser saves it as
    data: bytes
    found_on: str


@dataclass
class Visit:
    method: str
    url: str
    status: int
    found_on: str
    title: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class Crawl:
    pages: list[Visit] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)
    failures: list[Visit] = field(default_factory=list)  # 4xx/5xx, error pages, error messages
    left_out: list[str] = field(default_factory=list)  # form actions not submitted


def crawl(start: str, *, fill_text: str) -> Crawl:
    """Everything reachable from `start` under its own link (and the site's static files)."""
    base = urllib.parse.urlsplit(start)
    origin = f"{base.scheme}://{base.netloc}"
    scope = base.path  # /office/<token>/ or /dept/<token>/
    # urllib follows redirects as a browser does: a POST answered by 302 becomes a GET
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    result = Crawl()
    queue: list[tuple[str, str, bytes | None, str]] = [("GET", start, None, "")]
    seen: set[tuple[str, str, bytes | None]] = set()
    while queue:
        method, url, body, found_on = queue.pop(0)
        if (method, url, body) in seen:
            continue
        seen.add((method, url, body))
        request = urllib.request.Request(url, data=body, method=method)
        if method == "POST":  # as a browser sends a form of this page
            request.add_header("Origin", origin)
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with opener.open(request, timeout=300) as response:
                status, headers, data = response.status, response.headers, response.read()
                final = response.url
        except urllib.error.HTTPError as error:
            parser = PageParser(fill_text)
            parser.feed(error.read().decode("utf-8", "replace"))
            parser.close()
            result.failures.append(Visit(method, url, error.code, found_on, parser.title.strip()))
            continue
        disposition = headers.get("Content-Disposition", "")
        if disposition.startswith("attachment"):
            path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
            name = saved_name(disposition)
            result.downloads.append(Download(method, url, path, name, data, found_on))
            continue
        if headers.get_content_type() != "text/html":
            continue  # the style sheet and the script
        parser = PageParser(fill_text)
        parser.feed(data.decode("utf-8"))
        parser.close()
        visit = Visit(method, final, status, found_on, parser.title.strip(), parser.errors)
        result.pages.append(visit)
        if visit.title.startswith(ERROR_TITLES) or visit.errors:
            result.failures.append(visit)
        for link in parser.links:
            target = urllib.parse.urljoin(final, link).split("#")[0]
            if _inside(target, origin, scope):
                queue.append(("GET", target, None, final))
        for form in parser.forms:
            target = urllib.parse.urljoin(final, form.action or final).split("#")[0]
            if not _inside(target, origin, scope):
                continue
            encoded = urllib.parse.urlencode(form.fields)
            if form.method == "get":
                queue.append(("GET", f"{target.split('?')[0]}?{encoded}", None, final))
            elif form.uploads or target.endswith(LEFT_OUT):
                result.left_out.append(urllib.parse.urlsplit(target).path)
            else:
                queue.append(("POST", target, encoded.encode("ascii"), final))
    return result


def saved_name(disposition: str) -> str:
    """The file name a browser saves a download as: RFC 6266's `filename*` (UTF-8) when the
    header has one, else `filename`."""
    params = dict(part.strip().split("=", 1) for part in disposition.split(";")[1:] if "=" in part)
    if "filename*" in params:
        charset, _, quoted = params["filename*"].split("'", 2)
        return urllib.parse.unquote(quoted, encoding=charset or "utf-8")
    return params.get("filename", "").strip('"')


def _inside(url: str, origin: str, scope: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    same = f"{parts.scheme}://{parts.netloc}" == origin
    return same and (parts.path.startswith(scope) or parts.path.startswith("/static/"))
