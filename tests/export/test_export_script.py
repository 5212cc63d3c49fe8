"""``nn-explorer export FILE --to model.py``: readable code, weights that load, refusals in one line."""

from __future__ import annotations

import os
import sys
import tempfile

import numpy as np
import pytest
import torch

from explorer.cli import main
from explorer.export.script import export_script, module_code
from explorer.graph import fileformat
from explorer.graph.build import build_module
from explorer.graph.document import Document

from .helpers import ROOT, load_script, max_difference

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_one_network_of_a_gan_is_its_module_and_says_how_to_get_the_loop(tmp_path, capsys, monkeypatch):
    preset = ROOT / "presets" / "gan-ring.json"
    assert main(["export", str(preset), "--to", str(tmp_path / "g.py"), "--output", "g_out"]) == 0
    assert "export it without --output" in capsys.readouterr().out
    assert [f.name for f in tmp_path.iterdir()] == ["g.py"]  # no data: it cannot train alone
    script = load_script(tmp_path / "g.py")
    assert max_difference(fileformat.load(preset), script.MODEL, output="g_out") < 1e-5
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "g.py")])
    with pytest.raises(SystemExit, match="task adversarial"):
        script.main()


def test_a_graph_network_without_a_graph_dataset_is_its_module_only(tmp_path, capsys, monkeypatch):
    doc = fileformat.load(ROOT / "presets" / "gcn-karate.json")
    doc.set_meta(training={**doc.training, "dataset": "moons", "dataset_options": {}})  # no graph
    doc.set_param("in1", "shape", [2])
    export_script(doc, tmp_path / "g.py")
    assert [f.name for f in tmp_path.iterdir()] == ["g.py"]
    script = load_script(tmp_path / "g.py")
    assert "needs a graph dataset" in script.NOT_TRAINABLE
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "g.py")])
    with pytest.raises(SystemExit, match="needs a graph dataset"):
        script.main()


def test_the_forward_reads_like_hand_written_code(exported):
    text = exported["resnet-digits"].read_text()
    assert "import explorer" not in text and "from explorer" not in text
    assert '"conv1": nn.Conv2d(1, 32, 3, padding=1, bias=False),' in text
    assert "relu1 = torch.relu(bn1)  # [32, 8, 8]" in text
    assert "add1 = relu1 + bn3  # [32, 8, 8]" in text
    assert "flat1 = torch.flatten(gap1, 1)  # [128]" in text


def test_the_script_loads_an_explorer_checkpoint(exported, tmp_path):
    doc = fileformat.load(ROOT / "presets" / "cnn-digits.json")
    torch.manual_seed(3)
    ours = build_module(doc)
    checkpoint = {"format": "nn-explorer-checkpoint", "version": 1, "document": fileformat.to_dict(doc),
                  "state_dicts": {ours.output_id: ours.state_dict()}}
    torch.save(checkpoint, tmp_path / "run.pt")
    script = load_script(exported["cnn-digits"])
    model = script.MODEL()
    script.load_weights(model, tmp_path / "run.pt", script.OUTPUT)
    x = torch.randn(4, 1, 8, 8)
    ours.eval(), model.eval()
    assert torch.allclose(ours(x), model(x), atol=1e-6)


def test_a_failed_export_leaves_no_partial_file(tmp_path, monkeypatch):
    doc = fileformat.load(ROOT / "presets" / "mlp-moons.json")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", broken)  # the data fails after the script was written
    with pytest.raises(Exception):
        export_script(doc, tmp_path / "model.py")
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    assert main(["export", str(ROOT / "presets" / "mlp-moons.json"), "--to", str(tmp_path / "m.py")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: cannot write {tmp_path / 'm.py'}: the folder {tmp_path} is not writable"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert main(["export", str(ROOT / "presets" / "mlp-moons.json"), "--to", str(folder / "m.py")]) == 2
        assert "is not writable" in capsys.readouterr().err
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_network_with_errors_is_refused_before_anything_is_written(tmp_path):
    doc = Document(name="broken")
    doc.add_node("Input", {"shape": [10]}, node_id="in")
    doc.add_node("Conv2d", {}, node_id="c")
    doc.connect("in", "c")
    with pytest.raises(Exception, match="cannot be built"):
        module_code(doc)


def test_a_checkpoint_written_by_the_engine_loads_into_the_script(exported, tmp_path):
    """With the engine's checkpoints (branch engine) merged: its real file, not a look-alike."""
    checkpoints = pytest.importorskip("explorer.training.checkpoint")
    doc = fileformat.load(ROOT / "presets" / "resnet-digits.json")
    torch.manual_seed(4)
    ours = build_module(doc)
    checkpoints.save_checkpoint(tmp_path / "run.pt", doc, {ours.output_id: ours.state_dict()})
    script = load_script(exported["resnet-digits"])
    model = script.MODEL()
    script.load_weights(model, tmp_path / "run.pt", script.OUTPUT)
    assert max_difference(doc, script.MODEL, state=model.state_dict()) < 1e-5
    x = torch.randn(4, 1, 8, 8)
    ours.eval(), model.eval()
    assert torch.equal(ours(x), model(x))


def test_a_document_with_two_networks_asks_which(tmp_path, capsys):
    doc = fileformat.load(ROOT / "presets" / "gan-ring.json")
    doc.set_meta(training={**doc.training, "task": "supervised"})  # two networks, but not a GAN's: which one?
    fileformat.save(doc, tmp_path / "two.json")
    assert main(["export", str(tmp_path / "two.json"), "--to", str(tmp_path / "g.py")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds 2 outputs ('g_out', 'd_out')" in err[0] and "--output NODE" in err[0]
    assert [f.name for f in tmp_path.iterdir()] == ["two.json"]


def test_a_gan_the_explorer_would_refuse_is_refused_in_one_line(tmp_path, capsys):
    doc = fileformat.load(ROOT / "presets" / "gan-ring.json")
    doc.set_meta(training={**doc.training, "dataset": "digits", "dataset_options": {}})  # images, but points made
    fileformat.save(doc, tmp_path / "gan.json")
    assert main(["export", str(tmp_path / "gan.json"), "--to", str(tmp_path / "g.py")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the GAN cannot be trained: the generator's output 'g_out' gives [2]" in err[0]
    assert "--output NODE" in err[0]
    assert [f.name for f in tmp_path.iterdir()] == ["gan.json"]
