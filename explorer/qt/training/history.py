"""The panel's time slider: scrub back through a run's pictures while it trains or after it ended.

:class:`PanelHistory` keeps every delivered batch's pictures in a bounded
:class:`~explorer.training.history.RunHistory` (its memory and cap in the status bar), shows the
frame the slider points at in the views (the feature maps, boundary and activation statistics, the
gradient bars) while training goes on underneath, and returns to the live pictures with one click
(the Live button, or the slider's right end). It also writes a view's history as an animation.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from explorer.export.animation import heatmap_animation, write_animation
from explorer.export.errors import ExportError
from explorer.qt.steady_label import SteadyLabel
from explorer.training.history import DEFAULT_CAP_BYTES, Frame, RunHistory, megabytes

from .drawing import SHARED_PICTURES


class HistoryBar(QWidget):
    """``historyBar``: the ``historySlider``, where it points (``historyPosition``) and ``liveButton``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyBar")
        # Opaque: the slider moves at every delivery while training, and a see-through bar had the dock
        # behind it (its frame and title drawn by the style) repainted each time.
        self.setAutoFillBackground(True)
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="historySlider")
        self.slider.setRange(0, 0)
        self.slider.setToolTip("Drag back through the run's pictures; training goes on meanwhile")
        self.position = QLabel("live", objectName="historyPosition")
        self.position.setMinimumWidth(self.position.fontMetrics().horizontalAdvance("step 000000 of 000000 "))
        self.live_button = QPushButton("Live", objectName="liveButton")
        self.live_button.setToolTip("Back to the newest pictures")
        self.live_button.setEnabled(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("History"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.position)
        row.addWidget(self.live_button)


class PanelHistory(QObject):
    """The history of ``panel``'s pictures and the slider that shows it."""

    ANIMATED = ("feature_maps", "boundary", "activation", "gradients")  # views whose history can be written

    def __init__(self, panel, cap_bytes: int = DEFAULT_CAP_BYTES) -> None:
        super().__init__(panel)
        self.panel = panel
        self.store = RunHistory(int(os.environ.get("NN_EXPLORER_HISTORY_MB", 0)) * 2 ** 20 or cap_bytes)
        self.bar = HistoryBar()
        self.status_label = SteadyLabel("", self._status_text(self.store.cap_bytes), objectName="historyMemory")
        self.status_label.setToolTip("Memory the history of the run's pictures takes, and its cap")
        self.shown: int | None = None   # the frame on screen; None: live
        self.last_message: str | None = None  # the last "history full" message, for tests
        self.bar.slider.valueChanged.connect(self._on_slider_moved)
        self.bar.live_button.clicked.connect(self.go_live)
        self._update_status()

    def attach(self, window) -> None:
        window.statusBar().addPermanentWidget(self.status_label)

    @property
    def live(self) -> bool:
        return self.shown is None

    # Recording -------------------------------------------------------------------------------------

    def record(self, batch, offset: int) -> None:
        """Keep ``batch``'s pictures and its last step's gradient norms (x shifted by ``offset``)."""
        pictures = {name: getattr(batch, name) for name in SHARED_PICTURES if getattr(batch, name) is not None}
        last = batch.steps[-1] if batch.steps else None
        if not pictures and last is None:
            return
        steps = [p.step for p in pictures.values()] + ([last.step] if last is not None else [])
        message = self.store.offer(max(steps) + offset, pictures, last.grad_norms if last is not None else None)
        if message:
            self.last_message = message
            window = self.panel.window
            if window is not None:
                window.status_message(message, 20000)
        self._update_slider()
        self._update_status()

    def clear(self) -> None:
        """A fresh run or fresh weights: the history starts empty, the views live."""
        self.store.clear()
        self.shown = None
        self.panel.staged.frozen = False
        self.panel.staged.latest_pictures = {}
        self._update_slider()
        self._update_status()

    # Showing ---------------------------------------------------------------------------------------

    def show_frame(self, index: int) -> None:
        """Show frame ``index`` in the views; the last frame while training is live."""
        frames = self.store.frames
        if not frames:
            return
        index = max(0, min(index, len(frames) - 1))
        if index == len(frames) - 1 and self.panel.run is not None:
            self.go_live()
            return
        self.shown = index
        self.panel.staged.frozen = True
        self._draw(frames[index])
        self._sync_bar()

    def go_live(self) -> None:
        """Back to the newest pictures; they follow training again."""
        was = self.shown
        self.shown = None
        if was is not None:
            self.panel.staged.thaw()
        self._sync_bar()

    def _draw(self, frame: Frame) -> None:
        views = self.panel.views
        views.draw_pictures(frame.pictures)
        views.gradient_view.show_bars(frame.gradients)

    def refresh(self) -> None:
        """Say where the slider points (a run started or ended)."""
        self._sync_bar()

    def _on_slider_moved(self, value: int) -> None:
        if self._syncing:
            return
        frames = self.store.frames
        if not frames or value >= len(frames) - 1 and self.panel.run is not None:
            self.go_live()
        else:
            self.show_frame(value)

    _syncing = False

    def _sync_bar(self) -> None:
        frames, bar = self.store.frames, self.bar
        self._syncing = True
        try:
            bar.slider.setRange(0, max(0, len(frames) - 1))
            bar.slider.setValue(len(frames) - 1 if self.shown is None else self.shown)
        finally:
            self._syncing = False
        bar.live_button.setEnabled(self.shown is not None)
        if self.shown is not None:
            bar.position.setText(f"step {frames[self.shown].step} of {frames[-1].step}")
        else:
            bar.position.setText("no history yet" if not frames else "live" if self.panel.run is not None
                                 else f"step {frames[-1].step}")

    def _update_slider(self) -> None:
        if self.shown is not None and self.shown >= len(self.store.frames):
            self.shown = len(self.store.frames) - 1  # thinned under the slider: the nearest kept one
        self._sync_bar()

    def _update_status(self) -> None:
        self.status_label.setText(self._status_text(self.store.nbytes))

    def _status_text(self, nbytes: int) -> str:
        return f"History {nbytes / 2 ** 20:.1f} of {megabytes(self.store.cap_bytes)}"

    # Animations ------------------------------------------------------------------------------------

    def export_animation(self, name: str, path: str | os.PathLike, size: int = 480) -> str:
        """Write view ``name``'s history as a GIF or MP4 (each frame's step in a corner); returns what was
        written. ExportError when the history holds nothing of that view or the file cannot be written."""
        frames = self.store.frames
        if name == "gradients":
            pictures = self._gradient_frames(size)
        else:
            # One frame per picture: frames that carried the same picture along (nothing new of this view) go.
            chosen, last = [], None
            for frame in frames:
                picture = frame.pictures.get(name)
                if picture is not None and picture is not last:
                    chosen.append(frame)
                    last = picture
            if not chosen:
                raise ExportError(f"cannot write {Path(path).name}: the history holds no {name.replace('_', ' ')} yet")
            pictures = self._grabbed_frames(name, chosen)
        return write_animation(pictures, path)

    def _grabbed_frames(self, name: str, chosen: list[Frame]) -> list[tuple[int, np.ndarray]]:
        from ..exports import image_array

        views = self.panel.views
        widget = {"feature_maps": views.feature_view, "boundary": views.boundary_view,
                  "activation": views.activation_view}[name]
        shown, frozen = self.shown, self.panel.staged.frozen
        self.panel.staged.frozen = True  # no live picture between two grabbed frames
        out = []
        try:
            for frame in chosen:
                views.draw_pictures({name: frame.pictures[name]})
                out.append((frame.step, image_array(widget)))
        finally:
            self.panel.staged.frozen = frozen
            if shown is not None:
                self._draw(self.store.frames[shown])
            elif frozen is False:
                self.panel.staged.thaw()
        return out

    def _gradient_frames(self, size: int) -> list[tuple[int, np.ndarray]]:
        history = self.panel.views.gradient_view.history
        if history is None or history.first_step is None:
            raise ExportError("the gradient heatmap is empty: train first")
        heat = history.image()
        marks = []
        for frame in self.store.frames:
            if frame.gradients is None:
                continue
            shown = max(1, min(heat.shape[1], math.ceil((frame.step - history.first_step) / history.bucket)))
            if not marks or shown > marks[-1][1]:  # a frame only where the heatmap grew
                marks.append((frame.step, shown))
        if not marks:
            marks = [(int(history.latest_step), heat.shape[1])]
        return heatmap_animation(heat, marks, size)
