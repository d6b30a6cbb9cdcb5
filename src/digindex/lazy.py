"""Imports on first use, so that importing a package stays cheap: a package's names (PEP 562)
and a module's heavy libraries (numpy, pandas)."""
from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType


def lazy_names(package: str, where: dict[str, str], namespace: dict):
    """``(__getattr__, __dir__)`` for ``package``; ``where`` maps each lazy name to the module
    (relative to ``package``) that defines it; ``namespace`` is the package's ``globals()``.

    A lazy name that is also the name of its submodule (``engine.evaluate``, the function in
    ``engine/evaluate.py``) stays the function when the submodule is imported (the import
    system sets the submodule on the package; an eager ``from .evaluate import evaluate``
    would have set the function after it)."""

    def __getattr__(name: str):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(where[name], package), name)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__():
        return sorted(set(namespace) | set(where))

    shadowed = {name for name, module in where.items() if module == "." + name}
    if shadowed and package in sys.modules:
        sys.modules[package].__class__ = _package_class(frozenset(shadowed))
    return __getattr__, __dir__


def _package_class(shadowed: frozenset) -> type:
    class LazyPackage(ModuleType):
        def __setattr__(self, name, value):
            if name in shadowed and isinstance(value, ModuleType) and \
                    value.__name__ == f"{self.__name__}.{name}":
                value = getattr(value, name)  # the submodule's function of the same name
            super().__setattr__(name, value)

    return LazyPackage


class _Module:
    """A stand-in for a module, imported on first use (see :func:`lazy_module`)."""

    def __init__(self, name: str, namespace: dict):
        self._name, self._namespace = name, namespace

    def __getattr__(self, attr: str):
        module = import_module(self._name)
        for key, value in list(self._namespace.items()):
            if value is self:
                self._namespace[key] = module  # later uses in that module skip the stand-in
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<{self._name}, imported on first use>"


def lazy_module(name: str, namespace: dict):
    """Module ``name`` for a module whose functions, not its import, need it:
    ``np = lazy_module("numpy", globals())`` imports numpy when ``np`` is first used (the
    module itself if it is imported already)."""
    module = sys.modules.get(name)
    return module if module is not None else _Module(name, namespace)


__all__ = ["lazy_module", "lazy_names"]
