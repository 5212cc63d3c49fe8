"""The bounded history of a run's pictures: it covers the whole run, stays under its cap, says when full."""

import numpy as np

from explorer.training.history import RunHistory, picture_bytes
from explorer.training.snapshots import ActivationSnapshot, FeatureMapSnapshot


def _maps(step: int, channels: int = 6) -> FeatureMapSnapshot:
    return FeatureMapSnapshot(step, 0, np.zeros((1, 28, 28), np.float32), "ring",
                              {"conv1": np.full((channels, 28, 28), step, np.float32)})


def test_bytes_of_a_picture_count_its_arrays():
    snap = _maps(1)
    assert picture_bytes(snap) >= 6 * 28 * 28 * 4 + 28 * 28 * 4
    assert picture_bytes(snap) < 1.2 * (6 * 28 * 28 * 4 + 28 * 28 * 4)


def test_a_long_run_stays_under_the_cap_and_still_covers_it():
    one = picture_bytes(_maps(0))
    history = RunHistory(cap_bytes=50 * one)
    messages = []
    for step in range(1, 2001):
        said = history.offer(step, {"feature_maps": _maps(step)}, {"conv1": 0.1})
        if said:
            messages.append(said)
    assert history.peak_bytes <= history.cap_bytes
    assert 20 <= len(history.frames) <= 50
    steps = [f.step for f in history.frames]
    assert steps == sorted(steps) and steps[0] <= 2000 // 20 and steps[-1] >= 2000 - history.stride
    gaps = np.diff(steps)
    assert gaps.max() <= 2 * gaps.min()  # evenly spread, not only the start or the end
    assert history.stride >= 32 and history.thinned == len(messages)
    assert messages[-1] == (f"History full ({50 * one / 2 ** 20:.3g} MB): keeping every {history.stride}th picture "
                            "of the run from now on; training goes on")
    # Each kept frame shows its own moment's maps.
    assert all(float(f.pictures["feature_maps"].maps["conv1"][0, 0, 0]) == f.step for f in history.frames)


def test_frames_share_the_pictures_that_did_not_change():
    history = RunHistory()
    maps = _maps(1)
    history.offer(1, {"feature_maps": maps}, None)
    before = history.nbytes
    history.offer(2, {"activation": ActivationSnapshot(2, {"fc1": {"mean": 0.1}}, {})}, {"fc1": 1.0})
    assert history.frames[1].pictures["feature_maps"] is maps  # the newest maps are carried along
    assert history.nbytes - before < picture_bytes(maps)


def test_a_picture_larger_than_the_cap_is_refused_with_a_message():
    history = RunHistory(cap_bytes=1000)
    said = history.offer(1, {"feature_maps": _maps(1, channels=64)}, None)
    assert said is not None and "larger than the history's cap" in said
    assert history.frames == [] and history.nbytes == 0


def test_index_of_step():
    history = RunHistory()
    for step in (5, 10, 20):
        history.offer(step, {"feature_maps": _maps(step)}, None)
    assert [history.index_of_step(s) for s in (4, 5, 15, 99)] == [None, 0, 1, 2]
