"""A node's input or output port: the circle a wire starts from or ends at."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QPen
from PySide6.QtWidgets import QGraphicsItem

from .. import theme

RADIUS = 6.0
HIT = 11.0  # the clickable area is larger than the drawn circle


class PortItem(QGraphicsItem):
    """A port on a :class:`NodeItem`; ``index`` is the document's input port number (``None`` for output)."""

    def __init__(self, node_item, is_input: bool, index: int | None = None):
        super().__init__(node_item)
        self.node_item = node_item
        self.is_input = is_input
        self.index = index
        self.wired = False
        self._hover = False
        self._highlight: str | None = None  # "good" / "bad" while a wire is dragged over it
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(2)

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def boundingRect(self) -> QRectF:
        return QRectF(-HIT, -HIT, 2 * HIT, 2 * HIT)

    def set_wired(self, wired: bool) -> None:
        if wired != self.wired:
            self.wired = wired
            self.update()

    def set_highlight(self, state: str | None) -> None:
        if state != self._highlight:
            self._highlight = state
            self.update()

    def describe(self) -> str:
        node = self.node_id
        if not self.is_input:
            return f"Output of '{node}': drag to another layer to wire it"
        text = (f"Input of '{node}'" if self.node_item.layer.max_inputs == 1
                else f"Input {self.index + 1} of '{node}' (inputs are used in this order)")
        return text + ("\nDrag its wire to another input to move it, or onto the canvas to remove it"
                       if self.wired else "")

    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self.setToolTip(self.describe())
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self.update()

    def paint(self, painter, option, widget=None) -> None:
        t = theme.current()
        r = RADIUS + (2 if self._hover or self._highlight else 0)
        colour = t.colour("accent")
        if self._highlight == "bad":
            colour = t.colour("error")
        elif self._highlight == "good":
            colour = t.colour("ok")
        painter.setPen(QPen(colour, 2))
        painter.setBrush(QBrush(colour if (self.wired or self._hover or self._highlight) else t.colour("node")))
        painter.drawEllipse(QRectF(-r, -r, 2 * r, 2 * r))
