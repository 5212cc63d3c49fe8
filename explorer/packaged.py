"""Files the program reads at run time: the example networks (presets) and the style sheet.

The repository keeps them at its top level, in ``presets/`` and ``resources/``; building the package
maps them into it as ``explorer/presets`` and ``explorer/resources`` (see ``pyproject.toml``), so an
installed wheel finds them with :mod:`importlib.resources`. A source checkout or an editable install
has no such folders inside ``explorer/``, and finds the repository's own. No Qt here: the command
line lists and opens presets too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

PACKAGE = "explorer"
_CHECKOUT = Path(__file__).resolve().parents[1]  # the repository, when running from a source tree


def data_folder(name: str) -> Path:
    """The folder ``name`` (``"presets"`` or ``"resources"``): inside the package, else in the checkout."""
    packaged = resources.files(PACKAGE) / name
    if packaged.is_dir():
        return Path(str(packaged))  # installed wheels are plain folders, never zipped
    return _CHECKOUT / name


def presets_dir() -> Path:
    """Where the presets are: ``$NN_EXPLORER_PRESETS`` if set, else the packaged folder."""
    override = os.environ.get("NN_EXPLORER_PRESETS")
    return Path(override) if override else data_folder("presets")


def resource_text(name: str) -> str:
    """The text of ``resources/<name>`` (raises ``OSError`` when it is missing)."""
    return (data_folder("resources") / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Preset:
    path: Path
    name: str         # the title inside the file
    description: str

    @property
    def key(self) -> str:
        """What to type on the command line: the file name without ``.json``."""
        return self.path.stem

    def summary(self, width: int = 100) -> str:
        """The title and the description's first sentence, cut to ``width`` characters."""
        first = self.description.split(". ")[0].rstrip(".")
        text = f"{self.name}: {first}" if first else self.name
        return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def list_presets(folder: Path | None = None) -> list[Preset]:
    """Every ``*.json`` in ``folder`` with the name and description from its file, sorted by name.

    Only the two texts are read here; a broken preset still appears and explains itself when opened.
    """
    folder = presets_dir() if folder is None else folder
    presets = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        name, description = path.stem, ""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                name = str(data.get("name") or name)
                description = str(data.get("description") or "")
        except (OSError, ValueError):
            description = "(this file cannot be read)"
        presets.append(Preset(path, name, description))
    return sorted(presets, key=lambda p: p.name.lower())


def find_preset(name: str) -> Preset | None:
    """The preset whose file is ``name`` or ``name.json``, if there is one."""
    stem = name[:-5] if name.endswith(".json") else name
    if not stem or os.sep in stem or "/" in stem:
        return None
    return next((p for p in list_presets() if p.key == stem), None)


@dataclass(frozen=True)
class Resolved:
    """A FILE argument resolved to a path, and a note saying which of a file and a preset was used."""

    path: Path
    is_preset: bool
    note: str | None  # None when the argument was plainly a file and no preset shared its name


def resolve_network(arg: str) -> Resolved:
    """A network file named ``arg``: a file of that name in the current folder wins, else a preset.

    When neither exists the path is returned as given, so loading it reports "no such file".
    """
    path = Path(arg)
    preset = find_preset(arg)
    if path.exists():
        note = (f"using the file {arg} in this folder, not the preset of the same name"
                if preset is not None else None)
        return Resolved(path, False, note)
    if preset is not None:
        return Resolved(preset.path, True, f"using the preset {preset.key} ({preset.name})")
    return Resolved(path, False, None)
