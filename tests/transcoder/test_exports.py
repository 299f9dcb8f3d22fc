"""Every transcoder module declares `__all__`, listing exactly its public definitions."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import transcoder

MODULES = sorted(m.name for m in pkgutil.iter_modules(transcoder.__path__, "transcoder."))


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_the_public_definitions(name: str) -> None:
    module = importlib.import_module(name)
    declared = set(module.__all__)
    defined = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and getattr(value, "__module__", None) == name
    }
    assert defined <= declared, f"{name}: missing from __all__: {sorted(defined - declared)}"
    assert all(hasattr(module, attr) for attr in declared)


def test_package_exports_resolve() -> None:
    assert all(hasattr(transcoder, attr) for attr in transcoder.__all__)
    assert "transcoder.tasks" in MODULES
