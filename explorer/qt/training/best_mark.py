"""The mark of the lowest validation loss on the loss plot: where early stopping would have stopped.

A dashed vertical line at that step with a label giving the loss and the epoch, on the side of the line
with room and as high as the legend above it leaves it (validation curves mostly lie low by then). The line spans the plot whatever the y axis (linear or log), so it needs no y
position of its own.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from .plotting import VALIDATION, cache_drawing, pen


HIGHEST = 0.62  # the label's middle at most this far up the line


class BestValidationMark:
    """Follows the validation losses of one run and marks the lowest; hidden until the first one."""

    def __init__(self, plot: pg.PlotItem, background: QColor) -> None:
        fill = QColor(background)
        fill.setAlpha(210)  # readable over the curves it may cross
        self.line = pg.InfiniteLine(angle=90, movable=False, pen=pen(VALIDATION, style=Qt.PenStyle.DashLine),
                                    label="", labelOpts={"position": HIGHEST, "color": VALIDATION, "fill": fill,
                                                         "anchors": [(0, 0.5), (0, 0.5)]})
        self.line.setZValue(5)
        cache_drawing(self.line.label)  # text over live curves: a pixmap, redrawn when it changes
        self.line.setVisible(False)
        plot.addItem(self.line, ignoreBounds=True)
        self.plot = plot
        self.best: tuple[float, float, int] | None = None  # (loss, x, epoch)
        plot.getViewBox().sigXRangeChanged.connect(lambda *_: self._place_label())
        plot.getViewBox().sigResized.connect(lambda *_: self._place_label())

    def add(self, x: float, loss: float, epoch: int) -> None:
        """One validation at ``x`` (the plot's step); the mark moves when it is a new lowest."""
        if not math.isfinite(loss) or (self.best is not None and loss >= self.best[0]):
            return
        self.best = (loss, x, epoch)
        self.line.setValue(x)
        self.line.label.setFormat(f"lowest validation\nloss {loss:.3g}\nstep {x:g}, epoch {epoch}")
        self.line.setVisible(True)
        self._place_label()

    def _place_label(self) -> None:
        """The label beside the line on the side with room: right of it, unless the label would not
        fit between the line and the plot's right edge (the x range grows as the run goes on, so this
        follows it)."""
        if self.best is None:
            return
        x_min, x_max = self.plot.viewRange()[0]
        view_pixels = self.plot.getViewBox().width()
        share = (self.best[1] - x_min) / max(x_max - x_min, 1e-12)
        right_room, left_room = (1 - share) * view_pixels, share * view_pixels
        left = right_room < self.line.label.boundingRect().width() + 8 and left_room > right_room
        self.line.label.anchors = [(1, 0.5), (1, 0.5)] if left else [(0, 0.5), (0, 0.5)]
        self.line.label.setPosition(self._height())

    def _height(self) -> float:
        """Where along the line (0 bottom, 1 top) the label's middle goes: at most ``HIGHEST``, and below
        the legend, whose size in pixels does not shrink with a short plot."""
        box = self.plot.getViewBox()
        height = max(box.height(), 1.0)
        half = self.line.label.boundingRect().height() / 2
        legend = getattr(self.plot, "legend", None)
        below = 0.0
        if legend is not None and legend.isVisible():
            below = box.mapRectFromItem(legend, legend.boundingRect()).bottom() + 4
        highest = 1 - (below + half) / height
        return max(min(HIGHEST, highest), half / height)

    def clear(self) -> None:
        self.best = None
        self.line.setVisible(False)

    @property
    def text(self) -> str:
        """The label shown ("" while hidden), for tests and the status line."""
        return self.line.label.format if self.best is not None else ""
