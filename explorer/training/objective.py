"""What training minimises (cross-entropy for classification, mean squared error for regression),
and the validation passes that measure it on held-out samples."""

from __future__ import annotations

import time

import torch
from torch.nn import functional as F

from explorer.data.dataset import CLASSIFICATION  # one definition, the datasets'

from .probes import probing


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
    on 8x8 images the conversion costs more than it saves. So the first passes alternate between
    the two (the first pass of all is slowed by warming up, hence more than one each) and the rest
    keep the faster. Parameters are converted for the pass and back, value for value, so training
    never notices. Networks without convolution weights keep the default layout.

    The passes go in chunks of ``chunk`` samples (see :func:`validation_chunk`): a whole
    validation set at once is slower when its activations outgrow the CPU's cache.
    """

    LAYOUTS = (torch.contiguous_format, torch.channels_last)
    TRIALS = 2  # passes per layout before choosing

    def __init__(self, module: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, task: str, chunk: int = 512):
        self.module, self.x, self.y, self.task, self.chunk = module, x, y, task, chunk
        has_conv = any(p.dim() == 4 for p in module.parameters())
        self.layouts = self.LAYOUTS if has_conv else self.LAYOUTS[:1]
        self.fastest: dict[torch.memory_format, float] = {f: float("inf") for f in self.layouts}  # seconds
        self._passes = 0

    @property
    def layout(self) -> torch.memory_format:
        """The layout the next pass uses: in turn while trying, then the one with the fastest pass."""
        if self._passes < self.TRIALS * len(self.layouts):
            return self.layouts[self._passes % len(self.layouts)]
        return min(self.layouts, key=self.fastest.__getitem__)

    def __call__(self) -> tuple[float, float | None]:
        layout = self.layout
        started = time.perf_counter()
        converted = layout is not torch.contiguous_format
        if converted:
            self.module.to(memory_format=layout)
        try:
            with probing(self.module):
                result = evaluate(self.module, self.x, self.y, self.task, chunk=self.chunk)
        finally:
            if converted:
                self.module.to(memory_format=torch.contiguous_format)
        self.fastest[layout] = min(self.fastest[layout], time.perf_counter() - started)
        self._passes += 1
        return result
