"""The package's own import graph, by layer, and every arrow that goes back up.

    python tools/import_graph.py            # the layers and the arrows between folders
    python tools/import_graph.py --dot      # the module graph as Graphviz DOT

Every `import` and `from … import` of a module of `pipeline` counts, wherever it stands: at
the top, inside a function, or under `if TYPE_CHECKING:` (a type-only import still makes two
modules know each other). A module may import its own layer and the layers below it; an
arrow to a higher layer is listed, and the exit code is 1 when there is one.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"

# Lowest first. A module's layer is that of the longest prefix of its dotted name listed here.
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "pipeline.cells",
        "pipeline.files",
        "pipeline.numerals",
        "pipeline.safe_xml",
        "pipeline.version",
        "pipeline.progress",
        "pipeline.interrupts",
    ),
    ("pipeline.problems",),
    ("pipeline.model",),
    ("pipeline.errors",),
    ("pipeline.contract",),
    ("pipeline.load",),
    ("pipeline.validate",),
    ("pipeline.merge",),
    ("pipeline.render", "pipeline.changes"),
    ("pipeline.archive", "pipeline.workbooks"),
    ("pipeline.api",),
    ("pipeline",),  # the package root: the public names
    ("pipeline.cli", "pipeline.web", "pipeline.__main__"),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> tuple[int, str]:
    """The layer's index and the prefix that placed it there."""
    best = (-1, "")
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            fits = module == prefix or module.startswith(prefix + ".")
            if fits and len(prefix) > len(best[1]):
                best = (index, prefix)
    if best[0] < 0:
        # a module not listed sits at the top, where nothing below may import it
        return len(LAYERS) - 1, module
    return best


def _resolve(current: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = current.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the package's modules it imports."""
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, path.name == "__init__.py", node)
                # `from . import x` imports the submodule x when there is one
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                if target.split(".")[0] == "pipeline" and target != name:
                    while target not in modules and "." in target:
                        target = target.rsplit(".", 1)[0]
                    if target in modules and target != name:
                        graph[name].add(target)
    return graph


def upward(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    found = []
    for source, targets in graph.items():
        for target in targets:
            if layer_of(target)[0] > layer_of(source)[0]:
                found.append((source, target))
    return sorted(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dot", action="store_true", help="print the module graph as DOT")
    options = parser.parse_args()
    modules = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
    graph = imports(modules)
    if options.dot:
        print("digraph pipeline {\n  rankdir=BT;")
        for source, targets in sorted(graph.items()):
            for target in sorted(targets):
                up = layer_of(target)[0] > layer_of(source)[0]
                print(f'  "{source}" -> "{target}"{" [color=red]" if up else ""};')
        print("}")
    else:
        folders: dict[tuple[str, str], int] = defaultdict(int)
        for source, targets in graph.items():
            for target in targets:
                a, b = layer_of(source)[1], layer_of(target)[1]
                if a != b:
                    folders[a, b] += 1
        for index, prefixes in reversed(list(enumerate(LAYERS))):
            names = [
                p.removeprefix("pipeline.") if p != "pipeline" else "pipeline (root)"
                for p in prefixes
            ]
            below = sorted({b for (a, b) in folders if a in prefixes})
            uses = ", ".join(b.removeprefix("pipeline.") for b in below) or "—"
            print(f"{index:2}  {' | '.join(names):40} → {uses}")
    arrows = upward(graph)
    for source, target in arrows:
        print(f"up: {source} → {target}", file=sys.stderr)
    return 1 if arrows else 0


if __name__ == "__main__":
    sys.exit(main())
