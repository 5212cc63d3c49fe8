"""Loss and accuracy over the run: raw and smoothed training loss, validation per epoch, earlier runs faded.

Objectives with more than one loss (a GAN's generator and discriminator) report them by name in
``StepSnapshot.losses`` and ``ValidationSnapshot.val_losses``: each name gets its own raw and
smoothed curves and validation points, in its own colour, named in the legend; the single
``loss`` curves step aside while named ones show.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from explorer.training.r_squared import r_squared
from explorer.training.snapshots import StepSnapshot, ValidationSnapshot

from .best_mark import BestValidationMark
from .marks import Dots, Line
from .plotting import (ACCURACY, FADED, LOSS, SMOOTH, VALIDATION, Extent, GrowingSeries, Smoother, background_colours, blend,
                       cache_drawing, nice_ceiling, pen,
                       plot_widget, sticky_range, style_plot)

MAX_EARLIER_RUNS = 4
MAX_SYMBOLS = 300  # validation points beyond this are drawn as a line: symbols cost a paint each
# Colours of named losses: the GAN's two, then more for other objectives.
NAMED_COLOURS = {"generator": QColor("#1a73e8"), "discriminator": QColor("#a142f4")}
MORE_COLOURS = [QColor("#188038"), QColor("#e8710a"), QColor("#12b5cb"), QColor("#e52592")]


class _Curve:
    """A growing series drawn by one item made once: a :class:`~.marks.Line` for the per-step curves,
    :class:`~.marks.Dots` for validation points (``symbol``)."""

    def __init__(self, plot: pg.PlotItem, colour: QColor, *, symbol: str | None = None, name: str | None = None,
                 symbol_size: int = 7):
        self.series = GrowingSeries()
        self.symbol = symbol
        if symbol:
            self.item = Dots(colour, symbol=symbol, size=symbol_size, name=name)
            plot.addItem(self.item)
        else:
            self.item = Line(colour, name=name)
            plot.addItem(self.item)
        if name and plot.legend is not None:  # PlotItem lists only its own data items by itself
            plot.legend.addItem(self.item, name)
            cache_drawing(plot.legend)
        self.dirty = False

    def extend(self, x, y) -> None:
        self.series.extend(x, y)
        self.dirty = True

    def redraw(self) -> None:
        if self.dirty:
            if self.symbol and len(self.series) > MAX_SYMBOLS and self.item.opts["symbol"] is not None:
                self.item.setSymbol(None)  # validation at every step (a graph's one-batch epochs): a line
            self.item.setData(self.series.x, self.series.y)
            self.dirty = False

    def clear(self) -> None:
        self.series.clear()
        if self.symbol and self.item.opts["symbol"] is None:
            self.item.setSymbol(self.symbol)
        self.item.setData([], [])
        self.dirty = False


class _NamedLoss:
    """One named loss: its raw curve (pale), its smoothed curve and its validation points."""

    def __init__(self, plot: pg.PlotItem, name: str, colour: QColor, background: QColor, weight: float) -> None:
        self.name = name
        self.raw = _Curve(plot, blend(colour, background, 0.35))
        self.smoothed = _Curve(plot, colour, name=f"{name} (smoothed)")
        # Small points: a GAN's epochs are short, so its validations come every few steps.
        self.val = _Curve(plot, colour, symbol="o", name=f"{name} (validation)", symbol_size=4)
        self.smoother = Smoother(weight)

    @property
    def curves(self) -> tuple[_Curve, _Curve, _Curve]:
        return self.raw, self.smoothed, self.val

    def remove(self, plot: pg.PlotItem, legend: pg.LegendItem) -> None:
        for curve in self.curves:
            legend.removeItem(curve.item)
            plot.removeItem(curve.item)


class LossView(QWidget):
    """``lossPlot`` (a pyqtgraph PlotWidget) and ``accuracyPlot`` beside it, with their controls.

    The panel calls :meth:`add_steps` / :meth:`add_validations` with x already offset for runs
    that continue earlier weights, then :meth:`redraw` once per batch.
    """

    smoothing_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lossView")
        self._smoother = Smoother(0.6)
        self._acc_smoother = Smoother(0.6)
        self._raw_acc = GrowingSeries()  # unsmoothed accuracy, kept to re-smooth
        self._earlier: list[pg.PlotDataItem] = []
        self._has_accuracy = False
        self._x_range = (0.0, 0.0)
        self._y_range: tuple[float, float] | None = None
        self._steps = 0  # steps received this run (the curves hold fewer once they halve)
        self._extent = Extent()          # of every loss this run, raw and validation: the y range
        self._earlier_extent = Extent()  # of the faded earlier runs

        self.smoothing = QSlider(Qt.Orientation.Horizontal, objectName="smoothingSlider")
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(60)
        self.smoothing.setToolTip("Exponential moving average of the training loss, as in TensorBoard: "
                                  "0 shows every step, 0.99 is very smooth")
        self.smoothing_label = QLabel("0.60")
        self.smoothing_label.setMinimumWidth(self.smoothing_label.fontMetrics().horizontalAdvance("0.00 "))
        self.log_scale = QCheckBox("Log scale", objectName="logScaleCheck")
        self.log_scale.setToolTip("Show the loss on a logarithmic axis")
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(QLabel("Smoothing"))
        controls.addWidget(self.smoothing, 1)
        controls.addWidget(self.smoothing_label)
        controls.addSpacing(12)
        controls.addWidget(self.log_scale)

        self.loss_widget = plot_widget("lossPlot", self)
        self.loss_plot = self.loss_widget.getPlotItem()
        style_plot(self.loss_plot, self, left="loss", bottom="step")
        self._fix_ranges(self.loss_plot)
        self.legend = self.loss_plot.addLegend(offset=(-10, 10), labelTextSize=f"{10}pt")
        self.legend.setLabelTextColor(self.palette().text().color())
        self.raw = _Curve(self.loss_plot, blend(LOSS, background_colours(self)[0], 0.4))  # opaque: cheaper
        self.smoothed = _Curve(self.loss_plot, SMOOTH, name="training (smoothed)")
        self.val_loss = _Curve(self.loss_plot, VALIDATION, symbol="o", name="validation")
        self.named: dict[str, _NamedLoss] = {}  # the losses of objectives with several, by name
        # where early stopping would have stopped
        self.best_mark = BestValidationMark(self.loss_plot, background_colours(self)[0])

        self.acc_widget = plot_widget("accuracyPlot", self)
        self.acc_plot = self.acc_widget.getPlotItem()
        style_plot(self.acc_plot, self, left="accuracy", bottom="step")
        self._fix_ranges(self.acc_plot)
        self.acc_plot.setYRange(0.0, 1.0, padding=0.02)
        self.train_acc = _Curve(self.acc_plot, ACCURACY)
        self.val_acc = _Curve(self.acc_plot, VALIDATION, symbol="o")
        self.val_r2 = _Curve(self.acc_plot, VALIDATION, symbol="o")  # a regression's, instead of accuracy
        self._r2_baseline: float | None = None
        self._r2_low = 0.0
        self.acc_plot.setXLink(self.loss_plot)

        plots = QVBoxLayout()
        plots.setContentsMargins(0, 0, 0, 0)
        plots.setSpacing(2)
        plots.addWidget(self.loss_widget, 3)
        plots.addWidget(self.acc_widget, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addLayout(plots, 1)

        self._has_accuracy = True
        self._set_has_accuracy(False)  # shown once a run reports accuracy (regression and autoencoders do not)
        self.smoothing.valueChanged.connect(self._on_smoothing_changed)
        self.log_scale.toggled.connect(self._on_log_scale_changed)

    # Feeding -------------------------------------------------------------------------------------

    def add_steps(self, steps: list[StepSnapshot], offset: int = 0) -> None:
        if not steps:
            return
        x = np.fromiter((s.step + offset for s in steps), dtype=np.float64, count=len(steps))
        loss = np.fromiter((s.loss for s in steps), dtype=np.float64, count=len(steps))
        self._steps += len(steps)
        self.raw.extend(x, loss)
        self._extent.add(loss)
        self.smoothed.extend(x, self._smoother.extend(loss))
        names = {name for s in steps if s.losses for name in s.losses}
        for name in sorted(names, key=lambda n: (list(NAMED_COLOURS).index(n) if n in NAMED_COLOURS else 99, n)):
            named = self._named_loss(name)
            values = np.fromiter((s.losses.get(name, np.nan) if s.losses else np.nan for s in steps),
                                 dtype=np.float64, count=len(steps))
            named.raw.extend(x, values)
            self._extent.add(values)
            named.smoothed.extend(x, named.smoother.extend(values))
        acc = [s.acc for s in steps if s.acc is not None]
        if len(acc) == len(steps):
            self._set_has_accuracy(True)
            self._raw_acc.extend(x, acc)
            self.train_acc.extend(x, self._acc_smoother.extend(acc))

    def add_validations(self, validations: list[ValidationSnapshot], offset: int = 0) -> None:
        for v in validations:
            self.val_loss.extend([v.step + offset], [v.val_loss])
            if not v.val_losses:  # a single loss: a GAN's lowest validation loss means nothing
                self.best_mark.add(v.step + offset, v.val_loss, v.epoch)
            self._extent.add([v.val_loss, *(v.val_losses or {}).values()])
            for name, value in (v.val_losses or {}).items():
                self._named_loss(name).val.extend([v.step + offset], [value])
            if v.val_acc is not None:
                self._set_has_accuracy(True)
                self.val_acc.extend([v.step + offset], [v.val_acc])
            elif self._r2_baseline is not None and not v.val_losses:
                self._set_has_accuracy(True)
                self.val_r2.extend([v.step + offset], [r_squared(v.val_loss, self._r2_baseline)])

    def redraw(self) -> None:
        for curve in (self.raw, self.smoothed, self.val_loss, self.train_acc, self.val_acc, self.val_r2,
                      *self._named_curves()):
            curve.redraw()
        self._update_ranges()
        self._update_r2_range()

    # The lower plot: accuracy, a regression's R², or nothing ------------------------------------

    def set_lower_plot(self, accuracy: bool, r2_baseline: float | None = None) -> None:
        """What the lower plot shows this run: accuracy, the validation R² of a regression (``r2_baseline``:
        the mean squared error of answering the targets' mean, see :mod:`explorer.training.r_squared`), or,
        neither expected, nothing: a regression's run no longer shows an empty accuracy plot. Accuracy
        arriving unexpected still shows it."""
        self._r2_baseline = None if accuracy else r2_baseline
        self.acc_plot.setLabel("left", "R² (val)" if self._r2_baseline is not None else "accuracy",
                               **{"font-size": "10pt"})
        self._set_has_accuracy(accuracy or self._r2_baseline is not None or len(self.val_acc.series) > 0)

    def _update_r2_range(self) -> None:
        """R² runs from 1 down to minus anything: the range follows it down to -1, below which it is off the plot."""
        if self._r2_baseline is None or not len(self.val_r2.series):
            return
        low = max(-1.0, min(0.0, float(np.min(self.val_r2.series.y))))
        if low != self._r2_low:
            self._r2_low = low
            self.acc_plot.setYRange(low, 1.0, padding=0.02)

    def _named_loss(self, name: str) -> _NamedLoss:
        """The curves of loss ``name``, made on first sight; the single-loss curves step aside."""
        named = self.named.get(name)
        if named is None:
            if not self.named:
                self._show_single_loss(False)
            colour = NAMED_COLOURS.get(name) or MORE_COLOURS[len(self.named) % len(MORE_COLOURS)]
            named = _NamedLoss(self.loss_plot, name, colour, background_colours(self)[0],
                               self.smoothing.value() / 100.0)
            self.named[name] = named
        return named

    def _named_curves(self) -> list[_Curve]:
        return [curve for named in self.named.values() for curve in named.curves]

    def _show_single_loss(self, show: bool) -> None:
        """The plain training and validation curves (and their legend entries), or not."""
        for curve, name in ((self.raw, None), (self.smoothed, "training (smoothed)"), (self.val_loss, "validation")):
            curve.item.setVisible(show)
            if name is not None:
                if show:
                    self.legend.addItem(curve.item, name)
                    cache_drawing(self.legend)
                else:
                    self.legend.removeItem(curve.item)

    # Ranges: set by hand, changed rarely (axes are the costly part of a repaint) -----------------

    @staticmethod
    def _fix_ranges(plot: pg.PlotItem) -> None:
        plot.disableAutoRange()
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()

    def _update_ranges(self, force: bool = False) -> None:
        xs = [self.raw.series.x] + [item.xData for item in self._earlier if item.xData is not None]
        x_max = max((float(x[-1]) for x in xs if len(x)), default=0.0)
        if force or x_max > self._x_range[1]:
            self._x_range = (0.0, nice_ceiling(max(x_max * 1.15, 10.0)))
            self.loss_plot.setXRange(*self._x_range, padding=0)
        log = self.log_scale.isChecked()
        extents = [bounds for bounds in (self._extent.bounds(log), self._earlier_extent.bounds(log)) if bounds]
        if not extents:
            return
        lo, hi = min(b[0] for b in extents), max(b[1] for b in extents)
        new = sticky_range(None if force else self._y_range, lo, hi)
        if new is not None:
            self._y_range = new
            self.loss_plot.setYRange(*new, padding=0)

    def begin_run(self) -> None:
        """A fresh run: the current curves, if any, stay visible faded, for comparison."""
        if len(self.smoothed.series):
            faded = pg.PlotDataItem(pen=pen(FADED))
            faded.setZValue(-10)
            self.loss_plot.addItem(faded)  # before setting data: clipping needs the item's ViewBox
            faded.setClipToView(True)
            faded.setDownsampling(auto=True, method="peak")
            faded.setData(self.smoothed.series.x.copy(), self.smoothed.series.y.copy())
            self._earlier.append(faded)
            while len(self._earlier) > MAX_EARLIER_RUNS:
                self.loss_plot.removeItem(self._earlier.pop(0))
            self._earlier_extent.reset()
            for item in self._earlier:
                self._earlier_extent.add(item.yData)
        self._clear_current()

    def clear(self) -> None:
        """Forget everything, earlier runs too (another document)."""
        for item in self._earlier:
            self.loss_plot.removeItem(item)
        self._earlier.clear()
        self._earlier_extent.reset()
        self._clear_current()
        self._r2_baseline = None
        self._set_has_accuracy(False)

    def _clear_current(self) -> None:
        self.best_mark.clear()
        for curve in (self.raw, self.smoothed, self.val_loss, self.train_acc, self.val_acc, self.val_r2):
            curve.clear()
        if self._r2_low != 0.0:
            self._r2_low = 0.0
            self.acc_plot.setYRange(0.0, 1.0, padding=0.02)
        if self.named:
            for named in self.named.values():
                named.remove(self.loss_plot, self.legend)
            self.named.clear()
            self._show_single_loss(True)
        self._raw_acc.clear()
        self._steps = 0
        self._extent.reset()
        self._smoother.reset()
        self._acc_smoother.reset()
        self._x_range, self._y_range = (0.0, 0.0), None

    # For tests and the status line ---------------------------------------------------------------

    @property
    def step_count(self) -> int:
        """Steps received this run (the curves hold at most ``GrowingSeries.MAX_POINTS`` points)."""
        return self._steps

    @property
    def earlier_runs(self) -> int:
        return len(self._earlier)

    # Controls ------------------------------------------------------------------------------------

    def _set_has_accuracy(self, has: bool) -> None:
        if has != self._has_accuracy:
            self._has_accuracy = has
            self.acc_widget.setVisible(has)

    def _on_smoothing_changed(self, value: int) -> None:
        weight = value / 100.0
        self.smoothing_label.setText(f"{weight:.2f}")
        # Recompute the smoothed curves over the whole run with the new weight.
        pairs = [(self._smoother, self.raw.series, self.smoothed), (self._acc_smoother, self._raw_acc, self.train_acc)]
        pairs += [(named.smoother, named.raw.series, named.smoothed) for named in self.named.values()]
        for smoother, raw, out in pairs:
            smoother.weight = weight
            smoother.reset()
            x, smoothed = raw.x.copy(), smoother.extend(raw.y)
            out.series.clear()
            out.extend(x, smoothed)
            out.redraw()  # dirty after extend, so drawn
        self.smoothing_changed.emit(weight)

    def _on_log_scale_changed(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self._update_ranges(force=True)
