"""Sequences through the trainer: per-position classification, the sequence probe, and refusals.

The acceptance measures of issue 11 at sizes the suite can afford: the transformer-reverse preset
for a couple of hundred steps, the adding pair at length 25 (the presets are length 50).
"""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.data import DatasetError, load_dataset
from explorer.graph import fileformat
from explorer.training.sequence_probe import make_sequence_probe
from explorer.training.snapshots import SequenceSnapshot, StepSnapshot, ValidationSnapshot
from explorer.training.threads import governed
from explorer.training.trainer import Trainer

PRESETS = Path(__file__).resolve().parents[2] / "presets"


def preset(name: str) -> dict:
    return json.loads((PRESETS / f"{name}.json").read_text(encoding="utf-8"))


def train(data: dict, steps: int) -> tuple[Trainer, list]:
    trainer = Trainer(fileformat.from_dict(data), steps=steps)
    return trainer, list(governed(trainer.run(), threads=1))


def of(snaps, kind):
    return [s for s in snaps if isinstance(s, kind)]


def attends_backwards(weights: np.ndarray) -> list[float]:
    """For each head of ``weights [H, T, T]``: the share of positions i whose largest weight is on T-1-i."""
    t = weights.shape[-1]
    return [float(np.mean(head.argmax(1) == t - 1 - np.arange(t))) for head in weights]


def test_transformer_reverse_learns_and_a_last_layer_head_reads_backwards():
    trainer, snaps = train(preset("transformer-reverse"), 200)
    val = of(snaps, ValidationSnapshot)[-1]
    seq = of(snaps, SequenceSnapshot)[-1]
    shares = attends_backwards(seq.attention["enc2"])
    print(f"\ntransformer-reverse after 200 steps: token accuracy {val.val_acc:.1%}, sequence accuracy "
          f"{val.val_metrics['sequence_acc']:.1%}; last-layer heads on the anti-diagonal: {shares}")
    assert trainer.objective.name == "sequence"
    assert val.val_acc >= 0.95
    assert 0.0 <= val.val_metrics["sequence_acc"] <= val.val_acc + 1e-9
    assert max(shares) >= 0.8
    assert list(seq.attention) == ["enc1", "enc2"] and seq.attention["enc2"].shape == (4, 8, 8)
    assert np.allclose(seq.attention["enc2"].sum(-1), 1.0, atol=1e-4)  # each query's weights are a distribution
    # the probe's text: the tokens, the target (them backwards) and the prediction
    assert seq.target_text == " ".join(reversed(seq.input_text.split())) and seq.tokens == seq.input_text.split()
    assert seq.correct == (seq.prediction_text == seq.target_text)
    steps = of(snaps, StepSnapshot)
    assert 0.0 <= steps[0].acc < 0.5 and steps[-1].acc > 0.9  # token accuracy of the batch, not a count


def test_before_training_the_reverse_attention_is_not_yet_backwards():
    _, snaps = train(preset("transformer-reverse"), 1)
    first = of(snaps, SequenceSnapshot)[0]
    assert first.step == 0 and max(attends_backwards(first.attention["enc2"])) < 0.8


def adding(kind: str, length: int, n: int) -> dict:
    data = preset(f"{kind}-adding")
    data["nodes"][0]["params"]["shape"] = [length, 2]
    data["training"]["dataset_options"] = {"n_samples": n, "length": length}
    return data


def test_lstm_remembers_where_a_plain_rnn_forgets():
    """The presets' pair at length 25 for 800 steps: validation MSE and gradient through time."""
    results = {}
    for kind in ("rnn", "lstm"):
        _, snaps = train(adding(kind, 25, 2000), 800)
        curve = of(snaps, SequenceSnapshot)[-1].grad_through_time
        results[kind] = (of(snaps, ValidationSnapshot)[-1].val_loss, curve[-1] / curve[0])
        assert curve.shape == (25,) and np.isfinite(curve).all() and (curve > 0).all()
    for kind, (mse, ratio) in results.items():
        print(f"\n{kind}-adding at length 25 after 800 steps: validation MSE {mse:.4f}, gradient through time "
              f"last/first step {ratio:.3g}x")
    assert results["lstm"][0] < 0.05 and results["rnn"][0] > 0.1
    assert results["rnn"][1] >= 30 and results["lstm"][1] < 5


def test_the_probe_differentiates_the_embedded_sequence_and_leaves_the_weights_alone():
    trainer = Trainer(fileformat.from_dict(preset("gru-copy")), steps=1)
    probe = trainer.sequence_probe
    assert probe is not None and probe.embedding == "emb1" and probe.attention == {}
    before = {k: v.clone() for k, v in trainer.module.state_dict().items()}
    snap = probe(0, index=3)
    assert all(p.grad is None for p in trainer.module.parameters())
    assert all(torch.equal(before[k], v) for k, v in trainer.module.state_dict().items())
    assert snap.grad_through_time.shape == (18,) and snap.index == 3 and snap.attention == {}
    assert snap.input_text.split()[13] == ">" and len(snap.tokens) == 18
    assert trainer.module.training  # back in training mode


