"""The panel's message line: how a run ended, or why it could not start, with details on demand."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

INFO, WARNING, ERROR = "info", "warning", "error"
COLOURS = {INFO: QColor("#1a73e8"), WARNING: QColor("#e8710a"), ERROR: QColor("#d93025")}
ICONS = {INFO: "ℹ", WARNING: "⚠", ERROR: "✖"}


class MessageBar(QFrame):
    """``trainingMessage``: a coloured line with the message; ``Details`` unfolds a traceback."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingMessage")
        self.kind = ""
        self.icon = QLabel()
        self.text = QLabel(objectName="trainingMessageText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QToolButton(objectName="trainingMessageActionButton")
        self.action_button.hide()
        self._action = None
        self.action_button.clicked.connect(self._on_action)
        self.details_button = QToolButton(text="Details", objectName="trainingMessageDetailsButton")
        self.details_button.setCheckable(True)
        self.close_button = QToolButton(text="✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.details = QPlainTextEdit(objectName="trainingMessageDetails")
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setMinimumHeight(140)
        self.details.hide()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.text, 1)
        top.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.details)
        font = QFont(self.icon.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.icon.setFont(font)
        self.details_button.toggled.connect(self.details.setVisible)
        self.close_button.clicked.connect(self.clear)
        self.hide()

    def show_message(self, kind: str, text: str, details: str = "", action=None) -> None:
        """Show ``text``; ``action`` (label, callback), if given, is a button offering the way out."""
        self.kind = kind
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(bool(action))
        colour = COLOURS[kind]
        # A widget's style sheet resolves its fonts afresh; keep the sizes they had (lecture mode's, 1.6x).
        sizes = {widget: widget.font().pointSizeF() for widget in (self, *self.findChildren(QWidget))}
        self.setStyleSheet(
            f"#trainingMessage {{ border: 1px solid {colour.name()}; border-left: 5px solid {colour.name()};"
            f" border-radius: 3px; background: rgba({colour.red()}, {colour.green()}, {colour.blue()}, 28); }}")
        self.icon.setText(ICONS[kind])
        self.icon.setStyleSheet(f"color: {colour.name()};")
        for widget, size in sizes.items():
            if widget.font().pointSizeF() != size:
                font = QFont(widget.font())
                font.setPointSizeF(size)
                widget.setFont(font)
        self.text.setText(text)
        self.text.setToolTip(text)  # the whole of it, where the panel is too short to show every line
        self.details.setPlainText(details)
        self.details_button.setVisible(bool(details))
        self.details_button.setChecked(False)
        self.details.hide()
        self.show()

    def _on_action(self) -> None:
        callback = self._action
        if callback is not None:
            callback()

    def clear(self) -> None:
        self.kind = ""
        self._action = None
        self.action_button.hide()
        self.text.clear()
        self.text.setToolTip("")
        self.details.clear()
        self.hide()

    @property
    def message(self) -> str:
        return self.text.text() if self.isVisibleTo(self.parentWidget()) or self.kind else ""
