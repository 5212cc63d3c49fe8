"""The feature maps before Train: what the weights a run would start from make of the probe sample.

Without this the feature-map view was blank until the first run. A moment after the network, its
settings, the probe or the weights change (and while nothing trains), a trainer is made as Train
would make it (the same seed, so the same initial weights, or the kept trained weights) and asked
for the probe's maps; nothing is trained. A network that cannot train yet shows nothing here: the
canvas and the Train button already say why.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from explorer.data import DatasetError
from explorer.graph.errors import GraphError
from explorer.training.settings import SettingsError, TrainingSettings

DELAY_MS = 250  # after the last change: typing a parameter does not build a network per key


class InitialMaps(QObject):
    """Shows ``panel``'s feature maps of the weights the next run starts from, while it is idle."""

    def __init__(self, panel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.snapshot = None   # the FeatureMapSnapshot shown last (its step 0: the initial weights)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.show_now)
        panel.tabs.currentChanged.connect(lambda _index: self.schedule())

    def schedule(self) -> None:
        """Show the maps a moment from now (the last of several quick changes wins), if the feature-map
        tab is where the student looks: building a network costs the window 0.1 to 0.5 s."""
        if self.panel.run is None and self.panel.tabs.currentWidget() is self.panel.feature_view:
            self.timer.start()

    def show_now(self) -> bool:
        """Compute and show the maps now; False when there are none to show (or a run is on)."""
        self.timer.stop()
        panel = self.panel
        view = panel.feature_view
        if panel.run is not None or panel.document is None or not view.has_candidates:
            return False
        try:
            settings = TrainingSettings.from_dict(panel.form.settings())
            dataset = panel.datasets.load(settings.dataset, settings.dataset_options, seed=settings.seed,
                                          val_fraction=settings.val_fraction)
            options = {"probes": False}
            weights = panel.weights
            if weights is not None and weights.fit(panel.document):
                if weights.own:
                    options["initial_state"] = weights.state_dicts
                else:  # another network's, in the layers that match: as Train will start
                    options["transfer_from"] = weights.state_dicts
            trainer = panel.trainer_factory(panel.document, settings, dataset=dataset, **options)
            index = min(view.probe_spin.value(), len(dataset.x_val) - 1)
            if hasattr(trainer, "set_probe_index") and index != getattr(trainer, "probe_index", 0):
                trainer.set_probe_index(index)
            snapshot = trainer.probe_feature_maps() if hasattr(trainer, "probe_feature_maps") else None
        except (GraphError, DatasetError, SettingsError):
            return False  # the network or its settings cannot train yet: the panel says why on Train
        except Exception:  # noqa: BLE001  (a preview never breaks the window; Train reports the real error)
            return False
        if snapshot is None or panel.run is not None:
            return False
        view.set_probe_range(len(dataset.x_val), index)
        view.show_snapshot(snapshot)
        self.snapshot = snapshot
        return True
