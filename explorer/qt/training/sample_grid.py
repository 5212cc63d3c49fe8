"""Many samples as one picture: images tiled into a single mosaic, 1-D samples laid side by side as curves.

The task views (reconstructions, GAN samples) draw a whole grid with one ImageItem or one
PlotDataItem, updated in place (STYLE 9), rather than an item per sample.
"""

from __future__ import annotations

import math

import numpy as np

GAP = 1  # pixels between tiles, transparent (NaN)


def as_images(samples: np.ndarray) -> np.ndarray | None:
    """``samples`` [K, C, H, W] or [K, H, W] as [K, H, W] (grey) or [K, H, W, 3] (colour); None if not images."""
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 3:
        return samples
    if samples.ndim != 4:
        return None
    channels = samples.shape[1]
    if channels == 1:
        return samples[:, 0]
    if channels == 3:
        return np.moveaxis(samples, 1, -1)
    return samples.mean(axis=1)  # other channel counts: their mean, still a picture of the sample


def tile_images(images: np.ndarray, columns: int, gap: int = GAP) -> np.ndarray:
    """``images`` [K, H, W(, 3)] as one float32 mosaic ``columns`` tiles wide, gaps NaN (transparent)."""
    k, h, w = images.shape[:3]
    colour = images.shape[3:]
    columns = max(1, min(columns, k))
    rows = math.ceil(k / columns)
    mosaic = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap, *colour), np.nan, dtype=np.float32)
    for i in range(k):
        r, c = divmod(i, columns)
        mosaic[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = images[i]
    return mosaic


def stack_mosaics(top: np.ndarray, bottom: np.ndarray, gap: int = 2) -> np.ndarray:
    """Two mosaics of the same width one over the other, ``gap`` transparent rows between."""
    spacer = np.full((gap, *top.shape[1:]), np.nan, dtype=np.float32)
    return np.concatenate([top, spacer, bottom], axis=0)


def image_levels(images: np.ndarray) -> tuple[float, float]:
    """Explicit levels for a grid of images: [0, 1] when the pixels lie there, else their own range."""
    finite = images[np.isfinite(images)]
    if not finite.size:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if lo >= -1e-6 and hi <= 1.0 + 1e-6:
        return 0.0, 1.0
    if hi - lo < 1e-12:
        hi = lo + 1.0
    return lo, hi


def side_by_side(samples: np.ndarray, gap: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """1-D samples [K, L] as one curve: x, y with NaN between samples (for ``connect="finite"``).

    Sample k spans x in [k, k + 1 - gap), so every sample has the same width whatever its length.
    """
    samples = np.asarray(samples, dtype=np.float64).reshape(len(samples), -1)
    k, length = samples.shape
    step = (1.0 - gap) / max(length - 1, 1)
    x = np.full((k, length + 1), np.nan)
    y = np.full((k, length + 1), np.nan)
    x[:, :length] = np.arange(k)[:, None] + np.arange(length)[None, :] * step
    y[:, :length] = samples
    return x.reshape(-1), y.reshape(-1)
