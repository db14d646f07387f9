"""`pipeline serve`: a local web page for the office and the departments, on the public API.

In: the same `inputs/`, `outputs/` and `templates/` as the command line. Out: pages to upload
workbooks, see their problems, build, download and verify — the office's link opens everything,
each department's link its own workbook only — and `outputs/报送链接.xlsx` listing the links.

`status.status_report` gives the 报送情况 table (the product's `submission_status`);
`app.create_app` the Flask application; `server.prepare_site` and `server.serve` what `pipeline serve` runs.
"""

from .app import create_app
from .context import WebConfig
from .server import Site, base_url, prepare_site, serve
from .status import StatusReport, department_check, status_report

__all__ = [
    "Site",
    "StatusReport",
    "WebConfig",
    "base_url",
    "create_app",
    "department_check",
    "prepare_site",
    "serve",
    "status_report",
]
