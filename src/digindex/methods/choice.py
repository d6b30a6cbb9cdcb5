"""A method as a framework names it: ``NAME`` or ``{method: NAME, <params>}``.

:func:`parse_choice` is the one parser of that syntax. It lives with the methods
because methods parse it too (``combined`` weights name two weightings).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .registry import get_method, make_params


@dataclass(frozen=True)
class MethodChoice:
    """A method named in the framework, with its parameters as written."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_yaml(self) -> str | dict[str, Any]:
        return {"method": self.name, **self.params} if self.params else self.name

    def __str__(self) -> str:
        if not self.params:
            return self.name
        inner = ", ".join(f"{k}: {v}" for k, v in self.params.items())
        return f"{self.name}({inner})"


def parse_choice(value: Any, family: str) -> MethodChoice:
    """The checked :class:`MethodChoice` of ``value`` for a method of ``family``.

    ``value`` is a method name, a mapping ``{method: NAME, <params>}`` or a MethodChoice.
    The name must be registered and the parameters valid; otherwise ValueError with a
    readable message (the registry names the known methods and allowed parameters).
    """
    if isinstance(value, MethodChoice):
        name, params = value.name, dict(value.params)
    elif isinstance(value, str) and value:
        name, params = value, {}
    elif isinstance(value, Mapping) and "method" in value:
        params = dict(value)
        name = str(params.pop("method"))
    else:
        raise ValueError(f"{family} must be a method name or {{method: NAME, ...}}, not {value!r}")
    make_params(get_method(family, name), params)
    return MethodChoice(name, params)
