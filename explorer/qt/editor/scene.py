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
from PySide6.QtWidgets import QApplication, QGraphicsScene, QToolTip

from ...graph import Document, Edge
from .. import theme
from .edge_item import DraftWireItem, EdgeItem
from .node_item import NodeItem
from .port_item import PortItem

GRID = 24.0
LIFT_REACH = 24.0  # a press on a wire this close to its input end lifts it, like a press on the port
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
        self._drag: tuple[PortItem, DraftWireItem] | None = None
        self._drag_target: PortItem | NodeItem | None = None
        self._lifted: Edge | None = None   # the wire whose input end is being dragged
        self._press_pos = QPointF()
        self._moved = False  # the pointer went further than a click since the press
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
                (doc.node_renamed, self._on_node_renamed),
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

    def _on_node_moved(self, node_id: str) -> None:
        pos = self._doc.node(node_id).pos
        item = self.nodes[node_id]
        if pos is not None and item.pos() != QPointF(*pos):
            item.setPos(QPointF(*pos))

    def _on_node_renamed(self, old: str, new: str) -> None:
        # The same items stay (so selection and position do); only their keys and edges are renamed.
        if self._lifted is not None and old in (self._lifted.src, self._lifted.dst):
            self._cancel_drag()
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
        if edge == self._lifted:
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

    def _item_at(self, pos: QPointF):
        """The port, or else the node, under ``pos`` (ignoring the draft wire)."""
        node = None
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
            if node is None and isinstance(item, NodeItem):
                node = item
        return node

    def _wired_edge_at(self, pos: QPointF, target) -> Edge | None:
        """The wire a press at ``pos`` would lift: the one on a wired input port, or one ending nearby."""
        if isinstance(target, PortItem):
            if not (target.is_input and target.wired):
                return None
            return next((e for e in self._doc.inputs_of(target.node_id) if e.port == target.index), None)
        if target is not None:
            return None
        for item in self.items(pos):
            if isinstance(item, EdgeItem):
                end = item.dst_item.input_anchor(item.edge.port)
                if (end - pos).manhattanLength() <= LIFT_REACH:
                    return item.edge
        return None

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._doc is not None:
            target = self._item_at(event.scenePos())
            lifted = self._wired_edge_at(event.scenePos(), target)
            if isinstance(target, PortItem) or lifted is not None:
                event.accept()
                if self.editing_locked:
                    self._refuse(LOCKED_REASON, event)
                    return
                self._press_pos, self._moved = event.scenePos(), False
                if lifted is not None:
                    self._lift(lifted, event.scenePos())
                    return
                anchor = target.scenePos()
                draft = DraftWireItem(anchor, from_output=not target.is_input)
                self.addItem(draft)
                self._drag = (target, draft)
                return
            super().mousePressEvent(event)
            if isinstance(target, NodeItem):
                self.node_clicked.emit(target.node_id)
            return
        super().mousePressEvent(event)

    def _lift(self, edge: Edge, pos: QPointF) -> None:
        """Start dragging ``edge``'s input end: the wire hides and a draft follows the pointer."""
        start = self.nodes[edge.src].output_port
        draft = DraftWireItem(start.scenePos(), from_output=True)
        draft.move_to(pos)
        self.addItem(draft)
        self._drag = (start, draft)
        self._lifted = edge
        self.edges[(edge.src, edge.dst)].setVisible(False)
        port = self.nodes[edge.dst].input_port(edge.port)
        if port is not None:
            port.set_wired(False)

    def mouseMoveEvent(self, event) -> None:
        if self._drag is None:
            super().mouseMoveEvent(event)
            return
        event.accept()
        start, draft = self._drag
        if (event.scenePos() - self._press_pos).manhattanLength() >= QApplication.startDragDistance():
            self._moved = True
        draft.move_to(event.scenePos())
        target = self._item_at(event.scenePos())
        if target is not self._drag_target:
            self._set_drag_target(target)
        wire = self._wire_for(start, target)
        draft.set_state(None if wire is None else ("bad" if self._refusal(wire) else "good"))

    def mouseReleaseEvent(self, event) -> None:
        if self._drag is None:
            super().mouseReleaseEvent(event)
            self._report_moves()
            return
        event.accept()
        start, _ = self._drag
        lifted = self._lifted
        target = self._item_at(event.scenePos())
        self._cancel_drag()
        if lifted is not None and not self._moved:
            self._select_edge(lifted)  # a click, not a drag: select the wire as a click on it would
            return
        wire = self._wire_for(start, target)
        if wire is None:
            if lifted is not None:
                self.wire_detached.emit(lifted)
            return
        error = self._doc.can_connect(*wire, ignoring=lifted)
        if error is not None:
            self._refuse(error.message, event)
            return
        src, dst, port = wire
        if lifted is not None:
            if self._doc.check_connect(src, dst, port, ignoring=lifted) != lifted.port or dst != lifted.dst:
                self.wire_rerouted.emit(lifted, dst, port)
            return
        self.wire_requested.emit(src, dst, self._doc.check_connect(src, dst, port))

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self._drag is not None:
            self._cancel_drag()
            event.accept()
            return
        super().keyPressEvent(event)

    def _wire_for(self, start: PortItem, target) -> tuple[str, str, int | None] | None:
        """(src, dst, port) for a drag from ``start`` released on ``target`` (a port or a node body)."""
        if target is None:
            return None
        def port_of(port: PortItem) -> int | None:
            # A one-input layer has one port: let the document pick it and explain a refusal in full.
            return None if port.node_item.layer.max_inputs == 1 else port.index

        target_id = target.node_id
        if start.is_input:
            return target_id, start.node_id, port_of(start)
        if isinstance(target, PortItem) and target.is_input:
            return start.node_id, target_id, port_of(target)
        return start.node_id, target_id, None

    def _set_drag_target(self, target) -> None:
        if isinstance(self._drag_target, PortItem):
            self._drag_target.set_highlight(None)
        self._drag_target = target
        if isinstance(target, PortItem) and self._drag is not None:
            wire = self._wire_for(self._drag[0], target)
            target.set_highlight("bad" if self._refusal(wire) else "good")

    def _refusal(self, wire: tuple[str, str, int | None]):
        """Why the dragged wire cannot be made (a lifted wire is checked as if already gone), or None."""
        return self._doc.can_connect(*wire, ignoring=self._lifted)

    def _select_edge(self, edge: Edge) -> None:
        item = self.edges.get((edge.src, edge.dst))
        if item is not None:
            self.clearSelection()
            item.setSelected(True)

    def _cancel_drag(self) -> None:
        self._set_drag_target(None)
        if self._drag is not None:
            self.removeItem(self._drag[1])
            self._drag = None
        lifted, self._lifted = self._lifted, None
        if lifted is not None:  # show it again; if the drop moves or removes it, the document says so next
            item = self.edges.get((lifted.src, lifted.dst))
            if item is not None:
                item.setVisible(True)
            if lifted.dst in self.nodes:
                self._update_ports(lifted.dst)

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
