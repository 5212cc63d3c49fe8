"""The function-fit probe: a 1-D regression network's curve, the target, and the hidden units' pieces."""

from __future__ import annotations

import numpy as np
import torch

from explorer.data import load_dataset
from explorer.graph import fileformat
from explorer.training.function_probe import fits_function_probe, target_curve
from explorer.training.r_squared import mean_baseline, r_squared
from explorer.training.snapshots import FunctionSnapshot, StepSnapshot, ValidationSnapshot
from explorer.training.trainer import Trainer

from .conftest import chain
from .test_presets import PRESETS

ONE_HIDDEN_RELU = [("Input", {"shape": [1]}), ("Linear", {"out_features": 12}), ("ReLU", {}),
                   ("Linear", {"out_features": 1})]
TRAINING = {"dataset": "function", "dataset_options": {"function": "abs", "n_samples": 200}, "optimizer": "adam",
            "lr": 0.02, "batch_size": 32, "seed": 3}


def _run(layers=ONE_HIDDEN_RELU, steps=150, probes=True):
    doc = chain(layers, TRAINING)
    trainer = Trainer(doc, steps=steps, probes=probes)
    return trainer, list(trainer.run())


def test_the_curve_is_the_network_and_the_pieces_sum_to_it():
    trainer, snaps = _run()
    curves = [s for s in snaps if isinstance(s, FunctionSnapshot)]
    assert len(curves) >= 2 and curves[0].step == 0 and curves[-1].step == trainer.step
    last = curves[-1]
    assert last.x.shape == last.y.shape == last.target.shape == (241,)
    data = trainer.dataset
    assert last.x[0] < data.x_train.min() and last.x[-1] > data.x_train.max()  # the range, a little beyond
    # the curve is what the network computes at those inputs
    with torch.no_grad():
        direct = trainer.module.eval()(torch.from_numpy(last.x[:, None])).numpy()[:, 0]
    trainer.module.train()
    assert np.allclose(last.y, direct, atol=1e-5)
    assert np.allclose(last.target, np.abs(last.x))
    # one hidden ReLU layer: 12 pieces w_j relu(a_j x + c_j), each flat on one side of its kink, summing to the curve
    assert last.pieces.shape == (12, 241)
    assert np.allclose(last.pieces.sum(0) + last.bias, last.y, atol=1e-5)
    slopes = np.diff(last.pieces, axis=1)
    for row in slopes:  # piecewise linear with at most one kink: at most two distinct slopes
        distinct = np.unique(np.round(row / max(np.abs(row).max(), 1e-12), 3))
        assert len(distinct) <= 3  # two slopes, and the one step straddling the kink
    # training moved the curve towards |x|
    before, after = (np.abs(c.y - c.target).mean() for c in (curves[0], last))
    assert after < 0.5 * before, (before, after)


def test_the_probe_changes_nothing_in_training():
    _, with_probe = _run(steps=40)
    _, without = _run(steps=40, probes=False)
    losses = [[s.loss for s in snaps if isinstance(s, StepSnapshot)] for snaps in (with_probe, without)]
    assert losses[0] == losses[1]


def test_deeper_networks_give_the_last_layers_pieces_and_others_none():
    deep = [("Input", {"shape": [1]}), ("Linear", {"out_features": 8}), ("Tanh", {}),
            ("Linear", {"out_features": 5}), ("Tanh", {}), ("Linear", {"out_features": 1})]
    _, snaps = _run(deep, steps=5)
    last = [s for s in snaps if isinstance(s, FunctionSnapshot)][-1]
    assert last.pieces.shape == (5, 241) and np.allclose(last.pieces.sum(0) + last.bias, last.y, atol=1e-5)
    ends_in_tanh = deep[:-1] + [("Linear", {"out_features": 1}), ("Tanh", {})]
    _, snaps = _run(ends_in_tanh, steps=5)
    last = [s for s in snaps if isinstance(s, FunctionSnapshot)][-1]
    assert last.pieces is None and last.y.shape == (241,)


def test_only_one_number_in_one_out_regression_is_probed(mlp_doc):
    assert fits_function_probe(load_dataset("function"), (1,))
    assert not fits_function_probe(load_dataset("function"), (2,))
    assert not fits_function_probe(load_dataset("moons"), (1,))
    assert target_curve("moons", {}, np.zeros(3, np.float32)) is None
    trainer = Trainer(mlp_doc, steps=3)
    assert not trainer.objective.has_picture
    assert not any(isinstance(s, FunctionSnapshot) for s in trainer.run())


def test_relu_pieces_preset_fits_the_sine_with_32_hinges():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        trainer = Trainer(fileformat.load(PRESETS[0].parent / "relu-pieces.json"), probes=False)  # its default run
        snaps = list(trainer.run())
    finally:
        torch.set_num_threads(threads)
    val = [s for s in snaps if isinstance(s, ValidationSnapshot)][-1]
    r2 = r_squared(val.val_loss, mean_baseline(trainer.dataset.y_val))
    print(f"relu-pieces after {trainer.step} steps: validation MSE {val.val_loss:.4f}, R² {r2:.3f}")
    assert r2 >= 0.97
    snapshot = trainer.objective.function_probe.snapshot(trainer.step)
    assert snapshot.pieces.shape[0] == 32 and np.allclose(snapshot.pieces.sum(0) + snapshot.bias, snapshot.y, atol=1e-4)
