"""Weight initialisation schemes: PyTorch's default, Xavier (Glorot), He (Kaiming) or a plain normal."""

from __future__ import annotations

import torch
from torch import nn


@torch.no_grad()
def initialise(module: nn.Module, scheme: str, std: float = 0.02) -> None:
    """Re-initialise ``module``'s weights in place with ``scheme``, drawing from torch's global RNG.

    Every parameter with two or more dimensions (the weights of Linear, convolution, recurrent,
    embedding and attention layers) gets the scheme and the biases next to them start at zero;
    normalisation layers keep their ones and zeros. ``default`` changes nothing.
    """
    if scheme == "default":
        return
    for name, param in module.named_parameters():
        leaf = name.rsplit(".", 1)[-1]
        if param.dim() >= 2:
            if scheme == "xavier":
                nn.init.xavier_uniform_(param)
            elif scheme == "he":
                nn.init.kaiming_normal_(param, nonlinearity="relu")
            elif scheme == "normal":
                nn.init.normal_(param, 0.0, std)
            else:
                raise ValueError(f"unknown init scheme {scheme!r}")
        elif leaf.startswith("bias") and not _in_norm_layer(module, name):
            nn.init.zeros_(param)


_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm)


def _in_norm_layer(root: nn.Module, name: str) -> bool:
    owner = root.get_submodule(name.rsplit(".", 1)[0]) if "." in name else root
    return isinstance(owner, _NORMS)
