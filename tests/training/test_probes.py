"""The probes measure what they claim: checked against the same quantities computed in plain PyTorch."""

import copy
import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from explorer.training.batches import BatchSampler
from explorer.training.probes import BACKGROUND_RATES, ParameterGroups, ProbeRates, Schedule, probing
from explorer.training.settings import TrainingSettings
from explorer.training.snapshots import (ActivationSnapshot, BoundarySnapshot, DoneSnapshot, FeatureMapSnapshot,
                                         StepSnapshot)
from explorer.training.trainer import Trainer

CNN = [("Input", {"shape": [1, 8, 8]}),
       ("Conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1}), ("BatchNorm2d", {}), ("ReLU", {}),
       ("MaxPool2d", {"kernel_size": 2}),
       ("Conv2d", {"out_channels": 6, "kernel_size": 3}), ("Tanh", {}),
       ("Flatten", {}), ("Linear", {"out_features": 16}), ("Sigmoid", {}), ("Linear", {"out_features": 3})]

EVERY_STEP = ProbeRates(activation_interval=0.0, feature_map_interval=0.0, boundary_interval=0.0, budget=math.inf)


def _outputs(module, x):
    """Every node's output for a chain network, computed layer by layer without hooks."""
    values, h = {}, x
    for node_id in module.order:
        h = module.layers[node_id](h)
        values[node_id] = h
    return values


def _node_norms(module, tensors_of):
    out = {}
    for node_id, layer in module.layers.items():
        tensors = [tensors_of(p) for p in layer.parameters()]
        if tensors:
            out[node_id] = math.sqrt(sum(float(t.double().pow(2).sum()) for t in tensors))
    return out


@pytest.mark.parametrize("gather", ["foreach_copy", "stack"])
def test_gradient_norms_match_plain_pytorch(make_chain, bands, monkeypatch, gather):
    if gather == "stack":  # the path for a torch without _foreach_copy_
        monkeypatch.setattr("explorer.training.gather._FOREACH_COPY", None)
    doc = make_chain(CNN)
    settings = TrainingSettings(batch_size=16, lr=0.01, seed=3)
    trainer = Trainer(doc, settings, dataset=bands, steps=1, probes=False)
    reference = copy.deepcopy(trainer.module)
    steps = [s for s in trainer.run() if isinstance(s, StepSnapshot)]

    idx, _, _ = BatchSampler(len(bands.x_train), seed=3).next(16)
    x, y = torch.from_numpy(bands.x_train)[idx], torch.from_numpy(bands.y_train)[idx]
    reference.train()
    out = reference(x)
    loss = F.cross_entropy(out, y)
    loss.backward()
    expected = _node_norms(reference, lambda p: p.grad)

    assert set(steps[0].grad_norms) == {"conv1", "bn1", "conv2", "fc1", "fc2"} == set(expected)
    for node_id, value in expected.items():
        assert steps[0].grad_norms[node_id] == pytest.approx(value, rel=1e-5), node_id
    assert steps[0].loss == pytest.approx(loss.item(), rel=1e-6)
    assert steps[0].acc == pytest.approx((out.argmax(1) == y).float().mean().item())


def test_parameter_groups_without_gradients_are_zero(make_chain, bands):
    module = Trainer(make_chain(CNN), TrainingSettings(), dataset=bands, probes=False).module
    groups = ParameterGroups(module)
    assert groups.node_ids == ["conv1", "bn1", "conv2", "fc1", "fc2"]
    assert groups.grad_norms() == {n: 0.0 for n in groups.node_ids}  # before any backward: zeros, no error


def test_feature_maps_and_statistics_match_plain_pytorch(make_chain, bands):
    doc = make_chain(CNN)
    trainer = Trainer(doc, TrainingSettings(batch_size=16, lr=0.01), dataset=bands, steps=12)
    trainer.set_probe_index(5)
    snaps = list(trainer.run())
    assert isinstance(snaps[-1], DoneSnapshot) and snaps[-1].reason == "finished"
    final_maps = [s for s in snaps if isinstance(s, FeatureMapSnapshot)][-1]
    final_stats = [s for s in snaps if isinstance(s, ActivationSnapshot)][-1]
    assert final_maps.step == final_stats.step == 12

    module = trainer.module
    module.eval()
    with torch.no_grad():
        sample = _outputs(module, torch.from_numpy(bands.x_val[5:6]))
        batch = _outputs(module, torch.from_numpy(bands.x_val[:BACKGROUND_RATES.activation_samples]))

    assert final_maps.probe_index == 5 and final_maps.probe_label == bands.class_names[bands.y_val[5]]
    np.testing.assert_array_equal(final_maps.probe_image, bands.x_val[5])
    assert set(final_maps.maps) == {"conv1", "bn1", "relu1", "pool1", "conv2", "tanh1"}
    for node_id, image in final_maps.maps.items():
        assert image.dtype == np.float32
        np.testing.assert_allclose(image, sample[node_id][0].numpy(), rtol=1e-5, atol=1e-6)

    for node_id, out in batch.items():
        stats = final_stats.stats[node_id]
        assert stats["mean"] == pytest.approx(out.mean().item(), rel=1e-4, abs=1e-6)
        assert stats["std"] == pytest.approx(out.std(correction=0).item(), rel=1e-4, abs=1e-6)
    relu = batch["relu1"].numpy()
    assert final_stats.stats["relu1"]["dead"] == pytest.approx(np.mean(np.all(relu <= 0, axis=0)))
    sig = batch["sigmoid1"].numpy()
    assert final_stats.stats["sigmoid1"]["saturated"] == pytest.approx(np.mean((sig < 0.03) | (sig > 0.97)))
    tanh = batch["tanh1"].numpy()
    assert final_stats.stats["tanh1"]["saturated"] == pytest.approx(np.mean(np.abs(tanh) > 0.95))
    assert "dead" not in final_stats.stats["conv1"] and "saturated" not in final_stats.stats["relu1"]

    expected_weights = _node_norms(module, lambda p: p.detach())
    assert final_stats.weight_norms == pytest.approx(expected_weights, rel=1e-5)


def test_probes_leave_no_hooks_modes_or_rng_changes(make_chain, bands):
    trainer = Trainer(make_chain(CNN), TrainingSettings(batch_size=16), dataset=bands, steps=3)
    trainer.probe_rates = EVERY_STEP
    before = torch.get_rng_state()
    for snap in trainer.run():
        for layer in trainer.module.layers.values():
            assert not layer._forward_hooks
        if isinstance(snap, StepSnapshot):
            assert trainer.module.training
    assert torch.equal(before, torch.get_rng_state())
    module = trainer.module
    with probing(module):
        assert not module.training and torch.is_inference_mode_enabled()
    assert module.training


def test_decision_boundary_over_the_plane(make_chain):
    doc = make_chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 8}), ("Tanh", {}),
                      ("Linear", {"out_features": 2})],
                     {"dataset": "moons", "dataset_options": {"n_samples": 200}, "lr": 0.05})
    trainer = Trainer(doc, steps=20)
    snaps = list(trainer.run())
    boundary = [s for s in snaps if isinstance(s, BoundarySnapshot)][-1]
    assert boundary.values.shape == (60, 60) and boundary.values.dtype == np.float32
    x_min, x_max, y_min, y_max = boundary.extent
    points = np.concatenate([trainer.dataset.x_train, trainer.dataset.x_val])
    assert x_min < points[:, 0].min() and points[:, 0].max() < x_max
    assert y_min < points[:, 1].min() and points[:, 1].max() < y_max
    # corner (row 0, column 59) is (x_max, y_min); compare with the module directly
    module = trainer.module.eval()
    with torch.no_grad():
        p = torch.softmax(module(torch.tensor([[x_max, y_min]], dtype=torch.float32)), dim=1)[0, 1].item()
    assert boundary.values[0, 59] == pytest.approx(p, abs=1e-5)
    assert 0.0 <= boundary.values.min() and boundary.values.max() <= 1.0


