"""Points in the plane, like TensorFlow Playground's: moons, circles, spirals, xor and gaussians; and
the ``ring`` of eight Gaussians that GANs are tested on.

Every set lies within [-1, 1] x [-1, 1] before noise (inputs near unit scale train well and the
window can draw all of them on the same axes; ``ring`` keeps the radius 2 of the GAN literature); ``noise`` is the standard deviation of Gaussian
jitter in those same units, so 0.1 means the same amount for every set.

moons and circles have the geometry of scikit-learn's ``make_moons`` and ``make_circles`` but are
drawn here with random angles, so points are not evenly spaced and noise is in plane units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from explorer.graph.params import Param

from .dataset import CLASSIFICATION, DatasetSpec, Samples, balanced_labels, n_samples_param, noise_param

_NOISE_HELP = "standard deviation of the Gaussian jitter added to every point (the plane spans -1 to 1)"


def _finish(points: np.ndarray, labels: np.ndarray, noise: float, rng: np.random.Generator,
            class_names: list[str], description: str) -> Samples:
    points = points + rng.normal(0.0, noise, points.shape) if noise > 0 else points
    return Samples(points.astype(np.float32), labels, class_names, description)


def load_moons(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """Two interleaved half circles."""
    n = options["n_samples"]
    labels = balanced_labels(n, 2, rng)
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    points = np.where(labels[:, None] == 0, upper, lower)
    # make_moons spans x in [-1, 2] and y in [-0.5, 1]: centre it and scale both axes alike
    points = (points - [0.5, 0.25]) / 1.5
    return _finish(points, labels, options["noise"], rng, ["upper moon", "lower moon"],
                   f"{n} points on two interleaved half moons")


def load_circles(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """A small circle inside a large one."""
    n = options["n_samples"]
    labels = balanced_labels(n, 2, rng)
    t = rng.uniform(0.0, 2 * np.pi, n)
    radius = np.where(labels == 0, 1.0, 0.5)
    points = radius[:, None] * np.stack([np.cos(t), np.sin(t)], axis=1)
    return _finish(points, labels, options["noise"], rng, ["outer circle", "inner circle"],
                   f"{n} points on a circle of radius 0.5 inside one of radius 1")


def load_spirals(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """Two spirals winding around each other, 1.75 turns each."""
    n = options["n_samples"]
    labels = balanced_labels(n, 2, rng)
    # arc length grows like t squared, so sqrt spreads points evenly along each arm
    t = np.sqrt(rng.uniform(0.0, 1.0, n))
    angle = 1.75 * 2 * np.pi * t + np.pi * labels
    points = t[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return _finish(points, labels, options["noise"], rng, ["spiral A", "spiral B"],
                   f"{n} points on two interleaved spirals")


def load_xor(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """Four quadrants: the class is whether x and y have the same sign."""
    n = options["n_samples"]
    # a small gap along the axes, as in TensorFlow Playground, so noise 0 gives a clean task
    magnitude = rng.uniform(0.05, 1.0, (n, 2))
    points = magnitude * rng.choice([-1.0, 1.0], (n, 2))
    labels = (np.sign(points[:, 0]) != np.sign(points[:, 1])).astype(np.int64)
    return _finish(points, labels, options["noise"], rng, ["same sign", "opposite signs"],
                   f"{n} points in four quadrants; the class is whether x and y share a sign")


def load_gaussians(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """Round blobs, one per class, evenly spaced on a circle of radius 0.6."""
    n, k = options["n_samples"], options["classes"]
    labels = balanced_labels(n, k, rng)
    angle = 2 * np.pi * np.arange(k) / k + np.pi / 4  # two blobs sit on the diagonal
    centres = 0.6 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return _finish(centres[labels], labels, options["noise"], rng, [f"blob {i + 1}" for i in range(k)],
                   f"{n} points in {k} Gaussian blobs")


def load_ring(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """Eight Gaussian modes evenly spaced on a circle of radius 2: the classic test of a GAN's mode coverage."""
    n, std = options["n_samples"], options["std"]
    labels = balanced_labels(n, RING_MODES, rng)
    centres = ring_centres()
    points = centres[labels] + rng.normal(0.0, std, (n, 2))
    return Samples(points.astype(np.float32), labels, [f"mode {i + 1}" for i in range(RING_MODES)],
                   f"{n} points in {RING_MODES} Gaussian modes (std {std:g}) on a circle of radius {RING_RADIUS:g}")


RING_MODES, RING_RADIUS = 8, 2.0


def ring_centres() -> np.ndarray:
    """The centres of the ``ring`` dataset's modes, ``[8, 2]``, mode ``i`` at angle ``2 pi i / 8``."""
    angle = 2 * np.pi * np.arange(RING_MODES) / RING_MODES
    return RING_RADIUS * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def _spec(name: str, help: str, loader, noise: float, *extra: Param) -> DatasetSpec:
    options = (n_samples_param(1000), noise_param(noise, _NOISE_HELP), *extra)
    return DatasetSpec(name, help, options, CLASSIFICATION, loader)


SPECS = (
    _spec("moons", "two interleaved half moons in the plane", load_moons, 0.1),
    _spec("circles", "a small circle inside a large one", load_circles, 0.05),
    _spec("spirals", "two spirals winding around each other: hard for a small network", load_spirals, 0.03),
    _spec("xor", "four quadrants, the class is whether x and y have the same sign", load_xor, 0.05),
    DatasetSpec(
        "gaussians", "round blobs of points, one per class", (
            n_samples_param(1000),
            noise_param(0.15, "standard deviation of each blob (the blobs sit 0.6 from the centre)"),
            Param("classes", "int", 2, "how many blobs, one class each", min=2, max=8),
        ), CLASSIFICATION, load_gaussians),
    DatasetSpec(
        "ring", "eight Gaussian modes on a circle of radius 2: what a GAN must learn to cover (the class is "
                "the mode)", (
            n_samples_param(2000),
            Param("std", "float", 0.05, "standard deviation of each mode (the circle has radius 2)",
                  min=0.001, max=1.0),
        ), CLASSIFICATION, load_ring),
)
