"""Automatic layered layout: inputs at the top, each layer one row below its deepest input."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from .document import Document

ROW = 120.0     # vertical distance between layers
COLUMN = 230.0  # horizontal distance between side-by-side nodes
GAP = 1.0       # extra columns between disconnected networks


def layered_positions(doc: "Document") -> dict[str, tuple[float, float]]:
    """Positions for every node: rows by depth, networks side by side, rows centred."""
    graph = doc.graph
    index = {n: i for i, n in enumerate(graph.nodes)}
    positions: dict[str, tuple[float, float]] = {}
    x_offset = 0.0
    components = sorted(nx.weakly_connected_components(graph), key=lambda c: min(index[n] for n in c))
    for component in components:
        sub = graph.subgraph(component)
        rows = [sorted(gen, key=index.__getitem__) for gen in nx.topological_generations(sub)]
        width = max(len(r) for r in rows)
        for depth, row in enumerate(rows):
            start = x_offset + (width - len(row)) * COLUMN / 2
            for i, node_id in enumerate(row):
                positions[node_id] = (start + i * COLUMN, depth * ROW)
        x_offset += (width + GAP) * COLUMN
    return positions


def place_missing(doc: "Document") -> None:
    """Give positions to nodes without one (files may leave them out), keeping the others."""
    if all(n.pos is not None for n in doc.nodes()):
        return
    layout = layered_positions(doc)
    for node in doc.nodes():
        if node.pos is None:
            node.pos = layout[node.id]
