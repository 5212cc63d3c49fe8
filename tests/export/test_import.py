"""``nn-explorer import file.py:Class``: real modules become networks with torch's shapes, parameters and outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from explorer.cli import main
from explorer.export.importer import import_module, state_dict_for
from explorer.export.script import export_script
from explorer.graph import fileformat

from . import modules_elsewhere as elsewhere
from .helpers import load_script

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SOURCE = Path(elsewhere.__file__)
CASES = [  # class, input shape, parameters, output shape
    (elsewhere.Net, (1, 28, 28), 1_199_882, (10,)),
    (elsewhere.Generator, (100, 1, 1), 3_576_704, (3, 64, 64)),
    (elsewhere.SmallResNet, (3, 32, 32), None, (10,)),
]


@pytest.mark.parametrize("cls, shape, parameters, output", CASES, ids=[c[0].__name__ for c in CASES])
def test_import_gives_torchs_parameters_and_shapes_and_exports_back_equal(cls, shape, parameters, output, tmp_path):
    torch.manual_seed(0)
    original = cls()
    count = sum(p.numel() for p in original.parameters())
    if parameters is not None:
        assert count == parameters
    imported = import_module(original, shape, source_files={str(SOURCE)})
    report = imported.document.infer()
    assert report.ok and report.total_params == count
    assert tuple(report.nodes[imported.output_id].output.shape) == output
    for node_id, torch_shape in imported.shapes.items():  # every layer's shape, not only the last
        assert tuple(report.nodes[node_id].output.shape) == torch_shape, node_id

    result = export_script(imported.document, tmp_path / "back.py")
    exported = load_script(result.script).MODEL()
    exported.load_state_dict(state_dict_for(imported))
    original.eval(), exported.eval()
    x = torch.randn(3, *shape, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        difference = (exported(x) - original(x)).abs().max().item()
    print(f"{cls.__name__}: {count:,} parameters, {len(imported.document)} layers, round trip {difference:.3g}")
    assert difference < 1e-5


def test_nested_sequentials_flatten_to_readable_ids():
    imported = import_module(elsewhere.SmallResNet(), (3, 32, 32))
    ids = [n.id for n in imported.document.nodes()]
    assert ids[:4] == ["input", "stem_conv0", "stem_bn1", "stem_relu2"]
    assert {"layer1_0_conv1", "layer2_0_downsample_conv0", "layer2_0_downsample_bn1", "fc"} <= set(ids)
    adds = [n for n in imported.document.nodes() if n.kind == "Add"]
    assert len(adds) == 4 and all(len(imported.document.inputs_of(a.id)) == 2 for a in adds)


def test_the_command_writes_the_network_and_a_checkpoint(tmp_path, capsys):
    target = tmp_path / "mnist.json"
    assert main(["import", f"{SOURCE}:Net", "--input-shape", "1,28,28", "--to", str(target), "--weights"]) == 0
    assert "1,199,882 parameters" in capsys.readouterr().out
    doc = fileformat.load(target)
    assert doc.infer().total_params == 1_199_882
    checkpoint = torch.load(tmp_path / "mnist.pt", weights_only=True)
    assert checkpoint["format"] == "nn-explorer-checkpoint"
    assert checkpoint["document"] == json.loads(target.read_text())
    (state,) = checkpoint["state_dicts"].values()
    assert state["layers.conv1.weight"].shape == (32, 1, 3, 3)


@pytest.mark.parametrize("reference, shape, words", [
    (f"{SOURCE}:Nope", "1", "has no class Nope (it has: BasicBlock, Branchy, Exotic, Generator, Net, SmallResNet)"),
    (f"{SOURCE.parent / 'missing.py'}:Net", "1", "no such file"),
    (f"{SOURCE}:Branchy", "4", "branches on a tensor's values at modules_elsewhere.py:"),
    (f"{SOURCE}:Exotic", "4", "cannot import torch.logsumexp at modules_elsewhere.py:"),
    (f"{SOURCE}:Net", "3,28,28", "Net fails on an input of shape [2, 3, 28, 28]"),
    (f"{SOURCE}:Net", "1,x,28", "--input-shape 1,x,28: give the sizes"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(reference, shape, words, tmp_path, capsys):
    assert main(["import", reference, "--input-shape", shape, "--to", str(tmp_path / "n.json"), "--weights"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0], err
    assert list(tmp_path.iterdir()) == []


def test_an_unmappable_op_names_its_source_line_and_candidates(capsys, tmp_path):
    assert main(["import", f"{SOURCE}:Exotic", "--input-shape", "4", "--to", str(tmp_path / "n.json")]) == 2
    err = capsys.readouterr().err
    assert "(return torch.logsumexp(self.fc(x), dim=1, keepdim=True))" in err
    assert "it could have been LogSoftmax" in err
