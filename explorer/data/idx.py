"""``idx``: images and labels in MNIST's IDX format, read from a folder the student chooses.

Any MNIST-shaped set works (MNIST, Fashion-MNIST, KMNIST, EMNIST splits): the folder holds
``<set>-images-idx3-ubyte`` and ``<set>-labels-idx1-ubyte`` (``.idx3-ubyte`` and a ``.gz`` ending
are accepted too). The training set is the pair named ``train`` (or the only pair); a pair named
``t10k`` or ``test`` next to it becomes the validation set, and then no split is made.

The IDX format: a 4-byte big-endian magic number (0x00000803 for images: unsigned bytes, three
dimensions; 0x00000801 for labels: one dimension), then each dimension as a 4-byte big-endian
count, then the bytes themselves.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from explorer.graph.params import Param

from .dataset import CLASSIFICATION, DatasetError, DatasetSpec, FolderOption, Samples

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801

_FILE_NAME = re.compile(r"^(?P<set>.+)-(?P<kind>images|labels)[-.]idx[13]-ubyte(?P<gz>\.gz)?$", re.IGNORECASE)
_EXAMPLE = "train-images-idx3-ubyte and train-labels-idx1-ubyte, optionally ending in .gz"


def _fail(reason: str) -> DatasetError:
    return DatasetError(f"dataset 'idx': {reason}")


def read_idx(path: Path, magic: int) -> np.ndarray:
    """The uint8 array stored in one IDX file.

    Raises :class:`DatasetError` naming the file when it is unreadable, has another magic number,
    or is shorter or longer than its header says.
    """
    what = "image" if magic == IMAGES_MAGIC else "label"
    try:
        if path.suffix.lower() == ".gz":
            with gzip.open(path, "rb") as f:
                data = f.read()
        else:
            data = path.read_bytes()
    except (gzip.BadGzipFile, zlib.error) as e:
        raise _fail(f"{path} is not a valid gzip file ({e})") from e
    except EOFError as e:
        raise _fail(f"{path} is cut short: the gzip stream ends early") from e
    except OSError as e:
        raise _fail(f"cannot read {path}: {e.strerror or e}") from e

    if len(data) < 4:
        raise _fail(f"{path} is cut short: it has only {len(data)} bytes, not even a header")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise _fail(f"{path} is not an IDX {what} file: it starts with magic number 0x{found:08x}, "
                    f"not 0x{magic:08x}")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise _fail(f"{path} is cut short: its header needs {header} bytes but the file has {len(data)}")
    dims = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(dims))
    body = len(data) - header
    if body != expected:
        shape = " x ".join(map(str, dims))
        problem = "is cut short" if body < expected else "is longer than it should be"
        raise _fail(f"{path} {problem}: its header announces {shape} bytes of {what}s ({expected}) "
                    f"but {body} follow")
    return np.frombuffer(data, dtype=np.uint8, count=expected, offset=header).reshape(dims)


def find_idx_sets(folder: Path) -> tuple[dict[str, Path], dict[str, Path] | None]:
    """The training pair and the validation pair (or None) in ``folder``, as ``{"images", "labels"}``."""
    if not folder.exists():
        raise _fail(f"the folder {folder} does not exist")
    if not folder.is_dir():
        raise _fail(f"{folder} is a file, not a folder")

    sets: dict[str, dict[str, Path]] = {}
    for path in sorted(folder.iterdir()):
        match = _FILE_NAME.match(path.name)
        if not match or not path.is_file():
            continue
        pair = sets.setdefault(match["set"], {})
        kind = match["kind"].lower()
        # an unpacked copy next to the .gz is the same data and faster to read
        if kind not in pair or not match["gz"]:
            pair[kind] = path
    if not sets:
        raise _fail(f"the folder {folder} holds no MNIST-format files (looked for names like {_EXAMPLE})")

    tests = [name for name in sets if re.search(r"(t10k|test)$", name, re.IGNORECASE)]
    trains = [name for name in sets if re.search(r"train$", name, re.IGNORECASE)]
    others = [name for name in sets if name not in tests and name not in trains]
    candidates = trains or others or tests
    if len(candidates) > 1:
        raise _fail(f"the folder {folder} holds several sets of files ({', '.join(sorted(candidates))}); "
                    f"keep one set per folder")
    train = candidates[0]
    val = None
    if train not in tests and tests:
        if len(tests) > 1:
            raise _fail(f"the folder {folder} holds several test sets ({', '.join(sorted(tests))}); "
                        f"keep one set per folder")
        val = tests[0]
    return _complete(sets, train, folder), (_complete(sets, val, folder) if val else None)


def _complete(sets: dict[str, dict[str, Path]], name: str, folder: Path) -> dict[str, Path]:
    pair = sets[name]
    for kind, other in (("images", "labels"), ("labels", "images")):
        if kind not in pair:
            wanted = f"{name}-images-idx3-ubyte" if kind == "images" else f"{name}-labels-idx1-ubyte"
            raise _fail(f"{pair[other].name} has no matching {kind} file in {folder} (expected {wanted})")
    return pair


def _read_pair(pair: dict[str, Path], limit: int) -> tuple[np.ndarray, np.ndarray]:
    images = read_idx(pair["images"], IMAGES_MAGIC)
    labels = read_idx(pair["labels"], LABELS_MAGIC)
    if len(images) != len(labels):
        raise _fail(f"{pair['images'].name} holds {len(images)} images but {pair['labels'].name} "
                    f"holds {len(labels)} labels; they must match one to one")
    if limit:
        images, labels = images[:limit], labels[:limit]
    # [N, H, W] bytes -> [N, 1, H, W] floats in [0, 1], the layout Conv2d expects
    x = images[:, None, :, :].astype(np.float32)
    x /= 255
    return x, labels.astype(np.int64)


def load_idx(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """Read the folder's training (and test) files; ``limit`` caps the images taken from each file."""
    folder = Path(options["folder"]).expanduser()
    train, test = find_idx_sets(folder)
    x, y = _read_pair(train, options["limit"])
    x_val = y_val = None
    if test is not None:
        x_val, y_val = _read_pair(test, options["limit"])
        if x_val.shape[1:] != x.shape[1:]:
            raise _fail(f"{test['images'].name} holds images of {x_val.shape[2]}x{x_val.shape[3]} pixels but "
                        f"{train['images'].name} holds {x.shape[2]}x{x.shape[3]}")
    if len(x) == 0:
        raise _fail(f"{train['images'].name} holds no images")
    labels_seen = y if y_val is None else np.concatenate([y, y_val])
    num_classes = int(labels_seen.max()) + 1
    where = f"{len(x)} training" + (f" and {len(x_val)} test" if x_val is not None else "")
    return Samples(x, y, [str(c) for c in range(num_classes)],
                   f"{where} images of {x.shape[2]}x{x.shape[3]} pixels from {folder}", x_val, y_val)


SPEC = DatasetSpec(
    "idx", "MNIST-format image files (MNIST, Fashion-MNIST, ...) from a folder on this computer",
    (Param("limit", "int", 0, "read at most this many images from each file (0 = all of them)", min=0),),
    CLASSIFICATION, load_idx,
    folder_options=(FolderOption("folder", f"the folder holding the files, named like {_EXAMPLE}"),), images=True,
)
