"""File ▸ Export… writes the open network as a script; a refusal is shown, not raised."""

from __future__ import annotations

from pathlib import Path

from explorer.qt.files import presets_dir


def test_file_menu_has_export(window):
    file_menu = window.menuBar().actions()[0].menu()
    assert window.menu_actions.export in file_menu.actions()


def test_export_writes_the_script_and_its_data(window, tmp_path):
    assert window.open_document(presets_dir() / "mlp-moons.json", as_copy=True)
    assert window.export_to(tmp_path / "moons.py"), window.last_error
    assert (tmp_path / "moons.py").is_file() and (tmp_path / "moons.npz").is_file()
    assert "moons.py" in window.statusBar().currentMessage()


def test_a_refused_export_is_explained(window, tmp_path):
    assert window.open_document(presets_dir() / "mlp-moons.json", as_copy=True)
    assert not window.export_to(tmp_path / "missing-folder" / "moons.py")
    assert "does not exist" in window.last_error
    assert not (tmp_path / "missing-folder").exists()


def test_import_from_pytorch_opens_the_traced_network_unsaved(window):
    source = Path(__file__).resolve().parents[1] / "export" / "modules_elsewhere.py"
    assert window.menu_actions.import_ in window.menuBar().actions()[0].menu().actions()
    assert window.import_from(f"{source}:Net", "1,28,28"), window.last_error
    assert window.document.infer().total_params == 1_199_882
    assert window.path is None and not window.undo_stack.isClean()
    assert "Imported Net" in window.statusBar().currentMessage()


def test_a_refused_import_is_explained_and_the_network_stays(window):
    source = Path(__file__).resolve().parents[1] / "export" / "modules_elsewhere.py"
    assert window.open_document(presets_dir() / "mlp-moons.json", as_copy=True)
    before = len(window.document)
    assert not window.import_from(f"{source}:Exotic", "4")
    assert "torch.logsumexp" in window.last_error and len(window.document) == before


def test_a_gan_exports_from_the_window_with_both_networks_and_its_loop(window, tmp_path):
    assert window.open_document(presets_dir() / "gan-ring.json", as_copy=True)
    assert window.export_to(tmp_path / "gan.py"), window.last_error
    text = (tmp_path / "gan.py").read_text()
    assert "class Generator(nn.Module)" in text and "class Discriminator(nn.Module)" in text
    assert 'TASK = "adversarial"' in text and (tmp_path / "gan.npz").is_file()
