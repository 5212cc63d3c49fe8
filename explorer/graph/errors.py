"""Typed errors of the network document.

Every refusal is an exception naming the node (where there is one) and saying, in words a student
understands, what is wrong. Views catch these and show ``str(error)``; they never build messages.
"""

from __future__ import annotations


class GraphError(Exception):
    """Base class of every refusal by the document."""

    def __init__(self, message: str, node_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.node_id = node_id


class UnknownKindError(GraphError):
    """A layer kind that the catalogue does not know."""


class ParamError(GraphError):
    """A parameter of the wrong type, out of range, or not known to the kind."""


class DuplicateIdError(GraphError):
    """Two nodes with the same id."""


class InvalidIdError(GraphError):
    """A node id that is not a short identifier-like name, or one PyTorch reserves."""


class MissingNodeError(GraphError):
    """An edit or an edge names a node that does not exist."""


class WireError(GraphError):
    """Base of the refused wires."""


class CycleError(WireError):
    """The wire would close a loop; networks here are acyclic."""


class TooManyInputsError(WireError):
    """The target layer has no free input port."""


class DuplicateEdgeError(WireError):
    """The two nodes are already wired."""


class SelfLoopError(WireError):
    """A node wired to itself."""


class NoInputPortError(WireError):
    """The target kind takes no inputs at all (an ``Input`` node)."""


class BuildError(GraphError):
    """The document cannot be built into a module; ``errors`` lists every reason."""

    def __init__(self, errors: list[GraphError]):
        self.errors = list(errors)
        super().__init__("; ".join(e.message for e in self.errors) or "nothing to build")


class FileFormatError(GraphError):
    """A file that cannot be read as a network; the message names the file."""

    def __init__(self, path: str, reason: str, node_id: str | None = None):
        where = f" (node '{node_id}')" if node_id else ""
        super().__init__(f"{path}{where}: {reason}", node_id)
        self.path = path
        self.reason = reason
