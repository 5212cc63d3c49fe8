"""scikit-learn's 8x8 handwritten digits: real images that ship with scikit-learn, no download."""

from __future__ import annotations

from typing import Any

import numpy as np

from .dataset import CLASSIFICATION, DatasetSpec, Samples


def load_digits(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """All 1797 digits as ``[1, 8, 8]`` images with pixels in [0, 1]; the seed only changes the split."""
    from sklearn.datasets import load_digits as sklearn_digits  # scikit-learn is slow to import

    bunch = sklearn_digits()
    x = (bunch.images / 16.0).astype(np.float32)[:, None, :, :]  # pixels are counts 0..16
    y = bunch.target.astype(np.int64)
    return Samples(x, y, [str(d) for d in range(10)],
                   f"{len(x)} handwritten digits, 8x8 pixels (UCI optical digits, via scikit-learn)")


SPEC = DatasetSpec("digits", "handwritten digits 0-9 as tiny 8x8 images (1797 of them)", (), CLASSIFICATION,
                   load_digits, images=True)
