"""Checkpoints: a round trip, continuing training from one, and a clear refusal for every bad file."""

import pickle

import pytest
import torch

from explorer.graph import fileformat
from explorer.training.checkpoint import (FORMAT, CheckpointError, apply_checkpoint, load_checkpoint,
                                          save_checkpoint, structure_difference)
from explorer.training.snapshots import StepSnapshot
from explorer.training.trainer import Trainer

from .test_objectives import gan


def _losses(trainer):
    return [s.loss for s in trainer.run() if isinstance(s, StepSnapshot)]


def test_round_trip_keeps_the_document_and_every_network(tmp_path):
    doc = gan()
    trainer = Trainer(doc, steps=3, probes=False)
    list(trainer.run())
    path = tmp_path / "gan.pt"
    save_checkpoint(path, doc, trainer.state_dicts())
    raw = torch.load(path, weights_only=True)
    assert raw["format"] == FORMAT and raw["version"] == 1 and raw["document"] == fileformat.to_dict(doc)
    assert set(raw["state_dicts"]) == {"g3", "d3"}
    assert set(raw["state_dicts"]["g3"]) == set(trainer.networks["generator"].state_dict())
    checkpoint = load_checkpoint(path)
    assert structure_difference(checkpoint.document, doc) is None and checkpoint.document.training == doc.training
    for oid, state in trainer.state_dicts().items():
        for key, value in state.items():
            assert torch.equal(checkpoint.state_dicts[oid][key], value)
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed, not left behind


def test_training_continues_from_a_checkpoint(tmp_path, mlp_doc):
    first = Trainer(mlp_doc, steps=30, probes=False)
    list(first.run())
    path = tmp_path / "mlp.pt"
    save_checkpoint(path, mlp_doc, first.state_dicts())
    checkpoint = load_checkpoint(path)
    resumed = Trainer(mlp_doc, steps=5, probes=False, initial_state=checkpoint.state_dicts)
    fresh = Trainer(mlp_doc, steps=5, probes=False)
    assert torch.equal(resumed.module.layers["fc1"].weight, first.module.layers["fc1"].weight)
    assert _losses(resumed)[0] < _losses(fresh)[0]
    later = Trainer(mlp_doc, steps=1, probes=False)
    apply_checkpoint(later, checkpoint, mlp_doc)
    assert torch.equal(later.module.layers["fc2"].bias, first.module.layers["fc2"].bias)


def test_a_checkpoint_of_another_network_is_refused_and_changes_nothing(tmp_path, mlp_doc, make_chain):
    trainer = Trainer(mlp_doc, steps=1, probes=False)
    path = tmp_path / "mlp.pt"
    save_checkpoint(path, mlp_doc, trainer.state_dicts())
    wider = make_chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 9}), ("ReLU", {}),
                        ("Linear", {"out_features": 2})], mlp_doc.training)
    target = Trainer(wider, steps=1, probes=False)
    before = target.module.layers["fc1"].weight.clone()
    with pytest.raises(CheckpointError, match="saved from another network: 'fc1' gives \\[8\\] in the checkpoint "
                                              "but \\[9\\] in the network"):
        apply_checkpoint(target, load_checkpoint(path), wider)
    assert torch.equal(target.module.layers["fc1"].weight, before)
    renamed = make_chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 8}), ("Tanh", {}),
                          ("Linear", {"out_features": 2})], mlp_doc.training)
    with pytest.raises(CheckpointError, match="'relu1'.*which the network lacks.*'tanh1'"):
        apply_checkpoint(Trainer(renamed, steps=1, probes=False), load_checkpoint(path), renamed)
    with pytest.raises(CheckpointError, match="weights for the network ending at 'nope'"):
        Trainer(mlp_doc, steps=1, initial_state={"nope": {}})


def test_bad_files_are_refused_with_one_message(tmp_path):
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip file")
    with pytest.raises(CheckpointError, match="corrupt.pt: is not a readable checkpoint"):
        load_checkpoint(corrupt)
    foreign = tmp_path / "foreign.pt"
    torch.save({"weight": torch.zeros(2)}, foreign)
    with pytest.raises(CheckpointError, match="foreign.pt: is a PyTorch file but not an nn-explorer checkpoint"):
        load_checkpoint(foreign)
    unsafe = tmp_path / "unsafe.pt"
    torch.save({"format": FORMAT, "payload": Exception("code")}, unsafe)
    with pytest.raises(CheckpointError, match="unsafe.pt: holds Python objects other than weights"):
        load_checkpoint(unsafe)
    plain_pickle = tmp_path / "pickle.pt"
    with open(plain_pickle, "wb") as handle:
        pickle.dump({"format": FORMAT}, handle, protocol=4)
    with pytest.raises(CheckpointError, match="pickle.pt: is not a readable checkpoint"):
        load_checkpoint(plain_pickle)
    newer = tmp_path / "newer.pt"
    torch.save({"format": FORMAT, "version": 99, "document": {}, "state_dicts": {}}, newer)
    with pytest.raises(CheckpointError, match="newer version"):
        load_checkpoint(newer)
    broken_doc = tmp_path / "broken.pt"
    torch.save({"format": FORMAT, "version": 1, "document": {"format": "x"}, "state_dicts": {}}, broken_doc)
    with pytest.raises(CheckpointError, match="its document cannot be read"):
        load_checkpoint(broken_doc)
    with pytest.raises(CheckpointError, match="no such file"):
        load_checkpoint(tmp_path / "missing.pt")
