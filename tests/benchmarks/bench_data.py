"""How long the generated datasets take to make (moved here from a unit test's time limit).

    python tests/benchmarks/bench_data.py [--rounds 5]

Prints the median and worst seconds per dataset; the target for 6,000 ``shapes`` images is 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from explorer.data import load_dataset

CASES = [("shapes", {"n_samples": 6000}, 2.0), ("moons", {"n_samples": 10000}, 0.5),
         ("spirals", {"n_samples": 10000}, 0.5)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ok = True
    for name, options, target in CASES:
        times = []
        for seed in range(args.rounds):
            start = time.perf_counter()
            try:
                load_dataset(name, options, seed=seed)
            except Exception as error:  # noqa: BLE001  a dataset this version lacks
                print(f"{name}: skipped ({error})")
                break
            times.append(time.perf_counter() - start)
        if times:
            median = statistics.median(times)
            ok &= median < target
            print(f"{name} {options}: median {median:.3f} s, worst {max(times):.3f} s   (target < {target:g} s)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
