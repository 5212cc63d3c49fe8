"""A network as one standalone PyTorch script: the module, its data beside it, and a training loop.

The module is written from each layer's :class:`~explorer.graph.catalogue.ModuleSpec`, the same
declaration the explorer builds from, so the two are the same network: its submodules sit in a
``ModuleDict`` named ``layers`` under their node ids, and its ``state_dict`` keys equal those of
:func:`~explorer.graph.build.build_module` (``layers.conv1.weight``), so the explorer's weights and
checkpoints load into it. Layers without weights or state (ReLU, Flatten, Add...) are written as
expressions in ``forward``, as a person would write them.
"""

from __future__ import annotations

import inspect
import json
import keyword
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..graph import modules
from ..graph.build import choose_output, network_nodes
from ..graph.catalogue import ModuleSpec, get_kind
from ..graph.document import Document
from ..graph.errors import BuildError, GraphError
from ..graph.spec import fmt
from .errors import ExportError
from .files import write_atomically
from .template import TRAINING

HEADER = '''"""{title}, exported from Neural Network Explorer.

{description}
Train on one process:   python {script} [--steps N | --epochs N] [--lr X] [--device cpu|cuda] [--save weights.pt]
Train on N processes:   torchrun --standalone --nproc_per_node=N {script} [the same options]
{data_line}
Needs only torch and numpy.
"""

from __future__ import annotations

import argparse
{math_import}import os
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn import functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset
'''

_NAMES_IN_SCRIPT = {"self", "layers", "torch", "nn", "F", "np", "dist", "math", "os", "argparse", "Path"}


@dataclass(frozen=True)
class ModuleCode:
    """The module's class (and the helper classes it needs) as source text."""

    class_name: str
    source: str
    input_ids: list[str]
    output_id: str
    uses_math: bool


