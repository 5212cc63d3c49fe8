"""The objectives: reconstruction, adversarial and node classification, through the shared loop."""

import copy
import dataclasses
import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from explorer.data import DatasetError, load_dataset
from explorer.graph import BuildError, Document
from explorer.training.batches import BatchSampler
from explorer.training.objectives import Batch, resolve_task
from explorer.training.probes import ProbeRates
from explorer.training.settings import SettingsError, TrainingSettings
from explorer.training.snapshots import (ActivationSnapshot, DoneSnapshot, FeatureMapSnapshot, GanSnapshot,
                                         GraphSnapshot, ReconstructionSnapshot, RunEnd, StepSnapshot,
                                         ValidationSnapshot)
from explorer.training.trainer import Trainer

EVERY_STEP = ProbeRates(activation_interval=0.0, feature_map_interval=0.0, boundary_interval=0.0, task_interval=0.0,
                        budget=math.inf)


def add_chain(doc, prefix, layers):
    prev = None
    for i, (kind, params) in enumerate(layers):
        node = doc.add_node(kind, params, node_id=f"{prefix}{i}")
        if prev is not None:
            doc.connect(prev, node.id)
        prev = node.id
    return prev


def mlp(inputs, hidden, outputs, last=()):
    return [("Input", {"shape": inputs}), ("Linear", {"out_features": hidden}), ("ReLU", {}),
            ("Linear", {"out_features": outputs}), *last]


def of(snaps, kind):
    return [s for s in snaps if isinstance(s, kind)]


# The shared parts -----------------------------------------------------------------------------------

def test_run_ends_are_an_enum_that_compares_as_text():
    assert RunEnd.FINISHED == "finished" and RunEnd("stopped") is RunEnd.STOPPED
    assert f"{RunEnd.DIVERGED}" == "diverged" and str(RunEnd.DIVERGED) == "diverged"


def test_a_batch_is_a_record_with_optional_fields():
    batch = Batch(torch.zeros(3, 2))
    assert batch.y is None and batch.adjacency is None and batch.mask is None
    assert [f.name for f in dataclasses.fields(Batch)] == ["x", "y", "adjacency", "mask"]


def test_auto_chooses_the_task_from_the_dataset():
    assert resolve_task("auto", load_dataset("karate")) == "node_classification"
    assert resolve_task("auto", load_dataset("moons", {"n_samples": 50})) == "supervised"
    assert resolve_task("reconstruction", load_dataset("moons", {"n_samples": 50})) == "reconstruction"


def test_supervised_runs_keep_a_single_loss(mlp_doc):
    trainer = Trainer(mlp_doc, steps=3, probes=False)
    assert trainer.objective.name == "supervised" and trainer.networks == {"model": trainer.module}
    steps = of(list(trainer.run()), StepSnapshot)
    assert all(s.losses is None for s in steps)


# Reconstruction ---------------------------------------------------------------------------------------

def autoencoder(training=None, code=2, last=("Sigmoid", {})):
    doc = Document(training={"dataset": "digits", "task": "reconstruction", "batch_size": 32, "lr": 0.003,
                             **(training or {})})
    add_chain(doc, "n", [("Input", {"shape": [1, 8, 8]}), ("Flatten", {}), ("Linear", {"out_features": 16}),
                         ("Tanh", {}), ("Linear", {"out_features": code}), ("Linear", {"out_features": 16}),
                         ("Tanh", {}), ("Linear", {"out_features": 64}),
                         *([last] if last else []), ("Reshape", {"shape": [1, 8, 8]})])
    return doc


