"""The comparison window: networks A and B training side by side, live, under one set of controls.

A :class:`~explorer.training.comparison.ComparisonTrainer` runs in an ordinary :class:`.worker.TrainingRun`;
a :class:`PairMailbox` sorts its tagged snapshots into one :class:`.worker.SnapshotBatch` per run, so each
run's pictures stay "latest wins" and its scalars all arrive (STYLE 8). The window shows the caption
naming the difference, both runs' loss and accuracy curves overlaid, their gradient heatmaps and bars
side by side, and side by side too their decision boundaries (points in the plane) or feature maps
(image layers). Pause, Step and Stop act on both runs; Save pair… writes A with B in its ``compare``
section, which File ▸ Open reads back.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QFileDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout,
                               QWidget)

from explorer.graph import fileformat
from explorer.graph.catalogue import get_kind
from explorer.graph.errors import GraphError
from explorer.graph.variant import with_variant
from explorer.training.comparison import RUNS, ComparisonTrainer, RunSnapshot
from explorer.training.snapshots import DoneSnapshot, ErrorSnapshot

from .boundary_view import BoundaryView
from .compare_curves import RUN_COLOURS, ComparisonCurves
from .drawing import queue_stages, run_stages
from .feature_map_view import FeatureMapView
from .gradient_plot import GradientView
from .worker import EndSnapshot, SnapshotBatch, SnapshotMailbox, TrainingRun


STAGES = ("curves", "gradients A", "gradients B", "pictures A", "pictures B", "status")  # drawing order


@dataclass
class PairBatch:
    """What arrived from both runs since the GUI last looked: a batch per run and the pair's end."""

    runs: dict[str, SnapshotBatch] = field(default_factory=lambda: {name: SnapshotBatch() for name in RUNS})
    end: EndSnapshot | None = None

    def __bool__(self) -> bool:
        return self.end is not None or any(self.runs.values())


