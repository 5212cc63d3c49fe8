"""The caption of a comparison: what network B changes from network A, computed from the two documents.

``B: Sigmoid → ReLU after fc1–fc10``, ``B: + Dropout(p=0.5) after fc1, fc2``, ``B: weight_decay 0 → 0.001``.
Here rather than in ``explorer.graph`` because a missing training setting counts as its default.
"""

from __future__ import annotations

import re
from typing import Any

from explorer.graph.document import Document

from .settings import TrainingSettings


def describe_difference(a: Document, b: Document, most: int = 3) -> str:
    """What B changes from A in a few words: swapped, added and removed layers, changed parameters and settings.

    ``B: Sigmoid → ReLU after fc1–fc10; weight_decay 0 → 0.001``; ``B: same as A`` when nothing differs.
    At most ``most`` parts are named; the rest are counted.
    """
    parts = _layer_changes(a, b) + _setting_changes(a.training, b.training)
    if not parts:
        return "B: same as A"
    shown = parts[:most]
    if len(parts) > most:
        shown.append(f"{len(parts) - most} more changes")
    return "B: " + "; ".join(shown)


def _layer_changes(a: Document, b: Document) -> list[str]:
    parts: list[str] = []
    only_a = [n for n in a.nodes() if not b.has_node(n.id)]
    only_b = [n for n in b.nodes() if not a.has_node(n.id)]
    # A node of A replaced by one of B in the same place (same inputs) is a swap, named by what feeds it.
    swaps: dict[tuple[str, str], list[str]] = {}
    for node in list(only_b):
        sources = _sources(b, node.id)
        match = next((m for m in only_a if _sources(a, m.id) == sources), None)
        if match is not None:
            only_a.remove(match)
            only_b.remove(node)
            swaps.setdefault((_label(match), _label(node)), []).append(", ".join(sources) or node.id)
    for node in a.nodes():  # the same id, another kind: a swap too
        if b.has_node(node.id) and b.node(node.id).kind != node.kind:
            other = b.node(node.id)
            swaps.setdefault((_label(node), _label(other)), []).append(
                ", ".join(_sources(a, node.id)) or node.id)
    for (old, new), places in swaps.items():
        parts.append(f"{old} → {new} after {_span(places)}")
    added: dict[str, list[str]] = {}
    for node in only_b:
        added.setdefault(_label(node), []).append(", ".join(_sources(b, node.id)) or "the start")
    for label, places in added.items():
        parts.append(f"+ {label} after {_span(places)}")
    for node in only_a:
        parts.append(f"− {_label(node)} {node.id}")
    # Wires between layers both have (a shortcut added or removed); those of swapped or added layers are said above.
    common = {n.id for n in a.nodes() if b.has_node(n.id)}
    wires_a = {(e.src, e.dst) for e in a.edges() if e.src in common and e.dst in common}
    wires_b = {(e.src, e.dst) for e in b.edges() if e.src in common and e.dst in common}
    ids_a, ids_b = {n.id for n in a.nodes()} - common, {n.id for n in b.nodes()} - common
    added = [w for w in sorted(wires_b - wires_a) if not _through(a, *w, ids_a)]    # not a layer taken out
    removed = [w for w in sorted(wires_a - wires_b) if not _through(b, *w, ids_b)]  # not a layer put in
    parts.extend(f"+ wire {src} → {dst}" for src, dst in added)
    parts.extend(f"− wire {src} → {dst}" for src, dst in removed)
    for node in a.nodes():
        if b.has_node(node.id) and b.node(node.id).kind == node.kind:
            other = b.node(node.id)
            for key in sorted(set(node.params) | set(other.params)):
                if node.params.get(key) != other.params.get(key):
                    parts.append(f"{node.id}.{key} {_value(node.params.get(key))} → {_value(other.params.get(key))}")
    return parts


def _setting_changes(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    defaults = TrainingSettings().to_dict()
    parts = []
    for key in [k for k in defaults if k in a or k in b]:
        old, new = a.get(key, defaults[key]), b.get(key, defaults[key])
        if old != new:
            parts.append(f"{key} {_value(old)} → {_value(new)}")
    return parts


def _through(doc: Document, src: str, dst: str, via: set[str]) -> bool:
    """True when ``doc`` leads from ``src`` to ``dst`` through layers of ``via`` only (at least one)."""
    pending = [e.dst for e in doc.outputs_of(src) if e.dst in via]
    seen = set(pending)
    while pending:
        node = pending.pop()
        for edge in doc.outputs_of(node):
            if edge.dst == dst:
                return True
            if edge.dst in via and edge.dst not in seen:
                seen.add(edge.dst)
                pending.append(edge.dst)
    return False


def _sources(doc: Document, node_id: str) -> list[str]:
    return [e.src for e in doc.inputs_of(node_id)]


def _label(node) -> str:
    """``ReLU``, or ``Dropout(p=0.5)`` for a kind with parameters set."""
    params = ", ".join(f"{k}={_value(v)}" for k, v in node.params.items()
                       if node.layer.defaults().get(k) != v or k in ("p",))
    return f"{node.kind}({params})" if params else node.kind


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _span(places: list[str]) -> str:
    """``fc1–fc10`` for a numbered run of ids, else the first few by name."""
    numbered = [re.fullmatch(r"(.*?)(\d+)", p) for p in places]
    if len(places) > 2 and all(numbered) and len({m.group(1) for m in numbered}) == 1:
        numbers = sorted(int(m.group(2)) for m in numbered)
        if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            prefix = numbered[0].group(1)
            return f"{prefix}{numbers[0]}–{prefix}{numbers[-1]}"
    if len(places) > 3:
        return ", ".join(places[:3]) + f" and {len(places) - 3} more"
    return ", ".join(places)
