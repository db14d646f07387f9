"""The package's layers: no module imports one above it (tools/import_graph.py draws them)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _graph_tool():
    spec = importlib.util.spec_from_file_location(
        "import_graph", ROOT / "tools" / "import_graph.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


def test_no_module_imports_a_layer_above_its_own():
    tool = _graph_tool()
    modules = {tool.module_name(p): p for p in sorted(tool.PACKAGE.rglob("*.py"))}
    graph = tool.imports(modules)
    assert tool.upward(graph) == []
    # the check sees the arrows it is about: the API runs the stages, archive uses the model
    for stage in ("pipeline.load", "pipeline.render", "pipeline.archive"):
        assert any(t.startswith(stage) for t in graph["pipeline.api"]), stage
    assert "pipeline.model" in graph["pipeline.archive.run_folder"]


def test_an_import_from_below_into_the_api_is_an_arrow_up():
    tool = _graph_tool()
    assert tool.upward({"pipeline.archive.verify": {"pipeline.api"}}) == [
        ("pipeline.archive.verify", "pipeline.api")
    ]
    assert tool.upward({"pipeline.errors": {"pipeline.model"}}) == []
    assert tool.upward({"pipeline.model": {"pipeline.errors"}}) == [
        ("pipeline.model", "pipeline.errors")
    ]
