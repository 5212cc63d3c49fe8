"""The synthetic ``shapes`` images: balanced, visible and in range."""

import numpy as np

from explorer.data import load_dataset


def test_classes_are_balanced_and_named():
    d = load_dataset("shapes", {"n_samples": 600})
    assert d.class_names == ["circle", "square", "triangle", "cross", "ring", "line"]
    counts = np.bincount(np.concatenate([d.y_train, d.y_val]), minlength=6)
    assert counts.tolist() == [100] * 6
    assert np.bincount(d.y_val, minlength=6).min() > 0


def test_images_show_a_shape_and_stay_in_range():
    d = load_dataset("shapes", {"n_samples": 600, "noise": 0.0})
    images = d.x_train[:, 0]
    assert images.min() >= 0.0 and images.max() <= 1.0
    lit = (images > 0.5).sum(axis=(1, 2))
    assert lit.min() >= 10  # even a thin line of the smallest size covers some pixels
    assert lit.max() < 28 * 28 / 2  # and no shape fills the image
    # the border row stays dark: shapes are placed fully inside the image
    border = np.concatenate([images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]], axis=1)
    assert border.max() == 0.0


def test_each_class_looks_different_on_average():
    d = load_dataset("shapes", {"n_samples": 1200, "noise": 0.0})
    filled = [(d.x_train[d.y_train == k, 0] > 0.5).mean() for k in range(6)]
    circle, square, triangle, cross, ring, line = filled
    assert line < ring < circle  # a line is thin, a ring has a hole, a disc is full
    assert triangle < square


def test_noise_is_added_to_the_pixels():
    clean = load_dataset("shapes", {"n_samples": 60, "noise": 0.0}, seed=1)
    noisy = load_dataset("shapes", {"n_samples": 60, "noise": 0.2}, seed=1)
    background = clean.x_train == 0
    assert noisy.x_train[background].mean() > 0.05  # clipping at 0 keeps half the noise


def test_six_thousand_images_are_made():
    # How quickly: tests/benchmarks/bench_data.py (a time limit here would measure the CI machine).
    d = load_dataset("shapes", {"n_samples": 6000})
    assert len(d.x_train) + len(d.x_val) == 6000
