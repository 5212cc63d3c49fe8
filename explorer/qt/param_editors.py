"""One editor per parameter type: spin boxes, combo boxes, check boxes and a shape field.

An editor only turns what the student typed into a Python value and emits ``committed``; the
inspector checks it with :meth:`Param.validate` and calls :meth:`ParamEditor.set_refusal` with the
reason when it is refused. ``set_value`` never emits (two-way binding without loops).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QSpinBox,
                               QVBoxLayout, QWidget)

from ..graph import Param

WIDE = 1_000_000_000  # spin boxes accept any number, so an out-of-range one is refused with its reason


class NotAValue(ValueError):
    """Text that is not even a value of the parameter's type; the message says what is expected."""


class RefusalShown:
    """For a field in ``self.frame`` with ``self.refusal`` (a label) under it: show or clear a refusal.

    The style sheet outlines a frame whose ``refused`` property is true.
    """

    frame: QFrame
    refusal: QLabel

    def set_refusal(self, reason: str | None) -> None:
        self.refusal.setText(reason or "")
        self.refusal.setVisible(bool(reason))
        if self.frame.property("refused") != bool(reason):
            self.frame.setProperty("refused", bool(reason))
            self.frame.style().unpolish(self.frame)  # re-apply the style sheet to the new property
            self.frame.style().polish(self.frame)

    def refused(self) -> str | None:
        """The reason shown, or None."""
        return self.refusal.text() or None


class ParamEditor(RefusalShown, QWidget):
    """One parameter's field with its refusal line; ``committed`` carries each value the user commits.

    Every subclass defines ``make_field`` (the input widget, wired to emit ``committed``) and ``_show`` (put a
    value in the field). They are declared rather than written as abstract methods because ``abc.ABCMeta``
    cannot be combined with the metaclass of Qt's classes.
    """

    committed = Signal(object)
    make_field: Callable[[], QWidget]
    _show: Callable[[Any], None]

    def __init__(self, param: Param, parent=None):
        super().__init__(parent)
        self.param = param
        self.setObjectName(f"param_{param.name}")
        self.refusal = QLabel()
        self.refusal.setObjectName("refusal")
        self.refusal.setWordWrap(True)
        self.refusal.hide()
        self.field = self.make_field()
        self.field.setToolTip(self._tooltip())
        self.field.setStatusTip(param.help)
        self.frame = QFrame()
        self.frame.setObjectName("fieldFrame")
        row = QHBoxLayout(self.frame)
        row.setContentsMargins(1, 1, 1, 1)
        row.addWidget(self.field)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.frame)
        layout.addWidget(self.refusal)

    def _tooltip(self) -> str:
        p = self.param
        limits = []
        if p.min is not None:
            limits.append(f"at least {p.min:g}")
        if p.max is not None:
            limits.append(f"at most {p.max:g}")
        extra = f" ({', '.join(limits)})" if limits else ""
        return f"{p.help}{extra}\nDefault: {p.default}"

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.field):
            self._show(value)
        self.set_refusal(None)

    def setEnabled(self, enabled: bool) -> None:  # noqa: N802 (Qt name)
        self.field.setEnabled(enabled)


class IntEditor(ParamEditor):
    def make_field(self) -> QSpinBox:
        field = QSpinBox()
        field.setRange(-WIDE, WIDE)
        field.setKeyboardTracking(False)  # commit on Enter, focus loss or arrows, not on every digit
        field.valueChanged.connect(lambda v: self.committed.emit(int(v)))
        return field

    def _show(self, value: Any) -> None:
        self.field.setValue(max(-WIDE, min(WIDE, int(value))))  # a file may hold 1e18: the node says it is wrong


class FloatEditor(ParamEditor):
    def make_field(self) -> QDoubleSpinBox:
        field = QDoubleSpinBox()
        field.setRange(-WIDE, WIDE)
        field.setDecimals(4)
        small = self.param.max is not None and self.param.max <= 1
        field.setSingleStep(0.05 if small else 0.1)
        field.setKeyboardTracking(False)
        field.valueChanged.connect(lambda v: self.committed.emit(float(v)))
        return field

    def _show(self, value: Any) -> None:
        self.field.setValue(float(value))


class BoolEditor(ParamEditor):
    def make_field(self) -> QCheckBox:
        field = QCheckBox(self.param.name)
        field.toggled.connect(lambda v: self.committed.emit(bool(v)))
        return field

    def _show(self, value: Any) -> None:
        self.field.setChecked(bool(value))


class ChoiceEditor(ParamEditor):
    def make_field(self) -> QComboBox:
        field = QComboBox()
        field.addItems(list(self.param.choices))
        field.currentTextChanged.connect(self.committed.emit)
        return field

    def _show(self, value: Any) -> None:
        self.field.setCurrentText(str(value))


class ShapeEditor(ParamEditor):
    """Sizes typed as ``1, 28, 28`` (brackets, spaces and × are fine too)."""

    def make_field(self) -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText("e.g. 1, 28, 28")
        field.editingFinished.connect(self._on_editing_finished)
        return field

    def _on_editing_finished(self) -> None:
        try:
            value = parse_shape(self.field.text())
        except NotAValue as error:
            self.set_refusal(f"'{self.param.name}' {error}")
            return
        self.committed.emit(value)

    def _show(self, value: Any) -> None:
        self.field.setText(", ".join(str(v) for v in value))


def parse_shape(text: str) -> list[int]:
    parts = [p for p in re.split(r"[\s,×x*]+", text.strip().strip("[]()")) if p]
    if not parts:
        raise NotAValue("needs at least one size, such as 1, 28, 28")
    try:
        return [int(p) for p in parts]
    except ValueError:
        raise NotAValue(f"must be whole numbers separated by commas, such as 1, 28, 28 (not '{text}')") from None


EDITORS = {"int": IntEditor, "float": FloatEditor, "bool": BoolEditor, "choice": ChoiceEditor, "shape": ShapeEditor}


def editor_for(param: Param) -> ParamEditor:
    return EDITORS[param.type](param)
