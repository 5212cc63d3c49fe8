"""Every preset exported and trained once per session: the exports and checkpoints several test files compare."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.cli import main

from .helpers import PRESETS

CHECKPOINT_STEPS = 2


@pytest.fixture(scope="session")
def exported(tmp_path_factory) -> dict[str, Path]:
    """Every preset exported by ``nn-explorer export PRESET --to NAME.py`` into one folder, by preset name."""
    folder = tmp_path_factory.mktemp("exported")
    paths = {}
    for preset in PRESETS:
        target = folder / f"{preset.stem.replace('-', '_')}.py"
        assert main(["export", str(preset), "--to", str(target)]) == 0, preset.stem
        paths[preset.stem] = target
    return paths


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory) -> dict[str, Path]:
    """Every preset trained a few steps by ``nn-explorer train PRESET --steps N --save CKPT.pt``, by preset name."""
    folder = tmp_path_factory.mktemp("checkpoints")
    paths = {}
    for preset in PRESETS:
        path = folder / f"{preset.stem}.pt"
        assert main(["train", str(preset), "--steps", str(CHECKPOINT_STEPS), "--save", str(path)]) == 0, preset.stem
        paths[preset.stem] = path
    return paths
