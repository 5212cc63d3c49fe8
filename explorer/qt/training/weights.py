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
    source: str = "run"                 # "run", "checkpoint", or "transfer" (another network's: only the
                                        # layers whose ids and shapes match load, at the next Train)
    start: dict | None = None           # the seed and initialisation in the form when they were taken
    label: str = ""                     # a transfer's source, for its report

    def fit(self, document) -> bool:
        """True when they are weights of ``document`` as it is now (or, for a transfer, are for it)."""
        return self.document is document and self.version == document.version

    @property
    def own(self) -> bool:
        """True for the network's own weights (a run's, a checkpoint's), not a transfer still to load."""
        return self.source != "transfer"


START_KEYS = ("seed", "init", "init_std")  # what the first weights of a run depend on


def start_of(settings: dict) -> dict:
    """The settings that decide a fresh run's initial weights, from a training section."""
    from explorer.training.settings import completed

    full = completed(settings) if isinstance(settings, dict) else {}
    return {key: full.get(key) for key in START_KEYS}


def state_dicts_of(trainer) -> dict[str, dict]:
    """Every network of ``trainer`` as {output node id: state dict}, detached copies on the CPU."""
    state_dicts = getattr(trainer, "state_dicts", None)
    if callable(state_dicts):
        return state_dicts()
    module = trainer.module
    output = getattr(module, "output_id", None) or "model"
    return {output: {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}}
