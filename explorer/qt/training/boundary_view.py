"""The decision boundary of a 2-D classifier: the model's output over the plane, with the data on top.

TensorFlow Playground's picture: one ImageItem with explicit levels for the probability grid,
one ScatterPlotItem for the training points, both made once and updated in place. A check box adds
the validation points as rings in their class's colour, so a validation point lying in the other
class's region (a mistake the training points cannot show, the point of an overfitting lesson)
stands out.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

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
    """``boundaryView``: the probability grid as a heatmap with the training points over it, and the
    validation points when ``validationPointsCheck`` is on."""

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
        # rings, not discs: a validation point is told from a training one at a glance
        self.val_points = pg.ScatterPlotItem(size=9, symbol="o", brush=pg.mkBrush(0, 0, 0, 0))
        self.val_points.setZValue(1)
        self.val_points.setVisible(False)
        self.plot.addItem(self.val_points)
        self.show_validation = QCheckBox("Validation points", objectName="validationPointsCheck")
        self.show_validation.setToolTip("Also draw the validation samples, as rings in their class's colour: a ring "
                                        "in the other class's region is a validation mistake")
        self.show_validation.toggled.connect(self._on_show_validation_changed)
        self.note = QLabel("The decision boundary shows for datasets of points in the plane.",
                           objectName="boundaryNote")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.show_validation)
        layout.addWidget(self.widget, 1)
        layout.addWidget(self.note)
        self._classes = 2
        self._extent = None
        self.updates = 0

    def set_points(self, x: np.ndarray | None, y: np.ndarray | None, classes: int | None,
                   x_val: np.ndarray | None = None, y_val: np.ndarray | None = None) -> None:
        """The samples to draw over the boundary (``x`` [N, 2], ``y`` class labels) and the validation
        samples for the check box; None when not 2-D."""
        if x is None or y is None:
            self.points.setData([])
            self.val_points.setData([])
            self.show_validation.setEnabled(False)
            self.image.clear()
            self.note.setText("The decision boundary shows for datasets of points in the plane.")
            self.note.show()
            return
        self._classes = max(2, int(classes or 2))
        x, y = _at_most(x, y)
        brushes = [pg.mkBrush(CLASS_COLOURS[int(label) % len(CLASS_COLOURS)]) for label in y]
        self.points.setData(x=x[:, 0], y=x[:, 1], brush=brushes)
        if x_val is not None and y_val is not None and len(x_val):
            x_val, y_val = _at_most(x_val, y_val)
            pens = [pg.mkPen(CLASS_COLOURS[int(label) % len(CLASS_COLOURS)], width=2) for label in y_val]
            self.val_points.setData(x=x_val[:, 0], y=x_val[:, 1], pen=pens)
        else:
            self.val_points.setData([])
        self.show_validation.setEnabled(x_val is not None and len(x_val) > 0)
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

    @property
    def validation_shown(self) -> int:
        """How many validation points are drawn now (0 while the check box is off)."""
        return len(self.val_points.data) if self.val_points.isVisible() else 0

    def _on_show_validation_changed(self, on: bool) -> None:
        self.val_points.setVisible(on)


def _at_most(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """At most ``MAX_POINTS`` of the samples, the same ones every time (each is a paint)."""
    if len(x) <= MAX_POINTS:
        return x, y
    keep = np.random.default_rng(0).choice(len(x), MAX_POINTS, replace=False)
    return x[keep], y[keep]
