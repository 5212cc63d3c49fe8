"""A PyTorch module into a network document, through ``torch.fx``.

The module is traced symbolically, its shapes propagated on an example batch, and every call
mapped to a catalogue kind: modules (``nn.Conv2d``...) and their functional forms (``F.relu``,
``F.max_pool2d``, ``torch.flatten``, ``x + y``, ``torch.cat``, ``F.log_softmax``...). Sub-modules and
nested ``nn.Sequential`` flatten into one graph with ids from their paths (``layer1.0.conv1`` becomes
``layer1_0_conv1``; a numbered child takes its kind's prefix: ``main.3`` becomes ``main_deconv3``). An
operation that cannot be mapped is refused with its name, its place in the source and the kinds it
could have been. The document's shapes and parameter count are checked against the module's.
"""

from __future__ import annotations

import difflib
import importlib.util
import operator
import re
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from torch import fx, nn
from torch.fx.passes.shape_prop import ShapeProp
from torch.nn import functional as F

from ..graph.catalogue import all_kinds
from ..graph.document import ID_PATTERN, Document, check_node_id
from ..graph.errors import GraphError
from ..graph.layout import layered_positions
from .errors import ExportError

# Tensor properties fixed by the example batch, so a branch on them is not data-dependent
# (DCGAN's ``if input.is_cuda and self.ngpu > 1``).
STATIC_ATTRIBUTES = {"is_cuda", "is_sparse", "is_quantized", "is_meta", "is_mkldnn", "is_nested"}


def load_module_class(reference: str) -> tuple[type, Path]:
    """``path/to/file.py:ClassName`` to the class; :class:`ExportError` naming what is missing."""
    path_text, _, name = reference.rpartition(":")
    if not path_text or not name:
        raise ExportError(f"{reference}: give the module as path/to/file.py:ClassName")
    path = Path(path_text)
    source = _run_file(path)
    cls = getattr(source, name, None)
    if cls is None:
        classes = module_classes(source)
        hint = f" (it has: {', '.join(classes)})" if classes else " (it defines no nn.Module)"
        raise ExportError(f"{path}: has no class {name}{hint}")
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise ExportError(f"{path}: {name} is not an nn.Module class")
    return cls, path


def module_classes(source: Any) -> list[str]:
    """The ``nn.Module`` classes a file (path or loaded module) defines itself, by name."""
    if not hasattr(source, "__dict__") or isinstance(source, (str, Path)):
        source = _run_file(Path(source))
    return sorted(k for k, v in vars(source).items() if isinstance(v, type) and issubclass(v, nn.Module)
                  and v.__module__ == source.__name__)


def _run_file(path: Path):
    if not path.is_file():
        raise ExportError(f"{path}: no such file")
    module_name = "_nn_explorer_import_" + re.sub(r"\W", "_", path.stem)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ExportError(f"{path}: is not a Python file")
    source = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = source
    try:
        spec.loader.exec_module(source)
    except Exception as error:  # noqa: BLE001 (the user's file: say what went wrong, in one line)
        raise ExportError(f"{path}: running it failed: {type(error).__name__}: {error}") from None
    return source


def parse_shape(text: str) -> tuple[int, ...]:
    """``"1,28,28"`` to ``(1, 28, 28)``; :class:`ExportError` unless every size is a positive whole number."""
    parts = [p.strip() for p in text.strip("[]() ").split(",") if p.strip()]
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        shape = ()
    if not shape or any(s < 1 for s in shape):
        raise ExportError(f"--input-shape {text}: give the sizes of one sample, without the batch, as C,H,W or F")
    return shape


# Tracing ------------------------------------------------------------------------------------------

def _source_place(stack: list[traceback.FrameSummary] | str | None, files: set[str]) -> str:
    """``file.py:12 (x = torch.logsumexp(x, 1))``: the innermost frame in the user's file."""
    if isinstance(stack, str):  # fx's recorded stack trace
        found = re.findall(r'File "([^"]+)", line (\d+), in \w+\n\s*(.*)', stack)
        frames = [(f, int(n), code) for f, n, code in found]
    else:
        frames = [(f.filename, f.lineno, f.line or "") for f in (stack or [])]
    ours = [f for f in frames if str(Path(f[0]).resolve()) in files] or frames
    if not ours:
        return "an unknown place"
    filename, line, code = ours[-1]
    return f"{Path(filename).name}:{line}" + (f" ({code.strip()})" if code else "")


