"""Command line: with no sub-command (or just a file) open the window; sub-commands run headless.

Every failure the user can cause ends in one clear line on stderr and a non-zero exit status,
never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from .commands import export as export_command
from .commands import import_ as import_command
from .commands import info as info_command
from .commands import presets as presets_command

# Sub-command modules: each has ``add_parser(subparsers)`` and ``run(args) -> int``.
COMMANDS = {"info": info_command, "presets": presets_command, "export": export_command,
            "import": import_command}

EXIT_USAGE = 2


def _load_train_command():
    try:
        from .commands import train
    except ImportError:  # the training engine is optional until it lands
        return None
    return train


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nn-explorer",
        description="Build neural networks by dragging layers, train them and watch them learn. "
                    "With no command, opens the window (optionally with FILE).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands = dict(COMMANDS)
    train = _load_train_command()
    if train is not None:
        commands["train"] = train
    for name, module in commands.items():
        module.add_parser(sub)
    return parser


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nn-explorer", description="Open the Neural Network Explorer window.",
                                     epilog="Sub-commands: info, train, presets, export, import (see nn-explorer COMMAND --help).")
    parser.add_argument("file", nargs="?", help="a network file (.json) or a preset's name to open")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv and argv[0] in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
        args = parser.parse_args(argv)
        try:
            return args.run(args)
        except KeyboardInterrupt:
            print("nn-explorer: interrupted", file=sys.stderr)
            return 130
    if argv and argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0
    args = _window_parser().parse_args(argv)
    from .packaged import resolve_network
    from .qt.app import run_app

    if args.file is None:
        return run_app(None)
    resolved = resolve_network(args.file)
    if resolved.note:
        print(f"nn-explorer: {resolved.note}", file=sys.stderr, flush=True)
    return run_app(str(resolved.path), as_copy=resolved.is_preset)
