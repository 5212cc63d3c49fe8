"""The catalogue of built-in datasets and the one function that loads any of them."""

from __future__ import annotations

import dataclasses
import numbers
from typing import Any

import numpy as np

from explorer.graph.errors import ParamError

from . import digits, functions, graphs, idx, planar, sequences, shapes
from .dataset import CLASSIFICATION, Dataset, DatasetError, DatasetSpec, Samples, unknown_option_message
from .subsets import subset_options, take_subset


def _with_subsets(spec: DatasetSpec) -> DatasetSpec:
    """``spec`` taking the options that train on part of the data (``subsets.py``), after its own."""
    params, classes = subset_options(spec.task == CLASSIFICATION and not spec.per_position)
    return dataclasses.replace(spec, options=spec.options + params, classes_options=spec.classes_options + classes)


# display order: points in the plane first, then a curve, then images, then sequences, then graphs
DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (*(_with_subsets(s) for s in (*planar.SPECS, functions.SPEC, digits.SPEC, shapes.SPEC, idx.SPEC,
                                               *sequences.SPECS)),
                 *graphs.SPECS)  # a graph's split is its labelled nodes: no subsets
}


def load_dataset(name: str, options: dict[str, Any] | None = None, *, seed: int = 0,
                 val_fraction: float = 0.2) -> Dataset:
    """Load dataset ``name`` with ``options`` and split it into training and validation samples.

    The same name, options and seed give identical arrays. ``val_fraction`` (more than 0, at most
    0.9) of the samples, chosen by a seeded permutation, are held out for validation, unless the
    dataset brings its own validation set (``idx`` with ``t10k`` files). Every refusal is a
    :class:`DatasetError`.
    """
    spec = DATASETS.get(name)
    if spec is None:
        raise DatasetError(f"unknown dataset {name!r}; the datasets are {', '.join(DATASETS)}")
    values = _validate_options(spec, options or {})
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, numbers.Real) or not 0 < val_fraction <= 0.9:
        raise DatasetError(f"the validation fraction must be more than 0 and at most 0.9, not {val_fraction!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise DatasetError(f"the seed must be a whole number from 0 up, not {seed!r}")

    # separate streams, so the split does not shift when a loader draws more or fewer numbers (and
    # adding the subset's stream left the first two as they were)
    generate, split, subset = (np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(3))
    samples = spec.loader(values, generate)
    x_train, y_train, x_val, y_val = _split(spec.name, samples, float(val_fraction), split)
    (x_train, y_train, x_val, y_val), note = take_subset(spec.name, values, (x_train, y_train, x_val, y_val),
                                                         samples.class_names, subset)

    sample_shape = tuple(int(s) for s in x_train.shape[1:])
    input_dtype = "token ids" if np.issubdtype(x_train.dtype, np.integer) else "float"
    classification = spec.task == CLASSIFICATION
    return Dataset(
        name=spec.name, x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val, task=spec.task,
        sample_shape=sample_shape,
        num_classes=len(samples.class_names) if classification else None,
        class_names=list(samples.class_names) if classification else None,
        input_dtype=input_dtype, description=f"{samples.description}; {note}" if note else samples.description,
        is_2d=sample_shape == (2,) and input_dtype == "float" and samples.graph is None,
        graph=samples.graph, per_position=spec.per_position,
    )


def _validate_options(spec: DatasetSpec, options: dict[str, Any]) -> dict[str, Any]:
    owner = f"dataset '{spec.name}'"
    allowed = spec.option_names
    for key in options:
        if key not in allowed:
            raise DatasetError(unknown_option_message(spec, key))
    values: dict[str, Any] = {}
    for folder in spec.folder_options:
        if folder.name in options:
            values[folder.name] = folder.validate(options[folder.name], owner)
        elif folder.required:
            raise DatasetError(f"{owner} needs the option '{folder.name}': {folder.help}")
        else:
            values[folder.name] = None
    for param in spec.options:
        try:
            values[param.name] = param.validate(options.get(param.name, param.default), owner)
        except ParamError as e:
            raise DatasetError(e.message) from None
    for listed in spec.classes_options:
        values[listed.name] = listed.validate(options.get(listed.name), owner)
    return values


def _split(name: str, samples: Samples, val_fraction: float, rng: np.random.Generator):
    if samples.graph is not None:  # the labelled nodes train, the rest validate; the fraction does not apply
        train, val = samples.graph.train_mask, samples.graph.val_mask
        return samples.x[train], samples.y[train], samples.x[val], samples.y[val]
    if samples.x_val is not None:
        return samples.x, samples.y, samples.x_val, samples.y_val
    n = len(samples.x)
    n_val = min(max(1, round(n * val_fraction)), n - 1)
    if n_val < 1:
        raise DatasetError(f"dataset '{name}' has only {n} sample(s), too few to split into training and validation")
    order = rng.permutation(n)
    train, val = order[n_val:], order[:n_val]
    return samples.x[train], samples.y[train], samples.x[val], samples.y[val]
