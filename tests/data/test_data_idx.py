"""MNIST-format folders: tiny IDX files written here, read back, and every broken case refused."""

import gzip

import numpy as np
import pytest

from explorer.data import DatasetError, load_dataset


def _idx_bytes(array: np.ndarray) -> bytes:
    magic = 0x0800 | array.ndim
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write(path, array, gz=False):
    data = _idx_bytes(array)
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def _make_set(folder, prefix, n, gz=False, height=4, width=5, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, height, width), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    _write(folder / f"{prefix}-images-idx3-ubyte", images, gz)
    _write(folder / f"{prefix}-labels-idx1-ubyte", labels, gz)
    return images, labels


def _message(folder, **options):
    with pytest.raises(DatasetError) as info:
        load_dataset("idx", {"folder": str(folder), **options})
    return str(info.value)


@pytest.mark.parametrize("gz", [False, True])
def test_train_set_alone_is_split(tmp_path, gz):
    images, labels = _make_set(tmp_path, "train", 50, gz)
    d = load_dataset("idx", {"folder": str(tmp_path)}, seed=2)
    assert d.sample_shape == (1, 4, 5) and d.task == "classification" and d.input_dtype == "float"
    assert (len(d.x_train), len(d.x_val)) == (40, 10)
    assert d.x_train.dtype == np.float32 and d.y_train.dtype == np.int64
    assert d.num_classes == 10 and d.class_names == [str(i) for i in range(10)]
    # every image comes back, scaled to [0, 1], with its own label
    x = np.concatenate([d.x_train, d.x_val])[:, 0]
    y = np.concatenate([d.y_train, d.y_val])
    order = np.lexsort(x.reshape(len(x), -1).T)
    expected_order = np.lexsort((images / 255).reshape(len(images), -1).T)
    np.testing.assert_allclose(x[order], images[expected_order] / 255, rtol=1e-6)
    np.testing.assert_array_equal(y[order], labels[expected_order])


def test_t10k_files_become_the_validation_set(tmp_path):
    images, labels = _make_set(tmp_path, "train", 30)
    test_images, test_labels = _make_set(tmp_path, "t10k", 12, gz=True, seed=1)
    d = load_dataset("idx", {"folder": tmp_path}, val_fraction=0.5)  # a Path works too
    np.testing.assert_allclose(d.x_train[:, 0], images / 255, rtol=1e-6)
    np.testing.assert_array_equal(d.y_val, test_labels)
    assert (len(d.x_train), len(d.x_val)) == (30, 12)
    assert "30 training and 12 test images of 4x5 pixels" in d.description


def test_limit_caps_each_file(tmp_path):
    _make_set(tmp_path, "train", 30)
    _make_set(tmp_path, "t10k", 20)
    d = load_dataset("idx", {"folder": str(tmp_path), "limit": 8})
    assert (len(d.x_train), len(d.x_val)) == (8, 8)


def test_kaggle_names_and_unpacked_copy_preferred(tmp_path):
    images = np.full((10, 3, 3), 255, np.uint8)
    _write(tmp_path / "train-images.idx3-ubyte", images)
    _write(tmp_path / "train-labels.idx1-ubyte", np.arange(10, dtype=np.uint8))
    (tmp_path / "train-images.idx3-ubyte.gz").write_bytes(b"not gzip at all")  # ignored: plain copy exists
    (tmp_path / "README.txt").write_text("hello")
    d = load_dataset("idx", {"folder": str(tmp_path)})
    assert d.x_train.max() == 1.0 and d.sample_shape == (1, 3, 3)


def test_num_classes_follows_the_largest_label(tmp_path):
    _write(tmp_path / "emnist-letters-train-images-idx3-ubyte", np.zeros((27, 2, 2), np.uint8))
    _write(tmp_path / "emnist-letters-train-labels-idx1-ubyte", np.arange(27, dtype=np.uint8))
    assert load_dataset("idx", {"folder": str(tmp_path)}).num_classes == 27


