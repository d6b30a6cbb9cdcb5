"""The method registry: every pipeline method is a named, documented plug-in.

A framework file names methods as ``NAME`` or ``{method: NAME, <params>}``. The
registry maps (family, NAME) to a plain numpy function and a pydantic model that
validates its parameters once, at the edge, with messages saying what was expected.

Families and the signature their functions share:

- ``normalise``: ``fn(x, ctx, params) -> ndarray`` for one indicator over all
  (unit, year) rows; ``ctx`` is a :class:`NormaliseContext`.
- ``aggregate``: ``fn(X, w, params, ctx) -> ndarray``: rows are (unit, year), columns
  are the children of one node, ``w`` their weights summing to 1 (shape (k,), or (rows, k)
  for per-unit weights); ``ctx`` is an ``AggregateContext`` (node, children, units,
  years: per-year methods such as TOPSIS group by ``ctx.years``). NaN cells are
  missing and must be handled as the method's docstring states. A method may also
  register a ``batched`` kernel ``fn(X, W, params, ctx) -> (R, n)`` over R replications
  (``X`` (n, k) shared or (R, n, k), ``W`` (R, k) or (R, n, k)); otherwise
  :meth:`MethodSpec.batched` loops over the replications.
- ``weights``: ``fn(X, prior, params, ctx) -> ndarray | (ndarray, info)``: weights of
  the children of one
  node, from their normalised values ``X`` (pooled over all years) and the framework's
  weights ``prior``; ``info`` (e.g. AHP λmax, CI, CR) is kept in the result.
- ``impute`` and ``treat``: operate on the indicator matrix; see their modules.

Every method declares what it can do as :class:`Capabilities` (for given parameters);
generic code (the engine, the uncertainty engine, explanations, the framework checks)
asks ``spec.capabilities(params)`` and never tests a method's name.
"""
from __future__ import annotations

import importlib
import inspect
import threading
from dataclasses import dataclass
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..lazy import lazy_module

np = lazy_module("numpy", globals())

FAMILIES = ("impute", "treat", "normalise", "weights", "aggregate")


