"""Supervised learning: one network, its output against the dataset's targets (cross-entropy or MSE)."""

from __future__ import annotations

import math

import numpy as np
import torch

from explorer.data import DatasetError

from ..checks import CLASSIFICATION, check_no_graph_layers, check_output
from ..function_probe import FunctionProbe, fits_function_probe
from ..gather import HostGather
from ..objective import Validator, loss_function, validation_chunk
from .base import Batch, Evaluation, Objective, ProbeTarget, StepResult


class Supervised(Objective):
    """Classification (cross-entropy, accuracy counted) or regression (mean squared error).

    On a graph dataset (asked for explicitly; ``auto`` chooses node classification) the nodes are
    independent samples: the labelled ones train, the rest validate, and the edges are not used. A
    network with GraphConv is refused here, since no adjacency reaches it.
    """

    name = "supervised"
    roles = ("model",)

    def __init__(self, document, settings, dataset, device, output: str | None = None):
        super().__init__(document, settings, dataset, device)
        if dataset.per_position:
            raise DatasetError(f"dataset '{dataset.name}' has a target at every position of its sequences, "
                               "which the supervised task does not train; set the task to auto or sequence")
        module = self._build("model", output)
        check_no_graph_layers(document, module, dataset, self.name)
        self._check_input(module)
        check_output(dataset, module.output_id, self._output_shape(module.output_id))
        self.classification = dataset.task == CLASSIFICATION
        self.loss_fn = loss_function(dataset.task)
        self.x_train, self.y_train = self._xy(dataset.x_train, dataset.y_train)
        self.x_val, self.y_val = self._xy(dataset.x_val, dataset.y_val)
        numbers = sum(math.prod(self.report.nodes[n].output.shape) for n in module.order)
        self.validator = Validator(module, self.x_val, self.y_val, dataset.task, chunk=validation_chunk(numbers))
        self._make_optimizers()
        self._model, self._optimizer, self._params = module, self.optimizers["model"], self.groups["model"]
        self._on_cpu = device.type == "cpu"
        # where each step's loss, gradient norms (and on a GPU right answers) gather for the host
        counted_on_device = self.classification and not self._on_cpu
        self._gather = HostGather(1 + len(self._params) + counted_on_device, device)
        # One number in, one out: the network's whole curve is its picture (the function view).
        self.function_probe = None
        if fits_function_probe(dataset, self._output_shape(module.output_id)):
            self.function_probe = FunctionProbe(
                module, module.layers[module.output_id], np.concatenate([dataset.x_train, dataset.x_val]),
                settings.dataset, settings.dataset_options, device)
        self.has_picture = self.function_probe is not None

    def _xy(self, x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        target = np.ascontiguousarray(y, dtype=np.int64 if self.classification else np.float32)
        return self._x(x), torch.from_numpy(target).to(self.device)

    def batch(self, indices: torch.Tensor) -> Batch:
        return Batch(self.x_train[indices], self.y_train[indices])

    def train_step(self, batch: Batch) -> StepResult:
        """One optimisation step, as cheap as a plain loop's.

        The loss and the norms (and on a GPU the right answers) come to the host in one copy
        (:class:`HostGather`). On the CPU the right answers are counted in numpy, where ``.numpy()``
        shares memory and a call costs a microsecond, not a dispatch's ten.
        """
        xb, yb, params = batch.x, batch.y, self._params
        self._optimizer.zero_grad(set_to_none=True)
        out = self._model(xb)
        loss = self.loss_fn(out, yb)
        loss.backward()
        self._optimizer.step()
        parts = [loss.detach()]
        if params.params:
            parts.extend(torch._foreach_norm(params.grads()))
        correct = None
        if self.classification:
            if self._on_cpu:
                correct = int(np.count_nonzero(out.detach().numpy().argmax(1) == yb.numpy()))
            else:
                parts.append((out.detach().argmax(1) == yb).sum(dtype=self._gather.buffer.dtype))
        values = self._gather(parts)
        if correct is None and self.classification:
            correct = int(values.pop())
        return StepResult(values[0], params.by_node(values[1:]), len(xb), correct)

    def evaluate(self) -> Evaluation:
        val_loss, val_acc = self.validator()
        return Evaluation(val_loss, val_acc)

    def probe_targets(self) -> list[ProbeTarget]:
        m = self._model
        return [ProbeTarget(m, self.x_val, self._node_kinds(m), self._map_nodes(m))]

    def boundary_module(self):
        return self._model if self.dataset.is_2d else None

    def picture(self, step: int):
        """A 1-D regression's curve (:class:`~explorer.training.snapshots.FunctionSnapshot`); None otherwise."""
        return self.function_probe.snapshot(step) if self.function_probe is not None else None
