"""Adversarial examples (FGSM) in the window: one validation image before and after a tiny push, and
the validation accuracy against epsilon.

The numbers are the network's: :class:`~explorer.training.fgsm.FgsmAttack` runs on a copy of the
trained weights (:mod:`.fgsm_link` fetches them from a paused or ended run). One image's attack is a
single forward and backward pass, done on the GUI thread as the slider moves; the accuracy curve
passes over the whole validation set once per epsilon, so it runs in a thread of the view's own
pool and comes back by a queued signal; a newer request makes an older result stale.
"""

from __future__ import annotations

import threading

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (QGridLayout, QLabel, QLineEdit, QPushButton, QSlider, QSpinBox,
                               QVBoxLayout, QWidget)

from explorer.training.fgsm import CURVE_EPSILONS, EPSILON_MAX, FgsmAttack, FgsmError, FgsmExample, check_epsilon

from .live_widgets import LiveLayoutWidget
from .marks import Image
from .plotting import ACCURACY, VALIDATION, lookup_table, plot_widget, style_plot
from .sample_grid import as_images

SLIDER_STEPS = 100                    # the slider moves epsilon in steps of EPSILON_MAX / 100 = 0.005
DEFAULT_EPSILON = 0.1
NO_ATTACK = "Train an image classifier, then pause or stop it: FGSM attacks its trained weights."


class _CurveSignals(QObject):
    done = Signal(int, object)  # request number, list of accuracies (None: stopped)
    failed = Signal(int, str)


class _CurveJob(QRunnable):
    """The accuracy curve of ``attack`` over ``epsilons``, in a pool thread."""

    def __init__(self, token: int, attack: FgsmAttack, signals: _CurveSignals, cancelled: threading.Event):
        super().__init__()
        self.token, self.attack, self.signals, self.cancelled = token, attack, signals, cancelled

    def run(self) -> None:
        try:
            import torch

            torch.set_num_threads(1)  # no OpenMP team in this thread: it would slow training (see cores.py)
            curve = self.attack.accuracy_curve(CURVE_EPSILONS, should_stop=self.cancelled.is_set)
            self.signals.done.emit(self.token, curve)
        except Exception as error:  # noqa: BLE001  (errors come home)
            self.signals.failed.emit(self.token, f"{type(error).__name__}: {error}")


