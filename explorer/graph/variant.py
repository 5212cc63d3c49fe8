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
