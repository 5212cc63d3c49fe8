"""The dataset cache hands back the same arrays for the same arguments and forgets the oldest."""

import numpy as np
import pytest

from explorer.data import DatasetCache, DatasetError, load_dataset


def test_the_same_arguments_give_the_same_dataset_without_loading_again():
    cache = DatasetCache()
    first = cache.load("moons", {"noise": 0.1}, seed=3, val_fraction=0.25)
    assert cache.load("moons", {"noise": 0.1}, seed=3, val_fraction=0.25) is first
    fresh = load_dataset("moons", {"noise": 0.1}, seed=3, val_fraction=0.25)
    assert np.array_equal(first.x_train, fresh.x_train) and np.array_equal(first.y_val, fresh.y_val)


@pytest.mark.parametrize("change", [{"options": {"noise": 0.3}}, {"seed": 4}, {"val_fraction": 0.5},
                                    {"name": "circles"}])
def test_any_other_argument_loads_anew(change):
    cache = DatasetCache()
    args = {"name": "moons", "options": {"noise": 0.1}, "seed": 3, "val_fraction": 0.25}
    first = cache.load(args["name"], args["options"], seed=args["seed"], val_fraction=args["val_fraction"])
    args.update(change)
    other = cache.load(args["name"], args["options"], seed=args["seed"], val_fraction=args["val_fraction"])
    assert other is not first


def test_the_least_recently_used_dataset_is_forgotten():
    cache = DatasetCache(size=2)
    a = cache.load("moons", seed=1)
    b = cache.load("moons", seed=2)
    assert cache.load("moons", seed=1) is a  # a is now the most recent
    cache.load("moons", seed=3)              # so b goes
    assert len(cache) == 2
    assert cache.load("moons", seed=1) is a and cache.load("moons", seed=2) is not b


def test_a_refused_dataset_is_refused_every_time_and_not_kept():
    cache = DatasetCache()
    for _ in range(2):
        with pytest.raises(DatasetError, match="unknown dataset"):
            cache.load("no-such-data")
    assert len(cache) == 0
