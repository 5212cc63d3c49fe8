"""A wire being dragged on the canvas: a new one from a port, or a wired input's end lifted off.

The drag asks the document whether the wire under the pointer may be made (a lifted wire is checked
as if it were already gone) and paints the answer on the draft and the port; the scene decides what
the drop means and emits it. Nothing here edits the document.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from ...graph import Edge, GraphError
from .edge_item import DraftWireItem, EdgeItem
from .node_item import NodeItem
from .port_item import PortItem

LIFT_REACH = 24.0  # a press on a wire this close to its input end lifts it, like a press on the port

Wire = tuple[str, str, "int | None"]  # (src, dst, port or None: the document picks)


def item_at(scene, pos: QPointF) -> PortItem | NodeItem | None:
    """The port, or else the node, under ``pos`` (ignoring wires and the draft)."""
    node = None
    for item in scene.items(pos):
        if isinstance(item, PortItem):
            return item
        if node is None and isinstance(item, NodeItem):
            node = item
    return node


def wire_to_lift(scene, pos: QPointF, target) -> Edge | None:
    """The wire a press at ``pos`` lifts: the one on a wired input port, or one ending just there."""
    if isinstance(target, PortItem):
        if not (target.is_input and target.wired):
            return None
        return next((e for e in scene.document.inputs_of(target.node_id) if e.port == target.index), None)
    if target is not None:
        return None  # a press on a node's body moves the node
    for item in scene.items(pos):
        if isinstance(item, EdgeItem):
            end = item.dst_item.input_anchor(item.edge.port)
            if (end - pos).manhattanLength() <= LIFT_REACH:
                return item.edge
    return None


def wire_for(start: PortItem, target) -> Wire | None:
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


class WireDrag:
    """One drag in progress: its start port, the dashed draft, and the wire it lifted (if any).

    While a wire is lifted its item is hidden and its port shows free; :meth:`finish` shows them
    again, and the document's events then move or remove the wire if the drop changed it.
    """

    def __init__(self, scene, start: PortItem, pos: QPointF, lifted: Edge | None = None):
        self.scene, self.start, self.lifted = scene, start, lifted
        self.press_pos = pos
        self.moved = False  # further than a click since the press
        self.target: PortItem | NodeItem | None = None
        self.draft = DraftWireItem(start.scenePos(), from_output=not start.is_input)
        self.draft.move_to(pos)
        scene.addItem(self.draft)
        if lifted is not None:
            scene.edges[(lifted.src, lifted.dst)].setVisible(False)
            self._set_port_wired(False)

    def refusal(self, wire: Wire) -> GraphError | None:
        """Why ``wire`` cannot be made, or ``None``."""
        return self.scene.document.can_connect(*wire, ignoring=self.lifted)

    def move(self, pos: QPointF) -> None:
        """Follow the pointer and show whether a drop here would be accepted."""
        if (pos - self.press_pos).manhattanLength() >= QApplication.startDragDistance():
            self.moved = True
        self.draft.move_to(pos)
        target = item_at(self.scene, pos)
        if target is not self.target:
            self._set_target(target)
        wire = wire_for(self.start, target)
        self.draft.set_state(None if wire is None else ("bad" if self.refusal(wire) else "good"))

    def finish(self) -> None:
        """Remove the draft and show the lifted wire again (the drop, if any, is applied after)."""
        self._set_target(None)
        self.scene.removeItem(self.draft)
        if self.lifted is not None:
            item = self.scene.edges.get((self.lifted.src, self.lifted.dst))
            if item is not None:
                item.setVisible(True)
            self._set_port_wired(self.scene.document.edge_between(self.lifted.src, self.lifted.dst) == self.lifted)

    def _set_port_wired(self, wired: bool) -> None:
        node = self.scene.nodes.get(self.lifted.dst)
        port = node.input_port(self.lifted.port) if node is not None else None
        if port is not None:
            port.set_wired(wired)

    def _set_target(self, target) -> None:
        if isinstance(self.target, PortItem):
            self.target.set_highlight(None)
        self.target = target
        if isinstance(target, PortItem):
            target.set_highlight("bad" if self.refusal(wire_for(self.start, target)) else "good")
