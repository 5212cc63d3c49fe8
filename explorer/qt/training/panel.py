"""The live training panel: controls, settings, progress and the plots, around one :class:`TrainingRun`.

The panel makes a :class:`~explorer.training.trainer.Trainer` on the GUI thread, so a network,
dataset or settings problem is shown at once and no thread starts; then the run trains in its
own thread and the panel draws each condensed batch of snapshots it delivers. Pressing Train
again after a run continues from the trained weights while the network is unchanged; Reset
weights starts the next run afresh, the earlier curves staying faded for comparison.

``attach(window)`` is the one call that puts the panel into the main window and connects it.
"""

from __future__ import annotations

import traceback
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (QFrame, QGridLayout, QPushButton, QScrollArea,
                               QSizePolicy, QSplitter, QStyle, QTabWidget, QVBoxLayout, QWidget)

from explorer.data import DatasetCache, DatasetError
from explorer.graph import Document, get_kind
from explorer.graph.errors import GraphError
from explorer.training.probes import LIVE_RATES
from explorer.training.settings import SettingsError, TrainingSettings
from explorer.training.snapshots import DoneSnapshot, ErrorSnapshot, StepSnapshot
from explorer.training.trainer import Trainer

from .activation_view import ActivationView
from .boundary_view import BoundaryView
from .cores import training_threads
from .feature_map_view import FeatureMapView
from .gradient_plot import GradientView
from .loss_plot import LossView
from .message_bar import ERROR, INFO, WARNING, MessageBar
from .progress_view import ProgressView
from .settings_form import SettingsForm
from .worker import SnapshotBatch, TrainingRun

