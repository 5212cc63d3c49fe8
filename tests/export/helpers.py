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


def _has_graph_layers(path: Path) -> bool:
    return any(n.layer.needs_adjacency for n in fileformat.load(path).nodes())


# Every network of every preset: (preset, output node, key); graph networks are refused (GraphConv has no spec)
NETWORKS = [(p, out, p.stem if len(outs) == 1 else f"{p.stem}.{out}")
            for p in PRESETS if not _has_graph_layers(p)
            for outs in [fileformat.load(p).outputs()] for out in outs]
GRAPH_PRESETS = [p for p in PRESETS if _has_graph_layers(p)]


def load_script(path: Path):
    """Import an exported script (its training runs only under ``__main__``)."""
    name = f"exported_{path.stem.replace('-', '_')}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def batch_for(doc, n: int = 16, seed: int = 1, output: str | None = None) -> torch.Tensor:
    """A batch that fits the network's Input: random values, or token ids below the vocabulary."""
    node = doc.node(build_module(doc, output).input_ids[0])
    g = torch.Generator().manual_seed(seed)
    if node.params["dtype"] == "token ids":
        return torch.randint(0, 10, (n, *node.params["shape"]), generator=g)
    return torch.randn(n, *node.params["shape"], generator=g)


def max_difference(doc, exported_class, state: dict | None = None, x: torch.Tensor | None = None,
                   output: str | None = None) -> float:
    """Largest absolute difference between the explorer's module and the exported class, same weights, eval mode."""
    torch.manual_seed(0)
    ours = build_module(doc, output)
    if state is not None:
        ours.load_state_dict(state)
    theirs = exported_class()
    theirs.load_state_dict(ours.state_dict())  # strict: the keys must be the same
    ours.eval(), theirs.eval()
    x = batch_for(doc, output=output) if x is None else x
    with torch.no_grad():
        return (ours(x) - theirs(x)).abs().max().item()
