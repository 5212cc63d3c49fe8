"""Copy and paste of layers: a small network-file fragment on the system clipboard."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtGui import QGuiApplication

from ...graph import Document, GraphError
from ...graph import fileformat


def payload_for(doc: Document, node_ids: list[str]) -> dict[str, Any]:
    """The chosen nodes and the wires between them; inputs from outside the selection are left out,
    and each node's remaining inputs are renumbered 0, 1, ... in their original order."""
    chosen = [n for n in doc.nodes() if n.id in set(node_ids)]
    ids = {n.id for n in chosen}
    nodes = [{"id": n.id, "kind": n.kind, "params": dict(n.params), "pos": list(n.pos or (0.0, 0.0)),
              **({"frozen": True} if n.frozen else {})}  # a copy is what was copied, its lock too
             for n in chosen]
    edges = []
    for node in chosen:
        inner = [e for e in doc.inputs_of(node.id) if e.src in ids]
        for port, edge in enumerate(inner):
            edges.append({"from": edge.src, "to": edge.dst, "port": port})
    return {"nodes": nodes, "edges": edges}


def check_payload(payload: Any) -> dict[str, Any]:
    """Return ``payload`` if it can be pasted, else raise :class:`GraphError` saying why."""
    if not isinstance(payload, dict) or not isinstance(payload.get("nodes"), list) or not payload["nodes"]:
        raise GraphError("the clipboard holds no layers")
    fileformat.from_dict({"format": fileformat.FORMAT, "schema_version": fileformat.SCHEMA_VERSION,
                          "nodes": payload["nodes"], "edges": payload.get("edges", [])}, "the clipboard")
    return payload


def put(payload: dict[str, Any]) -> None:
    """Put layers on the clipboard as JSON text (pasteable into a text editor, too).

    Plain text rather than a QMimeData of our own: the clipboard takes ownership of a QMimeData
    and, with PySide6, deleting it again at exit crashed the interpreter after any copy.
    """
    QGuiApplication.clipboard().setText(json.dumps(payload, indent=1))


def take() -> dict[str, Any] | None:
    """The layers on the clipboard, or ``None`` when it holds none (or something unusable)."""
    data = QGuiApplication.clipboard().mimeData()
    if data is None:
        return None
    if not data.hasText():
        return None
    raw = data.text()
    try:
        return check_payload(json.loads(raw))
    except (ValueError, RecursionError, GraphError):  # RecursionError: JSON nested thousands deep
        return None
