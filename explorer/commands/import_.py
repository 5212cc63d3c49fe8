"""``nn-explorer import file.py:Class --input-shape C,H,W``: a PyTorch module as a network file.

Exit status 0 when written, 2 when refused (no such class, a module torch.fx cannot trace, an
operation no layer kind does, a wrong input shape, an unwritable folder), with one line saying why.
"""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

from .exits import EXIT_INVALID, EXIT_OK, fail


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "import", help="make a network file from a PyTorch module, traced with torch.fx",
        description="Trace the nn.Module class CLASS in FILE with torch.fx on samples of --input-shape, map its "
                    "layers and functional calls to layer kinds and write a network file. Exit status 2 if it "
                    "cannot be imported; nothing is written then.")
    parser.add_argument("module", metavar="FILE.py:CLASS", help="the module's file and class name")
    parser.add_argument("--input-shape", required=True, metavar="C,H,W", help="one sample's shape, without the batch")
    parser.add_argument("--token-ids", action="store_true", help="the input is integer token ids (for an Embedding)")
    parser.add_argument("--args", metavar="LITERALS", default="",
                        help="arguments for the class, as Python literals: --args '100, 64'")
    parser.add_argument("--to", metavar="NET.json", help="the network file to write (default: CLASS.json here)")
    parser.add_argument("--weights", action="store_true",
                        help="also write the module's weights as a checkpoint beside it (NET.pt)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..export import ExportError
    from ..export.importer import import_module, load_module_class, parse_shape

    try:
        shape = parse_shape(args.input_shape)
        cls, path = load_module_class(args.module)
        try:
            values = ast.literal_eval(f"({args.args},)") if args.args.strip() else ()
        except (ValueError, SyntaxError):
            raise ExportError(f"--args {args.args}: give Python literals separated by commas") from None
        try:
            module = cls(*values)
        except Exception as error:  # noqa: BLE001 (the user's constructor)
            raise ExportError(f"{cls.__name__}({args.args}) failed: {type(error).__name__}: {error}") from None
        imported = import_module(module, shape, name=cls.__name__, source_files={str(path)},
                                 input_dtype="token ids" if args.token_ids else "float")
        target = Path(args.to or f"{cls.__name__}.json")
        _write(imported, target, args.weights)
    except ExportError as error:
        return fail(error.message, EXIT_INVALID)
    doc = imported.document
    print(f"wrote {target}: {len(doc)} layers, {imported.parameters:,} parameters, output "
          f"{list(imported.shapes[imported.output_id])}" + (f"; weights in {target.with_suffix('.pt')}"
                                                            if args.weights else ""))
    return EXIT_OK


def _write(imported, target: Path, weights: bool) -> None:
    from ..export.files import write_atomically
    from ..graph import fileformat

    text = fileformat.dumps(imported.document)
    files = {target: lambda p: p.write_text(text, encoding="utf-8")}
    if weights:
        import torch

        from ..export.importer import state_dict_for

        checkpoint = {"format": "nn-explorer-checkpoint", "version": 1, "document": json.loads(text),
                      "state_dicts": {imported.output_id: state_dict_for(imported)}}
        files[target.with_suffix(".pt")] = lambda p: torch.save(checkpoint, p)
    write_atomically(files)
