"""Undo commands: every edit of the document, with ``redo`` and ``undo`` calling document methods.

Commands never validate by catching errors inside ``redo`` (Qt would swallow them); callers check
with the document first (``can_connect``, ``Param.validate``) and only push edits that will succeed.
A command that makes several document edits runs them inside ``self.batch()``, which the editor
sets to the scene's batch so shapes are re-inferred once per command, not once per edit.
"""

from __future__ import annotations

import copy
from contextlib import nullcontext
from typing import Any, Callable, ContextManager

from PySide6.QtGui import QUndoCommand

from ...graph import Document, Edge
from ...training.settings import completed

Pos = tuple[float, float]

PARAM_EDIT_ID = 1001  # mergeable: consecutive edits of one parameter become one undo step
TRAINING_EDIT_ID = 1002  # mergeable: a run of training-settings edits becomes one undo step


class DocumentCommand(QUndoCommand):
    """Base: a named edit of ``doc``; every subclass defines ``apply`` (the edit) and ``revert`` (its undoing).

    They are declared rather than written as abstract methods: ``abc.ABCMeta`` cannot be combined with the
    metaclass of Qt's classes, and a subclass without them fails its first ``redo`` in every test of it.
    """

    apply: Callable[[], None]
    revert: Callable[[], None]

    def __init__(self, doc: Document, text: str):
        super().__init__(text)
        self.doc = doc
        self.batch: Callable[[], ContextManager] = nullcontext

    def redo(self) -> None:
        with self.batch():
            self.apply()

    def undo(self) -> None:
        with self.batch():
            self.revert()


def _names(ids: list[str], noun: str = "layers") -> str:
    return f"'{ids[0]}'" if len(ids) == 1 else f"{len(ids)} {noun}"


class AddNodeCommand(DocumentCommand):
    def __init__(self, doc: Document, kind: str, pos: Pos, params: dict[str, Any] | None = None,
                 node_id: str | None = None):
        self.node_id = node_id or doc.new_id(kind)
        super().__init__(doc, f"Add {kind} '{self.node_id}'")
        self.kind, self.pos, self.params = kind, pos, dict(params or {})

    def apply(self) -> None:
        self.doc.add_node(self.kind, self.params, self.pos, node_id=self.node_id)

    def revert(self) -> None:
        self.doc.remove_node(self.node_id)


class ConnectCommand(DocumentCommand):
    def __init__(self, doc: Document, src: str, dst: str, port: int | None = None):
        super().__init__(doc, f"Wire '{src}' → '{dst}'")
        self.port = doc.check_connect(src, dst, port)  # fixed now so redo always takes the same port
        self.src, self.dst = src, dst

    def apply(self) -> None:
        self.doc.connect(self.src, self.dst, self.port)

    def revert(self) -> None:
        self.doc.disconnect(self.src, self.dst)


class ReconnectCommand(DocumentCommand):
    """Move a wire's input end to another input; undo puts it back on its old port."""

    def __init__(self, doc: Document, edge: Edge, dst: str, port: int | None = None):
        port = doc.check_connect(edge.src, dst, port, ignoring=edge)  # fixed now, like ConnectCommand's
        self.old, self.new = edge, Edge(edge.src, dst, port)
        target = f"'{dst}'" if dst != edge.dst else f"input {port + 1} of '{dst}'"
        super().__init__(doc, f"Reconnect '{edge.src}' → '{edge.dst}' to {target}")

    def apply(self) -> None:
        self.doc.reconnect(self.old, self.new.dst, self.new.port)

    def revert(self) -> None:
        self.doc.reconnect(self.new, self.old.dst, self.old.port)


class DisconnectCommand(DocumentCommand):
    """Remove one wire (dragged off its input); undo wires it to the same port again."""

    def __init__(self, doc: Document, edge: Edge):
        super().__init__(doc, f"Disconnect '{edge.src}' → '{edge.dst}'")
        self.edge = edge

    def apply(self) -> None:
        self.doc.disconnect(self.edge.src, self.edge.dst)

    def revert(self) -> None:
        self.doc.connect(self.edge.src, self.edge.dst, self.edge.port)


