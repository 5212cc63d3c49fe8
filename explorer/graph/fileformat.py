"""The ``nn-explorer`` JSON file format: reading (with migration and validation) and atomic writing.

Files are data, never code. See ``resources/FILE_FORMAT.md`` for the contract.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from .document import Document
from .errors import FileFormatError, GraphError
from .layout import place_missing

FORMAT = "nn-explorer"
SCHEMA_VERSION = 1

# Each migration turns a file dict of version N into version N + 1; ``load`` chains them.
MIGRATIONS: dict[int, Any] = {}

MAX_COORDINATE = 1e7  # canvas units; a network spans a few thousand
MAX_DEPTH = 32  # no field of a network file nests deeper; deeper nesting is damage, not a network

_TOP_KEYS = {"format", "schema_version", "name", "description", "nodes", "edges", "training", "compare"}


def to_dict(doc: Document) -> dict[str, Any]:
    """The document as a file-format dict (nodes in insertion order, edges ordered by target and port)."""
    nodes = []
    for node in doc.nodes():
        entry: dict[str, Any] = {"id": node.id, "kind": node.kind, "params": _minimal_params(node)}
        if node.pos is not None:
            entry["pos"] = [round(node.pos[0], 1), round(node.pos[1], 1)]
        if node.frozen:
            entry["frozen"] = True
        nodes.append(entry)
    edges = []
    for node in doc.nodes():
        for edge in doc.inputs_of(node.id):
            entry = {"from": edge.src, "to": edge.dst}
            if node.layer.max_inputs != 1:
                entry["port"] = edge.port
            edges.append(entry)
    out: dict[str, Any] = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "name": doc.name,
                           "description": doc.description, "nodes": nodes, "edges": edges}
    if doc.training:
        out["training"] = doc.training
    if doc.compare:
        out["compare"] = doc.compare
    return out


def _minimal_params(node) -> dict[str, Any]:
    # Only values that differ from the defaults, so files stay short and readable.
    defaults = node.layer.defaults()
    return {k: v for k, v in node.params.items() if defaults.get(k) != v}


def dumps(doc: Document) -> str:
    return json.dumps(to_dict(doc), indent=2, ensure_ascii=False) + "\n"


def save(doc: Document, path: str | os.PathLike) -> None:
    """Write atomically: a temporary file in the same folder, then ``os.replace``.

    The file keeps its permissions (a new one gets the usual ones, 0666 less the umask), not the
    0600 of the temporary file. Any failure (a full disk, a read-only folder) raises ``OSError``
    and leaves the old file as it was.
    """
    path = Path(path)
    write_text_atomically(path, dumps(doc))


def write_text_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` (UTF-8) in one step, keeping its permissions; on failure nothing changes."""
    write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))