def test_one_slow_probe_does_not_push_the_next_away():
    """A first (warm-up) or pre-empted run of 100 ms must not stop the pictures for 40 s."""
    schedule = Schedule(interval=0.1, budget=0.02, max_wait=0.3)
    schedule.ran(0.0, 0.1)           # the first run warms up the eval path: not counted
    assert schedule.next == pytest.approx(0.1)
    for start in (1.0, 2.0, 3.0):
        schedule.ran(start, start + 0.001)
    schedule.ran(4.0, 4.1)           # pre-empted once
    assert schedule.next == pytest.approx(4.1)  # the median is still 1 ms: next at the interval


def test_a_slow_probe_runs_rarer_but_never_beyond_the_cap():
    schedule = Schedule(interval=0.1, budget=0.02, max_wait=0.3)
    for start in range(5):
        schedule.ran(float(start), start + 0.004)  # 4 ms: every 0.2 s keeps it at 2 %
    assert schedule.typical_cost == pytest.approx(0.004)
    assert schedule.next == pytest.approx(4.2)
    for start in range(5, 12):
        schedule.ran(float(start), start + 0.5)    # really slow: capped
    assert schedule.next == pytest.approx(11.3)


def test_the_window_rates_draw_feature_maps_often_enough():
    from explorer.training.probes import LIVE_RATES

    assert 1 / LIVE_RATES.feature_map_interval >= 10
    assert 1 / LIVE_RATES.boundary_interval >= 4 and 1 / LIVE_RATES.activation_interval >= 4
    assert LIVE_RATES.max_wait < 0.5
    assert BACKGROUND_RATES.budget < LIVE_RATES.budget
