"""R² from the validation loss agrees with scikit-learn's r2_score on the network's own predictions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import r2_score

from explorer.training.r_squared import mean_baseline, r_squared
from explorer.training.snapshots import ValidationSnapshot
from explorer.training.trainer import Trainer

from .conftest import chain


@pytest.mark.parametrize("steps", [1, 120])
def test_r_squared_of_the_validation_loss_is_r2_score(steps):
    doc = chain([("Input", {"shape": [1]}), ("Linear", {"out_features": 16}), ("Tanh", {}),
                 ("Linear", {"out_features": 1})],
                {"dataset": "function", "dataset_options": {"n_samples": 300}, "optimizer": "adam", "lr": 0.02,
                 "batch_size": 32})
    trainer = Trainer(doc, steps=steps, probes=False)
    last = [s for s in trainer.run() if isinstance(s, ValidationSnapshot)][-1]
    data = trainer.dataset
    with torch.no_grad():
        predictions = trainer.module.eval()(torch.from_numpy(data.x_val)).numpy()
    expected = r2_score(data.y_val, predictions)
    assert r_squared(last.val_loss, mean_baseline(data.y_val)) == pytest.approx(expected, abs=1e-5)
    if steps > 1:
        assert expected > 0.5  # a fit, so the agreement is not only near 0


def test_several_targets_weight_by_variance_and_constant_targets_have_none():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(50, 3)) * [1.0, 2.0, 0.5]
    guess = y + rng.normal(scale=0.3, size=y.shape)
    mse = float(((y - guess) ** 2).mean())
    assert r_squared(mse, mean_baseline(y)) == pytest.approx(r2_score(y, guess, multioutput="variance_weighted"))
    assert mean_baseline(np.ones((10, 1))) is None and mean_baseline(np.zeros((1, 1))) is None
