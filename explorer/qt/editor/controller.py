"""The editor: turns gestures (drops, wire drags, moves, menu actions) into undo commands.

It checks each edit with the document before pushing it, so a command's ``redo`` never fails, and
says why in ``status`` when an edit cannot be made.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, Signal
from PySide6.QtGui import QUndoStack

from ...graph import Edge, GraphError, get_kind
from ...graph.layout import COLUMN, ROW, layered_positions
from . import clipboard
from .input_defaults import input_params_for
from .commands import (AddNodeCommand, ConnectCommand, DisconnectCommand, DocumentCommand, FreezeCommand,
                       LayoutCommand,
                       MoveNodesCommand, PasteCommand, ReconnectCommand, RemoveCommand, RenameNodeCommand,
                       SetMetaCommand, SetParamCommand, SetTrainingCommand)
from .scene import LOCKED_REASON, GraphScene

PASTE_STEP = 40.0


class GraphEditor(QObject):
    status = Signal(str)  # a sentence for the status bar

    def __init__(self, scene: GraphScene, stack: QUndoStack, parent=None):
        super().__init__(parent)
        self.scene = scene
        self.stack = stack
        self.locked = False
        self._paste_count = 0
        scene.wire_requested.connect(self.connect_nodes)
        scene.wire_rerouted.connect(self.reconnect)
        scene.wire_detached.connect(self.disconnect_edge)
        scene.nodes_moved.connect(self.move_nodes)

    @property
    def doc(self):
        return self.scene.document

    def push(self, command: DocumentCommand) -> None:
        command.batch = self.scene.batch
        self.stack.push(command)

    def _refuse_if_locked(self) -> bool:
        if self.locked:
            self.status.emit(LOCKED_REASON)
        return self.locked

    # Adding and wiring ---------------------------------------------------------------------------

    def add_node(self, kind: str, pos: QPointF | tuple[float, float]) -> str | None:
        """Add a ``kind`` node centred at ``pos``; returns its id."""
        if self._refuse_if_locked():
            return None
        try:
            get_kind(kind)
        except GraphError as error:
            self.status.emit(error.message)
            return None
        if isinstance(pos, QPointF):
            pos = (pos.x(), pos.y())
        command = AddNodeCommand(self.doc, kind, (round(pos[0], 1), round(pos[1], 1)), self._params_for(kind))
        self.push(command)
        self.scene.select_nodes([command.node_id])
        return command.node_id

    def add_after_selection(self, kind: str, centre: QPointF) -> str | None:
        """Palette double-click: after the selected node (wired to it), else at ``centre``."""
        if self._refuse_if_locked():
            return None
        selected = self.scene.selected_node_ids()
        if len(selected) != 1:
            return self.add_node(kind, centre)
        before = selected[0]
        x, y = self.doc.node(before).pos or (centre.x(), centre.y())
        pos = self._free_spot(x, y + ROW)
        node_id = self.doc.new_id(kind)
        self.stack.beginMacro(f"Add {kind} '{node_id}' after '{before}'")
        self.push(AddNodeCommand(self.doc, kind, pos, self._params_for(kind), node_id=node_id))
        error = self.doc.can_connect(before, node_id)
        if error is None:
            self.push(ConnectCommand(self.doc, before, node_id))
        self.stack.endMacro()
        if error is not None:
            self.status.emit(f"Added '{node_id}' without a wire: {error.message}")
        self.scene.select_nodes([node_id])
        return node_id

    def _params_for(self, kind: str) -> dict:
        """A new node's parameters: the defaults, except that an Input takes its dataset's sample shape."""
        return input_params_for(self.doc.training) if kind == "Input" else {}

    def _free_spot(self, x: float, y: float) -> tuple[float, float]:
        taken = {(round(n.pos[0]), round(n.pos[1])) for n in self.doc.nodes() if n.pos is not None}
        step = 0
        while any(abs(x + step - tx) < COLUMN * 0.8 and abs(y - ty) < ROW * 0.8 for tx, ty in taken):
            step += COLUMN
        return (round(x + step, 1), round(y, 1))

    def connect_nodes(self, src: str, dst: str, port: int) -> bool:
        if self._refuse_if_locked():
            return False
        error = self.doc.can_connect(src, dst, port)
        if error is not None:
            self.status.emit(error.message)
            return False
        self.push(ConnectCommand(self.doc, src, dst, port))
        self.status.emit(f"Wired '{src}' → '{dst}'")
        return True

    def reconnect(self, edge: Edge, dst: str, port: int | None) -> bool:
        """Move ``edge``'s input end to ``dst`` (``port``, or the first free one); False, said why, if refused."""
        if self._refuse_if_locked():
            return False
        error = self.doc.can_connect(edge.src, dst, port, ignoring=edge)
        if error is not None:
            self.status.emit(error.message)
            return False
        command = ReconnectCommand(self.doc, edge, dst, port)
        if command.new == edge:
            return False  # dropped back where it was
        self.push(command)
        self.status.emit(f"Wired '{edge.src}' → '{dst}'")
        return True

    def disconnect_edge(self, edge: Edge) -> bool:
        """Remove one wire (dragged off onto the empty canvas)."""
        if self._refuse_if_locked():
            return False
        if self.doc.edge_between(edge.src, edge.dst) != edge:
            return False
        self.push(DisconnectCommand(self.doc, edge))
        self.status.emit(f"Disconnected '{edge.src}' → '{edge.dst}'")
        return True

    # Removing, moving, parameters ----------------------------------------------------------------

    def delete_selection(self) -> None:
        if self._refuse_if_locked():
            return
        nodes, edges = self.scene.selected_node_ids(), self.scene.selected_edges()
        if not nodes and not edges:
            self.status.emit("Select layers or wires first, then press Delete")
            return
        self.push(RemoveCommand(self.doc, nodes, edges))

    def move_nodes(self, moves: dict) -> None:
        self.push(MoveNodesCommand(self.doc, moves))  # moving stays allowed while training

    def set_param(self, node_id: str, name: str, value) -> bool:
        """Change one parameter; False, with the reason in ``status``, if the document would refuse it.

        Checked here because a command's ``redo`` must not fail: Qt would swallow the error and the
        stack would hold an edit that never happened.
        """
        if self._refuse_if_locked():
            return False
        try:
            node = self.doc.node(node_id)
            node.layer.validate_params({**node.params, name: value}, owner=f"{node.kind} '{node_id}'")
        except GraphError as error:
            self.status.emit(error.message)
            return False
        self.push(SetParamCommand(self.doc, node_id, name, value))
        return True

    def set_frozen(self, node_ids: list[str], frozen: bool) -> bool:
        """Freeze (or unfreeze) the layers with weights among ``node_ids``, as one undoable edit; False,
        with the reason in ``status``, when none can be (training runs, or no layer has weights)."""
        if self._refuse_if_locked():
            return False
        doc = self.doc
        able = [n for n in node_ids if doc.has_node(n) and doc.has_weights(n)]
        if not able:
            names = ", ".join(f"'{n}'" for n in node_ids[:3])
            self.status.emit(f"{names} {'has' if len(node_ids) == 1 else 'have'} no weights to freeze" if node_ids
                             else "Select a layer with weights to freeze")
            return False
        changing = [n for n in able if doc.node(n).frozen != frozen]
        if changing:
            self.push(FreezeCommand(doc, changing, frozen))
        return True

    def rename_node(self, old: str, new: str) -> bool:
        """Give node ``old`` the id ``new``; False, with the reason in ``status``, if the document refuses."""
        if self._refuse_if_locked():
            return False
        try:
            if self.doc.check_rename(old, new) == old:
                return False
        except GraphError as error:
            self.status.emit(error.message)
            return False
        self.push(RenameNodeCommand(self.doc, old, new))
        self.status.emit(f"Renamed '{old}' to '{new}'")
        return True

    def set_meta(self, name: str | None, description: str | None) -> None:
        if self._refuse_if_locked():
            return
        self.push(SetMetaCommand(self.doc, name=name, description=description))

    def set_training(self, training: dict) -> None:
        """Record new training settings. Not refused while locked: lr, momentum, weight decay and
        batch size change live during a run, and the file should keep what the run used."""
        self.push(SetTrainingCommand(self.doc, training))

    def auto_layout(self) -> None:
        if self._refuse_if_locked():
            return
        command = LayoutCommand(self.doc, layered_positions(self.doc))
        if not command.moves:
            self.status.emit("Already laid out")
            return
        self.push(command)

    # Clipboard ------------------------------------------------------------------------------------

    def copy_selection(self) -> bool:
        nodes = self.scene.selected_node_ids()
        if not nodes:
            self.status.emit("Select layers to copy")
            return False
        clipboard.put(clipboard.payload_for(self.doc, nodes))
        self._paste_count = 0
        self.status.emit(f"Copied {len(nodes)} layer{'s' if len(nodes) != 1 else ''}")
        return True

    def paste(self) -> None:
        if self._refuse_if_locked():
            return
        payload = clipboard.take()
        if payload is None:
            self.status.emit("The clipboard holds no layers to paste")
            return
        self._paste_count += 1
        self._paste(payload, self._paste_count * PASTE_STEP, "Paste")

    def duplicate(self) -> None:
        if self._refuse_if_locked():
            return
        nodes = self.scene.selected_node_ids()
        if not nodes:
            self.status.emit("Select layers to duplicate")
            return
        self._paste(clipboard.payload_for(self.doc, nodes), PASTE_STEP, "Duplicate")

    def _paste(self, payload: dict, step: float, verb: str) -> None:
        command = PasteCommand(self.doc, payload, (step, step), verb)
        self.push(command)
        self.scene.select_nodes(list(command.new_ids.values()))
