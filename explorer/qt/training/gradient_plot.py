"""Per-layer gradient magnitude: a layer x step heatmap over the run and bars for the latest step.

Both share one vertical axis, the layers with parameters in graph order from the input (top) to
the output (bottom), and one colour scale, log10 of the gradient norm: the vanishing-gradients
picture is a heatmap that darkens towards the top. The step axis of the heatmap has a fixed width
(``COLUMNS``): each column is the mean of ``bucket`` steps, and when the buffer is full,
neighbouring columns merge and ``bucket`` doubles, so a long run costs what a short one does.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.training.snapshots import StepSnapshot

from .live_widgets import LiveLayoutWidget
from .marks import Bars, Image
from .plotting import PLOT_FONT_PT, background_colours, lookup_table, nice_ceiling, sticky_range, style_plot

COLUMNS = 240        # width of the step axis of the heatmap, in columns
FLOOR = 1e-12        # gradients below this (zero included) are drawn as this
TINT_LEVELS = 12     # canvas tints are quantised, so the scene repaints only on a visible change
TINT_INTERVAL = 0.3  # seconds between tint updates at most
TINT_SMOOTHING = 0.9 # tints follow a moving average of log10 |gradient|, not every step's jitter
COLOUR_MAP = "viridis"


def decade_label(power: int) -> str:
    """10**power written the way a student reads it: 0.01, 1, 100 near one, 1e-5 beyond."""
    return f"{10.0 ** power:g}" if -3 <= power <= 3 else f"1e{power}"


def decade_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    """Ticks of a log10 axis from ``lo`` to ``hi``: whole decades, at most three (the bars are narrow),
    or 1-2-5 steps when fewer than two decades show."""
    first, last = math.ceil(lo), math.floor(hi)
    if last - first < 2:
        ticks = []
        for k in range(math.floor(lo), math.ceil(hi) + 1):
            for m in (1, 2, 5):
                x = k + math.log10(m)
                if lo <= x <= hi:
                    ticks.append((x, f"{m * 10.0 ** k:g}"))
        return ticks
    every = max(1, math.ceil((last - first + 1) / 3))
    return [(float(k), decade_label(k)) for k in range(first, last + 1) if (k - first) % every == 0]


class GradientHistory:
    """log10 gradient norms per layer, downsampled on the step axis into a fixed-width buffer."""

    def __init__(self, layers: list[str], columns: int = COLUMNS) -> None:
        self.layers = list(layers)
        self.columns = columns
        self.buffer = np.full((len(layers), columns), np.nan, dtype=np.float32)
        self.bucket = 1            # steps per column
        self.filled = 0            # complete columns
        self.first_step = None     # x of the left edge of column 0
        self._sum = np.zeros(len(layers), dtype=np.float64)
        self._count = np.zeros(len(layers), dtype=np.int64)
        self._pending = 0          # steps in the column being built
        self.latest = np.full(len(layers), np.nan, dtype=np.float64)
        self.smoothed = np.full(len(layers), np.nan, dtype=np.float64)
        self.latest_step = 0

    def add(self, x: float, norms: dict[str, float]) -> None:
        self.add_many([x], [norms])

    def add_many(self, xs: list[float], norms: list[dict[str, float]]) -> None:
        """Steps at ``xs`` with their gradient norms by layer, taken in together (a delivery's worth).

        As costly as a few steps however many there are: the logs, the tints' moving average and the
        columns are worked out over the whole batch at once.
        """
        if not xs:
            return
        if self.first_step is None:
            self.first_step = xs[0] - 0.5
        values = np.array([[n.get(layer, math.nan) for layer in self.layers] for n in norms], dtype=np.float64)
        with np.errstate(invalid="ignore"):
            finite = np.isfinite(values)
            logs = np.where(finite, np.log10(np.maximum(np.where(finite, values, 1.0), FLOOR)), np.nan)
        self.latest = logs[-1].copy()
        self.latest_step = xs[-1]
        self._smooth(logs)
        rows = logs
        while len(rows):
            take = rows[:self.bucket - self._pending]
            ok = np.isfinite(take)
            self._sum += np.where(ok, take, 0.0).sum(axis=0)
            self._count += ok.sum(axis=0)
            self._pending += len(take)
            rows = rows[len(take):]
            if self._pending == self.bucket:
                self.buffer[:, self.filled] = self._column()
                self.filled += 1
                self._sum[:] = 0
                self._count[:] = 0
                self._pending = 0
                if self.filled == self.columns:
                    self._halve()

    def _smooth(self, logs: np.ndarray) -> None:
        """The moving average of each layer's log norm over the finite values in ``logs`` ([steps, layers]),
        as if taken step by step: s <- a s + (1 - a) x, starting from the first value seen."""
        a = TINT_SMOOTHING
        for j in range(logs.shape[1]):
            column = logs[:, j]
            seen = column[np.isfinite(column)]
            if not seen.size:
                continue
            start = self.smoothed[j]
            if not math.isfinite(start):
                start, seen = seen[0], seen[1:]
            n = len(seen)
            weights = (1 - a) * a ** np.arange(n - 1, -1, -1, dtype=np.float64)
            self.smoothed[j] = a ** n * start + float(weights @ seen)

    def _column(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self._count > 0, self._sum / np.maximum(self._count, 1), np.nan).astype(np.float32)

    def _halve(self) -> None:
        half = self.columns // 2
        pairs = self.buffer[:, :half * 2].reshape(len(self.layers), half, 2)
        ok = np.isfinite(pairs)
        total = np.where(ok, pairs, 0.0).sum(axis=2)
        count = ok.sum(axis=2)
        merged = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        self.buffer[:, :half] = merged
        self.buffer[:, half:] = np.nan
        self.filled = half
        self.bucket *= 2

    def image(self) -> np.ndarray:
        """Complete columns and the one being built, float32 [layers, columns]."""
        if self._pending:
            return np.concatenate([self.buffer[:, :self.filled], self._column()[:, None]], axis=1)
        return self.buffer[:, :self.filled]

    def column_at(self, x: float) -> int | None:
        if self.first_step is None:
            return None
        col = int(math.floor((x - self.first_step) / self.bucket))
        return col if 0 <= col < self.image().shape[1] else None


class GradientView(QWidget):
    """``gradientPlot``: the heatmap and the bars, a hover read-out and the canvas tint switch."""

    tints_changed = Signal(object)  # dict node_id -> QColor | None: only the nodes whose tint changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientPlot")
        self.history: GradientHistory | None = None
        self._lut = lookup_table(COLOUR_MAP)
        self._levels = (-6.0, 0.0)
        self._tints: dict[str, int] = {}
        self._x_range = self._bar_range = None
        self._levels_set = False
        self._tinted_at = 0.0
        self.data_range: tuple[float, float] | None = None     # log10 of the smallest and largest norm drawn
        self.include_range: tuple[float, float] | None = None  # log10 range the colour scale must hold too
        self.frozen: list[str] = []  # layers whose rows read "frozen" (transfer learning)
        self._frozen_labels: list = []

        background, text = background_colours(self)
        self.graphics = LiveLayoutWidget()
        self.graphics.setObjectName("gradientGraphics")
        self.graphics.setBackground(background)
        self.heat_plot = self.graphics.addPlot(row=0, col=0)
        style_plot(self.heat_plot, self, bottom="step")
        self.heat_plot.setTitle("|gradient| per layer, over the run", color=text, size=f"{PLOT_FONT_PT}pt")
        self.heat = Image(axisOrder="row-major")
        self.heat.setLookupTable(self._lut)
        self.heat_plot.addItem(self.heat)
        self.heat_plot.invertY(True)
        self.heat_plot.setMouseEnabled(x=False, y=False)
        self.heat_plot.disableAutoRange()
        self.heat_plot.hideButtons()

        self.bar_plot = self.graphics.addPlot(row=0, col=1)
        style_plot(self.bar_plot, self)
        self.bar_plot.setTitle("latest step", color=text, size=f"{PLOT_FONT_PT}pt")
        self.bar_plot.getAxis("left").setStyle(showValues=False)
        self.bar_plot.setYLink(self.heat_plot)
        self.bar_plot.invertY(True)
        self.bar_plot.setMouseEnabled(x=False, y=False)
        self.bar_plot.disableAutoRange()
        self.bar_plot.hideButtons()
        self.bars = Bars(height=0.7)
        self.bar_plot.addItem(self.bars)
        self._frozen_colour = text
        self.graphics.ci.layout.setColumnStretchFactor(0, 5)
        self.graphics.ci.layout.setColumnStretchFactor(1, 2)

        self.hover = QLabel(" ", objectName="gradientHover")
        self.hover.setTextFormat(Qt.TextFormat.PlainText)
        self.tint_check = QCheckBox("Tint the canvas by gradient size", objectName="gradientTintCheck")
        self.tint_check.setToolTip("Colour each layer on the canvas by the size of its gradient at the latest step")
        self.tint_check.toggled.connect(self._on_tint_toggled)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.hover, 1)
        row.addWidget(self.tint_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics, 1)
        layout.addLayout(row)

        self._hover_proxy = pg.SignalProxy(self.graphics.scene().sigMouseMoved, rateLimit=30,
                                           slot=self._on_mouse_moved)

    # Feeding -------------------------------------------------------------------------------------

    def begin_run(self, layers: list[str], frozen: list[str] | tuple[str, ...] = ()) -> None:
        """A new run over ``layers`` (node ids with parameters, in graph order); the ``frozen`` ones get
        no gradient, and their rows say so instead of showing an empty bar."""
        self.history = GradientHistory(layers)
        self.frozen = [n for n in layers if n in set(frozen)]
        ticks = [[(i + 0.5, f"{name} (frozen)" if name in self.frozen else name) for i, name in enumerate(layers)]]
        self.heat_plot.getAxis("left").setTicks(ticks)
        for label in self._frozen_labels:
            self.bar_plot.removeItem(label)
        self._frozen_labels = []
        for name in self.frozen:
            label = pg.TextItem("frozen: no updates", color=self._frozen_colour, anchor=(0, 0.5))
            label.setPos(0.0, layers.index(name) + 0.5)
            self.bar_plot.addItem(label)
            self._frozen_labels.append(label)
        self.heat.clear()
        self.bars.setOpts(x0=[], y=[], width=[], brushes=[])
        self.heat_plot.setYRange(0, max(1, len(layers)), padding=0)
        self._x_range = self._bar_range = None
        self._levels_set = False
        self.hover.setText(" ")
        self._clear_tints()

    def add_steps(self, steps: list[StepSnapshot], offset: int = 0) -> None:
        if self.history is None:
            return
        self.history.add_many([s.step + offset for s in steps], [s.grad_norms for s in steps])

    def redraw(self) -> None:
        history = self.history
        if history is None or history.first_step is None:
            return
        image = history.image()
        finite = image[np.isfinite(image)]
        latest = history.latest[np.isfinite(history.latest)]
        if finite.size or latest.size:
            both = np.concatenate([finite.astype(np.float64), latest])
            lo, hi = float(both.min()), float(both.max())
            self.data_range = (lo, hi)
            if self.include_range is not None:  # one colour scale with another view (a comparison's A and B)
                lo, hi = min(lo, self.include_range[0]), max(hi, self.include_range[1])
            if hi - lo < 1.0:
                mid = (hi + lo) / 2
                lo, hi = mid - 0.5, mid + 0.5
            # Levels (and with them the bars' axis) move only when the data leave them or fill half.
            sticky = sticky_range(self._levels if self._levels_set else None, lo, hi, pad=0.0, shrink=0.5)
            if sticky is not None:
                self._levels = (math.floor(sticky[0] * 2) / 2, math.ceil(sticky[1] * 2) / 2)
                self._levels_set = True
        self.heat.setImage(image, levels=self._levels, autoLevels=False)
        self.heat.setRect(QRectF(history.first_step, 0, image.shape[1] * history.bucket, len(history.layers)))
        # The step axis grows ahead of the data, so it moves (and its labels are redrawn) rarely.
        last = history.first_step + image.shape[1] * history.bucket
        if self._x_range is None or last > self._x_range[1]:
            x_range = (history.first_step, history.first_step + nice_ceiling(max((last - history.first_step) * 1.15,
                                                                                  10.0)))
            self._x_range = x_range
            self.heat_plot.setXRange(*x_range, padding=0)
        floor = self._levels[0] - 0.25
        values = np.where(np.isfinite(history.latest), history.latest, floor)
        self.bars.setOpts(x0=np.full(len(values), floor), y=np.arange(len(values)) + 0.5,
                          width=np.maximum(values - floor, 0.0), brushes=[self._colour(v) for v in values])
        bar_range = (floor, self._levels[1] + 0.25)
        if bar_range != self._bar_range:
            self._bar_range = bar_range
            self.bar_plot.setXRange(*bar_range, padding=0)
            for label in self._frozen_labels:
                label.setX(floor)
            self.bar_plot.getAxis("bottom").setTicks([decade_ticks(*bar_range)])
        if self.tint_check.isChecked() and time.monotonic() - self._tinted_at >= TINT_INTERVAL:
            self._update_tints()

    def show_bars(self, norms: dict[str, float] | None) -> None:
        """The bars of one past step's ``norms`` (the history slider); the heatmap stays as it is."""
        history = self.history
        if history is None or not norms:
            return
        values = np.array([norms.get(layer, math.nan) for layer in history.layers], dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            logs = np.where(np.isfinite(values), np.log10(np.maximum(np.nan_to_num(values), FLOOR)), np.nan)
        floor = self._levels[0] - 0.25
        logs = np.where(np.isfinite(logs), logs, floor)
        self.bars.setOpts(x0=np.full(len(logs), floor), y=np.arange(len(logs)) + 0.5,
                          width=np.maximum(logs - floor, 0.0), brushes=[self._colour(v) for v in logs])

    def clear(self) -> None:
        self.history = None
        for label in self._frozen_labels:
            self.bar_plot.removeItem(label)
        self._frozen_labels, self.frozen = [], []
        self.heat.clear()
        self.bars.setOpts(x0=[], y=[], width=[], brushes=[])
        self.heat_plot.getAxis("left").setTicks([[]])
        self.hover.setText(" ")
        self._clear_tints()

    # Colours and tints ---------------------------------------------------------------------------

    def _fraction(self, value: float) -> float:
        lo, hi = self._levels
        return min(1.0, max(0.0, (value - lo) / (hi - lo))) if math.isfinite(value) else 0.0

    def _colour(self, value: float, alpha: int = 255) -> QColor:
        r, g, b = self._lut[int(round(self._fraction(value) * (len(self._lut) - 1)))]
        return QColor(int(r), int(g), int(b), alpha)

    def _update_tints(self) -> None:
        history = self.history
        self._tinted_at = time.monotonic()
        changed = {}
        for layer, value in zip(history.layers, history.smoothed):
            level = int(round(self._fraction(value) * (TINT_LEVELS - 1))) if math.isfinite(value) else -1
            if self._tints.get(layer) != level:
                self._tints[layer] = level
                changed[layer] = None if level < 0 else self._colour(
                    self._levels[0] + level / (TINT_LEVELS - 1) * (self._levels[1] - self._levels[0]), 170)
        if changed:
            self.tints_changed.emit(changed)

    def _clear_tints(self) -> None:
        if self._tints:
            cleared = dict.fromkeys(self._tints)
            self._tints = {}
            self.tints_changed.emit(cleared)

    def _on_tint_toggled(self, on: bool) -> None:
        if on and self.history is not None and self.history.first_step is not None:
            self._update_tints()
        elif not on:
            self._clear_tints()

    # Hover ---------------------------------------------------------------------------------------

    def describe(self, scene_pos: QPointF) -> str:
        """What lies under ``scene_pos``: the layer and its gradient size there (empty if nothing)."""
        history = self.history
        if history is None or history.first_step is None:
            return ""
        for plot in (self.heat_plot, self.bar_plot):
            if not plot.sceneBoundingRect().contains(scene_pos):
                continue
            point = plot.getViewBox().mapSceneToView(scene_pos)
            row = int(math.floor(point.y()))
            if not 0 <= row < len(history.layers):
                return ""
            layer = history.layers[row]
            if plot is self.bar_plot:
                value, where = history.latest[row], f"step {int(history.latest_step)}"
            else:
                col = history.column_at(point.x())
                if col is None:
                    return ""
                value = history.image()[row, col]
                start = history.first_step + 0.5 + col * history.bucket
                where = (f"step {int(start)}" if history.bucket == 1
                         else f"steps {int(start)}–{int(start + history.bucket - 1)}")
            if not math.isfinite(value):
                return f"{layer} · {where} · no gradient"
            return f"{layer} · {where} · |gradient| = {10 ** float(value):.3g}"
        return ""

    def _on_mouse_moved(self, event) -> None:
        self.hover.setText(self.describe(event[0]) or " ")
