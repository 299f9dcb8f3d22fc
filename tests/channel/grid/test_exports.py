"""Every module of the grid declares its public names, and each of them exists."""

from __future__ import annotations

import importlib
import pkgutil

import channel.grid


def test_every_module_declares_all() -> None:
    modules = [channel.grid] + [
        importlib.import_module(f"channel.grid.{info.name}")
        for info in pkgutil.iter_modules(channel.grid.__path__)
    ]
    assert len(modules) > 10
    for module in modules:
        names = getattr(module, "__all__", None)
        assert names, module.__name__
        assert all(hasattr(module, name) for name in names), module.__name__
