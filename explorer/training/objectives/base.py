"""What every objective shares: the batch record, what a step returns, and the base class.

An objective says what one training step does (which networks, which losses, which optimiser
steps) and what it reports (named losses, validation, a picture of its own); the trainer's loop
(controls, probes, snapshots, the pace of validation) is the same for all and never asks which
objective it runs. Lightning's ``training_step`` and Keras' ``train_step`` are the model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import torch

from explorer.data import check_sample_shape
from explorer.graph.build import GraphModule, build_module

from ..checks import check_one_input, check_sequence_input, check_token_range, is_stochastic
from ..freezing import freeze_layers, trainable_parameters
from ..initialisation import initialise
from ..optimizers import apply_live_settings, make_optimizer
from ..probes import ParameterGroups
from ..settings import TrainingSettings


@dataclass
class Batch:
    """What one step trains on, by name (PyTorch Geometric's ``Data``): inputs, and where the task has
    them, targets, the graph's normalised adjacency and the mask of nodes the loss sees."""

    x: torch.Tensor
    y: torch.Tensor | None = None
    adjacency: torch.Tensor | None = None
    mask: torch.Tensor | None = None


@dataclass
class StepResult:
    """What one step reports, as plain numbers: the loss (a GAN's is the generator's), the named losses
    of objectives with more than one, every network's gradient norms by node id, right answers."""

    loss: float
    grad_norms: dict[str, float]
    size: int                              # samples (or labelled nodes) the step learned from
    correct: int | None = None             # right answers among them, classification only
    losses: dict[str, float] | None = None
    positions: int = 1                     # answers per sample: a sequence task's T, one class per step


@dataclass
class Evaluation:
    """A validation pass: the loss, the accuracy where there is one, the named losses where several."""

    val_loss: float
    val_acc: float | None = None
    val_losses: dict[str, float] | None = None
    metrics: dict[str, float] | None = None  # further measures by name (a sequence task's "sequence_acc")


@dataclass
class ProbeTarget:
    """One network as the low-rate probes see it: the inputs they feed it (validation samples, or a
    generator's fixed noise), and for a graph the adjacency (the inputs are then every node)."""

    module: GraphModule
    inputs: torch.Tensor
    node_kinds: dict[str, str]
    map_nodes: list[str] = field(default_factory=list)  # nodes with image outputs [C, H, W]
    adjacency: torch.Tensor | None = None


class Objective(ABC):
    """Base of the objectives: builds and initialises the networks, makes their optimisers.

    Subclasses set ``name`` and ``roles`` and implement :meth:`batch`, :meth:`train_step`,
    :meth:`evaluate` and, if they draw a picture of their own, :meth:`picture`.
    """

    name: ClassVar[str] = ""
    roles: ClassVar[tuple[str, ...]] = ("model",)
    has_picture: ClassVar[bool] = False

    def __init__(self, document, settings: TrainingSettings, dataset, device: torch.device):
        self.document = document
        self.settings = settings
        self.dataset = dataset
        self.device = device
        self.report = document.infer()
        self.networks: dict[str, GraphModule] = {}
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        self.groups: dict[str, ParameterGroups] = {}

    # Construction helpers ------------------------------------------------------------------------

    def _build(self, role: str, output: str | None) -> GraphModule:
        """Build and initialise the network ending at ``output`` (from torch's global RNG, which the
        trainer has seeded), with one Input; it becomes ``networks[role]``."""
        module = build_module(self.document, output=output)
        initialise(module, self.settings.init, self.settings.init_std)
        freeze_layers(module, set(self.document.frozen_ids()))  # before the groups: they list what learns
        check_one_input(module, "network" if self.roles == ("model",) else role)
        module = module.to(self.device)
        module.train()
        self.networks[role] = module
        self.groups[role] = ParameterGroups(module)
        return module

    def _make_optimizers(self, **options) -> None:
        for role, module in self.networks.items():
            name = "network" if self.roles == ("model",) else role
            self.optimizers[role] = make_optimizer(self.settings, trainable_parameters(module, name), **options)

    def _input_node(self, module: GraphModule):
        return self.document.node(module.input_ids[0])

    def _check_input(self, module: GraphModule) -> None:
        node = self._input_node(module)
        check_sequence_input(self.dataset, node.params["shape"], node.params["dtype"])
        check_sample_shape(self.dataset, node.params["shape"], node.params["dtype"])
        check_token_range(self.document, module, self.dataset)

    def _output_shape(self, node_id: str) -> tuple[int, ...]:
        return tuple(self.report.nodes[node_id].output.shape)

    def _node_kinds(self, module: GraphModule) -> dict[str, str]:
        return {n: self.document.node(n).kind for n in module.order}

    def _map_nodes(self, module: GraphModule) -> list[str]:
        return [n for n in module.order if len(self.report.nodes[n].output.shape) == 3]

    def _x(self, array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(array)).to(self.device)

    # What the loop asks ----------------------------------------------------------------------------

    @property
    def module(self) -> GraphModule:
        """The network the window shows as "the" network: the model, or a GAN's generator."""
        return next(iter(self.networks.values()))

    @property
    def stochastic(self) -> bool:
        """Whether a step draws from torch's global RNG (dropout), which the trainer then keeps apart."""
        return any(is_stochastic(m) for m in self.networks.values())

    @property
    def train_count(self) -> int:
        """How many samples the loop's sampler cuts into batches (a graph is one sample)."""
        return len(self.dataset.x_train)

    @property
    def probe_count(self) -> int:
        """How many validation samples the feature maps can show."""
        return len(self.dataset.x_val)

    def apply_settings(self, settings: TrainingSettings) -> None:
        """Live settings (learning rate, momentum, weight decay) into every optimiser."""
        self.settings = settings
        for optimizer in self.optimizers.values():
            apply_live_settings(optimizer, settings)

    @abstractmethod
    def batch(self, indices: torch.Tensor) -> Batch:
        """The training batch record for these sample indices."""

    @abstractmethod
    def train_step(self, batch: Batch) -> StepResult:
        """One optimisation step (every optimiser this objective has), and what it reports."""

    @abstractmethod
    def evaluate(self) -> Evaluation:
        """The validation losses (and accuracy where there is one), in eval mode."""

    @abstractmethod
    def probe_targets(self) -> list[ProbeTarget]:
        """The networks the activation statistics and feature maps look at, with what to feed them."""

    def boundary_module(self) -> GraphModule | None:
        """The network whose decision boundary is drawn over the plane, if any."""
        return None

    def picture(self, step: int):
        """The objective's own picture (a :data:`~explorer.training.snapshots.TaskPicture`); call in probing."""
        return None

    def train(self) -> None:
        for module in self.networks.values():
            module.train()
