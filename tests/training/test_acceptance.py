"""The acceptance runs of issue 10: each new preset's default run, measured.

These train whole presets (about 10-20 s each on one core of a busy machine), so they run on one
thread: small networks are faster so, and a shared machine's other programs cannot make OpenMP
threads wait on each other. The thread count changes the speed, not what is learned.
"""

import numpy as np
import pytest
import torch

from explorer.data.planar import ring_centres
from explorer.graph import fileformat
from explorer.training.snapshots import DoneSnapshot, ValidationSnapshot
from explorer.training.trainer import Trainer

from .test_presets import PRESETS

PRESET_DIR = PRESETS[0].parent


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _train(name, **changes):
    doc = fileformat.load(PRESET_DIR / f"{name}.json")
    if changes:
        doc.set_meta(training={**doc.training, **changes})
    trainer = Trainer(doc, probes=False)
    snaps = list(trainer.run())
    assert isinstance(snaps[-1], DoneSnapshot) and snaps[-1].reason == "finished", snaps[-1]
    return trainer, [s for s in snaps if isinstance(s, ValidationSnapshot)]


def mode_coverage(samples: np.ndarray, std: float) -> tuple[int, float, float]:
    """(modes covered, share of samples near some mode, share of the busiest mode) of ring samples.

    A mode is covered when at least 1 % of the samples lie within 3 std of its centre.
    """
    distance = np.linalg.norm(samples[:, None, :] - ring_centres()[None], axis=2)
    near = distance < 3 * std
    covered = int((near.sum(0) >= 0.01 * len(samples)).sum())
    busiest = np.bincount(distance.argmin(1), minlength=8).max() / len(samples)
    return covered, float(near.any(1).mean()), float(busiest)


def test_gan_ring_covers_the_modes(one_thread):
    trainer, _ = _train("gan-ring")
    std = trainer.settings.dataset_options.get("std", 0.05)
    covered, near, _ = mode_coverage(trainer.objective.sample(2000, seed=12345), std)
    print(f"gan-ring after {trainer.step} steps: {covered} of 8 modes covered, {near:.1%} of samples near a mode")
    assert covered >= 6 and near >= 0.5


def test_gan_ring_collapse_crowds_onto_few_modes(one_thread):
    # A shortened run of the collapse preset (its default run goes on hopping from mode to mode).
    trainer, _ = _train("gan-ring-collapse", epochs=125)
    covered, near, busiest = mode_coverage(trainer.objective.sample(2000, seed=12345), 0.05)
    print(f"gan-ring-collapse after {trainer.step} steps: {covered} of 8 modes covered, {busiest:.0%} of the "
          "samples nearest one mode")
    assert covered <= 2 and busiest >= 0.75


def test_autoencoder_digits_beats_the_mean_image(one_thread):
    trainer, vals = _train("autoencoder-digits")
    data = trainer.dataset
    variance = float(((data.x_val - data.x_train.mean(axis=0)) ** 2).mean())  # the MSE of answering the mean
    ratio = vals[-1].val_loss / variance
    print(f"autoencoder-digits: validation MSE {vals[-1].val_loss:.4f} = {ratio:.1%} of the variance")
    assert ratio <= 0.4


def test_gcn_karate_uses_the_graph(one_thread):
    trainer, vals = _train("gcn-karate")
    graph_acc = vals[-1].val_acc
    # the control: the same network with Linear in place of GraphConv, its nodes as unconnected samples
    doc = fileformat.load(PRESET_DIR / "gcn-karate.json")
    data = fileformat.to_dict(doc)
    for node in data["nodes"]:
        if node["kind"] == "GraphConv":
            node["kind"] = "Linear"
    data["training"]["task"] = "supervised"
    data["training"]["batch_size"] = 4  # the four labelled members, one step per epoch as with the graph
    control = Trainer(fileformat.from_dict(data), probes=False)
    assert control.total_steps == trainer.total_steps
    control_acc = [s for s in control.run() if isinstance(s, ValidationSnapshot)][-1].val_acc
    print(f"gcn-karate: {graph_acc:.1%} of the unlabelled members right; with Linear instead: {control_acc:.1%}")
    assert graph_acc >= 0.85
    assert control_acc <= 0.7