class PairMailbox:
    """A :class:`~.worker.SnapshotMailbox` per run, and the pair's end, under one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._boxes = {name: SnapshotMailbox() for name in RUNS}
        self._end: EndSnapshot | None = None
        self._announced = False

    def put(self, snap) -> bool:
        """File ``snap`` under its run (or as the pair's end); True when the GUI has not been told yet."""
        with self._lock:
            if isinstance(snap, RunSnapshot):
                self._boxes[snap.run].put(snap.snapshot)
            elif isinstance(snap, (DoneSnapshot, ErrorSnapshot)):
                if self._end is None:
                    self._end = snap
            else:
                return False
            announce, self._announced = not self._announced, True
            return announce

    def take(self, *, again: bool = False) -> PairBatch:
        """Everything waiting for both runs; ``again`` as for :meth:`SnapshotMailbox.take`."""
        with self._lock:
            batch = PairBatch({name: box.take() for name, box in self._boxes.items()}, self._end)
            self._end = None
            self._announced = again and bool(batch)
            return batch


def _layers_with_parameters(document, module) -> list[str]:
    layers = getattr(module, "layers", {}) or {}
    return [n for n in document.topological_order() if n in layers and any(True for _ in layers[n].parameters())]


def _image_nodes(document) -> list[tuple[str, str]]:
    report = document.infer()
    nodes = []
    for node_id in document.topological_order():
        info = report.nodes.get(node_id)
        if info is not None and info.output is not None and info.output.rank == 3 \
                and document.node(node_id).layer.max_inputs != 0:
            nodes.append((node_id, f"{document.node(node_id).kind} {info.output}"))
    return nodes


class CompareWindow(QWidget):
    """``compareWindow``: a top-level window training a :class:`ComparisonTrainer` live.

    ``start(paused=False)`` begins; ``batch_applied(PairBatch)`` after each drawn batch and
    ``run_finished(end)`` once, for tests and the caller. Closing the window stops the runs.
    """

    batch_applied = Signal(object)
    run_finished = Signal(object)

    def __init__(self, trainer: ComparisonTrainer, parent: QWidget | None = None, *,
                 torch_threads: int | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("compareWindow")
        self.trainer = trainer
        self.end: EndSnapshot | None = None
        self.steps = {name: 0 for name in RUNS}
        a, b = trainer.documents["A"], trainer.documents["B"]
        self.setWindowTitle(f"Compare — {a.name}")

        self.caption = QLabel(trainer.caption, objectName="compareCaption")
        font = self.caption.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.caption.setFont(font)
        self.caption.setWordWrap(True)
        shared = ", ".join(trainer.shared_layers) or "none"
        self.caption.setToolTip(f"A: {a.name}\nB: {b.name}\nB starts from A's initial weights in: {shared}")
        self.legend = QLabel(self._legend_html(), objectName="compareLegend")
        self.status = QLabel(" ", objectName="compareStatus")
        self.pause_button = QPushButton("Pause", objectName="comparePauseButton")
        self.step_button = QPushButton("Step", objectName="compareStepButton")
        self.stop_button = QPushButton("Stop", objectName="compareStopButton")
        self.save_button = QPushButton("Save pair…", objectName="compareSaveButton")
        self.pause_button.setToolTip("Pause or resume both runs")
        self.step_button.setToolTip("While paused: one mini-batch for A, then the same one for B")
        self.stop_button.setToolTip("End both runs")
        self.save_button.setToolTip("Save network A with B as its variant, to reopen and compare again")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.step_button.clicked.connect(self.step)
        self.stop_button.clicked.connect(self.stop)
        self.save_button.clicked.connect(self._on_save_clicked)
        controls = QHBoxLayout()
        for widget in (self.pause_button, self.step_button, self.stop_button, self.save_button):
            controls.addWidget(widget)
        controls.addSpacing(12)
        controls.addWidget(self.status, 1)

        self.curves = ComparisonCurves()
        self.gradient_views = {name: GradientView() for name in RUNS}
        run_a, run_b = trainer.trainers["A"], trainer.trainers["B"]
        is_2d = bool(getattr(run_a.dataset, "is_2d", False)) and run_a.objective.boundary_module() is not None
        self.boundary_views = {name: BoundaryView() for name in RUNS} if is_2d else {}
        self.feature_views = {name: FeatureMapView() for name in RUNS} \
            if run_a.map_nodes or run_b.map_nodes else {}
        side = QWidget(objectName="compareSideBySide")
        grid = QGridLayout(side)
        grid.setContentsMargins(0, 0, 0, 0)
        for column, name in enumerate(RUNS):
            title = QLabel(self._run_title(name), objectName=f"compareTitle{name}")
            title.setTextFormat(Qt.TextFormat.RichText)
            grid.addWidget(title, 0, column)
            run = trainer.trainers[name]
            view = self.gradient_views[name]
            view.begin_run(_layers_with_parameters(trainer.documents[name], run.module))
            view.setObjectName(f"gradientPlot{name}")
            view.tint_check.hide()  # the canvas shows network A only
            grid.addWidget(view, 1, column)
            if name in self.boundary_views:
                boundary = self.boundary_views[name]
                boundary.setObjectName(f"boundaryView{name}")
                boundary.set_points(run.dataset.x_train, run.dataset.y_train, run.dataset.num_classes)
                grid.addWidget(boundary, 2, column)
            if name in self.feature_views:
                maps = self.feature_views[name]
                maps.setObjectName(f"featureMapView{name}")
                candidates = _image_nodes(trainer.documents[name])
                default = next((n for n, _ in candidates
                                if get_kind(trainer.documents[name].node(n).kind).group == "Convolution"), None)
                maps.set_candidates(candidates, default)
                maps.set_probe_range(len(run.dataset.x_val))
                maps.probe_changed.connect(self._on_probe_changed)
                grid.addWidget(maps, 3, column)
        if len(self.feature_views) == 2:  # a layer chosen on one side is shown on the other too, where it exists
            first, second = self.feature_views["A"], self.feature_views["B"]
            first.node_chosen.connect(second.choose_node)
            second.node_chosen.connect(first.choose_node)
        grid.setRowStretch(1, 2)
        grid.setRowStretch(2, 3 if self.boundary_views else 0)
        grid.setRowStretch(3, 3 if self.feature_views else 0)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.curves)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.legend)
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)
        self.resize(1280, 760)

        # A delivery is taken in at once and drawn in turns of the event loop (as the panel's StagedDrawing
        # does): drawn in one go, the two runs' views held the event loop 25 ms at the 99th percentile.
        self._stages: list[str] = []
        self._pictures: dict[str, dict] = {name: {} for name in RUNS}
        self._drawn: list[PairBatch] = []
        self._stage_timer = QTimer(self, singleShot=True, interval=0)
        self._stage_timer.timeout.connect(self._next_stage)

        mailbox = PairMailbox()
        self.run = TrainingRun(trainer, self, torch_threads=torch_threads, mailbox=mailbox)
        self.run.batch_ready.connect(self._on_batch)
        self.run.finished.connect(self._on_finished)
        self._update_buttons()

    # Commands ------------------------------------------------------------------------------------

    def start(self, paused: bool = False) -> None:
        self.run.start(paused=paused)
        self._update_buttons()

    def toggle_pause(self) -> None:
        if self.end is not None:
            return
        self.run.toggle_pause()
        self._update_buttons()

    def step(self) -> None:
        if self.end is None and self.run.paused:
            self.run.step_once()

    def stop(self) -> None:
        if self.end is None:
            self.run.stop()

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Stop both runs and wait for the thread; True when it ended."""
        return self.run.shutdown(timeout)

    def save_pair(self, path: str | Path) -> str | None:
        """Write A with B as its variant to ``path`` (atomically); None, or the reason it could not be saved."""
        a, b = self.trainer.documents["A"], self.trainer.documents["B"]
        data = fileformat.to_dict(a)
        data["compare"] = with_variant(a, b)
        try:
            pair = fileformat.from_dict(data, source=str(path))
            fileformat.save(pair, path)
        except (OSError, GraphError) as error:
            return f"Could not save {path}: {getattr(error, 'message', None) or error}"
        return None

    # Delivery ------------------------------------------------------------------------------------

    def _on_batch(self, batch: PairBatch) -> None:
        """Take ``batch`` into the curves and histories now; queue the drawing (see ``_next_stage``)."""
        due = ["curves"]
        for name, run in batch.runs.items():
            if run.steps:
                self.steps[name] = run.steps[-1].step
                self.gradient_views[name].add_steps(run.steps)
                due.append(f"gradients {name}")
            self.curves.add(name, run.steps, run.validations)
            if run.boundary is not None and name in self.boundary_views:
                self._pictures[name]["boundary"] = run.boundary  # latest wins
            if run.feature_maps is not None and name in self.feature_views:
                self._pictures[name]["maps"] = run.feature_maps
            if self._pictures[name]:
                due.append(f"pictures {name}")
        self._drawn.append(batch)
        queue_stages(self._stages, due + ["status"], STAGES, self._stage_timer)

    def flush_drawing(self) -> None:
        """Draw every queued stage now (the run ended, or a test wants the pictures)."""
        self._stage_timer.stop()
        while self._stages:
            self._draw(self._stages.pop(0))

    def _next_stage(self) -> None:
        run_stages(self._stages, self._draw, self._stage_timer)

    def _draw(self, stage: str) -> None:
        kind, _, name = stage.partition(" ")
        if kind == "curves":
            self.curves.redraw()
        elif kind == "gradients":
            ranges = [v.data_range for v in self.gradient_views.values() if v.data_range is not None]
            view = self.gradient_views[name]
            view.include_range = (min(r[0] for r in ranges), max(r[1] for r in ranges)) if ranges else None
            view.redraw()  # A's and B's colours and bars on one scale
        elif kind == "pictures":
            pictures, self._pictures[name] = self._pictures[name], {}
            if "boundary" in pictures:
                self.boundary_views[name].show_snapshot(pictures["boundary"])
            if "maps" in pictures:
                self.feature_views[name].show_snapshot(pictures["maps"])
        else:  # the status, last: the batches taken so far are drawn
            self._show_status()
            drawn, self._drawn = self._drawn, []
            for batch in drawn:
                self.batch_applied.emit(batch)

    def _on_finished(self, end: EndSnapshot) -> None:
        self.flush_drawing()  # every snapshot drawn before the end is shown
        self.end = end
        if isinstance(end, ErrorSnapshot):
            self.status.setText(f"Training failed: {end.message}")
        else:
            self._show_status(end)
        self._update_buttons()
        self.run_finished.emit(end)

    def _show_status(self, end: DoneSnapshot | None = None) -> None:
        parts = []
        for name in RUNS:
            val = self.curves.last_validation(name)
            text = f"{name}: step {self.steps[name]} of {self.trainer.trainers[name].total_steps}"
            if val is not None:
                text += f", validation loss {val.val_loss:.4g}"
                if val.val_acc is not None:
                    text += f", accuracy {val.val_acc:.1%}"
            parts.append(text)
        line = "   ·   ".join(parts)
        if end is not None:
            line = f"{'Finished' if end.reason == 'finished' else 'Stopped'}. {line}"
            if end.message and end.reason == "finished":
                line += f" ({end.message})"
        elif self.run.paused:
            line = f"Paused. {line}"
        self.status.setText(line)

    def _on_probe_changed(self, index: int) -> None:
        for view in self.feature_views.values():
            view.set_probe_range(len(self.trainer.dataset.x_val), index)
        if self.end is None:
            self.run.set_probe_index(index)

    def _on_save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the pair", f"{self.trainer.documents['A'].name}.json",
                                              "Network files (*.json)")
        if path:
            problem = self.save_pair(path)
            self.status.setText(problem or f"Saved the pair to {path}; open it and choose Compare with a variant…")

    def _update_buttons(self) -> None:
        running = self.end is None
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if running and self.run.paused else "Pause")
        self.step_button.setEnabled(running and self.run.paused)
        self.stop_button.setEnabled(running)

    def _legend_html(self) -> str:
        return "   ".join(self._run_title(name) for name in RUNS)

    def _run_title(self, name: str) -> str:
        colour = RUN_COLOURS[name].name()
        return f"<b><span style='color:{colour}'>■ {name}</span></b> {self.trainer.documents[name].name}"

    def closeEvent(self, event) -> None:  # noqa: N802  (Qt's name)
        self.shutdown()
        super().closeEvent(event)
