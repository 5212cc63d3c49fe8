"""The decision boundary of a 2-D classifier: the model's output over the plane, with the data on top.

TensorFlow Playground's picture: one ImageItem with explicit levels for the probability grid,
one ScatterPlotItem for the points, both made once and updated in place.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from explorer.training.snapshots import BoundarySnapshot

from .marks import Image
from .plotting import CLASS_COLOURS, plot_widget, style_plot

MAX_POINTS = 600


def _two_class_lut() -> np.ndarray:
    """Orange (class 0) through white to blue (class 1), light enough for the points to show."""
    a = np.array([245, 147, 34], dtype=np.float64)
    b = np.array([8, 119, 189], dtype=np.float64)
    white = np.array([246, 246, 246], dtype=np.float64)
    t = np.linspace(0.0, 1.0, 256)[:, None]
    lut = np.where(t < 0.5, a + (white - a) * (t / 0.5), white + (b - white) * ((t - 0.5) / 0.5))
    lut = white + (lut - white) * 0.55  # pale: the points carry the strong colours
    return lut.astype(np.uint8)


def _class_lut(classes: int) -> np.ndarray:
    colours = np.array([[c.red(), c.green(), c.blue()] for c in CLASS_COLOURS[:classes]], dtype=np.float64)
    colours = 246 + (colours - 246) * 0.45
    return colours.astype(np.uint8)


class BoundaryView(QWidget):
    """``boundaryView``: the probability grid as a heatmap with the training points over it."""

    frame_drawn = Signal(int)  # the grid was drawn, for this training step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boundaryView")
        self.widget = plot_widget("boundaryPlot", self)
        self.plot = self.widget.getPlotItem()
        style_plot(self.plot, self)
        self.plot.setAspectLocked(True)
        self.plot.hideButtons()
        self.image = Image(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.points = pg.ScatterPlotItem(size=6, pen=pg.mkPen(255, 255, 255, 160, width=1))
        self.plot.addItem(self.points)
        self.note = QLabel("The decision boundary shows for datasets of points in the plane.",
                           objectName="boundaryNote")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.widget, 1)
        layout.addWidget(self.note)
        self._classes = 2
        self._extent = None
        self.updates = 0

    def set_points(self, x: np.ndarray | None, y: np.ndarray | None, classes: int | None) -> None:
        """The samples to draw over the boundary (``x`` [N, 2], ``y`` class labels); None when not 2-D."""
        if x is None or y is None:
            self.points.setData([])
            self.image.clear()
            self.note.setText("The decision boundary shows for datasets of points in the plane.")
            self.note.show()
            return
        self._classes = max(2, int(classes or 2))
        if len(x) > MAX_POINTS:
            keep = np.random.default_rng(0).choice(len(x), MAX_POINTS, replace=False)
            x, y = x[keep], y[keep]
        brushes = [pg.mkBrush(CLASS_COLOURS[int(label) % len(CLASS_COLOURS)]) for label in y]
        self.points.setData(x=x[:, 0], y=x[:, 1], brush=brushes)
        lut = _two_class_lut() if self._classes == 2 else _class_lut(self._classes)
        self.image.setLookupTable(lut)
        self.image.clear()
        self.note.hide()

    def show_snapshot(self, snap: BoundarySnapshot) -> None:
        values = np.asarray(snap.values, dtype=np.float32)
        levels = (0.0, 1.0) if self._classes == 2 else (0.0, float(self._classes - 1))
        self.image.setImage(values, levels=levels, autoLevels=False)
        x0, x1, y0, y1 = snap.extent
        if self._extent != snap.extent:
            self._extent = snap.extent
            self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.updates += 1
        self.frame_drawn.emit(snap.step)

    def clear(self) -> None:
        self.set_points(None, None, None)
        self._extent = None
