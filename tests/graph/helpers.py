"""Small builders shared by the graph tests."""

from __future__ import annotations

from explorer.graph import Document


def chain(*layers: tuple[str, str, dict] | tuple[str, str]) -> Document:
    """A document of ``(id, kind[, params])`` layers wired one after the other."""
    doc = Document()
    previous = None
    for entry in layers:
        node_id, kind = entry[0], entry[1]
        params = entry[2] if len(entry) > 2 else {}
        doc.add_node(kind, params, node_id=node_id)
        if previous:
            doc.connect(previous, node_id)
        previous = node_id
    return doc