def test_networks_that_do_not_read_sequences_have_no_sequence_probe(make_chain):
    from explorer.training.settings import TrainingSettings
    doc = make_chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 2})])
    trainer = Trainer(doc, TrainingSettings(dataset="moons"), steps=1)
    assert trainer.sequence_probe is None and make_sequence_probe(trainer.objective) is None


# Refusals ------------------------------------------------------------------------------------------

def reverse_doc(*layers, dataset_options=None, task="sequence"):
    data = preset("transformer-reverse")
    data["training"]["task"] = task
    if dataset_options:
        data["training"]["dataset_options"].update(dataset_options)
    if layers:
        data["nodes"] = [dict(node, pos=[0, 120 * i]) for i, node in enumerate(layers)]
        data["edges"] = [{"from": a["id"], "to": b["id"]} for a, b in zip(layers, layers[1:])]
    return fileformat.from_dict(data)


def test_a_sequence_dataset_on_a_network_without_a_sequence_input_is_refused():
    doc = reverse_doc({"id": "in1", "kind": "Input", "params": {"shape": [8, 1]}},
                      {"id": "fc1", "kind": "Linear", "params": {"out_features": 10}})
    with pytest.raises(DatasetError, match="dataset 'reverse' is a sequence task, but the network's Input takes "
                                           "values of shape \\[8, 1\\].*token ids.*Embedding"):
        Trainer(doc, steps=1)
    flat = adding("lstm", 20, 100)
    flat["nodes"][0]["params"]["shape"] = [40]
    flat["nodes"][1] = {"id": "lstm1", "kind": "Linear", "params": {"out_features": 8}}
    with pytest.raises(DatasetError, match="dataset 'adding' is a sequence task.*set the Input's shape to \\[20, 2\\]"):
        Trainer(fileformat.from_dict(flat), steps=1)


def test_tokens_outside_the_embeddings_vocabulary_are_refused():
    data = preset("transformer-reverse")
    data["nodes"][1]["params"]["num_embeddings"] = 6
    with pytest.raises(DatasetError, match="token ids from 0 to 9, but Embedding 'emb1' has num_embeddings 6 "
                                           "\\(ids 0 to 5\\); set num_embeddings to at least 10"):
        Trainer(fileformat.from_dict(data), steps=1)


def test_per_position_targets_need_the_sequence_task_and_a_sequence_output():
    with pytest.raises(DatasetError, match="supervised task does not train; set the task to auto or sequence"):
        Trainer(reverse_doc(task="supervised"), steps=1)
    data = preset("transformer-reverse")
    data["nodes"][-1]["params"]["out_features"] = 7
    with pytest.raises(DatasetError, match="needs shape \\[8, 10\\].*gives \\[8, 7\\]"):
        Trainer(fileformat.from_dict(data), steps=1)
    with pytest.raises(DatasetError, match="the sequence task needs a dataset with a target at every position"):
        Trainer(fileformat.from_dict(dict(adding("lstm", 20, 100), training=dict(
            adding("lstm", 20, 100)["training"], task="sequence"))), steps=1)


def test_auto_chooses_the_sequence_task_for_per_position_datasets():
    from explorer.training.objectives import resolve_task
    assert resolve_task("auto", load_dataset("reverse", {"n_samples": 20})) == "sequence"
    assert resolve_task("auto", load_dataset("adding", {"n_samples": 20})) == "supervised"


def test_the_command_line_reports_token_and_sequence_accuracy(tmp_path, capsys):
    from explorer.cli import main
    metrics = tmp_path / "m.jsonl"
    assert main(["train", str(PRESETS / "gru-copy.json"), "--steps", "30", "--metrics", str(metrics)]) == 0
    out = capsys.readouterr().out
    records = [json.loads(line) for line in metrics.read_text(encoding="utf-8").splitlines()]
    last = [r for r in records if "val_loss" in r][-1]
    assert 0.0 <= last["sequence_acc"] <= last["val_acc"] <= 1.0
    assert f"sequence_acc {last['sequence_acc']:.2%}" in out
    steps = [r for r in records if "acc" in r and "val_loss" not in r]
    assert len(steps) == 30 and all(0.0 <= r["acc"] <= 1.0 for r in steps)


def test_a_length_the_dataset_refuses_exits_2_with_one_line(tmp_path, capsys):
    from explorer.cli import main
    data = preset("transformer-reverse")
    data["training"]["dataset_options"]["length"] = 100_000
    path = tmp_path / "long.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["train", str(path), "--steps", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'length' must be at most 1000, not 100000" in err[0]


def test_multihead_self_attention_layers_give_every_heads_map_too():
    data = preset("transformer-reverse")
    data["nodes"][3] = {"id": "attn1", "kind": "MultiheadSelfAttention", "params": {"num_heads": 2}, "pos": [0, 360]}
    data["edges"][2:4] = [{"from": "pos1", "to": "attn1"}, {"from": "attn1", "to": "enc2"}]
    trainer, snaps = train(data, 3)
    seq = of(snaps, SequenceSnapshot)[-1]
    assert list(seq.attention) == ["attn1", "enc2"] and seq.attention["attn1"].shape == (2, 8, 8)
    assert np.allclose(seq.attention["attn1"].sum(-1), 1.0, atol=1e-4)
    assert not trainer.module.layers["attn1"].keep_weights  # the probe asked through a hook, and let go
