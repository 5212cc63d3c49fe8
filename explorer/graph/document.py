"""The network document: layer nodes and wires on a networkx graph, validated and observable.

Every edit goes through a method here, which validates it (raising a typed
:class:`~explorer.graph.errors.GraphError`) before changing anything, then tells the observers.
Views follow the signals; they never change nodes directly.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .catalogue import LayerKind, get_kind
from .errors import (CycleError, DuplicateEdgeError, DuplicateIdError, GraphError, InvalidIdError, MissingNodeError,
                     NoInputPortError, ParamError, SelfLoopError, TooManyInputsError)
from .events import Signal

ID_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,39}$")


@functools.cache
def reserved_ids() -> frozenset[str]:
    """Names a node id cannot take: every attribute of the ``nn.ModuleDict`` that holds the layers.

    ``ModuleDict`` refuses a key that is already one of its attributes (``compile``, ``add_module``,
    ``_parameters``, ``__class__``...), so the list comes from torch itself rather than from memory.
    """
    from torch import nn

    return frozenset(dir(nn.ModuleDict()))


@dataclass
class Node:
    """A layer in the document. Read it freely; change it only through :class:`Document`."""

    id: str
    kind: str
    params: dict[str, Any]
    pos: tuple[float, float] | None = None
    frozen: bool = False  # its weights take no updates in training (transfer learning)

    @property
    def layer(self) -> LayerKind:
        return get_kind(self.kind)


@dataclass(frozen=True)
class Edge:
    """A wire from ``src``'s output to input ``port`` of ``dst``."""

    src: str
    dst: str
    port: int = 0


def check_node_id(node_id: Any) -> str:
    """Return ``node_id`` if it can name a node, else raise :class:`InvalidIdError` saying why."""
    if not isinstance(node_id, str) or not ID_PATTERN.match(node_id):
        raise InvalidIdError(f"node id {node_id!r} must start with a letter or '_' and hold only letters, digits, '_' "
                             "and '-' (at most 40)", None)
    if node_id in reserved_ids():
        raise InvalidIdError(f"node id '{node_id}' is reserved by PyTorch; choose another", node_id)
    return node_id


