"""A wire between two nodes, labelled with the shape of the tensor it carries."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem

from ...graph import Edge
from .. import theme


@lru_cache(maxsize=None)
def label_font() -> QFont:
    f = theme.font(10, mono=True)
    f.setPixelSize(12)
    return f


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A vertical S-curve from an output (bottom of a node) to an input (top of another)."""
    dy = max(40.0, abs(end.y() - start.y()) / 2)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x(), start.y() + dy), QPointF(end.x(), end.y() - dy), end)
    return path


class EdgeItem(QGraphicsItem):
    """The wire of one document :class:`Edge`; selectable so Delete can remove it."""

    def __init__(self, edge: Edge, src_item, dst_item):
        super().__init__()
        self.edge = edge
        self.src_item = src_item
        self.dst_item = dst_item
        self.label = ""
        self._label_size = QRectF()
        self._path = QPainterPath()
        self._hit = QPainterPath()
        self._bounds = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(0)
        self.adjust()

    def set_label(self, text: str) -> None:
        if text == self.label:
            return
        self.label = text
        if text:
            metrics = QFontMetricsF(label_font())
            self._label_size = QRectF(0, 0, metrics.horizontalAdvance(text) + 12, metrics.height() + 4)
        else:
            self._label_size = QRectF()
        self.setToolTip(f"'{self.edge.src}' → '{self.edge.dst}'" + (f": {text}" if text else "")
                        + "\nClick to select, Delete to remove")
        self._update_geometry()

    def adjust(self) -> None:
        """Follow the two nodes after either moved or its ports changed."""
        self._path = wire_path(self.src_item.output_anchor(), self.dst_item.input_anchor(self.edge.port))
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        self._hit = stroker.createStroke(self._path)
        self._update_geometry()

    def label_rect(self) -> QRectF:
        if not self.label:
            return QRectF()
        centre = self._path.pointAtPercent(0.5)
        rect = QRectF(self._label_size)
        rect.moveCenter(centre)
        return rect

    def _update_geometry(self) -> None:
        self.prepareGeometryChange()
        self._bounds = self._path.boundingRect().adjusted(-4, -4, 4, 4).united(self.label_rect())
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath(self._hit)
        if self.label:
            path.addRect(self.label_rect())
        return path

    def paint(self, painter, option, widget=None) -> None:
        t = theme.current()
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        colour = t.colour("accent") if self.isSelected() else t.colour("wire")
        painter.setPen(QPen(colour, 3.5 if self.isSelected() else 2.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        if self.label:
            rect = self.label_rect()
            painter.setPen(QPen(colour, 1.2))
            painter.setBrush(t.colour("label_fill"))
            painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
            painter.setPen(t.colour("text"))
            painter.setFont(label_font())
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.label)


class DraftWireItem(QGraphicsItem):
    """The dashed wire that follows the pointer while the student drags from a port."""

    def __init__(self, anchor: QPointF, from_output: bool):
        super().__init__()
        self.anchor = anchor
        self.from_output = from_output
        self.state: str | None = None  # "good" or "bad" over a target
        self._path = QPainterPath()
        self.setZValue(3)
        self.move_to(anchor)

    def move_to(self, point: QPointF) -> None:
        self.prepareGeometryChange()
        start, end = (self.anchor, point) if self.from_output else (point, self.anchor)
        self._path = wire_path(start, end)
        self.update()

    def set_state(self, state: str | None) -> None:
        if state != self.state:
            self.state = state
            self.update()

    def boundingRect(self) -> QRectF:
        return self._path.boundingRect().adjusted(-4, -4, 4, 4)

    def paint(self, painter, option, widget=None) -> None:
        t = theme.current()
        colour = {"good": t.colour("ok"), "bad": t.colour("error")}.get(self.state, t.colour("accent"))
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        pen = QPen(QColor(colour), 2.5, Qt.PenStyle.DashLine, Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawPath(self._path)
