"""Plot items made cheap to repaint, for the views redrawn at every delivery.

pyqtgraph's ScatterPlotItem and BarGraphItem are general (per-point symbols, pens, hover, a QPicture
rebuilt on every change) and each cost about 0.3 ms of the GUI thread per repaint while training;
the validation points and the gradient bars need none of that. :class:`Dots` draws its points as
one polyline and one ``drawPoints`` with a round pen; :class:`Bars` fills one rectangle per layer.
Both keep the ``opts`` keys the legend and the tests read. PlotDataItem, a wrapper of a curve and a
scatter item that re-derives clipping, downsampling and bounds at every ``setData``, cost the loss
view about 3.7 ms of the GUI thread per delivery (hidden, 11.7 -> 8.0 ms); :class:`Line` draws a
training curve as one polyline, thinned to its peaks beyond two points per pixel column. :class:`Image` is
pyqtgraph's ImageItem with its picture kept in a format Qt scales quickly.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph import functions as fn
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF

EDGE_PX = 6  # how far a dot or a line's width reaches beyond its data point, in pixels


def _polygon(x: np.ndarray, y: np.ndarray) -> QPolygonF:
    polygon = fn.create_qpolygonf(len(x))
    points = fn.ndarray_from_qpolygonf(polygon)
    points[:, 0], points[:, 1] = x, y
    return polygon


class Dots(pg.GraphicsObject):
    """Points joined by a line (validation after each epoch); a dot on each point while ``symbol`` is set.

    Speaks the part of PlotDataItem's language the loss view uses: ``setData``, ``getData``,
    ``setSymbol``, ``opts["symbol"]`` and ``setLogMode`` (the loss plot's log scale).
    """

    def __init__(self, colour: QColor, *, symbol: str | None = "o", size: int = 7, name: str | None = None) -> None:
        super().__init__()
        line = pg.mkPen(colour, width=1)
        line.setCosmetic(True)
        dot = QPen(colour, size, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        dot.setCosmetic(True)
        self._line, self._dot = line, dot
        self.opts = {"pen": line, "symbol": symbol, "size": size, "brush": colour, "name": name, "antialias": False}
        self._x = self._y = np.empty(0)
        self._log_y = False
        self._shown_x = self._shown_y = np.empty(0)
        self._polygon = QPolygonF()
        self._bounds = QRectF()
        self._rect: QRectF | None = None  # boundingRect, kept until the data or the view change

    def name(self) -> str | None:
        return self.opts["name"]

    def setData(self, x, y) -> None:  # noqa: N802  (pyqtgraph's name)
        self._x, self._y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        self._update_shown()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802
        return self._x, self._y

    def setPen(self, line: QPen) -> None:  # noqa: N802  (lecture mode widens the lines)
        line = QPen(line)
        line.setCosmetic(True)
        self._line = self.opts["pen"] = line
        self.update()

    def setSymbol(self, symbol: str | None) -> None:  # noqa: N802
        self.opts["symbol"] = symbol
        self.update()

    def setLogMode(self, x: bool, y: bool) -> None:  # noqa: N802  (called by PlotItem.setLogMode)
        self._log_y = bool(y)
        self._update_shown()

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):  # noqa: N802
        values = self._shown_x if ax == 0 else self._shown_y
        return (float(values.min()), float(values.max())) if len(values) else (None, None)

    def _update_shown(self) -> None:
        x, y = self._x, self._y
        if self._log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(y)
        finite = np.isfinite(x) & np.isfinite(y)
        x, y = self._shown(x[finite], y[finite])
        self.prepareGeometryChange()
        self._shown_x, self._shown_y = x, y
        self._polygon = _polygon(x, y) if len(x) else QPolygonF()
        self._bounds = (QRectF(float(x.min()), float(y.min()), float(np.ptp(x)), float(np.ptp(y)))
                        if len(x) else QRectF())
        self._rect = None
        self.informViewBoundsChanged()
        self.update()

    def _shown(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The points drawn, of the finite ones given (all of them; :class:`Line` thins a long curve)."""
        return x, y

    def boundingRect(self) -> QRectF:  # noqa: N802
        # Qt asks many times per repaint; the margin of a few pixels in data units costs a
        # pixelVectors() each time, so the rect is kept, as PlotCurveItem keeps its own.
        if self._rect is None:
            if self._bounds.isNull() and not len(self._shown_x):
                self._rect = QRectF()
            else:
                px, py = self.pixelVectors()
                dx = EDGE_PX * (px.length() if px is not None else 0.0)
                dy = EDGE_PX * (py.length() if py is not None else 0.0)
                self._rect = self._bounds.adjusted(-dx, -dy, dx, dy)
        return self._rect

    def viewTransformChanged(self) -> None:  # noqa: N802  (pyqtgraph's name: the view's range or size moved)
        super().viewTransformChanged()
        self.prepareGeometryChange()  # before the rect changes: Qt reads the old one here
        self._rect = None

    def paint(self, painter: QPainter, *args) -> None:
        if self._polygon.isEmpty():
            return
        painter.setPen(self._line)
        painter.drawPolyline(self._polygon)
        if self.opts["symbol"] is not None:
            painter.setPen(self._dot)
            painter.drawPoints(self._polygon)


class Line(Dots):
    """A curve of many points (a loss or accuracy per step): one polyline, no dots.

    Beyond two points per pixel column of its view the drawn line keeps each column's lowest and
    highest value (pyqtgraph's "peak" downsampling at the screen's resolution), so spikes stay
    visible at any length and the polyline costs what the plot's width allows, not what the run's
    length does; ``getData`` still gives every point. Measured offscreen, the loss and accuracy
    plots of a 12,000-step run (330 pixels wide) repainted in 2.7 ms at a fixed 4,096 points, in
    1.0 ms at 660. Thinned when the data are set; a view widened later shows the next data set at
    its new width.
    """

    MOST_POINTS = 4096   # two per bucket: the most ever drawn, whatever the width
    LEAST_BUCKETS = 128  # a view not laid out yet (no width) still thins to this many

    def __init__(self, colour: QColor, *, name: str | None = None) -> None:
        super().__init__(colour, symbol=None, name=name)

    def buckets(self) -> int:
        """Buckets of the peak thinning: one per pixel column of the view, within the bounds above."""
        view = self.getViewBox()
        width = view.width() if view is not None else 0.0
        return int(min(self.MOST_POINTS // 2, max(self.LEAST_BUCKETS, width)))

    def _shown(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        buckets = self.buckets()
        if len(x) <= 2 * buckets:
            return x, y
        size = -(-len(x) // buckets)  # ceiling: every bucket but the last is full
        full = len(x) // size * size
        ys = y[:full].reshape(-1, size)
        xs = x[:full:size]
        peaks_x = np.repeat(xs, 2)
        peaks_y = np.empty(2 * len(xs))
        peaks_y[0::2], peaks_y[1::2] = ys.min(axis=1), ys.max(axis=1)
        return np.concatenate([peaks_x, x[full:]]), np.concatenate([peaks_y, y[full:]])


class Bars(pg.GraphicsObject):
    """Horizontal bars, one per row: from ``x0`` over ``width``, centred on ``y``, each its own colour."""

    def __init__(self, height: float = 0.7) -> None:
        super().__init__()
        self.opts = {"x0": np.empty(0), "y": np.empty(0), "width": np.empty(0), "height": height, "brushes": []}
        self._rects: list[tuple[QRectF, QColor]] = []
        self._bounds = QRectF()

    def setOpts(self, *, x0, y, width, brushes) -> None:  # noqa: N802  (BarGraphItem's name)
        height = self.opts["height"]
        x0, y, width = (np.asarray(a, dtype=np.float64) for a in (x0, y, width))
        self.opts.update(x0=x0, y=y, width=width, brushes=list(brushes))
        self.prepareGeometryChange()
        self._rects = [(QRectF(float(a), float(b) - height / 2, float(w), height), QColor(c))
                       for a, b, w, c in zip(x0, y, width, brushes)]
        bounds = QRectF()
        for rect, _ in self._rects:
            bounds = bounds.united(rect)
        self._bounds = bounds
        self.informViewBoundsChanged()
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def paint(self, painter: QPainter, *args) -> None:
        for rect, colour in self._rects:
            painter.fillRect(rect, colour)



class Image(pg.ImageItem):
    """An ImageItem that colours a one-channel image through its lookup table into 32-bit pixels itself.

    pyqtgraph renders a colour-mapped image as an 8-bit indexed QImage, building its 256-entry colour
    table with ``qRgb`` in Python at every render, and Qt converts that image again at every repaint
    before scaling it: 0.42 ms for a 600 x 5 gradient heatmap drawn 500 x 250, against 0.05 ms from
    32-bit pixels (measured offscreen). Here the levels map the values onto the table in one numpy
    pass into premultiplied ARGB32 (NaN transparent, as pyqtgraph draws it): a 7 x 240 heatmap renders
    in 0.04 ms, against 0.12 ms by pyqtgraph before the conversion. The heatmap, the feature
    maps and the decision boundary are rendered about ten times a second while training. Anything
    else (colour images, a table with alpha, downsampling) takes pyqtgraph's way.
    """

    _packed_from: np.ndarray | None = None  # the table packed (held, so that its id is not reused)
    _packed: np.ndarray | None = None

    def render(self) -> None:
        if not self._render_mapped():
            super().render()
            image = self.qimage
            if image is not None and image.format() == QImage.Format.Format_Indexed8:
                self.qimage = image.convertToFormat(QImage.Format.Format_RGB32)

    def _render_mapped(self) -> bool:
        image, lut, levels = self.image, self.lut, self.levels
        if (image is None or image.ndim != 2 or image.size == 0 or image.dtype.kind not in "fiu"
                or not isinstance(lut, np.ndarray) or lut.dtype != np.uint8 or lut.ndim != 2 or lut.shape[1] != 3
                or levels is None or np.ndim(levels) != 1 or self.autoDownsample or self.axisOrder != "row-major"):
            return False
        packed = self._packed_lut(lut)
        lo, hi = float(levels[0]), float(levels[1])
        n = len(packed)
        values = image.astype(np.float32, copy=True)
        missing = np.isnan(values)
        values -= lo
        values *= n / (hi - lo) if hi > lo else 0.0
        np.clip(values, 0, n - 1, out=values)
        values[missing] = 0
        argb = packed[values.astype(np.intp)]
        argb[missing] = 0  # transparent
        self.qimage = fn.ndarray_to_qimage(argb, QImage.Format.Format_ARGB32_Premultiplied)
        self._renderRequired = False
        self._unrenderable = False
        return True

    def _packed_lut(self, lut: np.ndarray) -> np.ndarray:
        """``lut`` (n x 3 uint8) as opaque ARGB32 words, kept until another table is set."""
        if self._packed_from is not lut:
            rgb = lut.astype(np.uint32)
            self._packed = (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)
            self._packed_from = lut
        return self._packed
