"""``nn-explorer export FILE --to model.onnx``: checked by onnx.checker, equal in onnxruntime within 1e-4."""

from __future__ import annotations

import pytest

from explorer.cli import main
from explorer.export import onnx as onnx_export
from explorer.graph import fileformat

from .helpers import NETWORKS, ROOT

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_without_onnx_the_message_says_how_to_get_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(onnx_export, "have_onnx", lambda: False)
    assert main(["export", str(ROOT / "presets" / "mlp-moons.json"), "--to", str(tmp_path / "m.onnx")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'pip install -e ".[onnx]"' in err[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("preset, output, key", NETWORKS, ids=[n[2] for n in NETWORKS])
def test_every_preset_exports_and_onnxruntime_agrees(preset, output, key, tmp_path, tally):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    import onnx

    result = onnx_export.export_onnx(fileformat.load(preset), tmp_path / "model.onnx", output)
    tally.figure(f"onnx {key}: onnxruntime max abs difference", f"{result.max_difference:.3g}")
    assert result.checked and result.max_difference is not None and result.max_difference < 1e-4
    model = onnx.load(str(tmp_path / "model.onnx"))
    batch = model.graph.input[0].type.tensor_type.shape.dim[0]
    assert batch.dim_param == "batch"  # the batch axis is dynamic
    assert [f.name for f in tmp_path.iterdir()] == ["model.onnx"]


def test_a_graph_network_takes_the_adjacency_as_its_second_input(tmp_path):
    """GraphConv is a MatMul with the dense normalised adjacency, its two axes the graph's nodes (the batch)."""
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    import onnx

    result = onnx_export.export_onnx(fileformat.load(ROOT / "presets" / "gcn-karate.json"), tmp_path / "g.onnx")
    assert result.max_difference is not None and result.max_difference < 1e-4
    inputs = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]
              for i in onnx.load(str(tmp_path / "g.onnx")).graph.input}
    assert inputs == {"in1": ["batch", 34], "adjacency": ["batch", "batch"]}


def test_the_command_says_what_was_checked(tmp_path, capsys, monkeypatch):
    pytest.importorskip("onnx")
    monkeypatch.setattr(onnx_export, "have_onnxruntime", lambda: False)
    assert main(["export", str(ROOT / "presets" / "cnn-digits.json"), "--to", str(tmp_path / "m.onnx")]) == 0
    out = capsys.readouterr().out
    assert "onnx.checker passed" in out and "onnxruntime is not installed" in out


def test_a_file_that_fails_the_checker_is_not_left_behind(tmp_path, capsys, monkeypatch):
    onnx = pytest.importorskip("onnx")

    def reject(*args, **kwargs):
        raise onnx.checker.ValidationError("Field 'shape' of 'type' is required but missing.")

    monkeypatch.setattr(onnx.checker, "check_model", reject)
    assert main(["export", str(ROOT / "presets" / "mlp-moons.json"), "--to", str(tmp_path / "m.onnx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "fails onnx.checker" in err[0]
    assert list(tmp_path.iterdir()) == []
