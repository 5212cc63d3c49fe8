"""The Dropout tab: the network in evaluation mode against the network with dropout active.

A switch chooses the mode the probe sample and the validation set are evaluated in; both accuracies
are shown either way, the chosen one first. For each Dropout layer a table gives its first values
entering it and leaving it in training and in evaluation mode, from the real module
(:func:`explorer.training.dropout_modes.compare_modes`), with the scale of the kept values measured
from them beside the ``1/(1-p)`` dropout promises. It reads the trained weights, between runs.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from explorer.training.dropout_modes import EVAL, TRAIN, ModeComparison

MODE_NAMES = {EVAL: "evaluation mode", TRAIN: "training mode (dropout active)"}
ROWS = ("in", "out, training mode", "out, eval mode")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


class DropoutView(QWidget):
    """``dropoutView``: the mode switch, both accuracies, the probe's answers and a Dropout layer's values."""

    measure_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropoutView")
        self.comparison: ModeComparison | None = None
        self.mode_switch = QCheckBox("Evaluate with dropout active (training mode)", objectName="dropoutModeSwitch")
        self.mode_switch.setToolTip("Off: evaluation mode, what validation and predictions normally use (dropout "
                                    "passes everything through). On: training mode, a fresh random mask each pass.")
        self.measure_button = QPushButton("Measure again", objectName="dropoutMeasureButton")
        self.measure_button.setToolTip("Evaluate both modes again with the trained weights (a new dropout draw)")
        self.accuracy_label = QLabel(objectName="dropoutAccuracy")
        self.accuracy_label.setWordWrap(True)
        self.probe_label = QLabel(objectName="dropoutProbe")
        self.probe_label.setWordWrap(True)
        self.layer_combo = QComboBox(objectName="dropoutLayerCombo")
        self.table = QTableWidget(len(ROWS), 0, objectName="dropoutTable")
        self.table.setVerticalHeaderLabels(list(ROWS))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.caption = QLabel(objectName="dropoutCaption")
        self.caption.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.mode_switch, 1)
        top.addWidget(self.measure_button)
        layer_row = QHBoxLayout()
        layer_row.addWidget(QLabel("Layer"))
        layer_row.addWidget(self.layer_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.accuracy_label)
        layout.addWidget(self.probe_label)
        layout.addLayout(layer_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.caption)
        self.mode_switch.toggled.connect(lambda _on: self._show())
        self.layer_combo.currentIndexChanged.connect(lambda _i: self._show_layer())
        self.measure_button.clicked.connect(self.measure_requested)
        self.clear()

    @property
    def mode(self) -> str:
        """The mode the switch chooses: ``"train"`` or ``"eval"``."""
        return TRAIN if self.mode_switch.isChecked() else EVAL

    def show_comparison(self, comparison: ModeComparison) -> None:
        """Show a measurement; the layer chosen before stays chosen."""
        self.comparison = comparison
        chosen = self.layer_combo.currentText()
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.addItems(list(comparison.readings))
        if chosen in comparison.readings:
            self.layer_combo.setCurrentText(chosen)
        self.layer_combo.blockSignals(False)
        self._show()

    def show_note(self, text: str) -> None:
        """Nothing measured (no trained weights yet, no Dropout layer): say why."""
        self.clear()
        self.accuracy_label.setText(text)

    def clear(self) -> None:
        self.comparison = None
        self.layer_combo.clear()
        self.table.setColumnCount(0)
        self.accuracy_label.setText("Train the network (or load a checkpoint): both modes are measured with "
                                    "the trained weights.")
        self.probe_label.clear()
        self.caption.clear()

    def _show(self) -> None:
        c = self.comparison
        if c is None:
            return
        mode, other = (TRAIN, EVAL) if self.mode == TRAIN else (EVAL, TRAIN)
        value = {EVAL: (c.eval_acc, c.eval_loss), TRAIN: (c.train_acc, c.train_loss)}

        def said(m: str) -> str:
            acc, loss = value[m]
            return (f"{_percent(acc)} (loss {loss:.4g})" if acc is not None else f"loss {loss:.4g}")

        self.accuracy_label.setText(f"<b>Validation in {MODE_NAMES[mode]}: {said(mode)}</b><br>"
                                    f"in {MODE_NAMES[other]}: {said(other)}")
        answers = [(m, c.probe.get(m)) for m in (mode, other)]
        if all(a is not None for _m, a in answers):
            parts = [f"{'<b>' if m == mode else ''}{MODE_NAMES[m].split(' (')[0]}: class {k} ({100 * p:.0f} %)"
                     f"{'</b>' if m == mode else ''}" for m, (k, p) in answers]
            self.probe_label.setText(f"Probe sample {c.probe_index} predicted — " + "; ".join(parts))
        else:
            self.probe_label.clear()
        self._show_layer()

    def _show_layer(self) -> None:
        c = self.comparison
        reading = c.readings.get(self.layer_combo.currentText()) if c is not None else None
        if reading is None:
            self.table.setColumnCount(0)
            self.caption.setText("" if c is None else "This network has no Dropout layer.")
            return
        rows = (reading.inputs, reading.train_out, reading.eval_out)
        self.table.setColumnCount(len(reading.inputs))
        self.table.setHorizontalHeaderLabels([f"#{int(i)}" for i in reading.positions])
        chosen_row = 1 if self.mode == TRAIN else 2
        for r, values in enumerate(rows):
            for k, value in enumerate(values):
                item = QTableWidgetItem(f"{value:.3f}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if r == chosen_row:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, k, item)
        scale = "—" if reading.scale is None else f"×{reading.scale:.3f}"
        eval_said = ("passed every value through unchanged" if reading.eval_unchanged
                     else "changed some values (not a plain Dropout)")
        self.caption.setText(
            f"{reading.node_id}, p = {reading.p:g}: training mode kept {reading.kept} of {reading.total} nonzero "
            f"values, each {scale} (measured; 1/(1-p) = {reading.expected_scale:.3f}), and zeroed the rest; "
            f"evaluation mode {eval_said}.")
