"""Checks made once, when a trainer is made, so that a bad network, dataset or device never starts training."""

from __future__ import annotations

import math

import torch
from torch import nn

from explorer.data import DatasetError
from explorer.data.dataset import CLASSIFICATION  # one definition, the datasets'
from explorer.graph.catalogue import get_kind
from explorer.graph.errors import BuildError, GraphError
from explorer.graph.spec import fmt

from .settings import SettingsError


def check_device(device: str | torch.device) -> torch.device:
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise SettingsError(f"unknown device {device!r}; use cpu or cuda", "device") from None
    if device.type not in ("cpu", "cuda"):
        raise SettingsError(f"unknown device {str(device)!r}; use cpu or cuda", "device")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SettingsError("device 'cuda' was asked for but no CUDA GPU is available; use --device cpu",
                            "device")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise SettingsError(f"device {str(device)!r} was asked for but this machine has "
                            f"{torch.cuda.device_count()} CUDA GPU(s)", "device")
    return device


def check_one_input(module, role: str = "network") -> None:
    if len(module.input_ids) != 1:
        names = ", ".join(f"'{i}'" for i in module.input_ids)
        the = "the network" if role == "network" else f"the {role}"
        raise BuildError([GraphError(f"{the} has {len(module.input_ids)} Inputs ({names}); training "
                                     "feeds one dataset, so it needs exactly one Input", module.output_id)])


def check_output(dataset, output_id: str, shape: tuple[int, ...]) -> None:
    """Refuse a network whose output cannot be compared with the dataset's targets."""
    if dataset.task == CLASSIFICATION and getattr(dataset, "per_position", False):
        k, t = dataset.num_classes, int(dataset.y_train.shape[1])
        if shape != (t, k):
            raise DatasetError(f"dataset '{dataset.name}' has a target at each of its {t} positions, one of {k} "
                               f"classes, so the network's output needs shape [{t}, {k}] (scores per position), "
                               f"but '{output_id}' gives {fmt(shape)}; keep the sequence (recurrent layers "
                               f"with returns 'sequence') and end with Linear({k})")
        return
    if dataset.task == CLASSIFICATION:
        k = dataset.num_classes
        if shape != (k,):
            raise DatasetError(f"dataset '{dataset.name}' has {k} classes, so the network's output needs shape "
                               f"[{k}] (one score per class), but '{output_id}' gives {fmt(shape)}; set its "
                               f"size to {k}")
        return
    target = tuple(int(s) for s in dataset.y_train.shape[1:])
    if shape != target:
        raise DatasetError(f"dataset '{dataset.name}' has targets of shape {fmt(target)} but the network's output "
                           f"'{output_id}' gives {fmt(shape)}; make them match")


def is_sequence_dataset(dataset) -> bool:
    """Whether ``dataset``'s samples are sequences: token ids [T], or steps of features [T, F] (adding)."""
    if getattr(dataset, "per_position", False):
        return True
    rank = len(dataset.sample_shape)
    return rank == 1 if dataset.input_dtype == "token ids" else rank == 2


def check_sequence_input(dataset, input_shape, input_dtype: str) -> None:
    """Refuse a sequence dataset on a network whose Input is not a sequence, saying what Input it needs."""
    if not is_sequence_dataset(dataset):
        return
    shape, given = [int(s) for s in input_shape], list(dataset.sample_shape)
    tokens = dataset.input_dtype == "token ids"
    if len(shape) == len(given) and input_dtype == dataset.input_dtype:
        return  # the sizes themselves are check_sample_shape's to judge
    if tokens:
        need = (f"a sequence of {given[0]} token ids: set the Input's shape to {given} and its dtype to "
                "token ids, and follow it with an Embedding")
    else:
        need = f"a sequence of {given[0]} steps of {given[1]} values: set the Input's shape to {given}"
    raise DatasetError(f"dataset '{dataset.name}' is a sequence task, but the network's Input takes "
                       f"{_input_words(shape, input_dtype)}, not a sequence; it needs {need}")


