"""Labels whose text changes while training without laying the window out again.

A QLabel given new text asks its layout for room (``QWidget::updateGeometry``), and the request
climbs to the main window: the step counter, the rate, the history's memory and the activation
note changing a few times a second re-laid out the whole window, its docks and its status bar
(with an animation object per dock each time), 0.8 ms of the GUI thread per delivery of snapshots
while training, measured on lenet-shapes. Qt passes the request on only for a widget whose size is
not fixed, so a :class:`SteadyLabel` keeps a fixed size wide enough for its widest expected text.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QWidget


class SteadyLabel(QLabel):
    """A one-line label of fixed size, room for ``widest`` (sized again when its font changes, and
    widened when a text is wider still, the one time the window is laid out again)."""

    def __init__(self, text: str = "", widest: str = "", parent: QWidget | None = None, **kwargs) -> None:
        super().__init__(text, parent, **kwargs)
        self.widest = widest
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802  (Qt's name)
        if text == self.text():
            return
        super().setText(text)
        if self._text_width(text) > self.width():
            self._fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()  # lecture mode's larger type, a style sheet

    def _text_width(self, text: str) -> int:
        margins = self.contentsMargins()
        return self.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + 2 * self.margin() + 2

    def _fit(self) -> None:
        width = max(self._text_width(self.widest), self._text_width(self.text()))
        margins = self.contentsMargins()  # QLabel's own size hint can still hold the old font's here
        self.setFixedSize(width, self.fontMetrics().height() + margins.top() + margins.bottom() + 2 * self.margin())
