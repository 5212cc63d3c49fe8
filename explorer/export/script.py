"""A network as one standalone PyTorch script: the module, its data beside it, and a training loop.

The module is written from each layer's :class:`~explorer.graph.catalogue.ModuleSpec`, the same
declaration the explorer builds from, so the two are the same network: its submodules sit in a
``ModuleDict`` named ``layers`` under their node ids, and its ``state_dict`` keys equal those of
:func:`~explorer.graph.build.build_module` (``layers.conv1.weight``), so the explorer's weights and
checkpoints load into it. Layers without weights or state (ReLU, Flatten, Add...) are written as
expressions in ``forward``, as a person would write them.

The training loop follows the document's task (``explorer/training/objectives``): supervised and
reconstruction train one network on mini-batches, adversarial trains a GAN's two networks with two
optimisers, node classification trains on the whole graph at once. Whether the task can train at
all is asked of the explorer's own objective, so the script refuses nothing the explorer trains.
"""

from __future__ import annotations

import inspect
import json
import keyword
import re
import textwrap
from dataclasses import dataclass, field
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
from .loops import LOOPS
from .template import COMMON, MAIN, MODULE_ONLY

HEADER = '''"""{title}, exported from Neural Network Explorer.

{description}
Train on one process:   python {script} [--steps N | --epochs N] [--lr X] [--device cpu|cuda] [--save weights.pt]
Train on N processes:   torchrun --standalone --nproc_per_node=N {script} [the same options]
{task_line}
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

TASK_LINES = {
    "supervised": "Task: supervised learning; under torchrun each process trains on its share of every epoch's "
                  "batches and DistributedDataParallel averages the gradients.",
    "reconstruction": "Task: reconstruction (an autoencoder: the target is the input); under torchrun each process "
                      "trains on its share of the samples and DistributedDataParallel averages the gradients.",
    "sequence": "Task: a class at every position of a sequence (cross-entropy averaged over the positions); under "
                "torchrun each process trains on its share of every epoch's batches and DistributedDataParallel "
                "averages the gradients.",
    "adversarial": "Task: a GAN (a generator and a discriminator, two optimisers); under torchrun each process takes "
                   "its share of the real samples and its own noise, and DistributedDataParallel averages each "
                   "network's gradients.",
    "node_classification": "Task: node classification on one graph (every step sees all nodes); under torchrun every "
                           "process runs the whole graph, each takes the loss of its share of the labelled nodes, "
                           "and DistributedDataParallel averages the gradients, so a step equals the one-process step.",
}

_NAMES_IN_SCRIPT = {"self", "layers", "torch", "nn", "F", "np", "dist", "math", "os", "argparse", "Path",
                    "adjacency"}
_ROLE_CLASSES = {"generator": "Generator", "discriminator": "Discriminator"}
_SETTINGS = ("optimizer", "lr", "momentum", "weight_decay", "batch_size", "epochs", "seed", "init", "init_std")


@dataclass(frozen=True)
class ModuleCode:
    """One network's class as source text, and the helper classes (from ``explorer/graph/modules.py``) it uses."""

    class_name: str
    class_source: str
    helpers: tuple[str, ...]
    input_ids: list[str]
    output_id: str
    takes_adjacency: bool  # forward(x, adjacency): the network has graph layers

    @property
    def source(self) -> str:
        """The helpers and the class, ready to run after the script's imports."""
        return helper_source(self.helpers) + self.class_source

    @property
    def uses_math(self) -> bool:
        return "PositionalEncoding" in self.helpers


def helper_source(names) -> str:
    """The source of the explorer's module classes (or functions) called ``names``, each once."""
    parts = [textwrap.dedent(inspect.getsource(getattr(modules, name))) for name in dict.fromkeys(names)]
    return "".join(part.strip("\n") + "\n\n\n" for part in parts)


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
    title = doc.name or class_name or class_name_for(doc.name)
    if class_name is not None and doc.name:
        title = f"{class_name} of {doc.name}"  # a GAN's Generator and Discriminator
    class_name = class_name or class_name_for(doc.name)

    constructors: list[str] = []
    forward: list[str] = []
    helpers: list[str] = []
    takes_adjacency = False
    for node_id in order:
        if node_id in input_ids:
            continue
        node = doc.node(node_id)
        kind = get_kind(node.kind)
        if kind.spec is None:
            raise ExportError(f"{node.kind} '{node_id}' cannot be written out as a script yet")
        info = report.nodes[node_id]
        spec = kind.spec(node.params, list(info.inputs))
        args = [names[e.src] for e in doc.inputs_of(node_id)]
        if kind.needs_adjacency:
            args.append("adjacency")  # the graph's normalised adjacency, given to forward
            takes_adjacency = True
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

    inputs = ", ".join([names[i] for i in input_ids] + (["adjacency"] if takes_adjacency else []))
    shapes = ", ".join(f"{names[i]} {fmt(report.nodes[i].output.shape)}" for i in input_ids)
    batch = "per node, with the graph's normalised adjacency [N, N]" if takes_adjacency else "batch first"
    total = report.total_params if len(members) == len(doc) else sum(report.nodes[n].params or 0 for n in members)
    lines = [f"class {class_name}(nn.Module):",
             f'    """{title}: {total:,} parameters. Input {shapes}, {batch}."""',
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
    return ModuleCode(class_name, "\n".join(lines) + "\n", tuple(helpers), input_ids, output, takes_adjacency)


def _first_message(error: Exception) -> str:
    if isinstance(error, BuildError):
        return error.errors[0].message
    return getattr(error, "message", str(error))


@dataclass(frozen=True)
class ExportedScript:
    script: Path
    data: Path | None
    notes: list[str]


@dataclass
class Plan:
    """What the script holds and how it trains: the task, its networks by role, the data, or why it cannot train."""

    task: str                                   # an objective's name, "" when the script cannot train
    codes: dict[str, ModuleCode]                # role (model, generator, discriminator) -> its class
    dataset: object | None = None               # the explorer's Dataset, written beside the script
    loss: str = ""                              # supervised, reconstruction, sequence: the loss by name (LOSSES)
    not_trainable: str = ""                     # why the script holds the network's module only
    noise_shape: tuple[int, ...] = ()           # adversarial: the generator's Input
    notes: list[str] = field(default_factory=list)
    frozen: list[str] = field(default_factory=list)  # node ids of the layers the document freezes


def _objective(doc: Document, settings, dataset, output: str | None):
    """The explorer's own objective for the document, so the script trains what the explorer trains.

    Built without disturbing the caller's random numbers; raises what the objective raises when it refuses.
    """
    import torch

    from ..training.objectives import make_objective

    with torch.random.fork_rng(devices=[]):
        return make_objective(doc, settings, dataset, torch.device("cpu"), output=output)


def plan_script(doc: Document, output: str | None = None) -> Plan:
    """Decide what the script for ``doc`` holds; :class:`ExportError` when the network cannot be written."""
    from ..data import DatasetError, load_dataset
    from ..training.objectives import resolve_task
    from ..training.settings import SettingsError, TrainingSettings

    try:
        settings = TrainingSettings.from_dict(dict(doc.training))
    except SettingsError as error:
        raise ExportError(f"the training settings are invalid: {error.message}") from None
    notes: list[str] = []
    if any(settings.augment.values()):
        notes.append("the script trains on the samples as they are: the explorer's augmentation "
                     f"({', '.join(f'{k} {v}' for k, v in settings.augment.items() if v)}) is not in it")
    try:
        dataset = load_dataset(settings.dataset, settings.dataset_options, seed=settings.seed,
                               val_fraction=settings.val_fraction)
    except DatasetError as error:
        dataset = None
        notes.append(f"no data written: {error.message}")
    task = resolve_task(settings.task, dataset) if dataset is not None else settings.task
    refused = (DatasetError, BuildError, GraphError, SettingsError)

    if task == "adversarial" and output is None and dataset is not None:
        try:
            objective = _objective(doc, settings, dataset, None)
        except refused as error:
            raise ExportError(f"the GAN cannot be trained: {_first_message(error)} (--output NODE exports one of "
                              "its networks alone)") from None
        codes = {role: module_code(doc, net.output_id, _ROLE_CLASSES[role])
                 for role, net in objective.networks.items()}
        return Plan("adversarial", codes, dataset, notes=notes, noise_shape=objective.noise_shape,
                    frozen=doc.frozen_ids())

    code = module_code(doc, output)
    plan = Plan("", {"model": code}, notes=notes, frozen=doc.frozen_ids())
    if task == "adversarial":
        plan.not_trainable = ("the document is a GAN (task adversarial); export it without --output for both "
                              "networks and their training loop")
    elif len(code.input_ids) > 1:
        plan.not_trainable = "the network has several Inputs, and the training loop feeds one"
    elif dataset is None:
        plan.not_trainable = "no dataset fits this network"
    else:
        try:
            objective = _objective(doc, settings, dataset, code.output_id)
        except refused as error:
            plan.not_trainable = f"the explorer cannot train it either: {_first_message(error)}"
        else:
            plan.task, plan.dataset = objective.name, dataset
            if objective.name == "supervised":
                plan.loss = "cross_entropy" if objective.classification else "mse"
            elif objective.name == "reconstruction":
                plan.loss = settings.reconstruction_loss + ("_logits" if objective.logits else "")
            elif objective.name == "sequence":
                plan.loss = "per_position_cross_entropy"
    if plan.not_trainable and dataset is not None:
        notes.append(f"no data written: {plan.not_trainable}")
    return plan


def _literal(value) -> str:
    """Python source for a settings value, strings in double quotes as the rest of the script."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _constants(plan: Plan, values: dict) -> list[str]:
    lines = [f"TASK = {_literal(plan.task)}  # what the training loop does, as the explorer's objective of that name"] \
        if plan.task else []
    if plan.task == "adversarial":
        g, d = plan.codes["generator"], plan.codes["discriminator"]
        lines += [f"GENERATOR, DISCRIMINATOR = {g.class_name}, {d.class_name}",
                  f"G_OUTPUT, D_OUTPUT = {_literal(g.output_id)}, {_literal(d.output_id)}  "
                  "# their output nodes, naming their weights in a checkpoint",
                  f"NOISE_SHAPE = {tuple(plan.noise_shape)!r}  # the generator's Input: one noise sample"]
    else:
        code = plan.codes["model"]
        lines += [f"MODEL = {code.class_name}",
                  f"OUTPUT = {_literal(code.output_id)}  # the output node, naming the weights in an nn-explorer "
                  "checkpoint"]
        if plan.task in ("supervised", "reconstruction", "sequence"):
            lines.append(f"LOSS = {_literal(plan.loss)}")
            lines.append(f"RECONSTRUCTION = {plan.task == 'reconstruction'!r}  # the target is the input itself "
                         "(an autoencoder)")
        if not plan.task:
            lines.append(f"NOT_TRAINABLE = {_literal(plan.not_trainable)}")
            return lines
    keep = _SETTINGS + (("d_steps",) if plan.task == "adversarial" else ())
    if plan.task == "node_classification":
        keep = tuple(k for k in keep if k != "batch_size")  # every step sees the whole graph
    lines += ["DATA = Path(__file__).with_suffix(\".npz\")",
              "# the document's training settings (the dataset is in DATA)",
              "SETTINGS = {", *[f"    {_literal(k)}: {_literal(values[k])}," for k in keep], "}",
              f"FROZEN = {plan.frozen!r}  # layers frozen in the explorer: no gradient, no step, no weight decay"]
    return lines


def script_text(doc: Document, plan: Plan, script_name: str, values: dict, data_line: str) -> str:
    """The whole script: header, helpers and classes, constants and settings, then the task's training loop."""
    codes = list(plan.codes.values())
    helpers = [h for code in codes for h in code.helpers]
    if plan.task == "node_classification":
        helpers.append("normalised_adjacency")
    description = textwrap.fill(doc.description, 96) + "\n" if doc.description else ""
    header = HEADER.format(title=doc.name or codes[0].class_name, description=description, script=script_name,
                           task_line=TASK_LINES.get(plan.task, "It holds the network only: " + plan.not_trainable
                                                    + "."),
                           data_line=data_line, math_import="import math\n" if any(c.uses_math for c in codes) else "")
    body = [COMMON, LOOPS[plan.task], MAIN] if plan.task else [MODULE_ONLY]
    sections = [header, helper_source(helpers), *[c.class_source for c in codes], "\n".join(_constants(plan, values)),
                *body]
    return "\n\n\n".join(text.strip("\n") for text in sections if text.strip()) + "\n"


def _data_writer(plan: Plan):
    """Writes the dataset's arrays as the script's loop reads them."""
    from ..data.dataset import CLASSIFICATION

    dataset = plan.dataset
    if plan.task == "node_classification":
        graph = dataset.graph
        arrays = {"features": graph.features, "labels": graph.labels.astype(np.int64), "edges": graph.edges,
                  "train_mask": graph.train_mask, "val_mask": graph.val_mask}
    else:
        target = np.int64 if dataset.task == CLASSIFICATION else np.float32
        arrays = {"x_train": dataset.x_train, "y_train": np.asarray(dataset.y_train, dtype=target),
                  "x_val": dataset.x_val, "y_val": np.asarray(dataset.y_val, dtype=target)}

    def write(path: Path) -> None:
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **{k: np.ascontiguousarray(v) for k, v in arrays.items()})

    return write


def export_script(doc: Document, target: str | Path, output: str | None = None) -> ExportedScript:
    """Write ``target`` (a ``.py``) and, when the document's task can train, its data as ``.npz``.

    Both files appear whole or not at all. Raises :class:`ExportError` with one line when refused.
    """
    from ..training.settings import TrainingSettings

    target = Path(target)
    plan = plan_script(doc, output)
    settings = TrainingSettings.from_dict(dict(doc.training))
    data_path = target.with_suffix(".npz")
    dataset = plan.dataset if plan.task else None
    data_line = (f"The data is in {data_path.name} beside this file (dataset '{settings.dataset}', seed "
                 f"{settings.seed})." if dataset is not None else "No data is written for it.")
    text = script_text(doc, plan, target.name, settings.to_dict(), data_line)
    compile(text, str(target), "exec")  # a generated script that does not parse is a bug: never write it

    def write_script(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    files = {target: write_script}
    if dataset is not None:
        files[data_path] = _data_writer(plan)
    write_atomically(files)
    return ExportedScript(target, data_path if dataset is not None else None, plan.notes)
