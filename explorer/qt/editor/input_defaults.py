"""A new Input takes the shape of the samples of the network's dataset, so the first Train works.

The catalogue's default Input shape is [1, 28, 28] (an MNIST image), while a new network trains on
the two moons ([2]) unless its settings say otherwise: a newcomer's first Train was refused. The
editor asks here for the shape the dataset named by the document's training section gives; any
problem (a dataset that needs a folder, broken settings) leaves the catalogue's default.
"""

from __future__ import annotations

from typing import Any

from ...data import DatasetError, load_dataset
from ...graph import GraphError, get_kind
from ...training.settings import SettingsError, TrainingSettings

_known: dict[str, dict[str, Any]] = {}  # settings (as text) -> Input parameters, for this session


def input_params_for(training: dict[str, Any]) -> dict[str, Any]:
    """Input parameters matching the samples of the dataset ``training`` names ({} if unknown)."""
    try:
        settings = TrainingSettings.from_dict(training)
    except (SettingsError, TypeError, ValueError):
        return {}
    key = repr((settings.dataset, sorted(settings.dataset_options.items()), settings.seed))
    if key not in _known:
        try:
            dataset = load_dataset(settings.dataset, settings.dataset_options, seed=settings.seed,
                                   val_fraction=settings.val_fraction)
            params = {"shape": [int(s) for s in dataset.sample_shape]}
            if dataset.input_dtype != "float":
                params["dtype"] = "token ids"
            get_kind("Input").validate_params(params)
        except (DatasetError, GraphError, OSError, ValueError):
            params = {}
        _known[key] = params
    return dict(_known[key])
