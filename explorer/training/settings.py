"""The ``training`` section of a network file: what to train on and how, checked in one place.

Every key is optional; a missing one takes its default::

    "training": {
      "dataset": "digits",           one of explorer.data.DATASETS
      "dataset_options": {},         that dataset's options, e.g. {"noise": 0.2, "n_samples": 1000}; most
                                     also take train_samples, per_class and only_classes
                                     (explorer/data/subsets.py)
      "optimizer": "adam",           sgd | adam | adamw | rmsprop
      "lr": 0.001,                   learning rate, more than 0, at most 1e6  (live)
      "momentum": 0.9,               0 to below 1; used by sgd and rmsprop    (live)
      "weight_decay": 0.0,           0 to 1e6                                 (live)
      "batch_size": 32,              1 to 65536                               (live)
      "epochs": 10,                  passes over the training samples
      "seed": 0,                     initial weights, data split, batch order, dropout
      "init": "default",             default (PyTorch's) | xavier | he | normal
      "init_std": 0.02,              standard deviation of "normal"
      "val_fraction": 0.2,           share of samples held out for validation, above 0 to 0.9
      "augment": {},                 image datasets: random transforms of every training batch, e.g.
                                     {"shift": 2, "rotate": 10, "flip": false, "noise": 0.05,
                                     "cutout": 0} ({}: none; explorer/training/augment.py)
      "task": "auto",                what one step learns: auto | supervised | reconstruction |
                                     adversarial | node_classification | sequence (auto:
                                     node_classification for a graph dataset, sequence for one
                                     with a target at every position, else supervised)
      "reconstruction_loss": "mse",  reconstruction: mse | bce (bce for data in [0, 1])
      "code_node": null,             reconstruction: the node whose output is the code (null: the
                                     narrowest layer)
      "d_steps": 1,                  adversarial: discriminator steps per generator step, 1 to 100
      "networks": {},                which network plays which role, by output node id, e.g.
                                     {"generator": "g_out", "discriminator": "d_out"} ({}: chosen
                                     from the shapes)
      "device": "cpu"                cpu | cuda | cuda:N, the window's device choice (--device overrides)
    }

"(live)" settings may change while training runs. Files, the command line and the window all go
through :func:`check_value`, so they refuse the same values with the same words, and every refusal
is a :class:`SettingsError` naming the key.
"""

from __future__ import annotations

import difflib
import math
import re
import numbers
from dataclasses import dataclass, field, fields
from typing import Any

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
INITS = ("default", "xavier", "he", "normal")
TASKS = ("auto", "supervised", "reconstruction", "adversarial", "node_classification", "sequence")
RECONSTRUCTION_LOSSES = ("mse", "bce")
ROLES = ("generator", "discriminator")  # the roles a document's networks may be given in "networks"
# What may change while training runs (applied at the next step, no restart).
MAX_RATE = 1e6  # lr and weight decay: larger ones overflow float32 in the optimiser's step, not just diverge

LIVE_KEYS = ("lr", "momentum", "weight_decay", "batch_size")
MAX_SEED = 2**63 - 1


class SettingsError(Exception):
    """A training setting that is unknown or has a bad value; ``key`` names it."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.message = message
        self.key = key


@dataclass
class TrainingSettings:
    """How to train: the dataset, the optimiser and its hyper-parameters, the length and the seed.

    Constructing one checks every value (:class:`SettingsError` naming the key) and puts numbers in
    canonical form (``32.0`` becomes ``32`` for whole-number settings).
    """

    dataset: str = "moons"
    dataset_options: dict[str, Any] = field(default_factory=dict)
    optimizer: str = "adam"
    lr: float = 0.001
    momentum: float = 0.9          # sgd and rmsprop; adam and adamw ignore it
    weight_decay: float = 0.0
    batch_size: int = 32
    epochs: int = 10
    seed: int = 0
    init: str = "default"          # default (PyTorch's), xavier, he, normal (uses init_std)
    init_std: float = 0.02
    val_fraction: float = 0.2
    augment: dict[str, Any] = field(default_factory=dict)  # training batches of images only
    task: str = "auto"             # the objective; auto chooses from the dataset
    reconstruction_loss: str = "mse"
    code_node: str | None = None   # reconstruction: the code layer (None: the narrowest)
    d_steps: int = 1               # adversarial: discriminator steps per generator step
    networks: dict[str, str] = field(default_factory=dict)  # role -> output node id
    device: str = "cpu"            # cpu, cuda or cuda:N; a file names any, training checks it is here

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name != "dataset_options":
                setattr(self, f.name, check_value(f.name, getattr(self, f.name)))
        self.dataset_options = check_dataset_options(self.dataset, self.dataset_options)

    @classmethod
    def from_dict(cls, data: Any) -> "TrainingSettings":
        """Settings from a file's ``training`` object; missing keys take their defaults."""
        if not isinstance(data, dict):
            raise SettingsError(f"the training settings must be an object, not {type(data).__name__}")
        known = [f.name for f in fields(cls)]
        for key in data:
            if key not in known:
                raise SettingsError(unknown_key_message(key, known), str(key))
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Every setting, in the order of the file format."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["dataset_options"] = dict(self.dataset_options)
        out["networks"] = dict(self.networks)
        out["augment"] = dict(self.augment)
        return out

    @property
    def uses_momentum(self) -> bool:
        return self.optimizer in ("sgd", "rmsprop")


SETTING_KEYS = tuple(f.name for f in fields(TrainingSettings))


def unknown_key_message(key: Any, known: list[str]) -> str:
    """'unknown training setting ...', with the closest known key as a hint."""
    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown training setting {str(key)!r}{hint}; the settings are {', '.join(known)}"