def class_name_for(name: str) -> str:
    """A class name from a document's name: ``"LeNet-5 on shapes"`` gives ``LeNet5OnShapes``."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words)
    if not text or text[0].isdigit():
        text = "Net" + text
    return text


def _variable_names(ids: list[str], single_input: str | None) -> dict[str, str]:
    names: dict[str, str] = {}
    taken: set[str] = set()
    for node_id in ids:
        base = "x" if node_id == single_input else re.sub(r"\W", "_", node_id)
        if keyword.iskeyword(base) or base in _NAMES_IN_SCRIPT:
            base += "_"
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        names[node_id] = name
    return names


def _helper_classes(spec: ModuleSpec, found: list[str]) -> None:
    if not spec.factory.startswith("nn.") and spec.factory not in found:
        found.append(spec.factory)
    for value in (*spec.args, *spec.kwargs.values()):
        if isinstance(value, ModuleSpec):
            _helper_classes(value, found)


def module_code(doc: Document, output: str | None = None, class_name: str | None = None) -> ModuleCode:
    """The ``nn.Module`` class of the network ending at ``output``, as source; :class:`ExportError` if impossible."""
    try:
        output = choose_output(doc, output)
    except (BuildError, GraphError) as error:
        raise ExportError(_first_message(error)) from None
    members = network_nodes(doc, output)
    report = doc.infer()
    errors = [e for e in report.errors if e.node_id in members]
    if errors:
        raise ExportError(f"the network cannot be built: {errors[0].message}")
    order = [n for n in doc.topological_order() if n in members]
    input_ids = [n for n in order if get_kind(doc.node(n).kind).max_inputs == 0]
    if not input_ids:
        raise ExportError("the network has no Input")
    names = _variable_names(order, input_ids[0] if len(input_ids) == 1 else None)
    class_name = class_name or class_name_for(doc.name)

    constructors: list[str] = []
    forward: list[str] = []
    helpers: list[str] = []
    for node_id in order:
        if node_id in input_ids:
            continue
        node = doc.node(node_id)
        kind = get_kind(node.kind)
        if kind.spec is None or kind.needs_adjacency:
            raise ExportError(f"{node.kind} '{node_id}' cannot be written out as a script yet")
        info = report.nodes[node_id]
        spec = kind.spec(node.params, list(info.inputs))
        args = [names[e.src] for e in doc.inputs_of(node_id)]
        if spec.inline is not None:
            expression = spec.inline(args)
        else:
            _helper_classes(spec, helpers)
            key = f'"{node_id}"'  # ids hold only letters, digits, '_' and '-'
            constructors.append(f"            {key}: {spec.code()},")
            access = f"self.layers.{node_id}" if node_id.isidentifier() and not keyword.iskeyword(node_id) \
                else f"self.layers[{key}]"
            expression = f"{access}({', '.join(args)})"
        forward.append(f"        {names[node_id]} = {expression}  # {fmt(info.output.shape)}")

    inputs = ", ".join(names[i] for i in input_ids)
    shapes = ", ".join(f"{names[i]} {fmt(report.nodes[i].output.shape)}" for i in input_ids)
    total = report.total_params if len(members) == len(doc) else sum(report.nodes[n].params or 0 for n in members)
    lines = [f"class {class_name}(nn.Module):",
             f'    """{doc.name or class_name}: {total:,} parameters. Input {shapes}, batch first."""',
             "",
             "    def __init__(self):",
             "        super().__init__()",
             "        # named by node id, as in the explorer, so its weights and checkpoints load here",
             "        self.layers = nn.ModuleDict({",
             *constructors,
             "        })",
             "",
             f"    def forward(self, {inputs}):",
             *forward,
             f"        return {names[output]}"]
    helper_source = [textwrap.dedent(inspect.getsource(getattr(modules, h))) for h in helpers]
    source = "\n\n".join(helper_source + ["\n".join(lines) + "\n"])
    return ModuleCode(class_name, source, input_ids, output, "PositionalEncoding" in helpers)


def _first_message(error: Exception) -> str:
    if isinstance(error, BuildError):
        return error.errors[0].message
    return getattr(error, "message", str(error))


@dataclass(frozen=True)
class ExportedScript:
    script: Path
    data: Path | None
    notes: list[str]


@dataclass(frozen=True)
class Objective:
    """What the script's loop minimises: a loss by name, against the labels or the input itself."""

    loss: str                  # cross_entropy | per_position_cross_entropy | mse | bce | bce_logits
    reconstruction: bool
    not_trainable: str = ""    # why the loop cannot train this network (a GAN, a graph network)


def script_text(doc: Document, code: ModuleCode, script_name: str, values: dict, objective: Objective,
                data_line: str) -> str:
    """The whole script: header, helpers and module, settings (``values``), then the training loop."""
    description = textwrap.fill(doc.description, 96) + "\n" if doc.description else ""
    header = HEADER.format(title=doc.name or code.class_name, description=description, script=script_name,
                           data_line=data_line, math_import="import math\n" if code.uses_math else "")
    keep = ("optimizer", "lr", "momentum", "weight_decay", "batch_size", "epochs", "seed", "init", "init_std")
    settings_lines = ["SETTINGS = {"] + [f"    {_literal(k)}: {_literal(values[k])}," for k in keep] + ["}"]
    constants = "\n".join([
        "MODEL = " + code.class_name,
        f"OUTPUT = {_literal(code.output_id)}  # the output node, naming the weights in an nn-explorer checkpoint",
        f"LOSS = {_literal(objective.loss)}",
        f"RECONSTRUCTION = {objective.reconstruction!r}  # the target is the input itself (an autoencoder)",
        f"NOT_TRAINABLE = {_literal(objective.not_trainable)}",
        "DATA = Path(__file__).with_suffix(\".npz\")",
        "# the document's training settings (the dataset is in DATA)",
        *settings_lines,
    ])
    return "\n".join([header, "", code.source, "", constants, "", "", TRAINING.strip("\n"), ""])


