"""train_samples, per_class and only_classes: part of the training split, seeded, labels kept, clear refusals."""

import numpy as np
import pytest

from explorer.data import DATASETS, DatasetError, load_dataset
from explorer.training.settings import SettingsError, TrainingSettings


def _rows(x):
    return {row.tobytes() for row in x}


def _message(name, options):
    with pytest.raises(DatasetError) as info:
        load_dataset(name, options)
    return str(info.value)


def test_which_datasets_take_which_subset_options():
    for name, spec in DATASETS.items():
        names = spec.option_names
        if name in ("karate", "sbm"):
            assert "train_samples" not in names  # a graph's split is its labelled nodes
        elif spec.task == "classification" and not spec.per_position:
            assert names[-3:] == ("train_samples", "per_class", "only_classes"), name
        else:
            assert names[-1] == "train_samples" and "per_class" not in names, name


def test_train_samples_keeps_a_seeded_part_of_the_training_split_and_all_of_validation():
    full = load_dataset("digits", seed=3)
    few = load_dataset("digits", {"train_samples": 50}, seed=3)
    assert len(few.x_train) == len(few.y_train) == 50
    np.testing.assert_array_equal(few.x_val, full.x_val)
    np.testing.assert_array_equal(few.y_val, full.y_val)
    assert _rows(few.x_train) <= _rows(full.x_train)
    again = load_dataset("digits", {"train_samples": 50}, seed=3)
    np.testing.assert_array_equal(few.x_train, again.x_train)
    other = load_dataset("digits", {"train_samples": 50}, seed=4)
    assert _rows(other.x_train) != _rows(few.x_train)
    assert few.num_classes == 10 and len(set(few.y_train.tolist())) > 5  # a random choice, not one class
    assert "training on 50 of 1438 samples" in few.description


def test_the_subset_leaves_the_split_and_the_generated_samples_alone():
    # the subset draws from its own stream: without options the arrays are as they always were
    a = load_dataset("moons", {"n_samples": 200, "train_samples": 0}, seed=5)
    b = load_dataset("moons", {"n_samples": 200}, seed=5)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.x_val, b.x_val)


def test_only_classes_keeps_those_classes_with_their_labels_in_training_and_validation():
    full = load_dataset("digits")
    high = load_dataset("digits", {"only_classes": [9, 5, 6, 7, 8]})
    assert set(high.y_train.tolist()) == set(high.y_val.tolist()) == {5, 6, 7, 8, 9}
    assert high.num_classes == 10 and high.class_names == full.class_names  # labels are not renumbered
    assert len(high.x_train) == int(np.isin(full.y_train, [5, 6, 7, 8, 9]).sum())
    assert len(high.x_val) == int(np.isin(full.y_val, [5, 6, 7, 8, 9]).sum())
    np.testing.assert_array_equal(high.x_val, full.x_val[full.y_val >= 5])


def test_per_class_keeps_that_many_of_each_class():
    d = load_dataset("digits", {"only_classes": [5, 6, 7, 8, 9], "per_class": 10}, seed=1)
    assert np.bincount(d.y_train, minlength=10).tolist() == [0] * 5 + [10] * 5
    shapes = load_dataset("shapes", {"n_samples": 600, "per_class": 7})
    assert np.bincount(shapes.y_train).tolist() == [7] * 6
    both = load_dataset("moons", {"n_samples": 300, "per_class": 40, "train_samples": 30})
    assert len(both.y_train) == 30 and np.bincount(both.y_train).max() <= 40


def test_train_samples_works_for_regression_and_sequences():
    assert len(load_dataset("function", {"train_samples": 12}).x_train) == 12
    assert len(load_dataset("reverse", {"n_samples": 100, "train_samples": 9}).y_train) == 9


def test_refusals_name_the_option_and_the_reason():
    assert _message("digits", {"only_classes": [3, 12, 10]}) == \
        "dataset 'digits' has classes 0 to 9; 'only_classes' names 10, 12"
    assert _message("digits", {"per_class": 500}) == ("dataset 'digits': 'per_class' asks for 500 training samples "
                                                      "of each class but class '0' has only 152 after the split")
    assert _message("digits", {"train_samples": 5000}) == \
        "dataset 'digits': 'train_samples' asks for 5000 training samples but only 1438 are left after the split"
    assert _message("digits", {"only_classes": "5"}) == \
        "dataset 'digits': 'only_classes' must be a list of class numbers such as [5, 6, 7, 8, 9], not '5'"
    assert _message("digits", {"only_classes": []}).endswith("not []")
    assert _message("digits", {"only_classes": [1.5]}).endswith("; 1.5 is not a class number (0 or more)")
    assert _message("digits", {"only_classes": [1, 1]}) == \
        "dataset 'digits': 'only_classes' names a class twice: [1, 1]"
    assert _message("digits", {"train_samples": -1}) == "dataset 'digits': 'train_samples' must be at least 0, not -1"
    assert _message("function", {"per_class": 3}) == \
        "dataset 'function' has no option 'per_class'; its options are function, n_samples, noise, train_samples"
    assert "has no option 'train_samples'" in _message("karate", {"train_samples": 3})


def test_settings_check_the_subset_options_with_the_same_words():
    settings = TrainingSettings(dataset="digits", dataset_options={"only_classes": [7.0, 5], "per_class": 10.0,
                                                                   "train_samples": 0})
    assert settings.dataset_options == {"only_classes": [5, 7], "per_class": 10, "train_samples": 0}
    assert TrainingSettings(dataset="digits", dataset_options={"only_classes": None}).dataset_options == {}
    with pytest.raises(SettingsError) as info:
        TrainingSettings(dataset="digits", dataset_options={"only_classes": "five"})
    assert info.value.key == "dataset_options.only_classes"
    assert str(info.value) == ("training setting 'dataset_options.only_classes': dataset 'digits': 'only_classes' "
                               "must be a list of class numbers such as [5, 6, 7, 8, 9], not 'five'")
