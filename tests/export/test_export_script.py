"""``nn-explorer export FILE --to model.py``: every preset's script builds the same network, and trains."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.cli import main
from explorer.export.script import export_script, module_code
from explorer.graph import fileformat
from explorer.graph.build import build_module
from explorer.graph.document import Document

from .helpers import GRAPH_PRESETS, NETWORKS, ROOT, load_script, max_difference

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


TRAINABLE = [n for n in NETWORKS if fileformat.load(n[0]).training.get("task") not in ("adversarial",)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    """Every network of every preset exported once, by the command line, into one folder."""
    folder = tmp_path_factory.mktemp("exported")
    paths = {}
    for preset, output, key in NETWORKS:
        target = folder / f"{key.replace('-', '_').replace('.', '_')}.py"
        assert main(["export", str(preset), "--to", str(target), "--output", output]) == 0
        paths[key] = target
    return paths


@pytest.mark.parametrize("preset, output, key", NETWORKS, ids=[n[2] for n in NETWORKS])
def test_the_exported_module_equals_the_explorers(exported, preset, output, key):
    doc = fileformat.load(preset)
    script = load_script(exported[key])
    assert [n for n, _ in script.MODEL().state_dict().items()] == list(build_module(doc, output).state_dict())
    difference = max_difference(doc, script.MODEL, output=output)
    print(f"{key}: max abs difference {difference:.3g}")
    assert difference < 1e-5
    if script.NOT_TRAINABLE:
        assert not exported[key].with_suffix(".npz").exists()
        return
    data = np.load(exported[key].with_suffix(".npz"))
    assert set(data.files) == {"x_train", "y_train", "x_val", "y_val"}
    x = torch.from_numpy(data["x_val"][:32])  # the real samples run through both too
    assert max_difference(doc, script.MODEL, x=x, output=output) < 1e-5


@pytest.mark.parametrize("preset", GRAPH_PRESETS, ids=[p.stem for p in GRAPH_PRESETS])
def test_a_graph_network_is_refused_in_one_line(preset, tmp_path, capsys):
    assert main(["export", str(preset), "--to", str(tmp_path / "g.py")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "GraphConv" in err[0] and "cannot be written out" in err[0]
    assert list(tmp_path.iterdir()) == []


def test_a_gan_script_holds_its_networks_and_says_it_does_not_train_them(exported, monkeypatch):
    key = next(k for p, _, k in NETWORKS if p.stem == "gan-ring")
    script = load_script(exported[key])
    monkeypatch.setattr(sys, "argv", [str(exported[key])])
    with pytest.raises(SystemExit, match="a GAN's two networks train against each other"):
        script.main()


def test_the_forward_reads_like_hand_written_code(exported):
    text = exported["resnet-digits"].read_text()
    assert "import explorer" not in text and "from explorer" not in text
    assert '"conv1": nn.Conv2d(1, 32, 3, padding=1, bias=False),' in text
    assert "relu1 = torch.relu(bn1)  # [32, 8, 8]" in text
    assert "add1 = relu1 + bn3  # [32, 8, 8]" in text
    assert "flat1 = torch.flatten(gap1, 1)  # [128]" in text


def _run(cmd, cwd):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["OMP_NUM_THREADS"] = "1"
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=240, env=env)


@pytest.mark.parametrize("name", ["mlp-moons", "lstm-adding"])
def test_the_script_trains_and_its_saved_weights_load_into_both(exported, name, tmp_path):
    script = exported[name]
    result = _run([sys.executable, script, "--steps", "3", "--save", tmp_path / "w.pt"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "step 3/3" in result.stdout and "weights written" in result.stdout
    state = torch.load(tmp_path / "w.pt", weights_only=True)
    doc = fileformat.load(ROOT / "presets" / f"{name}.json")
    assert max_difference(doc, load_script(script).MODEL, state=state) < 1e-5


def test_the_script_loads_an_explorer_checkpoint(exported, tmp_path):
    doc = fileformat.load(ROOT / "presets" / "cnn-digits.json")
    torch.manual_seed(3)
    ours = build_module(doc)
    checkpoint = {"format": "nn-explorer-checkpoint", "version": 1, "document": fileformat.to_dict(doc),
                  "state_dicts": {ours.output_id: ours.state_dict()}}
    torch.save(checkpoint, tmp_path / "run.pt")
    script = load_script(exported["cnn-digits"])
    model = script.MODEL()
    script.load_weights(model, tmp_path / "run.pt")
    x = torch.randn(4, 1, 8, 8)
    ours.eval(), model.eval()
    assert torch.allclose(ours(x), model(x), atol=1e-6)


@pytest.mark.skipif(shutil.which("torchrun", path=str(Path(sys.executable).parent)) is None,
                    reason="torchrun is not installed beside this Python")
@pytest.mark.parametrize("name", ["mlp-moons", "resnet-digits"])
def test_the_script_trains_under_torchrun_on_two_processes(exported, name, tmp_path):
    torchrun = Path(sys.executable).parent / "torchrun"
    result = _run([torchrun, "--standalone", "--nproc_per_node=2", exported[name], "--steps", "4",
                   "--save", tmp_path / "w.pt"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "on 2 process(es)" in result.stdout and "step 4/4" in result.stdout
    assert result.stdout.count("weights written") == 1  # rank 0 only
    assert (tmp_path / "w.pt").is_file()


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
    script.load_weights(model, tmp_path / "run.pt")
    assert max_difference(doc, script.MODEL, state=model.state_dict()) < 1e-5
    x = torch.randn(4, 1, 8, 8)
    ours.eval(), model.eval()
    assert torch.equal(ours(x), model(x))


@pytest.mark.parametrize("preset, output, key", TRAINABLE, ids=[n[2] for n in TRAINABLE])
def test_every_presets_script_trains_two_steps(exported, preset, output, key, tmp_path, monkeypatch, capsys):
    """In this process (no torch start-up per preset): the loop, the data file and --save, for every preset."""
    script = load_script(exported[key])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(exported[key]), "--steps", "2", "--save", "w.pt"])
    script.main()
    out = capsys.readouterr().out
    assert "step 2/2" in out and "val_loss" in out and "weights written to w.pt" in out
    state = torch.load(tmp_path / "w.pt", weights_only=True)
    assert max_difference(fileformat.load(preset), script.MODEL, state=state, output=output) < 1e-5


def test_a_document_with_two_networks_asks_which(tmp_path, capsys):
    assert main(["export", str(ROOT / "presets" / "gan-ring.json"), "--to", str(tmp_path / "g.py")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds 2 outputs ('g_out', 'd_out')" in err[0] and "--output NODE" in err[0]
    assert list(tmp_path.iterdir()) == []
