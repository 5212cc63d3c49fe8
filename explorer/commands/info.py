"""``nn-explorer info FILE``: a summary table of a network (node, kind, output shape, parameters)."""

from __future__ import annotations

import argparse
import json
import sys

from ..graph import GraphError
from ..graph.spec import fmt
from .exits import EXIT_INVALID, fail
from .networks import FILE_HELP, load_network


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("info", help="print each layer's output shape and parameter count",
                            description="Print a summary of a network file: each node's kind, output shape "
                                        "and parameters. Exit status 2 if the file or its graph has errors.")
    parser.add_argument("file", help=FILE_HELP)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        doc = load_network(args.file)
    except GraphError as error:
        return fail(error.message)
    report = doc.infer()
    if not report.ok:
        for error in report.errors:
            fail(f"{args.file}: {error.message}")
        return EXIT_INVALID
    rows = [(n.id, n.kind, list(report.nodes[n.id].output.shape), report.nodes[n.id].params or 0)
            for n in (doc.node(i) for i in doc.topological_order())]
    total = report.total_params
    if args.json:
        print(json.dumps({"nodes": [{"id": i, "kind": k, "output_shape": s, "params": p} for i, k, s, p in rows],
                          "total_params": total}))
        return 0
    print(format_table(doc.name, rows, total, rule=rule_for(sys.stdout)))
    return 0


def rule_for(stream) -> str:
    """The character for the table's rules: a box-drawing line where the console can show it, else '-'."""
    try:
        "─".encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "-"
    return "─"


def format_table(title: str, rows: list[tuple[str, str, list[int], int]], total: int, rule: str = "─") -> str:
    """A torchinfo-like table with a total line."""
    header = ("Node", "Kind", "Output shape", "Params")
    cells = [header] + [(i, k, fmt(s), f"{p:,}") for i, k, s, p in rows]
    widths = [max(len(r[c]) for r in cells) for c in range(4)]
    line = rule * (sum(widths) + 6)

    def render(row):
        return "  ".join([row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2]),
                          row[3].rjust(widths[3])])

    out = [title, line, render(header), line, *(render(r) for r in cells[1:]), line,
           f"Total parameters: {total:,}"]
    return "\n".join(out)