def test_missing_folder(tmp_path):
    missing = tmp_path / "nope"
    assert _message(missing) == f"dataset 'idx': the folder {missing} does not exist"


def test_folder_that_is_a_file(tmp_path):
    file = tmp_path / "x"
    file.write_text("")
    assert _message(file) == f"dataset 'idx': {file} is a file, not a folder"


def test_folder_without_idx_files(tmp_path):
    (tmp_path / "cat.png").write_bytes(b"")
    assert _message(tmp_path) == (f"dataset 'idx': the folder {tmp_path} holds no MNIST-format files (looked for "
                                  "names like train-images-idx3-ubyte and train-labels-idx1-ubyte, optionally "
                                  "ending in .gz)")


def test_images_without_labels(tmp_path):
    _write(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 2, 2), np.uint8))
    assert _message(tmp_path) == (f"dataset 'idx': train-images-idx3-ubyte has no matching labels file in "
                                  f"{tmp_path} (expected train-labels-idx1-ubyte)")


def test_bad_magic(tmp_path):
    _make_set(tmp_path, "train", 5)
    # the labels file where the images file should be
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx_bytes(np.zeros(5, np.uint8)))
    path = tmp_path / "train-images-idx3-ubyte"
    assert _message(tmp_path) == (f"dataset 'idx': {path} is not an IDX image file: it starts with magic number "
                                  "0x00000801, not 0x00000803")


@pytest.mark.parametrize("cut, reason", [
    (30, "is cut short: its header announces 5 x 4 x 5 bytes of images (100) but 14 follow"),
    (10, "is cut short: its header needs 16 bytes but the file has 10"),
    (2, "is cut short: it has only 2 bytes, not even a header"),
])
def test_truncated_file(tmp_path, cut, reason):
    _make_set(tmp_path, "train", 5)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:cut])
    assert _message(tmp_path) == f"dataset 'idx': {path} {reason}"


def test_truncated_gzip(tmp_path):
    _make_set(tmp_path, "train", 5, gz=True)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-12])
    assert _message(tmp_path) == f"dataset 'idx': {path} is cut short: the gzip stream ends early"


def test_file_longer_than_its_header(tmp_path):
    _make_set(tmp_path, "train", 5)
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes() + b"\0\0")
    assert _message(tmp_path) == (f"dataset 'idx': {path} is longer than it should be: its header announces 5 "
                                  "bytes of labels (5) but 7 follow")


def test_count_mismatch(tmp_path):
    _write(tmp_path / "train-images-idx3-ubyte", np.zeros((6, 2, 2), np.uint8))
    _write(tmp_path / "train-labels-idx1-ubyte", np.zeros(5, np.uint8))
    assert _message(tmp_path) == ("dataset 'idx': train-images-idx3-ubyte holds 6 images but "
                                  "train-labels-idx1-ubyte holds 5 labels; they must match one to one")


def test_test_images_of_another_size(tmp_path):
    _make_set(tmp_path, "train", 5)
    _make_set(tmp_path, "t10k", 5, height=3)
    assert _message(tmp_path) == ("dataset 'idx': t10k-images-idx3-ubyte holds images of 3x5 pixels but "
                                  "train-images-idx3-ubyte holds 4x5")


def test_several_training_sets(tmp_path):
    _make_set(tmp_path, "emnist-digits-train", 5)
    _make_set(tmp_path, "emnist-letters-train", 5)
    assert _message(tmp_path) == (f"dataset 'idx': the folder {tmp_path} holds several sets of files "
                                  "(emnist-digits-train, emnist-letters-train); keep one set per folder")


def test_idx_is_deterministic_for_a_seed(tmp_path):
    _make_set(tmp_path, "train", 40)
    a, b, c = (load_dataset("idx", {"folder": str(tmp_path)}, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.x_val, b.x_val)
    assert not np.array_equal(a.x_val, c.x_val)
