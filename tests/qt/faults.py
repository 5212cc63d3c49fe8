"""Faults put into a real training run from outside the trainer: a forward pass that blocks or raises,
an optimiser step that raises. They hook the built module and optimiser (public torch hooks), so they
work whatever the trainer does inside its loop."""

from __future__ import annotations

import threading
from typing import Callable

from explorer.training.trainer import Trainer


class Gate:
    """While closed, every forward pass of the network waits at it (a step that will not end)."""

    def __init__(self) -> None:
        self.entered = threading.Event()   # a forward pass is waiting at the gate
        self._opened = threading.Event()

    def hook(self, _module, _inputs) -> None:
        if not self._opened.is_set():
            self.entered.set()
            self._opened.wait()

    def open(self) -> None:
        self._opened.set()


class Fault:
    """Raises ``error`` on forward pass (or optimiser step) number ``at``, once, while armed."""

    def __init__(self, error: BaseException, at: int = 3) -> None:
        self.error, self.at, self.calls, self.armed = error, at, 0, True

    def hook(self, *_args) -> None:
        if not self.armed:
            return
        self.calls += 1
        if self.calls == self.at:
            self.armed = False
            raise self.error


def trainer_with(forward_pre_hook: Callable | None = None, optimizer_pre_hook: Callable | None = None):
    """A trainer factory for ``TrainingPanel.trainer_factory``: the real trainer, with the hooks added."""

    def make(*args, **kwargs) -> Trainer:
        trainer = Trainer(*args, **kwargs)
        if forward_pre_hook is not None:
            trainer.module.register_forward_pre_hook(forward_pre_hook)
        if optimizer_pre_hook is not None:
            trainer.optimizer.register_step_pre_hook(optimizer_pre_hook)
        return trainer

    return make
