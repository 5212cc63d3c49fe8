"""Where the FGSM view's network comes from: the panel's paused run, or the weights its last run left.

A running network is not attacked: its weights change under the copy. Paused (the training thread
waiting, :meth:`~explorer.training.controls.RunControls.wait_idle`) or ended, its weights are copied
and the copy is attacked, so the run is never touched. The view is refreshed when its tab is shown,
when a run pauses or ends, and on its button.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from explorer.data import DatasetError
from explorer.training.fgsm import FgsmAttack, FgsmError, image_refusal, network_of
from explorer.training.objectives import resolve_task
from explorer.training.settings import SettingsError, TrainingSettings

from .weights import state_dicts_of

RETRIES = 25        # a pause lands after the step in progress: look again this many times,
RETRY_MS = 20       # this far apart (half a second in all)


def attack_of_panel(panel) -> tuple[FgsmAttack, list[str] | None, str]:
    """An attack on ``panel``'s current weights, the class names and a note saying which weights;
    :class:`FgsmError` saying why there is none."""
    run = panel.run
    document = panel.document
    if run is not None:
        trainer = run.trainer
        if not run.paused:
            raise FgsmError("The network is training: pause or stop it to attack its current weights.")
        if not trainer.wait_idle(0):
            raise FgsmError("The run is finishing its step; its weights are attacked once it has paused.")
        state, dataset = state_dicts_of(trainer), trainer.dataset
        note = f"The weights after step {panel._step_offset + trainer.step} (paused)."
    else:
        weights = panel.weights
        if weights is None or document is None or not weights.fit(document):
            raise FgsmError("Train the network first (or press Train again after editing it): FGSM attacks "
                            "trained weights.")
        try:
            settings = TrainingSettings.from_dict(panel.form.settings())
            dataset = panel.datasets.load(settings.dataset, settings.dataset_options, seed=settings.seed,
                                          val_fraction=settings.val_fraction)
        except (DatasetError, SettingsError) as error:
            raise FgsmError(f"The dataset cannot be loaded: {error}") from None
        state = weights.state_dicts
        loaded = getattr(weights, "source", None) == "checkpoint" and not weights.steps
        note = "The loaded checkpoint's weights." if loaded else f"The weights after step {weights.steps}."
    refusal = image_refusal(dataset)
    if refusal is not None:
        raise FgsmError(refusal + ".")
    return FgsmAttack(network_of(document, state), dataset.x_val, dataset.y_val), dataset.class_names, note


class FgsmLink(QObject):
    """Feeds ``panel``'s FGSM view with the weights to attack, whenever they may have changed."""

    def __init__(self, panel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.view = panel.views.fgsm_view
        self._tries = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RETRY_MS)
        self._timer.timeout.connect(self._retry)
        self.view.refresh_requested.connect(self.refresh)
        panel.run_finished.connect(lambda _end: self.refresh_if_shown())
        panel.run_started.connect(lambda: self.view.set_attack(
            None, note="The network is training: pause or stop it to attack its current weights."))
        panel.pause_button.clicked.connect(lambda: self.refresh_if_shown(wait=True))
        panel.batch_applied.connect(self._on_batch_applied)
        panel.tabs.currentChanged.connect(lambda _index: self.refresh_if_shown(wait=True))

    def _on_batch_applied(self, _batch) -> None:
        """A single Step while paused changed the weights: attack the new ones (running batches are skipped)."""
        run = self.panel.run
        if run is not None and run.paused:
            self.refresh_if_shown(wait=True)

    def weights_loaded(self) -> None:
        """Weights came from a checkpoint or an earlier run, with no run yet to decide the tabs: an image
        classifier's Adversarial tab shows, so its loaded weights can be attacked at once."""
        panel = self.panel
        try:
            settings = TrainingSettings.from_dict(panel.form.settings())
            dataset = panel.datasets.load(settings.dataset, settings.dataset_options, seed=settings.seed,
                                          val_fraction=settings.val_fraction)
        except (DatasetError, SettingsError):
            return  # the settings say what is wrong when Train is pressed
        show = resolve_task(settings.task, dataset) == "supervised" and image_refusal(dataset) is None
        panel.views.show_fgsm(show)
        if show:
            self.refresh_if_shown()

    def refresh_if_shown(self, wait: bool = False) -> None:
        """Refresh when the FGSM tab is the one shown (attacking costs a moment; nobody sees a hidden tab)."""
        tabs = self.panel.tabs
        if tabs.currentWidget() is self.view and tabs.isTabVisible(tabs.indexOf(self.view)):
            self.refresh(wait)

    def refresh(self, wait: bool = False) -> bool:
        """Attack the current weights now; ``wait``: a run that was just paused is looked at again a few times."""
        self._timer.stop()
        try:
            attack, names, note = attack_of_panel(self.panel)
        except FgsmError as error:
            run = self.panel.run
            if wait and run is not None and run.paused:
                self._tries = RETRIES
                self._timer.start()
            self.view.set_attack(None, note=error.message)
            return False
        except Exception as error:  # noqa: BLE001  (a view never breaks the window)
            self.view.set_attack(None, note=f"FGSM cannot run: {type(error).__name__}: {error}")
            return False
        self.view.set_attack(attack, names, note)
        return True

    def _retry(self) -> None:
        run = self.panel.run
        if run is None or not run.paused:
            return
        self._tries -= 1
        if run.trainer.wait_idle(0):
            self.refresh()
        elif self._tries > 0:
            self._timer.start()
