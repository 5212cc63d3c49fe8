"""A network as an ONNX file, checked with ``onnx.checker`` and, when installed, compared in onnxruntime.

onnx and onnxruntime are optional (``pip install -e ".[onnx]"``). The input shape comes from the
document's Input nodes and the batch axis is dynamic. A graph network (GraphConv) takes the graph's
normalised adjacency as a second input, a dense ``[N, N]`` matrix, the ``N`` nodes being the batch.
The file is written under a temporary name and moved into place only after the checks pass, so a
failed export leaves nothing behind.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch

from ..graph.build import build_module
from ..graph.catalogue import get_kind
from ..graph.document import Document
from ..graph.errors import BuildError, GraphError
from .errors import ExportError
from .files import write_atomically

INSTALL = 'pip install -e ".[onnx]" (or: pip install onnx onnxruntime)'
TOLERANCE = 1e-4
OPSET = 17


class _Positional(torch.nn.Module):
    """The network with only positional inputs: the exporter would count ``adjacency=None`` as one more.

    A graph network's adjacency comes last. Put it in eval mode before exporting: the exporter restores
    the wrapper's mode afterwards, onto the network.
    """

    def __init__(self, network: torch.nn.Module, takes_adjacency: bool = False):
        super().__init__()
        self.network = network
        self.takes_adjacency = takes_adjacency

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        if self.takes_adjacency:
            return self.network(*inputs[:-1], adjacency=inputs[-1])
        return self.network(*inputs)


class MissingOnnx(ExportError):
    """The onnx package is not installed."""


@dataclass(frozen=True)
class OnnxResult:
    path: Path
    checked: bool                 # onnx.checker passed
    max_difference: float | None  # onnxruntime against PyTorch, None when onnxruntime is missing
    batch: int

    @property
    def summary(self) -> str:
        text = "onnx.checker passed"
        if self.max_difference is None:
            return text + f"; onnxruntime is not installed, so its output was not compared ({INSTALL})"
        return (text + f"; onnxruntime's output equals PyTorch's within {self.max_difference:.2g} "
                f"(tolerance {TOLERANCE:g}) on a random batch of {self.batch}")


def have_onnx() -> bool:
    return importlib.util.find_spec("onnx") is not None


def have_onnxruntime() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


def random_adjacency(nodes: int, seed: int = 0) -> torch.Tensor:
    """The dense normalised adjacency of a random graph on ``nodes`` nodes (each pair joined with probability 0.3)."""
    from ..graph.modules import normalised_adjacency

    g = torch.Generator().manual_seed(seed)
    pairs = torch.triu_indices(nodes, nodes, 1).t()
    edges = pairs[torch.rand(len(pairs), generator=g) < 0.3]
    return normalised_adjacency(edges, nodes).to_dense()


def sample_inputs(doc: Document, input_ids: list[str], batch: int, seed: int = 0,
                  adjacency: bool = False) -> tuple[torch.Tensor, ...]:
    """Random inputs for each Input node: normal values, or token ids within the first Embedding's vocabulary;
    then, with ``adjacency``, a random graph's normalised adjacency over the ``batch`` nodes."""
    g = torch.Generator().manual_seed(seed)
    vocab = min([doc.node(n).params["num_embeddings"] for n in doc.topological_order()
                 if doc.node(n).kind == "Embedding"] or [2])
    out = []
    for node_id in input_ids:
        params = doc.node(node_id).params
        shape = (batch, *params["shape"])
        out.append(torch.randint(0, vocab, shape, generator=g) if params["dtype"] == "token ids"
                   else torch.randn(shape, generator=g))
    if adjacency:
        out.append(random_adjacency(batch, seed))
    return tuple(out)


def export_onnx(doc: Document, target: str | Path, output: str | None = None) -> OnnxResult:
    """Write the network ending at ``output`` to ``target``; raise :class:`ExportError` (one line) if refused."""
    if not have_onnx():
        raise MissingOnnx(f"ONNX export needs the onnx package, which is not installed: {INSTALL}")
    import onnx

    target = Path(target)
    try:
        torch.manual_seed(0)
        module = build_module(doc, output)
    except BuildError as error:
        raise ExportError(f"the network cannot be built: {error.errors[0].message}") from None
    except GraphError as error:
        raise ExportError(error.message) from None
    graph = any(get_kind(doc.node(n).kind).needs_adjacency for n in module.order)
    module.eval()
    names = list(module.input_ids) + (["adjacency"] if graph else [])
    dynamic = {name: {0: "batch"} for name in [*module.input_ids, module.output_id]}
    if graph:
        dynamic["adjacency"] = {0: "batch", 1: "batch"}  # [N, N]: the graph's nodes are the batch
    wrapped = _Positional(module, graph).eval()
    result: dict[str, float | None] = {}

    def write(path: Path) -> None:
        example = sample_inputs(doc, module.input_ids, 2, adjacency=graph)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the exporter's deprecation and tracer notes
                torch.onnx.export(wrapped, example, str(path), input_names=names, output_names=[module.output_id],
                                  dynamic_axes=dynamic, opset_version=OPSET, dynamo=False)
        except Exception as error:  # noqa: BLE001 (the exporter raises many kinds; say which op)
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ExportError(f"torch.onnx.export refused the network: {first[:200]}") from None
        try:
            onnx.checker.check_model(str(path), full_check=True)
        except Exception as error:  # noqa: BLE001
            raise ExportError(f"the exported ONNX file fails onnx.checker: {str(error).splitlines()[0][:200]}") \
                from None
        result["difference"] = compare_in_onnxruntime(wrapped, path, doc, names, graph) if have_onnxruntime() \
            else None

    write_atomically({target: write})
    difference = result["difference"]
    if difference is not None and difference > TOLERANCE:
        target.unlink(missing_ok=True)
        raise ExportError(f"onnxruntime's output differs from PyTorch's by {difference:.3g} (more than "
                          f"{TOLERANCE:g}); nothing was written")
    return OnnxResult(target, True, difference, 3)


def compare_in_onnxruntime(module: torch.nn.Module, path: Path, doc: Document, names: list[str],
                           graph: bool = False, batch: int = 3) -> float:
    """Largest absolute difference between onnxruntime and PyTorch on a random batch (not the export's size).

    ``module`` takes its inputs positionally, a graph network's adjacency last (named ``adjacency`` in ``names``).
    """
    import onnxruntime

    inputs = sample_inputs(doc, names[:-1] if graph else names, batch, seed=1, adjacency=graph)
    with torch.no_grad():
        expected = module(*inputs).numpy()
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {name: x.numpy() for name, x in zip(names, inputs)})[0]
    if got.shape != expected.shape:
        return float("inf")
    return float(abs(got - expected).max())
