"""``shapes``: synthetic 28x28 grayscale images of simple shapes, an MNIST-sized first CNN task.

Every image holds one shape, filled and anti-aliased, at a random position, size, rotation and
brightness, with Gaussian pixel noise on top. Shapes are drawn from signed distance functions
(the distance in pixels from a pixel centre to the shape's edge, negative inside) on a coordinate
grid, all images of a class at once, so 6000 images take a fraction of a second.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .dataset import CLASSIFICATION, DatasetSpec, Samples, balanced_labels, n_samples_param, noise_param

SIZE = 28
MIN_RADIUS, MAX_RADIUS = 6.0, 10.5  # in pixels; smaller squares and circles blur into each other
_REACH = 1.15  # every shape fits in a circle of _REACH * radius whatever its rotation
_CHUNK = 2048  # images drawn at once: bounds the temporary arrays for large n_samples

# normals of an equilateral triangle's edges, pointing out of the shape
_TRIANGLE_NORMALS = np.array([[np.cos(a), np.sin(a)] for a in np.deg2rad([270, 30, 150])], dtype=np.float32)


def _box(u, v, half_width, half_height):
    return np.maximum(np.abs(u) - half_width, np.abs(v) - half_height)


def _circle(u, v, r):
    return np.hypot(u, v) - r


def _square(u, v, r):
    return _box(u, v, 0.8 * r, 0.8 * r)


def _triangle(u, v, r):
    # circumradius 1.15 r, so it is not much smaller than the square
    edges = [u * nx + v * ny for nx, ny in _TRIANGLE_NORMALS]
    return np.maximum(np.maximum(edges[0], edges[1]), edges[2]) - 0.575 * r


def _cross(u, v, r):
    arm = np.maximum(0.25 * r, 1.0)
    return np.minimum(_box(u, v, r, arm), _box(u, v, arm, r))


def _ring(u, v, r):
    return np.abs(np.hypot(u, v) - 0.8 * r) - np.maximum(0.2 * r, 1.0)


def _line(u, v, r):
    return _box(u, v, r, 1.0)


# display order is class order
SHAPES = {"circle": _circle, "square": _square, "triangle": _triangle, "cross": _cross, "ring": _ring,
          "line": _line}


def load_shapes(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """``n_samples`` images ``[1, 28, 28]`` in [0, 1], classes in equal numbers."""
    n, noise = options["n_samples"], options["noise"]
    names = list(SHAPES)
    labels = balanced_labels(n, len(names), rng)
    images = np.empty((n, 1, SIZE, SIZE), dtype=np.float32)
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        images[start:stop, 0] = _draw(labels[start:stop], noise, rng)
    return Samples(images, labels, names,
                   f"{n} images of {', '.join(names)}, 28x28 pixels, noise {noise:g}")


def _draw(labels: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    n = len(labels)
    radius = rng.uniform(MIN_RADIUS, MAX_RADIUS, n).astype(np.float32)
    # the soft edge reaches up to a pixel past a sharp corner; keep it off the border
    margin = _REACH * radius + 1.5
    cx = rng.uniform(margin, SIZE - margin).astype(np.float32)
    cy = rng.uniform(margin, SIZE - margin).astype(np.float32)
    angle = rng.uniform(0.0, 2 * np.pi, n).astype(np.float32)
    brightness = rng.uniform(0.6, 1.0, n).astype(np.float32)

    centres = np.arange(SIZE, dtype=np.float32) + 0.5  # pixel centres
    dx = centres[None, None, :] - cx[:, None, None]
    dy = centres[None, :, None] - cy[:, None, None]
    cos, sin = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    u = cos * dx + sin * dy  # the pixel in the shape's own rotated frame
    v = cos * dy - sin * dx

    distance = np.empty((n, SIZE, SIZE), dtype=np.float32)
    for k, draw in enumerate(SHAPES.values()):
        mine = labels == k
        distance[mine] = draw(u[mine], v[mine], radius[mine, None, None])
    # a pixel half inside the edge is half covered: cheap anti-aliasing
    images = np.clip(0.5 - distance, 0.0, 1.0) * brightness[:, None, None]
    if noise > 0:
        images += rng.normal(0.0, noise, images.shape).astype(np.float32)
    return np.clip(images, 0.0, 1.0, out=images)


SPEC = DatasetSpec(
    "shapes", "28x28 images of circles, squares, triangles, crosses, rings and lines: a first CNN task",
    (n_samples_param(6000, maximum=60_000),
     noise_param(0.1, "standard deviation of the Gaussian noise added to every pixel (pixels span 0 to 1)")),
    CLASSIFICATION, load_shapes, images=True,
)
