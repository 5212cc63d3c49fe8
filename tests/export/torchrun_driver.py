"""Trains each exported script named on the command line, one after the other, in the processes torchrun started.

Starting torchrun costs three Pythons and a rendezvous (about 10 s on a busy machine), so the suite starts it once
for every preset: each script's ``main()`` runs here with ``--steps N --save <stem>.pt`` in the folder given first.
The scripts share one process group: joining it again after a script has left it waits forever on the rendezvous
store, so the first script's ``init_process_group`` joins and the others find it joined; it is left once, at the
end. Each script's own joining and leaving is what ``test_the_script_trains_under_torchrun_on_two_processes``
launches torchrun for on its own. On rank 0 a line ``=== <stem>`` starts each script's output.

    torchrun --standalone --nproc_per_node=2 torchrun_driver.py STEPS FOLDER SCRIPT.py [SCRIPT.py ...]
"""

import importlib.util
import os
import sys
from pathlib import Path

import torch.distributed as dist


def main() -> None:
    steps, folder, scripts = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    join, leave = dist.init_process_group, dist.destroy_process_group
    dist.init_process_group = lambda *a, **k: None if dist.is_initialized() else join(*a, **k)
    dist.destroy_process_group = lambda *a, **k: None
    for index, path in enumerate(scripts):
        stem = Path(path).stem
        if os.environ.get("RANK") == "0":
            print(f"=== {stem}", flush=True)
        spec = importlib.util.spec_from_file_location(f"exported_{index}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.argv = [path, "--steps", steps, "--save", str(folder / f"{stem}.pt")]
        module.main()
        sys.stdout.flush()
    if dist.is_initialized():
        leave()


if __name__ == "__main__":
    main()
