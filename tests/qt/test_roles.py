"""The roles of a GAN's two networks in the inspector: shown, chosen, swapped, undone."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QPushButton

from explorer.graph import Document
from explorer.graph.fileformat import save
from explorer.qt.roles import network_roles, with_role


def gan_document() -> Document:
    doc = Document(name="tiny gan")
    doc.add_node("Input", {"shape": [2]}, node_id="z")
    doc.add_node("Linear", {"out_features": 16}, node_id="g1")
    doc.add_node("ReLU", node_id="g_relu")
    doc.add_node("Linear", {"out_features": 2}, node_id="g_out")
    doc.add_node("Input", {"shape": [2]}, node_id="x")
    doc.add_node("Linear", {"out_features": 16}, node_id="d1")
    doc.add_node("ReLU", node_id="d_relu")
    doc.add_node("Linear", {"out_features": 1}, node_id="d_out")
    for a, b in (("z", "g1"), ("g1", "g_relu"), ("g_relu", "g_out"), ("x", "d1"), ("d1", "d_relu"),
                 ("d_relu", "d_out")):
        doc.connect(a, b)
    doc.set_meta(training={"dataset": "ring", "task": "adversarial", "batch_size": 64, "epochs": 1})
    return doc


@pytest.fixture
def gan_window(window, tmp_path):
    path = tmp_path / "gan.json"
    save(gan_document(), path)
    assert window.open_document(path)
    return window


def test_roles_are_guessed_from_shapes_and_swapping_writes_them():
    doc = gan_document()
    assert network_roles(doc) == ({"generator": "g_out", "discriminator": "d_out"}, {"generator", "discriminator"})
    assert with_role({"generator": "a", "discriminator": "b"}, "a", "discriminator") == {"generator": "b",
                                                                                          "discriminator": "a"}
    assert with_role({"generator": "a", "discriminator": "b"}, "b", None) == {"generator": "a"}


def test_the_network_page_shows_the_roles_and_swaps_them_undoably(gan_window):
    window = gan_window
    inspector = window.inspector
    generator = inspector.findChild(QComboBox, "role_g_out")
    discriminator = inspector.findChild(QComboBox, "role_d_out")
    assert generator.currentData() == "generator" and discriminator.currentData() == "discriminator"
    assert "chosen from the shapes" in inspector.document_page.roles.note.text()
    inspector.document_page.roles.swap_button.click()
    assert window.document.training["networks"] == {"generator": "d_out", "discriminator": "g_out"}
    assert generator.currentData() == "discriminator"  # the page follows the document
    assert not window.undo_stack.isClean()
    window.undo_stack.undo()
    assert "networks" not in window.document.training or not window.document.training["networks"]
    assert generator.currentData() == "generator"


def test_an_input_page_shows_its_network_and_chooses_its_role(gan_window, qtbot):
    window = gan_window
    window.select_node("x")
    page = window.inspector.node_page
    assert page is not None and page.roles.isVisibleTo(page)
    assert "'d_out'" in page.network_label.text()
    combo = page.findChild(QComboBox, "role_d_out")
    assert combo.currentData() == "discriminator"
    combo.setCurrentIndex(combo.findData("generator"))
    combo.activated.emit(combo.currentIndex())  # as if chosen by the user
    assert window.document.training["networks"] == {"generator": "d_out", "discriminator": "g_out"}
    window.set_editing_locked(True)  # training: roles cannot change
    assert not page.findChild(QComboBox, "role_d_out").isEnabled()
    window.set_editing_locked(False)


def test_a_document_of_one_network_shows_no_roles(window):
    assert not window.inspector.document_page.roles.isVisibleTo(window.inspector)
    assert window.inspector.findChild(QPushButton, "swapRolesButton") is not None


def test_renaming_a_network_output_keeps_its_role_and_undoes(gan_window):
    window = gan_window
    window.inspector.document_page.roles.swap_button.click()  # the roles are now named in the settings
    window.editor.rename_node("g_out", "maker")
    assert window.document.training["networks"] == {"generator": "d_out", "discriminator": "maker"}
    window.undo_stack.undo()
    assert window.document.training["networks"] == {"generator": "d_out", "discriminator": "g_out"}
