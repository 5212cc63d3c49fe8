"""Universal approximation, live: a 1-D regression network's curve over the target and the training points.

Optionally each unit the output layer reads, as its piece ``w_j a_j(x)`` of the sum: a one-hidden-layer
ReLU network shows its kinked pieces adding up to the fit. Every item is made once and updated in place;
all pieces are one PlotDataItem (NaN-separated; lecture mode widens these like every curve), not one item each.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.training.snapshots import FunctionSnapshot

from .plotting import SMOOTH, plot_widget, style_plot

TARGET = QColor("#188038")                # the function to learn: green, dashed
POINTS = QColor(120, 120, 120, 150)       # the training samples: grey
PIECES = QColor(161, 66, 244, 90)         # the units' pieces: faint violet
MAX_POINTS = 600


class FunctionView(QWidget):
    """``functionView``: ``functionPlot`` with the target, the samples, the network's curve and its pieces."""

    frame_drawn = Signal(int)  # the curve was drawn, for this training step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("functionView")
        self.widget = plot_widget("functionPlot", self)
        self.plot = self.widget.getPlotItem()
        style_plot(self.plot, self, left="y", bottom="x")
        self.plot.hideButtons()
        self.plot.disableAutoRange()
        # bottom left, under the curves: the y range leaves room there (see _set_range)
        self.legend = self.plot.addLegend(offset=(10, -10), labelTextSize="9pt", verSpacing=-6)
        self.legend.setLabelTextColor(self.palette().text().color())
        self.points = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(POINTS), name="training samples")
        self.plot.addItem(self.points)
        self.pieces = pg.PlotDataItem(pen=pg.mkPen(PIECES, width=1), connect="finite",
                                       name="each unit's piece w·a(x)")
        self.plot.addItem(self.pieces)
        self.target = pg.PlotDataItem(pen=pg.mkPen(TARGET, width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
                                       name="target")
        self.plot.addItem(self.target)
        self.curve = pg.PlotDataItem(pen=pg.mkPen(SMOOTH, width=2), name="network")
        self.plot.addItem(self.curve)

        self.pieces_check = QCheckBox("Show each hidden unit's piece", objectName="functionPiecesCheck")
        self.pieces_check.setChecked(True)
        self.pieces_check.setToolTip("The output is a weighted sum of the last hidden layer's units plus a "
                                     "bias: each faint line is one unit times its weight; they add up to the "
                                     "network's curve")
        self.pieces_check.toggled.connect(self._on_pieces_toggled)
        self.caption = QLabel("The network's curve shows for regressions of one number to one number "
                              "(the function dataset).", objectName="functionCaption")
        self.caption.setWordWrap(True)
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.pieces_check)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.widget, 1)
        layout.addWidget(self.caption)
        self.updates = 0
        self._last: FunctionSnapshot | None = None
        self._ranged = False

    def set_points(self, x: np.ndarray | None, y: np.ndarray | None) -> None:
        """The training samples (``x`` [N, 1], ``y`` [N, 1]) drawn under the curve; None: none."""
        self._last = None
        self._ranged = False
        for item in (self.target, self.curve, self.pieces):
            item.setData([], [])
        if x is None or y is None:
            self.points.setData([])
            return
        x, y = np.ravel(x), np.ravel(y)
        if len(x) > MAX_POINTS:
            keep = np.random.default_rng(0).choice(len(x), MAX_POINTS, replace=False)
            x, y = x[keep], y[keep]
        self.points.setData(x=x, y=y)
        if len(x):
            self._set_range(x, y)

    def _set_range(self, x: np.ndarray, y: np.ndarray) -> None:
        """Fixed ranges (autoranging every frame is the costly part of a repaint); pieces may leave the plot."""
        lo, hi = float(np.min(y)), float(np.max(y))
        span = max(hi - lo, 1e-3)
        self.plot.setYRange(lo - 0.7 * span, hi + 0.15 * span, padding=0)
        self.plot.setXRange(float(np.min(x)), float(np.max(x)), padding=0)
        self._ranged = True

    def show_snapshot(self, snap: FunctionSnapshot) -> None:
        self._last = snap
        if not self._ranged:
            self._set_range(snap.x, snap.y if snap.target is None else snap.target)
        self.plot.setXRange(float(snap.x[0]), float(snap.x[-1]), padding=0)
        if snap.target is not None:
            self.target.setData(snap.x, snap.target)
        self.curve.setData(snap.x, snap.y)
        self._draw_pieces()
        text = f"Step {snap.step}"
        if snap.target is not None:
            text += (f": mean |network − target| {float(np.mean(np.abs(snap.y - snap.target))):.3f} over the plotted "
                     "x (a tenth of the data's range more on each side)")
        if snap.pieces is not None:
            text += (f"; {len(snap.pieces)} pieces (one per unit of the last hidden layer, times its weight) "
                     f"plus the bias {snap.bias:+.3f} add up to it")
        self.caption.setText(text + ".")
        self.updates += 1
        self.frame_drawn.emit(snap.step)

    def _draw_pieces(self) -> None:
        snap = self._last
        has = snap is not None and snap.pieces is not None
        self.pieces_check.setEnabled(has or snap is None)
        if not has or not self.pieces_check.isChecked():
            self.pieces.setData([], [])
            return
        count, size = snap.pieces.shape
        xs = np.empty((count, size + 1), dtype=np.float64)
        ys = np.empty((count, size + 1), dtype=np.float64)
        xs[:, :size], ys[:, :size] = snap.x, snap.pieces
        xs[:, size] = ys[:, size] = np.nan  # a break between one piece and the next
        self.pieces.setData(xs.ravel(), ys.ravel())

    def _on_pieces_toggled(self, _on: bool) -> None:
        self._draw_pieces()

    def clear(self) -> None:
        self.set_points(None, None)
        self.caption.setText("The network's curve shows for regressions of one number to one number "
                             "(the function dataset).")
