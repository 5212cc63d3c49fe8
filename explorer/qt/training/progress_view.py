"""The figures under the panel's buttons: epoch, step, steps/s, elapsed time, settings in force, progress."""

from __future__ import annotations

import collections
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from explorer.qt.steady_label import SteadyLabel
from explorer.training.snapshots import StepSnapshot

LABELS_INTERVAL = 0.25  # s between updates of the figures while running


class ProgressView(QWidget):
    """``trainingProgressView``: the run's figures and a progress bar, and the lock notice.

    Each new label text repaints the label and the dock behind it, so while a run goes on the
    figures follow it at most every ``LABELS_INTERVAL``; :meth:`show_step` with ``force`` (paused,
    one step, the end) shows the exact figures at once. The progress bar counts whole percent:
    QProgressBar repaints at once on every new value, which costs milliseconds.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)  # opaque: its figures change while training (see HistoryBar)
        self.setObjectName("trainingProgressView")
        # Fixed sizes: a figure that changes does not lay the window out again (see SteadyLabel).
        self.epoch_label = SteadyLabel("Epoch –", "Epoch 00000 of 00000", objectName="epochLabel")
        self.step_label = SteadyLabel("Step 0", "Step 00000000", objectName="stepLabel")
        self.rate_label = SteadyLabel("– steps/s", "00000 steps/s", objectName="rateLabel")
        self.elapsed_label = SteadyLabel("0:00", "000:00", objectName="elapsedLabel")
        self.lr_label = SteadyLabel("", "lr 0.0001 · batch 0000", objectName="lrLabel")
        self.lr_label.setToolTip("The learning rate and batch size the last step used")
        self.bar = QProgressBar(objectName="trainingProgress")
        self.bar.setRange(0, 100)
        self.bar.setValue(0)
        self.bar.setTextVisible(True)
        self.lock_label = QLabel("The network is locked while training", objectName="lockLabel")
        self.lock_label.setStyleSheet("color: #e8710a;")
        self.lock_label.hide()
        figures = QGridLayout()
        figures.setContentsMargins(0, 0, 0, 0)
        figures.addWidget(self.epoch_label, 0, 0)
        figures.addWidget(self.step_label, 0, 1)
        figures.addWidget(self.elapsed_label, 0, 2, Qt.AlignmentFlag.AlignRight)
        figures.addWidget(self.rate_label, 1, 0)
        figures.addWidget(self.lr_label, 1, 1, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(figures)
        layout.addWidget(self.bar)
        layout.addWidget(self.lock_label)
        self._rate: collections.deque[tuple[float, int]] = collections.deque(maxlen=40)
        self._shown_at = 0.0
        self.epochs: int | None = None  # of the run, when it is measured in epochs
        self.offset = 0                 # steps of earlier runs this one continues

    def begin(self, epochs: int | None, offset: int) -> None:
        self.epochs, self.offset = epochs, offset
        self._rate.clear()

    def show_step(self, snap: StepSnapshot, force: bool = False) -> None:
        self._rate.append((snap.elapsed, snap.step))
        while len(self._rate) > 2 and snap.elapsed - self._rate[0][0] > 3.0:
            self._rate.popleft()
        settings = f"lr {snap.lr:g} · batch {snap.batch_size}"
        if settings != self.lr_label.text():  # a live change shows at once
            self.lr_label.setText(settings)
        now = time.monotonic()
        if not force and now - self._shown_at < LABELS_INTERVAL:
            return
        self._shown_at = now
        (t0, s0), (t1, s1) = self._rate[0], self._rate[-1]
        if t1 - t0 > 0.2:
            self.rate_label.setText(f"{(s1 - s0) / (t1 - t0):.0f} steps/s")
        self.epoch_label.setText(f"Epoch {snap.epoch}" + (f" of {self.epochs}" if self.epochs else ""))
        self.step_label.setText(f"Step {snap.step + self.offset}")
        seconds = int(snap.elapsed)
        self.elapsed_label.setText(f"{seconds // 60}:{seconds % 60:02d}")
        percent = min(100, int(100 * snap.step / max(1, snap.total_steps or 1)))
        if self.bar.value() != percent:
            self.bar.setValue(percent)

    def reset(self, offset: int = 0) -> None:
        self.offset = offset
        self._rate.clear()
        self.epoch_label.setText("Epoch –")
        self.step_label.setText(f"Step {offset}")
        self.rate_label.setText("– steps/s")
        self.elapsed_label.setText("0:00")
        self.lr_label.setText("")
        self.bar.setValue(0)

    def set_locked(self, locked: bool) -> None:
        self.lock_label.setVisible(locked)