class _Tracer(fx.Tracer):
    """fx's tracer, recording source places and answering branches on the example's fixed properties."""

    def __init__(self, example: torch.Tensor, files: set[str]):
        super().__init__()
        self.record_stack_traces = True
        self.example = example
        self.files = files

    def to_bool(self, obj: fx.Proxy) -> bool:
        node = obj.node
        if (node.op == "call_function" and node.target is getattr and node.args[1] in STATIC_ATTRIBUTES
                and isinstance(node.args[0], fx.Node) and node.args[0].op == "placeholder"):
            return bool(getattr(self.example, node.args[1]))
        place = _source_place(traceback.extract_stack(), self.files)
        raise ExportError(f"torch.fx cannot trace this module: its forward branches on a tensor's values at "
                          f"{place}; write the branch without data-dependent control flow")


# Mapping ------------------------------------------------------------------------------------------

@dataclass
class Mapped:
    """One traced call as a catalogue kind: its parameters, its tensor inputs and the module holding its weights."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    inputs: list[fx.Node] = field(default_factory=list)
    module: nn.Module | None = None
    path: str = ""  # the sub-module's path, for the id


class Unmappable(Exception):
    def __init__(self, what: str, reason: str = "", candidates: tuple[str, ...] = ()):
        super().__init__(what)
        self.what, self.reason, self.candidates = what, reason, candidates


def _square(value: Any, what: str, name: str) -> int:
    if isinstance(value, int):
        return value
    values = tuple(value)
    if len(set(values)) != 1:
        raise Unmappable(name, f"its {what} {values} is not the same in height and width")
    return int(values[0])


def _shape(node: fx.Node) -> tuple[int, ...] | None:
    meta = node.meta.get("tensor_meta")
    return tuple(meta.shape) if meta is not None and hasattr(meta, "shape") else None


def _tensor_args(args, kwargs=None) -> list[fx.Node]:
    out = []
    for a in list(args) + list((kwargs or {}).values()):
        if isinstance(a, (list, tuple)):
            out += _tensor_args(a)
        elif isinstance(a, fx.Node) and _shape(a) is not None:
            out.append(a)
    return out


def _arg(node: fx.Node, index: int, name: str, default: Any = None) -> Any:
    if len(node.args) > index:
        return node.args[index]
    return node.kwargs.get(name, default)


def _conv(m: nn.Conv2d, name: str) -> dict[str, Any]:
    if m.groups != 1 or m.padding_mode != "zeros" or isinstance(m.padding, str):
        raise Unmappable(name, "groups, string padding or a padding mode other than zeros are not in the catalogue",
                         ("Conv2d",))
    return {"out_channels": m.out_channels, "kernel_size": _square(m.kernel_size, "kernel_size", name),
            "stride": _square(m.stride, "stride", name), "padding": _square(m.padding, "padding", name),
            "dilation": _square(m.dilation, "dilation", name), "bias": m.bias is not None}


def _convt(m: nn.ConvTranspose2d, name: str) -> dict[str, Any]:
    if m.groups != 1 or _square(m.dilation, "dilation", name) != 1:
        raise Unmappable(name, "groups or dilation are not in the catalogue's ConvTranspose2d", ("ConvTranspose2d",))
    return {"out_channels": m.out_channels, "kernel_size": _square(m.kernel_size, "kernel_size", name),
            "stride": _square(m.stride, "stride", name), "padding": _square(m.padding, "padding", name),
            "output_padding": _square(m.output_padding, "output_padding", name), "bias": m.bias is not None}


def _norm(m: nn.modules.batchnorm._BatchNorm, name: str, kind: str) -> dict[str, Any]:
    if abs(m.eps - 1e-5) > 1e-12 or not m.affine or not m.track_running_stats or m.momentum is None:
        raise Unmappable(name, "the catalogue's batch norm has eps 1e-5, learned scale and shift and running "
                         "statistics with a momentum", (kind,))
    return {"momentum": float(m.momentum)}


def _pool(kernel, stride, padding, name: str, ceil_mode=False, dilation=1) -> dict[str, Any]:
    if ceil_mode or (dilation not in (1, (1, 1))):
        raise Unmappable(name, "ceil_mode and dilation are not in the catalogue's pooling", ("MaxPool2d", "AvgPool2d"))
    k = _square(kernel, "kernel_size", name)
    s = k if stride in (None, (), []) else _square(stride, "stride", name)
    return {"kernel_size": k, "stride": 0 if s == k else s, "padding": _square(padding, "padding", name)}


def _adaptive(size, name: str) -> dict[str, Any]:
    return {"output_size": _square(size, "output_size", name)}


def _map_module(m: nn.Module, node: fx.Node, name: str) -> Mapped:
    x = _tensor_args(node.args, node.kwargs)
    simple = {nn.ReLU: "ReLU", nn.Sigmoid: "Sigmoid", nn.Tanh: "Tanh", nn.GELU: "GELU", nn.Flatten: None,
              nn.Identity: None}
    if isinstance(m, nn.Conv2d):
        return Mapped("Conv2d", _conv(m, name), x, m)
    if isinstance(m, nn.ConvTranspose2d):
        return Mapped("ConvTranspose2d", _convt(m, name), x, m)
    if isinstance(m, nn.Linear):
        return Mapped("Linear", {"out_features": m.out_features, "bias": m.bias is not None}, x, m)
    if isinstance(m, nn.BatchNorm2d):
        return Mapped("BatchNorm2d", _norm(m, name, "BatchNorm2d"), x, m)
    if isinstance(m, nn.BatchNorm1d):
        return Mapped("BatchNorm1d", _norm(m, name, "BatchNorm1d"), x, m)
    if isinstance(m, nn.LayerNorm):
        if len(m.normalized_shape) != 1 or abs(m.eps - 1e-5) > 1e-12:
            raise Unmappable(name, "the catalogue's LayerNorm normalises the last dimension with eps 1e-5", ("LayerNorm",))
        return Mapped("LayerNorm", {"elementwise_affine": m.elementwise_affine}, x, m)
    if isinstance(m, nn.LeakyReLU):
        return Mapped("LeakyReLU", {"negative_slope": float(m.negative_slope)}, x)
    if isinstance(m, nn.ELU):
        return Mapped("ELU", {"alpha": float(m.alpha)}, x)
    if isinstance(m, (nn.Softmax, nn.LogSoftmax)):
        return _softmax("Softmax" if isinstance(m, nn.Softmax) else "LogSoftmax", m.dim, node, name)
    if type(m) in simple:
        kind = simple[type(m)]
        if isinstance(m, nn.Flatten):
            return _flatten(node, name, m.start_dim, m.end_dim)
        return Mapped(kind, {}, x) if kind else Mapped("", {}, x)  # "" : an alias of its input
    if isinstance(m, nn.MaxPool2d):
        return Mapped("MaxPool2d", _pool(m.kernel_size, m.stride, m.padding, name, m.ceil_mode, m.dilation), x)
    if isinstance(m, nn.AvgPool2d):
        if not m.count_include_pad or m.divisor_override is not None:
            raise Unmappable(name, "count_include_pad=False and divisor_override are not in the catalogue", ("AvgPool2d",))
        return Mapped("AvgPool2d", _pool(m.kernel_size, m.stride, m.padding, name, m.ceil_mode), x)
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return Mapped("AdaptiveAvgPool2d", _adaptive(m.output_size, name), x)
    if isinstance(m, (nn.Dropout, nn.Dropout2d)):
        return Mapped("Dropout2d" if isinstance(m, nn.Dropout2d) else "Dropout", {"p": float(m.p)}, x)
    if isinstance(m, nn.Upsample):
        factor = m.scale_factor
        if m.size is not None or factor is None or float(factor) != int(factor) or m.mode not in ("nearest", "bilinear"):
            raise Unmappable(name, "the catalogue's Upsample takes a whole scale_factor, nearest or bilinear", ("Upsample",))
        return Mapped("Upsample", {"scale_factor": int(factor), "mode": m.mode}, x)
    if isinstance(m, nn.Embedding):
        return Mapped("Embedding", {"num_embeddings": m.num_embeddings, "embedding_dim": m.embedding_dim}, x, m)
    raise Unmappable(type(m).__name__)


def _softmax(kind: str, dim, node: fx.Node, name: str) -> Mapped:
    shape = _shape(node)
    if dim is None or shape is None or dim not in (-1, len(shape) - 1):
        raise Unmappable(name, f"the catalogue's {kind} works over the last dimension, not dim={dim}", (kind,))
    return Mapped(kind, {}, _tensor_args(node.args[:1]))


def _flatten(node: fx.Node, name: str, start: int = 1, end: int = -1) -> Mapped:
    source = _tensor_args(node.args[:1])
    rank = len(_shape(source[0]) or ())
    if start != 1 or end not in (-1, rank - 1):
        raise Unmappable(name, "the catalogue's Flatten keeps the batch and flattens the rest (start_dim=1)",
                         ("Flatten", "Reshape"))
    return Mapped("Flatten", {}, source)


def _reshape(node: fx.Node, name: str) -> Mapped:
    source = _tensor_args(node.args[:1])
    out = _shape(node)
    inp = _shape(source[0]) if source else None
    if out is None or inp is None or out[0] != inp[0]:
        raise Unmappable(name, "a reshape must keep the batch dimension", ("Reshape", "Flatten"))
    if len(out) == 2:
        return Mapped("Flatten", {}, source)
    return Mapped("Reshape", {"shape": list(out[1:])}, source)


def _add(node: fx.Node, name: str) -> Mapped:
    tensors = _tensor_args(node.args, node.kwargs)
    if len(tensors) != 2 or len(node.args) != 2 or node.kwargs.get("alpha", 1) != 1:
        raise Unmappable(name, "only the sum of two tensors of one shape maps to Add (not a tensor and a number)",
                         ("Add",))
    if _shape(tensors[0]) != _shape(tensors[1]):
        raise Unmappable(name, "Add needs inputs of one shape (no broadcasting)", ("Add",))
    return Mapped("Add", {}, tensors)


def _cat(node: fx.Node, name: str) -> Mapped:
    tensors = _tensor_args(node.args[:1])
    dim = _arg(node, 1, "dim", 0)
    rank = len(_shape(tensors[0]) or ()) - 1  # without the batch
    expected = 1 if rank == 3 else rank
    if dim < 0:
        dim += rank + 1
    if dim != expected:
        raise Unmappable(name, f"the catalogue's Concat joins {'channels' if rank == 3 else 'the last dimension'} "
                         f"(dim={expected}), not dim={dim}", ("Concat",))
    return Mapped("Concat", {}, tensors)


def _functional(node: fx.Node, name: str) -> Mapped:
    """A call_function or call_method node."""
    t, x = node.target, _tensor_args(node.args[:1])
    method = t if isinstance(t, str) else None
    if t in (F.relu, torch.relu) or method == "relu":
        return Mapped("ReLU", {}, x)
    if t in (torch.sigmoid, F.sigmoid) or method == "sigmoid":
        return Mapped("Sigmoid", {}, x)
    if t in (torch.tanh, F.tanh) or method == "tanh":
        return Mapped("Tanh", {}, x)
    if t is F.gelu:
        return Mapped("GELU", {}, x)
    if t is F.leaky_relu:
        return Mapped("LeakyReLU", {"negative_slope": float(_arg(node, 1, "negative_slope", 0.01))}, x)
    if t is F.elu:
        return Mapped("ELU", {"alpha": float(_arg(node, 1, "alpha", 1.0))}, x)
    if t in (F.softmax, torch.softmax) or method == "softmax":
        return _softmax("Softmax", _arg(node, 1, "dim"), node, name)
    if t in (F.log_softmax, torch.log_softmax) or method == "log_softmax":
        return _softmax("LogSoftmax", _arg(node, 1, "dim"), node, name)
    if t in (F.max_pool2d, torch.max_pool2d):
        return Mapped("MaxPool2d", _pool(_arg(node, 1, "kernel_size"), _arg(node, 2, "stride"), _arg(node, 3, "padding", 0),
                                         name, _arg(node, 5, "ceil_mode", False), _arg(node, 4, "dilation", 1)), x)
    if t is F.avg_pool2d:
        return Mapped("AvgPool2d", _pool(_arg(node, 1, "kernel_size"), _arg(node, 2, "stride"), _arg(node, 3, "padding", 0),
                                         name, _arg(node, 4, "ceil_mode", False)), x)
    if t is F.adaptive_avg_pool2d:
        return Mapped("AdaptiveAvgPool2d", _adaptive(_arg(node, 1, "output_size"), name), x)
    if t in (F.dropout, torch.dropout):
        return Mapped("Dropout", {"p": float(_arg(node, 1, "p", 0.5))}, x)
    if t is F.dropout2d:
        return Mapped("Dropout2d", {"p": float(_arg(node, 1, "p", 0.5))}, x)
    if t is torch.flatten or method == "flatten":
        return _flatten(node, name, _arg(node, 1, "start_dim", 0), _arg(node, 2, "end_dim", -1))
    if method in ("view", "reshape") or t is torch.reshape:
        return _reshape(node, name)
    if t in (operator.add, operator.iadd, torch.add) or method in ("add", "add_"):
        return _add(node, name)
    if t is torch.cat:
        return _cat(node, name)
    if method in ("contiguous", "clone", "detach") or t in (torch.clone,):
        return Mapped("", {}, x)
    raise Unmappable(name)


def _candidates(what: str) -> tuple[str, ...]:
    """Kinds whose names resemble ``what`` (``logsumexp`` → LogSoftmax, Softmax...)."""
    names = {k.name.lower(): k.name for k in all_kinds()}
    simple = re.sub(r"[^a-z0-9]", "", what.lower().rsplit(".", 1)[-1])
    close = difflib.get_close_matches(simple, names, n=3, cutoff=0.4)
    return tuple(names[c] for c in close)


def _describe(node: fx.Node, module: nn.Module | None) -> str:
    if node.op == "call_module":
        return f"{type(module).__name__} '{node.target}'"
    if node.op == "call_method":
        return f"the method .{node.target}()"
    if node.op != "call_function":
        return f"{node.op} {node.target}"
    target = node.target
    name = getattr(target, "__name__", str(target))
    owner = getattr(target, "__module__", None) or "torch"
    if owner.startswith("torch") and owner not in ("torch.nn.functional",):
        owner = "torch"
    return f"{ {'torch.nn.functional': 'F', '_operator': 'operator'}.get(owner, owner)}.{name}"


# The document ---------------------------------------------------------------------------------------

@dataclass
class Imported:
    document: Document
    module: nn.Module
    weights_of: dict[str, nn.Module]      # node id -> the original sub-module holding its weights
    shapes: dict[str, tuple[int, ...]]     # node id -> torch's output shape, without the batch
    output_id: str
    parameters: int


def _readable_id(path: str, kind: str, doc: Document, taken: set[str]) -> str:
    from ..graph.catalogue import get_kind

    parts = path.split(".") if path else []
    prefix = get_kind(kind).prefix or kind.lower()
    if parts and parts[-1].isdigit():  # a numbered child of a Sequential: say what it is
        parts[-1] = f"{prefix}{parts[-1]}"
    base = re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))[:36] if parts else ""
    if not base or not ID_PATTERN.match(base):
        base = doc.new_id(kind)
    candidate, n = base, 2
    while candidate in taken or not _valid_id(candidate):
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def _valid_id(node_id: str) -> bool:
    try:
        check_node_id(node_id)
        return True
    except GraphError:
        return False


def import_module(module: nn.Module, input_shape: tuple[int, ...], name: str = "", source_files: set[str] = frozenset(),
                  input_dtype: str = "float") -> Imported:
    """Trace ``module`` on samples of ``input_shape`` and map it to a document; :class:`ExportError` if refused."""
    module.eval()
    if input_dtype == "token ids":
        example = torch.zeros((2, *input_shape), dtype=torch.long)
    else:
        example = torch.randn((2, *input_shape), generator=torch.Generator().manual_seed(0))
    tracer = _Tracer(example, {str(Path(f).resolve()) for f in source_files})
    try:
        graph = tracer.trace(module)
    except ExportError:
        raise
    except Exception as error:  # noqa: BLE001 (fx raises TraceError, TypeError, NotImplementedError...)
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ExportError(f"torch.fx cannot trace {type(module).__name__}: {first[:200]}") from None
    traced = fx.GraphModule(tracer.root, graph, type(module).__name__)
    placeholders = [n for n in graph.nodes if n.op == "placeholder"]
    if len(placeholders) != 1:
        raise ExportError(f"{type(module).__name__}.forward takes {len(placeholders)} tensors; import takes "
                          "modules with one input")
    try:
        with torch.no_grad():
            module(example)  # the module itself first: its own error, without ShapeProp's printed traceback
    except Exception as error:  # noqa: BLE001
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ExportError(f"{type(module).__name__} fails on an input of shape {list(example.shape)} "
                          f"(--input-shape {','.join(map(str, input_shape))}): {first[:200]}") from None
    with torch.no_grad():
        ShapeProp(traced).propagate(example)

    doc = Document(name=name or type(module).__name__,
                   description=f"Imported from PyTorch: {type(module).__name__}, traced with torch.fx.")
    value_of: dict[fx.Node, str] = {}
    weights_of: dict[str, nn.Module] = {}
    shapes: dict[str, tuple[int, ...]] = {}
    taken: set[str] = set()
    modules = dict(traced.named_modules())
    output_id = ""
    for node in graph.nodes:
        if node.op == "placeholder":
            node_id = "input" if _valid_id("input") else doc.new_id("Input")
            doc.add_node("Input", {"shape": list(input_shape), "dtype": input_dtype}, node_id=node_id)
            taken.add(node_id)
            value_of[node] = node_id
            shapes[node_id] = tuple(input_shape)
            continue
        if node.op == "output":
            result = node.args[0]
            if not isinstance(result, fx.Node) or result not in value_of:
                raise ExportError(f"{type(module).__name__}.forward must return one tensor")
            output_id = value_of[result]
            continue
        out_shape = _shape(node)
        if out_shape is None:
            continue  # sizes and attributes: they feed reshapes (mapped by shape) or static branches
        sub = modules.get(node.target) if node.op == "call_module" else None
        try:
            if node.op == "call_module":
                mapped = _map_module(sub, node, _describe(node, sub))
                mapped.path = str(node.target)
            elif node.op in ("call_function", "call_method"):
                mapped = _functional(node, _describe(node, None))
            else:
                raise Unmappable(_describe(node, None))
        except Unmappable as problem:
            place = _source_place(node.stack_trace, tracer.files)
            candidates = problem.candidates or _candidates(problem.what.split("'")[0].strip() or str(node.target))
            could = f"; it could have been {', '.join(candidates)}" if candidates else ""
            reason = problem.reason or "no layer kind does this"
            raise ExportError(f"cannot import {problem.what} at {place}: {reason}{could}") from None
        sources = [value_of[s] for s in mapped.inputs if s in value_of]
        if not mapped.kind:  # identity-like: the value passes through
            value_of[node] = sources[0]
            continue
        node_id = _readable_id(mapped.path, mapped.kind, doc, taken)
        doc.add_node(mapped.kind, mapped.params, node_id=node_id)
        taken.add(node_id)
        for port, src in enumerate(sources):
            doc.connect(src, node_id, port if len(sources) > 1 else None)
        value_of[node] = node_id
        shapes[node_id] = tuple(out_shape[1:])
        if mapped.module is not None:
            weights_of[node_id] = mapped.module
    for node_id, pos in layered_positions(doc).items():
        doc.node(node_id).pos = pos
    parameters = sum(p.numel() for p in module.parameters())
    _check(doc, shapes, parameters, type(module).__name__)
    return Imported(doc, module, weights_of, shapes, output_id, parameters)


def _check(doc: Document, shapes: dict[str, tuple[int, ...]], parameters: int, name: str) -> None:
    """The document must give torch's shapes and parameter count; a difference is a bug in the mapping."""
    report = doc.infer()
    if report.errors:
        raise ExportError(f"the network made from {name} has an error: {report.errors[0].message}")
    for node_id, shape in shapes.items():
        ours = tuple(report.nodes[node_id].output.shape)
        if ours != shape:
            raise ExportError(f"'{node_id}' gives {list(ours)} in the explorer but {list(shape)} in torch")
    if report.total_params != parameters:
        raise ExportError(f"the network has {report.total_params:,} parameters but {name} has {parameters:,}: "
                          "some of its weights are outside the layers that were mapped")


def state_dict_for(imported: Imported) -> dict[str, torch.Tensor]:
    """The module's weights with the explorer's names (``layers.<node id>.*``), for a checkpoint."""
    from ..graph.build import build_module

    built = build_module(imported.document, imported.output_id)
    for node_id, original in imported.weights_of.items():
        built.layers[node_id].load_state_dict(original.state_dict())
    return {k: v.detach().clone() for k, v in built.state_dict().items()}
