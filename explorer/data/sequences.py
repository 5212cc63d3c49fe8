"""Sequence tasks for recurrent and attention networks.

``adding`` (Hochreiter and Schmidhuber's adding problem) is one regression target per sequence;
``copy``, ``reverse`` and ``sort`` are token sequences with a target token at every position
(per-position classification: the network's output is ``[T, vocabulary]``).
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from explorer.graph.params import Param

from .dataset import CLASSIFICATION, REGRESSION, DatasetError, DatasetSpec, Samples, n_samples_param

# The longest sequence a generated dataset makes: long enough for any lecture, short enough that a
# mistyped 100,000 is refused with a message instead of filling the memory.
MAX_LENGTH = 1000


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


def _digits(vocabulary: int) -> list[str]:
    return [str(i) for i in range(vocabulary)]


def load_reverse(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """Random digit sequences; the target at position i is the input's token at position T-1-i."""
    n, length, vocabulary = options["n_samples"], options["length"], options["vocabulary"]
    x = rng.integers(0, vocabulary, (n, length), dtype=np.int64)
    return Samples(x, np.ascontiguousarray(x[:, ::-1]), _digits(vocabulary),
                   f"{n} sequences of {length} digits (0 to {vocabulary - 1}): write them backwards")


def load_sort(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """Random digit sequences; the target is the same digits in ascending order."""
    n, length, vocabulary = options["n_samples"], options["length"], options["vocabulary"]
    x = rng.integers(0, vocabulary, (n, length), dtype=np.int64)
    return Samples(x, np.sort(x, axis=1), _digits(vocabulary),
                   f"{n} sequences of {length} digits (0 to {vocabulary - 1}): sort them")


def load_copy(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """Remember ``symbols`` tokens across ``delay`` blank steps, then write them out after the go marker.

    Token 0 is the blank ``_``, 1 to ``vocabulary`` are the symbols (A, B, ...) and
    ``vocabulary + 1`` is the go marker ``>``. The input is the symbols, ``delay`` steps of which the
    last is the marker, and as many blanks as symbols; the target is blank until the marker and then
    the symbols in their order. Length ``2 * symbols + delay``.
    """
    n, k, delay, vocabulary = options["n_samples"], options["symbols"], options["delay"], options["vocabulary"]
    length = 2 * k + delay
    if length > MAX_LENGTH:
        raise DatasetError(f"dataset 'copy': {k} symbols twice and a delay of {delay} make sequences of {length} "
                           f"steps, more than {MAX_LENGTH}; use fewer symbols or a shorter delay")
    go = vocabulary + 1
    symbols = rng.integers(1, vocabulary + 1, (n, k), dtype=np.int64)
    x = np.zeros((n, length), dtype=np.int64)
    y = np.zeros((n, length), dtype=np.int64)
    x[:, :k] = symbols
    x[:, k + delay - 1] = go
    y[:, k + delay:] = symbols
    names = ["_", *string.ascii_uppercase[:vocabulary], ">"]
    return Samples(x, y, names, f"{n} sequences of {length} tokens: repeat {k} symbols after {delay} steps")


def _length_param(default: int, minimum: int = 2) -> Param:
    return Param("length", "int", default, "steps in each sequence; longer sequences are harder to remember",
                 min=minimum, max=MAX_LENGTH)


def _vocabulary_param(default: int, maximum: int, what: str) -> Param:
    return Param("vocabulary", "int", default, what, min=2, max=maximum)


SPECS = (
    DatasetSpec(
        "adding", "the adding problem: remember two marked numbers in a sequence and add them",
        (n_samples_param(2000), _length_param(50)),
        REGRESSION, load_adding,
    ),
    DatasetSpec(
        "copy", "copy: remember a few symbols across a delay of blank steps and repeat them after a marker",
        (n_samples_param(4000),
         Param("symbols", "int", 4, "how many symbols to remember", min=1, max=100),
         Param("delay", "int", 10, "blank steps between the symbols and the go marker (the marker is the last)",
               min=1, max=MAX_LENGTH),
         _vocabulary_param(8, 26, "how many different symbols (A, B, ...); token ids also include the blank "
                                  "(0) and the go marker (vocabulary + 1)")),
        CLASSIFICATION, load_copy, per_position=True,
    ),
    DatasetSpec(
        "reverse", "reverse: write a sequence of digits backwards (a target digit at every position)",
        (n_samples_param(4000), _length_param(8, minimum=1),
         _vocabulary_param(10, 10, "how many different digits (0 to vocabulary - 1)")),
        CLASSIFICATION, load_reverse, per_position=True,
    ),
    DatasetSpec(
        "sort", "sort: write a sequence of digits in ascending order (a target digit at every position)",
        (n_samples_param(4000), _length_param(8, minimum=1),
         _vocabulary_param(10, 10, "how many different digits (0 to vocabulary - 1)")),
        CLASSIFICATION, load_sort, per_position=True,
    ),
)
