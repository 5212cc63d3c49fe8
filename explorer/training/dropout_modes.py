"""Dropout, training mode against evaluation mode, measured on the real modules.

In training mode a Dropout layer zeroes each value with probability ``p`` and multiplies the values
it keeps by ``1/(1-p)``, so their expected sum is unchanged; in evaluation mode it passes its input
through untouched. :func:`compare_modes` shows both on a network: the validation accuracy (and
loss) in each mode, the probe sample's prediction in each, and for every Dropout layer the values
entering it and leaving it in each mode, with the scale of the kept values measured from them.

Only the dropout layers switch: everything else stays in evaluation mode (a BatchNorm would otherwise
normalise by the batch and move its running statistics), so the difference is dropout's alone. The
training-mode draw comes from its own seeded generator: the same seed, the same zeroed values, and
torch's global RNG (the run's dropout stream) is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .objective import evaluate

DROPOUT_TYPES = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d)  # those that scale by 1/(1-p)
EVAL, TRAIN = "eval", "train"


@dataclass
class DropoutReading:
    """One Dropout layer on the probe sample: its first values in, and out in each mode."""

    node_id: str
    p: float
    positions: np.ndarray     # where the values shown sit in the layer's (flattened) input
    inputs: np.ndarray        # the first nonzero values entering the layer (zeros say nothing of dropout)
    train_out: np.ndarray     # the same positions leaving it in training mode
    eval_out: np.ndarray      # ... and in evaluation mode
    kept: int                 # nonzero values entering the layer that training mode kept
    total: int                # nonzero values entering the layer
    scale: float | None       # kept output / input, measured (median over the kept nonzero values)

    @property
    def expected_scale(self) -> float:
        """What dropout promises: ``1/(1-p)``."""
        return 1.0 / (1.0 - self.p) if self.p < 1 else float("inf")

    @property
    def eval_unchanged(self) -> bool:
        """True when evaluation mode passed every value through as it came."""
        return bool(np.array_equal(self.inputs, self.eval_out))


@dataclass
class ModeComparison:
    """The network in evaluation mode and with dropout active, side by side."""

    eval_loss: float
    train_loss: float
    eval_acc: float | None             # classification only
    train_acc: float | None
    probe_index: int
    probe: dict[str, tuple[int, float] | None] = field(default_factory=dict)  # mode -> (class, probability)
    readings: dict[str, DropoutReading] = field(default_factory=dict)


def dropout_nodes(module: nn.Module) -> list[str]:
    """Node ids of the Dropout layers of a ``GraphModule``, in its order."""
    return [n for n, layer in module.layers.items() if isinstance(layer, DROPOUT_TYPES)]


class _Modes:
    """Puts ``module`` in evaluation mode with only its dropout layers training, then back."""

    def __init__(self, module: nn.Module, dropout_on: bool):
        self.module, self.dropout_on = module, dropout_on

    def __enter__(self):
        self.was = {m: m.training for m in self.module.modules()}
        self.module.eval()
        if self.dropout_on:
            for m in self.module.modules():
                if isinstance(m, DROPOUT_TYPES):
                    m.train()
        return self

    def __exit__(self, *exc):
        for m, training in self.was.items():
            m.training = training


@torch.inference_mode()
def compare_modes(module: nn.Module, x: torch.Tensor, y: torch.Tensor, task: str, probe_index: int = 0,
                  seed: int = 0, values: int = 12) -> ModeComparison:
    """Evaluate ``module`` on ``x``/``y`` in evaluation mode and with dropout active, and read its Dropout
    layers on sample ``probe_index`` (their first ``values`` nonzero inputs). Nothing of ``module`` changes."""
    results = {}
    with torch.random.fork_rng(devices=[]):
        for mode in (EVAL, TRAIN):
            torch.manual_seed(seed)
            with _Modes(module, mode == TRAIN):
                results[mode] = evaluate(module, x, y, task)
        probe, seen = {}, {}
        nodes = dropout_nodes(module)
        for mode in (EVAL, TRAIN):
            torch.manual_seed(seed)
            record: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
            handles = [module.layers[n].register_forward_hook(
                lambda _m, inputs, output, n=n: record.__setitem__(n, (inputs[0].detach(), output.detach())))
                for n in nodes]
            try:
                with _Modes(module, mode == TRAIN):
                    out = module(x[probe_index:probe_index + 1])
            finally:
                for handle in handles:
                    handle.remove()
            seen[mode] = record
            if task == "classification":
                probabilities = torch.softmax(out[0].float(), dim=0)
                k = int(probabilities.argmax())
                probe[mode] = (k, float(probabilities[k]))
            else:
                probe[mode] = None
    readings = {}
    for n in nodes:
        entering, train_out = seen[TRAIN][n]
        eval_out = seen[EVAL][n][1]
        flat_in, flat_train = entering.flatten().cpu().numpy(), train_out.flatten().cpu().numpy()
        nonzero = flat_in != 0  # a zero stays zero either way: it tells nothing of what dropout did
        both = nonzero & (flat_train != 0)
        scale = float(np.median(flat_train[both] / flat_in[both])) if both.any() else None
        p = float(getattr(module.layers[n], "p", 0.0))
        shown = np.flatnonzero(nonzero)[:values] if nonzero.any() else np.arange(min(values, flat_in.size))
        readings[n] = DropoutReading(n, p, shown, flat_in[shown].copy(), flat_train[shown].copy(),
                                     eval_out.flatten().cpu().numpy()[shown].copy(),
                                     int(both.sum()), int(nonzero.sum()), scale)
    (eval_loss, eval_acc), (train_loss, train_acc) = results[EVAL], results[TRAIN]
    return ModeComparison(eval_loss, train_loss, eval_acc, train_acc, probe_index, probe, readings)
