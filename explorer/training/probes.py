"""Probes: what the window draws about a network while it trains, keyed by node id.

Gradient norms are read every step, so they cost one batched ``torch._foreach_norm``, one stack and
one copy to the host (shared with the loss), never an ``.item()`` per parameter. The other probes run
at a lower rate on a fixed validation batch, in eval mode without gradients, through forward hooks
that exist only while they run (no backward hooks: they break on in-place operations). Probes save
and restore torch's RNG, so whether and when they run never changes the training itself.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

# Thresholds for "saturated" units: where the slope has fallen below about a tenth of its peak.
SIGMOID_SATURATED = 0.03   # output below this or above 1 - this
TANH_SATURATED = 0.95      # |output| above this
RECTIFIER_KINDS = {"ReLU"}


@dataclass(frozen=True)
class ProbeRates:
    """How often the low-rate probes run, and how much of the training time each may take.

    A probe runs every ``*_interval`` seconds unless its typical cost (the median of its recent
    runs, the first run excluded: it warms up the eval path) would then take more than ``budget``
    of the time; then it runs rarer, but never more than ``max_wait`` seconds apart, so one slow
    or pre-empted probe cannot freeze a picture. See :class:`Schedule`.
    """

    activation_interval: float = 0.25
    feature_map_interval: float = 0.1
    boundary_interval: float = 0.25
    task_interval: float = 0.25       # the task's own pictures (reconstructions, samples, graph)
    budget: float = 0.001
    max_wait: float = 5.0
    activation_samples: int = 64      # validation samples the activation statistics are taken over


# Headless runs: pictures nobody watches at a frame rate, nearly free. At 0.25 % each, the three
# probes cost bench_overhead.py about 2 % (their cost includes the steps after them, whose caches
# they disturbed), so 0.1 %.
BACKGROUND_RATES = ProbeRates()
# The window: pictures that move like an animation. Measured on lenet-shapes (2 cores): maps
# 0.8 ms, activation statistics over 32 samples 1.7 ms, so under 2 % of the training time at
# these rates; a network whose probes cost more is drawn less often, but at least every ``max_wait``.
LIVE_RATES = ProbeRates(activation_interval=0.2, feature_map_interval=0.075, boundary_interval=0.2,
                        task_interval=0.2, budget=0.02, max_wait=0.3, activation_samples=32)


class Schedule:
    """When a low-rate probe runs next: ``interval`` seconds after it last started, later when its
    typical cost would take more than ``budget`` of the time, and never more than ``max_wait`` later.

    The typical cost is the median of the last ``window`` runs, the first run of all excluded, so
    one probe slowed by a warm-up, a pre-emption or a page fault does not push the next one away
    (a schedule driven by the last sample once put the feature maps 40 s apart).
    """

    def __init__(self, interval: float, budget: float, max_wait: float = math.inf, window: int = 7):
        self.interval = interval
        self.budget = budget
        self.max_wait = max(interval, max_wait)
        self.next = 0.0  # perf_counter time; 0 is due at once
        self.runs = 0
        self._costs: deque[float] = deque(maxlen=window)

    @property
    def typical_cost(self) -> float:
        """Median seconds of the recent runs (0 before the second run)."""
        return statistics.median(self._costs) if self._costs else 0.0

    def ran(self, started: float, finished: float) -> None:
        self.runs += 1
        if self.runs > 1:
            self._costs.append(finished - started)
        wait = max(self.interval, self.typical_cost / self.budget)
        self.next = started + min(wait, self.max_wait)


def soonest(schedules: dict[str, Schedule]) -> float:
    """The time the next probe falls due, so a step compares one number."""
    return min((s.next for s in schedules.values()), default=math.inf)


class ParameterGroups:
    """A module's parameters grouped by the node they belong to (``layers.<node_id>.*``)."""

    def __init__(self, module: nn.Module):
        self.node_ids: list[str] = []
        self.params: list[nn.Parameter] = []
        self.bounds: list[tuple[int, int]] = []
        for node_id, layer in module.layers.items():
            own = [p for p in layer.parameters() if p.requires_grad]
            if own:
                self.node_ids.append(node_id)
                self.bounds.append((len(self.params), len(self.params) + len(own)))
                self.params.extend(own)
        self._zero = torch.zeros((), device=self.params[0].device) if self.params else None

    def __len__(self) -> int:
        return len(self.params)

    def grads(self) -> list[torch.Tensor]:
        """Every parameter's gradient, a zero for those that got none (parts the loss did not reach)."""
        grads = [p.grad for p in self.params]
        for g in grads:  # not ``None in grads``: that compares tensors with == and costs 30 µs each
            if g is None:
                return [self._zero if g is None else g for g in grads]
        return grads

    def by_node(self, per_tensor: list[float]) -> dict[str, float]:
        """Combine per-tensor L2 norms into each node's L2 norm over all its entries."""
        return {node_id: math.hypot(*per_tensor[start:stop])
                for node_id, (start, stop) in zip(self.node_ids, self.bounds)}

    def grad_norms(self) -> dict[str, float]:
        """Each node's gradient norm, on its own (the trainer folds this into its per-step copy)."""
        if not self.params:
            return {}
        return self.by_node(torch.stack(torch._foreach_norm(self.grads())).tolist())

    def weight_norms(self) -> dict[str, float]:
        """Each node's L2 norm over all its parameters."""
        if not self.params:
            return {}
        with torch.no_grad():
            return self.by_node(torch.stack(torch._foreach_norm([p.detach() for p in self.params])).tolist())


