"""Build a document (or the network ending at a chosen output) into a runnable ``torch.nn.Module``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import torch
from torch import nn

from .catalogue import get_kind
from .errors import BuildError, GraphError
from .shapes import ShapeStatus

if TYPE_CHECKING:
    from .document import Document


class GraphModule(nn.Module):
    """Runs the layers of a network in topological order, with branches and merges.

    ``layers[node_id]`` is each node's module, so parameters are named ``layers.<node_id>.<name>``
    and probes key on node ids. ``forward(*inputs, adjacency=None)`` takes one tensor per Input node,
    in the order of ``input_ids``; ``adjacency`` feeds graph layers.
    """

    def __init__(self, order: list[str], layers: dict[str, nn.Module], sources: dict[str, list[str]],
                 input_ids: list[str], output_id: str, adjacency_ids: set[str]):
        super().__init__()
        self.order = [n for n in order if n not in input_ids]
        self.layers = nn.ModuleDict(layers)
        self.sources = sources
        self.input_ids = list(input_ids)
        self.output_id = output_id
        self.adjacency_ids = set(adjacency_ids)
        # Free each intermediate value after its last reader, so long chains do not hold every activation.
        last_use: dict[str, str] = {}
        for node_id in self.order:
            for src in sources[node_id]:
                last_use[src] = node_id
        self._release_after = {n: [s for s, last in last_use.items() if last == n and s != output_id]
                               for n in self.order}

    def forward(self, *inputs: torch.Tensor, adjacency: torch.Tensor | None = None) -> torch.Tensor:
        if len(inputs) != len(self.input_ids):
            raise TypeError(f"the network takes {len(self.input_ids)} input(s) ({', '.join(self.input_ids)}), "
                            f"got {len(inputs)}")
        values = dict(zip(self.input_ids, inputs))
        for node_id in self.order:
            args = [values[s] for s in self.sources[node_id]]
            layer = self.layers[node_id]
            if node_id in self.adjacency_ids:
                values[node_id] = layer(*args, adjacency=adjacency)
            else:
                values[node_id] = layer(*args)
            for done in self._release_after[node_id]:
                values.pop(done, None)
        return values[self.output_id]


def choose_output(doc: "Document", output: str | None = None) -> str:
    """The output node to build: ``output`` if given, else the document's single output."""
    if output is not None:
        doc.node(output)
        return output
    outputs = doc.outputs()
    if len(outputs) == 1:
        return outputs[0]
    if not outputs:
        raise BuildError([GraphError("the document has no network yet: wire an Input to a layer")])
    names = ", ".join(f"'{o}'" for o in outputs)
    raise BuildError([GraphError(f"the document holds {len(outputs)} outputs ({names}); choose which network "
                                 "to build")])


def network_nodes(doc: "Document", output: str) -> set[str]:
    """Ids of the nodes the network ending at ``output`` consists of."""
    return nx.ancestors(doc.graph, output) | {output}


def build_module(doc: "Document", output: str | None = None, device: str | torch.device | None = None
                 ) -> GraphModule:
    """Build the network ending at ``output`` (default: the only output); refuse any with errors."""
    output = choose_output(doc, output)
    members = network_nodes(doc, output)
    report = doc.infer()
    errors = [e for e in report.errors if e.node_id in members]
    errors += [GraphError(report.nodes[n].message, n) for n in members
               if report.nodes[n].status == ShapeStatus.WAITING and not errors]
    if errors:
        raise BuildError(errors)
    order = [n for n in doc.topological_order() if n in members]
    input_ids = [n for n in order if get_kind(doc.node(n).kind).max_inputs == 0]
    layers, sources, adjacency = {}, {}, set()
    for node_id in order:
        if node_id in input_ids:
            continue
        node = doc.node(node_id)
        layer = get_kind(node.kind)
        info = report.nodes[node_id]
        layers[node_id] = layer.build(node.params, list(info.inputs))
        sources[node_id] = [e.src for e in doc.inputs_of(node_id)]
        if layer.needs_adjacency:
            adjacency.add(node_id)
    module = GraphModule(order, layers, sources, input_ids, output, adjacency)
    if device is not None:
        module.to(device)
    return module
