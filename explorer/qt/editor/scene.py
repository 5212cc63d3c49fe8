"""The canvas scene: follows the document's signals and turns mouse gestures into edit requests.

Items are created and removed only in response to document events (``node_added``,
``edge_removed``...). Shapes are re-read from the document's cached :class:`ShapeReport` once per
change (or once per :meth:`GraphScene.batch`), and only the items whose labels changed repaint.
The scene never edits the document itself: a finished wire drag emits ``wire_requested``, a wire
lifted off its input and dropped emits ``wire_rerouted`` or ``wire_detached``, and a finished move
emits ``nodes_moved``; the editor turns them into undo commands.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsScene, QToolTip

from ...graph import Document, Edge
from .. import theme
from .edge_item import EdgeItem
from .node_item import NodeItem
from .port_item import PortItem
from .wire_drag import WireDrag, item_at, wire_for, wire_to_lift

GRID = 24.0
LOCKED_REASON = "Training is running: stop it to change the network (moving layers is still fine)"


@lru_cache(maxsize=4)
def _grid_brush(canvas: str, grid: str) -> QBrush:
    """A dot every GRID scene units, as a tiled texture: one fill per repaint, however many dots."""
    size = int(GRID)
    tile = QPixmap(size, size)
    tile.fill(QColor(canvas))
    painter = QPainter(tile)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(grid))
    painter.drawEllipse(QPointF(0, 0), 1.3, 1.3)
    painter.drawEllipse(QPointF(size, 0), 1.3, 1.3)
    painter.drawEllipse(QPointF(0, size), 1.3, 1.3)
    painter.drawEllipse(QPointF(size, size), 1.3, 1.3)
    painter.end()
    return QBrush(tile)


class GraphScene(QGraphicsScene):
    node_clicked = Signal(str)             # a node was pressed (the training panel picks feature maps)
    wire_requested = Signal(str, str, int)  # src, dst, port: checked with the document, ready to push
    wire_refused = Signal(str)             # the reason a dragged wire was not made
    wire_rerouted = Signal(object, str, object)  # Edge, new dst, port or None: checked, ready to push
    wire_detached = Signal(object)         # an Edge lifted off its input and dropped on empty canvas
    nodes_moved = Signal(dict)             # {node_id: (old_pos, new_pos)} after a drag
    shapes_refreshed = Signal()            # labels now show the latest shape report

    def __init__(self, parent=None):
        super().__init__(parent)
        self._doc: Document | None = None
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple[str, str], EdgeItem] = {}
        self.editing_locked = False
        self._batch_depth = 0
        self._dirty = False
        self._drag: WireDrag | None = None
        self.setSceneRect(QRectF(-20000, -20000, 40000, 40000))

    # Following the document ----------------------------------------------------------------------

    @property
    def document(self) -> Document | None:
        return self._doc

    def set_document(self, doc: Document) -> None:
        """Show ``doc`` (replacing whatever was shown) and follow its changes."""
        self._cancel_drag()
        if self._doc is not None:
            for signal, slot in self._subscriptions(self._doc):
                signal.disconnect(slot)
        for item in list(self.edges.values()) + list(self.nodes.values()):
            self.removeItem(item)
        self.nodes.clear()
        self.edges.clear()
        self._doc = doc
        with self.batch():
            for node in doc.nodes():
                self._on_node_added(node.id)
            for edge in doc.edges():
                self._on_edge_added(edge)
            self._dirty = True
        for signal, slot in self._subscriptions(doc):
            signal.connect(slot)

    def _subscriptions(self, doc: Document):
        return [(doc.node_added, self._on_node_added), (doc.node_removed, self._on_node_removed),
                (doc.node_changed, self._on_node_changed), (doc.node_moved, self._on_node_moved),
                (doc.node_renamed, self._on_node_renamed), (doc.node_frozen, self._on_node_frozen),
                (doc.edge_added, self._on_edge_added), (doc.edge_removed, self._on_edge_removed),
                (doc.changed, self._on_document_changed)]

    @contextmanager
    def batch(self):
        """Several document edits, one shape refresh at the end."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._dirty:
                self.refresh_shapes()

    def _on_document_changed(self) -> None:
        self._dirty = True
        if self._batch_depth == 0:
            self.refresh_shapes()

    def refresh_shapes(self) -> None:
        """Re-read the shape report; only items whose text changed are repainted."""
        self._dirty = False
        if self._doc is None:
            return
        report = self._doc.infer()
        for node_id, item in self.nodes.items():
            item.set_info(report.nodes.get(node_id))
        for edge_item in self.edges.values():
            info = report.nodes.get(edge_item.edge.src)
            edge_item.set_label(str(info.output) if info is not None and info.status == "ok" else "")
        self.shapes_refreshed.emit()

    def _on_node_added(self, node_id: str) -> None:
        node = self._doc.node(node_id)
        item = NodeItem(node_id, node.layer, node.params)
        item.set_frozen(node.frozen)
        if node.pos is not None:
            item.setPos(QPointF(*node.pos))
        self.addItem(item)
        self.nodes[node_id] = item
        self._update_ports(node_id)

    def _on_node_removed(self, node_id: str) -> None:
        item = self.nodes.pop(node_id, None)
        if item is not None:
            self.removeItem(item)  # before Python drops it (nodeeditor PR #117)

    def _on_node_changed(self, node_id: str) -> None:
        self.nodes[node_id].set_params(self._doc.node(node_id).params)

    def _on_node_frozen(self, node_id: str) -> None:
        self.nodes[node_id].set_frozen(self._doc.node(node_id).frozen)

    def _on_node_moved(self, node_id: str) -> None:
        pos = self._doc.node(node_id).pos
        item = self.nodes[node_id]
        if pos is not None and item.pos() != QPointF(*pos):
            item.setPos(QPointF(*pos))

    def _on_node_renamed(self, old: str, new: str) -> None:
        # The same items stay (so selection and position do); only their keys and edges are renamed.
        if self._drag is not None:
            self._cancel_drag()  # its items may name the old id
        item = self.nodes[old]
        item.set_node_id(new)
        renamed = [(new if key == old else key, value) for key, value in self.nodes.items()]
        self.nodes.clear()
        self.nodes.update(renamed)  # in place and in order: others may hold this dict
        for edge_item in item.edges:
            edge = edge_item.edge
            edge_item.edge = self._doc.edge_between(new if edge.src == old else edge.src,
                                                    new if edge.dst == old else edge.dst)
        rekeyed = [((e.edge.src, e.edge.dst), e) for e in self.edges.values()]
        self.edges.clear()
        self.edges.update(rekeyed)

    def _on_edge_added(self, edge: Edge) -> None:
        src, dst = self.nodes[edge.src], self.nodes[edge.dst]
        self._update_ports(edge.dst)
        item = EdgeItem(edge, src, dst)
        src.edges.append(item)
        dst.edges.append(item)
        self.addItem(item)
        self.edges[(edge.src, edge.dst)] = item  # labelled by the refresh that follows every change

    def _on_edge_removed(self, edge: Edge) -> None:
        if self._drag is not None and edge == self._drag.lifted:
            self._cancel_drag()  # an undo under the pointer took the lifted wire away
        item = self.edges.pop((edge.src, edge.dst), None)
        if item is None:
            return
        for end in (item.src_item, item.dst_item):
            if item in end.edges:
                end.edges.remove(item)
        self.removeItem(item)
        if edge.dst in self.nodes:
            self._update_ports(edge.dst)

    def _update_ports(self, node_id: str) -> None:
        """Inputs by arity: fixed arity shows every port; open arity shows the wired ones plus one free."""
        item = self.nodes[node_id]
        limit = item.layer.max_inputs
        wired = {e.port for e in self._doc.inputs_of(node_id)}
        if limit is not None and limit <= 4:
            indices = list(range(limit))
        else:
            free = next(p for p in range(len(wired) + 1) if p not in wired)
            indices = sorted(wired | ({free} if limit is None or len(wired) < limit else set()))
        item.set_input_ports(indices, wired)
        for edge in item.edges:
            edge.adjust()

    # Views and the training panel ------------------------------------------------------------------

    def set_node_tint(self, node_id: str, colour: QColor | None) -> None:
        """Wash a node in ``colour`` (e.g. by gradient magnitude); ``None`` removes the tint."""
        item = self.nodes.get(node_id)
        if item is not None:
            item.set_tint(colour)

    def selected_node_ids(self) -> list[str]:
        chosen = {i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)}
        return [n for n in self.nodes if n in chosen]

    def selected_edges(self) -> list[Edge]:
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        for node_id in node_ids:
            if node_id in self.nodes:
                self.nodes[node_id].setSelected(True)

    def nodes_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    def refresh_theme(self) -> None:
        for item in list(self.nodes.values()) + list(self.edges.values()):
            item.update()
        self.update()

    # Drawing ------------------------------------------------------------------------------------

    def drawBackground(self, painter, rect: QRectF) -> None:
        t = theme.current()
        painter.fillRect(rect, t.colour("canvas"))
        if painter.worldTransform().m11() >= 0.45:  # dots closer than ~11 px on screen are noise
            painter.fillRect(rect, _grid_brush(t.canvas, t.grid))

    # Gestures -----------------------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._doc is not None:
            pos = event.scenePos()
            target = item_at(self, pos)
            lifted = wire_to_lift(self, pos, target)
            if isinstance(target, PortItem) or lifted is not None:
                event.accept()
                if self.editing_locked:
                    self._refuse(LOCKED_REASON, event)
                    return
                start = self.nodes[lifted.src].output_port if lifted is not None else target
                self._drag = WireDrag(self, start, pos, lifted)
                return
            super().mousePressEvent(event)
            if isinstance(target, NodeItem):
                self.node_clicked.emit(target.node_id)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._drag is None:
            super().mouseMoveEvent(event)
            return
        event.accept()
        self._drag.move(event.scenePos())

    def mouseReleaseEvent(self, event) -> None:
        if self._drag is None:
            super().mouseReleaseEvent(event)
            self._report_moves()
            return
        event.accept()
        drag = self._drag
        self._cancel_drag()
        lifted = drag.lifted
        if lifted is not None and not drag.moved:
            self._select_edge(lifted)  # a click, not a drag: select the wire as a click on it would
            return
        wire = wire_for(drag.start, item_at(self, event.scenePos()))
        if wire is None:
            if lifted is not None:
                self.wire_detached.emit(lifted)
            return
        error = drag.refusal(wire)
        if error is not None:
            self._refuse(error.message, event)
            return
        src, dst, port = wire
        if lifted is None:
            self.wire_requested.emit(src, dst, self._doc.check_connect(src, dst, port))
        elif Edge(src, dst, self._doc.check_connect(src, dst, port, ignoring=lifted)) != lifted:
            self.wire_rerouted.emit(lifted, dst, port)  # else it was dropped back where it was

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self._drag is not None:
            self._cancel_drag()
            event.accept()
            return
        super().keyPressEvent(event)

    def _select_edge(self, edge: Edge) -> None:
        item = self.edges.get((edge.src, edge.dst))
        if item is not None:
            self.clearSelection()
            item.setSelected(True)

    def _cancel_drag(self) -> None:
        drag, self._drag = self._drag, None
        if drag is not None:
            drag.finish()

    def _refuse(self, reason: str, event) -> None:
        widget = event.widget()
        QToolTip.showText(event.screenPos(), reason, widget)
        self.wire_refused.emit(reason)

    def _report_moves(self) -> None:
        if self._doc is None:
            return
        moves = {}
        for item in self.selectedItems():
            if isinstance(item, NodeItem) and self._doc.has_node(item.node_id):
                old = self._doc.node(item.node_id).pos
                new = (round(item.pos().x(), 1), round(item.pos().y(), 1))
                if old is None or (round(old[0], 1), round(old[1], 1)) != new:
                    moves[item.node_id] = (old, new)
        if moves:
            self.nodes_moved.emit(moves)
