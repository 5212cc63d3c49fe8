"""Every built-in dataset loads with the promised shapes and dtypes, the same for the same seed."""

import subprocess
import sys

import numpy as np
import pytest

from explorer.data import DATASETS, Dataset, load_dataset

GRAPHS = ("karate", "sbm")  # one graph each: tested in test_data_graphs.py
GENERATED = [name for name in DATASETS if name not in ("digits", "idx", *GRAPHS)]

# name -> (sample shape, task, number of classes) with default options
EXPECTED = {
    "moons": ((2,), "classification", 2),
    "circles": ((2,), "classification", 2),
    "spirals": ((2,), "classification", 2),
    "xor": ((2,), "classification", 2),
    "gaussians": ((2,), "classification", 2),
    "ring": ((2,), "classification", 8),
    "function": ((1,), "regression", None),
    "digits": ((1, 8, 8), "classification", 10),
    "shapes": ((1, 28, 28), "classification", 6),
    "adding": ((50, 2), "regression", None),
}


def _small(name):
    """Options that keep a generated dataset quick to make."""
    return {"n_samples": 300} if name in GENERATED else {}


def test_catalogue_order_and_declarations():
    assert list(DATASETS) == ["moons", "circles", "spirals", "xor", "gaussians", "ring", "function", "digits",
                              "shapes", "idx", "adding", "copy", "reverse", "sort", "karate", "sbm"]
    for name, spec in DATASETS.items():
        assert spec.name == name
        assert spec.task in ("classification", "regression")
        assert spec.help
        for param in spec.options:
            assert param.validate(param.default, name) == param.default


@pytest.mark.parametrize("name", list(EXPECTED))
def test_shapes_dtypes_and_classes(name):
    shape, task, num_classes = EXPECTED[name]
    d = load_dataset(name, _small(name))
    assert isinstance(d, Dataset)
    assert (d.name, d.task, d.sample_shape, d.num_classes, d.input_dtype) == (name, task, shape, num_classes, "float")
    assert d.x_train.dtype == d.x_val.dtype == np.float32
    assert d.x_train.shape[1:] == d.x_val.shape[1:] == shape
    assert len(d.x_train) == len(d.y_train) and len(d.x_val) == len(d.y_val)
    assert np.isfinite(d.x_train).all() and np.isfinite(d.x_val).all()
    assert d.description
    if task == "classification":
        assert d.y_train.dtype == d.y_val.dtype == np.int64
        assert d.y_train.ndim == 1
        assert len(d.class_names) == num_classes
        assert set(np.unique(d.y_train)) == set(range(num_classes))
    else:
        assert d.y_train.dtype == d.y_val.dtype == np.float32
        assert d.y_train.shape == (len(d.x_train), 1)
        assert d.class_names is None
    assert d.is_2d == (shape == (2,))


def test_default_split_is_one_fifth():
    d = load_dataset("moons")
    assert (len(d.x_train), len(d.x_val)) == (800, 200)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_same_seed_same_arrays_other_seed_other_arrays(name):
    a = load_dataset(name, _small(name), seed=3)
    b = load_dataset(name, _small(name), seed=3)
    c = load_dataset(name, _small(name), seed=4)
    for field in ("x_train", "y_train", "x_val", "y_val"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    # digits are fixed images, so for them only the split changes
    assert not np.array_equal(a.x_train, c.x_train)


def test_planar_sets_lie_near_the_unit_square():
    for name in ("moons", "circles", "spirals", "xor", "gaussians"):
        d = load_dataset(name, {"noise": 0.0})
        points = np.concatenate([d.x_train, d.x_val])
        assert np.abs(points).max() <= 1.0 + 1e-6, name
        if name != "gaussians":  # without noise, blobs are single points
            assert np.abs(points).max() > 0.5, name


def test_noise_free_xor_labels_follow_the_quadrants():
    d = load_dataset("xor", {"noise": 0.0})
    expected = (d.x_train[:, 0] * d.x_train[:, 1] < 0).astype(np.int64)
    np.testing.assert_array_equal(d.y_train, expected)


def test_gaussians_classes_option():
    d = load_dataset("gaussians", {"classes": 5, "n_samples": 500})
    assert d.num_classes == 5 and d.class_names == [f"blob {i}" for i in range(1, 6)]
    assert np.bincount(np.concatenate([d.y_train, d.y_val])).tolist() == [100] * 5


def test_noise_free_function_targets_are_the_function():
    for function, f in {"sine": lambda x: np.sin(2 * x), "abs": np.abs, "step": lambda x: (x >= 0) * 1.0,
                        "square": lambda x: x * x / 3}.items():
        d = load_dataset("function", {"function": function, "noise": 0.0})
        assert -3 <= d.x_train.min() and d.x_train.max() <= 3
        np.testing.assert_allclose(d.y_train, f(d.x_train), atol=1e-6, err_msg=function)


def test_adding_problem_marks_two_values_one_in_each_half():
    d = load_dataset("adding", {"length": 10, "n_samples": 200})
    x, y = d.x_train, d.y_train
    assert d.sample_shape == (10, 2)
    markers = x[:, :, 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert (markers[:, :5].sum(axis=1) == 1).all() and (markers[:, 5:].sum(axis=1) == 1).all()
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * markers).sum(axis=1), rtol=1e-6)
    assert ((x[:, :, 0] >= 0) & (x[:, :, 0] <= 1)).all()


def test_digits_pixels_are_scaled_to_unit_range():
    d = load_dataset("digits")
    assert len(d.x_train) + len(d.x_val) == 1797
    assert d.x_train.min() == 0.0 and d.x_train.max() == 1.0
    assert d.class_names == [str(i) for i in range(10)]


def test_the_data_package_imports_no_qt():
    code = ("import sys, explorer.data; from explorer.data import load_dataset; load_dataset('moons'); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
