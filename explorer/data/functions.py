"""The ``function`` dataset: learn y = f(x) for one input, the smallest regression task there is."""

from __future__ import annotations

from typing import Any

import numpy as np

from explorer.graph.params import Param

from .dataset import REGRESSION, DatasetSpec, Samples, n_samples_param, noise_param

X_RANGE = (-3.0, 3.0)

# each is plain numpy, so a student can read exactly what the network is asked to learn
FUNCTIONS = {
    "sine": ("sin(2x)", lambda x: np.sin(2 * x)),
    "step": ("0 for x < 0, 1 from 0 on", lambda x: (x >= 0).astype(x.dtype)),
    "abs": ("|x|", np.abs),
    "square": ("x² / 3", lambda x: x * x / 3),
}


def load_function(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """``n_samples`` values of x drawn evenly from [-3, 3], with targets f(x) plus Gaussian noise."""
    n, name, noise = options["n_samples"], options["function"], options["noise"]
    formula, f = FUNCTIONS[name]
    x = rng.uniform(*X_RANGE, (n, 1))
    y = f(x)
    if noise > 0:
        y = y + rng.normal(0.0, noise, y.shape)
    return Samples(x.astype(np.float32), y.astype(np.float32),
                   description=f"{n} points of y = {formula} for x from -3 to 3, noise {noise:g}")


SPEC = DatasetSpec(
    "function", "learn a function of one number, y = f(x), for x from -3 to 3",
    (
        Param("function", "choice", "sine", "the function to learn: "
              + "; ".join(f"{k}: {v[0]}" for k, v in FUNCTIONS.items()), choices=tuple(FUNCTIONS)),
        n_samples_param(500),
        noise_param(0.05, "standard deviation of the Gaussian noise added to every target"),
    ),
    REGRESSION, load_function,
)
