"""Official documents of the office from the departments' workbooks."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("pipeline")
except _metadata.PackageNotFoundError:  # run from a source checkout without installing
    __version__ = "0.1.0"
