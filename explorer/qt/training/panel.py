"""The live training panel: the controls (:mod:`.controls`) beside the plots (:mod:`.views`), and the
life of a run, which is what this module is about.

The panel makes a :class:`~explorer.training.trainer.Trainer` on the GUI thread, so a network,
dataset or settings problem is shown at once and no thread starts; then the run trains in its
own thread and each condensed batch of snapshots it delivers is drawn in stages
(:mod:`.drawing`). Pressing Train again after a run continues from
the trained weights (every network's, :mod:`.weights`) while the network is unchanged; a loaded
checkpoint's weights are continued the same way; Reset weights starts the next run afresh, the
earlier curves staying faded for comparison.

``attach(window)`` is the one call that puts the panel into the main window and connects it.
"""

from __future__ import annotations

import traceback
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from explorer.data import DatasetCache, DatasetError
from explorer.graph import Document
from explorer.graph.errors import GraphError
from explorer.training.faults import hint_for
from explorer.training.probes import LIVE_RATES
from explorer.training.settings import SettingsError, TrainingSettings, completed
from explorer.training.snapshots import DoneSnapshot, ErrorSnapshot, StepSnapshot
from explorer.training.trainer import Trainer

from .controls import TrainingControls
from .cores import training_threads
from . import orphans
from .drawing import StagedDrawing
from .dropout_measure import DropoutWhenPaused, measure_dropout
from .fgsm_link import FgsmLink
from .history import PanelHistory
from .initial_maps import InitialMaps
from .message_bar import ERROR, INFO, WARNING
from .views import TrainingViews
from .weights import TrainedWeights, start_of, state_dicts_of
from .worker import SnapshotBatch, TrainingRun

SHUTDOWN_TIMEOUT = 0.8  # seconds a closing window waits for the training thread (closing takes < 1 s)


