"""The training settings as a form: the task, dataset and its options, optimiser, learning rate and the rest.

The form shows a settings dict (the document's ``training`` section) and says when the user edits
it; it never writes to the document itself. Values are set with signals blocked, so showing a
document's settings is never mistaken for an edit (STYLE 5). While a run is active only the live
settings (learning rate, momentum, weight decay, batch size) stay editable.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLineEdit, QSlider, QSpinBox, QToolButton, QWidget)

from explorer.data import DATASETS
from explorer.data.graphs import SPECS as GRAPH_SPECS
from explorer.graph.params import Param
from explorer.training.settings import INITS, OPTIMIZERS, RECONSTRUCTION_LOSSES, TASKS, TrainingSettings

from .augment_editor import AugmentEditor

LR_MIN_EXP, LR_MAX_EXP = -6, 1     # the slider spans 1e-6 .. 10
SLIDER_STEPS_PER_DECADE = 50
MAX_INT = 2**31 - 1

OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"}
INIT_NAMES = {"default": "PyTorch default", "xavier": "Xavier (Glorot)", "he": "He (Kaiming)", "normal": "Normal"}
# The tasks as the form names them, with what each one does.
TASK_NAMES = {
    "auto": "Automatic (from the dataset)",
    "supervised": "Supervised",
    "reconstruction": "Autoencoder (reconstruction)",
    "adversarial": "GAN (adversarial)",
    "node_classification": "Graph node classification",
    "sequence": "Sequence (a class per position)",
}
TASK_TIPS = {
    "auto": "Graph datasets train node classification, copy/reverse/sort a class per position; every other "
            "dataset trains supervised",
    "supervised": "Learn the dataset's targets from its samples: classes (cross-entropy) or values (MSE)",
    "reconstruction": "An autoencoder: learn to give back each input through a narrow code layer; "
                      "the targets are the inputs themselves",
    "adversarial": "A GAN: a generator (from a noise Input) learns to make samples that a discriminator "
                   "(from a data-shaped Input) cannot tell from the real ones; needs two networks",
    "node_classification": "A graph network: learn every node's class from a few labelled nodes, "
                           "passing messages along the graph's edges (GraphConv)",
    "sequence": "A class at every position of a sequence (copy, reverse, sort): output [T, classes], the loss "
                "averaged over positions, token and whole-sequence accuracy",
}
RECONSTRUCTION_LOSS_NAMES = {"mse": "Mean squared error", "bce": "Binary cross-entropy (data in [0, 1])"}
# what "auto" picks, briefly
AUTO_SHORT = {"supervised": "supervised", "node_classification": "graph nodes", "sequence": "per position"}
GRAPH_DATASETS = frozenset(spec.name for spec in GRAPH_SPECS)
PER_POSITION_DATASETS = frozenset(name for name, spec in DATASETS.items() if spec.per_position)
AUTO_CODE_NODE = "(the narrowest layer)"


def classes_from_text(text: str) -> list[int] | str | None:
    """Class numbers typed as "5, 6, 7" (or "5 6 7") as a list; blank is None (every class); anything
    else comes back as typed, for the settings check to name."""
    words = text.replace(",", " ").split()
    if not words:
        return None
    try:
        return [int(w) for w in words]
    except ValueError:
        return text.strip()


def automatic_task(dataset: str) -> str:
    """The task ``"auto"`` trains for ``dataset``."""
    if dataset in GRAPH_DATASETS:
        return "node_classification"
    return "sequence" if dataset in PER_POSITION_DATASETS else "supervised"


class ExactSpinBox(QDoubleSpinBox):
    """A number box that shows values as written (0.001, 3e-05), not padded to fixed decimals."""

    def __init__(self, minimum: float, maximum: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(10)
        self.setRange(minimum, maximum)
        self.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:  # noqa: N802  (Qt's name)
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        stripped = text.strip().lower()
        if stripped in ("", "-", ".", "-.") or stripped.endswith(("e", "e-", "e+")):
            return QValidator.State.Intermediate, text, pos
        try:
            value = float(stripped)
        except ValueError:
            return QValidator.State.Invalid, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


class LearningRateEditor(QWidget):
    """A log-scale slider from 1e-6 to 10 with an exact value box beside it; both show one value."""

    value_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="lrSlider")
        self.slider.setRange(0, (LR_MAX_EXP - LR_MIN_EXP) * SLIDER_STEPS_PER_DECADE)
        self.slider.setToolTip("Learning rate, on a logarithmic scale: each notch to the right multiplies it")
        self.spin = ExactSpinBox(1e-10, 1e6)  # wider than the slider: a file may ask for anything
        self.spin.setObjectName("lrSpin")
        self.spin.setToolTip("The exact learning rate")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.spin.valueChanged.connect(self._on_spin_changed)

    def value(self) -> float:
        return self.spin.value()

    def set_value(self, value: float) -> None:
        """Show ``value`` without emitting ``value_changed``."""
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self._move_slider(value)

    def _move_slider(self, value: float) -> None:
        position = round((math.log10(max(value, 1e-12)) - LR_MIN_EXP) * SLIDER_STEPS_PER_DECADE)
        self.slider.blockSignals(True)
        self.slider.setValue(max(self.slider.minimum(), min(self.slider.maximum(), position)))
        self.slider.blockSignals(False)

    def _on_slider_moved(self, position: int) -> None:
        value = float(f"{10 ** (LR_MIN_EXP + position / SLIDER_STEPS_PER_DECADE):.2g}")
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self.value_changed.emit(self.spin.value())

    def _on_spin_changed(self, value: float) -> None:
        self._move_slider(value)
        self.value_changed.emit(value)


class SettingsForm(QWidget):
    """Every training setting; ``edited(dict)`` after each user change, ``live_changed(key, value)``
    for the settings a running trainer takes at its next step."""

    edited = Signal(dict)
    live_changed = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingSettings")
        self._defaults = TrainingSettings().to_dict()
        self._options: dict[str, Any] = {}
        self._option_widgets: dict[str, QWidget] = {}
        self._running = False

        self.task = QComboBox(objectName="taskCombo")
        for key in TASKS:
            self.task.addItem(TASK_NAMES.get(key, key), key)
            self.task.setItemData(self.task.count() - 1, TASK_TIPS.get(key, ""), Qt.ItemDataRole.ToolTipRole)
        self.reconstruction_loss = QComboBox(objectName="reconstructionLossCombo")
        for key in RECONSTRUCTION_LOSSES:
            self.reconstruction_loss.addItem(RECONSTRUCTION_LOSS_NAMES.get(key, key), key)
        self.code_node = QComboBox(objectName="codeNodeCombo")
        self.code_node.addItem(AUTO_CODE_NODE, None)
        self.d_steps = QSpinBox(objectName="dStepsSpin")
        self.d_steps.setRange(1, 100)
        self.d_steps.setKeyboardTracking(False)
        self._code_node_value: str | None = None
        self._networks: dict[str, str] = {}
        self._augment: dict[str, Any] = {}  # the training batches' random transforms (image datasets)
        self.augment = AugmentEditor()
        self._code_candidates: list[str] = []
        self.dataset = QComboBox(objectName="datasetCombo")
        for name, spec in DATASETS.items():
            self.dataset.addItem(name, name)
            self.dataset.setItemData(self.dataset.count() - 1, spec.help, Qt.ItemDataRole.ToolTipRole)
        self.options_box = QWidget(objectName="datasetOptions")
        self.options_layout = QFormLayout(self.options_box)
        self.options_layout.setContentsMargins(12, 0, 0, 0)
        self.optimizer = QComboBox(objectName="optimizerCombo")
        for key in OPTIMIZERS:
            self.optimizer.addItem(OPTIMIZER_NAMES.get(key, key), key)
        self.lr = LearningRateEditor()
        self.momentum = QDoubleSpinBox(objectName="momentumSpin", decimals=4, singleStep=0.05)
        self.momentum.setRange(0.0, 0.9999)
        self.weight_decay = ExactSpinBox(0.0, 1e6)
        self.weight_decay.setObjectName("weightDecaySpin")
        self.batch_size = QSpinBox(objectName="batchSizeSpin")
        self.batch_size.setRange(1, 65536)
        self.epochs = QSpinBox(objectName="epochsSpin")
        self.epochs.setRange(1, 1_000_000)
        self.seed = QSpinBox(objectName="seedSpin")
        self.seed.setRange(0, MAX_INT)
        self.init = QComboBox(objectName="initCombo")
        for key in INITS:
            self.init.addItem(INIT_NAMES.get(key, key), key)
        self.init_std = ExactSpinBox(1e-6, 10.0)
        self.init_std.setObjectName("initStdSpin")
        self.val_fraction = QDoubleSpinBox(objectName="valFractionSpin", decimals=2, singleStep=0.05)
        self.val_fraction.setRange(0.01, 0.9)
        for box in (self.momentum, self.batch_size, self.epochs, self.seed, self.val_fraction):
            box.setKeyboardTracking(False)
        from explorer.training.devices import available_devices

        self.device = QComboBox(objectName="deviceCombo")
        for key, label in available_devices():
            self.device.addItem(label, key)

        tips = {
            self.task: "What one training step learns: hover over a choice for what it does",
            self.reconstruction_loss: "How far a reconstruction is from its input: mean squared error, or binary "
                                      "cross-entropy for data in [0, 1] such as the digits' pixels",
            self.code_node: "The layer whose output is the code the autoencoder squeezes its input through; "
                            "with 2 units its codes are drawn by class",
            self.d_steps: "Discriminator steps per generator step (k in the GAN paper)",
            self.dataset: "What the network learns from",
            self.optimizer: "How the weights follow the gradient",
            self.momentum: "SGD and RMSprop: how much of the previous update carries on (Adam ignores it)",
            self.weight_decay: "Pulls every weight a little towards zero at each step (L2 regularisation)",
            self.batch_size: "Samples per step; changes apply at the next step",
            self.epochs: "Passes over the training set",
            self.seed: "Same seed, same network, same settings: the same run, step for step",
            self.init: "How the weights start",
            self.init_std: "Standard deviation of the Normal initialisation",
            self.val_fraction: "Share of the samples held out to measure validation loss and accuracy",
            self.device: "Where training runs: the CPU, or a CUDA GPU when this machine has one",
        }
        for widget, tip in tips.items():
            widget.setToolTip(tip)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Task", self.task)
        form.addRow("Loss", self.reconstruction_loss)
        form.addRow("Code layer", self.code_node)
        form.addRow("D steps", self.d_steps)
        form.addRow("Dataset", self.dataset)
        form.addRow(self.options_box)
        form.addRow(self.augment)
        form.addRow("Optimiser", self.optimizer)
        form.addRow("Learning rate", self.lr)
        form.addRow("Momentum", self.momentum)
        form.addRow("Weight decay", self.weight_decay)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Epochs", self.epochs)
        form.addRow("Seed", self.seed)
        form.addRow("Initialisation", self.init)
        form.addRow("Init std", self.init_std)
        form.addRow("Validation share", self.val_fraction)
        form.addRow("Device", self.device)
        self._form = form

        self.task.activated.connect(self._on_edited)
        self.reconstruction_loss.activated.connect(self._on_edited)
        self.code_node.activated.connect(self._on_code_node_activated)
        self.d_steps.valueChanged.connect(self._on_edited)
        self.dataset.activated.connect(self._on_dataset_changed)
        self.augment.changed.connect(self._on_augment_changed)
        self.optimizer.activated.connect(self._on_edited)
        self.lr.value_changed.connect(lambda v: self._on_live("lr", v))
        self.momentum.valueChanged.connect(lambda v: self._on_live("momentum", v))
        self.weight_decay.valueChanged.connect(lambda v: self._on_live("weight_decay", v))
        self.batch_size.valueChanged.connect(lambda v: self._on_live("batch_size", v))
        for box in (self.epochs, self.seed, self.init_std, self.val_fraction):
            box.valueChanged.connect(self._on_edited)
        self.init.activated.connect(self._on_edited)
        self.device.activated.connect(self._on_edited)
        self.set_settings({})

    # Showing and reading -------------------------------------------------------------------------

    def _show_device(self, key: str) -> None:
        """Select ``key``; a device this machine lacks (a file from elsewhere) is kept, marked, not replaced."""
        self.device.blockSignals(True)
        if self.device.findData(key) < 0:
            self.device.addItem(f"{key} (not on this machine)", key)
        self.device.setCurrentIndex(self.device.findData(key))
        self.device.blockSignals(False)

    def set_settings(self, training: dict[str, Any]) -> None:
        """Show ``training`` (a document's section; missing keys show their defaults). No signals."""
        values = {**self._defaults, **{k: v for k, v in training.items() if k in self._defaults}}
        self._show_device(str(values["device"]))
        for widget in self._value_widgets():
            widget.blockSignals(True)
        try:
            self._set_combo(self.task, values["task"])
            self._set_combo(self.reconstruction_loss, values["reconstruction_loss"])
            self._set_combo(self.dataset, values["dataset"])
            self._set_combo(self.optimizer, values["optimizer"])
            self.lr.set_value(float(values["lr"]))
            self.momentum.setValue(float(values["momentum"]))
            self.weight_decay.setValue(float(values["weight_decay"]))
            for key, box in (("d_steps", self.d_steps), ("batch_size", self.batch_size), ("epochs", self.epochs),
                             ("seed", self.seed)):
                box.setValue(_within(values[key], self._defaults[key], box.minimum(), box.maximum(), int))
            self._set_combo(self.init, values["init"])
            self.init_std.setValue(float(values["init_std"]))
            self.val_fraction.setValue(float(values["val_fraction"]))
        except (TypeError, ValueError, OverflowError):  # OverflowError: 1e30 for a spin box, int(inf)
            pass  # a bad value in a file: the trainer names it when asked to train
        finally:
            for widget in self._value_widgets():
                widget.blockSignals(False)
        options = values.get("dataset_options")
        self._options = dict(options) if isinstance(options, dict) else {}
        networks = values.get("networks")
        self._networks = dict(networks) if isinstance(networks, dict) else {}
        augment = values.get("augment")
        self._augment = dict(augment) if isinstance(augment, dict) else {}
        self.augment.sample_changed()  # another document: perhaps other data
        self.augment.set_values(self._augment)
        code = values.get("code_node")
        self._code_node_value = code if isinstance(code, str) and code else None
        self._show_code_node()
        self._build_options(self.dataset.currentData())
        self._update_enabled()

    def settings(self) -> dict[str, Any]:
        """The settings shown, as a ``training`` section (every key, in the file format's order)."""
        return {**self._shown_settings(), "device": self.device.currentData()}

    def _shown_settings(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset.currentData(),
            "dataset_options": dict(self._options),
            "optimizer": self.optimizer.currentData(),
            "lr": self.lr.value(),
            "momentum": self.momentum.value(),
            "weight_decay": self.weight_decay.value(),
            "batch_size": self.batch_size.value(),
            "epochs": self.epochs.value(),
            "seed": self.seed.value(),
            "init": self.init.currentData(),
            "init_std": self.init_std.value(),
            "val_fraction": self.val_fraction.value(),
            "augment": dict(self._augment),
            "task": self.task.currentData(),
            "reconstruction_loss": self.reconstruction_loss.currentData(),
            "code_node": self._code_node_value,
            "d_steps": self.d_steps.value(),
            "networks": dict(self._networks),
        }

    def task_shown(self) -> str:
        """The task a run of the settings shown trains: the chosen one, or what "auto" picks."""
        task = self.task.currentData()
        return automatic_task(self.dataset.currentData()) if task == "auto" else task

    def set_code_candidates(self, nodes: list[str]) -> None:
        """The layers that may be the code (the document's, in graph order); the choice shown stays."""
        self._code_candidates = list(nodes)
        self._show_code_node()

    def _show_code_node(self) -> None:
        combo = self.code_node
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(AUTO_CODE_NODE, None)
        nodes = list(self._code_candidates)
        if self._code_node_value is not None and self._code_node_value not in nodes:
            nodes.append(self._code_node_value)  # named by the file, whatever the network holds now
        for node_id in nodes:
            combo.addItem(node_id, node_id)
        index = combo.findData(self._code_node_value) if self._code_node_value is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _on_code_node_activated(self, index: int) -> None:
        self._code_node_value = self.code_node.itemData(index)
        self._on_edited()

    def set_running(self, running: bool) -> None:
        """While running only the live settings can change."""
        self._running = running
        self._update_enabled()
        self.device.setEnabled(not running)

    # Dataset options -----------------------------------------------------------------------------

    def _build_options(self, dataset: str) -> None:
        while self.options_layout.rowCount():
            self.options_layout.removeRow(0)
        self._option_widgets = {}
        spec = DATASETS.get(dataset)
        if spec is None:
            return
        for folder in spec.folder_options:
            self._add_folder_option(folder.name, folder.help)
        for param in spec.options:
            self._add_param_option(param)
        for listed in spec.classes_options:
            self._add_classes_option(listed.name, listed.help)
        self.options_box.setVisible(self.options_layout.rowCount() > 0)
        self.dataset.setToolTip(spec.help)

    def _add_param_option(self, param: Param) -> None:
        value = self._options.get(param.name, param.default)
        if param.type == "int":
            widget = QSpinBox()
            widget.setRange(int(param.min) if param.min is not None else -MAX_INT,
                            int(min(param.max, MAX_INT)) if param.max is not None else MAX_INT)
            widget.setKeyboardTracking(False)
            if param.min == 0 and "(0 = all" in param.help:  # train_samples, per_class, limit
                widget.setSpecialValueText("all")
            widget.setValue(_within(value, param.default, widget.minimum(), widget.maximum(), int))
            widget.valueChanged.connect(lambda v, n=param.name: self._on_option_changed(n, int(v)))
        elif param.type == "float":
            widget = ExactSpinBox(param.min if param.min is not None else -1e9,
                                  param.max if param.max is not None else 1e9)
            widget.setValue(_within(value, param.default, widget.minimum(), widget.maximum(), float))
            widget.valueChanged.connect(lambda v, n=param.name: self._on_option_changed(n, float(v)))
        elif param.type == "choice":
            widget = QComboBox()
            widget.addItems(list(param.choices))
            widget.setCurrentText(str(value))
            widget.currentTextChanged.connect(lambda v, n=param.name: self._on_option_changed(n, v))
        elif param.type == "bool":
            widget = QCheckBox()
            widget.setChecked(bool(value))
            widget.toggled.connect(lambda v, n=param.name: self._on_option_changed(n, bool(v)))
        else:
            return
        widget.setObjectName(f"option_{param.name}")
        widget.setToolTip(param.help)
        self._option_widgets[param.name] = widget
        self.options_layout.addRow(param.name.replace("_", " "), widget)

    def _add_classes_option(self, name: str, help_text: str) -> None:
        value = self._options.get(name)
        shown = ", ".join(str(c) for c in value) if isinstance(value, list) else str(value or "")
        edit = QLineEdit(shown, objectName=f"option_{name}")
        edit.setToolTip(help_text)
        edit.setPlaceholderText("all classes")
        edit.editingFinished.connect(lambda: self._on_option_changed(name, classes_from_text(edit.text())))
        self._option_widgets[name] = edit
        self.options_layout.addRow(name.replace("_", " "), edit)

    def _add_folder_option(self, name: str, help_text: str) -> None:
        row = QWidget()
        edit = QLineEdit(str(self._options.get(name, "")), objectName=f"option_{name}")
        edit.setToolTip(help_text)
        edit.setPlaceholderText("choose a folder")
        browse = QToolButton(text="…")
        browse.setToolTip("Choose the folder")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        layout.addWidget(browse)
        edit.editingFinished.connect(lambda: self._on_option_changed(name, edit.text().strip() or None))

        def choose() -> None:
            folder = QFileDialog.getExistingDirectory(self, "Folder with IDX files", edit.text())
            if folder:
                edit.setText(folder)
                self._on_option_changed(name, folder)

        browse.clicked.connect(choose)
        self._option_widgets[name] = edit
        self.options_layout.addRow(name, row)

    # Edits ---------------------------------------------------------------------------------------

    def _on_dataset_changed(self) -> None:
        self._options = {}
        self._build_options(self.dataset.currentData())
        self._on_edited()

    def _on_augment_changed(self, values: dict) -> None:
        self._augment = dict(values)
        self._on_edited()

    def _on_option_changed(self, name: str, value: Any) -> None:
        if value is None:
            self._options.pop(name, None)
        else:
            self._options[name] = value
        self._on_edited()

    def _on_live(self, key: str, value: Any) -> None:
        self._on_edited()
        self.live_changed.emit(key, value)

    def _on_edited(self, *_: Any) -> None:
        self._update_enabled()
        self.augment.sample_changed()  # the data or its split may be another now
        self.edited.emit(self.settings())

    def _update_enabled(self) -> None:
        running = self._running
        for widget in (self.task, self.reconstruction_loss, self.code_node, self.d_steps, self.dataset,
                       self.options_box, self.optimizer, self.epochs, self.seed, self.init, self.init_std,
                       self.val_fraction, self.augment.body):
            widget.setEnabled(not running)
        spec = DATASETS.get(self.dataset.currentData())
        # on image datasets; elsewhere only while a file asks for it, so that it can be switched off
        self._form.setRowVisible(self.augment, bool(spec is not None and spec.images) or bool(self._augment))
        task = self.task_shown()
        self._form.setRowVisible(self.reconstruction_loss, task == "reconstruction")
        self._form.setRowVisible(self.code_node, task == "reconstruction")
        self._form.setRowVisible(self.d_steps, task == "adversarial")
        auto = f"Automatic ({AUTO_SHORT[automatic_task(self.dataset.currentData())]})"
        if self.task.itemText(0) != auto:
            self.task.setItemText(0, auto)
        self.init_std.setEnabled(not running and self.init.currentData() == "normal")
        uses_momentum = self.optimizer.currentData() in ("sgd", "rmsprop")
        self.momentum.setEnabled(uses_momentum)
        self.momentum.setToolTip("How much of the previous update carries on" if uses_momentum
                                 else "Adam and AdamW keep their own momentum; this setting is for SGD and RMSprop")

    def _value_widgets(self) -> list[QWidget]:
        return [self.task, self.reconstruction_loss, self.d_steps, self.dataset, self.optimizer, self.momentum,
                self.weight_decay, self.batch_size, self.epochs, self.seed, self.init, self.init_std,
                self.val_fraction]

    @staticmethod
    def _set_combo(combo: QComboBox, key: str) -> None:
        # Combos hold names; a file may hold anything there (findData overflows on a huge int).
        index = combo.findData(key) if isinstance(key, str) else -1
        if index >= 0:
            combo.setCurrentIndex(index)


def _within(value: Any, default: Any, low: float, high: float, kind: type) -> Any:
    """``value`` as ``kind`` clamped to [low, high] for a spin box, or ``default`` when it is no number.

    A file may hold any option value; the form shows something sensible (a spin box given 1e30
    raises OverflowError) and Train names the bad value when asked to train.
    """
    try:
        number = kind(value)
        if number != number:  # NaN
            raise ValueError
        return kind(max(low, min(high, number)))
    except (TypeError, ValueError, OverflowError):
        return kind(default)
