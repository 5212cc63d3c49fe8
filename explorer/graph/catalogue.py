"""The layer catalogue: one :class:`LayerKind` per kind, declared in ``explorer/graph/layers/``.

A kind holds everything about itself in one place: its parameters, how many inputs it takes, its
shape rule and what to build. Input sizes (``in_features``, ``in_channels``...) are never
parameters; the builder receives the inferred input specs instead.

What to build is said once, as a :class:`ModuleSpec` (a factory and its arguments): the explorer
builds the module from it, and the exporter writes the same call out as code (``explorer/export``).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .errors import ParamError, UnknownKindError
from .params import Param
from .spec import ShapeProblem, TensorSpec, fmt

if TYPE_CHECKING:
    from torch import nn

# Palette order; every kind belongs to one of these.
GROUPS = (
    "Input & data",
    "Dense",
    "Convolution",
    "Pooling",
    "Normalisation",
    "Regularisation",
    "Activations",
    "Merge",
    "Sequence",
    "Attention",
    "Graph",
)

@dataclass(frozen=True)
class ModuleSpec:
    """What to build, declared once: a factory as code names it, and its arguments.

    ``factory`` is ``"nn.<Class>"`` (from ``torch.nn``) or a class of ``explorer/graph/modules.py``;
    an argument may itself be a spec (``Recurrent`` wraps an ``nn.LSTM``). :meth:`build` makes the
    module and :meth:`code` writes the same call as Python, so the explorer and an exported script
    build the same thing. ``inline``, for kinds without weights or state, writes the layer as an
    expression in ``forward`` instead (``torch.relu(x)``, ``a + b``), given its inputs' names.
    """

    factory: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    inline: Callable[[list[str]], str] | None = field(default=None, compare=False)

    def resolve(self) -> type:
        """The class ``factory`` names."""
        from torch import nn

        from . import modules

        if self.factory.startswith("nn."):
            return getattr(nn, self.factory[3:])
        return getattr(modules, self.factory)

    def build(self) -> "nn.Module":
        args = [a.build() if isinstance(a, ModuleSpec) else a for a in self.args]
        kwargs = {k: v.build() if isinstance(v, ModuleSpec) else v for k, v in self.kwargs.items()}
        return self.resolve()(*args, **kwargs)

    def code(self) -> str:
        """The call as Python, leaving out keyword arguments equal to the factory's defaults."""
        defaults = {name: p.default for name, p in inspect.signature(self.resolve()).parameters.items()
                    if p.default is not inspect.Parameter.empty}
        parts = [_code_of(a) for a in self.args]
        parts += [f"{k}={_code_of(v)}" for k, v in self.kwargs.items()
                  if k not in defaults or type(defaults[k]) is not type(v) or defaults[k] != v]
        return f"{self.factory}({', '.join(parts)})"


def _code_of(value: Any) -> str:
    return value.code() if isinstance(value, ModuleSpec) else repr(value)


def spec(factory: str, *args: Any, inline: Callable[[list[str]], str] | None = None, **kwargs: Any) -> ModuleSpec:
    """Shorthand: ``spec("nn.Conv2d", 1, 6, 5, padding=2)``."""
    return ModuleSpec(factory, tuple(args), kwargs, inline)


InferFn = Callable[[dict[str, Any], list[TensorSpec]], TensorSpec]
BuildFn = Callable[[dict[str, Any], list[TensorSpec]], "nn.Module"]
SpecFn = Callable[[dict[str, Any], list[TensorSpec]], ModuleSpec]


@dataclass(frozen=True)
class LayerKind:
    """A layer kind: parameters, input arity, shape rule and what to build, together.

    Give ``spec`` (what to build, which can also be written out as code); ``build`` is then made
    from it. A kind given only ``build`` runs in the explorer but cannot be exported.
    """

    name: str
    group: str
    help: str
    infer: InferFn
    build: BuildFn = None  # type: ignore[assignment]  (made from ``spec`` when not given)
    spec: SpecFn | None = None
    params: tuple[Param, ...] = ()
    min_inputs: int = 1
    max_inputs: int | None = 1  # None: any number
    glyph: str = "■"
    prefix: str = ""  # start of generated node ids
    accepts_tokens: bool = False  # may take integer token ids (Embedding)
    needs_adjacency: bool = False  # forward also receives the graph's adjacency matrix

    def __post_init__(self) -> None:
        if self.build is None:
            if self.spec is None:
                raise ValueError(f"kind {self.name} needs a spec or a build function")
            make = self.spec
            object.__setattr__(self, "build", lambda params, inputs: make(params, inputs).build())

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def validate_params(self, params: dict[str, Any], owner: str = "") -> dict[str, Any]:
        """Complete ``params`` with defaults and check every value; raise :class:`ParamError`."""
        known = {p.name for p in self.params}
        for name in params:
            if name not in known:
                allowed = ", ".join(sorted(known)) or "none"
                who = f"{owner}: " if owner else ""
                raise ParamError(f"{who}{self.name} has no parameter '{name}' (it has: {allowed})", owner or None)
        out = {}
        for p in self.params:
            out[p.name] = p.validate(params.get(p.name, p.default), owner)
        return out

    def check_inputs(self, inputs: list[TensorSpec]) -> None:
        """Rules shared by all kinds: token ids only where accepted."""
        if not self.accepts_tokens:
            for spec in inputs:
                if spec.dtype != "float":
                    raise ShapeProblem(f"gets integer token ids {fmt(spec.shape)}: put an Embedding first")


KINDS: dict[str, LayerKind] = {}


def register(kind: LayerKind) -> LayerKind:
    if kind.group not in GROUPS:
        raise ValueError(f"unknown group {kind.group}")
    if kind.name in KINDS:
        raise ValueError(f"kind {kind.name} registered twice")
    KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> LayerKind:
    """The kind called ``name``; :class:`UnknownKindError` with a hint when there is none."""
    _load()
    if not isinstance(name, str):
        raise UnknownKindError(f"a layer kind is a name such as \"Linear\", not {_describe(name)}")
    try:
        return KINDS[name]
    except KeyError:
        close = [k for k in KINDS if k.lower() == str(name).lower()]
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UnknownKindError(f"unknown layer kind '{name}'{hint}") from None


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def all_kinds() -> list[LayerKind]:
    """Every kind, in palette order (group, then declaration order)."""
    _load()
    return sorted(KINDS.values(), key=lambda k: GROUPS.index(k.group))


def _load() -> None:
    if not KINDS:
        from . import layers  # noqa: F401  (registers the kinds)


# Helpers for shape rules -------------------------------------------------------------------------

def need_rank(spec: TensorSpec, ranks: tuple[int, ...], what: str) -> None:
    """Refuse an input whose rank is not one of ``ranks``; ``what`` names the expected tensor."""
    if spec.rank not in ranks:
        raise ShapeProblem(f"needs {what} but gets {fmt(spec.shape)}")


def conv_out(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    """Output length of a convolution or pooling window along one axis (floor mode)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def same_spec(_params: dict[str, Any], inputs: list[TensorSpec]) -> TensorSpec:
    """Shape rule of element-wise layers: output as input."""
    return inputs[0]


def spec_of(shape: Any, dtype: str = "float") -> TensorSpec:
    return TensorSpec(tuple(int(s) for s in shape), dtype)


