"""FILE arguments: a network file, or the name of a packaged preset (``nn-explorer info lenet-shapes``)."""

from __future__ import annotations

import sys

from ..graph import fileformat
from ..graph.document import Document
from ..packaged import resolve_network

FILE_HELP = "a network file (.json), or a preset's name (see nn-explorer presets)"


def load_network(arg: str) -> Document:
    """Load the file ``arg`` names, else the preset of that name; say on stderr which when both could be meant.

    Raises :class:`~explorer.graph.GraphError` like :func:`fileformat.load`.
    """
    resolved = resolve_network(arg)
    if resolved.note:
        print(f"nn-explorer: {resolved.note}", file=sys.stderr, flush=True)
    return fileformat.load(resolved.path)
