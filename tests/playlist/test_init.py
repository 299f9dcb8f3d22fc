"""The package declares its public names, and stays pure: no imports of our other packages."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import playlist

FORBIDDEN = ("channel", "storage", "transcoder", "time", "os", "pathlib", "io", "socket")


def test_every_module_declares_all_and_exports_exist() -> None:
    for info in pkgutil.iter_modules(playlist.__path__):
        module = importlib.import_module(f"playlist.{info.name}")
        assert hasattr(module, "__all__"), info.name
        for name in module.__all__:
            assert hasattr(module, name), (info.name, name)
    for name in playlist.__all__:
        assert hasattr(playlist, name), name


def test_the_core_imports_no_io_clock_or_sibling_package() -> None:
    for path in Path(playlist.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, (path.name, name)
