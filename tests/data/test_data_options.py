"""Options, seeds and split sizes are checked before loading, with messages a student can act on."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.data import DatasetError, check_sample_shape, load_dataset


def _message(name, options=None, **kwargs):
    with pytest.raises(DatasetError) as info:
        load_dataset(name, options, **kwargs)
    return str(info.value)


def test_unknown_dataset_lists_the_known_ones():
    message = _message("mnist")
    assert message.startswith("unknown dataset 'mnist'; the datasets are moons, circles, spirals")


def test_unknown_option_is_named_with_the_allowed_ones():
    subsets = "train_samples, per_class, only_classes"
    assert _message("moons", {"samples": 10}) == \
        f"dataset 'moons' has no option 'samples'; its options are n_samples, noise, {subsets}"
    assert _message("digits", {"n_samples": 10}) == \
        f"dataset 'digits' has no option 'n_samples'; its options are {subsets}"
    assert _message("karate", {"n_samples": 10}).startswith("dataset 'karate' has no option 'n_samples'; its options")
    assert _message("idx", {"folder": "x", "size": 3}) == \
        f"dataset 'idx' has no option 'size'; its options are folder, limit, {subsets}"


def test_out_of_range_values_use_the_parameter_message():
    assert _message("moons", {"noise": -0.5}) == "dataset 'moons': 'noise' must be at least 0, not -0.5"
    assert _message("moons", {"n_samples": 5}) == "dataset 'moons': 'n_samples' must be at least 10, not 5"
    assert _message("gaussians", {"classes": 9}) == "dataset 'gaussians': 'classes' must be at most 8, not 9"


def test_wrong_types_use_the_parameter_message():
    assert _message("circles", {"n_samples": "many"}) == \
        "dataset 'circles': 'n_samples' must be a whole number, not 'many'"
    assert _message("circles", {"noise": "0.1"}) == "dataset 'circles': 'noise' must be a number, not '0.1'"
    assert _message("function", {"function": "cosine"}) == \
        "dataset 'function': 'function' must be one of sine, step, abs, square, not 'cosine'"
    assert _message("idx", {"folder": 3}) == "dataset 'idx': 'folder' must be the path of a folder, not 3"


def test_whole_floats_are_accepted_as_counts():
    # values read back from JSON may be floats
    assert len(load_dataset("xor", {"n_samples": 100.0}).x_val) == 20


def test_folder_is_required():
    assert _message("idx").startswith("dataset 'idx' needs the option 'folder': the folder holding the files")


@pytest.mark.parametrize("fraction", [0, -0.1, 0.95, 1, "0.2", True])
def test_validation_fraction_outside_range(fraction):
    assert _message("xor", val_fraction=fraction) == \
        f"the validation fraction must be more than 0 and at most 0.9, not {fraction!r}"


@pytest.mark.parametrize("seed", [-1, 1.5, "1"])
def test_bad_seed(seed):
    assert _message("xor", seed=seed) == f"the seed must be a whole number from 0 up, not {seed!r}"


@settings(max_examples=40, deadline=None)
@given(n=st.integers(10, 400), fraction=st.floats(0.01, 0.9), seed=st.integers(0, 2**32))
def test_split_partitions_the_samples(n, fraction, seed):
    d = load_dataset("xor", {"n_samples": n, "noise": 0.0}, seed=seed, val_fraction=fraction)
    assert len(d.x_train) + len(d.x_val) == n
    assert len(d.x_train) >= 1 and len(d.x_val) == min(max(1, round(n * fraction)), n - 1)
    points = np.concatenate([d.x_train, d.x_val])
    assert len(np.unique(points, axis=0)) == n  # no sample in both parts


def test_split_does_not_depend_on_the_generated_values():
    # same seed, other noise: the points move but the same indices land in validation
    a = load_dataset("gaussians", {"noise": 0.0}, seed=7)
    b = load_dataset("gaussians", {"noise": 0.3}, seed=7)
    np.testing.assert_array_equal(a.y_val, b.y_val)


def test_check_sample_shape_names_both_shapes():
    d = load_dataset("digits")
    check_sample_shape(d, [1, 8, 8])
    check_sample_shape(d, (1, -1, -1))
    with pytest.raises(DatasetError) as info:
        check_sample_shape(d, [1, 28, 28])
    assert str(info.value) == ("dataset 'digits' gives samples of shape [1, 8, 8] but the network's Input expects "
                               "[1, 28, 28]; set the Input's shape to [1, 8, 8] or choose another dataset")
    with pytest.raises(DatasetError, match=r"shape \[1, 8, 8\] but the network's Input expects \[64\]"):
        check_sample_shape(d, [64])


def test_check_sample_shape_refuses_token_ids_for_floats():
    d = load_dataset("moons", {"n_samples": 20})
    with pytest.raises(DatasetError) as info:
        check_sample_shape(d, [2], "token ids")
    assert str(info.value) == ("dataset 'moons' gives float values but the network's Input expects "
                               "token ids (whole numbers)")
