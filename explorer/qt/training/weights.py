"""Trained weights the panel keeps between runs: every network's state dict, by its output node id.

A run that ended well, or a checkpoint loaded from a file, leaves a :class:`TrainedWeights`; the
next Train starts from it (``Trainer(..., initial_state=...)``) while the network is the one they
were trained for: the same document at the same version (any change that can alter a shape bumps it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class TrainedWeights:
    document: Any                       # the Document they belong to
    version: int                        # its version when they were taken
    state_dicts: dict[str, dict]        # output node id -> that network's state dict (CPU tensors)
    steps: int = 0                      # steps they were trained for, here or before a checkpoint
    source: str = "run"                 # "run" or "checkpoint"

    def fit(self, document) -> bool:
        """True when they are weights of ``document`` as it is now."""
        return self.document is document and self.version == document.version


def state_dicts_of(trainer) -> dict[str, dict]:
    """Every network of ``trainer`` as {output node id: state dict}, detached copies on the CPU."""
    state_dicts = getattr(trainer, "state_dicts", None)
    if callable(state_dicts):
        return state_dicts()
    module = trainer.module
    output = getattr(module, "output_id", None) or "model"
    return {output: {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}}
