"""Shared pieces of the live plots: growing series, TensorBoard's smoothing, colours and plot style.

pyqtgraph's ``scrollingPlots.py`` is the model (STYLE 9): data live in preallocated arrays that
double when full, and each update is one ``setData`` on an item made once.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QGraphicsItem, QWidget

# Colours that read on a light and a dark background and on a projector.
LOSS = QColor("#e8710a")
SMOOTH = QColor("#1a73e8")
VALIDATION = QColor("#d93025")
ACCURACY = QColor("#188038")
FADED = QColor(128, 128, 128, 110)
# One colour per class (TensorFlow Playground's orange and blue first), shared by every view of classes.
CLASS_COLOURS = [QColor("#f59322"), QColor("#0877bd"), QColor("#188038"), QColor("#a142f4"), QColor("#d93025"),
                 QColor("#12b5cb"), QColor("#e52592"), QColor("#9aa0a6"), QColor("#795548"), QColor("#303f9f")]

PLOT_FONT_PT = 10


class GrowingSeries:
    """x and y values appended in chunks; arrays double when full, views are handed to ``setData``.

    A run of hours would grow without end, so the series holds at most ``max_points``: when full,
    neighbouring pairs are averaged into one point and from then on every ``bucket`` new values
    become one point (as the gradient history halves its columns), so a long run keeps its whole
    shape, every point the mean of equally many steps. The newest ``bucket - 1`` values wait
    unseen until their point is complete.
    """

    MAX_POINTS = 1 << 16  # 1 MB per series: far more than a plot's width in pixels

    def __init__(self, capacity: int = 1024, max_points: int | None = None) -> None:
        limit = self.MAX_POINTS if max_points is None else max_points
        self.max_points = max(2, limit - limit % 2)  # even, so that a full series halves exactly
        capacity = max(1, min(capacity, self.max_points))
        self._x = np.empty(capacity, dtype=np.float64)
        self._y = np.empty(capacity, dtype=np.float64)
        self.size = 0
        self.bucket = 1  # values averaged into one point
        self._pending_x = self._pending_y = np.empty(0, dtype=np.float64)

    def extend(self, x, y) -> None:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if len(self._pending_x):
            x, y = np.concatenate([self._pending_x, x]), np.concatenate([self._pending_y, y])
        while True:
            groups, room = len(x) // self.bucket, self.max_points - self.size
            take = min(groups, room)
            used = take * self.bucket
            if self.bucket == 1:
                self._append(x[:used], y[:used])
            else:
                self._append(x[:used].reshape(take, self.bucket).mean(axis=1),
                             y[:used].reshape(take, self.bucket).mean(axis=1))
            x, y = x[used:], y[used:]
            if groups <= room:
                break
            self._halve()
        self._pending_x, self._pending_y = x.copy(), y.copy()

    def _append(self, x: np.ndarray, y: np.ndarray) -> None:
        need = self.size + len(x)
        if need > len(self._x):
            capacity = len(self._x)
            while capacity < need:
                capacity *= 2
            capacity = min(capacity, self.max_points)
            for name in ("_x", "_y"):
                grown = np.empty(capacity, dtype=np.float64)
                grown[:self.size] = getattr(self, name)[:self.size]
                setattr(self, name, grown)
        self._x[self.size:need] = x
        self._y[self.size:need] = y
        self.size = need

    def _halve(self) -> None:
        """Average neighbouring pairs of the full series in place; new points then take twice the values."""
        half = self.size // 2
        for array in (self._x, self._y):
            array[:half] = array[:2 * half].reshape(half, 2).mean(axis=1)
        self.size = half
        self.bucket *= 2

    def clear(self) -> None:
        self.size = 0
        self.bucket = 1
        self._pending_x = self._pending_y = np.empty(0, dtype=np.float64)

    @property
    def x(self) -> np.ndarray:
        return self._x[:self.size]

    @property
    def y(self) -> np.ndarray:
        return self._y[:self.size]

    def __len__(self) -> int:
        return self.size


class Extent:
    """The smallest, smallest positive and largest finite value seen, kept as values arrive.

    A live plot shows its whole run, so its y range is the extent of everything it was given:
    kept this way, finding it costs as much as the new values, not a pass over the whole run.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.lo = self.positive_lo = math.inf
        self.hi = -math.inf

    def add(self, values) -> None:
        values = np.asarray(values, dtype=np.float64)
        values = values[np.isfinite(values)]
        if values.size:
            self.lo, self.hi = min(self.lo, float(values.min())), max(self.hi, float(values.max()))
            positive = values[values > 0]
            if positive.size:
                self.positive_lo = min(self.positive_lo, float(positive.min()))

    def bounds(self, log: bool = False) -> tuple[float, float] | None:
        """(lo, hi) of the values, of their log10 if ``log`` (positive values only); None if none."""
        if log:
            if not math.isfinite(self.positive_lo):
                return None
            return math.log10(self.positive_lo), math.log10(self.hi)
        return (self.lo, self.hi) if self.lo <= self.hi else None


