"""``nn-explorer export FILE --to model.py|model.onnx``: the network as a PyTorch script or an ONNX file.

Exit status 0 when written, 2 when the network, the target or its folder is refused (one line, and
nothing written), 1 when an optional package is missing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..graph import GraphError
from .exits import EXIT_FAILED, EXIT_INVALID, EXIT_OK, fail
from .networks import FILE_HELP, load_network

SUFFIXES = (".py", ".onnx")


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export", help="write the network as a standalone PyTorch script (.py) or an ONNX file (.onnx)",
        description="Write the network in FILE as one standalone PyTorch script (its module, its dataset beside "
                    "it as .npz, and a training loop that also runs under torchrun), or as ONNX with a dynamic "
                    "batch axis. Exit status 2 if it cannot be exported; nothing is written then.")
    parser.add_argument("file", help=FILE_HELP)
    parser.add_argument("--to", required=True, metavar="PATH", help="model.py for a script, model.onnx for ONNX")
    parser.add_argument("--output", metavar="NODE", help="the output node, if the file holds several networks")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..export import ExportError

    target = Path(args.to)
    if target.suffix.lower() not in SUFFIXES:
        return fail(f"--to {args.to}: the name must end in .py (a PyTorch script) or .onnx")
    if target.is_dir():
        return fail(f"--to {args.to} is a folder; give a file name ending in {target.suffix or '.py'}")
    try:
        doc = load_network(args.file)
    except GraphError as error:
        return fail(error.message, EXIT_INVALID)
    try:
        if target.suffix.lower() == ".py":
            return _script(doc, target, args.output)
        return _onnx(doc, target, args.output)
    except ExportError as error:
        message = error.message
        if message.endswith("choose which network to build"):
            message += " with --output NODE"
        return fail(f"{args.file}: {message}" if not message.startswith("cannot write") else message)


def _script(doc, target: Path, output: str | None) -> int:
    from ..export.script import export_script

    result = export_script(doc, target, output)
    written = f"wrote {result.script}" + (f" and its data {result.data}" if result.data else "")
    print(written)
    for note in result.notes:
        print(f"note: {note}")
    if result.data is not None:
        print(f"train it with: python {result.script} --steps 100   or   "
              f"torchrun --standalone --nproc_per_node=2 {result.script}")
    return EXIT_OK


def _onnx(doc, target: Path, output: str | None) -> int:
    from ..export.onnx import MissingOnnx, export_onnx

    try:
        result = export_onnx(doc, target, output)
    except MissingOnnx as error:
        return fail(error.message, EXIT_FAILED)
    print(f"wrote {target}: {result.summary}")
    return EXIT_OK