def test_reconstruction_learns_its_input_and_draws_codes():
    trainer = Trainer(autoencoder(), steps=60)
    trainer.probe_rates = EVERY_STEP
    snaps = list(trainer.run())
    assert isinstance(snaps[-1], DoneSnapshot) and snaps[-1].reason == "finished"
    steps, vals = of(snaps, StepSnapshot), of(snaps, ValidationSnapshot)
    assert steps[-1].loss < steps[0].loss and all(s.acc is None and s.losses is None for s in steps)
    pictures = of(snaps, ReconstructionSnapshot)
    assert len(pictures) >= 60 and pictures[-1].step == 60
    last = pictures[-1]
    x_val = trainer.dataset.x_val
    np.testing.assert_array_equal(last.originals, x_val[:8])
    assert last.reconstructions.shape == (8, 1, 8, 8) and last.reconstructions.dtype == np.float32
    assert last.code_node == "n4"  # the narrowest layer: Linear(2)
    assert last.codes.shape == (len(x_val), 2) and last.code_labels.tolist() == trainer.dataset.y_val.tolist()
    module = trainer.module.eval()
    with torch.no_grad():
        x = torch.from_numpy(x_val)
        np.testing.assert_allclose(last.reconstructions, module(x[:8]).numpy(), rtol=1e-5, atol=1e-6)
        expected = F.mse_loss(module(x), x).item()
    assert vals[-1].val_loss == pytest.approx(expected, rel=1e-5)


def test_a_code_wider_than_two_draws_no_scatter_and_code_node_can_be_chosen():
    trainer = Trainer(autoencoder({"code_node": "n2"}, code=3), steps=2)
    picture = of(list(trainer.run()), ReconstructionSnapshot)[-1]
    assert picture.code_node == "n2" and picture.codes is None and picture.code_labels is None
    with pytest.raises(SettingsError, match="'code_node' names 'nope'"):
        Trainer(autoencoder({"code_node": "nope"}), steps=2)


@pytest.mark.parametrize("last", [("Sigmoid", {}), None])
def test_bce_takes_probabilities_after_a_sigmoid_and_logits_otherwise(last):
    doc = autoencoder({"reconstruction_loss": "bce"}, last=last)
    trainer = Trainer(doc, steps=1, probes=False)
    assert trainer.objective.logits == (last is None)
    before = copy.deepcopy(trainer.module)
    step = of(list(trainer.run()), StepSnapshot)[0]
    batch, _, _ = BatchSampler(len(trainer.dataset.x_train), 0).next(32)
    x = torch.from_numpy(trainer.dataset.x_train)[batch]
    with torch.no_grad():
        out = before(x)
    expected = F.binary_cross_entropy(out, x) if last else F.binary_cross_entropy_with_logits(out, x)
    assert step.loss == pytest.approx(expected.item(), rel=1e-5)


def test_reconstruction_refusals(make_chain, bands):
    with pytest.raises(SettingsError, match="needs data in \\[0, 1\\]") as info:
        doc = make_chain([("Input", {"shape": [1, 8, 8]}), ("Conv2d", {"out_channels": 1, "padding": 1})],
                         {"task": "reconstruction", "reconstruction_loss": "bce"})
        Trainer(doc, dataset=bands)
    assert info.value.key == "reconstruction_loss"
    doc = make_chain([("Input", {"shape": [1, 8, 8]}), ("Flatten", {}), ("Linear", {"out_features": 10})],
                     {"dataset": "digits", "task": "reconstruction"})
    with pytest.raises(DatasetError, match="must have the samples' shape \\[1, 8, 8\\].*gives \\[10\\]"):
        Trainer(doc)


def test_convolutional_autoencoder_with_transposed_convolutions(make_chain, bands):
    doc = make_chain([("Input", {"shape": [1, 8, 8]}),
                      ("Conv2d", {"out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1}), ("ReLU", {}),
                      ("ConvTranspose2d", {"out_channels": 1, "kernel_size": 4, "stride": 2, "padding": 1})],
                     {"task": "reconstruction", "lr": 0.01, "batch_size": 16})
    trainer = Trainer(doc, dataset=bands, steps=40)
    snaps = list(trainer.run())
    losses = [s.loss for s in of(snaps, StepSnapshot)]
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])
    maps = of(snaps, FeatureMapSnapshot)[-1].maps
    assert set(maps) == {"conv1", "relu1", "deconv1"}
    assert of(snaps, ReconstructionSnapshot)[-1].code_node == "conv1"  # [4, 4, 4]: the narrowest


