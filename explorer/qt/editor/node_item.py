"""A layer on the canvas: kind, id, key parameters, output shape, parameter count and ports.

A :class:`NodeItem` only shows what the document and its shape report say; the scene calls
:meth:`NodeItem.set_params` and :meth:`NodeItem.set_info` when they change. The card (header and
parameters) and its shape line are separate cached items, so a new shape re-renders only the
line, and a hover builds the tooltip only when someone looks at it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from ...graph import LayerKind, NodeInfo
from .. import theme
from .port_item import PortItem

WIDTH = 208.0
HEIGHT = 84.0
HEADER = 28.0
PAD = 10.0
RADIUS = 8.0
GLOW = 6.0  # room outside the body for the selection and tint outlines
LOD_TEXT = 0.4  # below this zoom text is unreadable: cards are drawn without it, and fast

# Short names for parameters on the canvas; the inspector shows the full names.
ABBREVIATIONS = {
    "out_channels": "out", "out_features": "out", "kernel_size": "k", "stride": "s", "padding": "pad",
    "hidden_size": "hidden", "num_layers": "layers", "num_heads": "heads", "nhead": "heads",
    "dim_feedforward": "ff", "embedding_dim": "dim", "num_embeddings": "vocab", "scale_factor": "×",
    "output_size": "out", "negative_slope": "slope", "returns": "", "shape": "", "dtype": "", "mode": "",
}


@lru_cache(maxsize=None)
def fonts() -> dict[str, QFont]:
    """Canvas fonts in pixels, so a node reads the same on every screen at 100 % zoom."""
    def make(px: int, bold: bool = False, mono: bool = False) -> QFont:
        f = theme.font(10, bold=bold, mono=mono)
        f.setPixelSize(px)
        return f
    return {"kind": make(16, bold=True), "id": make(12), "params": make(13), "shape": make(14, bold=True, mono=True),
            "count": make(12), "glyph": make(17, bold=True)}


@lru_cache(maxsize=None)
def metrics(name: str) -> QFontMetricsF:
    return QFontMetricsF(fonts()[name])


def lod(painter) -> float:
    return QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())


def format_value(param, value: Any) -> str:
    if param.type == "bool":
        return param.name if value else f"no {param.name}"
    if param.type == "float":
        return f"{value:g}"
    if param.type == "shape":
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def params_summary(layer: LayerKind, params: dict[str, Any]) -> str:
    """The key parameters as ``out 6 · k 5 · pad 2``."""
    parts = []
    for p in layer.params:
        if not p.key or p.name not in params:
            continue
        if p.type in ("bool", "choice") and params[p.name] == p.default:
            continue  # "bias", "float"...: only worth a word when changed
        if p.type == "int" and p.default == 0 and params[p.name] == 0:
            continue  # "pad 0", or a pooling stride of 0 (= the kernel size), says nothing
        if p.type == "shape" and layer.max_inputs == 0:
            continue  # where data enters, the shape line below says the same
        short = ABBREVIATIONS.get(p.name, p.name)
        parts.append(f"{short} {format_value(p, params[p.name])}".strip())
    return " · ".join(parts)


def compact_count(n: int) -> str:
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1000:.1f}k".replace(".0k", "k")
    return f"{n / 1_000_000:.2f}M"


@lru_cache(maxsize=None)
def _body_paths() -> tuple[QPainterPath, QPainterPath]:
    body = QPainterPath()
    rect = QRectF(-WIDTH / 2, -HEIGHT / 2, WIDTH, HEIGHT)
    body.addRoundedRect(rect, RADIUS, RADIUS)
    top = QPainterPath()
    top.addRect(QRectF(rect.left(), rect.top(), WIDTH, HEADER))
    return body, body.intersected(top)


class ShapeLineItem(QGraphicsItem):
    """The card's last line: output shape and parameter count, or what is wrong."""

    RECT = QRectF(-WIDTH / 2 + PAD, HEIGHT / 2 - 30, WIDTH - 2 * PAD, 24)

    def __init__(self, parent: "NodeItem"):
        super().__init__(parent)
        self.text = ""
        self.count = ""
        self.status = "waiting"
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def show(self, text: str, count: str, status: str) -> None:
        if (text, count, status) != (self.text, self.count, self.status):
            self.text, self.count, self.status = text, count, status
            self.update()

    def boundingRect(self) -> QRectF:
        return self.RECT

    def paint(self, painter, option, widget=None) -> None:
        if lod(painter) < LOD_TEXT:
            return
        t = theme.current()
        align = Qt.AlignmentFlag.AlignVCenter
        if self.status == "ok":
            painter.setPen(t.colour("text"))
            painter.setFont(fonts()["shape"])
            painter.drawText(self.RECT, align | Qt.AlignmentFlag.AlignLeft, self.text)
            painter.setPen(t.colour("text_dim"))
            painter.setFont(fonts()["count"])
            painter.drawText(self.RECT, align | Qt.AlignmentFlag.AlignRight, self.count)
        else:
            painter.setPen(t.colour("error") if self.status == "error" else t.colour("text_dim"))
            painter.setFont(fonts()["params"])
            painter.drawText(self.RECT, align | Qt.AlignmentFlag.AlignLeft, self.text)


