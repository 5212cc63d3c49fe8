"""The trainer generator: determinism, the run's shape, live settings, divergence and failures."""

import dataclasses
import math

import numpy as np
import pytest
import torch

from explorer.data import DatasetError
from explorer.graph import BuildError
from explorer.training.settings import SettingsError, TrainingSettings
from explorer.training.snapshots import (ActivationSnapshot, DoneSnapshot, ErrorSnapshot, FeatureMapSnapshot,
                                         StepSnapshot, ValidationSnapshot)
from explorer.training.probes import ProbeRates
from explorer.training.trainer import Trainer

EVERY_STEP = ProbeRates(activation_interval=0.0, feature_map_interval=0.0, boundary_interval=0.0, budget=math.inf)


def _losses(snaps):
    return [s.loss for s in snaps if isinstance(s, StepSnapshot)]


def test_same_seed_same_losses_bit_for_bit_whatever_the_probes(cnn_doc, bands):
    # The network has dropout, so the RNG matters; probes at every step must not disturb it.
    settings = TrainingSettings(batch_size=16, lr=0.01, seed=7, init="he")
    busy = Trainer(cnn_doc, settings, dataset=bands, steps=30)
    busy.probe_rates = EVERY_STEP
    busy_snaps = []
    for snap in busy.run():
        busy_snaps.append(snap)
        torch.rand(3)  # the caller using torch's RNG between steps changes nothing either
    quiet = list(Trainer(cnn_doc, settings, dataset=bands, steps=30, probes=False).run())
    assert sum(isinstance(s, ActivationSnapshot) for s in busy_snaps) >= 30
    assert not any(isinstance(s, (ActivationSnapshot, FeatureMapSnapshot)) for s in quiet)
    assert len(_losses(quiet)) == 30
    assert _losses(busy_snaps) == _losses(quiet)
    other = list(Trainer(cnn_doc, dataclasses.replace(settings, seed=8), dataset=bands, steps=30,
                         probes=False).run())
    assert _losses(other) != _losses(quiet)


