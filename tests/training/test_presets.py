"""Every preset loads, looks tidy, trains from the command line, and shows what its description says."""

import json
import statistics
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.graph import fileformat
from explorer.training.settings import TrainingSettings

PRESETS = sorted((Path(__file__).resolve().parents[2] / "presets").glob("*.json"))
REQUIRED = {"mlp-moons", "cnn-digits", "lenet-shapes", "vanishing-sigmoid", "vanishing-relu-residual",
            "resnet-digits", "function-fit", "lstm-adding", "autoencoder-digits", "conv-autoencoder-shapes", "gan-ring",
            "gan-ring-collapse", "gan-digits", "gcn-karate"}


def _metrics(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_the_required_presets_exist():
    assert REQUIRED <= {p.stem for p in PRESETS}


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_is_valid_and_tidy(path):
    doc = fileformat.load(path)
    assert doc.infer().ok
    assert doc.description and "\n" not in doc.description and len(doc.description) > 150
    TrainingSettings.from_dict(doc.training)
    with open(path, encoding="utf-8") as handle:
        raw = json.load(handle)
    ys = [node["pos"][1] for node in raw["nodes"]]
    assert ys == [120 * i for i in range(len(ys))]  # top to bottom, one row per node
    assert all(abs(node["pos"][0]) <= 240 for node in raw["nodes"])


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_trains_from_the_cli(path, tmp_path, capsys):
    metrics = tmp_path / "m.jsonl"
    assert main(["train", str(path), "--steps", "3", "--metrics", str(metrics)]) == 0
    records = _metrics(metrics)
    assert [r["step"] for r in records if "loss" in r] == [1, 2, 3]
    assert "val_loss" in records[-1]


def test_lenet_has_the_classic_parameter_count_with_ten_outputs():
    doc = fileformat.load(PRESETS[0].parent / "lenet-shapes.json")
    doc.set_param("fc3", "out_features", 10)
    assert doc.infer().total_params == 61_706


def _ratio_medians(path, tmp_path, steps):
    metrics = tmp_path / "m.jsonl"
    assert main(["train", str(path), "--steps", str(steps), "--metrics", str(metrics)]) == 0
    rows = [r["grad_norms"] for r in _metrics(metrics) if "grad_norms" in r]
    return (statistics.median(r["fc10"] / r["fc1"] for r in rows),
            statistics.median(r["out"] / r["fc1"] for r in rows))


def test_sigmoid_stack_gradients_vanish(tmp_path, capsys):
    to_fc10, to_out = _ratio_medians(PRESETS[0].parent / "vanishing-sigmoid.json", tmp_path, 40)
    assert to_fc10 >= 1000 and to_out >= 1000


def test_residual_relu_gradients_do_not_vanish(tmp_path, capsys):
    to_fc10, to_out = _ratio_medians(PRESETS[0].parent / "vanishing-relu-residual.json", tmp_path, 40)
    assert to_fc10 < 10 and to_out < 10
    assert 0.1 < to_out  # and do not explode either


@pytest.mark.parametrize("name, target", [("cnn-digits", 0.97), ("resnet-digits", 0.97), ("lenet-shapes", 0.95)])
def test_cnn_presets_reach_their_accuracy(name, target, tmp_path, capsys):
    # The acceptance runs: the whole preset from the command line (5-15 s each on two idle cores).
    metrics = tmp_path / "m.jsonl"
    assert main(["train", str(PRESETS[0].parent / f"{name}.json"), "--metrics", str(metrics)]) == 0
    final = _metrics(metrics)[-1]
    assert final["val_acc"] >= target
