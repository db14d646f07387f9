"""Copies of the Word templates with their text edited: broken, reworded or trimmed templates."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path


def edited_docx(
    template: Path, target: Path, edit: Callable[[str], str], *, must_change: bool = True
) -> Path:
    """A copy of `template` at `target` whose document.xml is `edit`ed as text; the edit must
    change something unless `must_change` is false (a test of the copying itself)."""
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                changed = edit(content.decode("utf-8"))
                if must_change:
                    assert changed != content.decode("utf-8"), "the edit changed nothing"
                content = changed.encode("utf-8")
            out.writestr(info, content)
    return target