@contextmanager
def probing(module: nn.Module) -> Iterator[None]:
    """Eval mode, no autograd, and torch's RNG state put back afterwards."""
    was_training = module.training
    rng = torch.get_rng_state()
    module.eval()
    try:
        with torch.inference_mode():
            yield
    finally:
        torch.set_rng_state(rng)
        module.train(was_training)


@contextmanager
def hooked(module: nn.Module, node_ids: Iterable[str], record: Callable[[str, torch.Tensor], None]
           ) -> Iterator[None]:
    """Forward hooks calling ``record(node_id, output)`` on the given nodes, removed on leaving."""
    handles = []

    def hook_for(node_id: str):
        def hook(_layer, _inputs, output):
            if isinstance(output, torch.Tensor):
                record(node_id, output)
        return hook

    try:
        for node_id in node_ids:
            handles.append(module.layers[node_id].register_forward_hook(hook_for(node_id)))
        yield
    finally:
        for handle in handles:
            handle.remove()


def activation_stats(module: nn.Module, node_kinds: dict[str, str], x: torch.Tensor,
                     adjacency: torch.Tensor | None = None) -> dict[str, dict[str, float]]:
    """Mean, std and (where they apply) saturated and dead fractions of every node's output over ``x``.

    ``saturated``: the fraction of Sigmoid/Tanh outputs in the flat tails, where the slope is near
    zero. ``dead``: the fraction of ReLU units (output positions) that are zero for every sample of
    ``x``. A graph network gets its ``adjacency`` (``x`` is then every node). Call inside :func:`probing`.
    """
    keys: list[tuple[str, str, float]] = []  # node, statistic, factor applied on the host
    values: list[torch.Tensor] = []

    def record(node_id: str, out: torch.Tensor) -> None:
        # Kernels chosen for speed: mean and a norm instead of std_mean (four times slower on CPU),
        # an amax over the batch instead of all(); counts are scaled to fractions on the host.
        out = out.detach().float()
        n = out.numel()
        mean = out.mean()
        keys.extend(((node_id, "mean", 1.0), (node_id, "std", 1.0 / math.sqrt(n))))
        values.extend((mean, torch.linalg.vector_norm(out - mean)))
        kind = node_kinds.get(node_id)
        if kind == "Sigmoid":
            keys.append((node_id, "saturated", 1.0 / n))
            values.append(((out - 0.5).abs() > 0.5 - SIGMOID_SATURATED).sum(dtype=torch.float32))
        elif kind == "Tanh":
            keys.append((node_id, "saturated", 1.0 / n))
            values.append((out.abs() > TANH_SATURATED).sum(dtype=torch.float32))
        elif kind in RECTIFIER_KINDS:
            keys.append((node_id, "dead", len(out) / n))
            values.append((out.amax(dim=0) <= 0).sum(dtype=torch.float32))

    with hooked(module, node_kinds, record):
        module(x) if adjacency is None else module(x, adjacency=adjacency)
    stats: dict[str, dict[str, float]] = {}
    if values:
        for (node_id, name, factor), value in zip(keys, torch.stack(values).tolist()):
            stats.setdefault(node_id, {})[name] = value * factor
    return stats


def feature_maps(module: nn.Module, node_ids: list[str], sample: torch.Tensor) -> dict[str, np.ndarray]:
    """The outputs ``[C, H, W]`` of ``node_ids`` for one sample ``[1, ...]``, as float32 arrays.

    All maps come to the host in one copy. Call inside :func:`probing`.
    """
    outputs: dict[str, torch.Tensor] = {}

    def record(node_id: str, out: torch.Tensor) -> None:
        outputs[node_id] = out[0].detach()

    with hooked(module, node_ids, record):
        module(sample)
    if not outputs:
        return {}
    flat = torch.cat([o.reshape(-1).float() for o in outputs.values()]).cpu().numpy()
    maps, start = {}, 0
    for node_id, out in outputs.items():
        stop = start + out.numel()
        maps[node_id] = flat[start:stop].reshape(tuple(out.shape))
        start = stop
    return maps


class BoundaryGrid:
    """A ``size × size`` grid over the plane of a 2-D dataset, for drawing the decision boundary."""

    def __init__(self, points: np.ndarray, size: int = 60, margin: float = 0.1, device: str | torch.device = "cpu"):
        low, high = points.min(axis=0).astype(float), points.max(axis=0).astype(float)
        pad = np.maximum((high - low) * margin, 1e-3)
        low, high = low - pad, high + pad
        self.extent = (float(low[0]), float(high[0]), float(low[1]), float(high[1]))
        self.size = size
        xs = torch.linspace(low[0], high[0], size)
        ys = torch.linspace(low[1], high[1], size)
        gy, gx = torch.meshgrid(ys, xs, indexing="ij")  # rows run along y, columns along x
        self.points = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1).to(device)

    def values(self, module: nn.Module, num_classes: int | None) -> np.ndarray:
        """Probability of class 1 (two classes) or the predicted class index, as float32 ``[size, size]``.

        Row ``i`` is the ``i``-th y from ``y_min`` up, column ``j`` the ``j``-th x. Call inside
        :func:`probing`.
        """
        out = module(self.points)
        if num_classes == 2 and out.shape[-1] == 2:
            grid = torch.softmax(out.float(), dim=-1)[:, 1]
        elif out.shape[-1] == 1:
            grid = out[:, 0].float()
        else:
            grid = out.argmax(dim=-1).float()
        return grid.reshape(self.size, self.size).cpu().numpy().astype(np.float32, copy=False)