# Adversarial --------------------------------------------------------------------------------------------

def gan(training=None, g_out=2, d_out=1, noise=3, d_in=2):
    doc = Document(training={"dataset": "ring", "dataset_options": {"n_samples": 400}, "task": "adversarial",
                             "batch_size": 64, **(training or {})})
    add_chain(doc, "g", mlp([noise], 16, g_out))
    add_chain(doc, "d", mlp([d_in], 16, d_out))
    return doc


def test_gan_finds_its_roles_and_trains_both_networks():
    trainer = Trainer(gan(), steps=12)
    trainer.probe_rates = EVERY_STEP
    assert set(trainer.networks) == {"generator", "discriminator"}
    assert trainer.networks["generator"].output_id == "g3" and trainer.networks["discriminator"].output_id == "d3"
    assert trainer.module is trainer.networks["generator"]
    for optimizer in trainer.optimizers.values():
        assert optimizer.param_groups[0]["betas"] == (0.5, 0.999)
    before = {k: v.clone() for k, v in trainer.networks["discriminator"].state_dict().items()}
    snaps = list(trainer.run())
    steps = of(snaps, StepSnapshot)
    assert len(steps) == 12
    for s in steps:
        assert set(s.losses) == {"generator", "discriminator"} and s.loss == s.losses["generator"]
        assert set(s.grad_norms) == {"g1", "g3", "d1", "d3"} and all(v > 0 for v in s.grad_norms.values())
    after = trainer.networks["discriminator"].state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)
    val = of(snaps, ValidationSnapshot)[-1]
    assert set(val.val_losses) == {"generator", "discriminator"} and val.val_loss == val.val_losses["generator"]
    stats = of(snaps, ActivationSnapshot)[-1]
    assert {"g2", "d2"} <= set(stats.stats) and {"g1", "d1"} <= set(stats.weight_norms)
    pictures = of(snaps, GanSnapshot)
    assert len(pictures) >= 12
    last = pictures[-1]
    assert last.samples.shape == (256, 2) and last.real.shape == (400, 2) and last.field.shape == (60, 60)
    assert 0.0 <= last.field.min() and last.field.max() <= 1.0
    # the samples come from fixed noise: the generator as it is now gives them again
    assert np.allclose(trainer.objective.sample(5, seed=4), trainer.objective.sample(5, seed=4))
    g = trainer.module.eval()
    with torch.no_grad():
        np.testing.assert_allclose(last.samples, g(trainer.objective.fixed_noise[:256]).numpy(), rtol=1e-5)
    x_min, x_max, y_min, y_max = last.extent
    assert x_min < -2 < 2 < x_max and y_min < -2 < 2 < y_max


def test_gan_steps_are_the_same_for_the_same_seed_whatever_the_probes():
    settings = TrainingSettings.from_dict(gan({"seed": 5, "d_steps": 2}).training)
    busy = Trainer(gan(), settings, steps=10)
    busy.probe_rates = EVERY_STEP
    quiet = Trainer(gan(), settings, steps=10, probes=False)
    a = [s.losses for s in busy.run() if isinstance(s, StepSnapshot)]
    b = [s.losses for s in quiet.run() if isinstance(s, StepSnapshot)]
    assert a == b
    other = Trainer(gan(), dataclasses.replace(settings, seed=6), steps=10, probes=False)
    assert [s.losses for s in other.run() if isinstance(s, StepSnapshot)] != a


