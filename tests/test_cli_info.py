"""``nn-explorer info``: the table, the JSON, and exit status 2 with one line per error."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.cli import main

FIXTURES = Path(__file__).parent / "graph" / "fixtures"


def test_table_reports_lenet_total(capsys):
    assert main(["info", str(FIXTURES / "lenet5.json")]) == 0
    out = capsys.readouterr().out
    assert "Total parameters: 61,706" in out
    assert "c2    Conv2d     [16, 10, 10]   2,416" in out


def test_json_is_exactly_one_object(capsys):
    assert main(["info", "--json", str(FIXTURES / "residual.json")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"nodes", "total_params"}
    assert data["total_params"] == 5_322
    assert data["nodes"][0] == {"id": "in", "kind": "Input", "output_shape": [3, 16, 16], "params": 0}
    add = next(n for n in data["nodes"] if n["id"] == "add")
    assert add["output_shape"] == [16, 16, 16]


def _write(tmp_path, nodes, edges):
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"format": "nn-explorer", "schema_version": 1, "nodes": nodes, "edges": edges}))
    return str(path)


@pytest.mark.parametrize("nodes, edges, lines", [
    ([{"id": "in", "kind": "Input", "params": {"shape": [10]}}, {"id": "c", "kind": "Conv2d"},
      {"id": "l", "kind": "Linear"}], [{"from": "in", "to": "c"}, {"from": "c", "to": "l"}],
     ["Conv2d 'c' needs an image [C, H, W] but gets [10]"]),
    ([{"id": "in", "kind": "Input"}, {"id": "r", "kind": "ReLU"}, {"id": "x", "kind": "Linear"},
      {"id": "y", "kind": "Tanh"}], [{"from": "in", "to": "r"}],
     ["Linear 'x' is not connected to any Input", "Tanh 'y' is not connected to any Input"]),
    ([{"id": "in", "kind": "Input", "params": {"shape": [100000]}},
      {"id": "big", "kind": "Linear", "params": {"out_features": 1000}}], [{"from": "in", "to": "big"}],
     ["Linear 'big' would have 100,001,000 parameters"]),
])
def test_graph_errors_exit_2_one_line_each(tmp_path, capsys, nodes, edges, lines):
    path = _write(tmp_path, nodes, edges)
    assert main(["info", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err_lines = captured.err.strip().splitlines()
    assert len(err_lines) == len(lines)
    for err, expected in zip(err_lines, lines):
        assert err.startswith(f"error: {path}: {expected}")


def test_unreadable_file_exits_2_without_traceback(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    result = subprocess.run([sys.executable, "-m", "explorer", "info", str(path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "is not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_torch_is_reported_not_hidden(tmp_path):
    # cli.py used to swallow the ImportError and silently offer no `train` command.
    code = ("import sys\n"
            "sys.modules['torch'] = None  # importing torch now raises ImportError\n"
            "from explorer.cli import build_parser, main\n"
            "assert 'train' in build_parser().format_help()\n"
            f"sys.exit(main(['train', {str(FIXTURES / 'lenet5.json')!r}, '--steps', '1']))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: a library nn-explorer needs cannot be imported")
    assert "Traceback" not in result.stderr
