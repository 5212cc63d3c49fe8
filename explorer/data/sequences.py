"""Sequence tasks for recurrent networks; for now Hochreiter and Schmidhuber's adding problem."""

from __future__ import annotations

from typing import Any

import numpy as np

from explorer.graph.params import Param

from .dataset import REGRESSION, DatasetSpec, Samples, n_samples_param


def load_adding(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """Sequences of ``[value, marker]`` pairs; the target is the sum of the two marked values.

    One marker falls in the first half of the sequence and one in the second, so the network must
    remember a value across at least part of the sequence: the longer, the harder.
    """
    n, length = options["n_samples"], options["length"]
    values = rng.uniform(0.0, 1.0, (n, length))
    half = length // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, length, n)
    markers = np.zeros((n, length))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=2).astype(np.float32)
    y = (values[rows, first] + values[rows, second])[:, None].astype(np.float32)
    return Samples(x, y, description=f"{n} sequences of {length} steps: add the two marked values")


SPEC = DatasetSpec(
    "adding", "the adding problem: remember two marked numbers in a sequence and add them",
    (
        n_samples_param(2000),
        Param("length", "int", 30, "steps in each sequence; longer sequences are harder to remember",
              min=2, max=1000),
    ),
    REGRESSION, load_adding,
)
