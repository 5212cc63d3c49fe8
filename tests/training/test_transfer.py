"""Transfer learning in the core: weights into the layers whose ids and shapes match, frozen layers that
training leaves alone, and clear refusals (nothing matches, everything frozen)."""

from __future__ import annotations

import pytest
import torch

from explorer.graph import fileformat
from explorer.graph.errors import BuildError, FileFormatError, ParamError
from explorer.training.checkpoint import CheckpointError, save_checkpoint
from explorer.training.snapshots import StepSnapshot
from explorer.training.trainer import Trainer
from explorer.training.transfer import plan_transfer, source_layers, transfer_weights

from .conftest import SMALL_CNN, chain

TRAINING = {"dataset": "digits", "batch_size": 16, "epochs": 1, "lr": 0.05, "optimizer": "sgd"}


def _cnn(head: int = 3, **training):
    layers = [*SMALL_CNN[:-1], ("Linear", {"out_features": head})]
    return chain(layers, {**TRAINING, **training})


def _trained(doc, dataset, steps: int = 4) -> Trainer:
    trainer = Trainer(doc, dataset=dataset, steps=steps, probes=False)
    list(trainer.run())
    return trainer


def test_matching_layers_load_and_the_others_keep_fresh_weights(make_images):
    source = _trained(_cnn(head=3), make_images(classes=3))
    weights = source.state_dicts()
    fresh = Trainer(_cnn(head=5), dataset=make_images(classes=5), probes=False)
    head_before = fresh.module.layers["fc2"].weight.detach().clone()
    target = Trainer(_cnn(head=5), dataset=make_images(classes=5), probes=False, transfer_from=weights)
    report = target.transfer_report
    assert report.loaded == ["conv1", "conv2", "fc1"]
    assert list(report.skipped) == ["fc2"] and "[3, 16] in the source, [5, 16] here" in report.skipped["fc2"]
    mine, theirs = target.module.state_dict(), source_layers(weights)
    for node_id in report.loaded:
        for name, tensor in theirs[node_id].items():
            assert torch.equal(mine[f"layers.{node_id}.{name}"], tensor)
    # the head that did not fit has the fresh weights the seed gives, as if nothing had been loaded
    assert torch.equal(target.module.layers["fc2"].weight, head_before)
    assert report.summary().startswith("Loaded conv1, conv2, fc1 (3 of 4 layers with weights) from the checkpoint. "
                                       "Fresh: fc2 (weight is [3, 16] in the source, [5, 16] here)")


def test_a_source_that_fits_no_layer_is_refused_and_nothing_changes(make_images):
    other = chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 7}), ("ReLU", {}),
                   ("Linear", {"out_features": 2})], {"dataset": "moons"})
    weights = {"fc2": {k: torch.zeros_like(v) for k, v in
                           Trainer(other, steps=1, probes=False).state_dicts()["fc2"].items()}}
    fresh = Trainer(_cnn(), dataset=make_images(), probes=False)
    with pytest.raises(CheckpointError, match="no layer of the checkpoint fits this network.*Nothing was changed"):
        Trainer(_cnn(), dataset=make_images(), probes=False, transfer_from=weights)
    before = {k: v.clone() for k, v in fresh.module.state_dict().items()}
    with pytest.raises(CheckpointError, match="conv1: not in the source; .*fc1: weight is .7, 2. in the source"):
        transfer_weights(fresh.networks, weights)
    assert all(torch.equal(v, before[k]) for k, v in fresh.module.state_dict().items())
    report = plan_transfer(fresh.networks, weights)
    assert report.loaded == [] and report.unused == []


def test_a_frozen_layer_takes_no_step_and_no_weight_decay(make_images):
    doc = _cnn(weight_decay=0.5, momentum=0.9)
    doc.set_frozen("conv1", True)
    doc.set_frozen("fc1", True)
    trainer = Trainer(doc, dataset=make_images(), steps=6, probes=False)
    before = {k: v.clone() for k, v in trainer.module.state_dict().items()}
    steps = [s for s in trainer.run() if isinstance(s, StepSnapshot)]
    after = trainer.module.state_dict()
    for key in before:
        frozen = key.startswith(("layers.conv1.", "layers.fc1."))
        assert torch.equal(after[key], before[key]) == frozen, key
    assert not trainer.module.layers["conv1"].weight.requires_grad
    in_optimiser = {id(p) for group in trainer.optimizer.param_groups for p in group["params"]}
    assert id(trainer.module.layers["conv1"].weight) not in in_optimiser
    assert set(steps[-1].grad_norms) == {"conv2", "fc2"}  # the gradient view shows the frozen ones as such


