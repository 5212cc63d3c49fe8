"""Shape inference: every node's output shape, parameter count, or the reason it has none.

Runs before anything is built. A node whose own rule fails is an *error*; a node downstream of an
error is *waiting* (not wrong itself). Parameter counts come from building the layer on PyTorch's
``meta`` device, which allocates nothing, so a layer too large to build is refused before any memory
is spent and the counts are exactly what the real module will have.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .catalogue import get_kind
from .errors import GraphError
from .spec import ShapeProblem, TensorSpec, fmt

if TYPE_CHECKING:
    from .document import Document

MAX_LAYER_PARAMS = 50_000_000



class ShapeStatus(StrEnum):
    """What inference made of a node. A ``StrEnum``: ``info.status == "ok"`` holds as for the plain strings."""

    OK = "ok"            # shape known
    ERROR = "error"      # its own rule failed
    WAITING = "waiting"  # downstream of an error, not wrong itself


OK, ERROR, WAITING = ShapeStatus.OK, ShapeStatus.ERROR, ShapeStatus.WAITING


@dataclass(frozen=True)
class NodeInfo:
    """What inference knows about one node."""

    node_id: str
    kind: str
    status: str  # a ShapeStatus: "ok", "error" or "waiting"
    output: TensorSpec | None = None
    inputs: tuple[TensorSpec, ...] = ()
    params: int | None = None
    message: str | None = None


@dataclass
class ShapeReport:
    """Inference over a whole document: per-node information plus the list of errors in graph order."""

    nodes: dict[str, NodeInfo] = field(default_factory=dict)
    errors: list[GraphError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_params(self) -> int:
        return sum(info.params or 0 for info in self.nodes.values())


def infer_shapes(doc: "Document") -> ShapeReport:
    """Infer every node of ``doc`` in topological order."""
    report = ShapeReport()
    for node_id in doc.topological_order():
        node = doc.node(node_id)
        layer = get_kind(node.kind)
        label = f"{node.kind} '{node_id}'"
        sources = [e.src for e in doc.inputs_of(node_id)]
        upstream = [report.nodes[s] for s in sources]

        def fail(message: str) -> None:
            report.nodes[node_id] = NodeInfo(node_id, node.kind, ERROR, message=message)
            report.errors.append(GraphError(message, node_id))

        if layer.max_inputs != 0 and not sources:
            fail(f"{label} is not connected to any Input: wire something into it")
            continue
        if len(sources) < layer.min_inputs:
            fail(f"{label} needs at least {layer.min_inputs} inputs but has {len(sources)}")
            continue
        blocked = [u.node_id for u in upstream if u.status != OK]
        if blocked:
            message = f"{label} is waiting for " + ", ".join(f"'{b}'" for b in blocked)
            report.nodes[node_id] = NodeInfo(node_id, node.kind, WAITING, message=message)
            continue
        inputs = tuple(u.output for u in upstream)
        try:
            layer.check_inputs(list(inputs))
            output = layer.infer(node.params, list(inputs))
            count = layer_param_count(node.kind, node.params, inputs)
        except ShapeProblem as problem:
            fail(f"{label} {problem}")
            continue
        except Exception as error:  # noqa: BLE001  torch refusing sizes (an overflow, a huge tensor)
            given = ", ".join(fmt(i.shape) for i in inputs) or "no input"
            fail(f"{label} cannot be made from {given} with these parameters: {_first_line(error)}")
            continue
        if count > MAX_LAYER_PARAMS:
            fail(f"{label} would have {count:,} parameters, more than the limit of {MAX_LAYER_PARAMS:,}: "
                 f"make it smaller (its input is {fmt(inputs[0].shape) if inputs else 'none'})")
            continue
        report.nodes[node_id] = NodeInfo(node_id, node.kind, OK, output, inputs, count)
    return report


def _first_line(error: Exception, limit: int = 160) -> str:
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return text if len(text) <= limit else text[:limit - 3] + "..."


def layer_param_count(kind: str, params: dict[str, Any], inputs: tuple[TensorSpec, ...]) -> int:
    """Exact parameter count of one layer of ``kind`` with ``params`` fed ``inputs`` (cached)."""
    return _count_params(kind, _freeze(params), tuple(inputs))


def _freeze(params: dict[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


@lru_cache(maxsize=4096)
def _count_params(kind: str, frozen_params: tuple, inputs: tuple[TensorSpec, ...]) -> int:
    # A build on the ``meta`` device: exact counts, no memory used.
    import torch

    params = {k: list(v) if isinstance(v, tuple) else v for k, v in frozen_params}
    with torch.device("meta"):
        module = get_kind(kind).build(params, list(inputs))
    return sum(p.numel() for p in module.parameters())
