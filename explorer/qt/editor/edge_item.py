"""A wire between two nodes, labelled with the shape of the tensor it carries."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem

from ...graph import Edge
from .. import theme
from .node_item import LOD_TEXT, lod


@lru_cache(maxsize=None)
def label_font() -> QFont:
    f = theme.font(10, mono=True)
    f.setPixelSize(12)
    return f


@lru_cache(maxsize=None)
def label_metrics() -> QFontMetricsF:
    return QFontMetricsF(label_font())


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A vertical S-curve from an output (bottom of a node) to an input (top of another)."""
    dy = max(40.0, abs(end.y() - start.y()) / 2)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x(), start.y() + dy), QPointF(end.x(), end.y() - dy), end)
    return path


class WireLabelItem(QGraphicsItem):
    """The shape pill in the middle of a wire; its own cached item, so a new shape repaints only it."""

    def __init__(self, parent: "EdgeItem"):
        super().__init__(parent)
        self.text = ""
        self._rect = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1)

    def set_text(self, text: str) -> None:
        if text == self.text:
            return
        width = label_metrics().horizontalAdvance(text) + 12 if text else 0.0
        height = label_metrics().height() + 4
        if width != self._rect.width():
            self.prepareGeometryChange()
            self._rect = QRectF(-width / 2, -height / 2, width, height)
        self.text = text
        self.setVisible(bool(text))
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter, option, widget=None) -> None:
        if not self.text or lod(painter) < LOD_TEXT:
            return
        t = theme.current()
        parent = self.parentItem()
        colour = t.colour("accent") if parent is not None and parent.isSelected() else t.colour("wire")
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        painter.setPen(QPen(colour, 1.2))
        painter.setBrush(t.colour("label_fill"))
        radius = self._rect.height() / 2
        painter.drawRoundedRect(self._rect, radius, radius)
        painter.setPen(t.colour("text"))
        painter.setFont(label_font())
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


class EdgeItem(QGraphicsItem):
    """The wire of one document :class:`Edge`; selectable so Delete can remove it."""

    def __init__(self, edge: Edge, src_item, dst_item):
        super().__init__()
        self.edge = edge
        self.src_item = src_item
        self.dst_item = dst_item
        self._path = QPainterPath()
        self._hit = QPainterPath()
        self._bounds = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(0)
        self.label_item = WireLabelItem(self)
        self.adjust()

    @property
    def label(self) -> str:
        return self.label_item.text

    def set_label(self, text: str) -> None:
        self.label_item.set_text(text)

    def adjust(self) -> None:
        """Follow the two nodes after either moved or its ports changed."""
        path = wire_path(self.src_item.output_anchor(), self.dst_item.input_anchor(self.edge.port))
        if path == self._path:
            return
        self.prepareGeometryChange()
        self._path = path
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        self._hit = stroker.createStroke(path)
        self._bounds = path.boundingRect().adjusted(-4, -4, 4, 4)
        self.label_item.setPos(path.pointAtPercent(0.5))

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath(self._hit)
        if self.label:
            path.addRect(self.label_item.mapRectToParent(self.label_item.boundingRect()))
        return path

    def hoverEnterEvent(self, event) -> None:
        shape = f": {self.label}" if self.label else ""
        self.setToolTip(f"'{self.edge.src}' → '{self.edge.dst}'{shape}\nClick to select it, Delete to remove it")
        super().hoverEnterEvent(event)

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.label_item.update()
        return super().itemChange(change, value)

    def paint(self, painter, option, widget=None) -> None:
        t = theme.current()
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        colour = t.colour("accent") if self.isSelected() else t.colour("wire")
        painter.setPen(QPen(colour, 3.5 if self.isSelected() else 2.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)


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