def _literal(value) -> str:
    """Python source for a settings value, strings in double quotes as the rest of the script."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _objective(doc: Document, code: ModuleCode, settings, dataset) -> Objective:
    """The settings' task as the script's loss; adversarial and graph tasks are not in its loop."""
    from ..data.dataset import CLASSIFICATION

    task = settings.task
    if task == "auto":
        task = "node_classification" if getattr(dataset, "graph", None) is not None else "supervised"
        if task == "supervised" and getattr(dataset, "per_position", False):
            task = "sequence"
    if task == "sequence":
        return Objective("per_position_cross_entropy", False)
    if task == "reconstruction":
        if settings.reconstruction_loss == "mse":
            return Objective("mse", True)
        last = code.output_id
        while doc.node(last).kind in ("Reshape", "Flatten") and doc.inputs_of(last):
            last = doc.inputs_of(last)[0].src
        return Objective("bce" if doc.node(last).kind == "Sigmoid" else "bce_logits", True)
    if task == "supervised":
        classification = dataset is None or dataset.task == CLASSIFICATION
        return Objective("cross_entropy" if classification else "mse", False)
    words = {"adversarial": "a GAN's two networks train against each other",
             "node_classification": "a graph network trains on the graph's nodes"}.get(task, f"the task is {task}")
    return Objective("mse", False, f"the script trains supervised networks and autoencoders, but {words}; it "
                                   "holds the network's module only")


def export_script(doc: Document, target: str | Path, output: str | None = None) -> ExportedScript:
    """Write ``target`` (a ``.py``) and, when the document's dataset fits the network, its data as ``.npz``.

    Both files appear whole or not at all. Raises :class:`ExportError` with one line when refused.
    """
    from ..data import DatasetError, load_dataset
    from ..data.dataset import CLASSIFICATION, check_sample_shape
    from ..training.settings import SettingsError, TrainingSettings

    target = Path(target)
    code = module_code(doc, output)
    notes: list[str] = []
    try:
        settings = TrainingSettings.from_dict(dict(doc.training))
    except SettingsError as error:
        raise ExportError(f"the training settings are invalid: {error.message}") from None
    data_path = target.with_suffix(".npz")
    dataset = None
    if len(code.input_ids) == 1:
        node = doc.node(code.input_ids[0])
        try:
            dataset = load_dataset(settings.dataset, settings.dataset_options, seed=settings.seed,
                                   val_fraction=settings.val_fraction)
            check_sample_shape(dataset, node.params["shape"], node.params["dtype"])
        except DatasetError as error:
            notes.append(f"no data written: {error.message}")
            dataset = None
    else:
        notes.append("no data written: the network has several Inputs; the training loop feeds one")
    objective = _objective(doc, code, settings, dataset)
    if objective.not_trainable:
        notes.append(f"no data written: {objective.not_trainable}")
        dataset = None
    classification = dataset is None or dataset.task == CLASSIFICATION
    data_line = (f"The samples are in {data_path.name} beside this file (dataset '{settings.dataset}', "
                 f"seed {settings.seed})." if dataset is not None
                 else "No dataset fits this network's input, so training needs a DATA file you make yourself.")
    text = script_text(doc, code, target.name, settings.to_dict(), objective, data_line)
    compile(text, str(target), "exec")  # a generated script that does not parse is a bug: never write it

    def write_script(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    files = {target: write_script}
    if dataset is not None:
        def write_data(path: Path) -> None:
            with open(path, "wb") as handle:
                np.savez_compressed(
                    handle, x_train=np.ascontiguousarray(dataset.x_train),
                    y_train=np.ascontiguousarray(dataset.y_train, dtype=np.int64 if classification else np.float32),
                    x_val=np.ascontiguousarray(dataset.x_val),
                    y_val=np.ascontiguousarray(dataset.y_val, dtype=np.int64 if classification else np.float32))

        files[data_path] = write_data
    write_atomically(files)
    return ExportedScript(target, data_path if dataset is not None else None, notes)
