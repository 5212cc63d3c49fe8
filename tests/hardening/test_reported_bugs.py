"""The five concrete failures of issue 15, each reproduced as a new user met it, and refused cleanly now."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from torch import nn

from explorer.cli import main
from explorer.graph import Document, FileFormatError, GraphError, InvalidIdError, UnknownKindError, fileformat
from explorer.graph.document import reserved_ids
from explorer.qt.editor import clipboard

ROOT = Path(__file__).resolve().parents[2]
PRESETS = ROOT / "presets"


def _moons_file(node_id: str) -> dict:
    data = json.loads((PRESETS / "mlp-moons.json").read_text(encoding="utf-8"))
    data["nodes"][1]["id"] = node_id
    for edge in data["edges"]:
        for end in ("from", "to"):
            if edge[end] == "fc1":
                edge[end] = node_id
    return data


# 1. An id nn.Module already uses passed the reader and `info`, then `train` died with a KeyError.

@pytest.mark.parametrize("node_id", ["compile", "add_module", "dump_patches", "call_super_init", "_parameters",
                                     "__class__", "get_submodule", "ipu", "T_destination"])
def test_ids_torch_uses_are_refused_by_the_reader_with_the_node_named(node_id):
    with pytest.raises(FileFormatError, match="reserved by PyTorch") as caught:
        fileformat.from_dict(_moons_file(node_id), "net.json")
    assert caught.value.node_id == node_id


def test_every_attribute_of_the_layers_container_is_reserved():
    container = nn.ModuleDict()
    assert {n for n in dir(container)} <= reserved_ids()
    doc = Document()
    for name in sorted(reserved_ids()):
        if name and (name[0].isalpha() or name[0] == "_") and len(name) <= 40:
            with pytest.raises(InvalidIdError):
                doc.add_node("ReLU", node_id=name)


def test_any_id_the_document_takes_can_be_built_and_trained(tmp_path, capsys):
    # The ids most like torch's own that are still allowed: each must reach a trained network.
    for node_id in ("compiled", "layers", "Training"):
        path = tmp_path / f"{node_id}.json"
        data = _moons_file(node_id)
        data["training"]["dataset_options"] = {"n_samples": 64}
        path.write_text(json.dumps(data), encoding="utf-8")
        assert main(["train", str(path), "--steps", "2"]) == 0, capsys.readouterr().err


def test_renaming_to_a_torch_attribute_is_refused():
    doc = fileformat.load(PRESETS / "mlp-moons.json")
    with pytest.raises(InvalidIdError, match="reserved by PyTorch"):
        doc.rename_node("fc1", "compile")
    assert doc.has_node("fc1")


# 2. A "kind" that is not a string raised a TypeError in the catalogue look-up.

@pytest.mark.parametrize("kind", [["Linear"], {"a": 1}, 3, None, True, 2.5])
def test_a_kind_that_is_not_text_is_a_typed_error(kind):
    with pytest.raises(UnknownKindError, match="layer kind is a name"):
        Document().add_node(kind)
    data = _moons_file("fc1")
    data["nodes"][2]["kind"] = kind
    with pytest.raises(FileFormatError) as caught:
        fileformat.from_dict(data, "net.json")
    assert caught.value.node_id == "relu1" and "net.json" in caught.value.message


def test_a_clipboard_kind_that_is_not_text_is_refused():
    payload = {"nodes": [{"id": "a", "kind": ["ReLU"], "params": {}}], "edges": []}
    with pytest.raises(GraphError, match="layer kind is a name"):
        clipboard.check_payload(payload)


# 4. A save replaced the file's permissions with the temporary file's 0600.

@pytest.mark.parametrize("mode", [0o644, 0o664, 0o640, 0o444])
def test_a_save_keeps_the_files_permissions(tmp_path, mode):
    doc = fileformat.load(PRESETS / "mlp-moons.json")
    path = tmp_path / "net.json"
    fileformat.save(doc, path)
    os.chmod(path, mode)
    doc.set_meta(name="changed")
    fileformat.save(doc, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert fileformat.load(path).name == "changed"


def test_a_new_file_gets_the_umask_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        fileformat.save(fileformat.load(PRESETS / "mlp-moons.json"), tmp_path / "new.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_save_into_a_read_only_folder_leaves_the_old_file(tmp_path):
    doc = fileformat.load(PRESETS / "mlp-moons.json")
    path = tmp_path / "net.json"
    fileformat.save(doc, path)
    before = path.read_bytes()
    os.chmod(tmp_path, 0o555)
    try:
        doc.set_meta(name="changed")
        with pytest.raises(PermissionError):
            fileformat.save(doc, path)
    finally:
        os.chmod(tmp_path, 0o755)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


def test_a_save_onto_a_full_disk_leaves_the_old_file(tmp_path, monkeypatch):
    doc = fileformat.load(PRESETS / "mlp-moons.json")
    path = tmp_path / "net.json"
    fileformat.save(doc, path)
    before = path.read_bytes()

    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileformat.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        fileformat.save(doc, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


# 5. `info` printed box-drawing characters that fail on a console whose encoding lacks them.

def _run_ascii(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, env=env, cwd=ROOT,
                          timeout=120)


def test_info_works_on_an_ascii_console():
    result = _run_ascii("info", str(PRESETS / "lenet-shapes.json"))
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode("ascii")  # every byte is ASCII
    assert "Total parameters:" in out and "-----" in out
    assert b"Traceback" not in result.stderr


def test_errors_with_arrows_work_on_an_ascii_console(tmp_path, monkeypatch):
    # In-process, with stdout and stderr as an ASCII console's (the subprocess test above is the real one).
    data = _moons_file("fc1")
    data["edges"].append({"from": "fc3", "to": "fc1"})  # a cycle: its message holds quotes and arrows
    path = tmp_path / "naïve→net.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out, err = io.BytesIO(), io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding="ascii"))
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(err, encoding="ascii"))
    status = main(["info", str(path)])
    sys.stdout.flush()
    sys.stderr.flush()
    assert status == 2
    assert err.getvalue().decode("ascii").startswith("error: ")