def test_freezing_every_layer_with_weights_is_refused_with_a_clear_message(make_images):
    doc = _cnn()
    for node_id in ("conv1", "conv2", "fc1", "fc2"):
        doc.set_frozen(node_id, True)
    with pytest.raises(BuildError, match="every layer with weights of the network is frozen.*unfreeze at least one"):
        Trainer(doc, dataset=make_images(), probes=False)
    assert doc.frozen_ids() == ["conv1", "conv2", "fc1", "fc2"]  # nothing lost


def test_frozen_is_saved_in_the_file_and_only_where_there_are_weights(tmp_path):
    doc = _cnn()
    with pytest.raises(ParamError, match="ReLU 'relu1' has no weights to freeze"):
        doc.set_frozen("relu1", True)
    version = doc.version
    doc.set_frozen("conv2", True)
    assert doc.version == version  # weights trained before freezing are still this network's
    path = tmp_path / "frozen.json"
    fileformat.save(doc, path)
    again = fileformat.load(path)
    assert again.frozen_ids() == ["conv2"]
    text = path.read_text().replace('"frozen": true', '"frozen": "yes"')
    with pytest.raises(FileFormatError, match='"frozen" must be true or false'):
        fileformat.loads(text)
    data = fileformat.to_dict(doc)
    data["nodes"][2]["frozen"] = True  # relu1
    with pytest.raises(FileFormatError, match="ReLU 'relu1' has no weights to freeze"):
        fileformat.from_dict(data)


def test_cli_init_from_reports_what_loaded_and_refuses_a_checkpoint_that_fits_nothing(tmp_path, capsys):
    from explorer.cli import main

    source = _cnn(head=10, epochs=1, dataset_options={"per_class": 2})
    checkpoint = tmp_path / "pre.pt"
    save_checkpoint(checkpoint, source, Trainer(source, probes=False).state_dicts())
    target = _cnn(head=10, epochs=1, dataset_options={"per_class": 2})
    target.rename_node("fc2", "head")
    network = tmp_path / "fine.json"
    fileformat.save(target, network)
    assert main(["train", str(network), "--init-from", str(checkpoint), "--steps", "2"]) == 0
    out = capsys.readouterr().out
    assert f"Loaded conv1, conv2, fc1 (3 of 4 layers with weights) from {checkpoint}" in out
    assert "Fresh: head (not in the source). Unused: fc2." in out

    mlp = chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 4}), ("Linear", {"out_features": 2})],
                {"dataset": "moons", "dataset_options": {"n_samples": 100}})
    mlp.rename_node("fc1", "a")
    mlp.rename_node("fc2", "b")
    other = tmp_path / "mlp.json"
    fileformat.save(mlp, other)
    assert main(["train", str(other), "--init-from", str(checkpoint), "--steps", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: no layer of {checkpoint} fits this network")
    assert main(["train", str(other), "--init-from", str(tmp_path / "missing.pt")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_frozen_batchnorm_keeps_its_running_statistics_too(make_images):
    doc = chain([("Input", {"shape": [1, 8, 8]}), ("Conv2d", {"out_channels": 4, "kernel_size": 3}),
                 ("BatchNorm2d", {}), ("ReLU", {}), ("Flatten", {}), ("Linear", {"out_features": 3})], TRAINING)
    doc.set_frozen("bn1", True)
    trainer = Trainer(doc, dataset=make_images(), steps=4, probes=False)
    before = {k: v.clone() for k, v in trainer.module.state_dict().items()}
    list(trainer.run())
    after = trainer.module.state_dict()
    frozen = [k for k in before if k.startswith("layers.bn1.") and "num_batches" not in k]
    assert {k.rsplit(".", 1)[1] for k in frozen} == {"weight", "bias", "running_mean", "running_var"}
    assert all(torch.equal(after[k], before[k]) for k in frozen)
    assert not torch.equal(after["layers.conv1.weight"], before["layers.conv1.weight"])  # the rest learns


def test_an_exported_script_freezes_the_same_layers(tmp_path):
    import importlib.util

    from explorer.export.script import export_script

    doc = _cnn(head=10, weight_decay=0.5)  # ten outputs for the ten digits: a script that trains
    doc.set_frozen("conv1", True)
    export_script(doc, tmp_path / "frozen.py")
    spec = importlib.util.spec_from_file_location("exported_frozen_cnn", tmp_path / "frozen.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.FROZEN == ["conv1"]
    model = script.MODEL()
    script.freeze(model)
    optimiser = script.make_optimizer(model.parameters(), 0.1)
    stepped = {id(p) for group in optimiser.param_groups for p in group["params"]}
    assert not model.layers.conv1.weight.requires_grad and id(model.layers.conv1.weight) not in stepped
    assert id(model.layers.conv2.weight) in stepped
