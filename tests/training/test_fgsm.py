"""FGSM (explorer.training.fgsm): the acceptance run on cnn-digits, checked against plain torch, and refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from explorer.graph import fileformat
from explorer.training.fgsm import (EPSILON_MAX, FgsmAttack, FgsmError, check_epsilon, image_refusal, network_of,
                                    value_range)
from explorer.training.snapshots import DoneSnapshot
from explorer.training.trainer import Trainer

from .conftest import chain, image_dataset
from .test_presets import PRESETS

PRESET_DIR = PRESETS[0].parent


def plain_cnn_digits(state: dict[str, torch.Tensor]) -> nn.Sequential:
    """cnn-digits written out in plain torch, its weights taken from the explorer's state dict."""
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    names = {"0": "conv1", "3": "conv2", "7": "fc1", "9": "fc2"}
    net.load_state_dict({k: state[f"layers.{names[k.split('.')[0]]}.{k.split('.')[1]}"] for k in net.state_dict()})
    return net.eval()


def plain_fgsm_accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor, epsilon: float) -> float:
    """The textbook FGSM, all images at once: x + eps * sign(grad), clamped to [0, 1]."""
    x = x.clone().requires_grad_(True)
    F.cross_entropy(net(x), y).backward()
    adversarial = (x + epsilon * x.grad.sign()).clamp(0.0, 1.0).detach()
    with torch.no_grad():
        return float((net(adversarial).argmax(1) == y).float().mean())


def test_fgsm_on_trained_cnn_digits_drops_accuracy_and_agrees_with_plain_torch():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small network: one thread is faster and steadier on a shared machine
    try:
        doc = fileformat.load(PRESET_DIR / "cnn-digits.json")
        trainer = Trainer(doc, probes=False)  # its default run: 20 epochs
        end = list(trainer.run())[-1]
        assert isinstance(end, DoneSnapshot) and end.reason == "finished", end
        data = trainer.dataset
        assert value_range(data.x_val) == (0.0, 1.0)  # digits are scaled to [0, 1]: epsilon is in those units
        state = trainer.state_dicts()
        attack = FgsmAttack(network_of(doc, state), data.x_val, data.y_val)
        clean, attacked = attack.accuracy_curve([0.0, 0.2])
        plain = plain_cnn_digits(state["fc2"])
        x, y = torch.from_numpy(data.x_val), torch.from_numpy(data.y_val)
        plain_clean, plain_attacked = plain_fgsm_accuracy(plain, x, y, 0.0), plain_fgsm_accuracy(plain, x, y, 0.2)
    finally:
        torch.set_num_threads(threads)
    print(f"cnn-digits FGSM on {len(y)} validation digits: clean {clean:.1%}, epsilon 0.2 {attacked:.1%} "
          f"(plain torch: {plain_clean:.1%}, {plain_attacked:.1%})")
    one = 1.0 / len(y)
    # Sums in another order can flip a sign whose gradient is ~0: allow a sample either way.
    assert abs(clean - plain_clean) <= one and abs(attacked - plain_attacked) <= one
    assert clean >= 0.9
    assert attacked <= clean - 0.30


@pytest.fixture(scope="module")
def small_attack():
    """A linear classifier of the band images, trained briefly, under attack (made once: it trains)."""
    doc = chain([("Input", {"shape": [1, 8, 8]}), ("Flatten", {}), ("Linear", {"out_features": 3})],
                {"dataset": "digits"})
    data = image_dataset()
    trainer = Trainer(doc, dataset=data, steps=60, probes=False)
    list(trainer.run())
    return FgsmAttack(network_of(doc, trainer.state_dicts()), data.x_val, data.y_val), data


def test_example_moves_every_pixel_by_epsilon_against_the_true_class(small_attack):
    attack, data = small_attack
    example = attack.example(3, 0.1)
    low, high = attack.low, attack.high
    inside = (data.x_val[3] > low + 0.1) & (data.x_val[3] < high - 0.1)  # where clamping cannot bite
    assert np.allclose(np.abs(example.perturbation[inside]), 0.1, atol=1e-6)
    assert np.allclose(example.perturbed, np.clip(example.image + example.perturbation, low, high), atol=1e-6)
    assert example.perturbed.min() >= low and example.perturbed.max() <= high
    # the step goes uphill for the true class's loss: its probability falls
    zero = attack.example(3, 0.0)
    assert np.array_equal(zero.perturbed, zero.image) and zero.after == zero.before
    assert example.label_prob_after < zero.label_prob_after
    assert 0.0 < example.before_prob <= 1.0 and 0.0 < example.after_prob <= 1.0


def test_accuracy_falls_as_epsilon_grows_and_the_curve_can_be_stopped(small_attack):
    attack, _ = small_attack
    curve = attack.accuracy_curve([0.0, 0.25, 0.5])
    assert curve[0] >= curve[1] >= curve[2] and curve[0] > curve[2]
    assert attack.accuracy(0.0) == curve[0]
    fresh = FgsmAttack(attack.module, attack.x.numpy(), attack.y.numpy())
    assert fresh.accuracy_curve(should_stop=lambda: True) is None


@pytest.mark.parametrize("bad", [-0.01, EPSILON_MAX + 0.01, math.nan, math.inf, "0.1", None, True])
def test_epsilon_out_of_range_is_refused_with_a_message(bad, small_attack):
    with pytest.raises(FgsmError, match="epsilon must be a number from 0 to 0.5"):
        check_epsilon(bad)
    attack, _ = small_attack
    with pytest.raises(FgsmError, match="epsilon"):
        attack.example(0, bad)
    with pytest.raises(FgsmError, match="image index"):
        attack.example(len(attack), 0.1)


def test_not_an_image_classifier_is_refused(mlp_doc):
    from explorer.data import load_dataset

    assert image_refusal(load_dataset("digits")) is None
    assert "not an image classification dataset" in image_refusal(load_dataset("function"))
    assert "not images" in image_refusal(load_dataset("moons"))
    with pytest.raises(FgsmError, match="one classification network"):
        network_of(mlp_doc, {})