class Params(BaseModel):
    """Base class of method parameter models: unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class NoParams(Params):
    pass


@dataclass(frozen=True)
class Capabilities:
    """What a method does, for given parameters: generic code reads these, never names.

    - ``scope``: what one output value depends on. ``row``: that unit-year's own inputs
      (weighted means); ``year``: the other units of the same year (TOPSIS, VIKOR,
      Copeland, MPI, per-year bounds); ``panel``: every row of the panel (pooled forms).
    - ``power``: an aggregation that is the weighted power mean of order r (1 arithmetic,
      0 geometric, −1 harmonic); None for any other operator. Trees of one power mean
      collapse to effective weights, and contributions have an exact split for r = 1, 0.
    - ``inputs``: what the method needs of its input values: ``any``, ``nonnegative`` or
      ``positive`` (checked on the data, and statically against the children's ranges).
    - ``data_driven``: weights computed from the children's scores (entropy, CRITIC, PCA …),
      as opposed to fixed by the framework (manual, equal, AHP).
    - ``per_row``: weights that differ per unit-year (benefit of the doubt).
    """

    scope: Literal["row", "year", "panel"] = "row"
    power: float | None = None
    inputs: Literal["any", "nonnegative", "positive"] = "any"
    data_driven: bool = False
    per_row: bool = False


@dataclass(frozen=True)
class MethodSpec:
    family: str
    name: str
    func: Callable[..., Any]
    params_model: type[Params]
    # Optional static description of the output range, used to refuse a geometric
    # mean over inputs that can be <= 0 before any data is read.
    output_range: Callable[..., tuple[float, float, bool]] | None = None
    # Optional: the same method over many indicators at once, fn(X, directions, years, params),
    # used when ``columns_ok(params, ctx)`` says the per-indicator context adds nothing.
    columns: Callable[..., Any] | None = None
    columns_ok: Callable[..., bool] | None = None
    # Capabilities, or a function of the validated parameters returning them.
    declared: Capabilities | Callable[[Any], Capabilities] = Capabilities()
    # aggregate: the kernel over many replications at once (see the module doc)
    batched_kernel: Callable[..., np.ndarray] | None = None
    # Optional check of validated parameters against the node's children, run when the
    # framework is read: fn(params, child_ids) -> message or None (e.g. an AHP matrix is k×k)
    check_children: Callable[[Any, list[str]], str | None] | None = None
    # Optional: the raw parameters for the same node without its child number i, for methods
    # whose parameters have one entry per child: fn(raw params, i) -> raw params (AHP: the
    # matrix without row and column i)
    without_child: Callable[[dict, int], dict] | None = None

    def capabilities(self, params: Any = None) -> Capabilities:
        """What this method does with ``params`` (validated, a raw dict, or None for defaults)."""
        if not callable(self.declared):
            return self.declared
        if params is None or isinstance(params, dict):
            params = make_params(self, params or {})
        return self.declared(params)

    def batched(self, X: np.ndarray, W: np.ndarray, params: Any = None, ctx: Any = None) -> np.ndarray:
        """Scores (R, n) of R replications: ``X`` (n, k) or (R, n, k), ``W`` (R, k) or (R, n, k).

        The method's own kernel when it has one, else its function once per replication.
        """
        if self.batched_kernel is not None:
            return self.batched_kernel(X, W, params, ctx)
        R = W.shape[0]
        out = np.empty((R, X.shape[-2]))
        for r in range(R):
            out[r] = self.func(X if X.ndim == 2 else X[r], W[r], params, ctx)
        return out

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""

    def parameters(self) -> list[tuple[str, str, Any]]:
        """(name, type, default) of each parameter; default is the string 'required' if none."""
        out = []
        for name, field in self.params_model.model_fields.items():
            out.append((field.alias or name, _type_name(field.annotation),
                        "required" if field.is_required() else field.default))
        return out


def _type_name(annotation) -> str:
    """A readable type: Literal['a', 'b'] -> 'a | b', Optional[float] -> 'float | None'."""
    import typing

    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(str(a) for a in typing.get_args(annotation))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return " | ".join(_type_name(a) for a in typing.get_args(annotation))
    if annotation is type(None):
        return "None"
    if origin is not None:
        args = ", ".join(_type_name(a) for a in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    return getattr(annotation, "__name__", str(annotation)).replace("typing.", "")


_REGISTRY: dict[tuple[str, str], MethodSpec] = {}


def register(family: str, name: str, params: type[Params] = NoParams, output_range=None,
             columns=None, columns_ok=None, capabilities: Capabilities | Callable = Capabilities(),
             batched=None, check_children=None, without_child=None):
    """Decorator registering ``func`` as method ``name`` of ``family``.

    ``capabilities`` is a :class:`Capabilities` or a function of the validated parameters
    returning one; ``batched`` an aggregation kernel over many replications;
    ``check_children(params, child_ids)`` a message when the parameters do not fit a node.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown method family {family!r}")

    def deco(func):
        key = (family, name)
        if key in _REGISTRY:
            raise ValueError(f"method {family}/{name} is registered twice")
        _REGISTRY[key] = MethodSpec(family, name, func, params, output_range, columns, columns_ok,
                                    capabilities, batched, check_children, without_child)
        return func

    return deco


def methods(family: str | None = None) -> list[MethodSpec]:
    """All registered methods, optionally of one family, sorted by name."""
    _load_builtin()
    return sorted(
        (s for (f, _), s in _REGISTRY.items() if family in (None, f)),
        key=lambda s: (FAMILIES.index(s.family), s.name),
    )


def get_method(family: str, name: str) -> MethodSpec:
    """The method ``name`` of ``family``; ValueError naming the known ones if absent."""
    _load_builtin()
    try:
        return _REGISTRY[(family, name)]
    except KeyError:
        known = ", ".join(s.name for s in methods(family))
        raise ValueError(f"unknown {family} method {name!r}; known: {known}") from None


def make_params(spec: MethodSpec, raw: dict[str, Any]) -> Params:
    """Validate ``raw`` parameters for ``spec``; ValueError with a readable message."""
    try:
        return spec.params_model(**raw)
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "parameters"
            if err["type"] == "extra_forbidden":
                allowed = ", ".join(spec.params_model.model_fields) or "none"
                msgs.append(f"unknown parameter {where!r} (allowed: {allowed})")
            else:
                msgs.append(f"parameter {where!r}: {err['msg']}")
        raise ValueError(f"{spec.family} method {spec.name!r}: " + "; ".join(msgs)) from None


# The built-in method families register themselves when imported; the registry loads them by
# name on first use, as it would load any other plug-in (the families import the registry).
BUILTIN_METHOD_MODULES = ("digindex.methods.impute", "digindex.methods.treat", "digindex.methods.normalise",
                          "digindex.methods.weights", "digindex.methods.aggregate")
_loaded = False
_loading = threading.Lock()


def _load_builtin() -> None:
    """Import the method modules once (thread-safe: web workers may race on first use)."""
    global _loaded
    if _loaded:
        return
    with _loading:
        if not _loaded:
            for module in BUILTIN_METHOD_MODULES:
                importlib.import_module(module)
            _loaded = True
