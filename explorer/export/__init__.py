"""Out of the explorer and back: a network as a standalone PyTorch script or ONNX, and PyTorch into a network.

No Qt here; the command line (``nn-explorer export``/``import``) and the window's File menu use it.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ExportError
from .files import write_atomically

__all__ = ["ExportError", "export_network", "write_atomically"]


def export_network(doc, target: str | Path, output: str | None = None) -> str:
    """Write ``doc`` to ``target`` by its suffix (``.py`` script, ``.onnx``); return what was written, in words."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix == ".py":
        from .script import export_script

        result = export_script(doc, target, output)
        text = f"wrote {result.script.name}" + (f" and its data {result.data.name}" if result.data else "")
        return "; ".join([text, *result.notes])
    if suffix == ".onnx":
        from .onnx import export_onnx

        return f"wrote {target.name}: {export_onnx(doc, target, output).summary}"
    raise ExportError(f"{target.name}: the name must end in .py (a PyTorch script) or .onnx")
