"""Each failure the fuzz and state-machine tests found, kept as a plain example that fails if it returns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.graph import Document, Edge, FileFormatError, TooManyInputsError, fileformat
from explorer.training.settings import SettingsError, TrainingSettings

PRESETS = Path(__file__).resolve().parents[2] / "presets"


def _moons() -> dict:
    return json.loads((PRESETS / "mlp-moons.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("depth", [40, 5_000, 100_000])
def test_deep_nesting_is_a_file_error(depth):
    data = _moons()
    text = json.dumps(data).replace('"relu1"', "[" * depth + "]" * depth, 1)
    with pytest.raises(FileFormatError, match="nests lists or objects more than 32 deep"):
        fileformat.loads(text, "deep.json")


@pytest.mark.parametrize("pos", [[float("nan"), 0], [0, float("inf")], [10**400, 0], [1e8, 0]])
def test_positions_the_canvas_cannot_hold_are_refused(pos):
    data = _moons()
    data["nodes"][0]["pos"] = pos
    with pytest.raises(FileFormatError, match='"pos" must be a list of two numbers'):
        fileformat.from_dict(data, "net.json")


def test_an_input_too_large_for_torch_is_a_node_error_not_a_crash():
    data = _moons()
    data["nodes"][0]["params"]["shape"] = [10**18, 8, 8]
    data["nodes"][1] = {"id": "fc1", "kind": "Conv2d", "params": {"out_channels": 4}}
    doc = fileformat.from_dict(data, "net.json")
    report = doc.infer()
    assert not report.ok and report.nodes["fc1"].status == "error"
    assert "cannot be made from" in report.nodes["fc1"].message


@pytest.mark.parametrize("key", ["lr", "weight_decay"])
def test_rates_that_overflow_the_optimiser_are_refused(key):
    with pytest.raises(SettingsError, match="at most 1e"):
        TrainingSettings.from_dict({"dataset": "moons", key: 3.4e38})
    TrainingSettings.from_dict({"dataset": "moons", key: 1e6})


def test_moving_a_wire_onto_a_second_port_of_a_one_input_layer_is_refused_in_words():
    doc = Document()
    doc.add_node("Input", {"shape": [2]}, node_id="in1")
    doc.add_node("Linear", node_id="fc1")
    doc.connect("in1", "fc1")
    with pytest.raises(TooManyInputsError, match="takes one input, on port 0"):
        doc.reconnect(Edge("in1", "fc1", 0), "fc1", 1)
    assert doc.inputs_of("fc1") == [Edge("in1", "fc1", 0)]
