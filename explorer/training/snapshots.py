"""What the trainer yields: plain snapshots (Python numbers, strings, dicts and numpy arrays).

These are the only things that cross from the training thread to the window, so they hold no
tensors and no references to the module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class StepSnapshot:
    """After every optimisation step."""

    step: int                    # 1-based count of steps done in this run
    epoch: int                   # 1-based epoch the step belongs to
    loss: float
    lr: float
    batch_size: int
    grad_norms: dict[str, float]  # node id -> L2 norm over all of that node's parameter gradients
    acc: float | None = None      # mini-batch accuracy, classification only
    momentum: float | None = None
    weight_decay: float | None = None
    elapsed: float = 0.0          # seconds since the run started (paused time excluded)
    total_steps: int = 0          # planned steps of the run


@dataclass
class ActivationSnapshot:
    """Per-node activation statistics and weight norms, at a lower rate than steps."""

    step: int
    # node id -> {"mean", "std", "saturated" (sigmoid/tanh), "dead" (ReLU)}; the last two only where they apply
    stats: dict[str, dict[str, float]]
    weight_norms: dict[str, float]


@dataclass
class FeatureMapSnapshot:
    """Activations of every node with an image output [C, H, W] for one fixed probe sample."""

    step: int
    probe_index: int
    probe_image: np.ndarray          # the probe sample itself, float32, as fed to the network
    probe_label: str
    maps: dict[str, np.ndarray]      # node id -> float32 [C, H, W]


@dataclass
class BoundarySnapshot:
    """For 2-D datasets: the model's class-probability grid over the plane (TensorFlow Playground's picture)."""

    step: int
    extent: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max
    values: np.ndarray                         # float32 [G, G]: probability of class 1 (or predicted class)


@dataclass
class ValidationSnapshot:
    """At each epoch end and at the end of training."""

    step: int
    epoch: int
    val_loss: float
    val_acc: float | None = None


@dataclass
class DoneSnapshot:
    """The run ended: ``reason`` is "finished", "stopped" or "diverged" (then ``message`` says why)."""

    step: int
    reason: str
    message: str = ""


@dataclass
class ErrorSnapshot:
    """An exception inside training, caught: the caller shows it and lives on."""

    step: int
    message: str
    traceback: str = ""


Snapshot = (StepSnapshot | ActivationSnapshot | FeatureMapSnapshot | BoundarySnapshot | ValidationSnapshot
            | DoneSnapshot | ErrorSnapshot)

