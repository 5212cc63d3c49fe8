"""What the trainer yields: plain snapshots (Python numbers, strings, dicts and numpy arrays).

These are the only things that cross from the training thread to the window, so they hold no
tensors and no references to the module.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class RunEnd(StrEnum):
    """Why a run ended. A ``StrEnum``, so ``end.reason == "finished"`` holds as it did for the plain strings."""

    FINISHED = "finished"
    STOPPED = "stopped"
    DIVERGED = "diverged"


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
    # Named losses of objectives with more than one (a GAN: {"generator": ..., "discriminator": ...});
    # None for a single loss, which is ``loss``.
    losses: dict[str, float] | None = None


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
class FunctionSnapshot:
    """For 1-D regression: the network's curve over its input range, with the target and each hidden unit's piece."""

    step: int
    x: np.ndarray                         # float32 [G]: the inputs, evenly spaced over the data's range
    y: np.ndarray                         # float32 [G]: the network's output at each
    target: np.ndarray | None = None      # float32 [G]: the noise-free target function (the function dataset)
    pieces: np.ndarray | None = None      # float32 [H, G]: w_j a_j(x) of each unit the output Linear reads
    bias: float = 0.0                     # that Linear's bias: y = pieces.sum(0) + bias


@dataclass
class ReconstructionSnapshot:
    """An autoencoder's view: a few validation samples over their reconstructions, and the 2-D codes."""

    step: int
    originals: np.ndarray                 # float32 [K, *sample_shape]
    reconstructions: np.ndarray           # float32 [K, *sample_shape]
    code_node: str | None = None          # the node whose output is the code
    codes: np.ndarray | None = None       # float32 [M, 2]: the validation set's codes, when the code has 2 units
    code_labels: np.ndarray | None = None  # int64 [M]: their classes (None when the dataset has none)


@dataclass
class GanSnapshot:
    """A GAN's view: samples from fixed noise; for 2-D data also real points and the discriminator's field."""

    step: int
    samples: np.ndarray                   # float32 [K, *sample_shape], generated from the same noise each time
    real: np.ndarray | None = None        # float32 [M, 2]: real points (2-D data only)
    field: np.ndarray | None = None       # float32 [G, G]: D(x) over the plane, row i = i-th y from y_min up
    extent: tuple[float, float, float, float] | None = None  # x_min, x_max, y_min, y_max of ``field``


@dataclass
class GraphSnapshot:
    """A graph network's view: every node's predicted class on the dataset's graph."""

    step: int
    predictions: np.ndarray               # int64 [N]: predicted class of every node
    labels: np.ndarray                    # int64 [N]: true classes
    train_mask: np.ndarray                # bool [N]: the labelled nodes the loss sees
    edges: np.ndarray                     # int64 [E, 2]: each undirected edge once
    positions: np.ndarray                 # float32 [N, 2]: a fixed layout for drawing
    val_acc: float | None = None          # accuracy on the unlabelled nodes


@dataclass
class SequenceSnapshot:
    """A sequence network's view: the gradient through time over a probe batch, and one probe sequence's
    attention maps and answers."""

    step: int
    # float32 [T]: mean size of d(loss)/d(input at step t) per sequence; None when nothing is differentiable
    # (token ids read by no Embedding)
    grad_through_time: np.ndarray | None
    attention: dict[str, np.ndarray]      # attention node id -> float32 [heads, T, T] (row: query, column: key)
    tokens: list[str]                     # the probe sequence's input, one label per position
    input_text: str
    target_text: str
    prediction_text: str
    correct: bool | None = None           # classification: the whole answer right
    index: int = 0                        # which sequence of the probe batch these are


@dataclass
class ValidationSnapshot:
    """At each epoch end and at the end of training."""

    step: int
    epoch: int
    val_loss: float
    val_acc: float | None = None
    # Named validation losses of objectives with more than one; None otherwise.
    val_losses: dict[str, float] | None = None
    # Further measures by name: a sequence task's "sequence_acc" (share of sequences right at every step).
    val_metrics: dict[str, float] | None = None


@dataclass
class DoneSnapshot:
    """The run ended: ``reason`` is a :class:`RunEnd`: "finished", "stopped" or "diverged" (then ``message`` says
    why)."""

    step: int
    reason: str  # a RunEnd; plain strings compare equal to its members
    message: str = ""


@dataclass
class ErrorSnapshot:
    """An exception inside training, caught: the caller shows it and lives on."""

    step: int
    message: str
    traceback: str = ""


# The pictures a task draws besides the shared views; each is "latest wins" on its way to the window.
TaskPicture = ReconstructionSnapshot | GanSnapshot | GraphSnapshot | SequenceSnapshot | FunctionSnapshot

Snapshot = (StepSnapshot | ActivationSnapshot | FeatureMapSnapshot | BoundarySnapshot | ValidationSnapshot
            | ReconstructionSnapshot | GanSnapshot | GraphSnapshot | SequenceSnapshot | FunctionSnapshot | DoneSnapshot
            | ErrorSnapshot)

