"""A network as an ONNX file, checked with ``onnx.checker`` and, when installed, compared in onnxruntime.

onnx and onnxruntime are optional (``pip install -e ".[onnx]"``). The input shape comes from the
document's Input nodes and the batch axis is dynamic. The file is written under a temporary name
and moved into place only after the checks pass, so a failed export leaves nothing behind.
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

    Put it in eval mode before exporting: the exporter restores the wrapper's mode afterwards, onto the network.
    """

    def __init__(self, network: torch.nn.Module):
        super().__init__()
        self.network = network

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
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


def sample_inputs(doc: Document, input_ids: list[str], batch: int, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """Random inputs for each Input node: normal values, or token ids within the first Embedding's vocabulary."""
    g = torch.Generator().manual_seed(seed)
    vocab = min([doc.node(n).params["num_embeddings"] for n in doc.topological_order()
                 if doc.node(n).kind == "Embedding"] or [2])
    out = []
    for node_id in input_ids:
        params = doc.node(node_id).params
        shape = (batch, *params["shape"])
        out.append(torch.randint(0, vocab, shape, generator=g) if params["dtype"] == "token ids"
                   else torch.randn(shape, generator=g))
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
    for node_id in module.order:
        if get_kind(doc.node(node_id).kind).needs_adjacency:
            raise ExportError(f"{doc.node(node_id).kind} '{node_id}' takes the graph's adjacency, which ONNX "
                              "export does not feed")
    module.eval()
    names = list(module.input_ids)
    dynamic = {name: {0: "batch"} for name in names + [module.output_id]}
    result: dict[str, float | None] = {}

    def write(path: Path) -> None:
        example = sample_inputs(doc, names, 2)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the exporter's deprecation and tracer notes
                torch.onnx.export(_Positional(module).eval(), example, str(path), input_names=names, output_names=[module.output_id],
                                  dynamic_axes=dynamic, opset_version=OPSET, dynamo=False)
        except Exception as error:  # noqa: BLE001 (the exporter raises many kinds; say which op)
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ExportError(f"torch.onnx.export refused the network: {first[:200]}") from None
        try:
            onnx.checker.check_model(str(path), full_check=True)
        except Exception as error:  # noqa: BLE001
            raise ExportError(f"the exported ONNX file fails onnx.checker: {str(error).splitlines()[0][:200]}") \
                from None
        result["difference"] = compare_in_onnxruntime(module, path, doc, names) if have_onnxruntime() else None

    write_atomically({target: write})
    difference = result["difference"]
    if difference is not None and difference > TOLERANCE:
        target.unlink(missing_ok=True)
        raise ExportError(f"onnxruntime's output differs from PyTorch's by {difference:.3g} (more than "
                          f"{TOLERANCE:g}); nothing was written")
    return OnnxResult(target, True, difference, 3)


def compare_in_onnxruntime(module: torch.nn.Module, path: Path, doc: Document, names: list[str],
                           batch: int = 3) -> float:
    """Largest absolute difference between onnxruntime and PyTorch on a random batch (not the export's size)."""
    import onnxruntime

    inputs = sample_inputs(doc, names, batch, seed=1)
    with torch.no_grad():
        expected = module(*inputs).numpy()
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {name: x.numpy() for name, x in zip(names, inputs)})[0]
    if got.shape != expected.shape:
        return float("inf")
    return float(abs(got - expected).max())