class NodeItem(QGraphicsItem):
    """One document node. Its position is the centre of the card, as stored in the document."""

    def __init__(self, node_id: str, layer: LayerKind, params: dict[str, Any]):
        super().__init__()
        self.node_id = node_id
        self.layer = layer
        self.info: NodeInfo | None = None
        self.tint: QColor | None = None
        self.frozen = False  # drawn as a lock: training leaves its weights alone
        self.edges: list = []  # EdgeItems touching this node, kept by the scene
        self._params_text: str | None = None
        self._glyph = theme.glyph(layer.glyph, layer.name)
        self._status = "waiting"
        self._hovered = False
        self._id_text = self._elided_id()
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.shape_line = ShapeLineItem(self)
        self.output_port = PortItem(self, is_input=False)
        self.output_port.setPos(0, HEIGHT / 2)
        self.input_ports: list[PortItem] = []
        self.setOpacity(0.5)
        self.set_params(params)

    # What the scene tells it --------------------------------------------------------------------

    def set_params(self, params: dict[str, Any]) -> None:
        text = metrics("params").elidedText(params_summary(self.layer, params), Qt.TextElideMode.ElideRight,
                                            WIDTH - 2 * PAD)
        if text != self._params_text:
            self._params_text = text
            # Without parameters the shape line moves up into the middle of the card.
            self.shape_line.setY(0 if text else -11)
            self.update()

    def set_frozen(self, frozen: bool) -> None:
        """Show (or stop showing) the lock of a frozen layer."""
        if bool(frozen) != self.frozen:
            self.frozen = bool(frozen)
            if self._hovered:
                self.setToolTip(self.tooltip_html())
            self.update()

    def set_node_id(self, node_id: str) -> None:
        """The document renamed this node: show its new id."""
        self.node_id = node_id
        self._id_text = self._elided_id()
        if self._hovered:
            self.setToolTip(self.tooltip_html())
        self.update()

    def _elided_id(self) -> str:
        room = WIDTH - 2 * PAD - 30 - metrics("kind").horizontalAdvance(self.layer.name)
        return metrics("id").elidedText(self.node_id, Qt.TextElideMode.ElideLeft, room)

    def set_info(self, info: NodeInfo | None) -> bool:
        """Show a new inference result; returns whether anything changed."""
        if info == self.info:
            return False
        self.info = info
        status = info.status if info is not None else "waiting"
        if status == "ok":
            text = str(info.output)
            count = f"{compact_count(info.params)} params" if info.params else ""
            room = WIDTH - 2 * PAD - 8
            if metrics("shape").horizontalAdvance(text) + metrics("count").horizontalAdvance(count) > room:
                count = compact_count(info.params) if info.params else ""  # "2.3k": the tooltip says more
            room -= metrics("count").horizontalAdvance(count)
            if metrics("shape").horizontalAdvance(text) > room:
                text = metrics("shape").elidedText(text, Qt.TextElideMode.ElideRight, room)
        else:
            count = ""
            message = info.message if info is not None else "not inferred yet"
            text = ("⚠ " if status == "error" else "… ") + _short_problem(message, self.node_id)
            text = metrics("params").elidedText(text, Qt.TextElideMode.ElideRight, WIDTH - 2 * PAD)
        self.shape_line.show(text, count, status)
        if status != self._status:
            if "error" in (status, self._status):
                self.update()  # the card turns red, or back
            self._status = status
            self.setOpacity(0.5 if status == "waiting" else 1.0)
        if self._hovered:
            self.setToolTip(self.tooltip_html())
        return True

    def set_tint(self, colour: QColor | None) -> None:
        if colour == self.tint or (colour is not None and self.tint is not None and colour.rgba() == self.tint.rgba()):
            return
        self.tint = QColor(colour) if colour is not None else None
        self.update()

    def set_input_ports(self, indices: list[int], wired: set[int]) -> None:
        """Show one input port per entry of ``indices`` (document port numbers), left to right."""
        while len(self.input_ports) > len(indices):
            port = self.input_ports.pop()
            if port.scene() is not None:
                port.scene().removeItem(port)
        while len(self.input_ports) < len(indices):
            self.input_ports.append(PortItem(self, is_input=True))
        step = WIDTH / (len(indices) + 1)
        for i, (port, index) in enumerate(zip(self.input_ports, indices)):
            port.index = index
            port.set_wired(index in wired)
            port.setPos(-WIDTH / 2 + step * (i + 1), -HEIGHT / 2)

    def input_port(self, index: int) -> PortItem | None:
        for port in self.input_ports:
            if port.index == index:
                return port
        return None

    def input_anchor(self, index: int) -> QPointF:
        port = self.input_port(index)
        return port.scenePos() if port is not None else self.mapToScene(QPointF(0, -HEIGHT / 2))

    def output_anchor(self) -> QPointF:
        return self.output_port.scenePos()

    @property
    def status(self) -> str:
        return self._status

    @property
    def line_text(self) -> str:
        """The card's last line as painted: the output shape, or the problem."""
        return self.shape_line.text

    def tooltip_html(self) -> str:
        head = f"<b>{self.layer.name} '{self.node_id}'</b>"
        info = self.info
        if info is None or info.status != "ok":
            message = info.message if info is not None else "not inferred yet"
            colour = theme.current().error if info is not None and info.status == "error" else theme.current().text_dim
            return f"{head}<br><span style='color:{colour}'>{_html(message)}</span>"
        ins = ", ".join(str(s) for s in info.inputs) or "none"
        counted = (f"{info.params:,} parameters, <b>frozen</b>: training leaves them as they are" if self.frozen
                   else f"{info.params:,} trainable parameters")
        return (f"{head}<br>{_html(self.layer.help)}<br><br>in {_html(ins)} → out <b>{_html(str(info.output))}</b>"
                f"<br>{counted}")

    # Qt ---------------------------------------------------------------------------------------

    def hoverEnterEvent(self, event) -> None:
        self._hovered = True
        self.setToolTip(self.tooltip_html())  # built when someone looks, not on every edit
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hovered = False
        super().hoverLeaveEvent(event)

    def boundingRect(self) -> QRectF:
        return QRectF(-WIDTH / 2 - GLOW, -HEIGHT / 2 - GLOW, WIDTH + 2 * GLOW, HEIGHT + 2 * GLOW)

    def shape(self) -> QPainterPath:
        return _body_paths()[0]

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.adjust()
        return super().itemChange(change, value)

    def paint(self, painter, option, widget=None) -> None:
        t = theme.current()
        body, header = _body_paths()
        error = self._status == "error"
        rect = QRectF(-WIDTH / 2, -HEIGHT / 2, WIDTH, HEIGHT)
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        if self.tint is not None:
            painter.setPen(QPen(self.tint, GLOW))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-GLOW / 2, -GLOW / 2, GLOW / 2, GLOW / 2), RADIUS + 2, RADIUS + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(t.colour("error_fill") if error else t.colour("node"))
        painter.drawPath(body)
        if self.tint is not None:
            wash = QColor(self.tint)
            wash.setAlpha(70)
            painter.setBrush(wash)
            painter.drawPath(body)
        painter.setBrush(t.colour("error") if error else theme.group_colour(self.layer.group))
        painter.drawPath(header)
        if self.isSelected():
            border = QPen(t.colour("accent"), 3)
        elif error:
            border = QPen(t.colour("error"), 2)
        else:
            border = QPen(t.colour("node_border"), 1)
        painter.setPen(border)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(body)
        if lod(painter) < LOD_TEXT:
            return

        f = fonts()
        white = QColor("#ffffff")
        left = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        head = QRectF(rect.left() + PAD, rect.top(), WIDTH - 2 * PAD, HEADER)
        painter.setPen(white)
        painter.setFont(f["glyph"])
        painter.drawText(head, left, self._glyph)
        painter.setFont(f["kind"])
        painter.drawText(head.adjusted(22, 0, 0, 0), left, self.layer.name)
        painter.setFont(f["id"])
        faded = QColor(white)
        faded.setAlpha(215)
        painter.setPen(faded)
        painter.drawText(head, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, self._id_text)
        if self._params_text:
            painter.setPen(t.colour("text_dim"))
            painter.setFont(f["params"])
            room = WIDTH - 2 * PAD - (LOCK_ROOM if self.frozen else 0)
            painter.drawText(QRectF(rect.left() + PAD, rect.top() + HEADER + 5, room, 20), left,
                             metrics("params").elidedText(self._params_text, Qt.TextElideMode.ElideRight, room))
        if self.frozen:
            draw_lock(painter, QPointF(rect.right() - PAD - 6, rect.top() + HEADER + 15), t.colour("accent"))


LOCK_ROOM = 18  # px of the parameter line the lock of a frozen layer takes


def draw_lock(painter, centre: QPointF, colour: QColor) -> None:
    """A padlock about 12 px wide centred on ``centre``: a frozen layer's mark."""
    painter.save()
    painter.setPen(QPen(colour, 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(centre.x() - 4, centre.y() - 9, 8, 10), 0, 180 * 16)
    painter.drawLine(QPointF(centre.x() - 4, centre.y() - 4), QPointF(centre.x() - 4, centre.y() - 1))
    painter.drawLine(QPointF(centre.x() + 4, centre.y() - 4), QPointF(centre.x() + 4, centre.y() - 1))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(QRectF(centre.x() - 6, centre.y() - 1, 12, 9), 2, 2)
    painter.restore()


def _short_problem(message: str, node_id: str) -> str:
    # Messages start "Kind 'id' ..."; on the card the kind and id are already in the header.
    marker = f"'{node_id}' "
    at = message.find(marker)
    return message[at + len(marker):] if 0 <= at < 40 else message


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
