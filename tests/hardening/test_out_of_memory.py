"""A batch that does not fit in memory ends the run with advice, not a crash: a real allocation failure.

The CLI trains in a subprocess whose address space is capped (RLIMIT_AS) 400 MB above what it uses
once torch is loaded; one step of a 4096-unit layer on a 65,536-sample batch needs 1 GB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from explorer.training.faults import OUT_OF_MEMORY_HINT

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import resource, sys
    import torch  # noqa: F401  (loaded before the cap: importing it maps much address space)
    import explorer.training.trainer  # noqa: F401
    from explorer.cli import main

    def address_space():
        for line in open("/proc/self/status"):
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    limit = address_space() + 400 * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.exit(main(["train", sys.argv[1], "--steps", "2"]))
""")

GIANT = {"format": "nn-explorer", "schema_version": 1, "name": "giant",
         "nodes": [{"id": "in1", "kind": "Input", "params": {"shape": [2]}},
                   {"id": "fc1", "kind": "Linear", "params": {"out_features": 4096}},
                   {"id": "relu1", "kind": "ReLU"},
                   {"id": "fc2", "kind": "Linear", "params": {"out_features": 2}}],
         "edges": [{"from": "in1", "to": "fc1"}, {"from": "fc1", "to": "relu1"}, {"from": "relu1", "to": "fc2"}],
         "training": {"dataset": "moons", "dataset_options": {"n_samples": 100000}, "batch_size": 65536}}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_a_giant_batch_runs_out_of_memory_and_says_what_to_do(tmp_path):
    path = tmp_path / "giant.json"
    path.write_text(json.dumps(GIANT), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=180)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr.startswith("error: training failed at step 1")
    assert "allocate memory" in result.stderr and OUT_OF_MEMORY_HINT in result.stderr
    assert "Traceback" not in result.stderr
