"""channel/'s parts import each other one way: no cycle between its sub-packages and top-level modules.

The graph is read from the source with `ast` (nothing is imported), every import counted: at module
level, inside functions and under `TYPE_CHECKING`, since each is a dependency someone must know about.
A part is a sub-package (`channel.grid`) or a top-level module (`channel.settings`). A failure prints
each cycle with the import statements that make it, file and line. docs/architecture.md ("Shape")
gives the order the parts keep.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "channel"

Graph = Mapping[str, Mapping[str, tuple["Import", ...]]]


@dataclass(frozen=True, slots=True)
class Import:
    """One import statement: which module imports what, where."""

    path: str
    line: int
    target: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.target}"


def _module(path: Path, root: Path) -> list[str]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _targets(node: ast.Import | ast.ImportFrom, module: list[str], is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    if node.level:  # relative: from the module's package, one level up per extra dot
        base = module if is_package else module[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join([*base, *([node.module] if node.module else [])])
    else:
        source = node.module or ""
    yield source
    yield from (f"{source}.{alias.name}" for alias in node.names)  # `from channel import audit`


def imports_of(path: Path, root: Path) -> Iterator[Import]:
    """Every import in the file at `path`, wherever it stands in the file."""
    module = _module(path, root)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, module, path.name == "__init__.py"):
                yield Import(str(path.relative_to(root)), node.lineno, target)


def part_of(module: str, package: str = PACKAGE) -> str | None:
    """`channel.grid.entries` -> `channel.grid`; None outside the package (or the package itself)."""
    names = module.split(".")
    if names[0] != package or len(names) < 2:
        return None
    return f"{package}.{names[1]}"


def _is_part(root: Path, part: str) -> bool:
    """A sub-package or module (not a name defined in the package's __init__.py)."""
    path = root / Path(*part.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> Graph:
    """part -> part it imports -> the import statements that do it."""
    found: dict[str, dict[str, list[Import]]] = {}
    for path in sorted((root / package).rglob("*.py")):
        source = part_of(".".join(_module(path, root)), package) or package
        for statement in imports_of(path, root):
            target = part_of(statement.target, package)
            if target is not None and target != source and _is_part(root, target):
                found.setdefault(source, {}).setdefault(target, []).append(statement)
    return {s: {t: tuple(imports) for t, imports in ts.items()} for s, ts in found.items()}


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle (a closed path of parts) for each group of parts that reach each other (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(part: str) -> None:
        index[part] = low[part] = len(index)
        stack.append(part)
        for target in sorted(graph.get(part, {})):
            if target not in index:
                visit(target)
                low[part] = min(low[part], low[target])
            elif target in stack:
                low[part] = min(low[part], index[target])
        if low[part] == index[part]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == part:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for part in sorted(graph):
        if part not in index:
            visit(part)
    return [_closed_path(graph, set(group), group[0]) for group in groups]


def _closed_path(graph: Graph, group: set[str], start: str) -> list[str]:
    """A shortest path from `start` back to itself inside `group` (breadth first)."""
    paths = [[start]]
    seen = {start}
    while paths:
        path = paths.pop(0)
        for target in sorted(graph.get(path[-1], {})):
            if target == start:
                return [*path, start]
            if target in group and target not in seen:
                seen.add(target)
                paths.append([*path, target])
    raise AssertionError(f"{start} is in a cycle, so a path back exists")


def describe(graph: Graph, cycle: list[str]) -> str:
    """The cycle, one step a line, with the statements behind each step (one a line of source)."""
    lines = [" -> ".join(cycle)]
    for source, target in itertools.pairwise(cycle):
        lines.append(f"  {source} -> {target}:")
        widest: dict[tuple[str, int], Import] = {}
        for statement in graph[source][target]:
            known = widest.get((statement.path, statement.line))
            if known is None or len(statement.target) > len(known.target):
                widest[(statement.path, statement.line)] = statement
        lines.extend(f"    {statement}" for statement in widest.values())
    return "\n".join(lines)


def test_no_cycle_between_the_parts_of_channel() -> None:
    graph = import_graph()
    assert {"channel.app", "channel.models", "channel.grid", "channel.settings"} <= set(graph) | {
        t for targets in graph.values() for t in targets
    }, "the graph is read from the real source"
    found = cycles(graph)
    assert not found, "import cycles between channel's parts:\n" + "\n".join(
        describe(graph, c) for c in found
    )


def _write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "late_import",
    [
        "from pkg.a import x\n",  # module level
        "def f() -> None:\n    from pkg.a.mod import x\n",  # inside a function
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n",  # for the types only
        "def g() -> None:\n    from ..a import mod\n",  # relative
    ],
)
def test_a_cycle_is_found_and_named_whatever_kind_of_import_closes_it(
    tmp_path: Path, late_import: str
) -> None:
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a/__init__.py": "",
            "pkg/a/mod.py": "import pkg.b.low\nx = 1\n",
            "pkg/b/__init__.py": "",
            "pkg/b/low.py": late_import,
            "pkg/c.py": "from pkg.a.mod import x\n",
        },
    )
    graph = import_graph(tmp_path, "pkg")
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.a"]]
    text = describe(graph, cycles(graph)[0])
    assert text.splitlines()[0] == "pkg.a -> pkg.b -> pkg.a"
    assert "pkg/a/mod.py:1 imports pkg.b.low" in text
    assert "pkg/b/low.py:" in text


def test_a_one_way_graph_has_no_cycle(tmp_path: Path) -> None:
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "import os\n"})
    graph = import_graph(tmp_path, "pkg")
    assert graph == {"pkg.a": {"pkg.b": (Import("pkg/a.py", 1, "pkg.b"),)}}
    assert cycles(graph) == []