def _input_words(shape: list[int], dtype: str) -> str:
    what = "token ids" if dtype == "token ids" else "values"
    return f"{what} of shape {fmt(tuple(shape))}"


def check_token_range(document, module, dataset) -> None:
    """Refuse token ids an Embedding cannot look up: the dataset's largest id must be below its vocabulary."""
    if dataset.input_dtype != "token ids" or not len(dataset.x_train):
        return
    largest = int(max(dataset.x_train.max(), dataset.x_val.max() if len(dataset.x_val) else 0))
    for node_id in module.order:
        node = document.node(node_id)
        if node.kind == "Embedding" and largest >= node.params["num_embeddings"]:
            size = node.params["num_embeddings"]
            raise DatasetError(f"dataset '{dataset.name}' has token ids from 0 to {largest}, but Embedding "
                               f"'{node_id}' has num_embeddings {size} (ids 0 to {size - 1}); set "
                               f"num_embeddings to at least {largest + 1}")


def graph_layers(document, module) -> list[str]:
    """The ids of the layers of ``module`` that read the graph's adjacency (GraphConv)."""
    return [n for n in module.order if get_kind(document.node(n).kind).needs_adjacency]


def check_no_graph_layers(document, module, dataset, task: str) -> None:
    """Refuse GraphConv where no adjacency will come: a dataset without a graph, or a task that is not node
    classification."""
    layers = graph_layers(document, module)
    if not layers:
        return
    node = layers[0]
    if dataset.graph is None:
        raise BuildError([GraphError(
            f"GraphConv '{node}' mixes each node with its neighbours, so it needs a graph dataset (karate, sbm), "
            f"but dataset '{dataset.name}' has no graph; choose a graph dataset or use Linear instead", node)])
    raise BuildError([GraphError(
        f"GraphConv '{node}' needs the graph's adjacency, which only the node_classification task hands it; "
        f"set the task to auto or node_classification (it is {task})", node)])


_DROPOUT_TYPES = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.FeatureAlphaDropout)


def is_stochastic(module: nn.Module) -> bool:
    """Whether a training step draws random numbers (dropout anywhere), so the trainer keeps its own RNG."""
    for m in module.modules():
        if isinstance(m, _DROPOUT_TYPES) and m.p > 0:
            return True
        if isinstance(m, (nn.MultiheadAttention, nn.RNNBase)) and m.dropout > 0:
            return True
    return False


HUGE_FIRST_LOSS = 1e4  # a fresh network's cross-entropy is near ln(classes); 1e4 means overflowing outputs


def diverged_message(step: int, loss: float, lr: float, *, first_loss: float | None = None, init: str = "default",
                     init_std: float = 0.02) -> str:
    """Why training stopped, naming the likely cause from what was seen.

    A loss that was already non-finite or huge on the first batch (before any update) points at the
    initial weights or the data, not the learning rate; one that went bad later points at the
    learning rate. ``first_loss`` is the loss of step 1 (None: not known).
    """
    what = "NaN" if math.isnan(loss) else "infinite"
    head = f"training diverged at step {step}: the loss became {what}."
    if step == 1 or (first_loss is not None and not math.isfinite(first_loss)):
        return (f"training diverged at step 1: the loss was already {what} on the first batch, before any "
                f"update, so the learning rate is not the cause. {_start_fix(init, init_std)}")
    if first_loss is not None and first_loss >= HUGE_FIRST_LOSS:
        return (f"{head} It was already {first_loss:.3g} on the first batch, before any update: the initial "
                f"weights give huge outputs and the learning rate only finished the job. {_start_fix(init, init_std)}")
    return f"{head} The learning rate ({lr:g}) is probably too high; try a smaller one, such as {lr / 10:g}"


def _start_fix(init: str, init_std: float) -> str:
    if init == "normal":
        return (f"The initialisation (normal, std {init_std:g}) is probably too large; try a smaller std, such as "
                f"{init_std / 10:g}, or the PyTorch default")
    named = {"default": "PyTorch's default", "xavier": "Xavier", "he": "He"}.get(init, init)
    return (f"With {named} initialisation that points at the network (a layer whose outputs overflow) or "
            f"at data with very large values")
