"""``nn-explorer train``: exit statuses, one-line errors, the metrics file and the progress output."""

import json

import pytest

from explorer.cli import main
from explorer.graph import fileformat

MLP = {"format": "nn-explorer", "schema_version": 1, "name": "mlp",
       "nodes": [{"id": "in1", "kind": "Input", "params": {"shape": [2]}},
                 {"id": "fc1", "kind": "Linear", "params": {"out_features": 8}},
                 {"id": "relu1", "kind": "ReLU"},
                 {"id": "fc2", "kind": "Linear", "params": {"out_features": 2}}],
       "edges": [{"from": "in1", "to": "fc1"}, {"from": "fc1", "to": "relu1"}, {"from": "relu1", "to": "fc2"}],
       "training": {"dataset": "moons", "dataset_options": {"n_samples": 200}, "batch_size": 16, "epochs": 2,
                    "lr": 0.05}}


def _write(tmp_path, data, name="net.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def _with_training(**changes):
    return {**MLP, "training": {**MLP["training"], **changes}}


def _lines(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_trains_and_writes_metrics(tmp_path, capsys):
    metrics = tmp_path / "m.jsonl"
    assert main(["train", _write(tmp_path, MLP), "--metrics", str(metrics)]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert "finished 20 steps (2 epochs)" in out.out and "val_acc" in out.out
    assert "epoch 1 validated at step 10" in out.out  # plain lines when not on a terminal
    records = _lines(metrics)
    steps = [r for r in records if "loss" in r]
    vals = [r for r in records if "val_loss" in r]
    assert [r["step"] for r in steps] == list(range(1, 21))
    assert set(steps[0]) == {"step", "epoch", "loss", "lr", "grad_norms", "acc"}
    assert set(steps[0]["grad_norms"]) == {"fc1", "fc2"}
    assert [(v["step"], v["epoch"]) for v in vals] == [(10, 1), (20, 2)]
    assert set(vals[0]) == {"step", "epoch", "val_loss", "val_acc"}
    assert records.index(vals[0]) == 10  # right after the step that ended the epoch


def test_overrides(tmp_path, capsys):
    metrics = tmp_path / "m.jsonl"
    assert main(["train", _write(tmp_path, MLP), "--steps", "7", "--lr", "0.2", "--seed", "3",
                 "--metrics", str(metrics)]) == 0
    steps = [r for r in _lines(metrics) if "loss" in r]
    assert len(steps) == 7 and all(r["lr"] == 0.2 for r in steps)
    assert main(["train", _write(tmp_path, MLP), "--epochs", "1", "--metrics", str(metrics)]) == 0
    assert [r["step"] for r in _lines(metrics) if "val_loss" in r] == [10]


def test_regression_metrics_have_no_accuracy(tmp_path):
    data = {**MLP, "nodes": [{"id": "in1", "kind": "Input", "params": {"shape": [1]}},
                             {"id": "fc1", "kind": "Linear", "params": {"out_features": 8}},
                             {"id": "relu1", "kind": "Tanh"},
                             {"id": "fc2", "kind": "Linear", "params": {"out_features": 1}}],
            "training": {"dataset": "function", "epochs": 1}}
    metrics = tmp_path / "m.jsonl"
    assert main(["train", _write(tmp_path, data), "--metrics", str(metrics)]) == 0
    assert all("acc" not in r and "val_acc" not in r for r in _lines(metrics))


@pytest.mark.parametrize("training, words", [
    ({"learning_rate": 0.1}, "unknown training setting 'learning_rate'"),
    ({"lr": "fast"}, "'lr' must be a number"),
    ({"batch_size": 0}, "'batch_size' must be at least 1"),
    ({"optimizer": "lbfgs"}, "'optimizer' must be one of"),
    ({"dataset": "mnist"}, "'dataset' must be one of"),
    ({"dataset_options": {"noise": 7}}, "'noise' must be at most"),
])
def test_bad_settings_exit_2_naming_the_key(tmp_path, capsys, training, words):
    path = _write(tmp_path, _with_training(**training))
    assert main(["train", path]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_command_line_values_exit_2(tmp_path, capsys):
    path = _write(tmp_path, MLP)
    assert main(["train", path, "--lr", "-1"]) == 2
    assert "'lr' must be more than 0" in capsys.readouterr().err
    assert main(["train", path, "--steps", "0"]) == 2
    assert "'steps'" in capsys.readouterr().err


def test_shape_mismatch_names_both_shapes(tmp_path, capsys):
    data = {**MLP, "nodes": [{**MLP["nodes"][0], "params": {"shape": [1, 8, 8]}}, *MLP["nodes"][1:]]}
    data["nodes"][1] = {"id": "fc1", "kind": "Linear", "params": {"out_features": 8}}
    assert main(["train", _write(tmp_path, data)]) == 2
    err = capsys.readouterr().err
    assert "[2]" in err and "[1, 8, 8]" in err and err.startswith("error: ") and err.count("\n") == 1


def test_invalid_file_and_network_exit_2(tmp_path, capsys):
    assert main(["train", str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err
    broken = {**MLP, "edges": MLP["edges"][:1]}  # fc2 left unconnected
    assert main(["train", _write(tmp_path, broken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


def test_unavailable_cuda_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    assert main(["train", _write(tmp_path, MLP), "--device", "cuda"]) == 2
    assert "CUDA" in capsys.readouterr().err


def test_divergence_exits_3_with_metrics_up_to_that_step(tmp_path, capsys):
    data = {**MLP, "nodes": [{"id": "in1", "kind": "Input", "params": {"shape": [1]}},
                             {"id": "fc1", "kind": "Linear", "params": {"out_features": 16}},
                             {"id": "fc2", "kind": "Linear", "params": {"out_features": 1}}],
            "edges": [{"from": "in1", "to": "fc1"}, {"from": "fc1", "to": "fc2"}],
            "training": {"dataset": "function", "optimizer": "sgd", "lr": 10.0}}
    metrics = tmp_path / "m.jsonl"
    assert main(["train", _write(tmp_path, data), "--steps", "100", "--metrics", str(metrics)]) == 3
    err = capsys.readouterr().err
    assert "diverged" in err and "learning rate" in err and err.count("\n") == 1
    records = _lines(metrics)
    last = records[-1]
    assert f"diverged at step {last['step']}" in err
    assert [r["step"] for r in records if "loss" in r] == list(range(1, last["step"] + 1))
    assert last["loss"] is None  # NaN is written as null: the file stays strict JSON


def test_error_inside_training_exits_1_with_one_line(tmp_path, capsys, monkeypatch):
    from explorer.training import trainer as trainer_module

    def broken_step(self, batch):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(trainer_module.Trainer, "_train_step", broken_step)
    assert main(["train", _write(tmp_path, MLP)]) == 1
    err = capsys.readouterr().err
    assert err == "error: training failed at step 1: RuntimeError: boom\n"


def test_progress_bar_on_a_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main(["train", _write(tmp_path, MLP)]) == 0
    out = capsys.readouterr().out
    assert "\r[" in out and "steps/s" in out and "finished 20 steps" in out
    assert "validated at step" not in out


def test_the_file_is_left_alone(tmp_path):
    path = _write(tmp_path, MLP)
    with open(path) as handle:
        before = handle.read()
    assert main(["train", path, "--steps", "2"]) == 0
    with open(path) as handle:
        assert handle.read() == before
    assert fileformat.load(path).training == MLP["training"]


# Objectives and checkpoints from the command line ------------------------------------------------

GAN = {"format": "nn-explorer", "schema_version": 1, "name": "gan",
       "nodes": [{"id": "g_in", "kind": "Input", "params": {"shape": [2]}},
                 {"id": "g_fc", "kind": "Linear", "params": {"out_features": 8}},
                 {"id": "g_relu", "kind": "ReLU"},
                 {"id": "g_out", "kind": "Linear", "params": {"out_features": 2}},
                 {"id": "d_in", "kind": "Input", "params": {"shape": [2]}},
                 {"id": "d_fc", "kind": "Linear", "params": {"out_features": 8}},
                 {"id": "d_relu", "kind": "ReLU"},
                 {"id": "d_out", "kind": "Linear", "params": {"out_features": 1}}],
       "edges": [{"from": "g_in", "to": "g_fc"}, {"from": "g_fc", "to": "g_relu"}, {"from": "g_relu", "to": "g_out"},
                 {"from": "d_in", "to": "d_fc"}, {"from": "d_fc", "to": "d_relu"}, {"from": "d_relu", "to": "d_out"}],
       "training": {"dataset": "ring", "dataset_options": {"n_samples": 200}, "task": "adversarial",
                    "batch_size": 32, "epochs": 1}}


def test_gan_metrics_carry_both_losses_and_a_checkpoint_continues(tmp_path, capsys):
    metrics, saved = tmp_path / "m.jsonl", tmp_path / "gan.pt"
    path = _write(tmp_path, GAN)
    assert main(["train", path, "--metrics", str(metrics), "--save", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "adversarial" in out and f"checkpoint written to {saved}" in out
    assert "generator loss" in out and "discriminator loss" in out
    steps = [r for r in _lines(metrics) if "loss" in r]
    assert set(steps[0]) == {"step", "epoch", "loss", "lr", "grad_norms", "losses"}
    assert set(steps[0]["losses"]) == {"generator", "discriminator"}
    assert steps[0]["loss"] == steps[0]["losses"]["generator"]
    assert set(steps[0]["grad_norms"]) == {"g_fc", "g_out", "d_fc", "d_out"}
    val = [r for r in _lines(metrics) if "val_loss" in r][-1]
    assert set(val["val_losses"]) == {"generator", "discriminator"}
    assert main(["train", path, "--steps", "2", "--load", str(saved)]) == 0


def _bad(tmp_path, capsys, args, words):
    assert main(["train", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert word in err, err


def test_bad_checkpoints_and_tasks_exit_2_with_one_line(tmp_path, capsys):
    import torch

    mlp = _write(tmp_path, MLP)
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"\x80\x02garbage")
    _bad(tmp_path, capsys, [mlp, "--load", str(corrupt)], ["corrupt.pt", "not a readable checkpoint"])
    foreign = tmp_path / "foreign.pt"
    torch.save({"fc1.weight": torch.zeros(8, 2)}, foreign)
    _bad(tmp_path, capsys, [mlp, "--load", str(foreign)], ["foreign.pt", "not an nn-explorer checkpoint"])
    gan_ckpt = tmp_path / "gan.pt"
    assert main(["train", _write(tmp_path, GAN, "gan.json"), "--steps", "1", "--save", str(gan_ckpt)]) == 0
    capsys.readouterr()
    _bad(tmp_path, capsys, [mlp, "--load", str(gan_ckpt)], ["gan.pt", "saved from another network"])
    one_network = {**MLP, "training": {**MLP["training"], "task": "adversarial"}}
    _bad(tmp_path, capsys, [_write(tmp_path, one_network)], ["needs two networks", "'fc2'"])
    karate = {**MLP, "nodes": [{"id": "in1", "kind": "Input", "params": {"shape": [34]}}, *MLP["nodes"][1:]],
              "training": {"dataset": "karate"}}
    _bad(tmp_path, capsys, [_write(tmp_path, karate)], ["is a graph", "no GraphConv"])
    assert not (tmp_path / "never.pt").exists()


def test_save_writes_nothing_when_training_diverges(tmp_path, capsys):
    data = {**MLP, "nodes": [{"id": "in1", "kind": "Input", "params": {"shape": [1]}},
                             {"id": "fc1", "kind": "Linear", "params": {"out_features": 16}},
                             {"id": "fc2", "kind": "Linear", "params": {"out_features": 1}}],
            "edges": [{"from": "in1", "to": "fc1"}, {"from": "fc1", "to": "fc2"}],
            "training": {"dataset": "function", "optimizer": "sgd", "lr": 10.0}}
    saved = tmp_path / "out.pt"
    assert main(["train", _write(tmp_path, data), "--steps", "100", "--save", str(saved)]) == 3
    assert not saved.exists()
