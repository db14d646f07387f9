"""Who may open which page: one random token per link, kept only as its SHA-256.

The office's token opens everything; a department's token opens its own page only. Department
tokens last until `pipeline serve --new-links`, so links sent out keep working across restarts;
the office's token is new at every start, because the office reads it from the console that
started the server (a hash cannot be printed again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PipelineError
from ..files import describe_os_error, replace_atomically

TOKEN_BYTES = 24  # 192 bits
STORE_NAME = ".web-links.json"
STORE_FORMAT = 1
OFFICE = "办公室"


@dataclass(frozen=True)
class Access:
    """What a valid token grants: the office, or one department."""

    department: str | None  # None for the office

    @property
    def is_office(self) -> bool:
        return self.department is None


@dataclass
class IssuedLinks:
    """The tokens of this start: raw values only for links created now."""

    office: str
    departments: dict[str, str] = field(default_factory=dict)  # new links: department → token
    kept: dict[str, str] = field(default_factory=dict)  # earlier links: department → created


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")


class LinkStore:
    """The hashes of the valid tokens, in `outputs/.web-links.json`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.office_hash = ""
        self.departments: dict[str, dict[str, str]] = {}  # department → {sha256, created}

    @classmethod
    def open(cls, outputs: Path, *, fresh: bool = False) -> LinkStore:
        """The record in `outputs/`; `fresh` ignores it (it is replaced on `issue`)."""
        store = cls(outputs / STORE_NAME)
        if fresh or not store.path.exists():
            return store
        try:
            data = json.loads(store.path.read_text(encoding="utf-8"))
            departments = data["departments"]
            if not isinstance(departments, dict):
                raise TypeError
            for name, entry in departments.items():
                store.departments[str(name)] = {
                    "sha256": str(entry["sha256"]),
                    "created": str(entry.get("created", "")),
                }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise PipelineError(
                f"链接记录 {store.path} 已损坏。请运行 pipeline serve --new-links 重新生成全部链接。"
            ) from None
        return store

    def issue(self, departments: list[str], *, renew: bool) -> IssuedLinks:
        """A new office token; new tokens for departments without one (all of them when
        `renew`); saved before returning."""
        if renew:
            self.departments.clear()
        office = secrets.token_urlsafe(TOKEN_BYTES)
        self.office_hash = token_hash(office)
        issued = IssuedLinks(office)
        for department in departments:
            entry = self.departments.get(department)
            if entry is not None:
                issued.kept[department] = entry["created"]
                continue
            token = secrets.token_urlsafe(TOKEN_BYTES)
            self.departments[department] = {"sha256": token_hash(token), "created": _now()}
            issued.departments[department] = token
        self.save()
        return issued

    def save(self) -> None:
        data = {
            "format": STORE_FORMAT,
            "note": "各链接令牌的 SHA-256；办公室令牌每次启动时重新生成，不保存。",
            "departments": self.departments,
        }
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        try:
            replace_atomically(
                self.path, lambda temporary: temporary.write_text(text, encoding="utf-8")
            )
        except OSError as exc:
            raise PipelineError(f"无法写入链接记录 {self.path}：{describe_os_error(exc)}") from None

    def identify(self, token: str) -> Access | None:
        """The access a presented token grants, or None."""
        if not token or len(token) > 200:
            return None
        digest = token_hash(token)
        if self.office_hash and secrets.compare_digest(digest, self.office_hash):
            return Access(None)
        for department, entry in self.departments.items():
            if secrets.compare_digest(digest, entry["sha256"]):
                return Access(department)
        return None
