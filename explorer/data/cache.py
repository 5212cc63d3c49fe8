"""The last few datasets loaded, kept so that training the same data again starts at once."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from .dataset import Dataset
from .registry import load_dataset


class DatasetCache:
    """Loads datasets like :func:`load_dataset` and keeps the ``size`` most recently used.

    Datasets are deterministic for their name, options, seed and validation fraction, so a second
    Train with the same settings reuses the arrays instead of drawing or reading them again (the
    window builds its trainer on the GUI thread when Train is pressed). Callers must not write into
    the arrays they get.
    """

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, Dataset] = OrderedDict()

    def load(self, name: str, options: dict[str, Any] | None = None, *, seed: int = 0,
             val_fraction: float = 0.2) -> Dataset:
        """The dataset, from the cache when these exact arguments were loaded recently."""
        key = (name, json.dumps(options or {}, sort_keys=True, default=repr), seed, val_fraction)
        dataset = self._entries.pop(key, None)
        if dataset is None:
            dataset = load_dataset(name, options, seed=seed, val_fraction=val_fraction)
        self._entries[key] = dataset
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return dataset

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
