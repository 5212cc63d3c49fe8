"""Plot widgets that Qt repaints in C++ without holding Python's GIL, so training runs on meanwhile.

PySide6 keeps the GIL for as long as C++ code runs under a Python frame. pyqtgraph's GraphicsView
overrides ``paintEvent`` in Python (to emit the scene's ``prepareForPaint`` first), so every
repaint of a plot, Qt's rasterising included, held the GIL, and the training thread, which needs
the GIL between any two torch operations, waited for it. Measured offscreen: a Python thread
counting beside a 20,000-line plot repainted every 5 ms ran at 3.3 M counts/s under pyqtgraph's
override and at 12-13 M/s (its speed alone) without it.

Here the C++ ``paintEvent`` is put back (Shiboken calls no Python for a method the class leaves to
C++), and ``prepareForPaint`` comes from an event filter on the viewport: it runs before Qt paints
and returns at once, so the GIL is taken only for the items that paint themselves in Python.
Shiboken decides this per class when a widget is made, so it has to be these classes.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QGraphicsView


class _PrepareBeforePaint(QObject):
    """On the viewport: the scene's ``prepareForPaint`` (view matrices, auto ranges, text transforms)
    before each paint, as pyqtgraph's own ``paintEvent`` does."""

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view)
        self._view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt's name)
        if event.type() == QEvent.Type.Paint:
            scene = self._view.scene()
            if scene is not None:
                scene.prepareForPaint()
        return False


class LivePlotWidget(pg.PlotWidget):
    """A pyqtgraph PlotWidget painted by Qt's C++ alone (see the module's docstring)."""

    paintEvent = QGraphicsView.paintEvent  # noqa: N815  (Qt's name; C++'s, so no Python runs)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.viewport().installEventFilter(_PrepareBeforePaint(self))


class LiveLayoutWidget(pg.GraphicsLayoutWidget):
    """A pyqtgraph GraphicsLayoutWidget painted by Qt's C++ alone (see the module's docstring)."""

    paintEvent = QGraphicsView.paintEvent  # noqa: N815

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.viewport().installEventFilter(_PrepareBeforePaint(self))
