"""The sequence datasets: targets that are what their names say, seeded, lengths refused outside 1..1000."""

import numpy as np
import pytest

from explorer.data import DatasetError, load_dataset


def test_reverse_targets_are_the_inputs_backwards():
    d = load_dataset("reverse", {"length": 6, "vocabulary": 7, "n_samples": 50})
    assert d.per_position and d.input_dtype == "token ids" and d.task == "classification"
    assert d.x_train.shape == (40, 6) and d.y_train.shape == (40, 6) and d.num_classes == 7
    assert np.array_equal(d.y_train, d.x_train[:, ::-1]) and d.x_train.max() <= 6
    assert d.class_names == [str(i) for i in range(7)]


def test_sort_targets_are_the_inputs_in_order():
    d = load_dataset("sort", {"length": 9, "n_samples": 40})
    assert np.array_equal(d.y_val, np.sort(d.x_val, axis=1))
    assert not np.array_equal(d.x_val, d.y_val)  # random digits are seldom sorted already


def test_copy_repeats_the_symbols_after_the_marker():
    d = load_dataset("copy", {"symbols": 3, "delay": 5, "vocabulary": 4, "n_samples": 30})
    x, y = d.x_train, d.y_train
    assert x.shape[1] == 2 * 3 + 5 and d.num_classes == 4 + 2
    assert d.class_names[0] == "_" and d.class_names[-1] == ">"
    go = 4 + 1
    assert (x[:, 3 + 5 - 1] == go).all() and (x[:, :3] >= 1).all() and (x[:, :3] <= 4).all()
    assert np.array_equal(y[:, 3 + 5:], x[:, :3]) and (y[:, :3 + 5] == 0).all()
    assert (x[:, 3:3 + 5 - 1] == 0).all() and (x[:, 3 + 5:] == 0).all()


@pytest.mark.parametrize("name", ["adding", "copy", "reverse", "sort"])
def test_sequence_datasets_are_seeded(name):
    a, b = load_dataset(name, seed=3), load_dataset(name, seed=3)
    c = load_dataset(name, seed=4)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.x_train, c.x_train)


def test_adding_length_is_an_option_with_default_50():
    assert load_dataset("adding").sample_shape == (50, 2)
    assert load_dataset("adding", {"length": 12}).sample_shape == (12, 2)


@pytest.mark.parametrize("name", ["adding", "reverse", "sort"])
@pytest.mark.parametrize("length, words", [(0, "at least"), (100_000, "at most 1000")])
def test_a_length_of_0_or_100000_is_refused_naming_the_option(name, length, words):
    with pytest.raises(DatasetError, match=f"dataset '{name}': 'length' must be {words}"):
        load_dataset(name, {"length": length})


def test_copy_delay_out_of_range_is_refused():
    with pytest.raises(DatasetError, match="'delay' must be at most 1000"):
        load_dataset("copy", {"delay": 100_000})
    with pytest.raises(DatasetError, match="'delay' must be at least 1"):
        load_dataset("copy", {"delay": 0})


def test_copy_sequences_longer_than_1000_steps_are_refused():
    with pytest.raises(DatasetError, match="100 symbols twice and a delay of 900 make sequences of 1100 steps, "
                                           "more than 1000"):
        load_dataset("copy", {"symbols": 100, "delay": 900, "n_samples": 10})
