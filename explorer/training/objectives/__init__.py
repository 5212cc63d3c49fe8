"""Objectives: what one training step does and what it reports, one module per kind of learning.

``make_objective`` picks the objective the settings' ``task`` names; ``auto`` takes node
classification for a graph dataset, per-position sequence classification for a dataset with a
target at every position (copy, reverse, sort) and supervised learning otherwise.
"""

from __future__ import annotations

from .base import Batch, Evaluation, Objective, ProbeTarget, StepResult
from .supervised import Supervised

__all__ = ["Batch", "Evaluation", "Objective", "ProbeTarget", "StepResult", "OBJECTIVES", "make_objective",
           "resolve_task"]


def _objectives() -> dict[str, type[Objective]]:
    from .adversarial import Adversarial
    from .node_classification import NodeClassification
    from .reconstruction import Reconstruction
    from .sequence import SequenceClassification

    return {cls.name: cls for cls in (Supervised, Reconstruction, Adversarial, NodeClassification,
                                      SequenceClassification)}


def resolve_task(task: str, dataset) -> str:
    """The objective's name for the ``task`` setting: ``auto`` chooses from the dataset."""
    if task == "auto":
        if dataset.graph is not None:
            return "node_classification"
        return "sequence" if getattr(dataset, "per_position", False) else "supervised"
    return task


def make_objective(document, settings, dataset, device, output: str | None = None) -> Objective:
    """The objective the settings' ``task`` names, its networks built and initialised from torch's RNG."""
    objectives = _objectives()
    return objectives[resolve_task(settings.task, dataset)](document, settings, dataset, device, output=output)


def __getattr__(name: str):
    if name == "OBJECTIVES":
        return _objectives()
    raise AttributeError(name)
