"""Presets by name: ``nn-explorer presets`` lists them, every FILE argument takes their names."""

from __future__ import annotations

import json

from explorer.cli import main
from explorer.packaged import data_folder, find_preset, list_presets, resolve_network


def test_presets_lists_every_packaged_preset_on_one_line_each(capsys):
    assert main(["presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    presets = sorted(list_presets(), key=lambda p: p.key)
    assert len(presets) >= 8
    assert [line.split()[0] for line in lines] == [p.key for p in presets]
    for line, preset in zip(lines, presets):
        assert preset.name in line and len(line) <= 100


def test_info_takes_a_presets_name_and_says_so(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["info", "--json", "lenet-shapes"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["total_params"] == 61_366  # stdout stays one JSON object
    assert "using the preset lenet-shapes" in err


def test_a_file_of_that_name_in_the_current_folder_wins(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlp-moons").write_text(json.dumps({
        "format": "nn-explorer", "schema_version": 1,
        "nodes": [{"id": "in", "kind": "Input", "params": {"shape": [3]}},
                  {"id": "fc", "kind": "Linear", "params": {"out_features": 2}}],
        "edges": [{"from": "in", "to": "fc"}]}))
    assert main(["info", "--json", "mlp-moons"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["total_params"] == 8
    assert "using the file mlp-moons in this folder, not the preset" in err


def test_neither_a_file_nor_a_preset_is_one_line_exit_2(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["info", "no-such-network"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such file" in err[0]


def test_resolution_of_paths_and_names(tmp_path):
    assert find_preset("lenet-shapes.json").key == "lenet-shapes"
    assert find_preset("presets/lenet-shapes") is None  # a path is never a preset name
    resolved = resolve_network(str(tmp_path / "missing.json"))
    assert not resolved.is_preset and resolved.note is None
    assert (data_folder("resources") / "style.qss").is_file()