def test_d_steps_and_live_settings_reach_both_optimisers():
    trainer = Trainer(gan({"d_steps": 3, "optimizer": "sgd", "lr": 0.01}), steps=4, probes=False)
    for snap in trainer.run():
        if isinstance(snap, StepSnapshot) and snap.step == 2:
            trainer.update_settings(lr=0.02, momentum=0.5)
    d_opt, g_opt = trainer.optimizers["discriminator"], trainer.optimizers["generator"]
    assert [(o.param_groups[0]["lr"], o.param_groups[0]["momentum"]) for o in (d_opt, g_opt)] == [(0.02, 0.5)] * 2
    # SGD with momentum keeps one buffer per parameter; count steps through Adam instead
    trainer = Trainer(gan({"d_steps": 3}), steps=4, probes=False)
    list(trainer.run())
    d_state = trainer.optimizers["discriminator"].state
    g_state = trainer.optimizers["generator"].state
    assert {int(s["step"]) for s in d_state.values()} == {12} and {int(s["step"]) for s in g_state.values()} == {4}


def test_gan_roles_can_be_named_and_bad_gans_are_refused_naming_the_node():
    doc = gan({"networks": {"generator": "g3", "discriminator": "d3"}})
    assert Trainer(doc, probes=False).networks["generator"].output_id == "g3"
    one = Document(training={"dataset": "ring", "task": "adversarial"})
    add_chain(one, "g", mlp([2], 8, 2))
    with pytest.raises(BuildError, match="needs two networks.*holds 1 \\('g3'\\)"):
        Trainer(one)
    for named in ({}, {"networks": {"generator": "g3", "discriminator": "d3"}}):
        with pytest.raises(BuildError) as info:
            Trainer(gan(named, g_out=3))
        assert "generator's output 'g3' gives [3]" in str(info.value) and info.value.errors[0].node_id == "g3"
    with pytest.raises(BuildError, match="cannot tell which network is the generator.*2 of the outputs"):
        Trainer(gan(d_out=2))
    with pytest.raises(BuildError, match="discriminator's output 'd3' gives \\[2\\]"):
        Trainer(gan({"networks": {"generator": "g3"}}, d_out=2))
    with pytest.raises(BuildError, match="discriminator's Input 'd0'.*\\[3\\]"):
        Trainer(gan({"networks": {"generator": "g3"}}, d_in=3))
    with pytest.raises(SettingsError, match="no node 'x'"):
        Trainer(gan({"networks": {"generator": "x"}}))


def test_image_gan_draws_sixteen_samples(make_chain):
    doc = Document(training={"dataset": "digits", "task": "adversarial", "batch_size": 32})
    add_chain(doc, "g", [("Input", {"shape": [4]}), ("Linear", {"out_features": 64}), ("Sigmoid", {}),
                         ("Reshape", {"shape": [1, 8, 8]})])
    add_chain(doc, "d", [("Input", {"shape": [1, 8, 8]}), ("Flatten", {}), ("Linear", {"out_features": 1})])
    snaps = list(Trainer(doc, steps=3).run())
    picture = of(snaps, GanSnapshot)[-1]
    assert picture.samples.shape == (16, 1, 8, 8) and picture.real is None and picture.field is None
    assert "g3" in of(snaps, FeatureMapSnapshot)[-1].maps  # the generator's image output


# Node classification ---------------------------------------------------------------------------------------

def gcn_doc(kind="GraphConv", training=None):
    doc = Document(training={"dataset": "karate", "lr": 0.01, "epochs": 5, **(training or {})})
    add_chain(doc, "n", [("Input", {"shape": [34]}), (kind, {"out_features": 8}), ("ReLU", {}),
                         (kind, {"out_features": 2})])
    return doc