def write_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> None:
    """Replace ``path`` by what ``write(handle)`` writes, in one step: a temporary file in the same
    folder, then ``os.replace``. The file keeps its permissions (a new one gets 0666 less the
    umask, not the temporary file's 0600); on any failure the temporary file goes and the old
    file stays as it was. Network files and checkpoints are written through this one place.
    """
    path = Path(path)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _mode_for(path: Path) -> int:
    """The permission bits ``path`` has, or those a new file gets (0666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask


def load(path: str | os.PathLike) -> Document:
    """Read a file; any problem raises :class:`FileFormatError` naming the file, node and reason."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileFormatError(str(path), "no such file") from None
    except IsADirectoryError:
        raise FileFormatError(str(path), "is a folder, not a network file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise FileFormatError(str(path), f"cannot be read ({error})") from None
    return loads(text, source=str(path))


def loads(text: str, source: str = "<text>") -> Document:
    """Parse file-format text; ``source`` names it in messages."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileFormatError(source, f"is not valid JSON: {error.msg} at line {error.lineno}, "
                              f"column {error.colno}") from None
    except RecursionError:  # Python's parser gives up on lists in lists some thousand deep
        raise FileFormatError(source, f"nests lists or objects more than {MAX_DEPTH} deep") from None
    return from_dict(data, source)


def _too_deep(data: Any, limit: int) -> bool:
    """True when ``data`` nests lists and objects more than ``limit`` deep (checked without recursion)."""
    pending = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, (dict, list)):
            if depth >= limit:
                return True
            items = value.values() if isinstance(value, dict) else value
            pending.extend((item, depth + 1) for item in items)
    return False


def from_dict(data: Any, source: str = "<data>") -> Document:
    """Validate and migrate a file-format dict into a :class:`Document`."""
    def fail(reason: str, node_id: str | None = None):
        raise FileFormatError(source, reason, node_id)

    if not isinstance(data, dict):
        fail("is not a network file: expected a JSON object at the top")
    if _too_deep(data, MAX_DEPTH):
        fail(f"nests lists or objects more than {MAX_DEPTH} deep")
    if data.get("format") != FORMAT:
        fail(f"is not a network file: \"format\" must be \"{FORMAT}\"")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        fail("\"schema_version\" must be a positive whole number")
    if version > SCHEMA_VERSION:
        fail(f"was written by a newer version of the program (schema {version}; this one reads up to "
             f"{SCHEMA_VERSION}): please update")
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    unknown = set(data) - _TOP_KEYS
    if unknown:
        fail(f"has unknown top-level keys: {', '.join(sorted(unknown))}")
    nodes, edges = data.get("nodes"), data.get("edges", [])
    if not isinstance(nodes, list):
        fail("\"nodes\" must be a list")
    if not isinstance(edges, list):
        fail("\"edges\" must be a list")
    name, description, training = data.get("name", ""), data.get("description", ""), data.get("training", {})
    if not isinstance(name, str) or not isinstance(description, str):
        fail("\"name\" and \"description\" must be text")
    if not isinstance(training, dict):
        fail("\"training\" must be an object")
    compare = data.get("compare", {})
    if not isinstance(compare, dict):
        fail("\"compare\" must be an object")
    doc = Document(name=name or Path(source).stem, description=description, training=training, compare=compare)
    for i, entry in enumerate(nodes):
        node_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(entry, dict):
            fail(f"node {i + 1} must be an object")
        extra = set(entry) - {"id", "kind", "params", "pos", "frozen"}
        if extra:
            fail(f"node {i + 1} has unknown keys: {', '.join(sorted(extra))}", node_id)
        if "id" not in entry or "kind" not in entry:
            fail(f"node {i + 1} needs an \"id\" and a \"kind\"", node_id)
        params = entry.get("params", {})
        if not isinstance(params, dict):
            fail("\"params\" must be an object", node_id)
        pos = entry.get("pos")
        if pos is not None and not (isinstance(pos, list) and len(pos) == 2 and all(_is_coordinate(v) for v in pos)):
            fail(f"\"pos\" must be a list of two numbers from {-MAX_COORDINATE:g} to {MAX_COORDINATE:g}", node_id)
        frozen = entry.get("frozen", False)
        if not isinstance(frozen, bool):
            fail("\"frozen\" must be true or false", node_id)
        try:
            doc.add_node(entry["kind"], params, pos, node_id=entry["id"])
        except GraphError as error:
            fail(_strip_owner(error.message, entry), node_id if isinstance(node_id, str) else None)
        doc.node(entry["id"]).frozen = frozen  # checked against its weights once the wires are in
    for i, entry in enumerate(edges):
        if not isinstance(entry, dict) or "from" not in entry or "to" not in entry:
            fail(f"edge {i + 1} must be an object with \"from\" and \"to\"")
        extra = set(entry) - {"from", "to", "port"}
        if extra:
            fail(f"edge {i + 1} has unknown keys: {', '.join(sorted(extra))}")
        src, dst = entry["from"], entry["to"]
        for end in (src, dst):
            if not isinstance(end, str) or not doc.has_node(end):
                fail(f"edge {i + 1} ({src!r} → {dst!r}) names a missing node {end!r}")
        try:
            doc.connect(src, dst, entry.get("port"))
        except GraphError as error:
            fail(f"edge {i + 1}: {error.message}", error.node_id)
    for node in doc.nodes():
        if node.frozen and not doc.has_weights(node.id) and doc.infer().nodes[node.id].params is not None:
            fail(f"\"frozen\" is set, but {node.kind} '{node.id}' has no weights to freeze", node.id)
    place_missing(doc)
    return doc


def _is_coordinate(value: Any) -> bool:
    """A canvas coordinate: a finite number the canvas can hold (NaN, infinities and 1e400 cannot)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value) and abs(value) <= MAX_COORDINATE
    except OverflowError:  # an int too large for a float
        return False


def _strip_owner(message: str, entry: dict) -> str:
    # The file error names the node already; drop the "Kind 'id': " prefix the document adds.
    prefix = f"{entry.get('kind')} '{entry.get('id')}': "
    return message[len(prefix):] if message.startswith(prefix) else message
