"""Node classification on a graph (Kipf & Welling's semi-supervised setting).

Every step sees the whole graph: all nodes' features, the normalised adjacency and the mask of the
labelled nodes; the loss is the cross-entropy over those alone. The other nodes are validated on.
One step is one epoch (the graph is one sample).
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

from explorer.data import DatasetError
from explorer.graph.errors import BuildError, GraphError
from explorer.graph.modules import normalised_adjacency

from ..checks import check_output, graph_layers
from ..gather import HostGather
from ..probes import probing
from ..snapshots import GraphSnapshot
from .base import Batch, Evaluation, Objective, ProbeTarget, StepResult


class NodeClassification(Objective):
    name = "node_classification"
    roles = ("model",)
    has_picture = True

    def __init__(self, document, settings, dataset, device, output: str | None = None):
        super().__init__(document, settings, dataset, device)
        graph = dataset.graph
        if graph is None:
            raise DatasetError(f"the node_classification task needs a graph dataset (karate, sbm), but "
                               f"'{dataset.name}' has no graph; choose one, or set the task to auto")
        module = self._build("model", output)
        if not graph_layers(document, module):
            raise BuildError([GraphError(
                f"dataset '{dataset.name}' is a graph, but the network ending at '{module.output_id}' has no "
                "GraphConv layer, so it would never use the graph's edges; add a GraphConv (or set the task "
                "to supervised to treat the nodes as unconnected samples)", module.output_id)])
        self._check_input(module)
        check_output(dataset, module.output_id, self._output_shape(module.output_id))
        self.x = self._x(graph.features)
        self.y = torch.from_numpy(graph.labels.astype(np.int64)).to(self.device)
        self.adjacency = normalised_adjacency(torch.from_numpy(graph.edges), graph.num_nodes).to(self.device)
        self.train_nodes = torch.from_numpy(np.flatnonzero(graph.train_mask)).to(self.device)
        self.val_nodes = torch.from_numpy(np.flatnonzero(graph.val_mask)).to(self.device)
        self._batch = Batch(self.x, self.y, self.adjacency, self.train_nodes)
        self._make_optimizers()
        self._model, self._optimizer, self._params = module, self.optimizers["model"], self.groups["model"]
        self._gather = HostGather(2 + len(self._params), device)

    @property
    def train_count(self) -> int:
        return 1  # the whole graph is one sample: one step per epoch

    def batch(self, indices: torch.Tensor) -> Batch:
        return self._batch

    def train_step(self, batch: Batch) -> StepResult:
        params = self._params
        self._optimizer.zero_grad(set_to_none=True)
        out = self._model(batch.x, adjacency=batch.adjacency)[batch.mask]
        target = batch.y[batch.mask]
        loss = F.cross_entropy(out, target)
        loss.backward()
        self._optimizer.step()
        right = (out.detach().argmax(1) == target).sum(dtype=self._gather.buffer.dtype)
        parts = [loss.detach(), right]
        if params.params:
            parts.extend(torch._foreach_norm(params.grads()))
        values = self._gather(parts)
        return StepResult(values[0], params.by_node(values[2:]), len(target), int(values[1]))

    def _predict(self) -> torch.Tensor:
        return self._model(self.x, adjacency=self.adjacency)

    def evaluate(self) -> Evaluation:
        with probing(self._model):
            out = self._predict()[self.val_nodes]
            target = self.y[self.val_nodes]
            loss, right = torch.stack([F.cross_entropy(out, target),
                                       (out.argmax(1) == target).sum(dtype=torch.float32)]).tolist()
        return Evaluation(loss, right / len(target))

    def probe_targets(self) -> list[ProbeTarget]:
        m = self._model
        return [ProbeTarget(m, self.x, self._node_kinds(m), self._map_nodes(m), self.adjacency)]

    def picture(self, step: int) -> GraphSnapshot:
        graph = self.dataset.graph
        with probing(self._model):
            predictions = self._predict().argmax(1).cpu().numpy().astype(np.int64)
        val = graph.val_mask
        return GraphSnapshot(step, predictions, graph.labels.copy(), graph.train_mask.copy(), graph.edges.copy(),
                             graph.positions.copy(), float(np.mean(predictions[val] == graph.labels[val])))
