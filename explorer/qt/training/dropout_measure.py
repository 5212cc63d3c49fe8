"""Filling the Dropout tab: the panel's trained weights in a fresh copy of the network, measured in both
modes on the validation set and the probe sample (:func:`explorer.training.dropout_modes.compare_modes`).

It runs on the window's thread between runs (two validation passes: a few tens of milliseconds for the
presets), on a copy built from the kept weights, so it never touches the training thread's network.
"""

from __future__ import annotations

import numpy as np
import torch

from explorer.graph.build import build_module
from explorer.training.dropout_modes import compare_modes
from explorer.training.settings import TrainingSettings


def measure_dropout(panel) -> bool:
    """Measure ``panel``'s trained network and show it in the Dropout tab; False, with the reason shown
    where there is one, when there is nothing to measure now (a run is on, no trained weights)."""
    view = panel.views.dropout_view
    if panel.run is not None:
        return False
    if not panel.has_weights():
        view.clear()
        return False
    if len(panel.weights.state_dicts) != 1:
        view.show_note("The Dropout tab measures a document of one network.")
        return False
    try:
        settings = TrainingSettings.from_dict(panel.form.settings())
        dataset = panel.datasets.load(settings.dataset, settings.dataset_options, seed=settings.seed,
                                      val_fraction=settings.val_fraction)
        (output, state), = panel.weights.state_dicts.items()
        module = build_module(panel.document, output)
        module.load_state_dict(state)
        classification = dataset.task == "classification"
        x = torch.from_numpy(np.ascontiguousarray(dataset.x_val))
        y = torch.from_numpy(np.ascontiguousarray(dataset.y_val, dtype=np.int64 if classification else np.float32))
        index = min(panel.feature_view.probe_spin.value(), len(x) - 1)
        panel.dropout_draws += 1
        comparison = compare_modes(module, x, y, dataset.task, index, seed=settings.seed + panel.dropout_draws)
    except Exception as error:  # noqa: BLE001  (a network or dataset this view cannot read: say so)
        view.show_note(f"Cannot measure the two modes: {getattr(error, 'message', None) or error}")
        return False
    view.show_comparison(comparison)
    return True