def test_snapshots_hold_only_plain_data(cnn_doc, bands):
    allowed = (int, float, str, type(None), np.ndarray, np.floating)

    def check(value):
        if isinstance(value, dict):
            for k, v in value.items():
                assert isinstance(k, str)
                check(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                check(v)
        else:
            assert isinstance(value, allowed), type(value)

    for snap in Trainer(cnn_doc, TrainingSettings(batch_size=16), dataset=bands, steps=5).run():
        for field in dataclasses.fields(snap):
            check(getattr(snap, field.name))


def test_epochs_validation_and_totals(make_chain, bands):
    doc = make_chain([("Input", {"shape": [1, 8, 8]}), ("Flatten", {}), ("Linear", {"out_features": 3})])
    trainer = Trainer(doc, TrainingSettings(batch_size=10, epochs=3, lr=0.1), dataset=bands, probes=False)
    assert len(bands.x_train) == 72 and trainer.total_steps == 3 * 8  # 7 batches of 10 and one of 2
    snaps = list(trainer.run())
    steps = [s for s in snaps if isinstance(s, StepSnapshot)]
    vals = [s for s in snaps if isinstance(s, ValidationSnapshot)]
    assert [s.step for s in steps] == list(range(1, 25)) and trainer.step == 24
    assert [s.batch_size for s in steps[:8]] == [10] * 7 + [2]
    assert [(v.step, v.epoch) for v in vals] == [(8, 1), (16, 2), (24, 3)]
    assert all(0.0 <= v.val_acc <= 1.0 for v in vals) and vals[-1].val_acc > 0.9
    assert steps[-1].total_steps == 24 and steps[-1].epoch == 3 and steps[-1].elapsed > 0
    assert isinstance(snaps[-1], DoneSnapshot) and snaps[-1].reason == "finished"


def test_steps_override_epochs_and_validate_at_the_end(mlp_doc):
    trainer = Trainer(mlp_doc, steps=15, probes=False)
    snaps = list(trainer.run())
    vals = [s for s in snaps if isinstance(s, ValidationSnapshot)]
    assert trainer.total_steps == 15 and _losses(snaps).__len__() == 15
    assert [(v.step, v.epoch) for v in vals] == [(10, 1), (15, 2)]  # 160 samples: 10 batches of 16


def test_regression_uses_mse_and_no_accuracy(make_chain):
    doc = make_chain([("Input", {"shape": [1]}), ("Linear", {"out_features": 16}), ("Tanh", {}),
                      ("Linear", {"out_features": 1})], {"dataset": "function", "lr": 0.01})
    snaps = list(Trainer(doc, steps=30).run())
    steps = [s for s in snaps if isinstance(s, StepSnapshot)]
    val = [s for s in snaps if isinstance(s, ValidationSnapshot)][-1]
    assert all(s.acc is None for s in steps) and val.val_acc is None
    assert steps[-1].loss < steps[0].loss
    assert not any(isinstance(s, FeatureMapSnapshot) for s in snaps)  # no image outputs


def test_live_changes_apply_at_the_next_step(mlp_doc):
    trainer = Trainer(mlp_doc, TrainingSettings.from_dict({**mlp_doc.training, "optimizer": "sgd"}), steps=8,
                      probes=False)
    seen = []
    for snap in trainer.run():
        if isinstance(snap, StepSnapshot):
            seen.append((snap.step, snap.lr, snap.batch_size, snap.momentum, snap.weight_decay))
            if snap.step == 3:
                trainer.update_settings(lr=0.123, batch_size=5, momentum=0.5, weight_decay=0.01)
    assert seen[2] == (3, 0.05, 16, 0.9, 0.0)
    assert seen[3] == (4, 0.123, 5, 0.5, 0.01)
    assert trainer.settings.lr == 0.123 and trainer.optimizer.param_groups[0]["lr"] == 0.123
    assert trainer.optimizer.param_groups[0]["momentum"] == 0.5


def test_rmsprop_momentum_can_be_switched_on_live(mlp_doc):
    settings = TrainingSettings.from_dict({**mlp_doc.training, "optimizer": "rmsprop", "momentum": 0.0,
                                           "lr": 0.001})
    trainer = Trainer(mlp_doc, settings, steps=6, probes=False)
    for snap in trainer.run():
        if isinstance(snap, StepSnapshot) and snap.step == 2:
            trainer.update_settings(momentum=0.9)
        assert not isinstance(snap, ErrorSnapshot), snap.message
    assert snap.reason == "finished"


def test_update_settings_refuses_naming_the_key(mlp_doc):
    trainer = Trainer(mlp_doc, probes=False)
    with pytest.raises(SettingsError) as info:
        trainer.update_settings(lr=-1)
    assert info.value.key == "lr" and "'lr'" in str(info.value)
    with pytest.raises(SettingsError, match="'epochs' cannot change while training"):
        trainer.update_settings(epochs=3)
    with pytest.raises(SettingsError, match="unknown training setting 'speed'"):
        trainer.update_settings(speed=3)
    with pytest.raises(ValueError, match="probe index"):
        trainer.set_probe_index(10_000)


def test_divergence_stops_at_that_step(make_chain):
    doc = make_chain([("Input", {"shape": [1]}), ("Linear", {"out_features": 16}), ("Linear", {"out_features": 1})],
                     {"dataset": "function", "optimizer": "sgd", "lr": 10.0})
    snaps = list(Trainer(doc, steps=50).run())
    done = snaps[-1]
    steps = [s for s in snaps if isinstance(s, StepSnapshot)]
    assert isinstance(done, DoneSnapshot) and done.reason == "diverged"
    assert not np.isfinite(steps[-1].loss) and all(np.isfinite(s.loss) for s in steps[:-1])
    assert done.step == steps[-1].step < 50
    assert f"diverged at step {done.step}" in done.message and "learning rate" in done.message


def test_an_exception_inside_training_becomes_an_error_snapshot(mlp_doc):
    trainer = Trainer(mlp_doc, steps=10, probes=False)
    layer = trainer.module.layers["fc2"]
    calls = {"n": 0}
    original = layer.forward

    def failing(x):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("the layer broke")
        return original(x)

    layer.forward = failing
    snaps = list(trainer.run())
    assert isinstance(snaps[-1], ErrorSnapshot)
    assert snaps[-1].step == 3 and "the layer broke" in snaps[-1].message and "step 4" in snaps[-1].message
    assert "Traceback" in snaps[-1].traceback and "RuntimeError" in snaps[-1].traceback
    assert not any(isinstance(s, DoneSnapshot) for s in snaps)


def test_errors_surface_at_construction(make_chain, mlp_doc, bands):
    # Input shape against the dataset: both shapes named
    doc = make_chain([("Input", {"shape": [3]}), ("Linear", {"out_features": 2})], {"dataset": "moons"})
    with pytest.raises(DatasetError) as info:
        Trainer(doc)
    assert "[2]" in str(info.value) and "[3]" in str(info.value)
    # output size against the classes
    doc = make_chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 5})], {"dataset": "moons"})
    with pytest.raises(DatasetError, match=r"2 classes.*\[2\].*gives \[5\]"):
        Trainer(doc)
    # a network that cannot be built
    doc = make_chain([("Input", {"shape": [2]}), ("Conv2d", {})], {"dataset": "moons"})
    with pytest.raises(BuildError):
        Trainer(doc)
    # settings from the document, checked
    doc = make_chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 2})], {"batchsize": 3})
    with pytest.raises(SettingsError, match="batchsize"):
        Trainer(doc)
    with pytest.raises(SettingsError, match="steps"):
        Trainer(mlp_doc, steps=0)
    with pytest.raises(SettingsError, match="device"):
        Trainer(mlp_doc, device="tpu")


