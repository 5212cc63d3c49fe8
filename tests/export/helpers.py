"""Loading an exported script as a module, and comparing it with the explorer's build of the same network."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import torch

from explorer.graph import fileformat
from explorer.graph.build import build_module

ROOT = Path(__file__).resolve().parents[2]
PRESETS = sorted((ROOT / "presets").glob("*.json"))

# Every network of every preset: (preset, output node, key); a GAN's two networks are two entries
NETWORKS = [(p, out, p.stem if len(outs) == 1 else f"{p.stem}.{out}")
            for p in PRESETS for outs in [fileformat.load(p).outputs()] for out in outs]


def load_script(path: Path):
    """Import an exported script (its training runs only under ``__main__``)."""
    name = f"exported_{path.stem.replace('-', '_')}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def script_classes(script) -> dict[str, type]:
    """The exported network classes of a script by their output node: one, or a GAN's two."""
    if hasattr(script, "GENERATOR"):
        return {script.G_OUTPUT: script.GENERATOR, script.D_OUTPUT: script.DISCRIMINATOR}
    return {script.OUTPUT: script.MODEL}


def batch_for(doc, n: int = 16, seed: int = 1, output: str | None = None) -> torch.Tensor:
    """A batch that fits the network's Input: random values, or token ids below the vocabulary."""
    node = doc.node(build_module(doc, output).input_ids[0])
    g = torch.Generator().manual_seed(seed)
    if node.params["dtype"] == "token ids":
        return torch.randint(0, 10, (n, *node.params["shape"]), generator=g)
    return torch.randn(n, *node.params["shape"], generator=g)


def max_difference(doc, exported_class, state: dict | None = None, x: torch.Tensor | None = None,
                   output: str | None = None, adjacency: torch.Tensor | None = None) -> float:
    """Largest absolute difference between the explorer's module and the exported class, same weights, eval mode.

    ``adjacency`` feeds a graph network (the explorer's takes it by keyword, the script's as its last argument).
    """
    torch.manual_seed(0)
    ours = build_module(doc, output)
    if state is not None:
        ours.load_state_dict(state)
    theirs = exported_class()
    theirs.load_state_dict(ours.state_dict())  # strict: the keys must be the same
    ours.eval(), theirs.eval()
    x = batch_for(doc, output=output) if x is None else x
    with torch.no_grad():
        if adjacency is not None:
            return (ours(x, adjacency=adjacency) - theirs(x, adjacency)).abs().max().item()
        return (ours(x) - theirs(x)).abs().max().item()
