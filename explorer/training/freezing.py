"""Frozen layers: weights that training leaves exactly as they are (transfer learning's fixed body).

A frozen layer's parameters get ``requires_grad = False`` before the optimiser is made and are left
out of it, so they get no gradient, no step and no weight decay; a frozen normalisation layer's
running statistics stop moving too (momentum 0), so nothing of it changes while others learn.
"""

from __future__ import annotations

from torch import nn

from explorer.graph.errors import BuildError, GraphError


def freeze_layers(module: nn.Module, frozen: set[str] | list[str]) -> list[str]:
    """Freeze the layers of ``module`` (a ``GraphModule``) whose node ids are in ``frozen``; their ids."""
    done = []
    for node_id, layer in module.layers.items():
        if node_id not in frozen:
            continue
        for param in layer.parameters():
            param.requires_grad_(False)
        for part in layer.modules():
            if isinstance(part, nn.modules.batchnorm._BatchNorm):
                part.momentum = 0.0  # running statistics keep their values in training mode
        done.append(node_id)
    return done


def trainable_parameters(module: nn.Module, name: str = "network") -> list[nn.Parameter]:
    """The parameters the optimiser steps; refuses a network whose every layer with weights is frozen."""
    params = list(module.parameters())
    trainable = [p for p in params if p.requires_grad]
    if params and not trainable:
        frozen = [n for n, layer in module.layers.items() if any(True for _ in layer.parameters())]
        shown = ", ".join(f"'{n}'" for n in frozen[:4]) + (f" and {len(frozen) - 4} more" if len(frozen) > 4 else "")
        raise BuildError([GraphError(f"every layer with weights of the {name} is frozen ({shown}), so training "
                                     "would change nothing: unfreeze at least one layer", frozen[0])])
    return trainable
