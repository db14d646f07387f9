"""The tool's version, as installed: written into every run's manifest and compared by `verify`."""

from __future__ import annotations

import functools

DISTRIBUTION = "eco-office-docs"


@functools.cache
def tool_version() -> str:
    from importlib import metadata  # only when a manifest is written or read

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # a source checkout, not installed
        return "0.0.0+source"
