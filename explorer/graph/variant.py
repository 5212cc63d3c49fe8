"""A network's variant for a side-by-side comparison: kept in the file's ``compare`` section, named by a caption.

The variant B is a whole network document of its own (so any change a student can make on the canvas
or in the settings can be compared), stored as a network-file object under ``"compare": {"variant": ...}``
of network A's file. The caption naming the difference is computed from the two documents each time
(``explorer.training.difference``), so it can never disagree with what is trained.
"""

from __future__ import annotations

from typing import Any

from .document import Document
from .errors import FileFormatError, GraphError


class VariantError(GraphError):
    """A comparison whose variant is missing, unreadable or unbuildable; the message says which and why."""


def has_variant(doc: Document) -> bool:
    """True when ``doc`` carries a variant to compare against."""
    return "variant" in doc.compare


def variant_of(doc: Document) -> Document:
    """Network B of ``doc``'s comparison, read from its ``compare`` section (:class:`VariantError` if it cannot be)."""
    from . import fileformat

    data = doc.compare.get("variant")
    if data is None:
        raise VariantError(f"'{doc.name}' has no variant to compare with")
    try:
        return fileformat.from_dict(data, source=f"the variant (B) of '{doc.name}'")
    except FileFormatError as error:
        raise VariantError(error.message, error.node_id) from None


def with_variant(doc: Document, variant: Document) -> dict[str, Any]:
    """The ``compare`` section that makes ``variant`` network B of ``doc``: assign it to ``doc.compare``."""
    from . import fileformat

    data = fileformat.to_dict(variant)
    data.pop("compare", None)  # a variant does not carry a variant of its own
    return {"variant": data}


def copy_document(doc: Document) -> Document:
    """An independent copy of ``doc``'s network and settings (its ``compare`` section left out): a variant to edit."""
    from . import fileformat

    data = fileformat.to_dict(doc)
    data.pop("compare", None)
    return fileformat.from_dict(data, source=doc.name)


# Quick changes: the variants a lecturer makes most, one call each -----------------------------------

def activation_kinds(doc: Document) -> list[str]:
    """The activation kinds ``doc`` uses, in the order they first appear."""
    from .catalogue import get_kind

    kinds: list[str] = []
    for node in doc.nodes():
        if get_kind(node.kind).group == "Activations" and node.kind not in kinds:
            kinds.append(node.kind)
    return kinds


def swap_kind(doc: Document, old: str, new: str) -> Document:
    """A copy of ``doc`` with every ``old`` layer replaced by a ``new`` one (default parameters), wired the same.

    The new layers take ids of their own kind (``relu1``...) where free, so the canvas names what they are.
    """
    from . import fileformat
    from .catalogue import get_kind

    data = fileformat.to_dict(doc)
    data.pop("compare", None)
    prefix = get_kind(new).prefix or new.lower()
    taken = {n["id"] for n in data["nodes"]}
    renamed: dict[str, str] = {}
    count = 0
    for node in data["nodes"]:
        if node["kind"] != old:
            continue
        number = "".join(ch for ch in node["id"] if ch.isdigit()) or "1"
        new_id = f"{prefix}{number}"
        while new_id in taken:
            count += 1
            new_id = f"{prefix}{count}"
        taken.add(new_id)
        renamed[node["id"]] = new_id
        node.update(id=new_id, kind=new, params={})
    if not renamed:
        raise VariantError(f"'{doc.name}' has no {old} layer to swap for {new}")
    for edge in data["edges"]:
        edge["from"], edge["to"] = renamed.get(edge["from"], edge["from"]), renamed.get(edge["to"], edge["to"])
    return fileformat.from_dict(data, source=doc.name)


def insert_after(doc: Document, after: str, kind: str, params: dict[str, Any]) -> Document:
    """A copy of ``doc`` with a ``kind`` layer (``params``) after every ``after`` layer, between it and its readers."""
    from . import fileformat
    from .catalogue import get_kind

    data = fileformat.to_dict(doc)
    data.pop("compare", None)
    prefix = get_kind(kind).prefix or kind.lower()
    taken = {n["id"] for n in data["nodes"]}
    nodes, number = [], 0
    added: dict[str, str] = {}
    for node in data["nodes"]:
        nodes.append(node)
        if node["kind"] == after:
            number += 1
            while f"{prefix}{number}" in taken:
                number += 1
            new_id = f"{prefix}{number}"
            taken.add(new_id)
            added[node["id"]] = new_id
            nodes.append({"id": new_id, "kind": kind, "params": dict(params)})  # placed by the reader
    if not added:
        raise VariantError(f"'{doc.name}' has no {after} layer to put a {kind} after")
    edges = [dict(e, **{"from": added[e["from"]]}) if e["from"] in added else e for e in data["edges"]]
    edges += [{"from": src, "to": new_id} for src, new_id in added.items()]
    data["nodes"], data["edges"] = nodes, edges
    return fileformat.from_dict(data, source=doc.name)
