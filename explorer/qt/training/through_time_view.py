"""Gradient through time: how much each step of a sequence still moves the loss, and the probe's answer.

Over a fixed probe batch the trainer measures |d loss / d input at step t| for every step t (see
:mod:`explorer.training.sequence_probe`). The curve over t is drawn on a log scale: for a plain RNN
it falls away from the last step by orders of magnitude, for an LSTM it stays level. Under it a
t x training-step heatmap (log10 of the same sizes, one column per probe) shows how the picture
formed while training. Under both, the probe sequence as text: input, target and prediction, the
wrong tokens in red.

The heatmap's columns sit in one preallocated float32 array; when it is full every other column
is dropped, so a long run keeps its whole history at half the resolution, and one ImageItem is
updated in place (STYLE 9).
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from explorer.training.snapshots import SequenceSnapshot

from .plotting import SMOOTH, VALIDATION, lookup_table, pen, plot_widget, sticky_range, style_plot

MAX_COLUMNS = 256  # probes the heatmap keeps at full resolution before it halves its history
TINY = 1e-30       # a gradient of exactly 0 (underflow) is drawn as this on the log scale


class ThroughTimeView(QWidget):
    """``throughTimeView``: ``throughTimeCurve`` (log scale), ``throughTimeHeatmap`` and ``sequenceProbeText``."""

    frame_drawn = Signal(int)  # the curve, heatmap and text were drawn, for this training step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("throughTimeView")
        self.updates = 0
        self.curve_widget = plot_widget("throughTimeCurve", self)
        self.curve_plot = self.curve_widget.getPlotItem()
        style_plot(self.curve_plot, self, left="|∂loss/∂x_t|", bottom="position t in the sequence")
        self.curve_plot.setLogMode(x=False, y=True)
        self.curve_plot.showGrid(x=False, y=True, alpha=0.25)
        self.curve_plot.hideButtons()
        self.curve_plot.disableAutoRange()  # sticky ranges instead: new axis labels are a repaint's costly part
        self.curve_plot.setMouseEnabled(x=False, y=False)
        self.curve = pg.PlotDataItem(pen=pen(SMOOTH, width=2), symbol="o", symbolSize=4, symbolPen=None,
                                     symbolBrush=SMOOTH)
        self.curve_plot.addItem(self.curve)

        self.heat_widget = plot_widget("throughTimeHeatmap", self)
        self.heat_plot = self.heat_widget.getPlotItem()
        style_plot(self.heat_plot, self, left="position t", bottom="training step")
        self.heat_plot.hideButtons()
        self.heat_plot.setMouseEnabled(x=False, y=False)
        self.heatmap = pg.ImageItem(axisOrder="row-major")
        self.heatmap.setLookupTable(lookup_table("viridis"))
        self.heat_plot.addItem(self.heatmap)

        self.caption = QLabel(" ", objectName="throughTimeCaption")
        self.caption.setWordWrap(True)
        self.text = QLabel(" ", objectName="sequenceProbeText")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.curve_widget, 3)
        layout.addWidget(self.heat_widget, 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.text)
        self.clear()

    # What is drawn (the tests read these) ---------------------------------------------------------

    @property
    def history(self) -> np.ndarray:
        """log10 of the gradient sizes, ``[T, probes]``: the columns the heatmap draws."""
        return self._columns[:, :self._count]

    @property
    def history_steps(self) -> np.ndarray:
        """The training step of each heatmap column."""
        return np.asarray(self._steps[:self._count], dtype=np.int64)

    # Drawing -------------------------------------------------------------------------------------

    def show_snapshot(self, snap: SequenceSnapshot) -> None:
        curve = snap.grad_through_time
        if curve is not None and len(curve):
            sizes = np.maximum(np.asarray(curve, dtype=np.float64), TINY)
            self.curve.setData(np.arange(len(sizes)), sizes)
            logs = np.log10(sizes)
            y_range = sticky_range(self._y_range, float(logs.min()), float(logs.max()))
            if y_range is not None or self._t != len(sizes):
                self._y_range = y_range or self._y_range
                self._t = len(sizes)
                self.curve_plot.setRange(xRange=(0, len(sizes) - 1), yRange=self._y_range, padding=0.02)
            self._append(np.log10(sizes).astype(np.float32), snap.step)
            self._draw_heatmap()
            self.caption.setText(f"step {snap.step}: " + _compare_ends(float(curve[0]), float(curve[-1])))
        else:
            self.caption.setText("No gradient through time: the token ids reach no Embedding.")
        self.text.setText(_probe_html(snap))
        self.updates += 1
        self.frame_drawn.emit(snap.step)

    def _append(self, column: np.ndarray, step: int) -> None:
        if self._columns.shape[0] != len(column):
            self._columns = np.zeros((len(column), MAX_COLUMNS), dtype=np.float32)
            self._steps, self._count = [], 0
        if self._count == MAX_COLUMNS:  # keep every other column: the whole run at half the resolution
            kept = self._columns[:, 1::2].copy()
            self._columns[:, :kept.shape[1]] = kept
            self._steps = self._steps[1::2]
            self._count = kept.shape[1]
        self._columns[:, self._count] = column
        self._steps.append(step)
        self._count += 1

    def _draw_heatmap(self) -> None:
        data = self.history
        finite = data[np.isfinite(data)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        self.heatmap.setImage(data, levels=(lo, max(hi, lo + 1e-6)), autoLevels=False)
        steps = self._steps
        first, last = steps[0], max(steps[-1], steps[0] + 1)
        self.heatmap.setRect(first, 0, last - first, data.shape[0])
        x_range = sticky_range(self._x_range, first, last, pad=0.0, shrink=0.0)
        if x_range is not None:  # grows by half again when full, so its labels change seldom
            self._x_range = (first, first + 1.5 * (x_range[1] - first))
            self.heat_plot.setRange(xRange=self._x_range, yRange=(0, data.shape[0]), padding=0)

    def clear(self) -> None:
        self._columns = np.zeros((0, MAX_COLUMNS), dtype=np.float32)
        self._steps: list[int] = []
        self._count = 0
        self._y_range: tuple[float, float] | None = None
        self._x_range: tuple[float, float] | None = None
        self._t = 0
        self.curve.setData([], [])
        self.heatmap.clear()
        self.caption.setText("The gradient through time appears a few steps into training.")
        self.text.setText(" ")


def _compare_ends(first: float, last: float) -> str:
    """The first position's gradient against the last's, in words."""
    if first == 0.0:
        return "the gradient at the first position is 0: it vanished completely on its way back " \
               "(smaller than a float32 can hold)"
    ratio = last / first
    if ratio >= 1:
        words = f"{ratio:.3g}× smaller than the last's"
    else:
        words = f"{1 / ratio:.3g}× larger than the last's"
    return f"the gradient at the first position is {words}" + ("  (it vanishes on its way back)" if ratio >= 30 else "")


def _probe_html(snap: SequenceSnapshot) -> str:
    """The probe sequence: input, target and prediction, wrong predicted tokens in red."""
    target, predicted = snap.target_text.split(), snap.prediction_text.split()
    if len(target) == len(predicted) and len(target) > 1:
        wrong = f'<span style="color:{VALIDATION.name()}">{{}}</span>'
        shown = " ".join(html.escape(p) if p == t else wrong.format(html.escape(p)) for p, t in zip(predicted, target))
    else:
        shown = html.escape(snap.prediction_text)
    verdict = "" if snap.correct is None else ("  ✓" if snap.correct else "  ✗")
    rows = (("input", html.escape(snap.input_text)), ("target", html.escape(snap.target_text)),
            ("prediction", shown + verdict))
    return "<table>" + "".join(f"<tr><td><b>{name}</b>&nbsp;</td><td>{value}</td></tr>" for name, value in rows) + \
        "</table>"
