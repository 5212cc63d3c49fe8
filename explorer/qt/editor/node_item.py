"""A layer on the canvas: kind, id, key parameters, output shape, parameter count and ports.

A :class:`NodeItem` only shows what the document and its shape report say; the scene calls
:meth:`NodeItem.set_params` and :meth:`NodeItem.set_info` when they change, and those recompute
the few strings painted, so a repaint never re-reads the document.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from ...graph import LayerKind, NodeInfo
from .. import theme
from .port_item import PortItem

WIDTH = 204.0
HEIGHT = 84.0
HEADER = 28.0
PAD = 10.0
RADIUS = 8.0
GLOW = 6.0  # room outside the body for the selection and tint outlines

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
    return {"kind": make(16, bold=True), "id": make(12), "params": make(13), "shape": make(15, bold=True, mono=True),
            "count": make(12), "glyph": make(17, bold=True)}


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
        short = ABBREVIATIONS.get(p.name, p.name)
        value = format_value(p, params[p.name])
        parts.append(f"{short} {value}".strip())
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


class NodeItem(QGraphicsItem):
    """One document node. Its position is the centre of the card, as stored in the document."""

    def __init__(self, node_id: str, layer: LayerKind, params: dict[str, Any]):
        super().__init__()
        self.node_id = node_id
        self.layer = layer
        self.info: NodeInfo | None = None
        self.tint: QColor | None = None
        self.edges: list = []  # EdgeItems touching this node, kept by the scene
        self._params_text = ""
        self._line = ""          # second body line: shape, or the problem
        self._count = ""
        self._status = "waiting"
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.output_port = PortItem(self, is_input=False)
        self.output_port.setPos(0, HEIGHT / 2)
        self.input_ports: list[PortItem] = []
        self.set_params(params)

    # What the scene tells it --------------------------------------------------------------------

    def set_params(self, params: dict[str, Any]) -> None:
        metrics = QFontMetricsF(fonts()["params"])
        text = metrics.elidedText(params_summary(self.layer, params), Qt.TextElideMode.ElideRight, WIDTH - 2 * PAD)
        if text != self._params_text:
            self._params_text = text
            self.update()

    def set_info(self, info: NodeInfo | None) -> bool:
        """Show a new inference result; returns whether anything visible changed."""
        if info == self.info:
            return False
        self.info = info
        status = info.status if info is not None else "waiting"
        count = ""
        if status == "ok":
            count = f"{compact_count(info.params)} params" if info.params else ""
            line = str(info.output)
            font = fonts()["shape"]
            room = WIDTH - 2 * PAD - QFontMetricsF(fonts()["count"]).horizontalAdvance(count) - 8
        else:
            message = info.message if info is not None else "not inferred yet"
            line = ("⚠ " if status == "error" else "… ") + _short_problem(message, self.node_id)
            font, room = fonts()["params"], WIDTH - 2 * PAD
        self._line = QFontMetricsF(font).elidedText(line, Qt.TextElideMode.ElideRight, room)
        self._count = count
        self._status = status
        self.setOpacity(0.5 if status == "waiting" else 1.0)
        self.setToolTip(self._tooltip())
        self.update()
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
            port.setParentItem(None)
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
        """The second body line as painted: the output shape, or the problem."""
        return self._line

    # Qt ---------------------------------------------------------------------------------------

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
            glow = QColor(self.tint)
            painter.setPen(QPen(glow, GLOW, Qt.PenStyle.SolidLine))
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

        f = fonts()
        white = QColor("#ffffff")
        head = QRectF(rect.left() + PAD, rect.top(), WIDTH - 2 * PAD, HEADER)
        painter.setPen(white)
        painter.setFont(f["glyph"])
        painter.drawText(head, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.layer.glyph)
        painter.setFont(f["kind"])
        kind_rect = head.adjusted(22, 0, 0, 0)
        painter.drawText(kind_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.layer.name)
        kind_width = QFontMetricsF(f["kind"]).horizontalAdvance(self.layer.name)
        painter.setFont(f["id"])
        faded = QColor(white)
        faded.setAlpha(215)
        painter.setPen(faded)
        id_rect = kind_rect.adjusted(kind_width + 8, 0, 0, 0)
        id_text = QFontMetricsF(f["id"]).elidedText(self.node_id, Qt.TextElideMode.ElideLeft, id_rect.width())
        painter.drawText(id_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, id_text)

        line1 = QRectF(rect.left() + PAD, rect.top() + HEADER + 5, WIDTH - 2 * PAD, 20)
        line2 = QRectF(rect.left() + PAD, line1.bottom() + 3, WIDTH - 2 * PAD, 22)
        painter.setPen(t.colour("text_dim"))
        painter.setFont(f["params"])
        painter.drawText(line1, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self._params_text)
        if self._status == "ok":
            painter.setPen(t.colour("text"))
            painter.setFont(f["shape"])
            painter.drawText(line2, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self._line)
            painter.setPen(t.colour("text_dim"))
            painter.setFont(f["count"])
            painter.drawText(line2, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, self._count)
        else:
            painter.setPen(t.colour("error") if error else t.colour("text_dim"))
            painter.setFont(f["params"])
            painter.drawText(line2, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self._line)

    def _tooltip(self) -> str:
        head = f"<b>{self.layer.name} '{self.node_id}'</b>"
        info = self.info
        if info is None or info.status != "ok":
            message = info.message if info is not None else "not inferred yet"
            colour = theme.current().error if info is not None and info.status == "error" else theme.current().text_dim
            return f"{head}<br><span style='color:{colour}'>{_html(message)}</span>"
        ins = ", ".join(str(s) for s in info.inputs) or "none"
        return (f"{head}<br>{_html(self.layer.help)}<br><br>in {_html(ins)} → out <b>{_html(str(info.output))}</b>"
                f"<br>{info.params:,} trainable parameters")


def _short_problem(message: str, node_id: str) -> str:
    # Messages start "Kind 'id' ..."; on the card the kind and id are already in the header.
    marker = f"'{node_id}' "
    at = message.find(marker)
    return message[at + len(marker):] if 0 <= at < 40 else message


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
