"""The network document, layer catalogue, shape inference, build to PyTorch and file format. No Qt."""

from .catalogue import GROUPS, LayerKind, all_kinds, get_kind
from .document import Document, Edge, Node
from .errors import (BuildError, CycleError, DuplicateEdgeError, DuplicateIdError, FileFormatError, GraphError,
                     InvalidIdError, MissingNodeError, NoInputPortError, ParamError, SelfLoopError, TooManyInputsError,
                     UnknownKindError, WireError)
from .params import Param
from .shapes import MAX_LAYER_PARAMS, NodeInfo, ShapeReport
from .spec import TensorSpec

__all__ = [
    "GROUPS", "LayerKind", "all_kinds", "get_kind", "Document", "Edge", "Node", "BuildError", "CycleError",
    "DuplicateEdgeError", "DuplicateIdError", "FileFormatError", "GraphError", "InvalidIdError", "MissingNodeError",
    "NoInputPortError", "ParamError", "SelfLoopError", "TooManyInputsError", "UnknownKindError", "WireError",
    "Param", "MAX_LAYER_PARAMS", "NodeInfo", "ShapeReport", "TensorSpec",
]