def test_initialisation_schemes(mlp_doc):
    weights = {}
    for init in ("default", "xavier", "he", "normal"):
        settings = TrainingSettings.from_dict({**mlp_doc.training, "init": init, "init_std": 0.5})
        module = Trainer(mlp_doc, settings, probes=False).module
        weights[init] = module.layers["fc1"].weight.detach().clone()
        if init != "default":
            assert torch.count_nonzero(module.layers["fc1"].bias) == 0
        again = Trainer(mlp_doc, settings, probes=False).module
        assert torch.equal(again.layers["fc1"].weight, weights[init])
    assert weights["normal"].std().item() == pytest.approx(0.5, rel=0.4)
    assert len({tuple(w.flatten().tolist()) for w in weights.values()}) == 4


def test_run_is_single_use(mlp_doc):
    trainer = Trainer(mlp_doc, steps=1, probes=False)
    list(trainer.run())
    with pytest.raises(RuntimeError, match="runs once"):
        list(trainer.run())


def test_validation_layout_never_changes_training(cnn_doc, bands):
    runs = {}
    for layout in (torch.contiguous_format, torch.channels_last):
        trainer = Trainer(cnn_doc, TrainingSettings(batch_size=16, epochs=4), dataset=bands, probes=False)
        trainer._validator.layouts = (layout,)
        snaps = list(trainer.run())
        runs[layout] = (_losses(snaps), [s.val_loss for s in snaps if isinstance(s, ValidationSnapshot)])
        assert all(p.is_contiguous() for p in trainer.module.parameters())
    (losses_a, vals_a), (losses_b, vals_b) = runs.values()
    assert losses_a == losses_b and len(vals_a) == 4
    assert vals_a == pytest.approx(vals_b, rel=1e-5)


def test_validator_tries_both_layouts_chunk_by_chunk_then_keeps_the_faster(cnn_doc, mlp_doc, bands):
    validator = Trainer(cnn_doc, TrainingSettings(), dataset=bands, probes=False)._validator
    validator.chunk = max(1, len(validator.x) // 3)  # three or four chunks a pass
    seen = []
    real = validator._set_layout
    validator._set_layout = lambda layout: (seen.append(layout), real(layout))
    passes = 0
    while validator.trying:
        validator()
        passes += 1
        # Parameters converted inside the pass's inference mode could not train any more.
        assert not any(p.is_inference() for p in validator.module.parameters())
    # Both layouts ran in one pass, and each has its timed chunks (first ones not counted).
    assert passes <= 2 and set(seen) == set(validator.layouts)
    assert all(len(t) >= validator.TIMINGS for t in validator.timings.values())
    assert all(p.is_contiguous() for p in validator.module.parameters())  # put back after every pass
    validator.timings = {torch.contiguous_format: [2.0, 2.1], torch.channels_last: [1.0, 9.0, 1.1]}
    assert validator.layout == torch.channels_last  # by the median: one slow chunk does not decide
    validator.timings = {torch.contiguous_format: [1.0, 1.2], torch.channels_last: [2.0, 1.9]}
    assert validator.layout == torch.contiguous_format
    seen.clear()
    validator()
    assert seen[0] == torch.contiguous_format and not validator.trying
    assert Trainer(mlp_doc, probes=False)._validator.layouts == (torch.contiguous_format,)
