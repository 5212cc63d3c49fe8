"""One copy to the host per step: every number a step reports, gathered into one preallocated buffer."""

from __future__ import annotations

import torch

_FOREACH_COPY = getattr(torch, "_foreach_copy_", None)


class HostGather:
    """Copies a step's scalars (losses, per-tensor gradient norms, counts) to the host in one go.

    One batched ``_foreach_copy_`` into views of one preallocated buffer, which comes to the host in
    one copy: the same as a stack, without allocating. Older torch without ``_foreach_copy_``
    stacks instead. The number of parts must be the ``size`` given.
    """

    def __init__(self, size: int, device: torch.device):
        self.buffer = torch.zeros(size, device=device)
        self._views = list(self.buffer.unbind())

    def __call__(self, parts: list[torch.Tensor]) -> list[float]:
        if _FOREACH_COPY is not None:
            _FOREACH_COPY(self._views, parts)
            return self.buffer.tolist()
        return torch.stack(parts).tolist()  # older torch: the same single copy, through a stack
