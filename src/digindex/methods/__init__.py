"""Numeric method library, one family per module, registered by name."""
from .registry import FAMILIES, Capabilities, MethodSpec, get_method, make_params, methods, register

__all__ = ["FAMILIES", "Capabilities", "MethodSpec", "get_method", "make_params", "methods", "register"]
