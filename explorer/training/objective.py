"""What training minimises (cross-entropy for classification, mean squared error for regression),
and the validation passes that measure it on held-out samples."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable

import torch
from torch.nn import functional as F

from explorer.data.dataset import CLASSIFICATION  # one definition, the datasets'

from .probes import probing


def loss_function(task: str):
    """The loss for ``task``: ``loss(output, target) -> scalar tensor``."""
    return F.cross_entropy if task == CLASSIFICATION else F.mse_loss


@torch.inference_mode()
def evaluate(module: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, task: str,
             chunk: int = 512, before_chunk: Callable[[int], None] | None = None) -> tuple[float, float | None]:
    """Mean loss and accuracy (classification only) of ``module`` over all of ``x``, in eval mode.

    The caller switches the module to eval mode; this only runs the forward passes, in chunks of
    ``chunk`` samples, and copies two numbers to the host. ``before_chunk(i)`` (if given) is called
    before chunk ``i`` and once more after the last, with ``i`` the number of chunks.
    """
    classification = task == CLASSIFICATION
    loss_sum = torch.zeros((), dtype=torch.float64, device=x.device)
    correct = torch.zeros((), dtype=torch.float64, device=x.device)
    starts = range(0, len(x), chunk)
    for index, start in enumerate(starts):
        if before_chunk is not None:
            before_chunk(index)
        xb, yb = x[start:start + chunk], y[start:start + chunk]
        out = module(xb)
        if classification:
            loss_sum += F.cross_entropy(out, yb, reduction="sum")
            correct += (out.argmax(1) == yb).sum()
        else:
            loss_sum += F.mse_loss(out, yb, reduction="sum") / out[0].numel()
    loss, right = torch.stack([loss_sum, correct]).tolist()  # waits for a GPU's last chunk
    if before_chunk is not None:
        before_chunk(len(starts))
    n = len(x)
    return loss / n, (right / n if classification else None)


CHUNK_BYTES = 32 << 20  # every activation of one chunk, summed: fitted to the measurements below


def validation_chunk(activation_numbers: int, most: int = 512, least: int = 32) -> int:
    """Samples per forward pass in validation, for a network whose activations (every node's
    output, summed) hold ``activation_numbers`` numbers per sample: the largest power of two that
    keeps a chunk's within ``CHUNK_BYTES``.

    A whole validation set at once is slower when its activations outgrow the CPU's caches.
    Measured on 2 cores, best of 20 passes: ``resnet-digits`` (137 KB per sample, 359 samples)
    11.7 ms in chunks of 128 against 16.6 ms in one pass; ``lenet-shapes`` (62 KB, 1,200 samples)
    27.6 ms at 128, 29.3 ms at 512; ``cnn-digits`` (15 KB) fastest at 512 (1.1 ms).
    """
    fits = CHUNK_BYTES // max(1, 4 * activation_numbers)
    chunk = least
    while chunk * 2 <= min(fits, most):
        chunk *= 2
    return chunk


class Validator:
    """Validation passes over ``x``/``y``, each in eval mode, in the faster of two memory layouts.

    On the CPU, max pooling after a convolution runs about three times faster channels-last (its
    kernel is vectorised over channels), which halves validation of 28x28 image networks, while
    on 8x8 images the conversion costs more than it saves. So the first passes try both: their
    chunks alternate between the layouts and each chunk is timed (the first chunk in each layout
    warms up and is not counted); once each layout has ``TIMINGS`` chunks timed, every later pass
    keeps the one with the lower median time per sample. Trying chunk by chunk rather than pass by
    pass spends about one pass instead of two whole passes in the slower layout. Parameters are
    converted for a chunk and back, value for value, so training never notices. Networks without
    convolution weights keep the default layout.

    The passes go in chunks of ``chunk`` samples (see :func:`validation_chunk`): a whole
    validation set at once is slower when its activations outgrow the CPU's cache.
    """

    LAYOUTS = (torch.contiguous_format, torch.channels_last)
    TIMINGS = 2            # chunks timed in each layout before choosing
    MOST_TRIAL_PASSES = 6  # a validation set of one chunk times one layout a pass

    def __init__(self, module: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, task: str, chunk: int = 512):
        self.module, self.x, self.y, self.task, self.chunk = module, x, y, task, chunk
        has_conv = any(p.dim() == 4 for p in module.parameters())
        self.layouts = self.LAYOUTS if has_conv else self.LAYOUTS[:1]
        self.timings: dict[torch.memory_format, list[float]] = {f: [] for f in self.layouts}  # s per sample
        self._warmed: set[torch.memory_format] = set()
        self._passes = 0

    @property
    def trying(self) -> bool:
        """True while the passes still time both layouts."""
        return (len(self.layouts) > 1 and self._passes < self.MOST_TRIAL_PASSES
                and any(len(t) < self.TIMINGS for t in self.timings.values()))

    @property
    def layout(self) -> torch.memory_format:
        """The layout of the passes after the trials: the one whose chunks took least per sample."""
        def cost(layout) -> float:
            times = self.timings[layout]
            return statistics.median(times) if times else math.inf

        return min(self.layouts, key=cost)

    def __call__(self) -> tuple[float, float | None]:
        try:
            with probing(self.module):
                if self.trying:
                    return evaluate(self.module, self.x, self.y, self.task, chunk=self.chunk,
                                    before_chunk=self._trial(self._passes))
                layout = self.layout
                self._set_layout(layout)
                return evaluate(self.module, self.x, self.y, self.task, chunk=self.chunk)
        finally:
            self._set_layout(torch.contiguous_format)
            self._passes += 1

    def _set_layout(self, layout: torch.memory_format) -> None:
        if len(self.layouts) > 1:
            # Outside inference mode even between chunks: parameters converted in it could not train.
            with torch.inference_mode(False):
                self.module.to(memory_format=layout)

    def _trial(self, offset: int) -> Callable[[int], None]:
        """A ``before_chunk`` that times each chunk and switches the layout between chunks."""
        layouts, n, chunk = self.layouts, len(self.x), self.chunk
        running: list = []  # (layout, chunk's first sample, started) of the chunk under way

        def before_chunk(index: int) -> None:
            now = time.perf_counter()
            if running:
                layout, start, started = running.pop()
                if layout in self._warmed:
                    self.timings[layout].append((now - started) / (min(start + chunk, n) - start))
                self._warmed.add(layout)
            if index * chunk < n:
                layout = layouts[(index + offset) % len(layouts)]
                self._set_layout(layout)
                running.append((layout, index * chunk, time.perf_counter()))

        return before_chunk