class RemoveCommand(DocumentCommand):
    """Delete nodes (with their wires) and wires; undo puts everything back exactly, in file order."""

    def __init__(self, doc: Document, node_ids: list[str], edges: list[Edge] = ()):
        node_ids = [n.id for n in doc.nodes() if n.id in set(node_ids)]
        loose = [e for e in edges if e.src not in node_ids and e.dst not in node_ids]
        if node_ids:
            text = f"Delete {_names(node_ids)}" + (f" and {_names([f'{e.src}→{e.dst}' for e in loose], 'wires')}"
                                                    if loose else "")
        else:
            text = ("Remove wire " + f"'{loose[0].src}' → '{loose[0].dst}'" if len(loose) == 1
                    else f"Remove {len(loose)} wires")
        super().__init__(doc, text)
        self.order = [n.id for n in doc.nodes()]
        self.nodes = [copy.deepcopy(doc.node(i)) for i in node_ids]
        touching = {e for i in node_ids for e in doc.inputs_of(i) + doc.outputs_of(i)}
        self.loose = list(dict.fromkeys(loose))
        self.edges = list(touching) + self.loose

    @property
    def node_ids(self) -> list[str]:
        return [n.id for n in self.nodes]

    def apply(self) -> None:
        for edge in self.loose:
            self.doc.disconnect(edge.src, edge.dst)
        for node in self.nodes:
            self.doc.remove_node(node.id)

    def revert(self) -> None:
        for node in self.nodes:
            self.doc.add_node(node.kind, node.params, node.pos, node_id=node.id)
        restore_node_order(self.doc, self.order)
        present = {(e.src, e.dst) for e in self.doc.edges()}
        for edge in sorted(self.edges, key=lambda e: (self.order.index(e.dst), e.port)):
            if (edge.src, edge.dst) not in present:
                self.doc.connect(edge.src, edge.dst, edge.port)
        _refreeze(self.doc, self.nodes)


def _refreeze(doc: Document, nodes) -> None:
    """Nodes added again (an undone delete, a re-seated node) get back their frozen switch."""
    for node in nodes:
        if node.frozen:
            doc.set_frozen(node.id, True, check=False)


def restore_node_order(doc: Document, order: list[str]) -> None:
    """Re-seat nodes so the document lists them in ``order`` again (files stay byte-identical).

    The document appends re-added nodes at the end; the nodes that used to follow them are removed
    and added again, in order, with all their wires.
    """
    current = [n.id for n in doc.nodes()]
    wanted = [i for i in order if doc.has_node(i)]
    if current == wanted:
        return
    first = next(k for k, (a, b) in enumerate(zip(current, wanted)) if a != b)
    tail = wanted[first:]
    tail_set = set(tail)
    edges = {e for i in tail for e in doc.inputs_of(i) + doc.outputs_of(i)}
    saved = [copy.deepcopy(doc.node(i)) for i in tail]
    for node in saved:
        doc.remove_node(node.id)
    for node in saved:
        doc.add_node(node.kind, node.params, node.pos, node_id=node.id)
    rank = {n: k for k, n in enumerate(wanted)}
    for edge in sorted(edges, key=lambda e: (rank[e.dst], e.port)):
        if edge.src in tail_set or edge.dst in tail_set:
            doc.connect(edge.src, edge.dst, edge.port)
    _refreeze(doc, saved)


class SetParamCommand(DocumentCommand):
    def __init__(self, doc: Document, node_id: str, name: str, value: Any):
        node = doc.node(node_id)
        self.node_id, self.name = node_id, name
        self.old, self.new = copy.deepcopy(node.params[name]), copy.deepcopy(value)
        super().__init__(doc, "")
        self._name_it()

    def _name_it(self) -> None:
        value = self.new if not isinstance(self.new, list) else "[" + ", ".join(map(str, self.new)) + "]"
        self.setText(f"Set '{self.node_id}' {self.name} to {value}")

    def apply(self) -> None:
        self.doc.set_param(self.node_id, self.name, self.new)

    def revert(self) -> None:
        self.doc.set_param(self.node_id, self.name, self.old)

    def id(self) -> int:
        return PARAM_EDIT_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetParamCommand) or (other.node_id, other.name) != (self.node_id, self.name):
            return False
        self.new = other.new
        self._name_it()
        self.setObsolete(self.new == self.old)
        return True


class FreezeCommand(DocumentCommand):
    """Freeze or unfreeze layers: training leaves a frozen layer's weights as they are."""

    def __init__(self, doc: Document, node_ids: list[str], frozen: bool):
        super().__init__(doc, f"{'Freeze' if frozen else 'Unfreeze'} {_names(node_ids)}")
        self.before = {n: doc.node(n).frozen for n in node_ids}
        self.frozen = frozen

    def apply(self) -> None:
        for node_id in self.before:
            self.doc.set_frozen(node_id, self.frozen, check=False)  # the editor checked them

    def revert(self) -> None:
        for node_id, frozen in self.before.items():
            self.doc.set_frozen(node_id, frozen, check=False)


