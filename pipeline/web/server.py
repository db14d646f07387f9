"""`pipeline serve`: issue the links, write them down, and serve the pages with waitress."""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from .. import check_copy_tools
from ..errors import ToolMissing, UsageError
from ..files import describe_os_error
from ..interrupts import ctrl_c_ignored
from .access import LinkStore
from .app import create_app
from .context import WebConfig
from .links import Link, link_host, links, write_links_file
from .logs import failures_logged
from .status import departments

THREADS = 8  # a district's departments uploading at once; builds run in their own thread


@dataclass
class Site:
    """An application ready to serve, and the links of this start."""

    app: Flask
    links: list[Link]
    links_file: Path


def _copies_available(*, ofd: bool = False) -> bool:
    """Whether PDF copies (or, with `ofd`, OFD copies) can be made here."""
    try:
        check_copy_tools(pdf=True, ofd=ofd)
    except ToolMissing:
        return False
    return True


def prepare_site(
    inputs: Path,
    outputs: Path,
    templates: Path,
    *,
    base_url: str,
    new_links: bool = False,
) -> Site:
    """Tokens for the office and every department of `inputs/`, `outputs/报送链接.xlsx`, and
    the application. `base_url` is what the links start with (`http://192.168.1.20:8000`).
    Relative folders are taken from the current folder, once, here."""
    inputs, outputs, templates = inputs.absolute(), outputs.absolute(), templates.absolute()
    if not inputs.is_dir():
        raise UsageError(f"输入文件夹不存在：{inputs}")
    outputs.mkdir(parents=True, exist_ok=True)
    store = LinkStore.open(outputs, fresh=new_links)
    names = departments(inputs)
    issued = store.issue(names, renew=new_links)
    items = links(base_url, issued, names)
    path = write_links_file(outputs, items)
    config = WebConfig(
        inputs,
        outputs,
        templates,
        pdf_available=_copies_available(),
        ofd_available=_copies_available(ofd=True),
    )
    return Site(create_app(config, store), items, path)


def base_url(host: str, port: int) -> str:
    return f"http://{link_host(host)}:{port}"


def serve(
    site: Site,
    host: str,
    port: int,
    *,
    open_browser: bool,
    ready: Callable[[], None] | None = None,
    window: Callable[[str], None] = print,
) -> None:
    """Serve until Ctrl+C, which is how the page is stopped: it returns then. Opens the office
    page when asked; failed requests are one line each through `window` (`logs.FailureLog`)."""
    from waitress.server import create_server

    try:
        server = create_server(site.app, host=host, port=port, threads=THREADS, ident="pipeline")
    except OSError as exc:
        raise UsageError(
            f"无法在 {host}:{port} 上启动服务：{describe_os_error(exc)}。端口可能已被占用，请用 --port 换一个端口。"
        ) from None
    outputs = site.app.extensions["pipeline"].outputs
    with failures_logged(site.app, outputs, window):  # waitress's warnings on closing too
        try:
            if ready is not None:
                ready()
            if open_browser:
                threading.Timer(0.5, webbrowser.open, args=(site.links[0].url,)).start()
            server.run()  # waitress ends its loop on Ctrl+C and returns
        except KeyboardInterrupt:
            pass  # Ctrl+C outside waitress's loop (while the links were printed)
        finally:
            with ctrl_c_ignored():  # a second Ctrl+C must not cut the closing short
                server.close()


class Background:
    """The site served by waitress in a thread (for tests and screenshots), on the port its
    links name; `stop()` closes it."""

    def __init__(self, site: Site, *, port: int, host: str = "127.0.0.1") -> None:
        from waitress.server import create_server

        self.server = create_server(site.app, host=host, port=port, threads=THREADS)
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="pipeline-web", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.server.run()
        except (OSError, ValueError):
            # waitress has no shutdown call: closing its socket ends the loop with an error
            if not self.stopping:
                raise

    def stop(self) -> None:
        self.stopping = True
        self.server.close()
        self.thread.join(timeout=5)
