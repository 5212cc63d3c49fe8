"""The types every dataset shares: what a loader returns, what a caller gets, and how they fail.

No Qt here: the window, the CLI and the tests all load datasets through :func:`load_dataset`
(in ``registry.py``) and show ``str(DatasetError)`` as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from explorer.graph.params import Param

CLASSIFICATION = "classification"
REGRESSION = "regression"


class DatasetError(Exception):
    """A dataset that cannot be loaded; the one message names the dataset, option or file and why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(eq=False)
class GraphInfo:
    """The graph of a graph dataset: its nodes are the samples, its edges what a graph layer mixes along.

    ``edges`` int64 ``[E, 2]`` lists each undirected edge once; ``positions`` float32 ``[N, 2]`` is a
    fixed, seeded layout in [-1, 1] for drawing; ``features`` float32 ``[N, F]`` and ``labels`` int64
    ``[N]`` cover every node; ``train_mask`` marks the labelled nodes the loss sees and ``val_mask``
    the rest, on which the network is judged.
    """

    edges: np.ndarray
    num_nodes: int
    positions: np.ndarray
    features: np.ndarray
    labels: np.ndarray
    train_mask: np.ndarray
    val_mask: np.ndarray


@dataclass(eq=False)  # numpy arrays have no single truth value, so no generated __eq__
class Dataset:
    """A loaded dataset, already split into training and validation samples.

    ``x_*`` are float32 (int64 for token ids) shaped ``[N, *sample_shape]``; ``y_*`` are int64
    class labels ``[N]`` for classification and float32 targets ``[N, k]`` for regression.

    A per-position dataset (``per_position``: copy, reverse, sort) has int64 targets ``[N, T]``, a
    class for every position of the input sequence.

    A graph dataset also has ``graph``: its samples are the nodes of one graph, ``x_train``/``y_train``
    the labelled nodes' features and classes and ``x_val``/``y_val`` the others', in node order.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    task: str
    sample_shape: tuple[int, ...]
    num_classes: int | None
    class_names: list[str] | None
    input_dtype: str = "float"
    description: str = ""
    is_2d: bool = False  # points in the plane: the window can draw the decision boundary
    graph: GraphInfo | None = None  # graph datasets only
    # Sequence datasets with a target token at every position: y is int64 [N, T], the output [T, classes].
    per_position: bool = False


@dataclass(eq=False)
class Samples:
    """What a loader returns: all samples, before :func:`load_dataset` splits them.

    A loader that has its own validation set (the ``t10k`` files of MNIST) returns it in
    ``x_val``/``y_val`` and no split is made.
    """

    x: np.ndarray
    y: np.ndarray
    class_names: list[str] | None = None
    description: str = ""
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    graph: GraphInfo | None = None  # a graph dataset: x and y are every node's, split by its masks


@dataclass(frozen=True)
class FolderOption:
    """An option naming a folder on disk.

    :class:`~explorer.graph.params.Param` has no path type and belongs to the graph package, so
    datasets declare folders here; the window shows a folder picker for each. Only the type is
    checked when loading; the loader says what is wrong with the folder itself.
    """

    name: str
    help: str
    required: bool = True

    def validate(self, value: Any, owner: str) -> str:
        """Return ``value`` as a string, or raise :class:`DatasetError` saying why not."""
        if hasattr(value, "__fspath__"):
            value = str(value.__fspath__())
        if not isinstance(value, str) or not value.strip():
            raise DatasetError(f"{owner}: '{self.name}' must be the path of a folder, not {value!r}")
        return value


@dataclass(frozen=True)
class DatasetSpec:
    """One built-in dataset: its name, help, options and loader, declared together.

    ``loader(options, rng)`` gets every option (validated, defaults filled in) and a seeded
    ``numpy.random.Generator``, draws all its randomness from that generator, and returns
    :class:`Samples`. ``folder_options`` are the options naming folders, which ``Param`` cannot;
    ``classes_options`` those listing class numbers (``only_classes``, see ``subsets.py``).
    """

    name: str
    help: str
    options: tuple[Param, ...]
    task: str
    loader: Callable[[dict[str, Any], np.random.Generator], Samples]
    folder_options: tuple[FolderOption, ...] = field(default_factory=tuple)
    per_position: bool = False  # a class at every position of the sequence (classification only)
    classes_options: tuple[Any, ...] = field(default_factory=tuple)  # subsets.ClassesOption
    images: bool = False  # samples are images [C, H, W]: training may augment them

    @property
    def option_names(self) -> tuple[str, ...]:
        """Every option this dataset takes, folders first, in declaration order."""
        return (tuple(o.name for o in self.folder_options) + tuple(p.name for p in self.options)
                + tuple(o.name for o in self.classes_options))


def unknown_option_message(spec: "DatasetSpec", key: Any) -> str:
    """The one wording for an option a dataset does not take (the loader and the settings both use it)."""
    allowed = spec.option_names
    known = f"its options are {', '.join(allowed)}" if allowed else "it takes no options"
    return f"dataset '{spec.name}' has no option {key!r}; {known}"


def check_sample_shape(dataset: Dataset, input_shape: Sequence[int], input_dtype: str = "float") -> None:
    """Raise :class:`DatasetError` unless the network's Input takes this dataset's samples.

    ``input_shape`` is the Input node's shape without the batch dimension; a ``-1`` there
    accepts any size in that place.
    """
    expected = [int(s) for s in input_shape]
    given = list(dataset.sample_shape)
    fits = len(expected) == len(given) and all(e in (-1, g) for e, g in zip(expected, given))
    if not fits:
        raise DatasetError(
            f"dataset '{dataset.name}' gives samples of shape {given} but the network's Input "
            f"expects {expected}; set the Input's shape to {given} or choose another dataset"
        )
    if input_dtype != dataset.input_dtype:
        raise DatasetError(
            f"dataset '{dataset.name}' gives {_dtype_words(dataset.input_dtype)} but the network's "
            f"Input expects {_dtype_words(input_dtype)}"
        )


def _dtype_words(dtype: str) -> str:
    return "token ids (whole numbers)" if dtype == "token ids" else "float values"


def n_samples_param(default: int, maximum: int = 100_000) -> Param:
    """The ``n_samples`` option, declared once so every generated dataset words it alike."""
    return Param("n_samples", "int", default, "how many samples to generate (training and validation together)",
                 min=10, max=maximum)


def noise_param(default: float, help: str, maximum: float = 1.0) -> Param:
    """The ``noise`` option; ``help`` says what the noise does in this dataset."""
    return Param("noise", "float", default, help, min=0.0, max=maximum)


def balanced_labels(n: int, num_classes: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` int64 labels in shuffled order, each class as often as the others (give or take one)."""
    return rng.permutation(np.arange(n, dtype=np.int64) % num_classes)
