"""The package's declared exports are complete and importable."""

from __future__ import annotations

import importlib
import pkgutil

import storage


def test_all_exports_exist() -> None:
    for name in storage.__all__:
        assert hasattr(storage, name), name


def test_every_module_declares_all() -> None:
    for module_info in pkgutil.iter_modules(storage.__path__):
        module = importlib.import_module(f"storage.{module_info.name}")
        assert isinstance(getattr(module, "__all__", None), list), module_info.name
        for name in module.__all__:
            assert hasattr(module, name), f"{module_info.name}.{name}"