SHUTDOWN_TIMEOUT = 1.0  # seconds a closing window waits for the training thread


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
        self.latest_step: StepSnapshot | None = None
        self._saved = None          # (document, version, state_dict) of the last good run, to continue from
        self._step_offset = 0       # steps done by earlier runs continued now (x axis of the plots)
        self._stages: list = []          # drawing still to do, one call per turn of the event loop, in order
        self._taken: list[SnapshotBatch] = []
        self._pictures: dict = {}
        self._force_progress = False
        self._stage_timer = QTimer(self)
        self._stage_timer.setSingleShot(True)
        self._stage_timer.setInterval(1)
        self._stage_timer.timeout.connect(self._next_stage)

        self._build_controls()
        self._build_plots()
        splitter = QSplitter(Qt.Orientation.Horizontal, objectName="trainingSplitter")
        splitter.addWidget(self.side)
        splitter.addWidget(self.plots)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self._update_buttons()
        self.set_document(document if document is not None else Document())
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # Building ------------------------------------------------------------------------------------

    def _build_controls(self) -> None:
        style = self.style()
        icon = QStyle.StandardPixmap
        self._play_icon = style.standardIcon(icon.SP_MediaPlay)
        self._pause_icon = style.standardIcon(icon.SP_MediaPause)
        self.train_button = QPushButton(self._play_icon, "Train", objectName="trainButton")
        self.train_button.setToolTip("Train the network on the chosen dataset")
        self.pause_button = QPushButton(self._pause_icon, "Pause", objectName="pauseButton")
        self.pause_button.setToolTip("Hold training after the current step; press again to resume")
        self.step_button = QPushButton(style.standardIcon(icon.SP_MediaSkipForward), "Step", objectName="stepButton")
        self.step_button.setToolTip("Train on one mini-batch, then wait")
        self.stop_button = QPushButton(style.standardIcon(icon.SP_MediaStop), "Stop", objectName="stopButton")
        self.stop_button.setToolTip("End this run; the trained weights are kept for the next one")
        self.reset_button = QPushButton(style.standardIcon(icon.SP_BrowserReload), "Reset weights", objectName="resetButton")
        self.reset_button.setToolTip("Forget the trained weights: the next run starts from fresh ones")
        font = self.train_button.font()
        font.setBold(True)
        self.train_button.setFont(font)
        buttons = QGridLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.train_button, 0, 0)
        buttons.addWidget(self.pause_button, 0, 1)
        buttons.addWidget(self.step_button, 0, 2)
        buttons.addWidget(self.stop_button, 1, 0)
        buttons.addWidget(self.reset_button, 1, 1, 1, 2)

        self.progress_view = ProgressView()
        view = self.progress_view  # its parts, by the names tests and the benchmark use
        self.epoch_label, self.step_label, self.rate_label = view.epoch_label, view.step_label, view.rate_label
        self.elapsed_label, self.lr_label, self.progress = view.elapsed_label, view.lr_label, view.bar

        self.message = MessageBar()
        self.form = SettingsForm()
        scroll = QScrollArea(objectName="settingsScroll")
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.side = QWidget(objectName="trainingControls")
        side = QVBoxLayout(self.side)
        side.setContentsMargins(0, 0, 4, 0)
        side.addLayout(buttons)
        side.addWidget(self.progress_view)
        side.addWidget(self.message)
        side.addWidget(scroll, 1)
        self.side.setMinimumWidth(300)
        self.side.setMaximumWidth(420)

        self.train_button.clicked.connect(lambda: self.train())
        self.pause_button.clicked.connect(self.toggle_pause)
        self.step_button.clicked.connect(self.step)
        self.stop_button.clicked.connect(self.stop)
        self.reset_button.clicked.connect(self.reset_weights)
        self.form.edited.connect(self._on_settings_edited)
        self.form.live_changed.connect(self._on_live_setting_changed)

    def _build_plots(self) -> None:
        self.loss_view = LossView()
        self.gradient_view = GradientView()
        self.feature_view = FeatureMapView()
        self.boundary_view = BoundaryView()
        self.activation_view = ActivationView()
        self.tabs = QTabWidget(objectName="trainingTabs")
        self.tabs.addTab(self.feature_view, "Feature maps")
        self.tabs.addTab(self.boundary_view, "Decision boundary")
        self.tabs.addTab(self.activation_view, "Activations")
        self.plots = QSplitter(Qt.Orientation.Horizontal, objectName="trainingPlots")
        self.plots.addWidget(self.loss_view)
        self.plots.addWidget(self.gradient_view)
        self.plots.addWidget(self.tabs)
        self.plots.setChildrenCollapsible(False)
        for i, stretch in enumerate((4, 4, 5)):
            self.plots.setStretchFactor(i, stretch)
        for widget in (self.loss_view, self.gradient_view, self.tabs):
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            widget.setMinimumWidth(260)
        self.feature_view.probe_changed.connect(self._on_probe_changed)
        self.gradient_view.tints_changed.connect(self._on_tints_changed)

    # The window ----------------------------------------------------------------------------------

    def attach(self, window) -> None:
        """Put the panel into ``window`` and follow it: its document, canvas clicks, locking, closing."""
        self.window = window
        window.add_training_panel(self)
        window.document_replaced.connect(self.set_document)
        window.scene.node_clicked.connect(self.on_node_clicked)
        window.installEventFilter(self)
        self.gradient_view.tint_check.setEnabled(True)
        self.set_document(window.document)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt's name)
        # A closed window is hidden (a minimised one gets a spontaneous hide): stop training with it.
        if watched is self.window and event.type() == QEvent.Type.Hide and not event.spontaneous():
            self.shutdown()
        return super().eventFilter(watched, event)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self, timeout: float = SHUTDOWN_TIMEOUT) -> bool:
        """Stop a run and wait up to ``timeout`` seconds for its thread; True when none is left."""
        run = self.run
        if run is None:
            return True
        ended = run.shutdown(timeout)
        if not ended:  # a step longer than the timeout: give it the time it needs rather than crash
            ended = run.shutdown(30.0)
        return ended

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
        self._saved = None
        self._step_offset = 0
        self._stage_timer.stop()
        self._stages, self._taken, self._pictures = [], [], {}
        self.form.set_settings(document.training)
        self.loss_view.clear()
        self.gradient_view.clear()
        self.feature_view.clear()
        self.activation_view.clear()
        self.boundary_view.clear()
        self.message.clear()
        self._reset_progress()
        self._on_document_changed()

    def _on_document_changed(self) -> None:
        if self.run is None:
            self._refresh_feature_nodes()
        self._update_buttons()

    def _on_meta_changed(self) -> None:
        # An edit from elsewhere (undo, another view): show it, unless it is what the form already shows.
        if self.run is not None:
            return
        if _normalised(self.document.training) != _normalised(self.form.settings()):
            self.form.set_settings(self.document.training)

    def _on_settings_edited(self, settings: dict) -> None:
        if self.document is None or settings == self.document.training:
            return
        editor = getattr(self.window, "editor", None)
        if editor is not None:
            editor.set_training(settings)  # undoable, and marks the file modified
        else:
            self.document.set_meta(training=settings)

    def _refresh_feature_nodes(self) -> None:
        doc = self.document
        try:
            report = doc.infer()
            order = doc.topological_order()
        except GraphError:
            return
        nodes, default = [], None
        for node_id in order:
            info = report.nodes.get(node_id)
            node = doc.node(node_id)
            if info is None or info.output is None or info.output.rank != 3 or node.layer.max_inputs == 0:
                continue
            nodes.append((node_id, f"{node.kind} {info.output}"))
            if default is None and get_kind(node.kind).group == "Convolution":
                default = node_id
        self.feature_view.set_candidates(nodes, default)
        if not nodes:
            self.feature_view.caption.setText("No layer here gives image-shaped output [C, H, W].")

    def on_node_clicked(self, node_id: str) -> None:
        """A node was clicked on the canvas: show its feature maps if it has any."""
        if self.feature_view.choose_node(node_id):
            self.tabs.setCurrentWidget(self.feature_view)

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

        continuing = self._continue_weights(trainer)
        if not continuing:
            self._step_offset = 0
            self.loss_view.begin_run()
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
        self.run_started.emit()
        return True

    def toggle_pause(self) -> None:
        if self.run is None:
            return
        if self.run.paused:
            self.run.resume()
        else:
            self.run.pause()
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
        self._saved = None
        self._step_offset = 0
        self.loss_view.begin_run()
        self.gradient_view.clear()
        self.feature_view.clear()
        self.activation_view.clear()
        self.message.clear()
        self._reset_progress()
        self._update_buttons()
        self._status("Weights reset: the next run starts from fresh weights")

    # Runs ----------------------------------------------------------------------------------------

    def _continue_weights(self, trainer) -> bool:
        saved = self._saved
        if saved is None or saved[0] is not self.document or saved[1] != self.document.version:
            return False
        try:
            trainer.module.load_state_dict(saved[2])
        except (RuntimeError, KeyError):
            return False
        return True

    def _prepare_views(self, trainer, fresh: bool) -> None:
        doc = self.document
        order = doc.topological_order()
        layers = getattr(getattr(trainer, "module", None), "layers", {})
        with_params = [n for n in order if n in layers and any(True for _ in layers[n].parameters())]
        if fresh or self.gradient_view.history is None or self.gradient_view.history.layers != with_params:
            self.gradient_view.begin_run(with_params)
        self.activation_view.set_order(order)
        self._refresh_feature_nodes()
        dataset = getattr(trainer, "dataset", None)
        if dataset is not None:
            # The probe the student chose before pressing Train is the one the run shows.
            index = min(self.feature_view.probe_spin.value(), len(dataset.x_val) - 1)
            if index != getattr(trainer, "probe_index", 0) and hasattr(trainer, "set_probe_index"):
                trainer.set_probe_index(index)
            self.feature_view.set_probe_range(len(dataset.x_val), index)
            if dataset.is_2d:
                self.boundary_view.set_points(dataset.x_train, dataset.y_train, dataset.num_classes)
            else:
                self.boundary_view.set_points(None, None, None)
        has_maps = bool(self.feature_view._candidates)
        if dataset is not None and dataset.is_2d:
            self.tabs.setCurrentWidget(self.boundary_view)
        elif has_maps:
            self.tabs.setCurrentWidget(self.feature_view)
        else:
            self.tabs.setCurrentWidget(self.activation_view)

    def _on_batch(self, batch: SnapshotBatch) -> None:
        """Take a batch in at once (cheap), then draw it in stages, one view per turn of the event loop.

        Drawing everything at once blocked the event loop for the sum of all the repaints; in stages,
        the window can react between any two of them.
        """
        offset = self._step_offset
        if batch.steps:
            self.loss_view.add_steps(batch.steps, offset)
            self.gradient_view.add_steps(batch.steps, offset)
            self.latest_step = batch.steps[-1]
            run = self.run
            if run is None or run.paused or batch.end is not None:
                self._force_progress = True
        if batch.validations:
            self.loss_view.add_validations(batch.validations, offset)
        for name in ("feature_maps", "activation", "boundary"):
            picture = getattr(batch, name)
            if picture is not None:
                self._pictures[name] = picture
        self._taken.append(batch)
        # Every stage is due again, the ones already drawn for an earlier batch too: a batch that
        # lands while stages are queued has steps the drawn curves lack. Stages run in a fixed
        # order, so the progress stage, which reports the batches as drawn, always runs last.
        for stage in self._drawing_stages():
            if stage not in self._stages:
                self._stages.append(stage)
        self._stages.sort(key=self._drawing_stages().index)
        if not self._stage_timer.isActive():
            self._stage_timer.start()

    def _drawing_stages(self) -> list:
        return [self.loss_view.redraw, self.gradient_view.redraw, self._draw_pictures, self._draw_progress]

    def _next_stage(self) -> None:
        if self._stages:
            self._stages.pop(0)()
        if self._stages:
            self._stage_timer.start()

    def _draw_pictures(self) -> None:
        pictures, self._pictures = self._pictures, {}
        if "feature_maps" in pictures:
            self.feature_view.show_snapshot(pictures["feature_maps"])
        if "activation" in pictures:
            self.activation_view.show_snapshot(pictures["activation"])
        if "boundary" in pictures:
            self.boundary_view.show_snapshot(pictures["boundary"])

    def _draw_progress(self) -> None:
        """The last stage: the figures, then ``batch_applied`` for every batch drawn."""
        if self.latest_step is not None:
            self.progress_view.show_step(self.latest_step, force=self._force_progress)
        self._force_progress = False
        taken, self._taken = self._taken, []
        for batch in taken:
            self.batch_applied.emit(batch)

    @property
    def drawing(self) -> bool:
        """True while a batch taken in is still being drawn (tests wait for it to end)."""
        return bool(self._stages)

    def flush_drawing(self) -> None:
        """Run the drawing stages still waiting, now (a run ended, a document is replaced)."""
        self._stage_timer.stop()
        while self._stages:
            self._stages.pop(0)()

    def _on_run_finished(self, end: DoneSnapshot | ErrorSnapshot) -> None:
        self.flush_drawing()
        run, self.run = self.run, None
        trainer = run.trainer
        steps = int(getattr(trainer, "step", end.step) or 0)
        good = isinstance(end, DoneSnapshot) and end.reason in ("finished", "stopped")
        module = getattr(trainer, "module", None)
        if good and module is not None and steps > 0:
            state = {k: v.detach().clone() for k, v in module.state_dict().items()}
            self._saved = (self.document, self.document.version, state)
            self._step_offset += steps
        elif not good:
            self._saved = None  # diverged or failed weights are no start for another run
        run.deleteLater()
        self._set_locked(False)
        self.form.set_running(False)
        self._update_buttons()
        self._show_end(end)
        self.run_finished.emit(end)

    def _show_end(self, end: DoneSnapshot | ErrorSnapshot) -> None:
        if isinstance(end, ErrorSnapshot):
            self.message.show_message(ERROR, f"Training stopped by an error at step {end.step}: {end.message}",
                                      end.traceback)
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
            return f"; validation accuracy {100 * series.y[-1]:.1f}%"
        series = self.loss_view.val_loss.series
        if len(series):
            return f"; validation loss {series.y[-1]:.4g}"
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
        if self.run is not None:
            try:
                self.run.set_probe_index(index)
            except ValueError as error:
                self.message.show_message(ERROR, str(error))

    # Showing state -------------------------------------------------------------------------------

    def _reset_progress(self) -> None:
        self.latest_step = None
        self.progress_view.reset(self._step_offset)

    def _update_buttons(self) -> None:
        run = self.run
        idle = run is None
        paused = not idle and run.paused
        has_network = self.document is not None and len(self.document) > 0
        self.train_button.setEnabled(idle and has_network)
        self.pause_button.setEnabled(not idle)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setIcon(self._play_icon if paused else self._pause_icon)
        self.step_button.setEnabled((idle and has_network) or paused)
        self.stop_button.setEnabled(not idle)
        self.reset_button.setEnabled(idle and (self._saved is not None or self.loss_view.step_count > 0))

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


def _normalised(training: dict) -> dict:
    """A training section with every key, so a short file and the form's full dict compare equal."""
    try:
        return TrainingSettings.from_dict(training).to_dict()
    except (SettingsError, TypeError, KeyError):
        return dict(training)

