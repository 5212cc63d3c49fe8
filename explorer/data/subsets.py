"""Options that every dataset of samples takes to train on part of its training split.

``train_samples`` keeps N training samples, ``per_class`` N of each class and ``only_classes`` the
samples of the listed classes (training and validation both). They are applied after the split, in
that order, so validation is the same as without them apart from ``only_classes``; the samples kept
are a seeded random choice, the same for the same seed.

Labels keep their numbers and the dataset keeps all its classes: a network trained on digits 0-4
has the same 10-way output as one fine-tuned on 5-9, so one can start from the other.

Graph datasets take none of these (their split is the graph's labelled nodes); regression datasets
and those with a class at every position take only ``train_samples``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from explorer.graph.params import Param

from .dataset import DatasetError

TRAIN_SAMPLES = Param("train_samples", "int", 0,
                      "keep only this many training samples, a seeded random choice after the split; "
                      "validation is untouched (0 = all)", min=0, max=10_000_000)
PER_CLASS = Param("per_class", "int", 0,
                  "keep only this many training samples of each class, a seeded random choice after the "
                  "split; validation is untouched (0 = all)", min=0, max=10_000_000)
MAX_CLASS = 100_000


@dataclass(frozen=True)
class ClassesOption:
    """An option listing class numbers, which :class:`~explorer.graph.params.Param` has no type for."""

    name: str
    help: str
    required: bool = False

    def validate(self, value: Any, owner: str) -> list[int] | None:
        """The classes as a sorted list of distinct numbers (None: every class), or :class:`DatasetError`."""
        if value is None:
            return None
        example = f"{owner}: '{self.name}' must be a list of class numbers such as [5, 6, 7, 8, 9]"
        if not isinstance(value, (list, tuple)) or not value:
            raise DatasetError(f"{example}, not {value!r}")
        classes = []
        for item in value:
            whole = isinstance(item, numbers.Integral) or (isinstance(item, float) and item.is_integer())
            if isinstance(item, bool) or not whole or not 0 <= item <= MAX_CLASS:
                raise DatasetError(f"{example}; {item!r} is not a class number (0 or more)")
            classes.append(int(item))
        if len(set(classes)) < len(classes):
            raise DatasetError(f"{owner}: '{self.name}' names a class twice: {classes}")
        return sorted(classes)


ONLY_CLASSES = ClassesOption("only_classes", "train and validate only on these classes, e.g. 5, 6, 7, 8, 9 "
                                             "(labels and the number of classes stay as they are; empty = all)")


def subset_options(classification: bool) -> tuple[tuple[Param, ...], tuple[ClassesOption, ...]]:
    """The subset options a dataset of samples takes: (params, class options)."""
    if classification:
        return (TRAIN_SAMPLES, PER_CLASS), (ONLY_CLASSES,)
    return (TRAIN_SAMPLES,), ()


def take_subset(name: str, values: dict[str, Any], arrays: tuple[np.ndarray, ...], class_names: list[str] | None,
                rng: np.random.Generator) -> tuple[tuple[np.ndarray, ...], str]:
    """``(x_train, y_train, x_val, y_val)`` cut down as ``values`` ask, and a note for the description
    ("" when nothing was cut)."""
    x_train, y_train, x_val, y_val = arrays
    owner = f"dataset '{name}'"
    notes = []
    classes = values.get("only_classes")
    if classes:
        count = len(class_names or ())
        unknown = [c for c in classes if c >= count]
        if unknown:
            raise DatasetError(f"{owner} has classes 0 to {count - 1}; 'only_classes' names {_listed(unknown)}")
        keep_train, keep_val = np.isin(y_train, classes), np.isin(y_val, classes)
        if not keep_val.any():
            raise DatasetError(f"{owner} has no validation samples of classes {_listed(classes)}")
        x_train, y_train, x_val, y_val = x_train[keep_train], y_train[keep_train], x_val[keep_val], y_val[keep_val]
        notes.append(f"classes {_listed(classes)} only")
    available = len(x_train)
    order = rng.permutation(available)
    per_class = values.get("per_class") or 0
    if per_class:
        present = classes if classes else sorted(int(c) for c in np.unique(y_train))
        counts = {c: int((y_train == c).sum()) for c in present}
        short = [c for c in present if counts[c] < per_class]
        if short:
            c = short[0]
            label = class_names[c] if class_names and c < len(class_names) else str(c)
            raise DatasetError(f"{owner}: 'per_class' asks for {per_class} training samples of each class but "
                               f"class {label!r} has only {counts[c]} after the split")
        rank = np.empty(available, dtype=np.int64)  # each sample's place among its class in the drawn order
        seen: dict[int, int] = {}
        for position in order:
            c = int(y_train[position])
            rank[position] = seen.get(c, 0)
            seen[c] = rank[position] + 1
        order = order[rank[order] < per_class]
        notes.append(f"{per_class} per class")
    train_samples = values.get("train_samples") or 0
    if train_samples:
        if train_samples > len(order):
            raise DatasetError(f"{owner}: 'train_samples' asks for {train_samples} training samples but only "
                               f"{len(order)} are left after the split" + (" and the other options" if notes else ""))
        order = order[:train_samples]
    if len(order) < available:
        keep = np.sort(order)  # the split's order, so a subset of a subset stays in place
        x_train, y_train = x_train[keep], y_train[keep]
    if len(x_train) == 0:
        raise DatasetError(f"{owner} has no training samples left with these options")
    if train_samples or per_class:
        notes.insert(0, f"training on {len(x_train)} of {available} samples")
    return (x_train, y_train, x_val, y_val), ", ".join(notes)


def _listed(classes: list[int]) -> str:
    return ", ".join(str(c) for c in classes)
