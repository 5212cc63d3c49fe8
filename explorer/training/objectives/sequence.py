"""Per-position classification of sequences (copy, reverse, sort): a class at every step.

The network's output is ``[T, classes]`` for an input of ``T`` steps; the loss is the
cross-entropy averaged over every position of every sequence. Two accuracies are reported: the
share of right tokens (``val_acc``, and the steps' ``acc``) and the share of sequences right at
every position (``val_metrics["sequence_acc"]``), which is what "solved" means for these tasks.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

from explorer.data import DatasetError

from ..checks import check_no_graph_layers, check_output
from ..gather import HostGather
from ..probes import probing
from .base import Batch, Evaluation, Objective, ProbeTarget, StepResult


def per_position_loss(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of ``out [B, T, C]`` against ``target [B, T]``, averaged over every position."""
    return F.cross_entropy(out.reshape(-1, out.shape[-1]), target.reshape(-1))


class SequenceClassification(Objective):
    """A class at every position: cross-entropy over positions, token and whole-sequence accuracy."""

    name = "sequence"
    roles = ("model",)

    def __init__(self, document, settings, dataset, device, output: str | None = None):
        super().__init__(document, settings, dataset, device)
        if not dataset.per_position:
            raise DatasetError(f"the sequence task needs a dataset with a target at every position (copy, "
                               f"reverse, sort), but '{dataset.name}' has one target per sample; set the task "
                               "to auto or supervised")
        module = self._build("model", output)
        check_no_graph_layers(document, module, dataset, self.name)
        self._check_input(module)
        check_output(dataset, module.output_id, self._output_shape(module.output_id))
        self.loss_fn = per_position_loss
        self.x_train, self.y_train = self._x(dataset.x_train), self._x(dataset.y_train.astype(np.int64))
        self.x_val, self.y_val = self._x(dataset.x_val), self._x(dataset.y_val.astype(np.int64))
        self.positions = int(dataset.y_train.shape[1])
        self._make_optimizers()
        self._model, self._optimizer, self._params = module, self.optimizers["model"], self.groups["model"]
        self._gather = HostGather(2 + len(self._params), device)

    def batch(self, indices: torch.Tensor) -> Batch:
        return Batch(self.x_train[indices], self.y_train[indices])

    def train_step(self, batch: Batch) -> StepResult:
        params = self._params
        self._optimizer.zero_grad(set_to_none=True)
        out = self._model(batch.x)
        loss = per_position_loss(out, batch.y)
        loss.backward()
        self._optimizer.step()
        right = (out.detach().argmax(-1) == batch.y).sum(dtype=self._gather.buffer.dtype)
        parts = [loss.detach(), right]
        if params.params:
            parts.extend(torch._foreach_norm(params.grads()))
        values = self._gather(parts)
        return StepResult(values[0], params.by_node(values[2:]), len(batch.x), int(values[1]),
                          positions=self.positions)

    def evaluate(self, chunk: int = 512) -> Evaluation:
        """Mean per-position loss, token accuracy and whole-sequence accuracy over the validation set."""
        loss_sum = torch.zeros((), dtype=torch.float64, device=self.device)
        tokens = torch.zeros((), dtype=torch.float64, device=self.device)
        sequences = torch.zeros((), dtype=torch.float64, device=self.device)
        with probing(self._model):
            for start in range(0, len(self.x_val), chunk):
                xb, yb = self.x_val[start:start + chunk], self.y_val[start:start + chunk]
                out = self._model(xb)
                loss_sum += per_position_loss(out, yb) * len(xb)
                right = out.argmax(-1) == yb
                tokens += right.sum()
                sequences += right.all(dim=1).sum()
            loss, tokens_right, sequences_right = torch.stack([loss_sum, tokens, sequences]).tolist()
        n = len(self.x_val)
        return Evaluation(loss / n, tokens_right / (n * self.positions),
                          metrics={"sequence_acc": sequences_right / n})

    def probe_targets(self) -> list[ProbeTarget]:
        m = self._model
        return [ProbeTarget(m, self.x_val, self._node_kinds(m), self._map_nodes(m))]
