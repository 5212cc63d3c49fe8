"""The editor follows a 200-layer network: a parameter edit re-infers every shape and relabels every layer.

How long that takes is measured by the benchmark (tests/benchmarks/bench_editor.py, cold and warm
caches, target 50 ms); a timing threshold here would only measure how busy the CI machine is.
"""

from __future__ import annotations

from .editor_helpers import big_network, open_doc


def test_a_parameter_edit_with_200_layers_reinfers_and_relabels_every_layer(window, tmp_path):
    open_doc(window, big_network(200), tmp_path)
    assert len(window.scene.nodes) == 200
    window.view.fit()
    window.scene.select_nodes(["in1"])
    viewport = window.view.viewport()
    for k in range(6):
        side = 24 + k
        window.editor.set_param("in1", "shape", [3, side, side])
        viewport.repaint()
        last = window.document.nodes()[-1].id
        assert window.scene.nodes[last].line_text.endswith(f"{side}, {side}]")  # every label followed
        assert window.scene.nodes[last].info == window.document.infer().nodes[last]
