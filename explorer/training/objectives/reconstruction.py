"""Reconstruction: an autoencoder learns to give back its input through a narrow code.

The target is the input itself. The loss is the mean squared error, or binary cross-entropy for
data in [0, 1] (``reconstruction_loss``). BCE is taken on the network's output as probabilities
when the last layer is a Sigmoid (a Reshape or Flatten after it does not count), and otherwise on
its output as logits (the numerically stable ``binary_cross_entropy_with_logits``, the same loss
without the Sigmoid layer); pictures then show the sigmoid of the output. The code is the output of ``code_node`` (default: the narrowest layer
between the Input and the output, the first of equals).
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

from explorer.data import DatasetError
from explorer.graph.spec import fmt

from ..checks import CLASSIFICATION, check_no_graph_layers
from ..gather import HostGather
from ..probes import hooked, probing
from ..settings import SettingsError
from ..snapshots import ReconstructionSnapshot
from .base import Batch, Evaluation, Objective, ProbeTarget, StepResult

PICTURE_SAMPLES = 8      # originals over reconstructions in the picture
CODE_SAMPLES = 1000      # validation samples whose 2-D codes are drawn
CHUNK = 512


class Reconstruction(Objective):
    name = "reconstruction"
    roles = ("model",)
    has_picture = True

    def __init__(self, document, settings, dataset, device, output: str | None = None):
        super().__init__(document, settings, dataset, device)
        module = self._build("model", output)
        check_no_graph_layers(document, module, dataset, self.name)
        self._check_input(module)
        shape = self._output_shape(module.output_id)
        if shape != tuple(dataset.sample_shape):
            raise DatasetError(f"an autoencoder gives back its input, so its output '{module.output_id}' must have "
                               f"the samples' shape {fmt(dataset.sample_shape)}, but it gives {fmt(shape)}")
        if dataset.input_dtype != "float":
            raise DatasetError(f"dataset '{dataset.name}' gives token ids, which an autoencoder cannot give back")
        self.code_node = self._code_node(module, settings.code_node)
        self.x_train = self._x(dataset.x_train)
        self.x_val = self._x(dataset.x_val)
        self.logits = False
        if settings.reconstruction_loss == "bce":
            low, high = float(dataset.x_train.min()), float(dataset.x_train.max())
            if low < 0 or high > 1:
                raise SettingsError(f"training setting 'reconstruction_loss' is bce, which needs data in [0, 1], but "
                                    f"dataset '{dataset.name}' spans {low:.3g} to {high:.3g}; use mse",
                                    "reconstruction_loss")
            self.logits = self._last_layer_kind(module) != "Sigmoid"
        self._loss = {("mse", False): F.mse_loss, ("bce", False): F.binary_cross_entropy,
                      ("bce", True): F.binary_cross_entropy_with_logits}[settings.reconstruction_loss, self.logits]
        self._make_optimizers()
        self._model, self._optimizer, self._params = module, self.optimizers["model"], self.groups["model"]
        self._gather = HostGather(1 + len(self._params), device)
        labels = dataset.y_val if dataset.task == CLASSIFICATION else None
        self._code_labels = None if labels is None else labels[:CODE_SAMPLES].astype(np.int64)

    def _last_layer_kind(self, module) -> str:
        """The kind of the last layer that computes something (Reshape and Flatten only move values)."""
        node_id = module.output_id
        while self.document.node(node_id).kind in ("Reshape", "Flatten") and module.sources.get(node_id):
            node_id = module.sources[node_id][0]
        return self.document.node(node_id).kind

    def _code_node(self, module, chosen: str | None) -> str:
        inner = [n for n in module.order if n != module.output_id]
        if chosen is not None:
            if chosen not in module.order:
                raise SettingsError(f"training setting 'code_node' names '{chosen}', which is not a layer of the "
                                    f"autoencoder ending at '{module.output_id}'", "code_node")
            return chosen
        if not inner:
            return module.output_id
        return min(inner, key=lambda n: self.report.nodes[n].output.numel)  # min keeps the first of equals

    def batch(self, indices: torch.Tensor) -> Batch:
        x = self.x_train[indices]
        return Batch(x, x)

    def train_step(self, batch: Batch) -> StepResult:
        params = self._params
        self._optimizer.zero_grad(set_to_none=True)
        loss = self._loss(self._model(batch.x), batch.y)
        loss.backward()
        self._optimizer.step()
        parts = [loss.detach()]
        if params.params:
            parts.extend(torch._foreach_norm(params.grads()))
        values = self._gather(parts)
        return StepResult(values[0], params.by_node(values[1:]), len(batch.x))

    def evaluate(self) -> Evaluation:
        total = torch.zeros((), dtype=torch.float64, device=self.device)
        with probing(self._model):
            for start in range(0, len(self.x_val), CHUNK):
                x = self.x_val[start:start + CHUNK]
                total += self._loss(self._model(x), x, reduction="sum") / x[0].numel()
        return Evaluation(total.item() / len(self.x_val))

    def probe_targets(self) -> list[ProbeTarget]:
        m = self._model
        return [ProbeTarget(m, self.x_val, self._node_kinds(m), self._map_nodes(m))]

    def picture(self, step: int) -> ReconstructionSnapshot:
        originals = self.x_val[:PICTURE_SAMPLES]
        codes = None
        code_size = self.report.nodes[self.code_node].output.numel
        with probing(self._model):
            out = self._model(originals)
            if self.logits:
                out = torch.sigmoid(out)
            if code_size == 2:
                seen: dict[str, torch.Tensor] = {}
                with hooked(self._model, [self.code_node], lambda _n, o: seen.__setitem__("code", o)):
                    self._model(self.x_val[:CODE_SAMPLES])
                codes = seen["code"].reshape(-1, 2).float().cpu().numpy()
        return ReconstructionSnapshot(step, originals.cpu().numpy().astype(np.float32, copy=True),
                                      out.float().cpu().numpy(), self.code_node, codes,
                                      None if codes is None or self._code_labels is None
                                      else self._code_labels.copy())
