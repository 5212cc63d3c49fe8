"""Mini-batches of in-memory tensors: a seeded permutation per epoch, indexed directly.

No DataLoader: for data that already sits in memory as tensors, indexing with a permutation is much
faster than collating samples one by one, and the batch size may change between any two batches.
"""

from __future__ import annotations

import torch


def batches_per_epoch(n: int, batch_size: int) -> int:
    """How many batches :class:`BatchSampler` cuts ``n`` samples into."""
    full, rest = divmod(n, batch_size)
    if rest == 1 and full:  # a lone last sample joins the batch before it
        return full
    return full + (1 if rest else 0)


class BatchSampler:
    """Index batches over ``n`` samples, each epoch in a fresh order drawn from its own generator.

    A lone sample left at the end of an epoch joins the batch before it, so batch normalisation
    never sees a batch of one.
    """

    def __init__(self, n: int, seed: int, device: torch.device | str = "cpu"):
        if n < 1:
            raise ValueError("no training samples")
        self.n = n
        self.generator = torch.Generator().manual_seed(seed)
        self.device = torch.device(device)
        self.epoch = 0        # epochs started
        self._order = torch.empty(0, dtype=torch.long)
        self._pos = n         # at the end of the (not yet started) epoch 0

    def next(self, batch_size: int) -> tuple[torch.Tensor, int, bool]:
        """``(indices, epoch, ends_epoch)``: the next batch, its 1-based epoch, whether it is the last."""
        if self._pos >= self.n:
            self._order = torch.randperm(self.n, generator=self.generator).to(self.device)
            self._pos = 0
            self.epoch += 1
        start = self._pos
        stop = start + batch_size
        if self.n - stop == 1:
            stop = self.n
        stop = min(stop, self.n)
        self._pos = stop
        return self._order[start:stop], self.epoch, stop >= self.n

    def remaining_in_epoch(self, batch_size: int) -> int:
        """Batches left in the current epoch at ``batch_size``."""
        left = self.n - self._pos
        return batches_per_epoch(left, batch_size) if left > 0 else 0
