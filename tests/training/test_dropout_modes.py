"""Dropout in training mode against evaluation mode, read from the real modules (issue 12, part 2)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from explorer.graph.build import build_module
from explorer.training.dropout_modes import compare_modes

from .conftest import chain, image_dataset


@pytest.fixture
def dropout_net():
    doc = chain([("Input", {"shape": [1, 8, 8]}), ("Flatten", {}), ("Linear", {"out_features": 64}), ("ReLU", {}),
                 ("Dropout", {"p": 0.5}), ("Linear", {"out_features": 3})])
    torch.manual_seed(0)
    return build_module(doc)


def _data():
    data = image_dataset(n=96, classes=3)
    return torch.from_numpy(data.x_val), torch.from_numpy(data.y_val)


def test_training_mode_differs_from_eval_mode_which_is_deterministic(dropout_net):
    x, y = _data()
    before = {k: v.clone() for k, v in dropout_net.state_dict().items()}
    dropout_net.train()
    first = compare_modes(dropout_net, x, y, "classification", seed=1)
    again = compare_modes(dropout_net, x, y, "classification", seed=2)
    # evaluation mode: the same numbers whatever the seed; training mode: another draw, another loss
    assert first.eval_loss == again.eval_loss and first.eval_acc == again.eval_acc
    assert first.train_loss != first.eval_loss and again.train_loss != first.train_loss
    reading = first.readings["drop1"]
    assert not np.array_equal(reading.train_out, reading.eval_out)
    assert reading.eval_unchanged
    # the same input through the real module: outputs differ in training mode, never in eval mode
    with torch.no_grad():
        dropout_net.eval()
        a, b = dropout_net(x[:4]), dropout_net(x[:4])
        dropout_net.train()
        c = dropout_net(x[:4])
    assert torch.equal(a, b) and not torch.equal(a, c)
    # nothing of the module changed: its weights, and its mode (training, as the run left it)
    assert dropout_net.training and dropout_net.layers["drop1"].training
    assert all(torch.equal(v, before[k]) for k, v in dropout_net.state_dict().items())


def test_kept_values_are_scaled_by_one_over_one_minus_p_and_eval_mode_leaves_them(dropout_net):
    x, y = _data()
    reading = compare_modes(dropout_net, x, y, "classification", seed=3, values=64).readings["drop1"]
    assert reading.p == 0.5 and reading.expected_scale == 2.0
    assert reading.scale == pytest.approx(2.0, rel=1e-6)
    kept = reading.train_out != 0
    np.testing.assert_allclose(reading.train_out[kept], reading.inputs[kept] * 2.0, rtol=1e-6)
    np.testing.assert_array_equal(reading.eval_out, reading.inputs)
    # about half the nonzero values survive (binomial: 64 units, p = 0.5)
    assert 0.2 < reading.kept / reading.total < 0.8
