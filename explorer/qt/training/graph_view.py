"""A graph network at work: the dataset's graph, each node coloured by the class the network predicts.

The edges are one PlotDataItem (``connect="pairs"``), set when the graph changes; the nodes are one
ScatterPlotItem, a brush per predicted class, the labelled nodes (the few the loss sees) ringed;
a second scatter marks the wrong predictions with a cross. The caption gives the accuracy on the
unlabelled nodes, the number that says whether messages along the edges carried the labels.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from explorer.training.snapshots import GraphSnapshot

from .plotting import CLASS_COLOURS, background_colours, plot_widget, style_plot

NODE_SIZE = 14
LABELLED_SIZE = 18
WRONG = QColor("#d93025")


class GraphView(QWidget):
    """``graphView``: ``graphPlot`` with the edges, the nodes and the wrong-prediction marks; ``graphCaption``."""

    frame_drawn = Signal(int)  # the graph was coloured, for this training step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphView")
        self.updates = 0
        self._class_names: list[str] | None = None
        self._graph_key: tuple | None = None
        self._legend_classes: tuple = ()

        background, text = background_colours(self)
        self.widget = plot_widget("graphPlot", self)
        self.plot = self.widget.getPlotItem()
        style_plot(self.plot, self)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setAspectLocked(True)
        self.plot.hideButtons()
        self.plot.disableAutoRange()
        edge_colour = QColor(text)
        edge_colour.setAlpha(90)
        self.edges = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(edge_colour, width=1))
        self.edges.setZValue(-1)
        self.plot.addItem(self.edges)
        self.nodes = pg.ScatterPlotItem(size=NODE_SIZE)
        self.plot.addItem(self.nodes)
        self.wrong = pg.ScatterPlotItem(size=NODE_SIZE + 4, symbol="x", pen=pg.mkPen(background, width=1),
                                        brush=pg.mkBrush(WRONG))
        self.wrong.setZValue(1)
        self.plot.addItem(self.wrong)
        self.legend = self.plot.addLegend(offset=(4, 4), labelTextSize="9pt", colCount=2)
        self.legend.setLabelTextColor(text)

        self._brushes = [pg.mkBrush(colour) for colour in CLASS_COLOURS]
        self._plain_pen = pg.mkPen(background, width=1)
        self._ring_pen = pg.mkPen(text, width=3)
        self.caption = QLabel(" ", objectName="graphCaption")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.widget, 1)
        layout.addWidget(self.caption)
        self.clear()

    def set_class_names(self, names: list[str] | None) -> None:
        """The dataset's class names, for the legend (None: numbered)."""
        self._class_names = list(names) if names else None
        self._legend_classes = ()

    # Drawing -------------------------------------------------------------------------------------

    def show_snapshot(self, snap: GraphSnapshot) -> None:
        positions = np.asarray(snap.positions, dtype=np.float64)
        edges = np.asarray(snap.edges, dtype=np.int64).reshape(-1, 2)
        self._show_graph(positions, edges)
        predictions = np.asarray(snap.predictions, dtype=np.int64)
        labels = np.asarray(snap.labels, dtype=np.int64)
        train = np.asarray(snap.train_mask, dtype=bool)
        brushes = [self._brushes[int(c) % len(self._brushes)] for c in predictions]
        pens = [self._ring_pen if t else self._plain_pen for t in train]
        sizes = np.where(train, LABELLED_SIZE, NODE_SIZE)
        self.nodes.setData(x=positions[:, 0], y=positions[:, 1], brush=brushes, pen=pens, size=sizes,
                           data=np.arange(len(positions)))
        wrong = predictions != labels
        self.wrong.setData(x=positions[wrong, 0], y=positions[wrong, 1])
        self._update_legend(np.unique(np.concatenate([labels, predictions])))
        self._update_caption(snap, wrong, train)
        self.updates += 1
        self.frame_drawn.emit(snap.step)

    def _show_graph(self, positions: np.ndarray, edges: np.ndarray) -> None:
        key = (positions.shape, edges.shape, positions.tobytes(), edges.tobytes())
        if key == self._graph_key:
            return
        self._graph_key = key
        ends = positions[edges.reshape(-1)] if len(edges) else np.empty((0, 2))
        self.edges.setData(ends[:, 0], ends[:, 1])
        lo, hi = positions.min(axis=0), positions.max(axis=0)
        pad = 0.08 * float(max(hi - lo)) + 1e-6
        room = 0.22 * float(hi[1] - lo[1])  # above the graph, for the legend's two rows
        self.plot.setRange(xRange=(lo[0] - pad, hi[0] + pad), yRange=(lo[1] - pad, hi[1] + pad + room), padding=0)

    def _update_legend(self, classes: np.ndarray) -> None:
        key = tuple(int(c) for c in classes)
        if key == self._legend_classes:
            return
        self._legend_classes = key
        self.legend.clear()
        for c in key:
            name = self._class_names[c] if self._class_names and 0 <= c < len(self._class_names) else f"class {c}"
            self.legend.addItem(pg.ScatterPlotItem(size=10, pen=None, brush=self._brushes[c % len(self._brushes)]),
                                f"predicted {name}")
        self.legend.addItem(pg.ScatterPlotItem(size=12, pen=self._ring_pen, brush=pg.mkBrush(0, 0, 0, 0)),
                            "labelled (trained on)")
        self.legend.addItem(pg.ScatterPlotItem(size=14, symbol="x", pen=None, brush=pg.mkBrush(WRONG)),
                            "wrong prediction")

    def _update_caption(self, snap: GraphSnapshot, wrong: np.ndarray, train: np.ndarray) -> None:
        unlabelled = int((~train).sum())
        if snap.val_acc is not None:
            accuracy = snap.val_acc
        else:
            accuracy = float((~wrong[~train]).mean()) if unlabelled else float("nan")
        text = (f"Accuracy on the {unlabelled} unlabelled nodes: {100 * accuracy:.1f} % · "
                f"{int(train.sum())} labelled nodes (ringed) · {int(wrong.sum())} wrong (×)")
        if self.caption.text() != text:  # a new text relays the view out: only when the numbers change
            self.caption.setText(text)

    def clear(self) -> None:
        self.edges.setData([], [])
        self.nodes.setData([])
        self.wrong.setData([])
        self.legend.clear()
        self._legend_classes = ()
        self._graph_key = None
        self.caption.setText("A graph dataset's nodes show here, coloured by the predicted class.")

    @property
    def accuracy_text(self) -> str:
        return self.caption.text()