def _number(key: str, value: Any, whole: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        kind = "a whole number" if whole else "a number"
        raise SettingsError(f"training setting '{key}' must be {kind}, not {value!r}", key)
    if not math.isfinite(value):
        raise SettingsError(f"training setting '{key}' must be a finite number, not {value!r}", key)
    if whole:
        if not float(value).is_integer():
            raise SettingsError(f"training setting '{key}' must be a whole number, not {value!r}", key)
        return int(value)
    return float(value)


def _range(key: str, value: float, low: float | None = None, high: float | None = None, *,
           low_open: bool = False, high_open: bool = False) -> None:
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        parts = []
        if low is not None:
            parts.append(f"more than {low:g}" if low_open else f"at least {low:g}")
        if high is not None:
            parts.append(f"less than {high:g}" if high_open else f"at most {high:g}")
        raise SettingsError(f"training setting '{key}' must be {' and '.join(parts)}, not {value:g}", key)


def _choice(key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise SettingsError(f"training setting '{key}' must be one of {', '.join(choices)}, not {value!r}", key)
    return value


def check_value(key: str, value: Any) -> Any:
    """``value`` in canonical form if it suits setting ``key``, else :class:`SettingsError`."""
    if key == "dataset":
        from explorer.data import DATASETS

        if not isinstance(value, str) or value not in DATASETS:
            raise SettingsError(f"training setting 'dataset' must be one of {', '.join(DATASETS)}, not {value!r}",
                                key)
        return value
    if key == "optimizer":
        return _choice(key, value, OPTIMIZERS)
    if key == "device":
        if not isinstance(value, str) or not re.fullmatch(r"cpu|cuda(:\d+)?", value):
            raise SettingsError(f"training setting 'device' must be cpu, cuda or cuda:N, not {value!r}", key)
        return value
    if key == "init":
        return _choice(key, value, INITS)
    if key == "task":
        return _choice(key, value, TASKS)
    if key == "reconstruction_loss":
        return _choice(key, value, RECONSTRUCTION_LOSSES)
    if key == "code_node":
        if value is not None and (not isinstance(value, str) or not value):
            raise SettingsError(f"training setting 'code_node' must be a node id or null, not {value!r}", key)
        return value
    if key == "networks":
        return _check_networks(value)
    if key == "augment":
        from .augment import check_augment  # torch: only when a file asks

        return check_augment(value)
    if key in ("batch_size", "epochs", "seed", "d_steps"):
        number = _number(key, value, whole=True)
        limits = {"batch_size": (1, 65536), "epochs": (1, 1_000_000), "seed": (0, MAX_SEED),
                  "d_steps": (1, 100)}[key]
        _range(key, number, *limits)
        return number
    number = _number(key, value, whole=False)
    if key == "lr":
        _range(key, number, 0, MAX_RATE, low_open=True)
    elif key == "momentum":
        _range(key, number, 0, 1, high_open=True)
    elif key == "weight_decay":
        _range(key, number, 0, MAX_RATE)
    elif key == "init_std":
        _range(key, number, 0, 10, low_open=True)
    elif key == "val_fraction":
        _range(key, number, 0, 0.9, low_open=True)
    else:
        raise SettingsError(unknown_key_message(key, [f.name for f in fields(TrainingSettings)]), key)
    return number


def _check_networks(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SettingsError(f"training setting 'networks' must be an object such as "
                            f"{{\"generator\": \"g_out\", \"discriminator\": \"d_out\"}}, not {value!r}", "networks")
    for role, node_id in value.items():
        if role not in ROLES:
            raise SettingsError(f"training setting 'networks' names an unknown role {role!r}; the roles are "
                                f"{', '.join(ROLES)}", "networks")
        if not isinstance(node_id, str) or not node_id:
            raise SettingsError(f"training setting 'networks' must give the {role} as an output node id, "
                                f"not {node_id!r}", "networks")
    if len(set(value.values())) < len(value):
        raise SettingsError("training setting 'networks' gives two roles the same network", "networks")
    return dict(value)


def check_dataset_options(dataset: str, options: Any) -> dict[str, Any]:
    """The dataset's options checked against its declaration; keys are named ``dataset_options.<name>``."""
    from explorer.data import DATASETS, DatasetError
    from explorer.graph.errors import ParamError

    if not isinstance(options, dict):
        raise SettingsError(f"training setting 'dataset_options' must be an object, not {options!r}",
                            "dataset_options")
    spec = DATASETS[dataset]
    params = {p.name: p for p in spec.options}
    folders = {f.name: f for f in (*spec.folder_options, *spec.classes_options)}  # both raise DatasetError
    out: dict[str, Any] = {}
    for name, value in options.items():
        key = f"dataset_options.{name}"
        owner = f"dataset '{dataset}'"
        if name in params:
            try:
                out[name] = params[name].validate(value, owner)
            except ParamError as error:
                raise SettingsError(f"training setting '{key}': {error.message}", key) from None
        elif name in folders:
            try:
                out[name] = folders[name].validate(value, owner)
            except DatasetError as error:
                raise SettingsError(f"training setting '{key}': {error.message}", key) from None
            if out[name] is None:  # only_classes: null is every class, the same as leaving it out
                del out[name]
        else:
            from explorer.data.dataset import unknown_option_message

            raise SettingsError(f"training setting '{key}': {unknown_option_message(spec, name)}", key)
    return out


def completed(training: Any) -> Any:
    """A training section with every key filled in (so a short file and the form's full dict compare
    equal); one that is not valid comes back as it is."""
    try:
        return TrainingSettings.from_dict(training).to_dict()
    except (SettingsError, TypeError, KeyError, ValueError):
        return dict(training) if isinstance(training, dict) else training
