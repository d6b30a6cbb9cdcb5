"""Names a package imports on first use (PEP 562), so that importing the package stays cheap."""
from __future__ import annotations

from importlib import import_module


def lazy_names(package: str, where: dict[str, str], namespace: dict):
    """``(__getattr__, __dir__)`` for ``package``; ``where`` maps each lazy name to the module
    (relative to ``package``) that defines it; ``namespace`` is the package's ``globals()``."""

    def __getattr__(name: str):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(where[name], package), name)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__():
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__


__all__ = ["lazy_names"]