class Smoother:
    """TensorBoard's debiased exponential moving average, extended point by point.

    ``weight`` 0 shows the raw values; 0.99 is very smooth. Non-finite values are carried over
    (they are drawn raw, but do not poison the average).
    """

    def __init__(self, weight: float = 0.6) -> None:
        self.weight = weight
        self._last = 0.0
        self._count = 0
        self._previous = math.nan

    def reset(self) -> None:
        self._last, self._count, self._previous = 0.0, 0, math.nan

    def extend(self, values) -> np.ndarray:
        out = np.empty(len(values), dtype=np.float64)
        w = self.weight
        for i, v in enumerate(values):
            v = float(v)
            if math.isfinite(v):
                self._last = self._last * w + (1.0 - w) * v
                self._count += 1
                self._previous = self._last / (1.0 - w ** self._count) if w > 0 else v
            out[i] = self._previous
        return out


def nice_ceiling(value: float) -> float:
    """The next of 1, 2, 2.5, 5 times a power of ten at or above ``value`` (> 0)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= value * (1 - 1e-9):
            return step * power
    return 10.0 * power


def sticky_range(current: tuple[float, float] | None, lo: float, hi: float, *, pad: float = 0.08,
                 shrink: float = 0.45) -> tuple[float, float] | None:
    """A view range that holds [lo, hi] and changes rarely; None keeps ``current``.

    Axis labels are the costly part of a plot's repaint (pyqtgraph regenerates them whenever the
    range moves), so the range grows with some room to spare and shrinks only when the data fill
    less than ``shrink`` of it.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    span = max(hi - lo, abs(hi) * 1e-3, 1e-12)
    if current is not None:
        c_lo, c_hi = current
        fits = c_lo <= lo and hi <= c_hi
        if fits and span >= shrink * (c_hi - c_lo):
            return None
    return lo - pad * span, hi + pad * span


def blend(colour: QColor, background: QColor, amount: float) -> QColor:
    """``colour`` mixed into ``background``: an opaque pale tone, cheaper to draw than transparency."""
    mix = lambda a, b: int(round(b + (a - b) * amount))  # noqa: E731
    return QColor(mix(colour.red(), background.red()), mix(colour.green(), background.green()),
                  mix(colour.blue(), background.blue()))


def background_colours(widget: QWidget) -> tuple[QColor, QColor]:
    """The (background, text) colours of ``widget``'s palette, so plots follow the theme."""
    palette = widget.palette()
    return palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)


def style_plot(plot: pg.PlotItem, widget: QWidget, *, left: str = "", bottom: str = "") -> None:
    """Legible axes in the widget's theme: larger tick font, labelled axes, a light grid."""
    background, text = background_colours(widget)
    font = QFont(widget.font())
    font.setPointSize(PLOT_FONT_PT)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(text, width=1))
        axis.setTextPen(pg.mkPen(text))
        axis.setStyle(tickFont=font)
        axis.enableAutoSIPrefix(False)  # 0.7, not "700 (x0.001)"
        # Axes are redrawn with every repaint of the region they share with the data (about a
        # third of each live plot's repaint); cached as pixmaps, they are redrawn only when their
        # ticks change, which the sticky ranges make rare.
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    if left:
        plot.setLabel("left", left, **{"font-size": f"{PLOT_FONT_PT}pt"})
    if bottom:
        plot.setLabel("bottom", bottom, **{"font-size": f"{PLOT_FONT_PT}pt"})
    plot.getViewBox().setBackgroundColor(background)
    plot.setMenuEnabled(False)


def cache_drawing(item: QGraphicsItem) -> None:
    """Keep ``item`` and its children as pixmaps, redrawn only when they change: for the legend and labels
    over live curves, which otherwise are drawn again at every repaint of the curves under them (a
    legend of three entries and the lowest-validation label were 0.15-0.35 ms of the loss plot's 0.8 ms)."""
    item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    for child in item.childItems():
        cache_drawing(child)


def plot_widget(name: str, theme_from: QWidget) -> pg.PlotWidget:
    """A PlotWidget called ``name`` on the theme's background (pyqtgraph's default is black), painted
    without the GIL (:mod:`.live_widgets`)."""
    from .live_widgets import LivePlotWidget

    widget = LivePlotWidget()
    widget.setObjectName(name)
    widget.setBackground(background_colours(theme_from)[0])
    return widget


def lookup_table(name: str, n: int = 256) -> np.ndarray:
    """A uint8 lookup table of ``n`` <= 256 colours from pyqtgraph's colour map ``name``."""
    return pg.colormap.get(name).getLookupTable(nPts=n, alpha=False)


def pen(colour: QColor, *, width: int = 1, style=None) -> pg.QtGui.QPen:
    p = pg.mkPen(colour, width=width)
    if style is not None:
        p.setStyle(style)
    p.setCosmetic(True)
    return p