@dataclass
class Document:
    """A network (or several disconnected ones) as a directed acyclic graph of layers."""

    name: str = "Untitled"
    description: str = ""
    training: dict[str, Any] = field(default_factory=dict)
    # The file's "compare" section, kept as read ({"variant": <a network file dict>}; {} without one):
    # explorer.graph.variant reads it, so a network with a variant to compare against saves and reopens whole.
    compare: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._graph = nx.DiGraph()
        self.version = 0  # bumped on every change that can alter shapes
        self._report = None
        self._report_version = -1
        self.node_added = Signal()      # (node_id)
        self.node_removed = Signal()    # (node_id)
        self.node_changed = Signal()    # (node_id) parameters changed
        self.node_moved = Signal()      # (node_id)
        self.node_renamed = Signal()    # (old_id, new_id) its wires now name the new id too
        self.node_frozen = Signal()     # (node_id) frozen or unfrozen; shapes and weights are unchanged
        self.edge_added = Signal()      # (Edge)
        self.edge_removed = Signal()    # (Edge)
        self.meta_changed = Signal()    # () name, description or training settings
        self.changed = Signal()         # () after any edit: shapes may have changed

    # Reading -------------------------------------------------------------------------------------

    def nodes(self) -> list[Node]:
        return [d["node"] for _, d in self._graph.nodes(data=True)]

    def node(self, node_id: str) -> Node:
        try:
            return self._graph.nodes[node_id]["node"]
        except KeyError:
            raise MissingNodeError(f"there is no node '{node_id}'", node_id) from None

    def has_node(self, node_id: str) -> bool:
        return node_id in self._graph

    def edges(self) -> list[Edge]:
        return [d["edge"] for _, _, d in self._graph.edges(data=True)]

    def inputs_of(self, node_id: str) -> list[Edge]:
        """Wires into ``node_id``, ordered by port."""
        return sorted((d["edge"] for _, _, d in self._graph.in_edges(node_id, data=True)), key=lambda e: e.port)

    def outputs_of(self, node_id: str) -> list[Edge]:
        return [d["edge"] for _, _, d in self._graph.out_edges(node_id, data=True)]

    @property
    def graph(self) -> nx.DiGraph:
        """The underlying graph; read-only for callers."""
        return self._graph

    def __len__(self) -> int:
        return self._graph.number_of_nodes()

    def new_id(self, kind: str) -> str:
        """A fresh id for a node of ``kind``: its prefix and the first unused number."""
        prefix = get_kind(kind).prefix or kind.lower()
        n = 1
        while f"{prefix}{n}" in self._graph:
            n += 1
        return f"{prefix}{n}"

    def infer(self):
        """Shapes, errors and parameter counts of every node (cached until the next edit)."""
        if self._report_version != self.version:
            from .shapes import infer_shapes
            self._report = infer_shapes(self)
            self._report_version = self.version
        return self._report

    # Editing nodes -------------------------------------------------------------------------------

    def add_node(self, kind: str, params: dict[str, Any] | None = None, pos: tuple[float, float] | None = None,
                 node_id: str | None = None) -> Node:
        """Add a layer; unknown kinds, bad parameters and taken ids are refused."""
        layer = get_kind(kind)
        node_id = self.new_id(kind) if node_id is None else check_node_id(node_id)
        if node_id in self._graph:
            raise DuplicateIdError(f"a node with id '{node_id}' already exists", node_id)
        checked = layer.validate_params(dict(params or {}), owner=f"{kind} '{node_id}'")
        node = Node(node_id, kind, checked, None if pos is None else (float(pos[0]), float(pos[1])))
        self._graph.add_node(node_id, node=node)
        self._touch()
        self.node_added.emit(node_id)
        self.changed.emit()
        return node

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Remove a node and its wires; returns both so an undo can put them back."""
        node = self.node(node_id)
        edges = self.inputs_of(node_id) + self.outputs_of(node_id)
        for edge in edges:
            self._graph.remove_edge(edge.src, edge.dst)
            self.edge_removed.emit(edge)
        self._graph.remove_node(node_id)
        self._touch()
        self.node_removed.emit(node_id)
        self.changed.emit()
        return node, edges

    def set_params(self, node_id: str, params: dict[str, Any]) -> None:
        """Replace a node's parameters (missing ones take their defaults)."""
        node = self.node(node_id)
        checked = node.layer.validate_params(dict(params), owner=f"{node.kind} '{node_id}'")
        if checked == node.params:
            return
        node.params = checked
        self._touch()
        self.node_changed.emit(node_id)
        self.changed.emit()

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        """Change one parameter; unchanged values emit nothing."""
        node = self.node(node_id)
        if name not in node.params:
            raise ParamError(f"{node.kind} '{node_id}' has no parameter '{name}'", node_id)
        self.set_params(node_id, {**node.params, name: value})

    def set_frozen(self, node_id: str, frozen: bool, check: bool = True) -> None:
        """Freeze (no updates in training) or unfreeze a layer with weights; unchanged values emit nothing.

        Freezing changes neither shapes nor weights, so it does not bump :attr:`version`: trained
        or loaded weights stay the network's. A layer without weights cannot be frozen (``check=False``
        restores a node's earlier state, as an undo does, whatever its wires are for the moment).
        """
        node = self.node(node_id)
        frozen = bool(frozen)
        if frozen and check and not self.has_weights(node_id):
            raise ParamError(f"{node.kind} '{node_id}' has no weights to freeze", node_id)
        if node.frozen == frozen:
            return
        node.frozen = frozen
        self.node_frozen.emit(node_id)

    def has_weights(self, node_id: str) -> bool:
        """True when the layer has trainable parameters (as its shapes are now)."""
        info = self.infer().nodes.get(node_id)
        return bool(info is not None and info.params)

    def frozen_ids(self) -> list[str]:
        """Ids of the frozen layers, in document order."""
        return [n.id for n in self.nodes() if n.frozen]

    def check_rename(self, old: str, new: str) -> str:
        """The id ``old`` would be renamed to; raises :class:`InvalidIdError` or :class:`DuplicateIdError`."""
        self.node(old)
        if new == old:
            return new
        check_node_id(new)
        if new in self._graph:
            raise DuplicateIdError(f"a node with id '{new}' already exists", old)
        return new

    def rename_node(self, old: str, new: str) -> Node:
        """Give node ``old`` the id ``new``; its wires follow and the node keeps its place in the file.

        Emits ``node_renamed(old, new)`` then ``changed``; renaming to the same id emits nothing.
        """
        node = self.node(old)
        if self.check_rename(old, new) == old:
            return node
        # networkx's relabel appends the new node at the end; rebuilding keeps the file order.
        graph = nx.DiGraph()
        for node_id, data in self._graph.nodes(data=True):
            graph.add_node(new if node_id == old else node_id, **data)
        for _, _, data in self._graph.edges(data=True):
            edge = data["edge"]
            if old in (edge.src, edge.dst):
                edge = Edge(new if edge.src == old else edge.src, new if edge.dst == old else edge.dst, edge.port)
            graph.add_edge(edge.src, edge.dst, edge=edge)
        self._graph = graph
        node.id = new
        self._touch()
        self.node_renamed.emit(old, new)
        self.changed.emit()
        return node

    def move_node(self, node_id: str, pos: tuple[float, float]) -> None:
        node = self.node(node_id)
        pos = (float(pos[0]), float(pos[1]))
        if node.pos == pos:
            return
        node.pos = pos
        self.node_moved.emit(node_id)

    def set_meta(self, name: str | None = None, description: str | None = None,
                 training: dict[str, Any] | None = None) -> None:
        if name is not None:
            self.name = name
        if description is not None:
            self.description = description
        if training is not None:
            self.training = copy.deepcopy(training)
        self.meta_changed.emit()

    # Wiring --------------------------------------------------------------------------------------

    def check_connect(self, src: str, dst: str, port: int | None = None, ignoring: Edge | None = None) -> int:
        """The port a wire from ``src`` to ``dst`` would take; raises a :class:`WireError` if refused.

        ``ignoring`` is a wire being moved: it is checked as if that wire were already gone.
        """
        self.node(src)
        target = self.node(dst)
        if src == dst:
            raise SelfLoopError(f"{target.kind} '{dst}' cannot take its own output", dst)
        layer = target.layer
        if layer.max_inputs == 0:
            raise NoInputPortError(f"{target.kind} '{dst}' takes no inputs: it is where data enters", dst)
        if self._graph.has_edge(src, dst) and ignoring != self._graph.edges[src, dst]["edge"]:
            raise DuplicateEdgeError(f"'{src}' is already wired to '{dst}'", dst)
        if nx.has_path(self._graph, dst, src):
            raise CycleError(f"wiring '{src}' into '{dst}' would make a loop: '{dst}' already feeds '{src}'", dst)
        # The moved wire cannot lie on a path from dst back to src (it leaves src), so only ports need it.
        wired = [e for e in self.inputs_of(dst) if e != ignoring]
        taken = {e.port for e in wired}
        limit = layer.max_inputs
        if port is None:
            port = next(p for p in range(len(taken) + 1) if p not in taken)
        if not isinstance(port, int) or isinstance(port, bool) or port < 0:
            raise TooManyInputsError(f"input port {port!r} of {target.kind} '{dst}' is not a port number", dst)
        if limit is not None and port >= limit:
            if limit == 1 and not wired:  # a wire aimed at a second port the layer does not have
                raise TooManyInputsError(f"{target.kind} '{dst}' takes one input, on port 0", dst)
            if limit == 1:
                raise TooManyInputsError(f"{target.kind} '{dst}' takes one input and already has one "
                                         f"(from '{wired[0].src}'); merge branches with Add or "
                                         "Concat", dst)
            raise TooManyInputsError(f"{target.kind} '{dst}' takes at most {limit} inputs", dst)
        if port in taken:
            raise TooManyInputsError(f"input {port} of {target.kind} '{dst}' is already wired", dst)
        return port

    def can_connect(self, src: str, dst: str, port: int | None = None,
                    ignoring: Edge | None = None) -> GraphError | None:
        """``None`` if the wire is allowed, else the error saying why not."""
        try:
            self.check_connect(src, dst, port, ignoring)
        except GraphError as error:
            return error
        return None

    def connect(self, src: str, dst: str, port: int | None = None) -> Edge:
        port = self.check_connect(src, dst, port)
        edge = Edge(src, dst, port)
        self._graph.add_edge(src, dst, edge=edge)
        self._touch()
        self.edge_added.emit(edge)
        self.changed.emit()
        return edge

    def disconnect(self, src: str, dst: str) -> Edge:
        if not self._graph.has_edge(src, dst):
            raise MissingNodeError(f"'{src}' is not wired to '{dst}'", dst)
        edge = self._graph.edges[src, dst]["edge"]
        self._graph.remove_edge(src, dst)
        self._touch()
        self.edge_removed.emit(edge)
        self.changed.emit()
        return edge

    def reconnect(self, edge: Edge, dst: str, port: int | None = None) -> Edge:
        """Move the input end of ``edge`` to input ``port`` of ``dst`` (same source), as one change.

        Checked first as if ``edge`` were gone, so a refusal leaves it in place. Emits
        ``edge_removed``, ``edge_added``, then ``changed`` once.
        """
        if self.edge_between(edge.src, edge.dst) != edge:
            raise MissingNodeError(f"'{edge.src}' is not wired to input {edge.port} of '{edge.dst}'", edge.dst)
        port = self.check_connect(edge.src, dst, port, ignoring=edge)
        moved = Edge(edge.src, dst, port)
        if moved == edge:
            return edge
        self._graph.remove_edge(edge.src, edge.dst)
        self.edge_removed.emit(edge)
        self._graph.add_edge(moved.src, moved.dst, edge=moved)
        self._touch()
        self.edge_added.emit(moved)
        self.changed.emit()
        return moved

    def edge_between(self, src: str, dst: str) -> Edge | None:
        """The wire from ``src`` to ``dst``, or ``None``."""
        data = self._graph.get_edge_data(src, dst)
        return None if data is None else data["edge"]

    # Whole-network queries -----------------------------------------------------------------------

    def topological_order(self) -> list[str]:
        """Node ids, inputs before the layers they feed; ties broken by insertion order."""
        index = {n: i for i, n in enumerate(self._graph.nodes)}
        return list(nx.lexicographical_topological_sort(self._graph, key=index.__getitem__))

    def outputs(self) -> list[str]:
        """Ids of the nodes nothing reads from (each network's output), in insertion order."""
        return [n for n in self._graph.nodes if self._graph.out_degree(n) == 0 and self._graph.in_degree(n) > 0]

    def _touch(self) -> None:
        self.version += 1
