"""What a build is doing while it runs, told through one callback: the terminal's spinner and
the web page's progress bar both show `Step.label`, so the two never word a stage apart.

A stage starts with a `Step` of its name; the copies' conversion also tells each document it
has finished (`done` of `total`), so a long `build --pdf` says which document it is at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

STAGE_NAMES = {
    "load": "读取工作簿",
    "validate": "校验",
    "merge": "合并",
    "render": "生成文档",
    "pdf": "转换 PDF",
    "ofd": "转换 OFD",
    "archive": "归档",
}


@dataclass(frozen=True)
class Step:
    """A stage of the build (a key of `STAGE_NAMES`); in a conversion, the documents done."""

    stage: str
    done: int = 0
    total: int = 0  # 0: a stage that is not counted in documents

    @property
    def label(self) -> str:
        """`校验`, `转换 PDF（第 2/4 个）`: the document being converted, counted from 1."""
        name = STAGE_NAMES.get(self.stage, self.stage)
        if not self.total:
            return name
        return f"{name}（第 {min(self.done + 1, self.total)}/{self.total} 个）"


Progress = Callable[[Step], None]


def counting(progress: Progress | None, stage: str, total: int) -> Callable[[int], None] | None:
    """A callback for a loop that converts `total` documents: called with how many are done,
    it tells `progress` once per change."""
    if progress is None:
        return None
    told = -1

    def done(count: int) -> None:
        nonlocal told
        if count != told:
            told = count
            progress(Step(stage, min(count, total), total))

    return done
