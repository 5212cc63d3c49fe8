"""Transfer learning: weights of another network (a checkpoint, an earlier run) into the layers of this
one whose node ids and shapes match, with a report of what loaded and what did not.

Weights are matched layer by layer, by node id: a layer loads when the source has a layer of that id
with the same tensors (names and shapes); every other layer keeps its fresh initial weights. A
source that fits no layer at all is refused (:class:`CheckpointError`) and nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import torch
from torch import nn

from explorer.graph.spec import fmt

from .checkpoint import CheckpointError

LAYER_PREFIX = "layers."


@dataclass
class TransferReport:
    """What a transfer did: the layers loaded, those not loaded and why, the source's unused layers."""

    loaded: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)   # node id -> why it kept its fresh weights
    unused: list[str] = field(default_factory=list)         # source layers this network has no place for

    def summary(self, source: str = "the checkpoint") -> str:
        """One paragraph for a student: what loaded, what did not and why."""
        total = len(self.loaded) + len(self.skipped)
        parts = [f"Loaded {', '.join(self.loaded) or 'no layer'} ({len(self.loaded)} of {total} layers with "
                 f"weights) from {source}"]
        if self.skipped:
            parts.append("Fresh: " + "; ".join(f"{n} ({why})" for n, why in self.skipped.items()))
        if self.unused:
            parts.append(f"Unused: {', '.join(self.unused)}")
        return ". ".join(parts) + "."


def source_layers(state_dicts: Mapping[str, Mapping[str, torch.Tensor]]) -> dict[str, dict[str, torch.Tensor]]:
    """Every layer's tensors by node id ({node id: {"weight": t, ...}}) from checkpoint-style state dicts
    ({output node id: {"layers.<node id>.<name>": tensor}}); node ids are unique within a document."""
    layers: dict[str, dict[str, torch.Tensor]] = {}
    for state in state_dicts.values():
        for key, tensor in state.items():
            if key.startswith(LAYER_PREFIX) and "." in key[len(LAYER_PREFIX):]:
                node_id, name = key[len(LAYER_PREFIX):].split(".", 1)
                layers.setdefault(node_id, {})[name] = tensor
    return layers


def _why_not(own: Mapping[str, torch.Tensor], theirs: Mapping[str, torch.Tensor] | None) -> str | None:
    if theirs is None:
        return "not in the source"
    if set(own) != set(theirs):
        return "its tensors differ: " + ", ".join(sorted(set(own) ^ set(theirs)))
    for name, tensor in own.items():
        if tuple(tensor.shape) != tuple(theirs[name].shape):
            return f"{name} is {fmt(tuple(theirs[name].shape))} in the source, {fmt(tuple(tensor.shape))} here"
    return None


def plan_transfer(networks: Mapping[str, nn.Module], state_dicts: Mapping[str, Mapping[str, torch.Tensor]]
                  ) -> TransferReport:
    """What :func:`transfer_weights` would load into ``networks`` (by role, ``GraphModule`` each), changing nothing."""
    theirs = source_layers(state_dicts)
    report, seen = TransferReport(), set()
    for module in networks.values():
        for node_id, layer in module.layers.items():
            own = layer.state_dict()
            if not own or node_id in seen:
                continue
            seen.add(node_id)
            why = _why_not(own, theirs.get(node_id))
            if why is None:
                report.loaded.append(node_id)
            else:
                report.skipped[node_id] = why
    report.unused = [n for n in theirs if n not in seen]
    return report


@torch.no_grad()
def transfer_weights(networks: Mapping[str, nn.Module], state_dicts: Mapping[str, Mapping[str, torch.Tensor]],
                     source: str = "the checkpoint") -> TransferReport:
    """Copy the matching layers of ``state_dicts`` into ``networks``; the others keep their weights.

    A source with no layer that fits raises :class:`CheckpointError` naming what was compared, and
    nothing changes.
    """
    report = plan_transfer(networks, state_dicts)
    if not report.loaded:
        detail = "; ".join(f"{n}: {why}" for n, why in list(report.skipped.items())[:4])
        raise CheckpointError(f"no layer of {source} fits this network (a layer loads when its node id and "
                              f"its weights' shapes match){': ' + detail if detail else ''}. Nothing was changed")
    theirs = source_layers(state_dicts)
    loaded = set(report.loaded)
    for module in networks.values():
        for node_id, layer in module.layers.items():
            if node_id in loaded:
                for name, tensor in layer.state_dict(keep_vars=True).items():
                    tensor.copy_(theirs[node_id][name].to(tensor.device, tensor.dtype))
    return report
