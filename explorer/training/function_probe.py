"""The function-fit probe: a 1-D regression network's curve over its input range (universal approximation).

For a network that maps one number to one number, the whole of what it computes fits in one
picture: its output over a grid of inputs, beside the target function and the training points.
When its output layer is a Linear reading H hidden units, the output is the sum of H pieces plus
the bias, ``y(x) = sum_j w_j a_j(x) + b``; the probe gives each piece ``w_j a_j(x)`` too, so a
one-hidden-layer ReLU network shows its kinks adding up to the fit. The pieces come from a forward
hook on that Linear layer (its input, times its weights), in the same pass as the curve.

Cost: one forward pass over ``points`` inputs, under a millisecond for the presets' networks.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from explorer.data.dataset import REGRESSION
from explorer.data.functions import FUNCTIONS

from .probes import probing
from .snapshots import FunctionSnapshot

GRID_POINTS = 241    # inputs the curve is drawn through: one every 0.025 over the function dataset's [-3, 3]
MAX_PIECES = 64      # more hidden units than this make a picture of noise, so their pieces are not sent
MARGIN = 0.1         # the grid reaches this share of the data's range beyond it, where the fit extrapolates


def fits_function_probe(dataset, output_shape: tuple[int, ...]) -> bool:
    """True for a regression of one float input to one output, which the function view draws."""
    return (dataset.task == REGRESSION and tuple(dataset.sample_shape) == (1,) and dataset.input_dtype == "float"
            and tuple(output_shape) == (1,) and dataset.graph is None)


def target_curve(dataset_name: str, options: dict, x: np.ndarray) -> np.ndarray | None:
    """The noise-free target of the ``function`` dataset at ``x`` (None for other datasets)."""
    if dataset_name != "function" or options.get("function", "sine") not in FUNCTIONS:
        return None
    return FUNCTIONS[options.get("function", "sine")][1](x.astype(np.float64)).astype(np.float32)


class FunctionProbe:
    """The curve of ``module`` over the range of ``points`` (all inputs of the dataset, [N, 1])."""

    def __init__(self, module: nn.Module, output_layer: nn.Module | None, points: np.ndarray,
                 dataset_name: str = "", options: dict | None = None, device: str | torch.device = "cpu",
                 size: int = GRID_POINTS):
        low, high = float(np.min(points)), float(np.max(points))
        pad = max((high - low) * MARGIN, 1e-3)
        self.x = np.linspace(low - pad, high + pad, size, dtype=np.float32)
        self.target = target_curve(dataset_name, options or {}, self.x)
        self.module = module
        self._inputs = torch.from_numpy(self.x[:, None].copy()).to(device)
        # Pieces only where the output is a Linear with one output reading a vector of few enough units.
        self.output_layer = output_layer if (isinstance(output_layer, nn.Linear) and output_layer.out_features == 1
                                             and output_layer.in_features <= MAX_PIECES) else None

    def snapshot(self, step: int) -> FunctionSnapshot:
        """The network's curve now (and each hidden unit's piece), in eval mode, without gradients."""
        seen: dict[str, torch.Tensor] = {}
        handle = None
        if self.output_layer is not None:
            handle = self.output_layer.register_forward_hook(
                lambda _layer, inputs, _output: seen.__setitem__("hidden", inputs[0]))
        try:
            with probing(self.module):
                y = self.module(self._inputs).reshape(-1).float()
                pieces = bias = None
                hidden = seen.get("hidden")
                if hidden is not None and hidden.dim() == 2:
                    layer = self.output_layer
                    pieces = (hidden.float() * layer.weight[0].float()).T  # [H, G]: w_j a_j(x)
                    bias = float(layer.bias[0]) if layer.bias is not None else 0.0
                    pieces = pieces.cpu().numpy()
        finally:
            if handle is not None:
                handle.remove()
        return FunctionSnapshot(step, self.x, y.cpu().numpy(), self.target, pieces, bias)
