"""What to tell a student when training fails: the error's first line, plus what to try.

The trainer reports every failure as an :class:`~explorer.training.snapshots.ErrorSnapshot` naming the
exception. Some failures have a cause a student can act on (the batch did not fit in memory); this
module recognises them from the message, so the panel and ``nn-explorer train`` give the same advice.
"""

from __future__ import annotations

# Words PyTorch and Python use when memory runs out (CPU allocator, CUDA, MemoryError).
_OUT_OF_MEMORY = ("not enough memory", "out of memory", "memoryerror", "outofmemoryerror",
                  "can't allocate memory", "cannot allocate memory")

OUT_OF_MEMORY_HINT = ("The batch did not fit in memory: lower the batch size (or make the network smaller) and "
                      "train again; the network and its last good weights are kept.")


def hint_for(message: str) -> str | None:
    """Advice for the failure described by ``message``, or None when there is none to give."""
    lowered = message.lower()
    if any(words in lowered for words in _OUT_OF_MEMORY):
        return OUT_OF_MEMORY_HINT
    return None


def check_finite_data(dataset) -> None:
    """Refuse a dataset whose inputs or targets hold NaN or infinity, naming where, before any training.

    Such a value makes the first loss NaN, which would otherwise read as "diverged: lower the
    learning rate", advice that cannot help.
    """
    import numpy as np

    from explorer.data import DatasetError

    for part, array in (("training inputs", dataset.x_train), ("training targets", dataset.y_train),
                        ("validation inputs", dataset.x_val), ("validation targets", dataset.y_val)):
        if array is None or not np.issubdtype(array.dtype, np.floating):
            continue
        bad = array.size - int(np.count_nonzero(np.isfinite(array)))
        if bad:
            raise DatasetError(f"dataset '{dataset.name}' has {bad:,} value{'s' if bad != 1 else ''} in its {part} "
                               "that {} not numbers (NaN or infinity); training cannot learn from them"
                               .format("are" if bad != 1 else "is"))
