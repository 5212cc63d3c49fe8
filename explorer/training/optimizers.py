"""Optimisers by name, and the live changes of their hyper-parameters while training runs."""

from __future__ import annotations

from collections.abc import Iterable

import torch

from .settings import TrainingSettings


def make_optimizer(settings: TrainingSettings, params: Iterable[torch.nn.Parameter],
                   betas: tuple[float, float] | None = None) -> torch.optim.Optimizer:
    """The optimiser ``settings.optimizer`` over ``params`` with the settings' hyper-parameters.

    ``momentum`` drives SGD and RMSprop; Adam and AdamW take ``betas`` if given (a GAN's
    (0.5, 0.999)), else their defaults.
    """
    params = list(params)
    name, lr, wd = settings.optimizer, settings.lr, settings.weight_decay
    adam = {} if betas is None else {"betas": betas}
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=settings.momentum, weight_decay=wd)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd, **adam)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd, **adam)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=settings.momentum, weight_decay=wd)
    raise ValueError(f"unknown optimizer {name!r}")


def apply_live_settings(optimizer: torch.optim.Optimizer, settings: TrainingSettings) -> None:
    """Put ``lr``, ``weight_decay`` and (where the optimiser has it) ``momentum`` into every group."""
    for group in optimizer.param_groups:
        group["lr"] = settings.lr
        group["weight_decay"] = settings.weight_decay
        if "momentum" in group:
            if isinstance(optimizer, torch.optim.RMSprop) and group["momentum"] == 0 < settings.momentum:
                _add_rmsprop_momentum_buffers(optimizer, group)
            group["momentum"] = settings.momentum


def _add_rmsprop_momentum_buffers(optimizer: torch.optim.RMSprop, group: dict) -> None:
    # RMSprop creates momentum buffers only when it starts with momentum > 0; turning momentum on
    # later would find none, so give every started parameter an empty one.
    for p in group["params"]:
        state = optimizer.state.get(p)
        if state and "momentum_buffer" not in state:
            state["momentum_buffer"] = torch.zeros_like(p, memory_format=torch.preserve_format)
