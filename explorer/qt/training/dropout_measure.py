"""Filling the Dropout tab: the panel's trained weights in a fresh copy of the network, measured in both
modes on the validation set and the probe sample (:func:`explorer.training.dropout_modes.compare_modes`).

It runs on the window's thread between runs, or while a run is paused (the training thread waiting, so its
weights hold still: a single Step measures again), two validation passes (a few tens of milliseconds for the
presets) on a copy built from the weights, so it never touches the training thread's network.
"""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import QObject, QTimer

from explorer.graph.build import build_module
from explorer.training.dropout_modes import compare_modes
from explorer.training.settings import TrainingSettings

from .fgsm_link import RETRIES, RETRY_MS
from .weights import state_dicts_of

RUNNING = "The network is training: pause it (or let it finish) to measure its current weights in both modes."


def measure_dropout(panel) -> bool:
    """Measure ``panel``'s trained network and show it in the Dropout tab; False, with the reason shown
    where there is one, when there is nothing to measure now (a run is on, no trained weights)."""
    view = panel.views.dropout_view
    run = panel.run
    if run is not None and not (run.paused and run.trainer.wait_idle(0)):
        view.show_note(RUNNING)
        return False
    if run is None and not panel.has_weights():
        view.clear()
        return False
    states = state_dicts_of(run.trainer) if run is not None else panel.weights.state_dicts
    if len(states) != 1:
        view.show_note("The Dropout tab measures a document of one network.")
        return False
    try:
        settings = TrainingSettings.from_dict(panel.form.settings())
        dataset = run.trainer.dataset if run is not None else panel.datasets.load(
            settings.dataset, settings.dataset_options, seed=settings.seed, val_fraction=settings.val_fraction)
        (output, state), = states.items()
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


class DropoutWhenPaused(QObject):
    """Measures again when the panel's run pauses, or takes a single Step while paused, with the Dropout tab
    shown: a pause lands after the step in progress, so the run is looked at a few times until it waits."""

    def __init__(self, panel) -> None:
        super().__init__(panel)
        self.panel = panel
        self._tries = 0
        self._timer = QTimer(self, singleShot=True, interval=RETRY_MS)
        self._timer.timeout.connect(self._look)
        panel.pause_button.clicked.connect(self.request)
        panel.batch_applied.connect(lambda _batch: self.request())
        panel.tabs.currentChanged.connect(lambda _index: self.request())

    def request(self) -> None:
        run, view = self.panel.run, self.panel.views.dropout_view
        if run is None or self.panel.tabs.currentWidget() is not view:
            return  # between runs the tab was measured when the run ended
        if not run.paused:
            if view.comparison is not None or view.accuracy_label.text() != RUNNING:
                view.show_note(RUNNING)  # not the last pause's figures under a network that has moved on
            return
        self._tries = RETRIES
        self._look()

    def _look(self) -> None:
        run = self.panel.run
        if run is None or not run.paused:
            return
        if run.trainer.wait_idle(0):
            measure_dropout(self.panel)
        elif self._tries > 0:
            self._tries -= 1
            self._timer.start()
