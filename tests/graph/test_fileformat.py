"""The file format: round trips, atomic saves, and one clear message for each kind of bad file."""

import json
from pathlib import Path

import pytest

from explorer.graph import FileFormatError, fileformat

FIXTURES = Path(__file__).parent / "fixtures"


def test_round_trip_keeps_everything(tmp_path):
    doc = fileformat.load(FIXTURES / "inception.json")
    doc.training = {"dataset": "digits", "lr": 0.01}
    path = tmp_path / "net.json"
    fileformat.save(doc, path)
    again = fileformat.load(path)
    assert fileformat.to_dict(again) == fileformat.to_dict(doc)
    assert again.training == {"dataset": "digits", "lr": 0.01}
    ports = {(e.src, e.port) for e in again.inputs_of("cat")}
    assert ports == {("b1", 0), ("b3", 1), ("b5", 2), ("bpc", 3)}


def test_missing_positions_are_laid_out(tmp_path):
    doc = fileformat.load(FIXTURES / "lenet5.json")
    positions = [n.pos for n in doc.nodes()]
    assert all(p is not None for p in positions)
    assert len(set(positions)) == len(positions)
    assert doc.node("in").pos[1] < doc.node("c1").pos[1] < doc.node("f3").pos[1]


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    doc = fileformat.load(FIXTURES / "lenet5.json")
    path = tmp_path / "net.json"
    path.write_text("previous content")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(fileformat.os, "replace", broken_replace)
    with pytest.raises(OSError):
        fileformat.save(doc, path)
    assert path.read_text() == "previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]


def _file(**changes):
    data = {"format": "nn-explorer", "schema_version": 1, "name": "t",
            "nodes": [{"id": "in", "kind": "Input", "params": {"shape": [4]}},
                      {"id": "fc", "kind": "Linear", "params": {"out_features": 2}}],
            "edges": [{"from": "in", "to": "fc"}]}
    data.update(changes)
    return data


BAD_FILES = {
    "newer": (_file(schema_version=99), "written by a newer version of the program (schema 99", None),
    "not-ours": ({"hello": 1}, "is not a network file", None),
    "unknown-kind": (_file(nodes=[{"id": "in", "kind": "Input"}, {"id": "fc", "kind": "Dense"}]),
                     "unknown layer kind 'Dense'", "fc"),
    "wrong-type": (_file(nodes=[{"id": "in", "kind": "Input"},
                                {"id": "fc", "kind": "Linear", "params": {"out_features": "ten"}}]),
                   "'out_features' must be a whole number, not 'ten'", "fc"),
    "out-of-range": (_file(nodes=[{"id": "in", "kind": "Input"},
                                  {"id": "fc", "kind": "Linear", "params": {"out_features": 0}}]),
                     "'out_features' must be at least 1, not 0", "fc"),
    "duplicate-id": (_file(nodes=[{"id": "in", "kind": "Input"}, {"id": "in", "kind": "ReLU"}], edges=[]),
                     "a node with id 'in' already exists", "in"),
    "missing-node": (_file(edges=[{"from": "in", "to": "nowhere"}]), "names a missing node 'nowhere'", None),
    "cycle": (_file(nodes=[{"id": "in", "kind": "Input"}, {"id": "a", "kind": "Add"}, {"id": "b", "kind": "ReLU"}],
                    edges=[{"from": "in", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "a"}]),
              "would make a loop", "a"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_naming_file_node_and_reason(tmp_path, case):
    data, reason, node = BAD_FILES[case]
    path = tmp_path / f"{case}.json"
    path.write_text(json.dumps(data))
    with pytest.raises(FileFormatError) as caught:
        fileformat.load(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert reason in message
    if node:
        assert f"(node '{node}')" in message or f"'{node}'" in message


def test_malformed_json_says_where(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "nn-explorer", "nodes": [}')
    with pytest.raises(FileFormatError, match=r"broken.json: is not valid JSON: .* line 1, column 37"):
        fileformat.load(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileFormatError, match="no such file"):
        fileformat.load(tmp_path / "absent.json")
    with pytest.raises(FileFormatError, match="is a folder"):
        fileformat.load(tmp_path)