class TrainingPanel(QWidget):
    """``trainingPanel``: Train, Pause/Resume, Step, Stop, Reset weights; settings; progress; plots."""

    # ms between deliveries of snapshots to the views: every delivery redraws the curves, the
    # gradients and the newest pictures, so this is their frame rate (12.5 a second; the feature
    # maps are probed a little more often, so nearly every delivery brings new ones). Each redraw
    # costs the GUI thread about 5 ms, and on a busy machine every millisecond it takes from a
    # core stalls the training threads, so no faster than the pictures need.
    INTERVAL = 80
    MAX_INTERVAL = 95       # ms: the slowest the views update when drawing is costly (see TrainingRun);
                            # above 100 the feature maps could not move ten times a second
    GUI_CPU_BUDGET = 0.1    # share of a core the views may take while training

    run_started = Signal()
    batch_applied = Signal(object)  # SnapshotBatch, after the plots drew it
    run_finished = Signal(object)   # DoneSnapshot | ErrorSnapshot
    weights_changed = Signal(bool)  # trained weights were kept (True) or forgotten (False)

    def __init__(self, document: Document | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        # Seams for tests and the benchmark: how trainers are made, extra arguments, thread tuning.
        self.trainer_factory = Trainer
        self.trainer_options: dict[str, Any] = {}
        self.torch_threads: int | None = training_threads()
        self.datasets = DatasetCache()  # a second Train on the same data starts at once
        self.interval_ms = self.INTERVAL
        self.probe_rates = LIVE_RATES  # pictures that move like an animation (see the Trainer's docstring)

        self.document: Document | None = None
        self.window = None
        self.run: TrainingRun | None = None
        self.weights: TrainedWeights | None = None  # of the last good run or a loaded checkpoint
        self._step_offset = 0       # steps done by earlier runs continued now (x axis of the plots)
        self._run_start: dict | None = None  # seed and initialisation of the run under way
        self.dropout_draws = 0  # each measurement of the Dropout tab draws a new mask

        self._build_controls()
        self._build_plots()
        self.staged = StagedDrawing(self.views, self.progress_view, self)
        self.staged.batch_drawn.connect(self.batch_applied)
        self.history = PanelHistory(self)  # the time slider under the plots (history.py)
        self.initial_maps = InitialMaps(self)  # the feature maps before Train (initial_maps.py)
        splitter = QSplitter(Qt.Orientation.Horizontal, objectName="trainingSplitter")
        splitter.addWidget(self.side)
        splitter.addWidget(self.plots)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.history.bar)
        self._update_buttons()
        self.set_document(document if document is not None else Document())
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # Building ------------------------------------------------------------------------------------

    def _build_controls(self) -> None:
        self.side = TrainingControls()
        side = self.side  # its parts, by the names tests, the benchmark and the grab scripts use
        self.train_button, self.pause_button, self.step_button = side.train_button, side.pause_button, side.step_button
        self.stop_button, self.reset_button = side.stop_button, side.reset_button
        self.progress_view, self.message, self.form = side.progress_view, side.message, side.form
        view = self.progress_view
        self.epoch_label, self.step_label, self.rate_label = view.epoch_label, view.step_label, view.rate_label
        self.elapsed_label, self.lr_label, self.progress = view.elapsed_label, view.lr_label, view.bar
        self.train_button.clicked.connect(lambda: self.train())
        self.pause_button.clicked.connect(self.toggle_pause)
        self.step_button.clicked.connect(self.step)
        self.stop_button.clicked.connect(self.stop)
        self.reset_button.clicked.connect(self.reset_weights)
        self.form.edited.connect(self._on_settings_edited)
        self.form.live_changed.connect(self._on_live_setting_changed)
        self.form.augment.sample_loader = self._first_training_sample

    def _build_plots(self) -> None:
        self.views = self.plots = TrainingViews()
        views = self.views  # its parts, by the names tests, the benchmark and the grab scripts use
        self.loss_view, self.gradient_view, self.tabs = views.loss_view, views.gradient_view, views.tabs
        self.feature_view, self.boundary_view, self.activation_view = (views.feature_view, views.boundary_view,
                                                                       views.activation_view)
        self.reconstruction_view, self.gan_view, self.graph_view = (views.reconstruction_view, views.gan_view,
                                                                    views.graph_view)
        views.dropout_view.measure_requested.connect(self.measure_dropout)
        self.feature_view.probe_changed.connect(self._on_probe_changed)
        self.fgsm_link = FgsmLink(self)  # the adversarial-examples view attacks this panel's weights
        self.dropout_when_paused = DropoutWhenPaused(self)  # and the Dropout tab measures a paused run's
        self.gradient_view.tints_changed.connect(self._on_tints_changed)

    # The window ----------------------------------------------------------------------------------

    def measure_dropout(self) -> bool:
        """Fill the Dropout tab from the trained weights (:mod:`.dropout_measure`); False if nothing to measure."""
        return measure_dropout(self)

    def attach(self, window) -> None:
        """Put the panel into ``window`` and follow it: its document, canvas clicks, locking, closing."""
        self.window = window
        window.add_training_panel(self)
        self.history.attach(window)
        from ..exports import ViewMenus

        views = self.views
        self.view_menus = ViewMenus(window, {
            "loss": views.loss_view, "gradients": views.gradient_view, "feature_maps": views.feature_view,
            "boundary": views.boundary_view, "activation": views.activation_view,
            "reconstruction": views.reconstruction_view, "gan": views.gan_view, "graph": views.graph_view,
            "function": views.function_view, "fgsm": views.fgsm_view},
            self.history)  # the plots' right-click menu: PNG, SVG, the history as GIF
        window.document_replaced.connect(self.set_document)
        window.scene.node_clicked.connect(self.on_node_clicked)
        window.hidden.connect(self.shutdown)  # a closed window stops its training
        self.gradient_view.tint_check.setEnabled(True)
        self.set_document(window.document)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self, timeout: float = SHUTDOWN_TIMEOUT) -> bool:
        """Stop a run and wait up to ``timeout`` seconds for its thread; True when it has ended.

        Returns within ``timeout`` whatever the thread does; the panel is idle again either way.
        """
        run = self.run
        if run is None:
            return True
        if run.shutdown(timeout):
            return True
        # A step longer than the timeout: neither freeze the window for it nor destroy its running
        # thread. The thread is left to end by itself (see orphans.py); what it computes is dropped.
        step = getattr(self.latest_step, "step", 0)
        orphans.adopt(run)
        self._on_run_finished(ErrorSnapshot(step, f"the step in progress did not end within {timeout:g} s; it "
                                            "finishes in the background and its results are dropped", ""))
        return False

    # The document --------------------------------------------------------------------------------

    def set_document(self, document: Document) -> None:
        """Follow ``document`` (a file was opened): any run stops, the plots start empty."""
        if document is self.document:
            return
        self.shutdown()
        if self.document is not None:
            self.document.changed.disconnect(self._on_document_changed)
            self.document.meta_changed.disconnect(self._on_meta_changed)
        self.document = document
        document.changed.connect(self._on_document_changed)
        document.meta_changed.connect(self._on_meta_changed)
        self._set_weights(None)
        self._step_offset = 0
        self.staged.cancel()
        self.history.clear()
        self.form.set_settings(document.training)
        self.views.clear()
        self.views.show_task(self.form.task_shown())
        self.message.clear()
        self._reset_progress()
        self._on_document_changed()

    def _on_document_changed(self) -> None:
        if self.run is None:
            self._refresh_feature_nodes()
            self.form.set_code_candidates([n for n in self.document.topological_order()
                                           if self.document.node(n).layer.max_inputs != 0])  # None: any number
            self.initial_maps.schedule()
        self._update_buttons()

    def _on_meta_changed(self) -> None:
        # An edit from elsewhere (undo, another view): show it, unless it is what the form already shows.
        if self.run is not None:
            return
        if completed(self.document.training) != completed(self.form.settings()):
            self.form.set_settings(self.document.training)
        self.views.show_task(self.form.task_shown())  # the task's tab shows before the first run
        self.initial_maps.schedule()

    def _on_settings_edited(self, settings: dict) -> None:
        self._warn_if_start_changed(settings)
        if self.document is None or settings == self.document.training:
            return
        editor = getattr(self.window, "editor", None)
        if editor is not None:
            editor.set_training(settings)  # undoable, and marks the file modified
        else:
            self.document.set_meta(training=settings)

    def _refresh_feature_nodes(self) -> None:
        self.views.refresh_feature_nodes(self.document)

    def on_node_clicked(self, node_id: str) -> None:
        """A node was clicked on the canvas: show its feature maps if it has any."""
        if self.feature_view.choose_node(node_id):
            self.tabs.setCurrentWidget(self.feature_view)

    def _first_training_sample(self):
        """The first training sample of the data the form's settings name, for the augmentation preview
        (through the dataset cache Train uses); None when the settings cannot load data."""
        try:
            settings = TrainingSettings.from_dict(self.form.settings())
            dataset = self.datasets.load(settings.dataset, settings.dataset_options, seed=settings.seed,
                                         val_fraction=settings.val_fraction)
        except (DatasetError, SettingsError):
            return None
        return dataset.x_train[0] if len(dataset.x_train) and dataset.x_train.ndim == 4 else None

    # Commands ------------------------------------------------------------------------------------

    def train(self, paused: bool = False) -> bool:
        """Start a run (paused: start held, for Step); False, with the reason shown, if it cannot."""
        if self.run is not None or self.document is None:
            return False
        self.message.clear()
        settings_dict = self.form.settings()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            settings = TrainingSettings.from_dict(settings_dict)
            dataset = self.datasets.load(settings.dataset, settings.dataset_options, seed=settings.seed,
                                         val_fraction=settings.val_fraction)
            options = {"probe_rates": self.probe_rates, **self.trainer_options}
            weights = self.weights if self.weights is not None and self.weights.fit(self.document) else None
            continuing = weights is not None and weights.own
            if continuing:
                options["initial_state"] = weights.state_dicts
            elif weights is not None:  # another network's weights, into the layers that match
                options["transfer_from"] = weights.state_dicts
                options["transfer_source"] = weights.label
            trainer = self.trainer_factory(self.document, settings, dataset=dataset, **options)
        except (GraphError, DatasetError, SettingsError) as error:
            self._show_cannot_train(error)
            return False
        except Exception as error:  # noqa: BLE001  (errors come home; the window lives on)
            self.message.show_message(ERROR, f"Cannot train: {type(error).__name__}: {error}",
                                      traceback.format_exc())
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()

        if not continuing:
            self._step_offset = 0
            self.loss_view.begin_run()
            self.history.clear()
        start = start_of(settings_dict)
        # continued weights keep the seed and initialisation they were made with
        self._run_start = weights.start if continuing and weights.start is not None else start
        self.history.go_live()
        self._prepare_views(trainer, fresh=not continuing)
        self.progress_view.begin(None if "steps" in self.trainer_options else settings.epochs, self._step_offset)
        run = TrainingRun(trainer, self, interval_ms=self.interval_ms, torch_threads=self.torch_threads,
                          max_interval_ms=self.MAX_INTERVAL, cpu_budget=self.GUI_CPU_BUDGET)
        run.batch_ready.connect(self._on_batch)
        run.finished.connect(self._on_run_finished)
        self.run = run
        self._set_locked(True)
        self.form.set_running(True)
        run.start(paused=paused)
        if paused:
            run.step_once()
        self._update_buttons()
        self._status("Training continues from the trained weights" if continuing else "Training started")
        if continuing and weights.start is not None and weights.start != start:
            self.message.show_message(INFO, "Training continues from the trained weights: the "
                                      f"{self._start_changes(weights.start, start)} you changed does not "
                                      "remake them. Stop and reset the weights to start afresh from it.")
        elif getattr(trainer, "transfer_report", None) is not None:
            self.message.show_message(INFO, trainer.transfer_report.summary(weights.label))
        self.run_started.emit()
        return True

    def toggle_pause(self) -> None:
        if self.run is None:
            return
        self.run.toggle_pause()
        self._update_buttons()

    def step(self) -> None:
        """One mini-batch: while paused, or from idle (a run starts held and takes one step)."""
        if self.run is None:
            self.train(paused=True)
        elif self.run.paused:
            self.run.step_once()

    def stop(self) -> None:
        if self.run is not None:
            self.run.stop()

    def reset_weights(self) -> None:
        """Forget the trained weights; the next run starts afresh (these curves stay, faded)."""
        if self.run is not None:
            return
        self._set_weights(None)
        self._step_offset = 0
        self.history.clear()
        self.views.forget_weights()
        self.message.clear()
        self._reset_progress()
        self._update_buttons()
        self.initial_maps.schedule()
        self._status("Weights reset: the next run starts from fresh weights")

    # Runs ----------------------------------------------------------------------------------------

    def _prepare_views(self, trainer, fresh: bool) -> None:
        dataset = getattr(trainer, "dataset", None)
        index = self.feature_view.probe_spin.value()
        if dataset is not None:
            # The probe the student chose before pressing Train is the one the run shows.
            index = min(index, len(dataset.x_val) - 1)
            if index != getattr(trainer, "probe_index", 0) and hasattr(trainer, "set_probe_index"):
                trainer.set_probe_index(index)
        self.views.prepare(self.document, trainer, fresh, index)

    def _on_batch(self, batch: SnapshotBatch) -> None:
        """Take a batch in at once (cheap), then draw it in stages (see :mod:`.drawing`)."""
        run = self.run
        force = run is None or run.paused or batch.end is not None
        self.history.record(batch, self._step_offset)
        self.staged.take(batch, self._step_offset, force_progress=force)

    def _next_stage(self) -> None:
        self.staged.next_stage()

    @property
    def _stage_timer(self):
        return self.staged.timer

    @property
    def latest_step(self) -> StepSnapshot | None:
        return self.staged.latest_step

    @property
    def drawing(self) -> bool:
        """True while a batch taken in is still being drawn (tests wait for it to end)."""
        return self.staged.busy

    def flush_drawing(self) -> None:
        """Run the drawing stages still waiting, now (a run ended, a document is replaced)."""
        self.staged.flush()

    # Weights -------------------------------------------------------------------------------------

    def _set_weights(self, weights: TrainedWeights | None) -> None:
        self.weights = weights
        self.weights_changed.emit(weights is not None)

    def has_weights(self) -> bool:
        """True when there are trained weights of the document as it is (something to save)."""
        return (self.weights is not None and self.document is not None and self.weights.fit(self.document)
                and self.weights.own)

    def use_transfer(self, state_dicts: dict[str, dict], source: str, report) -> bool:
        """Start the next run from another network's weights (``source`` names them) in the layers whose
        ids and shapes match, as ``report`` (a :class:`~explorer.training.transfer.TransferReport`) says."""
        if self.run is not None or self.document is None:
            return False
        self._set_weights(TrainedWeights(self.document, self.document.version, dict(state_dicts), source="transfer",
                                         label=source))
        self._step_offset = 0
        self.views.forget_weights()
        self._reset_progress()
        self._update_buttons()
        self.message.show_message(INFO, f"{report.summary(source)} Train starts there.")
        self.initial_maps.schedule()  # the probe's maps as the transferred weights make them
        return True

    def _warn_if_start_changed(self, settings: dict) -> None:
        """A new seed or initialisation does not remake trained weights: say so at once, offering Reset."""
        weights = self.weights
        if self.run is not None or not self.has_weights() or weights.start is None:
            return
        now = start_of(settings)
        if now != weights.start:
            self.message.show_message(
                WARNING, f"New {self._start_changes(weights.start, now)}: Train would continue from the trained "
                "weights, not remake them.",
                action=("Reset weights", self.reset_weights))
        elif self.message.action_button.isVisible():
            self.message.clear()

    @staticmethod
    def _start_changes(before: dict, now: dict) -> str:
        names = {"seed": "seed", "init": "initialisation", "init_std": "initial standard deviation"}
        changed = [f"{names[k]} ({before[k]} → {now[k]})" for k in before if before[k] != now[k]]
        return " and ".join(changed) or "setting"

    def use_weights(self, state_dicts: dict[str, dict], steps: int = 0) -> bool:
        """Continue from ``state_dicts`` (a loaded checkpoint of this document): the next Train starts there."""
        if self.run is not None or self.document is None:
            return False
        self._set_weights(TrainedWeights(self.document, self.document.version, dict(state_dicts), steps,
                                         source="checkpoint", start=start_of(self.form.settings())))
        self._step_offset = 0
        self.views.forget_weights()
        self._reset_progress()
        self._update_buttons()
        if self.tabs.isTabVisible(self.tabs.indexOf(self.views.dropout_view)):
            self.measure_dropout()
        self.fgsm_link.weights_loaded()
        return True

    def _on_run_finished(self, end: DoneSnapshot | ErrorSnapshot) -> None:
        self.flush_drawing()
        run, self.run = self.run, None
        trainer = run.trainer
        steps = int(getattr(trainer, "step", end.step) or 0)
        good = isinstance(end, DoneSnapshot) and end.reason in ("finished", "stopped")
        module = getattr(trainer, "module", None)
        if good and module is not None and steps > 0:
            before = self.weights.steps if self.has_weights() else 0
            self._set_weights(TrainedWeights(self.document, self.document.version, state_dicts_of(trainer),
                                             before + steps, start=self._run_start))
            self._step_offset += steps
        # A diverged or failed run's weights are no start for another: the last good ones (kept from
        # before it, detached copies) stay, so the next Train continues from them.
        if run.parent() is self:  # an abandoned run (orphans.py) is deleted when its thread ends
            run.deleteLater()
        self._set_locked(False)
        self.form.set_running(False)
        self._update_buttons()
        self._show_end(end)
        self.history.refresh()
        if good and self.tabs.isTabVisible(self.tabs.indexOf(self.views.dropout_view)):
            self.measure_dropout()
        self.run_finished.emit(end)

    def _show_end(self, end: DoneSnapshot | ErrorSnapshot) -> None:
        if isinstance(end, ErrorSnapshot):
            hint = hint_for(end.message)
            self.message.show_message(ERROR, f"Training stopped by an error at step {end.step}: {end.message}"
                                      + (f"\n{hint}" if hint else ""), end.traceback)
            self._status("Training failed")
        elif end.reason == "diverged":
            text = end.message or f"Training diverged at step {end.step}; try a smaller learning rate."
            self.message.show_message(WARNING, text[:1].upper() + text[1:])
            self._status(f"Training diverged at step {end.step}")
        elif end.reason == "finished":
            self.message.show_message(INFO, f"Finished after {end.step} steps{self._val_summary()}. "
                                      "Train again to continue from these weights.")
            self._status("Training finished")
        else:
            self.message.show_message(INFO, f"Stopped after {end.step} steps{self._val_summary()}. "
                                      "Train to continue, or reset the weights to start afresh.")
            self._status("Training stopped")

    def _val_summary(self) -> str:
        series = self.loss_view.val_acc.series
        if len(series):
            whole = (self.staged.latest_metrics or {}).get("sequence_acc")
            sequences = f", whole sequences right {100 * whole:.1f}%" if whole is not None else ""
            return f"; validation accuracy {100 * series.y[-1]:.1f}%{sequences}"
        named = [(name, loss.val.series) for name, loss in self.loss_view.named.items() if len(loss.val.series)]
        if named:  # a GAN: each network's loss, by name
            return "; validation losses " + ", ".join(f"{name} {series.y[-1]:.4g}" for name, series in named)
        series, r2 = self.loss_view.val_loss.series, self.loss_view.val_r2.series
        if len(series):
            return f"; validation loss {series.y[-1]:.4g}" + (f", R² {r2.y[-1]:.3f}" if len(r2) else "")
        return ""

    def _show_cannot_train(self, error: Exception) -> None:
        text = getattr(error, "message", None) or str(error)
        what = {DatasetError: "the dataset", SettingsError: "the settings"}
        about = next((w for t, w in what.items() if isinstance(error, t)), "the network")
        self.message.show_message(ERROR, f"Cannot train: {about} — {text}")
        self._status(f"Cannot train: {text}")

    def _on_live_setting_changed(self, key: str, value: Any) -> None:
        if self.run is None:
            return
        try:
            self.run.update_settings(**{key: value})
        except SettingsError as error:
            self.message.show_message(ERROR, error.message)

    def _on_probe_changed(self, index: int) -> None:
        if self.run is None:
            self.initial_maps.schedule()
        else:
            try:
                self.run.set_probe_index(index)
            except ValueError as error:
                self.message.show_message(ERROR, str(error))

    # Showing state -------------------------------------------------------------------------------

    def _reset_progress(self) -> None:
        self.staged.reset_progress(self._step_offset)

    def _update_buttons(self) -> None:
        run = self.run
        has_network = self.document is not None and len(self.document) > 0
        self.side.show_state(idle=run is None, paused=run is not None and run.paused, can_train=has_network,
                             can_reset=self.weights is not None or self.loss_view.step_count > 0)

    def _set_locked(self, locked: bool) -> None:
        self.progress_view.set_locked(locked)
        if self.window is not None:
            self.window.set_editing_locked(locked)

    def _status(self, text: str) -> None:
        if self.window is not None:
            self.window.status_message(text)

    def _on_tints_changed(self, tints: dict[str, QColor | None]) -> None:
        scene = getattr(self.window, "scene", None)
        if scene is None:
            return
        for node_id, colour in tints.items():
            if self.document is not None and self.document.has_node(node_id):
                scene.set_node_tint(node_id, colour)
