"""Activation statistics per layer: mean, spread, saturated and dead units, weight norm.

A table in graph order, updated in place at the trainer's low rate. Saturation (sigmoid, tanh)
and dead units (ReLU) shade their cells, so a layer going bad stands out from across the room.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from explorer.qt.steady_label import SteadyLabel
from explorer.training.snapshots import ActivationSnapshot

COLUMNS = ("Layer", "Mean", "Std", "Saturated", "Dead", "|W|")
HEADERS = ("layer", "mean", "std", "satur.", "dead", "|W|")
WARN = QColor(217, 48, 37)


class ActivationView(QWidget):
    """``activationView``: one row per layer with statistics, in graph order."""

    frame_drawn = Signal(int)  # the table was filled, for this training step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activationView")
        self._order: list[str] = []
        self._rows: dict[str, int] = {}
        self.table = QTableWidget(0, len(COLUMNS), objectName="activationTable")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        headers = {
            "Mean": "mean activation over the probe batch",
            "Std": "spread (standard deviation) of the activations",
            "Saturated": "sigmoid/tanh units stuck near their limits, where the gradient vanishes",
            "Dead": "ReLU units that output zero for every sample: they no longer learn",
            "|W|": "L2 norm of the layer's weights",
        }
        for i, name in enumerate(COLUMNS):
            if name in headers:
                self.table.horizontalHeaderItem(i).setToolTip(headers[name])
        self.note = SteadyLabel("Statistics appear a few steps into training.",
                                "At step 00000000. Shaded: many saturated or dead units.", objectName="activationNote")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        self.updates = 0

    def set_order(self, order: list[str]) -> None:
        """Node ids in graph order; layers not in a snapshot are left out."""
        self._order = list(order)

    def show_snapshot(self, snap: ActivationSnapshot) -> None:
        nodes = [n for n in self._order if n in snap.stats or n in snap.weight_norms]
        nodes += [n for n in list(snap.stats) + list(snap.weight_norms) if n not in nodes]
        if list(self._rows) != nodes:
            self._build_rows(nodes)
        for node, row in self._rows.items():
            stats = snap.stats.get(node, {})
            self._set(row, 1, _num(stats.get("mean")))
            self._set(row, 2, _num(stats.get("std")))
            self._set(row, 3, _percent(stats.get("saturated")), stats.get("saturated"))
            self._set(row, 4, _percent(stats.get("dead")), stats.get("dead"))
            self._set(row, 5, _num(snap.weight_norms.get(node)))
        self.note.setText(f"At step {snap.step}. Shaded: many saturated or dead units.")
        self.updates += 1
        self.frame_drawn.emit(snap.step)

    def clear(self) -> None:
        self._build_rows([])
        self.note.setText("Statistics appear a few steps into training.")

    def _build_rows(self, nodes: list[str]) -> None:
        self.table.setRowCount(len(nodes))
        self._rows = {n: i for i, n in enumerate(nodes)}
        for node, row in self._rows.items():
            item = QTableWidgetItem(node)
            self.table.setItem(row, 0, item)
            for col in range(1, len(COLUMNS)):
                cell = QTableWidgetItem("")
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, cell)

    def _set(self, row: int, col: int, text: str, fraction: float | None = None) -> None:
        item = self.table.item(row, col)
        if item.text() != text:
            item.setText(text)
        if fraction is not None and math.isfinite(fraction):
            shade = QColor(WARN)
            shade.setAlpha(int(200 * min(1.0, max(0.0, fraction))))
            item.setBackground(QBrush(shade))
        else:
            item.setBackground(QBrush())

    def text(self, node: str, column: str) -> str:
        """The cell of ``node`` under ``column`` (for tests)."""
        return self.table.item(self._rows[node], COLUMNS.index(column)).text()


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    if not math.isfinite(value):
        return str(value)
    return f"{value:.3g}"


def _percent(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.0f}%" if math.isfinite(value) else str(value)