def test_node_classification_sees_the_whole_graph_each_step():
    trainer = Trainer(gcn_doc(), steps=5)
    assert trainer.objective.name == "node_classification" and trainer.total_steps == 5
    snaps = list(trainer.run())
    steps, vals = of(snaps, StepSnapshot), of(snaps, ValidationSnapshot)
    assert [s.epoch for s in steps] == [1, 2, 3, 4, 5] and [v.step for v in vals] == [1, 2, 3, 4, 5]
    assert all(s.batch_size == 4 and s.acc in (0, 0.25, 0.5, 0.75, 1.0) for s in steps)
    picture = of(snaps, GraphSnapshot)[-1]
    graph = trainer.dataset.graph
    assert picture.predictions.shape == (34,) and picture.predictions.dtype == np.int64
    np.testing.assert_array_equal(picture.train_mask, graph.train_mask)
    assert picture.edges.shape == (78, 2) and picture.positions.shape == (34, 2)
    assert picture.val_acc == pytest.approx(vals[-1].val_acc)
    assert set(of(snaps, ActivationSnapshot)[-1].stats) == {"n1", "n2", "n3"}


def test_graph_layers_and_graph_datasets_go_together(make_chain):
    moons = make_chain([("Input", {"shape": [2]}), ("GraphConv", {"out_features": 2})], {"dataset": "moons"})
    with pytest.raises(BuildError, match="GraphConv 'gcn1'.*needs a graph dataset.*'moons' has no graph") as info:
        Trainer(moons)
    assert info.value.errors[0].node_id == "gcn1"
    with pytest.raises(BuildError, match="is a graph, but the network ending at 'n3' has no GraphConv"):
        Trainer(gcn_doc("Linear"))
    with pytest.raises(BuildError, match="only the node_classification task hands it"):
        Trainer(gcn_doc(training={"task": "supervised"}))
    doc = make_chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 2})],
                     {"dataset": "moons", "task": "node_classification"})
    with pytest.raises(DatasetError, match="needs a graph dataset"):
        Trainer(doc)


def test_graph_conv_mixes_neighbours_through_the_adjacency():
    from explorer.graph.modules import GraphConv, normalised_adjacency

    edges = torch.tensor([[0, 1], [1, 2], [1, 2]])  # a path 0 - 1 - 2, one edge repeated
    a = normalised_adjacency(edges, 4).to_dense()
    dense = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 1]], dtype=torch.float32)
    d = dense.sum(1).rsqrt()
    torch.testing.assert_close(a, d[:, None] * dense * d[None, :])
    layer = GraphConv(3, 2, bias=True)
    x = torch.randn(4, 3)
    torch.testing.assert_close(layer(x, adjacency=normalised_adjacency(edges, 4)),
                               a @ (x @ layer.linear.weight.T) + layer.bias)
    with pytest.raises(ValueError, match="needs the graph's adjacency"):
        layer(x)


# The objective's picture, on the probes' schedule -------------------------------------------------------

def test_task_pictures_come_at_the_start_after_single_steps_and_at_the_end():
    from .test_controls import Consumer

    forced_only = ProbeRates(task_interval=1e9, max_wait=1e9)  # never due by time: only the forced ones come
    trainer = Trainer(gan(), steps=6, probe_rates=forced_only)
    assert [s.step for s in trainer.run() if isinstance(s, GanSnapshot)] == [0, 6]
    trainer = Trainer(gan(), steps=1000, probe_rates=forced_only)
    trainer.pause()
    consumer = Consumer(trainer)
    assert consumer.next_of(GanSnapshot).step == 0
    for expected in (1, 2):
        trainer.step_once()
        assert consumer.next_of(GanSnapshot).step == expected
    trainer.stop()
    consumer.join()
    assert not any(isinstance(s, GanSnapshot) for s in consumer.drain())  # a stopped run draws nothing more


def test_roles_can_be_found_before_training():
    from explorer.training.objectives.adversarial import find_roles

    assert find_roles(gan(), (2,)) == {"generator": "g3", "discriminator": "d3"}
    assert find_roles(gan(d_out=2), (2,), {"generator": "d3"}) == {"generator": "d3", "discriminator": "g3"}
