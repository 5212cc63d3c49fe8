"""Small networks and datasets built in code, so trainer tests run in a blink."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.data import Dataset
from explorer.graph import Document


def chain(layers: list[tuple[str, dict]], training: dict | None = None, name: str = "test") -> Document:
    """A document whose layers are wired one after the other; ids are the kinds' defaults."""
    doc = Document(name=name, training=dict(training or {}))
    prev = None
    for kind, params in layers:
        node = doc.add_node(kind, params)
        if prev is not None:
            doc.connect(prev, node.id)
        prev = node.id
    return doc


def image_dataset(n: int = 96, classes: int = 3, shape=(1, 8, 8), seed: int = 0) -> Dataset:
    """Random images whose class is which third of the image is brightest: learnable, instant."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 0.3, (n, *shape)).astype(np.float32)
    y = (np.arange(n) % classes).astype(np.int64)
    band = shape[-1] // classes
    for i, label in enumerate(y):
        x[i, ..., label * band:(label + 1) * band] += 1.0
    split = n * 3 // 4
    return Dataset(name="bands", x_train=x[:split], y_train=y[:split], x_val=x[split:], y_val=y[split:],
                   task="classification", sample_shape=tuple(shape), num_classes=classes,
                   class_names=[f"band {k}" for k in range(classes)])


SMALL_CNN = [("Input", {"shape": [1, 8, 8]}),
             ("Conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1}), ("ReLU", {}),
             ("Dropout2d", {"p": 0.2}),
             ("MaxPool2d", {"kernel_size": 2}),
             ("Conv2d", {"out_channels": 6, "kernel_size": 3}), ("Tanh", {}),
             ("Flatten", {}), ("Linear", {"out_features": 16}), ("Sigmoid", {}), ("Dropout", {"p": 0.3}),
             ("Linear", {"out_features": 3})]

SMALL_MLP = [("Input", {"shape": [2]}), ("Linear", {"out_features": 8}), ("ReLU", {}),
             ("Linear", {"out_features": 2})]


@pytest.fixture
def cnn_doc() -> Document:
    return chain(SMALL_CNN, {"dataset": "digits", "batch_size": 16, "epochs": 2, "lr": 0.01})


@pytest.fixture
def bands() -> Dataset:
    return image_dataset()


@pytest.fixture
def mlp_doc() -> Document:
    return chain(SMALL_MLP, {"dataset": "moons", "dataset_options": {"n_samples": 200}, "batch_size": 16,
                             "epochs": 2, "lr": 0.05})


@pytest.fixture
def make_chain():
    return chain


@pytest.fixture
def make_images():
    return image_dataset
