"""What training minimises: cross-entropy for classification, mean squared error for regression."""

from __future__ import annotations

import torch
from torch.nn import functional as F

CLASSIFICATION = "classification"


def loss_function(task: str):
    """The loss for ``task``: ``loss(output, target) -> scalar tensor``."""
    return F.cross_entropy if task == CLASSIFICATION else F.mse_loss


@torch.inference_mode()
def evaluate(module: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, task: str,
             chunk: int = 512) -> tuple[float, float | None]:
    """Mean loss and accuracy (classification only) of ``module`` over all of ``x``, in eval mode.

    The caller switches the module to eval mode; this only runs the forward passes, in chunks of
    ``chunk`` samples, and copies two numbers to the host.
    """
    classification = task == CLASSIFICATION
    loss_sum = torch.zeros((), dtype=torch.float64, device=x.device)
    correct = torch.zeros((), dtype=torch.float64, device=x.device)
    for start in range(0, len(x), chunk):
        xb, yb = x[start:start + chunk], y[start:start + chunk]
        out = module(xb)
        if classification:
            loss_sum += F.cross_entropy(out, yb, reduction="sum")
            correct += (out.argmax(1) == yb).sum()
        else:
            loss_sum += F.mse_loss(out, yb, reduction="sum") / out[0].numel()
    loss, right = torch.stack([loss_sum, correct]).tolist()
    n = len(x)
    return loss / n, (right / n if classification else None)
