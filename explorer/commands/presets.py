"""``nn-explorer presets``: the example networks shipped with the program, one line each."""

from __future__ import annotations

import argparse
import shutil

from ..packaged import list_presets, presets_dir
from .exits import EXIT_FAILED, EXIT_OK, fail


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("presets", help="list the example networks, usable wherever a FILE is asked for",
                            description="List the packaged example networks with a one-line description. Any "
                                        "command taking a FILE also takes one of these names; a file of that "
                                        "name in the current folder wins.")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    presets = sorted(list_presets(), key=lambda p: p.key)
    if not presets:
        return fail(f"no presets found in {presets_dir()}", EXIT_FAILED)
    width = max(len(p.key) for p in presets)
    columns = max(60, shutil.get_terminal_size((100, 24)).columns - 1)
    for preset in presets:
        print(f"{preset.key.ljust(width)}  {preset.summary(columns - width - 2)}")
    return EXIT_OK
