"""Hypothesis strategies for broken network files: every preset and fixture, mutated the ways a file
gets broken (fields deleted, retyped, swapped; ids changed to names torch uses; huge and negative
numbers; deep nesting; bytes that are not UTF-8; text cut short)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from torch import nn

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "presets").glob("*.json")) + sorted((Path(__file__).parent / "fixtures").glob("*.json"))
ORIGINALS = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SOURCES}

TORCH_NAMES = sorted(set(dir(nn.Module())) | set(dir(nn.ModuleDict())))
DEEP_MARK = "\u0000deep\u0000"

NUMBERS = st.one_of(
    st.integers(-10, 10), st.sampled_from([0, -1, 2**31, 2**63, -(2**63), 10**30, 10**400 // 10**300]),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e308, -1e308, 1e-320, 0.5]))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=12),
                    st.sampled_from(["Linear", "Input", "", "relu", "fc1", "in1", "moons", "adam"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                      max_leaves=8)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON tree, as a tuple of keys and indices (the root is ``()``)."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += paths(item, prefix + (i,))
    return out


def _parent(tree: Any, path: tuple) -> Any:
    for key in path[:-1]:
        tree = tree[key]
    return tree


def _get(tree: Any, path: tuple) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def _set(tree: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    _parent(tree, path)[path[-1]] = value
    return tree


@st.composite
def mutated_document(draw) -> tuple[str, Any, list[str]]:
    """(source name, mutated JSON tree, the mutations made, in words)."""
    name = draw(st.sampled_from(sorted(ORIGINALS)))
    tree = copy.deepcopy(ORIGINALS[name])
    done = []
    for _ in range(draw(st.integers(1, 3))):
        # Most damage is inside nodes, wires and settings, where a file can still be read: that is
        # where later stages (info, build, train) get something to chew on.
        op = draw(st.sampled_from(["delete", "retype", "swap", "torch_id", "number", "deep", "add_key"]
                                  + ["inner_retype", "inner_delete", "torch_id", "number", "inner_retype"] * 2
                                  + ["plausible"] * 6))
        places = paths(tree)
        inner = [p for p in places if (p[:1] in (("nodes",), ("edges",)) and len(p) >= 3)
                 or (p[:1] == ("training",) and len(p) >= 2)]
        if op.startswith("inner_"):
            if not inner:
                continue
            places, op = [()] + inner, op[len("inner_"):]
        if op == "delete" and len(places) > 1:
            path = draw(st.sampled_from(places[1:]))
            del _parent(tree, path)[path[-1]]
        elif op == "retype":
            path = draw(st.sampled_from(places))
            tree = _set(tree, path, draw(VALUES))
        elif op == "swap" and len(places) > 2:
            a, b = draw(st.sampled_from(places[1:])), draw(st.sampled_from(places[1:]))
            if a[:len(b)] == b or b[:len(a)] == a:
                continue
            va, vb = _get(tree, a), _get(tree, b)
            _set(tree, a, vb)
            _set(tree, b, va)
        elif op == "torch_id" and isinstance(tree, dict) and isinstance(tree.get("nodes"), list) and tree["nodes"]:
            i = draw(st.integers(0, len(tree["nodes"]) - 1))
            node = tree["nodes"][i]
            if not isinstance(node, dict):
                continue
            old, new = node.get("id"), draw(st.sampled_from(TORCH_NAMES))
            node["id"] = new
            if draw(st.booleans()) and isinstance(tree.get("edges"), list):  # the wires follow the rename
                for edge in tree["edges"]:
                    if isinstance(edge, dict):
                        for end in ("from", "to"):
                            if edge.get(end) == old:
                                edge[end] = new
        elif op == "number":
            numeric = [p for p in places if isinstance(_get(tree, p), (int, float)) and not isinstance(
                _get(tree, p), bool)]
            if numeric:
                path = draw(st.sampled_from(numeric))
                tree = _set(tree, path, draw(st.sampled_from([-1, 0, -(10**9), 10**9, 10**18, 2**64, 1e300,
                                                              -1e-9, 3.5, 65537, 10**6])))
        elif op == "plausible":  # a value of the right type that may or may not suit the layer
            numeric = [p for p in inner if isinstance(_get(tree, p), (int, float)) and not isinstance(
                _get(tree, p), bool)]
            if not numeric:
                continue
            path = draw(st.sampled_from(numeric))
            old = _get(tree, path)
            tree = _set(tree, path, draw(st.integers(0, 64)) if isinstance(old, int) else draw(
                st.floats(0, 1, allow_nan=False)))
        elif op == "deep":
            path = draw(st.sampled_from(places))
            tree = _set(tree, path, DEEP_MARK)
        elif op == "add_key":
            dicts = [p for p in places if isinstance(_get(tree, p), dict)]
            if dicts:
                path = draw(st.sampled_from(dicts))
                _get(tree, path)[draw(st.sampled_from(["x", "id", "kind", "port", "params", "pos"]))] = draw(VALUES)
        else:
            continue
        done.append(op)
    return name, tree, done


@st.composite
def broken_file_bytes(draw) -> tuple[bytes, list[str]]:
    """A mutated file as the bytes on disk, sometimes cut short or holding bytes that are not UTF-8."""
    name, tree, done = draw(mutated_document())
    text = json.dumps(tree, ensure_ascii=draw(st.booleans()))
    if DEEP_MARK_JSON in text:
        depth = draw(st.sampled_from([50, 900, 5_000, 100_000]))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        text = text.replace(DEEP_MARK_JSON, opener * depth + "1" + closer * depth, 1).replace(DEEP_MARK_JSON, "1")
        done.append(f"deep {depth}")
    data = text.encode("utf-8")
    damage = draw(st.sampled_from(["none"] * 8 + ["bytes", "cut"]))
    if damage == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xfe\xff"])) + data[at:]
        done.append("bytes")
    elif damage == "cut":
        data = data[:draw(st.integers(0, len(data)))]
        done.append("cut")
    return data, [name] + done


DEEP_MARK_JSON = json.dumps(DEEP_MARK)