class FgsmView(QWidget):
    """``fgsmView``: image, perturbation and perturbed image with the answers; accuracy against epsilon."""

    example_drawn = Signal(object)      # FgsmExample
    curve_ready = Signal(object)        # list of accuracies at CURVE_EPSILONS
    refresh_requested = Signal()        # "Attack the current weights" was pressed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fgsmView")
        self.attack: FgsmAttack | None = None
        self.class_names: list[str] | None = None
        self.example: FgsmExample | None = None
        self.curve: list[float] | None = None
        self._token = 0
        self._note = ""
        self._cancelled = threading.Event()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._signals = _CurveSignals(self)
        self._signals.done.connect(self._on_curve_done)
        self._signals.failed.connect(self._on_curve_failed)

        self.index_spin = QSpinBox(objectName="fgsmImageSpin")
        self.index_spin.setToolTip("Which validation image to attack")
        self.index_spin.setRange(0, 0)
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="fgsmEpsilonSlider")
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setValue(round(DEFAULT_EPSILON / EPSILON_MAX * SLIDER_STEPS))
        self.slider.setToolTip(f"epsilon: how far every pixel moves, from 0 to {EPSILON_MAX:g} of the 0-1 range")
        self.epsilon_edit = QLineEdit(f"{DEFAULT_EPSILON:.3f}", objectName="fgsmEpsilonEdit")
        self.epsilon_edit.setMaximumWidth(self.epsilon_edit.fontMetrics().horizontalAdvance("0.0000") + 16)
        self.epsilon_edit.setToolTip(f"Type epsilon, from 0 to {EPSILON_MAX:g}")
        self.refresh_button = QPushButton("Attack current weights", objectName="fgsmRefreshButton")
        self.refresh_button.setToolTip("Copy the weights of the paused or ended run and attack them")
        controls = QGridLayout()  # two rows: the tab is narrow
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(QLabel("Image"), 0, 0)
        controls.addWidget(self.index_spin, 0, 1)
        controls.addWidget(self.refresh_button, 0, 2, 1, 2, Qt.AlignmentFlag.AlignRight)
        controls.addWidget(QLabel("ε"), 1, 0)
        controls.addWidget(self.slider, 1, 1, 1, 2)
        controls.addWidget(self.epsilon_edit, 1, 3)
        controls.setColumnStretch(2, 1)

        self.images = LiveLayoutWidget()
        self.images.setObjectName("fgsmImages")
        self.images.setBackground(None)
        self.image_items: list[Image] = []
        self.titles: list[pg.LabelItem] = []
        for column in range(3):
            box = self.images.addViewBox(row=0, col=column, lockAspect=True, invertY=True, enableMouse=False)
            item = Image(axisOrder="row-major")
            box.addItem(item)
            self.image_items.append(item)
            title = pg.LabelItem("", size="9pt", color=self.palette().text().color())
            self.images.addItem(title, row=1, col=column)
            self.titles.append(title)
        self.image_items[1].setLookupTable(lookup_table("CET-D1"))  # push down blue, up red, none white
        for item in (self.image_items[0], self.image_items[2]):
            item.setLookupTable(lookup_table("CET-L1"))

        self.curve_widget = plot_widget("fgsmCurvePlot", self)
        self.curve_plot = self.curve_widget.getPlotItem()
        style_plot(self.curve_plot, self, left="validation accuracy", bottom="epsilon")
        self.curve_plot.hideButtons()
        self.curve_plot.setMouseEnabled(x=False, y=False)
        self.curve_plot.setXRange(0.0, CURVE_EPSILONS[-1], padding=0.02)
        self.curve_plot.setYRange(0.0, 1.0, padding=0.02)
        self.curve_item = pg.PlotDataItem(pen=pg.mkPen(ACCURACY, width=2), symbol="o", symbolSize=5,
                                          symbolBrush=ACCURACY, symbolPen=None)
        self.curve_plot.addItem(self.curve_item)
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen(VALIDATION, width=1, style=Qt.PenStyle.DashLine))
        self.curve_plot.addItem(self.marker)

        self.message = QLabel(NO_ATTACK, objectName="fgsmMessage")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.images, 3)
        layout.addWidget(self.curve_widget, 2)
        layout.addWidget(self.message)

        self.slider.valueChanged.connect(self._on_slider_changed)
        self.epsilon_edit.editingFinished.connect(self._on_epsilon_typed)
        self.index_spin.valueChanged.connect(lambda _i: self._draw_example())
        self.refresh_button.clicked.connect(self.refresh_requested)
        self._epsilon = DEFAULT_EPSILON
        self.marker.setValue(DEFAULT_EPSILON)

    # What is attacked ----------------------------------------------------------------------------

    @property
    def epsilon(self) -> float:
        return self._epsilon

    def set_attack(self, attack: FgsmAttack | None, class_names: list[str] | None = None, note: str = "") -> None:
        """Attack ``attack``'s network (None: nothing to attack; ``note`` says why), and start its curve."""
        self._cancel_curve()
        self.attack, self.class_names = attack, class_names
        self.curve = None
        self.curve_item.setData([], [])
        if attack is None:
            self.example = None
            for item in self.image_items:
                item.clear()
            for title in self.titles:
                title.setText("")
            self.message.setText(note or NO_ATTACK)
            return
        self.index_spin.blockSignals(True)
        self.index_spin.setRange(0, len(attack) - 1)
        self.index_spin.blockSignals(False)
        self._draw_example()
        self._note = note
        self.message.setText(f"{note} Computing the accuracy against epsilon in the background…".strip())
        self._token += 1
        self._cancelled = threading.Event()
        self.pool.start(_CurveJob(self._token, FgsmAttack(attack.module, attack.x.numpy(), attack.y.numpy(),
                                                          clamp=(attack.low, attack.high)),
                                  self._signals, self._cancelled))

    def set_epsilon(self, value) -> bool:
        """Show the attack at ``value``; a value out of range is refused with a message (False)."""
        try:
            epsilon = check_epsilon(value)
        except FgsmError as error:
            self.message.setText(f"Not changed: {error.message}.")
            self.epsilon_edit.setText(f"{self._epsilon:.3f}")
            return False
        self._epsilon = epsilon
        self.epsilon_edit.setText(f"{epsilon:.3f}")
        self.slider.blockSignals(True)
        self.slider.setValue(round(epsilon / EPSILON_MAX * SLIDER_STEPS))
        self.slider.blockSignals(False)
        self.marker.setValue(epsilon)
        self.curve_plot.setXRange(0.0, max(CURVE_EPSILONS[-1], epsilon), padding=0.02)  # the marker stays in view
        self._draw_example()
        return True

    def _on_slider_changed(self, value: int) -> None:
        self.set_epsilon(round(value * EPSILON_MAX / SLIDER_STEPS, 4))

    def _on_epsilon_typed(self) -> None:
        text = self.epsilon_edit.text().strip()
        try:
            value = float(text)
        except ValueError:
            value = text  # check_epsilon names it in its message
        if value != self._epsilon:
            self.set_epsilon(value)

    # Drawing -------------------------------------------------------------------------------------

    def _name(self, label: int) -> str:
        names = self.class_names
        return names[label] if names and 0 <= label < len(names) else str(label)

    def _draw_example(self) -> None:
        if self.attack is None:
            return
        example = self.attack.example(self.index_spin.value(), self._epsilon)
        self.example = example
        low, high = self.attack.low, self.attack.high
        pictures = as_images(np.stack([example.image, example.perturbation, example.perturbed]))
        self.image_items[0].setImage(pictures[0], levels=(low, high), autoLevels=False)
        reach = max(self._epsilon, 1e-3)
        self.image_items[1].setImage(pictures[1], levels=(-reach, reach), autoLevels=False)
        self.image_items[2].setImage(pictures[2], levels=(low, high), autoLevels=False)
        right = "right" if example.after == example.label else "wrong"
        self.titles[0].setText(f"image of {self._name(example.label)}<br>predicted {self._name(example.before)} "
                               f"({example.before_prob:.1%})")
        self.titles[1].setText(f"perturbation<br>ε = {example.epsilon:.3f}")
        self.titles[2].setText(f"perturbed, {right}<br>predicted {self._name(example.after)} "
                               f"({example.after_prob:.1%})")
        self.example_drawn.emit(example)

    def _on_curve_done(self, token: int, curve) -> None:
        if token != self._token or curve is None:
            return  # stale: another network or another request since
        self.curve = list(curve)
        self.curve_item.setData(list(CURVE_EPSILONS), self.curve)
        at = dict(zip(CURVE_EPSILONS, self.curve))
        text = (f"{self._note} Validation accuracy {at[0.0]:.1%} clean, {at[0.1]:.1%} at ε = 0.1, "
                f"{at[0.2]:.1%} at ε = 0.2 ({len(self.attack)} images).")
        self.message.setText(text.strip())
        self.curve_ready.emit(self.curve)

    def _on_curve_failed(self, token: int, text: str) -> None:
        if token == self._token:
            self.message.setText(f"The accuracy curve failed: {text}")

    def _cancel_curve(self) -> None:
        self._cancelled.set()
        self._token += 1

    def clear(self) -> None:
        self.set_attack(None)

    def shutdown(self) -> None:
        """Stop the curve in progress and wait for the pool (a closing window, a test's end)."""
        self._cancel_curve()
        self.pool.waitForDone()