class RenameNodeCommand(DocumentCommand):
    """Change a node's id; its wires, canvas item and inspector page follow the document's event.

    Training settings that name the node (a GAN's ``networks`` roles, the autoencoder's
    ``code_node``) follow the rename too, so a renamed generator is still the generator.
    """

    def __init__(self, doc: Document, old: str, new: str):
        super().__init__(doc, f"Rename '{old}' to '{new}'")
        self.old, self.new = old, new

    def apply(self) -> None:
        self.doc.rename_node(self.old, self.new)
        self._rename_in_training(self.old, self.new)

    def revert(self) -> None:
        self.doc.rename_node(self.new, self.old)
        self._rename_in_training(self.new, self.old)

    def _rename_in_training(self, old: str, new: str) -> None:
        training = self.doc.training if isinstance(self.doc.training, dict) else {}
        networks = training.get("networks")
        renamed = dict(training)
        if isinstance(networks, dict) and old in networks.values():
            renamed["networks"] = {role: new if node_id == old else node_id for role, node_id in networks.items()}
        if training.get("code_node") == old:
            renamed["code_node"] = new
        if renamed != training:
            self.doc.set_meta(training=renamed)


class MoveNodesCommand(DocumentCommand):
    """One drag (of any number of nodes) is one command."""

    def __init__(self, doc: Document, moves: dict[str, tuple[Pos | None, Pos]], text: str | None = None):
        ids = list(moves)
        super().__init__(doc, text or f"Move {_names(ids)}")
        self.moves = moves

    def apply(self) -> None:
        for node_id, (_, new) in self.moves.items():
            self.doc.move_node(node_id, new)

    def revert(self) -> None:
        for node_id, (old, _) in self.moves.items():
            if old is not None:
                self.doc.move_node(node_id, old)


class LayoutCommand(MoveNodesCommand):
    def __init__(self, doc: Document, positions: dict[str, Pos]):
        moves = {i: (doc.node(i).pos, p) for i, p in positions.items() if doc.node(i).pos != p}
        super().__init__(doc, moves, "Auto-layout")


class PasteCommand(DocumentCommand):
    """Add copied nodes (fresh ids, shifted by ``offset``) and the wires between them."""

    def __init__(self, doc: Document, payload: dict[str, Any], offset: Pos, text: str = "Paste"):
        count = len(payload["nodes"])
        super().__init__(doc, f"{text} {count} layer{'s' if count != 1 else ''}")
        self.payload = copy.deepcopy(payload)
        self.offset = offset
        self.new_ids: dict[str, str] = {}

    def apply(self) -> None:
        for entry in self.payload["nodes"]:
            x, y = entry.get("pos") or (0.0, 0.0)
            pos = (x + self.offset[0], y + self.offset[1])
            wanted = self.new_ids.get(entry["id"])
            node = self.doc.add_node(entry["kind"], entry.get("params", {}), pos, node_id=wanted)
            self.new_ids[entry["id"]] = node.id
        for edge in self.payload["edges"]:
            self.doc.connect(self.new_ids[edge["from"]], self.new_ids[edge["to"]], edge.get("port"))
        for entry in self.payload["nodes"]:  # once wired: whether a layer has weights can depend on its input
            if entry.get("frozen"):
                self.doc.set_frozen(self.new_ids[entry["id"]], True, check=False)

    def revert(self) -> None:
        for old in reversed(self.payload["nodes"]):
            self.doc.remove_node(self.new_ids[old["id"]])


class SetMetaCommand(DocumentCommand):
    """Rename the network or change its description."""

    def __init__(self, doc: Document, name: str | None = None, description: str | None = None):
        text = f"Rename network to '{name}'" if name is not None else "Edit description"
        super().__init__(doc, text)
        self.old = (doc.name, doc.description)
        self.new = (name if name is not None else doc.name,
                    description if description is not None else doc.description)

    def apply(self) -> None:
        self.doc.set_meta(name=self.new[0], description=self.new[1])

    def revert(self) -> None:
        self.doc.set_meta(name=self.old[0], description=self.old[1])


class SetTrainingCommand(DocumentCommand):
    """Change the training settings saved with the network; consecutive changes merge into one step.

    Going through the undo stack is what makes a settings change mark the file modified, so closing
    the window asks before the settings are lost.
    """

    def __init__(self, doc: Document, training: dict[str, Any]):
        super().__init__(doc, "")
        self.old, self.new = copy.deepcopy(doc.training), copy.deepcopy(training)
        self._name_it()

    def _name_it(self) -> None:
        old, new = completed(self.old), completed(self.new)
        keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        shown = ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else "")
        self.setText(f"Change training settings ({shown})" if keys else "Change training settings")

    def apply(self) -> None:
        self.doc.set_meta(training=self.new)

    def revert(self) -> None:
        self.doc.set_meta(training=self.old)

    def id(self) -> int:
        return TRAINING_EDIT_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetTrainingCommand):
            return False
        self.new = other.new
        self._name_it()
        self.setObsolete(self.new == self.old)
        return True
