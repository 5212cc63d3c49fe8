"""Checkpoints: a document and its networks' weights in one ``.pt`` file, loaded without running code.

The file is ``torch.save`` of a plain dict::

    {"format": "nn-explorer-checkpoint", "version": 1,
     "document": <the network file's JSON dict, as explorer.graph.fileformat writes it>,
     "state_dicts": {<output node id>: <that network's state dict, keys as build_module names them>}}

Written atomically (a temporary file, then ``os.replace``), read with ``torch.load(weights_only=True)``,
so a file can hold tensors, numbers, strings, lists and dicts but never code. Every refusal is a
:class:`CheckpointError` with one message naming the file and the reason.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from explorer.graph import fileformat
from explorer.graph.document import Document
from explorer.graph.errors import GraphError
from explorer.graph.spec import fmt

FORMAT = "nn-explorer-checkpoint"
VERSION = 1


class CheckpointError(Exception):
    """A checkpoint that cannot be read, is not one, or does not fit the document; ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Checkpoint:
    """A loaded checkpoint: the document it was saved with and the weights, by output node id."""

    document: Document
    state_dicts: dict[str, dict[str, torch.Tensor]]


def save_checkpoint(path: str | os.PathLike, document: Document, state_dicts: Mapping[str, Mapping[str, Any]]) -> None:
    """Write ``document`` and ``state_dicts`` ({output node id: state dict}) to ``path`` atomically."""
    path = Path(path)
    data = {"format": FORMAT, "version": VERSION, "document": fileformat.to_dict(document),
            "state_dicts": {oid: {k: v.detach().cpu() for k, v in sd.items()} for oid, sd in state_dicts.items()}}
    fileformat.write_atomically(path, lambda handle: torch.save(data, handle))


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Read a checkpoint; anything wrong raises :class:`CheckpointError`."""
    name = str(path)
    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols of foreign files: the error says it
            warnings.simplefilter("ignore")
            data = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise CheckpointError(f"{name}: is a folder, not a checkpoint") from None
    except Exception as error:  # noqa: BLE001  (torch raises many kinds for damaged or unsafe files)
        if "Unsupported global" in str(error):
            raise CheckpointError(f"{name}: holds Python objects other than weights, so it is not loaded "
                                  "(only nn-explorer checkpoints are read, never code)") from None
        raise CheckpointError(f"{name}: is not a readable checkpoint (damaged, or not a file torch.save "
                              f"wrote: {type(error).__name__})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{name}: is a PyTorch file but not an nn-explorer checkpoint (no "
                              f"\"format\": \"{FORMAT}\")")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CheckpointError(f"{name}: \"version\" must be a positive whole number")
    if version > VERSION:
        raise CheckpointError(f"{name}: was written by a newer version of the program (checkpoint version "
                              f"{version}; this one reads up to {VERSION}): please update")
    try:
        document = fileformat.from_dict(data.get("document"), source=name)
    except GraphError as error:
        raise CheckpointError(f"its document cannot be read: {error.message}") from None
    states = data.get("state_dicts")
    if not isinstance(states, dict) or not all(
            isinstance(oid, str) and isinstance(sd, dict)
            and all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in sd.items())
            for oid, sd in states.items()):
        raise CheckpointError(f"{name}: \"state_dicts\" must map output node ids to state dicts of tensors")
    for oid in states:
        if not document.has_node(oid):
            raise CheckpointError(f"{name}: holds weights for '{oid}', which its document does not have")
    return Checkpoint(document, states)


def structure_difference(saved: Document, current: Document) -> str | None:
    """What differs between two documents' structure (node ids, kinds, output shapes, wires), or None."""
    saved_ids, current_ids = [n.id for n in saved.nodes()], [n.id for n in current.nodes()]
    missing = [i for i in saved_ids if not current.has_node(i)]
    extra = [i for i in current_ids if not saved.has_node(i)]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"the checkpoint has {_names(missing)} which the network lacks")
        if extra:
            parts.append(f"the network has {_names(extra)} which the checkpoint lacks")
        return "; ".join(parts)
    saved_report, current_report = saved.infer(), current.infer()
    for node_id in saved_ids:
        a, b = saved.node(node_id), current.node(node_id)
        if a.kind != b.kind:
            return f"'{node_id}' is a {a.kind} in the checkpoint but a {b.kind} in the network"
        sa, sb = saved_report.nodes[node_id].output, current_report.nodes[node_id].output
        shape_a = None if sa is None else sa.shape
        shape_b = None if sb is None else sb.shape
        if shape_a != shape_b:
            return (f"'{node_id}' gives {fmt(shape_a) if shape_a is not None else 'no shape'} in the checkpoint but "
                    f"{fmt(shape_b) if shape_b is not None else 'no shape'} in the network")
    wires_a = {(e.src, e.dst, e.port) for e in saved.edges()}
    wires_b = {(e.src, e.dst, e.port) for e in current.edges()}
    if wires_a != wires_b:
        wire = sorted(wires_a ^ wires_b)[0]
        where = "checkpoint" if wire in wires_a else "network"
        return f"the wire '{wire[0]}' → '{wire[1]}' is only in the {where}"
    return None


def _names(ids: list[str], most: int = 3) -> str:
    shown = ", ".join(f"'{i}'" for i in ids[:most])
    return shown if len(ids) <= most else f"{shown} and {len(ids) - most} more"


def check_fits(checkpoint: Checkpoint, document: Document) -> None:
    """Refuse a checkpoint saved from another network, naming the first difference."""
    difference = structure_difference(checkpoint.document, document)
    if difference is not None:
        raise CheckpointError(f"the checkpoint was saved from another network: {difference}")


def load_state_dicts(networks: Mapping[str, torch.nn.Module], states: Mapping[str, Mapping[str, torch.Tensor]]
                     ) -> None:
    """Load ``states`` ({output node id: state dict}) into the networks with those outputs, all or none."""
    by_output = {m.output_id: m for m in networks.values()}
    for oid in states:
        if oid not in by_output:
            known = ", ".join(f"'{o}'" for o in by_output)
            raise CheckpointError(f"the checkpoint has weights for the network ending at '{oid}', but this run "
                                  f"trains {known}")
    backups = {oid: {k: v.detach().clone() for k, v in by_output[oid].state_dict().items()} for oid in states}
    try:
        for oid, state in states.items():
            by_output[oid].load_state_dict(state, strict=True)
    except (RuntimeError, KeyError) as error:
        for oid, backup in backups.items():
            by_output[oid].load_state_dict(backup)
        first = str(error).strip().splitlines()[0]
        raise CheckpointError(f"the checkpoint's weights do not fit the network: {first[:200]}") from None


def apply_checkpoint(target, checkpoint: Checkpoint, document: Document) -> None:
    """Put a checkpoint's weights into a :class:`~explorer.training.trainer.Trainer` (or a dict of networks by
    role) training ``document``; a checkpoint of another document is refused and nothing changes."""
    check_fits(checkpoint, document)
    networks = getattr(target, "networks", target)
    load_state_dicts(networks, checkpoint.state_dicts)
