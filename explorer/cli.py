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
from .commands import train as train_command
from .commands.exits import EXIT_FAILED, fail

# Sub-command modules: each has ``add_parser(subparsers)`` and ``run(args) -> int``. They import torch
# only when they run, so a broken torch is reported by the command that needs it, not hidden.
COMMANDS = {"info": info_command, "train": train_command, "presets": presets_command,
            "export": export_command, "import": import_command}

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nn-explorer",
        description="Build neural networks by dragging layers, train them and watch them learn. "
                    "With no command, opens the window (optionally with FILE).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS.values():
        module.add_parser(sub)
    return parser


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nn-explorer", description="Open the Neural Network Explorer window.",
                                     epilog="Sub-commands: info, train, presets, export, import (see nn-explorer COMMAND --help).")
    parser.add_argument("file", nargs="?", help="a network file (.json) or a preset's name to open")
    return parser


def tolerate_narrow_consoles() -> None:
    """Let a console that cannot show a character (``PYTHONIOENCODING=ascii``, an old code page)
    print '?' for it instead of failing with ``UnicodeEncodeError``; names and messages may hold any."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # a closed or unusual stream: leave it as it is
                pass


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    tolerate_narrow_consoles()
    parser = build_parser()
    if argv and argv[0] in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
        args = parser.parse_args(argv)
        try:
            return args.run(args)
        except KeyboardInterrupt:
            print("nn-explorer: interrupted", file=sys.stderr)
            return 130
        except ImportError as error:  # a broken install (torch, numpy): say so in one line
            return fail(f"a library nn-explorer needs cannot be imported ({error}); reinstall it, e.g. "
                        "pip install --force-reinstall torch", EXIT_FAILED)
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
