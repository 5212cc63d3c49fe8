"""Whatever bytes a network file holds, the reader, ``info``, the build and a 2-step ``train`` end in the
document or in a typed error naming the file: never another exception, never a traceback.

The files are the presets and fixtures, mutated by ``mutations.py``. Counts are printed at the end
of the run ("robustness counts").
"""

from __future__ import annotations

import contextlib
import io
import warnings

from hypothesis import HealthCheck, given, settings

from explorer.cli import main
from explorer.graph import FileFormatError, GraphError, fileformat
from explorer.graph.build import build_module

from .mutations import broken_file_bytes

TRIES = 250


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("default")  # a user sees a warning printed; it must not end the run
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


@settings(max_examples=TRIES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=broken_file_bytes())
def test_any_file_is_read_or_refused_cleanly_by_the_reader_info_build_and_train(tmp_path_factory, tally, case):
    data, how = case
    path = tmp_path_factory.mktemp("fuzz") / "net.json"
    path.write_bytes(data)
    try:
        doc = fileformat.load(path)
    except FileFormatError as error:
        assert error.message.startswith(str(path)), error.message
        assert "\n" not in error.message
        tally("files (reader)", "refused with a FileFormatError")
        status, out, err = _cli("info", str(path))
        assert status == 2 and out == "" and err.startswith("error: ") and "Traceback" not in err
        return
    tally("files (reader)", "read")

    status, out, err = _cli("info", str(path))
    assert status in (0, 2), err
    assert "Traceback" not in err
    tally("files (info)", "table" if status == 0 else "refused: graph errors")

    try:
        build_module(doc)
        tally("files (build)", "built")
    except GraphError:  # BuildError included: no single output, a node with a shape error...
        tally("files (build)", "refused with a GraphError")

    status, out, err = _cli("train", str(path), "--steps", "2")
    assert "Traceback" not in err and "Traceback" not in out
    assert status != 1, f"training failed rather than refusing the file ({how}): {err}"
    assert status in (0, 2, 3), err
    if status:
        assert err.startswith("error: "), err
    tally("files (train 2 steps)", {0: "trained", 2: "refused", 3: "diverged"}[status])
