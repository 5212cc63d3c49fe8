"""A comparison's curves: the loss and accuracy of runs A and B overlaid, each run in its own colour.

Per run: the smoothed training loss (a line) and the validation loss after each epoch (dots), and
below them the smoothed training accuracy and validation accuracy, drawn with the same lean items as
the training panel's loss view (:mod:`.marks`), in series that grow in place (STYLE 9).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from explorer.training.snapshots import StepSnapshot, ValidationSnapshot

from .marks import Dots, Line
from .plotting import Extent, GrowingSeries, Smoother, plot_widget, sticky_range, style_plot

# Run A in the panel's blue, B in its orange: they read apart on light and dark themes and on a projector.
RUN_COLOURS = {"A": QColor("#1a73e8"), "B": QColor("#e8710a")}


class _RunCurves:
    """One run's four series and the items that draw them."""

    def __init__(self, name: str, loss_plot: pg.PlotItem, acc_plot: pg.PlotItem, legend: pg.LegendItem) -> None:
        colour = RUN_COLOURS[name]
        self.loss_smoother, self.acc_smoother = Smoother(0.6), Smoother(0.6)
        self.series = {key: GrowingSeries() for key in ("loss", "val_loss", "acc", "val_acc")}
        self.items = {"loss": Line(colour, name=f"{name}: training (smoothed)"),
                      "val_loss": Dots(colour, symbol="o", name=f"{name}: validation"),
                      "acc": Line(colour), "val_acc": Dots(colour, symbol="o")}
        for key, item in self.items.items():
            (loss_plot if key in ("loss", "val_loss") else acc_plot).addItem(item)
        legend.addItem(self.items["loss"], self.items["loss"].name())
        legend.addItem(self.items["val_loss"], self.items["val_loss"].name())
        self.dirty: set[str] = set()
        self.last_val: ValidationSnapshot | None = None

    def add_steps(self, steps: list[StepSnapshot]) -> list[float]:
        x = [s.step for s in steps]
        losses = [s.loss for s in steps]
        self.series["loss"].extend(x, self.loss_smoother.extend(losses))
        self.dirty.add("loss")
        if all(s.acc is not None for s in steps):
            self.series["acc"].extend(x, self.acc_smoother.extend([s.acc for s in steps]))
            self.dirty.add("acc")
        return losses

    def add_validations(self, validations: list[ValidationSnapshot]) -> list[float]:
        for v in validations:
            self.series["val_loss"].extend([v.step], [v.val_loss])
            self.dirty.add("val_loss")
            if v.val_acc is not None:
                self.series["val_acc"].extend([v.step], [v.val_acc])
                self.dirty.add("val_acc")
            self.last_val = v
        return [v.val_loss for v in validations]

    def redraw(self) -> None:
        for key in self.dirty:
            series = self.series[key]
            self.items[key].setData(series.x, series.y)
        self.dirty.clear()


class ComparisonCurves(QWidget):
    """``comparisonLossPlot`` over ``comparisonAccuracyPlot``: both runs' curves, A in blue and B in orange."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparisonCurves")
        self.loss_widget = plot_widget("comparisonLossPlot", self)
        self.loss_plot = self.loss_widget.getPlotItem()
        style_plot(self.loss_plot, self, left="loss", bottom="step")
        self.legend = self.loss_plot.addLegend(offset=(-10, 10), labelTextSize="10pt")
        self.legend.setLabelTextColor(self.palette().text().color())
        self.acc_widget = plot_widget("comparisonAccuracyPlot", self)
        self.acc_plot = self.acc_widget.getPlotItem()
        style_plot(self.acc_plot, self, left="accuracy", bottom="step")
        self.acc_plot.setXLink(self.loss_plot)
        for plot in (self.loss_plot, self.acc_plot):
            plot.disableAutoRange()
            plot.hideButtons()
        self.acc_plot.setYRange(0.0, 1.0, padding=0.02)
        self.runs = {name: _RunCurves(name, self.loss_plot, self.acc_plot, self.legend) for name in RUN_COLOURS}
        self._extent = Extent()
        self._y_range: tuple[float, float] | None = None
        self._last_step = 0
        self._x_end = 0.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.loss_widget, 3)
        layout.addWidget(self.acc_widget, 2)

    def add(self, run: str, steps: list[StepSnapshot], validations: list[ValidationSnapshot]) -> None:
        """Take in one run's new steps and validations (drawn at the next :meth:`redraw`)."""
        curves = self.runs[run]
        if steps:
            self._extent.add(curves.add_steps(steps))
            self._last_step = max(self._last_step, steps[-1].step)
        if validations:
            self._extent.add(curves.add_validations(validations))

    def redraw(self) -> None:
        for curves in self.runs.values():
            curves.redraw()
        # Ranges grow ahead of the data and move rarely: axis labels are a plot's costly part to repaint.
        if self._last_step > self._x_end:
            self._x_end = max(10.0, self._last_step * 1.25)
            self.loss_plot.setXRange(0, self._x_end, padding=0)
        bounds = self._extent.bounds()
        if bounds is not None:
            wanted = sticky_range(self._y_range, min(0.0, bounds[0]), bounds[1])
            if wanted is not None:
                self._y_range = wanted
                self.loss_plot.setYRange(*wanted, padding=0)

    def points(self, run: str, key: str) -> int:
        """How many points the ``key`` curve ("loss", "val_loss", "acc", "val_acc") of ``run`` holds."""
        return self.runs[run].series[key].size

    def last_validation(self, run: str) -> ValidationSnapshot | None:
        return self.runs[run].last_val
